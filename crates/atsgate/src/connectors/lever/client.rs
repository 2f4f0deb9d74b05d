//! Lever's raw calls: HTTP Basic with the API key, lists paged by Lever's `offset` token, the
//! multipart file upload performed as the integration's user.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::dto::{LvError, LvFile, LvList, LvOne};
use crate::{
    connectors::{
        kit::{Auth, Body, Call, ErrorDialect, Multipart, Said, VendorClient},
        ConnectorError, FileStream,
    },
    upstream::Upstream,
};

/// Lever's maximum `limit`.
const PAGE_LIMIT: &str = "100";

/// `{"code","message"}`.
pub struct LeverErrors;

impl ErrorDialect for LeverErrors {
    fn read(&self, body: &str) -> Said {
        match serde_json::from_str::<LvError>(body) {
            Ok(LvError { code, message: Some(m) }) => Said::new(code, m),
            Ok(LvError { code: Some(c), message: None }) => Said::new(Some(c), ""),
            _ => Said::text(body),
        }
    }
}

pub struct Api {
    http: VendorClient,
    /// The Lever user UID sent as `perform_as` on writes.
    user_id: String,
}

fn path(path: &str, query: &[(&str, &str)]) -> String {
    let mut url = format!("/v1/{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&url::form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish());
    }
    url
}

impl Api {
    pub fn new(base_url: &str, api_key: String, user_id: String, upstream: Arc<Upstream>) -> Api {
        let auth = Auth::Basic { username: api_key, password: Some(String::new()) };
        Api { http: VendorClient::new("Lever", base_url, auth, &LeverErrors, upstream), user_id }
    }

    /// One page of a Lever list; the token is Lever's own `offset`.
    pub async fn page<T: DeserializeOwned>(
        &self,
        list: &str,
        query: &[(&str, &str)],
        token: Option<String>,
    ) -> Result<(Vec<T>, Option<String>), ConnectorError> {
        let mut pairs: Vec<(&str, &str)> = vec![("limit", PAGE_LIMIT)];
        pairs.extend_from_slice(query);
        if let Some(offset) = token.as_deref() {
            pairs.push(("offset", offset));
        }
        let page: LvList<T> = self.http.get(&path(list, &pairs), &format!("{list} page")).await?;
        let next = page.next.filter(|n| page.has_next && !n.is_empty());
        Ok((page.data, next))
    }

    /// "Upload a single file" to an opportunity, as the integration's user.
    pub async fn upload(&self, opportunity: &str, form: &Multipart) -> Result<Option<String>, ConnectorError> {
        let target = path(&format!("opportunities/{opportunity}/files"), &[("perform_as", &self.user_id)]);
        let response = self.http.send(Call::post(&target).body(Body::Multipart(form))).await?;
        let created: Option<LvOne<LvFile>> = self.http.read(response, "upload answer").await.ok();
        Ok(created.map(|c| c.data.id))
    }

    /// A file or resume's bytes (an API call with the key).
    pub async fn download(&self, list: &str, opportunity: &str, id: &str) -> Result<FileStream, ConnectorError> {
        self.http.download(&path(&format!("opportunities/{opportunity}/{list}/{id}/download"), &[]), true).await
    }
}

/// The file part Lever expects.
pub fn file_form(bytes: Bytes, file_name: &str, content_type: &str) -> Multipart {
    Multipart::new().file("file", bytes, file_name, content_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::{kit::dialect::classify, FailureKind};

    #[test]
    fn error_bodies_keep_lever_words() {
        let body = r#"{"code":"BadRequestError","message":"perform_as is required"}"#;
        let e = classify("Lever", &LeverErrors, 400, None, LeverErrors.read(body));
        assert_eq!(e.kind, FailureKind::RejectedInput);
        assert_eq!((e.code.as_deref(), e.message.as_str()), (Some("BadRequestError"), "perform_as is required"));
        assert!(e.to_string().contains("BadRequestError: perform_as is required"), "{e}");
    }
}
