//! Records every `/v1` call in the interaction log: who, what, outcome, warnings, duration and
//! each upstream call, the query string, the calling key's id/name/prefix, the
//! `Idempotency-Key` and whether the answer was a replay — never bodies, keys or other headers.
//!
//! Each call runs in a task of its own that outlives its connection: a client that goes away
//! does not cancel an upload half way, and the call still gets its log entry and its
//! idempotency record. A panic inside is answered as an internal error, logged like any other.

use std::time::Instant;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::FutureExt;

use super::extract::AppState;
use crate::{error::Error, ids, interaction, store::InteractionLog};

/// Longest query string kept in a log entry.
const MAX_QUERY_CHARS: usize = 2048;

pub async fn record(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if !path.starts_with("/v1/") || path == "/v1/openapi.json" {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let query = request.uri().query().map(|q| q.chars().take(MAX_QUERY_CHARS).collect::<String>());
    let idempotency_key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 255)
        .map(str::to_string);
    // The application or candidate id in the path is findable even when the call never
    // reached the action (refused, replayed).
    let path_ref = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["", "v1", "ats", "applications" | "candidates", id, "attachments"] => {
            Some(percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned())
        }
        _ => None,
    };
    let requests = app.requests.clone();
    let task = requests.spawn(async move {
        let started = Instant::now();
        let ctx = interaction::CallContext::new(&app.public_url);
        let run = std::panic::AssertUnwindSafe(interaction::scope(ctx.clone(), next.run(request)));
        let mut response = match run.catch_unwind().await {
            Ok(response) => response,
            Err(_) => {
                interaction::scope(ctx.clone(), async {
                    Error::internal(anyhow::anyhow!("the request handler panicked")).into_response()
                })
                .await
            }
        };
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        let state = ctx.take();
        let status = response.status().as_u16();
        let replayed = response.headers().contains_key("idempotent-replayed");
        let (key_id, key_name, key_prefix) = match state.key {
            Some((id, name, prefix)) => (Some(id), name, Some(prefix)),
            None => (None, None, None),
        };
        let headers = response.headers_mut();
        if let Some(rate) = state.rate {
            headers.insert("ratelimit-limit", rate.limit.into());
            headers.insert("ratelimit-remaining", rate.remaining.into());
            headers.insert("ratelimit-reset", rate.reset_secs.into());
        }
        if let Some((limit, remaining)) = state.concurrency {
            headers.insert("concurrency-limit", limit.into());
            headers.insert("concurrency-remaining", remaining.into());
        }
        tracing::info!(log_id = %ctx.log_id, %method, %path, status, code = state.error_code, duration_ms, "request");
        app.logs
            .record(InteractionLog {
                id: ctx.log_id.clone(),
                workspace_id: state.workspace_id,
                integration_id: state.integration_id,
                method,
                path,
                status,
                code: state.error_code.map(str::to_string),
                message: state.error_message,
                warnings: state.warnings,
                upstream: state.upstream,
                duration_ms,
                created_at: ids::now_ts(),
                query,
                key_id,
                key_name,
                key_prefix,
                idempotency_key,
                replayed,
                refs: path_ref.into_iter().chain(state.refs).collect(),
            })
            .await;
        response
    });
    // The task only ends by returning (a panic inside was caught above).
    task.await.unwrap_or_else(|_| Error::internal(anyhow::anyhow!("the request task was lost")).into_response())
}
