//! API-key authentication, API versioning and rate limiting: the guard in
//! front of every `/v1` route.
//!
//! Teamtailor keys travel as `Authorization: Token token=<key>`; every call
//! names a dated API version in `X-Api-Version` (echoed in the answer). The
//! guard counts the call against the key's window and adds
//! `X-Rate-Limit-Limit`, `-Remaining` and `-Reset` (seconds until the window
//! resets) to whatever the handler answers.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;

use super::jsonapi;
use super::Teamtailor;
use crate::common::edge::set_retry_after;
use crate::common::ratelimit::RateDecision;

/// A company API key: Admin scope, read/write or read only.
pub struct ApiKey {
    pub key: String,
    pub can_write: bool,
}

impl ApiKey {
    pub fn generate(can_write: bool) -> Self {
        let bytes: [u8; 20] = rand::thread_rng().gen();
        Self { key: hex::encode(bytes), can_write }
    }
}

/// Who the request speaks for; put in the request extensions.
#[derive(Clone, Copy, Debug)]
pub struct Principal {
    pub can_write: bool,
}

/// `Token token=<key>`, the key optionally quoted.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let rest = value.strip_prefix("Token")?.trim_start();
    let key = rest.strip_prefix("token=")?.trim();
    Some(key.trim_matches('"'))
}

/// A dated version such as `20240404`.
fn valid_version(headers: &HeaderMap) -> Option<HeaderValue> {
    let value = headers.get("x-api-version")?;
    let text = value.to_str().ok()?.trim();
    (text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit())).then(|| value.clone())
}

pub async fn guard(State(tt): State<Arc<Teamtailor>>, mut request: Request, next: Next) -> Response {
    let Some(client) = presented_key(request.headers()).and_then(|k| tt.keys.iter().find(|c| c.key == k)) else {
        return jsonapi::error(StatusCode::UNAUTHORIZED, "Unauthorized", "Invalid or missing API key", None);
    };
    let Some(version) = valid_version(request.headers()) else {
        return jsonapi::error(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable",
            "A valid X-Api-Version header (a date such as 20240404) is required",
            None,
        );
    };
    let decision = tt.limiter.check(&client.key);
    if !decision.allowed {
        let mut response =
            jsonapi::error(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", "Rate limit exceeded", None);
        set_rate_headers(&mut response, &decision);
        set_retry_after(&mut response, decision.retry_after_secs);
        return response;
    }
    request.extensions_mut().insert(Principal { can_write: client.can_write });
    let mut response = next.run(request).await;
    set_rate_headers(&mut response, &decision);
    response.headers_mut().insert("x-api-version", version);
    response
}

fn set_rate_headers(response: &mut Response, decision: &RateDecision) {
    let headers = response.headers_mut();
    headers.insert("x-rate-limit-limit", HeaderValue::from(decision.limit));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(decision.remaining));
    headers.insert("x-rate-limit-reset", HeaderValue::from(decision.retry_after_secs));
}
