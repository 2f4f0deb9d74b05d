//! `POST /v1/ats/applications/{id}/attachments` and `POST /v1/ats/candidates/{id}/attachments`.

use axum::{extract::State, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    extract::{AppState, JsonBytes, Scoped},
    PathParam,
};
use crate::{
    actions::{
        attachment_input::{self, Endpoint},
        attachments, permissions, Warning,
    },
    error::Result,
    interaction,
};

/// Always an empty object for these actions.
#[derive(Serialize, ToSchema, Default)]
pub struct Empty {}

#[derive(Serialize, ToSchema)]
pub struct ActionResponse {
    /// Always `"success"`.
    pub status: &'static str,
    pub data: Empty,
    pub warnings: Vec<Warning>,
}

pub fn success(warnings: Vec<Warning>) -> Json<ActionResponse> {
    interaction::with_current(|s| s.warnings = warnings.iter().map(|w| w.message.clone()).collect());
    Json(ActionResponse { status: "success", data: Empty {}, warnings })
}

/// Add attachment to application. Falls back to the candidate when the ATS cannot attach to
/// applications (with a warning). Requires the `add_attachments` permission.
#[utoipa::path(
    post,
    path = "/v1/ats/applications/{application_id}/attachments",
    operation_id = "PostAtsApplicationsApplicationIdAttachments",
    tag = "Unified ATS API",
    params(("application_id" = String, Path), ("X-Integration-Id" = String, Header)),
    request_body(content = super::openapi::AttachmentRequest, content_type = "application/json"),
    responses((status = 200, body = ActionResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = []))
)]
pub async fn add_to_application(
    State(app): State<AppState>,
    scoped: Scoped,
    PathParam(application_id): PathParam,
    JsonBytes(body): JsonBytes,
) -> Result<Json<ActionResponse>> {
    permissions::require_action(&scoped.integration, permissions::ADD_ATTACHMENTS, "Add attachments")?;
    let input = attachment_input::parse(&body, Endpoint::Application, app.config.max_attachment_bytes)?;
    let warnings = attachments::add_to_application(&app, &scoped.integration, &application_id, input).await?;
    Ok(success(warnings))
}

/// Add attachment to candidate. Requires the `add_attachments` permission.
#[utoipa::path(
    post,
    path = "/v1/ats/candidates/{candidate_id}/attachments",
    operation_id = "PostAtsCandidatesCandidateIdAttachments",
    tag = "Unified ATS API",
    params(("candidate_id" = String, Path), ("X-Integration-Id" = String, Header)),
    request_body(content = super::openapi::CandidateAttachmentRequest, content_type = "application/json"),
    responses((status = 200, body = ActionResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = []))
)]
pub async fn add_to_candidate(
    State(app): State<AppState>,
    scoped: Scoped,
    PathParam(candidate_id): PathParam,
    JsonBytes(body): JsonBytes,
) -> Result<Json<ActionResponse>> {
    permissions::require_action(&scoped.integration, permissions::ADD_ATTACHMENTS, "Add attachments")?;
    let input = attachment_input::parse(&body, Endpoint::Candidate, app.config.max_attachment_bytes)?;
    let warnings = attachments::add_to_candidate(&app, &scoped.integration, &candidate_id, input).await?;
    Ok(success(warnings))
}
