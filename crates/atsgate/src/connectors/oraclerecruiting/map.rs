//! Oracle Recruiting Cloud records ↔ the unified model.

use super::dto::{OrcApplication, OrcAttachment, OrcCandidate, OrcRequisition};
use crate::connectors::{
    kit::{id_text, segment},
    AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteJob, RemoteStage,
};

/// A rejected or withdrawn application is not "current".
pub fn is_current(application: &OrcApplication) -> bool {
    let state = application.state_name.as_deref().unwrap_or("").to_ascii_lowercase();
    !(state.contains("reject") || state.contains("withdrawn"))
}

fn outcome(application: &OrcApplication) -> Option<Outcome> {
    let state = application.state_name.as_deref()?.to_ascii_lowercase();
    let phase = application.phase_name.as_deref().unwrap_or("").to_ascii_lowercase();
    Some(if state.contains("reject") || state.contains("withdrawn") {
        Outcome::Declined
    } else if phase == "hr" || state.contains("hired") {
        Outcome::Hired
    } else {
        Outcome::Pending
    })
}

pub fn job(r: OrcRequisition) -> RemoteJob {
    RemoteJob { remote_id: id_text(&r.requisition_number), name: r.title }
}

pub fn candidate(c: OrcCandidate) -> RemoteCandidate {
    RemoteCandidate {
        remote_id: id_text(&c.candidate_number),
        first_name: c.first_name,
        last_name: c.last_name,
        emails: c.email.into_iter().map(|e| (e, None)).collect(),
        phones: c.mobile_phone_number.into_iter().map(|p| (p, Some("MOBILE".to_string()))).collect(),
        remote_created_at: c.creation_date,
        remote_updated_at: c.last_update_date,
        ..RemoteCandidate::default()
    }
}

pub fn application(a: OrcApplication) -> RemoteApplication {
    RemoteApplication {
        remote_id: id_text(&a.submission_id),
        candidate_remote_id: a.candidate_number.as_ref().map(id_text),
        job_remote_id: a.requisition_number.as_ref().map(id_text),
        outcome: outcome(&a),
        current_stage: a.phase_name.clone().map(|phase| RemoteStage {
            name: Some(match &a.state_name {
                Some(state) => format!("{phase} / {state}"),
                None => phase.clone(),
            }),
            remote_id: phase,
            index: None,
        }),
        remote_created_at: a.creation_date,
        remote_updated_at: a.last_update_date,
        ..RemoteApplication::default()
    }
}

/// A listed attachment of the child collection at `list_url`; its bytes are the item's
/// `enclosure/FileContents`.
pub fn attachment(
    a: OrcAttachment,
    list_url: &str,
    application: Option<&str>,
    candidate: Option<&str>,
) -> RemoteAttachment {
    let id = id_text(&a.attached_document_id);
    RemoteAttachment {
        download_ref: format!("{list_url}/{}/enclosure/FileContents", segment(&id)),
        remote_id: id,
        application_remote_id: application.map(str::to_string),
        candidate_remote_id: candidate.map(str::to_string),
        file_name: a.uploaded_file_name.or(a.file_name).unwrap_or_default(),
        kind: match a.category_name.as_deref() {
            Some("IRC_CANDIDATE_RESUME") => AttachmentType::Cv,
            Some("IRC_CANDIDATE_COVERLETTER") => AttachmentType::CoverLetter,
            _ => AttachmentType::Other,
        },
        content_type: a.uploaded_file_content_type,
        size: a.uploaded_file_length,
        remote_created_at: a.creation_date,
        remote_updated_at: a.last_update_date,
    }
}
