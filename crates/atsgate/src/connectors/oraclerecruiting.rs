//! Oracle Recruiting Cloud (Oracle Fusion HCM REST, `hcmRestApi/resources/11.13.18.05`).
//!
//! Docs: https://docs.oracle.com/en/cloud/saas/human-resources/farws/api-recruiting-candidates-attachments-candidates.html
//! (`recruitingCandidates/{CandidateNumber}/child/attachments`),
//! https://docs.oracle.com/en/cloud/saas/human-resources/24b/farws/api-job-applications-attachments.html
//! (`recruitingUIJobApplications/{SubmissionId}/child/Attachments` and `…/InternalAttachments`),
//! https://docs.oracle.com/en/cloud/saas/human-resources/farws/op-recruitingcandidates-candidatenumber-child-attachments-post.html,
//! and /work/shared/spec/ats-apis.md §10 (HTTP Basic auth, `FileContents` base64 LOB with the
//! bytes at `…/enclosure/FileContents`, `CategoryName` IRC_CANDIDATE_RESUME /
//! IRC_CANDIDATE_COVERLETTER / MISC / IRC_INTERNAL, ADF `limit`/`offset` paging with `hasMore`).
//!
//! Choices on the points ats-apis.md marks UNCERTAIN or does not cover:
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
//! - Remote fields are not defined for the candidate endpoint, so they are ignored there.
//! - Listing (not in the research note): jobs from `recruitingJobRequisitions`
//!   (`RequisitionNumber`, `Title`), candidates from `recruitingCandidates`, applications from
//!   `recruitingUIJobApplications` (`SubmissionId`, `CandidateNumber`, `RequisitionNumber`,
//!   `PhaseName`, `StateName`), 500 per page (the ADF maximum).
//! - There is no public host: every customer has a pod, so `base_url` (e.g.
//!   `https://abcd.fa.us2.oraclecloud.com`) must be configured; the default is a placeholder.
//! - No size limit or MIME list is documented for these resources; none is declared.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

/// Placeholder: each Oracle customer has their own pod host.
pub const DEFAULT_BASE_URL: &str = "https://your-pod.fa.ocs.oraclecloud.com";
const API_PATH: &str = "/hcmRestApi/resources/11.13.18.05";
/// The ADF framework's maximum `limit`.
const PAGE_LIMIT: u32 = 500;
const ITEM_CONTENT_TYPE: &str = "application/vnd.oracle.adf.resourceitem+json";
const INTERNAL_CATEGORY: &str = "IRC_INTERNAL";
const TITLE_MAX_CHARS: usize = 80;

pub static CAPABILITIES: Capabilities = Capabilities {
    tool: "oraclerecruiting",
    label: "Oracle Recruiting Cloud",
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
    build: OracleRecruiting::build,
};

