//! Integrations: the list, and a page per integration with its state, scope config toggles,
//! sync history and "Sync now", attachment restrictions, credential replacement and deletion.

use std::collections::BTreeMap;

use askama::Template;
use axum::{extract::State, response::Response};
use serde::Deserialize;

use super::{
    super::extract::AppState,
    page::{
        check_form_token, encode, render, see_other, PageError, PageForm, PagePath, PageQuery, PageResult, Session,
    },
    view::{bytes, duration, layout, when, Layout},
};
use crate::{
    actions::{
        accounts::Viewer,
        admin,
        integrations::{self, State as IntegrationState},
        permissions, restrictions,
    },
    connectors::{self, AttachmentType},
    store::{Integration, SyncRun},
};

/// A row of the integrations list (and of the overview).
pub struct IntegrationRow {
    pub id: String,
    pub tool: String,
    pub organization: String,
    pub workspace: String,
    pub state: &'static str,
    pub state_slug: &'static str,
    pub last_sync: String,
    pub last_sync_ago: String,
    pub last_sync_ok: Option<bool>,
    pub last_sync_counts: String,
}

pub fn tool_label(tool: &str) -> String {
    connectors::tool(tool).map_or_else(|| tool.to_string(), |e| e.capabilities.label.to_string())
}

fn counts(run: &SyncRun) -> String {
    format!(
        "{} candidates · {} applications · {} jobs",
        run.counts.candidates, run.counts.applications, run.counts.jobs
    )
}

impl IntegrationRow {
    async fn new(app: &AppState, integration: &Integration, workspace: String) -> PageResult<IntegrationRow> {
        let last = integrations::sync_history(app, &integration.id, 1).await?.into_iter().next();
        let state = IntegrationState::of(integration);
        Ok(IntegrationRow {
            id: integration.id.clone(),
            tool: tool_label(&integration.tool),
            organization: integration.organization_name.clone(),
            workspace,
            state: state.label(),
            state_slug: state.slug(),
            last_sync: last.as_ref().map_or_else(|| "Never".into(), |r| when(&r.finished_at)),
            last_sync_ago: last.as_ref().map_or_else(|| "Never".into(), |r| super::view::ago(&r.finished_at)),
            last_sync_ok: last.as_ref().map(|r| r.ok),
            last_sync_counts: last.as_ref().map_or_else(String::new, counts),
        })
    }

    pub async fn list(app: &AppState, workspace: Option<&str>) -> PageResult<Vec<IntegrationRow>> {
        let names: std::collections::HashMap<String, String> =
            app.store.list_workspaces().await?.into_iter().map(|w| (w.id, w.name)).collect();
        let mut rows = Vec::new();
        for integration in app.store.list_integrations(workspace).await? {
            let name = names.get(&integration.workspace_id).cloned().unwrap_or_default();
            rows.push(IntegrationRow::new(app, &integration, name).await?);
        }
        Ok(rows)
    }
}

#[derive(Template)]
#[template(path = "dashboard/integrations.html")]
struct ListPage {
    layout: Layout,
    integrations: Vec<IntegrationRow>,
}

pub async fn list(State(app): State<AppState>, Session(viewer): Session) -> PageResult {
    let layout = layout(&app, &viewer, "integrations").await?;
    let integrations = IntegrationRow::list(&app, viewer.current_workspace()).await?;
    render(&ListPage { layout, integrations })
}

/// The integration `id` if the viewer may see it; otherwise the same 404 as a missing one.
async fn visible(app: &AppState, viewer: &Viewer, id: &str) -> PageResult<Integration> {
    match app.store.get_integration(id).await? {
        Some(integration) if viewer.can_see(Some(&integration.workspace_id)) => Ok(integration),
        _ => Err(PageError::NotFound),
    }
}

pub struct PermissionRow {
    pub id: &'static str,
    pub label: &'static str,
    pub controls: &'static str,
    pub enabled: bool,
}

