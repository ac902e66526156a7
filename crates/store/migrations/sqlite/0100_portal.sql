-- Proactive disclosure content, published report versions and the staff audit log
-- (owned by the web platform; see crates/store/src/portal.rs).
CREATE TABLE catalog_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    domain TEXT NOT NULL,
    name TEXT NOT NULL,
    basis TEXT NOT NULL,
    time_limit TEXT NOT NULL,
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    audience TEXT NOT NULL,
    manner TEXT NOT NULL
);
CREATE INDEX catalog_items_body ON catalog_items(body_id, domain);

CREATE TABLE public_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    catalog_item_id INTEGER REFERENCES catalog_items(id),
    index_number TEXT NOT NULL UNIQUE,
    publisher TEXT NOT NULL,
    written_on TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    topic TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    published_on TEXT,
    published INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX public_documents_body ON public_documents(body_id, published, published_on);

CREATE TABLE document_serials (
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (body_id, year)
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES public_documents(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX attachments_document ON attachments(document_id);

CREATE TABLE guides (
    body_id INTEGER PRIMARY KEY REFERENCES bodies(id),
    text TEXT NOT NULL,
    address TEXT NOT NULL,
    office_hours TEXT NOT NULL,
    phone TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE report_versions (
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    report_json TEXT NOT NULL,
    reason TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (body_id, year, version)
);

CREATE TABLE report_approvals (
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    year INTEGER NOT NULL,
    report_json TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    PRIMARY KEY (body_id, year)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    body_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
-- Append-only: the log cannot be changed or erased through SQL.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
