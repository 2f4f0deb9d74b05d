//! Recruitee records as the API sends them.

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub struct RcOffer {
    pub id: Value,
    pub title: Option<String>,
}

#[derive(Deserialize)]
pub struct RcOffers {
    #[serde(default)]
    pub offers: Vec<RcOffer>,
}

#[derive(Deserialize)]
pub struct RcPlacement {
    pub id: Value,
    pub offer_id: Option<Value>,
    pub stage_id: Option<Value>,
    pub stage_name: Option<String>,
    pub disqualified_at: Option<String>,
    pub disqualify_reason: Option<String>,
    pub hired_at: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Deserialize)]
pub struct RcCandidate {
    pub id: Value,
    pub name: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    #[serde(default)]
    pub placements: Vec<RcPlacement>,
    pub cv_original_url: Option<String>,
}

#[derive(Deserialize)]
pub struct RcCandidates {
    #[serde(default)]
    pub candidates: Vec<RcCandidate>,
}

#[derive(Deserialize)]
pub struct RcCandidateShow {
    pub candidate: RcCandidate,
}

#[derive(Deserialize)]
pub struct RcAttachment {
    pub id: Value,
    pub filename: String,
    pub url: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
pub struct RcAttachments {
    #[serde(default)]
    pub attachments: Vec<RcAttachment>,
}

#[derive(Deserialize)]
pub struct RcCreated {
    pub attachment: RcAttachment,
}
