//! Lever API v1 records as the API sends them.

use serde::Deserialize;

/// Lever's list envelope.
#[derive(Deserialize)]
pub struct LvList<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    pub next: Option<String>,
    #[serde(default, rename = "hasNext")]
    pub has_next: bool,
}

#[derive(Deserialize)]
pub struct LvOne<T> {
    pub data: T,
}

#[derive(Deserialize)]
pub struct LvPosting {
    pub id: String,
    pub text: Option<String>,
}

#[derive(Deserialize)]
pub struct LvPhone {
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LvArchived {
    pub archived_at: Option<i64>,
}

#[derive(Deserialize)]
pub struct LvUrls {
    pub show: Option<String>,
}

/// `stage` is an id, or `{id, text}` with `expand=stage`.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum LvStage {
    Expanded { id: String, text: Option<String> },
    Id(String),
}

/// An application is an id, or an object with `expand=applications`.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum LvApplication {
    Expanded { posting: Option<String> },
    Id(serde::de::IgnoredAny),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LvOpportunity {
    pub id: String,
    pub name: Option<String>,
    pub headline: Option<String>,
    pub contact: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<LvPhone>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub confidentiality: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub stage: Option<LvStage>,
    pub archived: Option<LvArchived>,
    #[serde(default)]
    pub applications: Vec<LvApplication>,
    pub urls: Option<LvUrls>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LvFile {
    pub id: String,
    pub name: Option<String>,
    pub uploaded_at: Option<serde_json::Value>,
    pub size: Option<serde_json::Value>,
}

/// The file part of a resume (no id of its own).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct LvResumeFile {
    pub name: Option<String>,
    pub uploaded_at: Option<serde_json::Value>,
    pub size: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LvResume {
    pub id: String,
    pub created_at: Option<serde_json::Value>,
    pub file: Option<LvResumeFile>,
}

#[derive(Deserialize)]
pub struct LvError {
    pub code: Option<String>,
    pub message: Option<String>,
}
