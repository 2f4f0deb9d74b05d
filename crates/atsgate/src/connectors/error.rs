//! What can go wrong in a connector, as types: a vendor's failure keeps its status, code and own
//! words as fields; transport and decoding failures keep their cause as `#[source]`. The one
//! mapping to the domain error (and so to Kombo's codes) is `From<ConnectorError> for Error`
//! at the bottom of this file.

use std::{fmt, time::Duration};

use crate::{error::Error, upstream::SendError};

/// What a failed vendor answer means, the same for every vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The vendor rejected the integration's credentials.
    Unauthorized,
    /// The credentials are valid but lack a permission (scope, role, key type).
    PermissionMissing,
    NotFound,
    /// The vendor refused what we sent (validation, conflict, size, type).
    RejectedInput,
    RateLimited,
    /// The vendor is down or overloaded (5xx).
    Unavailable,
    /// Any other answer.
    Unexpected,
}

impl FailureKind {
    /// The shared meaning of an HTTP status; a vendor's `ErrorDialect` may say otherwise first.
    pub fn of_status(status: u16) -> FailureKind {
        match status {
            401 => FailureKind::Unauthorized,
            403 => FailureKind::PermissionMissing,
            404 => FailureKind::NotFound,
            400 | 409 | 413 | 415 | 422 => FailureKind::RejectedInput,
            429 => FailureKind::RateLimited,
            500..=599 => FailureKind::Unavailable,
            _ => FailureKind::Unexpected,
        }
    }
}

/// A failure the vendor reported, kept as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorError {
    /// The vendor's label ("Greenhouse").
    pub vendor: &'static str,
    /// The HTTP status; 200 for a failure reported inside a successful answer (RPC-style APIs).
    pub status: u16,
    pub kind: FailureKind,
    /// The vendor's own error code, where it sends one.
    pub code: Option<String>,
    /// The vendor's own words (trimmed, at most a few hundred characters).
    pub message: String,
    /// How long the vendor asked us to wait.
    pub retry_after: Option<Duration>,
    /// What the caller can do about it where the vendor's words do not say (which scope, which key).
    pub advice: Option<&'static str>,
}

