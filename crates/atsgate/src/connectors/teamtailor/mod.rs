//! Teamtailor, public API v1 (JSON:API).
//!
//! Docs: https://docs.teamtailor.com/ (auth `Authorization: Token token=<key>`, dated
//! `X-Api-Version` header, key scopes, rate-limit headers), the Postman collection
//! https://documenter.gw.postman.com/view/metadata/TVzSiGxA (EU/NA base URLs, key types),
//! https://jsonapi.org/format/ (documents, `include`, `links.next`, `errors[]`),
//! https://help.adway.ai/en/articles/422338-files (upload by public URL with candidate + job
//! relationships), https://docs.bindbee.dev/ats/candidate/write-attachment-for-exisitng-candidate
//! and https://developers.getknit.dev/reference/add-attachment-to-application (no file types).
//!
//! Teamtailor never takes file bytes: it downloads a public URL while handling the call. The
//! bytes are therefore published on the gateway's own short-lived, signed, fetch-once URL
//! (`settings.file_host`), one URL per attempt, and forgotten as soon as the call returns.
//! A CV becomes the candidate's resume: `POST /v1/candidates` with the candidate's `email`,
//! `merge: true` and the `resume` URL updates the candidate holding that email (the email is
//! read with `GET /v1/candidates/{id}` first). A cover letter or any other file becomes an
//! upload (`POST /v1/uploads` with a `url`, a `file-name` and the candidate relationship).
//! Kombo's Teamtailor notes likewise speak of files "uploaded as other attachments".
//!
//! UNCERTAIN points and the choices made:
//! * Application-level files: the `job` relationship on an upload may tie it to an application,
//!   but whether it is accepted is unconfirmed and a resume is candidate-level anyway, so only
//!   `attach_to_candidate` is declared: application uploads fall back to the candidate (with
//!   the gateway's warning). Listing still maps an upload's `job` to the candidate's
//!   application for that job.
//! * Which key scope may write: an Admin read/write key; a 403 is PermissionMissing.
//! * `internal` upload attribute: not sent (files stay visible to the hiring team).
//! * Types: uploads have no type field. CV ↔ the candidate's `resume` (vendor type "resume"),
//!   COVER_LETTER and OTHER → uploads (vendor type "upload"); uploads read back as OTHER.
//!   Setting a resume replaces the previous one, as the attribute holds one file.
//! * Setting the resume: `merge` on candidate create (update the candidate with the same email)
//!   rather than `PATCH /v1/candidates/{id}`, so every file write is a POST; if the answer
//!   names another candidate, the call is reported as failed. The emulator accepts both.
//! * A resume has no file name of its own: it is read from the last path segment of the
//!   resume URL (storage keys end in the original name).
//! * Success status: any 2xx; the id is read from `data.id` when present.
//! * Size limit and accepted formats: undocumented, so none are declared.
//! * Page size: 30, believed to be the maximum; `links.next` (a full URL) is the continuation.
//! * Relationship linkage (`relationships.x.data`) is only relied upon for relationships named
//!   in `include`, as JSON:API guarantees.
//! * Reading files: `GET /v1/candidates/{id}/uploads` (the JSON:API related-resource link);
//!   an upload's `url` attribute is a presigned download URL fetched without credentials.
//! * Rate limit: `Retry-After` if sent, else `X-Rate-Limit-Reset` (seconds until the window
//!   resets) gives the wait.
//! * Errors: JSON:API `{"errors":[{"status","title","detail","source":{"pointer"}}]}`.

mod client;
mod dto;
mod map;

use std::{collections::HashMap, sync::Arc};

use serde_json::json;

use super::kit::prelude::*;
use client::Api;

pub const DEFAULT_BASE_URL: &str = "https://api.teamtailor.com";
/// The vendor "types": a candidate's resume, or an upload (which has no type of its own).
const RESUME_TYPE: &str = "resume";
const UPLOAD_TYPE: &str = "upload";

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "teamtailor",
    label: "Teamtailor",
    attach_to_application: false,
    attach_to_candidate: true,
    type_map: &[
        (AttachmentType::Cv, Some(RESUME_TYPE)),
        (AttachmentType::CoverLetter, Some(UPLOAD_TYPE)),
        (AttachmentType::Other, Some(UPLOAD_TYPE)),
    ],
    max_file_size_bytes: None,
    accepted_mime_types: None,
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/teamtailor/logo.svg",
    rate_limit: None, // undocumented; paced by its X-Rate-Limit-* headers
};

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["api_key"],
    remote_fields: None,
    build: Teamtailor::build,
};

