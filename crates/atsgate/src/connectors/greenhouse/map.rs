//! Greenhouse records ↔ the unified model.

use super::dto::{GhApplication, GhAttachment, GhCandidate, GhJob};
use crate::connectors::{
    kit::id_text, AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteJob, RemoteStage,
};

/// Greenhouse takes integer ids; send the number when the remote id is one.
pub fn json_id(remote_id: &str) -> serde_json::Value {
    remote_id.parse::<u64>().map(serde_json::Value::from).unwrap_or_else(|_| remote_id.into())
}

pub fn job(j: GhJob) -> RemoteJob {
    RemoteJob { remote_id: id_text(&j.id), name: j.name }
}

pub fn candidate(c: GhCandidate) -> RemoteCandidate {
    RemoteCandidate {
        remote_id: id_text(&c.id),
        remote_url: Some(format!("https://app.greenhouse.io/people/{}", id_text(&c.id))),
        first_name: c.first_name,
        last_name: c.last_name,
        company: c.company,
        title: c.title,
        confidential: c.is_private,
        source: None,
        emails: c.email_addresses.into_iter().map(|e| (e.value, e.kind)).collect(),
        phones: c.phone_numbers.into_iter().map(|p| (p.value, p.kind)).collect(),
        tags: c.tags,
        remote_created_at: c.created_at,
        remote_updated_at: c.updated_at,
    }
}

pub fn application(a: GhApplication) -> RemoteApplication {
    let candidate_remote_id = a.candidate_id.as_ref().map(id_text);
    RemoteApplication {
        remote_id: id_text(&a.id),
        remote_url: candidate_remote_id
            .as_ref()
            .map(|c| format!("https://app.greenhouse.io/people/{c}?application_id={}", id_text(&a.id))),
        candidate_remote_id,
        job_remote_id: a.job_id.as_ref().map(id_text),
        outcome: match a.status.as_deref() {
            Some("active") => Some(Outcome::Pending),
            Some("hired") => Some(Outcome::Hired),
            Some("rejected") => Some(Outcome::Declined),
            _ => None,
        },
        rejection_reason_name: a.rejection_reason.and_then(|r| r.name),
        rejected_at: a.rejected_at,
        current_stage: a.current_stage.map(|s| RemoteStage { remote_id: id_text(&s.id), name: s.name, index: None }),
        source: a.source.and_then(|s| s.name),
        remote_created_at: a.created_at.or(a.applied_at),
        remote_updated_at: a.updated_at,
    }
}

pub fn attachment(a: GhAttachment) -> RemoteAttachment {
    RemoteAttachment {
        remote_id: id_text(&a.id),
        application_remote_id: a.application_id.as_ref().map(id_text),
        candidate_remote_id: a.candidate_id.as_ref().map(id_text),
        kind: match a.kind.as_deref() {
            Some("resume") => AttachmentType::Cv,
            Some("cover_letter") => AttachmentType::CoverLetter,
            _ => AttachmentType::Other,
        },
        file_name: a.filename,
        content_type: a.content_type,
        size: None,
        remote_created_at: a.created_at,
        remote_updated_at: a.updated_at,
        download_ref: a.url,
    }
}
