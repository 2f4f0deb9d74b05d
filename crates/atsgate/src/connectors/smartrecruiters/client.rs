//! SmartRecruiters' raw calls: the `X-SmartToken` key, `limit`/`pageId` pages, multipart uploads
//! to a candidate or to one of its job assignments.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::dto::{SrAttachment, SrErrorBody, SrPage};
use crate::{
    connectors::{
        kit::{dialect::with_details, segment, Auth, Body, Call, ErrorDialect, Multipart, Said, VendorClient},
        ConnectorError, FailureKind, FileStream,
    },
    upstream::Upstream,
};

/// The documented maximum of `limit` on list endpoints.
const PAGE_LIMIT: u32 = 100;

/// `{"message","errors":[{"code","message"}]}`.
pub struct SmartRecruitersErrors;

impl ErrorDialect for SmartRecruitersErrors {
    fn read(&self, body: &str) -> Said {
        let Ok(body) = serde_json::from_str::<SrErrorBody>(body) else { return Said::text(body) };
        let details = body.errors.into_iter().map(|e| (e.code, e.message));
        with_details(body.message, details).unwrap_or_default()
    }

    fn advice(&self, kind: FailureKind) -> Option<&'static str> {
        // SmartRecruiters also answers 429 when too many calls run at once, not only per window.
        (kind == FailureKind::RateLimited).then_some("SmartRecruiters also limits how many calls run at once")
    }
}

pub struct Api {
    http: VendorClient,
}

impl Api {
    pub fn new(base_url: &str, api_key: &str, upstream: Arc<Upstream>) -> anyhow::Result<Api> {
        let auth = Auth::header("x-smarttoken", api_key)?;
        Ok(Api { http: VendorClient::new("SmartRecruiters", base_url, auth, &SmartRecruitersErrors, upstream) })
    }

    /// One page of `/{resource}`; the token is SmartRecruiters' `nextPageId`.
    pub async fn page<T: DeserializeOwned>(
        &self,
        resource: &str,
        token: Option<String>,
    ) -> Result<(Vec<T>, Option<String>), ConnectorError> {
        let mut target = format!("/{resource}?limit={PAGE_LIMIT}");
        if let Some(page_id) = token {
            target.push_str("&pageId=");
            target.push_str(&segment(&page_id));
        }
        let page: SrPage<T> = self.http.get(&target, resource).await?;
        Ok((page.content, page.next_page_id))
    }

    /// The attachments route of a candidate, or of a candidate's job assignment.
    pub fn attachments_path(candidate: &str, job: Option<&str>) -> String {
        match job {
            Some(job) => format!("/candidates/{}/jobs/{}/attachments", segment(candidate), segment(job)),
            None => format!("/candidates/{}/attachments", segment(candidate)),
        }
    }

    /// A file's API route, where the listing gives no download link.
    pub fn attachment_url(&self, candidate: &str, id: &str) -> String {
        format!("{}/candidates/{}/attachments/{}", self.http.base_url(), segment(candidate), segment(id))
    }

    pub async fn upload(&self, path: &str, form: &Multipart) -> Result<Option<String>, ConnectorError> {
        let response = self.http.send(Call::post(path).body(Body::Multipart(form))).await?;
        let created: Option<SrAttachment> = self.http.read(response, "upload answer").await.ok();
        Ok(created.map(|a| a.id))
    }

    pub async fn attachments(&self, path: &str) -> Result<Vec<SrAttachment>, ConnectorError> {
        let page: SrPage<SrAttachment> = self.http.get(path, "attachment list").await?;
        Ok(page.content)
    }

    /// Download links are API URLs that need the key; the client sends it only to the API's own
    /// origin, so a link elsewhere is fetched without it.
    pub async fn download(&self, url: &str) -> Result<FileStream, ConnectorError> {
        self.http.download(url, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_details_join_their_codes() {
        let text = r#"{"message":"Bad","errors":[{"code":"INVALID","message":"file is required"}]}"#;
        assert_eq!(SmartRecruitersErrors.read(text).message, "Bad: INVALID: file is required");
    }
}
