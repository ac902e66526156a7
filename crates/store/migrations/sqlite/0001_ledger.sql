-- Gongkai ledger schema (SQLite). Dates are TEXT 'YYYY-MM-DD'; timestamps TEXT RFC 3339 UTC.
CREATE TABLE bodies (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES bodies(id),
    created_at TEXT NOT NULL
);
CREATE INDEX bodies_parent ON bodies(parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, body_id, role)
);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    tracking_code TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    applicant_type TEXT NOT NULL,
    channel TEXT NOT NULL,
    request_text TEXT NOT NULL,
    received_on TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    closed_on TEXT,
    due_on TEXT,
    status_json TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX applications_body_received ON applications(body_id, received_on);
CREATE INDEX applications_body_closed ON applications(body_id, closed_on);
CREATE INDEX applications_body_state ON applications(body_id, state);

-- Personal data lives apart so that public queries cannot reach it by accident.
CREATE TABLE application_personal (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id),
    name TEXT NOT NULL,
    id_number TEXT,
    phone TEXT,
    email TEXT,
    address TEXT
);

CREATE TABLE application_events (
    application_id INTEGER NOT NULL REFERENCES applications(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (application_id, seq)
);
CREATE TRIGGER application_events_no_update BEFORE UPDATE ON application_events
BEGIN SELECT RAISE(ABORT, 'application_events is append-only'); END;
CREATE TRIGGER application_events_no_delete BEFORE DELETE ON application_events
BEGIN SELECT RAISE(ABORT, 'application_events is append-only'); END;

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    application_id INTEGER REFERENCES applications(id),
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    closed_on TEXT,
    reference TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX cases_body ON cases(body_id, filed_on);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    published_on TEXT,
    repealed_on TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (body_id, doc_number)
);

CREATE TABLE yearly_figures (
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    year INTEGER NOT NULL,
    cell TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (body_id, year, cell)
);

CREATE TABLE narratives (
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    year INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (body_id, year, section)
);

-- Per-year deltas kept in the same transaction as each change (see gongkai_ledger::counters).
CREATE TABLE report_counters (
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    year INTEGER NOT NULL,
    key TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (body_id, year, key)
);

-- Change log tailed by the search indexer (monotonic id).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    body_id INTEGER,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    rows INTEGER NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
