//! Ashby: an RPC-style API (`POST /<resource>.<action>`, JSON bodies) that keeps files on
//! candidates only.
//!
//! Docs: https://developers.ashbyhq.com/reference/authentication (HTTP Basic, key as username,
//! blank password; missing key → 401, wrong/deactivated key → 403, missing permission → 403
//! `missing_endpoint_permission`), https://developers.ashbyhq.com/docs/responses (business errors
//! are HTTP 200 with `success:false` + `errorInfo{code,message,requestId}`),
//! https://developers.ashbyhq.com/docs/pagination-and-incremental-sync (`limit`/`cursor` in the
//! body, `moreDataAvailable`/`nextCursor` back),
//! https://developers.ashbyhq.com/reference/filecreatefileuploadhandle (presigned two-step upload),
//! https://developers.ashbyhq.com/reference/candidateuploadfile,
//! https://developers.ashbyhq.com/reference/candidateuploadresume,
//! https://developers.ashbyhq.com/reference/fileinfo, https://developers.ashbyhq.com/reference/candidateinfo.
//!
//! Upload: `file.createFileUploadHandle` → multipart POST of the returned `fields` plus `file`
//! (last) to the presigned `url` → `candidate.uploadResume {candidateId, resumeHandle}` for CVs,
//! `candidate.uploadFile {candidateId, fileHandle}` for everything else. The deprecated
//! multipart variants of the upload endpoints are not used.
//!
//! UNCERTAIN points and the choices made here:
//! - No application-level files: capabilities say "candidate only", so the action layer falls back
//!   to the application's candidate with a warning.
//! - No type field: CV → `uploadResume` (recorded as "resume"), cover letter and other →
//!   `uploadFile` (recorded as "file"); listed files are CV when they are the candidate's
//!   `resumeFileHandle`, OTHER otherwise.
//! - Size / type limits: none documented, none declared.
//! - Rate limits: no numbers; a 429 is classified from the HTTP status, or from an `errorInfo.code`
//!   of `rate_limit_exceeded` inside a 200; `Retry-After` is honoured when present.
//! - The 403 body for a wrong key is undocumented: any 403 whose code is not
//!   `missing_endpoint_permission` is treated as bad credentials.
//! - `candidate.info` is called with `{"id"}`; `application.info` with `{"applicationId"}`.
//! - The remote fields defined by Kombo (Greenhouse/Workable/Oracle) have no Ashby meaning.

mod client;
mod dto;
mod map;

use serde_json::json;

use super::kit::prelude::*;
use client::Api;
use dto::{AbApplication, AbCandidate, AbJob, FileInfo, UploadHandle};

pub const DEFAULT_BASE_URL: &str = "https://api.ashbyhq.com";

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "ashby",
    label: "Ashby",
    attach_to_application: false,
    attach_to_candidate: true,
    type_map: &[
        (AttachmentType::Cv, Some("resume")),
        (AttachmentType::CoverLetter, Some("file")),
        (AttachmentType::Other, Some("file")),
    ],
    max_file_size_bytes: None,
    accepted_mime_types: None,
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/ashby/logo.svg",
    rate_limit: None, // undocumented
};

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["api_key"],
    remote_fields: None,
    build: Ashby::build,
};

const JOBS: Pager = Pager::new("Ashby", "jobs");
const CANDIDATES: Pager = Pager::new("Ashby", "candidates");
const APPLICATIONS: Pager = Pager::new("Ashby", "applications");

pub struct Ashby {
    api: Api,
}

impl Ashby {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let api_key = credential(&settings.credentials, "ashby", "api_key")?;
        let base_url = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(Ashby { api: Api::new(&base_url, api_key, settings.upstream) }))
    }

    async fn candidate(&self, candidate_id: &str) -> Result<AbCandidate, ConnectorError> {
        self.api.results("candidate.info", &json!({ "id": candidate_id })).await
    }
}

#[async_trait]
impl Connector for Ashby {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let AttachTarget::Candidate { remote_id: candidate_id } = &request.target else {
            return Err(ConnectorError::Unsupported("Ashby stores attachments on candidates only".into()));
        };
        let resume = request.kind == AttachmentType::Cv;
        let handle: UploadHandle = self
            .api
            .results(
                "file.createFileUploadHandle",
                &json!({
                    "fileUploadContext": if resume { "CandidateResume" } else { "CandidateFiles" },
                    "filename": request.file_name,
                    "contentType": request.content_type,
                    "contentLength": request.content.len(),
                }),
            )
            .await?;
        self.api.put_to_storage(&handle, raw_bytes(request.content)?, request.file_name, request.content_type).await?;
        let candidate: AbCandidate = if resume {
            let body = json!({ "candidateId": candidate_id, "resumeHandle": handle.handle });
            self.api.results("candidate.uploadResume", &body).await?
        } else {
            let body = json!({ "candidateId": candidate_id, "fileHandle": handle.handle });
            self.api.results("candidate.uploadFile", &body).await?
        };
        // The answer is the whole candidate; the newest file is the last handle with our name.
        let remote_id = if resume {
            candidate.resume_file_handle.map(|f| f.id)
        } else {
            candidate.file_handles.into_iter().rev().find(|f| f.name == request.file_name).map(|f| f.id)
        };
        Ok(UploadReceipt { remote_id })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let candidate_id = match target {
            AttachTarget::Candidate { remote_id } => remote_id.clone(),
            AttachTarget::Application { candidate_remote_id: Some(candidate), .. } => candidate.clone(),
            AttachTarget::Application { remote_id, candidate_remote_id: None } => {
                let application: AbApplication =
                    self.api.results("application.info", &json!({ "applicationId": remote_id })).await?;
                application.candidate.map(|c| c.id).ok_or_else(|| {
                    ConnectorError::NotFound(format!("Ashby application {remote_id} has no candidate"))
                })?
            }
        };
        let candidate = self.candidate(&candidate_id).await?;
        Ok(map::attachments(candidate, &candidate_id))
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        let info: FileInfo = self.api.results("file.info", &json!({ "fileHandle": download_ref })).await?;
        self.api.download(&info.url).await
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page = JOBS.page(cursor, |token| self.api.page::<AbJob>("job.list", token)).await?;
        Ok(page.map(|j| RemoteJob { remote_id: j.id, name: j.title }))
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page = CANDIDATES.page(cursor, |token| self.api.page::<AbCandidate>("candidate.list", token)).await?;
        Ok(page.map(map::candidate))
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page = APPLICATIONS.page(cursor, |token| self.api.page::<AbApplication>("application.list", token)).await?;
        Ok(page.map(map::application))
    }
}
