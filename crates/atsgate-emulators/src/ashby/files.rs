//! The two-step file upload, attaching files to candidates, and reading them back.
//!
//! Facts (https://developers.ashbyhq.com/reference/filecreatefileuploadhandle,
//! …/candidateuploadfile, …/candidateuploadresume, …/fileinfo):
//! 1. `file.createFileUploadHandle {fileUploadContext, filename, contentType,
//!    contentLength}` → `{handle, url, fields}`; the URL expires after 10 min.
//! 2. A `multipart/form-data` POST to `url` with every `fields` entry first
//!    and the file last, named `file` (the fake storage here answers 204 like
//!    S3's default, and S3-style XML errors).
//! 3. `candidate.uploadResume {candidateId, resumeHandle}` or
//!    `candidate.uploadFile {candidateId, fileHandle}` → the whole candidate.
//!
//! `file.info {fileHandle}` → `{url}`, a presigned GET on the fake storage.
//! Choices where the docs are silent: the stored size must equal the declared
//! `contentLength`; a handle is used once; a resume handle must come from the
//! `CandidateResume` context and a file handle from `CandidateFiles`. The
//! deprecated multipart variants of the upload endpoints are not emulated.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::api::{self, failure, random_hex, success};
use super::model::StoredFile;
use super::multipart;
use super::Ashby;
use crate::common::http::unix_now;

const CONTEXTS: &[&str] = &["CandidateResume", "CandidateFiles", "ApplicationForm"];
/// Presigned upload URLs expire after 10 minutes (documented).
const UPLOAD_TTL: Duration = Duration::from_secs(600);
/// Presigned download URLs: undocumented; an hour like typical S3 links.
const DOWNLOAD_TTL_SECS: u64 = 3600;

/// An upload handle waiting for (or holding) its bytes.
pub struct Pending {
    key: String,
    context: &'static str,
    filename: String,
    content_type: String,
    content_length: u64,
    expires: Instant,
    uploaded: Option<(Bytes, String)>,
}

/// `POST /file.createFileUploadHandle`.
pub async fn create_handle(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    let body = match api::object(&body) {
        Ok(body) => body,
        Err(invalid) => return invalid.into_response(),
    };
    let context = match body.get("fileUploadContext").and_then(Value::as_str) {
        Some(c) => match CONTEXTS.iter().find(|k| **k == c) {
            Some(k) => *k,
            None => {
                return failure("invalid_input", &format!("fileUploadContext must be one of {}", CONTEXTS.join(", ")))
            }
        },
        None => return failure("invalid_input", "Missing required parameter: fileUploadContext"),
    };
    let (filename, content_type) = match (api::string(&body, "filename"), api::string(&body, "contentType")) {
        (Ok(f), Ok(c)) => (f.to_owned(), c.to_owned()),
        (Err(invalid), _) | (_, Err(invalid)) => return invalid.into_response(),
    };
    let Some(content_length) = body.get("contentLength").and_then(Value::as_u64) else {
        return failure("invalid_input", "contentLength must be a non-negative integer");
    };
    let handle = random_hex(24);
    let key = format!("uploads/{}/{}", random_hex(8), filename);
    let signature = ashby.sign(&key);
    let policy = URL_SAFE_NO_PAD.encode(
        json!({ "conditions": [{ "key": key }, ["content-length-range", content_length, content_length]] }).to_string(),
    );
    ashby.pending().insert(
        handle.clone(),
        Pending {
            key: key.clone(),
            context,
            filename,
            content_type: content_type.clone(),
            content_length,
            expires: Instant::now() + UPLOAD_TTL,
            uploaded: None,
        },
    );
    success(json!({
        "handle": handle,
        "url": format!("{}/_storage/upload", ashby.base_url),
        "fields": { "key": key, "Content-Type": content_type, "policy": policy, "x-amz-signature": signature },
    }))
}

/// S3-style XML error of the fake storage.
fn storage_error(status: StatusCode, code: &str, message: &str) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut response = Response::new(Body::from(xml));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}

