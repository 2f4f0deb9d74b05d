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
