//! Greenhouse Harvest v3 records as the API sends them.

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub struct GhJob {
    pub id: Value,
    pub name: Option<String>,
}

#[derive(Deserialize)]
pub struct GhValue {
    pub value: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Deserialize)]
pub struct GhCandidate {
    pub id: Value,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub is_private: Option<bool>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    #[serde(default)]
    pub email_addresses: Vec<GhValue>,
    #[serde(default)]
    pub phone_numbers: Vec<GhValue>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
pub struct GhNamed {
    pub id: Value,
    pub name: Option<String>,
}

#[derive(Deserialize)]
pub struct GhApplication {
    pub id: Value,
    pub candidate_id: Option<Value>,
    pub job_id: Option<Value>,
    pub status: Option<String>,
    pub rejected_at: Option<String>,
    pub created_at: Option<String>,
    pub applied_at: Option<String>,
    pub updated_at: Option<String>,
    pub current_stage: Option<GhNamed>,
    pub source: Option<GhNamed>,
    pub rejection_reason: Option<GhNamed>,
}

#[derive(Deserialize)]
pub struct GhAttachment {
    pub id: Value,
    pub application_id: Option<Value>,
    pub candidate_id: Option<Value>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub filename: String,
    pub url: String,
    pub content_type: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// The answer to an upload: the created attachment (only its id is read).
#[derive(Deserialize)]
pub struct GhCreated {
    pub id: Value,
}

/// `{"message", "errors": [{"message", "field"}]}`.
#[derive(Deserialize)]
pub struct GhErrorBody {
    pub message: Option<String>,
    #[serde(default)]
    pub errors: Vec<GhFieldError>,
}

#[derive(Deserialize)]
pub struct GhFieldError {
    pub message: Option<String>,
    pub field: Option<String>,
}
