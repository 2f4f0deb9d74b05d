//! `GET /v1/ats/applications` and `GET /v1/ats/candidates`: synced models, paginated.

use axum::{
    extract::{RawQuery, State},
    Json,
};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::{
    openapi::{
        schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type},
        Ref, RefOr,
    },
    PartialSchema, ToSchema,
};

use super::extract::{AppState, Scoped};
use crate::{
    actions::{
        listing::{self, Model},
        permissions,
    },
    error::Result,
    model::{Application, Candidate},
};

#[derive(Serialize)]
pub struct PageData {
    pub next: Option<String>,
    pub results: Vec<Box<RawValue>>,
}

/// `{"status":"success","data":{"next","results"}}` — no `warnings` on model endpoints.
#[derive(Serialize)]
pub struct PageResponse {
    pub status: &'static str,
    pub data: PageData,
}

/// `GET /v1/ats/applications`'s answer in the OpenAPI document (its `results` are
/// pre-serialized, so the schema is written out here).
pub struct ApplicationsResponse;

/// `GET /v1/ats/candidates`'s answer in the OpenAPI document.
pub struct CandidatesResponse;

/// `{"status", "data": {"next", "results": [T]}}`.
fn page_schema<T: ToSchema>() -> RefOr<Schema> {
    let data = ObjectBuilder::new()
        .property("next", ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])))
        .property("results", ArrayBuilder::new().items(Ref::from_schema_name(T::name())))
        .required("results");
    ObjectBuilder::new()
        .property("status", ObjectBuilder::new().schema_type(Type::String))
        .required("status")
        .property("data", data)
        .required("data")
        .into()
}

/// The model a page holds, for the document's components.
fn page_item<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into(), T::schema()));
    T::schemas(schemas);
}

impl PartialSchema for ApplicationsResponse {
    fn schema() -> RefOr<Schema> {
        page_schema::<Application>()
    }
}

impl ToSchema for ApplicationsResponse {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        page_item::<Application>(schemas);
    }
}

impl PartialSchema for CandidatesResponse {
    fn schema() -> RefOr<Schema> {
        page_schema::<Candidate>()
    }
}

impl ToSchema for CandidatesResponse {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        page_item::<Candidate>(schemas);
    }
}

fn pairs(query: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect()
}

async fn page(app: &AppState, scoped: &Scoped, model: Model, query: Option<String>) -> Result<Json<PageResponse>> {
    let page = listing::list(app, &scoped.integration, model, &pairs(query)).await?;
    Ok(Json(PageResponse { status: "success", data: PageData { next: page.next, results: page.results } }))
}

/// Get applications (synced). Cursor pagination; `data.next` is null on the last page.
#[utoipa::path(
    get,
    path = "/v1/ats/applications",
    operation_id = "GetAtsApplications",
    tag = "Unified ATS API",
    params(
        ("X-Integration-Id" = String, Header),
        ("cursor" = Option<String>, Query), ("page_size" = Option<u32>, Query, minimum = 1, maximum = 250),
        ("updated_after" = Option<String>, Query), ("include_deleted" = Option<bool>, Query),
        ("ignore_unsupported_filters" = Option<bool>, Query), ("ids" = Option<String>, Query),
        ("remote_ids" = Option<String>, Query), ("outcomes" = Option<String>, Query), ("job_ids" = Option<String>, Query),
        ("job_remote_ids" = Option<String>, Query), ("current_stage_ids" = Option<String>, Query),
        ("remote_created_after" = Option<String>, Query),
    ),
    responses((status = 200, body = ApplicationsResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = []))
)]
pub async fn applications(
    State(app): State<AppState>,
    scoped: Scoped,
    RawQuery(query): RawQuery,
) -> Result<Json<PageResponse>> {
    permissions::require_model(&scoped.integration, permissions::READ_APPLICATIONS, "applications")?;
    page(&app, &scoped, Model::Applications, query).await
}

/// Get candidates (synced). Cursor pagination; `data.next` is null on the last page.
#[utoipa::path(
    get,
    path = "/v1/ats/candidates",
    operation_id = "GetAtsCandidates",
    tag = "Unified ATS API",
    params(
        ("X-Integration-Id" = String, Header),
        ("cursor" = Option<String>, Query), ("page_size" = Option<u32>, Query, minimum = 1, maximum = 250),
        ("updated_after" = Option<String>, Query), ("include_deleted" = Option<bool>, Query),
        ("ignore_unsupported_filters" = Option<bool>, Query), ("ids" = Option<String>, Query),
        ("remote_ids" = Option<String>, Query), ("email" = Option<String>, Query), ("job_ids" = Option<String>, Query),
        ("first_name" = Option<String>, Query), ("last_name" = Option<String>, Query),
    ),
    responses((status = 200, body = CandidatesResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = []))
)]
pub async fn candidates(
    State(app): State<AppState>,
    scoped: Scoped,
    RawQuery(query): RawQuery,
) -> Result<Json<PageResponse>> {
    permissions::require_model(&scoped.integration, permissions::READ_CANDIDATES, "candidates")?;
    page(&app, &scoped, Model::Candidates, query).await
}
