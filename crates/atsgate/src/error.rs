//! The one domain error type. Every failure the gateway can answer with is a variant here;
//! `http::error` maps each to Kombo's envelope (code, title, HTTP status) in one place.

use std::time::Duration;

/// Kombo's closed set of ATS error codes (spec §5). Nothing outside this set is ever sent:
/// the official SDKs reject unknown codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ErrorCode {
    #[serde(rename = "PLATFORM.RATE_LIMIT_EXCEEDED")]
    PlatformRateLimitExceeded,
    #[serde(rename = "PLATFORM.CONCURRENCY_LIMIT_EXCEEDED")]
    PlatformConcurrencyLimitExceeded,
    #[serde(rename = "PLATFORM.INTEGRATION_NOT_FOUND")]
    PlatformIntegrationNotFound,
    #[serde(rename = "PLATFORM.INPUT_INVALID")]
    PlatformInputInvalid,
    #[serde(rename = "PLATFORM.UNKNOWN_ERROR")]
    PlatformUnknownError,
    #[serde(rename = "PLATFORM.AUTHENTICATION_INVALID")]
    PlatformAuthenticationInvalid,
    #[serde(rename = "PLATFORM.TASK_TIMED_OUT")]
    PlatformTaskTimedOut,
    #[serde(rename = "INTEGRATION.PERMISSION_MISSING")]
    IntegrationPermissionMissing,
    #[serde(rename = "INTEGRATION.AUTHENTICATION_INVALID")]
    IntegrationAuthenticationInvalid,
    #[serde(rename = "INTEGRATION.SETUP_SYNC_PENDING")]
    IntegrationSetupSyncPending,
    #[serde(rename = "INTEGRATION.INACTIVE")]
    IntegrationInactive,
    #[serde(rename = "INTEGRATION.MODEL_DISABLED")]
    IntegrationModelDisabled,
    #[serde(rename = "INTEGRATION.ACTION_NOT_AVAILABLE")]
    IntegrationActionNotAvailable,
    #[serde(rename = "INTEGRATION.ACTION_DISABLED")]
    IntegrationActionDisabled,
    #[serde(rename = "REMOTE.SERVICE_UNAVAILABLE")]
    RemoteServiceUnavailable,
    #[serde(rename = "REMOTE.RATE_LIMIT_EXCEEDED")]
    RemoteRateLimitExceeded,
    #[serde(rename = "REMOTE.INPUT_INVALID")]
    RemoteInputInvalid,
    #[serde(rename = "REMOTE.UNKNOWN_HTTP_ERROR")]
    RemoteUnknownHttpError,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::PlatformRateLimitExceeded,
        ErrorCode::PlatformConcurrencyLimitExceeded,
        ErrorCode::PlatformIntegrationNotFound,
        ErrorCode::PlatformInputInvalid,
        ErrorCode::PlatformUnknownError,
        ErrorCode::PlatformAuthenticationInvalid,
        ErrorCode::PlatformTaskTimedOut,
        ErrorCode::IntegrationPermissionMissing,
        ErrorCode::IntegrationAuthenticationInvalid,
        ErrorCode::IntegrationSetupSyncPending,
        ErrorCode::IntegrationInactive,
        ErrorCode::IntegrationModelDisabled,
        ErrorCode::IntegrationActionNotAvailable,
        ErrorCode::IntegrationActionDisabled,
        ErrorCode::RemoteServiceUnavailable,
        ErrorCode::RemoteRateLimitExceeded,
        ErrorCode::RemoteInputInvalid,
        ErrorCode::RemoteUnknownHttpError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::PlatformRateLimitExceeded => "PLATFORM.RATE_LIMIT_EXCEEDED",
            ErrorCode::PlatformConcurrencyLimitExceeded => "PLATFORM.CONCURRENCY_LIMIT_EXCEEDED",
            ErrorCode::PlatformIntegrationNotFound => "PLATFORM.INTEGRATION_NOT_FOUND",
            ErrorCode::PlatformInputInvalid => "PLATFORM.INPUT_INVALID",
            ErrorCode::PlatformUnknownError => "PLATFORM.UNKNOWN_ERROR",
            ErrorCode::PlatformAuthenticationInvalid => "PLATFORM.AUTHENTICATION_INVALID",
            ErrorCode::PlatformTaskTimedOut => "PLATFORM.TASK_TIMED_OUT",
            ErrorCode::IntegrationPermissionMissing => "INTEGRATION.PERMISSION_MISSING",
            ErrorCode::IntegrationAuthenticationInvalid => "INTEGRATION.AUTHENTICATION_INVALID",
            ErrorCode::IntegrationSetupSyncPending => "INTEGRATION.SETUP_SYNC_PENDING",
            ErrorCode::IntegrationInactive => "INTEGRATION.INACTIVE",
            ErrorCode::IntegrationModelDisabled => "INTEGRATION.MODEL_DISABLED",
            ErrorCode::IntegrationActionNotAvailable => "INTEGRATION.ACTION_NOT_AVAILABLE",
            ErrorCode::IntegrationActionDisabled => "INTEGRATION.ACTION_DISABLED",
            ErrorCode::RemoteServiceUnavailable => "REMOTE.SERVICE_UNAVAILABLE",
            ErrorCode::RemoteRateLimitExceeded => "REMOTE.RATE_LIMIT_EXCEEDED",
            ErrorCode::RemoteInputInvalid => "REMOTE.INPUT_INVALID",
            ErrorCode::RemoteUnknownHttpError => "REMOTE.UNKNOWN_HTTP_ERROR",
        }
    }

    /// Human title sent in `error.title`.
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::PlatformRateLimitExceeded => "Rate limit exceeded",
            ErrorCode::PlatformConcurrencyLimitExceeded => "Concurrency limit exceeded",
            ErrorCode::PlatformIntegrationNotFound => "Integration not found",
            ErrorCode::PlatformInputInvalid => "Input invalid",
            ErrorCode::PlatformUnknownError => "Unknown error",
            ErrorCode::PlatformAuthenticationInvalid => "Authentication invalid",
            ErrorCode::PlatformTaskTimedOut => "Task timed out",
            ErrorCode::IntegrationPermissionMissing => "Permission missing in the ATS",
            ErrorCode::IntegrationAuthenticationInvalid => "ATS credentials invalid",
            ErrorCode::IntegrationSetupSyncPending => "Setup sync pending",
            ErrorCode::IntegrationInactive => "Integration inactive",
            ErrorCode::IntegrationModelDisabled => "Model disabled",
            ErrorCode::IntegrationActionNotAvailable => "Action not available",
            ErrorCode::IntegrationActionDisabled => "Action disabled",
            ErrorCode::RemoteServiceUnavailable => "ATS unavailable",
            ErrorCode::RemoteRateLimitExceeded => "ATS rate limit exceeded",
            ErrorCode::RemoteInputInvalid => "ATS rejected the input",
            ErrorCode::RemoteUnknownHttpError => "Unknown ATS error",
        }
    }
}

