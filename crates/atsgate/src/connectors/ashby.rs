//! Ashby: an RPC-style API (`POST /<resource>.<action>`, JSON bodies) that keeps files on
//! candidates only.
//!
//! Docs: https://developers.ashbyhq.com/reference/authentication (HTTP Basic, key as username,
//! blank password; missing key → 401, wrong/deactivated key → 403, missing permission → 403
//! `missing_endpoint_permission`), https://developers.ashbyhq.com/docs/responses (business errors
//! are HTTP 200 with `success:false` + `errorInfo{code,message,requestId}`),
//! https://developers.ashbyhq.com/docs/pagination-and-incremental-sync (`limit`/`cursor` in the
//! body, `moreDataAvailable`/`nextCursor` back),
//! https://developers.ashbyhq.com/reference/filecreatefileuploadhandle (presigned two-step upload),
//! https://developers.ashbyhq.com/reference/candidateuploadfile,
//! https://developers.ashbyhq.com/reference/candidateuploadresume,
//! https://developers.ashbyhq.com/reference/fileinfo, https://developers.ashbyhq.com/reference/candidateinfo.
//!
//! Upload: `file.createFileUploadHandle` → multipart POST of the returned `fields` plus `file`
//! (last) to the presigned `url` → `candidate.uploadResume {candidateId, resumeHandle}` for CVs,
//! `candidate.uploadFile {candidateId, fileHandle}` for everything else. The deprecated
//! multipart variants of the upload endpoints are not used.
//!
//! UNCERTAIN points (ats-apis.md §3) and the choices made here:
//! - No application-level files: capabilities say "candidate only", so the action layer falls back
//!   to the application's candidate with a warning.
//! - No type field: CV → `uploadResume` (recorded as "resume"), cover letter and other →
//!   `uploadFile` (recorded as "file"); listed files are CV when they are the candidate's
//!   `resumeFileHandle`, OTHER otherwise.
//! - Size / type limits: none documented, none declared.
//! - Rate limits: no numbers; a 429 is classified from the HTTP status, or from an `errorInfo.code`
//!   of `rate_limit_exceeded` inside a 200; `Retry-After` is honoured when present.
//! - The 403 body for a wrong key is undocumented: any 403 whose code is not
//!   `missing_endpoint_permission` is treated as bad credentials.
//! - `candidate.info` is called with `{"id"}`; `application.info` with `{"applicationId"}`.
//! - The remote fields defined by Kombo (Greenhouse/Workable/Oracle) have no Ashby meaning.

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::{Method, Response, StatusCode};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Value};

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

pub const DEFAULT_BASE_URL: &str = "https://api.ashbyhq.com";
/// Ashby's documented maximum page size.
const PAGE_LIMIT: u32 = 100;

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "ashby",
    label: "Ashby",
    attach_to_application: false,
    attach_to_candidate: true,
    type_map: &[
        (AttachmentType::Cv, Some("resume")),
        (AttachmentType::CoverLetter, Some("file")),
        (AttachmentType::Other, Some("file")),
    ],
    max_file_size_bytes: None,
    accepted_mime_types: None,
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/ashby/logo.svg",
    rate_limit: None, // undocumented
};

pub const ENTRY: ToolEntry =
    ToolEntry { capabilities: &CAPABILITIES, required_credentials: &["api_key"], build: Ashby::build };

pub struct Ashby {
    base_url: String,
    api_key: String,
    upstream: Arc<Upstream>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    success: bool,
    results: Option<T>,
    #[serde(default, rename = "moreDataAvailable")]
    more_data_available: bool,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<String>,
    #[serde(rename = "errorInfo")]
    error_info: Option<ErrorInfo>,
    #[serde(default)]
    errors: Vec<Value>,
}

