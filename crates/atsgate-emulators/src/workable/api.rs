//! Workable's SPI v3 routes: the token guard with the `X-Rate-Limit-*`
//! headers, the lists (`limit` + `since_id`, `paging.next`), comments with
//! an attachment, the candidate's files and their presigned previews.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::store::{hex_id, iso, parse_id, File};
use super::Workable;
use crate::common::edge::set_retry_after;
use crate::common::http::{self, unix_now};
use crate::common::ratelimit::RateDecision;

/// Workable's help centre: "The size limit for an individual file is 20MB".
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 100;
/// Preview links last about 16 h 40 min (60 000 s).
const PREVIEW_TTL_SECS: u64 = 60_000;

#[derive(Clone)]
pub struct Principal {
    pub can_write: bool,
}

pub fn error(status: StatusCode, message: &str) -> Response {
    http::json(status, &json!({ "error": message }))
}

fn validation(field: &str, problem: &str) -> Response {
    http::json(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({ "error": "Validation failed", "validation_errors": { field: [problem] } }),
    )
}

pub fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found")
}

fn set_rate_headers(response: &mut Response, decision: &RateDecision) {
    let headers = response.headers_mut();
    headers.insert("x-rate-limit-limit", HeaderValue::from(decision.limit));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(decision.remaining));
    headers.insert("x-rate-limit-reset", HeaderValue::from(decision.reset_unix));
}

/// The answer of an injected fault (see `common::faults`).
pub fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let mut response = error(status, status.canonical_reason().unwrap_or("Error"));
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
        response.headers_mut().insert("x-rate-limit-reset", HeaderValue::from(unix_now() + secs));
    }
    response
}

/// `Authorization: Bearer <token>`, then the per-token window; every answer
/// carries `X-Rate-Limit-{Limit,Remaining,Reset}`.
pub async fn guard(State(wk): State<Arc<Workable>>, mut request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let Some((token, can_write)) = token.and_then(|t| wk.tokens.iter().find(|(k, _)| *k == t).cloned()) else {
        return error(StatusCode::UNAUTHORIZED, "Not authorized");
    };
    let decision = wk.limiter.check(&token);
    if !decision.allowed {
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded");
        set_rate_headers(&mut response, &decision);
        return response;
    }
    request.extensions_mut().insert(Principal { can_write });
    let mut response = next.run(request).await;
    set_rate_headers(&mut response, &decision);
    response
}

struct ListQuery {
    limit: usize,
    since: u64,
    pairs: Vec<(String, String)>,
}

impl ListQuery {
    fn one(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// An ISO 8601 filter; the error is the 400 message.
    fn time(&self, key: &str) -> Result<Option<i64>, String> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| Some(t.timestamp_millis()))
                .map_err(|_| format!("{key} must be an ISO 8601 timestamp")),
        }
    }

    /// `paging.next`: the same query from the id of the first unseen row.
    fn next_url(&self, base: &str, path: &str, from: u64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("limit", &self.limit.to_string());
        for (k, v) in self.pairs.iter().filter(|(k, _)| k != "limit" && k != "since_id") {
            query.append_pair(k, v);
        }
        query.append_pair("since_id", &hex_id(from));
        format!("{base}{path}?{}", query.finish())
    }
}

/// Reads `limit` and `since_id`; the error is the 400 message.
fn parse_list(query: Option<&str>) -> Result<ListQuery, String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut list = ListQuery { limit: DEFAULT_LIMIT, since: 0, pairs };
    if let Some(limit) = list.one("limit") {
        list.limit = limit
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| "limit must be an integer between 1 and 100".to_owned())?;
    }
    if let Some(since) = list.one("since_id") {
        list.since = parse_id(since).ok_or_else(|| "since_id is not a valid id".to_owned())?;
    }
    Ok(list)
}

