-- Server-side staff sessions: logout, a password change, disabling a user take effect at once.
ALTER TABLE users ADD COLUMN disabled_at TEXT;

CREATE TABLE staff_sessions (
    -- SHA-256 (hex) of the session cookie's nonce; the cookie itself is never stored.
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    -- Unix seconds.
    expires_at BIGINT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
