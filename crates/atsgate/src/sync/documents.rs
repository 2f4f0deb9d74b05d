//! Turns vendor-neutral remote records into the unified documents the list endpoints serve,
//! with stable ids and the nested objects (an application's candidate and job, a candidate's
//! applications) resolved.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::{
    connectors::{RemoteApplication, RemoteCandidate, RemoteJob},
    error::{Error, Result},
    ids::{format_ts, stable_id},
    model::*,
    store::{ApplicationRow, CandidateRow, JobRow},
};

pub struct Builder<'a> {
    integration_id: &'a str,
    jobs: &'a HashMap<&'a str, &'a RemoteJob>,
    candidates: &'a [RemoteCandidate],
    applications: &'a [RemoteApplication],
    candidate_index: HashMap<&'a str, &'a RemoteCandidate>,
    applications_by_candidate: HashMap<&'a str, Vec<&'a RemoteApplication>>,
    /// Ids already derived: the same job, stage or candidate id is needed many times.
    ids: std::cell::RefCell<HashMap<(&'static str, String), String>>,
}

/// Vendor timestamps normalised to RFC 3339 UTC with milliseconds (the SDKs need an offset).
pub fn normalize_ts(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    if is_canonical_ts(raw) {
        return Some(raw.to_string());
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(format_ts(dt.with_timezone(&chrono::Utc)));
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(format_ts(naive.and_utc()));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| format_ts(d.and_utc()))
}

/// Already `YYYY-MM-DDTHH:MM:SS.mmmZ`? (Most vendors send exactly this; skip the parse.)
fn is_canonical_ts(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// The document as stored; a sync holds every document in memory until it is written, so the
/// spare capacity the serializer leaves (up to half of each string) is given back.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string(value).map_err(Error::internal)?;
    text.shrink_to_fit();
    Ok(text)
}

impl<'a> Builder<'a> {
    pub fn new(
        integration_id: &'a str,
        jobs: &'a HashMap<&'a str, &'a RemoteJob>,
        candidates: &'a [RemoteCandidate],
        applications: &'a [RemoteApplication],
    ) -> Self {
        let candidate_index = candidates.iter().map(|c| (c.remote_id.as_str(), c)).collect();
        let mut applications_by_candidate: HashMap<&str, Vec<&RemoteApplication>> = HashMap::new();
        for application in applications {
            if let Some(candidate) = application.candidate_remote_id.as_deref() {
                applications_by_candidate.entry(candidate).or_default().push(application);
            }
        }
        Builder {
            integration_id,
            jobs,
            candidates,
            applications,
            candidate_index,
            applications_by_candidate,
            ids: Default::default(),
        }
    }

    fn id(&self, model: &'static str, remote_id: &str) -> String {
        let key = (model, remote_id.to_string());
        if let Some(id) = self.ids.borrow().get(&key) {
            return id.clone();
        }
        let id = stable_id(self.integration_id, model, remote_id);
        self.ids.borrow_mut().insert(key, id.clone());
        id
    }

    fn job_ref(&self, remote_id: Option<&str>) -> Option<JobRef> {
        let remote_id = remote_id?;
        Some(JobRef {
            id: self.id("job", remote_id),
            remote_id: remote_id.to_string(),
            name: self.jobs.get(remote_id).and_then(|j| j.name.clone()),
        })
    }

    fn tags(&self, names: &[String]) -> Vec<Tag> {
        names
            .iter()
            .map(|name| Tag { id: self.id("tag", name), remote_id: Some(name.clone()), name: Some(name.clone()) })
            .collect()
    }

    fn emails(c: &RemoteCandidate) -> Vec<EmailAddress> {
        c.emails
            .iter()
            .filter(|(address, _)| address.contains('@'))
            .map(|(address, kind)| EmailAddress { email_address: Some(address.clone()), kind: kind.clone() })
            .collect()
    }

    fn phones(c: &RemoteCandidate) -> Vec<PhoneNumber> {
        c.phones.iter().map(|(number, kind)| PhoneNumber { phone_number: number.clone(), kind: kind.clone() }).collect()
    }

    pub fn job_rows(&self, jobs: &[RemoteJob]) -> Vec<JobRow> {
        jobs.iter()
            .map(|j| JobRow {
                id: self.id("job", &j.remote_id),
                remote_id: j.remote_id.clone(),
                name: j.name.clone(),
                content_hash: hash(j.name.as_deref().unwrap_or_default()),
            })
            .collect()
    }

    pub fn candidate_rows(&self) -> Result<Vec<CandidateRow>> {
        self.candidates.iter().map(|c| self.candidate_row(c)).collect()
    }

