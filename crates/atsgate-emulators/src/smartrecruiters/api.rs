//! The vendor API handlers: job and candidate lists, application details,
//! attachment upload (multipart), attachment lists and downloads.
//!
//! Lists take `limit` (1–100, default 10) and `pageId`, answer
//! `{totalFound, limit, nextPageId, content}` and also send
//! `Link: <…>; rel="next"`. `pageId` is opaque (URL-safe base64 of the last
//! id served); records are served in id order so pages stay stable while
//! records are added or removed. `GET /candidates` also filters by
//! `updatedAfter`; other documented filters are accepted and ignored.
//!
//! `GET /candidates/{id}/attachments` lists every file of the candidate,
//! including files uploaded in a job context (UNCERTAIN in the docs).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::guard::{error, Caller};
use super::model::{Attachment, Ts};
use super::multipart;
use super::SmartRecruiters;
use crate::common::http;

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;

/// The documented `attachmentType` values seen so far, plus `COVER_LETTER`.
pub const ATTACHMENT_TYPES: &[&str] = &["GENERIC_FILE", "RESUME", "COVER_LETTER", "AVATAR"];

struct ListQuery {
    limit: usize,
    after: Option<String>,
    updated_after: Option<Ts>,
}

fn bad_parameter(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_PARAMETER", message)
}

fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", message)
}

/// Errors are boxed: a `Response` is large and these are the rare path.
fn parse_query(raw: Option<&str>) -> Result<ListQuery, Box<Response>> {
    let mut query = ListQuery { limit: DEFAULT_LIMIT, after: None, updated_after: None };
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "limit" => {
                query.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| Box::new(bad_parameter("limit must be an integer between 1 and 100")))?;
            }
            "pageId" => {
                let decoded = URL_SAFE_NO_PAD
                    .decode(value.as_bytes())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| Box::new(bad_parameter("pageId is invalid")))?;
                query.after = Some(decoded);
            }
            "updatedAfter" => {
                let ts = chrono::DateTime::parse_from_rfc3339(&value)
                    .map_err(|_| Box::new(bad_parameter("updatedAfter must be an ISO-8601 date-time")))?;
                query.updated_after = Some(ts.with_timezone(&chrono::Utc));
            }
            _ => {}
        }
    }
    Ok(query)
}

/// Serves one page of `items` (already in id order, already filtered).
fn page_response<'a>(
    sr: &SmartRecruiters,
    path: &str,
    query: &ListQuery,
    total: usize,
    items: impl Iterator<Item = (&'a String, Value)>,
) -> Response {
    let mut content = Vec::with_capacity(query.limit);
    let mut last_id = None;
    let mut more = false;
    for (id, value) in items {
        if content.len() == query.limit {
            more = true;
            break;
        }
        last_id = Some(id);
        content.push(value);
    }
    let next = more.then(|| last_id.map(|id| URL_SAFE_NO_PAD.encode(id))).flatten();
    let mut response = http::json(
        StatusCode::OK,
        &json!({ "totalFound": total, "limit": query.limit, "nextPageId": next, "content": content }),
    );
    if let Some(next) = next {
        let link = format!("<{}{path}?limit={}&pageId={next}>; rel=\"next\"", sr.base_url, query.limit);
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
}

/// `GET /jobs`.
pub async fn jobs(State(sr): State<Arc<SmartRecruiters>>, RawQuery(raw): RawQuery) -> Response {
    let query = match parse_query(raw.as_deref()) {
        Ok(query) => query,
        Err(response) => return *response,
    };
    let data = sr.read();
    let start = query.after.clone().map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
    let items = data.jobs.range((start, std::ops::Bound::Unbounded)).map(|(id, job)| (id, job.to_json(&sr.base_url)));
    page_response(&sr, "/jobs", &query, data.jobs.len(), items)
}

/// `GET /candidates`.
pub async fn candidates(State(sr): State<Arc<SmartRecruiters>>, RawQuery(raw): RawQuery) -> Response {
    let query = match parse_query(raw.as_deref()) {
        Ok(query) => query,
        Err(response) => return *response,
    };
    let data = sr.read();
    let keep = |c: &&super::model::Candidate| query.updated_after.is_none_or(|t| c.updated_on > t);
    let total = data.candidates.values().filter(keep).count();
    let start = query.after.clone().map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
    let title_of = |job: &str| data.jobs.get(job).map(|j| j.title.as_str());
    let items = data
        .candidates
        .range((start, std::ops::Bound::Unbounded))
        .filter(|(_, c)| keep(c))
        .map(|(id, c)| (id, c.to_json(&sr.base_url, title_of)));
    page_response(&sr, "/candidates", &query, total, items)
}

/// `GET /candidates/{id}`.
pub async fn candidate(State(sr): State<Arc<SmartRecruiters>>, Path(id): Path<String>) -> Response {
    let data = sr.read();
    match data.candidates.get(&id) {
        Some(c) => http::json(StatusCode::OK, &c.to_json(&sr.base_url, |j| data.jobs.get(j).map(|j| j.title.as_str()))),
        None => not_found("Candidate not found"),
    }
}

/// `GET /candidates/{id}/jobs/{jobId}`: the application details.
pub async fn application(
    State(sr): State<Arc<SmartRecruiters>>,
    Path((id, job_id)): Path<(String, String)>,
) -> Response {
    let data = sr.read();
    let Some(assignment) = data.candidates.get(&id).and_then(|c| c.assignments.iter().find(|a| a.job_id == job_id))
    else {
        return not_found("Application not found");
    };
    http::json(
        StatusCode::OK,
        &json!({
            "status": assignment.status,
            "subStatus": assignment.sub_status,
            "actions": { "attachments": { "url": format!("{}/candidates/{id}/jobs/{job_id}/attachments", sr.base_url), "method": "GET" } },
        }),
    )
}

/// `POST /candidates/{id}/attachments`.
pub async fn upload_to_candidate(
    State(sr): State<Arc<SmartRecruiters>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    upload(&sr, &caller, id, None, &headers, body)
}

/// `POST /candidates/{id}/jobs/{jobId}/attachments`.
pub async fn upload_to_application(
    State(sr): State<Arc<SmartRecruiters>>,
    Extension(caller): Extension<Caller>,
    Path((id, job_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    upload(&sr, &caller, id, Some(job_id), &headers, body)
}

fn upload(
    sr: &SmartRecruiters,
    caller: &Caller,
    candidate_id: String,
    job_id: Option<String>,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    if !caller.can_upload {
        return error(StatusCode::FORBIDDEN, "FORBIDDEN", "The API key lacks the permission candidates_manage");
    }
    if let Err(response) = target_exists(sr, &candidate_id, job_id.as_deref()) {
        return *response;
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(boundary) = multipart::boundary(content_type) else {
        return error(StatusCode::BAD_REQUEST, "INVALID_CONTENT_TYPE", "Request must be multipart/form-data");
    };
    let parts = match multipart::parse(&body, &boundary) {
        Ok(parts) => parts,
        Err(problem) => return error(StatusCode::BAD_REQUEST, "INVALID_MULTIPART", &problem),
    };
    let kind = match parts.iter().find(|p| p.name == "attachmentType") {
        None => "GENERIC_FILE".to_owned(),
        Some(part) => match std::str::from_utf8(&part.body).ok().filter(|t| ATTACHMENT_TYPES.contains(t)) {
            Some(kind) => kind.to_owned(),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ATTACHMENT_TYPE",
                    &format!("attachmentType must be one of {}", ATTACHMENT_TYPES.join(", ")),
                )
            }
        },
    };
    let Some(file) = parts.into_iter().find(|p| p.name == "file") else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "MISSING_FILE", "file is required");
    };
    let name = file.filename.clone().unwrap_or_default();
    if name.trim().is_empty() || file.body.is_empty() {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_FILE", "file must have a name and content");
    }
    let attachment = Attachment {
        id: sr.new_id(),
        candidate_id,
        job_id,
        name,
        kind,
        content_type: file.content_type.unwrap_or_else(|| "application/octet-stream".to_owned()),
        uploaded_by: caller.user_id.clone(),
        sha256: hex::encode(Sha256::digest(&file.body)),
        bytes: file.body,
    };
    let mut data = sr.write();
    // Re-checked under the write lock: the candidate may have been deleted meanwhile.
    if !data.candidates.contains_key(&attachment.candidate_id) {
        return not_found("Candidate not found");
    }
    let json = attachment.to_json(&sr.base_url);
    data.attachments.push(attachment);
    http::json(StatusCode::CREATED, &json)
}

