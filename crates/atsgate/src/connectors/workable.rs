//! Workable (SPI v3, account or OAuth access tokens).
//!
//! Docs: https://workable.readme.io/reference/comment-on-candidate (comment with one
//! `attachment {name, data}` and the acting `member_id`),
//! https://workable.readme.io/reference/update-candidate (resume on PATCH, not used, see below),
//! https://workable.readme.io/reference/candidate-files (`{files:[{name, preview_url, source,
//! kind}]}`, presigned `preview_url`), https://workable.readme.io/reference/job-candidates-index
//! (`limit`, `since_id`, `paging.next`), https://workable.readme.io/reference/jobs,
//! https://workable.readme.io/reference/rate-limits (`X-Rate-Limit-{Limit,Remaining,Reset}`, 429),
//! https://workable.readme.io/reference/members. Summary used: /work/shared/spec/ats-apis.md §5.
//!
//! Model: a Workable candidate lives in exactly one job, so one Workable candidate is both the
//! Kombo candidate and its single application (same remote id); files attach to it natively from
//! either endpoint.
//!
//! UNCERTAIN points and the choices made:
//! * Which route carries files: the resume PATCH has undocumented `resume` sub-fields, replaces the
//!   applicant's own CV and has no acting user; the comment route documents `{name, data}`
//!   base64 and `member_id`. Every type is therefore posted as a comment attachment, acting as
//!   `workable.on_behalf_of_user_remote_id` (else the integration's `member_id`), with a short
//!   comment body naming the type. The vendor type recorded is `comment_attachment`.
//! * Reading back: `GET /candidates/{id}/files` has no file id and no type beyond `kind`;
//!   `kind: "resume"` (or a `source` of `resume`) reads back as CV, `cover_letter` as COVER_LETTER,
//!   anything else as OTHER. A comment attachment keeps no type (the label lives in the comment
//!   body, which the files list does not return), so a CV uploaded through the gateway reads back
//!   as OTHER. (`UNTYPED_KIND` is the one switch if CV is preferred.)
//! * Size and type limits: not in the API docs; the help centre
//!   (https://help.workable.com/hc/en-us/articles/115013034447) gives 20 MB per comment file and
//!   a list of file types, declared here.
//! * The 422 body shape: undocumented; `{"error": …}` plus optional `validation_errors` is read.
//! * Rate limits: `Retry-After` is not documented; the wait is derived from `X-Rate-Limit-Reset`
//!   (a Unix timestamp) when present.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

/// `https://{subdomain}.workable.com`; `{subdomain}` comes from the credentials.
pub const DEFAULT_BASE_URL: &str = "https://{subdomain}.workable.com";
const PAGE_LIMIT: u32 = 100;
/// The vendor type the emulator records for files posted as comment attachments.
pub const FILE_TYPE: &str = "comment_attachment";

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "workable",
    label: "Workable",
    attach_to_application: true,
    attach_to_candidate: true,
    type_map: &[
        (AttachmentType::Cv, Some(FILE_TYPE)),
        (AttachmentType::CoverLetter, Some(FILE_TYPE)),
        (AttachmentType::Other, Some(FILE_TYPE)),
    ],
    max_file_size_bytes: Some(20 * 1024 * 1024),
    accepted_mime_types: Some(ACCEPTED_MIME_TYPES),
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/workable/logo.svg",
    rate_limit: Some(crate::upstream::RateLimit { per_second: 1.0, burst: 10 }), // 10 requests per 10 s (account tokens)
};

/// png, jpeg/jpg, gif, tiff, pdf, docx, doc, rtf, odt, html, txt, xlsx, xls, pptx, ppt, zip.
const ACCEPTED_MIME_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/rtf",
    "text/rtf",
    "application/vnd.oasis.opendocument.text",
    "text/html",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.ms-powerpoint",
    "application/zip",
];

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["subdomain", "api_token", "member_id"],
    build: Workable::build,
};

pub struct Workable {
    base_url: String,
    token: String,
    /// The member comments are posted as when no acting user is given.
    member_id: String,
    upstream: Arc<Upstream>,
}

#[derive(Deserialize)]
struct WkPaging {
    next: Option<String>,
}

#[derive(Deserialize)]
struct WkJob {
    shortcode: String,
    title: Option<String>,
}

#[derive(Deserialize)]
struct WkJobs {
    #[serde(default)]
    jobs: Vec<WkJob>,
    paging: Option<WkPaging>,
}

#[derive(Deserialize)]
struct WkJobRef {
    shortcode: Option<String>,
}

