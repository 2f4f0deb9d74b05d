//! Greenhouse's side of the `/_emulator/*` control routes.
//!
//! Maps the generic control operations (see `common::control`) onto the
//! Greenhouse store: received files are the stored attachments, and a
//! candidate can be deleted (with its applications) or edited so that a
//! sync has something to notice.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::model::Id;
use super::Greenhouse;
use crate::common::control::{ControlError, ReceivedFile, TokenExpiry, VendorControl};

/// Adapter owning a handle on the emulator state.
pub struct Control(pub Arc<Greenhouse>);

impl VendorControl for Control {
    /// Every OAuth access token issued so far stops working; the next call with one gets 401.
    fn expire_tokens(&self) -> TokenExpiry {
        TokenExpiry::Expired(self.0.tokens.expire_all())
    }

    fn received_files(&self) -> Vec<ReceivedFile> {
        let store = self.0.read_store();
        store
            .attachments
            .values()
            .map(|a| ReceivedFile {
                id: a.id.to_string(),
                candidate_id: a.candidate_id.to_string(),
                application_id: Some(a.application_id.to_string()),
                filename: a.filename.clone(),
                content_type: Some(a.content_type.clone()),
                kind: a.kind.to_owned(),
                size: a.bytes.len() as u64,
                sha256: a.sha256.clone(),
                actor_user_id: Some(a.created_by_user_id.to_string()),
                visibility: Some(a.visibility.to_owned()),
            })
            .collect()
    }

    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError> {
        let id = parse_id(id)?;
        let removed = self.0.write_store().delete_candidate(id).ok_or(ControlError::NotFound)?;
        Ok(json!({ "deleted_candidate_id": id, "deleted_application_ids": removed }))
    }

    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let id = parse_id(id)?;
        let mut store = self.0.write_store();
        let candidate = store.patch_candidate(id, patch)?;
        serde_json::to_value(candidate).map_err(|e| ControlError::Invalid(e.to_string()))
    }
}

fn parse_id(id: &str) -> Result<Id, ControlError> {
    id.parse().map_err(|_| ControlError::NotFound)
}
