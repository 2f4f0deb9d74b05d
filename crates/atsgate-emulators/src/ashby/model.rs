//! Ashby records as the emulator stores them, and their vendor JSON.
//!
//! Ids are UUIDs (Ashby's style), generated deterministically from the seed.
//! The store keys every record by a sequence number: lists are served in
//! sequence order, and the opaque cursor is the last sequence number served,
//! so pages stay stable while records are added or removed between requests.

use axum::body::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::common::seed::mix;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

pub fn iso(millis: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn now_millis() -> Millis {
    Utc::now().timestamp_millis()
}

/// A UUID-shaped id derived from `(seed, kind, n)`; the same inputs always give the same id.
pub fn uuid(seed: u64, kind: u64, n: u64) -> String {
    let a = mix(seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n);
    let b = mix(a ^ n.wrapping_add(kind));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        a & 0xfff,
        (0x8000 | (b >> 48) & 0x3fff) as u16,
        b & 0xffff_ffff_ffff
    )
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    pub title: String,
    /// `Open`, `Closed`, `Draft` or `Archived`.
    pub status: &'static str,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Job {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "employmentType": "FullTime",
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        })
    }
}

#[derive(Clone, Debug)]
pub struct Contact {
    pub value: String,
    pub kind: &'static str,
}

#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub email: Contact,
    pub phone: Option<Contact>,
    pub company: Option<String>,
    pub position: Option<String>,
    pub tags: Vec<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub application_ids: Vec<String>,
    /// Ids of stored files (see [`StoredFile`]), oldest first.
    pub file_ids: Vec<String>,
    /// The current resume, if any.
    pub resume_file_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub id: String,
    pub title: &'static str,
    pub order: i64,
}

#[derive(Clone, Debug)]
pub struct Application {
    pub id: String,
    pub candidate_id: String,
    pub job_id: String,
    /// `Active`, `Hired`, `Archived` or `Lead`.
    pub status: &'static str,
    pub stage: Stage,
    pub source: &'static str,
    pub archive_reason: Option<&'static str>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub archived_at: Option<Millis>,
}

/// A file attached to a candidate. The bytes are shared, never copied per read.
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub id: String,
    pub candidate_id: String,
    pub name: String,
    pub content_type: String,
    /// `resume` (through `candidate.uploadResume`) or `file` (`candidate.uploadFile`).
    pub kind: &'static str,
    /// The file handle the public API hands out for this file.
    pub handle: String,
    pub sha256: String,
    pub bytes: Bytes,
}

impl StoredFile {
    pub fn handle_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "handle": self.handle })
    }
}
