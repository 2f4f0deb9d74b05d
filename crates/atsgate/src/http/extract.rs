//! Extractors: the API key → workspace, `X-Integration-Id` → integration of that workspace, and
//! a JSON body extractor whose every rejection is the Kombo envelope.

use std::sync::Arc;

use std::time::Duration;

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts},
};
use bytes::BytesMut;
use futures::StreamExt;

use crate::{
    app::App,
    auth_cache::Grant,
    error::{Error, Result},
    ids, interaction,
    limits::BytePermit,
    store::{Integration, Workspace},
};

pub type AppState = Arc<App>;

/// The caller, authenticated by `Authorization: Bearer <key>`.
pub struct Caller {
    pub workspace: Arc<Workspace>,
}

/// The API key in `Authorization: Bearer <key>` (scheme compared case-insensitively, as the SDKs do).
fn bearer_key(parts: &Parts) -> Result<&str> {
    let invalid =
        || Error::AuthenticationInvalid("Missing or invalid API key. Send `Authorization: Bearer <api key>`.".into());
    let value = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(invalid)?;
    let (scheme, key) = value.trim().split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("bearer") || key.trim().is_empty() {
        return Err(invalid());
    }
    Ok(key.trim())
}

fn unknown_key() -> Error {
    Error::AuthenticationInvalid("Missing or invalid API key. Send `Authorization: Bearer <api key>`.".into())
}

/// Records the workspace and applies the key's rate limit.
fn admit(app: &App, key: &crate::store::ApiKeyRecord, workspace: &Workspace) -> Result<()> {
    interaction::with_current(|s| {
        s.workspace_id = Some(workspace.id.clone());
        s.key = Some((key.id.clone(), key.name.clone(), key.prefix.clone()));
    });
    let rate = app.key_rates.check(&key.id);
    interaction::with_current(|s| s.rate = Some(rate.unwrap_or_else(|state| state)));
    match rate {
        Ok(_) => Ok(()),
        Err(state) => Err(Error::RateLimited {
            message: format!(
                "This API key made more than {} requests in a minute; retry in {} s",
                state.limit, state.reset_secs
            ),
            retry_after: std::time::Duration::from_secs(state.reset_secs.max(1)),
        }),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self> {
        let grant = authenticate(app, bearer_key(parts)?, "").await?;
        Ok(Caller { workspace: grant.workspace })
    }
}

/// The key's grant, with the integration `integration_id` if it is the key's workspace's
/// (`""`: none asked for). Remembered in `auth_cache`, so a repeat call reads no database.
async fn authenticate(app: &App, key: &str, integration_id: &str) -> Result<Grant> {
    // Lookup is by the SHA-256 of the key, so timing reveals nothing about valid keys.
    let hash = ids::hash_api_key(key);
    let grant = match app.auth.get(&hash, integration_id) {
        Some(grant) => grant,
        None => {
            let read_at = app.auth.stamp();
            let (key, workspace, integration) = if integration_id.is_empty() {
                let (key, workspace) = app.store.find_api_key(&hash).await?.ok_or_else(unknown_key)?;
                (key, workspace, None)
            } else {
                // One round trip: the key, its workspace, and the integration if it is that workspace's.
                app.store.find_api_key_with_integration(&hash, integration_id).await?.ok_or_else(unknown_key)?
            };
            let grant =
                Grant { key: Arc::new(key), workspace: Arc::new(workspace), integration: integration.map(Arc::new) };
            if integration_id.is_empty() || grant.integration.is_some() {
                app.auth.remember(&hash, integration_id, grant.clone(), read_at);
            }
            grant
        }
    };
    admit(app, &grant.key, &grant.workspace)?;
    Ok(grant)
}

/// The integration named by `X-Integration-Id`, which must belong to the caller's workspace.
pub struct Scoped {
    pub integration: Arc<Integration>,
}

fn integration_not_found(id: &str) -> Error {
    Error::IntegrationNotFound(format!("No integration with id {id:?} exists in this environment"))
}

pub async fn integration_of(app: &App, workspace: &Workspace, id: &str) -> Result<Integration> {
    let integration = app.store.get_integration(id).await?.ok_or_else(|| integration_not_found(id))?;
    // Another workspace's integration is indistinguishable from a missing one.
    if integration.workspace_id != workspace.id {
        return Err(integration_not_found(id));
    }
    interaction::with_current(|s| s.integration_id = Some(integration.id.clone()));
    Ok(integration)
}

impl FromRequestParts<AppState> for Scoped {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self> {
        let key = bearer_key(parts)?;
        let id = parts
            .headers
            .get("x-integration-id")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned());
        let Some(id) = id else {
            // Authenticate first: a bad key is a 401 whatever else is missing.
            let caller = Caller::from_request_parts(parts, app).await?;
            drop(caller);
            return Err(Error::input("The X-Integration-Id header is required: the id of the integration to use"));
        };
        let integration = authenticate(app, key, &id).await?.integration.ok_or_else(|| integration_not_found(&id))?;
        interaction::with_current(|s| s.integration_id = Some(integration.id.clone()));
        Ok(Scoped { integration })
    }
}

