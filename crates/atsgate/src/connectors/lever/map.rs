//! Lever records ↔ the unified model: an opportunity is a Kombo application, its contact a Kombo
//! candidate; timestamps are epoch milliseconds.

use super::dto::{LvApplication, LvFile, LvOpportunity, LvResume, LvStage};
use crate::connectors::{AttachmentType, Outcome, RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteStage};

/// How an (untyped) opportunity file reads back: Lever keeps CVs apart (`/resumes`), so a plain
/// file is OTHER. This is why an uploaded CV reads back as OTHER (see the module comment).
const FILES_KIND: AttachmentType = AttachmentType::Other;

/// Lever timestamps are milliseconds since the epoch (sometimes sent as strings).
fn ms_to_rfc3339(ms: Option<i64>) -> Option<String> {
    let dt = chrono::DateTime::from_timestamp_millis(ms?)?;
    Some(dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn loose_ms(value: &Option<serde_json::Value>) -> Option<i64> {
    match value.as_ref()? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// "Jane van Dyke" → ("Jane van", "Dyke"): Lever keeps one name string.
pub fn split_name(name: Option<&str>) -> (Option<String>, Option<String>) {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => (None, None),
        Some(full) => match full.rsplit_once(' ') {
            Some((first, last)) => (Some(first.trim().to_string()), Some(last.to_string())),
            None => (Some(full.to_string()), None),
        },
    }
}

pub fn candidate(o: &LvOpportunity, contact: String) -> RemoteCandidate {
    let (first_name, last_name) = split_name(o.name.as_deref());
    RemoteCandidate {
        remote_url: Some(format!("https://hire.lever.co/candidates/{}", o.id)),
        remote_id: contact,
        first_name,
        last_name,
        company: None,
        title: o.headline.clone().filter(|h| !h.is_empty()),
        confidential: o.confidentiality.as_deref().map(|c| c == "confidential"),
        source: o.sources.first().cloned(),
        emails: o.emails.iter().map(|e| (e.clone(), None)).collect(),
        phones: o.phones.iter().filter_map(|p| Some((p.value.clone()?, p.kind.clone()))).collect(),
        tags: o.tags.clone(),
        remote_created_at: ms_to_rfc3339(o.created_at),
        remote_updated_at: ms_to_rfc3339(o.updated_at.or(o.created_at)),
    }
}

pub fn application(o: LvOpportunity) -> RemoteApplication {
    let job_remote_id = o.applications.iter().find_map(|a| match a {
        LvApplication::Expanded { posting } => posting.clone(),
        LvApplication::Id(_) => None,
    });
    let archived_at = o.archived.as_ref().map(|a| ms_to_rfc3339(a.archived_at));
    RemoteApplication {
        remote_url: o.urls.and_then(|u| u.show).or_else(|| Some(format!("https://hire.lever.co/candidates/{}", o.id))),
        remote_id: o.id,
        candidate_remote_id: o.contact,
        job_remote_id,
        outcome: Some(if archived_at.is_some() { Outcome::Declined } else { Outcome::Pending }),
        rejection_reason_name: None,
        rejected_at: archived_at.flatten(),
        current_stage: o.stage.map(|s| match s {
            LvStage::Expanded { id, text } => RemoteStage { remote_id: id, name: text, index: None },
            LvStage::Id(id) => RemoteStage { remote_id: id, name: None, index: None },
        }),
        source: o.sources.first().cloned(),
        remote_created_at: ms_to_rfc3339(o.created_at),
        remote_updated_at: ms_to_rfc3339(o.updated_at.or(o.created_at)),
    }
}

/// An opportunity's resumes (CV) and files (untyped, so OTHER) as attachments; each file's
/// download reference is `{list}/{opportunity}/{id}`.
pub fn attachments(
    opportunity: &str,
    contact: Option<&str>,
    resumes: Vec<LvResume>,
    files: Vec<LvFile>,
) -> Vec<RemoteAttachment> {
    let listed = resumes
        .into_iter()
        .map(|r| {
            let file = r.file.unwrap_or_default();
            (AttachmentType::Cv, "resumes", r.id, file.name, file.uploaded_at.or(r.created_at), file.size)
        })
        .chain(files.into_iter().map(|f| (FILES_KIND, "files", f.id, f.name, f.uploaded_at, f.size)));
    listed
        .map(|(kind, list, id, name, uploaded_at, size)| {
            let uploaded = ms_to_rfc3339(loose_ms(&uploaded_at));
            RemoteAttachment {
                remote_id: id.clone(),
                application_remote_id: Some(opportunity.to_string()),
                candidate_remote_id: contact.map(str::to_string),
                file_name: name.unwrap_or_else(|| id.clone()),
                kind,
                content_type: None,
                size: loose_ms(&size).and_then(|s| u64::try_from(s).ok()),
                remote_created_at: uploaded.clone(),
                remote_updated_at: uploaded,
                download_ref: format!("{list}/{opportunity}/{id}"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_on_the_last_space() {
        assert_eq!(split_name(Some("Jane van Dyke")), (Some("Jane van".into()), Some("Dyke".into())));
        assert_eq!(split_name(Some("Cher")), (Some("Cher".into()), None));
        assert_eq!(split_name(Some("  ")), (None, None));
    }
}
