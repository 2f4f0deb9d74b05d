//! Oracle Recruiting Cloud records as the emulator stores them, and their
//! ADF resource JSON (PascalCase attributes, `links` unless `onlyData=true`).

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

pub type Ts = DateTime<Utc>;

pub fn ts_json(ts: &Ts) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Clone, Debug)]
pub struct Requisition {
    pub number: String,
    pub title: String,
    pub creation_date: Ts,
    pub last_update_date: Ts,
}

#[derive(Clone, Debug)]
pub struct Candidate {
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub creation_date: Ts,
    pub last_update_date: Ts,
    pub submission_ids: Vec<u64>,
}

#[derive(Clone, Debug)]
pub struct Application {
    pub submission_id: u64,
    pub candidate_number: String,
    pub requisition_number: String,
    pub phase_name: &'static str,
    pub state_name: &'static str,
    pub creation_date: Ts,
    pub last_update_date: Ts,
}

/// Which child collection a file was posted to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// `recruitingCandidates/{CandidateNumber}/child/attachments`
    Candidate,
    /// `recruitingUIJobApplications/{SubmissionId}/child/{Attachments|InternalAttachments}`
    Application { submission_id: u64, internal: bool },
}

#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: u64,
    pub owner: Owner,
    pub candidate_number: String,
    pub file_name: String,
    pub category: String,
    pub title: String,
    pub content_type: String,
    pub created_by: String,
    pub creation_date: Ts,
    pub sha256: String,
    pub bytes: Bytes,
}

/// Adds the ADF `links` of an item at `href` when links are wanted.
fn with_links(mut item: Map<String, Value>, href: Option<&str>, extra: &[(&str, String)]) -> Value {
    if let Some(href) = href {
        let mut links = vec![json!({ "rel": "self", "href": href, "name": "item", "kind": "item" })];
        for (name, url) in extra {
            links.push(json!({ "rel": "enclosure", "href": url, "name": name, "kind": "other" }));
        }
        item.insert("links".into(), Value::Array(links));
    }
    Value::Object(item)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Requisition {
    pub fn to_json(&self, href: Option<&str>) -> Value {
        let item = json!({
            "RequisitionNumber": self.number,
            "Title": self.title,
            "CreationDate": ts_json(&self.creation_date),
            "LastUpdateDate": ts_json(&self.last_update_date),
        });
        with_links(object(item), href, &[])
    }
}

impl Candidate {
    pub fn to_json(&self, href: Option<&str>) -> Value {
        let item = json!({
            "CandidateNumber": self.number,
            "FirstName": self.first_name,
            "LastName": self.last_name,
            "Email": self.email,
            "MobilePhoneNumber": self.phone,
            "CreationDate": ts_json(&self.creation_date),
            "LastUpdateDate": ts_json(&self.last_update_date),
        });
        with_links(object(item), href, &[])
    }
}

impl Application {
    pub fn to_json(&self, href: Option<&str>) -> Value {
        let item = json!({
            "SubmissionId": self.submission_id,
            "CandidateNumber": self.candidate_number,
            "RequisitionNumber": self.requisition_number,
            "PhaseName": self.phase_name,
            "StateName": self.state_name,
            "CreationDate": ts_json(&self.creation_date),
            "LastUpdateDate": ts_json(&self.last_update_date),
        });
        with_links(object(item), href, &[])
    }
}

impl Attachment {
    /// The item JSON; `href` is the item URL (links are added when given).
    pub fn to_json(&self, href: Option<&str>) -> Value {
        let item = json!({
            "AttachedDocumentId": self.id,
            "DatatypeCode": "FILE",
            "CategoryName": self.category,
            "FileName": self.file_name,
            "UploadedFileName": self.file_name,
            "Title": self.title,
            "UploadedFileContentType": self.content_type,
            "UploadedFileLength": self.bytes.len(),
            "CreatedBy": self.created_by,
            "CreationDate": ts_json(&self.creation_date),
            "LastUpdatedBy": self.created_by,
            "LastUpdateDate": ts_json(&self.creation_date),
        });
        let enclosure = href.map(|h| format!("{h}/enclosure/FileContents"));
        with_links(object(item), href, &enclosure.map(|e| vec![("FileContents", e)]).unwrap_or_default())
    }
}
