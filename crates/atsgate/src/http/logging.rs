//! Records every `/v1` call in the interaction log: who, what, outcome, warnings, duration and
//! each upstream call — never bodies, headers or query strings (which may carry emails).

use std::time::Instant;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use super::extract::AppState;
use crate::{ids, interaction, store::InteractionLog};

pub async fn record(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if !path.starts_with("/v1/") || path == "/v1/openapi.json" {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let started = Instant::now();
    let ctx = interaction::CallContext::new(&app.public_url);
    let mut response = interaction::scope(ctx.clone(), next.run(request)).await;
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
}