/// Up to `limit` rows, plus the `paging.next` URL when one more exists.
fn paged(list: &ListQuery, mut rows: Vec<(u64, Value)>, base: &str, path: &str, key: &str) -> Response {
    let next = (rows.len() > list.limit).then(|| rows[list.limit].0);
    rows.truncate(list.limit);
    let mut body = json!({ key: rows.into_iter().map(|(_, v)| v).collect::<Vec<_>>() });
    if let Some(from) = next {
        body["paging"] = json!({ "next": list.next_url(base, path, from) });
    }
    http::json(StatusCode::OK, &body)
}

pub async fn members(State(wk): State<Arc<Workable>>) -> Response {
    let store = wk.read();
    let members: Vec<Value> = store
        .members
        .iter()
        .map(|m| json!({"id": m.id, "name": m.name, "headline": "Hiring team", "email": m.email, "role": "admin"}))
        .collect();
    http::json(StatusCode::OK, &json!({ "members": members }))
}

pub async fn jobs(State(wk): State<Arc<Workable>>, RawQuery(query): RawQuery) -> Response {
    let list = match parse_list(query.as_deref()) {
        Ok(list) => list,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let state = list.one("state").map(str::to_owned);
    let store = wk.read();
    let rows = store
        .jobs
        .range(list.since..)
        .filter(|(_, j)| state.as_deref().is_none_or(|s| s == j.state))
        .take(list.limit + 1)
        .map(|(key, j)| {
            let body = json!({
                "id": j.id, "title": j.title, "full_title": j.title, "shortcode": j.shortcode, "state": j.state,
                "department": "Engineering", "created_at": iso(j.created_at),
                "url": format!("https://apply.workable.com/acme/j/{}/", j.shortcode),
            });
            (*key, body)
        })
        .collect();
    paged(&list, rows, &wk.base_url, "/spi/v3/jobs", "jobs")
}

pub async fn candidates(State(wk): State<Arc<Workable>>, RawQuery(query): RawQuery) -> Response {
    let list = match parse_list(query.as_deref()) {
        Ok(list) => list,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let (created_after, updated_after) = match (list.time("created_after"), list.time("updated_after")) {
        (Ok(c), Ok(u)) => (c, u),
        (Err(message), _) | (_, Err(message)) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let store = wk.read();
    let shortcode = list.one("shortcode");
    let stage = list.one("stage");
    let email = list.one("email");
    let rows = store
        .candidates
        .range(list.since..)
        .filter(|(_, c)| {
            created_after.is_none_or(|t| c.created_at >= t)
                && updated_after.is_none_or(|t| c.updated_at >= t)
                && stage.is_none_or(|s| s.eq_ignore_ascii_case(c.stage))
                && email.is_none_or(|e| e.eq_ignore_ascii_case(&c.email))
                && shortcode.is_none_or(|s| store.jobs.get(&c.job).is_some_and(|j| j.shortcode == s))
        })
        .take(list.limit + 1)
        .map(|(key, c)| (*key, store.candidate_json(*key, c, &wk.base_url)))
        .collect();
    paged(&list, rows, &wk.base_url, "/spi/v3/candidates", "candidates")
}

pub async fn candidate(State(wk): State<Arc<Workable>>, Path(id): Path<String>) -> Response {
    let store = wk.read();
    match store.candidate_key(&id).and_then(|key| Some((key, store.candidates.get(&key)?))) {
        Some((key, c)) => {
            http::json(StatusCode::OK, &json!({ "candidate": store.candidate_json(key, c, &wk.base_url) }))
        }
        None => not_found(),
    }
}

#[derive(Deserialize)]
struct CommentBody {
    member_id: Option<String>,
    comment: Option<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    body: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    policy: Vec<String>,
    attachment: Option<Attachment>,
}

#[derive(Deserialize)]
struct Attachment {
    name: Option<String>,
    data: Option<String>,
}

/// `POST /spi/v3/candidates/{id}/comments`: a comment by `member_id`, with
/// at most one base64 `attachment {name, data}`.
pub async fn comment(
    State(wk): State<Arc<Workable>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !principal.can_write {
        return error(StatusCode::FORBIDDEN, "Forbidden: the token lacks the w_candidates scope");
    }
    let Some(candidate) = wk.read().candidate_key(&id) else {
        return not_found();
    };
    let Ok(parsed) = serde_json::from_slice::<CommentBody>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Request body is not valid JSON");
    };
    let Some(member_id) = parsed.member_id.filter(|m| !m.is_empty()) else {
        return validation("member_id", "can't be blank");
    };
    if wk.read().member(&member_id).is_none() {
        return validation("member_id", "is not a member of this account");
    }
    let Some(comment) = parsed.comment else {
        return validation("comment", "can't be blank");
    };
    if comment.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
        return validation("comment.body", "can't be blank");
    }
    let file = match comment.attachment {
        None => None,
        Some(attachment) => {
            let Some(name) = attachment.name.filter(|n| !n.trim().is_empty()) else {
                return validation("comment.attachment.name", "can't be blank");
            };
            let decoded = attachment.data.as_deref().and_then(|d| base64_simd::STANDARD.decode_to_vec(d).ok());
            let Some(bytes) = decoded.filter(|b| !b.is_empty()) else {
                return validation("comment.attachment.data", "must be base64-encoded file contents");
            };
            if bytes.len() > MAX_FILE_BYTES {
                return validation("comment.attachment", "file size exceeds 20MB");
            }
            let sha256 = hex::encode(Sha256::digest(&bytes));
            Some(File { comment_id: String::new(), candidate, name, member_id, sha256, bytes: Bytes::from(bytes) })
        }
    };
    let mut store = wk.write();
    if !store.candidates.contains_key(&candidate) {
        return not_found();
    }
    let comment_id = store.add_comment(file);
    http::json(StatusCode::CREATED, &json!({ "id": comment_id }))
}

/// `GET /spi/v3/candidates/{id}/files`: comment attachments, with presigned
/// `preview_url`s.
pub async fn files(State(wk): State<Arc<Workable>>, Path(id): Path<String>) -> Response {
    let store = wk.read();
    let Some(candidate) = store.candidate_key(&id) else {
        return not_found();
    };
    let expires = unix_now() + PREVIEW_TTL_SECS;
    let files: Vec<Value> = store
        .files
        .iter()
        .filter(|(_, f)| f.candidate == candidate)
        .map(|(key, f)| {
            let url =
                format!("{}/_storage/{key}?expires={expires}&sig={}", wk.base_url, sign(&wk.secret, *key, expires));
            json!({ "name": f.name, "preview_url": url, "source": "comment" })
        })
        .collect();
    http::json(StatusCode::OK, &json!({ "files": files }))
}

fn sign(secret: &[u8], key: u64, expires: u64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    hasher.update(format!(":{key}:{expires}").as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

fn storage_error(status: StatusCode, code: &str) -> Response {
    let mut response = Response::new(Body::from(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code></Error>"
    )));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}

/// `GET /_storage/{key}?expires=&sig=`: the presigned preview (no auth).
pub async fn storage(
    State(wk): State<Arc<Workable>>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
    _headers: HeaderMap,
) -> Response {
    let (mut expires, mut sig) = (None, None);
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "expires" => expires = v.parse::<u64>().ok(),
            "sig" => sig = Some(v.into_owned()),
            _ => {}
        }
    }
    let (Ok(key), Some(expires), Some(sig)) = (key.parse::<u64>(), expires, sig) else {
        return storage_error(StatusCode::FORBIDDEN, "AccessDenied");
    };
    if sign(&wk.secret, key, expires) != sig || expires < unix_now() {
        return storage_error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch");
    }
    let store = wk.read();
    let Some(file) = store.files.get(&key) else {
        return storage_error(StatusCode::NOT_FOUND, "NoSuchKey");
    };
    let mut response = Response::new(Body::from(file.bytes.clone()));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    response
}
