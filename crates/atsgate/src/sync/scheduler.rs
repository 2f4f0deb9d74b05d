//! Background syncs: periodic runs in `serve`, and on-demand runs from `POST /force-sync`, with
//! at most one sync per integration running or queued at a time.

use std::{collections::HashMap, sync::Arc, time::Duration};

use tokio::sync::Mutex;

use crate::app::App;

/// Tracks running syncs so a second request joins the first instead of starting another.
#[derive(Debug, Default)]
pub struct SyncTracker {
    running: Mutex<HashMap<String, String>>,
}

pub struct Triggered {
    pub sync_id: String,
    pub already_queued: bool,
}

impl SyncTracker {
    /// Starts a background sync of `integration_id` unless one is running.
    pub async fn trigger(&self, app: Arc<App>, integration_id: &str) -> Triggered {
        let mut running = self.running.lock().await;
        if let Some(sync_id) = running.get(integration_id) {
            return Triggered { sync_id: sync_id.clone(), already_queued: true };
        }
        let sync_id = crate::ids::random_id();
        running.insert(integration_id.to_string(), sync_id.clone());
        let integration_id = integration_id.to_string();
        tokio::spawn(async move {
            match app.store.get_integration(&integration_id).await {
                Ok(Some(integration)) => {
                    let _ = super::run(&app, &integration).await;
                }
                Ok(None) => {}
                Err(err) => tracing::error!(error = %err.0, "sync could not load its integration"),
            }
            app.syncs.running.lock().await.remove(&integration_id);
        });
        Triggered { sync_id, already_queued: false }
    }
}

/// Syncs every integration every `interval`, until the process ends.
pub fn spawn_periodic(app: Arc<App>, interval: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.tick().await; // the first tick is immediate; `serve` callers sync explicitly
        loop {
            ticker.tick().await;
            match app.store.list_integrations(None).await {
                Ok(integrations) => {
                    for integration in integrations {
                        app.syncs.trigger(app.clone(), &integration.id).await;
                    }
                }
                Err(err) => tracing::error!(error = %err.0, "periodic sync could not list integrations"),
            }
        }
    });
}