/// Kombo's names for the scope-config settings atsgate has, and what each controls.
const PERMISSIONS: [(&str, &str, &str); 4] = [
    (
        permissions::ADD_ATTACHMENTS,
        "Add attachments",
        "Upload files to applications and candidates (POST …/attachments). Off: 403 INTEGRATION.ACTION_DISABLED.",
    ),
    (
        permissions::READ_ATTACHMENTS,
        "Read attachments",
        "List and download the files of applications and candidates (GET …/attachments).",
    ),
    (
        permissions::READ_APPLICATIONS,
        "Read applications",
        "List applications (GET /v1/ats/applications). Off: 403 INTEGRATION.MODEL_DISABLED.",
    ),
    (
        permissions::READ_CANDIDATES,
        "Read candidates",
        "List candidates (GET /v1/ats/candidates). Off: 403 INTEGRATION.MODEL_DISABLED.",
    ),
];

pub struct RunRow {
    pub started: String,
    pub took: String,
    pub ok: bool,
    pub counts: String,
    pub changes: String,
    pub error: String,
}

pub struct RestrictionRow {
    pub kind: &'static str,
    pub supported: bool,
    pub max_size: String,
    pub mime_types: String,
}

#[derive(Template)]
#[template(path = "dashboard/integration.html")]
struct DetailPage {
    layout: Layout,
    id: String,
    id_encoded: String,
    tool: String,
    organization: String,
    workspace: String,
    created: String,
    state: &'static str,
    state_slug: &'static str,
    next_step: &'static str,
    permissions: Vec<PermissionRow>,
    runs: Vec<RunRow>,
    attach_to_application: bool,
    attach_to_candidate: bool,
    restrictions: Vec<RestrictionRow>,
    credential_names: Vec<&'static str>,
}

async fn detail_page(app: &AppState, viewer: &Viewer, id: &str, notice: Option<String>) -> PageResult {
    let integration = visible(app, viewer, id).await?;
    let mut layout = layout(app, viewer, "integrations").await?;
    layout.notice = notice;
    let state = IntegrationState::of(&integration);
    let runs = integrations::sync_history(app, &integration.id, 20)
        .await?
        .iter()
        .map(|run| RunRow {
            started: when(&run.started_at),
            took: duration(run.duration_ms),
            ok: run.ok,
            counts: counts(run),
            changes: format!("{} changed · {} deleted", run.counts.changed, run.counts.deleted),
            error: match (&run.error_code, &run.error) {
                (Some(code), Some(error)) => format!("{code}: {error}"),
                _ => String::new(),
            },
        })
        .collect();
    let caps = connectors::tool(&integration.tool).map(|e| e.capabilities);
    let limit = app.config.max_attachment_bytes;
    let restrictions = match caps {
        Some(caps) => [
            ("CV", AttachmentType::Cv),
            ("Cover letter", AttachmentType::CoverLetter),
            ("Other", AttachmentType::Other),
        ]
        .into_iter()
        .map(|(kind, t)| RestrictionRow {
            kind,
            supported: caps.vendor_type(t).is_some() && restrictions::for_connector(caps, limit).is_some(),
            max_size: bytes(restrictions::max_bytes(caps, limit)),
            mime_types: caps.accepted_mime_types.map_or_else(|| "Any".to_string(), |m| m.join(", ")),
        })
        .collect(),
        None => Vec::new(),
    };
    let workspace = app.store.get_workspace(&integration.workspace_id).await?.map(|w| w.name).unwrap_or_default();
    render(&DetailPage {
        layout,
        id_encoded: encode(&integration.id),
        tool: tool_label(&integration.tool),
        organization: integration.organization_name.clone(),
        workspace,
        created: when(&integration.created_at),
        state: state.label(),
        state_slug: state.slug(),
        next_step: state.next_step(),
        permissions: PERMISSIONS
            .iter()
            .map(|(id, label, controls)| PermissionRow {
                id,
                label,
                controls,
                enabled: permissions::is_enabled(&integration, id),
            })
            .collect(),
        runs,
        attach_to_application: caps.is_some_and(|c| c.attach_to_application),
        attach_to_candidate: caps.is_some_and(|c| c.attach_to_candidate),
        restrictions,
        credential_names: integrations::credential_names(&integration).to_vec(),
        id: integration.id,
    })
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    /// What was just done, for the notice at the top (a fixed message per value).
    #[serde(default)]
    done: String,
}

