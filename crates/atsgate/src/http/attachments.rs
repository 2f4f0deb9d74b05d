//! `POST /v1/ats/applications/{id}/attachments` and `POST /v1/ats/candidates/{id}/attachments`.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, Uri},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    extract::{action_slot, AppState, JsonBytes, Scoped},
    idempotency, PathParam,
};
use crate::{
    actions::{
        attachment_input::{self, Endpoint},
        attachments, permissions,
        verification::{NoJournal, UploadJournal},
        Warning,
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

/// Runs an add-attachment action, once per `Idempotency-Key` when the caller sends one.
async fn add(
    app: AppState,
    scoped: Scoped,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
    endpoint: Endpoint,
    id: String,
) -> Result<Response> {
    permissions::require_action(&scoped.integration, permissions::ADD_ATTACHMENTS, "Add attachments")?;
    match idempotency::key(&headers)? {
        None => Ok(perform(&app, &scoped, &body, endpoint, &id, &NoJournal).await),
        Some(key) => {
            let integration = &scoped.integration;
            let (workspace_id, integration_id) = (&integration.workspace_id, &integration.id);
            idempotency::once(&app, workspace_id, &key, uri.path(), integration_id, &body, |journal| async {
                let journal = journal;
                perform(&app, &scoped, &body, endpoint, &id, &journal).await
            })
            .await
        }
    }
}

/// The action itself, answered as a response (errors included) so it can be stored for replay.
async fn perform(
    app: &AppState,
    scoped: &Scoped,
    body: &Bytes,
    endpoint: Endpoint,
    id: &str,
    journal: &dyn UploadJournal,
) -> Response {
    let result: Result<Json<ActionResponse>> = async {
        let _slot = action_slot(app, &scoped.integration)?;
        let input = attachment_input::parse(body, endpoint, app.config.max_attachment_bytes)?;
        let warnings = match endpoint {
            Endpoint::Application => {
                attachments::add_to_application(app, &scoped.integration, id, input, journal).await?
            }
            Endpoint::Candidate => attachments::add_to_candidate(app, &scoped.integration, id, input, journal).await?,
        };
        Ok(success(warnings))
    }
    .await;
    result.into_response()
}

/// Add attachment to application. Falls back to the candidate when the ATS cannot attach to
/// applications (with a warning). Requires the `add_attachments` permission. Send an
/// `Idempotency-Key` header to make retries safe.
#[utoipa::path(
    post,
    path = "/v1/ats/applications/{application_id}/attachments",
    operation_id = "PostAtsApplicationsApplicationIdAttachments",
    tag = "Unified ATS API",
    params(("application_id" = String, Path), ("X-Integration-Id" = String, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = super::openapi::AttachmentRequest, content_type = "application/json"),
    responses((status = 200, body = ActionResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = []))
)]
pub async fn add_to_application(
    State(app): State<AppState>,
    scoped: Scoped,
    headers: HeaderMap,
    uri: Uri,
    PathParam(application_id): PathParam,
    JsonBytes(body, _held): JsonBytes,
) -> Result<Response> {
    add(app, scoped, headers, uri, body, Endpoint::Application, application_id).await
}

/// Add attachment to candidate. Requires the `add_attachments` permission. Send an
/// `Idempotency-Key` header to make retries safe.
#[utoipa::path(
    post,
    path = "/v1/ats/candidates/{candidate_id}/attachments",
    operation_id = "PostAtsCandidatesCandidateIdAttachments",
    tag = "Unified ATS API",
    params(("candidate_id" = String, Path), ("X-Integration-Id" = String, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = super::openapi::CandidateAttachmentRequest, content_type = "application/json"),
    responses((status = 200, body = ActionResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = []))
)]
pub async fn add_to_candidate(
    State(app): State<AppState>,
    scoped: Scoped,
    headers: HeaderMap,
    uri: Uri,
    PathParam(candidate_id): PathParam,
    JsonBytes(body, _held): JsonBytes,
) -> Result<Response> {
    add(app, scoped, headers, uri, body, Endpoint::Candidate, candidate_id).await
}