#[derive(Deserialize)]
struct WkCandidate {
    id: String,
    firstname: Option<String>,
    lastname: Option<String>,
    headline: Option<String>,
    job: Option<WkJobRef>,
    stage: Option<String>,
    #[serde(default)]
    disqualified: bool,
    disqualification_reason: Option<String>,
    disqualified_at: Option<String>,
    hired_at: Option<String>,
    sourced: Option<bool>,
    profile_url: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    domain: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct WkCandidates {
    #[serde(default)]
    candidates: Vec<WkCandidate>,
    paging: Option<WkPaging>,
}

#[derive(Deserialize)]
struct WkFile {
    name: String,
    preview_url: String,
    source: Option<String>,
    kind: Option<String>,
}

#[derive(Deserialize)]
struct WkFiles {
    #[serde(default)]
    files: Vec<WkFile>,
}

#[derive(Deserialize)]
struct WkError {
    error: Option<String>,
    validation_errors: Option<serde_json::Value>,
}

fn setting(credentials: &BTreeMap<String, String>, key: &str) -> anyhow::Result<String> {
    credentials
        .get(key)
        .filter(|v| !v.trim().is_empty())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("workable integration needs the credential {key:?}"))
}

fn unavailable(err: SendError) -> ConnectorError {
    // Refused connections are certain failures; a timeout or a broken connection is ambiguous,
    // which makes the action layer check the ATS before retrying an upload.
    super::send_failure("Workable", err)
}

fn vendor_message(text: &str) -> String {
    match serde_json::from_str::<WkError>(text) {
        Ok(WkError { error: Some(e), validation_errors: Some(v) }) => format!("{e}: {v}"),
        Ok(WkError { error: Some(e), validation_errors: None }) => e,
        _ => text.chars().take(300).collect(),
    }
}

/// `Retry-After` if sent, else the time until `X-Rate-Limit-Reset` (Unix seconds).
fn wait_hint(response: &Response) -> Option<Duration> {
    retry_after(response).or_else(|| {
        let reset: i64 = response.headers().get("x-rate-limit-reset")?.to_str().ok()?.trim().parse().ok()?;
        let secs = reset - chrono::Utc::now().timestamp();
        Some(Duration::from_secs(secs.clamp(1, 3600) as u64))
    })
}

fn classify_status(status: StatusCode, retry: Option<Duration>, text: &str) -> ConnectorError {
    let said = vendor_message(text);
    match status.as_u16() {
        // Workable tokens are scoped; name the scope uploads need so the fix is obvious.
        403 => ConnectorError::PermissionMissing(format!(
            "The Workable token lacks a scope this action needs, e.g. w_candidates (Workable said: {said})"
        )),
        _ => classify_http("Workable", status, retry, &said),
    }
}

async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, wait_hint, classify_status).await
}

/// JSON string literal (quotes included) of `text`.
fn json_str(text: &str) -> Result<String, ConnectorError> {
    serde_json::to_string(text).map_err(|e| ConnectorError::Unexpected(e.to_string()))
}

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

impl Workable {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let subdomain = setting(&settings.credentials, "subdomain")?;
        let base_url = match settings.base_url {
            Some(url) => url,
            None => {
                if !subdomain.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    anyhow::bail!("the Workable subdomain {subdomain:?} is not a valid host label");
                }
                DEFAULT_BASE_URL.replace("{subdomain}", &subdomain)
            }
        };
        Ok(Arc::new(Workable {
            base_url: base_url.trim_end_matches('/').to_string(),
            token: setting(&settings.credentials, "api_token")?,
            member_id: setting(&settings.credentials, "member_id")?,
            upstream: settings.upstream,
        }))
    }

    fn url(&self, path: &str) -> String {
        format!("{}/spi/v3/{path}", self.base_url)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: &str, what: &str) -> Result<T, ConnectorError> {
        let response =
            self.upstream.send(Method::GET, url, |r| r.bearer_auth(&self.token)).await.map_err(unavailable)?;
        check(response)
            .await?
            .json()
            .await
            .map_err(|e| ConnectorError::Unexpected(format!("Workable returned an unreadable {what}: {e}")))
    }

    /// A list URL: the `paging.next` continuation as given, or the first page.
    fn list_url(&self, resource: &str, cursor: Option<&str>) -> String {
        match cursor {
            Some(next) => next.to_string(),
            None => format!("{}?limit={PAGE_LIMIT}", self.url(resource)),
        }
    }

    async fn candidates(&self, cursor: Option<&str>) -> Result<Page<WkCandidate>, ConnectorError> {
        let page: WkCandidates = self.get(&self.list_url("candidates", cursor), "candidates page").await?;
        Ok(Page { items: page.candidates, next: page.paging.and_then(|p| p.next).filter(|n| !n.is_empty()) })
    }
}

