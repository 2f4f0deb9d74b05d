//! Ashby records ↔ the unified model.

use super::dto::{AbApplication, AbCandidate, AbFileHandle};
use crate::connectors::{
    kit::split_first_space, AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteStage,
};

/// A candidate's file; it is the CV when it is the candidate's `resumeFileHandle`.
pub fn attachment(file: AbFileHandle, candidate_id: &str, resume_id: Option<&str>) -> RemoteAttachment {
    let kind = if Some(file.id.as_str()) == resume_id { AttachmentType::Cv } else { AttachmentType::Other };
    RemoteAttachment {
        remote_id: file.id,
        application_remote_id: None,
        candidate_remote_id: Some(candidate_id.to_string()),
        file_name: file.name,
        kind,
        content_type: None,
        size: None,
        remote_created_at: None,
        remote_updated_at: None,
        download_ref: file.handle,
    }
}

/// Every file of a candidate, the resume included once.
pub fn attachments(candidate: AbCandidate, candidate_id: &str) -> Vec<RemoteAttachment> {
    let resume_id = candidate.resume_file_handle.as_ref().map(|f| f.id.clone());
    let mut files = candidate.file_handles;
    if let Some(resume) = candidate.resume_file_handle {
        if !files.iter().any(|f| f.id == resume.id) {
            files.push(resume);
        }
    }
    files.into_iter().map(|f| attachment(f, candidate_id, resume_id.as_deref())).collect()
}

pub fn candidate(c: AbCandidate) -> RemoteCandidate {
    let (first_name, last_name) = split_first_space(c.name);
    RemoteCandidate {
        remote_id: c.id,
        first_name,
        last_name,
        company: c.company,
        title: c.position,
        confidential: None,
        source: c.source.and_then(|s| s.title),
        emails: c.email_addresses.into_iter().map(|e| (e.value, e.kind)).collect(),
        phones: c.phone_numbers.into_iter().map(|p| (p.value, p.kind)).collect(),
        tags: c.tags.into_iter().filter_map(|t| t.title).collect(),
        remote_url: c.profile_url,
        remote_created_at: c.created_at,
        remote_updated_at: c.updated_at,
    }
}

pub fn application(a: AbApplication) -> RemoteApplication {
    let archived = a.status.as_deref() == Some("Archived");
    RemoteApplication {
        remote_id: a.id,
        candidate_remote_id: a.candidate.map(|c| c.id),
        job_remote_id: a.job.map(|j| j.id),
        outcome: match a.status.as_deref() {
            Some("Active") | Some("Lead") => Some(Outcome::Pending),
            Some("Hired") => Some(Outcome::Hired),
            Some("Archived") => Some(Outcome::Declined),
            _ => None,
        },
        rejection_reason_name: if archived { a.archive_reason.and_then(|r| r.text) } else { None },
        rejected_at: if archived { a.archived_at } else { None },
        current_stage: a.current_interview_stage.map(|s| RemoteStage {
            remote_id: s.id,
            name: s.title,
            index: s.order_in_interview_plan,
        }),
        source: a.source.and_then(|s| s.title),
        remote_url: None,
        remote_created_at: a.created_at,
        remote_updated_at: a.updated_at,
    }
}
