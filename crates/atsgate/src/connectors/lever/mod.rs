//! Lever (API v1, API-key integrations).
//!
//! Docs: https://hire.lever.co/developer/documentation — §Authentication (HTTP Basic, the API key
//! as username and a blank password), §Pagination / §Lists (`limit` 1–100, opaque `offset`
//! token, body `{data, next, hasNext}`), §Opportunities (list filters, `expand`), §Applications,
//! §Files ("Upload a single file": multipart `file`, `perform_as` required, 30 MB), §Postings,
//! §Rate Limits (token bucket, 429), §Responses and Errors (`{"code","message"}`).
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

mod client;
mod dto;
mod map;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use super::kit::prelude::*;
use dto::{LvFile, LvOpportunity, LvPosting, LvResume};

pub const DEFAULT_BASE_URL: &str = "https://api.lever.co";
/// "The request file size is limited to 30MB".
const MAX_FILE_BYTES: u64 = 30 * 1024 * 1024;
/// Lever has no file types; this is the name the emulator records for opportunity files.
pub const FILE_TYPE: &str = "file";

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

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["api_key", "user_id"],
    remote_fields: None,
    build: Lever::build,
};

const POSTINGS: Pager = Pager::new("Lever", "postings");
const OPPORTUNITIES: Pager = Pager::new("Lever", "opportunities");
const FILES: Pager = Pager::new("Lever", "files");

pub struct Lever {
    api: client::Api,
    /// Contacts already emitted during the current pass over the candidate list.
    seen_contacts: Mutex<HashSet<String>>,
}

impl Lever {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let base_url = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        let api = client::Api::new(
            &base_url,
            credential(&settings.credentials, "lever", "api_key")?,
            credential(&settings.credentials, "lever", "user_id")?,
            settings.upstream,
        );
        Ok(Arc::new(Lever { api, seen_contacts: Mutex::new(HashSet::new()) }))
    }

    /// The opportunity's resumes (CV) and files (untyped, so OTHER).
    async fn opportunity_files(
        &self,
        opportunity: &str,
        contact: Option<&str>,
    ) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let resumes_path = format!("opportunities/{opportunity}/resumes");
        let files_path = format!("opportunities/{opportunity}/files");
        let resumes: Vec<LvResume> = FILES.all(|token| self.api.page(&resumes_path, &[], token)).await?;
        let files: Vec<LvFile> = FILES.all(|token| self.api.page(&files_path, &[], token)).await?;
        Ok(map::attachments(opportunity, contact, resumes, files))
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
        let form = client::file_form(raw_bytes(request.content)?, request.file_name, request.content_type);
        let remote_id = self.api.upload(remote_id, &form).await?;
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        match target {
            AttachTarget::Application { remote_id, candidate_remote_id } => {
                self.opportunity_files(remote_id, candidate_remote_id.as_deref()).await
            }
            AttachTarget::Candidate { remote_id } => {
                let query = [("contact_id", remote_id.as_str())];
                let opportunities: Vec<LvOpportunity> =
                    OPPORTUNITIES.all(|token| self.api.page("opportunities", &query, token)).await?;
                let mut found = Vec::new();
                for opportunity in &opportunities {
                    found.extend(self.opportunity_files(&opportunity.id, Some(remote_id)).await?);
                }
                Ok(found)
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
        self.api.download(list, opportunity, id).await
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page = POSTINGS.page(cursor, |token| self.api.page::<LvPosting>("postings", &[], token)).await?;
        Ok(page.map(|p| RemoteJob { remote_id: p.id, name: p.text }))
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page =
            OPPORTUNITIES.page(cursor, |token| self.api.page::<LvOpportunity>("opportunities", &[], token)).await?;
        let mut seen = self.seen_contacts.lock().unwrap_or_else(|e| e.into_inner());
        if cursor.is_none() {
            seen.clear();
        }
        let items = page
            .items
            .iter()
            .filter_map(|o| {
                let contact = o.contact.clone()?;
                seen.insert(contact.clone()).then(|| map::candidate(o, contact))
            })
            .collect();
        if page.next.is_none() {
            // The pass is over; free the memory.
            seen.clear();
        }
        Ok(Page { items, next: page.next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let query = [("expand", "applications"), ("expand", "stage")];
        let page =
            OPPORTUNITIES.page(cursor, |token| self.api.page::<LvOpportunity>("opportunities", &query, token)).await?;
        Ok(page.map(map::application))
    }
}
