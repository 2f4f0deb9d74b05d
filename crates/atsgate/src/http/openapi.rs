//! `GET /v1/openapi.json`, generated from the handlers' annotations and the model types.

use axum::Json;
use serde::Deserialize;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi, ToSchema,
};

/// The attachment object of the request body (documentation shape; parsing is in `actions`).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentObject {
    /// File name shown in the ATS, with an extension (e.g. "Resume.pdf").
    name: String,
    /// `CV`, `COVER_LETTER` or `OTHER`.
    #[serde(rename = "type")]
    #[schema(pattern = "^(CV|COVER_LETTER|OTHER)$")]
    kind: String,
    /// Required with `data`; taken from the download's `Content-Type` with `data_url`.
    #[schema(pattern = r"^[\w.+-]+/[\w.+-]+$")]
    content_type: Option<String>,
    /// Public http(s) URL downloaded at once. Either this or `data`.
    #[schema(format = "uri")]
    data_url: Option<String>,
    /// Standard base64 file contents. Either this or `data_url`.
    data: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct GreenhousePostHeaders {
    #[serde(rename = "On-Behalf-Of")]
    on_behalf_of: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct GreenhouseRemoteFields {
    post_headers: Option<GreenhousePostHeaders>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct WorkableRemoteFields {
    on_behalf_of_user_remote_id: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct OracleRemoteFields {
    #[schema(pattern = "^(IRC_CANDIDATE_RESUME|IRC_CANDIDATE_COVERLETTER|MISC|IRC_INTERNAL)$")]
    override_document_category: Option<String>,
    multi_post_to_all_current_applications: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ApplicationRemoteFields {
    oracle: Option<OracleRemoteFields>,
    greenhouse: Option<GreenhouseRemoteFields>,
    workable: Option<WorkableRemoteFields>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CandidateRemoteFields {
    greenhouse: Option<GreenhouseRemoteFields>,
    workable: Option<WorkableRemoteFields>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentRequest {
    attachment: AttachmentObject,
    remote_fields: Option<ApplicationRemoteFields>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CandidateAttachmentRequest {
    attachment: AttachmentObject,
    remote_fields: Option<CandidateRemoteFields>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "ApiKey",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "atsgate", description = "Self-hosted unified ATS API, wire-compatible with Kombo's unified ATS API."),
    paths(
        super::attachments::add_to_application,
        super::attachments::add_to_candidate,
        super::reading::application_attachments,
        super::reading::candidate_attachments,
        super::reading::application_action,
        super::reading::candidate_action,
        super::models::applications,
        super::models::candidates,
        super::general::check_api_key,
        super::general::get_integration,
        super::general::force_sync,
    ),
    components(schemas(super::error::ErrorEnvelope, crate::actions::Warning)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