const JOBS: Pager = Pager::new("Teamtailor", "jobs");
const CANDIDATES: Pager = Pager::new("Teamtailor", "candidates");
const APPLICATIONS: Pager = Pager::new("Teamtailor", "job applications");

pub struct Teamtailor {
    api: Api,
}

impl Teamtailor {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let api_key = credential(&settings.credentials, "teamtailor", "api_key")?;
        let base_url = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(Teamtailor { api: Api::new(&base_url, &api_key, settings.upstream, settings.file_host)? }))
    }
}

#[async_trait]
impl Connector for Teamtailor {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let AttachTarget::Candidate { remote_id: candidate_id } = &request.target else {
            return Err(ConnectorError::Unsupported("Teamtailor keeps files on candidates only".into()));
        };
        let bytes = raw_bytes(request.content)?;
        // A resume is set by "creating" the candidate again with `merge: true`, which updates
        // the candidate holding that email address; so the email is read first.
        let email = match request.kind {
            AttachmentType::Cv => Some(self.api.candidate_email(candidate_id).await?),
            _ => None,
        };
        let path = if email.is_some() { "/v1/candidates" } else { "/v1/uploads" };
        let document = |file_url: &str| match &email {
            Some(email) => json!({ "data": {
                "type": "candidates",
                "attributes": { "email": email, "merge": true, "resume": file_url },
            }}),
            None => json!({ "data": {
                "type": "uploads",
                "attributes": { "url": file_url, "file-name": request.file_name },
                "relationships": { "candidate": { "data": { "type": "candidates", "id": candidate_id } } },
            }}),
        };
        let created = self.api.post_with_file(path, request.file_name, request.content_type, bytes, document).await?;
        let Some(created) = created else {
            return Ok(UploadReceipt { remote_id: None });
        };
        if email.is_none() {
            return Ok(UploadReceipt { remote_id: Some(created.data.id) });
        }
        // The email matched another candidate between the read and the merge: say so loudly.
        if created.data.id != *candidate_id {
            return Err(ConnectorError::Inconsistent {
                vendor: "Teamtailor",
                problem: format!(
                    "the resume was set on candidate {} instead of {candidate_id} (their emails match)",
                    created.data.id
                ),
            });
        }
        Ok(UploadReceipt { remote_id: Some(map::resume_id(candidate_id)) })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        match target {
            AttachTarget::Application { remote_id, .. } => {
                let (candidate_id, job_id) = self.api.application_parties(remote_id).await?;
                let uploads = self.api.candidate_uploads(&candidate_id).await?;
                Ok(uploads
                    .iter()
                    .filter(|u| job_id.is_some() && u.related_id("job") == job_id)
                    .filter_map(|u| map::upload(u, &candidate_id, Some(remote_id.clone())))
                    .collect())
            }
            AttachTarget::Candidate { remote_id } => {
                let candidate = self.api.candidate(remote_id).await?;
                let resume = candidate.data.text("resume").map(|url| map::resume(&candidate.data, url));
                let uploads = self.api.candidate_uploads(remote_id).await?;
                let by_job = if uploads.iter().any(|u| u.related_id("job").is_some()) {
                    self.api.applications_by_job(remote_id).await?
                } else {
                    HashMap::new()
                };
                Ok(resume.into_iter().chain(map::uploads(&uploads, remote_id, &by_job)).collect())
            }
        }
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        self.api.download(download_ref).await
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let first = Api::first_page("jobs", "");
        JOBS.page(cursor, |token| async move {
            let (document, next) = self.api.page(&first, token, "job list").await?;
            Ok((document.data.iter().map(map::job).collect(), next))
        })
        .await
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let first = Api::first_page("candidates", "");
        CANDIDATES
            .page(cursor, |token| async move {
                let (document, next) = self.api.page(&first, token, "candidate list").await?;
                Ok((document.data.iter().map(map::candidate).collect(), next))
            })
            .await
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let first = Api::first_page("job-applications", "&include=candidate,job,stage,reject-reason");
        APPLICATIONS
            .page(cursor, |token| async move {
                let (document, next) = self.api.page(&first, token, "job application list").await?;
                Ok((map::applications(&document.data, &document.included), next))
            })
            .await
    }
}
