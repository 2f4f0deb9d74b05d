//! OAuth 2.0 client credentials and the guard in front of every /v3 route.
//!
//! Harvest v3 custom integrations POST to the token endpoint with HTTP Basic
//! `client_id:client_secret` and a form body
//! `grant_type=client_credentials&sub=<user id>`; the token that comes back
//! acts as that user (the v3 successor of v1's `On-Behalf-Of`). The guard
//! then resolves `Authorization: Bearer`, applies the per-client rate limit
//! and adds the `X-RateLimit-*` headers to whatever the handler answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::Rng;
use serde_json::json;

use super::errors;
use super::model::Id;
use super::Greenhouse;
use crate::common::http;

/// The scope the read-only client lacks.
pub const ATTACHMENTS_CREATE_SCOPE: &str = "harvest:attachments:create";

/// A registered API client (a "Harvest V3 (OAuth)" credential).
pub struct ApiClient {
    pub client_id: String,
    pub client_secret: String,
    pub can_create_attachments: bool,
}

impl ApiClient {
    pub fn generate(prefix: &str, can_create_attachments: bool) -> Self {
        Self {
            client_id: format!("{prefix}_{}", random_hex(12)),
            client_secret: random_hex(32),
            can_create_attachments,
        }
    }
}

/// Who a valid bearer token speaks for; put in the request extensions.
#[derive(Clone, Debug)]
pub struct Principal {
    pub client_id: Arc<str>,
    pub user_id: Id,
    pub can_create_attachments: bool,
}

struct IssuedToken {
    principal: Principal,
    expires: Instant,
}

/// Issued access tokens.
#[derive(Default)]
pub struct TokenStore {
    tokens: Mutex<HashMap<String, IssuedToken>>,
}

impl TokenStore {
    fn issue(&self, principal: Principal, ttl: Duration) -> String {
        let token = random_hex(32);
        let now = Instant::now();
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        // Forget expired tokens here rather than on every lookup: issuing is
        // rare (once per TTL per client), lookups are per request.
        tokens.retain(|_, issued| issued.expires > now);
        tokens.insert(token.clone(), IssuedToken { principal, expires: now + ttl });
        token
    }

    /// Makes every issued token expire now (the `expire-tokens` control route); returns how many.
    pub fn expire_all(&self) -> usize {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let count = tokens.len();
        tokens.clear();
        count
    }

    fn lookup(&self, token: &str) -> Option<Principal> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let issued = tokens.get(token)?;
        (issued.expires > Instant::now()).then(|| issued.principal.clone())
    }
}

/// `POST /auth/token`.
pub async fn token(State(gh): State<Arc<Greenhouse>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(client) = basic_credentials(&headers)
        .and_then(|(id, secret)| gh.clients.iter().find(|c| c.client_id == id && c.client_secret == secret))
    else {
        return errors::oauth(StatusCode::UNAUTHORIZED, "invalid_client", None);
    };

    let mut grant_type = None;
    let mut sub = None;
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "grant_type" => grant_type = Some(value.into_owned()),
            "sub" => sub = Some(value.into_owned()),
            _ => {}
        }
    }
    match grant_type.as_deref() {
        Some("client_credentials") => {}
        None => return errors::oauth(StatusCode::BAD_REQUEST, "invalid_request", Some("grant_type is required")),
        Some(_) => return errors::oauth(StatusCode::BAD_REQUEST, "unsupported_grant_type", None),
    }
    let user_id = match sub.as_deref().map(str::trim) {
        None | Some("") => {
            return errors::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                Some("sub is required: the id of the Greenhouse user to act as"),
            )
        }
        Some(sub) => match sub.parse::<Id>().ok().filter(|id| gh.user_exists(*id)) {
            Some(id) => id,
            None => {
                return errors::oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    Some(&format!("sub {sub} is not a user of this organization")),
                )
            }
        },
    };

    let principal = Principal {
        client_id: Arc::from(client.client_id.as_str()),
        user_id,
        can_create_attachments: client.can_create_attachments,
    };
    let access_token = gh.tokens.issue(principal, gh.token_ttl);
    let mut response = http::json(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": gh.token_ttl.as_secs(),
        }),
    );
    response.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

/// Authenticates, rate-limits and annotates every /v3 request.
pub async fn v3_guard(State(gh): State<Arc<Greenhouse>>, mut request: Request, next: Next) -> Response {
    let Some(principal) = bearer(request.headers()).and_then(|t| gh.tokens.lookup(t)) else {
        return errors::unauthorized();
    };
    let decision = gh.limiter.check(&principal.client_id);
    if !decision.allowed {
        return errors::rate_limited(&decision);
    }
    request.extensions_mut().insert(principal);
    let mut response = next.run(request).await;
    errors::set_rate_headers(&mut response, &decision);
    response
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes).map(|_| format!("{:02x}", rng.gen::<u8>())).collect()
}
