//! `POST /v3/attachments` (upload) and the signed download URLs.
//!
//! Facts from https://harvestdocs.greenhouse.io/reference/post_v3-attachments:
//! the file is attached to one application; exactly one of `content`
//! (base64) and `url` is required; `type` is a fixed enum; `visibility`
//! defaults from the type; a new resume or cover letter turns the previous
//! one into `other`; filenames are checked against blocked extensions; the
//! documented errors are 401, 403 and 422. The success status is not
//! documented; the emulator answers 201 with the attachment.
//! `content_type` and its allowed list come from the v1 docs (ats-apis.md
//! §1.2). `url` uploads are refused with a 422 on `url`: the emulator never
//! fetches remote URLs (it must work offline and must not become an SSRF
//! relay in tests).
//!
//! The body may be ~100 MB of base64. It is parsed without copying the
//! `content` string (borrowed from the request buffer), decoded once, hashed
//! once, and the decoded `Bytes` are then shared by the store and downloads.
//!
//! Download URLs imitate presigned S3 links (they expire after seven days,
//! https://harvestdocs.greenhouse.io/reference/get_v3-attachments): no auth,
//! an `expires` Unix time and a `sig` over id and expiry.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::auth::{Principal, ATTACHMENTS_CREATE_SCOPE};
use super::errors;
use super::loose::Loose;
use super::model::{Attachment, Id, Ts};
use super::Greenhouse;
use crate::common::http::{self, FieldError};

/// The v3 attachment types.
pub const TYPES: &[&str] = &[
    "resume",
    "cover_letter",
    "take_home_test",
    "offer_packet",
    "offer_letter",
    "signed_offer_letter",
    "midfunnel_agreement",
    "automated_agreement",
    "form_attachment",
    "other",
];

const VISIBILITIES: &[&str] = &["public", "admin_only", "private"];

/// Extensions this emulated organisation blocks (case-insensitive).
const BLOCKED_EXTENSIONS: &[&str] = &["exe", "bat", "cmd", "com", "scr", "msi", "vbs"];

/// The allowed `content_type` values (Harvest v1 list, ats-apis.md §1.2).
const CONTENT_TYPES: &[&str] = &[
    "application/atom+xml",
    "application/javascript",
    "application/json",
    "application/msgpack",
    "application/msword",
    "application/pdf",
    "application/rss+xml",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-powerpoint",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/x-yaml",
    "application/zip",
    "multipart/form-data",
    "image/bmp",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "text/calendar",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/plain",
    "text/vcard",
    "video/mpeg",
];

/// Download links stay valid this long, like Greenhouse's S3 links.
pub const URL_TTL_SECS: u64 = 7 * 24 * 3600;

/// The request body; every field is [`Loose`] so a wrong JSON type becomes a
/// 422 naming that field instead of a generic parse failure.
#[derive(Deserialize)]
struct UploadBody<'a> {
    #[serde(default, borrow)]
    application_id: Loose<'a>,
    #[serde(default, borrow)]
    filename: Loose<'a>,
    #[serde(default, borrow, rename = "type")]
    kind: Loose<'a>,
    #[serde(default, borrow)]
    content: Loose<'a>,
    #[serde(default, borrow)]
    url: Loose<'a>,
    #[serde(default, borrow)]
    content_type: Loose<'a>,
    #[serde(default, borrow)]
    visibility: Loose<'a>,
}

/// A body that passed validation.
struct Valid<'a> {
    application_id: Id,
    filename: &'a str,
    kind: &'static str,
    content: &'a str,
    content_type: &'a str,
    visibility: &'static str,
}

