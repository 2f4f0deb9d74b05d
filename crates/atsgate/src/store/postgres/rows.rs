//! Query fragments of the PostgreSQL backend, and its row type's column access.

use sqlx::{Postgres, QueryBuilder};

use crate::store::*;

crate::store::rows::impl_columns!(sqlx::postgres::PgRow);

/// Sorts rows by id and keeps the last of any duplicates: PostgreSQL refuses to upsert one row
/// twice in a statement, where SQLite lets the later VALUES row win.
pub(super) fn sort_dedup<T>(rows: &mut Vec<T>, id: impl Fn(&T) -> &str) {
    rows.sort_by(|a, b| id(a).cmp(id(b)));
    rows.dedup_by(|later, earlier| {
        if id(later) == id(earlier) {
            std::mem::swap(later, earlier);
            true
        } else {
            false
        }
    });
}

pub(super) fn push_in_list<'a>(qb: &mut QueryBuilder<'a, Postgres>, column: &str, values: &'a [String]) {
    qb.push(format!(" AND {column} IN ("));
    let mut separated = qb.separated(", ");
    for value in values {
        separated.push_bind(value);
    }
    separated.push_unseparated(")");
}

/// The filters both list endpoints share; `t` is the table alias.
pub(super) fn push_common_filters<'a>(qb: &mut QueryBuilder<'a, Postgres>, query: &'a ListQuery) {
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
