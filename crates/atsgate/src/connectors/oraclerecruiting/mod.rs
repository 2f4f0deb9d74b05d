//! Oracle Recruiting Cloud (Oracle Fusion HCM REST, `hcmRestApi/resources/11.13.18.05`).
//!
//! Docs: https://docs.oracle.com/en/cloud/saas/human-resources/farws/api-recruiting-candidates-attachments-candidates.html
//! (`recruitingCandidates/{CandidateNumber}/child/attachments`),
//! https://docs.oracle.com/en/cloud/saas/human-resources/24b/farws/api-job-applications-attachments.html
//! (`recruitingUIJobApplications/{SubmissionId}/child/Attachments` and `…/InternalAttachments`),
//! https://docs.oracle.com/en/cloud/saas/human-resources/farws/op-recruitingcandidates-candidatenumber-child-attachments-post.html
//! (HTTP Basic auth, `FileContents` base64 LOB with the bytes at `…/enclosure/FileContents`,
//! `CategoryName` IRC_CANDIDATE_RESUME / IRC_CANDIDATE_COVERLETTER / MISC / IRC_INTERNAL),
//! https://docs.oracle.com/en/cloud/saas/applications-common/25a/farca/Paging.html (ADF
//! `limit`/`offset` paging with `hasMore`).
//!
//! UNCERTAIN points (or points the documentation does not cover) and the choices made:
//! - Body attributes: the Fusion attachment resource's `DatatypeCode` ("FILE"), `CategoryName`,
//!   `FileName`, `UploadedFileName`, `Title` (≤ 80 characters), `UploadedFileContentType` and the
//!   base64 `FileContents`, sent as `application/vnd.oracle.adf.resourceitem+json`.
//! - `oracle.override_document_category` replaces the mapped category. IRC_INTERNAL files go to
//!   the application's `InternalAttachments` child, every other category to `Attachments`.
//! - `oracle.multi_post_to_all_current_applications` posts the same file to the target
//!   application and then to every other *current* application of the candidate, listed with
//!   `recruitingUIJobApplications?q=CandidateNumber='…'`. "Current" = not in a rejected or
//!   withdrawn state (`StateName`); the exact rule Oracle's UI uses is not public. If a later
//!   post fails, the error is returned although the earlier posts were stored.
//! - Kombo defines `remote_fields.oracle` for the application endpoint only; on the candidate
//!   endpoint they are ignored, with a warning.
//! - Listing (not in the research note): jobs from `recruitingJobRequisitions`
//!   (`RequisitionNumber`, `Title`), candidates from `recruitingCandidates`, applications from
//!   `recruitingUIJobApplications` (`SubmissionId`, `CandidateNumber`, `RequisitionNumber`,
//!   `PhaseName`, `StateName`), 500 per page (the ADF maximum).
//! - There is no public host: every customer has a pod, so `base_url` (e.g.
//!   `https://abcd.fa.us2.oraclecloud.com`) must be configured; the default is a placeholder.
//! - No size limit or MIME list is documented for these resources; none is declared.

mod client;
mod dto;
mod map;

use bytes::Bytes;

use super::kit::prelude::*;
use super::kit::{id_text, segment};
use super::remote_fields::{
    Endpoints, FieldError, Given, JsonType, Meaning, Parsed, RemoteField, RemoteFields, ToolOptions,
};
use client::Api;
use dto::{OrcApplication, OrcCandidate, OrcRequisition};

pub const DEFAULT_BASE_URL: &str = "https://your-pod.fa.ocs.oraclecloud.com";
const INTERNAL_CATEGORY: &str = "IRC_INTERNAL";
const TITLE_MAX_CHARS: usize = 80;

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "oraclerecruiting",
    label: client::LABEL,
    attach_to_application: true,
    attach_to_candidate: true,
    type_map: &[
        (AttachmentType::Cv, Some("IRC_CANDIDATE_RESUME")),
        (AttachmentType::CoverLetter, Some("IRC_CANDIDATE_COVERLETTER")),
        (AttachmentType::Other, Some("MISC")),
    ],
    max_file_size_bytes: None,
    accepted_mime_types: None,
    logo_url: "https://storage.googleapis.com/kombo-assets/integrations/oraclerecruiting/logo.svg",
    rate_limit: None, // not documented per tenant
};

