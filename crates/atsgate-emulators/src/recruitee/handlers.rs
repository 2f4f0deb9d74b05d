//! Recruitee's endpoints: offers, candidates (with placements), attachments,
//! `set_as_cv`, and the signed file downloads.
//!
//! Facts (ats-apis.md §7, https://docs.recruitee.com/reference/candidates,
//! …/attachments, …/offers): `GET /candidates` takes `limit` (default 100,
//! max 1000) and `offset`, sorted `by_date` (newest first) and answers
//! `{"candidates":[…],"references":[…]}`; `POST /attachments` is multipart
//! `attachment[file]` + `attachment[candidate_id]` → 201 `{"attachment":{…}}`
//! (a bare `file` field gives a 500, as reported by a public client);
//! `PATCH /candidates/{id}/set_as_cv/{attachment_id}` promotes an attachment
//! to the CV, which gets a new id; `GET /candidates/{id}/attachments` →
//! `{"attachments":[…]}`. Validation errors are 422 `{"errors":[{message,code}]}`.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::store::{now_millis, Id, Store, StoredFile};
use super::{errors, Caller, Recruitee};
use crate::ashby::multipart;
use crate::common::http::{self, unix_now};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
/// Signed download links: lifetime undocumented; an hour like typical S3 links.
const URL_TTL_SECS: u64 = 3600;

/// `GET /c/{company}/offers`.
pub async fn offers(State(rc): State<Arc<Recruitee>>) -> Response {
    let store = rc.read_store();
    let offers: Vec<_> = store.offers.values().map(Store::offer_json).collect();
    http::json(StatusCode::OK, &json!({ "offers": offers }))
}

/// `GET /c/{company}/candidates`.
pub async fn candidates(State(rc): State<Arc<Recruitee>>, RawQuery(query): RawQuery) -> Response {
    let (mut limit, mut offset) = (DEFAULT_LIMIT, 0usize);
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let number = || value.parse::<usize>().ok();
        match key.as_ref() {
            "limit" => match number().filter(|n| *n >= 1) {
                Some(n) => limit = n.min(MAX_LIMIT),
                None => return errors::invalid("limit", "Limit must be a positive integer"),
            },
            "offset" => match number() {
                Some(n) => offset = n,
                None => return errors::invalid("offset", "Offset must be a non-negative integer"),
            },
            _ => {}
        }
    }
    let store = rc.read_store();
    // `by_date`: newest first; ties broken by id so pages never overlap.
    let mut ordered: Vec<_> = store.candidates.values().collect();
    ordered.sort_by_key(|c| (std::cmp::Reverse(c.created_at), std::cmp::Reverse(c.id)));
    let page: Vec<_> = ordered
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|c| Store::candidate_json(c, rc.cv_url(&store, c.cv)))
        .collect();
    http::json(StatusCode::OK, &json!({ "candidates": page, "references": [] }))
}

/// `GET /c/{company}/candidates/{id}`.
pub async fn candidate(State(rc): State<Arc<Recruitee>>, Path((_, id)): Path<(String, String)>) -> Response {
    let store = rc.read_store();
    match id.parse::<Id>().ok().and_then(|id| store.candidates.get(&id)) {
        Some(c) => http::json(
            StatusCode::OK,
            &json!({ "candidate": Store::candidate_json(c, rc.cv_url(&store, c.cv)), "references": [] }),
        ),
        None => errors::not_found(),
    }
}

/// `GET /c/{company}/candidates/{id}/attachments`.
pub async fn attachments(State(rc): State<Arc<Recruitee>>, Path((_, id)): Path<(String, String)>) -> Response {
    let store = rc.read_store();
    let Some(candidate) = id.parse::<Id>().ok().and_then(|id| store.candidates.get(&id)) else {
        return errors::not_found();
    };
    let listed: Vec<_> = store
        .files
        .iter()
        .filter(|f| f.candidate_id == candidate.id && f.kind == "attachment")
        .map(|f| rc.attachment_json(f))
        .collect();
    http::json(StatusCode::OK, &json!({ "attachments": listed }))
}

