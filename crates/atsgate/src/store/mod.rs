//! Storage: one trait, chosen backend at run time from the database URL. Handlers and actions
//! only see `Arc<dyn Store>` and the plain row types below; SQL stays in the backend modules.

mod dashboard;
mod postgres;
mod rows;
mod sqlite;

pub use dashboard::*;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A storage failure; always an internal error for the API caller.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StoreError(pub anyhow::Error);

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError(err.into())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError(err.into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyRecord {
    pub id: String,
    pub workspace_id: String,
    /// The first characters of the key, enough to recognise it in a list.
    pub prefix: String,
    pub name: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Integration {
    pub id: String,
    pub workspace_id: String,
    pub tool: String,
    pub base_url: Option<String>,
    pub auth_url: Option<String>,
    /// Credentials sealed by `crypto::MasterKey`; never plaintext.
    pub sealed_credentials: String,
    pub organization_name: String,
    pub creator_email: Option<String>,
    pub origin_id: Option<String>,
    /// Enabled scope-config permissions (see `actions::permissions`).
    pub permissions: Vec<String>,
    pub created_at: String,
    pub last_sync_started_at: Option<String>,
    pub last_sync_finished_at: Option<String>,
    pub last_sync_error: Option<String>,
    pub last_sync_error_code: Option<String>,
}

/// An application as far as actions need it: to resolve ids to remote ids.
#[derive(Debug, Clone)]
pub struct StoredApplication {
    pub id: String,
    pub remote_id: String,
    pub candidate_id: Option<String>,
    pub candidate_remote_id: Option<String>,
    pub remote_created_at: Option<String>,
    pub remote_deleted_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StoredCandidate {
    pub id: String,
    pub remote_id: String,
    pub remote_deleted_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: String,
    pub remote_id: String,
    pub name: Option<String>,
    pub content_hash: String,
}

#[derive(Debug, Clone)]
pub struct CandidateRow {
    pub id: String,
    pub remote_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Lower-cased email addresses.
    pub emails: Vec<String>,
    pub remote_created_at: Option<String>,
    pub data: String,
    pub content_hash: String,
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub id: String,
    pub remote_id: String,
    pub candidate_id: Option<String>,
    pub candidate_remote_id: Option<String>,
    pub job_id: Option<String>,
    pub job_remote_id: Option<String>,
    pub outcome: Option<String>,
    pub current_stage_id: Option<String>,
    pub remote_created_at: Option<String>,
    pub data: String,
    pub content_hash: String,
}

/// Everything one complete sync saw. Rows missing from a complete sync are marked deleted.
#[derive(Debug, Default)]
pub struct SyncBatch {
    pub jobs: Vec<JobRow>,
    pub candidates: Vec<CandidateRow>,
    pub applications: Vec<ApplicationRow>,
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct SyncCounts {
    pub jobs: u64,
    pub candidates: u64,
    pub applications: u64,
    pub changed: u64,
    pub deleted: u64,
}

/// Filters of `GET /ats/applications` and `GET /ats/candidates` (spec §3), already parsed.
#[derive(Debug, Default, Clone)]
pub struct ListQuery {
    /// Return rows whose id sorts after this one (the decoded cursor).
    pub after_id: Option<String>,
    pub page_size: u32,
    pub updated_after: Option<String>,
    pub ids: Vec<String>,
    pub remote_ids: Vec<String>,
    pub include_deleted: bool,
    pub outcomes: Vec<String>,
    pub job_ids: Vec<String>,
    pub job_remote_ids: Vec<String>,
    pub current_stage_ids: Vec<String>,
    pub remote_created_after: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ListedRow {
    pub id: String,
    pub data: String,
    pub changed_at: String,
    pub remote_deleted_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpstreamCallRecord {
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub duration_ms: f64,
    pub error: Option<String>,
    /// 0 for the first try of a call, 1… for its retries.
    #[serde(default)]
    pub attempt: u32,
    /// Why the call was made when it is not the action itself (e.g. the check for a file after
    /// an ambiguous upload failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InteractionLog {
    pub id: String,
    pub workspace_id: Option<String>,
    pub integration_id: Option<String>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub code: Option<String>,
    pub message: Option<String>,
    pub warnings: Vec<String>,
    pub upstream: Vec<UpstreamCallRecord>,
    pub duration_ms: f64,
    pub created_at: String,
    /// The query string, as sent.
    #[serde(default)]
    pub query: Option<String>,
    /// The API key that made the call: its id, name and prefix (never the key).
    #[serde(default)]
    pub key_id: Option<String>,
    #[serde(default)]
    pub key_name: Option<String>,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// The answer was a stored response replayed for a repeated `Idempotency-Key`.
    #[serde(default)]
    pub replayed: bool,
    /// Application and candidate ids (ours and the ATS's) the call touched, for exact lookup;
    /// written to the lookup table, not read back.
    #[serde(default)]
    pub refs: Vec<String>,
}

impl InteractionLog {
    pub fn outcome(&self) -> Outcome {
        Outcome::of(self.status, self.code.as_deref())
    }

    pub fn endpoint(&self) -> String {
        endpoint_of(&self.path)
    }
}

/// The outcome of claiming an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub enum IdempotencyClaim {
    /// This request owns the key until its lease runs out, and must complete or release it.
    /// `evidence` is what an earlier attempt with this key recorded before it started, when
    /// that attempt's outcome is unknown (its owner died, or it could not tell): the ATS must be
    /// checked before uploading again.
    Claimed { evidence: Option<String> },
    /// Someone else holds or held the key: their request's hash, and the stored response once done.
    Existing { request_hash: String, response: Option<(u16, String)> },
}

/// One request's claim on an `Idempotency-Key`: `owner` is the claiming process instance.
#[derive(Debug, Clone)]
pub struct IdempotencyOwner<'a> {
    pub workspace_id: &'a str,
    pub key: &'a str,
    pub owner: &'a str,
}

#[async_trait]
pub trait Store: DashboardStore + Send + Sync {
    async fn health(&self) -> StoreResult<()>;
    /// A counter that database triggers bump whenever keys, workspaces or integrations change
    /// (see `auth_cache`).
    async fn auth_revision(&self) -> StoreResult<i64>;

    async fn get_or_create_workspace(&self, name: &str) -> StoreResult<Workspace>;
    async fn list_workspaces(&self) -> StoreResult<Vec<Workspace>>;

    async fn insert_api_key(&self, key: &ApiKeyRecord, key_hash: &str) -> StoreResult<()>;
    /// The live (not revoked) key with this hash, and its workspace.
    async fn find_api_key(&self, key_hash: &str) -> StoreResult<Option<(ApiKeyRecord, Workspace)>>;
    /// The live key with this hash, its workspace, and the integration `integration_id` if it
    /// belongs to that workspace — one round trip for the common case of an API call.
    async fn find_api_key_with_integration(
        &self,
        key_hash: &str,
        integration_id: &str,
    ) -> StoreResult<Option<(ApiKeyRecord, Workspace, Option<Integration>)>>;
    async fn list_api_keys(&self, workspace_id: Option<&str>) -> StoreResult<Vec<ApiKeyRecord>>;
    async fn revoke_api_key(&self, id: &str) -> StoreResult<bool>;

    async fn insert_integration(&self, integration: &Integration) -> StoreResult<()>;
    async fn get_integration(&self, id: &str) -> StoreResult<Option<Integration>>;
    async fn list_integrations(&self, workspace_id: Option<&str>) -> StoreResult<Vec<Integration>>;
    async fn set_permissions(&self, id: &str, permissions: &[String]) -> StoreResult<()>;
    async fn set_sealed_credentials(&self, id: &str, sealed: &str) -> StoreResult<()>;
    /// Replaces many integrations' sealed credentials in one transaction (master-key rotation).
    async fn replace_sealed_credentials(&self, sealed: &[(String, String)]) -> StoreResult<()>;
    async fn record_sync_started(&self, id: &str, at: &str) -> StoreResult<()>;
    async fn record_sync_finished(&self, id: &str, at: &str, error: Option<(&str, &str)>) -> StoreResult<()>;

    /// Upserts everything in `batch` and, the batch being complete, marks what it lacks as deleted.
    async fn apply_sync(&self, integration_id: &str, sync_at: &str, batch: SyncBatch) -> StoreResult<SyncCounts>;
    async fn find_application(&self, integration_id: &str, id: &str) -> StoreResult<Option<StoredApplication>>;
    async fn find_candidate(&self, integration_id: &str, id: &str) -> StoreResult<Option<StoredCandidate>>;
    async fn candidate_applications(
        &self,
        integration_id: &str,
        candidate_id: &str,
    ) -> StoreResult<Vec<StoredApplication>>;
    async fn list_applications(&self, integration_id: &str, query: &ListQuery) -> StoreResult<Vec<ListedRow>>;
    async fn list_candidates(&self, integration_id: &str, query: &ListQuery) -> StoreResult<Vec<ListedRow>>;

    /// Claims `key` for a request until `lease_until`. A new key, an expired record, or a claim
    /// whose owner let its lease run out (a dead or finished-unknown attempt) with the same
    /// `request_hash` is claimed; anything else answers `Existing`.
    async fn idempotency_claim(
        &self,
        claim: &IdempotencyOwner<'_>,
        request_hash: &str,
        now: &str,
        lease_until: &str,
        expires_at: &str,
    ) -> StoreResult<IdempotencyClaim>;
    /// Extends the owner's lease; `false` when the claim is no longer the owner's.
    async fn idempotency_renew(&self, claim: &IdempotencyOwner<'_>, lease_until: &str) -> StoreResult<bool>;
    /// Records, before an upload attempt, what a later run needs to check the ATS first.
    async fn idempotency_record_evidence(&self, claim: &IdempotencyOwner<'_>, evidence: &str) -> StoreResult<()>;
    /// Stores the final response for replay.
    async fn idempotency_complete(&self, claim: &IdempotencyOwner<'_>, status: u16, body: &str) -> StoreResult<()>;
    /// Gives the key up without a final response: forgotten when no attempt was recorded, else
    /// kept with its evidence and an expired lease, so the next request takes it over and checks
    /// the ATS first.
    async fn idempotency_release(&self, claim: &IdempotencyOwner<'_>) -> StoreResult<()>;

    async fn insert_logs(&self, logs: &[InteractionLog]) -> StoreResult<()>;
    async fn list_logs(&self, workspace_id: Option<&str>, limit: u32) -> StoreResult<Vec<InteractionLog>>;
    async fn get_log(&self, id: &str) -> StoreResult<Option<InteractionLog>>;
}

/// Opens the database named by `url`, running embedded migrations.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PostgresStore::connect(url).await?))
    } else {
        anyhow::bail!("unknown database URL scheme in {url:?}; expected sqlite: or postgres:")
    }
}
