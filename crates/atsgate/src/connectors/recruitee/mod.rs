//! Recruitee (Tellent): a REST API under `/c/{company_id}` that keeps files on candidates only.
//!
//! Docs: https://docs.recruitee.com/reference/getting-started (personal API token,
//! `Authorization: Bearer`), https://docs.recruitee.com/reference/candidates (`GET
//! /c/{company_id}/candidates` with `limit`/`offset`, placements embedded),
//! https://docs.recruitee.com/reference/attachments (`POST /c/{company_id}/attachments`),
//! https://docs.recruitee.com/reference/offers (`GET /c/{company_id}/offers`).
//!
//! Upload: multipart `attachment[file]` + `attachment[candidate_id]` → 201
//! `{"attachment":{…}}`; a CV is then promoted with
//! `PATCH /c/{company_id}/candidates/{id}/set_as_cv/{attachment_id}`.
//!
//! UNCERTAIN points and the choices made here:
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

mod client;
mod dto;
mod map;

use super::kit::prelude::*;
use super::kit::{id_text, Multipart};
use client::Api;

pub const DEFAULT_BASE_URL: &str = "https://api.recruitee.com";

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
    remote_fields: None,
    build: Recruitee::build,
};

const CANDIDATES: Pager = Pager::new("Recruitee", "candidates");

pub struct Recruitee {
    api: Api,
}

impl Recruitee {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let company_id = credential(&settings.credentials, "recruitee", "company_id")?;
        let token = credential(&settings.credentials, "recruitee", "api_token")?;
        let base = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(Recruitee { api: Api::new(&base, &company_id, token, settings.upstream) }))
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
        let form = Multipart::new().text("attachment[candidate_id]", candidate_id.clone()).file(
            "attachment[file]",
            raw_bytes(request.content)?,
            request.file_name,
            request.content_type,
        );
        let attachment_id = self.api.upload(&form).await?;
        if request.kind != AttachmentType::Cv {
            return Ok(UploadReceipt { remote_id: Some(attachment_id) });
        }
        self.api.set_as_cv(candidate_id, &attachment_id).await?;
        // The promoted CV gets a new id that the answer does not name.
        Ok(UploadReceipt { remote_id: None })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let candidate_id = match target {
            AttachTarget::Candidate { remote_id } => remote_id,
            // Placements have no files of their own; their candidate's are the nearest answer.
            AttachTarget::Application { candidate_remote_id: Some(candidate), .. } => candidate,
            AttachTarget::Application { candidate_remote_id: None, .. } => {
                return Err(ConnectorError::Unsupported(
                    "Recruitee keeps files on candidates; the application's candidate is unknown".into(),
                ))
            }
        };
        let listed = self.api.attachments(candidate_id).await?;
        let mut files: Vec<RemoteAttachment> =
            listed.attachments.into_iter().filter_map(|a| map::attachment(a, candidate_id)).collect();
        let shown = self.api.candidate(candidate_id).await?;
        files.extend(shown.candidate.cv_original_url.map(|url| map::cv(candidate_id, url)));
        Ok(files)
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        self.api.download(download_ref).await
    }

    async fn list_jobs(&self, _cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        // The offers list is not paginated.
        let offers = self.api.offers().await?;
        let items = offers.offers.into_iter().map(|o| RemoteJob { remote_id: id_text(&o.id), name: o.title }).collect();
        Ok(Page { items, next: None })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page = CANDIDATES.page(cursor, |token| self.api.candidates_page(&CANDIDATES, token)).await?;
        Ok(page.map(map::candidate))
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page = CANDIDATES.page(cursor, |token| self.api.candidates_page(&CANDIDATES, token)).await?;
        Ok(Page { items: page.items.into_iter().flat_map(map::applications).collect(), next: page.next })
    }
}
