//! Recruitee records ↔ the unified model. Applications are a candidate's placements.

use super::dto::{RcAttachment, RcCandidate};
use crate::connectors::{
    kit::{id_text, split_first_space, url_file_name},
    AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteStage,
};

pub fn candidate(c: RcCandidate) -> RemoteCandidate {
    let (first_name, last_name) = split_first_space(c.name);
    let id = id_text(&c.id);
    RemoteCandidate {
        remote_url: Some(format!("https://app.recruitee.com/#/candidates/{id}")),
        remote_id: id,
        first_name,
        last_name,
        company: None,
        title: None,
        confidential: None,
        source: c.sources.into_iter().next(),
        emails: c.emails.into_iter().map(|e| (e, None)).collect(),
        phones: c.phones.into_iter().map(|p| (p, None)).collect(),
        tags: c.tags,
        remote_created_at: c.created_at,
        remote_updated_at: c.updated_at,
    }
}

/// A candidate's placements, as applications.
pub fn applications(c: RcCandidate) -> impl Iterator<Item = RemoteApplication> {
    let candidate_id = id_text(&c.id);
    c.placements.into_iter().map(move |p| RemoteApplication {
        remote_id: id_text(&p.id),
        candidate_remote_id: Some(candidate_id.clone()),
        job_remote_id: p.offer_id.as_ref().map(id_text),
        outcome: Some(if p.hired_at.is_some() {
            Outcome::Hired
        } else if p.disqualified_at.is_some() {
            Outcome::Declined
        } else {
            Outcome::Pending
        }),
        rejection_reason_name: p.disqualify_reason,
        rejected_at: p.disqualified_at,
        current_stage: p.stage_id.as_ref().map(|s| RemoteStage {
            remote_id: id_text(s),
            name: p.stage_name,
            index: None,
        }),
        source: None,
        remote_url: None,
        remote_created_at: p.created_at,
        remote_updated_at: p.updated_at,
    })
}

/// A plain attachment (OTHER); `None` without a download URL.
pub fn attachment(a: RcAttachment, candidate_id: &str) -> Option<RemoteAttachment> {
    Some(RemoteAttachment {
        remote_id: id_text(&a.id),
        application_remote_id: None,
        candidate_remote_id: Some(candidate_id.to_string()),
        file_name: a.filename,
        kind: AttachmentType::Other,
        content_type: a.content_type,
        size: a.size,
        remote_created_at: a.created_at,
        remote_updated_at: None,
        download_ref: a.url?,
    })
}

/// The candidate's CV, named by the last path segment of its URL (it has no name field).
pub fn cv(candidate_id: &str, url: String) -> RemoteAttachment {
    RemoteAttachment {
        remote_id: format!("cv-{candidate_id}"),
        application_remote_id: None,
        candidate_remote_id: Some(candidate_id.to_string()),
        file_name: url_file_name(&url).unwrap_or_else(|| "cv".into()),
        kind: AttachmentType::Cv,
        content_type: None,
        size: None,
        remote_created_at: None,
        remote_updated_at: None,
        download_ref: url,
    }
}
