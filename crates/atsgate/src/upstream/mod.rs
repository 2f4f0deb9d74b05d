//! The one outbound HTTP module: a pooled client per purpose, per-call deadlines, and the retry
//! policy. Retries happen only when the ATS certainly did not act (connection refused, 429, 503),
//! honouring `Retry-After` up to a cap. Every call is recorded in the interaction log (method,
//! path, status, duration — never headers or bodies).

pub mod download;
pub mod guard;

use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response, StatusCode};

use crate::{interaction, store::UpstreamCallRecord};

#[derive(Debug, Clone)]
pub struct UpstreamPolicy {
    pub timeout: Duration,
    pub max_retries: u32,
    pub max_retry_after: Duration,
}

/// A vendor's documented request rate: a token bucket refilled at `per_second`, holding `burst`.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: u32,
}

/// Paces one integration's calls to its vendor's documented rate.
#[derive(Debug)]
struct Pacer {
    limit: RateLimit,
    /// (tokens available, when last refilled) — tokio's clock, so tests can run it virtually.
    state: tokio::sync::Mutex<(f64, tokio::time::Instant)>,
}

impl Pacer {
    fn new(limit: RateLimit) -> Self {
        Pacer { limit, state: tokio::sync::Mutex::new((f64::from(limit.burst), tokio::time::Instant::now())) }
    }

    /// Waits until a call is allowed, then takes its token. The lock is held while waiting so
    /// callers are served in order.
    async fn ready(&self) {
        let mut state = self.state.lock().await;
        loop {
            let now = tokio::time::Instant::now();
            let refill = now.duration_since(state.1).as_secs_f64() * self.limit.per_second;
            state.0 = (state.0 + refill).min(f64::from(self.limit.burst));
            state.1 = now;
            if state.0 >= 1.0 {
                state.0 -= 1.0;
                return;
            }
            tokio::time::sleep(Duration::from_secs_f64((1.0 - state.0) / self.limit.per_second)).await;
        }
    }
}

/// Shared outbound client for ATS calls.
#[derive(Debug)]
pub struct Upstream {
    client: reqwest::Client,
    policy: UpstreamPolicy,
    /// What each ATS host last said about its rate limit, so we wait instead of provoking 429s.
    budgets: std::sync::Mutex<std::collections::HashMap<String, Budget>>,
    /// The integration's documented rate, for clients made by `for_integration`.
    pacer: Option<Pacer>,
}

#[derive(Debug, Clone, Copy)]
struct Budget {
    remaining: u64,
    reset: Instant,
}

/// A vendor's rate-limit headers, in whichever spelling it uses.
fn header_u64(headers: &reqwest::header::HeaderMap, names: &[&str]) -> Option<u64> {
    names.iter().find_map(|name| headers.get(*name)?.to_str().ok()?.trim().parse::<f64>().ok()).map(|v| v as u64)
}

fn observed_budget(response: &Response) -> Option<Budget> {
    let headers = response.headers();
    let now = Instant::now();
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        let wait = retry_after(response).unwrap_or(Duration::from_secs(1));
        return Some(Budget { remaining: 0, reset: now + wait });
    }
    let remaining = header_u64(headers, &["x-ratelimit-remaining", "ratelimit-remaining", "x-rate-limit-remaining"])?;
    let reset = match header_u64(headers, &["x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset"]) {
        // Large values are Unix timestamps, small ones seconds from now.
        Some(v) if v > 1_000_000_000 => {
            now + Duration::from_secs(v.saturating_sub(chrono::Utc::now().timestamp().max(0) as u64))
        }
        Some(v) => now + Duration::from_secs(v),
        None => now + Duration::from_secs(1),
    };
    Some(Budget { remaining, reset })
}

/// Why no usable response came back.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Could not connect at all: the ATS did nothing.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The deadline passed; the ATS may or may not have acted.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The connection broke after the request was sent; the ATS may or may not have acted.
    #[error("connection failed: {0}")]
    Broken(String),
}

impl Upstream {
    pub fn new(policy: UpstreamPolicy) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("atsgate/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .no_proxy()
            .build()?;
        Ok(Upstream { client, policy, budgets: Default::default(), pacer: None })
    }

