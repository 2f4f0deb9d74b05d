//! The outermost middleware of an emulator's vendor API routes.
//!
//! It is the one place that sees every vendor request exactly as it arrived,
//! so it does the two things that must wrap everything else: it records the
//! request in the [`RequestLog`] and it applies the next matching fault rule
//! from the [`FaultSet`]. Faults therefore hit before authentication and
//! rate limiting, like a flaky load balancer in front of the real API would.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::faults::FaultSet;
use super::request_log::RequestLog;
use super::server::{reset_and_hang, ConnectionControl};

/// Builds the vendor-shaped answer of an injected error status, given the
/// status and the optional `Retry-After` seconds.
pub type FaultResponder = fn(StatusCode, Option<u64>) -> Response;

/// Shared state of the edge middleware.
pub struct Edge {
    pub log: Arc<RequestLog>,
    pub faults: Arc<FaultSet>,
    pub fault_response: FaultResponder,
}

impl Edge {
    /// An edge with its own empty request log and fault set. The log and the fault set are
    /// handed back too because every emulator's control routes read and arm the same ones.
    pub fn fresh(fault_response: FaultResponder) -> (Arc<Edge>, Arc<RequestLog>, Arc<FaultSet>) {
        let log = Arc::new(RequestLog::default());
        let faults = Arc::new(FaultSet::default());
        let edge = Arc::new(Edge { log: log.clone(), faults: faults.clone(), fault_response });
        (edge, log, faults)
    }
}

/// `axum::middleware::from_fn_with_state(edge, edge::middleware)`.
pub async fn middleware(State(edge): State<Arc<Edge>>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let entry = edge.log.begin(&method, &path, request.uri().query().unwrap_or(""));
    let action = edge.faults.take(&method, &path);

    if let Some(delay) = action.as_ref().and_then(|a| a.delay) {
        tokio::time::sleep(delay).await;
    }
    if let Some(status) = action.as_ref().and_then(|a| a.status) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let response = (edge.fault_response)(status, action.as_ref().and_then(|a| a.retry_after_s));
        edge.log.finish(entry, response.status().as_u16());
        return response;
    }

    let control = request.extensions().get::<ConnectionControl>().cloned();
    let response = next.run(request).await;
    edge.log.finish(entry, response.status().as_u16());

    if let Some(hold) = action.as_ref().and_then(|a| a.hold_after_store) {
        tokio::time::sleep(hold).await;
    }
    if action.is_some_and(|a| a.reset_after_store) {
        match control {
            // The handler's effect (the stored file) is kept; only the
            // answer is lost, which is the point of this fault.
            Some(control) => reset_and_hang(&control).await,
            None => tracing::warn!("reset_after_store without a resettable connection"),
        }
    }
    response
}

/// Adds `Retry-After: secs` to `response`.
pub fn set_retry_after(response: &mut Response, secs: u64) {
    response.headers_mut().insert("retry-after", HeaderValue::from(secs));
}
