//! The per-request interaction context: its log id (the `log_url`), who is calling, the
//! warnings given and every upstream call made. Carried in a task-local so the error envelope,
//! connectors and the upstream client can reach it without threading it through every call.

use std::sync::{Arc, Mutex};

use crate::store::UpstreamCallRecord;

#[derive(Debug, Default)]
pub struct CallState {
    pub workspace_id: Option<String>,
    pub integration_id: Option<String>,
    pub warnings: Vec<String>,
    pub upstream: Vec<UpstreamCallRecord>,
    pub error_code: Option<&'static str>,
    pub error_message: Option<String>,
    /// The caller's key rate-limit state, for the `ratelimit-*` headers.
    pub rate: Option<crate::limits::RateState>,
    /// (limit, remaining) of the integration's action concurrency, for `Concurrency-*` headers.
    pub concurrency: Option<(usize, usize)>,
    /// The calling key's id, name and prefix (never the key).
    pub key: Option<(String, Option<String>, String)>,
    /// Application and candidate ids, ours and the ATS's, the call touched (for log lookup).
    pub refs: Vec<String>,
    /// Set while the action makes calls for a purpose other than the action itself; recorded
    /// on each upstream call made meanwhile.
    pub upstream_purpose: Option<&'static str>,
}

#[derive(Debug)]
pub struct CallContext {
    pub log_id: String,
    pub log_url: String,
    pub state: Mutex<CallState>,
}

impl CallContext {
    pub fn new(public_url: &str) -> Arc<Self> {
        let log_id = crate::ids::random_id();
        let log_url = format!("{public_url}/dashboard/logs/{log_id}");
        Arc::new(CallContext { log_id, log_url, state: Mutex::new(CallState::default()) })
    }

    pub fn update(&self, f: impl FnOnce(&mut CallState)) {
        // A poisoned lock only means another holder panicked mid-update; the data is still usable.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut state);
    }

    pub fn take(&self) -> CallState {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *state)
    }
}

tokio::task_local! {
    static CURRENT: Arc<CallContext>;
}

/// Runs `fut` with `ctx` as the current interaction.
pub async fn scope<F: std::future::Future>(ctx: Arc<CallContext>, fut: F) -> F::Output {
    CURRENT.scope(ctx, fut).await
}

pub fn current() -> Option<Arc<CallContext>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// Applies `f` to the current interaction, if there is one (syncs run outside any request).
pub fn with_current(f: impl FnOnce(&mut CallState)) {
    if let Some(ctx) = current() {
        ctx.update(f);
    }
}

/// Runs `fut` with its upstream calls marked as made for `purpose` (e.g. "settle check").
pub async fn for_purpose<F: std::future::Future>(purpose: &'static str, fut: F) -> F::Output {
    with_current(|s| s.upstream_purpose = Some(purpose));
    let output = fut.await;
    with_current(|s| s.upstream_purpose = None);
    output
}

pub fn record_upstream(mut call: UpstreamCallRecord) {
    with_current(|state| {
        if call.purpose.is_none() {
            call.purpose = state.upstream_purpose.map(str::to_string);
        }
        state.upstream.push(call)
    });
}

/// Notes ids the call touched, so the log can be searched by them.
pub fn add_refs<'a>(refs: impl IntoIterator<Item = &'a str>) {
    with_current(|state| {
        for r in refs {
            if !r.is_empty() && !state.refs.iter().any(|known| known == r) {
                state.refs.push(r.to_string());
            }
        }
    });
}
