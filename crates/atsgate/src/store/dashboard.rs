//! What the dashboard keeps: its users, sessions and single-use sign-in links, the history of
//! sync runs, and the interaction-log queries behind its pages (filters, exact lookup by an id a
//! call touched, retention). A separate trait so the core `Store` stays readable; every backend
//! implements both, from one body of SQL (`dashboard_sql.rs`).

use async_trait::async_trait;
use serde::Serialize;

use super::{InteractionLog, StoreResult, SyncCounts, Workspace};

#[derive(Debug, Clone, Serialize)]
pub struct DashboardUser {
    pub id: String,
    pub email: String,
    /// argon2id PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// `None`: an operator, who sees every workspace.
    pub workspace_id: Option<String>,
    pub created_at: String,
    pub disabled_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DashboardSession {
    /// SHA-256 of the cookie's token.
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    /// The workspace an operator is looking at; `None` is all of them.
    pub workspace_id: Option<String>,
    pub created_at: String,
    pub last_seen_at: String,
}

/// One finished sync of an integration.
#[derive(Debug, Clone, Serialize)]
pub struct SyncRun {
    pub id: String,
    pub integration_id: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub ok: bool,
    pub counts: SyncCounts,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

/// How a call ended, for the log's outcome filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The caller's request was refused (4xx that is not the ATS's doing).
    ClientError,
    /// The ATS failed or refused (`REMOTE.*`, or its credentials or permissions).
    AtsError,
    /// atsgate itself failed (5xx that is not the ATS's doing).
    PlatformError,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [Outcome::Success, Outcome::ClientError, Outcome::AtsError, Outcome::PlatformError];

    pub fn of(status: u16, code: Option<&str>) -> Outcome {
        let code = code.unwrap_or("");
        if status < 400 {
            Outcome::Success
        } else if code.starts_with("REMOTE.")
            || code == "INTEGRATION.AUTHENTICATION_INVALID"
            || code == "INTEGRATION.PERMISSION_MISSING"
        {
            Outcome::AtsError
        } else if status >= 500 {
            Outcome::PlatformError
        } else {
            Outcome::ClientError
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::ClientError => "client_error",
            Outcome::AtsError => "ats_error",
            Outcome::PlatformError => "platform_error",
        }
    }

    pub fn parse(value: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Success => "Success",
            Outcome::ClientError => "Client error",
            Outcome::AtsError => "ATS error",
            Outcome::PlatformError => "Platform error",
        }
    }
}

/// The `/v1` route a path belongs to, ids replaced by their parameter names, so calls can be
/// filtered by endpoint.
pub fn endpoint_of(path: &str) -> String {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["", "v1", "ats", "applications", _, "attachments"] => {
            "/v1/ats/applications/{application_id}/attachments".into()
        }
        ["", "v1", "ats", "candidates", _, "attachments"] => "/v1/ats/candidates/{candidate_id}/attachments".into(),
        ["", "v1", "integrations", _] => "/v1/integrations/{integration_id}".into(),
        _ => path.to_string(),
    }
}

/// The endpoints offered in the log's endpoint filter.
pub const ENDPOINTS: [&str; 9] = [
    "/v1/ats/applications/{application_id}/attachments",
    "/v1/ats/candidates/{candidate_id}/attachments",
    "/v1/ats/applications",
    "/v1/ats/candidates",
    "/v1/ats/actions/ats_add_application_attachment",
    "/v1/ats/actions/ats_add_candidate_attachment",
    "/v1/check-api-key",
    "/v1/integrations/{integration_id}",
    "/v1/force-sync",
];

/// A page of the interaction log: newest first, every set filter applied.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// `None` only for an operator looking at every workspace.
    pub workspace_id: Option<String>,
    pub integration_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub code: Option<String>,
    pub endpoint: Option<String>,
    pub has_warnings: bool,
    /// Only calls that did not succeed.
    pub errors_only: bool,
    /// Inclusive lower and exclusive upper bound on `created_at`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Entries strictly older than this (created_at, id): the cursor.
    pub before: Option<(String, String)>,
    pub limit: u32,
}

#[async_trait]
pub trait DashboardStore: Send + Sync {
    async fn get_workspace(&self, id: &str) -> StoreResult<Option<Workspace>>;

    async fn insert_dashboard_user(&self, user: &DashboardUser) -> StoreResult<()>;
    async fn find_dashboard_user(&self, email: &str) -> StoreResult<Option<DashboardUser>>;
    async fn list_dashboard_users(&self) -> StoreResult<Vec<DashboardUser>>;
    /// Sets the password hash and ends the user's sessions.
    async fn set_dashboard_password(&self, user_id: &str, password_hash: &str) -> StoreResult<()>;
    /// Disables the user and ends their sessions.
    async fn disable_dashboard_user(&self, user_id: &str, at: &str) -> StoreResult<()>;

    async fn insert_dashboard_session(&self, session: &DashboardSession) -> StoreResult<()>;
    async fn find_dashboard_session(&self, token_hash: &str) -> StoreResult<Option<(DashboardSession, DashboardUser)>>;
    async fn touch_dashboard_session(&self, token_hash: &str, at: &str) -> StoreResult<()>;
    async fn set_session_workspace(&self, token_hash: &str, workspace_id: Option<&str>) -> StoreResult<()>;
    async fn delete_dashboard_session(&self, token_hash: &str) -> StoreResult<()>;

    async fn insert_login_link(&self, token_hash: &str, user_id: &str, expires_at: &str) -> StoreResult<()>;
    /// Deletes the link and returns its user if it had not expired at `now`.
    async fn consume_login_link(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>>;

    async fn search_logs(&self, filter: &LogFilter) -> StoreResult<Vec<InteractionLog>>;
    /// Entries that touched `reference` (an application or candidate id, ours or the ATS's, or
    /// an Idempotency-Key), newest first.
    async fn find_logs_by_ref(
        &self,
        workspace_id: Option<&str>,
        reference: &str,
        limit: u32,
    ) -> StoreResult<Vec<InteractionLog>>;
    /// When the key last made a call still in the log.
    async fn key_last_used_at(&self, key_id: &str) -> StoreResult<Option<String>>;
    async fn oldest_log_at(&self, workspace_id: Option<&str>) -> StoreResult<Option<String>>;
    /// Deletes up to `batch` entries older than `before` (and their lookup refs); returns how
    /// many entries went. Small batches keep each transaction short.
    async fn prune_logs(&self, before: &str, batch: u32) -> StoreResult<u64>;

    async fn record_sync_run(&self, run: &SyncRun) -> StoreResult<()>;
    async fn list_sync_runs(&self, integration_id: &str, limit: u32) -> StoreResult<Vec<SyncRun>>;

    /// Deletes the integration, its synced jobs, candidates and applications and its sync
    /// history. Its interaction-log entries stay until retention removes them.
    async fn delete_integration(&self, id: &str) -> StoreResult<bool>;
}
