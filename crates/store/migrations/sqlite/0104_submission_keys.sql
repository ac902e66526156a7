-- Idempotent submissions: a single-use form token or an API Idempotency-Key names the one
-- application it created, so a refresh, a double click or a replayed request files nothing new.
CREATE TABLE submission_keys (
    token TEXT PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id),
    -- SHA-256 (hex) of the submitted fields: the same token with other fields is refused.
    request_hash TEXT NOT NULL,
    -- The tracking secret, kept only to show the same receipt again; deleted after 24 hours.
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX submission_keys_created ON submission_keys (created_at);
