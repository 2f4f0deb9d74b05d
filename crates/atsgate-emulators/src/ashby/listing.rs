//! `job.list`, `candidate.list`, `application.list` and the `*.info` reads.
//!
//! Facts (https://developers.ashbyhq.com/docs/pagination-and-incremental-sync,
//! ats-apis.md §3.3): the body carries `limit` (capped at 100 by the API),
//! `cursor`, `syncToken` and `createdAfter` (ms epoch); the answer carries
//! `moreDataAvailable` and `nextCursor`, and the last page a `syncToken`
//! that, passed back later, lists only records updated since. The cursor is
//! opaque: URL-safe base64 of the list name and the last sequence served.
//! `application.list` also filters on `jobId` and `status` (exact names
//! UNCERTAIN in the sources).

use std::ops::Bound;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::api::{self, failure, success, Invalid};
use super::model::{now_millis, Millis};
use super::Ashby;
use crate::common::http;

const MAX_LIMIT: u64 = 100;

/// A list request, resolved.
struct ListRequest {
    limit: usize,
    after: Option<u64>,
    updated_since: Option<Millis>,
    created_after: Option<Millis>,
}

fn encode(resource: &str, value: impl std::fmt::Display) -> String {
    URL_SAFE_NO_PAD.encode(format!("{resource}:{value}"))
}

fn decode(resource: &str, token: &str) -> Option<i64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let (r, value) = text.split_once(':')?;
    (r == resource).then(|| value.parse().ok()).flatten()
}

fn parse(resource: &str, body: &Map<String, Value>) -> Result<ListRequest, Invalid> {
    let limit = match body.get("limit") {
        None | Some(Value::Null) => MAX_LIMIT,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => n.min(MAX_LIMIT),
            _ => return Err(Invalid("limit must be a positive integer".into())),
        },
    } as usize;
    let token = |field: &str, name: &str| -> Result<Option<i64>, Invalid> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => decode(&format!("{resource}{name}"), s)
                .map(Some)
                .ok_or_else(|| Invalid(format!("{field} is not valid for {resource}"))),
            Some(_) => Err(Invalid(format!("{field} must be a string"))),
        }
    };
    let after = token("cursor", "")?.map(|v| v as u64);
    let updated_since = token("syncToken", "#sync")?;
    let created_after = match body.get("createdAfter") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| Invalid("createdAfter must be a ms epoch integer".into()))?),
    };
    Ok(ListRequest { limit, after, updated_since, created_after })
}

/// Serves one page of `records` (in sequence order), reading timestamps with `times`.
fn page<'a, T: 'a>(
    resource: &str,
    request: &ListRequest,
    records: impl Iterator<Item = (&'a u64, &'a T)>,
    times: impl Fn(&T) -> (Millis, Millis),
    view: impl Fn(&T) -> Value,
) -> Response {
    let mut results = Vec::with_capacity(request.limit);
    let mut last = None;
    let mut more = false;
    for (seq, record) in records {
        let (created, updated) = times(record);
        if request.created_after.is_some_and(|t| created < t) || request.updated_since.is_some_and(|t| updated <= t) {
            continue;
        }
        if results.len() == request.limit {
            more = true;
            break;
        }
        results.push(view(record));
        last = Some(*seq);
    }
    let mut body = json!({ "success": true, "results": results, "moreDataAvailable": more });
    match (more, last) {
        (true, Some(seq)) => body["nextCursor"] = Value::from(encode(resource, seq)),
        _ => body["syncToken"] = Value::from(encode(&format!("{resource}#sync"), now_millis())),
    }
    http::json(axum::http::StatusCode::OK, &body)
}

fn start(after: Option<u64>) -> (Bound<u64>, Bound<u64>) {
    (after.map_or(Bound::Unbounded, Bound::Excluded), Bound::Unbounded)
}

/// `POST /job.list`.
pub async fn jobs(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    let (body, request) = match api::object(&body).and_then(|b| parse("job.list", &b).map(|r| (b, r))) {
        Ok(ok) => ok,
        Err(invalid) => return invalid.into_response(),
    };
    let status = body.get("status").and_then(Value::as_str).map(str::to_owned);
    let store = ashby.read_store();
    let records =
        store.jobs.range(start(request.after)).filter(|(_, j)| status.as_deref().is_none_or(|s| j.status == s));
    page("job.list", &request, records, |j| (j.created_at, j.updated_at), |j| j.json())
}

/// `POST /candidate.list`.
pub async fn candidates(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    let request = match api::object(&body).and_then(|b| parse("candidate.list", &b)) {
        Ok(ok) => ok,
        Err(invalid) => return invalid.into_response(),
    };
    let store = ashby.read_store();
    let records = store.candidates.range(start(request.after));
    page("candidate.list", &request, records, |c| (c.created_at, c.updated_at), |c| store.candidate_json(c))
}

/// `POST /application.list`.
pub async fn applications(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    let (body, request) = match api::object(&body).and_then(|b| parse("application.list", &b).map(|r| (b, r))) {
        Ok(ok) => ok,
        Err(invalid) => return invalid.into_response(),
    };
    let job_id = body.get("jobId").and_then(Value::as_str).map(str::to_owned);
    let status = body.get("status").and_then(Value::as_str).map(str::to_owned);
    let store = ashby.read_store();
    let records = store.applications.range(start(request.after)).filter(|(_, a)| {
        job_id.as_deref().is_none_or(|j| a.job_id == j) && status.as_deref().is_none_or(|s| a.status == s)
    });
    page("application.list", &request, records, |a| (a.created_at, a.updated_at), |a| store.application_json(a))
}

/// `POST /candidate.info` with `{"id"}`.
pub async fn candidate_info(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    let body = match api::object(&body) {
        Ok(body) => body,
        Err(invalid) => return invalid.into_response(),
    };
    let id = match api::string(&body, "id") {
        Ok(id) => id,
        Err(invalid) => return invalid.into_response(),
    };
    let store = ashby.read_store();
    match store.candidate(id) {
        Some(candidate) => success(store.candidate_json(candidate)),
        None => failure("candidate_not_found", &format!("Candidate {id} was not found")),
    }
}

/// `POST /application.info` with `{"applicationId"}`.
pub async fn application_info(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    let body = match api::object(&body) {
        Ok(body) => body,
        Err(invalid) => return invalid.into_response(),
    };
    let id = match api::string(&body, "applicationId") {
        Ok(id) => id,
        Err(invalid) => return invalid.into_response(),
    };
    let store = ashby.read_store();
    match store.application(id) {
        Some(application) => success(store.application_json(application)),
        None => failure("application_not_found", &format!("Application {id} was not found")),
    }
}
