//! How a vendor words its failures. Every failed answer goes through one classification: the
//! vendor's [`ErrorDialect`] reads its error body and may give a status its own meaning; the
//! shared table ([`FailureKind::of_status`]) decides the rest. So 401 means the same thing for
//! every vendor unless a vendor documents otherwise, in one place.

use std::time::Duration;

use reqwest::Response;

use crate::{
    connectors::error::{ConnectorError, FailureKind, VendorError},
    upstream::retry_after,
};

/// The most of a vendor's words kept in a message.
const MAX_SAID_CHARS: usize = 300;

/// What the vendor said in an error body: its code (if it has codes) and its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Said {
    pub code: Option<String>,
    pub message: String,
}

impl Said {
    /// The body itself, trimmed and cut short: for bodies in no known shape.
    pub fn text(body: &str) -> Said {
        Said { code: None, message: shorten(body) }
    }

    pub fn new(code: Option<String>, message: impl Into<String>) -> Said {
        Said { code, message: shorten(&message.into()) }
    }
}

/// The usual shape of an error body: a headline and a list of (field or code, words), as
/// "headline: field: words; words". `None` when the body said nothing.
pub fn with_details(
    headline: Option<String>,
    details: impl IntoIterator<Item = (Option<String>, Option<String>)>,
) -> Option<Said> {
    let details: Vec<String> = details
        .into_iter()
        .filter_map(|(label, words)| match (label, words) {
            (Some(label), Some(words)) => Some(format!("{label}: {words}")),
            (None, Some(words)) => Some(words),
            _ => None,
        })
        .collect();
    let message = match (headline, details.is_empty()) {
        (Some(headline), true) => headline,
        (Some(headline), false) => format!("{headline}: {}", details.join("; ")),
        (None, _) => details.join("; "),
    };
    (!message.is_empty()).then(|| Said::new(None, message))
}

fn shorten(text: &str) -> String {
    text.trim().chars().take(MAX_SAID_CHARS).collect()
}

/// One vendor's error vocabulary. Every method has the common answer as its default.
pub trait ErrorDialect: Send + Sync {
    /// The code and words in an error body.
    fn read(&self, body: &str) -> Said {
        Said::text(body)
    }

    /// What `status` means for this vendor where it differs from the shared table.
    fn kind(&self, _status: u16, _said: &Said) -> Option<FailureKind> {
        None
    }

    /// What the caller can do about a failure of this kind, where the vendor's words do not say.
    fn advice(&self, _kind: FailureKind) -> Option<&'static str> {
        None
    }

    /// How long the vendor asks us to wait (`Retry-After`, unless it has its own headers).
    fn wait(&self, response: &Response) -> Option<Duration> {
        retry_after(response)
    }

    /// Whether this failure means an issued token or session expired, so renewing it and trying
    /// once more may succeed. Only consulted for auth that can be renewed.
    fn credentials_expired(&self, status: u16, _said: &Said) -> bool {
        status == 401
    }
}

/// The dialect of vendors with no documented error shape: plain text, shared meanings.
pub struct PlainErrors;

impl ErrorDialect for PlainErrors {}

/// Presigned storage (an S3-style POST or PUT to a URL the vendor handed out): a refusal there
/// (expired or mismatched policy) is a fault in what we sent, not in our credentials.
pub struct PresignedStorage;

impl ErrorDialect for PresignedStorage {
    fn kind(&self, status: u16, _said: &Said) -> Option<FailureKind> {
        matches!(status, 400 | 403).then_some(FailureKind::RejectedInput)
    }
}

/// Classifies one failed answer.
pub fn classify(
    vendor: &'static str,
    dialect: &dyn ErrorDialect,
    status: u16,
    retry_after: Option<Duration>,
    said: Said,
) -> VendorError {
    let kind = dialect.kind(status, &said).unwrap_or_else(|| FailureKind::of_status(status));
    VendorError {
        vendor,
        status,
        kind,
        code: said.code,
        message: said.message,
        retry_after,
        advice: dialect.advice(kind),
    }
}

/// Passes a 2xx answer through; reads any other answer's body and classifies it.
pub async fn check(
    response: Response,
    vendor: &'static str,
    dialect: &dyn ErrorDialect,
) -> Result<Response, ConnectorError> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let wait = dialect.wait(&response);
    let body = response.text().await.unwrap_or_default();
    Err(classify(vendor, dialect, status, wait, dialect.read(&body)).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Picky;

    impl ErrorDialect for Picky {
        fn read(&self, body: &str) -> Said {
            match body.split_once(':') {
                Some((code, words)) => Said::new(Some(code.into()), words),
                None => Said::text(body),
            }
        }
        fn kind(&self, status: u16, said: &Said) -> Option<FailureKind> {
            (status == 403 && said.code.as_deref() != Some("scope")).then_some(FailureKind::Unauthorized)
        }
        fn advice(&self, kind: FailureKind) -> Option<&'static str> {
            (kind == FailureKind::PermissionMissing).then_some("grant the files scope")
        }
    }

    #[test]
    fn the_shared_table_applies_unless_the_vendor_says_otherwise() {
        let plain = |status| classify("Acme", &PlainErrors, status, None, Said::text("no")).kind;
        assert_eq!(plain(401), FailureKind::Unauthorized);
        assert_eq!(plain(403), FailureKind::PermissionMissing);
        assert_eq!(plain(413), FailureKind::RejectedInput);
        assert_eq!(plain(502), FailureKind::Unavailable);
        assert_eq!(plain(418), FailureKind::Unexpected);

        let bad_key = classify("Acme", &Picky, 403, None, Picky.read("key:deactivated"));
        assert_eq!(
            (bad_key.kind, bad_key.code.as_deref(), bad_key.message.as_str()),
            (FailureKind::Unauthorized, Some("key"), "deactivated")
        );
        let scope = classify("Acme", &Picky, 403, None, Picky.read("scope:missing files"));
        assert_eq!(scope.kind, FailureKind::PermissionMissing);
        assert!(scope.to_string().contains("grant the files scope"), "{scope}");
    }

    #[test]
    fn long_bodies_are_cut_short() {
        let said = Said::text(&"x".repeat(10_000));
        assert_eq!(said.message.len(), MAX_SAID_CHARS);
    }
}
