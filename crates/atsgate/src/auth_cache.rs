//! Remembers who an API key is, so an API call costs no database read.
//!
//! A remembered answer is used only while the store's auth revision is what it was when the
//! answer was read. Database triggers bump that revision, in the same transaction, on any
//! change to keys, workspaces or integrations, whichever process or node made it; this process
//! polls it every `POLL`. Changes made through this process (`invalidate`) apply at once,
//! changes made elsewhere (`atsgate keys revoke` in another shell, another node) within one
//! poll. While the revision cannot be read, nothing is served from memory.
//!
//! Only positive answers are kept: an unknown key or integration is always looked up again,
//! so guessing keys cannot fill the cache and a new integration is found at once.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Arc, Mutex, Weak,
    },
    time::Duration,
};

use crate::store::{ApiKeyRecord, Integration, Store, Workspace};

/// How often the store's auth revision is read.
pub const POLL: Duration = Duration::from_millis(250);
/// Entries kept at most; when full, the cache starts over.
const MAX_ENTRIES: usize = 10_000;
/// The revision when it could not be read: bypass the cache.
const UNKNOWN: i64 = -1;

/// A key, its workspace, and the integration the call named (if any).
#[derive(Clone)]
pub struct Grant {
    pub key: Arc<ApiKeyRecord>,
    pub workspace: Arc<Workspace>,
    pub integration: Option<Arc<Integration>>,
}

/// When a grant was read: the store revision and this process's invalidation count.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    revision: i64,
    generation: u64,
}

#[derive(Default)]
pub struct AuthCache {
    revision: AtomicI64,
    generation: AtomicU64,
    /// (key hash, integration id or "") → grant and when it was read.
    entries: Mutex<HashMap<(String, String), (Grant, Stamp)>>,
}

impl AuthCache {
    /// A cache that serves nothing until its poller has read the revision once.
    pub fn start(store: Arc<dyn Store>) -> Arc<AuthCache> {
        let cache = Arc::new(AuthCache { revision: AtomicI64::new(UNKNOWN), ..Default::default() });
        tokio::spawn(poll(Arc::downgrade(&cache), store));
        cache
    }

    /// Take this before reading a grant from the store, and hand it to `remember`.
    pub fn stamp(&self) -> Stamp {
        Stamp { revision: self.revision.load(Ordering::SeqCst), generation: self.generation.load(Ordering::SeqCst) }
    }

    pub fn get(&self, key_hash: &str, integration_id: &str) -> Option<Grant> {
        let now = self.stamp();
        if now.revision == UNKNOWN {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (grant, stamp) = entries.get(&(key_hash.to_string(), integration_id.to_string()))?;
        (*stamp == now).then(|| grant.clone())
    }

    pub fn remember(&self, key_hash: &str, integration_id: &str, grant: Grant, read_at: Stamp) {
        if read_at.revision == UNKNOWN {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert((key_hash.to_string(), integration_id.to_string()), (grant, read_at));
    }

    /// Forgets everything; call after changing keys, workspaces or integrations.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn observe(&self, revision: i64) {
        if self.revision.swap(revision, Ordering::SeqCst) != revision {
            // Stale entries would be skipped anyway; dropping them frees the memory.
            self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }
}

async fn poll(cache: Weak<AuthCache>, store: Arc<dyn Store>) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let revision = match store.auth_revision().await {
            Ok(revision) => revision,
            Err(err) => {
                tracing::warn!(error = %err.0, "reading the auth revision failed; authenticating from the database");
                UNKNOWN
            }
        };
        let Some(cache) = cache.upgrade() else { return };
        cache.observe(revision);
    }
}