    fn candidate_row(&self, c: &RemoteCandidate) -> Result<CandidateRow> {
        let id = self.id("candidate", &c.remote_id);
        let applications = self
            .applications_by_candidate
            .get(c.remote_id.as_str())
            .map(|apps| apps.iter().map(|a| self.candidate_application(a)).collect())
            .unwrap_or_default();
        let doc = Candidate {
            id: id.clone(),
            remote_id: c.remote_id.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: c.company.clone(),
            title: c.title.clone(),
            confidential: c.confidential,
            source: c.source.clone(),
            custom_fields: Some(serde_json::json!({})),
            integration_fields: vec![],
            remote_url: c.remote_url.clone(),
            remote_created_at: normalize_ts(c.remote_created_at.as_deref()),
            remote_updated_at: normalize_ts(c.remote_updated_at.as_deref()),
            remote_data: None,
            applications,
            tags: self.tags(&c.tags),
            phone_numbers: Self::phones(c),
            email_addresses: Self::emails(c),
            social_media: vec![],
            location: None,
        };
        let data = to_json(&doc)?;
        Ok(CandidateRow {
            id,
            remote_id: c.remote_id.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            emails: c.emails.iter().map(|(a, _)| a.to_lowercase()).collect(),
            remote_created_at: doc.remote_created_at.clone(),
            content_hash: hash(&data),
            data,
        })
    }

    fn stage<'r>(&self, a: &'r RemoteApplication) -> Option<(String, &'r crate::connectors::RemoteStage)> {
        a.current_stage.as_ref().map(|s| (self.id("stage", &s.remote_id), s))
    }

    fn candidate_application(&self, a: &RemoteApplication) -> CandidateApplication {
        let created = normalize_ts(a.remote_created_at.as_deref());
        let updated = normalize_ts(a.remote_updated_at.as_deref());
        CandidateApplication {
            id: self.id("application", &a.remote_id),
            remote_id: Some(a.remote_id.clone()),
            outcome: a.outcome.map(|o| o.as_str().to_string()),
            rejection_reason_name: a.rejection_reason_name.clone(),
            rejected_at: normalize_ts(a.rejected_at.as_deref()),
            remote_url: a.remote_url.clone(),
            // Stable across syncs so the candidate only counts as changed when the data did.
            changed_at: updated
                .clone()
                .or_else(|| created.clone())
                .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into()),
            remote_created_at: created,
            remote_updated_at: updated,
            current_stage: self.stage(a).map(|(id, s)| CandidateStage {
                id,
                remote_id: Some(s.remote_id.clone()),
                name: s.name.clone(),
                index: s.index,
            }),
            job: self.job_ref(a.job_remote_id.as_deref()),
        }
    }

    pub fn application_rows(&self) -> Result<Vec<ApplicationRow>> {
        self.applications.iter().map(|a| self.application_row(a)).collect()
    }

    fn application_row(&self, a: &RemoteApplication) -> Result<ApplicationRow> {
        let id = self.id("application", &a.remote_id);
        let candidate_id = a.candidate_remote_id.as_deref().map(|r| self.id("candidate", r));
        let job = self.job_ref(a.job_remote_id.as_deref());
        let stage = self.stage(a);
        let candidate =
            a.candidate_remote_id.as_deref().and_then(|r| self.candidate_index.get(r)).map(|c| ApplicationCandidate {
                id: self.id("candidate", &c.remote_id),
                remote_id: c.remote_id.clone(),
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                source: c.source.clone(),
                remote_url: c.remote_url.clone(),
                tags: self.tags(&c.tags),
                email_addresses: Self::emails(c),
                phone_numbers: Self::phones(c),
                social_media: vec![],
            });
        let doc = Application {
            id: id.clone(),
            remote_id: Some(a.remote_id.clone()),
            outcome: a.outcome.map(|o| o.as_str().to_string()),
            rejection_reason_name: a.rejection_reason_name.clone(),
            rejected_at: normalize_ts(a.rejected_at.as_deref()),
            current_stage_id: stage.as_ref().map(|(id, _)| id.clone()),
            job_id: job.as_ref().map(|j| j.id.clone()),
            candidate_id: candidate_id.clone(),
            custom_fields: Some(serde_json::json!({})),
            integration_fields: vec![],
            remote_url: a.remote_url.clone(),
            remote_created_at: normalize_ts(a.remote_created_at.as_deref()),
            remote_updated_at: normalize_ts(a.remote_updated_at.as_deref()),
            remote_data: None,
            candidate,
            current_stage: stage.map(|(id, s)| StageRef {
                id,
                remote_id: Some(s.remote_id.clone()),
                name: s.name.clone(),
                index: s.index,
                status: None,
                custom_fields: None,
            }),
            job,
            interviews: vec![],
            offers: vec![],
            screening_question_answers: vec![],
        };
        let data = to_json(&doc)?;
        Ok(ApplicationRow {
            id,
            remote_id: a.remote_id.clone(),
            candidate_id,
            candidate_remote_id: a.candidate_remote_id.clone(),
            job_id: doc.job_id.clone(),
            job_remote_id: a.job_remote_id.clone(),
            outcome: doc.outcome.clone(),
            current_stage_id: doc.current_stage_id.clone(),
            remote_created_at: doc.remote_created_at.clone(),
            content_hash: hash(&data),
            data,
        })
    }
}