pub struct OracleRecruiting {
    /// `{pod}/hcmRestApi/resources/11.13.18.05`
    api: String,
    username: String,
    password: String,
    upstream: Arc<Upstream>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Collection<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    has_more: bool,
    offset: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrcRequisition {
    requisition_number: serde_json::Value,
    title: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrcCandidate {
    candidate_number: serde_json::Value,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    mobile_phone_number: Option<String>,
    creation_date: Option<String>,
    last_update_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrcApplication {
    submission_id: serde_json::Value,
    candidate_number: Option<serde_json::Value>,
    requisition_number: Option<serde_json::Value>,
    phase_name: Option<String>,
    state_name: Option<String>,
    creation_date: Option<String>,
    last_update_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrcAttachment {
    attached_document_id: serde_json::Value,
    file_name: Option<String>,
    uploaded_file_name: Option<String>,
    category_name: Option<String>,
    uploaded_file_content_type: Option<String>,
    uploaded_file_length: Option<u64>,
    creation_date: Option<String>,
    last_update_date: Option<String>,
}

fn unavailable(err: SendError) -> ConnectorError {
    // Refused connections are certain failures; a timeout or a broken connection is ambiguous,
    // which makes the action layer check the ATS before retrying an upload.
    super::send_failure("Oracle Recruiting Cloud", err)
}

/// The vendor's words: ADF error JSON (`title`, `detail`, `o:errorDetails[].detail`) or plain text.
fn vendor_message(text: &str) -> String {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let details: Vec<&str> = value
            .get("o:errorDetails")
            .and_then(|d| d.as_array())
            .map(|d| d.iter().filter_map(|e| e.get("detail").and_then(|x| x.as_str())).collect())
            .unwrap_or_default();
        if !details.is_empty() {
            return details.join("; ");
        }
        if let Some(detail) = value.get("detail").or_else(|| value.get("title")).and_then(|x| x.as_str()) {
            return detail.to_string();
        }
    }
    text.trim().chars().take(300).collect()
}

fn classify_status(status: StatusCode, retry: Option<Duration>, text: &str) -> ConnectorError {
    classify_http("Oracle Recruiting Cloud", status, retry, &vendor_message(text))
}

async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, retry_after, classify_status).await
}

/// A rejected or withdrawn application is not "current".
fn is_current(application: &OrcApplication) -> bool {
    let state = application.state_name.as_deref().unwrap_or("").to_ascii_lowercase();
    !(state.contains("reject") || state.contains("withdrawn"))
}

fn outcome(application: &OrcApplication) -> Option<Outcome> {
    let state = application.state_name.as_deref()?.to_ascii_lowercase();
    let phase = application.phase_name.as_deref().unwrap_or("").to_ascii_lowercase();
    Some(if state.contains("reject") || state.contains("withdrawn") {
        Outcome::Declined
    } else if phase == "hr" || state.contains("hired") {
        Outcome::Hired
    } else {
        Outcome::Pending
    })
}

impl OracleRecruiting {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let credential = |key: &str| super::credential(&settings.credentials, "oraclerecruiting", key);
        let pod = settings.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(OracleRecruiting {
            api: format!("{}{API_PATH}", pod.trim_end_matches('/')),
            username: credential("username")?,
            password: credential("password")?,
            upstream: settings.upstream,
        }))
    }

    async fn get(&self, url: &str) -> Result<Response, ConnectorError> {
        let response = self
            .upstream
            .send(Method::GET, url, |r| r.basic_auth(&self.username, Some(&self.password)))
            .await
            .map_err(unavailable)?;
        check(response).await
    }

    async fn collection<T: serde::de::DeserializeOwned>(
        &self,
        resource: &str,
        query: &str,
        offset: Option<&str>,
    ) -> Result<Page<T>, ConnectorError> {
        let offset: u64 = match offset {
            None => 0,
            Some(o) => o.parse().map_err(|_| ConnectorError::Unexpected(format!("bad Oracle page cursor {o:?}")))?,
        };
        let url = format!("{}/{resource}?onlyData=true&limit={PAGE_LIMIT}&offset={offset}{query}", self.api);
        let page: Collection<T> = self.get(&url).await?.json().await.map_err(|e| {
            ConnectorError::Unexpected(format!("Oracle Recruiting Cloud returned an unreadable {resource} page: {e}"))
        })?;
        let served = page.items.len() as u64;
        let next = (page.has_more && served > 0).then(|| (page.offset.unwrap_or(offset) + served).to_string());
        Ok(Page { items: page.items, next })
    }

    /// Every application of a candidate, all pages.
    async fn candidate_applications(&self, candidate: &str) -> Result<Vec<OrcApplication>, ConnectorError> {
        let filter = format!("&q=CandidateNumber='{}'", segment(&candidate.replace('\'', "''")));
        let mut found = Vec::new();
        let mut cursor = None;
        loop {
            let page: Page<OrcApplication> =
                self.collection("recruitingUIJobApplications", &filter, cursor.as_deref()).await?;
            found.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(found),
            }
        }
    }

    async fn application(&self, submission_id: &str) -> Result<OrcApplication, ConnectorError> {
        let url = format!("{}/recruitingUIJobApplications/{}?onlyData=true", self.api, segment(submission_id));
        self.get(&url).await?.json().await.map_err(|e| {
            ConnectorError::Unexpected(format!("Oracle Recruiting Cloud returned an unreadable application: {e}"))
        })
    }

    /// POSTs one attachment; the JSON is assembled around the base64 so it is never copied.
    async fn post_attachment(
        &self,
        url: &str,
        request: &UploadRequest<'_>,
        category: &str,
        content: &Bytes,
    ) -> Result<Option<String>, ConnectorError> {
        let title: String = request.file_name.chars().take(TITLE_MAX_CHARS).collect();
        let head = serde_json::json!({
            "DatatypeCode": "FILE",
            "CategoryName": category,
            "FileName": request.file_name,
            "UploadedFileName": request.file_name,
            "Title": title,
            "UploadedFileContentType": request.content_type,
        });
        let mut head = serde_json::to_vec(&head).map_err(|e| ConnectorError::Unexpected(e.to_string()))?;
        head.pop(); // the closing brace
        head.extend_from_slice(b",\"FileContents\":\"");
        let chunks = [Bytes::from(head), content.clone(), Bytes::from_static(b"\"}")];
        let len: u64 = chunks.iter().map(|c| c.len() as u64).sum();
        let response = self
            .upstream
            .send(Method::POST, url, |r| {
                let stream = futures::stream::iter(chunks.clone().into_iter().map(Ok::<_, std::io::Error>));
                r.basic_auth(&self.username, Some(&self.password))
                    .header(reqwest::header::CONTENT_TYPE, ITEM_CONTENT_TYPE)
                    .header(reqwest::header::CONTENT_LENGTH, len)
                    .body(reqwest::Body::wrap_stream(stream))
            })
            .await
            .map_err(unavailable)?;
        let response = check(response).await?;
        let created: Option<OrcAttachment> = response.json().await.ok();
        Ok(created.map(|a| id_text(&a.attached_document_id)))
    }

    fn application_attachments_url(&self, submission_id: &str, category: &str) -> String {
        let child = if category == INTERNAL_CATEGORY { "InternalAttachments" } else { "Attachments" };
        format!("{}/recruitingUIJobApplications/{}/child/{child}", self.api, segment(submission_id))
    }

    async fn attachments_at(
        &self,
        list_url: &str,
        application: Option<&str>,
        candidate: Option<&str>,
    ) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let url = format!("{list_url}?onlyData=true&limit={PAGE_LIMIT}");
        let page: Collection<OrcAttachment> = self.get(&url).await?.json().await.map_err(|e| {
            ConnectorError::Unexpected(format!("Oracle Recruiting Cloud returned an unreadable attachment list: {e}"))
        })?;
        Ok(page
            .items
            .into_iter()
            .map(|a| {
                let id = id_text(&a.attached_document_id);
                RemoteAttachment {
                    download_ref: format!("{list_url}/{}/enclosure/FileContents", segment(&id)),
                    remote_id: id,
                    application_remote_id: application.map(str::to_string),
                    candidate_remote_id: candidate.map(str::to_string),
                    file_name: a.uploaded_file_name.or(a.file_name).unwrap_or_default(),
                    kind: match a.category_name.as_deref() {
                        Some("IRC_CANDIDATE_RESUME") => AttachmentType::Cv,
                        Some("IRC_CANDIDATE_COVERLETTER") => AttachmentType::CoverLetter,
                        _ => AttachmentType::Other,
                    },
                    content_type: a.uploaded_file_content_type,
                    size: a.uploaded_file_length,
                    remote_created_at: a.creation_date,
                    remote_updated_at: a.last_update_date,
                }
            })
            .collect())
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
                let url = format!("{}/recruitingCandidates/{}/child/attachments", self.api, segment(remote_id));
                let remote_id = self.post_attachment(&url, request, mapped, &content).await?;
                Ok(UploadReceipt { remote_id })
            }
            AttachTarget::Application { remote_id, candidate_remote_id } => {
                let category = request.options.oracle_override_document_category.as_deref().unwrap_or(mapped);
                let url = self.application_attachments_url(remote_id, category);
                let first = self.post_attachment(&url, request, category, &content).await?;
                if request.options.oracle_multi_post_to_all_current_applications == Some(true) {
                    let candidate = match candidate_remote_id {
                        Some(candidate) => candidate.clone(),
                        None => self.application(remote_id).await?.candidate_number.as_ref().map(id_text).ok_or_else(
                            || ConnectorError::Unexpected(format!("Oracle application {remote_id} has no candidate")),
                        )?,
                    };
                    for other in self.candidate_applications(&candidate).await? {
                        let other_id = id_text(&other.submission_id);
                        if other_id == *remote_id || !is_current(&other) {
                            continue;
                        }
                        let url = self.application_attachments_url(&other_id, category);
                        self.post_attachment(&url, request, category, &content).await?;
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
                    let url = format!("{}/recruitingUIJobApplications/{}/child/{child}", self.api, segment(remote_id));
                    found.extend(self.attachments_at(&url, Some(remote_id), candidate_remote_id.as_deref()).await?);
                }
                Ok(found)
            }
            AttachTarget::Candidate { remote_id } => {
                let url = format!("{}/recruitingCandidates/{}/child/attachments", self.api, segment(remote_id));
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
        if !download_ref.starts_with(&self.api) {
            return Err(ConnectorError::NotFound("the attachment link is not on this Oracle pod".into()));
        }
        let response = self.get(download_ref).await?;
        Ok(file_stream(response))
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let page: Page<OrcRequisition> = self.collection("recruitingJobRequisitions", "", cursor).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|r| RemoteJob { remote_id: id_text(&r.requisition_number), name: r.title })
                .collect(),
            next: page.next,
        })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let page: Page<OrcCandidate> = self.collection("recruitingCandidates", "", cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|c| RemoteCandidate {
                remote_id: id_text(&c.candidate_number),
                first_name: c.first_name,
                last_name: c.last_name,
                emails: c.email.into_iter().map(|e| (e, None)).collect(),
                phones: c.mobile_phone_number.into_iter().map(|p| (p, Some("MOBILE".to_string()))).collect(),
                remote_created_at: c.creation_date,
                remote_updated_at: c.last_update_date,
                ..RemoteCandidate::default()
            })
            .collect();
        Ok(Page { items, next: page.next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let page: Page<OrcApplication> = self.collection("recruitingUIJobApplications", "", cursor).await?;
        let items = page
            .items
            .into_iter()
            .map(|a| RemoteApplication {
                remote_id: id_text(&a.submission_id),
                candidate_remote_id: a.candidate_number.as_ref().map(id_text),
                job_remote_id: a.requisition_number.as_ref().map(id_text),
                outcome: outcome(&a),
                current_stage: a.phase_name.clone().map(|phase| RemoteStage {
                    name: Some(match &a.state_name {
                        Some(state) => format!("{phase} / {state}"),
                        None => phase.clone(),
                    }),
                    remote_id: phase,
                    index: None,
                }),
                remote_created_at: a.creation_date,
                remote_updated_at: a.last_update_date,
                ..RemoteApplication::default()
            })
            .collect();
        Ok(Page { items, next: page.next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adf_error_details_are_read() {
        let body = r#"{"title":"Bad Request","status":"400","o:errorDetails":[{"detail":"CategoryName is invalid","o:errorCode":"27008"}]}"#;
        assert_eq!(vendor_message(body), "CategoryName is invalid");
        assert_eq!(vendor_message("plain words"), "plain words");
    }

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
        let options = VendorOptions {
            oracle_override_document_category: Some("MISC".into()),
            oracle_multi_post_to_all_current_applications: Some(true),
            ..VendorOptions::default()
        };
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
