//! The REST resources: ADF collections (`limit`/`offset`/`hasMore`, `q`,
//! `onlyData`, `totalResults`), items, and the attachment children with
//! their `FileContents` enclosures.
//!
//! `limit` defaults to 25 and is capped at 500; `q` supports `Attr=value`
//! and `Attr='value'` terms joined by `;` on the collection's key
//! attributes. Uploads are JSON with the file as base64 `FileContents`;
//! they answer 201 with the item (without the LOB) and its links.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::model::{Attachment, Owner};
use super::{error, Caller, Oracle};
use crate::common::http;

const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 500;
const CATEGORIES: &[&str] = &["IRC_CANDIDATE_RESUME", "IRC_CANDIDATE_COVERLETTER", "MISC", "IRC_INTERNAL"];
const TITLE_MAX: usize = 80;
const COLLECTION_TYPE: &str = "application/vnd.oracle.adf.resourcecollection+json";
const ITEM_TYPE: &str = "application/vnd.oracle.adf.resourceitem+json";

struct Query {
    limit: usize,
    offset: usize,
    only_data: bool,
    total: bool,
    filters: Vec<(String, String)>,
}

/// Errors are boxed: a `Response` is large and these are the rare path.
fn parse_query(raw: Option<&str>) -> Result<Query, Box<Response>> {
    let mut query = Query { limit: DEFAULT_LIMIT, offset: 0, only_data: false, total: false, filters: Vec::new() };
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "limit" => {
                let n: usize = value.parse().map_err(|_| bad("limit must be a number"))?;
                query.limit = n.clamp(1, MAX_LIMIT);
            }
            "offset" => query.offset = value.parse().map_err(|_| bad("offset must be a number"))?,
            "onlyData" => query.only_data = value == "true",
            "totalResults" => query.total = value == "true",
            "q" => {
                for term in value.split(';').filter(|t| !t.trim().is_empty()) {
                    let (attr, val) = term
                        .split_once('=')
                        .ok_or_else(|| bad(&format!("The query expression {term} is not valid")))?;
                    let val = val.trim().trim_matches('\'').replace("''", "'");
                    query.filters.push((attr.trim().to_owned(), val));
                }
            }
            _ => {}
        }
    }
    Ok(query)
}

fn bad(detail: &str) -> Box<Response> {
    Box::new(error(StatusCode::BAD_REQUEST, detail))
}

fn with_type(mut response: Response, content_type: &'static str) -> Response {
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// One ADF collection page: `records` are all matching records in order; only the page's
/// records (plus one, to learn `hasMore`) are turned into JSON.
fn collection<T>(
    href: &str,
    query: &Query,
    total: usize,
    records: impl Iterator<Item = T>,
    to_json: impl Fn(T) -> Value,
) -> Response {
    let mut page: Vec<Value> = records.skip(query.offset).take(query.limit + 1).map(to_json).collect();
    let has_more = page.len() > query.limit;
    page.truncate(query.limit);
    let mut body = json!({
        "items": page,
        "count": page.len(),
        "hasMore": has_more,
        "limit": query.limit,
        "offset": query.offset,
        "links": [{ "rel": "self", "href": href, "name": "collection", "kind": "collection" }],
    });
    if query.total {
        body["totalResults"] = json!(total);
    }
    with_type(http::json(StatusCode::OK, &body), COLLECTION_TYPE)
}

/// Checks the `q` terms against the attributes a collection can filter on.
fn filter_value<'q>(query: &'q Query, allowed: &[&str], attr: &str) -> Result<Option<&'q str>, Box<Response>> {
    if let Some((unknown, _)) = query.filters.iter().find(|(a, _)| !allowed.contains(&a.as_str())) {
        return Err(bad(&format!("The attribute {unknown} cannot be used in a query")));
    }
    Ok(query.filters.iter().find(|(a, _)| a == attr).map(|(_, v)| v.as_str()))
}

pub async fn requisitions(State(orc): State<Arc<Oracle>>, RawQuery(raw): RawQuery) -> Response {
    let query = match parse_query(raw.as_deref()) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let data = orc.read();
    let base = format!("{}/recruitingJobRequisitions", orc.api_url);
    let links = !query.only_data;
    collection(&base, &query, data.requisitions.len(), data.requisitions.values(), |r| {
        r.to_json(links.then(|| format!("{base}/{}", r.number)).as_deref())
    })
}

pub async fn candidates(State(orc): State<Arc<Oracle>>, RawQuery(raw): RawQuery) -> Response {
    let query = match parse_query(raw.as_deref()) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let number = match filter_value(&query, &["CandidateNumber"], "CandidateNumber") {
        Ok(n) => n.map(str::to_owned),
        Err(r) => return *r,
    };
    let data = orc.read();
    let base = format!("{}/recruitingCandidates", orc.api_url);
    let links = !query.only_data;
    let matching = data.candidates.values().filter(|c| number.as_deref().is_none_or(|n| c.number == n));
    let total = matching.clone().count();
    collection(&base, &query, total, matching, |c| c.to_json(links.then(|| format!("{base}/{}", c.number)).as_deref()))
}

