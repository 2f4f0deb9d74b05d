//! Emulator of the Teamtailor public API v1 (JSON:API).
//!
//! Documentation the behaviour follows (facts only, nothing copied):
//! - https://docs.teamtailor.com/ (`Authorization: Token token=<key>`, key
//!   scopes, dated `X-Api-Version` echoed back, `X-Rate-Limit-*` headers)
//! - https://documenter.gw.postman.com/view/metadata/TVzSiGxA (EU/NA hosts)
//! - https://jsonapi.org/format/ (documents, `include`, `links`, errors,
//!   415 for a wrong media type, 409 for a wrong resource type)
//! - https://help.adway.ai/en/articles/422338-files (uploads by public URL,
//!   linked to a candidate and a job)
//! - /work/shared/spec/ats-apis.md §6 (and its UNCERTAIN points)
//!
//! Routes (answers are `application/vnd.api+json`):
//! - `GET /v1/jobs`, `GET /v1/candidates`, `GET /v1/candidates/{id}`,
//!   `GET /v1/job-applications`, `GET /v1/job-applications/{id}`,
//!   `GET /v1/candidates/{id}/job-applications`,
//!   `GET /v1/candidates/{id}/uploads`, `GET /v1/uploads/{id}`: JSON:API,
//!   `page[number]`/`page[size]` (default 10, max 30), `links.next`,
//!   `meta.record-count`; relationship linkage only for `include`d names
//! - `POST /v1/candidates` (`merge: true` updates the candidate with the
//!   same email) and `PATCH /v1/candidates/{id}`: a `resume` URL is
//!   downloaded during the call and becomes the candidate's resume (read back
//!   through the candidate's `resume` attribute, a signed link)
//! - `GET /v1/users`
//! - `POST /v1/uploads`: downloads `attributes.url` during the call (plain
//!   `http://` only), 201 with the upload; 422 with `errors[]` when the URL
//!   cannot be fetched or a linked record does not exist; 403 for a
//!   read-only key
//! - `GET /_files/{id}/{name}?expires=&sig=`: presigned-style download, no auth
//! - `/_emulator/*`: see `common::control`
//!
//! Choices where the docs are silent: a missing or malformed `X-Api-Version`
//! is a 406; unknown query parameters (filters) are accepted and ignored;
//! an upload linked to a job is tied to the candidate's application for
//! that job (none if they have no such application).

mod api;
mod auth;
mod control;
mod fetch;
mod jsonapi;
mod model;
mod resume;
mod seed;
mod store;
mod uploads;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use rand::Rng;

use crate::common::control::router as control_router;
use crate::common::edge::{self, Edge};
use crate::common::ratelimit::FixedWindowLimiter;
use crate::{Built, EmulatorOptions};
use auth::ApiKey;
use model::{Candidate, Ts, Upload};
use store::Store;

/// Upload requests carry a URL, never bytes: a small JSON body is plenty.
const BODY_LIMIT: usize = 1024 * 1024;

pub struct Teamtailor {
    store: RwLock<Store>,
    keys: Vec<ApiKey>,
    limiter: FixedWindowLimiter,
    base_url: String,
    /// Keys the download-URL signatures; random per emulator.
    file_secret: [u8; 32],
}

impl Teamtailor {
    fn read_store(&self) -> RwLockReadGuard<'_, Store> {
        // Writes replace whole records, so a poisoned lock is still consistent.
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_store(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh signed download link ending in the file name, like the
    /// presigned storage URLs Teamtailor hands out.
    fn download_url(&self, upload: &Upload) -> String {
        let expires = uploads::expiry();
        let name = path_segment(&upload.file_name);
        let sig = uploads::sign(&self.file_secret, upload.id, expires);
        format!("{}/_files/{}/{name}?expires={expires}&sig={sig}", self.base_url, upload.id)
    }

    /// A candidate resource with its current resume link.
    fn candidate_resource(&self, store: &Store, candidate: &Candidate) -> serde_json::Value {
        let resume = candidate.resume_id.and_then(|id| store.upload(id)).map(|u| self.download_url(u));
        candidate.resource(&self.base_url, resume)
    }
}

/// Percent-encodes a file name for use as one URL path segment.
fn path_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] =
    &[crate::UploadStep::stores("POST", "/v1/uploads"), crate::UploadStep::stores("POST", "/v1/candidates")];

pub async fn build(base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let (count, seed) = (options.seed_candidates, options.seed);
    let store = tokio::task::spawn_blocking(move || seed::build(count, seed, Ts::now())).await?;
    // Company keys act as the company, not as a user; the users are still
    // real records (`GET /v1/users`), offered as the other known user ids.
    let other_user_ids = store.users.iter().skip(1).map(|u| u.id.to_string()).collect();

    let full = ApiKey::generate(true);
    let readonly = ApiKey::generate(false);
    let credentials = BTreeMap::from([("api_key".to_owned(), full.key.clone())]);
    let readonly_credentials = BTreeMap::from([("api_key".to_owned(), readonly.key.clone())]);

    let tt = Arc::new(Teamtailor {
        store: RwLock::new(store),
        keys: vec![full, readonly],
        limiter: FixedWindowLimiter::from_options(options),
        base_url,
        file_secret: rand::thread_rng().gen(),
    });

    let (edge, log, faults) = Edge::fresh(jsonapi::fault);

    let vendor_api = Router::new()
        .route("/v1/jobs", get(api::jobs))
        .route("/v1/candidates", get(api::candidates).post(resume::create_candidate))
        .route("/v1/users", get(api::users))
        .route("/v1/candidates/{id}", get(api::candidate).patch(resume::update_candidate))
        .route("/v1/candidates/{id}/job-applications", get(api::candidate_applications))
        .route("/v1/candidates/{id}/uploads", get(uploads::candidate_uploads))
        .route("/v1/job-applications", get(api::applications))
        .route("/v1/job-applications/{id}", get(api::application))
        .route("/v1/uploads", post(uploads::create))
        .route("/v1/uploads/{id}", get(uploads::show))
        .route_layer(from_fn_with_state(tt.clone(), auth::guard))
        .layer(from_fn_with_state(edge, edge::middleware))
        .with_state(tt.clone());

    let router = Router::new()
        .merge(vendor_api)
        .route("/_files/{id}/{name}", get(uploads::download).with_state(tt.clone()))
        .merge(control_router(Arc::new(control::Control(tt.clone())), log, faults))
        .fallback(|| async { jsonapi::not_found() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built { router, auth_url: None, credentials, readonly_credentials, other_user_ids, upload_steps: UPLOAD_STEPS })
}
