//! "Add attachment" to an application or a candidate: resolve the unified id, obtain the file,
//! check the connector's declared restrictions, pick the target from its capabilities (with a
//! plain-words warning on fallback), and upload.

use crate::{
    app::App,
    connectors::{AttachTarget, Capabilities, ConnectorError, FileContent, UploadRequest},
    error::{Error, Result},
    store::{Integration, StoredApplication},
    upstream::download::DownloadError,
};

use super::{
    attachment_input::{validate_content_type, AttachmentInput, FileSource},
    Warning,
};

/// Adds the file to the application `application_id` (a unified id).
pub async fn add_to_application(
    app: &App,
    integration: &Integration,
    application_id: &str,
    input: AttachmentInput,
) -> Result<Vec<Warning>> {
    let application = super::live_application(app, integration, application_id).await?;
    let connector = app.connector(integration).await?;
    let caps = connector.capabilities();
    let mut warnings = Vec::new();
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
    upload(app, connector.as_ref(), caps, target, input, &mut warnings).await?;
    Ok(warnings)
}

/// Adds the file to the candidate `candidate_id` (a unified id).
pub async fn add_to_candidate(
    app: &App,
    integration: &Integration,
    candidate_id: &str,
    input: AttachmentInput,
) -> Result<Vec<Warning>> {
    let candidate = super::live_candidate(app, integration, candidate_id).await?;
    let connector = app.connector(integration).await?;
    let caps = connector.capabilities();
    let mut warnings = Vec::new();
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
    upload(app, connector.as_ref(), caps, target, input, &mut warnings).await?;
    Ok(warnings)
}

fn not_available(caps: &Capabilities) -> Error {
    Error::ActionNotAvailable(format!("{} does not support adding attachments", caps.label))
}

async fn upload(
    app: &App,
    connector: &dyn crate::connectors::Connector,
    caps: &Capabilities,
    target: AttachTarget,
    input: AttachmentInput,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
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
        options: &input.options,
    };
    // An ATS may still be working on a request we gave up on: give it as long again as we
    // waited (capped) before deciding the file is not there.
    let settle = std::time::Duration::from_secs(app.config.upstream_timeout_secs).min(MAX_SETTLE);
    upload_exactly_once(connector, &request, app.config.upstream_max_retries, settle).await
}

/// How long the check for an uploaded file may keep retrying, in multiples of the settle time.
const CHECK_BUDGET_FACTOR: u32 = 5;

/// Longest wait for an ATS to finish a request we stopped waiting for, before checking for the file.
const MAX_SETTLE: std::time::Duration = std::time::Duration::from_secs(10);

/// How far before our first attempt an ATS timestamp may be and still be "our" file.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::seconds(1);

/// Uploads, and after an ambiguous failure (timeout, connection lost after sending) looks for
/// the file, and if it is not there yet looks again after the ATS had `settle` to finish:
/// found means done, absent means retry. A client is never told "success" for a file that is not there, and never
/// gets two.
async fn upload_exactly_once(
    connector: &dyn crate::connectors::Connector,
    request: &UploadRequest<'_>,
    max_retries: u32,
    settle: std::time::Duration,
) -> Result<()> {
    let started = chrono::Utc::now() - CLOCK_SKEW;
    let mut attempts = 0;
    loop {
        match connector.add_attachment(request).await {
            Ok(_) => return Ok(()),
            Err(ConnectorError::Ambiguous(message)) => {
                tracing::warn!(%message, "ambiguous upload failure; checking the ATS before retrying");
                let check_for = settle * CHECK_BUDGET_FACTOR;
                crate::interaction::with_current(|s| s.upstream_purpose = Some("settle check"));
                let found = arrived(connector, request, started, check_for).await;
                crate::interaction::with_current(|s| s.upstream_purpose = None);
                if found? {
                    return Ok(());
                }
                // Not there yet: it may still be in the ATS's hands. Look once more after it
                // had time to finish, before uploading again.
                tokio::time::sleep(settle).await;
                crate::interaction::with_current(|s| s.upstream_purpose = Some("settle check"));
                let found = arrived(connector, request, started, check_for).await;
                crate::interaction::with_current(|s| s.upstream_purpose = None);
                if found? {
                    return Ok(());
                }
                if attempts >= max_retries {
                    return Err(Error::RemoteUnavailable {
                        message: format!("{message}; the file is not in the ATS, so retrying is safe"),
                        retry_after: None,
                    });
                }
                attempts += 1;
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// Whether the ATS lists a file like ours, created since we started.
async fn arrived(
    connector: &dyn crate::connectors::Connector,
    request: &UploadRequest<'_>,
    since: chrono::DateTime<chrono::Utc>,
    check_for: std::time::Duration,
) -> Result<bool> {
    // Checking is always safe to repeat, so it keeps trying for a while: giving up here leaves
    // the caller not knowing whether the file arrived.
    let deadline = tokio::time::Instant::now() + check_for;
    let mut failures = 0;
    let files = loop {
        match connector.list_attachments(&request.target).await {
            Ok(files) => break files,
            Err(err) if tokio::time::Instant::now() >= deadline => {
                return Err(Error::RemoteUnavailable {
                    message: format!("the upload's outcome is unknown and the ATS could not be checked: {err}"),
                    retry_after: None,
                });
            }
            Err(_) => {
                failures += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100 << failures.min(4))).await;
            }
        }
    };
    Ok(files.iter().any(|file| {
        let recent = file
            .remote_created_at
            .as_deref()
            .and_then(|ts| chrono::DateTime::parse_from_rfc3339(ts).ok())
            .is_none_or(|created| created >= since);
        file.file_name == request.file_name && recent && file.size.is_none_or(|size| size == request.content.len())
    }))
}