fn target_exists(sr: &SmartRecruiters, candidate_id: &str, job_id: Option<&str>) -> Result<(), Box<Response>> {
    let data = sr.read();
    let candidate = data.candidates.get(candidate_id).ok_or_else(|| Box::new(not_found("Candidate not found")))?;
    if let Some(job_id) = job_id {
        if !candidate.assignments.iter().any(|a| a.job_id == job_id) {
            return Err(Box::new(not_found("Candidate is not assigned to this job")));
        }
    }
    Ok(())
}

/// `GET /candidates/{id}/attachments`.
pub async fn candidate_attachments(State(sr): State<Arc<SmartRecruiters>>, Path(id): Path<String>) -> Response {
    list_attachments(&sr, &id, None)
}

/// `GET /candidates/{id}/jobs/{jobId}/attachments`.
pub async fn application_attachments(
    State(sr): State<Arc<SmartRecruiters>>,
    Path((id, job_id)): Path<(String, String)>,
) -> Response {
    list_attachments(&sr, &id, Some(&job_id))
}

fn list_attachments(sr: &SmartRecruiters, candidate_id: &str, job_id: Option<&str>) -> Response {
    if let Err(response) = target_exists(sr, candidate_id, job_id) {
        return *response;
    }
    let data = sr.read();
    let content: Vec<Value> = data
        .attachments
        .iter()
        .filter(|a| a.candidate_id == candidate_id && job_id.is_none_or(|j| a.job_id.as_deref() == Some(j)))
        .map(|a| a.to_json(&sr.base_url))
        .collect();
    http::json(StatusCode::OK, &json!({ "totalFound": content.len(), "content": content }))
}

/// `GET /candidates/{id}/attachments/{attachmentId}`: the file itself.
pub async fn download(
    State(sr): State<Arc<SmartRecruiters>>,
    Path((id, attachment_id)): Path<(String, String)>,
) -> Response {
    let data = sr.read();
    let Some(attachment) = data.attachments.iter().find(|a| a.id == attachment_id && a.candidate_id == id) else {
        return not_found("Attachment not found");
    };
    let mut response = Response::new(Body::from(attachment.bytes.clone()));
    if let Ok(value) = HeaderValue::from_str(&attachment.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(attachment.name.as_bytes()).collect::<String>()
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
