//! SmartRecruiters Customer API (API-key integrations).
//!
//! Docs: https://developers.smartrecruiters.com/docs/rate-limiting (10 req/s, 8 concurrent, 1
//! concurrent on `GET /candidates`, `X-RateLimit-*` / `X-RateLimit-Concurrent-*`, 429),
//! https://dev.smartrecruiters.com/customer-api/candidate-api__trashed/endpoints/candidates-attachments-list/
//! (the `Attachment` shape with `actions.download`), and the public generated clients
//! (https://github.com/smartrecruiters/smartrecruiters-api-client-java): `X-SmartToken` header, multipart `attachmentType` + `file`
//! on `POST /candidates/{id}/attachments` and `POST /candidates/{id}/jobs/{jobId}/attachments`
//! (201), `GET /candidates?limit=..&pageId=..` (limit ≤ 100, cursor from `nextPageId`),
//! `ErrorResponse {message, errors:[{code, message}]}`.
//!
//! UNCERTAIN points and the choices made:
//! - The `attachmentType` enum is only partly public (`GENERIC_FILE`, `RESUME`, `AVATAR` seen):
//!   a cover letter is sent as `COVER_LETTER`, other files as `GENERIC_FILE` (the default).
//! - Size and type limits of these endpoints are not documented: none are declared.
//! - `Retry-After` is not documented on 429: it is honoured when present; without it the shared
//!   upstream backoff applies.
//! - SmartRecruiters has no application object or list: an application is a candidate's
//!   assignment to a job. Its remote id here is `{candidateId}:{jobId}`, and applications are
//!   listed by paging through `GET /candidates` and expanding each candidate's primary and
//!   secondary assignments.
//! - Download links (`actions.download.url`) are API URLs that need the `X-SmartToken`; the kit
//!   sends credentials only to the configured API origin.

mod client;
mod dto;
mod map;

use super::kit::prelude::*;
use super::kit::Multipart;
use client::Api;
use dto::{SrCandidate, SrJob};

pub const DEFAULT_BASE_URL: &str = "https://api.smartrecruiters.com";

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

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["api_key"],
    remote_fields: None,
    build: SmartRecruiters::build,
};

const JOBS: Pager = Pager::new("SmartRecruiters", "jobs");
const CANDIDATES: Pager = Pager::new("SmartRecruiters", "candidates");

pub struct SmartRecruiters {
    api: Api,
}

impl SmartRecruiters {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let api_key = credential(&settings.credentials, "smartrecruiters", "api_key")?;
        let base_url = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(SmartRecruiters { api: Api::new(&base_url, &api_key, settings.upstream)? }))
    }

    /// (candidate, job) of a target: an application's remote id joins both, else the
    /// application's candidate is known and the remote id is the job.
    fn parties(target: &AttachTarget) -> Result<(String, Option<String>), ConnectorError> {
        match target {
            AttachTarget::Candidate { remote_id } => Ok((remote_id.clone(), None)),
            AttachTarget::Application { remote_id, candidate_remote_id } => map::split_application_id(remote_id)
                .map(|(c, j)| (c.to_string(), Some(j.to_string())))
                .or_else(|| candidate_remote_id.clone().map(|c| (c, Some(remote_id.clone()))))
                .ok_or_else(|| {
                    ConnectorError::NotFound(format!("{remote_id:?} is not a SmartRecruiters application id"))
                }),
        }
    }
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
        let (candidate, job) = Self::parties(&request.target)?;
        let form = Multipart::new().text("attachmentType", kind).file(
            "file",
            raw_bytes(request.content)?,
            request.file_name,
            request.content_type,
        );
        let remote_id = self.api.upload(&Api::attachments_path(&candidate, job.as_deref()), &form).await?;
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let (candidate, job) = Self::parties(target)?;
        let path = Api::attachments_path(&candidate, job.as_deref());
        let listed = self.api.attachments(&path).await?;
        Ok(listed
            .into_iter()
            .filter(|a| a.kind.as_deref() != Some("AVATAR"))
            .map(|a| map::attachment(a, &candidate, job.as_deref(), |id| self.api.attachment_url(&candidate, id)))
            .collect())
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        self.api.download(download_ref).await
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page = JOBS.page(cursor, |token| self.api.page::<SrJob>("jobs", token)).await?;
        Ok(page.map(|j| RemoteJob { remote_id: j.id, name: j.title }))
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page = CANDIDATES.page(cursor, |token| self.api.page::<SrCandidate>("candidates", token)).await?;
        Ok(page.map(map::candidate))
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page = CANDIDATES.page(cursor, |token| self.api.page::<SrCandidate>("candidates", token)).await?;
        Ok(Page { items: page.items.into_iter().flat_map(map::applications).collect(), next: page.next })
    }
}
