//! The vendor client: built once per integration from its label, base URL, auth, error dialect
//! and the integration's shared `Upstream`. Every call goes through [`VendorClient::send`]:
//! the target is resolved against the base URL (or a session's own), the credential is added
//! (only ever to the API's own origin), the answer is checked through the vendor's dialect, and
//! an issued credential the vendor rejects is renewed once before the call is tried again.

use std::sync::Arc;

use reqwest::{
    header::{HeaderName, HeaderValue},
    Method, Response,
};
use serde::de::DeserializeOwned;

use super::{
    auth::{Auth, Caller},
    body::Body,
    dialect::{classify, ErrorDialect},
};
use crate::{
    connectors::{error::ConnectorError, FileStream},
    upstream::{describe, SendError, Upstream},
};

/// One call: method, target (a path under the base URL, or an absolute URL), body and options.
pub struct Call<'a> {
    method: Method,
    target: &'a str,
    body: Body<'a>,
    acting_as: Option<&'a str>,
    authenticated: bool,
    failures_read_as: Option<(&'static str, &'a dyn ErrorDialect)>,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, target: &'a str) -> Self {
        Call { method, target, body: Body::Empty, acting_as: None, authenticated: true, failures_read_as: None }
    }

    pub fn get(target: &'a str) -> Self {
        Call::new(Method::GET, target)
    }

    pub fn post(target: &'a str) -> Self {
        Call::new(Method::POST, target)
    }

    pub fn body(mut self, body: Body<'a>) -> Self {
        self.body = body;
        self
    }

    /// A JSON document (serialized once, here).
    pub fn json(self, document: &serde_json::Value) -> Self {
        self.body(Body::Json(document.to_string().into()))
    }

    /// The user the call acts as (for vendors whose tokens carry one).
    pub fn acting_as(mut self, subject: Option<&'a str>) -> Self {
        self.acting_as = subject;
        self
    }

    /// Sends no credentials: presigned storage URLs must not receive the API key.
    pub fn unauthenticated(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// Reads failures as another party's (a vendor's file storage) rather than the API's.
    pub fn failures_read_as(mut self, label: &'static str, dialect: &'a dyn ErrorDialect) -> Self {
        self.failures_read_as = Some((label, dialect));
        self
    }
}

/// A vendor's API, as one integration reaches it.
pub struct VendorClient {
    vendor: &'static str,
    base_url: String,
    auth: Auth,
    dialect: &'static dyn ErrorDialect,
    headers: Vec<(HeaderName, HeaderValue)>,
    upstream: Arc<Upstream>,
}

impl VendorClient {
    pub fn new(
        vendor: &'static str,
        base_url: &str,
        auth: Auth,
        dialect: &'static dyn ErrorDialect,
        upstream: Arc<Upstream>,
    ) -> Self {
        VendorClient {
            vendor,
            base_url: base_url.trim_end_matches('/').to_string(),
            auth,
            dialect,
            headers: Vec::new(),
            upstream,
        }
    }

    /// A header sent with every authenticated call (API version, `Accept`).
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((HeaderName::from_static(name), HeaderValue::from_static(value)));
        self
    }

    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    /// The configured base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn resolve(&self, target: &str, session_base: Option<&str>) -> String {
        if target.starts_with("https://") || target.starts_with("http://") {
            return target.to_string();
        }
        let base = session_base.map_or(self.base_url.as_str(), |b| b.trim_end_matches('/'));
        format!("{base}/{}", target.trim_start_matches('/'))
    }

    /// Whether `url` is on the API's own origin (the only place credentials may go).
    fn same_origin(&self, url: &str, session_base: Option<&str>) -> bool {
        let Ok(url) = url::Url::parse(url) else { return false };
        [Some(self.base_url.as_str()), session_base]
            .into_iter()
            .flatten()
            .filter_map(|base| url::Url::parse(base).ok())
            .any(|base| base.origin() == url.origin())
    }

    fn caller(&self) -> Caller<'_> {
        Caller { upstream: &self.upstream, vendor: self.vendor }
    }

    /// Sends a call and passes a 2xx answer back; any other answer is a classified error. An
    /// issued credential the vendor rejects is renewed and the call tried once more.
    pub async fn send(&self, call: Call<'_>) -> Result<Response, ConnectorError> {
        let (label, dialect) = call.failures_read_as.unwrap_or((self.vendor, self.dialect));
        let renewable = call.authenticated && self.auth.renews();
        let mut renewed = false;
        loop {
            let credential = if call.authenticated {
                Some(self.auth.credential(&self.caller(), call.acting_as).await?)
            } else {
                None
            };
            let session_base = credential.as_ref().and_then(|c| c.base_url());
            let url = self.resolve(call.target, session_base);
            let with_credentials = credential.as_ref().filter(|_| self.same_origin(&url, session_base));
            let response = self
                .upstream
                .send(call.method.clone(), &url, |r| {
                    let r = match with_credentials {
                        Some(credential) => {
                            let r = self.auth.apply(credential, r);
                            self.headers.iter().fold(r, |r, (name, value)| r.header(name.clone(), value.clone()))
                        }
                        None => r,
                    };
                    call.body.apply(r)
                })
                .await
                .map_err(|source| ConnectorError::Transport { vendor: label, source })?;
            if response.status().is_success() {
                return Ok(response);
            }
            let status = response.status().as_u16();
            let wait = dialect.wait(&response);
            let body = response.text().await.unwrap_or_default();
            let said = dialect.read(&body);
            if renewable && !renewed && dialect.credentials_expired(status, &said) {
                if let Some(credential) = &credential {
                    credential.reject().await;
                }
                renewed = true;
                continue;
            }
            return Err(classify(label, dialect, status, wait, said).into());
        }
    }

    /// Reads a 2xx answer's JSON body; `what` names it in the error.
    pub async fn read<T: DeserializeOwned>(&self, response: Response, what: &str) -> Result<T, ConnectorError> {
        // A body cut off midway is a transport failure, not a vendor that answered nonsense.
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ConnectorError::Transport { vendor: self.vendor, source: SendError::Broken(describe(&e)) })?;
        serde_json::from_slice(&bytes).map_err(|e| ConnectorError::unreadable(self.vendor, what, e))
    }

    /// A JSON GET.
    pub async fn get<T: DeserializeOwned>(&self, target: &str, what: &str) -> Result<T, ConnectorError> {
        let response = self.send(Call::get(target)).await?;
        self.read(response, what).await
    }

    /// Sends a JSON document with `method` (POST, PUT, PATCH) and reads the JSON answer.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        target: &str,
        document: &serde_json::Value,
        what: &str,
    ) -> Result<T, ConnectorError> {
        let response = self.send(Call::new(method, target).json(document)).await?;
        self.read(response, what).await
    }

    /// Streams a file; `authenticated` is false for presigned links.
    pub async fn download(&self, target: &str, authenticated: bool) -> Result<FileStream, ConnectorError> {
        let call = Call::get(target);
        let call = if authenticated { call } else { call.unauthenticated() };
        Ok(file_stream(self.send(call).await?))
    }
}

/// A successful download as a `FileStream`, streaming the body rather than buffering it.
pub fn file_stream(response: Response) -> FileStream {
    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let content_length = response.content_length();
    let body =
        futures::StreamExt::boxed(futures::TryStreamExt::map_err(response.bytes_stream(), std::io::Error::other));
    FileStream { content_type, content_length, body }
}
