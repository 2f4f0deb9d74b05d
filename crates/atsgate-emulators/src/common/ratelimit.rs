//! Fixed-window rate limiting keyed by API client.
//!
//! Most ATS vendors document "N requests per W seconds" with the count in
//! `X-RateLimit-*` headers and a `Retry-After` on 429. A fixed window is the
//! simplest model that produces exactly those numbers, and its reset instant
//! is a single timestamp a client can be tested against.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::http::unix_now;

/// The outcome of counting one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    pub limit: u32,
    /// Requests left in the current window after this one.
    pub remaining: u32,
    /// Unix time (seconds) at which the window resets.
    pub reset_unix: u64,
    /// Whole seconds until the reset, at least 1 (for `Retry-After`).
    pub retry_after_secs: u64,
}

struct Window {
    started: Instant,
    started_unix: u64,
    count: u32,
}

/// One limiter per emulator; windows are tracked per key (client id).
pub struct FixedWindowLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, Window>>,
}

impl FixedWindowLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            // A zero window would never reset; treat it as one second.
            window: window.max(Duration::from_secs(1)),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The limiter every emulator builds from its options.
    pub fn from_options(options: &crate::EmulatorOptions) -> Self {
        Self::new(options.rate_limit_per_window, Duration::from_secs(options.rate_limit_window_secs))
    }

    /// Counts a request for `key` and says whether it may proceed.
    pub fn check(&self, key: &str) -> RateDecision {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = match windows.get_mut(key) {
            Some(w) if now.duration_since(w.started) < self.window => w,
            _ => {
                windows.insert(key.to_owned(), Window { started: now, started_unix: unix_now(), count: 0 });
                windows.get_mut(key).expect("just inserted")
            }
        };
        let allowed = window.count < self.limit;
        if allowed {
            window.count += 1;
        }
        let left = self.window.saturating_sub(now.duration_since(window.started));
        RateDecision {
            allowed,
            limit: self.limit,
            remaining: self.limit - window.count,
            reset_unix: window.started_unix + self.window.as_secs(),
            // Round up: telling a client to come back in 0 s would make it
            // retry inside the same window.
            retry_after_secs: left.as_millis().div_ceil(1000).max(1) as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_per_key() {
        let limiter = FixedWindowLimiter::new(2, Duration::from_secs(10));
        assert!(limiter.check("a").allowed);
        let second = limiter.check("a");
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        let third = limiter.check("a");
        assert!(!third.allowed);
        assert!((1..=10).contains(&third.retry_after_secs));
        assert!(limiter.check("b").allowed);
    }
}
