-- A per-body counter of changes to its public content (documents and catalog items), bumped
-- by triggers so that every writer (server, CLI, another instance) invalidates the pages
-- rendered from it.
ALTER TABLE bodies ADD COLUMN content_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE bodies SET content_version = content_version + 1 WHERE id = OLD.body_id;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.body_id <> OLD.body_id) THEN
        UPDATE bodies SET content_version = content_version + 1 WHERE id = NEW.body_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER public_documents_version AFTER INSERT OR UPDATE OR DELETE ON public_documents
    FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE TRIGGER catalog_items_version AFTER INSERT OR UPDATE OR DELETE ON catalog_items
    FOR EACH ROW EXECUTE FUNCTION bump_content_version();