pub async fn detail(
    State(app): State<AppState>,
    Session(viewer): Session,
    PagePath(id): PagePath,
    PageQuery(query): PageQuery<DetailQuery>,
) -> PageResult {
    let notice = match query.done.as_str() {
        "sync" => Some("Sync started. Reload in a moment to see it in the history."),
        "sync-running" => Some("A sync of this integration is already running; its result will appear in the history."),
        "credentials" => Some("Credentials replaced. Run \u{201c}Sync now\u{201d} to check them."),
        _ => None,
    };
    detail_page(&app, &viewer, &id, notice.map(str::to_string)).await
}

/// Back to the integration's page after a change, so a reload does not repeat it.
fn back(id: &str) -> Response {
    see_other(&format!("/dashboard/integrations/{}", encode(id)))
}

fn back_with(id: &str, done: &str) -> Response {
    see_other(&format!("/dashboard/integrations/{}?done={done}", encode(id)))
}

#[derive(Deserialize)]
pub struct PermissionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    permission: String,
    /// "on" or "off".
    #[serde(default)]
    set: String,
}

pub async fn toggle_permission(
    State(app): State<AppState>,
    Session(viewer): Session,
    PagePath(id): PagePath,
    PageForm(form): PageForm<PermissionForm>,
) -> PageResult {
    check_form_token(&viewer, &form.csrf)?;
    let integration = visible(&app, &viewer, &id).await?;
    let change = vec![form.permission.clone()];
    match form.set.as_str() {
        "on" => admin::change_permissions(&app, &integration.id, &change, &[]).await?,
        "off" => admin::change_permissions(&app, &integration.id, &[], &change).await?,
        _ => return Err(PageError::BadRequest("set must be on or off".into())),
    };
    Ok(back(&integration.id))
}

#[derive(Deserialize)]
pub struct TokenOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn sync_now(
    State(app): State<AppState>,
    Session(viewer): Session,
    PagePath(id): PagePath,
    PageForm(form): PageForm<TokenOnly>,
) -> PageResult {
    check_form_token(&viewer, &form.csrf)?;
    let integration = visible(&app, &viewer, &id).await?;
    let triggered = integrations::sync_now(app.clone(), &integration.id).await;
    Ok(back_with(&integration.id, if triggered.already_queued { "sync-running" } else { "sync" }))
}

pub async fn replace_credentials(
    State(app): State<AppState>,
    Session(viewer): Session,
    PagePath(id): PagePath,
    PageForm(form): PageForm<BTreeMap<String, String>>,
) -> PageResult {
    check_form_token(&viewer, form.get("csrf").map_or("", String::as_str))?;
    let integration = visible(&app, &viewer, &id).await?;
    let credentials: BTreeMap<String, String> = integrations::credential_names(&integration)
        .iter()
        .filter_map(|name| Some((name.to_string(), form.get(&format!("credential_{name}"))?.clone())))
        .collect();
    integrations::replace_credentials(&app, &integration.id, credentials).await?;
    Ok(back_with(&integration.id, "credentials"))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

pub async fn delete(
    State(app): State<AppState>,
    Session(viewer): Session,
    PagePath(id): PagePath,
    PageForm(form): PageForm<DeleteForm>,
) -> Result<Response, PageError> {
    check_form_token(&viewer, &form.csrf)?;
    let integration = visible(&app, &viewer, &id).await?;
    if form.confirm.trim() != integration.id {
        return Err(PageError::BadRequest(format!(
            "To delete the integration, type its id ({}) in the confirmation box.",
            integration.id
        )));
    }
    integrations::delete(&app, &integration.id).await?;
    Ok(see_other("/dashboard/integrations"))
}
