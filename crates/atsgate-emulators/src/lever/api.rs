//! Lever's v1 routes: the auth guard, the lists, the file upload and the
//! file download, with Lever's `{"code","message"}` error bodies.
//!
//! Lists answer `{"data":[…],"hasNext":bool,"next":"<token>"}`; a client
//! sends the same query again with `offset=<token>` for the next page
//! (§Pagination). `limit` is 1–100 (default 100). Our token is
//! `0.<last key>.<check>`: opaque to clients, keyset-stable while records
//! come and go, and rejected with a 400 when forged or taken from another list.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::multipart;
use super::store::{mix, seq_of, uuid, File, Opportunity, Store, KIND_FILE, KIND_STAGE, STAGES};
use super::Lever;
use crate::common::edge::set_retry_after;
use crate::common::http::{self, unix_now};

/// "The request file size is limited to 30MB".
pub const MAX_FILE_BYTES: usize = 30 * 1024 * 1024;
const MAX_LIMIT: usize = 100;

/// What the guard learned about the caller.
#[derive(Clone)]
pub struct Principal {
    pub can_write_files: bool,
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    http::json(status, &json!({ "code": code, "message": message }))
}

/// The answer of an injected fault (see `common::faults`).
pub fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let code = match status.as_u16() {
        429 => "TooManyRequests",
        400 => "BadRequestError",
        503 => "ServiceUnavailable",
        _ => "InternalServerError",
    };
    let mut response = error(status, code, status.canonical_reason().unwrap_or("Error"));
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
    }
    response
}

pub fn not_found(what: &str) -> Response {
    error(StatusCode::NOT_FOUND, "ResourceNotFound", &format!("{what} was not found"))
}

/// HTTP Basic with the API key as username and a blank password, then the
/// per-key rate limit (Lever documents no rate headers, so none are sent).
pub async fn guard(State(lever): State<Arc<Lever>>, mut request: Request, next: Next) -> Response {
    let Some(key) = basic_username(request.headers()) else {
        return error(StatusCode::UNAUTHORIZED, "UnauthorizedError", "Invalid API key");
    };
    let Some(can_write_files) = lever.keys.iter().find(|(k, _)| *k == key).map(|(_, w)| *w) else {
        return error(StatusCode::UNAUTHORIZED, "UnauthorizedError", "Invalid API key");
    };
    if !lever.limiter.check(&key).allowed {
        return error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", "Rate limit exceeded");
    }
    request.extensions_mut().insert(Principal { can_write_files });
    next.run(request).await
}

fn basic_username(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':').unwrap_or((&decoded, ""));
    (password.is_empty() && !user.is_empty()).then(|| user.to_owned())
}

/// A parsed list query.
struct ListQuery {
    limit: usize,
    after: u64,
    pairs: Vec<(String, String)>,
}

impl ListQuery {
    fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A millisecond timestamp filter; the error is the 400 message.
    fn ms(&self, key: &str) -> Result<Option<i64>, String> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| format!("{key} must be a timestamp in milliseconds")),
        }
    }
}

fn check(resource: &str, seq: u64) -> u32 {
    let name = resource.bytes().fold(0u64, |h, b| mix(h ^ u64::from(b)));
    mix(name ^ seq) as u32
}

fn offset_token(resource: &str, last: u64) -> String {
    format!("0.{last}.{:08x}", check(resource, last))
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BadRequestError", message)
}

/// Reads `limit` and `offset`; the error is the 400 message.
fn parse_list(resource: &str, query: Option<&str>) -> Result<ListQuery, String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut list = ListQuery { limit: MAX_LIMIT, after: 0, pairs };
    if let Some(limit) = list.one("limit") {
        list.limit = limit
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| "limit must be an integer between 1 and 100".to_owned())?;
    }
    if let Some(offset) = list.one("offset") {
        let bad = || "Invalid offset token".to_owned();
        let mut fields = offset.split('.');
        let (Some("0"), Some(seq), Some(sum), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad());
        };
        let seq: u64 = seq.parse().map_err(|_| bad())?;
        if format!("{:08x}", check(resource, seq)) != sum {
            return Err(bad());
        }
        list.after = seq;
    }
    Ok(list)
}