pub const ENTRY: ToolEntry = ToolEntry {
    capabilities: &CAPABILITIES,
    required_credentials: &["username", "password"],
    remote_fields: Some(&REMOTE_FIELDS),
    build: OracleRecruiting::build,
};

const CATEGORY: &[&str] = &["override_document_category"];
const MULTI_POST: &[&str] = &["multi_post_to_all_current_applications"];
/// The document categories Kombo lets a caller choose.
const CATEGORIES: &[&str] = &["IRC_CANDIDATE_RESUME", "IRC_CANDIDATE_COVERLETTER", "MISC", "IRC_INTERNAL"];

/// Kombo's `remote_fields.oracle` (application endpoint only).
static REMOTE_FIELDS: RemoteFields = RemoteFields {
    key: "oracle",
    fields: &[
        RemoteField {
            path: CATEGORY,
            json_type: JsonType::Enum(CATEGORIES),
            nullable: false,
            endpoints: Endpoints::ApplicationOnly,
            meaning: Meaning::DocumentCategory,
            description: "Overrides the document category the file is stored under \
                          (IRC_INTERNAL files go to the application's internal attachments).",
        },
        RemoteField {
            path: MULTI_POST,
            json_type: JsonType::Boolean,
            nullable: false,
            endpoints: Endpoints::ApplicationOnly,
            meaning: Meaning::Behaviour,
            description: "If true, the file is also posted to every other current application of the candidate.",
        },
    ],
    parse: parse_remote_fields,
};

/// What one Oracle upload was asked to do differently.
struct Options {
    category: Option<&'static str>,
    multi_post: bool,
}

fn parse_remote_fields(given: &Given<'_>) -> Result<Parsed, FieldError> {
    // The declared enum was checked before; this finds its static spelling.
    let category = given.str(CATEGORY).and_then(|c| CATEGORIES.iter().find(|known| **known == c).copied());
    let options = Options { category, multi_post: given.bool(MULTI_POST).unwrap_or(false) };
    Ok(Parsed { options: ToolOptions::new(options), notes: Vec::new() })
}

const REQUISITIONS: Pager = Pager::new(client::LABEL, "job requisitions");
const CANDIDATES: Pager = Pager::new(client::LABEL, "candidates");
const APPLICATIONS: Pager = Pager::new(client::LABEL, "job applications");

pub struct OracleRecruiting {
    api: Api,
}

