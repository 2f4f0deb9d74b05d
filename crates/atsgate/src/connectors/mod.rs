//! Connectors: one per ATS, behind one trait. Each declares its capabilities; the action layer
//! decides fallbacks from them. Connectors speak their vendor's wire format through the shared
//! `upstream` client and classify vendor failures into `ConnectorError`.

pub mod ashby;
pub mod greenhouse;
pub mod lever;
pub mod oraclerecruiting;
pub mod recruitee;
pub mod smartrecruiters;
pub mod teamtailor;
pub mod workable;
// (new connector modules above this line)
pub mod error;
pub mod kit;

pub use error::{ConnectorError, FailureKind, PaginationError, VendorError};

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use async_trait::async_trait;
use bytes::Bytes;

use crate::upstream::Upstream;

/// Kombo's attachment types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttachmentType {
    Cv,
    CoverLetter,
    Other,
}

impl AttachmentType {
    pub const ALL: [AttachmentType; 3] = [AttachmentType::Cv, AttachmentType::CoverLetter, AttachmentType::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentType::Cv => "CV",
            AttachmentType::CoverLetter => "COVER_LETTER",
            AttachmentType::Other => "OTHER",
        }
    }
}

/// What a connector can do, declared once; drives fallbacks, restrictions and docs.
#[derive(Debug)]
pub struct Capabilities {
    pub tool: &'static str,
    pub label: &'static str,
    pub attach_to_application: bool,
    pub attach_to_candidate: bool,
    /// Vendor type name per Kombo type; `None` = that type cannot be uploaded.
    pub type_map: &'static [(AttachmentType, Option<&'static str>)],
    pub max_file_size_bytes: Option<u64>,
    pub accepted_mime_types: Option<&'static [&'static str]>,
    pub logo_url: &'static str,
    /// The vendor's documented request rate, paced per integration so we do not provoke 429s;
    /// `None` where undocumented (the rate-limit headers the ATS sends still pace us).
    pub rate_limit: Option<crate::upstream::RateLimit>,
}

impl Capabilities {
    pub fn vendor_type(&self, kind: AttachmentType) -> Option<&'static str> {
        self.type_map.iter().find(|(k, _)| *k == kind).and_then(|(_, v)| *v)
    }
}

/// Where the file goes, in remote ids.
#[derive(Debug, Clone)]
pub enum AttachTarget {
    Application { remote_id: String, candidate_remote_id: Option<String> },
    Candidate { remote_id: String },
}

/// File bytes as the gateway holds them: already-valid standard base64 (forwarded untouched to
/// vendors that take base64) or raw bytes (from a `data_url` download).
#[derive(Debug, Clone)]
pub enum FileContent {
    Base64 { encoded: Bytes, decoded_len: u64 },
    Raw(Bytes),
}

