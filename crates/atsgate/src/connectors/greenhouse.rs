//! Greenhouse, Harvest API v3 (v1/v2 were retired in August 2026).
//!
//! Docs: https://harvestdocs.greenhouse.io/docs/authentication (OAuth2 client credentials,
//! `sub` = the acting Greenhouse user), https://harvestdocs.greenhouse.io/docs/pagination (cursor
//! in `Link: rel="next"`, `per_page` ≤ 500 on the first request only),
//! https://harvestdocs.greenhouse.io/reference/post_v3-attachments (JSON, base64 `content`),
//! https://harvestdocs.greenhouse.io/docs/api-rate-limiting.
//!
//! Choices: v3 keeps files on applications only, so capabilities say "application only" and the
//! action layer sends candidate uploads to the candidate's most recent application. The acting
//! user (`On-Behalf-Of` in Kombo's remote fields) is the token's `sub`, so tokens are cached per
//! user. Any 2xx is success (the status code is not documented).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

pub const DEFAULT_BASE_URL: &str = "https://harvest.greenhouse.io";
pub const DEFAULT_AUTH_URL: &str = "https://auth.greenhouse.io";
const PER_PAGE: u32 = 500;
/// Refresh a cached token this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "greenhouse",
    label: "Greenhouse",
    attach_to_application: true,
    attach_to_candidate: false,
    type_map: &[
        (AttachmentType::Cv, Some("resume")),
        (AttachmentType::CoverLetter, Some("cover_letter")),
        (AttachmentType::Other, Some("other")),
    ],
    max_file_size_bytes: None,
    accepted_mime_types: Some(ACCEPTED_MIME_TYPES),
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/greenhouse/logo.svg",
    rate_limit: None, // v3 numbers are not in the docs we have; paced by its X-RateLimit-* headers
};

/// Greenhouse's documented `content_type` list for attachment uploads.
const ACCEPTED_MIME_TYPES: &[&str] = &[
    "application/atom+xml",
    "application/javascript",
    "application/json",
    "application/msgpack",
    "application/msword",
    "application/pdf",
    "application/rss+xml",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-powerpoint",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/x-yaml",
    "application/zip",
    "multipart/form-data",
    "image/bmp",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "text/calendar",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/plain",
    "text/vcard",
    "video/mpeg",
];

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["client_id", "client_secret", "user_id"],
    build: Greenhouse::build,
};