impl OracleRecruiting {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let credential = |key: &str| credential(&settings.credentials, "oraclerecruiting", key);
        let pod = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        let api = Api::new(&pod, credential("username")?, credential("password")?, settings.upstream);
        Ok(Arc::new(OracleRecruiting { api }))
    }

    fn candidate_attachments_url(&self, candidate: &str) -> String {
        format!("{}/recruitingCandidates/{}/child/attachments", self.api.api_url(), segment(candidate))
    }

    fn application_attachments_url(&self, submission_id: &str, child: &str) -> String {
        format!("{}/recruitingUIJobApplications/{}/child/{child}", self.api.api_url(), segment(submission_id))
    }

    /// Every application of a candidate, all pages.
    async fn candidate_applications(&self, candidate: &str) -> Result<Vec<OrcApplication>, ConnectorError> {
        let filter = Api::candidate_filter(candidate);
        APPLICATIONS.all(|token| self.api.page(&APPLICATIONS, "recruitingUIJobApplications", &filter, token)).await
    }

    /// POSTs the file to one child collection with `category`.
    async fn post(
        &self,
        url: &str,
        request: &UploadRequest<'_>,
        category: &str,
        content: &Bytes,
    ) -> Result<Option<String>, ConnectorError> {
        let title: String = request.file_name.chars().take(TITLE_MAX_CHARS).collect();
        let head = |file: &str| {
            serde_json::json!({
                "DatatypeCode": "FILE",
                "CategoryName": category,
                "FileName": request.file_name,
                "UploadedFileName": request.file_name,
                "Title": title,
                "UploadedFileContentType": request.content_type,
                "FileContents": file,
            })
        };
        self.api.post_attachment(url, head, content.clone()).await
    }

    /// The child collection a category's files live in.
    fn child_for(category: &str) -> &'static str {
        if category == INTERNAL_CATEGORY {
            "InternalAttachments"
        } else {
            "Attachments"
        }
    }

    async fn attachments_at(
        &self,
        list_url: &str,
        application: Option<&str>,
        candidate: Option<&str>,
    ) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let listed = self.api.attachments(list_url).await?;
        Ok(listed.into_iter().map(|a| map::attachment(a, list_url, application, candidate)).collect())
    }
}