/// Takes one of the integration's action slots for the life of the returned permit, and
/// records the `Concurrency-*` header values.
pub fn action_slot(app: &App, integration: &Integration) -> Result<crate::limits::ActionPermit> {
    match app.concurrency.acquire(&integration.id) {
        Ok(permit) => {
            interaction::with_current(|s| s.concurrency = Some((permit.limit, permit.remaining)));
            Ok(permit)
        }
        Err(err) => {
            interaction::with_current(|s| s.concurrency = Some((app.config.max_concurrent_actions, 0)));
            Err(err)
        }
    }
}

/// The raw body of a JSON request: checks `Content-Type`, the size limit, the read deadline and
/// the global in-flight byte budget (held until this value is dropped), and leaves parsing to
/// the action, which borrows from these bytes.
pub struct JsonBytes(pub Bytes, pub BytePermit);

impl FromRequest<AppState> for JsonBytes {
    type Rejection = Error;

    async fn from_request(req: Request, app: &AppState) -> Result<Self> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(Error::UnsupportedMediaType(format!(
                "Content-Type must be application/json, got {:?}",
                if content_type.is_empty() { "(none)" } else { content_type }
            )));
        }
        let limit = body_limit(app.config.max_attachment_bytes);
        let too_large = || Error::PayloadTooLarge {
            message: format!(
                "The request body is too large; attachments may be at most {} bytes",
                app.config.max_attachment_bytes
            ),
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut permit = BytePermit::default();
        if let Some(length) = declared {
            if length > limit {
                return Err(too_large());
            }
            // Reserve the whole body up front, so a burst of large uploads is refused at once.
            app.body_budget.reserve(&mut permit, length)?;
        }
        let deadline = Duration::from_secs(app.config.body_read_timeout_secs);
        let read = async {
            let mut body = BytesMut::with_capacity(declared.unwrap_or(0));
            let mut stream = req.into_body().into_data_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| Error::input(format!("The request body could not be read: {e}")))?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                if declared.is_none() {
                    app.body_budget.reserve(&mut permit, chunk.len())?;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body.freeze())
        };
        match tokio::time::timeout(deadline, read).await {
            Ok(body) => Ok(JsonBytes(body?, permit)),
            Err(_) => Err(Error::input(format!("The request body was not received within {} s", deadline.as_secs()))),
        }
    }
}

/// Largest request body accepted: the attachment limit in base64, plus room for line breaks
/// and the rest of the JSON.
pub fn body_limit(max_attachment_bytes: u64) -> usize {
    let base64 = max_attachment_bytes.div_ceil(3) * 4;
    (base64 + base64 / 32 + 64 * 1024) as usize
}
