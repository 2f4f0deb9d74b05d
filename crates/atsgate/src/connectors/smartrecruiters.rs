//! SmartRecruiters Customer API (API-key integrations).
//!
//! Docs: https://developers.smartrecruiters.com/docs/rate-limiting (10 req/s, 8 concurrent, 1
//! concurrent on `GET /candidates`, `X-RateLimit-*` / `X-RateLimit-Concurrent-*`, 429),
//! https://dev.smartrecruiters.com/customer-api/candidate-api__trashed/endpoints/candidates-attachments-list/
//! (the `Attachment` shape with `actions.download`), and the public generated clients summarised
//! in /work/shared/spec/ats-apis.md §4: `X-SmartToken` header, multipart `attachmentType` + `file`
//! on `POST /candidates/{id}/attachments` and `POST /candidates/{id}/jobs/{jobId}/attachments`
//! (201), `GET /candidates?limit=..&pageId=..` (limit ≤ 100, cursor from `nextPageId`),
//! `ErrorResponse {message, errors:[{code, message}]}`.
//!
//! Choices on the points ats-apis.md marks UNCERTAIN:
//! - The `attachmentType` enum is only partly public (`GENERIC_FILE`, `RESUME`, `AVATAR` seen):
//!   a cover letter is sent as `COVER_LETTER`, other files as `GENERIC_FILE` (the default).
//! - Size and type limits of these endpoints are not documented: none are declared.
//! - `Retry-After` is not documented on 429: it is honoured when present; without it the shared
//!   upstream backoff applies.
//! - SmartRecruiters has no application object or list: an application is a candidate's
//!   assignment to a job. Its remote id here is `{candidateId}:{jobId}`, and applications are
//!   listed by paging through `GET /candidates` and expanding each candidate's primary and
//!   secondary assignments.
//! - Download links (`actions.download.url`) are API URLs that need the `X-SmartToken`; the token
//!   is only sent when the link points at the configured API origin.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::{multipart, Method, Response, StatusCode};
use serde::Deserialize;

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

pub const DEFAULT_BASE_URL: &str = "https://api.smartrecruiters.com";
/// The documented maximum of `limit` on list endpoints.
const PAGE_LIMIT: u32 = 100;
/// Joins candidate and job ids into one application remote id.
const APPLICATION_ID_SEPARATOR: char = ':';

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "smartrecruiters",
    label: "SmartRecruiters",
    attach_to_application: true,
    attach_to_candidate: true,
    type_map: &[
        (AttachmentType::Cv, Some("RESUME")),
        (AttachmentType::CoverLetter, Some("COVER_LETTER")),
        (AttachmentType::Other, Some("GENERIC_FILE")),
    ],
    max_file_size_bytes: None,
    accepted_mime_types: None,
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/smartrecruiters/logo.svg",
    rate_limit: Some(crate::upstream::RateLimit { per_second: 10.0, burst: 10 }), // 10 requests per second
};

pub const ENTRY: ToolEntry =
    ToolEntry { capabilities: &CAPABILITIES, required_credentials: &["api_key"], build: SmartRecruiters::build };

