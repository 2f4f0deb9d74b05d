//! SmartRecruiters records ↔ the unified model. SmartRecruiters has no application object: an
//! application is a candidate's assignment to a job, with the remote id `{candidateId}:{jobId}`.

use super::dto::{SrAttachment, SrCandidate};
use crate::connectors::{AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteStage};

/// Joins candidate and job ids into one application remote id.
const APPLICATION_ID_SEPARATOR: char = ':';

pub fn split_application_id(remote_id: &str) -> Option<(&str, &str)> {
    remote_id.split_once(APPLICATION_ID_SEPARATOR).filter(|(c, j)| !c.is_empty() && !j.is_empty())
}

pub fn application_id(candidate: &str, job: &str) -> String {
    format!("{candidate}{APPLICATION_ID_SEPARATOR}{job}")
}

fn outcome(status: Option<&str>) -> Option<Outcome> {
    match status? {
        "HIRED" => Some(Outcome::Hired),
        "REJECTED" | "WITHDRAWN" => Some(Outcome::Declined),
        _ => Some(Outcome::Pending),
    }
}

pub fn candidate(c: SrCandidate) -> RemoteCandidate {
    RemoteCandidate {
        remote_url: Some(format!("https://www.smartrecruiters.com/app/people/candidates/{}", c.id)),
        remote_id: c.id,
        first_name: c.first_name,
        last_name: c.last_name,
        company: None,
        title: None,
        confidential: None,
        source: c.source.and_then(|s| s.name),
        emails: c.email.into_iter().map(|e| (e, None)).collect(),
        phones: c.phone_number.into_iter().map(|p| (p, None)).collect(),
        tags: c.tags,
        remote_created_at: c.created_on,
        remote_updated_at: c.updated_on,
    }
}

/// A candidate's primary and secondary job assignments, as applications.
pub fn applications(candidate: SrCandidate) -> impl Iterator<Item = RemoteApplication> {
    let assignments = candidate.primary_assignment.into_iter().chain(candidate.secondary_assignments);
    assignments.filter_map(move |assignment| {
        let job = assignment.job?;
        Some(RemoteApplication {
            remote_url: Some(format!(
                "https://www.smartrecruiters.com/app/people/candidates/{}/jobs/{}",
                candidate.id, job.id
            )),
            remote_id: application_id(&candidate.id, &job.id),
            candidate_remote_id: Some(candidate.id.clone()),
            job_remote_id: Some(job.id),
            outcome: outcome(assignment.status.as_deref()),
            rejection_reason_name: None,
            rejected_at: None,
            current_stage: assignment.status.map(|status| RemoteStage {
                name: Some(match &assignment.sub_status {
                    Some(sub) => format!("{status} / {sub}"),
                    None => status.clone(),
                }),
                remote_id: status,
                index: None,
            }),
            source: None,
            remote_created_at: candidate.created_on.clone(),
            remote_updated_at: candidate.updated_on.clone(),
        })
    })
}

/// A listed attachment; `fallback_download` is the API route when no download link is listed.
pub fn attachment(
    a: SrAttachment,
    candidate: &str,
    job: Option<&str>,
    fallback_download: impl FnOnce(&str) -> String,
) -> RemoteAttachment {
    let job_id = a.job_id.or_else(|| job.map(str::to_string));
    RemoteAttachment {
        download_ref: a.actions.and_then(|x| x.download).map(|d| d.url).unwrap_or_else(|| fallback_download(&a.id)),
        remote_id: a.id,
        application_remote_id: job_id.map(|j| application_id(candidate, &j)),
        candidate_remote_id: Some(candidate.to_string()),
        kind: match a.kind.as_deref() {
            Some("RESUME") => AttachmentType::Cv,
            Some("COVER_LETTER") => AttachmentType::CoverLetter,
            _ => AttachmentType::Other,
        },
        file_name: a.name,
        content_type: a.content_type,
        size: None,
        remote_created_at: a.created_on.clone(),
        remote_updated_at: a.created_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_ids_round_trip() {
        let id = application_id("c-1", "j-2");
        assert_eq!(split_application_id(&id), Some(("c-1", "j-2")));
        assert_eq!(split_application_id("no-separator"), None);
    }
}
