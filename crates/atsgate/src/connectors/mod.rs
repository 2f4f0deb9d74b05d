//! Connectors: one per ATS, behind one trait. Each declares its capabilities (and the
//! `remote_fields` it takes); the action layer decides fallbacks from them. Connectors speak
//! their vendor's wire format through the kit's vendor client and classify vendor failures into
//! `ConnectorError`.
//!
//! Layout: `kit/` is what every vendor needs (client, auth kinds and token cache, paginators,
//! error dialects); each `<tool>/` has `mod.rs` (capabilities, registry entry, remote_fields
//! declaration, the trait impl), `client.rs` (raw calls and the error dialect), `dto.rs` (vendor
//! types) and `map.rs` (vendor ↔ unified). `error.rs` holds the typed errors and their one
//! mapping to the domain error; `remote_fields.rs` the declarations' types.

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
pub mod remote_fields;

pub use error::{ConnectorError, FailureKind, PaginationError, VendorError};
pub use remote_fields::{Endpoint, RemoteFields, ToolOptions};

use std::{collections::BTreeMap, sync::Arc};

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

#[derive(Debug)]
pub struct UploadRequest<'a> {
    pub target: AttachTarget,
    pub file_name: &'a str,
    pub kind: AttachmentType,
    pub content_type: &'a str,
    pub content: &'a FileContent,
    /// The connector's own options parsed from `remote_fields` (see `remote_fields.rs`).
    pub options: &'a ToolOptions,
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
    /// The `remote_fields` this tool takes, if any.
    pub remote_fields: Option<&'static RemoteFields>,
    pub build: fn(ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>>,
}

/// The supported tools by module name, each module's `ENTRY` its registry line: the one list
/// the registry and the conformance suite (`for_each_tool!(conformance)`) are made from.
/// Adding an ATS: its module above and its name here.
#[macro_export]
macro_rules! for_each_tool {
    ($callback:ident) => {
        $callback!(
            greenhouse,
            smartrecruiters,
            oraclerecruiting,
            lever,
            teamtailor,
            ashby,
            recruitee,
            workable,
            // (new tools above this line)
        );
    };
}

macro_rules! registry {
    ($($tool:ident),* $(,)?) => {
        /// Every supported ATS, in the order of [`for_each_tool!`].
        pub static REGISTRY: &[ToolEntry] = &[$($tool::ENTRY),*];
    };
}

for_each_tool!(registry);

pub fn tool(id: &str) -> Option<&'static ToolEntry> {
    REGISTRY.iter().find(|entry| entry.capabilities.tool == id)
}

/// The tool whose remote fields live under `remote_fields.{key}`.
pub fn remote_fields_owner(key: &str) -> Option<(&'static ToolEntry, &'static RemoteFields)> {
    REGISTRY
        .iter()
        .find_map(|entry| entry.remote_fields.filter(|fields| fields.key == key).map(|fields| (entry, fields)))
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