/// `POST /_storage/upload`: the presigned multipart POST (no API key).
pub async fn storage_upload(State(ashby): State<Arc<Ashby>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(boundary) = multipart::boundary(&headers) else {
        return storage_error(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "Bucket POST must be of the enclosure-type multipart/form-data",
        );
    };
    let parts = match multipart::parse(&body, &boundary) {
        Ok(parts) => parts,
        Err(multipart::Malformed(why)) => return storage_error(StatusCode::BAD_REQUEST, "MalformedPOSTRequest", why),
    };
    let Some((file, fields)) = parts.split_last().filter(|(file, _)| file.name == "file") else {
        return storage_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The file must be the last field, named file",
        );
    };
    let field =
        |name: &str| fields.iter().find(|p| p.name == name).map(|p| String::from_utf8_lossy(&p.data).into_owned());
    let (Some(key), Some(signature)) = (field("key"), field("x-amz-signature")) else {
        return storage_error(StatusCode::BAD_REQUEST, "InvalidArgument", "Missing key or x-amz-signature");
    };
    if field("policy").is_none() || ashby.sign(&key) != signature {
        return storage_error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", "The request signature does not match");
    }
    let sha256 = hex::encode(Sha256::digest(&file.data));
    let mut pending = ashby.pending();
    let Some(upload) = pending.values_mut().find(|p| p.key == key) else {
        return storage_error(StatusCode::FORBIDDEN, "AccessDenied", "Invalid according to Policy: unknown key");
    };
    if Instant::now() > upload.expires {
        return storage_error(StatusCode::FORBIDDEN, "AccessDenied", "Invalid according to Policy: Policy expired");
    }
    let size = file.data.len() as u64;
    if size != upload.content_length {
        let code = if size > upload.content_length { "EntityTooLarge" } else { "EntityTooSmall" };
        return storage_error(
            StatusCode::BAD_REQUEST,
            code,
            "Your proposed upload does not match the content-length-range",
        );
    }
    upload.uploaded = Some((file.data.clone(), sha256));
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// `POST /candidate.uploadFile`.
pub async fn upload_file(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    attach(&ashby, &body, "fileHandle", "CandidateFiles", "file")
}

/// `POST /candidate.uploadResume`.
pub async fn upload_resume(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    attach(&ashby, &body, "resumeHandle", "CandidateResume", "resume")
}

fn attach(ashby: &Ashby, body: &Bytes, handle_field: &str, context: &str, kind: &'static str) -> Response {
    let body = match api::object(body) {
        Ok(body) => body,
        Err(invalid) => return invalid.into_response(),
    };
    let (candidate_id, handle) = match (api::string(&body, "candidateId"), api::string(&body, handle_field)) {
        (Ok(c), Ok(h)) => (c.to_owned(), h.to_owned()),
        (Err(invalid), _) | (_, Err(invalid)) => return invalid.into_response(),
    };
    if ashby.read_store().candidate(&candidate_id).is_none() {
        return failure("candidate_not_found", &format!("Candidate {candidate_id} was not found"));
    }
    let upload = {
        let mut pending = ashby.pending();
        match pending.get(&handle) {
            None => return failure("invalid_input", &format!("{handle_field} is not a valid file upload handle")),
            Some(p) if p.context != context => {
                return failure(
                    "invalid_input",
                    &format!("{handle_field} was created for {} uploads, not {context}", p.context),
                )
            }
            Some(p) if p.uploaded.is_none() => {
                return failure("invalid_input", &format!("No file was uploaded for this {handle_field}"))
            }
            Some(_) => {}
        }
        match pending.remove(&handle) {
            Some(upload) => upload,
            None => return failure("invalid_input", &format!("{handle_field} is not a valid file upload handle")),
        }
    };
    let Some((bytes, sha256)) = upload.uploaded else {
        return failure("invalid_input", &format!("No file was uploaded for this {handle_field}"));
    };
    let id = ashby.new_file_id();
    let file = StoredFile {
        handle: ashby.file_handle(&id, &candidate_id),
        id,
        candidate_id: candidate_id.clone(),
        name: upload.filename,
        content_type: upload.content_type,
        kind,
        sha256,
        bytes,
    };
    let mut store = ashby.write_store();
    let Some(candidate) = store.attach(file).cloned() else {
        return failure("candidate_not_found", &format!("Candidate {candidate_id} was not found"));
    };
    success(store.candidate_json(&candidate))
}

/// `POST /file.info`.
pub async fn file_info(State(ashby): State<Arc<Ashby>>, body: Bytes) -> Response {
    let body = match api::object(&body) {
        Ok(body) => body,
        Err(invalid) => return invalid.into_response(),
    };
    let handle = match api::string(&body, "fileHandle") {
        Ok(handle) => handle,
        Err(invalid) => return invalid.into_response(),
    };
    let Some(file_id) = ashby.file_id_of(handle) else {
        return failure("invalid_input", "fileHandle is not a valid file handle");
    };
    if ashby.read_store().file(&file_id).is_none() {
        return failure("file_not_found", "The file was not found");
    }
    let expires = unix_now() + DOWNLOAD_TTL_SECS;
    let sig = ashby.sign(&format!("{file_id}:{expires}"));
    success(json!({ "url": format!("{}/_storage/files/{file_id}?expires={expires}&sig={sig}", ashby.base_url) }))
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    expires: Option<u64>,
    sig: Option<String>,
}

/// `GET /_storage/files/{id}`: presigned download, no API key.
pub async fn download(
    State(ashby): State<Arc<Ashby>>,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    let (Some(expires), Some(sig)) = (query.expires, query.sig) else {
        return storage_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires expires and sig",
        );
    };
    if ashby.sign(&format!("{id}:{expires}")) != sig {
        return storage_error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", "The request signature does not match");
    }
    if unix_now() > expires {
        return storage_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    let store = ashby.read_store();
    let Some(file) = store.file(&id) else {
        return storage_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.");
    };
    let mut response = Response::new(Body::from(file.bytes.clone()));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(file.bytes.len()));
    response
}
