//! Small HTTP response helpers used by every emulator.
//!
//! Vendors answer JSON with an explicit charset (Greenhouse sends
//! `application/json;charset=utf-8`), and some clients compare the header
//! verbatim, so every JSON answer goes through [`json`] rather than axum's
//! `Json`, which would send a bare `application/json`.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;

/// The `Content-Type` of every JSON answer.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// Serialises `value` into a response with `status` and the JSON content type.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(status, bytes),
        // Only a non-string map key or a failing custom serialiser can get
        // here; both are emulator bugs, reported like a vendor would.
        Err(err) => {
            tracing::error!(%err, "emulator failed to serialise a response");
            json_bytes(StatusCode::INTERNAL_SERVER_ERROR, br#"{"message":"Internal Server Error"}"#.to_vec())
        }
    }
}

/// Wraps already-serialised JSON bytes.
pub fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}

/// A `{"message": ...}` body, the most common vendor error shape.
pub fn message(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "message": message }))
}

/// Current Unix time in whole seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// One validation problem, named by the offending field or parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub message: String,
    pub field: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { message: message.into(), field: field.into() }
    }
}
