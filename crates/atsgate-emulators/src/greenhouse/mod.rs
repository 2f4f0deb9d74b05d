//! Emulator of the Greenhouse Harvest API v3 (customer "client credentials"
//! integrations).
//!
//! Documentation the behaviour follows (facts only, nothing copied):
//! - https://harvestdocs.greenhouse.io/docs/authentication (token endpoint,
//!   HTTP Basic client credentials, `sub` = acting user)
//! - https://harvestdocs.greenhouse.io/docs/pagination and
//!   https://harvestdocs.greenhouse.io/docs/list-endpoints (cursor paging,
//!   `Link rel="next"` only, cursor must be alone, filter operators)
//! - https://harvestdocs.greenhouse.io/docs/api-rate-limiting (10-second
//!   window, `X-RateLimit-Limit`/`-Remaining`, 429 with `Retry-After` and
//!   `X-RateLimit-Reset`; numbers are per credential, ours are options)
//! - https://harvestdocs.greenhouse.io/reference/post_v3-attachments,
//!   https://harvestdocs.greenhouse.io/reference/get_v3-attachments,
//!   https://harvestdocs.greenhouse.io/reference/get_v3-candidates,
//!   https://harvestdocs.greenhouse.io/reference/get_v3-applications,
//!   https://harvestdocs.greenhouse.io/reference/get_v3-jobs
//! - /work/shared/spec/ats-apis.md §1 (v1 content types, error shapes)
//!
//! Routes (all JSON answers are `application/json;charset=utf-8`):
//! - `POST /auth/token` (the real host is `auth.greenhouse.io/token`)
//! - `GET /v3/{jobs,users,candidates,applications,attachments}`,
//!   `POST /v3/attachments`
//! - `GET /_files/{id}?expires=&sig=`: presigned-style download, no auth
//! - `/_emulator/*`: see `common::control`
//!
//! Deliberate limits: `url` uploads are refused (the emulator never fetches
//! remote files); `fields` is accepted but every field is returned; records
//! other than attachments cannot be created through the API; an upload does
//! not touch the application's or candidate's `updated_at` (a sync sees new
//! files through `GET /v3/attachments`). Unknown query parameters are a 422.

mod attachments;
mod auth;
mod control;
mod errors;
mod filters;
mod listing;
mod loose;
mod model;
mod seed;
mod store;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use rand::Rng;

use crate::common::control::router as control_router;
use crate::common::edge::{self, Edge};
use crate::common::http::unix_now;
use crate::common::ratelimit::FixedWindowLimiter;
use crate::{Built, EmulatorOptions};
use auth::{ApiClient, TokenStore};
use model::{Id, Ts};
use store::Store;

/// Uploads of ~100 MB files arrive base64-encoded (4/3 larger) in JSON.
const BODY_LIMIT: usize = 150 * 1024 * 1024;

/// The shared state of one Greenhouse emulator.
pub struct Greenhouse {
    store: RwLock<Store>,
    clients: Vec<ApiClient>,
    tokens: TokenStore,
    limiter: FixedWindowLimiter,
    token_ttl: Duration,
    base_url: String,
    /// Keys the download-URL signatures; random per emulator.
    file_secret: [u8; 32],
}

impl Greenhouse {
    fn read_store(&self) -> RwLockReadGuard<'_, Store> {
        // A panic while holding the lock cannot leave a record half-written
        // (writes replace whole records), so a poisoned lock is still usable.
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_store(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    fn user_exists(&self, id: Id) -> bool {
        self.read_store().users.contains_key(&id)
    }

    /// A fresh signed download link, valid for seven days.
    fn download_url(&self, id: Id) -> String {
        let expires = unix_now() + attachments::URL_TTL_SECS;
        let sig = attachments::sign(&self.file_secret, id, expires);
        format!("{}/_files/{id}?expires={expires}&sig={sig}", self.base_url)
    }
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] = &[crate::UploadStep::stores("POST", "/v3/attachments")];

/// Seeds the account and assembles the router.
pub async fn build(base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let auth_url = Some(format!("{base_url}/auth"));
    let (count, seed) = (options.seed_candidates, options.seed);
    // Seeding 100 000 candidates is CPU work; keep it off the async workers.
    let store = tokio::task::spawn_blocking(move || seed::build(count, seed, Ts::now())).await?;
    let user_ids: Vec<Id> = store.users.keys().copied().collect();

    let full = ApiClient::generate("ghc", true);
    let readonly = ApiClient::generate("ghc_ro", false);
    let first_user = user_ids.first().copied().unwrap_or(seed::FIRST_USER_ID);
    let credentials_of = |client: &ApiClient| {
        BTreeMap::from([
            ("client_id".to_owned(), client.client_id.clone()),
            ("client_secret".to_owned(), client.client_secret.clone()),
            ("user_id".to_owned(), first_user.to_string()),
        ])
    };
    let credentials = credentials_of(&full);
    let readonly_credentials = credentials_of(&readonly);

    let gh = Arc::new(Greenhouse {
        store: RwLock::new(store),
        clients: vec![full, readonly],
        tokens: TokenStore::default(),
        limiter: FixedWindowLimiter::from_options(options),
        token_ttl: Duration::from_secs(options.token_ttl_secs),
        base_url,
        file_secret: rand::thread_rng().gen(),
    });

    let (edge, log, faults) = Edge::fresh(errors::fault);

    let v3 = Router::new()
        .route("/v3/jobs", get(listing::jobs))
        .route("/v3/users", get(listing::users))
        .route("/v3/candidates", get(listing::candidates))
        .route("/v3/applications", get(listing::applications))
        .route("/v3/attachments", get(listing::attachments).post(attachments::create))
        .route_layer(from_fn_with_state(gh.clone(), auth::v3_guard));
    let vendor_api = Router::new()
        .route("/auth/token", post(auth::token))
        .merge(v3)
        .layer(from_fn_with_state(edge, edge::middleware))
        .with_state(gh.clone());

    let router = Router::new()
        .merge(vendor_api)
        .route("/_files/{id}", get(attachments::download).with_state(gh.clone()))
        .merge(control_router(Arc::new(control::Control(gh.clone())), log, faults))
        .fallback(|| async { errors::not_found() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built {
        router,
        auth_url,
        credentials,
        readonly_credentials,
        other_user_ids: user_ids.iter().skip(1).map(Id::to_string).collect(),
        upload_steps: UPLOAD_STEPS,
    })
}
