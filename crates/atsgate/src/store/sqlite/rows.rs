//! Row mapping and shared query fragments of the SQLite backend.

use sqlx::{sqlite::SqliteRow, QueryBuilder, Row, Sqlite};

use crate::store::*;

pub(super) fn workspace_from(row: &SqliteRow) -> Workspace {
    Workspace { id: row.get("id"), name: row.get("name"), created_at: row.get("created_at") }
}

pub(super) fn key_from(row: &SqliteRow) -> ApiKeyRecord {
    ApiKeyRecord {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        prefix: row.get("prefix"),
        name: row.get("name"),
        created_at: row.get("created_at"),
        revoked_at: row.get("revoked_at"),
    }
}

pub(super) fn integration_from(row: &SqliteRow) -> StoreResult<Integration> {
    let permissions: String = row.get("permissions");
    Ok(Integration {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        tool: row.get("tool"),
        base_url: row.get("base_url"),
        auth_url: row.get("auth_url"),
        sealed_credentials: row.get("sealed_credentials"),
        organization_name: row.get("organization_name"),
        creator_email: row.get("creator_email"),
        origin_id: row.get("origin_id"),
        permissions: serde_json::from_str(&permissions)?,
        created_at: row.get("created_at"),
        last_sync_started_at: row.get("last_sync_started_at"),
        last_sync_finished_at: row.get("last_sync_finished_at"),
        last_sync_error: row.get("last_sync_error"),
        last_sync_error_code: row.get("last_sync_error_code"),
    })
}

pub(super) fn application_from(row: &SqliteRow) -> StoredApplication {
    StoredApplication {
        id: row.get("id"),
        remote_id: row.get("remote_id"),
        candidate_id: row.get("candidate_id"),
        candidate_remote_id: row.get("candidate_remote_id"),
        remote_created_at: row.get("remote_created_at"),
        remote_deleted_at: row.get("remote_deleted_at"),
    }
}

pub(super) fn log_from(row: &SqliteRow) -> StoreResult<InteractionLog> {
    let warnings: String = row.get("warnings");
    let upstream: String = row.get("upstream");
    let status: i64 = row.get("status");
    Ok(InteractionLog {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        integration_id: row.get("integration_id"),
        method: row.get("method"),
        path: row.get("path"),
        status: status as u16,
        code: row.get("code"),
        message: row.get("message"),
        warnings: serde_json::from_str(&warnings)?,
        upstream: serde_json::from_str(&upstream)?,
        duration_ms: row.get("duration_ms"),
        created_at: row.get("created_at"),
    })
}

pub(super) fn push_in_list<'a>(qb: &mut QueryBuilder<'a, Sqlite>, column: &str, values: &'a [String]) {
    qb.push(format!(" AND {column} IN ("));
    let mut separated = qb.separated(", ");
    for value in values {
        separated.push_bind(value);
    }
    separated.push_unseparated(")");
}

/// The filters both list endpoints share; `t` is the table alias.
pub(super) fn push_common_filters<'a>(qb: &mut QueryBuilder<'a, Sqlite>, query: &'a ListQuery) {
    if let Some(after) = &query.after_id {
        qb.push(" AND t.id > ").push_bind(after);
    }
    if !query.include_deleted {
        qb.push(" AND t.remote_deleted_at IS NULL");
    }
    if let Some(updated_after) = &query.updated_after {
        qb.push(" AND t.changed_at >= ").push_bind(updated_after);
    }
    if let Some(created_after) = &query.remote_created_after {
        qb.push(" AND t.remote_created_at >= ").push_bind(created_after);
    }
    if !query.ids.is_empty() {
        push_in_list(qb, "t.id", &query.ids);
    }
    if !query.remote_ids.is_empty() {
        push_in_list(qb, "t.remote_id", &query.remote_ids);
    }
}

/// One multi-row INSERT of log entries with their JSON-encoded warnings and upstream calls.
pub(super) fn insert_logs_query<'a>(rows: &'a [(&'a InteractionLog, String, String)]) -> QueryBuilder<'a, Sqlite> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "INSERT OR IGNORE INTO interaction_logs (id, workspace_id, integration_id, method, path, status, code,
           message, warnings, upstream, duration_ms, created_at) ",
    );
    qb.push_values(rows, |mut b, (log, warnings, upstream)| {
        b.push_bind(&log.id)
            .push_bind(&log.workspace_id)
            .push_bind(&log.integration_id)
            .push_bind(&log.method)
            .push_bind(&log.path)
            .push_bind(log.status as i64)
            .push_bind(&log.code)
            .push_bind(&log.message)
            .push_bind(warnings)
            .push_bind(upstream)
            .push_bind(log.duration_ms)
            .push_bind(&log.created_at);
    });
    qb
}

pub(super) fn listed_from(row: &SqliteRow) -> ListedRow {
    ListedRow {
        id: row.get("id"),
        data: row.get("data"),
        changed_at: row.get("changed_at"),
        remote_deleted_at: row.get("remote_deleted_at"),
    }
}
