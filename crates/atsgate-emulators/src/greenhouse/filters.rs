//! Query filters of the Harvest v3 list endpoints.
//!
//! Two spellings of a timestamp bound are accepted: `updated_at[gte]=<ts>`
//! (what atsgate's connector sends) and `updated_at=gte|<ts>` (the form shown
//! on https://harvestdocs.greenhouse.io/docs/list-endpoints). Operators are
//! `gte`, `gt`, `lte`, `lt`. Id lists are comma separated and, as the
//! reference pages say, hold at most 50 ids. Unknown parameters are a 422
//! rather than silently ignored, so a client using a v1 name such as
//! `updated_after` finds out at once instead of syncing everything.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{Application, Attachment, Candidate, Id, Job, Ts, User};
use crate::common::http::FieldError;

const MAX_IDS: usize = 50;

/// The list endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Jobs,
    Users,
    Candidates,
    Applications,
    Attachments,
}

impl Resource {
    pub fn name(self) -> &'static str {
        match self {
            Resource::Jobs => "jobs",
            Resource::Users => "users",
            Resource::Candidates => "candidates",
            Resource::Applications => "applications",
            Resource::Attachments => "attachments",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Resource::Jobs => "/v3/jobs",
            Resource::Users => "/v3/users",
            Resource::Candidates => "/v3/candidates",
            Resource::Applications => "/v3/applications",
            Resource::Attachments => "/v3/attachments",
        }
    }

    fn has_timestamps(self) -> bool {
        self != Resource::Users
    }
}

/// Inclusive/exclusive bounds on one timestamp field.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeBounds {
    gte: Option<DateTime<Utc>>,
    gt: Option<DateTime<Utc>>,
    lte: Option<DateTime<Utc>>,
    lt: Option<DateTime<Utc>>,
}

impl TimeBounds {
    fn contains(&self, ts: Ts) -> bool {
        let t = ts.0;
        self.gte.is_none_or(|b| t >= b)
            && self.gt.is_none_or(|b| t > b)
            && self.lte.is_none_or(|b| t <= b)
            && self.lt.is_none_or(|b| t < b)
    }

    fn set(&mut self, op: &str, value: DateTime<Utc>) -> bool {
        let slot = match op {
            "gte" => &mut self.gte,
            "gt" => &mut self.gt,
            "lte" => &mut self.lte,
            "lt" => &mut self.lt,
            _ => return false,
        };
        *slot = Some(value);
        true
    }
}

/// Parsed filters of one list request.
#[derive(Debug, Default)]
pub struct Filters {
    /// Sorted and deduplicated.
    pub ids: Option<Vec<Id>>,
    created: TimeBounds,
    updated: TimeBounds,
    candidate_ids: Option<Vec<Id>>,
    job_ids: Option<Vec<Id>>,
    application_ids: Option<Vec<Id>>,
    status: Option<&'static str>,
    kind: Option<&'static str>,
}

const JOB_STATUSES: &[&str] = &["open", "closed", "draft"];
const APPLICATION_STATUSES: &[&str] = &["active", "rejected", "hired"];

/// Parses the filter parameters (everything but `per_page`/`cursor`).
pub fn parse(resource: Resource, pairs: &[(String, String)]) -> Result<Filters, Vec<FieldError>> {
    let mut filters = Filters::default();
    let mut errors = Vec::new();
    for (key, value) in pairs {
        if let Err(error) = apply(resource, &mut filters, key, value) {
            errors.push(error);
        }
    }
    if errors.is_empty() {
        Ok(filters)
    } else {
        Err(errors)
    }
}

fn apply(resource: Resource, f: &mut Filters, key: &str, value: &str) -> Result<(), FieldError> {
    use Resource::*;
    if let Some((field, op)) = bracketed(key) {
        if resource.has_timestamps() && matches!(field, "created_at" | "updated_at") {
            let bounds = if field == "created_at" { &mut f.created } else { &mut f.updated };
            let ts = timestamp(key, value)?;
            return if bounds.set(op, ts) {
                Ok(())
            } else {
                Err(FieldError::new(key, "operator must be one of gte, gt, lte, lt"))
            };
        }
        return Err(unknown(key));
    }
    match (resource, key) {
        (_, "ids") => f.ids = Some(id_list(key, value)?),
        // Field selection is documented; the emulator always returns every field.
        (_, "fields") => {}
        (r, "created_at" | "updated_at") if r.has_timestamps() => {
            let (op, ts) = value
                .split_once('|')
                .ok_or_else(|| FieldError::new(key, "expected <op>|<timestamp>, e.g. gte|2024-01-01T00:00:00Z"))?;
            let ts = timestamp(key, ts)?;
            let bounds = if key == "created_at" { &mut f.created } else { &mut f.updated };
            if !bounds.set(op, ts) {
                return Err(FieldError::new(key, "operator must be one of gte, gt, lte, lt"));
            }
        }
        (Jobs, "status") => f.status = Some(one_of(key, value, JOB_STATUSES)?),
        (Applications, "status") => f.status = Some(one_of(key, value, APPLICATION_STATUSES)?),
        (Applications, "candidate_id" | "candidate_ids") | (Attachments, "candidate_ids") => {
            f.candidate_ids = Some(id_list(key, value)?)
        }
        (Applications, "job_id" | "job_ids") => f.job_ids = Some(id_list(key, value)?),
        (Attachments, "application_ids") => f.application_ids = Some(id_list(key, value)?),
        (Attachments, "type") => f.kind = Some(one_of(key, value, super::attachments::TYPES)?),
        _ => return Err(unknown(key)),
    }
    Ok(())
}