/// `{data, hasNext, next}` from up to `limit + 1` rows (the extra one only
/// says whether another page exists).
fn page(resource: &str, list: &ListQuery, mut rows: Vec<(u64, Value)>) -> Response {
    let has_next = rows.len() > list.limit;
    rows.truncate(list.limit);
    let mut body = json!({ "hasNext": has_next });
    if has_next {
        if let Some((last, _)) = rows.last() {
            body["next"] = Value::from(offset_token(resource, *last));
        }
    }
    body["data"] = Value::Array(rows.into_iter().map(|(_, v)| v).collect());
    http::json(StatusCode::OK, &body)
}

pub async fn users(State(lever): State<Arc<Lever>>, RawQuery(query): RawQuery) -> Response {
    let list = match parse_list("users", query.as_deref()) {
        Ok(list) => list,
        Err(message) => return bad_request(&message),
    };
    let store = lever.read();
    let rows = (1u64..)
        .zip(&store.users)
        .filter(|(seq, _)| *seq > list.after)
        .take(list.limit + 1)
        .map(|(seq, u)| {
            (seq, json!({ "id": u.id, "name": u.name, "username": u.email, "email": u.email, "accessRole": "admin" }))
        })
        .collect();
    page("users", &list, rows)
}

pub async fn postings(State(lever): State<Arc<Lever>>, RawQuery(query): RawQuery) -> Response {
    let list = match parse_list("postings", query.as_deref()) {
        Ok(list) => list,
        Err(message) => return bad_request(&message),
    };
    let state = list.one("state").map(str::to_owned);
    let store = lever.read();
    let rows = store
        .postings
        .range(list.after + 1..)
        .filter(|(_, p)| state.as_deref().is_none_or(|s| s == p.state))
        .take(list.limit + 1)
        .map(|(seq, p)| {
            let body = json!({
                "id": p.id, "text": p.text, "state": p.state, "createdAt": p.created_at, "updatedAt": p.updated_at,
                "categories": {"team": "Engineering"}, "tags": [], "confidentiality": "non-confidential",
            });
            (*seq, body)
        })
        .collect();
    page("postings", &list, rows)
}

/// Which optional objects `expand` asked for.
struct Expand {
    applications: bool,
    stage: bool,
    contact: bool,
}

fn opportunity_json(store: &Store, o: &Opportunity, expand: &Expand) -> Value {
    let Some(contact) = store.contacts.get(&o.contact) else {
        return Value::Null;
    };
    let stage_id = uuid(KIND_STAGE, o.stage as u64 + 1, store.seed);
    let posting = store.postings.get(&o.posting).map(|p| p.id.clone());
    let application = if expand.applications {
        json!({
            "id": o.application_id, "opportunityId": o.id, "candidateId": o.id, "createdAt": o.created_at,
            "type": "posting", "posting": posting,
        })
    } else {
        Value::from(o.application_id.clone())
    };
    let contact_value = if expand.contact {
        json!({ "id": contact.id, "name": contact.name, "headline": contact.headline, "isAnonymized": false,
                "emails": contact.emails, "location": null })
    } else {
        Value::from(contact.id.clone())
    };
    json!({
        "id": o.id,
        "name": contact.name,
        "headline": contact.headline,
        "contact": contact_value,
        "emails": contact.emails,
        "phones": contact.phones.iter().map(|(v, t)| json!({"type": t, "value": v})).collect::<Vec<_>>(),
        "confidentiality": "non-confidential",
        "location": null,
        "origin": if o.source == Some("Agency") { "agency" } else { "applied" },
        "sources": o.source.into_iter().collect::<Vec<_>>(),
        "tags": contact.tags,
        "stage": if expand.stage { json!({"id": stage_id, "text": STAGES[o.stage]}) } else { Value::from(stage_id) },
        "archived": o.archived_at.map(|at| json!({"archivedAt": at, "reason": o.archive_reason})),
        "applications": [application],
        "createdAt": o.created_at,
        "updatedAt": o.updated_at,
        "lastInteractionAt": o.updated_at,
        "isAnonymized": false,
        "urls": {"list": "https://hire.lever.co/candidates", "show": format!("https://hire.lever.co/candidates/{}", o.id)},
    })
}

