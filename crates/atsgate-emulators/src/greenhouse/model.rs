//! Greenhouse Harvest v3 records as the emulator stores and serialises them.
//!
//! The structs serialise straight into the vendor JSON (ids as integers,
//! timestamps as RFC 3339 UTC with a `Z`), so a list page is written by
//! serde from borrowed records without building intermediate JSON values.
//! Attachments are the exception: their `url` is signed at serialisation
//! time, so they go through [`AttachmentView`].

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// Greenhouse ids are integers on the wire.
pub type Id = u64;

/// A UTC timestamp serialised with millisecond precision and a `Z`.
///
/// Milliseconds (not whole seconds) so that a change made a fraction of a
/// second after a sync's `updated_at[gte]` watermark is still seen by the
/// next sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts(pub DateTime<Utc>);

impl Ts {
    pub fn now() -> Self {
        Self::from_millis(Utc::now().timestamp_millis())
    }

    pub fn from_millis(millis: i64) -> Self {
        Self(DateTime::from_timestamp_millis(millis).unwrap_or_default())
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

/// `{id, name}` references (stages, sources, rejection reasons).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Named {
    pub id: Id,
    pub name: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: Id,
    pub name: String,
    /// `open`, `closed` or `draft`.
    pub status: &'static str,
    pub requisition_id: String,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: Id,
    pub first_name: String,
    pub last_name: String,
    pub primary_email_address: String,
}

/// An email address or phone number with its kind (`personal`, `mobile`…).
#[derive(Clone, Debug, Serialize)]
pub struct Contact {
    pub value: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub id: Id,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub is_private: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub last_activity_at: Ts,
    pub email_addresses: Vec<Contact>,
    pub phone_numbers: Vec<Contact>,
    pub tags: Vec<String>,
    pub application_ids: Vec<Id>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Application {
    pub id: Id,
    pub candidate_id: Id,
    pub job_id: Id,
    /// Always `false`: the emulator seeds candidate applications only.
    pub prospect: bool,
    /// `active`, `rejected` or `hired`.
    pub status: &'static str,
    pub applied_at: Ts,
    pub rejected_at: Option<Ts>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub last_activity_at: Ts,
    pub current_stage: Option<Named>,
    pub source: Option<Named>,
    pub rejection_reason: Option<Named>,
}

/// A stored upload. The bytes are shared (`Bytes`), never copied per read.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: Id,
    pub application_id: Id,
    pub candidate_id: Id,
    /// The current type; a newer resume/cover letter turns an older one into `other`.
    pub kind: &'static str,
    pub filename: String,
    pub content_type: String,
    pub visibility: &'static str,
    pub created_at: Ts,
    pub updated_at: Ts,
    /// The token's `sub`: the user the upload was made on behalf of.
    pub created_by_user_id: Id,
    pub sha256: String,
    pub bytes: Bytes,
}

/// The vendor JSON of an attachment, with its signed download URL.
#[derive(Serialize)]
pub struct AttachmentView<'a> {
    pub id: Id,
    pub application_id: Id,
    pub candidate_id: Id,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub filename: &'a str,
    pub url: String,
    pub content_type: &'a str,
    pub visibility: &'static str,
    pub created_at: Ts,
    pub updated_at: Ts,
}

impl Attachment {
    pub fn view(&self, url: String) -> AttachmentView<'_> {
        AttachmentView {
            id: self.id,
            application_id: self.application_id,
            candidate_id: self.candidate_id,
            kind: self.kind,
            filename: &self.filename,
            url,
            content_type: &self.content_type,
            visibility: self.visibility,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_with_z() {
        let ts = Ts::from_millis(1_700_000_000_123);
        assert_eq!(serde_json::to_string(&ts).unwrap(), "\"2023-11-14T22:13:20.123Z\"");
    }
}
