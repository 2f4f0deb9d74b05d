//! Downloads a caller's `data_url` at once: guarded against internal addresses (see `guard`),
//! bounded in size and time, redirects re-checked.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::redirect;

use super::guard;

const MAX_REDIRECTS: usize = 5;

#[derive(Debug)]
pub struct Downloader {
    client: reqwest::Client,
    allow_private: bool,
    timeout: Duration,
}

#[derive(Debug)]
pub struct Downloaded {
    pub bytes: Bytes,
    pub content_type: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The URL itself is not acceptable (scheme, internal address).
    #[error("{0}")]
    Refused(String),
    #[error("the file at data_url is larger than {max} bytes")]
    TooLarge { max: u64 },
    #[error("downloading data_url failed: {0}")]
    Failed(String),
}

impl Downloader {
    pub fn new(allow_private: bool, timeout: Duration) -> anyhow::Result<Self> {
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match guard::check_url(attempt.url(), allow_private) {
                Ok(()) => attempt.follow(),
                Err(reason) => attempt.error(reason),
            }
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("atsgate/", env!("CARGO_PKG_VERSION")))
            .redirect(policy)
            .connect_timeout(Duration::from_secs(10))
            .no_proxy();
        if !allow_private {
            builder = builder.dns_resolver(guard::resolver());
        }
        Ok(Downloader { client: builder.build()?, allow_private, timeout })
    }

    pub async fn fetch(&self, raw_url: &str, max_bytes: u64) -> Result<Downloaded, DownloadError> {
        let url = url::Url::parse(raw_url)
            .map_err(|e| DownloadError::Refused(format!("data_url is not a valid URL: {e}")))?;
        guard::check_url(&url, self.allow_private).map_err(DownloadError::Refused)?;
        match tokio::time::timeout(self.timeout, self.fetch_checked(url, max_bytes)).await {
            Ok(result) => result,
            Err(_) => Err(DownloadError::Failed(format!("timed out after {} s", self.timeout.as_secs()))),
        }
    }

    async fn fetch_checked(&self, url: url::Url, max_bytes: u64) -> Result<Downloaded, DownloadError> {
        let mut response = self.client.get(url).send().await.map_err(classify)?;
        if !response.status().is_success() {
            return Err(DownloadError::Failed(format!("the server answered HTTP {}", response.status().as_u16())));
        }
        if response.content_length().is_some_and(|len| len > max_bytes) {
            return Err(DownloadError::TooLarge { max: max_bytes });
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
            .filter(|v| !v.is_empty());
        let mut body = BytesMut::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() as u64 + chunk.len() as u64 > max_bytes {
                return Err(DownloadError::TooLarge { max: max_bytes });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Downloaded { bytes: body.freeze(), content_type })
    }
}

/// Blocked addresses and refused redirects are the caller's fault (400), the rest a failed download.
fn classify(err: reqwest::Error) -> DownloadError {
    let text = super::describe(&err);
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        if cause.downcast_ref::<guard::BlockedAddress>().is_some() {
            return DownloadError::Refused(text);
        }
        source = cause.source();
    }
    if err.is_redirect() {
        // The policy's own reason (e.g. an internal redirect target) is in the error text.
        let reason = std::error::Error::source(&err).map(|s| s.to_string()).unwrap_or(text);
        return DownloadError::Refused(format!("data_url redirect refused: {reason}"));
    }
    DownloadError::Failed(text)
}
