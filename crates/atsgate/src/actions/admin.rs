//! Administrative operations shared by the CLI, the demo and tests: keys and integrations.

use std::collections::BTreeMap;

use crate::{
    app::App,
    connectors,
    error::{Error, Result},
    ids,
    store::{ApiKeyRecord, Integration},
};

use super::permissions;

pub struct CreatedKey {
    pub record: ApiKeyRecord,
    /// The key itself: shown once, never stored.
    pub key: String,
}

pub async fn create_key(app: &App, workspace: &str, name: Option<String>) -> Result<CreatedKey> {
    let workspace = app.store.get_or_create_workspace(workspace).await?;
    let key = ids::api_key();
    let record = ApiKeyRecord {
        id: ids::random_id(),
        workspace_id: workspace.id,
        prefix: key.chars().take(10).collect(),
        name,
        created_at: ids::now_ts(),
        revoked_at: None,
    };
    app.store.insert_api_key(&record, &ids::hash_api_key(&key)).await?;
    Ok(CreatedKey { record, key })
}

/// Revokes a key; calls with it fail from now on (on other gateway processes within
/// `auth_cache::POLL`). False when no active key has this id.
pub async fn revoke_key(app: &App, id: &str) -> Result<bool> {
    let revoked = app.store.revoke_api_key(id).await?;
    app.auth.invalidate();
    Ok(revoked)
}

pub struct NewIntegration {
    pub workspace: String,
    pub tool: String,
    pub base_url: Option<String>,
    pub auth_url: Option<String>,
    pub credentials: BTreeMap<String, String>,
    pub organization_name: Option<String>,
    pub creator_email: Option<String>,
    pub origin_id: Option<String>,
}

pub async fn create_integration(app: &App, new: NewIntegration) -> Result<Integration> {
    let entry = connectors::tool(&new.tool).ok_or_else(|| {
        let known: Vec<&str> = connectors::REGISTRY.iter().map(|e| e.capabilities.tool).collect();
        Error::input(format!("unknown tool {:?}; supported: {}", new.tool, known.join(", ")))
    })?;
    for required in entry.required_credentials {
        if new.credentials.get(*required).is_none_or(|v| v.is_empty()) {
            return Err(Error::input(format!("{} needs the credential {required:?}", new.tool)));
        }
    }
    for url in [&new.base_url, &new.auth_url].into_iter().flatten() {
        url::Url::parse(url).map_err(|e| Error::input(format!("{url:?} is not a URL: {e}")))?;
    }
    let workspace = app.store.get_or_create_workspace(&new.workspace).await?;
    let id = ids::integration_id(&new.tool);
    let integration = Integration {
        sealed_credentials: app.seal_credentials(&id, &new.credentials).map_err(Error::Internal)?,
        id,
        workspace_id: workspace.id,
        tool: new.tool,
        base_url: new.base_url,
        auth_url: new.auth_url,
        organization_name: new.organization_name.unwrap_or_else(|| workspace.name.clone()),
        creator_email: new.creator_email,
        origin_id: new.origin_id,
        permissions: permissions::DEFAULT_ENABLED.iter().map(|p| p.to_string()).collect(),
        created_at: ids::now_ts(),
        last_sync_started_at: None,
        last_sync_finished_at: None,
        last_sync_error: None,
        last_sync_error_code: None,
    };
    app.store.insert_integration(&integration).await?;
    Ok(integration)
}

/// Re-encrypts every integration's credentials under `new_key` in one transaction. Returns how
/// many were re-encrypted. The caller then makes `new_key` the master key.
pub async fn rotate_master_key(app: &App, new_key: &crate::crypto::MasterKey) -> Result<usize> {
    let integrations = app.store.list_integrations(None).await?;
    let mut resealed = Vec::with_capacity(integrations.len());
    for integration in &integrations {
        let plain = app.master_key.open(&integration.sealed_credentials, &integration.id).map_err(Error::Internal)?;
        resealed.push((integration.id.clone(), new_key.seal(&plain, &integration.id).map_err(Error::Internal)?));
    }
    app.store.replace_sealed_credentials(&resealed).await?;
    app.auth.invalidate();
    Ok(resealed.len())
}

/// Enables and disables permissions; returns the resulting set.
pub async fn change_permissions(
    app: &App,
    integration_id: &str,
    enable: &[String],
    disable: &[String],
) -> Result<Vec<String>> {
    let integration = app
        .store
        .get_integration(integration_id)
        .await?
        .ok_or_else(|| Error::IntegrationNotFound(format!("no integration {integration_id}")))?;
    for permission in enable.iter().chain(disable) {
        permissions::validate(permission)?;
    }
    let mut current = integration.permissions;
    current.retain(|p| !disable.contains(p));
    for permission in enable {
        if !current.contains(permission) {
            current.push(permission.clone());
        }
    }
    current.sort();
    app.store.set_permissions(integration_id, &current).await?;
    app.auth.invalidate();
    Ok(current)
}
