//! Teamtailor's raw calls: the `Token token=` key with the dated `X-Api-Version`, JSON:API
//! documents paged by `links.next`, and writes whose file Teamtailor fetches from a URL the
//! gateway publishes for the length of the call.

use std::{collections::HashMap, sync::Arc, time::Duration};

use bytes::Bytes;
use reqwest::{RequestBuilder, Response};

use super::dto::{Document, ErrorDocument, Resource};
use crate::{
    connectors::{
        kit::{dialect::with_details, segment, Auth, Body, Call, ErrorDialect, Pager, Said, VendorClient},
        ConnectorError, FailureKind, FileHost, FileStream, HostedFile,
    },
    upstream::{retry_after, Upstream},
};

/// The API version this connector was written against (dated, sent on every call).
const API_VERSION: &str = "20240404";
const JSON_API: &str = "application/vnd.api+json";
/// Believed to be the maximum page size.
const PAGE_SIZE: u32 = 30;
const LABEL: &str = "Teamtailor";
const LISTS: Pager = Pager::new(LABEL, "a candidate's uploads or applications");

/// JSON:API `{"errors":[{"status","title","detail","source":{"pointer"}}]}`.
pub struct TeamtailorErrors;

impl ErrorDialect for TeamtailorErrors {
    fn read(&self, body: &str) -> Said {
        let Ok(document) = serde_json::from_str::<ErrorDocument>(body) else { return Said::text(body) };
        let details = document.errors.into_iter().map(|e| (e.source.and_then(|s| s.pointer), e.detail.or(e.title)));
        with_details(None, details).unwrap_or_else(|| Said::text(body))
    }

    fn kind(&self, status: u16, _said: &Said) -> Option<FailureKind> {
        // JSON:API answers 406 to a request it cannot serve as asked: a request problem.
        (status == 406).then_some(FailureKind::RejectedInput)
    }

    fn advice(&self, kind: FailureKind) -> Option<&'static str> {
        (kind == FailureKind::PermissionMissing).then_some("an Admin read/write API key is required")
    }

    /// `Retry-After`, else Teamtailor's `X-Rate-Limit-Reset` (seconds until the window resets).
    fn wait(&self, response: &Response) -> Option<Duration> {
        retry_after(response).or_else(|| {
            let value = response.headers().get("x-rate-limit-reset")?.to_str().ok()?;
            value.trim().parse::<u64>().ok().map(Duration::from_secs)
        })
    }
}

pub struct Api {
    http: VendorClient,
    file_host: Arc<dyn FileHost>,
}

impl Api {
    pub fn new(
        base_url: &str,
        api_key: &str,
        upstream: Arc<Upstream>,
        file_host: Arc<dyn FileHost>,
    ) -> anyhow::Result<Api> {
        let base_url = base_url.trim_end_matches('/').trim_end_matches("/v1");
        let auth = Auth::authorization(&format!("Token token={api_key}"))?;
        let http = VendorClient::new(LABEL, base_url, auth, &TeamtailorErrors, upstream)
            .with_header("x-api-version", API_VERSION)
            .with_header("accept", JSON_API);
        Ok(Api { http, file_host })
    }

    /// The first page of a list (`page[size]` with the brackets percent-encoded).
    pub fn first_page(path: &str, extra: &str) -> String {
        format!("/v1/{path}?page%5Bsize%5D={PAGE_SIZE}{extra}")
    }

    /// One candidate.
    pub async fn candidate(&self, candidate_id: &str) -> Result<Document<Resource>, ConnectorError> {
        self.http.get(&format!("/v1/candidates/{}", segment(candidate_id)), "candidate").await
    }

    /// One page of a list; the token is the previous page's `links.next`.
    pub async fn page(
        &self,
        first: &str,
        token: Option<String>,
        what: &str,
    ) -> Result<(Document<Vec<Resource>>, Option<String>), ConnectorError> {
        let target = token.unwrap_or_else(|| first.to_string());
        let document: Document<Vec<Resource>> = self.http.get(&target, what).await?;
        let next = document.links.next.clone();
        Ok((document, next))
    }