pub struct SmartRecruiters {
    base_url: String,
    api_key: String,
    upstream: Arc<Upstream>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrPage<T> {
    #[serde(default = "Vec::new")]
    content: Vec<T>,
    next_page_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrJob {
    id: String,
    title: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrJobRef {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrAssignment {
    job: Option<SrJobRef>,
    status: Option<String>,
    sub_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrSource {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrCandidate {
    id: String,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
    created_on: Option<String>,
    updated_on: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    source: Option<SrSource>,
    primary_assignment: Option<SrAssignment>,
    #[serde(default)]
    secondary_assignments: Vec<SrAssignment>,
}

#[derive(Deserialize)]
struct SrLink {
    url: String,
}

#[derive(Deserialize)]
struct SrActions {
    download: Option<SrLink>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrAttachment {
    id: String,
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    content_type: Option<String>,
    job_id: Option<String>,
    created_on: Option<String>,
    actions: Option<SrActions>,
}

#[derive(Deserialize)]
struct SrErrorBody {
    message: Option<String>,
    #[serde(default)]
    errors: Vec<SrError>,
}

#[derive(Deserialize)]
struct SrError {
    code: Option<String>,
    message: Option<String>,
}

fn split_application_id(remote_id: &str) -> Option<(&str, &str)> {
    remote_id.split_once(APPLICATION_ID_SEPARATOR).filter(|(c, j)| !c.is_empty() && !j.is_empty())
}

fn application_id(candidate: &str, job: &str) -> String {
    format!("{candidate}{APPLICATION_ID_SEPARATOR}{job}")
}

fn outcome(status: Option<&str>) -> Option<Outcome> {
    match status? {
        "HIRED" => Some(Outcome::Hired),
        "REJECTED" | "WITHDRAWN" => Some(Outcome::Declined),
        _ => Some(Outcome::Pending),
    }
}

fn unavailable(err: SendError) -> ConnectorError {
    // Refused connections are certain failures; a timeout or a broken connection is ambiguous,
    // which makes the action layer check the ATS before retrying an upload.
    super::send_failure("SmartRecruiters", err)
}

/// The vendor's words from `{"message","errors":[{"code","message"}]}`.
fn vendor_message(text: &str) -> String {
    let Ok(body) = serde_json::from_str::<SrErrorBody>(text) else {
        return text.chars().take(300).collect();
    };
    let details: Vec<String> = body
        .errors
        .iter()
        .filter_map(|e| match (&e.code, &e.message) {
            (Some(c), Some(m)) => Some(format!("{c}: {m}")),
            (None, Some(m)) => Some(m.clone()),
            _ => None,
        })
        .collect();
    match (body.message, details.is_empty()) {
        (Some(m), true) => m,
        (Some(m), false) => format!("{m} ({})", details.join("; ")),
        (None, _) => details.join("; "),
    }
}

fn classify_status(status: StatusCode, retry: Option<Duration>, text: &str) -> ConnectorError {
    match status.as_u16() {
        // SmartRecruiters also answers 429 when too many calls run at once, not only per window.
        429 => ConnectorError::RateLimited {
            message: "SmartRecruiters' rate or concurrency limit was exceeded; retry later".into(),
            retry_after: retry,
        },
        _ => classify_http("SmartRecruiters", status, retry, &vendor_message(text)),
    }
}

async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, retry_after, classify_status).await
}

impl SmartRecruiters {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let api_key = credential(&settings.credentials, "smartrecruiters", "api_key")?;
        let base_url = settings.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.into()).trim_end_matches('/').to_string();
        Ok(Arc::new(SmartRecruiters { base_url, api_key, upstream: settings.upstream }))
    }

    async fn get(&self, url: &str) -> Result<Response, ConnectorError> {
        let response = self
            .upstream
            .send(Method::GET, url, |r| r.header("X-SmartToken", &self.api_key))
            .await
            .map_err(unavailable)?;
        check(response).await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str, what: &str) -> Result<T, ConnectorError> {
        self.get(url)
            .await?
            .json()
            .await
            .map_err(|e| ConnectorError::Unexpected(format!("SmartRecruiters returned an unreadable {what}: {e}")))
    }

    async fn page<T: serde::de::DeserializeOwned>(
        &self,
        resource: &str,
        cursor: Option<&str>,
    ) -> Result<SrPage<T>, ConnectorError> {
        let mut url = format!("{}/{resource}?limit={PAGE_LIMIT}", self.base_url);
        if let Some(page_id) = cursor {
            url.push_str("&pageId=");
            url.push_str(
                &percent_encoding::utf8_percent_encode(page_id, percent_encoding::NON_ALPHANUMERIC).to_string(),
            );
        }
        self.get_json(&url, resource).await
    }

    /// The upload URL and, for readability in errors, what the file goes to.
    fn upload_url(&self, target: &AttachTarget) -> Result<String, ConnectorError> {
        match target {
            AttachTarget::Candidate { remote_id } => {
                Ok(format!("{}/candidates/{}/attachments", self.base_url, segment(remote_id)))
            }
            AttachTarget::Application { remote_id, candidate_remote_id } => {
                let (candidate, job) = split_application_id(remote_id)
                    .map(|(c, j)| (c.to_string(), j.to_string()))
                    .or_else(|| candidate_remote_id.clone().map(|c| (c, remote_id.clone())))
                    .ok_or_else(|| {
                        ConnectorError::NotFound(format!("{remote_id:?} is not a SmartRecruiters application id"))
                    })?;
                Ok(format!("{}/candidates/{}/jobs/{}/attachments", self.base_url, segment(&candidate), segment(&job)))
            }
        }
    }

    /// Whether a download link may receive the API key (only links on the API origin).
    fn same_origin(&self, link: &str) -> bool {
        match (url::Url::parse(link), url::Url::parse(&self.base_url)) {
            (Ok(a), Ok(b)) => a.origin() == b.origin(),
            _ => false,
        }
    }
}

/// Raw file bytes: SmartRecruiters takes a multipart file, never base64.
fn raw_bytes(content: &FileContent) -> Result<Bytes, ConnectorError> {
    super::raw_bytes(content)
        .map_err(|_| ConnectorError::Unexpected("the attachment's base64 could not be decoded".into()))
}

#[async_trait]
impl Connector for SmartRecruiters {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let kind = CAPABILITIES.vendor_type(request.kind).ok_or_else(|| {
            ConnectorError::Unsupported(format!("SmartRecruiters cannot store {} files", request.kind.as_str()))
        })?;
        let url = self.upload_url(&request.target)?;
        let bytes = raw_bytes(request.content)?;
        let response = self
            .upstream
            .send(Method::POST, &url, |r| {
                let form = multipart::Form::new()
                    .text("attachmentType", kind)
                    .part("file", file_part(&bytes, request.file_name, request.content_type));
                r.header("X-SmartToken", &self.api_key).multipart(form)
            })
            .await
            .map_err(unavailable)?;
        let response = check(response).await?;
        let created: Option<SrAttachment> = response.json().await.ok();
        Ok(UploadReceipt { remote_id: created.map(|a| a.id) })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let (url, candidate, job) = match target {
            AttachTarget::Candidate { remote_id } => {
                (format!("{}/candidates/{}/attachments", self.base_url, segment(remote_id)), remote_id.clone(), None)
            }
            AttachTarget::Application { remote_id, .. } => {
                let post = self.upload_url(target)?;
                let (candidate, job) = split_application_id(remote_id)
                    .map(|(c, j)| (c.to_string(), Some(j.to_string())))
                    .unwrap_or_default();
                (post, candidate, job)
            }
        };
        let page: SrPage<SrAttachment> = self.get_json(&url, "attachment list").await?;
        Ok(page
            .content
            .into_iter()
            .filter(|a| a.kind.as_deref() != Some("AVATAR"))
            .map(|a| {
                let job_id = a.job_id.or_else(|| job.clone());
                RemoteAttachment {
                    download_ref: a.actions.and_then(|x| x.download).map(|d| d.url).unwrap_or_else(|| {
                        format!("{}/candidates/{}/attachments/{}", self.base_url, segment(&candidate), segment(&a.id))
                    }),
                    remote_id: a.id,
                    application_remote_id: job_id.map(|j| application_id(&candidate, &j)),
                    candidate_remote_id: Some(candidate.clone()),
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
            })
            .collect())
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        let response = if self.same_origin(download_ref) {
            self.get(download_ref).await?
        } else {
            check(self.upstream.send(Method::GET, download_ref, |r| r).await.map_err(unavailable)?).await?
        };
        Ok(file_stream(response))
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page: SrPage<SrJob> = self.page("jobs", cursor).await?;
        Ok(Page {
            items: page.content.into_iter().map(|j| RemoteJob { remote_id: j.id, name: j.title }).collect(),
            next: page.next_page_id,
        })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page: SrPage<SrCandidate> = self.page("candidates", cursor).await?;
        let items = page
            .content
            .into_iter()
            .map(|c| RemoteCandidate {
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
            })
            .collect();
        Ok(Page { items, next: page.next_page_id })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page: SrPage<SrCandidate> = self.page("candidates", cursor).await?;
        let mut items = Vec::new();
        for candidate in page.content {
            let assignments = candidate.primary_assignment.into_iter().chain(candidate.secondary_assignments);
            for assignment in assignments {
                let Some(job) = assignment.job else { continue };
                let remote_id = application_id(&candidate.id, &job.id);
                items.push(RemoteApplication {
                    remote_url: Some(format!(
                        "https://www.smartrecruiters.com/app/people/candidates/{}/jobs/{}",
                        candidate.id, job.id
                    )),
                    remote_id,
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
                });
            }
        }
        Ok(Page { items, next: page.next_page_id })
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

    #[test]
    fn vendor_message_joins_codes() {
        let text = r#"{"message":"Bad","errors":[{"code":"INVALID","message":"file is required"}]}"#;
        assert_eq!(vendor_message(text), "Bad (INVALID: file is required)");
    }
}
