//! Emulator of the SmartRecruiters Customer API (API-key integrations).
//!
//! Documentation the behaviour follows (facts only, nothing copied):
//! - https://developers.smartrecruiters.com/docs/rate-limiting (rate and
//!   concurrency limits, `X-RateLimit-*` / `X-RateLimit-Concurrent-*`, 429)
//! - https://dev.smartrecruiters.com/customer-api/candidate-api__trashed/endpoints/candidates-attachments-list/
//!   (attachment list shape with `actions.download`)
//! - /work/shared/spec/ats-apis.md §4 (`X-SmartToken`, multipart
//!   `attachmentType` + `file`, 201, `limit` ≤ 100 + `pageId`/`nextPageId`,
//!   `ErrorResponse {message, errors:[{code, message}]}`)
//!
//! Routes:
//! - `GET /jobs`, `GET /candidates`, `GET /candidates/{id}`,
//!   `GET /candidates/{id}/jobs/{jobId}`
//! - `GET|POST /candidates/{id}/attachments`,
//!   `GET|POST /candidates/{id}/jobs/{jobId}/attachments`,
//!   `GET /candidates/{id}/attachments/{attachmentId}` (the bytes)
//! - `/_emulator/*`: see `common::control`
//!
//! UNCERTAIN points and the emulator's choice: the 401 body (the common
//! `ErrorResponse` shape), the full `attachmentType` enum (`GENERIC_FILE`,
//! `RESUME`, `COVER_LETTER`, `AVATAR`), no size limit, no `Retry-After` on
//! 429. An API key acts as the user who created it: that user is a
//! received file's `actor_user_id` (there is no per-request acting user).

mod api;
mod control;
mod guard;
mod model;
mod multipart;
mod seed;

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
use guard::{ApiKey, InFlight};
use model::{Attachment, Candidate, Job};

/// Multipart uploads carry raw bytes; room for ~100 MB files.
const BODY_LIMIT: usize = 110 * 1024 * 1024;

/// Everything the account holds.
pub struct Data {
    pub jobs: BTreeMap<String, Job>,
    pub candidates: BTreeMap<String, Candidate>,
    /// Every received file, in arrival order.
    pub attachments: Vec<Attachment>,
}

pub struct SmartRecruiters {
    data: RwLock<Data>,
    keys: Vec<ApiKey>,
    limiter: FixedWindowLimiter,
    in_flight: Arc<InFlight>,
    base_url: String,
}

impl SmartRecruiters {
    fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh random UUID-style id for an uploaded file.
    fn new_id(&self) -> String {
        seed::SeedRng(rand::thread_rng().gen()).uuid()
    }
}

fn random_key() -> String {
    let mut rng = rand::thread_rng();
    (0..20).map(|_| format!("{:02x}", rng.gen::<u8>())).collect()
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] = &[crate::UploadStep::stores("POST", "/attachments")];

pub async fn build(base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let (count, seed) = (options.seed_candidates, options.seed);
    let seeded = tokio::task::spawn_blocking(move || seed::build(count, seed, chrono::Utc::now())).await?;
    // Users of the account; API keys act as the user who created them.
    let mut user_rng = seed::SeedRng(seed ^ 0x5352_5553);
    let users: Vec<String> = (0..3).map(|_| user_rng.uuid()).collect();
    let key = |can_upload| ApiKey { key: format!("DCRA1-{}", random_key()), can_upload, user_id: users[0].clone() };
    let (full, readonly) = (key(true), key(false));
    let credentials = BTreeMap::from([("api_key".to_owned(), full.key.clone())]);
    let readonly_credentials = BTreeMap::from([("api_key".to_owned(), readonly.key.clone())]);

    let sr = Arc::new(SmartRecruiters {
        data: RwLock::new(Data { jobs: seeded.jobs, candidates: seeded.candidates, attachments: Vec::new() }),
        keys: vec![full, readonly],
        limiter: FixedWindowLimiter::from_options(options),
        in_flight: Arc::default(),
        base_url,
    });

    let (edge, log, faults) = Edge::fresh(guard::fault);

    let vendor_api = Router::new()
        .route("/jobs", get(api::jobs))
        .route("/candidates", get(api::candidates))
        .route("/candidates/{id}", get(api::candidate))
        .route("/candidates/{id}/jobs/{job_id}", get(api::application))
        .route("/candidates/{id}/attachments", get(api::candidate_attachments).post(api::upload_to_candidate))
        .route("/candidates/{id}/attachments/{attachment_id}", get(api::download))
        .route(
            "/candidates/{id}/jobs/{job_id}/attachments",
            get(api::application_attachments).post(api::upload_to_application),
        )
        .route_layer(from_fn_with_state(sr.clone(), guard::guard))
        .layer(from_fn_with_state(edge, edge::middleware))
        .with_state(sr.clone());

    let router = Router::new()
        .merge(vendor_api)
        .merge(control_router(Arc::new(control::Control(sr)), log, faults))
        .fallback(|| async { guard::error(axum::http::StatusCode::NOT_FOUND, "NOT_FOUND", "Resource not found") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built {
        router,
        auth_url: None,
        credentials,
        readonly_credentials,
        other_user_ids: users[1..].to_vec(),
        upload_steps: UPLOAD_STEPS,
    })
}