fn unknown(key: &str) -> FieldError {
    FieldError::new(key, format!("Unknown query parameter: {key}"))
}

/// `updated_at[gte]` → `("updated_at", "gte")`.
fn bracketed(key: &str) -> Option<(&str, &str)> {
    let (field, rest) = key.split_once('[')?;
    Some((field, rest.strip_suffix(']')?))
}

fn one_of(key: &str, value: &str, allowed: &[&'static str]) -> Result<&'static str, FieldError> {
    allowed
        .iter()
        .find(|a| **a == value)
        .copied()
        .ok_or_else(|| FieldError::new(key, format!("{key} must be one of: {}", allowed.join(", "))))
}

fn id_list(key: &str, value: &str) -> Result<Vec<Id>, FieldError> {
    let mut ids = value
        .split(',')
        .map(|part| part.trim().parse::<Id>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| FieldError::new(key, format!("{key} must be a comma separated list of integer ids")))?;
    if ids.len() > MAX_IDS {
        return Err(FieldError::new(key, format!("{key} accepts at most {MAX_IDS} ids")));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// ISO-8601: a full RFC 3339 timestamp, or a bare date meaning midnight UTC.
fn timestamp(key: &str, value: &str) -> Result<DateTime<Utc>, FieldError> {
    // An unencoded `+00:00` offset arrives as a space after form decoding.
    let value = value.trim().replace(' ', "+");
    if let Ok(ts) = DateTime::parse_from_rfc3339(&value) {
        return Ok(ts.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(FieldError::new(key, format!("{key} must be an ISO-8601 timestamp")))
}

fn listed(list: &Option<Vec<Id>>, id: Id) -> bool {
    list.as_ref().is_none_or(|ids| ids.binary_search(&id).is_ok())
}

impl Filters {
    pub fn job(&self, job: &Job) -> bool {
        self.created.contains(job.created_at)
            && self.updated.contains(job.updated_at)
            && self.status.is_none_or(|s| s == job.status)
    }

    pub fn user(&self, _user: &User) -> bool {
        true
    }

    pub fn candidate(&self, candidate: &Candidate) -> bool {
        self.created.contains(candidate.created_at) && self.updated.contains(candidate.updated_at)
    }

    pub fn application(&self, application: &Application) -> bool {
        self.created.contains(application.created_at)
            && self.updated.contains(application.updated_at)
            && self.status.is_none_or(|s| s == application.status)
            && listed(&self.candidate_ids, application.candidate_id)
            && listed(&self.job_ids, application.job_id)
    }

    pub fn attachment(&self, attachment: &Attachment) -> bool {
        self.created.contains(attachment.created_at)
            && self.updated.contains(attachment.updated_at)
            && self.kind.is_none_or(|k| k == attachment.kind)
            && listed(&self.application_ids, attachment.application_id)
            && listed(&self.candidate_ids, attachment.candidate_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn both_timestamp_spellings_parse() {
        let f = parse(
            Resource::Candidates,
            &pairs(&[("updated_at[gte]", "2024-01-01T00:00:00Z"), ("created_at", "lt|2025-01-01")]),
        )
        .unwrap();
        assert!(f.updated.gte.is_some());
        assert!(f.created.lt.is_some());
    }

    #[test]
    fn rejects_unknown_and_malformed() {
        assert!(parse(Resource::Candidates, &pairs(&[("updated_after", "2024-01-01")])).is_err());
        assert!(parse(Resource::Users, &pairs(&[("updated_at[gte]", "2024-01-01")])).is_err());
        assert!(parse(Resource::Jobs, &pairs(&[("ids", "1,x")])).is_err());
        assert!(parse(Resource::Applications, &pairs(&[("status", "converted")])).is_err());
        let many = (0..51).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        assert!(parse(Resource::Jobs, &pairs(&[("ids", &many)])).is_err());
        assert!(parse(Resource::Jobs, &pairs(&[("created_at[eq]", "2024-01-01")])).is_err());
    }
}
