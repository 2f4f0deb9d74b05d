-- PostgreSQL twin of migrations/sqlite/0001_init.sql. Every TEXT column uses the "C" collation so
-- that ids and TEXT timestamps sort and compare byte-wise, exactly as SQLite's BINARY collation.
-- Workspaces own API keys and integrations; every other row hangs off an integration.
CREATE TABLE workspaces (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TEXT COLLATE "C" NOT NULL
);

-- Only the SHA-256 of a key is kept; the key itself is shown once at creation.
CREATE TABLE api_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    prefix TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    revoked_at TEXT COLLATE "C"
);

CREATE TABLE integrations (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
    tool TEXT COLLATE "C" NOT NULL,
    base_url TEXT COLLATE "C",
    auth_url TEXT COLLATE "C",
    sealed_credentials TEXT COLLATE "C" NOT NULL,
    organization_name TEXT COLLATE "C" NOT NULL,
    creator_email TEXT COLLATE "C",
    origin_id TEXT COLLATE "C",
    permissions TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    last_sync_started_at TEXT COLLATE "C",
    last_sync_finished_at TEXT COLLATE "C",
    last_sync_error TEXT COLLATE "C",
    last_sync_error_code TEXT COLLATE "C"
);
CREATE INDEX integrations_workspace ON integrations(workspace_id);

CREATE TABLE ats_jobs (
    integration_id TEXT COLLATE "C" NOT NULL REFERENCES integrations(id),
    id TEXT COLLATE "C" NOT NULL,
    remote_id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C",
    content_hash TEXT COLLATE "C" NOT NULL,
    changed_at TEXT COLLATE "C" NOT NULL,
    remote_deleted_at TEXT COLLATE "C",
    last_seen_sync TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (integration_id, id)
);

-- `data` is the unified JSON document without `changed_at` / `remote_deleted_at`, which live in
-- their own columns; the other columns exist for filtering.
CREATE TABLE ats_candidates (
    integration_id TEXT COLLATE "C" NOT NULL REFERENCES integrations(id),
    id TEXT COLLATE "C" NOT NULL,
    remote_id TEXT COLLATE "C" NOT NULL,
    first_name TEXT COLLATE "C",
    last_name TEXT COLLATE "C",
    emails TEXT COLLATE "C" NOT NULL,
    remote_created_at TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    changed_at TEXT COLLATE "C" NOT NULL,
    remote_deleted_at TEXT COLLATE "C",
    last_seen_sync TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (integration_id, id)
);
CREATE INDEX ats_candidates_remote ON ats_candidates(integration_id, remote_id);

CREATE TABLE ats_applications (
    integration_id TEXT COLLATE "C" NOT NULL REFERENCES integrations(id),
    id TEXT COLLATE "C" NOT NULL,
    remote_id TEXT COLLATE "C" NOT NULL,
    candidate_id TEXT COLLATE "C",
    candidate_remote_id TEXT COLLATE "C",
    job_id TEXT COLLATE "C",
    job_remote_id TEXT COLLATE "C",
    outcome TEXT COLLATE "C",
    current_stage_id TEXT COLLATE "C",
    remote_created_at TEXT COLLATE "C",
    data TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    changed_at TEXT COLLATE "C" NOT NULL,
    remote_deleted_at TEXT COLLATE "C",
    last_seen_sync TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (integration_id, id)
);
CREATE INDEX ats_applications_remote ON ats_applications(integration_id, remote_id);
CREATE INDEX ats_applications_candidate ON ats_applications(integration_id, candidate_id);

-- One row per /v1 call. Never file contents, credentials or keys.
CREATE TABLE interaction_logs (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C",
    integration_id TEXT COLLATE "C",
    method TEXT COLLATE "C" NOT NULL,
    path TEXT COLLATE "C" NOT NULL,
    status BIGINT NOT NULL,
    code TEXT COLLATE "C",
    message TEXT COLLATE "C",
    warnings TEXT COLLATE "C" NOT NULL,
    upstream TEXT COLLATE "C" NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX interaction_logs_workspace ON interaction_logs(workspace_id, created_at);
