-- 办事指南 (service items): one row per item and body, every change a version row with who,
-- when, why and the full guide JSON, the workflow steps, and 空表/样表 files (see
-- crates/store/src/service_items.rs).
CREATE TABLE service_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    theme TEXT NOT NULL,
    main_code TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    editor TEXT NOT NULL,
    published_version INTEGER,
    published_at TEXT,
    reviewed_on TEXT,
    note TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (body_id, code)
);
CREATE INDEX service_items_list ON service_items(body_id, status, name);

CREATE TABLE service_item_versions (
    item_id INTEGER NOT NULL REFERENCES service_items(id),
    version INTEGER NOT NULL,
    guide_json TEXT NOT NULL,
    editor TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    changes_json TEXT NOT NULL,
    PRIMARY KEY (item_id, version)
);

CREATE TABLE service_item_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES service_items(id),
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX service_item_steps_item ON service_item_steps(item_id, id);

CREATE TABLE service_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES service_items(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (item_id, file_name)
);

-- Versions are append-only.
CREATE TRIGGER service_item_versions_no_update BEFORE UPDATE ON service_item_versions BEGIN
    SELECT RAISE(ABORT, 'service_item_versions is append-only');
END;
CREATE TRIGGER service_item_versions_no_delete BEFORE DELETE ON service_item_versions BEGIN
    SELECT RAISE(ABORT, 'service_item_versions is append-only');
END;