    /// Every page of a small list (a candidate's uploads or applications), resources only.
    async fn all(&self, first: &str, what: &str) -> Result<Vec<Resource>, ConnectorError> {
        LISTS
            .all(|token| async move {
                let (document, next) = self.page(first, token, what).await?;
                Ok((document.data, next))
            })
            .await
    }

    /// The email address that identifies a candidate for `merge`.
    pub async fn candidate_email(&self, candidate_id: &str) -> Result<String, ConnectorError> {
        let candidate = self.candidate(candidate_id).await?;
        candidate.data.text("email").filter(|e| !e.is_empty()).ok_or_else(|| {
            ConnectorError::RejectedInput(format!(
                "Teamtailor sets a CV through the candidate's email address, and candidate {candidate_id} has none"
            ))
        })
    }

    /// (candidate id, job id) of a job application.
    pub async fn application_parties(&self, application_id: &str) -> Result<(String, Option<String>), ConnectorError> {
        let target = format!("/v1/job-applications/{}?include=candidate,job", segment(application_id));
        let document: Document<Resource> = self.http.get(&target, "job application").await?;
        let candidate = document.data.related_id("candidate").ok_or_else(|| ConnectorError::Inconsistent {
            vendor: LABEL,
            problem: format!("job application {application_id} has no candidate"),
        })?;
        Ok((candidate, document.data.related_id("job")))
    }

    pub async fn candidate_uploads(&self, candidate_id: &str) -> Result<Vec<Resource>, ConnectorError> {
        self.all(
            &Self::first_page(&format!("candidates/{}/uploads", segment(candidate_id)), "&include=job"),
            "upload list",
        )
        .await
    }

    /// Job id → job-application id for one candidate.
    pub async fn applications_by_job(&self, candidate_id: &str) -> Result<HashMap<String, String>, ConnectorError> {
        let first = Self::first_page(&format!("candidates/{}/job-applications", segment(candidate_id)), "&include=job");
        let applications = self.all(&first, "job application list").await?;
        Ok(applications.iter().filter_map(|a| Some((a.related_id("job")?, a.id.clone()))).collect())
    }

    /// POSTs a JSON:API document naming a file by URL. Every attempt gets its own fetch-once URL;
    /// all stay alive until the call returns (Teamtailor downloads during the call) and are
    /// forgotten right after.
    pub async fn post_with_file(
        &self,
        path: &str,
        file_name: &str,
        content_type: &str,
        bytes: Bytes,
        document: impl Fn(&str) -> serde_json::Value + Send + Sync,
    ) -> Result<Option<Document<Resource>>, ConnectorError> {
        let hosted: std::sync::Mutex<Vec<HostedFile>> = std::sync::Mutex::new(Vec::new());
        let build = |r: RequestBuilder| {
            let file = self.file_host.publish(file_name, content_type, bytes.clone());
            let body = document(&file.url).to_string();
            hosted.lock().unwrap_or_else(|e| e.into_inner()).push(file);
            r.header(reqwest::header::CONTENT_TYPE, JSON_API).body(body)
        };
        let sent = self.http.send(Call::post(path).body(Body::Build(&build))).await;
        drop(hosted);
        Ok(self.http.read(sent?, "answer").await.ok())
    }

    /// Upload URLs are presigned: no Authorization header may be sent with them.
    pub async fn download(&self, url: &str) -> Result<FileStream, ConnectorError> {
        self.http.download(url, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_api_errors_become_one_message() {
        let text = r#"{"errors":[{"status":"422","title":"is invalid","detail":"could not be downloaded","source":{"pointer":"/data/attributes/url"}}]}"#;
        assert_eq!(TeamtailorErrors.read(text).message, "/data/attributes/url: could not be downloaded");
        assert_eq!(TeamtailorErrors.read("oops").message, "oops");
    }
}
