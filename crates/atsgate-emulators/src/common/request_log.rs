//! The log of vendor API requests an emulator received.
//!
//! Tests read it through `GET /_emulator/requests` to prove what did (or did
//! not) reach the "ATS": for example that an upload the gateway rejected
//! locally never produced a request, or that a retry happened exactly twice.
//! Entries are added when a request arrives, so the order is arrival order
//! even when answers complete out of order; the status is filled in when the
//! answer is known.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// Oldest entries are dropped beyond this, so a long benchmark run cannot
/// grow the emulator's memory without bound.
const MAX_ENTRIES: usize = 1_000_000;

/// One received request.
#[derive(Clone, Debug, Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string, `""` when there was none.
    pub query: String,
    /// The status the emulator produced; `0` while no answer exists (still
    /// running, or the client went away before it was produced).
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    /// Sequence number of `entries[0]`.
    first_seq: u64,
    entries: VecDeque<LoggedRequest>,
}

/// Append-only, bounded request log.
#[derive(Default)]
pub struct RequestLog {
    inner: Mutex<Inner>,
}

/// Identifies an entry so its status can be set later.
#[derive(Clone, Copy, Debug)]
pub struct EntryId(u64);

impl RequestLog {
    /// Records an arriving request and returns its id.
    pub fn begin(&self, method: &str, path: &str, query: &str) -> EntryId {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.entries.len() == MAX_ENTRIES {
            inner.entries.pop_front();
            inner.first_seq += 1;
        }
        inner.entries.push_back(LoggedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            status: 0,
        });
        EntryId(inner.first_seq + inner.entries.len() as u64 - 1)
    }

    /// Sets the status of an entry (a no-op if it was already evicted).
    pub fn finish(&self, id: EntryId, status: u16) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(offset) = id.0.checked_sub(inner.first_seq) {
            if let Some(entry) = inner.entries.get_mut(offset as usize) {
                entry.status = status;
            }
        }
    }

    /// A copy of every retained entry, oldest first.
    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.entries.iter().cloned().collect()
    }

    /// Forgets every entry (tests call this between phases).
    pub fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.first_seq += inner.entries.len() as u64;
        inner.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_set_on_the_right_entry_after_clear() {
        let log = RequestLog::default();
        let a = log.begin("GET", "/v3/jobs", "");
        log.finish(a, 200);
        log.clear();
        let b = log.begin("POST", "/v3/attachments", "x=1");
        log.finish(a, 500);
        log.finish(b, 201);
        let entries = log.snapshot();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].status, 201);
        assert_eq!(entries[0].query, "x=1");
    }
}
