-- PostgreSQL twin of migrations/sqlite/0002_idempotency.sql (byte-wise "C" collation, as in 0001).
-- Idempotency-Key records: a claimed key has no status until its response is stored.
CREATE TABLE idempotency_keys (
    workspace_id TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    request_hash TEXT COLLATE "C" NOT NULL,
    status BIGINT,
    body TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);
