//! Greenhouse's raw calls: the OAuth client-credentials token per acting user (`sub`), list pages
//! that continue through `Link: rel="next"`, and the JSON upload with the base64 spliced in.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::dto::{GhCreated, GhErrorBody};
use crate::{
    connectors::{
        kit::{
            dialect::with_details,
            oauth::{ClientCredentials, OAuthErrors},
            paginate::link_next,
            Auth, Body, Call, ErrorDialect, IssuedAuth, Placement, Said, VendorClient,
        },
        ConnectorError,
    },
    upstream::Upstream,
};

const LABEL: &str = "Greenhouse";
/// Harvest's maximum page size (sent on the first request only; `Link` URLs carry the rest).
const PER_PAGE: u32 = 500;

/// `{"message","errors":[{"message","field"}]}`: the vendor's words, field by field.
pub struct GreenhouseErrors;

impl ErrorDialect for GreenhouseErrors {
    fn read(&self, body: &str) -> Said {
        let Ok(body) = serde_json::from_str::<GhErrorBody>(body) else { return Said::text(body) };
        let details = body.errors.into_iter().map(|e| (e.field, e.message));
        with_details(body.message, details).unwrap_or_default()
    }
}

pub struct Api {
    http: VendorClient,
}

/// What the integration is configured with.
pub struct Settings {
    pub base_url: String,
    pub auth_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// The user the gateway acts as unless a call names another.
    pub default_user: String,
}

impl Api {
    pub fn new(settings: Settings, upstream: Arc<Upstream>) -> Api {
        let mut grant = ClientCredentials::new(
            format!("{}/token", settings.auth_url.trim_end_matches('/')),
            settings.client_id,
            settings.client_secret,
        );
        // v3 tokens act as a user: the `sub` of the grant (what v1 called On-Behalf-Of).
        grant.subject_field = Some("sub");
        grant.errors = OAuthErrors {
            invalid_grant_advice: Some("Greenhouse does not accept this user as the acting user (On-Behalf-Of)"),
        };
        let auth = IssuedAuth::new(grant, Placement::Bearer).acting_as(settings.default_user);
        Api { http: VendorClient::new(LABEL, &settings.base_url, Auth::issued(auth), &GreenhouseErrors, upstream) }
    }

    /// The first page's URL of a `/v3` list.
    pub fn first_page(&self, resource: &str, filter: &str) -> String {
        format!("/v3/{resource}?per_page={PER_PAGE}{filter}")
    }

    /// One page: `token` is the previous page's `Link: rel="next"` URL.
    pub async fn page<T: DeserializeOwned>(
        &self,
        first: &str,
        token: Option<String>,
        what: &str,
    ) -> Result<(Vec<T>, Option<String>), ConnectorError> {
        let target = token.unwrap_or_else(|| first.to_string());
        let response = self.http.send(Call::get(&target)).await?;
        let next = link_next(response.headers());
        Ok((self.http.read(response, what).await?, next))
    }

    /// `POST /v3/attachments` acting as `user`; `head` is the JSON without `content`.
    pub async fn upload(
        &self,
        head: impl FnOnce(&str) -> serde_json::Value,
        content: Bytes,
        user: Option<&str>,
    ) -> Result<Option<String>, ConnectorError> {
        let chunks = crate::connectors::kit::splice_json(head, content)?;
        let call =
            Call::post("/v3/attachments").body(Body::Raw { content_type: "application/json", chunks }).acting_as(user);
        let response = self.http.send(call).await?;
        // Any 2xx is success; the id is a nicety (the status code is not documented).
        let created: Option<GhCreated> = self.http.read(response, "upload answer").await.ok();
        Ok(created.map(|c| crate::connectors::kit::id_text(&c.id)))
    }

    /// Greenhouse hands out presigned file URLs: no Authorization header may go with them.
    pub async fn download(&self, url: &str) -> Result<crate::connectors::FileStream, ConnectorError> {
        self.http.download(url, false).await
    }
}
