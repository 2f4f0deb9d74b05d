//! Workable's raw calls: a Bearer access token, `limit` pages continued by `paging.next`, and
//! the comment with a base64 attachment spliced in.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use reqwest::Response;
use serde::de::DeserializeOwned;

use super::dto::{WkCandidate, WkCandidates, WkError, WkFiles};
use crate::{
    connectors::{
        kit::{segment, splice_json, Auth, Body, Call, ErrorDialect, Said, VendorClient},
        ConnectorError, FailureKind, FileStream,
    },
    upstream::{retry_after, Upstream},
};

const PAGE_LIMIT: u32 = 100;

/// `{"error", "validation_errors"}` (the 422 shape is undocumented).
pub struct WorkableErrors;

impl ErrorDialect for WorkableErrors {
    fn read(&self, body: &str) -> Said {
        match serde_json::from_str::<WkError>(body) {
            Ok(WkError { error: Some(e), validation_errors: Some(v) }) => Said::new(None, format!("{e}: {v}")),
            Ok(WkError { error: Some(e), validation_errors: None }) => Said::new(None, e),
            _ => Said::text(body),
        }
    }

    fn advice(&self, kind: FailureKind) -> Option<&'static str> {
        // Workable tokens are scoped; name the scope uploads need so the fix is obvious.
        (kind == FailureKind::PermissionMissing).then_some("the token needs a scope such as w_candidates")
    }

    /// `Retry-After` if sent, else the time until `X-Rate-Limit-Reset` (Unix seconds).
    fn wait(&self, response: &Response) -> Option<Duration> {
        retry_after(response).or_else(|| {
            let reset: i64 = response.headers().get("x-rate-limit-reset")?.to_str().ok()?.trim().parse().ok()?;
            let secs = reset - chrono::Utc::now().timestamp();
            Some(Duration::from_secs(secs.clamp(1, 3600) as u64))
        })
    }
}

pub struct Api {
    http: VendorClient,
}

impl Api {
    pub fn new(base_url: &str, token: String, upstream: Arc<Upstream>) -> Api {
        Api { http: VendorClient::new("Workable", base_url, Auth::Bearer(token), &WorkableErrors, upstream) }
    }

    /// One page of `/spi/v3/{resource}`; the token is the previous page's `paging.next` URL.
    pub async fn page<T: DeserializeOwned>(
        &self,
        resource: &str,
        token: Option<String>,
        what: &str,
    ) -> Result<T, ConnectorError> {
        let target = token.unwrap_or_else(|| format!("/spi/v3/{resource}?limit={PAGE_LIMIT}"));
        self.http.get(&target, what).await
    }

    pub async fn candidates(
        &self,
        token: Option<String>,
    ) -> Result<(Vec<WkCandidate>, Option<String>), ConnectorError> {
        let page: WkCandidates = self.page("candidates", token, "candidates page").await?;
        Ok((page.candidates, page.paging.and_then(|p| p.next).filter(|n| !n.is_empty())))
    }

    pub async fn files(&self, candidate: &str) -> Result<WkFiles, ConnectorError> {
        self.http.get(&format!("/spi/v3/candidates/{}/files", segment(candidate)), "file list").await
    }

    /// Posts a comment with one attachment; `head` is the comment with the file's placeholder.
    pub async fn comment(
        &self,
        candidate: &str,
        head: impl FnOnce(&str) -> serde_json::Value,
        content: Bytes,
    ) -> Result<Option<String>, ConnectorError> {
        let chunks = splice_json(head, content)?;
        let path = format!("/spi/v3/candidates/{}/comments", segment(candidate));
        let response =
            self.http.send(Call::post(&path).body(Body::Raw { content_type: "application/json", chunks })).await?;
        let created: Option<serde_json::Value> = self.http.read(response, "comment").await.ok();
        Ok(created.as_ref().and_then(|v| v.get("id")).and_then(|id| match id {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }))
    }

    /// `preview_url` is presigned: no Authorization header may go with it.
    pub async fn download(&self, url: &str) -> Result<FileStream, ConnectorError> {
        self.http.download(url, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::kit::dialect::classify;

    #[test]
    fn errors_keep_workable_words() {
        let e =
            classify("Workable", &WorkableErrors, 422, None, WorkableErrors.read(r#"{"error":"Member not found"}"#));
        assert_eq!((e.kind, e.message.as_str()), (FailureKind::RejectedInput, "Member not found"));
        let scope = classify("Workable", &WorkableErrors, 403, None, Said::text("{}"));
        assert!(scope.to_string().contains("w_candidates"), "{scope}");
        assert_eq!(classify("Workable", &WorkableErrors, 401, None, Said::text("{}")).kind, FailureKind::Unauthorized);
    }
}
