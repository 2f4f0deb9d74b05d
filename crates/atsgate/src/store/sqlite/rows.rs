//! Query fragments of the SQLite backend, and its row type's column access.

use sqlx::{QueryBuilder, Sqlite};

use crate::store::*;

crate::store::rows::impl_columns!(sqlx::sqlite::SqliteRow);

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
