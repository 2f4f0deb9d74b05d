//! The in-memory Teamtailor company: every record, sorted by id.

use serde_json::{Map, Value};

use super::model::{Application, Candidate, Id, Job, RejectReason, Stage, Ts, Upload, User};
use crate::common::control::ControlError;

pub struct Store {
    pub users: Vec<User>,
    pub jobs: Vec<Job>,
    pub stages: Vec<Stage>,
    pub reject_reasons: Vec<RejectReason>,
    pub candidates: Vec<Candidate>,
    pub applications: Vec<Application>,
    /// Received files in arrival order (ids grow).
    pub uploads: Vec<Upload>,
    pub next_upload_id: Id,
}

/// Binary search in a `Vec` sorted by id.
pub fn find<T>(items: &[T], id: Id, key: impl Fn(&T) -> Id) -> Option<&T> {
    items.binary_search_by_key(&id, key).ok().map(|i| &items[i])
}

impl Store {
    pub fn job(&self, id: Id) -> Option<&Job> {
        find(&self.jobs, id, |j| j.id)
    }

    pub fn stage(&self, id: Id) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    pub fn reject_reason(&self, id: Id) -> Option<&RejectReason> {
        self.reject_reasons.iter().find(|r| r.id == id)
    }

    pub fn candidate(&self, id: Id) -> Option<&Candidate> {
        find(&self.candidates, id, |c| c.id)
    }

    pub fn application(&self, id: Id) -> Option<&Application> {
        find(&self.applications, id, |a| a.id)
    }

    pub fn upload(&self, id: Id) -> Option<&Upload> {
        find(&self.uploads, id, |u| u.id)
    }

    /// Stores a received file. An `upload` is tied to the candidate's
    /// application for its job; a `resume` replaces the candidate's resume
    /// (the replaced file stays in the received list as evidence).
    /// `None` if the candidate disappeared since validation.
    pub fn add_upload(&mut self, mut upload: Upload) -> Option<&Upload> {
        let index = self.candidates.binary_search_by_key(&upload.candidate_id, |c| c.id).ok()?;
        let candidate = &self.candidates[index];
        upload.application_id = upload.job_id.and_then(|job| {
            candidate.application_ids.iter().copied().find(|a| self.application(*a).is_some_and(|a| a.job_id == job))
        });
        upload.id = self.next_upload_id;
        self.next_upload_id += 1;
        if upload.kind == "resume" {
            let candidate = &mut self.candidates[index];
            candidate.resume_id = Some(upload.id);
            candidate.updated_at = upload.created_at.max(candidate.updated_at);
        }
        self.uploads.push(upload);
        self.uploads.last()
    }

    /// Removes a candidate and their applications; received files are kept
    /// as the evidence tests inspect.
    pub fn delete_candidate(&mut self, id: Id) -> Option<Vec<Id>> {
        let index = self.candidates.binary_search_by_key(&id, |c| c.id).ok()?;
        let candidate = self.candidates.remove(index);
        self.applications.retain(|a| a.candidate_id != id);
        Some(candidate.application_ids)
    }

    /// Applies a partial update (dasherized or snake_case keys) and bumps `updated-at`.
    pub fn patch_candidate(&mut self, id: Id, patch: &Map<String, Value>) -> Result<&Candidate, ControlError> {
        let index = self.candidates.binary_search_by_key(&id, |c| c.id).map_err(|_| ControlError::NotFound)?;
        let mut updated = self.candidates[index].clone();
        for (key, value) in patch {
            apply_field(&mut updated, key, value)?;
        }
        updated.updated_at = Ts::now().max(self.candidates[index].updated_at);
        self.candidates[index] = updated;
        Ok(&self.candidates[index])
    }
}

impl Store {
    /// The candidate with this email address (Teamtailor's merge key), if any.
    pub fn candidate_by_email(&self, email: &str) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.email.eq_ignore_ascii_case(email))
    }

    /// Creates a candidate from API attributes (validated before anything is stored).
    pub fn create_candidate(&mut self, attributes: &Map<String, Value>) -> Result<Id, ControlError> {
        let now = Ts::now();
        let id = self.candidates.last().map_or(super::seed::FIRST_CANDIDATE_ID, |c| c.id + 1);
        let mut draft = Candidate {
            id,
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            phone: None,
            pitch: None,
            sourced: false,
            restricted: false,
            tags: Vec::new(),
            created_at: now,
            updated_at: now,
            application_ids: Vec::new(),
            resume_id: None,
        };
        for (key, value) in attributes {
            apply_field(&mut draft, key, value)?;
        }
        self.candidates.push(draft);
        Ok(id)
    }
}

fn apply_field(candidate: &mut Candidate, key: &str, value: &Value) -> Result<(), ControlError> {
    let bad = |expected: &str| ControlError::Invalid(format!("{key} must be {expected}"));
    let text = || value.as_str().map(str::to_owned).ok_or_else(|| bad("a string"));
    let optional = || match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(bad("a string or null")),
    };
    match key.replace('_', "-").as_str() {
        "first-name" => candidate.first_name = text()?,
        "last-name" => candidate.last_name = text()?,
        "email" => candidate.email = text()?,
        "phone" => candidate.phone = optional()?,
        "pitch" => candidate.pitch = optional()?,
        "sourced" => candidate.sourced = value.as_bool().ok_or_else(|| bad("a boolean"))?,
        "restricted" => candidate.restricted = value.as_bool().ok_or_else(|| bad("a boolean"))?,
        "tags" => {
            candidate.tags = value
                .as_array()
                .and_then(|items| items.iter().map(|t| t.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| bad("an array of strings"))?
        }
        _ => return Err(ControlError::Invalid(format!("{key} is not an editable candidate field"))),
    }
    Ok(())
}
