//! Admission limits, decided before any work is done: concurrent actions per integration,
//! requests per API key per window, and a global budget of request-body bytes held in memory.
//! All are per process (each gateway node enforces its own share).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::error::{Error, Result};

/// Caps simultaneous actions per integration (Kombo: 30, `PLATFORM.CONCURRENCY_LIMIT_EXCEEDED`).
pub struct ConcurrencyLimits {
    per_integration: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Held for the duration of one action; tells the headers what to say.
pub struct ActionPermit {
    _permit: OwnedSemaphorePermit,
    pub limit: usize,
    pub remaining: usize,
}

impl ConcurrencyLimits {
    pub fn new(per_integration: usize) -> Self {
        ConcurrencyLimits { per_integration, semaphores: Mutex::new(HashMap::new()) }
    }

    pub fn acquire(&self, integration_id: &str) -> Result<ActionPermit> {
        let semaphore = {
            let mut map = self.semaphores.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(integration_id.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_integration)))
                .clone()
        };
        match semaphore.clone().try_acquire_owned() {
            Ok(permit) => Ok(ActionPermit {
                _permit: permit,
                limit: self.per_integration,
                remaining: semaphore.available_permits(),
            }),
            Err(_) => Err(Error::ConcurrencyLimited(format!(
                "More than {} actions are running for this integration; retry with backoff",
                self.per_integration
            ))),
        }
    }
}

/// Fixed-window request limit per API key.
pub struct KeyRateLimits {
    per_window: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

/// The state after counting one request, for the `ratelimit-*` headers.
#[derive(Debug, Clone, Copy)]
pub struct RateState {
    pub limit: u32,
    pub remaining: u32,
    pub reset_secs: u64,
}

impl KeyRateLimits {
    pub fn new(per_window: u32, window: Duration) -> Self {
        KeyRateLimits { per_window, window, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts a request by `key_id`; `Err` (with the state) once the window is used up.
    pub fn check(&self, key_id: &str) -> std::result::Result<RateState, RateState> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = windows.entry(key_id.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        let reset_secs = self.window.saturating_sub(now.duration_since(entry.0)).as_secs_f64().ceil() as u64;
        if entry.1 >= self.per_window {
            return Err(RateState { limit: self.per_window, remaining: 0, reset_secs });
        }
        entry.1 += 1;
        Ok(RateState { limit: self.per_window, remaining: self.per_window - entry.1, reset_secs })
    }
}

/// A global budget of request-body bytes in memory: a body is admitted chunk by chunk, and a
/// request that would exceed the budget is refused at once rather than queued.
pub struct ByteBudget {
    semaphore: Arc<Semaphore>,
    total: usize,
}

/// Bytes reserved for one request body; released when dropped.
#[derive(Default)]
pub struct BytePermit {
    permits: Vec<OwnedSemaphorePermit>,
}

impl ByteBudget {
    /// Permits are KiB, so budgets up to terabytes fit.
    pub fn new(bytes: u64) -> Self {
        let total = (bytes / 1024).max(1) as usize;
        ByteBudget { semaphore: Arc::new(Semaphore::new(total)), total }
    }

    pub fn reserve(&self, permit: &mut BytePermit, bytes: usize) -> Result<()> {
        let kib = bytes.div_ceil(1024).max(1);
        if kib > self.total {
            return Err(busy());
        }
        match self.semaphore.clone().try_acquire_many_owned(kib as u32) {
            Ok(p) => {
                permit.permits.push(p);
                Ok(())
            }
            Err(TryAcquireError::NoPermits) | Err(TryAcquireError::Closed) => Err(busy()),
        }
    }
}

fn busy() -> Error {
    Error::ConcurrencyLimited("The gateway is at its memory budget for uploads in flight; retry shortly".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_is_capped_and_released() {
        let limits = ConcurrencyLimits::new(2);
        let a = limits.acquire("i").unwrap();
        assert_eq!(a.remaining, 1);
        let _b = limits.acquire("i").unwrap();
        assert!(limits.acquire("i").is_err());
        assert!(limits.acquire("other").is_ok());
        drop(a);
        assert!(limits.acquire("i").is_ok());
    }

    #[test]
    fn key_rate_limit_counts_down() {
        let limits = KeyRateLimits::new(2, Duration::from_secs(60));
        assert_eq!(limits.check("k").unwrap().remaining, 1);
        assert_eq!(limits.check("k").unwrap().remaining, 0);
        assert!(limits.check("k").is_err());
        assert!(limits.check("other").is_ok());
    }

    #[test]
    fn byte_budget_refuses_beyond_the_total() {
        let budget = ByteBudget::new(10 * 1024);
        let mut first = BytePermit::default();
        budget.reserve(&mut first, 8 * 1024).unwrap();
        let mut second = BytePermit::default();
        assert!(budget.reserve(&mut second, 4 * 1024).is_err());
        drop(first);
        budget.reserve(&mut second, 4 * 1024).unwrap();
    }
}
