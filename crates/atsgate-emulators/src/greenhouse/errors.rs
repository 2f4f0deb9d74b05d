//! Greenhouse-shaped error answers.
//!
//! Harvest answers errors as `{"message": ...}`, validation failures as
//! `{"message":"Validation error","errors":[{"message","field"}]}` (documented
//! for v1 and kept by v3), and the OAuth token endpoint with RFC 6749
//! `{"error": ...}` bodies. Keeping them in one file makes the vendor's error
//! vocabulary easy to audit against the docs.

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::common::edge::set_retry_after;
use crate::common::http::{self, FieldError};
use crate::common::ratelimit::RateDecision;

pub fn unauthorized() -> Response {
    let mut response = http::message(StatusCode::UNAUTHORIZED, "Unauthorized");
    response.headers_mut().insert("www-authenticate", HeaderValue::from_static("Bearer"));
    response
}

pub fn missing_scope(scope: &str) -> Response {
    http::message(StatusCode::FORBIDDEN, &format!("Forbidden: missing scope {scope}"))
}

pub fn not_found() -> Response {
    http::message(StatusCode::NOT_FOUND, "Resource not found")
}

pub fn validation(errors: &[FieldError]) -> Response {
    http::json(StatusCode::UNPROCESSABLE_ENTITY, &json!({ "message": "Validation error", "errors": errors }))
}

pub fn bad_request(message: &str) -> Response {
    http::message(StatusCode::BAD_REQUEST, message)
}

/// An OAuth token-endpoint error (RFC 6749 §5.2).
pub fn oauth(status: StatusCode, error: &str, description: Option<&str>) -> Response {
    let body = match description {
        Some(description) => json!({ "error": error, "error_description": description }),
        None => json!({ "error": error }),
    };
    let mut response = http::json(status, &body);
    response.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert("www-authenticate", HeaderValue::from_static("Basic realm=\"greenhouse\""));
    }
    response
}

/// The limiter said no: 429 with the documented headers.
pub fn rate_limited(decision: &RateDecision) -> Response {
    let mut response = http::message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    set_rate_headers(&mut response, decision);
    set_retry_after(&mut response, decision.retry_after_secs);
    response.headers_mut().insert("x-ratelimit-reset", HeaderValue::from(decision.reset_unix));
    response
}

/// `X-RateLimit-Limit` / `X-RateLimit-Remaining`, sent on every /v3 answer.
pub fn set_rate_headers(response: &mut Response, decision: &RateDecision) {
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(decision.remaining));
}

/// The answer of an injected fault (see `common::faults`).
pub fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let text = status.canonical_reason().unwrap_or("Error");
    let mut response = http::message(status, text);
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
        if status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert("x-ratelimit-reset", HeaderValue::from(http::unix_now() + secs));
        }
    }
    response
}
