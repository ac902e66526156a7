-- A per-body counter of changes to its public content (documents and catalog items), bumped
-- by triggers so that every writer (server, CLI, another instance) invalidates the pages
-- rendered from it.
ALTER TABLE bodies ADD COLUMN content_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER public_documents_version_insert AFTER INSERT ON public_documents BEGIN
    UPDATE bodies SET content_version = content_version + 1 WHERE id = NEW.body_id;
END;
CREATE TRIGGER public_documents_version_update AFTER UPDATE ON public_documents BEGIN
    UPDATE bodies SET content_version = content_version + 1 WHERE id IN (OLD.body_id, NEW.body_id);
END;
CREATE TRIGGER public_documents_version_delete AFTER DELETE ON public_documents BEGIN
    UPDATE bodies SET content_version = content_version + 1 WHERE id = OLD.body_id;
END;
CREATE TRIGGER catalog_items_version_insert AFTER INSERT ON catalog_items BEGIN
    UPDATE bodies SET content_version = content_version + 1 WHERE id = NEW.body_id;
END;
CREATE TRIGGER catalog_items_version_update AFTER UPDATE ON catalog_items BEGIN
    UPDATE bodies SET content_version = content_version + 1 WHERE id IN (OLD.body_id, NEW.body_id);
END;
CREATE TRIGGER catalog_items_version_delete AFTER DELETE ON catalog_items BEGIN
    UPDATE bodies SET content_version = content_version + 1 WHERE id = OLD.body_id;
END;
