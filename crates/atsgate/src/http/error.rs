//! The one place where errors become HTTP: code, title, status and Kombo's envelope
//! `{"status":"error","error":{code,title,message,log_url}}`.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{Error, ErrorCode},
    interaction,
};

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub title: Option<String>,
    pub message: String,
    pub log_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// Always `"error"`.
    pub status: &'static str,
    pub error: ErrorBody,
}

/// The HTTP status for each code (published in the README's error table).
pub fn status_for(err: &Error) -> StatusCode {
    match err {
        Error::InputInvalid(_) => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Error::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        Error::ConcurrencyLimited(_) | Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::AuthenticationInvalid(_) => StatusCode::UNAUTHORIZED,
        Error::IntegrationNotFound(_) => StatusCode::NOT_FOUND,
        Error::ActionDisabled(_) | Error::ModelDisabled(_) => StatusCode::FORBIDDEN,
        Error::ActionNotAvailable(_) => StatusCode::BAD_REQUEST,
        Error::RemoteAuthenticationInvalid(_) | Error::RemotePermissionMissing(_) => StatusCode::FORBIDDEN,
        Error::RemoteInputInvalid(_) => StatusCode::BAD_REQUEST,
        Error::RemoteRateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::RemoteUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::RemoteUnknown(_) => StatusCode::BAD_GATEWAY,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Default `Retry-After` seconds when the ATS gave none.
fn retry_after_secs(err: &Error) -> Option<u64> {
    let default = match err {
        Error::RemoteRateLimited { .. } | Error::ConcurrencyLimited(_) | Error::RateLimited { .. } => 1,
        Error::RemoteUnavailable { .. } => 5,
        _ => return None,
    };
    Some(err.retry_after().map_or(default, |d| d.as_secs_f64().ceil().max(1.0) as u64))
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let code: ErrorCode = self.code();
        let status = status_for(&self);
        let ctx = interaction::current();
        let log_url = ctx.as_ref().map(|c| c.log_url.clone());
        let message = match &self {
            Error::Internal(source) => {
                tracing::error!(log_id = ctx.as_ref().map(|c| c.log_id.as_str()), error = ?source, "internal error");
                "An internal error occurred; the log entry has the details.".to_string()
            }
            other => other.to_string(),
        };
        if let Some(ctx) = &ctx {
            ctx.update(|state| {
                state.error_code = Some(code.as_str());
                state.error_message = Some(message.clone());
            });
        }
        let envelope = ErrorEnvelope {
            status: "error",
            error: ErrorBody { code: Some(code.as_str().into()), title: Some(code.title().into()), message, log_url },
        };
        let mut response = (status, Json(envelope)).into_response();
        if let Some(secs) = retry_after_secs(&self) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
