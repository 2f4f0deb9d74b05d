//! The in-memory Greenhouse account: every record, keyed by id.
//!
//! `BTreeMap`s keep records in id order, which is the order Harvest v3 lists
//! them in, so a page is a range scan starting after the cursor's id. The
//! store sits behind one `RwLock` in the emulator state; it never does I/O or
//! hashing while locked (uploads are decoded and hashed before the write
//! lock is taken).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::{Application, Attachment, Candidate, Contact, Id, Job, Ts, User};
use crate::common::control::ControlError;

pub struct Store {
    pub users: BTreeMap<Id, User>,
    pub jobs: BTreeMap<Id, Job>,
    pub candidates: BTreeMap<Id, Candidate>,
    pub applications: BTreeMap<Id, Application>,
    /// Every received file; ids grow, so id order is arrival order.
    pub attachments: BTreeMap<Id, Attachment>,
    next_attachment_id: Id,
}

impl Store {
    pub fn new(
        users: BTreeMap<Id, User>,
        jobs: BTreeMap<Id, Job>,
        candidates: BTreeMap<Id, Candidate>,
        applications: BTreeMap<Id, Application>,
        first_attachment_id: Id,
    ) -> Self {
        Self {
            users,
            jobs,
            candidates,
            applications,
            attachments: BTreeMap::new(),
            next_attachment_id: first_attachment_id,
        }
    }

    /// Stores an upload on its application. Uploading a `resume` or
    /// `cover_letter` demotes the application's earlier file of that type to
    /// `other`, as Harvest v3 documents. Returns `None` if the application
    /// disappeared since validation (deleted concurrently).
    pub fn add_attachment(&mut self, mut attachment: Attachment) -> Option<&Attachment> {
        let application = self.applications.get(&attachment.application_id)?;
        attachment.candidate_id = application.candidate_id;
        if matches!(attachment.kind, "resume" | "cover_letter") {
            for older in self
                .attachments
                .values_mut()
                .filter(|a| a.application_id == attachment.application_id && a.kind == attachment.kind)
            {
                older.kind = "other";
                older.updated_at = attachment.created_at;
            }
        }
        let id = self.next_attachment_id;
        self.next_attachment_id += 1;
        attachment.id = id;
        self.attachments.insert(id, attachment);
        self.attachments.get(&id)
    }

    /// Removes a candidate and its applications. Received files are kept:
    /// they are the evidence tests inspect.
    pub fn delete_candidate(&mut self, id: Id) -> Option<Vec<Id>> {
        let candidate = self.candidates.remove(&id)?;
        for application_id in &candidate.application_ids {
            self.applications.remove(application_id);
        }
        Some(candidate.application_ids)
    }

    /// Applies a partial update and bumps `updated_at`. The candidate's
    /// applications are deliberately left untouched (their `updated_at` too),
    /// so a sync must notice the change through the candidate list itself.
    pub fn patch_candidate(&mut self, id: Id, patch: &Map<String, Value>) -> Result<&Candidate, ControlError> {
        let candidate = self.candidates.get_mut(&id).ok_or(ControlError::NotFound)?;
        // Validate everything before changing anything, so a bad patch
        // leaves the candidate as it was.
        let mut updated = candidate.clone();
        for (key, value) in patch {
            apply_field(&mut updated, key, value)?;
        }
        updated.updated_at = Ts::now().max(candidate.updated_at);
        *candidate = updated;
        Ok(candidate)
    }
}

fn apply_field(candidate: &mut Candidate, key: &str, value: &Value) -> Result<(), ControlError> {
    let bad = |expected: &str| ControlError::Invalid(format!("{key} must be {expected}"));
    match key {
        "first_name" => candidate.first_name = value.as_str().ok_or_else(|| bad("a string"))?.to_owned(),
        "last_name" => candidate.last_name = value.as_str().ok_or_else(|| bad("a string"))?.to_owned(),
        "company" => candidate.company = optional_string(value).ok_or_else(|| bad("a string or null"))?,
        "title" => candidate.title = optional_string(value).ok_or_else(|| bad("a string or null"))?,
        "is_private" => candidate.is_private = value.as_bool().ok_or_else(|| bad("a boolean"))?,
        "tags" => {
            candidate.tags = value
                .as_array()
                .and_then(|items| items.iter().map(|t| t.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| bad("an array of strings"))?
        }
        "email_addresses" => {
            candidate.email_addresses = contacts(value).ok_or_else(|| bad("an array of {value, type}"))?
        }
        "phone_numbers" => candidate.phone_numbers = contacts(value).ok_or_else(|| bad("an array of {value, type}"))?,
        _ => return Err(ControlError::Invalid(format!("{key} is not an editable candidate field"))),
    }
    Ok(())
}

fn optional_string(value: &Value) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        _ => None,
    }
}

fn contacts(value: &Value) -> Option<Vec<Contact>> {
    value
        .as_array()?
        .iter()
        .map(|item| {
            Some(Contact {
                value: item.get("value")?.as_str()?.to_owned(),
                kind: item.get("type")?.as_str()?.to_owned(),
            })
        })
        .collect()
}
