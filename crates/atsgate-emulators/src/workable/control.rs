//! Workable's side of the `/_emulator/*` control routes: received files are
//! the comment attachments (the candidate is also the application, the
//! actor is the comment's `member_id`).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::store::hex_id;
use super::Workable;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

pub struct Control(pub Arc<Workable>);

impl VendorControl for Control {
    /// Workable is called with a static account access token: nothing is issued, so nothing expires.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::StaticCredentials
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        let store = self.0.read();
        store
            .files
            .values()
            .map(|f| ReceivedFile {
                id: f.comment_id.clone(),
                candidate_id: hex_id(f.candidate),
                // One Workable candidate is one application to one job.
                application_id: Some(hex_id(f.candidate)),
                filename: f.name.clone(),
                content_type: None,
                kind: "comment_attachment".to_owned(),
                size: f.bytes.len() as u64,
                sha256: f.sha256.clone(),
                actor_user_id: Some(f.member_id.clone()),
                visibility: None,
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let mut store = self.0.write();
        let key = store.candidate_key(id).ok_or(ControlError::NotFound)?;
        store.candidates.remove(&key);
        Ok(json!({ "deleted_candidate_id": id, "deleted_application_ids": [id] }))
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut store = self.0.write();
        let key = store.patch_candidate(id, patch, now_ms)?;
        let candidate = store.candidates.get(&key).ok_or(ControlError::NotFound)?;
        Ok(store.candidate_json(key, candidate, &self.0.base_url))
    }
}