impl VendorError {
    /// The vendor's code and words as one phrase ("" when it said nothing).
    pub fn said(&self) -> String {
        match (&self.code, self.message.is_empty()) {
            (Some(code), true) => code.clone(),
            (Some(code), false) if !self.message.contains(code.as_str()) => format!("{code}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vendor = self.vendor;
        let said = self.said();
        let quoted = |f: &mut fmt::Formatter<'_>| if said.is_empty() { Ok(()) } else { write!(f, ": {said}") };
        match self.kind {
            FailureKind::Unauthorized => {
                write!(f, "{vendor} rejected the integration's credentials")?;
                quoted(f)?;
            }
            FailureKind::PermissionMissing => {
                write!(f, "The {vendor} credentials lack a permission this action needs")?;
                quoted(f)?;
            }
            FailureKind::NotFound => {
                write!(f, "{vendor} could not find the record")?;
                quoted(f)?;
            }
            FailureKind::RejectedInput => {
                write!(f, "{vendor} rejected the request")?;
                quoted(f)?;
            }
            FailureKind::RateLimited => {
                let apostrophe = if vendor.ends_with('s') { "'" } else { "'s" };
                write!(f, "{vendor}{apostrophe} rate limit was exceeded; retry later")?
            }
            FailureKind::Unavailable => write!(f, "{vendor} is unavailable (HTTP {})", self.status)?,
            FailureKind::Unexpected => {
                write!(f, "{vendor} answered HTTP {}", self.status)?;
                quoted(f)?;
            }
        }
        match self.advice {
            Some(advice) => write!(f, " ({advice})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for VendorError {}

/// A vendor list that would not end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaginationError {
    #[error(
        "{vendor} repeated the cursor {cursor:?} while listing {list}; stopped instead of reading the same page again"
    )]
    RepeatedCursor { vendor: &'static str, list: &'static str, cursor: String },
    #[error("{vendor} listed more than {max_pages} pages of {list}; stopped at the page cap")]
    PageCap { vendor: &'static str, list: &'static str, max_pages: u32 },
    #[error("{cursor:?} is not a {vendor} {list} cursor")]
    BadCursor { vendor: &'static str, list: &'static str, cursor: String },
}

/// A connector failure, classified.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The vendor answered with a failure.
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// No usable answer came back. A refused connection means the vendor did nothing; a timeout
    /// or a connection lost after sending is ambiguous (see [`ConnectorError::is_ambiguous`]).
    #[error("{vendor} {}", if matches!(.source, SendError::Connect(_)) { "is unreachable" } else { "did not answer" })]
    Transport {
        vendor: &'static str,
        #[source]
        source: SendError,
    },
    /// The vendor answered success with a body that is not what its documentation says.
    #[error("{vendor} returned an unreadable {what}")]
    Unreadable {
        vendor: &'static str,
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The vendor's records do not fit together as the call needs (e.g. an application without
    /// a candidate, or a write that landed on another record).
    #[error("{vendor}: {problem}")]
    Inconsistent { vendor: &'static str, problem: String },
    #[error(transparent)]
    Pagination(#[from] PaginationError),
    /// The gateway will not send this (e.g. base64 that does not decode).
    #[error("{0}")]
    RejectedInput(String),
    /// A reference that names nothing this connector can find.
    #[error("{0}")]
    NotFound(String),
    /// The vendor cannot do this at all.
    #[error("{0}")]
    Unsupported(String),
    /// A mistake in the gateway itself; never shown to the caller.
    #[error("{0}")]
    Internal(&'static str),
}

impl ConnectorError {
    /// Whether the call may have taken effect although no answer says so (timeout, connection
    /// lost after sending). For uploads the action layer checks the ATS before trying again.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, ConnectorError::Transport { source, .. } if !matches!(source, SendError::Connect(_)))
    }

    /// This error and its causes in one line, for the caller's message.
    pub fn detailed(&self) -> String {
        with_causes(self)
    }

    /// The vendor's failure, if this is one.
    pub fn vendor_error(&self) -> Option<&VendorError> {
        match self {
            ConnectorError::Vendor(e) => Some(e),
            _ => None,
        }
    }

    /// A `serde_json` (or other decoding) failure reading the vendor's `what`.
    pub fn unreadable(
        vendor: &'static str,
        what: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ConnectorError::Unreadable { vendor, what: what.into(), source: Box::new(source) }
    }
}

/// `err` followed by its causes, for messages where the cause is the useful part.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<ConnectorError> for Error {
    fn from(err: ConnectorError) -> Self {
        match err {
            ConnectorError::Vendor(e) => {
                let message = e.to_string();
                match e.kind {
                    FailureKind::Unauthorized => Error::RemoteAuthenticationInvalid(message),
                    FailureKind::PermissionMissing => Error::RemotePermissionMissing(message),
                    FailureKind::NotFound => Error::NotFound(message),
                    FailureKind::RejectedInput => Error::RemoteInputInvalid(message),
                    FailureKind::RateLimited => Error::RemoteRateLimited { message, retry_after: e.retry_after },
                    FailureKind::Unavailable => Error::RemoteUnavailable { message, retry_after: e.retry_after },
                    FailureKind::Unexpected => Error::RemoteUnknown(message),
                }
            }
            ConnectorError::Transport { .. } => {
                Error::RemoteUnavailable { message: with_causes(&err), retry_after: None }
            }
            ConnectorError::Unreadable { .. } => Error::RemoteUnknown(with_causes(&err)),
            ConnectorError::Inconsistent { .. } | ConnectorError::Pagination(_) => {
                Error::RemoteUnknown(err.to_string())
            }
            ConnectorError::RejectedInput(m) => Error::RemoteInputInvalid(m),
            ConnectorError::NotFound(m) => Error::NotFound(m),
            ConnectorError::Unsupported(m) => Error::ActionNotAvailable(m),
            ConnectorError::Internal(m) => Error::Internal(anyhow::anyhow!(m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(kind: FailureKind, status: u16) -> VendorError {
        VendorError {
            vendor: "Acme",
            status,
            kind,
            code: Some("E42".into()),
            message: "file too large".into(),
            retry_after: Some(Duration::from_secs(7)),
            advice: None,
        }
    }

    #[test]
    fn vendor_failures_map_to_the_domain_by_kind_keeping_their_words() {
        let cases = [
            (FailureKind::Unauthorized, 401, "INTEGRATION.AUTHENTICATION_INVALID"),
            (FailureKind::PermissionMissing, 403, "INTEGRATION.PERMISSION_MISSING"),
            (FailureKind::NotFound, 404, "PLATFORM.INPUT_INVALID"),
            (FailureKind::RejectedInput, 422, "REMOTE.INPUT_INVALID"),
            (FailureKind::RateLimited, 429, "REMOTE.RATE_LIMIT_EXCEEDED"),
            (FailureKind::Unavailable, 503, "REMOTE.SERVICE_UNAVAILABLE"),
            (FailureKind::Unexpected, 302, "REMOTE.UNKNOWN_HTTP_ERROR"),
        ];
        for (kind, status, code) in cases {
            let domain = Error::from(ConnectorError::from(failure(kind, status)));
            assert_eq!(domain.code().as_str(), code, "{kind:?}");
            if !matches!(kind, FailureKind::RateLimited | FailureKind::Unavailable) {
                assert!(domain.to_string().contains("E42: file too large"), "{kind:?}: {domain}");
            }
        }
        let limited = Error::from(ConnectorError::from(failure(FailureKind::RateLimited, 429)));
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
    }

    #[test]
    fn only_failures_after_sending_are_ambiguous() {
        let refused = ConnectorError::Transport { vendor: "Acme", source: SendError::Connect("refused".into()) };
        let timeout = ConnectorError::Transport { vendor: "Acme", source: SendError::Timeout(Duration::from_secs(1)) };
        assert!(!refused.is_ambiguous());
        assert!(timeout.is_ambiguous());
        assert!(!ConnectorError::from(failure(FailureKind::Unavailable, 503)).is_ambiguous());
        let message = Error::from(timeout).to_string();
        assert!(message.contains("Acme did not answer") && message.contains("timed out"), "{message}");
    }

    #[test]
    fn wrapped_causes_are_kept_as_sources() {
        let cause = serde_json::from_str::<u8>("x").unwrap_err();
        let err = ConnectorError::unreadable("Acme", "jobs page", cause);
        assert!(std::error::Error::source(&err).is_some());
        assert!(Error::from(err).to_string().starts_with("Acme returned an unreadable jobs page: "));
    }
}
