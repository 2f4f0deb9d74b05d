//! Candidate writes: `POST /v1/candidates` (create, or with `merge: true`
//! update the candidate with the same email) and `PATCH /v1/candidates/{id}`.
//!
//! A `resume` attribute is a public URL; Teamtailor downloads it during the
//! call and makes the file the candidate's resume, replacing the previous
//! one. Reading the candidate back gives a signed link to the file.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::auth::Principal;
use super::jsonapi::{document, error, not_found, require_json_api, unprocessable, Rejection};
use super::model::{Id, Ts, Upload};
use super::{fetch, Teamtailor};
use crate::common::control::ControlError;

/// Downloads a resume URL into a not-yet-stored file of the candidate.
async fn fetch_resume(url: &str, candidate_id: Id) -> Result<Upload, Rejection> {
    let fetched = fetch::get(url)
        .await
        .map_err(|why| Box::new(unprocessable(&format!("resume - the file {why}"), "/data/attributes/resume")))?;
    let file_name = fetched
        .file_name
        .or_else(|| url.split('?').next()?.rsplit('/').next().filter(|s| !s.is_empty()).map(str::to_owned))
        .unwrap_or_else(|| "resume".to_owned());
    Ok(Upload {
        id: 0,
        kind: "resume",
        candidate_id,
        job_id: None,
        application_id: None,
        file_name,
        content_type: fetched.content_type,
        created_at: Ts::now(),
        sha256: hex::encode(Sha256::digest(&fetched.bytes)),
        bytes: fetched.bytes,
    })
}

/// The `resume` attribute: absent/null, or a non-empty URL.
fn take_resume(attributes: &mut Map<String, Value>) -> Result<Option<String>, Rejection> {
    match attributes.remove("resume") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(url)) if !url.is_empty() => Ok(Some(url)),
        Some(_) => Err(Box::new(unprocessable("resume - must be a URL", "/data/attributes/resume"))),
    }
}

/// Checks write access, media type and `data.type`; returns the document's attributes.
fn write_document(
    principal: Principal,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Value, Map<String, Value>), Rejection> {
    if !principal.can_write {
        return Err(Box::new(error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "This API key does not have write access",
            None,
        )));
    }
    require_json_api(headers)?;
    let body = serde_json::from_slice::<Value>(body).map_err(|_| {
        Box::new(error(StatusCode::BAD_REQUEST, "Bad Request", "The request body is not valid JSON", None))
    })?;
    if body.pointer("/data/type").and_then(Value::as_str) != Some("candidates") {
        return Err(Box::new(error(
            StatusCode::CONFLICT,
            "Conflict",
            "data.type must be candidates",
            Some("/data/type"),
        )));
    }
    let attributes = match body.pointer("/data/attributes") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(Box::new(unprocessable("attributes must be an object", "/data/attributes"))),
    };
    Ok((body, attributes))
}

fn invalid(problem: ControlError) -> Response {
    match problem {
        ControlError::NotFound => not_found(),
        ControlError::Invalid(detail) => unprocessable(&detail, "/data/attributes"),
    }
}

/// `POST /v1/candidates`: creates a candidate or, with `merge: true`, updates
/// the one with the same email (how an integration that knows a candidate
/// sets their resume with a POST).
pub async fn create_candidate(
    State(tt): State<Arc<Teamtailor>>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut attributes = match write_document(principal, &headers, &body) {
        Ok((_, attributes)) => attributes,
        Err(response) => return *response,
    };
    let merge = match attributes.remove("merge") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => return unprocessable("merge - must be a boolean", "/data/attributes/merge"),
    };
    let Some(email) = attributes.get("email").and_then(Value::as_str).filter(|e| e.contains('@')).map(str::to_owned)
    else {
        return unprocessable("email - can't be blank", "/data/attributes/email");
    };
    let resume_url = match take_resume(&mut attributes) {
        Ok(url) => url,
        Err(response) => return *response,
    };
    let existing = tt.read_store().candidate_by_email(&email).map(|c| c.id);
    if existing.is_some() && !merge {
        return unprocessable("email - has already been taken", "/data/attributes/email");
    }
    let resume = match resume_url {
        Some(url) => match fetch_resume(&url, existing.unwrap_or(0)).await {
            Ok(upload) => Some(upload),
            Err(response) => return *response,
        },
        None => None,
    };
    let mut store = tt.write_store();
    let outcome = match existing {
        Some(id) => {
            attributes.remove("email");
            store.patch_candidate(id, &attributes).map(|c| c.id)
        }
        None => store.create_candidate(&attributes),
    };
    let id = match outcome {
        Ok(id) => id,
        Err(problem) => return invalid(problem),
    };
    if let Some(mut resume) = resume {
        resume.candidate_id = id;
        if store.add_upload(resume).is_none() {
            return not_found();
        }
    }
    match store.candidate(id) {
        Some(candidate) => document(StatusCode::CREATED, &json!({ "data": tt.candidate_resource(&store, candidate) })),
        None => not_found(),
    }
}

pub async fn update_candidate(
    State(tt): State<Arc<Teamtailor>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (body, mut attributes) = match write_document(principal, &headers, &body) {
        Ok(parsed) => parsed,
        Err(response) => return *response,
    };
    let body_id = match body.pointer("/data/id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if body_id != id {
        return error(StatusCode::CONFLICT, "Conflict", "data.id must match the URL", Some("/data/id"));
    }
    let Some(candidate_id) = id.parse::<Id>().ok().filter(|c| tt.read_store().candidate(*c).is_some()) else {
        return not_found();
    };
    let resume_url = match take_resume(&mut attributes) {
        Ok(url) => url,
        Err(response) => return *response,
    };
    // Downloaded with no lock held: the fetch can take a while.
    let resume = match resume_url {
        Some(url) => match fetch_resume(&url, candidate_id).await {
            Ok(upload) => Some(upload),
            Err(response) => return *response,
        },
        None => None,
    };
    let mut store = tt.write_store();
    if let Err(problem) = store.patch_candidate(candidate_id, &attributes) {
        return invalid(problem);
    }
    if let Some(resume) = resume {
        if store.add_upload(resume).is_none() {
            return not_found();
        }
    }
    match store.candidate(candidate_id) {
        Some(candidate) => document(StatusCode::OK, &json!({ "data": tt.candidate_resource(&store, candidate) })),
        None => not_found(),
    }
}
