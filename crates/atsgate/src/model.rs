//! The unified (Kombo) data model as emitted on the wire: every REQ key of spec §3 is a
//! non-optional field here, so it is always present (as `null` where unknown).

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tag {
    pub id: String,
    pub remote_id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailAddress {
    pub email_address: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneNumber {
    pub phone_number: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobRef {
    pub id: String,
    pub remote_id: String,
    pub name: Option<String>,
}

/// `current_stage` of an application; `status` and `custom_fields` are required by the Python SDK.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageRef {
    pub id: String,
    pub remote_id: Option<String>,
    pub name: Option<String>,
    pub index: Option<i64>,
    pub status: Option<String>,
    pub custom_fields: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationCandidate {
    pub id: String,
    pub remote_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub source: Option<String>,
    pub remote_url: Option<String>,
    pub tags: Vec<Tag>,
    pub email_addresses: Vec<EmailAddress>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub social_media: Vec<serde_json::Value>,
}

/// An element of `GET /ats/applications` `data.results`, minus `changed_at`/`remote_deleted_at`
/// (added from their columns when served).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Application {
    pub id: String,
    pub remote_id: Option<String>,
    /// One of `PENDING`, `HIRED`, `DECLINED`, or null.
    pub outcome: Option<String>,
    pub rejection_reason_name: Option<String>,
    pub rejected_at: Option<String>,
    pub current_stage_id: Option<String>,
    pub job_id: Option<String>,
    pub candidate_id: Option<String>,
    pub custom_fields: Option<serde_json::Value>,
    pub integration_fields: Vec<serde_json::Value>,
    pub remote_url: Option<String>,
    pub remote_created_at: Option<String>,
    pub remote_updated_at: Option<String>,
    pub remote_data: Option<serde_json::Value>,
    pub candidate: Option<ApplicationCandidate>,
    pub current_stage: Option<StageRef>,
    pub job: Option<JobRef>,
    pub interviews: Vec<serde_json::Value>,
    pub offers: Vec<serde_json::Value>,
    pub screening_question_answers: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateStage {
    pub id: String,
    pub remote_id: Option<String>,
    pub name: Option<String>,
    pub index: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateApplication {
    pub id: String,
    pub remote_id: Option<String>,
    pub outcome: Option<String>,
    pub rejection_reason_name: Option<String>,
    pub rejected_at: Option<String>,
    pub remote_url: Option<String>,
    pub changed_at: String,
    pub remote_created_at: Option<String>,
    pub remote_updated_at: Option<String>,
    pub current_stage: Option<CandidateStage>,
    pub job: Option<JobRef>,
}

/// An element of `GET /ats/candidates` `data.results`, minus `changed_at`/`remote_deleted_at`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub id: String,
    pub remote_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub confidential: Option<bool>,
    pub source: Option<String>,
    pub custom_fields: Option<serde_json::Value>,
    pub integration_fields: Vec<serde_json::Value>,
    pub remote_url: Option<String>,
    pub remote_created_at: Option<String>,
    pub remote_updated_at: Option<String>,
    pub remote_data: Option<serde_json::Value>,
    pub applications: Vec<CandidateApplication>,
    pub tags: Vec<Tag>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub email_addresses: Vec<EmailAddress>,
    pub social_media: Vec<serde_json::Value>,
    pub location: Option<serde_json::Value>,
}
