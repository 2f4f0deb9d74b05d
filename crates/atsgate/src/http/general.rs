//! General endpoints: `GET /v1/check-api-key`, `GET /v1/integrations/{id}`, `POST /v1/force-sync`.

use axum::{extract::State, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    extract::{integration_of, AppState, Caller, Scoped},
    PathParam,
};
use crate::{
    actions::permissions,
    connectors,
    error::{ErrorCode, Result},
    store::Integration,
};

#[derive(Serialize, ToSchema)]
pub struct CheckApiKeyData {
    pub environment_id: String,
    /// Deprecated alias of `environment_id`.
    pub customer_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckApiKeyResponse {
    pub status: &'static str,
    pub data: CheckApiKeyData,
}

/// Check API key: which environment (workspace) the key belongs to.
#[utoipa::path(get, path = "/v1/check-api-key", operation_id = "GetCheckApiKey", tag = "General",
    responses((status = 200, body = CheckApiKeyResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = [])))]
pub async fn check_api_key(caller: Caller) -> Json<CheckApiKeyResponse> {
    let id = caller.workspace.id.clone();
    Json(CheckApiKeyResponse {
        status: "success",
        data: CheckApiKeyData { environment_id: id.clone(), customer_id: id },
    })
}

#[derive(Serialize, ToSchema)]
pub struct ToolInfo {
    pub id: String,
    pub label: String,
    pub internal_label: Option<String>,
    pub logo_url: String,
    pub icon_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct EndUser {
    pub organization_name: String,
    pub creator_email: Option<String>,
    pub origin_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ScopeConfig {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldCoverage {
    pub id: String,
    pub is_available: bool,
    pub coverage_status: &'static str,
    pub scope_config_setting: &'static str,
    pub opted_out_by_customer: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReadModel {
    pub id: &'static str,
    pub label: &'static str,
    pub is_available: bool,
    pub coverage_status: &'static str,
    pub scope_config_setting: &'static str,
    pub opted_out_by_customer: bool,
    pub fields: Vec<FieldCoverage>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionField {
    pub id: &'static str,
    pub is_available: bool,
    pub coverage_status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct WriteAction {
    pub id: &'static str,
    pub label: &'static str,
    pub is_available: bool,
    pub coverage_status: &'static str,
    pub scope_config_setting: &'static str,
    pub opted_out_by_customer: bool,
    pub fields: Vec<ActionField>,
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationData {
    pub id: String,
    pub tool: ToolInfo,
    pub category: &'static str,
    pub status: &'static str,
    pub setup_status: &'static str,
    pub end_user: EndUser,
    pub scope_config: ScopeConfig,
    pub data_expired_at: Option<String>,
    pub created_at: String,
    pub beta: bool,
    pub read_models: Vec<ReadModel>,
    pub write_actions: Vec<WriteAction>,
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationResponse {
    pub status: &'static str,
    pub data: IntegrationData,
}

fn setting(on: bool) -> &'static str {
    if on {
        "ENABLED"
    } else {
        "DISABLED"
    }
}

fn coverage(supported: bool) -> &'static str {
    if supported {
        "SUPPORTED"
    } else {
        "NOT_IMPLEMENTED"
    }
}

fn read_model(
    integration: &Integration,
    id: &'static str,
    label: &'static str,
    permission: &str,
    supported: bool,
) -> ReadModel {
    let on = permissions::is_enabled(integration, permission);
    ReadModel {
        id,
        label,
        is_available: on && supported,
        coverage_status: coverage(supported),
        scope_config_setting: setting(on),
        opted_out_by_customer: false,
        fields: vec![],
    }
}

fn write_action(integration: &Integration, id: &'static str, label: &'static str, supported: bool) -> WriteAction {
    let on = permissions::is_enabled(integration, permissions::ADD_ATTACHMENTS);
    let field = |id| ActionField { id, is_available: on && supported, coverage_status: coverage(supported) };
    WriteAction {
        id,
        label,
        is_available: on && supported,
        coverage_status: coverage(supported),
        scope_config_setting: setting(on),
        opted_out_by_customer: false,
        fields: vec![field("attachment"), field("remote_fields")],
    }
}

/// The Kombo integration object for one stored integration.
pub fn integration_data(integration: &Integration) -> IntegrationData {
    let caps = connectors::tool(&integration.tool).map(|e| e.capabilities);
    let label = caps.map_or(integration.tool.clone(), |c| c.label.to_string());
    let logo = caps.map_or(String::new(), |c| c.logo_url.to_string());
    // Either target works for either endpoint thanks to the capability-driven fallback.
    let can_attach = caps.is_some_and(|c| c.attach_to_application || c.attach_to_candidate);
    let status = match integration.last_sync_error_code.as_deref() {
        Some(code) if code == ErrorCode::IntegrationAuthenticationInvalid.as_str() => "INVALID",
        _ => "ACTIVE",
    };
    IntegrationData {
        id: integration.id.clone(),
        tool: ToolInfo {
            id: integration.tool.clone(),
            label,
            internal_label: None,
            icon_url: logo.replace("logo.svg", "icon.svg"),
            logo_url: logo,
        },
        category: "ATS",
        status,
        setup_status: if integration.last_sync_finished_at.is_some() { "COMPLETED" } else { "FINAL_SYNC_PENDING" },
        end_user: EndUser {
            organization_name: integration.organization_name.clone(),
            creator_email: integration.creator_email.clone(),
            origin_id: integration.origin_id.clone(),
        },
        scope_config: ScopeConfig {
            id: format!("scope_{}", integration.id.rsplit(':').next().unwrap_or_default()),
            name: Some("default".into()),
        },
        data_expired_at: None,
        created_at: integration.created_at.clone(),
        beta: false,
        read_models: vec![
            read_model(integration, "ats_candidates", "Candidates", permissions::READ_CANDIDATES, true),
            read_model(integration, "ats_applications", "Applications", permissions::READ_APPLICATIONS, true),
            read_model(integration, "ats_attachments", "Document attachments", permissions::READ_ATTACHMENTS, true),
        ],
        write_actions: vec![
            write_action(integration, "ats_add_application_attachment", "Add attachment to application", can_attach),
            write_action(integration, "ats_add_candidate_attachment", "Add attachment to candidate", can_attach),
        ],
    }
}

/// Get integration details, including the scope config of each read model and write action.
#[utoipa::path(get, path = "/v1/integrations/{integration_id}", operation_id = "GetIntegrationsIntegrationId", tag = "General",
    params(("integration_id" = String, Path)),
    responses((status = 200, body = IntegrationResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = [])))]
pub async fn get_integration(
    State(app): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
) -> Result<Json<IntegrationResponse>> {
    let integration = integration_of(&app, &caller.workspace, &id).await?;
    Ok(Json(IntegrationResponse { status: "success", data: integration_data(&integration) }))
}

#[derive(Serialize, ToSchema)]
pub struct ForceSyncData {
    pub already_queued: bool,
    pub sync_id: String,
    /// atsgate always runs full syncs.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ForceSyncResponse {
    pub status: &'static str,
    pub data: ForceSyncData,
}

/// Trigger a sync of the integration; at most one runs or is queued at a time.
#[utoipa::path(post, path = "/v1/force-sync", operation_id = "PostForceSync", tag = "General",
    params(("X-Integration-Id" = String, Header)),
    responses((status = 200, body = ForceSyncResponse), (status = "default", body = super::error::ErrorEnvelope)),
    security(("ApiKey" = [])))]
pub async fn force_sync(State(app): State<AppState>, scoped: Scoped) -> Json<ForceSyncResponse> {
    let triggered = app.syncs.trigger(app.clone(), &scoped.integration.id).await;
    Json(ForceSyncResponse {
        status: "success",
        data: ForceSyncData { already_queued: triggered.already_queued, sync_id: triggered.sync_id, kind: "FULL" },
    })
}
