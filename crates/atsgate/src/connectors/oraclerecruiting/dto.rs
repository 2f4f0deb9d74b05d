//! Oracle Fusion HCM REST records as the API sends them (ADF resource collections and items).

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
    pub offset: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrcRequisition {
    pub requisition_number: Value,
    pub title: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrcCandidate {
    pub candidate_number: Value,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile_phone_number: Option<String>,
    pub creation_date: Option<String>,
    pub last_update_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrcApplication {
    pub submission_id: Value,
    pub candidate_number: Option<Value>,
    pub requisition_number: Option<Value>,
    pub phase_name: Option<String>,
    pub state_name: Option<String>,
    pub creation_date: Option<String>,
    pub last_update_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrcAttachment {
    pub attached_document_id: Value,
    pub file_name: Option<String>,
    pub uploaded_file_name: Option<String>,
    pub category_name: Option<String>,
    pub uploaded_file_content_type: Option<String>,
    pub uploaded_file_length: Option<u64>,
    pub creation_date: Option<String>,
    pub last_update_date: Option<String>,
}
