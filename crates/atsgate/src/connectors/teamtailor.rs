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
//! UNCERTAIN points (ats-apis.md §6) and the choices made:
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

use std::{collections::HashMap, sync::Arc, time::Duration};

use async_trait::async_trait;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::*;
use crate::upstream::{retry_after, SendError, Upstream};

pub const DEFAULT_BASE_URL: &str = "https://api.teamtailor.com";
/// The API version this connector was written against (dated, sent on every call).
const API_VERSION: &str = "20240404";
const JSON_API: &str = "application/vnd.api+json";
const PAGE_SIZE: u32 = 30;
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

pub const ENTRY: ToolEntry =
    ToolEntry { capabilities: &CAPABILITIES, required_credentials: &["api_key"], build: Teamtailor::build };

pub struct Teamtailor {
    base_url: String,
    api_key: String,
    upstream: Arc<Upstream>,
    file_host: Arc<dyn FileHost>,
}

/// A JSON:API document whose primary data is `T`.
#[derive(Deserialize)]
struct Document<T> {
    data: T,
    #[serde(default)]
    included: Vec<Resource>,
    #[serde(default)]
    links: Links,
}

#[derive(Deserialize, Default)]
struct Links {
    next: Option<String>,
}

/// A JSON:API resource object; attributes are read by their dasherized names.
#[derive(Deserialize)]
struct Resource {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    attributes: Map<String, Value>,
    #[serde(default)]
    relationships: Map<String, Value>,
}

