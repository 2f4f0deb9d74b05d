//! Emulator of the Workable SPI v3 (account access tokens).
//!
//! Documentation the behaviour follows (facts only, nothing copied):
//! - https://workable.readme.io/reference/comment-on-candidate (`member_id`,
//!   `comment {body, policy, attachment {name, data}}`)
//! - https://workable.readme.io/reference/candidate-files (`{files:[{name,
//!   preview_url, source, kind}]}`, presigned previews of ~16 h 40 min)
//! - https://workable.readme.io/reference/job-candidates-index and
//!   https://workable.readme.io/reference/jobs (`limit`, `since_id`,
//!   `paging.next` URL, filters `shortcode`, `stage`, `email`,
//!   `created_after`, `updated_after`)
//! - https://workable.readme.io/reference/rate-limits (10-second windows,
//!   `X-Rate-Limit-{Limit,Remaining,Reset}` on every answer, 429)
//! - https://help.workable.com/hc/en-us/articles/115013034447 (files other
//!   than resumes go on comments; 20 MB per file)
//! - /work/shared/spec/ats-apis.md §5 and §12
//!
//! Routes: `GET /spi/v3/{members,jobs,candidates}`,
//! `GET /spi/v3/candidates/{id}`, `POST /spi/v3/candidates/{id}/comments`,
//! `GET /spi/v3/candidates/{id}/files`, `GET /_storage/{key}` (presigned,
//! no auth) and `/_emulator/*`.
//!
//! Choices where the docs are silent: a candidate is in exactly one job (the
//! seed gives each one job); a 422 is `{"error","validation_errors"}`; the
//! read-only token (no `w_candidates`) gets a 403; `since_id` is inclusive
//! and `paging.next` carries the first id of the next page; comment
//! attachments list with `source: "comment"` and no `kind`; the received
//! file's `type` is `comment_attachment`.

mod api;
mod control;
mod store;

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
use store::Store;

/// A 20 MB file arrives base64-encoded (4/3 larger) in JSON.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub struct Workable {
    store: RwLock<Store>,
    /// Access tokens and whether they hold `w_candidates`.
    tokens: Vec<(String, bool)>,
    limiter: FixedWindowLimiter,
    base_url: String,
    /// Keys the preview-URL signatures; random per emulator.
    secret: [u8; 32],
}

impl Workable {
    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn token() -> String {
    let mut rng = rand::thread_rng();
    (0..64).map(|_| format!("{:x}", rng.gen_range(0..16u8))).collect()
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] = &[crate::UploadStep::stores("POST", "/comments")];

pub async fn build(base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let (count, seed) = (options.seed_candidates, options.seed);
    let now_ms = chrono::Utc::now().timestamp_millis();
    let store = tokio::task::spawn_blocking(move || Store::seed(count, seed, now_ms)).await?;
    let member_ids: Vec<String> = store.members.iter().map(|m| m.id.clone()).collect();
    let (full, readonly) = (token(), token());
    let first_member = member_ids.first().cloned().unwrap_or_default();
    let credentials_of = |token: &str| {
        BTreeMap::from([
            ("subdomain".to_owned(), store::SUBDOMAIN.to_owned()),
            ("api_token".to_owned(), token.to_owned()),
            ("member_id".to_owned(), first_member.clone()),
        ])
    };
    let credentials = credentials_of(&full);
    let readonly_credentials = credentials_of(&readonly);

    let wk = Arc::new(Workable {
        store: RwLock::new(store),
        tokens: vec![(full, true), (readonly, false)],
        limiter: FixedWindowLimiter::from_options(options),
        base_url,
        secret: rand::thread_rng().gen(),
    });
    let (edge, log, faults) = Edge::fresh(api::fault);

    let vendor_api = Router::new()
        .route("/spi/v3/members", get(api::members))
        .route("/spi/v3/jobs", get(api::jobs))
        .route("/spi/v3/candidates", get(api::candidates))
        .route("/spi/v3/candidates/{id}", get(api::candidate))
        .route("/spi/v3/candidates/{id}/comments", post(api::comment))
        .route("/spi/v3/candidates/{id}/files", get(api::files))
        .route_layer(from_fn_with_state(wk.clone(), api::guard))
        .layer(from_fn_with_state(edge, edge::middleware))
        .with_state(wk.clone());

    let router = Router::new()
        .merge(vendor_api)
        .route("/_storage/{key}", get(api::storage).with_state(wk.clone()))
        .merge(control_router(Arc::new(control::Control(wk)), log, faults))
        .fallback(|| async { api::not_found() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built {
        router,
        auth_url: None,
        credentials,
        readonly_credentials,
        other_user_ids: member_ids.into_iter().skip(1).collect(),
        upload_steps: UPLOAD_STEPS,
    })
}
