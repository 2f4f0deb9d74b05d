//! Recruitee (Tellent): a REST API under `/c/{company_id}` that keeps files on candidates only.
//!
//! Docs: https://docs.recruitee.com/reference/getting-started (personal API token,
//! `Authorization: Bearer`), https://docs.recruitee.com/reference/candidates (`GET
//! /c/{company_id}/candidates` with `limit`/`offset`, placements embedded),
//! https://docs.recruitee.com/reference/attachments (`POST /c/{company_id}/attachments`),
//! https://docs.recruitee.com/reference/offers (`GET /c/{company_id}/offers`); ats-apis.md §7.
//!
//! Upload: multipart `attachment[file]` + `attachment[candidate_id]` → 201
//! `{"attachment":{…}}`; a CV is then promoted with
//! `PATCH /c/{company_id}/candidates/{id}/set_as_cv/{attachment_id}`.
//!
//! UNCERTAIN points (ats-apis.md §7) and the choices made here:
//! - The official reference describes a JSON body with a server-side `path`; the multipart form is
//!   what independent clients use successfully, so that is what is sent.
//! - No type field and no placement (application) level files: capabilities say "candidate only";
//!   CV → upload + `set_as_cv` (recorded as "cv"), cover letter and other → plain attachment
//!   (recorded as "attachment").
//! - Applications (placements) have no global list: `list_applications` pages through the candidate
//!   list and flattens each candidate's `placements`.
//! - `limit` (max 1000) / `offset` paging; 100 per page is used. No `updated_after` filter is used.
//! - Rate limits and size limits: not documented; a 429 is honoured with `Retry-After` if sent.
//! - Errors: `{"errors":[{"message","code"}]}` (422 for validation); 401 bad token, 403 a user
//!   without the right, 404 unknown company or record.
//! - The company id is a credential (`company_id`) beside the token (`api_token`).

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::{Method, Response, StatusCode};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::Value;

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

pub const DEFAULT_BASE_URL: &str = "https://api.recruitee.com";
const PAGE_LIMIT: u64 = 100;

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "recruitee",
    label: "Recruitee",
    attach_to_application: false,
    attach_to_candidate: true,
    type_map: &[
        (AttachmentType::Cv, Some("cv")),
        (AttachmentType::CoverLetter, Some("attachment")),
        (AttachmentType::Other, Some("attachment")),
    ],
    max_file_size_bytes: None,
    accepted_mime_types: None,
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/recruitee/logo.svg",
};

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["company_id", "api_token"],
    build: Recruitee::build,
};

pub struct Recruitee {
    /// `{base}/c/{company_id}`.
    company_url: String,
    token: String,
    upstream: Arc<Upstream>,
}

fn id_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
struct RcOffer {
    id: Value,
    title: Option<String>,
}

#[derive(Deserialize)]
struct RcOffers {
    #[serde(default)]
    offers: Vec<RcOffer>,
}

#[derive(Deserialize)]
struct RcPlacement {
    id: Value,
    offer_id: Option<Value>,
    stage_id: Option<Value>,
    stage_name: Option<String>,
    disqualified_at: Option<String>,
    disqualify_reason: Option<String>,
    hired_at: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct RcCandidate {
    id: Value,
    name: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    #[serde(default)]
    placements: Vec<RcPlacement>,
    cv_original_url: Option<String>,
}

#[derive(Deserialize)]
struct RcCandidates {
    #[serde(default)]
    candidates: Vec<RcCandidate>,
}

#[derive(Deserialize)]
struct RcCandidateShow {
    candidate: RcCandidate,
}

#[derive(Deserialize)]
struct RcAttachment {
    id: Value,
    filename: String,
    url: Option<String>,
    content_type: Option<String>,
    size: Option<u64>,
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct RcAttachments {
    #[serde(default)]
    attachments: Vec<RcAttachment>,
}

#[derive(Deserialize)]
struct RcCreated {
    attachment: RcAttachment,
}

impl Recruitee {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let get = |key: &str| {
            settings
                .credentials
                .get(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| anyhow::anyhow!("recruitee integration needs the credential {key:?}"))
        };
        let company_id = get("company_id")?;
        let token = get("api_token")?;
        let base = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        let company = percent_encoding::utf8_percent_encode(&company_id, percent_encoding::NON_ALPHANUMERIC);
        Ok(Arc::new(Recruitee {
            company_url: format!("{}/c/{company}", base.trim_end_matches('/')),
            token,
            upstream: settings.upstream,
        }))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ConnectorError> {
        let url = format!("{}{path}", self.company_url);
        let response =
            self.upstream.send(Method::GET, &url, |r| r.bearer_auth(&self.token)).await.map_err(unavailable)?;
        let response = check(response).await?;
        response
            .json()
            .await
            .map_err(|e| ConnectorError::Unexpected(format!("Recruitee returned an unreadable answer: {e}")))
    }

