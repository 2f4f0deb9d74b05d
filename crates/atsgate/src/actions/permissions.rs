//! The scope config: which models and actions an integration may use. Write actions start off;
//! reads of the synced models start on.

use crate::{
    error::{Error, Result},
    store::Integration,
};

pub const ADD_ATTACHMENTS: &str = "add_attachments";
pub const READ_ATTACHMENTS: &str = "read_attachments";
pub const READ_CANDIDATES: &str = "read_candidates";
pub const READ_APPLICATIONS: &str = "read_applications";

pub const ALL: [&str; 4] = [ADD_ATTACHMENTS, READ_ATTACHMENTS, READ_CANDIDATES, READ_APPLICATIONS];
pub const DEFAULT_ENABLED: [&str; 2] = [READ_CANDIDATES, READ_APPLICATIONS];

pub fn is_enabled(integration: &Integration, permission: &str) -> bool {
    integration.permissions.iter().any(|p| p == permission)
}

pub fn validate(permission: &str) -> Result<()> {
    if ALL.contains(&permission) {
        Ok(())
    } else {
        Err(Error::input(format!("unknown permission {permission:?}; known: {}", ALL.join(", "))))
    }
}

/// 403 `INTEGRATION.ACTION_DISABLED` unless the write action's permission is on.
pub fn require_action(integration: &Integration, permission: &str, label: &str) -> Result<()> {
    if is_enabled(integration, permission) {
        Ok(())
    } else {
        Err(Error::ActionDisabled(format!(
            "The action \"{label}\" is disabled in the scope config of integration {}. \
             Enable it with `atsgate integrations permissions {} --enable {permission}`.",
            integration.id, integration.id
        )))
    }
}

/// 403 `INTEGRATION.MODEL_DISABLED` unless reading the model is on.
pub fn require_model(integration: &Integration, permission: &str, label: &str) -> Result<()> {
    if is_enabled(integration, permission) {
        Ok(())
    } else {
        Err(Error::ModelDisabled(format!(
            "Reading {label} is disabled in the scope config of integration {}. \
             Enable it with `atsgate integrations permissions {} --enable {permission}`.",
            integration.id, integration.id
        )))
    }
}