#[async_trait]
impl Connector for Workable {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        // One Workable candidate is both the candidate and its application.
        let candidate = match &request.target {
            AttachTarget::Application { remote_id, .. } | AttachTarget::Candidate { remote_id } => remote_id,
        };
        let member = request.options.workable_on_behalf_of_user_remote_id.as_deref().unwrap_or(&self.member_id);
        let label = match request.kind {
            AttachmentType::Cv => "CV",
            AttachmentType::CoverLetter => "Cover letter",
            AttachmentType::Other => "Attachment",
        };
        // The JSON is assembled around the base64 so the (large) content is never copied again.
        let head = format!(
            "{{\"member_id\":{},\"comment\":{{\"body\":{},\"attachment\":{{\"name\":{},\"data\":\"",
            json_str(member)?,
            json_str(&format!("{label}: {}", request.file_name))?,
            json_str(request.file_name)?,
        );
        let chunks = [Bytes::from(head), request.content.to_base64(), Bytes::from_static(b"\"}}}")];
        let len: u64 = chunks.iter().map(|c| c.len() as u64).sum();
        let url = self.url(&format!("candidates/{candidate}/comments"));
        let response = self
            .upstream
            .send(Method::POST, &url, |r| {
                // Cloning `Bytes` shares the buffers: each attempt streams the same memory.
                let stream = futures::stream::iter(chunks.clone().into_iter().map(Ok::<_, std::io::Error>));
                r.bearer_auth(&self.token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(reqwest::header::CONTENT_LENGTH, len)
                    .body(reqwest::Body::wrap_stream(stream))
            })
            .await
            .map_err(unavailable)?;
        let response = check(response).await?;
        let created: Option<serde_json::Value> = response.json().await.ok();
        let remote_id = created.as_ref().and_then(|v| v.get("id")).and_then(|id| match id {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let candidate = match target {
            AttachTarget::Application { remote_id, .. } | AttachTarget::Candidate { remote_id } => remote_id,
        };
        let listed: WkFiles = self.get(&self.url(&format!("candidates/{candidate}/files")), "file list").await?;
        Ok(listed
            .files
            .into_iter()
            .enumerate()
            .map(|(i, f)| RemoteAttachment {
                // Workable lists files without ids; name and position identify them on this candidate.
                remote_id: format!("{candidate}:{i}:{}", f.name),
                application_remote_id: Some(candidate.clone()),
                candidate_remote_id: Some(candidate.clone()),
                kind: kind_of(&f),
                file_name: f.name,
                content_type: None,
                size: None,
                remote_created_at: None,
                remote_updated_at: None,
                download_ref: f.preview_url,
            })
            .collect())
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        // `preview_url` is presigned: no Authorization header may go with it.
        let response = check(self.upstream.send(Method::GET, download_ref, |r| r).await.map_err(unavailable)?).await?;
        Ok(file_stream(response))
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page: WkJobs = self.get(&self.list_url("jobs", cursor), "jobs page").await?;
        Ok(Page {
            items: page.jobs.into_iter().map(|j| RemoteJob { remote_id: j.shortcode, name: j.title }).collect(),
            next: page.paging.and_then(|p| p.next).filter(|n| !n.is_empty()),
        })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page = self.candidates(cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|c| RemoteCandidate {
                remote_id: c.id,
                first_name: c.firstname,
                last_name: c.lastname,
                company: None,
                title: c.headline.filter(|h| !h.is_empty()),
                confidential: None,
                source: c
                    .domain
                    .filter(|d| !d.is_empty())
                    .or_else(|| c.sourced.filter(|s| *s).map(|_| "Sourced".into())),
                emails: c.email.into_iter().map(|e| (e, None)).collect(),
                phones: c.phone.into_iter().map(|p| (p, None)).collect(),
                tags: c.tags,
                remote_url: c.profile_url,
                remote_created_at: c.created_at,
                remote_updated_at: c.updated_at,
            })
            .collect();
        Ok(Page { items, next: page.next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page = self.candidates(cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|c| {
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
            })
            .collect();
        Ok(Page { items, next: page.next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_workable_words() {
        let e = classify_status(StatusCode::UNPROCESSABLE_ENTITY, None, r#"{"error":"Member not found"}"#);
        assert!(matches!(e, ConnectorError::RejectedInput(m) if m.contains("Member not found")));
        assert!(matches!(classify_status(StatusCode::UNAUTHORIZED, None, "{}"), ConnectorError::Unauthorized(_)));
    }
}
