//! Lever (API v1, API-key integrations).
//!
//! Docs: https://hire.lever.co/developer/documentation — §Authentication (HTTP Basic, the API key
//! as username and a blank password), §Pagination / §Lists (`limit` 1–100, opaque `offset`
//! token, body `{data, next, hasNext}`), §Opportunities (list filters, `expand`), §Applications,
//! §Files ("Upload a single file": multipart `file`, `perform_as` required, 30 MB), §Postings,
//! §Rate Limits (token bucket, 429), §Responses and Errors (`{"code","message"}`).
//! Summary used: /work/shared/spec/ats-apis.md §2.
//!
//! Model: a Lever Opportunity is one candidacy of a Contact (the person) with at most one
//! application, so Kombo applications are opportunities and Kombo candidates are contacts.
//! Files live on opportunities; there is no contact-level file endpoint, so capabilities say
//! "application only" and the action layer sends candidate uploads to the most recent
//! opportunity (with a warning).
//!
//! UNCERTAIN points and the choices made:
//! * Upload success status: the docs' general rule says 201; any 2xx is accepted.
//! * Missing/unknown `perform_as`: undocumented failure; a 400 is classified as rejected input.
//! * Rate limits: no headers are documented; `Retry-After` is honoured if present, otherwise the
//!   shared upstream backoff applies.
//! * Lever has no file type: every Kombo type is uploaded as a plain opportunity file (`file`).
//!   Resumes are read-only in the API (only settable when creating an opportunity). Reading
//!   back, `/resumes` entries are CV and `/files` entries OTHER, so a CV uploaded through the
//!   gateway reads back as OTHER: nothing on a Lever file records the type it was sent as, and
//!   calling every file a CV would mislabel the offer letters and notes people attach in Lever.
//!   (`FILES_KIND` is the one switch if CV is preferred.)
//! * Accepted formats: the docs list docx, doc, js, jpg, png, pdf, txt as "supported" for files
//!   in requests; declared as the accepted MIME types.
//! * There is no list of contacts: candidates are read from `GET /opportunities` and deduplicated
//!   by contact id over one pass of the list (the set resets on the first page; the sync runs one
//!   pass per integration at a time).
//! * Outcome: Lever's archive reasons carry hired/non-hired in a separate list that is not read;
//!   an archived opportunity is reported as DECLINED, an active one as PENDING.
//! * Only non-confidential opportunities are listed (Lever's default `confidentiality`), since
//!   confidential ones need an extra permission on the key.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

pub const DEFAULT_BASE_URL: &str = "https://api.lever.co";
const PAGE_LIMIT: u32 = 100;
/// "The request file size is limited to 30MB".
const MAX_FILE_BYTES: u64 = 30 * 1024 * 1024;
/// Lever has no file types; this is the name the emulator records for opportunity files.
pub const FILE_TYPE: &str = "file";
/// How an (untyped) opportunity file reads back: Lever keeps CVs apart (`/resumes`), so a plain
/// file is OTHER. This is why an uploaded CV reads back as OTHER (see the module comment).
const FILES_KIND: AttachmentType = AttachmentType::Other;

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "lever",
    label: "Lever",
    attach_to_application: true,
    attach_to_candidate: false,
    type_map: &[
        (AttachmentType::Cv, Some(FILE_TYPE)),
        (AttachmentType::CoverLetter, Some(FILE_TYPE)),
        (AttachmentType::Other, Some(FILE_TYPE)),
    ],
    max_file_size_bytes: Some(MAX_FILE_BYTES),
    accepted_mime_types: Some(ACCEPTED_MIME_TYPES),
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/lever/logo.svg",
    rate_limit: Some(crate::upstream::RateLimit { per_second: 10.0, burst: 20 }), // "10 requests per second, bursts to 20"
};

/// docx, doc, js, jpg, png, pdf, txt (§Supported File Formats).
const ACCEPTED_MIME_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/plain",
    "image/jpeg",
    "image/png",
    "application/javascript",
    "text/javascript",
];

pub const ENTRY: ToolEntry =
    ToolEntry { capabilities: &CAPABILITIES, required_credentials: &["api_key", "user_id"], build: Lever::build };

pub struct Lever {
    base_url: String,
    api_key: String,
    /// The Lever user UID sent as `perform_as` on writes.
    user_id: String,
    upstream: Arc<Upstream>,
    /// Contacts already emitted during the current pass over the candidate list.
    seen_contacts: Mutex<HashSet<String>>,
}

/// Lever's list envelope.
#[derive(Deserialize)]
struct LvList<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
    next: Option<String>,
    #[serde(default, rename = "hasNext")]
    has_next: bool,
}

#[derive(Deserialize)]
struct LvOne<T> {
    data: T,
}