pub struct Greenhouse {
    base_url: String,
    auth_url: String,
    client_id: String,
    client_secret: String,
    default_user: String,
    upstream: Arc<Upstream>,
    /// Access tokens per acting user (`sub`), with their expiry.
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct GhJob {
    id: serde_json::Value,
    name: Option<String>,
}

#[derive(Deserialize)]
struct GhValue {
    value: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct GhCandidate {
    id: serde_json::Value,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    title: Option<String>,
    is_private: Option<bool>,
    created_at: Option<String>,
    updated_at: Option<String>,
    #[serde(default)]
    email_addresses: Vec<GhValue>,
    #[serde(default)]
    phone_numbers: Vec<GhValue>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct GhNamed {
    id: serde_json::Value,
    name: Option<String>,
}

#[derive(Deserialize)]
struct GhApplication {
    id: serde_json::Value,
    candidate_id: Option<serde_json::Value>,
    job_id: Option<serde_json::Value>,
    status: Option<String>,
    rejected_at: Option<String>,
    created_at: Option<String>,
    applied_at: Option<String>,
    updated_at: Option<String>,
    current_stage: Option<GhNamed>,
    source: Option<GhNamed>,
    rejection_reason: Option<GhNamed>,
}

#[derive(Deserialize)]
struct GhAttachment {
    id: serde_json::Value,
    application_id: Option<serde_json::Value>,
    candidate_id: Option<serde_json::Value>,
    #[serde(rename = "type")]
    kind: Option<String>,
    filename: String,
    url: String,
    content_type: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

impl Greenhouse {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let trim = |s: String| s.trim_end_matches('/').to_string();
        Ok(Arc::new(Greenhouse {
            base_url: trim(settings.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.into())),
            auth_url: trim(settings.auth_url.unwrap_or_else(|| DEFAULT_AUTH_URL.into())),
            client_id: credential(&settings.credentials, "greenhouse", "client_id")?,
            client_secret: credential(&settings.credentials, "greenhouse", "client_secret")?,
            default_user: credential(&settings.credentials, "greenhouse", "user_id")?,
            upstream: settings.upstream,
            tokens: Mutex::new(HashMap::new()),
        }))
    }

    /// A valid access token acting as `user`, from the cache or the token endpoint.
    async fn token(&self, user: &str) -> Result<String, ConnectorError> {
        let mut tokens = self.tokens.lock().await;
        if let Some((token, expires)) = tokens.get(user) {
            if Instant::now() + TOKEN_MARGIN < *expires {
                return Ok(token.clone());
            }
        }
        let url = format!("{}/token", self.auth_url);
        let form = [("grant_type", "client_credentials"), ("sub", user)];
        let response = self
            .upstream
            .send(Method::POST, &url, |r| r.basic_auth(&self.client_id, Some(&self.client_secret)).form(&form))
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if status.is_success() {
            let body: TokenResponse = response
                .json()
                .await
                .map_err(|_| ConnectorError::Unexpected("Greenhouse returned an unreadable token response".into()))?;
            let ttl = Duration::from_secs(body.expires_in.unwrap_or(3600));
            tokens.insert(user.to_string(), (body.access_token.clone(), Instant::now() + ttl));
            return Ok(body.access_token);
        }
        let text = response.text().await.unwrap_or_default();
        Err(match status {
            StatusCode::BAD_REQUEST if text.contains("invalid_grant") => ConnectorError::RejectedInput(format!(
                "Greenhouse does not accept user {user:?} as the acting user (On-Behalf-Of)"
            )),
            StatusCode::UNAUTHORIZED | StatusCode::BAD_REQUEST => {
                ConnectorError::Unauthorized("Greenhouse rejected the integration's client credentials".into())
            }
            _ => classify_status(status, None, &text),
        })
    }

    async fn forget_token(&self, user: &str) {
        self.tokens.lock().await.remove(user);
    }

    /// Sends an authenticated call; on a 401 (a revoked or early-expired cached token) fetches a
    /// fresh token and tries once more.
    async fn call(
        &self,
        method: Method,
        url: &str,
        user: &str,
        body: Option<(&[Bytes], u64)>,
    ) -> Result<Response, ConnectorError> {
        let response = self.attempt(&method, url, user, body).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        self.forget_token(user).await;
        self.attempt(&method, url, user, body).await
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        user: &str,
        body: Option<(&[Bytes], u64)>,
    ) -> Result<Response, ConnectorError> {
        let token = self.token(user).await?;
        self.upstream
            .send(method.clone(), url, |r| {
                let r = r.bearer_auth(&token);
                match body {
                    Some((chunks, len)) => {
                        // Cloning `Bytes` shares the buffers: each attempt streams the same memory.
                        let stream = futures::stream::iter(Vec::from(chunks).into_iter().map(Ok::<_, std::io::Error>));
                        r.header(reqwest::header::CONTENT_TYPE, "application/json")
                            .header(reqwest::header::CONTENT_LENGTH, len)
                            .body(reqwest::Body::wrap_stream(stream))
                    }
                    None => r,
                }
            })
            .await
            .map_err(unavailable)
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        resource: &str,
        cursor: Option<&str>,
    ) -> Result<Page<T>, ConnectorError> {
        let url = match cursor {
            Some(next) => next.to_string(),
            None => format!("{}/v3/{resource}?per_page={PER_PAGE}", self.base_url),
        };
        let response = self.call(Method::GET, &url, &self.default_user, None).await?;
        let response = check(response).await?;
        let next =
            response.headers().get(reqwest::header::LINK).and_then(|v| v.to_str().ok()).and_then(link::next_link);
        let items: Vec<T> = response.json().await.map_err(|e| {
            ConnectorError::Unexpected(format!("Greenhouse returned an unreadable {resource} page: {e}"))
        })?;
        Ok(Page { items, next })
    }
}

fn unavailable(err: SendError) -> ConnectorError {
    super::send_failure("Greenhouse", err)
}

#[derive(Deserialize)]
struct GhErrorBody {
    message: Option<String>,
    #[serde(default)]
    errors: Vec<GhFieldError>,
}

#[derive(Deserialize)]
struct GhFieldError {
    message: Option<String>,
    field: Option<String>,
}

/// The vendor's own words from `{"message","errors":[{"message","field"}]}`.
fn vendor_message(text: &str) -> String {
    let Ok(body) = serde_json::from_str::<GhErrorBody>(text) else {
        return text.chars().take(300).collect();
    };
    let details: Vec<String> = body
        .errors
        .iter()
        .filter_map(|e| match (&e.field, &e.message) {
            (Some(f), Some(m)) => Some(format!("{f}: {m}")),
            (None, Some(m)) => Some(m.clone()),
            _ => None,
        })
        .collect();
    match (body.message, details.is_empty()) {
        (Some(m), true) => m,
        (Some(m), false) => format!("{m}: {}", details.join("; ")),
        (None, _) => details.join("; "),
    }
}

fn classify_status(status: StatusCode, retry: Option<Duration>, text: &str) -> ConnectorError {
    classify_http("Greenhouse", status, retry, &vendor_message(text))
}

/// Passes a 2xx response through; turns anything else into a classified error.
async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, retry_after, classify_status).await
}

/// Greenhouse takes integer ids; send the number when the remote id is one.
fn json_id(remote_id: &str) -> serde_json::Value {
    remote_id.parse::<u64>().map(serde_json::Value::from).unwrap_or_else(|_| remote_id.into())
}

