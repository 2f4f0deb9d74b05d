//! How a vendor client authenticates: static credentials (a header key, Bearer, HTTP Basic) or
//! credentials the vendor issues (OAuth2 grants, session logins), which share one [`TokenCache`]
//! that renews them shortly before they expire and forgets one the vendor has stopped accepting.
//!
//! Issued credentials are per *subject*: the user the calls act as, for vendors whose tokens
//! carry one (Greenhouse's `sub`); `""` elsewhere. A session login may also name where the API
//! lives for that session (Bullhorn's `restUrl`), which then replaces the configured base URL.

use std::{collections::HashMap, fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use reqwest::{
    header::{HeaderName, HeaderValue, AUTHORIZATION},
    Method, RequestBuilder, Response,
};
use tokio::time::Instant;

use crate::{connectors::error::ConnectorError, upstream::Upstream};

/// Renew an issued credential this long before the vendor said it expires (at most half its life).
pub const RENEW_MARGIN: Duration = Duration::from_secs(60);

/// A credential the vendor issued.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    /// How long the vendor said it lasts; `None`: until the vendor rejects it.
    pub lifetime: Option<Duration>,
    /// Where the API lives for this session, for vendors whose login says so.
    pub base_url: Option<String>,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("token", &"<redacted>")
            .field("lifetime", &self.lifetime)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// What a token source sends with: the integration's outbound client and the vendor's label.
pub struct Caller<'a> {
    pub upstream: &'a Upstream,
    pub vendor: &'static str,
}

impl Caller<'_> {
    /// Sends one call; a failed send is classified, the answer is returned whatever its status.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response, ConnectorError> {
        self.upstream
            .send(method, url, build)
            .await
            .map_err(|source| ConnectorError::Transport { vendor: self.vendor, source })
    }
}

/// Obtains credentials from the vendor: an OAuth2 grant, a session login.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A fresh credential acting as `subject` (`""` when the vendor has no acting user).
    async fn issue(&self, caller: &Caller<'_>, subject: &str) -> Result<Issued, ConnectorError>;
}

/// Where an issued token goes on each request.
#[derive(Debug, Clone)]
pub enum Placement {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A header of its own (Bullhorn: `BhRestToken`).
    Header(HeaderName),
    /// A query parameter.
    Query(&'static str),
}

/// Issued credentials, remembered per subject until shortly before they expire.
pub struct TokenCache {
    margin: Duration,
    /// Held across an issue call, so concurrent callers wait for one token instead of each
    /// fetching their own.
    entries: tokio::sync::Mutex<HashMap<String, Cached>>,
}

struct Cached {
    issued: Issued,
    renew_at: Option<Instant>,
}

impl TokenCache {
    pub fn new(margin: Duration) -> Self {
        TokenCache { margin, entries: tokio::sync::Mutex::new(HashMap::new()) }
    }

    /// The cached credential for `subject`, or a new one from `issue` when there is none or it
    /// is about to expire.
    pub async fn get<F, Fut>(&self, subject: &str, issue: F) -> Result<Issued, ConnectorError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Issued, ConnectorError>>,
    {
        let mut entries = self.entries.lock().await;
        if let Some(cached) = entries.get(subject) {
            if cached.renew_at.is_none_or(|at| Instant::now() < at) {
                return Ok(cached.issued.clone());
            }
        }
        let issued = issue().await?;
        let renew_at = issued.lifetime.map(|life| Instant::now() + life.saturating_sub(self.margin.min(life / 2)));
        entries.insert(subject.to_string(), Cached { issued: issued.clone(), renew_at });
        Ok(issued)
    }

    /// Forgets `token` for `subject` (the vendor stopped accepting it), unless another caller
    /// already replaced it with a newer one.
    pub async fn forget(&self, subject: &str, token: &str) {
        let mut entries = self.entries.lock().await;
        if entries.get(subject).is_some_and(|c| c.issued.token == token) {
            entries.remove(subject);
        }
    }
}

/// Credentials the vendor issues, with where they go and whom they act as by default.
pub struct IssuedAuth {
    source: Box<dyn TokenSource>,
    placement: Placement,
    default_subject: String,
    cache: TokenCache,
}

impl IssuedAuth {
    pub fn new(source: impl TokenSource + 'static, placement: Placement) -> Self {
        IssuedAuth {
            source: Box::new(source),
            placement,
            default_subject: String::new(),
            cache: TokenCache::new(RENEW_MARGIN),
        }
    }

    /// Whom calls act as when they name no one.
    pub fn acting_as(mut self, subject: impl Into<String>) -> Self {
        self.default_subject = subject.into();
        self
    }
}

/// How a vendor client authenticates.
pub enum Auth {
    /// No credentials.
    None,
    /// A fixed header (`X-SmartToken: <key>`, `Authorization: Token token=<key>`).
    Header {
        name: HeaderName,
        value: HeaderValue,
    },
    Bearer(String),
    Basic {
        username: String,
        password: Option<String>,
    },
    /// Credentials the vendor issues and the client renews.
    Issued(Arc<IssuedAuth>),
}

impl Auth {
    /// A fixed header; the value is marked sensitive so it is never logged.
    pub fn header(name: &'static str, value: &str) -> anyhow::Result<Auth> {
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| anyhow::anyhow!("the {name} credential is not a valid header value"))?;
        value.set_sensitive(true);
        Ok(Auth::Header { name: HeaderName::from_static(name), value })
    }

