//! Ashby's raw calls: RPC-style `POST /<resource>.<action>` with JSON bodies and HTTP Basic,
//! the `{success, results}` envelope (a failure can come inside an HTTP 200), body cursors, and
//! the presigned multipart POST of the two-step upload.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::dto::{Envelope, UploadHandle};
use crate::{
    connectors::{
        kit::{
            dialect::{classify, PresignedStorage},
            Auth, Body, Call, ErrorDialect, Multipart, Said, VendorClient,
        },
        ConnectorError, FailureKind, FileStream,
    },
    upstream::{retry_after, Upstream},
};

/// Ashby's documented maximum page size.
const PAGE_LIMIT: u32 = 100;
const LABEL: &str = "Ashby";

/// `errorInfo{code,message}` (or `errors[]`), in an error status or inside a `success:false` 200.
pub struct AshbyErrors;

impl ErrorDialect for AshbyErrors {
    fn read(&self, body: &str) -> Said {
        match serde_json::from_str::<Envelope<Value>>(body) {
            Ok(envelope) => said(envelope.error_info.unwrap_or_default(), &envelope.errors),
            Err(_) => Said::text(body),
        }
    }

    fn kind(&self, status: u16, said: &Said) -> Option<FailureKind> {
        let code = said.code.as_deref();
        match status {
            // Ashby answers a wrong or deactivated key with 403 too; only the code tells them apart.
            403 if code == Some("missing_endpoint_permission") => Some(FailureKind::PermissionMissing),
            403 => Some(FailureKind::Unauthorized),
            // `success:false` inside a 200: what would be a 4xx elsewhere, told apart by its code.
            200 => Some(match code.unwrap_or_default() {
                "missing_endpoint_permission" => FailureKind::PermissionMissing,
                "invalid_api_key" | "api_key_deactivated" | "unauthenticated" => FailureKind::Unauthorized,
                "rate_limit_exceeded" | "concurrent_limit_exceeded" => FailureKind::RateLimited,
                c if c.ends_with("_not_found") => FailureKind::NotFound,
                _ => FailureKind::RejectedInput,
            }),
            _ => None,
        }
    }

    fn advice(&self, kind: FailureKind) -> Option<&'static str> {
        (kind == FailureKind::PermissionMissing).then_some("uploading files needs the candidatesWrite permission")
    }
}

/// The code and words of an `errorInfo` (or the first of `errors`).
fn said(info: super::dto::ErrorInfo, errors: &[Value]) -> Said {
    let first = errors.first().map(|e| e.as_str().map(str::to_string).unwrap_or(e.to_string()));
    let code = info.code.or_else(|| errors.first().and_then(|e| e.as_str()).map(str::to_string));
    let message = info.message.or_else(|| code.clone()).or(first).unwrap_or_default();
    Said::new(code, message)
}

pub struct Api {
    http: VendorClient,
}

impl Api {
    pub fn new(base_url: &str, api_key: String, upstream: Arc<Upstream>) -> Api {
        let auth = Auth::Basic { username: api_key, password: Some(String::new()) };
        Api { http: VendorClient::new(LABEL, base_url, auth, &AshbyErrors, upstream) }
    }

    /// Calls one RPC endpoint and unwraps the envelope; `success:false` is a classified failure.
    pub async fn rpc<T: DeserializeOwned>(&self, endpoint: &str, body: &Value) -> Result<Envelope<T>, ConnectorError> {
        let response = self.http.send(Call::post(&format!("/{endpoint}")).json(body)).await?;
        let retry = retry_after(&response);
        let envelope: Envelope<T> = self.http.read(response, &format!("{endpoint} response")).await?;
        if !envelope.success {
            let mut said = said(envelope.error_info.unwrap_or_default(), &envelope.errors);
            said.code.get_or_insert_with(|| "unknown_error".into());
            return Err(classify(LABEL, &AshbyErrors, 200, retry, said).into());
        }
        Ok(envelope)
    }

    /// An RPC call's `results`.
    pub async fn results<T: DeserializeOwned>(&self, endpoint: &str, body: &Value) -> Result<T, ConnectorError> {
        self.rpc(endpoint, body).await?.results.ok_or_else(|| ConnectorError::Inconsistent {
            vendor: LABEL,
            problem: format!("the {endpoint} answer has no results"),
        })
    }

    /// One page of a `*.list` endpoint; the token is Ashby's `nextCursor`.
    pub async fn page<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        token: Option<String>,
    ) -> Result<(Vec<T>, Option<String>), ConnectorError> {
        let body = match token {
            Some(cursor) => json!({ "limit": PAGE_LIMIT, "cursor": cursor }),
            None => json!({ "limit": PAGE_LIMIT }),
        };
        let envelope: Envelope<Vec<T>> = self.rpc(endpoint, &body).await?;
        let next = if envelope.more_data_available { envelope.next_cursor } else { None };
        Ok((envelope.results.unwrap_or_default(), next))
    }

    /// Step 2 of the upload: the presigned multipart POST straight to storage (no API key), the
    /// handle's `fields` first and the file last.
    pub async fn put_to_storage(
        &self,
        handle: &UploadHandle,
        bytes: Bytes,
        file_name: &str,
        content_type: &str,
    ) -> Result<(), ConnectorError> {
        let form = handle
            .fields
            .iter()
            .fold(Multipart::new(), |form, (name, value)| {
                let value = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                form.text(name.clone(), value)
            })
            .file("file", bytes, file_name, content_type);
        let call = Call::post(&handle.url)
            .body(Body::Multipart(&form))
            .unauthenticated()
            .failures_read_as("Ashby's file storage", &PresignedStorage);
        self.http.send(call).await?;
        Ok(())
    }

    /// A presigned storage URL: the API key must not be sent along.
    pub async fn download(&self, url: &str) -> Result<FileStream, ConnectorError> {
        self.http.download(url, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, body: &str) -> FailureKind {
        classify(LABEL, &AshbyErrors, status, None, AshbyErrors.read(body)).kind
    }

    #[test]
    fn a_403_is_a_bad_key_unless_ashby_names_the_missing_permission() {
        let missing =
            r#"{"success":false,"errorInfo":{"code":"missing_endpoint_permission","message":"needs candidatesWrite"}}"#;
        assert_eq!(kind(403, missing), FailureKind::PermissionMissing);
        assert_eq!(kind(403, r#"{"success":false,"errors":["invalid_api_key"]}"#), FailureKind::Unauthorized);
    }

    #[test]
    fn failures_inside_a_200_are_told_apart_by_their_code() {
        let body = |code: &str| format!(r#"{{"success":false,"errorInfo":{{"code":"{code}","message":"m"}}}}"#);
        assert_eq!(kind(200, &body("candidate_not_found")), FailureKind::NotFound);
        assert_eq!(kind(200, &body("rate_limit_exceeded")), FailureKind::RateLimited);
        assert_eq!(kind(200, &body("api_key_deactivated")), FailureKind::Unauthorized);
        assert_eq!(kind(200, &body("invalid_input")), FailureKind::RejectedInput);
        let e = classify(LABEL, &AshbyErrors, 200, None, AshbyErrors.read(&body("invalid_input")));
        assert_eq!((e.status, e.code.as_deref()), (200, Some("invalid_input")));
    }
}