pub async fn candidate(State(orc): State<Arc<Oracle>>, Path(number): Path<String>) -> Response {
    let data = orc.read();
    match number.parse::<u64>().ok().and_then(|n| data.candidates.get(&n)) {
        Some(c) => {
            let href = format!("{}/recruitingCandidates/{}", orc.api_url, c.number);
            with_type(http::json(StatusCode::OK, &c.to_json(Some(&href))), ITEM_TYPE)
        }
        None => error(StatusCode::NOT_FOUND, "The requested resource does not exist"),
    }
}

pub async fn applications(State(orc): State<Arc<Oracle>>, RawQuery(raw): RawQuery) -> Response {
    let query = match parse_query(raw.as_deref()) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let allowed = ["CandidateNumber", "RequisitionNumber", "SubmissionId"];
    let (candidate, requisition) = match (
        filter_value(&query, &allowed, "CandidateNumber"),
        filter_value(&query, &allowed, "RequisitionNumber"),
    ) {
        (Ok(c), Ok(r)) => (c.map(str::to_owned), r.map(str::to_owned)),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    let data = orc.read();
    let base = format!("{}/recruitingUIJobApplications", orc.api_url);
    let links = !query.only_data;
    // A candidate filter reads that candidate's applications only, not all of them.
    let by_candidate: Option<Vec<u64>> = candidate.as_deref().map(|n| {
        n.parse::<u64>()
            .ok()
            .and_then(|k| data.candidates.get(&k))
            .map(|c| c.submission_ids.clone())
            .unwrap_or_default()
    });
    let all: Box<dyn Iterator<Item = &super::model::Application> + '_> = match &by_candidate {
        Some(ids) => Box::new(ids.iter().filter_map(|id| data.applications.get(id))),
        None => Box::new(data.applications.values()),
    };
    let matching: Vec<&super::model::Application> =
        all.filter(|a| requisition.as_deref().is_none_or(|r| a.requisition_number == r)).collect();
    collection(&base, &query, matching.len(), matching.iter(), |a| {
        a.to_json(links.then(|| format!("{base}/{}", a.submission_id)).as_deref())
    })
}

pub async fn application(State(orc): State<Arc<Oracle>>, Path(sid): Path<String>) -> Response {
    let data = orc.read();
    match sid.parse::<u64>().ok().and_then(|id| data.applications.get(&id)) {
        Some(a) => {
            let href = format!("{}/recruitingUIJobApplications/{}", orc.api_url, a.submission_id);
            with_type(http::json(StatusCode::OK, &a.to_json(Some(&href))), ITEM_TYPE)
        }
        None => error(StatusCode::NOT_FOUND, "The requested resource does not exist"),
    }
}

/// Resolves a path to the owner of an attachment child collection, with the
/// collection's URL and the candidate it belongs to.
fn resolve(orc: &Oracle, target: &Target) -> Result<(Owner, String, String), Box<Response>> {
    let missing = || Box::new(error(StatusCode::NOT_FOUND, "The requested resource does not exist"));
    let data = orc.read();
    match target {
        Target::Candidate(number) => {
            let c = number.parse::<u64>().ok().and_then(|n| data.candidates.get(&n)).ok_or_else(missing)?;
            let href = format!("{}/recruitingCandidates/{}/child/attachments", orc.api_url, c.number);
            Ok((Owner::Candidate, href, c.number.clone()))
        }
        Target::Application(sid, child) => {
            let internal = match child.as_str() {
                "Attachments" => false,
                "InternalAttachments" => true,
                _ => return Err(missing()),
            };
            let a = sid.parse::<u64>().ok().and_then(|id| data.applications.get(&id)).ok_or_else(missing)?;
            let href = format!("{}/recruitingUIJobApplications/{}/child/{child}", orc.api_url, a.submission_id);
            Ok((Owner::Application { submission_id: a.submission_id, internal }, href, a.candidate_number.clone()))
        }
    }
}

enum Target {
    Candidate(String),
    Application(String, String),
}

fn belongs(attachment: &Attachment, owner: &Owner, candidate: &str) -> bool {
    attachment.owner == *owner && attachment.candidate_number == candidate
}

