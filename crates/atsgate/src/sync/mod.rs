//! Sync: pulls jobs, candidates and applications from an integration's ATS into the store,
//! giving each remote object its stable id, and marks what disappeared as deleted. Runs on
//! `atsgate sync`, `POST /v1/force-sync` and periodically in `serve`; one sync per integration
//! at a time.

mod documents;
pub use documents::normalize_ts;
pub mod scheduler;

use std::collections::HashMap;

use crate::{
    app::App,
    connectors::{Connector, ConnectorError, Page},
    error::{Error, Result},
    ids,
    store::{Integration, SyncBatch, SyncCounts},
};

/// Pages through one vendor list to the end.
async fn fetch_all<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ConnectorError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, ConnectorError>>,
{
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = fetch(cursor.take()).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}

/// Runs one complete sync of `integration` and records its outcome on the integration.
pub async fn run(app: &App, integration: &Integration) -> Result<SyncCounts> {
    let started = ids::now_ts();
    app.store.record_sync_started(&integration.id, &started).await?;
    let clock = std::time::Instant::now();
    let result = pull(app, integration, &started).await;
    let finished = ids::now_ts();
    record_run(app, integration, &started, &finished, clock.elapsed(), &result).await;
    match &result {
        Ok(counts) => {
            tracing::info!(integration = %integration.id, ?counts, "sync finished");
            app.store.record_sync_finished(&integration.id, &finished, None).await?;
        }
        Err(err) => {
            tracing::warn!(integration = %integration.id, error = %err, "sync failed");
            let code = err.code().as_str();
            app.store.record_sync_finished(&integration.id, &finished, Some((code, &err.to_string()))).await?;
        }
    }
    result
}

/// Adds the run to the integration's sync history (the dashboard shows it); a failure to do
/// so is logged, never the sync's failure.
async fn record_run(
    app: &App,
    integration: &Integration,
    started: &str,
    finished: &str,
    took: std::time::Duration,
    result: &Result<SyncCounts>,
) {
    let run = crate::store::SyncRun {
        id: ids::random_id(),
        integration_id: integration.id.clone(),
        started_at: started.to_string(),
        finished_at: finished.to_string(),
        duration_ms: took.as_secs_f64() * 1000.0,
        ok: result.is_ok(),
        counts: result.as_ref().map(|c| *c).unwrap_or_default(),
        error_code: result.as_ref().err().map(|e| e.code().as_str().to_string()),
        error: result.as_ref().err().map(|e| e.to_string()),
    };
    if let Err(err) = app.store.record_sync_run(&run).await {
        tracing::error!(integration = %integration.id, error = %err.0, "recording the sync run failed");
    }
}

async fn pull(app: &App, integration: &Integration, sync_at: &str) -> Result<SyncCounts> {
    let connector: std::sync::Arc<dyn Connector> = app.connector(integration).await?;
    let jobs = fetch_all(|c| {
        let connector = connector.clone();
        async move { connector.list_jobs(c.as_deref()).await }
    })
    .await
    .map_err(Error::from)?;
    let candidates = fetch_all(|c| {
        let connector = connector.clone();
        async move { connector.list_candidates(c.as_deref()).await }
    })
    .await
    .map_err(Error::from)?;
    let applications = fetch_all(|c| {
        let connector = connector.clone();
        async move { connector.list_applications(c.as_deref()).await }
    })
    .await
    .map_err(Error::from)?;

    let batch = {
        let job_index: HashMap<&str, &crate::connectors::RemoteJob> =
            jobs.iter().map(|j| (j.remote_id.as_str(), j)).collect();
        let builder = documents::Builder::new(&integration.id, &job_index, &candidates, &applications);
        SyncBatch {
            jobs: builder.job_rows(&jobs),
            candidates: builder.candidate_rows()?,
            applications: builder.application_rows()?,
        }
    };
    // The vendor's records are all in the documents now; free them before the write, the peak.
    drop((jobs, candidates, applications));
    let counts = app.store.apply_sync(&integration.id, sync_at, batch).await?;
    app.known_applications.forget(&integration.id);
    Ok(counts)
}
