//! Secrets: the workspace's API keys. A new key is shown once, on the page that created it;
//! afterwards only its prefix. Revoking asks for confirmation and applies at once.

use askama::Template;
use axum::{extract::State, response::Response};
use serde::Deserialize;

use super::{
    super::extract::AppState,
    page::{check_form_token, render, see_other, PageError, PageForm, PagePath, PageResult, Session},
    view::{layout, when, when_opt, Layout},
};
use crate::actions::{accounts::Viewer, admin};

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub workspace: String,
    pub created: String,
    pub last_used: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/secrets.html")]
struct SecretsPage {
    layout: Layout,
    keys: Vec<KeyRow>,
    /// The key just created: (name, key). Shown this once.
    created: Option<(String, String)>,
    public_url: String,
}

async fn page(app: &AppState, viewer: &Viewer, created: Option<(String, String)>) -> PageResult {
    let layout = layout(app, viewer, "secrets").await?;
    let names: std::collections::HashMap<String, String> =
        app.store.list_workspaces().await?.into_iter().map(|w| (w.id, w.name)).collect();
    let mut keys = Vec::new();
    for key in app.store.list_api_keys(viewer.current_workspace()).await?.into_iter().rev() {
        let last_used = app.store.key_last_used_at(&key.id).await?;
        keys.push(KeyRow {
            name: key.name.clone().unwrap_or_else(|| "(unnamed)".into()),
            workspace: names.get(&key.workspace_id).cloned().unwrap_or_default(),
            created: when(&key.created_at),
            last_used: last_used.as_deref().map_or_else(|| "Not recently".into(), super::view::ago),
            revoked: key.revoked_at.as_deref().map(|r| when_opt(Some(r))),
            prefix: key.prefix,
            id: key.id,
        });
    }
    render(&SecretsPage { layout, keys, created, public_url: app.public_url.clone() })
}

pub async fn list(State(app): State<AppState>, Session(viewer): Session) -> PageResult {
    page(&app, &viewer, None).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    /// An operator viewing all workspaces picks one.
    #[serde(default)]
    workspace: String,
}

pub async fn create(
    State(app): State<AppState>,
    Session(viewer): Session,
    PageForm(form): PageForm<CreateForm>,
) -> PageResult {
    check_form_token(&viewer, &form.csrf)?;
    let name = form.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(PageError::BadRequest("Give the key a name of 1 to 100 characters.".into()));
    }
    let workspace_id = match viewer.current_workspace() {
        Some(id) => id.to_string(),
        None => form.workspace.clone(),
    };
    let workspace = app.store.get_workspace(&workspace_id).await?.ok_or(PageError::NotFound)?;
    if !viewer.can_see(Some(&workspace.id)) {
        return Err(PageError::NotFound);
    }
    let created = admin::create_key(&app, &workspace.name, Some(name.to_string())).await?;
    page(&app, &viewer, Some((name.to_string(), created.key))).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
}

pub async fn revoke(
    State(app): State<AppState>,
    Session(viewer): Session,
    PagePath(id): PagePath,
    PageForm(form): PageForm<RevokeForm>,
) -> Result<Response, PageError> {
    check_form_token(&viewer, &form.csrf)?;
    let key = app.store.list_api_keys(viewer.current_workspace()).await?.into_iter().find(|k| k.id == id);
    match key {
        Some(key) if viewer.can_see(Some(&key.workspace_id)) => {
            admin::revoke_key(&app, &key.id).await?;
            Ok(see_other("/dashboard/secrets"))
        }
        _ => Err(PageError::NotFound),
    }
}
