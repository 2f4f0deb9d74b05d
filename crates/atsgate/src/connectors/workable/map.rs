//! Workable records ↔ the unified model: one Workable candidate is both the Kombo candidate and
//! its single application (same remote id).

use super::dto::{WkCandidate, WkFile};
use crate::connectors::{AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteStage};

/// How a file without a recognised `kind` (e.g. a comment attachment) reads back; see the module
/// comment for why it is OTHER.
const UNTYPED_KIND: AttachmentType = AttachmentType::Other;

fn kind_of(file: &WkFile) -> AttachmentType {
    match (file.kind.as_deref(), file.source.as_deref()) {
        (Some("resume"), _) | (_, Some("resume")) => AttachmentType::Cv,
        (Some("cover_letter"), _) => AttachmentType::CoverLetter,
        _ => UNTYPED_KIND,
    }
}

pub fn candidate(c: WkCandidate) -> RemoteCandidate {
    RemoteCandidate {
        remote_id: c.id,
        first_name: c.firstname,
        last_name: c.lastname,
        company: None,
        title: c.headline.filter(|h| !h.is_empty()),
        confidential: None,
        source: c.domain.filter(|d| !d.is_empty()).or_else(|| c.sourced.filter(|s| *s).map(|_| "Sourced".into())),
        emails: c.email.into_iter().map(|e| (e, None)).collect(),
        phones: c.phone.into_iter().map(|p| (p, None)).collect(),
        tags: c.tags,
        remote_url: c.profile_url,
        remote_created_at: c.created_at,
        remote_updated_at: c.updated_at,
    }
}

pub fn application(c: WkCandidate) -> RemoteApplication {
    let outcome = if c.hired_at.is_some() {
        Outcome::Hired
    } else if c.disqualified {
        Outcome::Declined
    } else {
        Outcome::Pending
    };
    RemoteApplication {
        candidate_remote_id: Some(c.id.clone()),
        job_remote_id: c.job.and_then(|j| j.shortcode),
        outcome: Some(outcome),
        rejection_reason_name: c.disqualification_reason.filter(|_| c.disqualified),
        rejected_at: c.disqualified_at.filter(|_| c.disqualified),
        // Workable stages are named per job; the name is the only identifier listed.
        current_stage: c.stage.map(|s| RemoteStage { remote_id: s.clone(), name: Some(s), index: None }),
        source: c.domain.filter(|d| !d.is_empty()),
        remote_url: c.profile_url,
        remote_created_at: c.created_at,
        remote_updated_at: c.updated_at,
        remote_id: c.id,
    }
}

/// A candidate's files; Workable lists them without ids, so name and position identify them.
pub fn files(files: Vec<WkFile>, candidate: &str) -> Vec<RemoteAttachment> {
    files
        .into_iter()
        .enumerate()
        .map(|(i, f)| RemoteAttachment {
            remote_id: format!("{candidate}:{i}:{}", f.name),
            application_remote_id: Some(candidate.to_string()),
            candidate_remote_id: Some(candidate.to_string()),
            kind: kind_of(&f),
            file_name: f.name,
            content_type: None,
            size: None,
            remote_created_at: None,
            remote_updated_at: None,
            download_ref: f.preview_url,
        })
        .collect()
}
