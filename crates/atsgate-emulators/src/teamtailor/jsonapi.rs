//! JSON:API plumbing: the media type, error documents, page-number
//! pagination with `links`/`meta`, and `include` parsing.
//!
//! Teamtailor answers `application/vnd.api+json` and reports failures as
//! `{"errors":[{"status","title","detail","source":{"pointer"}}]}`.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::common::edge::set_retry_after;

/// An error answer on its way out of a helper (boxed: a `Response` is large).
pub type Rejection = Box<Response>;

pub const MEDIA_TYPE: &str = "application/vnd.api+json; charset=utf-8";
pub const DEFAULT_PAGE_SIZE: usize = 10;
/// Believed to be Teamtailor's maximum `page[size]`.
pub const MAX_PAGE_SIZE: usize = 30;

pub fn document(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(serde_json::to_vec(value).unwrap_or_default()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    response
}

/// One error object; `pointer` names the offending member of the request document.
pub fn error(status: StatusCode, title: &str, detail: &str, pointer: Option<&str>) -> Response {
    let mut object = json!({ "status": status.as_u16().to_string(), "title": title, "detail": detail });
    if let Some(pointer) = pointer {
        object["source"] = json!({ "pointer": pointer });
    }
    document(status, &json!({ "errors": [object] }))
}

/// Writes must be sent as `application/vnd.api+json` (415 otherwise, per JSON:API).
pub fn require_json_api(headers: &HeaderMap) -> Result<(), Rejection> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/vnd.api+json"));
    if ok {
        return Ok(());
    }
    Err(Box::new(error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Unsupported Media Type",
        "Content-Type must be application/vnd.api+json",
        None,
    )))
}

/// A query-parameter problem (`source.parameter`, as JSON:API has it).
pub fn bad_parameter(parameter: &str, detail: &str) -> Response {
    let body = json!({ "errors": [{
        "status": "400", "title": "Invalid parameter", "detail": detail, "source": { "parameter": parameter },
    }]});
    document(StatusCode::BAD_REQUEST, &body)
}

pub fn unprocessable(detail: &str, pointer: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, "Unprocessable Entity", detail, Some(pointer))
}

pub fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Record not found", "The record identified could not be found.", None)
}

/// The answer of an injected fault (see `common::faults`).
pub fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let mut response = error(status, title, title, None);
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
        if status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert("x-rate-limit-reset", HeaderValue::from(secs));
        }
    }
    response
}

/// A parsed list query: page, size and the other parameters to carry into `links`.
pub struct ListQuery {
    pub number: usize,
    pub size: usize,
    pub include: Vec<String>,
    rest: Vec<(String, String)>,
}

impl ListQuery {
    pub fn parse(raw: Option<&str>) -> Result<Self, Rejection> {
        let mut query = ListQuery { number: 1, size: DEFAULT_PAGE_SIZE, include: Vec::new(), rest: Vec::new() };
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                "page[number]" => {
                    query.number = value.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        Box::new(bad_parameter("page[number]", "page[number] must be a positive integer"))
                    })?
                }
                "page[size]" => {
                    query.size = value.parse().ok().filter(|n| (1..=MAX_PAGE_SIZE).contains(n)).ok_or_else(|| {
                        Box::new(bad_parameter(
                            "page[size]",
                            &format!("page[size] must be between 1 and {MAX_PAGE_SIZE}"),
                        ))
                    })?
                }
                "include" => {
                    query.include = value.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
                    query.rest.push((key.into_owned(), value.into_owned()));
                }
                _ => query.rest.push((key.into_owned(), value.into_owned())),
            }
        }
        Ok(query)
    }

    /// Rejects `include` paths this resource does not have.
    pub fn check_include<'a>(&self, allowed: &[&'a str]) -> Result<Vec<&'a str>, Rejection> {
        self.include
            .iter()
            .map(|name| {
                allowed.iter().find(|a| **a == name).copied().ok_or_else(|| {
                    Box::new(bad_parameter("include", &format!("{name} is not a valid relationship of this resource")))
                })
            })
            .collect()
    }

    /// The slice of `items` this page shows.
    pub fn window<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.number - 1).saturating_mul(self.size).min(items.len());
        let end = start.saturating_add(self.size).min(items.len());
        &items[start..end]
    }

    fn url(&self, base: &str, path: &str, number: usize) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("page[number]", &number.to_string());
        out.append_pair("page[size]", &self.size.to_string());
        for (k, v) in &self.rest {
            out.append_pair(k, v);
        }
        format!("{base}{path}?{}", out.finish())
    }

    /// A list document: `data`, `included` (if any), `links` and `meta`.
    pub fn page_document(&self, base: &str, path: &str, total: usize, data: Vec<Value>, included: Vec<Value>) -> Value {
        let pages = total.div_ceil(self.size).max(1);
        let mut links = json!({
            "first": self.url(base, path, 1),
            "last": self.url(base, path, pages),
        });
        if self.number > 1 {
            links["prev"] = json!(self.url(base, path, (self.number - 1).min(pages)));
        }
        if self.number < pages {
            links["next"] = json!(self.url(base, path, self.number + 1));
        }
        let mut doc = json!({
            "data": data,
            "links": links,
            "meta": { "record-count": total, "page-count": pages },
        });
        if !self.include.is_empty() {
            doc["included"] = Value::Array(included);
        }
        doc
    }
}

/// Included resources without duplicates, in first-seen order.
#[derive(Default)]
pub struct Included {
    seen: std::collections::HashSet<(&'static str, u64)>,
    pub items: Vec<Value>,
}

impl Included {
    pub fn add(&mut self, kind: &'static str, id: u64, make: impl FnOnce() -> Option<Value>) {
        if self.seen.insert((kind, id)) {
            if let Some(value) = make() {
                self.items.push(value);
            }
        }
    }
}