pub async fn opportunities(State(lever): State<Arc<Lever>>, RawQuery(query): RawQuery) -> Response {
    let list = match parse_list("opportunities", query.as_deref()) {
        Ok(list) => list,
        Err(message) => return bad_request(&message),
    };
    let bounds = ["updated_at_start", "updated_at_end", "created_at_start", "created_at_end"].map(|k| list.ms(k));
    let [updated_start, updated_end, created_start, created_end] = match bounds {
        [Ok(a), Ok(b), Ok(c), Ok(d)] => [a, b, c, d],
        other => match other.into_iter().find_map(Result::err) {
            Some(message) => return bad_request(&message),
            None => [None; 4],
        },
    };
    let expanded: Vec<&str> = list.all("expand").flat_map(|v| v.split(',')).collect();
    let expand = Expand {
        applications: expanded.contains(&"applications"),
        stage: expanded.contains(&"stage"),
        contact: expanded.contains(&"contact"),
    };
    let archived = list.one("archived").map(|v| v == "true");
    let store = lever.read();
    let contact_id = list.one("contact_id");
    let posting_id = list.one("posting_id");
    let rows = store
        .opportunities
        .range(list.after + 1..)
        .filter(|(_, o)| {
            let within =
                |v: i64, lo: Option<i64>, hi: Option<i64>| lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h);
            within(o.updated_at, updated_start, updated_end)
                && within(o.created_at, created_start, created_end)
                && archived.is_none_or(|a| a == o.archived_at.is_some())
                && contact_id.is_none_or(|c| store.contacts.get(&o.contact).is_some_and(|k| k.id == c))
                && posting_id.is_none_or(|p| store.postings.get(&o.posting).is_some_and(|k| k.id == p))
        })
        .take(list.limit + 1)
        .map(|(seq, o)| (*seq, opportunity_json(&store, o, &expand)))
        .collect();
    page("opportunities", &list, rows)
}

pub async fn opportunity(State(lever): State<Arc<Lever>>, Path(id): Path<String>) -> Response {
    let store = lever.read();
    match store.opportunity(&id) {
        Some((_, o)) => {
            let expand = Expand { applications: false, stage: false, contact: false };
            http::json(StatusCode::OK, &json!({ "data": opportunity_json(&store, o, &expand) }))
        }
        None => not_found(&format!("opportunities {id}")),
    }
}

fn file_json(f: &File, opportunity: &str) -> Value {
    let ext = f.name.rsplit_once('.').map(|(_, e)| format!(".{e}")).unwrap_or_default();
    json!({
        "id": f.id,
        "downloadUrl": format!("https://hire.lever.co/candidates/{opportunity}/files/{}/download", f.id),
        "ext": ext,
        "name": f.name,
        "uploadedAt": f.uploaded_at,
        "status": "processed",
        "size": f.bytes.len(),
    })
}

pub async fn files(State(lever): State<Arc<Lever>>, Path(id): Path<String>, RawQuery(query): RawQuery) -> Response {
    let list = match parse_list("files", query.as_deref()) {
        Ok(list) => list,
        Err(message) => return bad_request(&message),
    };
    let store = lever.read();
    let Some((seq, _)) = store.opportunity(&id) else {
        return not_found(&format!("opportunities {id}"));
    };
    let rows = store
        .files
        .range(list.after + 1..)
        .filter(|(_, f)| f.opportunity == seq)
        .take(list.limit + 1)
        .map(|(fseq, f)| (*fseq, file_json(f, &id)))
        .collect();
    page("files", &list, rows)
}

