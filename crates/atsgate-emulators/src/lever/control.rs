//! Lever's side of the `/_emulator/*` control routes: received files are
//! the opportunity files (candidate = contact, application = opportunity,
//! actor = `perform_as`); candidates are contacts.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::Lever;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

pub struct Control(pub Arc<Lever>);

impl VendorControl for Control {
    /// Lever authenticates with a static API key (HTTP Basic): nothing is issued, so nothing expires.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::StaticCredentials
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        let store = self.0.read();
        let id_of = |seq: u64, kind: u64| super::store::uuid(kind, seq, store.seed);
        store
            .files
            .values()
            .map(|f| ReceivedFile {
                id: f.id.clone(),
                candidate_id: id_of(f.contact, super::store::KIND_CONTACT),
                application_id: Some(id_of(f.opportunity, super::store::KIND_OPPORTUNITY)),
                filename: f.name.clone(),
                content_type: f.content_type.clone(),
                kind: "file".to_owned(),
                size: f.bytes.len() as u64,
                sha256: f.sha256.clone(),
                actor_user_id: Some(f.actor.clone()),
                visibility: None,
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let removed = self.0.write().delete_contact(id).ok_or(ControlError::NotFound)?;
        Ok(json!({ "deleted_candidate_id": id, "deleted_application_ids": removed }))
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut store = self.0.write();
        let contact = store.patch_contact(id, patch, now_ms)?;
        Ok(json!({ "id": contact.id, "name": contact.name, "headline": contact.headline,
                   "emails": contact.emails, "tags": contact.tags }))
    }
}