/// `POST /v3/attachments`.
pub async fn create(
    State(gh): State<Arc<Greenhouse>>,
    Extension(principal): Extension<Principal>,
    body: Bytes,
) -> Response {
    if !principal.can_create_attachments {
        return errors::missing_scope(ATTACHMENTS_CREATE_SCOPE);
    }
    // Serde would happily read a JSON array into a struct positionally.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return errors::bad_request("Request body must be a JSON object");
    }
    let parsed: UploadBody<'_> = match serde_json::from_slice(&body) {
        Ok(parsed) => parsed,
        Err(_) => return errors::bad_request("Request body is not valid JSON"),
    };
    let valid = match validate(&gh, &parsed) {
        Ok(valid) => valid,
        Err(problems) => return errors::validation(&problems),
    };
    let Some(bytes) = decode_base64(valid.content) else {
        return errors::validation(&[FieldError::new("content", "content must be valid base64")]);
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let now = Ts::now();
    let attachment = Attachment {
        id: 0,
        application_id: valid.application_id,
        candidate_id: 0,
        kind: valid.kind,
        filename: valid.filename.to_owned(),
        content_type: valid.content_type.to_owned(),
        visibility: valid.visibility,
        created_at: now,
        updated_at: now,
        created_by_user_id: principal.user_id,
        sha256,
        bytes: Bytes::from(bytes),
    };
    let mut store = gh.write_store();
    match store.add_attachment(attachment) {
        Some(stored) => http::json(StatusCode::CREATED, &stored.view(gh.download_url(stored.id))),
        None => errors::validation(&[application_not_found(valid.application_id)]),
    }
}

fn application_not_found(id: Id) -> FieldError {
    FieldError::new("application_id", format!("Application {id} does not exist"))
}

fn missing(field: &str) -> FieldError {
    FieldError::new(field, format!("Missing required field: {field}"))
}

fn validate<'a>(gh: &Greenhouse, body: &'a UploadBody<'a>) -> Result<Valid<'a>, Vec<FieldError>> {
    let mut problems = Vec::new();

    let application_id = match &body.application_id {
        l if l.is_absent() => Err(missing("application_id")),
        l => match l.as_id() {
            Some(id) if gh.read_store().applications.contains_key(&id) => Ok(id),
            Some(id) => Err(application_not_found(id)),
            None => Err(FieldError::new("application_id", "application_id must be an integer")),
        },
    };

    let filename = match body.filename.as_str().map(str::trim) {
        _ if body.filename.is_absent() => Err(missing("filename")),
        None => Err(FieldError::new("filename", "filename must be a string")),
        Some("") => Err(FieldError::new("filename", "filename must not be empty")),
        Some(name) => match blocked_extension(name) {
            Some(ext) => Err(FieldError::new("filename", format!("File extension .{ext} is not allowed"))),
            None => Ok(name),
        },
    };

    let kind = if body.kind.is_absent() { Err(missing("type")) } else { one_of("type", &body.kind, TYPES) };

    let content = match (body.content.is_absent(), body.url.is_absent()) {
        (true, true) => Err(FieldError::new("content", "Provide either content or url")),
        (false, false) => Err(FieldError::new("content", "Provide either content or url, not both")),
        (true, false) => Err(FieldError::new("url", "url uploads are not supported by this emulator")),
        (false, true) => match body.content.as_str() {
            Some("") => Err(missing("content")),
            Some(content) => Ok(content),
            None => Err(FieldError::new("content", "content must be a base64 string")),
        },
    };

    // Required with `content` only (v1 docs: "usually not needed with url").
    let content_type = match body.content_type.as_str() {
        _ if body.content_type.is_absent() && body.content.is_absent() => Ok(""),
        _ if body.content_type.is_absent() => Err(missing("content_type")),
        Some(ct) if allowed_content_type(ct) => Ok(ct.trim()),
        Some(ct) => Err(FieldError::new("content_type", format!("content_type {ct} is not allowed"))),
        None => Err(FieldError::new("content_type", "content_type must be a string")),
    };

    let visibility = if body.visibility.is_absent() {
        Ok(None)
    } else {
        one_of("visibility", &body.visibility, VISIBILITIES).map(Some)
    };

    let p = &mut problems;
    let (application_id, filename, kind, content, content_type, visibility) = (
        keep(p, application_id),
        keep(p, filename),
        keep(p, kind),
        keep(p, content),
        keep(p, content_type),
        keep(p, visibility),
    );
    match (application_id, filename, kind, content, content_type, visibility) {
        (Some(application_id), Some(filename), Some(kind), Some(content), Some(content_type), Some(visibility)) => {
            Ok(Valid {
                application_id,
                filename,
                kind,
                content,
                content_type,
                visibility: visibility.unwrap_or_else(|| default_visibility(kind)),
            })
        }
        _ => Err(problems),
    }
}

