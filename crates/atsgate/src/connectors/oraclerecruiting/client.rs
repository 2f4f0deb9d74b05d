//! Oracle's raw calls: HTTP Basic, ADF collections paged by `limit`/`offset` with `hasMore`, and
//! attachment items posted as ADF resource items with the base64 `FileContents` spliced in.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::dto::{Collection, OrcApplication, OrcAttachment};
use crate::{
    connectors::{
        kit::{
            dialect::with_details, id_text, paginate::offset_next, segment, splice_json, Auth, Body, Call,
            ErrorDialect, Pager, Said, VendorClient,
        },
        ConnectorError, FileStream,
    },
    upstream::Upstream,
};

const API_PATH: &str = "/hcmRestApi/resources/11.13.18.05";
/// The ADF framework's maximum `limit`.
const PAGE_LIMIT: u64 = 500;
const ITEM_CONTENT_TYPE: &str = "application/vnd.oracle.adf.resourceitem+json";
pub const LABEL: &str = "Oracle Recruiting Cloud";

/// ADF error JSON (`title`, `detail`, `o:errorDetails[].detail`) or plain text.
pub struct OracleErrors;

impl ErrorDialect for OracleErrors {
    fn read(&self, body: &str) -> Said {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
            let details = value
                .get("o:errorDetails")
                .and_then(|d| d.as_array())
                .into_iter()
                .flatten()
                .map(|e| (None, e.get("detail").and_then(|x| x.as_str()).map(str::to_string)));
            if let Some(said) = with_details(None, details) {
                return said;
            }
            if let Some(detail) = value.get("detail").or_else(|| value.get("title")).and_then(|x| x.as_str()) {
                return Said::new(None, detail);
            }
        }
        Said::text(body)
    }
}

pub struct Api {
    http: VendorClient,
}

impl Api {
    pub fn new(pod: &str, username: String, password: String, upstream: Arc<Upstream>) -> Api {
        let api = format!("{}{API_PATH}", pod.trim_end_matches('/'));
        let auth = Auth::Basic { username, password: Some(password) };
        Api { http: VendorClient::new(LABEL, &api, auth, &OracleErrors, upstream) }
    }

    /// `{pod}/hcmRestApi/resources/11.13.18.05`.
    pub fn api_url(&self) -> &str {
        self.http.base_url()
    }

    /// One page of a collection; the token is the next `offset`.
    pub async fn page<T: DeserializeOwned>(
        &self,
        pager: &Pager,
        resource: &str,
        query: &str,
        token: Option<String>,
    ) -> Result<(Vec<T>, Option<String>), ConnectorError> {
        let offset = pager.offset(token.as_deref())?;
        let target = format!("/{resource}?onlyData=true&limit={PAGE_LIMIT}&offset={offset}{query}");
        let page: Collection<T> = self.http.get(&target, &format!("{resource} page")).await?;
        let next = offset_next(page.offset.unwrap_or(offset), page.items.len(), PAGE_LIMIT, Some(page.has_more));
        Ok((page.items, next))
    }

    /// The `q` filter for a candidate's applications.
    pub fn candidate_filter(candidate: &str) -> String {
        format!("&q=CandidateNumber='{}'", segment(&candidate.replace('\'', "''")))
    }

    pub async fn application(&self, submission_id: &str) -> Result<OrcApplication, ConnectorError> {
        self.http
            .get(&format!("/recruitingUIJobApplications/{}?onlyData=true", segment(submission_id)), "application")
            .await
    }

    /// POSTs one attachment item to a child collection; `head` is the item without its file.
    pub async fn post_attachment(
        &self,
        url: &str,
        head: impl FnOnce(&str) -> serde_json::Value,
        content: Bytes,
    ) -> Result<Option<String>, ConnectorError> {
        let chunks = splice_json(head, content)?;
        let call = Call::post(url).body(Body::Raw { content_type: ITEM_CONTENT_TYPE, chunks });
        let response = self.http.send(call).await?;
        let created: Option<OrcAttachment> = self.http.read(response, "upload answer").await.ok();
        Ok(created.map(|a| id_text(&a.attached_document_id)))
    }

    /// The first page of a child attachment collection (files per record are few).
    pub async fn attachments(&self, list_url: &str) -> Result<Vec<OrcAttachment>, ConnectorError> {
        let page: Collection<OrcAttachment> =
            self.http.get(&format!("{list_url}?onlyData=true&limit={PAGE_LIMIT}"), "attachment list").await?;
        Ok(page.items)
    }

    /// A file's bytes, only from this pod.
    pub async fn download(&self, url: &str) -> Result<FileStream, ConnectorError> {
        if !url.starts_with(self.api_url()) {
            return Err(ConnectorError::NotFound("the attachment link is not on this Oracle pod".into()));
        }
        self.http.download(url, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adf_error_details_are_read() {
        let body = r#"{"title":"Bad Request","status":"400","o:errorDetails":[{"detail":"CategoryName is invalid","o:errorCode":"27008"}]}"#;
        assert_eq!(OracleErrors.read(body).message, "CategoryName is invalid");
        assert_eq!(OracleErrors.read("plain words").message, "plain words");
    }
}
