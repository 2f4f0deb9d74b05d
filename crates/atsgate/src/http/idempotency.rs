//! `Idempotency-Key` on the action POSTs: the first request with a key runs and its response is
//! stored (per workspace, for `idempotency_ttl_secs`); the same key with the same request gets
//! that response replayed (`Idempotent-Replayed: true`) without touching the ATS; with another
//! request, 400. Concurrent requests with one key wait for the first one's response.
//! Responses that invite a retry (429, 5xx) are not kept, so a retry really retries.

use std::time::{Duration, Instant};

use axum::{
    body::{to_bytes, Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::{
    app::App,
    error::{Error, Result},
    ids::format_ts,
    store::IdempotencyClaim,
};

const HEADER: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 255;
/// A claim whose owner has not answered in this long is considered abandoned (crashed node).
const STALE_AFTER: Duration = Duration::from_secs(600);
const POLL: Duration = Duration::from_millis(25);

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

/// Runs `action` at most once per (workspace, key).
pub async fn once<F, Fut>(
    app: &App,
    workspace_id: &str,
    key: &str,
    path: &str,
    integration_id: &str,
    body: &Bytes,
    action: F,
) -> Result<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let hash = request_hash(path, integration_id, body);
    let deadline = Instant::now() + Duration::from_secs(app.config.upstream_timeout_secs.saturating_mul(3).max(30));
    loop {
        let now = chrono::Utc::now();
        let stale = now - chrono::Duration::from_std(STALE_AFTER).unwrap_or_default();
        let expires = now + chrono::Duration::seconds(app.config.idempotency_ttl_secs as i64);
        let claim = app
            .store
            .idempotency_claim(workspace_id, key, &hash, &format_ts(now), &format_ts(stale), &format_ts(expires))
            .await?;
        match claim {
            IdempotencyClaim::Claimed => return run_and_store(app, workspace_id, key, action).await,
            IdempotencyClaim::Existing { request_hash, .. } if request_hash != hash => {
                return Err(Error::input(
                    "This Idempotency-Key was already used with a different request; use a new key for a new request",
                ));
            }
            IdempotencyClaim::Existing { response: Some((status, body)), .. } => {
                return Ok(stored_response(status, body, true));
            }
            IdempotencyClaim::Existing { response: None, .. } if Instant::now() < deadline => {
                tokio::time::sleep(POLL).await; // the first request is still running
            }
            IdempotencyClaim::Existing { response: None, .. } => {
                return Err(Error::ConcurrencyLimited(
                    "A request with this Idempotency-Key is still in progress; retry later".into(),
                ));
            }
        }
    }
}

async fn run_and_store<F, Fut>(app: &App, workspace_id: &str, key: &str, action: F) -> Result<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let response = action().await;
    let status = response.status();
    let keep = !(status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS);
    if !keep {
        app.store.idempotency_release(workspace_id, key).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    // Action responses are small JSON documents.
    let bytes =
        to_bytes(body, 1024 * 1024).await.map_err(|e| Error::internal(anyhow::anyhow!("buffering response: {e}")))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    app.store.idempotency_complete(workspace_id, key, status.as_u16(), &text).await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}
