//! Actions: the domain operations behind the API and the CLI. No HTTP or SQL types here; they
//! work on `App` services, store rows and connector calls.

pub mod accounts;
pub mod admin;
pub mod attachment_input;
pub mod attachments;
mod delivery;
pub mod integrations;
pub mod listing;
pub mod logs;
pub mod permissions;
pub mod reading;
pub mod restrictions;
pub mod verification;

use crate::{
    app::App,
    error::{Error, Result},
    store::{Integration, StoredApplication, StoredCandidate},
};

/// The synced application behind a unified id; a deleted or unknown one is 404 `INPUT_INVALID`.
/// Found applications are remembered until this process next syncs the integration (their
/// remote ids never change; a deletion synced elsewhere is caught by the ATS's own 404).
pub async fn live_application(app: &App, integration: &Integration, id: &str) -> Result<StoredApplication> {
    crate::interaction::add_refs([id]);
    if let Some(found) = app.known_applications.get(&integration.id, id) {
        note_application(&found);
        return Ok(found);
    }
    let found = app
        .store
        .find_application(&integration.id, id)
        .await?
        .filter(|a| a.remote_deleted_at.is_none())
        .ok_or_else(|| Error::NotFound(format!("Application {id} not found in integration {}", integration.id)))?;
    app.known_applications.insert(&integration.id, found.clone());
    note_application(&found);
    Ok(found)
}

/// Makes the call findable in the log by the application's and its candidate's ids.
fn note_application(found: &StoredApplication) {
    crate::interaction::add_refs(
        [Some(&found.remote_id), found.candidate_id.as_ref(), found.candidate_remote_id.as_ref()]
            .into_iter()
            .flatten()
            .map(String::as_str),
    );
}

/// A bounded in-process memory of live applications, per integration.
#[derive(Default)]
pub struct KnownApplications {
    by_integration:
        std::sync::Mutex<std::collections::HashMap<String, std::collections::HashMap<String, StoredApplication>>>,
}

/// Per integration; past this the memory for that integration starts over.
const KNOWN_APPLICATIONS_PER_INTEGRATION: usize = 100_000;

impl KnownApplications {
    fn get(&self, integration_id: &str, id: &str) -> Option<StoredApplication> {
        let map = self.by_integration.lock().unwrap_or_else(|e| e.into_inner());
        map.get(integration_id)?.get(id).cloned()
    }

    fn insert(&self, integration_id: &str, application: StoredApplication) {
        let mut map = self.by_integration.lock().unwrap_or_else(|e| e.into_inner());
        let known = map.entry(integration_id.to_string()).or_default();
        if known.len() >= KNOWN_APPLICATIONS_PER_INTEGRATION {
            known.clear();
        }
        known.insert(application.id.clone(), application);
    }

    /// Forgets an integration's applications (after its sync changed them).
    pub fn forget(&self, integration_id: &str) {
        self.by_integration.lock().unwrap_or_else(|e| e.into_inner()).remove(integration_id);
    }
}

/// The synced candidate behind a unified id; a deleted or unknown one is 404 `INPUT_INVALID`.
pub async fn live_candidate(app: &App, integration: &Integration, id: &str) -> Result<StoredCandidate> {
    crate::interaction::add_refs([id]);
    let found = app
        .store
        .find_candidate(&integration.id, id)
        .await?
        .filter(|c| c.remote_deleted_at.is_none())
        .ok_or_else(|| Error::NotFound(format!("Candidate {id} not found in integration {}", integration.id)))?;
    crate::interaction::add_refs([found.remote_id.as_str()]);
    Ok(found)
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