#[derive(Deserialize)]
struct LvPosting {
    id: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct LvPhone {
    value: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LvArchived {
    archived_at: Option<i64>,
}

#[derive(Deserialize)]
struct LvUrls {
    show: Option<String>,
}

/// `stage` is an id, or `{id, text}` with `expand=stage`.
#[derive(Deserialize)]
#[serde(untagged)]
enum LvStage {
    Expanded { id: String, text: Option<String> },
    Id(String),
}

/// An application is an id, or an object with `expand=applications`.
#[derive(Deserialize)]
#[serde(untagged)]
enum LvApplication {
    Expanded { posting: Option<String> },
    Id(#[allow(dead_code)] String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LvOpportunity {
    id: String,
    name: Option<String>,
    headline: Option<String>,
    contact: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<LvPhone>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    confidentiality: Option<String>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
    stage: Option<LvStage>,
    archived: Option<LvArchived>,
    #[serde(default)]
    applications: Vec<LvApplication>,
    urls: Option<LvUrls>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LvFile {
    id: String,
    name: Option<String>,
    uploaded_at: Option<serde_json::Value>,
    size: Option<serde_json::Value>,
}

/// The file part of a resume (no id of its own).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LvResumeFile {
    name: Option<String>,
    uploaded_at: Option<serde_json::Value>,
    size: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LvResume {
    id: String,
    created_at: Option<serde_json::Value>,
    file: Option<LvResumeFile>,
}

#[derive(Deserialize)]
struct LvError {
    code: Option<String>,
    message: Option<String>,
}

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
fn split_name(name: Option<&str>) -> (Option<String>, Option<String>) {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => (None, None),
        Some(full) => match full.rsplit_once(' ') {
            Some((first, last)) => (Some(first.trim().to_string()), Some(last.to_string())),
            None => (Some(full.to_string()), None),
        },
    }
}

fn unavailable(err: SendError) -> ConnectorError {
    // Refused connections are certain failures; a timeout or a broken connection is ambiguous,
    // which makes the action layer check the ATS before retrying an upload.
    super::send_failure("Lever", err)
}

fn vendor_message(text: &str) -> String {
    match serde_json::from_str::<LvError>(text) {
        Ok(LvError { code, message: Some(m) }) => match code {
            Some(c) => format!("{c}: {m}"),
            None => m,
        },
        Ok(LvError { code: Some(c), message: None }) => c,
        _ => text.chars().take(300).collect(),
    }
}

fn classify_status(status: StatusCode, retry: Option<Duration>, text: &str) -> ConnectorError {
    classify_http("Lever", status, retry, &vendor_message(text))
}

/// Passes a 2xx response through; turns anything else into a classified error.
async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, retry_after, classify_status).await
}

impl Lever {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let base_url = settings.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(Lever {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: credential(&settings.credentials, "lever", "api_key")?,
            user_id: credential(&settings.credentials, "lever", "user_id")?,
            upstream: settings.upstream,
            seen_contacts: Mutex::new(HashSet::new()),
        }))
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}/v1/{path}", self.base_url);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&url::form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish());
        }
        url
    }

    async fn get(&self, url: &str) -> Result<Response, ConnectorError> {
        let response = self
            .upstream
            .send(Method::GET, url, |r| r.basic_auth(&self.api_key, Some("")))
            .await
            .map_err(unavailable)?;
        check(response).await
    }

    /// One page of a Lever list; the continuation is Lever's own `offset` token.
    async fn page<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        cursor: Option<&str>,
    ) -> Result<Page<T>, ConnectorError> {
        let limit = PAGE_LIMIT.to_string();
        let mut pairs: Vec<(&str, &str)> = vec![("limit", &limit)];
        pairs.extend_from_slice(query);
        if let Some(offset) = cursor {
            pairs.push(("offset", offset));
        }
        let response = self.get(&self.url(path, &pairs)).await?;
        let list: LvList<T> = response
            .json()
            .await
            .map_err(|e| ConnectorError::Unexpected(format!("Lever returned an unreadable {path} page: {e}")))?;
        let next = list.next.filter(|n| list.has_next && !n.is_empty());
        Ok(Page { items: list.data, next })
    }

    /// Every page of one opportunity list (`files` or `resumes`).
    async fn all_pages<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, ConnectorError> {
        let mut found = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page: Page<T> = self.page(path, &[], cursor.as_deref()).await?;
            found.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(found),
            }
        }
    }

    /// The opportunity's resumes (CV) and files (untyped, so OTHER).
    async fn opportunity_files(
        &self,
        opportunity: &str,
        contact: Option<&str>,
    ) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let resumes: Vec<LvResume> = self.all_pages(&format!("opportunities/{opportunity}/resumes")).await?;
        let files: Vec<LvFile> = self.all_pages(&format!("opportunities/{opportunity}/files")).await?;
        let listed = resumes
            .into_iter()
            .map(|r| {
                let file = r.file.unwrap_or_default();
                (AttachmentType::Cv, "resumes", r.id, file.name, file.uploaded_at.or(r.created_at), file.size)
            })
            .chain(files.into_iter().map(|f| (FILES_KIND, "files", f.id, f.name, f.uploaded_at, f.size)));
        Ok(listed
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
            .collect())
    }

    fn candidate_of(o: &LvOpportunity, contact: String) -> RemoteCandidate {
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

    fn application_of(o: LvOpportunity) -> RemoteApplication {
        let job_remote_id = o.applications.iter().find_map(|a| match a {
            LvApplication::Expanded { posting } => posting.clone(),
            LvApplication::Id(_) => None,
        });
        let archived_at = o.archived.as_ref().map(|a| ms_to_rfc3339(a.archived_at));
        RemoteApplication {
            remote_url: o
                .urls
                .and_then(|u| u.show)
                .or_else(|| Some(format!("https://hire.lever.co/candidates/{}", o.id))),
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
}

#[async_trait]
impl Connector for Lever {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let AttachTarget::Application { remote_id, .. } = &request.target else {
            return Err(ConnectorError::Unsupported("Lever stores files on opportunities (applications) only".into()));
        };
        let bytes = match request.content {
            FileContent::Raw(raw) => raw.clone(),
            FileContent::Base64 { encoded, .. } => Bytes::from(
                base64_simd::STANDARD
                    .decode_to_vec(encoded)
                    .map_err(|_| ConnectorError::RejectedInput("the attachment data is not valid base64".into()))?,
            ),
        };
        let url = self.url(&format!("opportunities/{remote_id}/files"), &[("perform_as", &self.user_id)]);
        let response = self
            .upstream
            .send(Method::POST, &url, |r| {
                let form = reqwest::multipart::Form::new()
                    .part("file", file_part(&bytes, request.file_name, request.content_type));
                r.basic_auth(&self.api_key, Some("")).multipart(form)
            })
            .await
            .map_err(unavailable)?;
        let response = check(response).await?;
        let created: Option<LvOne<LvFile>> = response.json().await.ok();
        Ok(UploadReceipt { remote_id: created.map(|c| c.data.id) })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        match target {
            AttachTarget::Application { remote_id, candidate_remote_id } => {
                self.opportunity_files(remote_id, candidate_remote_id.as_deref()).await
            }
            AttachTarget::Candidate { remote_id } => {
                let mut found = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let page: Page<LvOpportunity> =
                        self.page("opportunities", &[("contact_id", remote_id)], cursor.as_deref()).await?;
                    for opportunity in &page.items {
                        found.extend(self.opportunity_files(&opportunity.id, Some(remote_id)).await?);
                    }
                    match page.next {
                        Some(next) => cursor = Some(next),
                        None => return Ok(found),
                    }
                }
            }
        }
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        let mut parts = download_ref.splitn(3, '/');
        let (Some(list @ ("files" | "resumes")), Some(opportunity), Some(id)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ConnectorError::NotFound(format!("not a Lever file reference: {download_ref}")));
        };
        let response = self.get(&self.url(&format!("opportunities/{opportunity}/{list}/{id}/download"), &[])).await?;
        Ok(file_stream(response))
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page: Page<LvPosting> = self.page("postings", &[], cursor).await?;
        Ok(Page {
            items: page.items.into_iter().map(|p| RemoteJob { remote_id: p.id, name: p.text }).collect(),
            next: page.next,
        })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page: Page<LvOpportunity> = self.page("opportunities", &[], cursor).await?;
        let mut seen = self.seen_contacts.lock().unwrap_or_else(|e| e.into_inner());
        if cursor.is_none() {
            seen.clear();
        }
        let items = page
            .items
            .iter()
            .filter_map(|o| {
                let contact = o.contact.clone()?;
                seen.insert(contact.clone()).then(|| Self::candidate_of(o, contact))
            })
            .collect();
        if page.next.is_none() {
            // The pass is over; free the memory.
            seen.clear();
        }
        Ok(Page { items, next: page.next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page: Page<LvOpportunity> =
            self.page("opportunities", &[("expand", "applications"), ("expand", "stage")], cursor).await?;
        Ok(Page { items: page.items.into_iter().map(Self::application_of).collect(), next: page.next })
    }
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

    #[test]
    fn error_bodies_keep_lever_words() {
        let e = classify_status(
            StatusCode::BAD_REQUEST,
            None,
            r#"{"code":"BadRequestError","message":"perform_as is required"}"#,
        );
        assert!(matches!(e, ConnectorError::RejectedInput(m) if m.contains("perform_as is required")));
    }
}
