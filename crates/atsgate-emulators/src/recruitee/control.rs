//! Recruitee's side of the `/_emulator/*` control routes: received files are
//! candidate attachments and CVs (no placement-level files exist); the actor
//! is the user behind the API token.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::store::{Id, Store};
use super::Recruitee;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

pub struct Control(pub Arc<Recruitee>);

impl VendorControl for Control {
    /// Recruitee authenticates with a static personal API token: nothing is issued, so nothing expires.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::StaticCredentials
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        let store = self.0.read_store();
        store
            .files
            .iter()
            .map(|f| ReceivedFile {
                id: f.id.to_string(),
                candidate_id: f.candidate_id.to_string(),
                application_id: None,
                filename: f.filename.clone(),
                content_type: Some(f.content_type.clone()),
                kind: f.kind.to_owned(),
                size: f.bytes.len() as u64,
                sha256: f.sha256.clone(),
                actor_user_id: Some(f.actor_user_id.to_string()),
                visibility: None,
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let id: Id = id.parse().map_err(|_| ControlError::NotFound)?;
        let removed = self.0.write_store().delete_candidate(id).ok_or(ControlError::NotFound)?;
        Ok(json!({ "deleted_candidate_id": id, "deleted_application_ids": removed }))
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let id: Id = id.parse().map_err(|_| ControlError::NotFound)?;
        let mut store = self.0.write_store();
        store.patch_candidate(id, patch)?;
        let store = &*store;
        let candidate = store.candidates.get(&id).ok_or(ControlError::NotFound)?;
        Ok(Store::candidate_json(candidate, self.0.cv_url(store, candidate.cv)))
    }
}
