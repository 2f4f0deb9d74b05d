//! Workable SPI v3 records as the API sends them.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct WkPaging {
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct WkJob {
    pub shortcode: String,
    pub title: Option<String>,
}

#[derive(Deserialize)]
pub struct WkJobs {
    #[serde(default)]
    pub jobs: Vec<WkJob>,
    pub paging: Option<WkPaging>,
}

#[derive(Deserialize)]
pub struct WkJobRef {
    pub shortcode: Option<String>,
}

#[derive(Deserialize)]
pub struct WkCandidate {
    pub id: String,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub headline: Option<String>,
    pub job: Option<WkJobRef>,
    pub stage: Option<String>,
    #[serde(default)]
    pub disqualified: bool,
    pub disqualification_reason: Option<String>,
    pub disqualified_at: Option<String>,
    pub hired_at: Option<String>,
    pub sourced: Option<bool>,
    pub profile_url: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub domain: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Deserialize)]
pub struct WkCandidates {
    #[serde(default)]
    pub candidates: Vec<WkCandidate>,
    pub paging: Option<WkPaging>,
}

#[derive(Deserialize)]
pub struct WkFile {
    pub name: String,
    pub preview_url: String,
    pub source: Option<String>,
    pub kind: Option<String>,
}

#[derive(Deserialize)]
pub struct WkFiles {
    #[serde(default)]
    pub files: Vec<WkFile>,
}

#[derive(Deserialize)]
pub struct WkError {
    pub error: Option<String>,
    pub validation_errors: Option<serde_json::Value>,
}
