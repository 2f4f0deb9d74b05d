//! SmartRecruiters' side of the `/_emulator/*` control routes. A received
//! file's `application_id` is `{candidateId}:{jobId}` for job-context
//! uploads (the id the atsgate connector gives a candidate's assignment) and
//! null for candidate-level uploads.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::SmartRecruiters;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

pub struct Control(pub Arc<SmartRecruiters>);

impl VendorControl for Control {
    /// SmartRecruiters authenticates with a static `X-SmartToken` API key: nothing is issued, so nothing expires.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::StaticCredentials
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        self.0
            .read()
            .attachments
            .iter()
            .map(|a| ReceivedFile {
                id: a.id.clone(),
                candidate_id: a.candidate_id.clone(),
                application_id: a.job_id.as_ref().map(|j| format!("{}:{j}", a.candidate_id)),
                filename: a.name.clone(),
                content_type: Some(a.content_type.clone()),
                kind: a.kind.clone(),
                size: a.bytes.len() as u64,
                sha256: a.sha256.clone(),
                actor_user_id: Some(a.uploaded_by.clone()),
                visibility: None,
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let removed = self.0.write().candidates.remove(id).ok_or(ControlError::NotFound)?;
        let applications: Vec<String> = removed.assignments.iter().map(|a| format!("{id}:{}", a.job_id)).collect();
        Ok(json!({ "deleted_candidate_id": id, "deleted_application_ids": applications }))
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let mut data = self.0.write();
        let candidate = data.candidates.get_mut(id).ok_or(ControlError::NotFound)?;
        let mut updated = candidate.clone();
        for (key, value) in patch {
            let text = || {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ControlError::Invalid(format!("{key} must be a string")))
            };
            match key.as_str() {
                "firstName" | "first_name" => updated.first_name = text()?,
                "lastName" | "last_name" => updated.last_name = text()?,
                "email" => updated.email = text()?,
                "phoneNumber" | "phone_number" => updated.phone_number = text()?,
                "tags" => {
                    updated.tags = value
                        .as_array()
                        .and_then(|t| t.iter().map(|v| v.as_str().map(str::to_owned)).collect())
                        .ok_or_else(|| ControlError::Invalid("tags must be an array of strings".into()))?
                }
                other => return Err(ControlError::Invalid(format!("{other} is not an editable candidate field"))),
            }
        }
        updated.updated_on = chrono::Utc::now().max(candidate.updated_on);
        *candidate = updated;
        let candidate = candidate.clone();
        let base = self.0.base_url.clone();
        Ok(candidate.to_json(&base, |j| data.jobs.get(j).map(|j| j.title.as_str())))
    }
}