#[async_trait]
impl Connector for OracleRecruiting {
    fn capabilities(&self) -> &'static Capabilities {
        &CAPABILITIES
    }

    async fn add_attachment(&self, request: &UploadRequest<'_>) -> Result<UploadReceipt, ConnectorError> {
        let mapped = CAPABILITIES.vendor_type(request.kind).ok_or_else(|| {
            ConnectorError::Unsupported(format!("Oracle Recruiting Cloud cannot store {} files", request.kind.as_str()))
        })?;
        let content = request.content.to_base64();
        match &request.target {
            AttachTarget::Candidate { remote_id } => {
                let url = self.candidate_attachments_url(remote_id);
                let remote_id = self.post(&url, request, mapped, &content).await?;
                Ok(UploadReceipt { remote_id })
            }
            AttachTarget::Application { remote_id, candidate_remote_id } => {
                let options = request.options.get::<Options>();
                let category = options.and_then(|o| o.category).unwrap_or(mapped);
                let url = self.application_attachments_url(remote_id, Self::child_for(category));
                let first = self.post(&url, request, category, &content).await?;
                if options.is_some_and(|o| o.multi_post) {
                    let candidate = match candidate_remote_id {
                        Some(candidate) => candidate.clone(),
                        None => {
                            self.api.application(remote_id).await?.candidate_number.as_ref().map(id_text).ok_or_else(
                                || ConnectorError::Inconsistent {
                                    vendor: client::LABEL,
                                    problem: format!("application {remote_id} has no candidate"),
                                },
                            )?
                        }
                    };
                    for other in self.candidate_applications(&candidate).await? {
                        let other_id = id_text(&other.submission_id);
                        if other_id == *remote_id || !map::is_current(&other) {
                            continue;
                        }
                        let url = self.application_attachments_url(&other_id, Self::child_for(category));
                        self.post(&url, request, category, &content).await?;
                    }
                }
                Ok(UploadReceipt { remote_id: first })
            }
        }
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        match target {
            AttachTarget::Application { remote_id, candidate_remote_id } => {
                let mut found = Vec::new();
                for child in ["Attachments", "InternalAttachments"] {
                    let url = self.application_attachments_url(remote_id, child);
                    found.extend(self.attachments_at(&url, Some(remote_id), candidate_remote_id.as_deref()).await?);
                }
                Ok(found)
            }
            AttachTarget::Candidate { remote_id } => {
                let url = self.candidate_attachments_url(remote_id);
                let mut found = self.attachments_at(&url, None, Some(remote_id)).await?;
                for application in self.candidate_applications(remote_id).await? {
                    let submission = id_text(&application.submission_id);
                    let target = AttachTarget::Application {
                        remote_id: submission,
                        candidate_remote_id: Some(remote_id.clone()),
                    };
                    found.extend(Box::pin(self.list_attachments(&target)).await?);
                }
                Ok(found)
            }
        }
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        self.api.download(download_ref).await
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page = REQUISITIONS
            .page(cursor, |token| {
                self.api.page::<OrcRequisition>(&REQUISITIONS, "recruitingJobRequisitions", "", token)
            })
            .await?;
        Ok(page.map(map::job))
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page = CANDIDATES
            .page(cursor, |token| self.api.page::<OrcCandidate>(&CANDIDATES, "recruitingCandidates", "", token))
            .await?;
        Ok(page.map(map::candidate))
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page = APPLICATIONS
            .page(cursor, |token| {
                self.api.page::<OrcApplication>(&APPLICATIONS, "recruitingUIJobApplications", "", token)
            })
            .await?;
        Ok(page.map(map::application))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;
    use crate::{
        connectors::{FileContent, Outcome},
        upstream::Upstream,
    };

    /// `multi_post_to_all_current_applications` reaches every current application of the
    /// candidate (and only those), with the overridden category.
    #[tokio::test]
    async fn multi_post_reaches_every_current_application() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let options = atsgate_emulators::EmulatorOptions { seed_candidates: 40, ..Default::default() };
        let emulator = atsgate_emulators::start("oraclerecruiting", listener, options).await.unwrap();
        let policy = crate::upstream::UpstreamPolicy {
            timeout: Duration::from_secs(10),
            max_retries: 0,
            max_retry_after: Duration::from_secs(1),
        };
        let connector = OracleRecruiting::build(ConnectorSettings {
            base_url: Some(emulator.base_url.clone()),
            auth_url: None,
            credentials: emulator.credentials.clone(),
            upstream: Arc::new(Upstream::new(policy).unwrap()),
            file_host: Arc::new(crate::filehost::MemoryFileHost::new("http://127.0.0.1:1")),
        })
        .unwrap();

        let applications = connector.list_applications(None).await.unwrap().items;
        let mut by_candidate: std::collections::BTreeMap<String, Vec<&RemoteApplication>> = Default::default();
        for a in &applications {
            by_candidate.entry(a.candidate_remote_id.clone().unwrap()).or_default().push(a);
        }
        // A candidate with at least two applications, one of them not current.
        let (candidate, apps) = by_candidate
            .iter()
            .find(|(_, apps)| apps.len() >= 2 && apps.iter().any(|a| a.outcome == Some(Outcome::Declined)))
            .expect("the seed has a candidate with a declined and another application");
        let target = apps.iter().find(|a| a.outcome != Some(Outcome::Declined)).unwrap();
        let current = apps.iter().filter(|a| a.outcome != Some(Outcome::Declined)).count();

        let content = FileContent::Raw(Bytes::from_static(b"multi"));
        let options = ToolOptions::new(Options { category: Some("MISC"), multi_post: true });
        connector
            .add_attachment(&UploadRequest {
                target: AttachTarget::Application {
                    remote_id: target.remote_id.clone(),
                    candidate_remote_id: Some(candidate.clone()),
                },
                file_name: "multi.pdf",
                kind: AttachmentType::Cv,
                content_type: "application/pdf",
                content: &content,
                options: &options,
            })
            .await
            .unwrap();

        let files: Vec<serde_json::Value> =
            reqwest::get(format!("{}/_emulator/files", emulator.base_url)).await.unwrap().json().await.unwrap();
        assert_eq!(files.len(), current, "one file per current application: {files:?}");
        assert!(files.iter().all(|f| f["type"] == "MISC" && f["candidate_id"] == candidate.as_str()));
        let declined: Vec<&str> =
            apps.iter().filter(|a| a.outcome == Some(Outcome::Declined)).map(|a| a.remote_id.as_str()).collect();
        assert!(files.iter().all(|f| !declined.contains(&f["application_id"].as_str().unwrap())));
    }
}
