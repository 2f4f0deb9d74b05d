//! Row → record mapping shared by both backends: the columns are the same in both dialects, only
//! the row type differs, so each backend implements `Columns` for its row and reuses these.

use super::*;

/// Typed column access; each backend implements it for its row type.
pub(super) trait Columns {
    fn text(&self, column: &str) -> String;
    fn opt_text(&self, column: &str) -> Option<String>;
    fn int(&self, column: &str) -> i64;
    fn real(&self, column: &str) -> f64;
}

/// Implements `Columns` for a sqlx row type whose database decodes `String`, `i64` and `f64`.
macro_rules! impl_columns {
    ($row:ty) => {
        impl $crate::store::rows::Columns for $row {
            fn text(&self, column: &str) -> String {
                sqlx::Row::get(self, column)
            }
            fn opt_text(&self, column: &str) -> Option<String> {
                sqlx::Row::get(self, column)
            }
            fn int(&self, column: &str) -> i64 {
                sqlx::Row::get(self, column)
            }
            fn real(&self, column: &str) -> f64 {
                sqlx::Row::get(self, column)
            }
        }
    };
}
pub(super) use impl_columns;

pub(super) fn workspace_from(row: &impl Columns) -> Workspace {
    Workspace { id: row.text("id"), name: row.text("name"), created_at: row.text("created_at") }
}

pub(super) fn key_from(row: &impl Columns) -> ApiKeyRecord {
    ApiKeyRecord {
        id: row.text("id"),
        workspace_id: row.text("workspace_id"),
        prefix: row.text("prefix"),
        name: row.opt_text("name"),
        created_at: row.text("created_at"),
        revoked_at: row.opt_text("revoked_at"),
    }
}

pub(super) fn integration_from(row: &impl Columns) -> StoreResult<Integration> {
    Ok(Integration {
        id: row.text("id"),
        workspace_id: row.text("workspace_id"),
        tool: row.text("tool"),
        base_url: row.opt_text("base_url"),
        auth_url: row.opt_text("auth_url"),
        sealed_credentials: row.text("sealed_credentials"),
        organization_name: row.text("organization_name"),
        creator_email: row.opt_text("creator_email"),
        origin_id: row.opt_text("origin_id"),
        permissions: serde_json::from_str(&row.text("permissions"))?,
        created_at: row.text("created_at"),
        last_sync_started_at: row.opt_text("last_sync_started_at"),
        last_sync_finished_at: row.opt_text("last_sync_finished_at"),
        last_sync_error: row.opt_text("last_sync_error"),
        last_sync_error_code: row.opt_text("last_sync_error_code"),
    })
}

pub(super) fn application_from(row: &impl Columns) -> StoredApplication {
    StoredApplication {
        id: row.text("id"),
        remote_id: row.text("remote_id"),
        candidate_id: row.opt_text("candidate_id"),
        candidate_remote_id: row.opt_text("candidate_remote_id"),
        remote_created_at: row.opt_text("remote_created_at"),
        remote_deleted_at: row.opt_text("remote_deleted_at"),
    }
}

pub(super) fn log_from(row: &impl Columns) -> StoreResult<InteractionLog> {
    Ok(InteractionLog {
        id: row.text("id"),
        workspace_id: row.opt_text("workspace_id"),
        integration_id: row.opt_text("integration_id"),
        method: row.text("method"),
        path: row.text("path"),
        status: row.int("status") as u16,
        code: row.opt_text("code"),
        message: row.opt_text("message"),
        warnings: serde_json::from_str(&row.text("warnings"))?,
        upstream: serde_json::from_str(&row.text("upstream"))?,
        duration_ms: row.real("duration_ms"),
        created_at: row.text("created_at"),
        query: row.opt_text("query"),
        key_id: row.opt_text("key_id"),
        key_name: row.opt_text("key_name"),
        key_prefix: row.opt_text("key_prefix"),
        idempotency_key: row.opt_text("idempotency_key"),
        replayed: row.int("replayed") != 0,
        refs: Vec::new(),
    })
}

pub(super) fn listed_from(row: &impl Columns) -> ListedRow {
    ListedRow {
        id: row.text("id"),
        data: row.text("data"),
        changed_at: row.text("changed_at"),
        remote_deleted_at: row.opt_text("remote_deleted_at"),
    }
}

pub(super) fn dashboard_user_from(row: &impl Columns) -> DashboardUser {
    DashboardUser {
        id: row.text("id"),
        email: row.text("email"),
        password_hash: row.text("password_hash"),
        workspace_id: row.opt_text("workspace_id"),
        created_at: row.text("created_at"),
        disabled_at: row.opt_text("disabled_at"),
    }
}

pub(super) fn sync_run_from(row: &impl Columns) -> SyncRun {
    SyncRun {
        id: row.text("id"),
        integration_id: row.text("integration_id"),
        started_at: row.text("started_at"),
        finished_at: row.text("finished_at"),
        duration_ms: row.real("duration_ms"),
        ok: row.int("ok") != 0,
        counts: SyncCounts {
            jobs: row.int("jobs") as u64,
            candidates: row.int("candidates") as u64,
            applications: row.int("applications") as u64,
            changed: row.int("changed") as u64,
            deleted: row.int("deleted") as u64,
        },
        error_code: row.opt_text("error_code"),
        error: row.opt_text("error"),
    }
}
