//! The read endpoints: jobs, candidates and job applications as JSON:API
//! documents, page-number paginated, with `include` for relationships.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::jsonapi::{document, not_found, Included, ListQuery};
use super::model::Application;
use super::store::Store;
use super::Teamtailor;

pub const APPLICATION_INCLUDES: &[&str] = &["candidate", "job", "stage", "reject-reason"];

pub async fn jobs(State(tt): State<Arc<Teamtailor>>, RawQuery(raw): RawQuery) -> Response {
    let query = match ListQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(response) => return *response,
    };
    if let Err(response) = query.check_include(&[]) {
        return *response;
    }
    let store = tt.read_store();
    let data = query.window(&store.jobs).iter().map(|j| j.resource(&tt.base_url)).collect();
    let doc = query.page_document(&tt.base_url, "/v1/jobs", store.jobs.len(), data, Vec::new());
    document(StatusCode::OK, &doc)
}

pub async fn users(State(tt): State<Arc<Teamtailor>>, RawQuery(raw): RawQuery) -> Response {
    let query = match ListQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(response) => return *response,
    };
    let store = tt.read_store();
    let data = query.window(&store.users).iter().map(|u| u.resource(&tt.base_url)).collect();
    let doc = query.page_document(&tt.base_url, "/v1/users", store.users.len(), data, Vec::new());
    document(StatusCode::OK, &doc)
}

pub async fn candidates(State(tt): State<Arc<Teamtailor>>, RawQuery(raw): RawQuery) -> Response {
    let query = match ListQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(response) => return *response,
    };
    if let Err(response) = query.check_include(&[]) {
        return *response;
    }
    let store = tt.read_store();
    let data = query.window(&store.candidates).iter().map(|c| tt.candidate_resource(&store, c)).collect();
    let doc = query.page_document(&tt.base_url, "/v1/candidates", store.candidates.len(), data, Vec::new());
    document(StatusCode::OK, &doc)
}

pub async fn candidate(State(tt): State<Arc<Teamtailor>>, Path(id): Path<String>) -> Response {
    let store = tt.read_store();
    match id.parse().ok().and_then(|id| store.candidate(id)) {
        Some(c) => document(StatusCode::OK, &json!({ "data": tt.candidate_resource(&store, c) })),
        None => not_found(),
    }
}

pub async fn applications(State(tt): State<Arc<Teamtailor>>, RawQuery(raw): RawQuery) -> Response {
    let store = tt.read_store();
    let all: Vec<&Application> = store.applications.iter().collect();
    application_page(&tt, &store, raw.as_deref(), "/v1/job-applications", &all)
}

pub async fn candidate_applications(
    State(tt): State<Arc<Teamtailor>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let store = tt.read_store();
    let Some(candidate) = id.parse().ok().and_then(|id| store.candidate(id)) else {
        return not_found();
    };
    let own: Vec<&Application> = candidate.application_ids.iter().filter_map(|a| store.application(*a)).collect();
    application_page(&tt, &store, raw.as_deref(), &format!("/v1/candidates/{id}/job-applications"), &own)
}

pub async fn application(
    State(tt): State<Arc<Teamtailor>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = match ListQuery::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(response) => return *response,
    };
    let include = match query.check_include(APPLICATION_INCLUDES) {
        Ok(i) => i,
        Err(response) => return *response,
    };
    let store = tt.read_store();
    let Some(application) = id.parse().ok().and_then(|id| store.application(id)) else {
        return not_found();
    };
    let mut included = Included::default();
    include_for(&tt, &store, application, &include, &mut included);
    let mut doc = json!({ "data": application.resource(&tt.base_url, &include) });
    if !include.is_empty() {
        doc["included"] = Value::Array(included.items);
    }
    document(StatusCode::OK, &doc)
}

fn application_page(tt: &Teamtailor, store: &Store, raw: Option<&str>, path: &str, all: &[&Application]) -> Response {
    let query = match ListQuery::parse(raw) {
        Ok(q) => q,
        Err(response) => return *response,
    };
    let include = match query.check_include(APPLICATION_INCLUDES) {
        Ok(i) => i,
        Err(response) => return *response,
    };
    let mut included = Included::default();
    let data = query
        .window(all)
        .iter()
        .map(|a| {
            include_for(tt, store, a, &include, &mut included);
            a.resource(&tt.base_url, &include)
        })
        .collect();
    let doc = query.page_document(&tt.base_url, path, all.len(), data, included.items);
    document(StatusCode::OK, &doc)
}

fn include_for(tt: &Teamtailor, store: &Store, a: &Application, include: &[&str], out: &mut Included) {
    let base = &tt.base_url;
    for name in include {
        match *name {
            "candidate" => out.add("candidates", a.candidate_id, || {
                Some(tt.candidate_resource(store, store.candidate(a.candidate_id)?))
            }),
            "job" => out.add("jobs", a.job_id, || Some(store.job(a.job_id)?.resource(base))),
            "stage" => out.add("stages", a.stage_id, || Some(store.stage(a.stage_id)?.resource(base))),
            "reject-reason" => {
                if let Some(id) = a.reject_reason_id {
                    out.add("reject-reasons", id, || Some(store.reject_reason(id)?.resource(base)))
                }
            }
            _ => {}
        }
    }
}
