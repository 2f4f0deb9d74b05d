//! Recruitee-shaped error answers: `{"errors":[{"message","code"}]}` (the
//! shape public clients report, with 422 for validation; the exact codes are
//! UNCERTAIN and chosen here).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::common::edge::set_retry_after;
use crate::common::http;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    http::json(status, &json!({ "errors": [{ "message": message, "code": code }] }))
}

pub fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "unauthorized", "Invalid or missing API token")
}

pub fn forbidden(message: &str) -> Response {
    error(StatusCode::FORBIDDEN, "forbidden", message)
}

pub fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "Not found")
}

pub fn company_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "Company not found")
}

pub fn invalid(field: &str, message: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, &format!("invalid_{field}"), message)
}

pub fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_request", message)
}

pub fn internal() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", "Internal server error")
}

pub fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response = error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "Too many requests");
    set_retry_after(&mut response, retry_after_secs);
    response
}

/// The answer of an injected fault (see `common::faults`).
pub fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let mut response = error(status, &reason.to_lowercase().replace(' ', "_"), reason);
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
    }
    response
}
