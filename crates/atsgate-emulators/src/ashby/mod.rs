//! Emulator of Ashby's public API (https://api.ashbyhq.com), RPC style: every
//! call is `POST /<resource>.<action>` with a JSON body.
//!
//! Documentation the behaviour follows (facts only):
//! - https://developers.ashbyhq.com/reference/authentication
//! - https://developers.ashbyhq.com/docs/responses
//! - https://developers.ashbyhq.com/docs/pagination-and-incremental-sync
//! - https://developers.ashbyhq.com/reference/filecreatefileuploadhandle,
//!   …/candidateuploadfile, …/candidateuploadresume, …/fileinfo,
//!   …/candidateinfo, …/candidatelist, …/applicationlist, …/joblist
//! - /work/shared/spec/ats-apis.md §3
//!
//! Routes: `POST /job.list`, `/candidate.list`, `/candidate.info`,
//! `/application.list`, `/application.info`, `/file.createFileUploadHandle`,
//! `/candidate.uploadFile`, `/candidate.uploadResume`, `/file.info` (Basic
//! auth); `POST /_storage/upload` and `GET /_storage/files/{id}` (the fake
//! presigned storage, no auth); `/_emulator/*` (see `common::control`).
//! Files attach to candidates only: Ashby has no application-level upload.

mod api;
mod control;
mod files;
mod listing;
mod model;
pub(crate) mod multipart;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::Rng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::control::router as control_router;
use crate::common::edge::{self, Edge};
use crate::common::ratelimit::FixedWindowLimiter;
use crate::{Built, EmulatorOptions};
use api::ApiKey;
use store::Store;

/// Files of ~100 MB arrive as raw multipart bytes on the storage route.
const BODY_LIMIT: usize = 150 * 1024 * 1024;
/// Kind number of stored-file ids in [`model::uuid`].
const KIND_FILE: u64 = 6;

pub struct Ashby {
    store: RwLock<Store>,
    keys: Vec<ApiKey>,
    limiter: FixedWindowLimiter,
    base_url: String,
    /// Keys storage signatures and file handles; random per emulator.
    secret: [u8; 32],
    pending: Mutex<HashMap<String, files::Pending>>,
    next_file: AtomicU64,
    seed: u64,
}

impl Ashby {
    fn read_store(&self) -> RwLockReadGuard<'_, Store> {
        // Writes replace whole records, so a poisoned lock is still consistent.
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_store(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    fn pending(&self) -> MutexGuard<'_, HashMap<String, files::Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sign(&self, data: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.secret);
        hasher.update(data.as_bytes());
        hex::encode(hasher.finalize())
    }

    fn new_file_id(&self) -> String {
        model::uuid(self.seed, KIND_FILE, self.next_file.fetch_add(1, Ordering::Relaxed))
    }

    /// An opaque, signed file handle like the ones the public API hands out.
    fn file_handle(&self, file_id: &str, owner_id: &str) -> String {
        let signature = self.sign(&format!("{file_id}:{owner_id}"));
        let doc = json!({
            "handle": { "type": "CandidateFile", "fileId": file_id, "ownerId": owner_id },
            "signature": signature,
            "version": "1",
        });
        URL_SAFE_NO_PAD.encode(doc.to_string())
    }

    /// The file id of a handle this emulator issued.
    fn file_id_of(&self, handle: &str) -> Option<String> {
        let doc: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(handle.trim()).ok()?).ok()?;
        let file_id = doc["handle"]["fileId"].as_str()?;
        let owner_id = doc["handle"]["ownerId"].as_str()?;
        (doc["signature"].as_str()? == self.sign(&format!("{file_id}:{owner_id}"))).then(|| file_id.to_owned())
    }
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] = &[
    crate::UploadStep::prepares("POST", "/file.createFileUploadHandle"),
    crate::UploadStep::prepares("POST", "/_storage/upload"),
    crate::UploadStep::stores("POST", "/candidate.upload"),
];

/// Seeds the organisation and assembles the router.
pub async fn build(base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let (count, seed) = (options.seed_candidates, options.seed);
    let now = model::now_millis();
    let store = tokio::task::spawn_blocking(move || store::seed(count, seed, now)).await?;
    let users = store.users.clone();

    let full = ApiKey { key: format!("ashby_{}", api::random_hex(16)), candidates_write: true };
    let readonly = ApiKey { key: format!("ashby_ro_{}", api::random_hex(16)), candidates_write: false };
    let credentials = BTreeMap::from([("api_key".to_owned(), full.key.clone())]);
    let readonly_credentials = BTreeMap::from([("api_key".to_owned(), readonly.key.clone())]);

    let ashby = Arc::new(Ashby {
        store: RwLock::new(store),
        keys: vec![full, readonly],
        limiter: FixedWindowLimiter::from_options(options),
        base_url,
        secret: rand::thread_rng().gen(),
        pending: Mutex::new(HashMap::new()),
        next_file: AtomicU64::new(0),
        seed,
    });

    let (edge, log, faults) = Edge::fresh(api::fault);

    let rpc = Router::new()
        .route("/job.list", post(listing::jobs))
        .route("/candidate.list", post(listing::candidates))
        .route("/candidate.info", post(listing::candidate_info))
        .route("/application.list", post(listing::applications))
        .route("/application.info", post(listing::application_info))
        .route("/file.createFileUploadHandle", post(files::create_handle))
        .route("/candidate.uploadFile", post(files::upload_file))
        .route("/candidate.uploadResume", post(files::upload_resume))
        .route("/file.info", post(files::file_info))
        .route_layer(from_fn_with_state(ashby.clone(), api::guard));
    // The storage host is separate in reality; it goes through the edge too, so tests see
    // (and can fault) the second step of the upload.
    let vendor_api = Router::new()
        .merge(rpc)
        .route("/_storage/upload", post(files::storage_upload))
        .route("/_storage/files/{id}", get(files::download))
        .layer(from_fn_with_state(edge, edge::middleware))
        .with_state(ashby.clone());

    let router = Router::new()
        .merge(vendor_api)
        .merge(control_router(Arc::new(control::Control(ashby)), log, faults))
        .fallback(|| async { api::not_found() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built {
        router,
        auth_url: None,
        credentials,
        readonly_credentials,
        other_user_ids: users,
        upload_steps: UPLOAD_STEPS,
    })
}