/// `GET /v1/opportunities/{id}/resumes`: resumes only come from creating an
/// opportunity with `resumeFile`, which this emulator does not offer, so
/// the list is empty (but the route exists and checks the opportunity).
pub async fn resumes(State(lever): State<Arc<Lever>>, Path(id): Path<String>, RawQuery(query): RawQuery) -> Response {
    let list = match parse_list("resumes", query.as_deref()) {
        Ok(list) => list,
        Err(message) => return bad_request(&message),
    };
    if lever.read().opportunity(&id).is_none() {
        return not_found(&format!("opportunities {id}"));
    }
    page("resumes", &list, Vec::new())
}

/// `GET /v1/opportunities/{id}/resumes/{resume}/download`: never found (see [`resumes`]).
pub async fn resume_download(Path((_, resume)): Path<(String, String)>) -> Response {
    not_found(&format!("resumes {resume}"))
}

/// `POST /v1/opportunities/{id}/files?perform_as=<user>`, multipart `file`.
pub async fn upload(
    State(lever): State<Arc<Lever>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !principal.can_write_files {
        return error(StatusCode::FORBIDDEN, "ForbiddenError", "This API key does not have permission to upload files");
    }
    let perform_as = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "perform_as")
        .map(|(_, v)| v.into_owned());
    let Some(actor) = perform_as.filter(|p| !p.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "BadRequestError", "perform_as is required for this request");
    };
    if lever.read().user(&actor).is_none() {
        return error(StatusCode::BAD_REQUEST, "BadRequestError", &format!("perform_as user {actor} was not found"));
    }
    let Some(opportunity) = lever.read().opportunity(&id).map(|(seq, o)| (seq, o.contact)) else {
        return not_found(&format!("opportunities {id}"));
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(boundary) = multipart::boundary(content_type) else {
        return error(StatusCode::BAD_REQUEST, "BadRequestError", "Request must be multipart/form-data");
    };
    let Some(parts) = multipart::parse(&body, &boundary) else {
        return error(StatusCode::BAD_REQUEST, "BadRequestError", "Malformed multipart body");
    };
    let Some(file) = parts.into_iter().find(|p| p.name == "file" && p.filename.is_some()) else {
        return error(StatusCode::BAD_REQUEST, "BadRequestError", "file is required");
    };
    if file.data.len() > MAX_FILE_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            "The request file size is limited to 30MB",
        );
    }
    let name = file.filename.unwrap_or_default();
    if name.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "BadRequestError", "file must have a name");
    }
    let sha256 = hex::encode(Sha256::digest(&file.data));
    let record = File {
        id: String::new(),
        opportunity: opportunity.0,
        contact: opportunity.1,
        name,
        content_type: file.content_type,
        uploaded_at: (unix_now() * 1000) as i64,
        actor,
        sha256,
        bytes: file.data,
    };
    let mut store = lever.write();
    if !store.opportunities.contains_key(&opportunity.0) {
        return not_found(&format!("opportunities {id}"));
    }
    let stored = store.add_file(record);
    http::json(StatusCode::CREATED, &json!({ "data": file_json(stored, &id) }))
}

/// `GET /v1/opportunities/{id}/files/{file}/download`: the raw bytes.
pub async fn download(State(lever): State<Arc<Lever>>, Path((id, file_id)): Path<(String, String)>) -> Response {
    let store = lever.read();
    let Some((seq, _)) = store.opportunity(&id) else {
        return not_found(&format!("opportunities {id}"));
    };
    let file = seq_of(&file_id, KIND_FILE).and_then(|f| store.files.get(&f));
    let Some(file) = file.filter(|f| f.id == file_id && f.opportunity == seq) else {
        return not_found(&format!("files {file_id}"));
    };
    let mut response = Response::new(Body::from(file.bytes.clone()));
    let content_type = file.content_type.as_deref().unwrap_or("application/octet-stream");
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let disposition: String = file.name.chars().filter(|c| c.is_ascii_graphic() && *c != '"' || *c == ' ').collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{disposition}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
