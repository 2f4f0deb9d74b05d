//! Ashby's RPC answers and records as the API sends them.

use serde::Deserialize;
use serde_json::Value;

/// Every answer: `{success, results, moreDataAvailable, nextCursor, errorInfo, errors}`.
#[derive(Deserialize)]
pub struct Envelope<T> {
    pub success: bool,
    pub results: Option<T>,
    #[serde(default, rename = "moreDataAvailable")]
    pub more_data_available: bool,
    #[serde(rename = "nextCursor")]
    pub next_cursor: Option<String>,
    #[serde(rename = "errorInfo")]
    pub error_info: Option<ErrorInfo>,
    #[serde(default)]
    pub errors: Vec<Value>,
}

#[derive(Deserialize, Default)]
pub struct ErrorInfo {
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadHandle {
    pub handle: String,
    pub url: String,
    #[serde(default)]
    pub fields: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
pub struct AbRef {
    pub id: String,
    pub title: Option<String>,
}

#[derive(Deserialize)]
pub struct AbContact {
    pub value: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Deserialize)]
pub struct AbTag {
    pub title: Option<String>,
}

#[derive(Deserialize)]
pub struct AbFileHandle {
    pub id: String,
    pub name: String,
    pub handle: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbCandidate {
    pub id: String,
    pub name: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    #[serde(default)]
    pub email_addresses: Vec<AbContact>,
    #[serde(default)]
    pub phone_numbers: Vec<AbContact>,
    #[serde(default)]
    pub tags: Vec<AbTag>,
    pub position: Option<String>,
    pub company: Option<String>,
    pub profile_url: Option<String>,
    pub source: Option<AbRef>,
    pub resume_file_handle: Option<AbFileHandle>,
    #[serde(default)]
    pub file_handles: Vec<AbFileHandle>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbStage {
    pub id: String,
    pub title: Option<String>,
    pub order_in_interview_plan: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbArchiveReason {
    pub text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbApplication {
    pub id: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub status: Option<String>,
    pub candidate: Option<AbRef>,
    pub job: Option<AbRef>,
    pub current_interview_stage: Option<AbStage>,
    pub source: Option<AbRef>,
    pub archive_reason: Option<AbArchiveReason>,
    pub archived_at: Option<String>,
}

#[derive(Deserialize)]
pub struct AbJob {
    pub id: String,
    pub title: Option<String>,
}

#[derive(Deserialize)]
pub struct FileInfo {
    pub url: String,
}