    /// A client for one integration: the same connection pool and policy, its own pacing at the
    /// vendor's documented rate and its own view of the ATS's rate-limit headers.
    pub fn for_integration(&self, rate_limit: Option<RateLimit>) -> Upstream {
        Upstream {
            client: self.client.clone(),
            policy: self.policy.clone(),
            budgets: Default::default(),
            pacer: rate_limit.map(Pacer::new),
        }
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends the request built by `build` (called again for each attempt), retrying only where a
    /// duplicate action is impossible. Returns the final response whatever its status.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response, SendError> {
        let parsed = url::Url::parse(url).ok();
        let path = parsed.as_ref().map_or_else(|| url.to_string(), |u| u.path().to_string());
        let host = parsed.and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)));
        let mut attempt = 0;
        loop {
            if let Some(pacer) = &self.pacer {
                pacer.ready().await;
            }
            self.wait_for_budget(host.as_deref()).await;
            let started = Instant::now();
            let request = build(self.client.request(method.clone(), url)).timeout(self.policy.timeout);
            let result = request.send().await;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            let (status, error) = match &result {
                Ok(response) => (Some(response.status().as_u16()), None),
                Err(err) => (None, Some(describe(err))),
            };
            interaction::record_upstream(UpstreamCallRecord {
                method: method.to_string(),
                path: path.clone(),
                status,
                duration_ms: elapsed,
                error: error.clone(),
                attempt,
                purpose: None,
            });
            if let (Some(host), Ok(response)) = (&host, &result) {
                if let Some(budget) = observed_budget(response) {
                    self.budgets.lock().unwrap_or_else(|e| e.into_inner()).insert(host.clone(), budget);
                }
            }
            let retry_in = match &result {
                Ok(response) => retry_delay(response, attempt, &self.policy),
                Err(err) if err.is_connect() => Some(backoff(attempt)),
                Err(_) => None,
            };
            if attempt < self.policy.max_retries {
                if let Some(delay) = retry_in {
                    attempt += 1;
                    tracing::debug!(%method, %path, attempt, ?delay, "retrying upstream call");
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            return result.map_err(|err| {
                if err.is_connect() {
                    SendError::Connect(describe(&err))
                } else if err.is_timeout() {
                    SendError::Timeout(self.policy.timeout)
                } else {
                    SendError::Broken(describe(&err))
                }
            });
        }
    }
}

impl Upstream {
    /// When the ATS said its budget is spent, waits for its reset (up to the retry-after cap;
    /// beyond that the call goes out and the ATS's own 429 answers).
    async fn wait_for_budget(&self, host: Option<&str>) {
        let Some(host) = host else { return };
        let wait = {
            let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
            match budgets.get_mut(host) {
                Some(budget) if budget.remaining == 0 && budget.reset > Instant::now() => {
                    budget.reset.saturating_duration_since(Instant::now())
                }
                Some(budget) => {
                    // Count our own call against what is left, so concurrent callers share it.
                    budget.remaining = budget.remaining.saturating_sub(1);
                    Duration::ZERO
                }
                None => Duration::ZERO,
            }
        };
        if !wait.is_zero() && wait <= self.policy.max_retry_after {
            tracing::debug!(host, ?wait, "waiting for the ATS's rate-limit window");
            tokio::time::sleep(wait).await;
        }
    }
}

/// The wait before retrying a response that proves the ATS did not act, if we should retry.
fn retry_delay(response: &Response, attempt: u32, policy: &UpstreamPolicy) -> Option<Duration> {
    if !matches!(response.status(), StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) {
        return None;
    }
    match retry_after(response) {
        Some(wait) if wait > policy.max_retry_after => None,
        Some(wait) => Some(wait),
        None => Some(backoff(attempt)),
    }
}

/// Capped exponential backoff with jitter: 100 ms, 200 ms, 400 ms … (max 2 s).
fn backoff(attempt: u32) -> Duration {
    let base = 100u64.saturating_mul(1 << attempt.min(5)).min(2000);
    let jitter = rand::random::<u64>() % (base / 2 + 1);
    Duration::from_millis(base / 2 + jitter)
}

/// `Retry-After` in seconds or as an HTTP date.
pub fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.signed_duration_since(chrono::Utc::now());
    Some(delta.to_std().unwrap_or_default())
}

/// A one-line description of a reqwest error without the URL (which could carry a signed token).
pub fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_connect() {
        "connection refused or unreachable".to_string()
    } else if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_body() || err.is_decode() {
        "response body could not be read".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(blocked) = cause.downcast_ref::<guard::BlockedAddress>() {
            text = blocked.to_string();
            break;
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    // Virtual time: the test checks the pacing schedule, not the machine's speed.
    #[tokio::test(start_paused = true)]
    async fn the_pacer_allows_a_burst_then_the_documented_rate() {
        let pacer = Pacer::new(RateLimit { per_second: 10.0, burst: 3 });
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            pacer.ready().await;
        }
        assert!(start.elapsed() < Duration::from_millis(1), "the burst goes out at once");
        for _ in 0..5 {
            pacer.ready().await;
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(500) && elapsed < Duration::from_millis(520), "{elapsed:?}");
    }
}
