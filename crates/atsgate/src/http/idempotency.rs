//! `Idempotency-Key` on the action POSTs: the first request with a key runs and its response is
//! stored (per workspace, for `idempotency_ttl_secs`); the same key with the same request gets
//! that response replayed (`Idempotent-Replayed: true`) without touching the ATS; with another
//! request, 400. Requests with a key that is still running wait for its response.
//!
//! A claim belongs to one process instance and carries a lease that the owner renews while it
//! works, so a claim left by a dead process is taken over as soon as the lease runs out, not
//! after a fixed window. Responses that invite a retry (429, 5xx) are not kept, so a retry
//! really retries; but if an upload attempt had begun, the claim keeps that attempt's evidence
//! and the retry checks the ATS before uploading again (see `actions::verification`).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use axum::{
    body::{to_bytes, Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use futures::FutureExt;
use sha2::{Digest, Sha256};

use crate::{
    actions::verification::{Baseline, UploadJournal},
    app::App,
    error::{Error, Result},
    ids::format_ts,
    store::{IdempotencyClaim, IdempotencyOwner},
};

const HEADER: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 255;
/// First and longest pause between looks at a key another request is still running.
const POLL_MIN: Duration = Duration::from_millis(25);
const POLL_MAX: Duration = Duration::from_millis(250);

/// The key from the headers, if the caller sent one.
pub fn key(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(value) = headers.get(HEADER) else { return Ok(None) };
    let key = value.to_str().map_err(|_| Error::input("Idempotency-Key must be printable ASCII"))?.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(Error::input(format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} characters")));
    }
    Ok(Some(key.to_string()))
}

fn request_hash(path: &str, integration_id: &str, body: &Bytes) -> String {
    let mut hasher = Sha256::new();
    for part in [path.as_bytes(), integration_id.as_bytes()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.update(body);
    hex::encode(hasher.finalize())
}

fn stored_response(status: u16, body: String, replayed: bool) -> Response {
    let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// A claimed key, as the action sees it: where its upload records its baseline.
pub struct KeyJournal {
    app: Arc<App>,
    workspace_id: String,
    key: String,
    prior: Option<Baseline>,
}

impl KeyJournal {
    fn owner(&self) -> IdempotencyOwner<'_> {
        IdempotencyOwner { workspace_id: &self.workspace_id, key: &self.key, owner: &self.app.instance_id }
    }
}

#[async_trait]
impl UploadJournal for KeyJournal {
    fn prior(&self) -> Option<Baseline> {
        self.prior.clone()
    }

    async fn record(&self, baseline: &Baseline) -> Result<()> {
        let evidence = serde_json::to_string(baseline).map_err(Error::internal)?;
        Ok(self.app.store.idempotency_record_evidence(&self.owner(), &evidence).await?)
    }
}

/// Runs `action` at most once per (workspace, key).
pub async fn once<F, Fut>(
    app: &Arc<App>,
    workspace_id: &str,
    key: &str,
    path: &str,
    integration_id: &str,
    body: &Bytes,
    action: F,
) -> Result<Response>
where
    F: FnOnce(KeyJournal) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let hash = request_hash(path, integration_id, body);
    let owner = IdempotencyOwner { workspace_id, key, owner: &app.instance_id };
    let lease = Duration::from_secs(app.config.idempotency_lease_secs.max(1));
    // A live owner finishes within its deadlines; a dead one loses its lease. This cap only
    // guards against an owner that keeps renewing but never ends.
    let deadline = Instant::now() + Duration::from_secs(app.config.upstream_timeout_secs.saturating_mul(3).max(30));
    let mut poll = POLL_MIN;
    loop {
        let now = chrono::Utc::now();
        let claim = app
            .store
            .idempotency_claim(
                &owner,
                &hash,
                &format_ts(now),
                &format_ts(now + lease),
                &format_ts(now + chrono::Duration::seconds(app.config.idempotency_ttl_secs as i64)),
            )
            .await?;
        match claim {
            IdempotencyClaim::Claimed { evidence } => {
                let prior = evidence.and_then(|text| serde_json::from_str(&text).ok());
                let journal =
                    KeyJournal { app: app.clone(), workspace_id: workspace_id.into(), key: key.into(), prior };
                return run_and_store(app, &owner, lease, action(journal)).await;
            }
            IdempotencyClaim::Existing { request_hash, .. } if request_hash != hash => {
                return Err(Error::input(
                    "This Idempotency-Key was already used with a different request; use a new key for a new request",
                ));
            }
            IdempotencyClaim::Existing { response: Some((status, body)), .. } => {
                return Ok(stored_response(status, body, true));
            }
            IdempotencyClaim::Existing { response: None, .. } if Instant::now() < deadline => {
                // Still running, on this node or another: look again soon.
                tokio::time::sleep(poll).await;
                poll = (poll * 2).min(POLL_MAX);
            }
            IdempotencyClaim::Existing { response: None, .. } => {
                return Err(Error::ConcurrencyLimited(
                    "A request with this Idempotency-Key is still in progress; retry later".into(),
                ));
            }
        }
    }
}

/// Runs the action while renewing the claim's lease, then stores its response or gives the
/// key up. A panicking action is answered 500 and its claim given up (keeping any evidence).
async fn run_and_store(
    app: &App,
    owner: &IdempotencyOwner<'_>,
    lease: Duration,
    action: impl std::future::Future<Output = Response>,
) -> Result<Response> {
    let heartbeat = {
        let store = app.store.clone();
        let (workspace_id, key, instance) =
            (owner.workspace_id.to_string(), owner.key.to_string(), owner.owner.to_string());
        tokio::spawn(async move {
            let owner = IdempotencyOwner { workspace_id: &workspace_id, key: &key, owner: &instance };
            loop {
                tokio::time::sleep(lease / 3).await;
                let until = chrono::Utc::now() + lease;
                match store.idempotency_renew(&owner, &format_ts(until)).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(key = %key, "lost the lease on an Idempotency-Key while its request ran");
                        return;
                    }
                    Err(err) => tracing::warn!(error = %err, "could not renew an Idempotency-Key lease"),
                }
            }
        })
    };
    let outcome = std::panic::AssertUnwindSafe(action).catch_unwind().await;
    heartbeat.abort();
    let response = match outcome {
        Ok(response) => response,
        Err(_) => {
            app.store.idempotency_release(owner).await?;
            return Err(Error::internal(anyhow::anyhow!("the action panicked")));
        }
    };
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        app.store.idempotency_release(owner).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    // Action responses are small JSON documents.
    let bytes =
        to_bytes(body, 1024 * 1024).await.map_err(|e| Error::internal(anyhow::anyhow!("buffering response: {e}")))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    app.store.idempotency_complete(owner, status.as_u16(), &text).await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}
