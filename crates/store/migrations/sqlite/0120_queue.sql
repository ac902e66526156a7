-- The service hall's window queue (取号、叫号、评价): a body's hall, its services and
-- windows, appointments, tickets numbered per service per day, their append-only history
-- and the citizens' ratings. ID numbers are never stored: only a peppered hash.

CREATE TABLE hall_halls (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL UNIQUE REFERENCES bodies(id),
    name TEXT NOT NULL,
    -- Secret of the hall for hashing ID numbers (never shown, never exported).
    pepper TEXT NOT NULL,
    -- Beijing date (YYYY-MM-DD) of the last daily reset.
    reset_day TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE hall_services (
    id INTEGER PRIMARY KEY,
    hall_id INTEGER NOT NULL REFERENCES hall_halls(id),
    code TEXT NOT NULL,
    prefix TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Code of the service item (办事指南) it handles, as plain text.
    item_code TEXT NOT NULL DEFAULT '',
    -- gongkai_ledger::queue::OrderPolicy as JSON. States, classes and channels are stored as
    -- their Chinese terms (the serialized form of the ledger's enums).
    policy_json TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hall_id, code),
    UNIQUE (hall_id, prefix)
);

CREATE TABLE hall_windows (
    id INTEGER PRIMARY KEY,
    hall_id INTEGER NOT NULL REFERENCES hall_halls(id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- Service codes, JSON array.
    services_json TEXT NOT NULL,
    -- Priority classes of a 专责 window, JSON array (empty: ordinary window).
    dedicated_json TEXT NOT NULL DEFAULT '[]',
    -- 暂停服务 when set.
    paused INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hall_id, number)
);

-- Sequence numbers per hall, service and day (race-free allocation).
CREATE TABLE hall_counters (
    hall_id INTEGER NOT NULL REFERENCES hall_halls(id),
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (hall_id, day, service)
);

-- Normal tickets called since the last priority ticket (the interleave policy).
CREATE TABLE hall_selection (
    hall_id INTEGER NOT NULL REFERENCES hall_halls(id),
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    normals INTEGER NOT NULL,
    PRIMARY KEY (hall_id, day, service)
);

CREATE TABLE hall_tickets (
    id INTEGER PRIMARY KEY,
    hall_id INTEGER NOT NULL REFERENCES hall_halls(id),
    day TEXT NOT NULL,
    -- The service the number belongs to (before a transfer).
    issue_service TEXT NOT NULL,
    seq INTEGER NOT NULL,
    service TEXT NOT NULL,
    prefix TEXT NOT NULL,
    class TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    called_at TEXT,
    -- Last call or recall (what the displays announce).
    announced_at TEXT,
    started_at TEXT,
    ended_at TEXT,
    window_number INTEGER,
    recalls INTEGER NOT NULL DEFAULT 0,
    transferred_from TEXT,
    redirected_from TEXT,
    id_hash TEXT,
    masked_name TEXT,
    -- Random token of the citizen's ticket page and rating link.
    token TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (hall_id, issue_service, day, seq)
);
CREATE INDEX hall_tickets_waiting ON hall_tickets (hall_id, state, day);
CREATE INDEX hall_tickets_called ON hall_tickets (hall_id, day, called_at);
-- One ticket per ID per service per day (cancelled tickets do not count).
CREATE UNIQUE INDEX hall_tickets_one_per_id ON hall_tickets (hall_id, day, issue_service, id_hash)
    WHERE id_hash IS NOT NULL AND state <> '已取消';

CREATE TABLE hall_ticket_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES hall_tickets(id),
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    window_number INTEGER,
    state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hall_ticket_events_ticket ON hall_ticket_events (ticket_id);
CREATE TRIGGER hall_ticket_events_no_update BEFORE UPDATE ON hall_ticket_events
BEGIN SELECT RAISE(ABORT, 'hall_ticket_events is append-only'); END;
CREATE TRIGGER hall_ticket_events_no_delete BEFORE DELETE ON hall_ticket_events
BEGIN SELECT RAISE(ABORT, 'hall_ticket_events is append-only'); END;

CREATE TABLE hall_ratings (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL UNIQUE REFERENCES hall_tickets(id),
    rating TEXT NOT NULL,
    reason TEXT,
    at TEXT NOT NULL
);

CREATE TABLE hall_appointments (
    id INTEGER PRIMARY KEY,
    hall_id INTEGER NOT NULL REFERENCES hall_halls(id),
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    start_time TEXT NOT NULL,
    id_hash TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    ticket_id INTEGER REFERENCES hall_tickets(id),
    cancelled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (hall_id, service, day, id_hash)
);
