-- Workspaces own API keys and integrations; every other row hangs off an integration.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Only the SHA-256 of a key is kept; the key itself is shown once at creation.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    name TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    tool TEXT NOT NULL,
    base_url TEXT,
    auth_url TEXT,
    sealed_credentials TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    creator_email TEXT,
    origin_id TEXT,
    permissions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_sync_started_at TEXT,
    last_sync_finished_at TEXT,
    last_sync_error TEXT,
    last_sync_error_code TEXT
);
CREATE INDEX integrations_workspace ON integrations(workspace_id);

CREATE TABLE ats_jobs (
    integration_id TEXT NOT NULL REFERENCES integrations(id),
    id TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    name TEXT,
    content_hash TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    remote_deleted_at TEXT,
    last_seen_sync TEXT NOT NULL,
    PRIMARY KEY (integration_id, id)
);

-- `data` is the unified JSON document without `changed_at` / `remote_deleted_at`, which live in
-- their own columns; the other columns exist for filtering.
CREATE TABLE ats_candidates (
    integration_id TEXT NOT NULL REFERENCES integrations(id),
    id TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    emails TEXT NOT NULL,
    remote_created_at TEXT,
    data TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    remote_deleted_at TEXT,
    last_seen_sync TEXT NOT NULL,
    PRIMARY KEY (integration_id, id)
);
CREATE INDEX ats_candidates_remote ON ats_candidates(integration_id, remote_id);

CREATE TABLE ats_applications (
    integration_id TEXT NOT NULL REFERENCES integrations(id),
    id TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    candidate_id TEXT,
    candidate_remote_id TEXT,
    job_id TEXT,
    job_remote_id TEXT,
    outcome TEXT,
    current_stage_id TEXT,
    remote_created_at TEXT,
    data TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    remote_deleted_at TEXT,
    last_seen_sync TEXT NOT NULL,
    PRIMARY KEY (integration_id, id)
);
CREATE INDEX ats_applications_remote ON ats_applications(integration_id, remote_id);
CREATE INDEX ats_applications_candidate ON ats_applications(integration_id, candidate_id);

-- One row per /v1 call. Never file contents, credentials or keys.
CREATE TABLE interaction_logs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT,
    integration_id TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    code TEXT,
    message TEXT,
    warnings TEXT NOT NULL,
    upstream TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX interaction_logs_workspace ON interaction_logs(workspace_id, created_at);
