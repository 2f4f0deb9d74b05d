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

mod client;
mod dto;
mod map;

use super::kit::prelude::*;
use super::remote_fields::{
    user_id, Endpoints, FieldError, Given, JsonType, Meaning, Parsed, RemoteField, RemoteFields, ToolOptions,
};

pub const DEFAULT_BASE_URL: &str = "https://harvest.greenhouse.io";
pub const DEFAULT_AUTH_URL: &str = "https://auth.greenhouse.io";

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
    remote_fields: Some(&REMOTE_FIELDS),
    build: Greenhouse::build,
};

const ON_BEHALF_OF: &[&str] = &["post_headers", "On-Behalf-Of"];

/// Kombo's `remote_fields.greenhouse`.
static REMOTE_FIELDS: RemoteFields = RemoteFields {
    key: "greenhouse",
    fields: &[RemoteField {
        path: ON_BEHALF_OF,
        json_type: JsonType::String,
        nullable: true,
        endpoints: Endpoints::Both,
        meaning: Meaning::ActingUser,
        description: "ID of the Greenhouse user recorded as having made the upload (the OAuth token's `sub`). \
                      Defaults to the integration's `user_id`.",
    }],
    parse: parse_remote_fields,
};

/// What one Greenhouse upload was asked to do differently.
struct Options {
    on_behalf_of: String,
}

fn parse_remote_fields(given: &Given<'_>) -> Result<Parsed, FieldError> {
    match user_id(given, ON_BEHALF_OF)? {
        Some(id) if id.chars().all(|c| c.is_ascii_digit()) => {
            Ok(Parsed { options: ToolOptions::new(Options { on_behalf_of: id }), notes: Vec::new() })
        }
        // Greenhouse user ids are integers: anything else cannot name a user.
        Some(_) => Err(given.error(ON_BEHALF_OF, "must be a Greenhouse user id (a number)")),
        None if given.str(ON_BEHALF_OF).is_some() => Ok(Parsed {
            options: ToolOptions::default(),
            notes: vec![format!(
                "{} was empty and was ignored: the integration's own Greenhouse user is recorded as the uploader.",
                REMOTE_FIELDS.name(ON_BEHALF_OF)
            )],
        }),
        None => Ok(Parsed::default()),
    }
}

const JOBS: Pager = Pager::new("Greenhouse", "jobs");
const CANDIDATES: Pager = Pager::new("Greenhouse", "candidates");
const APPLICATIONS: Pager = Pager::new("Greenhouse", "applications");
const ATTACHMENTS: Pager = Pager::new("Greenhouse", "attachments");

pub struct Greenhouse {
    api: client::Api,
}

impl Greenhouse {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let credential = |key: &str| credential(&settings.credentials, "greenhouse", key);
        let api = client::Api::new(
            client::Settings {
                base_url: settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into()),
                auth_url: settings.auth_url.clone().unwrap_or_else(|| DEFAULT_AUTH_URL.into()),
                client_id: credential("client_id")?,
                client_secret: credential("client_secret")?,
                default_user: credential("user_id")?,
            },
            settings.upstream,
        );
        Ok(Arc::new(Greenhouse { api }))
    }
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
        let head = |content: &str| {
            serde_json::json!({
                "application_id": map::json_id(remote_id),
                "filename": request.file_name,
                "type": kind,
                "content_type": request.content_type,
                "content": content,
            })
        };
        let user = request.options.get::<Options>().map(|o| o.on_behalf_of.as_str());
        let remote_id = self.api.upload(head, request.content.to_base64(), user).await?;
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let filter = match target {
            AttachTarget::Application { remote_id, .. } => format!("&application_ids={remote_id}"),
            AttachTarget::Candidate { remote_id } => format!("&candidate_ids={remote_id}"),
        };
        let first = self.api.first_page("attachments", &filter);
        let found = ATTACHMENTS.all(|token| self.api.page(&first, token, "attachment list")).await?;
        Ok(found.into_iter().map(map::attachment).collect())
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        self.api.download(download_ref).await
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let first = self.api.first_page("jobs", "");
        let page = JOBS.page(cursor, |token| self.api.page(&first, token, "jobs page")).await?;
        Ok(page.map(map::job))
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let first = self.api.first_page("candidates", "");
        let page = CANDIDATES.page(cursor, |token| self.api.page(&first, token, "candidates page")).await?;
        Ok(page.map(map::candidate))
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let first = self.api.first_page("applications", "");
        let page = APPLICATIONS.page(cursor, |token| self.api.page(&first, token, "applications page")).await?;
        Ok(page.map(map::application))
    }
}
