//! SmartRecruiters Customer API records as the API sends them.

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrPage<T> {
    #[serde(default = "Vec::new")]
    pub content: Vec<T>,
    pub next_page_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrJob {
    pub id: String,
    pub title: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrJobRef {
    pub id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrAssignment {
    pub job: Option<SrJobRef>,
    pub status: Option<String>,
    pub sub_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrSource {
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrCandidate {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub created_on: Option<String>,
    pub updated_on: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub source: Option<SrSource>,
    pub primary_assignment: Option<SrAssignment>,
    #[serde(default)]
    pub secondary_assignments: Vec<SrAssignment>,
}

#[derive(Deserialize)]
pub struct SrLink {
    pub url: String,
}

#[derive(Deserialize)]
pub struct SrActions {
    pub download: Option<SrLink>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrAttachment {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub content_type: Option<String>,
    pub job_id: Option<String>,
    pub created_on: Option<String>,
    pub actions: Option<SrActions>,
}

#[derive(Deserialize)]
pub struct SrErrorBody {
    pub message: Option<String>,
    #[serde(default)]
    pub errors: Vec<SrError>,
}

#[derive(Deserialize)]
pub struct SrError {
    pub code: Option<String>,
    pub message: Option<String>,
}
