//! SmartRecruiters records as the emulator stores them, and their vendor JSON.
//!
//! Field names follow the Customer API (camelCase, `createdOn`/`updatedOn`,
//! `primaryAssignment`/`secondaryAssignments` on candidates, `actions` links
//! on every object). JSON is built per page from borrowed records, so a page
//! of 100 candidates costs 100 small values, never a copy of the store.

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// A UTC timestamp, serialised as RFC 3339 with milliseconds and a `Z`.
pub type Ts = DateTime<Utc>;

pub fn ts_json(ts: &Ts) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    pub title: String,
    pub ref_number: String,
    /// `SOURCING`, `INTERVIEW`, `OFFER`, `FILLED`, `ON_HOLD`, `CANCELLED`.
    pub status: &'static str,
    pub created_on: Ts,
    pub updated_on: Ts,
}

/// A candidate's assignment to a job: SmartRecruiters' "application".
#[derive(Clone, Debug)]
pub struct Assignment {
    pub job_id: String,
    /// `NEW`, `IN_REVIEW`, `INTERVIEW`, `OFFER`, `HIRED`, `REJECTED`, `WITHDRAWN`…
    pub status: &'static str,
    pub sub_status: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: String,
    pub source: &'static str,
    pub tags: Vec<String>,
    pub created_on: Ts,
    pub updated_on: Ts,
    /// The first is the primary assignment, the rest are secondary.
    pub assignments: Vec<Assignment>,
}

/// A stored upload; the bytes are shared, never copied per read.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: String,
    pub candidate_id: String,
    /// The job context of a job-level upload, `None` for candidate-level.
    pub job_id: Option<String>,
    pub name: String,
    /// The `attachmentType` it was uploaded with.
    pub kind: String,
    pub content_type: String,
    /// The user of the API key that uploaded it.
    pub uploaded_by: String,
    pub sha256: String,
    pub bytes: Bytes,
}

fn link(url: String) -> Value {
    json!({ "url": url, "method": "GET" })
}

impl Job {
    pub fn to_json(&self, base: &str) -> Value {
        json!({
            "id": self.id,
            "title": self.title,
            "refNumber": self.ref_number,
            "status": self.status,
            "createdOn": ts_json(&self.created_on),
            "updatedOn": ts_json(&self.updated_on),
            "actions": { "details": link(format!("{base}/jobs/{}", self.id)) },
        })
    }
}

impl Assignment {
    fn to_json(&self, base: &str, job_title: Option<&str>) -> Value {
        json!({
            "job": {
                "id": self.job_id,
                "title": job_title,
                "actions": { "details": link(format!("{base}/jobs/{}", self.job_id)) },
            },
            "status": self.status,
            "subStatus": self.sub_status,
        })
    }
}

impl Candidate {
    /// The list/detail JSON; `title_of` resolves job titles for the assignments.
    pub fn to_json<'a>(&self, base: &str, title_of: impl Fn(&str) -> Option<&'a str>) -> Value {
        let mut assignments = self.assignments.iter().map(|a| a.to_json(base, title_of(&a.job_id)));
        let primary = assignments.next();
        let secondary: Vec<Value> = assignments.collect();
        json!({
            "id": self.id,
            "internal": false,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "email": self.email,
            "phoneNumber": self.phone_number,
            "createdOn": ts_json(&self.created_on),
            "updatedOn": ts_json(&self.updated_on),
            "tags": self.tags,
            "source": { "name": self.source },
            "primaryAssignment": primary,
            "secondaryAssignments": secondary,
            "actions": { "details": link(format!("{base}/candidates/{}", self.id)) },
        })
    }
}

impl Attachment {
    pub fn to_json(&self, base: &str) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "type": self.kind,
            "contentType": self.content_type,
            "actions": {
                "download": link(format!("{base}/candidates/{}/attachments/{}", self.candidate_id, self.id)),
            },
        })
    }
}
