//! Emulator of the Recruitee (Tellent) API, `https://api.recruitee.com/c/{company_id}/…`.
//!
//! Documentation the behaviour follows (facts only):
//! - https://docs.recruitee.com/reference/getting-started (personal API
//!   tokens, `Authorization: Bearer`, the company id in the path)
//! - https://docs.recruitee.com/reference/candidates, …/attachments, …/offers
//! - /work/shared/spec/ats-apis.md §7
//!
//! Routes: `GET /c/{company}/offers`, `GET /c/{company}/candidates`,
//! `GET /c/{company}/candidates/{id}`, `GET /c/{company}/candidates/{id}/attachments`,
//! `POST /c/{company}/attachments`, `PATCH /c/{company}/candidates/{id}/set_as_cv/{attachment_id}`
//! (Bearer token); `GET /_files/{id}/{filename}` (signed, no token);
//! `/_emulator/*` (see `common::control`).
//!
//! Choices where the sources are silent (UNCERTAIN): a wrong token is a 401;
//! a path company other than the token's is a 404; tokens are not scoped, so
//! the read-only credential is a token of a user whose role may not change
//! candidates (403 on writes); the rate limit (a fixed window from the
//! emulator options) answers 429 with `Retry-After`.

mod control;
mod errors;
mod handlers;
mod store;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::Router;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::common::control::router as control_router;
use crate::common::edge::{self, Edge};
use crate::common::ratelimit::FixedWindowLimiter;
use crate::{Built, EmulatorOptions};
use store::{Id, Store, FIRST_USER_ID};

/// Multipart uploads of ~100 MB files.
const BODY_LIMIT: usize = 150 * 1024 * 1024;

struct Token {
    token: String,
    user_id: Id,
    can_write: bool,
}

/// The user a valid token speaks for; put in the request extensions.
#[derive(Clone, Copy)]
pub struct Caller {
    pub user_id: Id,
}

pub struct Recruitee {
    store: RwLock<Store>,
    company_id: String,
    tokens: Vec<Token>,
    limiter: FixedWindowLimiter,
    base_url: String,
    secret: [u8; 32],
}

impl Recruitee {
    fn read_store(&self) -> RwLockReadGuard<'_, Store> {
        // Writes replace whole values, so a poisoned lock is still consistent.
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_store(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    fn sign(&self, id: Id, expires: u64) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.secret);
        hasher.update(format!("{id}:{expires}").as_bytes());
        hex::encode(hasher.finalize())
    }
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes).map(|_| format!("{:02x}", rng.gen::<u8>())).collect()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Authenticates, checks the company, rate-limits and checks the write right.
async fn guard(State(rc): State<Arc<Recruitee>>, mut request: Request, next: Next) -> Response {
    let Some(token) = bearer(request.headers()).and_then(|t| rc.tokens.iter().find(|k| k.token == t)) else {
        return errors::unauthorized();
    };
    if request.uri().path().split('/').nth(2) != Some(rc.company_id.as_str()) {
        return errors::company_not_found();
    }
    let decision = rc.limiter.check(&token.token);
    if !decision.allowed {
        return errors::rate_limited(decision.retry_after_secs);
    }
    if request.method() != Method::GET && !token.can_write {
        return errors::forbidden("You don't have permission to manage candidates");
    }
    request.extensions_mut().insert(Caller { user_id: token.user_id });
    next.run(request).await
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] =
    &[crate::UploadStep::stores("POST", "/attachments"), crate::UploadStep::finishes("PATCH", "/set_as_cv/")];

/// Seeds the company and assembles the router.
pub async fn build(base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let (count, seed) = (options.seed_candidates, options.seed);
    let now = store::now_millis();
    let store = tokio::task::spawn_blocking(move || store::seed(count, seed, now)).await?;
    let company_id = (60_000 + seed % 30_000).to_string();
    let tokens = vec![
        Token { token: random_hex(24), user_id: FIRST_USER_ID, can_write: true },
        Token { token: random_hex(24), user_id: FIRST_USER_ID + 1, can_write: false },
    ];
    let credentials_of = |token: &Token| {
        BTreeMap::from([("company_id".to_owned(), company_id.clone()), ("api_token".to_owned(), token.token.clone())])
    };
    let credentials = credentials_of(&tokens[0]);
    let readonly_credentials = credentials_of(&tokens[1]);
    let rc = Arc::new(Recruitee {
        store: RwLock::new(store),
        company_id,
        tokens,
        limiter: FixedWindowLimiter::from_options(options),
        base_url,
        secret: rand::thread_rng().gen(),
    });

    let (edge, log, faults) = Edge::fresh(errors::fault);

    let api = Router::new()
        .route("/c/{company}/offers", get(handlers::offers))
        .route("/c/{company}/candidates", get(handlers::candidates))
        .route("/c/{company}/candidates/{id}", get(handlers::candidate))
        .route("/c/{company}/candidates/{id}/attachments", get(handlers::attachments))
        .route("/c/{company}/candidates/{id}/set_as_cv/{attachment_id}", patch(handlers::set_as_cv))
        .route("/c/{company}/attachments", post(handlers::create_attachment))
        .route_layer(from_fn_with_state(rc.clone(), guard));
    let vendor_api = Router::new()
        .merge(api)
        .route("/_files/{id}/{name}", get(handlers::download))
        .layer(from_fn_with_state(edge, edge::middleware))
        .with_state(rc.clone());

    let router = Router::new()
        .merge(vendor_api)
        .merge(control_router(Arc::new(control::Control(rc)), log, faults))
        .fallback(|| async { errors::not_found() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built {
        router,
        auth_url: None,
        credentials,
        readonly_credentials,
        other_user_ids: vec![(FIRST_USER_ID + 1).to_string(), (FIRST_USER_ID + 2).to_string()],
        upload_steps: UPLOAD_STEPS,
    })
}