/// Collects every problem (Greenhouse lists all of them at once).
fn keep<T>(problems: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| problems.push(e)).ok()
}

fn one_of(field: &str, value: &Loose<'_>, allowed: &[&'static str]) -> Result<&'static str, FieldError> {
    value
        .as_str()
        .and_then(|v| allowed.iter().find(|a| **a == v).copied())
        .ok_or_else(|| FieldError::new(field, format!("Must be one of: {}", allowed.join(", "))))
}

/// Candidate documents are visible to the hiring team, offer documents are
/// private, everything else is admin-only (v1's documented defaults).
fn default_visibility(kind: &str) -> &'static str {
    match kind {
        "resume" | "cover_letter" | "take_home_test" | "form_attachment" => "public",
        "offer_packet" | "offer_letter" | "signed_offer_letter" => "private",
        _ => "admin_only",
    }
}

fn blocked_extension(filename: &str) -> Option<String> {
    let (_, ext) = filename.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    BLOCKED_EXTENSIONS.contains(&ext.as_str()).then_some(ext)
}

/// Compares the media type without parameters (`text/plain; charset=utf-8`
/// is `text/plain`), case-insensitively as RFC 9110 says.
fn allowed_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim();
    CONTENT_TYPES.iter().any(|ct| ct.eq_ignore_ascii_case(essence))
}

/// Standard-alphabet base64, padded or not; no whitespace, no URL-safe
/// alphabet (Greenhouse documents plain Base64).
fn decode_base64(content: &str) -> Option<Vec<u8>> {
    let engine = if content.len() % 4 == 0 { base64_simd::STANDARD } else { base64_simd::STANDARD_NO_PAD };
    engine.decode_to_vec(content.as_bytes()).ok()
}

/// The signature of a download URL: hex SHA-256 over secret, id and expiry.
pub fn sign(secret: &[u8], id: Id, expires: u64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    hasher.update(format!(":{id}:{expires}").as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// `GET /_files/{id}?expires=..&sig=..`: the presigned download.
pub async fn download(
    State(gh): State<Arc<Greenhouse>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut expires = None;
    let mut sig = None;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "expires" => expires = value.parse::<u64>().ok(),
            "sig" => sig = Some(value.into_owned()),
            _ => {}
        }
    }
    let Ok(id) = id.parse::<Id>() else {
        return storage_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.");
    };
    let (Some(expires), Some(sig)) = (expires, sig) else {
        return storage_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires expires and sig",
        );
    };
    if sign(&gh.file_secret, id, expires) != sig {
        return storage_error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", "The request signature does not match.");
    }
    if expires < http::unix_now() {
        return storage_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    let store = gh.read_store();
    let Some(attachment) = store.attachments.get(&id) else {
        return storage_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.");
    };
    let mut response = Response::new(Body::from(attachment.bytes.clone()));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&attachment.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&attachment.filename)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// RFC 6266/5987 `attachment; filename*=UTF-8''...` (safe for any name).
fn content_disposition(filename: &str) -> String {
    let mut out = String::from("attachment; filename*=UTF-8''");
    for byte in filename.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An S3-style XML error, as a presigned link would produce.
fn storage_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_blocklist_is_case_insensitive() {
        assert_eq!(blocked_extension("setup.EXE").as_deref(), Some("exe"));
        assert_eq!(blocked_extension("cv.pdf"), None);
        assert_eq!(blocked_extension("noext"), None);
    }

    #[test]
    fn base64_padded_and_unpadded() {
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("aGk").unwrap(), b"hi");
        assert!(decode_base64("aGk=\n").is_none());
        assert!(decode_base64("a-_b").is_none());
    }

    #[test]
    fn content_type_ignores_parameters() {
        assert!(allowed_content_type("text/plain; charset=utf-8"));
        assert!(allowed_content_type("Application/PDF"));
        assert!(!allowed_content_type("application/x-msdownload"));
    }
}
