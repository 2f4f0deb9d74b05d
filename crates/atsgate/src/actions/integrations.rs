//! Managing one integration from the dashboard (and the CLI): its state in Kombo's terms, its
//! sync history and "sync now", replacing its credentials, and deleting it.

use std::{collections::BTreeMap, sync::Arc};

use crate::{
    app::App,
    connectors,
    error::{Error, ErrorCode, Result},
    store::{Integration, SyncRun},
    sync::scheduler::Triggered,
};

/// An integration's state, after Kombo's integration states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Active,
    /// No sync has finished yet: reads answer from an empty store.
    SyncPending,
    /// The last sync failed for a reason other than credentials.
    SyncFailing,
    /// The ATS rejected the stored credentials.
    CredentialsInvalid,
}

impl State {
    pub fn of(integration: &Integration) -> State {
        match (integration.last_sync_error_code.as_deref(), &integration.last_sync_finished_at) {
            (Some(code), _) if code == ErrorCode::IntegrationAuthenticationInvalid.as_str() => {
                State::CredentialsInvalid
            }
            (Some(_), _) => State::SyncFailing,
            (None, None) => State::SyncPending,
            (None, Some(_)) => State::Active,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Active => "Active",
            State::SyncPending => "Sync pending",
            State::SyncFailing => "Sync failing",
            State::CredentialsInvalid => "Credentials invalid",
        }
    }

    /// A CSS-friendly name.
    pub fn slug(self) -> &'static str {
        match self {
            State::Active => "active",
            State::SyncPending => "pending",
            State::SyncFailing => "failing",
            State::CredentialsInvalid => "invalid",
        }
    }

    /// What to do next, in plain words.
    pub fn next_step(self) -> &'static str {
        match self {
            State::Active => "Everything works. Calls and syncs reach the ATS.",
            State::SyncPending => {
                "The first sync has not finished yet. Reads answer from the synced data, so start a sync \
                 with \u{201c}Sync now\u{201d} and wait for it to finish."
            }
            State::SyncFailing => {
                "The last sync failed. Check its error in the sync history; if the ATS was unavailable, \
                 \u{201c}Sync now\u{201d} retries. Calls may still work."
            }
            State::CredentialsInvalid => {
                "The ATS rejected the stored credentials. Ask the customer for new ones and replace them \
                 below, then run \u{201c}Sync now\u{201d}."
            }
        }
    }
}

pub async fn get(app: &App, id: &str) -> Result<Integration> {
    app.store.get_integration(id).await?.ok_or_else(|| Error::IntegrationNotFound(format!("no integration {id}")))
}

pub async fn sync_history(app: &App, id: &str, limit: u32) -> Result<Vec<SyncRun>> {
    Ok(app.store.list_sync_runs(id, limit).await?)
}

/// Starts a sync in the background unless one is running (as `POST /v1/force-sync`).
pub async fn sync_now(app: Arc<App>, id: &str) -> Triggered {
    app.syncs.trigger(app.clone(), id).await
}

/// The credential names the integration's tool needs.
pub fn credential_names(integration: &Integration) -> &'static [&'static str] {
    connectors::tool(&integration.tool).map_or(&[], |entry| entry.required_credentials)
}

/// Replaces the stored credentials; every required one must be given. The old ones are
/// overwritten (they are never shown back); the next call builds its connector with the new ones.
pub async fn replace_credentials(app: &App, id: &str, credentials: BTreeMap<String, String>) -> Result<()> {
    let integration = get(app, id).await?;
    for required in credential_names(&integration) {
        if credentials.get(*required).is_none_or(|v| v.trim().is_empty()) {
            return Err(Error::input(format!("{} needs the credential {required:?}", integration.tool)));
        }
    }
    let sealed = app.seal_credentials(&integration.id, &credentials).map_err(Error::Internal)?;
    app.store.set_sealed_credentials(&integration.id, &sealed).await?;
    app.auth.invalidate();
    Ok(())
}

/// Deletes the integration with its credentials, synced data and sync history. API calls with
/// its id answer `PLATFORM.INTEGRATION_NOT_FOUND` from then on; its interaction-log entries
/// stay until retention removes them.
pub async fn delete(app: &App, id: &str) -> Result<bool> {
    let deleted = app.store.delete_integration(id).await?;
    app.auth.invalidate();
    app.known_applications.forget(id);
    Ok(deleted)
}
