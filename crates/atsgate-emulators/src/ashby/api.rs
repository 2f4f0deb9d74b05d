//! Ashby's envelope, error vocabulary and the guard in front of every RPC.
//!
//! Facts (https://developers.ashbyhq.com/reference/authentication,
//! https://developers.ashbyhq.com/docs/responses): HTTP Basic with the API key
//! as username and a blank password; a missing key is a 401, a wrong or
//! deactivated key a 403, a key without the endpoint's permission a 403 with
//! `missing_endpoint_permission`. Everything that would be a 4xx elsewhere is
//! HTTP 200 with `{"success":false,"errors":[code],"errorInfo":{code,message,requestId}}`.
//! Rate-limit numbers are not published: the window comes from the emulator
//! options, and a 429 carries the same error body plus `Retry-After`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::Ashby;
use crate::common::edge::set_retry_after;
use crate::common::http;

/// Endpoints covered by the `candidatesWrite` permission that the emulator serves.
const WRITE_ENDPOINTS: &[&str] = &["/file.createFileUploadHandle", "/candidate.uploadFile", "/candidate.uploadResume"];

/// An API key of the emulated organisation.
pub struct ApiKey {
    pub key: String,
    pub candidates_write: bool,
}

/// An opaque, ULID-looking id for `errorInfo.requestId`.
fn request_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    (0..26).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

fn error_body(code: &str, message: &str) -> Value {
    json!({
        "success": false,
        "errors": [code],
        "errorInfo": { "code": code, "message": message, "requestId": request_id() },
    })
}

/// A business error: HTTP 200, `success:false`.
pub fn failure(code: &str, message: &str) -> Response {
    http::json(StatusCode::OK, &error_body(code, message))
}

/// An error that Ashby does send with a non-200 status (auth, rate limit).
pub fn status_error(status: StatusCode, code: &str, message: &str) -> Response {
    http::json(status, &error_body(code, message))
}

pub fn success(results: Value) -> Response {
    http::json(StatusCode::OK, &json!({ "success": true, "results": results }))
}

/// A malformed request: answered as `invalid_input` (HTTP 200, `success:false`).
pub struct Invalid(pub String);

impl IntoResponse for Invalid {
    fn into_response(self) -> Response {
        failure("invalid_input", &self.0)
    }
}

/// The JSON object of an RPC body; an empty body counts as `{}` (a full sync posts `{}`).
pub fn object(body: &Bytes) -> Result<Map<String, Value>, Invalid> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Invalid("Request payload is malformed".into())),
    }
}

/// A required non-empty string field.
pub fn string<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, Invalid> {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(Invalid(format!("{field} must be a non-empty string"))),
        None => Err(Invalid(format!("Missing required parameter: {field}"))),
    }
}

/// Authenticates, rate-limits and checks the endpoint permission of every RPC.
pub async fn guard(State(ashby): State<Arc<Ashby>>, request: Request, next: Next) -> Response {
    let Some(key) = basic_username(request.headers()) else {
        return status_error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "No API key was provided. Send your API key as the HTTP Basic username.",
        );
    };
    let Some(api_key) = ashby.keys.iter().find(|k| k.key == key) else {
        return status_error(
            StatusCode::FORBIDDEN,
            "invalid_api_key",
            "The API key is invalid or has been deactivated.",
        );
    };
    let decision = ashby.limiter.check(&api_key.key);
    if !decision.allowed {
        let mut response =
            status_error(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded", "Rate limit exceeded. Try again later.");
        set_retry_after(&mut response, decision.retry_after_secs);
        return response;
    }
    if WRITE_ENDPOINTS.contains(&request.uri().path()) && !api_key.candidates_write {
        return status_error(
            StatusCode::FORBIDDEN,
            "missing_endpoint_permission",
            "This API key is missing the candidatesWrite permission required by this endpoint.",
        );
    }
    next.run(request).await
}

fn basic_username(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let username = decoded.split_once(':').map_or(decoded.as_str(), |(user, _)| user);
    (!username.is_empty()).then(|| username.to_owned())
}

/// The answer of an injected fault, in Ashby's error shape.
pub fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let code = match status.as_u16() {
        429 => "rate_limit_exceeded",
        400 | 422 => "invalid_input",
        401 => "unauthenticated",
        403 => "missing_endpoint_permission",
        404 => "not_found",
        _ => "internal_error",
    };
    let mut response = status_error(status, code, status.canonical_reason().unwrap_or("Error"));
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
    }
    response
}

pub fn not_found() -> Response {
    status_error(StatusCode::NOT_FOUND, "not_found", "Endpoint not found")
}

pub fn random_hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes).map(|_| format!("{:02x}", rng.gen::<u8>())).collect()
}
