//! Extractors: the API key → workspace, `X-Integration-Id` → integration of that workspace, and
//! a JSON body extractor whose every rejection is the Kombo envelope.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts},
};

use crate::{
    app::App,
    error::{Error, Result},
    ids, interaction,
    store::{Integration, Workspace},
};

pub type AppState = Arc<App>;

/// The caller, authenticated by `Authorization: Bearer <key>`.
pub struct Caller {
    pub workspace: Workspace,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self> {
        let invalid = || {
            Error::AuthenticationInvalid("Missing or invalid API key. Send `Authorization: Bearer <api key>`.".into())
        };
        let value = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(invalid)?;
        let (scheme, key) = value.trim().split_once(' ').ok_or_else(invalid)?;
        if !scheme.eq_ignore_ascii_case("bearer") || key.trim().is_empty() {
            return Err(invalid());
        }
        // Lookup is by the SHA-256 of the key, so timing reveals nothing about valid keys.
        let (_key, workspace) = app.store.find_api_key(&ids::hash_api_key(key.trim())).await?.ok_or_else(invalid)?;
        interaction::with_current(|s| s.workspace_id = Some(workspace.id.clone()));
        Ok(Caller { workspace })
    }
}

/// The integration named by `X-Integration-Id`, which must belong to the caller's workspace.
pub struct Scoped {
    pub integration: Integration,
}

pub async fn integration_of(app: &App, workspace: &Workspace, id: &str) -> Result<Integration> {
    let not_found = || Error::IntegrationNotFound(format!("No integration with id {id:?} exists in this environment"));
    let integration = app.store.get_integration(id).await?.ok_or_else(not_found)?;
    // Another workspace's integration is indistinguishable from a missing one.
    if integration.workspace_id != workspace.id {
        return Err(not_found());
    }
    interaction::with_current(|s| s.integration_id = Some(integration.id.clone()));
    Ok(integration)
}

impl FromRequestParts<AppState> for Scoped {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self> {
        let caller = Caller::from_request_parts(parts, app).await?;
        let id = parts
            .headers
            .get("x-integration-id")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::input("The X-Integration-Id header is required: the id of the integration to use"))?;
        let id = percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned();
        Ok(Scoped { integration: integration_of(app, &caller.workspace, &id).await? })
    }
}

/// The raw body of a JSON request: checks `Content-Type` and the size limit, leaves parsing to
/// the action (which borrows from these bytes).
pub struct JsonBytes(pub Bytes);

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
        let limit = app.config.max_attachment_bytes;
        Bytes::from_request(req, app).await.map(JsonBytes).map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge {
                    message: format!("The request body is too large; attachments may be at most {limit} bytes"),
                }
            } else {
                Error::input(format!("The request body could not be read: {rejection}"))
            }
        })
    }
}

/// Largest request body accepted: the attachment limit in base64, plus room for line breaks
/// and the rest of the JSON.
pub fn body_limit(max_attachment_bytes: u64) -> usize {
    let base64 = max_attachment_bytes.div_ceil(3) * 4;
    (base64 + base64 / 32 + 64 * 1024) as usize
}
