//! Reading attachments on demand, the signed download route behind their `data_url`, and the
//! per-integration attachment restrictions.

use axum::{
    body::Body,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    extract::{action_slot, AppState, Scoped},
    PathParam,
};
use crate::{
    actions::{permissions, reading, restrictions, Warning},
    error::Result,
};

#[derive(Serialize, ToSchema)]
pub struct AttachmentsData {
    pub results: Vec<reading::Attachment>,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentsResponse {
    pub status: &'static str,
    pub data: AttachmentsData,
    pub warnings: Vec<Warning>,
}

fn listed(results: Vec<reading::Attachment>) -> Json<AttachmentsResponse> {
    Json(AttachmentsResponse { status: "success", data: AttachmentsData { results }, warnings: vec![] })
}

/// Get application attachments, read from the ATS now; from the candidate when the ATS keeps
/// files there. Each `data_url` is a signed link valid for an hour.
#[utoipa::path(get, path = "/v1/ats/applications/{application_id}/attachments",
    operation_id = "GetAtsApplicationsApplicationIdAttachments", tag = "Unified ATS API",
    params(("application_id" = String, Path), ("X-Integration-Id" = String, Header)),
    responses((status = 200, body = AttachmentsResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = [])))]
pub async fn application_attachments(
    State(app): State<AppState>,
    scoped: Scoped,
    PathParam(id): PathParam,
) -> Result<Json<AttachmentsResponse>> {
    permissions::require_model(&scoped.integration, permissions::READ_ATTACHMENTS, "document attachments")?;
    let _slot = action_slot(&app, &scoped.integration)?;
    Ok(listed(reading::list_for_application(&app, &scoped.integration, &id).await?))
}

/// Get candidate attachments, including those of all their applications, read from the ATS now.
#[utoipa::path(get, path = "/v1/ats/candidates/{candidate_id}/attachments",
    operation_id = "GetAtsCandidatesCandidateIdAttachments", tag = "Unified ATS API",
    params(("candidate_id" = String, Path), ("X-Integration-Id" = String, Header)),
    responses((status = 200, body = AttachmentsResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = [])))]
pub async fn candidate_attachments(
    State(app): State<AppState>,
    scoped: Scoped,
    PathParam(id): PathParam,
) -> Result<Json<AttachmentsResponse>> {
    permissions::require_model(&scoped.integration, permissions::READ_ATTACHMENTS, "document attachments")?;
    let _slot = action_slot(&app, &scoped.integration)?;
    Ok(listed(reading::list_for_candidate(&app, &scoped.integration, &id).await?))
}

/// `GET /attachments/{token}`: streams the file from the ATS; the token is the authorization.
pub async fn download(State(app): State<AppState>, PathParam(token): PathParam) -> Result<Response> {
    let download = reading::download(&app, &token).await?;
    let disposition = format!("attachment; filename=\"{}\"", download.file_name.replace(['"', '\\', '\r', '\n'], "_"));
    let mut response = (
        [(header::CONTENT_TYPE, download.content_type), (header::CONTENT_DISPOSITION, disposition)],
        Body::from_stream(download.stream.body),
    )
        .into_response();
    if let Some(length) = download.stream.content_length {
        response.headers_mut().insert(header::CONTENT_LENGTH, length.into());
    }
    Ok(response)
}

#[derive(Serialize, ToSchema)]
pub struct RestrictionsData {
    pub attachment_restrictions: Option<restrictions::AttachmentRestrictions>,
}

#[derive(Serialize, ToSchema)]
pub struct RestrictionsResponse {
    pub status: &'static str,
    pub data: RestrictionsData,
}

async fn restrictions_of(app: &AppState, scoped: &Scoped) -> Result<Json<RestrictionsResponse>> {
    let connector = app.connector(&scoped.integration).await?;
    let attachment_restrictions =
        restrictions::for_connector(connector.capabilities(), app.config.max_attachment_bytes);
    Ok(Json(RestrictionsResponse { status: "success", data: RestrictionsData { attachment_restrictions } }))
}

/// Which attachment types, sizes and MIME types the application endpoint accepts here.
#[utoipa::path(get, path = "/v1/ats/actions/ats_add_application_attachment",
    operation_id = "GetAtsActionsAtsAddApplicationAttachment", tag = "Unified ATS API",
    params(("X-Integration-Id" = String, Header)),
    responses((status = 200, body = RestrictionsResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = [])))]
pub async fn application_action(State(app): State<AppState>, scoped: Scoped) -> Result<Json<RestrictionsResponse>> {
    restrictions_of(&app, &scoped).await
}

/// Which attachment types, sizes and MIME types the candidate endpoint accepts here.
#[utoipa::path(get, path = "/v1/ats/actions/ats_add_candidate_attachment",
    operation_id = "GetAtsActionsAtsAddCandidateAttachment", tag = "Unified ATS API",
    params(("X-Integration-Id" = String, Header)),
    responses((status = 200, body = RestrictionsResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = [])))]
pub async fn candidate_action(State(app): State<AppState>, scoped: Scoped) -> Result<Json<RestrictionsResponse>> {
    restrictions_of(&app, &scoped).await
}