    /// One page of candidates; the cursor is the next `offset`.
    async fn candidates_page(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Vec<RcCandidate>, Option<String>), ConnectorError> {
        let offset: u64 = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let page: RcCandidates = self.get(&format!("/candidates?limit={PAGE_LIMIT}&offset={offset}")).await?;
        let next = (page.candidates.len() as u64 == PAGE_LIMIT).then(|| (offset + PAGE_LIMIT).to_string());
        Ok((page.candidates, next))
    }
}

fn unavailable(err: SendError) -> ConnectorError {
    ConnectorError::Unavailable { message: format!("Recruitee is unreachable: {err}"), retry_after: None }
}

/// The vendor's words from `{"errors":[{"message","code"}]}` (or `{"error": …}`).
fn vendor_message(text: &str) -> String {
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return text.chars().take(300).collect();
    };
    let describe = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or(v.to_string()),
        other => other.to_string(),
    };
    match body.get("errors").or_else(|| body.get("error")) {
        Some(Value::Array(items)) => items.iter().map(describe).collect::<Vec<_>>().join("; "),
        Some(other) => describe(other),
        None => text.chars().take(300).collect(),
    }
}

fn classify_status(status: StatusCode, retry: Option<std::time::Duration>, text: &str) -> ConnectorError {
    let said = vendor_message(text);
    match status.as_u16() {
        401 => ConnectorError::Unauthorized(format!("Recruitee rejected the integration's API token: {said}")),
        403 => ConnectorError::PermissionMissing(format!(
            "The Recruitee user behind the API token lacks a permission this action needs: {said}"
        )),
        404 => ConnectorError::NotFound(format!("Recruitee could not find the record or company: {said}")),
        400 | 409 | 413 | 415 | 422 => ConnectorError::RejectedInput(format!("Recruitee rejected the request: {said}")),
        429 => ConnectorError::RateLimited {
            message: "Recruitee's rate limit was exceeded; retry later".into(),
            retry_after: retry,
        },
        500..=599 => ConnectorError::Unavailable {
            message: format!("Recruitee is unavailable (HTTP {})", status.as_u16()),
            retry_after: retry,
        },
        other => ConnectorError::Unexpected(format!("Recruitee answered HTTP {other}: {said}")),
    }
}

async fn check(response: Response) -> Result<Response, ConnectorError> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let retry = retry_after(&response);
    let text = response.text().await.unwrap_or_default();
    Err(classify_status(status, retry, &text))
}

/// The file as raw bytes for the multipart body.
fn raw_bytes(content: &FileContent) -> Result<Bytes, ConnectorError> {
    match content {
        FileContent::Raw(bytes) => Ok(bytes.clone()),
        FileContent::Base64 { encoded, .. } => base64_simd::STANDARD
            .decode_to_vec(encoded)
            .map(Bytes::from)
            .map_err(|_| ConnectorError::RejectedInput("the attachment data is not valid base64".into())),
    }
}

/// The file part; `Bytes` clones share the buffer, so each attempt streams the same memory.
fn file_part(bytes: &Bytes, file_name: &str, content_type: &str) -> reqwest::multipart::Part {
    let part = || {
        reqwest::multipart::Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64)
            .file_name(file_name.to_string())
    };
    part().mime_str(content_type).unwrap_or_else(|_| part())
}

/// The CV's file name: the last path segment of its URL (the candidate has no name field for it).
fn file_name_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.path_segments().and_then(|mut s| s.next_back().map(str::to_string)))
        .map(|segment| percent_encoding::percent_decode_str(&segment).decode_utf8_lossy().into_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "cv".into())
}

fn split_name(name: Option<String>) -> (Option<String>, Option<String>) {
    let Some(name) = name else { return (None, None) };
    match name.trim().split_once(' ') {
        Some((first, last)) => (Some(first.to_string()), Some(last.trim().to_string())),
        None => (Some(name.trim().to_string()), None),
    }
}