impl FileContent {
    pub fn len(&self) -> u64 {
        match self {
            FileContent::Base64 { decoded_len, .. } => *decoded_len,
            FileContent::Raw(bytes) => bytes.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Standard padded base64, encoding only when the bytes came raw.
    pub fn to_base64(&self) -> Bytes {
        match self {
            FileContent::Base64 { encoded, .. } => encoded.clone(),
            FileContent::Raw(raw) => Bytes::from(base64_simd::STANDARD.encode_type::<Vec<u8>>(raw)),
        }
    }
}

/// Per-vendor options from `remote_fields`, already validated.
#[derive(Debug, Clone, Default)]
pub struct VendorOptions {
    /// Greenhouse: the user recorded as the actor (`post_headers["On-Behalf-Of"]`).
    pub greenhouse_on_behalf_of: Option<String>,
    pub workable_on_behalf_of_user_remote_id: Option<String>,
    pub oracle_override_document_category: Option<String>,
    pub oracle_multi_post_to_all_current_applications: Option<bool>,
}

#[derive(Debug)]
pub struct UploadRequest<'a> {
    pub target: AttachTarget,
    pub file_name: &'a str,
    pub kind: AttachmentType,
    pub content_type: &'a str,
    pub content: &'a FileContent,
    pub options: &'a VendorOptions,
}

#[derive(Debug, Clone)]
pub struct UploadReceipt {
    pub remote_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RemoteJob {
    pub remote_id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RemoteCandidate {
    pub remote_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub confidential: Option<bool>,
    pub source: Option<String>,
    /// (address, type)
    pub emails: Vec<(String, Option<String>)>,
    /// (number, type)
    pub phones: Vec<(String, Option<String>)>,
    pub tags: Vec<String>,
    pub remote_url: Option<String>,
    pub remote_created_at: Option<String>,
    pub remote_updated_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pending,
    Hired,
    Declined,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "PENDING",
            Outcome::Hired => "HIRED",
            Outcome::Declined => "DECLINED",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RemoteStage {
    pub remote_id: String,
    pub name: Option<String>,
    pub index: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RemoteApplication {
    pub remote_id: String,
    pub candidate_remote_id: Option<String>,
    pub job_remote_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub rejection_reason_name: Option<String>,
    pub rejected_at: Option<String>,
    pub current_stage: Option<RemoteStage>,
    pub source: Option<String>,
    pub remote_url: Option<String>,
    pub remote_created_at: Option<String>,
    pub remote_updated_at: Option<String>,
}

/// A file as the ATS lists it (for reading attachments and for verifying an upload happened).
#[derive(Debug, Clone)]
pub struct RemoteAttachment {
    pub remote_id: String,
    pub application_remote_id: Option<String>,
    pub candidate_remote_id: Option<String>,
    pub file_name: String,
    pub kind: AttachmentType,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub remote_created_at: Option<String>,
    pub remote_updated_at: Option<String>,
    /// Opaque to the gateway: what this connector needs to download the file again.
    pub download_ref: String,
}

/// A file being streamed from the ATS.
pub struct FileStream {
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
    pub body: futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>>,
}

/// Serves bytes at an unguessable, signed, short-lived URL under the gateway's public URL, for
/// vendors that fetch files by URL instead of taking bytes (Teamtailor). The file is forgotten
/// once fetched or when the returned guard is dropped, whichever comes first.
pub trait FileHost: Send + Sync {
    fn publish(&self, file_name: &str, content_type: &str, bytes: Bytes) -> HostedFile;
}

/// A published file; dropping it removes the file.
pub struct HostedFile {
    pub url: String,
    pub guard: Box<dyn Send + Sync>,
}

/// One page of a vendor list; `next` is an opaque continuation for the same connector.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The same page with each item mapped.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

#[async_trait]
pub trait Connector: Send + Sync {
    fn capabilities(&self) -> &'static Capabilities;
    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError>;
    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError>;
    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError>;
    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError>;
    /// Files on the target as the ATS has them; for a candidate, every file of the candidate
    /// including those on their applications.
    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError>;
    /// Streams one listed file's bytes from the ATS.
    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError>;
}

/// Classifies a failed send: no connection means the ATS did nothing; anything later is ambiguous.
pub fn send_failure(label: &str, err: crate::upstream::SendError) -> ConnectorError {
    match err {
        crate::upstream::SendError::Connect(_) => {
            ConnectorError::Unavailable { message: format!("{label} is unreachable: {err}"), retry_after: None }
        }
        _ => ConnectorError::Ambiguous(format!("{label} did not answer: {err}")),
    }
}

/// Maps a non-2xx status to an error kind the same way for every vendor; `label` names the
/// vendor and `vendor_said` is its own words from the body. Connectors match their
/// vendor-specific cases first and delegate the rest here, so the common mapping cannot drift.
pub fn classify_http(
    label: &str,
    status: reqwest::StatusCode,
    retry_after: Option<Duration>,
    vendor_said: &str,
) -> ConnectorError {
    let said = vendor_said;
    match status.as_u16() {
        401 => ConnectorError::Unauthorized(format!("{label} rejected the integration's credentials ({said})")),
        403 => ConnectorError::PermissionMissing(format!(
            "The {label} credentials lack a permission this action needs ({label} said: {said})"
        )),
        404 => ConnectorError::NotFound(format!("{label} could not find the record: {said}")),
        400 | 409 | 413 | 415 | 422 => ConnectorError::RejectedInput(format!("{label} rejected the request: {said}")),
        429 => ConnectorError::RateLimited {
            message: format!("{label}'s rate limit was exceeded; retry later"),
            retry_after,
        },
        500..=599 => ConnectorError::Unavailable {
            message: format!("{label} is unavailable (HTTP {})", status.as_u16()),
            retry_after,
        },
        other => ConnectorError::Unexpected(format!("{label} answered HTTP {other}: {said}")),
    }
}

/// Passes a 2xx response through; anything else has its body read and handed to the vendor's
/// `classify` (status, wait hint from `wait_hint`, body text). The wait hint is a parameter
/// because some vendors signal it with their own rate-limit headers.
pub async fn check_with(
    response: reqwest::Response,
    wait_hint: fn(&reqwest::Response) -> Option<Duration>,
    classify: fn(reqwest::StatusCode, Option<Duration>, &str) -> ConnectorError,
) -> Result<reqwest::Response, ConnectorError> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let retry = wait_hint(&response);
    let text = response.text().await.unwrap_or_default();
    Err(classify(status, retry, &text))
}

/// A successful download as a `FileStream`, streaming the body rather than buffering it.
pub fn file_stream(response: reqwest::Response) -> FileStream {
    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let content_length = response.content_length();
    let body =
        futures::StreamExt::boxed(futures::TryStreamExt::map_err(response.bytes_stream(), std::io::Error::other));
    FileStream { content_type, content_length, body }
}

/// A required, non-empty credential; the error names the tool and the missing key.
pub fn credential(credentials: &BTreeMap<String, String>, tool: &str, key: &str) -> anyhow::Result<String> {
    credentials
        .get(key)
        .filter(|v| !v.is_empty())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{tool} integration needs the credential {key:?}"))
}

/// Vendor ids arrive as JSON numbers or strings; keep their text either way.
pub fn id_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The path segment form of a remote id (ids look URL-safe, but never trust that).
pub fn segment(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Raw file bytes for vendors that take multipart or fetch the file: base64 is decoded once here.
pub fn raw_bytes(content: &FileContent) -> Result<Bytes, ConnectorError> {
    match content {
        FileContent::Raw(bytes) => Ok(bytes.clone()),
        FileContent::Base64 { encoded, .. } => base64_simd::STANDARD
            .decode_to_vec(encoded)
            .map(Bytes::from)
            .map_err(|_| ConnectorError::RejectedInput("the attachment data is not valid base64".into())),
    }
}

/// A multipart file part; `Bytes` clones share the buffer, so each attempt streams the same memory.
pub fn file_part(bytes: &Bytes, file_name: &str, content_type: &str) -> reqwest::multipart::Part {
    let part = || {
        reqwest::multipart::Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64)
            .file_name(file_name.to_string())
    };
    // A content type reqwest cannot parse is still a valid upload, just without a declared type.
    part().mime_str(content_type).unwrap_or_else(|_| part())
}

/// "Jane van Dyke" → ("Jane", "van Dyke"), for vendors that keep one name string and whose
/// convention is a single first name.
pub fn split_first_space(name: Option<String>) -> (Option<String>, Option<String>) {
    let Some(name) = name else { return (None, None) };
    match name.trim().split_once(' ') {
        Some((first, last)) => (Some(first.to_string()), Some(last.trim().to_string())),
        None => (Some(name.trim().to_string()), None),
    }
}

/// The percent-decoded last path segment of a file URL, for vendors that name files only by URL.
pub fn url_file_name(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.path_segments()?.next_back().map(str::to_string))
        .map(|segment| percent_encoding::percent_decode_str(&segment).decode_utf8_lossy().into_owned())
        .filter(|name| !name.is_empty())
}

/// Everything a connector is built from: the integration's settings and decrypted credentials.
pub struct ConnectorSettings {
    pub base_url: Option<String>,
    pub auth_url: Option<String>,
    pub credentials: BTreeMap<String, String>,
    pub upstream: Arc<Upstream>,
    pub file_host: Arc<dyn FileHost>,
}

/// One line per supported ATS.
pub struct ToolEntry {
    pub capabilities: &'static Capabilities,
    /// Credential names `integrations create` requires.
    pub required_credentials: &'static [&'static str],
    pub build: fn(ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>>,
}

/// Adding an ATS: its module above and a line here.
pub static REGISTRY: &[ToolEntry] = &[
    greenhouse::ENTRY,
    smartrecruiters::ENTRY,
    oraclerecruiting::ENTRY,
    lever::ENTRY,
    teamtailor::ENTRY,
    ashby::ENTRY,
    recruitee::ENTRY,
    workable::ENTRY,
    // (new connectors above this line)
];

pub fn tool(id: &str) -> Option<&'static ToolEntry> {
    REGISTRY.iter().find(|entry| entry.capabilities.tool == id)
}

/// The README's support matrix, generated from the declared capabilities so it cannot drift.
pub fn support_matrix_markdown(gateway_limit: u64) -> String {
    let mut out = String::from(
        "| tool | label | attaches to application | attaches to candidate | CV | COVER_LETTER | OTHER | max file size | accepted MIME types |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let yes_no = |b: bool| if b { "yes" } else { "no → fallback" };
    for entry in REGISTRY {
        let caps = entry.capabilities;
        let kind = |k: AttachmentType| caps.vendor_type(k).map_or("—".to_string(), |v| format!("`{v}`"));
        let max = caps.max_file_size_bytes.unwrap_or(gateway_limit);
        let mimes = caps.accepted_mime_types.map_or("any".to_string(), |list| format!("{} types", list.len()));
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} MB | {} |\n",
            caps.tool,
            caps.label,
            yes_no(caps.attach_to_application),
            yes_no(caps.attach_to_candidate),
            kind(AttachmentType::Cv),
            kind(AttachmentType::CoverLetter),
            kind(AttachmentType::Other),
            max / (1024 * 1024),
            mimes,
        ));
    }
    out
}
