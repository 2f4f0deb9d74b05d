//! Uploads: `POST /v1/uploads` (Teamtailor downloads the file from the given
//! public URL during the call), `GET /v1/uploads/{id}`,
//! `GET /v1/candidates/{id}/uploads`, and the presigned-style download
//! `GET /_files/{id}/{name}?expires=&sig=` the upload's `url` attribute points at.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::Principal;
use super::jsonapi::{document, error, not_found, require_json_api, unprocessable, Included, ListQuery, Rejection};
use super::model::{Id, Ts, Upload};
use super::{fetch, Teamtailor};
use crate::common::http::unix_now;

/// Presigned download links stay valid this long.
pub const URL_TTL_SECS: u64 = 7 * 24 * 3600;
const UPLOAD_INCLUDES: &[&str] = &["candidate", "job"];

pub fn sign(secret: &[u8; 32], id: Id, expires: u64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    hasher.update(id.to_be_bytes());
    hasher.update(expires.to_be_bytes());
    hex::encode(hasher.finalize())
}

/// A relationship's `data.id` as an id; `Err` names what is wrong.
fn linked_id(body: &Value, name: &str, kind: &str) -> Result<Option<Id>, Rejection> {
    let pointer = format!("/data/relationships/{name}");
    let Some(rel) = body.pointer(&pointer) else {
        return Ok(None);
    };
    let data = rel.get("data").unwrap_or(&Value::Null);
    if data.is_null() {
        return Ok(None);
    }
    if data.get("type").and_then(Value::as_str) != Some(kind) {
        return Err(Box::new(unprocessable(&format!("{name} must be linked as type {kind}"), &pointer)));
    }
    let id = match data.get("id") {
        Some(Value::String(s)) => s.parse().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    id.map(Some).ok_or_else(|| Box::new(unprocessable(&format!("{name} must exist"), &pointer)))
}

pub async fn create(
    State(tt): State<Arc<Teamtailor>>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !principal.can_write {
        return error(StatusCode::FORBIDDEN, "Forbidden", "This API key does not have write access", None);
    }
    if let Err(response) = require_json_api(&headers) {
        return *response;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Bad Request", "The request body is not valid JSON", None);
    };
    if body.pointer("/data/type").and_then(Value::as_str) != Some("uploads") {
        return error(StatusCode::CONFLICT, "Conflict", "data.type must be uploads", Some("/data/type"));
    }
    let Some(url) = body.pointer("/data/attributes/url").and_then(Value::as_str).filter(|u| !u.is_empty()) else {
        return unprocessable("url - can't be blank", "/data/attributes/url");
    };
    let file_name = match body.pointer("/data/attributes/file-name") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        None | Some(Value::Null) => {
            url.split('?').next().and_then(|p| p.rsplit('/').next()).unwrap_or("file").to_owned()
        }
        Some(_) => return unprocessable("file-name - must be a non-empty string", "/data/attributes/file-name"),
    };
    let candidate_id = match linked_id(&body, "candidate", "candidates") {
        Ok(Some(id)) => id,
        Ok(None) => return unprocessable("candidate - must exist", "/data/relationships/candidate"),
        Err(response) => return *response,
    };
    let job_id = match linked_id(&body, "job", "jobs") {
        Ok(id) => id,
        Err(response) => return *response,
    };
    {
        let store = tt.read_store();
        if store.candidate(candidate_id).is_none() {
            return unprocessable("candidate - must exist", "/data/relationships/candidate");
        }
        if job_id.is_some_and(|j| store.job(j).is_none()) {
            return unprocessable("job - must exist", "/data/relationships/job");
        }
    }
    // Fetched with no lock held: the download can take a while.
    let fetched = match fetch::get(url).await {
        Ok(fetched) => fetched,
        Err(why) => return unprocessable(&format!("url - the file {why}"), "/data/attributes/url"),
    };
    let sha256 = hex::encode(Sha256::digest(&fetched.bytes));
    let upload = Upload {
        id: 0,
        kind: "upload",
        candidate_id,
        job_id,
        application_id: None,
        file_name,
        content_type: fetched.content_type,
        created_at: Ts::now(),
        sha256,
        bytes: fetched.bytes,
    };
    let mut store = tt.write_store();
    let Some(stored) = store.add_upload(upload) else {
        return unprocessable("candidate - must exist", "/data/relationships/candidate");
    };
    let resource = stored.resource(&tt.base_url, tt.download_url(stored), &[]);
    let mut response = document(StatusCode::CREATED, &json!({ "data": resource }));
    if let Ok(location) = HeaderValue::from_str(&format!("{}/v1/uploads/{}", tt.base_url, stored.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

pub async fn show(State(tt): State<Arc<Teamtailor>>, Path(id): Path<String>) -> Response {
    let store = tt.read_store();
    let found = id.parse::<Id>().ok().and_then(|id| store.upload(id)).filter(|u| u.kind == "upload");
    match found {
        Some(u) => document(StatusCode::OK, &json!({ "data": u.resource(&tt.base_url, tt.download_url(u), &[]) })),
        None => not_found(),
    }
}

pub async fn candidate_uploads(
    State(tt): State<Arc<Teamtailor>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = match ListQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(response) => return *response,
    };
    let include = match query.check_include(UPLOAD_INCLUDES) {
        Ok(i) => i,
        Err(response) => return *response,
    };
    let store = tt.read_store();
    let Some(candidate_id) = id.parse::<Id>().ok().filter(|c| store.candidate(*c).is_some()) else {
        return not_found();
    };
    let own: Vec<&Upload> =
        store.uploads.iter().filter(|u| u.kind == "upload" && u.candidate_id == candidate_id).collect();
    let mut included = Included::default();
    let base = &tt.base_url;
    let data = query
        .window(&own)
        .iter()
        .map(|u| {
            if include.contains(&"candidate") {
                included.add("candidates", u.candidate_id, || {
                    Some(tt.candidate_resource(&store, store.candidate(u.candidate_id)?))
                });
            }
            if let Some(job) = u.job_id.filter(|_| include.contains(&"job")) {
                included.add("jobs", job, || Some(store.job(job)?.resource(base)));
            }
            u.resource(base, tt.download_url(u), &include)
        })
        .collect();
    let path = format!("/v1/candidates/{candidate_id}/uploads");
    document(StatusCode::OK, &query.page_document(base, &path, own.len(), data, included.items))
}

#[derive(Deserialize)]
pub struct Signed {
    expires: u64,
    sig: String,
}

/// The file behind an upload's `url`: no auth, the signature is the credential.
pub async fn download(
    State(tt): State<Arc<Teamtailor>>,
    Path((id, _name)): Path<(Id, String)>,
    query: Result<Query<Signed>, QueryRejection>,
) -> Response {
    let denied = || {
        let mut r = Response::new(Body::from("<Error><Code>AccessDenied</Code></Error>"));
        *r.status_mut() = StatusCode::FORBIDDEN;
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
        r
    };
    let Ok(Query(signed)) = query else {
        return denied();
    };
    if signed.expires < unix_now() || sign(&tt.file_secret, id, signed.expires) != signed.sig {
        return denied();
    }
    let store = tt.read_store();
    let Some(upload) = store.upload(id) else {
        return denied();
    };
    let mut response = Response::new(Body::from(upload.bytes.clone()));
    let content_type = upload.content_type.as_deref().unwrap_or("application/octet-stream");
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// Keeps `URL_TTL_SECS` referenced from the state's signer.
pub fn expiry() -> u64 {
    unix_now() + URL_TTL_SECS
}
