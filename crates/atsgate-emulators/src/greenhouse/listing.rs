//! The Harvest v3 list endpoints: jobs, users, candidates, applications and
//! attachments.
//!
//! Every list answers a bare JSON array in id order and paginates with an
//! opaque cursor in a `Link: <...>; rel="next"` header
//! (https://harvestdocs.greenhouse.io/docs/pagination). A page is a range scan
//! of the store's `BTreeMap` from the cursor's id (or a lookup per id when an
//! `ids` filter is given), stopping after `per_page + 1` matches: the extra
//! one only tells whether a next page exists.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::errors;
use super::filters::{self, Filters, Resource};
use super::model::Id;
use super::Greenhouse;
use crate::common::http;
use crate::common::pagination::{self, PageLimits, PageRequest};

const LIMITS: PageLimits = PageLimits { default_per_page: 100, max_per_page: 500 };

pub async fn jobs(State(gh): State<Arc<Greenhouse>>, RawQuery(query): RawQuery) -> Response {
    list(&gh, Resource::Jobs, query, |store, page, filters| {
        let rows = select(&store.jobs, page, filters, Filters::job);
        finish(&gh, Resource::Jobs, page, rows, |j| j.id, |rows| serialize(&rows))
    })
}

pub async fn users(State(gh): State<Arc<Greenhouse>>, RawQuery(query): RawQuery) -> Response {
    list(&gh, Resource::Users, query, |store, page, filters| {
        let rows = select(&store.users, page, filters, Filters::user);
        finish(&gh, Resource::Users, page, rows, |u| u.id, |rows| serialize(&rows))
    })
}

pub async fn candidates(State(gh): State<Arc<Greenhouse>>, RawQuery(query): RawQuery) -> Response {
    list(&gh, Resource::Candidates, query, |store, page, filters| {
        let rows = select(&store.candidates, page, filters, Filters::candidate);
        finish(&gh, Resource::Candidates, page, rows, |c| c.id, |rows| serialize(&rows))
    })
}

pub async fn applications(State(gh): State<Arc<Greenhouse>>, RawQuery(query): RawQuery) -> Response {
    list(&gh, Resource::Applications, query, |store, page, filters| {
        let rows = select(&store.applications, page, filters, Filters::application);
        finish(&gh, Resource::Applications, page, rows, |a| a.id, |rows| serialize(&rows))
    })
}

pub async fn attachments(State(gh): State<Arc<Greenhouse>>, RawQuery(query): RawQuery) -> Response {
    list(&gh, Resource::Attachments, query, |store, page, filters| {
        let rows = select(&store.attachments, page, filters, Filters::attachment);
        finish(
            &gh,
            Resource::Attachments,
            page,
            rows,
            |a| a.id,
            |rows| {
                let views: Vec<_> = rows.iter().map(|a| a.view(gh.download_url(a.id))).collect();
                serialize(&views)
            },
        )
    })
}

/// A resolved page: size, starting point and the first request's filters.
pub struct Page {
    request: PageRequest,
    after: Option<Id>,
}

/// Resolves query → (page, filters), then runs `body` under the read lock.
fn list(
    gh: &Greenhouse,
    resource: Resource,
    query: Option<String>,
    body: impl FnOnce(&super::store::Store, &Page, &Filters) -> Response,
) -> Response {
    let request = match pagination::parse(resource.name(), query.as_deref(), LIMITS) {
        Ok(request) => request,
        Err(error) => return errors::validation(&[error]),
    };
    let after = match request.after.as_deref().map(str::parse::<Id>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return errors::validation(&[http::FieldError::new("cursor", "Invalid cursor")]),
    };
    let filters = match filters::parse(resource, &request.filters) {
        Ok(filters) => filters,
        Err(problems) => return errors::validation(&problems),
    };
    let page = Page { request, after };
    let store = gh.read_store();
    body(&store, &page, &filters)
}

/// Up to `per_page + 1` matching records after the cursor, in id order.
fn select<'s, T>(
    map: &'s BTreeMap<Id, T>,
    page: &Page,
    filters: &Filters,
    matches: impl Fn(&Filters, &T) -> bool,
) -> Vec<&'s T> {
    let take = page.request.per_page + 1;
    let after = page.after.unwrap_or(0);
    match &filters.ids {
        Some(ids) => ids
            .iter()
            .filter(|id| **id > after)
            .filter_map(|id| map.get(id))
            .filter(|row| matches(filters, row))
            .take(take)
            .collect(),
        None => map
            .range((Bound::Excluded(after), Bound::Unbounded))
            .map(|(_, row)| row)
            .filter(|row| matches(filters, row))
            .take(take)
            .collect(),
    }
}

/// Trims the look-ahead record, serialises the page and adds the Link header.
fn finish<T>(
    gh: &Greenhouse,
    resource: Resource,
    page: &Page,
    mut rows: Vec<&T>,
    id_of: impl Fn(&T) -> Id,
    to_json: impl FnOnce(&[&T]) -> Vec<u8>,
) -> Response {
    let has_more = rows.len() > page.request.per_page;
    rows.truncate(page.request.per_page);
    let mut response = http::json_bytes(StatusCode::OK, to_json(&rows));
    if has_more {
        if let Some(last) = rows.last() {
            let cursor = pagination::next_cursor(resource.name(), &page.request, &id_of(last).to_string());
            response.headers_mut().insert(header::LINK, pagination::link_next(&gh.base_url, resource.path(), &cursor));
        }
    }
    response
}

fn serialize<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialise")
}