#[async_trait]
impl Connector for Recruitee {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let AttachTarget::Candidate { remote_id: candidate_id } = &request.target else {
            return Err(ConnectorError::Unsupported("Recruitee stores attachments on candidates only".into()));
        };
        let bytes = raw_bytes(request.content)?;
        let url = format!("{}/attachments", self.company_url);
        let response = self
            .upstream
            .send(Method::POST, &url, |r| {
                let form = reqwest::multipart::Form::new()
                    .text("attachment[candidate_id]", candidate_id.clone())
                    .part("attachment[file]", file_part(&bytes, request.file_name, request.content_type));
                r.bearer_auth(&self.token).multipart(form)
            })
            .await
            .map_err(unavailable)?;
        let created: RcCreated = check(response)
            .await?
            .json()
            .await
            .map_err(|e| ConnectorError::Unexpected(format!("Recruitee returned an unreadable attachment: {e}")))?;
        let attachment_id = id_text(&created.attachment.id);
        if request.kind != AttachmentType::Cv {
            return Ok(UploadReceipt { remote_id: Some(attachment_id) });
        }
        let url = format!("{}/candidates/{candidate_id}/set_as_cv/{attachment_id}", self.company_url);
        let response =
            self.upstream.send(Method::PATCH, &url, |r| r.bearer_auth(&self.token)).await.map_err(unavailable)?;
        check(response).await?;
        // The promoted CV gets a new id that the answer does not name.
        Ok(UploadReceipt { remote_id: None })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let AttachTarget::Candidate { remote_id: candidate_id } = target else {
            // Placements have no files of their own; their candidate's are the nearest answer.
            let AttachTarget::Application { candidate_remote_id: Some(candidate), .. } = target else {
                return Err(ConnectorError::Unsupported(
                    "Recruitee keeps files on candidates; the application's candidate is unknown".into(),
                ));
            };
            return self.list_attachments(&AttachTarget::Candidate { remote_id: candidate.clone() }).await;
        };
        let listed: RcAttachments = self.get(&format!("/candidates/{candidate_id}/attachments")).await?;
        let mut files: Vec<RemoteAttachment> = listed
            .attachments
            .into_iter()
            .filter_map(|a| {
                Some(RemoteAttachment {
                    remote_id: id_text(&a.id),
                    application_remote_id: None,
                    candidate_remote_id: Some(candidate_id.clone()),
                    file_name: a.filename,
                    kind: AttachmentType::Other,
                    content_type: a.content_type,
                    size: a.size,
                    remote_created_at: a.created_at,
                    remote_updated_at: None,
                    download_ref: a.url?,
                })
            })
            .collect();
        let shown: RcCandidateShow = self.get(&format!("/candidates/{candidate_id}")).await?;
        let candidate = shown.candidate;
        if let Some(url) = candidate.cv_original_url {
            files.push(RemoteAttachment {
                remote_id: format!("cv-{candidate_id}"),
                application_remote_id: None,
                candidate_remote_id: Some(candidate_id.clone()),
                file_name: file_name_of(&url),
                kind: AttachmentType::Cv,
                content_type: None,
                size: None,
                remote_created_at: None,
                remote_updated_at: None,
                download_ref: url,
            });
        }
        Ok(files)
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        // Signed storage URLs: the API token must not travel with them.
        let response = check(self.upstream.send(Method::GET, download_ref, |r| r).await.map_err(unavailable)?).await?;
        let content_type =
            response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let content_length = response.content_length();
        let body =
            futures::StreamExt::boxed(futures::TryStreamExt::map_err(response.bytes_stream(), std::io::Error::other));
        Ok(FileStream { content_type, content_length, body })
    }

    async fn list_jobs(&self, _cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        // The offers list is not paginated.
        let offers: RcOffers = self.get("/offers").await?;
        let items = offers.offers.into_iter().map(|o| RemoteJob { remote_id: id_text(&o.id), name: o.title }).collect();
        Ok(Page { items, next: None })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let (candidates, next) = self.candidates_page(cursor).await?;
        let items = candidates
            .into_iter()
            .map(|c| {
                let (first_name, last_name) = split_name(c.name);
                let id = id_text(&c.id);
                RemoteCandidate {
                    remote_url: Some(format!("https://app.recruitee.com/#/candidates/{id}")),
                    remote_id: id,
                    first_name,
                    last_name,
                    company: None,
                    title: None,
                    confidential: None,
                    source: c.sources.into_iter().next(),
                    emails: c.emails.into_iter().map(|e| (e, None)).collect(),
                    phones: c.phones.into_iter().map(|p| (p, None)).collect(),
                    tags: c.tags,
                    remote_created_at: c.created_at,
                    remote_updated_at: c.updated_at,
                }
            })
            .collect();
        Ok(Page { items, next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let (candidates, next) = self.candidates_page(cursor).await?;
        let items = candidates
            .into_iter()
            .flat_map(|c| {
                let candidate_id = id_text(&c.id);
                c.placements.into_iter().map(move |p| RemoteApplication {
                    remote_id: id_text(&p.id),
                    candidate_remote_id: Some(candidate_id.clone()),
                    job_remote_id: p.offer_id.as_ref().map(id_text),
                    outcome: Some(if p.hired_at.is_some() {
                        Outcome::Hired
                    } else if p.disqualified_at.is_some() {
                        Outcome::Declined
                    } else {
                        Outcome::Pending
                    }),
                    rejection_reason_name: p.disqualify_reason,
                    rejected_at: p.disqualified_at,
                    current_stage: p.stage_id.as_ref().map(|s| RemoteStage {
                        remote_id: id_text(s),
                        name: p.stage_name,
                        index: None,
                    }),
                    source: None,
                    remote_url: None,
                    remote_created_at: p.created_at,
                    remote_updated_at: p.updated_at,
                })
            })
            .collect();
        Ok(Page { items, next })
    }
}
