//! The interaction log as the dashboard reads it: pages with filters, the exact lookup, one
//! entry, and retention (the periodic prune `serve` runs).

use std::{sync::Arc, time::Duration};

use crate::{
    app::App,
    error::Result,
    ids,
    store::{InteractionLog, LogFilter},
};

use super::accounts::Viewer;

pub const PAGE_SIZE: u32 = 50;
/// Entries deleted per prune transaction.
const PRUNE_BATCH: u32 = 5_000;
/// How often `serve` prunes.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// One page and the cursor of the next, if there is more.
pub struct LogPage {
    pub entries: Vec<InteractionLog>,
    pub next: Option<(String, String)>,
}

/// A page of the log as `viewer` may see it: a member's filter is always pinned to their
/// workspace, whatever was asked.
pub async fn page(app: &App, viewer: &Viewer, mut filter: LogFilter) -> Result<LogPage> {
    if !viewer.is_operator() {
        filter.workspace_id = viewer.user.workspace_id.clone();
    }
    filter.limit = if filter.limit == 0 { PAGE_SIZE } else { filter.limit.min(200) };
    let limit = filter.limit as usize;
    filter.limit += 1;
    let mut entries = app.store.search_logs(&filter).await?;
    let next = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| (e.created_at.clone(), e.id.clone()))
    } else {
        None
    };
    Ok(LogPage { entries, next })
}

/// Everything `reference` names that `viewer` may see: the log entry with that id, and the
/// entries that touched it as an application or candidate id (ours or the ATS's) or as an
/// `Idempotency-Key`.
pub async fn lookup(
    app: &App,
    viewer: &Viewer,
    workspace_id: Option<&str>,
    reference: &str,
) -> Result<Vec<InteractionLog>> {
    let reference = reference.trim();
    let mut found = Vec::new();
    if let Some(log) = entry(app, viewer, reference).await? {
        if workspace_id.is_none() || log.workspace_id.as_deref() == workspace_id {
            found.push(log);
        }
    }
    let scope = if viewer.is_operator() { workspace_id } else { viewer.user.workspace_id.as_deref() };
    for log in app.store.find_logs_by_ref(scope, reference, PAGE_SIZE).await? {
        if !found.iter().any(|f| f.id == log.id) {
            found.push(log);
        }
    }
    Ok(found)
}

/// One entry, if it exists and `viewer` may see it (otherwise `None`, the same for both).
pub async fn entry(app: &App, viewer: &Viewer, id: &str) -> Result<Option<InteractionLog>> {
    Ok(app.store.get_log(id).await?.filter(|log| viewer.can_see(log.workspace_id.as_deref())))
}

/// The oldest entry kept for the workspace (`None`: all), for "the log goes back to …".
pub async fn oldest(app: &App, workspace_id: Option<&str>) -> Result<Option<String>> {
    Ok(app.store.oldest_log_at(workspace_id).await?)
}

/// Deletes entries older than `log_retention_days`; returns how many went.
pub async fn prune(app: &App) -> Result<u64> {
    let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(app.config.log_retention_days));
    let cutoff = ids::format_ts(cutoff);
    let mut total = 0;
    loop {
        let deleted = app.store.prune_logs(&cutoff, PRUNE_BATCH).await?;
        total += deleted;
        if deleted < u64::from(PRUNE_BATCH) {
            return Ok(total);
        }
    }
}

/// Prunes now and then every `every`, until the process ends.
pub fn spawn_retention(app: Arc<App>, every: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            match prune(&app).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, days = app.config.log_retention_days, "pruned interaction log"),
                Err(err) => tracing::error!(error = %err, "pruning the interaction log failed"),
            }
        }
    });
}