fn list(orc: &Oracle, target: Target, raw: Option<&str>) -> Response {
    let query = match parse_query(raw) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let (owner, href, candidate) = match resolve(orc, &target) {
        Ok(resolved) => resolved,
        Err(r) => return *r,
    };
    let category = match filter_value(&query, &["CategoryName"], "CategoryName") {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let data = orc.read();
    let matching: Vec<&Attachment> = data
        .attachments
        .values()
        .filter(|a| belongs(a, &owner, &candidate) && category.is_none_or(|c| a.category == c))
        .collect();
    let links = !query.only_data;
    collection(&href, &query, matching.len(), matching.iter(), |a| {
        a.to_json(links.then(|| format!("{href}/{}", a.id)).as_deref())
    })
}

fn one(orc: &Oracle, target: Target, id: &str, file: bool) -> Response {
    let (owner, href, candidate) = match resolve(orc, &target) {
        Ok(resolved) => resolved,
        Err(r) => return *r,
    };
    let data = orc.read();
    let Some(attachment) =
        id.parse::<u64>().ok().and_then(|id| data.attachments.get(&id)).filter(|a| belongs(a, &owner, &candidate))
    else {
        return error(StatusCode::NOT_FOUND, "The requested resource does not exist");
    };
    if !file {
        let item = attachment.to_json(Some(&format!("{href}/{}", attachment.id)));
        return with_type(http::json(StatusCode::OK, &item), ITEM_TYPE);
    }
    let mut response = Response::new(Body::from(attachment.bytes.clone()));
    let content_type = HeaderValue::from_str(&attachment.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    response
}

pub async fn candidate_attachments(
    State(orc): State<Arc<Oracle>>,
    Path(number): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    list(&orc, Target::Candidate(number), raw.as_deref())
}

pub async fn application_attachments(
    State(orc): State<Arc<Oracle>>,
    Path((sid, child)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    list(&orc, Target::Application(sid, child), raw.as_deref())
}

pub async fn candidate_attachment(
    State(orc): State<Arc<Oracle>>,
    Path((number, id)): Path<(String, String)>,
) -> Response {
    one(&orc, Target::Candidate(number), &id, false)
}

pub async fn candidate_file(State(orc): State<Arc<Oracle>>, Path((number, id)): Path<(String, String)>) -> Response {
    one(&orc, Target::Candidate(number), &id, true)
}

pub async fn application_attachment(
    State(orc): State<Arc<Oracle>>,
    Path((sid, child, id)): Path<(String, String, String)>,
) -> Response {
    one(&orc, Target::Application(sid, child), &id, false)
}

pub async fn application_file(
    State(orc): State<Arc<Oracle>>,
    Path((sid, child, id)): Path<(String, String, String)>,
) -> Response {
    one(&orc, Target::Application(sid, child), &id, true)
}

pub async fn upload_to_candidate(
    State(orc): State<Arc<Oracle>>,
    Extension(caller): Extension<Caller>,
    Path(number): Path<String>,
    body: Bytes,
) -> Response {
    upload(&orc, &caller, Target::Candidate(number), &body)
}

pub async fn upload_to_application(
    State(orc): State<Arc<Oracle>>,
    Extension(caller): Extension<Caller>,
    Path((sid, child)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    upload(&orc, &caller, Target::Application(sid, child), &body)
}

/// The upload body; the base64 `FileContents` is borrowed from the request buffer.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadBody<'a> {
    datatype_code: Option<&'a str>,
    category_name: Option<&'a str>,
    file_name: Option<String>,
    uploaded_file_name: Option<String>,
    title: Option<String>,
    uploaded_file_content_type: Option<String>,
    #[serde(borrow)]
    file_contents: Option<&'a str>,
}

fn upload(orc: &Oracle, caller: &Caller, target: Target, body: &Bytes) -> Response {
    let (owner, href, candidate) = match resolve(orc, &target) {
        Ok(resolved) => resolved,
        Err(r) => return *r,
    };
    if !caller.can_upload {
        return error(
            StatusCode::FORBIDDEN,
            &format!("User {} is not authorized to create attachments on this resource", caller.username),
        );
    }
    let bad = |detail: &str| error(StatusCode::BAD_REQUEST, detail);
    let parsed: UploadBody<'_> = match serde_json::from_slice(body) {
        Ok(parsed) => parsed,
        Err(e) => return bad(&format!("The request body is not a valid resource item: {e}")),
    };
    if parsed.datatype_code.is_some_and(|d| d != "FILE") {
        return bad("DatatypeCode must be FILE for an uploaded file");
    }
    let Some(category) = parsed.category_name.filter(|c| CATEGORIES.contains(c)) else {
        return bad(&format!("CategoryName must be one of {}", CATEGORIES.join(", ")));
    };
    let Some(file_name) = parsed.uploaded_file_name.or(parsed.file_name).filter(|n| !n.trim().is_empty()) else {
        return bad("FileName or UploadedFileName is required");
    };
    let title = parsed.title.unwrap_or_else(|| file_name.clone());
    if title.chars().count() > TITLE_MAX {
        return bad("Title must be at most 80 characters");
    }
    let Some(contents) = parsed.file_contents.filter(|c| !c.is_empty()) else {
        return bad("FileContents is required for a FILE attachment");
    };
    let Ok(bytes) = base64_simd::STANDARD.decode_to_vec(contents.as_bytes()) else {
        return bad("FileContents must be base64");
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let mut data = orc.write();
    let id = data.next_attachment_id;
    data.next_attachment_id += 1;
    let attachment = Attachment {
        id,
        owner,
        candidate_number: candidate,
        file_name,
        category: category.to_owned(),
        title,
        content_type: parsed.uploaded_file_content_type.unwrap_or_else(|| "application/octet-stream".to_owned()),
        created_by: caller.username.clone(),
        creation_date: chrono::Utc::now(),
        sha256,
        bytes: Bytes::from(bytes),
    };
    let item = attachment.to_json(Some(&format!("{href}/{id}")));
    data.attachments.insert(id, attachment);
    with_type(http::json(StatusCode::CREATED, &item), ITEM_TYPE)
}