#[derive(Deserialize, Default)]
struct ErrorInfo {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadHandle {
    handle: String,
    url: String,
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct AbRef {
    id: String,
    title: Option<String>,
}

#[derive(Deserialize)]
struct AbContact {
    value: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct AbTag {
    title: Option<String>,
}

#[derive(Deserialize)]
struct AbFileHandle {
    id: String,
    name: String,
    handle: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AbCandidate {
    id: String,
    name: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    #[serde(default)]
    email_addresses: Vec<AbContact>,
    #[serde(default)]
    phone_numbers: Vec<AbContact>,
    #[serde(default)]
    tags: Vec<AbTag>,
    position: Option<String>,
    company: Option<String>,
    profile_url: Option<String>,
    source: Option<AbRef>,
    resume_file_handle: Option<AbFileHandle>,
    #[serde(default)]
    file_handles: Vec<AbFileHandle>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AbStage {
    id: String,
    title: Option<String>,
    order_in_interview_plan: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AbArchiveReason {
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AbApplication {
    id: String,
    created_at: Option<String>,
    updated_at: Option<String>,
    status: Option<String>,
    candidate: Option<AbRef>,
    job: Option<AbRef>,
    current_interview_stage: Option<AbStage>,
    source: Option<AbRef>,
    archive_reason: Option<AbArchiveReason>,
    archived_at: Option<String>,
}

#[derive(Deserialize)]
struct AbJob {
    id: String,
    title: Option<String>,
}

#[derive(Deserialize)]
struct FileInfo {
    url: String,
}

impl Ashby {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let api_key = settings
            .credentials
            .get("api_key")
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("ashby integration needs the credential \"api_key\""))?;
        let base_url = settings.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(Ashby {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
            upstream: settings.upstream,
        }))
    }

    /// Calls one RPC endpoint and unwraps the `{success, results}` envelope.
    async fn rpc<T: DeserializeOwned>(&self, endpoint: &str, body: &Value) -> Result<Envelope<T>, ConnectorError> {
        let url = format!("{}/{endpoint}", self.base_url);
        let response = self
            .upstream
            .send(Method::POST, &url, |r| r.basic_auth(&self.api_key, Some("")).json(body))
            .await
            .map_err(unavailable)?;
        let response = check(response).await?;
        let retry = retry_after(&response);
        let text = response.text().await.map_err(|e| unreadable(endpoint, &e.to_string()))?;
        let envelope: Envelope<T> = serde_json::from_str(&text).map_err(|e| unreadable(endpoint, &e.to_string()))?;
        if !envelope.success {
            return Err(classify_business(envelope.error_info.unwrap_or_default(), &envelope.errors, retry));
        }
        Ok(envelope)
    }

    async fn results<T: DeserializeOwned>(&self, endpoint: &str, body: &Value) -> Result<T, ConnectorError> {
        self.rpc(endpoint, body).await?.results.ok_or_else(|| unreadable(endpoint, "no results"))
    }

    async fn list<T: DeserializeOwned>(&self, endpoint: &str, cursor: Option<&str>) -> Result<Page<T>, ConnectorError> {
        let body = match cursor {
            Some(cursor) => json!({ "limit": PAGE_LIMIT, "cursor": cursor }),
            None => json!({ "limit": PAGE_LIMIT }),
        };
        let envelope: Envelope<Vec<T>> = self.rpc(endpoint, &body).await?;
        let next = if envelope.more_data_available { envelope.next_cursor } else { None };
        Ok(Page { items: envelope.results.unwrap_or_default(), next })
    }

    /// Step 2 of the upload: the presigned multipart POST straight to storage (no API key).
    async fn put_to_storage(&self, handle: &UploadHandle, request: &UploadRequest<'_>) -> Result<(), ConnectorError> {
        let bytes = raw_bytes(request.content)?;
        let response = self
            .upstream
            .send(Method::POST, &handle.url, |r| {
                let mut form = reqwest::multipart::Form::new();
                for (name, value) in &handle.fields {
                    let value = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    form = form.text(name.clone(), value);
                }
                r.multipart(form.part("file", file_part(&bytes, request.file_name, request.content_type)))
            })
            .await
            .map_err(unavailable)?;
        if response.status().is_success() {
            return Ok(());
        }
        let status = response.status();
        let retry = retry_after(&response);
        let text = response.text().await.unwrap_or_default();
        Err(match status.as_u16() {
            // A presigned POST refused by storage (expired or mismatched policy) is our request's fault.
            400 | 403 => ConnectorError::RejectedInput(format!(
                "Ashby's file storage refused the upload (HTTP {}): {}",
                status.as_u16(),
                text.chars().take(300).collect::<String>()
            )),
            _ => classify_status(status, retry, &text),
        })
    }

    async fn candidate(&self, candidate_id: &str) -> Result<AbCandidate, ConnectorError> {
        self.results("candidate.info", &json!({ "id": candidate_id })).await
    }
}

fn unavailable(err: SendError) -> ConnectorError {
    // Refused connections are certain failures; a timeout or a broken connection is ambiguous,
    // which makes the action layer check the ATS before retrying an upload.
    super::send_failure("Ashby", err)
}

fn unreadable(endpoint: &str, why: &str) -> ConnectorError {
    ConnectorError::Unexpected(format!("Ashby returned an unreadable {endpoint} response: {why}"))
}

/// The vendor's words from an error body, whatever its shape.
fn vendor_message(text: &str) -> (Option<String>, String) {
    match serde_json::from_str::<Envelope<Value>>(text) {
        Ok(body) => {
            let info = body.error_info.unwrap_or_default();
            let said = info
                .message
                .or_else(|| info.code.clone())
                .or_else(|| body.errors.first().map(|e| e.as_str().map(str::to_string).unwrap_or(e.to_string())))
                .unwrap_or_default();
            (info.code, said)
        }
        Err(_) => (None, text.chars().take(300).collect()),
    }
}

fn classify_status(status: StatusCode, retry: Option<std::time::Duration>, text: &str) -> ConnectorError {
    let (code, said) = vendor_message(text);
    match status.as_u16() {
        // Ashby answers a wrong or deactivated key with 403 too; only the code tells them apart.
        403 if code.as_deref() == Some("missing_endpoint_permission") => ConnectorError::PermissionMissing(format!(
            "The Ashby API key lacks a permission this action needs (candidatesWrite to upload files): {said}"
        )),
        403 => ConnectorError::Unauthorized(format!("Ashby rejected the integration's API key: {said}")),
        _ => classify_http("Ashby", status, retry, &said),
    }
}

/// A `success:false` answer (HTTP 200): what would be a 4xx elsewhere, told apart by `errorInfo.code`.
fn classify_business(info: ErrorInfo, errors: &[Value], retry: Option<std::time::Duration>) -> ConnectorError {
    let code = info
        .code
        .or_else(|| errors.first().and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| "unknown_error".into());
    let said = info.message.unwrap_or_else(|| code.clone());
    match code.as_str() {
        "missing_endpoint_permission" => {
            ConnectorError::PermissionMissing(format!("The Ashby API key lacks a permission this action needs: {said}"))
        }
        "invalid_api_key" | "api_key_deactivated" | "unauthenticated" => {
            ConnectorError::Unauthorized(format!("Ashby rejected the integration's API key: {said}"))
        }
        "rate_limit_exceeded" | "concurrent_limit_exceeded" => ConnectorError::RateLimited {
            message: format!("Ashby's rate limit was exceeded: {said}"),
            retry_after: retry,
        },
        c if c.ends_with("_not_found") => ConnectorError::NotFound(format!("Ashby could not find the record: {said}")),
        _ => ConnectorError::RejectedInput(format!("Ashby rejected the request ({code}): {said}")),
    }
}

/// Passes a 2xx response through; turns anything else into a classified error.
async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, retry_after, classify_status).await
}

fn to_attachment(file: AbFileHandle, candidate_id: &str, resume_id: Option<&str>) -> RemoteAttachment {
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

#[async_trait]
impl Connector for Ashby {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let AttachTarget::Candidate { remote_id: candidate_id } = &request.target else {
            return Err(ConnectorError::Unsupported("Ashby stores attachments on candidates only".into()));
        };
        let resume = request.kind == AttachmentType::Cv;
        let handle: UploadHandle = self
            .results(
                "file.createFileUploadHandle",
                &json!({
                    "fileUploadContext": if resume { "CandidateResume" } else { "CandidateFiles" },
                    "filename": request.file_name,
                    "contentType": request.content_type,
                    "contentLength": request.content.len(),
                }),
            )
            .await?;
        self.put_to_storage(&handle, request).await?;
        let candidate: AbCandidate = if resume {
            self.results(
                "candidate.uploadResume",
                &json!({ "candidateId": candidate_id, "resumeHandle": handle.handle }),
            )
            .await?
        } else {
            self.results("candidate.uploadFile", &json!({ "candidateId": candidate_id, "fileHandle": handle.handle }))
                .await?
        };
        // The answer is the whole candidate; the newest file is the last handle with our name.
        let remote_id = if resume {
            candidate.resume_file_handle.map(|f| f.id)
        } else {
            candidate.file_handles.into_iter().rev().find(|f| f.name == request.file_name).map(|f| f.id)
        };
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let candidate_id = match target {
            AttachTarget::Candidate { remote_id } => remote_id.clone(),
            AttachTarget::Application { candidate_remote_id: Some(candidate), .. } => candidate.clone(),
            AttachTarget::Application { remote_id, candidate_remote_id: None } => {
                let application: AbApplication =
                    self.results("application.info", &json!({ "applicationId": remote_id })).await?;
                application.candidate.map(|c| c.id).ok_or_else(|| {
                    ConnectorError::NotFound(format!("Ashby application {remote_id} has no candidate"))
                })?
            }
        };
        let candidate = self.candidate(&candidate_id).await?;
        let resume_id = candidate.resume_file_handle.as_ref().map(|f| f.id.clone());
        let mut files = candidate.file_handles;
        if let Some(resume) = candidate.resume_file_handle {
            if !files.iter().any(|f| f.id == resume.id) {
                files.push(resume);
            }
        }
        Ok(files.into_iter().map(|f| to_attachment(f, &candidate_id, resume_id.as_deref())).collect())
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        let info: FileInfo = self.results("file.info", &json!({ "fileHandle": download_ref })).await?;
        // A presigned storage URL: the API key must not be sent along.
        let response = check(self.upstream.send(Method::GET, &info.url, |r| r).await.map_err(unavailable)?).await?;
        Ok(file_stream(response))
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page: Page<AbJob> = self.list("job.list", cursor).await?;
        Ok(Page {
            items: page.items.into_iter().map(|j| RemoteJob { remote_id: j.id, name: j.title }).collect(),
            next: page.next,
        })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page: Page<AbCandidate> = self.list("candidate.list", cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|c| {
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
            })
            .collect();
        Ok(Page { items, next: page.next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page: Page<AbApplication> = self.list("application.list", cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|a| {
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
            })
            .collect();
        Ok(Page { items, next: page.next })
    }
}
