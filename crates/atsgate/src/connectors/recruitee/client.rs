//! Recruitee's raw calls: a Bearer personal token, every path under `/c/{company_id}`,
//! `limit`/`offset` candidate pages, the multipart attachment upload and `set_as_cv`.

use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;

use super::dto::{RcAttachments, RcCandidateShow, RcCandidates, RcCreated, RcOffers};
use crate::{
    connectors::{
        kit::Auth,
        kit::{
            id_text, paginate::offset_next, segment, Body, Call, ErrorDialect, Multipart, Pager, Said, VendorClient,
        },
        ConnectorError, FailureKind, FileStream,
    },
    upstream::Upstream,
};

const PAGE_LIMIT: u64 = 100;

/// `{"errors":[{"message","code"}]}` (or `{"error": …}`).
pub struct RecruiteeErrors;

impl ErrorDialect for RecruiteeErrors {
    fn read(&self, body: &str) -> Said {
        let Ok(parsed) = serde_json::from_str::<Value>(body) else { return Said::text(body) };
        let describe = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Object(o) => o.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or(v.to_string()),
            other => other.to_string(),
        };
        match parsed.get("errors").or_else(|| parsed.get("error")) {
            Some(Value::Array(items)) => Said::new(None, items.iter().map(describe).collect::<Vec<_>>().join("; ")),
            Some(other) => Said::new(None, describe(other)),
            None => Said::text(body),
        }
    }

    fn advice(&self, kind: FailureKind) -> Option<&'static str> {
        // The company id is part of every path, so a 404 may mean the company, not the record.
        (kind == FailureKind::NotFound).then_some("the record or the company id is unknown")
    }
}

pub struct Api {
    /// Based at `{base}/c/{company_id}`.
    http: VendorClient,
}

impl Api {
    pub fn new(base_url: &str, company_id: &str, token: String, upstream: Arc<Upstream>) -> Api {
        let company_url = format!("{}/c/{}", base_url.trim_end_matches('/'), segment(company_id));
        Api { http: VendorClient::new("Recruitee", &company_url, Auth::Bearer(token), &RecruiteeErrors, upstream) }
    }

    /// The offers (jobs); the list is not paginated.
    pub async fn offers(&self) -> Result<RcOffers, ConnectorError> {
        self.http.get("/offers", "offer list").await
    }

    /// A candidate's plain attachments.
    pub async fn attachments(&self, candidate_id: &str) -> Result<RcAttachments, ConnectorError> {
        self.http.get(&format!("/candidates/{}/attachments", segment(candidate_id)), "attachment list").await
    }

    /// One candidate, with its CV's URL.
    pub async fn candidate(&self, candidate_id: &str) -> Result<RcCandidateShow, ConnectorError> {
        self.http.get(&format!("/candidates/{}", segment(candidate_id)), "candidate").await
    }

    /// One page of candidates; the token is the next `offset`.
    pub async fn candidates_page(
        &self,
        pager: &Pager,
        token: Option<String>,
    ) -> Result<(Vec<super::dto::RcCandidate>, Option<String>), ConnectorError> {
        let offset = pager.offset(token.as_deref())?;
        let page: RcCandidates =
            self.http.get(&format!("/candidates?limit={PAGE_LIMIT}&offset={offset}"), "candidates page").await?;
        let next = offset_next(offset, page.candidates.len(), PAGE_LIMIT, None);
        Ok((page.candidates, next))
    }

    /// Uploads a plain attachment to a candidate; answers its id.
    pub async fn upload(&self, form: &Multipart) -> Result<String, ConnectorError> {
        let response = self.http.send(Call::post("/attachments").body(Body::Multipart(form))).await?;
        let created: RcCreated = self.http.read(response, "attachment").await?;
        Ok(id_text(&created.attachment.id))
    }

    /// Makes an uploaded attachment the candidate's CV.
    pub async fn set_as_cv(&self, candidate_id: &str, attachment_id: &str) -> Result<(), ConnectorError> {
        let path = format!("/candidates/{}/set_as_cv/{}", segment(candidate_id), segment(attachment_id));
        self.http.send(Call::new(Method::PATCH, &path)).await?;
        Ok(())
    }

    /// Signed storage URLs: the API token must not travel with them.
    pub async fn download(&self, url: &str) -> Result<FileStream, ConnectorError> {
        self.http.download(url, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::kit::dialect::classify;

    #[test]
    fn error_lists_become_one_message_and_a_404_may_be_the_company() {
        let body = r#"{"errors":[{"message":"File is too large","code":"invalid"},"Candidate is archived"]}"#;
        assert_eq!(RecruiteeErrors.read(body).message, "File is too large; Candidate is archived");
        let missing =
            classify("Recruitee", &RecruiteeErrors, 404, None, RecruiteeErrors.read(r#"{"error":"Not found"}"#));
        assert_eq!(missing.kind, FailureKind::NotFound);
        assert!(missing.to_string().contains("company id"), "{missing}");
    }
}
