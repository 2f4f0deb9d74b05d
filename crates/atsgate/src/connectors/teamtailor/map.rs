//! Teamtailor resources ↔ the unified model. Attributes are read by their dasherized names.

use std::collections::HashMap;

use serde_json::Value;

use super::dto::{index, Resource};
use crate::connectors::{
    kit::url_file_name, AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteJob,
    RemoteStage,
};

pub fn job(j: &Resource) -> RemoteJob {
    RemoteJob { remote_id: j.id.clone(), name: j.text("title") }
}

pub fn candidate(c: &Resource) -> RemoteCandidate {
    RemoteCandidate {
        remote_id: c.id.clone(),
        first_name: c.text("first-name"),
        last_name: c.text("last-name"),
        company: None,
        title: None,
        confidential: c.attributes.get("restricted").and_then(Value::as_bool),
        source: c.attributes.get("sourced").and_then(Value::as_bool).and_then(|s| s.then(|| "Sourced".into())),
        emails: c.text("email").into_iter().map(|e| (e, None)).collect(),
        phones: c.text("phone").into_iter().map(|p| (p, None)).collect(),
        tags: c
            .attributes
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        remote_url: None,
        remote_created_at: c.text("created-at"),
        remote_updated_at: c.text("updated-at"),
    }
}

/// Job applications, with their stage and reject reason from the `included` resources.
pub fn applications(data: &[Resource], included: &[Resource]) -> Vec<RemoteApplication> {
    let included = index(included);
    data.iter()
        .map(|a| {
            let stage_resource = a.related_id("stage").and_then(|id| included.get(&("stages", id.as_str())).copied());
            let stage = a.related_id("stage").map(|id| RemoteStage {
                name: stage_resource.and_then(|s| s.text("name")),
                index: stage_resource.and_then(|s| s.attributes.get("row-order")).and_then(Value::as_i64),
                remote_id: id,
            });
            let stage_type = stage_resource.and_then(|s| s.text("stage-type"));
            let rejected_at = a.text("rejected-at");
            let outcome = match (&rejected_at, stage_type.as_deref()) {
                (Some(_), _) => Outcome::Declined,
                (None, Some("hired")) => Outcome::Hired,
                (None, _) => Outcome::Pending,
            };
            RemoteApplication {
                remote_id: a.id.clone(),
                candidate_remote_id: a.related_id("candidate"),
                job_remote_id: a.related_id("job"),
                outcome: Some(outcome),
                rejection_reason_name: a
                    .related_id("reject-reason")
                    .and_then(|id| included.get(&("reject-reasons", id.as_str())).and_then(|r| r.text("reason"))),
                rejected_at,
                current_stage: stage,
                source: a.text("referring-site"),
                remote_url: None,
                remote_created_at: a.text("created-at"),
                remote_updated_at: a.text("updated-at"),
            }
        })
        .collect()
}

/// An upload as a file (uploads have no type: OTHER); `None` without a download URL.
pub fn upload(upload: &Resource, candidate_id: &str, application_id: Option<String>) -> Option<RemoteAttachment> {
    Some(RemoteAttachment {
        remote_id: upload.id.clone(),
        application_remote_id: application_id,
        candidate_remote_id: Some(candidate_id.to_string()),
        file_name: upload.text("file-name").unwrap_or_else(|| format!("upload-{}", upload.id)),
        kind: AttachmentType::Other,
        content_type: None,
        size: None,
        remote_created_at: upload.text("created-at"),
        remote_updated_at: upload.text("updated-at"),
        download_ref: upload.text("url")?,
    })
}

/// A candidate's uploads, each tied to the candidate's application for the upload's job.
pub fn uploads(uploads: &[Resource], candidate_id: &str, by_job: &HashMap<String, String>) -> Vec<RemoteAttachment> {
    uploads
        .iter()
        .filter_map(|u| {
            let application = u.related_id("job").and_then(|j| by_job.get(&j).cloned());
            upload(u, candidate_id, application)
        })
        .collect()
}

/// The id a candidate's resume is known by (the resume is an attribute, not a resource).
pub fn resume_id(candidate_id: &str) -> String {
    format!("{candidate_id}-resume")
}

/// A candidate's resume as a file; its name is the URL's last path segment.
pub fn resume(candidate: &Resource, url: String) -> RemoteAttachment {
    let file_name = url_file_name(&url).unwrap_or_else(|| "resume".into());
    RemoteAttachment {
        remote_id: resume_id(&candidate.id),
        application_remote_id: None,
        candidate_remote_id: Some(candidate.id.clone()),
        file_name,
        kind: AttachmentType::Cv,
        content_type: None,
        size: None,
        remote_created_at: None,
        remote_updated_at: candidate.text("updated-at"),
        download_ref: url,
    }
}
