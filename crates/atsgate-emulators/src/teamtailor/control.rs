//! Teamtailor's side of the `/_emulator/*` control routes.
//!
//! Received files are every file Teamtailor downloaded: `type` is `resume`
//! for a file set as a candidate's resume and `upload` for an uploads
//! resource (Teamtailor files have no other type). There is no acting user:
//! company API keys act as the company.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::Teamtailor;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

pub struct Control(pub Arc<Teamtailor>);

impl VendorControl for Control {
    /// Teamtailor authenticates with a static API key: nothing is issued, so nothing expires.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::StaticCredentials
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        self.0
            .read_store()
            .uploads
            .iter()
            .map(|u| ReceivedFile {
                id: u.id.to_string(),
                candidate_id: u.candidate_id.to_string(),
                application_id: u.application_id.map(|a| a.to_string()),
                filename: u.file_name.clone(),
                content_type: u.content_type.clone(),
                kind: u.kind.to_owned(),
                size: u.bytes.len() as u64,
                sha256: u.sha256.clone(),
                actor_user_id: None,
                visibility: Some("public".to_owned()),
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let id = id.parse().map_err(|_| ControlError::NotFound)?;
        let removed = self.0.write_store().delete_candidate(id).ok_or(ControlError::NotFound)?;
        let removed: Vec<String> = removed.iter().map(u64::to_string).collect();
        Ok(json!({ "deleted_candidate_id": id.to_string(), "deleted_application_ids": removed }))
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let id = id.parse().map_err(|_| ControlError::NotFound)?;
        let mut store = self.0.write_store();
        let candidate = store.patch_candidate(id, patch)?;
        let candidate = candidate.clone();
        Ok(json!({ "data": self.0.candidate_resource(&store, &candidate) }))
    }
}
