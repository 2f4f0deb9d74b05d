//! `X-SmartToken` authentication, the rate and concurrency limits, and the
//! vendor's error shape.
//!
//! https://developers.smartrecruiters.com/docs/rate-limiting documents a
//! request rate per credential (10 req/s; here `rate_limit_per_window` per
//! window, so tests are not throttled by default) and a limit on requests in
//! flight: 8 per credential, and 1 for `GET /candidates`. Every answer carries
//! `X-RateLimit-Limit`/`-Remaining` and `X-RateLimit-Concurrent-Limit`/
//! `-Remaining`; going over either limit is a 429. No `Retry-After` is sent
//! on those 429s because none is documented.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::SmartRecruiters;
use crate::common::edge::set_retry_after;
use crate::common::http;

/// Requests in flight allowed per credential.
pub const CONCURRENT_LIMIT: u32 = 8;
/// Requests in flight allowed per credential on `GET /candidates`.
pub const CANDIDATE_LIST_CONCURRENT_LIMIT: u32 = 1;

/// An API key and what it may do.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub key: String,
    pub can_upload: bool,
    /// The user who created the key; the API acts as them.
    pub user_id: String,
}

/// `{"message", "errors":[{"code","message"}]}` (`ErrorResponse`).
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    http::json(status, &json!({ "message": message, "errors": [{ "code": code, "message": message }] }))
}

/// The answer of an injected fault.
pub fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let text = status.canonical_reason().unwrap_or("Error");
    let code = text.to_ascii_uppercase().replace(' ', "_");
    let mut response = error(status, &code, text);
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
    }
    response
}

/// In-flight counters per credential: (all requests, `GET /candidates`).
#[derive(Default)]
pub struct InFlight {
    counts: Mutex<HashMap<String, (u32, u32)>>,
}

/// A request in flight; frees its place when dropped (the answer is done).
pub struct Slot {
    owner: Arc<InFlight>,
    key: String,
    candidate_list: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.owner.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((all, list)) = counts.get_mut(&self.key) {
            *all = all.saturating_sub(1);
            if self.candidate_list {
                *list = list.saturating_sub(1);
            }
        }
    }
}

impl InFlight {
    /// Takes a place, answering `(slot, limit, remaining)`, or `(limit, 0)` when none is free.
    pub fn acquire(self: &Arc<Self>, key: &str, candidate_list: bool) -> Result<(Slot, u32, u32), (u32, u32)> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let (all, list) = counts.entry(key.to_owned()).or_default();
        let (limit, used) =
            if candidate_list { (CANDIDATE_LIST_CONCURRENT_LIMIT, *list) } else { (CONCURRENT_LIMIT, *all) };
        if used >= limit || *all >= CONCURRENT_LIMIT {
            return Err((limit, 0));
        }
        *all += 1;
        if candidate_list {
            *list += 1;
        }
        let remaining = limit - if candidate_list { *list } else { *all };
        Ok((Slot { owner: self.clone(), key: key.to_owned(), candidate_list }, limit, remaining))
    }
}

/// Who is calling; put in the request extensions.
#[derive(Clone, Debug)]
pub struct Caller {
    pub can_upload: bool,
    pub user_id: String,
}

/// Authenticates, rate-limits and limits concurrency of every API request.
pub async fn guard(State(sr): State<Arc<SmartRecruiters>>, mut request: Request, next: Next) -> Response {
    let token = request.headers().get("x-smarttoken").and_then(|v| v.to_str().ok()).map(str::trim);
    let Some(key) = token.and_then(|t| sr.keys.iter().find(|k| k.key == t)).cloned() else {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Missing or invalid X-SmartToken");
    };
    let decision = sr.limiter.check(&key.key);
    let candidate_list = request.method() == Method::GET && request.uri().path() == "/candidates";
    let mut response = if !decision.allowed {
        error(StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS", "API rate limit exceeded")
    } else {
        match sr.in_flight.acquire(&key.key, candidate_list) {
            Ok((slot, limit, remaining)) => {
                request.extensions_mut().insert(Caller { can_upload: key.can_upload, user_id: key.user_id.clone() });
                let mut response = next.run(request).await;
                drop(slot);
                set_concurrency(&mut response, limit, remaining);
                response
            }
            Err((limit, remaining)) => {
                let mut response =
                    error(StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS", "API concurrency limit exceeded");
                set_concurrency(&mut response, limit, remaining);
                response
            }
        }
    };
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(decision.remaining));
    response
}

fn set_concurrency(response: &mut Response, limit: u32, remaining: u32) {
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-concurrent-limit", HeaderValue::from(limit));
    headers.insert("x-ratelimit-concurrent-remaining", HeaderValue::from(remaining));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_body_has_the_vendor_shape() {
        let response = fault(StatusCode::SERVICE_UNAVAILABLE, Some(3));
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "3");
    }

    #[test]
    fn one_candidate_list_and_eight_requests_in_flight() {
        let in_flight = Arc::new(InFlight::default());
        let list = in_flight.acquire("k", true).unwrap();
        assert_eq!(in_flight.acquire("k", true).err(), Some((CANDIDATE_LIST_CONCURRENT_LIMIT, 0)));
        assert!(in_flight.acquire("other", true).is_ok(), "limits are per credential");
        let others: Vec<_> = (1..CONCURRENT_LIMIT).map(|_| in_flight.acquire("k", false).unwrap()).collect();
        assert_eq!(in_flight.acquire("k", false).err(), Some((CONCURRENT_LIMIT, 0)));
        drop(list);
        drop(others);
        assert!(in_flight.acquire("k", true).is_ok(), "places are freed when requests finish");
    }
}