/// What went wrong, in domain terms. `message` texts are meant for the API caller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InputInvalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    PayloadTooLarge { message: String },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    ConcurrencyLimited(String),
    #[error("{message}")]
    RateLimited { message: String, retry_after: Duration },
    #[error("{0}")]
    AuthenticationInvalid(String),
    #[error("{0}")]
    IntegrationNotFound(String),
    #[error("{0}")]
    ActionDisabled(String),
    #[error("{0}")]
    ModelDisabled(String),
    #[error("{0}")]
    ActionNotAvailable(String),
    #[error("{0}")]
    RemoteAuthenticationInvalid(String),
    #[error("{0}")]
    RemotePermissionMissing(String),
    #[error("{0}")]
    RemoteInputInvalid(String),
    #[error("{message}")]
    RemoteRateLimited { message: String, retry_after: Option<Duration> },
    #[error("{message}")]
    RemoteUnavailable { message: String, retry_after: Option<Duration> },
    #[error("{0}")]
    RemoteUnknown(String),
    /// A bug or infrastructure failure; the cause is logged, never sent to the caller.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl Error {
    pub fn input(message: impl Into<String>) -> Self {
        Error::InputInvalid(message.into())
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Error::Internal(err.into())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InputInvalid(_)
            | Error::NotFound(_)
            | Error::PayloadTooLarge { .. }
            | Error::UnsupportedMediaType(_)
            | Error::MethodNotAllowed(_) => ErrorCode::PlatformInputInvalid,
            Error::AuthenticationInvalid(_) => ErrorCode::PlatformAuthenticationInvalid,
            Error::ConcurrencyLimited(_) => ErrorCode::PlatformConcurrencyLimitExceeded,
            Error::RateLimited { .. } => ErrorCode::PlatformRateLimitExceeded,
            Error::IntegrationNotFound(_) => ErrorCode::PlatformIntegrationNotFound,
            Error::ActionDisabled(_) => ErrorCode::IntegrationActionDisabled,
            Error::ModelDisabled(_) => ErrorCode::IntegrationModelDisabled,
            Error::ActionNotAvailable(_) => ErrorCode::IntegrationActionNotAvailable,
            Error::RemoteAuthenticationInvalid(_) => ErrorCode::IntegrationAuthenticationInvalid,
            Error::RemotePermissionMissing(_) => ErrorCode::IntegrationPermissionMissing,
            Error::RemoteInputInvalid(_) => ErrorCode::RemoteInputInvalid,
            Error::RemoteRateLimited { .. } => ErrorCode::RemoteRateLimitExceeded,
            Error::RemoteUnavailable { .. } => ErrorCode::RemoteServiceUnavailable,
            Error::RemoteUnknown(_) => ErrorCode::RemoteUnknownHttpError,
            Error::Internal(_) => ErrorCode::PlatformUnknownError,
        }
    }

    /// How long the caller should wait before retrying, when we know.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RemoteRateLimited { retry_after, .. } | Error::RemoteUnavailable { retry_after, .. } => *retry_after,
            Error::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(err: crate::store::StoreError) -> Self {
        Error::Internal(err.0)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