/// `POST /c/{company}/attachments`.
pub async fn create_attachment(
    State(rc): State<Arc<Recruitee>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(boundary) = multipart::boundary(&headers) else {
        return errors::invalid("attachment", "Attachment must be sent as multipart/form-data");
    };
    let parts = match multipart::parse(&body, &boundary) {
        Ok(parts) => parts,
        Err(multipart::Malformed(why)) => return errors::bad_request(why),
    };
    let Some(file) = parts.iter().find(|p| p.name == "attachment[file]") else {
        if parts.iter().any(|p| p.name == "file") {
            // What a public client observed for a bare `file` field.
            return errors::internal();
        }
        return errors::invalid("file", "File can't be blank");
    };
    let candidate_id = parts
        .iter()
        .find(|p| p.name == "attachment[candidate_id]")
        .and_then(|p| std::str::from_utf8(&p.data).ok())
        .map(str::trim);
    let candidate_id = match candidate_id {
        None | Some("") => return errors::invalid("candidate_id", "Candidate can't be blank"),
        Some(text) => match text.parse::<Id>() {
            Ok(id) if rc.read_store().candidates.contains_key(&id) => id,
            _ => return errors::invalid("candidate_id", "Candidate is invalid"),
        },
    };
    let filename = file.filename.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "file".to_owned());
    let sha256 = hex::encode(Sha256::digest(&file.data));
    let stored = StoredFile {
        id: 0,
        candidate_id,
        filename,
        content_type: file.content_type.clone().unwrap_or_else(|| "application/octet-stream".to_owned()),
        kind: "attachment",
        created_at: now_millis(),
        actor_user_id: caller.user_id,
        sha256,
        bytes: file.data.clone(),
    };
    let mut store = rc.write_store();
    let stored = store.add_file(stored);
    http::json(StatusCode::CREATED, &json!({ "attachment": rc.attachment_json(stored) }))
}

/// `PATCH /c/{company}/candidates/{id}/set_as_cv/{attachment_id}`.
pub async fn set_as_cv(
    State(rc): State<Arc<Recruitee>>,
    Path((_, id, attachment_id)): Path<(String, String, String)>,
) -> Response {
    let (Ok(id), Ok(attachment_id)) = (id.parse::<Id>(), attachment_id.parse::<Id>()) else {
        return errors::not_found();
    };
    let mut store = rc.write_store();
    if !store.candidates.contains_key(&id) || !store.set_as_cv(id, attachment_id) {
        return errors::not_found();
    }
    let store = &*store;
    match store.candidates.get(&id) {
        Some(c) => http::json(
            StatusCode::OK,
            &json!({ "candidate": Store::candidate_json(c, rc.cv_url(store, c.cv)), "references": [] }),
        ),
        None => errors::not_found(),
    }
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    expires: Option<u64>,
    sig: Option<String>,
}

/// `GET /_files/{id}/{filename}`: signed download, no token.
pub async fn download(
    State(rc): State<Arc<Recruitee>>,
    Path((id, _name)): Path<(Id, String)>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    let (Some(expires), Some(sig)) = (query.expires, query.sig) else {
        return errors::forbidden("Missing signature");
    };
    if rc.sign(id, expires) != sig || unix_now() > expires {
        return errors::forbidden("Invalid or expired signature");
    }
    let store = rc.read_store();
    let Some(file) = store.files.iter().find(|f| f.id == id) else {
        return errors::not_found();
    };
    let mut response = Response::new(Body::from(file.bytes.clone()));
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(file.bytes.len()));
    response
}

impl Recruitee {
    /// A signed link to a stored file, valid for an hour.
    pub fn file_url(&self, file: &StoredFile) -> String {
        let expires = unix_now() + URL_TTL_SECS;
        let name: String = file
            .filename
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        format!("{}/_files/{}/{name}?expires={expires}&sig={}", self.base_url, file.id, self.sign(file.id, expires))
    }

    pub(super) fn cv_url(&self, store: &Store, cv: Option<usize>) -> Option<String> {
        cv.and_then(|index| store.files.get(index)).map(|f| self.file_url(f))
    }

    fn attachment_json(&self, f: &StoredFile) -> serde_json::Value {
        json!({
            "id": f.id, "candidate_id": f.candidate_id, "filename": f.filename, "content_type": f.content_type,
            "size": f.bytes.len(), "url": self.file_url(f), "created_at": super::store::iso(f.created_at),
        })
    }
}