    /// `Authorization: <value>` with a scheme of the vendor's own.
    pub fn authorization(value: &str) -> anyhow::Result<Auth> {
        let mut value =
            HeaderValue::from_str(value).map_err(|_| anyhow::anyhow!("the API key is not a valid header value"))?;
        value.set_sensitive(true);
        Ok(Auth::Header { name: AUTHORIZATION, value })
    }

    pub fn issued(auth: IssuedAuth) -> Auth {
        Auth::Issued(Arc::new(auth))
    }

    /// Whether a rejected credential can be renewed (and the call tried once more).
    pub fn renews(&self) -> bool {
        matches!(self, Auth::Issued(_))
    }

    /// The credential for one attempt.
    pub(super) async fn credential(
        &self,
        caller: &Caller<'_>,
        acting_as: Option<&str>,
    ) -> Result<Credential, ConnectorError> {
        match self {
            Auth::Issued(auth) => {
                let subject = acting_as.unwrap_or(&auth.default_subject).to_string();
                let issued = auth.cache.get(&subject, || auth.source.issue(caller, &subject)).await?;
                Ok(Credential::Issued { auth: auth.clone(), subject, issued })
            }
            _ => Ok(Credential::Static),
        }
    }

    /// Adds the credential to a request.
    pub(super) fn apply(&self, credential: &Credential, request: RequestBuilder) -> RequestBuilder {
        match (self, credential) {
            (Auth::None, _) => request,
            (Auth::Header { name, value }, _) => request.header(name.clone(), value.clone()),
            (Auth::Bearer(token), _) => request.bearer_auth(token),
            (Auth::Basic { username, password }, _) => request.basic_auth(username, password.as_ref()),
            (Auth::Issued(auth), Credential::Issued { issued, .. }) => match &auth.placement {
                Placement::Bearer => request.bearer_auth(&issued.token),
                Placement::Header(name) => match HeaderValue::from_str(&issued.token) {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        request.header(name.clone(), value)
                    }
                    Err(_) => request,
                },
                Placement::Query(name) => request.query(&[(*name, issued.token.as_str())]),
            },
            (Auth::Issued(_), Credential::Static) => request,
        }
    }
}

/// The credential one attempt used, so a rejected one can be forgotten.
pub(super) enum Credential {
    Static,
    Issued { auth: Arc<IssuedAuth>, subject: String, issued: Issued },
}

impl Credential {
    /// The session's own base URL, if its login named one.
    pub(super) fn base_url(&self) -> Option<&str> {
        match self {
            Credential::Issued { issued, .. } => issued.base_url.as_deref(),
            Credential::Static => None,
        }
    }

    /// Tells the cache the vendor no longer accepts this credential.
    pub(super) async fn reject(&self) {
        if let Credential::Issued { auth, subject, issued } = self {
            auth.cache.forget(subject, &issued.token).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn issued(n: usize, lifetime: Option<u64>) -> Issued {
        Issued { token: format!("t{n}"), lifetime: lifetime.map(Duration::from_secs), base_url: None }
    }

    // Virtual time: the test checks the renewal schedule, not the machine's speed.
    #[tokio::test(start_paused = true)]
    async fn tokens_are_renewed_shortly_before_they_expire() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let get = || cache.get("u1", || async { Ok(issued(calls.fetch_add(1, Ordering::SeqCst), Some(3600))) });
        assert_eq!(get().await.unwrap().token, "t0");
        tokio::time::advance(Duration::from_secs(3539)).await;
        assert_eq!(get().await.unwrap().token, "t0", "still well within its life");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(get().await.unwrap().token, "t1", "renewed a minute before it expires");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn short_lived_tokens_live_at_least_half_their_life() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let get = || cache.get("", || async { Ok(issued(calls.fetch_add(1, Ordering::SeqCst), Some(30))) });
        get().await.unwrap();
        tokio::time::advance(Duration::from_secs(14)).await;
        assert_eq!(get().await.unwrap().token, "t0");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(get().await.unwrap().token, "t1");
    }

    #[tokio::test(start_paused = true)]
    async fn sessions_without_a_lifetime_last_until_rejected_and_subjects_are_apart() {
        let cache = TokenCache::new(RENEW_MARGIN);
        let calls = AtomicUsize::new(0);
        let get = |subject: &'static str| {
            let calls = &calls;
            let cache = &cache;
            async move { cache.get(subject, || async { Ok(issued(calls.fetch_add(1, Ordering::SeqCst), None)) }).await }
        };
        assert_eq!(get("a").await.unwrap().token, "t0");
        assert_eq!(get("b").await.unwrap().token, "t1", "each acting user has its own token");
        tokio::time::advance(Duration::from_secs(86_400 * 30)).await;
        assert_eq!(get("a").await.unwrap().token, "t0");
        cache.forget("a", "not-the-cached-one").await;
        assert_eq!(get("a").await.unwrap().token, "t0", "a stale rejection does not drop a newer token");
        cache.forget("a", "t0").await;
        assert_eq!(get("a").await.unwrap().token, "t2");
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_issue() {
        let cache = TokenCache::new(RENEW_MARGIN);
        let calls = AtomicUsize::new(0);
        let get = || {
            cache.get("", || async {
                tokio::task::yield_now().await;
                Ok(issued(calls.fetch_add(1, Ordering::SeqCst), Some(3600)))
            })
        };
        let (a, b, c) = tokio::join!(get(), get(), get());
        assert_eq!((a.unwrap().token, b.unwrap().token, c.unwrap().token), ("t0".into(), "t0".into(), "t0".into()));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        assert!(!format!("{:?}", issued(7, None)).contains("t7"));
    }
}
