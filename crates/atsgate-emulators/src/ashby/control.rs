//! Ashby's side of the `/_emulator/*` control routes: received files are the
//! files attached to candidates (candidate-level only, so no application id,
//! and no acting user: Ashby API keys do not act as a user).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::Ashby;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

pub struct Control(pub Arc<Ashby>);

impl VendorControl for Control {
    /// Ashby authenticates with a static API key (HTTP Basic): nothing is issued, so nothing expires.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::StaticCredentials
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        let store = self.0.read_store();
        store
            .files
            .iter()
            .map(|f| ReceivedFile {
                id: f.id.clone(),
                candidate_id: f.candidate_id.clone(),
                application_id: None,
                filename: f.name.clone(),
                content_type: Some(f.content_type.clone()),
                kind: f.kind.to_owned(),
                size: f.bytes.len() as u64,
                sha256: f.sha256.clone(),
                actor_user_id: None,
                visibility: None,
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let removed = self.0.write_store().delete_candidate(id).ok_or(ControlError::NotFound)?;
        Ok(json!({ "deleted_candidate_id": id, "deleted_application_ids": removed }))
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        self.0.write_store().patch_candidate(id, patch)
    }
}