#[async_trait]
impl Connector for Greenhouse {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let AttachTarget::Application { remote_id, .. } = &request.target else {
            return Err(ConnectorError::Unsupported("Greenhouse stores attachments on applications only".into()));
        };
        let kind = CAPABILITIES.vendor_type(request.kind).ok_or_else(|| {
            ConnectorError::Unsupported(format!("Greenhouse cannot store {} files", request.kind.as_str()))
        })?;
        // The JSON is assembled around the base64 so the (large) content is never copied again.
        let head = serde_json::json!({
            "application_id": json_id(remote_id),
            "filename": request.file_name,
            "type": kind,
            "content_type": request.content_type,
        });
        let mut head = serde_json::to_vec(&head).map_err(|e| ConnectorError::Unexpected(e.to_string()))?;
        head.pop(); // the closing brace
        head.extend_from_slice(b",\"content\":\"");
        let content = request.content.to_base64();
        let chunks = [Bytes::from(head), content, Bytes::from_static(b"\"}")];
        let len = chunks.iter().map(|c| c.len() as u64).sum();
        let user = request.options.greenhouse_on_behalf_of.as_deref().unwrap_or(&self.default_user);
        let url = format!("{}/v3/attachments", self.base_url);
        let response = check(self.call(Method::POST, &url, user, Some((&chunks, len))).await?).await?;
        let created: Option<serde_json::Value> = response.json().await.ok();
        let remote_id = created.as_ref().and_then(|v| v.get("id")).map(id_text);
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let filter = match target {
            AttachTarget::Application { remote_id, .. } => format!("application_ids={remote_id}"),
            AttachTarget::Candidate { remote_id } => format!("candidate_ids={remote_id}"),
        };
        let mut url = Some(format!("{}/v3/attachments?per_page={PER_PAGE}&{filter}", self.base_url));
        let mut found = Vec::new();
        while let Some(next) = url.take() {
            let page: Page<GhAttachment> = self.list("attachments", Some(&next)).await?;
            url = page.next;
            found.extend(page.items.into_iter().map(|a| RemoteAttachment {
                remote_id: id_text(&a.id),
                application_remote_id: a.application_id.as_ref().map(id_text),
                candidate_remote_id: a.candidate_id.as_ref().map(id_text),
                kind: match a.kind.as_deref() {
                    Some("resume") => AttachmentType::Cv,
                    Some("cover_letter") => AttachmentType::CoverLetter,
                    _ => AttachmentType::Other,
                },
                file_name: a.filename,
                content_type: a.content_type,
                size: None,
                remote_created_at: a.created_at,
                remote_updated_at: a.updated_at,
                download_ref: a.url,
            }));
        }
        Ok(found)
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        // Greenhouse hands out presigned URLs: no Authorization header may be sent with them.
        let response = check(self.upstream.send(Method::GET, download_ref, |r| r).await.map_err(unavailable)?).await?;
        Ok(file_stream(response))
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page: Page<GhJob> = self.list("jobs", cursor).await?;
        Ok(Page {
            items: page.items.into_iter().map(|j| RemoteJob { remote_id: id_text(&j.id), name: j.name }).collect(),
            next: page.next,
        })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page: Page<GhCandidate> = self.list("candidates", cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|c| RemoteCandidate {
                remote_id: id_text(&c.id),
                remote_url: Some(format!("https://app.greenhouse.io/people/{}", id_text(&c.id))),
                first_name: c.first_name,
                last_name: c.last_name,
                company: c.company,
                title: c.title,
                confidential: c.is_private,
                source: None,
                emails: c.email_addresses.into_iter().map(|e| (e.value, e.kind)).collect(),
                phones: c.phone_numbers.into_iter().map(|p| (p.value, p.kind)).collect(),
                tags: c.tags,
                remote_created_at: c.created_at,
                remote_updated_at: c.updated_at,
            })
            .collect();
        Ok(Page { items, next: page.next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page: Page<GhApplication> = self.list("applications", cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|a| {
                let candidate_remote_id = a.candidate_id.as_ref().map(id_text);
                RemoteApplication {
                    remote_id: id_text(&a.id),
                    remote_url: candidate_remote_id
                        .as_ref()
                        .map(|c| format!("https://app.greenhouse.io/people/{c}?application_id={}", id_text(&a.id))),
                    candidate_remote_id,
                    job_remote_id: a.job_id.as_ref().map(id_text),
                    outcome: match a.status.as_deref() {
                        Some("active") => Some(Outcome::Pending),
                        Some("hired") => Some(Outcome::Hired),
                        Some("rejected") => Some(Outcome::Declined),
                        _ => None,
                    },
                    rejection_reason_name: a.rejection_reason.and_then(|r| r.name),
                    rejected_at: a.rejected_at,
                    current_stage: a.current_stage.map(|s| RemoteStage {
                        remote_id: id_text(&s.id),
                        name: s.name,
                        index: None,
                    }),
                    source: a.source.and_then(|s| s.name),
                    remote_created_at: a.created_at.or(a.applied_at),
                    remote_updated_at: a.updated_at,
                }
            })
            .collect();
        Ok(Page { items, next: page.next })
    }
}
