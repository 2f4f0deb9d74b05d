//! Emulator of the Lever API v1 for API-key integrations.
//!
//! Documentation the behaviour follows (facts only, nothing copied):
//! https://hire.lever.co/developer/documentation — §Authentication (HTTP
//! Basic, API key as username, blank password), §Pagination (`limit` 1–100,
//! opaque `offset`, `{data,next,hasNext}`), §Opportunities, §Applications,
//! §Postings, §Users, §Files (multipart `file`, `perform_as` required,
//! 30 MB, 201 with `{"data":{…}}`), §Rate Limits (429, no headers
//! documented), §Responses and Errors (`{"code","message"}`); summary in
//! /work/shared/spec/ats-apis.md §2 and §12.
//!
//! Routes: `GET /v1/users`, `GET /v1/postings`, `GET /v1/opportunities`,
//! `GET /v1/opportunities/{id}`, `GET|POST /v1/opportunities/{id}/files`,
//! `GET /v1/opportunities/{id}/files/{file}/download`,
//! `GET /v1/opportunities/{id}/resumes[/{resume}/download]` (always empty:
//! resumes are only created with an opportunity), and `/_emulator/*`.
//!
//! Choices where the docs are silent (UNCERTAIN in the spec): a missing or
//! unknown `perform_as` is a 400; the read-only key gets a 403 on upload; a
//! file over 30 MB is a 413; the 429 carries no rate headers (an injected
//! fault may add `Retry-After`); unknown query parameters are ignored. The
//! received file's `type` is `file` (Lever has no file types).

mod api;
mod control;
mod multipart;
mod store;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use rand::Rng;

use crate::common::control::router as control_router;
use crate::common::edge::{self, Edge};
use crate::common::ratelimit::FixedWindowLimiter;
use crate::{Built, EmulatorOptions};
use store::Store;

/// Room for a 30 MB file plus the multipart framing; the handler enforces
/// Lever's own limit with Lever's error body.
const BODY_LIMIT: usize = 40 * 1024 * 1024;

pub struct Lever {
    store: RwLock<Store>,
    /// API keys and whether they may upload files.
    keys: Vec<(String, bool)>,
    limiter: FixedWindowLimiter,
}

impl Lever {
    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn api_key() -> String {
    let mut rng = rand::thread_rng();
    (0..40)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng.gen_range(0..62)]))
        .collect()
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] = &[crate::UploadStep::stores("POST", "/files")];

pub async fn build(_base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let (count, seed) = (options.seed_candidates, options.seed);
    let now_ms = chrono::Utc::now().timestamp_millis();
    let store = tokio::task::spawn_blocking(move || Store::seed(count, seed, now_ms)).await?;
    let user_ids: Vec<String> = store.users.iter().map(|u| u.id.clone()).collect();
    let (full, readonly) = (api_key(), api_key());
    let first_user = user_ids.first().cloned().unwrap_or_default();
    let credentials_of = |key: &str| {
        BTreeMap::from([("api_key".to_owned(), key.to_owned()), ("user_id".to_owned(), first_user.clone())])
    };
    let credentials = credentials_of(&full);
    let readonly_credentials = credentials_of(&readonly);

    let lever = Arc::new(Lever {
        store: RwLock::new(store),
        keys: vec![(full, true), (readonly, false)],
        limiter: FixedWindowLimiter::from_options(options),
    });
    let (edge, log, faults) = Edge::fresh(api::fault);

    let vendor_api = Router::new()
        .route("/v1/users", get(api::users))
        .route("/v1/postings", get(api::postings))
        .route("/v1/opportunities", get(api::opportunities))
        .route("/v1/opportunities/{id}", get(api::opportunity))
        .route("/v1/opportunities/{id}/files", get(api::files).post(api::upload))
        .route("/v1/opportunities/{id}/files/{file}/download", get(api::download))
        .route("/v1/opportunities/{id}/resumes", get(api::resumes))
        .route("/v1/opportunities/{id}/resumes/{resume}/download", get(api::resume_download))
        .route_layer(from_fn_with_state(lever.clone(), api::guard))
        .layer(from_fn_with_state(edge, edge::middleware))
        .with_state(lever.clone());

    let router = Router::new()
        .merge(vendor_api)
        .merge(control_router(Arc::new(control::Control(lever)), log, faults))
        .fallback(|| async { api::not_found("resource") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built {
        router,
        auth_url: None,
        credentials,
        readonly_credentials,
        other_user_ids: user_ids.into_iter().skip(1).collect(),
        upload_steps: UPLOAD_STEPS,
    })
}