impl Resource {
    fn text(&self, name: &str) -> Option<String> {
        match self.attributes.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The id linked by a to-one relationship (present when the relationship was included).
    fn related_id(&self, name: &str) -> Option<String> {
        let id = self.relationships.get(name)?.get("data")?.get("id")?;
        match id {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Included resources by (type, id).
fn index(included: &[Resource]) -> HashMap<(&str, &str), &Resource> {
    included.iter().map(|r| ((r.kind.as_str(), r.id.as_str()), r)).collect()
}

#[derive(Deserialize)]
struct ErrorDocument {
    #[serde(default)]
    errors: Vec<ErrorObject>,
}

#[derive(Deserialize)]
struct ErrorObject {
    title: Option<String>,
    detail: Option<String>,
    source: Option<ErrorSource>,
}

#[derive(Deserialize)]
struct ErrorSource {
    pointer: Option<String>,
}

/// The vendor's own words from a JSON:API error document.
fn vendor_message(text: &str) -> String {
    let Ok(body) = serde_json::from_str::<ErrorDocument>(text) else {
        return text.chars().take(300).collect();
    };
    let parts: Vec<String> = body
        .errors
        .into_iter()
        .filter_map(|e| {
            let said = e.detail.or(e.title)?;
            Some(match e.source.and_then(|s| s.pointer) {
                Some(pointer) => format!("{pointer}: {said}"),
                None => said,
            })
        })
        .collect();
    if parts.is_empty() {
        text.chars().take(300).collect()
    } else {
        parts.join("; ")
    }
}

fn classify_status(status: StatusCode, retry: Option<Duration>, text: &str) -> ConnectorError {
    let said = vendor_message(text);
    match status.as_u16() {
        403 => ConnectorError::PermissionMissing(format!(
            "The Teamtailor API key lacks a permission this action needs; an Admin read/write key is required (Teamtailor said: {said})"
        )),
        // JSON:API answers 406 to a request it cannot serve as asked: a request problem.
        406 => ConnectorError::RejectedInput(format!("Teamtailor rejected the request: {said}")),
        _ => classify_http("Teamtailor", status, retry, &said),
    }
}

/// `Retry-After`, else Teamtailor's `X-Rate-Limit-Reset` (seconds until the window resets).
fn wait_hint(response: &Response) -> Option<Duration> {
    retry_after(response).or_else(|| {
        let value = response.headers().get("x-rate-limit-reset")?.to_str().ok()?;
        value.trim().parse::<u64>().ok().map(Duration::from_secs)
    })
}

/// Passes a 2xx response through; turns anything else into a classified error.
async fn check(response: Response) -> Result<Response, ConnectorError> {
    check_with(response, wait_hint, classify_status).await
}

fn unavailable(err: SendError) -> ConnectorError {
    // Refused connections are certain failures; a timeout or a broken connection is ambiguous,
    // which makes the action layer check the ATS before retrying an upload.
    super::send_failure("Teamtailor", err)
}

async fn parse<T: serde::de::DeserializeOwned>(response: Response, what: &str) -> Result<T, ConnectorError> {
    let bytes = response.bytes().await.map_err(|e| ConnectorError::Unavailable {
        message: format!("Teamtailor broke off: {e}"),
        retry_after: None,
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ConnectorError::Unexpected(format!("Teamtailor returned an unreadable {what}: {e}")))
}

fn first_page(base_url: &str, path: &str, extra: &str) -> String {
    // `page[size]` with the brackets percent-encoded, as a URL query must carry them.
    format!("{base_url}/v1/{path}?page%5Bsize%5D={PAGE_SIZE}{extra}")
}

impl Teamtailor {
    fn build(settings: ConnectorSettings) -> anyhow::Result<Arc<dyn Connector>> {
        let api_key = credential(&settings.credentials, "teamtailor", "api_key")?;
        let base_url = settings.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Arc::new(Teamtailor {
            base_url: base_url.trim_end_matches('/').trim_end_matches("/v1").to_string(),
            api_key,
            upstream: settings.upstream,
            file_host: settings.file_host,
        }))
    }

    fn authed(&self, r: RequestBuilder) -> RequestBuilder {
        r.header(reqwest::header::AUTHORIZATION, format!("Token token={}", self.api_key))
            .header("X-Api-Version", API_VERSION)
            .header(reqwest::header::ACCEPT, JSON_API)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: &str, what: &str) -> Result<T, ConnectorError> {
        let response = self.upstream.send(Method::GET, url, |r| self.authed(r)).await.map_err(unavailable)?;
        parse(check(response).await?, what).await
    }

    /// Every page of a list, following `links.next`.
    async fn get_all(&self, first: String, what: &str) -> Result<Document<Vec<Resource>>, ConnectorError> {
        let mut all = Document { data: Vec::new(), included: Vec::new(), links: Links::default() };
        let mut url = Some(first);
        while let Some(next) = url.take() {
            let page: Document<Vec<Resource>> = self.get(&next, what).await?;
            all.data.extend(page.data);
            all.included.extend(page.included);
            url = page.links.next;
        }
        Ok(all)
    }

    /// The email address that identifies a candidate for `merge`.
    async fn candidate_email(&self, candidate_id: &str) -> Result<String, ConnectorError> {
        let url = format!("{}/v1/candidates/{candidate_id}", self.base_url);
        let candidate: Document<Resource> = self.get(&url, "candidate").await?;
        candidate.data.text("email").filter(|e| !e.is_empty()).ok_or_else(|| {
            ConnectorError::RejectedInput(format!(
                "Teamtailor sets a CV through the candidate's email address, and candidate {candidate_id} has none"
            ))
        })
    }

    /// (candidate id, job id) of a job application.
    async fn application_parties(&self, application_id: &str) -> Result<(String, Option<String>), ConnectorError> {
        let url = format!("{}/v1/job-applications/{application_id}?include=candidate,job", self.base_url);
        let doc: Document<Resource> = self.get(&url, "job application").await?;
        let candidate = doc.data.related_id("candidate").ok_or_else(|| {
            ConnectorError::Unexpected(format!("Teamtailor job application {application_id} has no candidate"))
        })?;
        Ok((candidate, doc.data.related_id("job")))
    }

    async fn candidate_uploads(&self, candidate_id: &str) -> Result<Vec<Resource>, ConnectorError> {
        let first = first_page(&self.base_url, &format!("candidates/{candidate_id}/uploads"), "&include=job");
        Ok(self.get_all(first, "upload list").await?.data)
    }

    /// Job id → job-application id for one candidate.
    async fn applications_by_job(&self, candidate_id: &str) -> Result<HashMap<String, String>, ConnectorError> {
        let first = first_page(&self.base_url, &format!("candidates/{candidate_id}/job-applications"), "&include=job");
        let doc = self.get_all(first, "job application list").await?;
        Ok(doc.data.iter().filter_map(|a| Some((a.related_id("job")?, a.id.clone()))).collect())
    }

    fn to_attachment(
        upload: &Resource,
        candidate_id: &str,
        application_id: Option<String>,
    ) -> Option<RemoteAttachment> {
        Some(RemoteAttachment {
            remote_id: upload.id.clone(),
            application_remote_id: application_id,
            candidate_remote_id: Some(candidate_id.to_string()),
            file_name: upload.text("file-name").unwrap_or_else(|| format!("upload-{}", upload.id)),
            kind: AttachmentType::Other,
            content_type: None,
            size: None,
            remote_created_at: upload.text("created-at"),
            remote_updated_at: upload.text("updated-at"),
            download_ref: upload.text("url")?,
        })
    }
}

/// The id a candidate's resume is known by (the resume is an attribute, not a resource).
fn resume_id(candidate_id: &str) -> String {
    format!("{candidate_id}-resume")
}

/// A candidate's resume as a file; its name is the URL's last path segment.
fn resume_attachment(candidate: &Resource, url: String) -> RemoteAttachment {
    let file_name = url_file_name(&url).unwrap_or_else(|| "resume".into());
    RemoteAttachment {
        remote_id: resume_id(&candidate.id),
        application_remote_id: None,
        candidate_remote_id: Some(candidate.id.clone()),
        file_name,
        kind: AttachmentType::Cv,
        content_type: None,
        size: None,
        remote_created_at: None,
        remote_updated_at: candidate.text("updated-at"),
        download_ref: url,
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
            AttachmentType::Cv => Some(self.candidate_email(candidate_id).await?),
            _ => None,
        };
        let url = match email {
            Some(_) => format!("{}/v1/candidates", self.base_url),
            None => format!("{}/v1/uploads", self.base_url),
        };
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
        // Every attempt gets its own fetch-once URL; all stay alive until the call returns
        // (Teamtailor downloads during the call) and are forgotten right after.
        let hosted: std::sync::Mutex<Vec<HostedFile>> = std::sync::Mutex::new(Vec::new());
        let response = self
            .upstream
            .send(Method::POST, &url, |r| {
                let file = self.file_host.publish(request.file_name, request.content_type, bytes.clone());
                let body = serde_json::to_vec(&document(&file.url)).unwrap_or_default();
                hosted.lock().unwrap_or_else(|e| e.into_inner()).push(file);
                self.authed(r).header(reqwest::header::CONTENT_TYPE, JSON_API).body(body)
            })
            .await;
        drop(hosted);
        let response = check(response.map_err(unavailable)?).await?;
        let created: Option<Document<Resource>> = parse(response, "answer").await.ok();
        let Some(created) = created else {
            return Ok(UploadReceipt { remote_id: None });
        };
        if email.is_none() {
            return Ok(UploadReceipt { remote_id: Some(created.data.id) });
        }
        // The email matched another candidate between the read and the merge: say so loudly.
        if created.data.id != *candidate_id {
            return Err(ConnectorError::Unexpected(format!(
                "Teamtailor set the resume on candidate {} instead of {candidate_id} (their emails match)",
                created.data.id
            )));
        }
        Ok(UploadReceipt { remote_id: Some(resume_id(candidate_id)) })
    }

    async fn list_attachments(&self, target: &AttachTarget) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        match target {
            AttachTarget::Application { remote_id, .. } => {
                let (candidate_id, job_id) = self.application_parties(remote_id).await?;
                let uploads = self.candidate_uploads(&candidate_id).await?;
                Ok(uploads
                    .iter()
                    .filter(|u| job_id.is_some() && u.related_id("job") == job_id)
                    .filter_map(|u| Self::to_attachment(u, &candidate_id, Some(remote_id.clone())))
                    .collect())
            }
            AttachTarget::Candidate { remote_id } => {
                let candidate_url = format!("{}/v1/candidates/{remote_id}", self.base_url);
                let candidate: Document<Resource> = self.get(&candidate_url, "candidate").await?;
                let resume = candidate.data.text("resume").map(|url| resume_attachment(&candidate.data, url));
                let uploads = self.candidate_uploads(remote_id).await?;
                let by_job = if uploads.iter().any(|u| u.related_id("job").is_some()) {
                    self.applications_by_job(remote_id).await?
                } else {
                    HashMap::new()
                };
                let files = uploads.iter().filter_map(|u| {
                    let application = u.related_id("job").and_then(|j| by_job.get(&j).cloned());
                    Self::to_attachment(u, remote_id, application)
                });
                Ok(resume.into_iter().chain(files).collect())
            }
        }
    }

    async fn download_attachment(&self, download_ref: &str) -> Result<FileStream, ConnectorError> {
        // Upload URLs are presigned: no Authorization header may be sent with them.
        let response = check(self.upstream.send(Method::GET, download_ref, |r| r).await.map_err(unavailable)?).await?;
        Ok(file_stream(response))
    }

    async fn list_jobs(&self, cursor: Option<&str>) -> Result<Page<RemoteJob>, ConnectorError> {
        let url = cursor.map_or_else(|| first_page(&self.base_url, "jobs", ""), str::to_string);
        let doc: Document<Vec<Resource>> = self.get(&url, "job list").await?;
        let items = doc.data.iter().map(|j| RemoteJob { remote_id: j.id.clone(), name: j.text("title") }).collect();
        Ok(Page { items, next: doc.links.next })
    }

    async fn list_candidates(&self, cursor: Option<&str>) -> Result<Page<RemoteCandidate>, ConnectorError> {
        let url = cursor.map_or_else(|| first_page(&self.base_url, "candidates", ""), str::to_string);
        let doc: Document<Vec<Resource>> = self.get(&url, "candidate list").await?;
        let items = doc
            .data
            .iter()
            .map(|c| RemoteCandidate {
                remote_id: c.id.clone(),
                first_name: c.text("first-name"),
                last_name: c.text("last-name"),
                company: None,
                title: None,
                confidential: c.attributes.get("restricted").and_then(Value::as_bool),
                source: c.attributes.get("sourced").and_then(Value::as_bool).and_then(|s| s.then(|| "Sourced".into())),
                emails: c.text("email").into_iter().map(|e| (e, None)).collect(),
                phones: c.text("phone").into_iter().map(|p| (p, None)).collect(),
                tags: c
                    .attributes
                    .get("tags")
                    .and_then(Value::as_array)
                    .map(|t| t.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
                remote_url: None,
                remote_created_at: c.text("created-at"),
                remote_updated_at: c.text("updated-at"),
            })
            .collect();
        Ok(Page { items, next: doc.links.next })
    }

    async fn list_applications(&self, cursor: Option<&str>) -> Result<Page<RemoteApplication>, ConnectorError> {
        let url = cursor.map_or_else(
            || first_page(&self.base_url, "job-applications", "&include=candidate,job,stage,reject-reason"),
            str::to_string,
        );
        let doc: Document<Vec<Resource>> = self.get(&url, "job application list").await?;
        let included = index(&doc.included);
        let items = doc
            .data
            .iter()
            .map(|a| {
                let stage = a.related_id("stage").map(|id| {
                    let found = included.get(&("stages", id.as_str()));
                    RemoteStage {
                        name: found.and_then(|s| s.text("name")),
                        index: found.and_then(|s| s.attributes.get("row-order")).and_then(Value::as_i64),
                        remote_id: id,
                    }
                });
                let stage_type = a
                    .related_id("stage")
                    .and_then(|id| included.get(&("stages", id.as_str())).and_then(|s| s.text("stage-type")));
                let rejected_at = a.text("rejected-at");
                let outcome = match (&rejected_at, stage_type.as_deref()) {
                    (Some(_), _) => Outcome::Declined,
                    (None, Some("hired")) => Outcome::Hired,
                    (None, _) => Outcome::Pending,
                };
                RemoteApplication {
                    remote_id: a.id.clone(),
                    candidate_remote_id: a.related_id("candidate"),
                    job_remote_id: a.related_id("job"),
                    outcome: Some(outcome),
                    rejection_reason_name: a
                        .related_id("reject-reason")
                        .and_then(|id| included.get(&("reject-reasons", id.as_str())).and_then(|r| r.text("reason"))),
                    rejected_at,
                    current_stage: stage,
                    source: a.text("referring-site"),
                    remote_url: None,
                    remote_created_at: a.text("created-at"),
                    remote_updated_at: a.text("updated-at"),
                }
            })
            .collect();
        Ok(Page { items, next: doc.links.next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_api_errors_become_one_message() {
        let text = r#"{"errors":[{"status":"422","title":"is invalid","detail":"could not be downloaded","source":{"pointer":"/data/attributes/url"}}]}"#;
        assert_eq!(vendor_message(text), "/data/attributes/url: could not be downloaded");
        assert_eq!(vendor_message("oops"), "oops");
    }

    #[test]
    fn linkage_is_read_from_relationships() {
        let r: Resource = serde_json::from_value(json!({"id":"7","type":"job-applications",
            "relationships":{"job":{"data":{"type":"jobs","id":"3"}},"stage":{"links":{}}}}))
        .unwrap();
        assert_eq!(r.related_id("job").as_deref(), Some("3"));
        assert_eq!(r.related_id("stage"), None);
    }
}
