//! The overview of the workspace in view (its keys, integrations and recent errors at a
//! glance), the operator's list of workspaces, and switching between them.

use askama::Template;
use axum::{extract::State, response::Response};
use serde::Deserialize;

use super::{
    super::extract::AppState,
    integrations::IntegrationRow,
    logs::LogRow,
    page::{check_form_token, render, see_other, PageError, PageForm, PageResult, Session},
    view::{layout, Layout},
};
use crate::{actions::accounts, store::LogFilter};

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage {
    layout: Layout,
    integrations: Vec<IntegrationRow>,
    active_keys: usize,
    /// (name, prefix, created) of the newest active keys.
    keys: Vec<(String, String, String)>,
    failing: usize,
    errors: Vec<LogRow>,
    public_url: String,
}

pub async fn overview(State(app): State<AppState>, Session(viewer): Session) -> PageResult {
    let layout = layout(&app, &viewer, "overview").await?;
    let workspace = viewer.current_workspace();
    let integrations = IntegrationRow::list(&app, workspace).await?;
    let live: Vec<_> =
        app.store.list_api_keys(workspace).await?.into_iter().filter(|k| k.revoked_at.is_none()).collect();
    let active_keys = live.len();
    let keys = live
        .iter()
        .rev()
        .take(5)
        .map(|k| {
            let name = k.name.clone().unwrap_or_else(|| "(unnamed)".into());
            (name, k.prefix.clone(), super::view::when(&k.created_at))
        })
        .collect();
    let filter =
        LogFilter { workspace_id: workspace.map(str::to_string), errors_only: true, limit: 8, ..Default::default() };
    let errors = crate::actions::logs::page(&app, &viewer, filter).await?.entries;
    let names = super::logs::integration_names(&app, workspace).await?;
    render(&OverviewPage {
        failing: integrations.iter().filter(|i| i.state_slug != "active").count(),
        integrations,
        active_keys,
        keys,
        errors: errors.iter().map(|e| LogRow::new(e, &names)).collect(),
        public_url: app.public_url.clone(),
        layout,
    })
}

pub struct WorkspaceRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub keys: usize,
    pub integrations: usize,
}

#[derive(Template)]
#[template(path = "dashboard/workspaces.html")]
struct WorkspacesPage {
    layout: Layout,
    workspaces: Vec<WorkspaceRow>,
}

/// Operators only; a member gets the 404 page.
pub async fn workspaces(State(app): State<AppState>, Session(viewer): Session) -> PageResult {
    if !viewer.is_operator() {
        return Err(PageError::NotFound);
    }
    let layout = layout(&app, &viewer, "workspaces").await?;
    let keys = app.store.list_api_keys(None).await?;
    let integrations = app.store.list_integrations(None).await?;
    let workspaces = app
        .store
        .list_workspaces()
        .await?
        .into_iter()
        .map(|w| WorkspaceRow {
            keys: keys.iter().filter(|k| k.workspace_id == w.id && k.revoked_at.is_none()).count(),
            integrations: integrations.iter().filter(|i| i.workspace_id == w.id).count(),
            created: super::view::when(&w.created_at),
            id: w.id,
            name: w.name,
        })
        .collect();
    render(&WorkspacesPage { layout, workspaces })
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    csrf: String,
    /// Empty: all workspaces.
    #[serde(default)]
    workspace: String,
    next: Option<String>,
}

pub async fn switch_workspace(
    State(app): State<AppState>,
    Session(viewer): Session,
    PageForm(form): PageForm<SwitchForm>,
) -> Result<Response, PageError> {
    check_form_token(&viewer, &form.csrf)?;
    let workspace = Some(form.workspace.as_str()).filter(|w| !w.is_empty());
    accounts::switch_workspace(&app, &viewer, workspace).await?;
    // Lists follow the switch; a detail page of another workspace would not, so go to its list.
    let next = super::page::safe_next(form.next.as_deref());
    let section = next.trim_start_matches("/dashboard").split('/').nth(1).unwrap_or("");
    let to = match section {
        "secrets" | "integrations" | "logs" | "workspaces" => format!("/dashboard/{section}"),
        _ => "/dashboard".into(),
    };
    Ok(see_other(&to))
}
