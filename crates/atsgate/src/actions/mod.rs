//! Actions: the domain operations behind the API and the CLI. No HTTP or SQL types here; they
//! work on `App` services, store rows and connector calls.

pub mod admin;
pub mod attachment_input;
pub mod attachments;
pub mod listing;
pub mod permissions;
pub mod reading;
pub mod restrictions;

use crate::{
    app::App,
    error::{Error, Result},
    store::{Integration, StoredApplication, StoredCandidate},
};

/// The synced application behind a unified id; a deleted or unknown one is 404 `INPUT_INVALID`.
pub async fn live_application(app: &App, integration: &Integration, id: &str) -> Result<StoredApplication> {
    app.store
        .find_application(&integration.id, id)
        .await?
        .filter(|a| a.remote_deleted_at.is_none())
        .ok_or_else(|| Error::NotFound(format!("Application {id} not found in integration {}", integration.id)))
}

/// The synced candidate behind a unified id; a deleted or unknown one is 404 `INPUT_INVALID`.
pub async fn live_candidate(app: &App, integration: &Integration, id: &str) -> Result<StoredCandidate> {
    app.store
        .find_candidate(&integration.id, id)
        .await?
        .filter(|c| c.remote_deleted_at.is_none())
        .ok_or_else(|| Error::NotFound(format!("Candidate {id} not found in integration {}", integration.id)))
}

/// A message for the caller that does not stop the action (spec: `warnings[].message`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub message: String,
}

impl Warning {
    pub fn new(message: impl Into<String>) -> Self {
        Warning { message: message.into() }
    }
}
