//! Oracle's side of the `/_emulator/*` control routes: received files are
//! the stored attachments (`type` = `CategoryName`, `application_id` = the
//! `SubmissionId` for application files), and a candidate can be deleted
//! (with their applications) or edited.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::model::Owner;
use super::Oracle;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

pub struct Control(pub Arc<Oracle>);

impl VendorControl for Control {
    /// Oracle Recruiting Cloud is called with HTTP Basic user credentials: nothing is issued, so nothing expires.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::StaticCredentials
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        self.0
            .read()
            .attachments
            .values()
            .map(|a| ReceivedFile {
                id: a.id.to_string(),
                candidate_id: a.candidate_number.clone(),
                application_id: match a.owner {
                    Owner::Candidate => None,
                    Owner::Application { submission_id, .. } => Some(submission_id.to_string()),
                },
                filename: a.file_name.clone(),
                content_type: Some(a.content_type.clone()),
                kind: a.category.clone(),
                size: a.bytes.len() as u64,
                sha256: a.sha256.clone(),
                actor_user_id: Some(a.created_by.clone()),
                visibility: Some(
                    match a.owner {
                        Owner::Application { internal: true, .. } => "internal",
                        _ => "candidate",
                    }
                    .to_owned(),
                ),
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let key: u64 = id.parse().map_err(|_| ControlError::NotFound)?;
        let mut data = self.0.write();
        let candidate = data.candidates.remove(&key).ok_or(ControlError::NotFound)?;
        for sid in &candidate.submission_ids {
            data.applications.remove(sid);
        }
        Ok(
            json!({ "deleted_candidate_id": id, "deleted_application_ids": candidate.submission_ids.iter().map(u64::to_string).collect::<Vec<_>>() }),
        )
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let key: u64 = id.parse().map_err(|_| ControlError::NotFound)?;
        let mut data = self.0.write();
        let candidate = data.candidates.get_mut(&key).ok_or(ControlError::NotFound)?;
        let mut updated = candidate.clone();
        for (field, value) in patch {
            let text = value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| ControlError::Invalid(format!("{field} must be a string")))?;
            match field.as_str() {
                "FirstName" | "first_name" => updated.first_name = text,
                "LastName" | "last_name" => updated.last_name = text,
                "Email" | "email" => updated.email = text,
                "MobilePhoneNumber" | "phone" => updated.phone = text,
                other => return Err(ControlError::Invalid(format!("{other} is not an editable candidate field"))),
            }
        }
        updated.last_update_date = chrono::Utc::now().max(candidate.last_update_date);
        *candidate = updated;
        let href = format!("{}/recruitingCandidates/{id}", self.0.api_url);
        Ok(candidate.to_json(Some(&href)))
    }
}
