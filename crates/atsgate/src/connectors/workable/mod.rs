//! Workable (SPI v3, account or OAuth access tokens).
//!
//! Docs: https://workable.readme.io/reference/comment-on-candidate (comment with one
//! `attachment {name, data}` and the acting `member_id`),
//! https://workable.readme.io/reference/update-candidate (resume on PATCH, not used, see below),
//! https://workable.readme.io/reference/candidate-files (`{files:[{name, preview_url, source,
//! kind}]}`, presigned `preview_url`), https://workable.readme.io/reference/job-candidates-index
//! (`limit`, `since_id`, `paging.next`), https://workable.readme.io/reference/jobs,
//! https://workable.readme.io/reference/rate-limits (`X-Rate-Limit-{Limit,Remaining,Reset}`, 429),
//! https://workable.readme.io/reference/members.
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

mod client;
mod dto;
mod map;

use serde_json::json;

use super::kit::prelude::*;
use super::remote_fields::{
    user_id, Endpoints, FieldError, Given, JsonType, Meaning, Parsed, RemoteField, RemoteFields, ToolOptions,
};
use client::Api;
use dto::WkJobs;

/// `https://{subdomain}.workable.com`; `{subdomain}` comes from the credentials.
pub const DEFAULT_BASE_URL: &str = "https://{subdomain}.workable.com";
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
    remote_fields: Some(&REMOTE_FIELDS),
    build: Workable::build,
};

const ON_BEHALF_OF: &[&str] = &["on_behalf_of_user_remote_id"];

/// Kombo's `remote_fields.workable`.
static REMOTE_FIELDS: RemoteFields = RemoteFields {
    key: "workable",
    fields: &[RemoteField {
        path: ON_BEHALF_OF,
        json_type: JsonType::String,
        nullable: false,
        endpoints: Endpoints::Both,
        meaning: Meaning::ActingUser,
        description: "ID of the Workable member shown as having posted the file (the comment's `member_id`). \
                      Defaults to the integration's `member_id`.",
    }],
    parse: parse_remote_fields,
};

/// What one Workable upload was asked to do differently.
struct Options {
    member_id: String,
}

fn parse_remote_fields(given: &Given<'_>) -> Result<Parsed, FieldError> {
    match user_id(given, ON_BEHALF_OF)? {
        Some(member_id) => Ok(Parsed { options: ToolOptions::new(Options { member_id }), notes: Vec::new() }),
        None if given.str(ON_BEHALF_OF).is_some() => Ok(Parsed {
            options: ToolOptions::default(),
            notes: vec![format!(
                "{} was empty and was ignored: the integration's own Workable member is recorded as the uploader.",
                REMOTE_FIELDS.name(ON_BEHALF_OF)
            )],
        }),
        None => Ok(Parsed::default()),
    }
}

const JOBS: Pager = Pager::new("Workable", "jobs");
const CANDIDATES: Pager = Pager::new("Workable", "candidates");

pub struct Workable {
    api: Api,
    /// The member comments are posted as when no acting user is given.
    member_id: String,
}

impl Workable {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let credential = |key: &str| credential(&settings.credentials, "workable", key);
        let subdomain = credential("subdomain")?;
        let base_url = match settings.base_url.clone() {
            Some(url) => url,
            None => {
                if !subdomain.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    anyhow::bail!("the Workable subdomain {subdomain:?} is not a valid host label");
                }
                DEFAULT_BASE_URL.replace("{subdomain}", &subdomain)
            }
        };
        Ok(Arc::new(Workable {
            api: Api::new(&base_url, credential("api_token")?, settings.upstream),
            member_id: credential("member_id")?,
        }))
    }
}

/// One Workable candidate is both the candidate and its application.
fn candidate_of(target: &AttachTarget) -> &str {
    match target {
        AttachTarget::Application { remote_id, .. } | AttachTarget::Candidate { remote_id } => remote_id,
    }
}

#[async_trait]
impl Connector for Workable {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let member = request.options.get::<Options>().map_or(self.member_id.as_str(), |o| o.member_id.as_str());
        let label = match request.kind {
            AttachmentType::Cv => "CV",
            AttachmentType::CoverLetter => "Cover letter",
            AttachmentType::Other => "Attachment",
        };
        let head = |data: &str| {
            json!({
                "member_id": member,
                "comment": {
                    "body": format!("{label}: {}", request.file_name),
                    "attachment": { "name": request.file_name, "data": data },
                },
            })
        };
        let remote_id = self.api.comment(candidate_of(&request.target), head, request.content.to_base64()).await?;
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let candidate = candidate_of(target);
        Ok(map::files(self.api.files(candidate).await?.files, candidate))
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        self.api.download(download_ref).await
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        JOBS.page(cursor, |token| async move {
            let page: WkJobs = self.api.page("jobs", token, "jobs page").await?;
            let jobs = page.jobs.into_iter().map(|j| RemoteJob { remote_id: j.shortcode, name: j.title }).collect();
            Ok((jobs, page.paging.and_then(|p| p.next).filter(|n| !n.is_empty())))
        })
        .await
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page = CANDIDATES.page(cursor, |token| self.api.candidates(token)).await?;
        Ok(page.map(map::candidate))
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page = CANDIDATES.page(cursor, |token| self.api.candidates(token)).await?;
        Ok(page.map(map::application))
    }
}
