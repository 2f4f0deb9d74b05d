-- PostgreSQL twin of migrations/sqlite/0005_dashboard.sql (byte-wise "C" collation, as in 0001).
-- The dashboard: its users and sessions, sync run history, and what the interaction-log pages
-- filter and look up by. Never keys, credentials, Authorization values or file contents.

-- A user with workspace_id NULL is an operator (sees every workspace); others see only theirs.
CREATE TABLE dashboard_users (
    id TEXT COLLATE "C" PRIMARY KEY,
    email TEXT COLLATE "C" NOT NULL UNIQUE,
    -- argon2id PHC string; never the password.
    password_hash TEXT COLLATE "C" NOT NULL,
    workspace_id TEXT COLLATE "C" REFERENCES workspaces(id),
    created_at TEXT COLLATE "C" NOT NULL,
    disabled_at TEXT COLLATE "C"
);

-- Only the SHA-256 of a session token is kept; the token lives in the browser's cookie.
CREATE TABLE dashboard_sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES dashboard_users(id) ON DELETE CASCADE,
    -- The per-session form token every POST must carry.
    csrf_token TEXT COLLATE "C" NOT NULL,
    -- The workspace an operator is looking at (NULL: all of them).
    workspace_id TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    last_seen_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX dashboard_sessions_user ON dashboard_sessions(user_id);

-- Single-use sign-in links (`atsgate demo`, `atsgate users link`), stored hashed.
CREATE TABLE dashboard_login_links (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES dashboard_users(id) ON DELETE CASCADE,
    expires_at TEXT COLLATE "C" NOT NULL
);

-- One row per sync run of an integration.
CREATE TABLE sync_runs (
    id TEXT COLLATE "C" PRIMARY KEY,
    integration_id TEXT COLLATE "C" NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C" NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL,
    ok BIGINT NOT NULL,
    jobs BIGINT NOT NULL,
    candidates BIGINT NOT NULL,
    applications BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    deleted BIGINT NOT NULL,
    error_code TEXT COLLATE "C",
    error TEXT COLLATE "C"
);
CREATE INDEX sync_runs_integration ON sync_runs(integration_id, started_at);

-- What the log pages show and filter by.
ALTER TABLE interaction_logs ADD COLUMN endpoint TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE interaction_logs ADD COLUMN outcome TEXT COLLATE "C" NOT NULL DEFAULT 'success';
ALTER TABLE interaction_logs ADD COLUMN has_warnings BIGINT NOT NULL DEFAULT 0;
ALTER TABLE interaction_logs ADD COLUMN query TEXT COLLATE "C";
ALTER TABLE interaction_logs ADD COLUMN key_id TEXT COLLATE "C";
ALTER TABLE interaction_logs ADD COLUMN key_name TEXT COLLATE "C";
ALTER TABLE interaction_logs ADD COLUMN key_prefix TEXT COLLATE "C";
ALTER TABLE interaction_logs ADD COLUMN idempotency_key TEXT COLLATE "C";
ALTER TABLE interaction_logs ADD COLUMN replayed BIGINT NOT NULL DEFAULT 0;

-- Newest-first pages, per workspace, per integration, across all (operators), and the prune.
DROP INDEX interaction_logs_workspace;
CREATE INDEX interaction_logs_workspace ON interaction_logs(workspace_id, created_at, id);
CREATE INDEX interaction_logs_integration ON interaction_logs(integration_id, created_at, id);
CREATE INDEX interaction_logs_created ON interaction_logs(created_at, id);
CREATE INDEX interaction_logs_warnings ON interaction_logs(integration_id, created_at, id) WHERE has_warnings = 1;
CREATE INDEX interaction_logs_workspace_warnings ON interaction_logs(workspace_id, created_at, id) WHERE has_warnings = 1;
CREATE INDEX interaction_logs_outcome ON interaction_logs(workspace_id, outcome, created_at, id);
-- A key's last use.
CREATE INDEX interaction_logs_key ON interaction_logs(key_id, created_at);

-- Exact lookup: application and candidate ids (ours and the ATS's) and Idempotency-Keys a
-- call touched, each pointing at its log entry.
CREATE TABLE interaction_log_refs (
    ref TEXT COLLATE "C" NOT NULL,
    log_id TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (ref, log_id)
);
CREATE INDEX interaction_log_refs_created ON interaction_log_refs(created_at);
