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
    rate_limit: None, // undocumented
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
    // Refused connections are certain failures; a timeout or a broken connection is ambiguous,
    // which makes the action layer check the ATS before retrying an upload.
    super::send_failure("Recruitee", err)
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
        // The company id is part of every path, so a 404 may mean the company, not the record.
        404 => ConnectorError::NotFound(format!("Recruitee could not find the record or company: {said}")),
        _ => classify_http("Recruitee", status, retry, &said),
    }
}

async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, retry_after, classify_status).await
}

/// The CV's file name: the last path segment of its URL (the candidate has no name field for it).
fn file_name_of(url: &str) -> String {
    url_file_name(url).unwrap_or_else(|| "cv".into())
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
        Ok(file_stream(response))
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
                let (first_name, last_name) = split_first_space(c.name);
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
