//! Opaque-cursor pagination, as modern ATS list endpoints do it.
//!
//! The first request carries filters and a page size; every later page is
//! reached through a `Link: <...?cursor=...>; rel="next"` URL whose cursor
//! must be the only query parameter. Since nothing but the cursor is resent,
//! the cursor carries the whole first query (filters and page size) plus the
//! id of the last record served. Keyset paging on ids keeps pages stable
//! while records are added or deleted between requests.
//!
//! The cursor is URL-safe base64 of a small JSON document. It is opaque to
//! clients, but nothing secret is in it, so it is not signed; a cursor that
//! does not decode, or was issued by another list endpoint, is rejected.

use axum::http::HeaderValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::http::FieldError;

/// Page-size rules of one vendor.
#[derive(Clone, Copy, Debug)]
pub struct PageLimits {
    pub default_per_page: usize,
    pub max_per_page: usize,
}

/// A list request resolved to its first-request form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub per_page: usize,
    /// Serve records strictly after this id (`None` on the first page).
    pub after: Option<String>,
    /// The first request's query parameters other than `per_page`, in order.
    pub filters: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct CursorWire {
    /// Which list issued the cursor.
    r: String,
    a: String,
    p: usize,
    q: Vec<(String, String)>,
}

/// Name of the query parameter carrying the cursor.
pub const CURSOR_PARAM: &str = "cursor";
/// Name of the page-size parameter.
pub const PER_PAGE_PARAM: &str = "per_page";

/// Resolves the query of a list request for `resource`.
pub fn parse(resource: &str, raw_query: Option<&str>, limits: PageLimits) -> Result<PageRequest, FieldError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();

    if let Some((_, cursor)) = pairs.iter().find(|(k, _)| k == CURSOR_PARAM) {
        if pairs.len() > 1 {
            return Err(FieldError::new(CURSOR_PARAM, "cursor must be the only query parameter"));
        }
        return decode(resource, cursor, limits);
    }

    let mut per_page = limits.default_per_page;
    let mut filters = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        if key == PER_PAGE_PARAM {
            per_page =
                value.parse::<usize>().ok().filter(|n| (1..=limits.max_per_page).contains(n)).ok_or_else(|| {
                    FieldError::new(
                        PER_PAGE_PARAM,
                        format!("per_page must be an integer between 1 and {}", limits.max_per_page),
                    )
                })?;
        } else {
            filters.push((key, value));
        }
    }
    Ok(PageRequest { per_page, after: None, filters })
}

fn decode(resource: &str, cursor: &str, limits: PageLimits) -> Result<PageRequest, FieldError> {
    let invalid = || FieldError::new(CURSOR_PARAM, "Invalid cursor");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let wire: CursorWire = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if wire.r != resource || wire.p == 0 || wire.p > limits.max_per_page {
        return Err(invalid());
    }
    Ok(PageRequest { per_page: wire.p, after: Some(wire.a), filters: wire.q })
}

/// The cursor for the page after the record `last_id`.
pub fn next_cursor(resource: &str, request: &PageRequest, last_id: &str) -> String {
    let wire =
        CursorWire { r: resource.to_owned(), a: last_id.to_owned(), p: request.per_page, q: request.filters.clone() };
    let json = serde_json::to_vec(&wire).expect("cursor serialises");
    URL_SAFE_NO_PAD.encode(json)
}

/// `<{base_url}{path}?cursor={cursor}>; rel="next"`.
pub fn link_next(base_url: &str, path: &str, cursor: &str) -> HeaderValue {
    // Base64url and a URL we built ourselves are always valid header bytes.
    HeaderValue::from_str(&format!("<{base_url}{path}?{CURSOR_PARAM}={cursor}>; rel=\"next\""))
        .expect("link header is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: PageLimits = PageLimits { default_per_page: 100, max_per_page: 500 };

    #[test]
    fn first_request_then_cursor_round_trip() {
        let first = parse("jobs", Some("per_page=2&status=open"), LIMITS).unwrap();
        assert_eq!(first.per_page, 2);
        assert_eq!(first.filters, vec![("status".into(), "open".into())]);
        let cursor = next_cursor("jobs", &first, "30002");
        let next = parse("jobs", Some(&format!("cursor={cursor}")), LIMITS).unwrap();
        assert_eq!(next.after.as_deref(), Some("30002"));
        assert_eq!(next.filters, first.filters);
        assert_eq!(next.per_page, 2);
    }

    #[test]
    fn rejects_bad_requests() {
        assert_eq!(parse("jobs", Some("per_page=0"), LIMITS).unwrap_err().field, "per_page");
        assert!(parse("jobs", Some("per_page=501"), LIMITS).is_err());
        assert!(parse("jobs", Some("per_page=x"), LIMITS).is_err());
        assert!(parse("jobs", Some("cursor=abc&per_page=2"), LIMITS).is_err());
        assert!(parse("jobs", Some("cursor=!!"), LIMITS).is_err());
        let first = parse("jobs", None, LIMITS).unwrap();
        let cursor = next_cursor("jobs", &first, "1");
        assert!(parse("users", Some(&format!("cursor={cursor}")), LIMITS).is_err());
    }
}
