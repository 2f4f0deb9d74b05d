//! Teamtailor records as the emulator stores them, and their JSON:API
//! resource objects (dasherized attribute names, string ids, `links.self`).
//!
//! Records live in `Vec`s sorted by id: Teamtailor paginates by page number,
//! so a page is a slice, which stays cheap with 100 000 candidates.

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

pub type Id = u64;

/// Milliseconds since the epoch, serialised as RFC 3339 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts(pub i64);

impl Ts {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    pub fn text(self) -> String {
        DateTime::from_timestamp_millis(self.0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: Id,
    pub title: String,
    /// `open`, `archived`, `draft`, `unlisted`.
    pub status: &'static str,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Clone, Copy, Debug)]
pub struct Stage {
    pub id: Id,
    pub name: &'static str,
    /// `inbox`, `in_process`, `interview`, `offer`, `hired`.
    pub stage_type: &'static str,
    pub row_order: i64,
}

#[derive(Clone, Copy, Debug)]
pub struct RejectReason {
    pub id: Id,
    pub reason: &'static str,
}

#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: Id,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub pitch: Option<String>,
    pub sourced: bool,
    pub restricted: bool,
    pub tags: Vec<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub application_ids: Vec<Id>,
    /// The received file currently set as the candidate's resume.
    pub resume_id: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct Application {
    pub id: Id,
    pub candidate_id: Id,
    pub job_id: Id,
    pub stage_id: Id,
    pub reject_reason_id: Option<Id>,
    pub rejected_at: Option<Ts>,
    pub referring_site: Option<&'static str>,
    pub sourced: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
}

/// A received file. The bytes are shared, never copied per read.
#[derive(Clone, Debug)]
pub struct Upload {
    pub id: Id,
    /// `upload` (an uploads resource) or `resume` (set through the candidate's `resume`).
    pub kind: &'static str,
    pub candidate_id: Id,
    pub job_id: Option<Id>,
    /// The candidate's application to `job_id`, if they have one.
    pub application_id: Option<Id>,
    pub file_name: String,
    pub content_type: Option<String>,
    pub created_at: Ts,
    pub sha256: String,
    pub bytes: Bytes,
}

/// A to-one relationship: links always, linkage only when included (JSON:API).
pub fn to_one(base: &str, own: &str, name: &str, kind: &str, id: Option<Id>, include: &[&str]) -> Value {
    let mut rel = json!({ "links": {
        "self": format!("{base}/v1/{own}/relationships/{name}"),
        "related": format!("{base}/v1/{own}/{name}"),
    }});
    if include.contains(&name) {
        rel["data"] = id.map_or(Value::Null, |id| json!({ "type": kind, "id": id.to_string() }));
    }
    rel
}

impl Job {
    pub fn resource(&self, base: &str) -> Value {
        json!({
            "id": self.id.to_string(),
            "type": "jobs",
            "links": { "self": format!("{base}/v1/jobs/{}", self.id) },
            "attributes": {
                "title": self.title,
                "status": self.status,
                "created-at": self.created_at.text(),
                "updated-at": self.updated_at.text(),
            },
        })
    }
}

impl Stage {
    pub fn resource(&self, base: &str) -> Value {
        json!({
            "id": self.id.to_string(),
            "type": "stages",
            "links": { "self": format!("{base}/v1/stages/{}", self.id) },
            "attributes": { "name": self.name, "stage-type": self.stage_type, "row-order": self.row_order },
        })
    }
}

impl RejectReason {
    pub fn resource(&self, base: &str) -> Value {
        json!({
            "id": self.id.to_string(),
            "type": "reject-reasons",
            "links": { "self": format!("{base}/v1/reject-reasons/{}", self.id) },
            "attributes": { "reason": self.reason },
        })
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: Id,
    pub name: String,
    pub email: String,
    /// `admin`, `recruiter` or `user`.
    pub role: &'static str,
}

impl User {
    pub fn resource(&self, base: &str) -> Value {
        json!({
            "id": self.id.to_string(),
            "type": "users",
            "links": { "self": format!("{base}/v1/users/{}", self.id) },
            "attributes": { "name": self.name, "email": self.email, "role": self.role },
        })
    }
}

impl Candidate {
    /// `resume_url` is the signed link of the current resume, if any.
    pub fn resource(&self, base: &str, resume_url: Option<String>) -> Value {
        json!({
            "id": self.id.to_string(),
            "type": "candidates",
            "links": { "self": format!("{base}/v1/candidates/{}", self.id) },
            "attributes": {
                "first-name": self.first_name,
                "last-name": self.last_name,
                "email": self.email,
                "phone": self.phone,
                "pitch": self.pitch,
                "sourced": self.sourced,
                "restricted": self.restricted,
                "tags": self.tags,
                "resume": resume_url,
                "created-at": self.created_at.text(),
                "updated-at": self.updated_at.text(),
            },
        })
    }
}

impl Application {
    pub fn resource(&self, base: &str, include: &[&str]) -> Value {
        let own = format!("job-applications/{}", self.id);
        json!({
            "id": self.id.to_string(),
            "type": "job-applications",
            "links": { "self": format!("{base}/v1/{own}") },
            "attributes": {
                "created-at": self.created_at.text(),
                "updated-at": self.updated_at.text(),
                "rejected-at": self.rejected_at.map(Ts::text),
                "referring-site": self.referring_site,
                "sourced": self.sourced,
            },
            "relationships": {
                "candidate": to_one(base, &own, "candidate", "candidates", Some(self.candidate_id), include),
                "job": to_one(base, &own, "job", "jobs", Some(self.job_id), include),
                "stage": to_one(base, &own, "stage", "stages", Some(self.stage_id), include),
                "reject-reason": to_one(base, &own, "reject-reason", "reject-reasons", self.reject_reason_id, include),
            },
        })
    }
}

impl Upload {
    /// `url` is a signed download link, minted per read like a presigned S3 URL.
    pub fn resource(&self, base: &str, url: String, include: &[&str]) -> Value {
        let own = format!("uploads/{}", self.id);
        json!({
            "id": self.id.to_string(),
            "type": "uploads",
            "links": { "self": format!("{base}/v1/{own}") },
            "attributes": {
                "url": url,
                "file-name": self.file_name,
                "internal": false,
                "created-at": self.created_at.text(),
                "updated-at": self.created_at.text(),
            },
            "relationships": {
                "candidate": to_one(base, &own, "candidate", "candidates", Some(self.candidate_id), include),
                "job": to_one(base, &own, "job", "jobs", self.job_id, include),
            },
        })
    }
}
