//! Records every `/v1` call in the interaction log: who, what, outcome, warnings, duration and
//! each upstream call — never bodies, headers or query strings (which may carry emails).
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

pub async fn record(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if !path.starts_with("/v1/") || path == "/v1/openapi.json" {
        return next.run(request).await;
    }
    let method = request.method().to_string();
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
            })
            .await;
        response
    });
    // The task only ends by returning (a panic inside was caught above).
    task.await.unwrap_or_else(|_| Error::internal(anyhow::anyhow!("the request task was lost")).into_response())
}
