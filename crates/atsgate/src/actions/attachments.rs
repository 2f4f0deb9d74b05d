//! "Add attachment" to an application or a candidate: resolve the unified id, obtain the file,
//! check the connector's declared restrictions, pick the target from its capabilities (with a
//! plain-words warning on fallback), and upload.

use crate::{
    app::App,
    connectors::{AttachTarget, Capabilities, FileContent, ToolOptions, UploadRequest},
    error::{Error, Result},
    store::{Integration, StoredApplication},
    upstream::download::DownloadError,
};

use super::{
    attachment_input::{validate_content_type, AttachmentInput, FileSource},
    verification::UploadJournal,
    Warning,
};

/// Adds the file to the application `application_id` (a unified id).
pub async fn add_to_application(
    app: &App,
    integration: &Integration,
    application_id: &str,
    input: AttachmentInput,
    journal: &dyn UploadJournal,
) -> Result<Vec<Warning>> {
    let remote = input.remote_options(&integration.tool)?;
    let application = super::live_application(app, integration, application_id).await?;
    let connector = app.connector(integration).await?;
    let caps = connector.capabilities();
    let mut warnings = remote.warnings;
    let target = if caps.attach_to_application {
        AttachTarget::Application {
            remote_id: application.remote_id.clone(),
            candidate_remote_id: application.candidate_remote_id.clone(),
        }
    } else if caps.attach_to_candidate {
        let remote_id = application.candidate_remote_id.clone().ok_or_else(|| {
            Error::ActionNotAvailable(format!(
                "{} cannot attach files to applications, and this application has no candidate",
                caps.label
            ))
        })?;
        warnings.push(Warning::new(format!(
            "{} does not support attachments on applications, so the file was added to the application's candidate instead.",
            caps.label
        )));
        AttachTarget::Candidate { remote_id }
    } else {
        return Err(not_available(caps));
    };
    warnings.extend(upload(app, &integration.id, connector.as_ref(), target, input, &remote.options, journal).await?);
    Ok(warnings)
}

/// Adds the file to the candidate `candidate_id` (a unified id).
pub async fn add_to_candidate(
    app: &App,
    integration: &Integration,
    candidate_id: &str,
    input: AttachmentInput,
    journal: &dyn UploadJournal,
) -> Result<Vec<Warning>> {
    let remote = input.remote_options(&integration.tool)?;
    let candidate = super::live_candidate(app, integration, candidate_id).await?;
    let connector = app.connector(integration).await?;
    let caps = connector.capabilities();
    let mut warnings = remote.warnings;
    let target = if caps.attach_to_candidate {
        AttachTarget::Candidate { remote_id: candidate.remote_id.clone() }
    } else if caps.attach_to_application {
        let applications = app.store.candidate_applications(&integration.id, candidate_id).await?;
        let latest: StoredApplication = applications.into_iter().find(|a| a.remote_deleted_at.is_none()).ok_or_else(|| {
            Error::ActionNotAvailable(format!(
                "{} stores attachments on applications only, and candidate {candidate_id} has no application to attach the file to",
                caps.label
            ))
        })?;
        warnings.push(Warning::new(format!(
            "{} stores attachments on applications only, so the file was added to the candidate's most recent application ({}).",
            caps.label, latest.id
        )));
        AttachTarget::Application { remote_id: latest.remote_id, candidate_remote_id: Some(candidate.remote_id) }
    } else {
        return Err(not_available(caps));
    };
    warnings.extend(upload(app, &integration.id, connector.as_ref(), target, input, &remote.options, journal).await?);
    Ok(warnings)
}

fn not_available(caps: &Capabilities) -> Error {
    Error::ActionNotAvailable(format!("{} does not support adding attachments", caps.label))
}

async fn upload(
    app: &App,
    integration_id: &str,
    connector: &dyn crate::connectors::Connector,
    target: AttachTarget,
    input: AttachmentInput,
    options: &ToolOptions,
    journal: &dyn UploadJournal,
) -> Result<Vec<Warning>> {
    let caps = connector.capabilities();
    let mut warnings = Vec::new();
    if caps.vendor_type(input.kind).is_none() {
        return Err(Error::input(format!(
            "{} does not accept attachments of type {}",
            caps.label,
            input.kind.as_str()
        )));
    }
    let max_bytes = super::restrictions::max_bytes(caps, app.config.max_attachment_bytes);
    let (content, content_type) = match input.source {
        FileSource::Inline(content) => (content, input.content_type.unwrap_or_default()),
        FileSource::Url(url) => {
            let downloaded = app.downloader.fetch(&url, max_bytes).await.map_err(|err| match err {
                DownloadError::TooLarge { max } => Error::PayloadTooLarge {
                    message: format!("The file at data_url is larger than the limit of {max} bytes"),
                },
                other => Error::input(other.to_string()),
            })?;
            let content_type = match (input.content_type, downloaded.content_type) {
                (Some(given), _) => given,
                (None, Some(served)) => validate_content_type(&served).map_err(|_| {
                    Error::input(format!(
                        "data_url was served with an unusable Content-Type {served:?}; pass attachment.content_type"
                    ))
                })?,
                (None, None) => {
                    return Err(Error::input(
                        "data_url was served without a Content-Type; pass attachment.content_type",
                    ))
                }
            };
            (FileContent::Raw(downloaded.bytes), content_type)
        }
    };
    if content.is_empty() {
        return Err(Error::input("The attachment is empty"));
    }
    if content.len() > max_bytes {
        return Err(Error::PayloadTooLarge {
            message: format!(
                "The attachment is {} bytes; the limit for {} is {max_bytes} bytes",
                content.len(),
                caps.label
            ),
        });
    }
    if let Some(accepted) = caps.accepted_mime_types {
        if !accepted.contains(&content_type.as_str()) {
            return Err(Error::input(format!(
                "{} does not accept files of type {content_type:?}; accepted: {}",
                caps.label,
                accepted.join(", ")
            )));
        }
    }
    if content_type == "application/octet-stream" {
        warnings
            .push(Warning::new("content_type application/octet-stream is generic; the ATS may not preview the file"));
    }
    let request = UploadRequest {
        target,
        file_name: &input.name,
        kind: input.kind,
        content_type: &content_type,
        content: &content,
        options,
    };
    let _serial = app.upload_locks.lock(integration_id, &request.target, request.file_name).await;
    super::delivery::deliver(app, connector, &request, journal).await?;
    Ok(warnings)
}
