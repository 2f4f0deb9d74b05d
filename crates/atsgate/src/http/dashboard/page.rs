//! What every page shares: the signed-in viewer (from the session cookie), HTML rendering,
//! the form token check and the HTML error pages.

use askama::Template;
use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};

use super::super::extract::AppState;
use crate::{
    actions::accounts::{self, Viewer},
    error::Error,
};

pub const COOKIE: &str = "atsgate_session";

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Missing, or not the viewer's to see: the same answer for both.
    NotFound,
    /// No live session: sign in, then come back to this path.
    SignIn(String),
    Forbidden(String),
    BadRequest(String),
    TooManyRequests(String),
    Internal(anyhow::Error),
}

impl From<Error> for PageError {
    fn from(err: Error) -> Self {
        match err {
            Error::NotFound(_) | Error::IntegrationNotFound(_) => PageError::NotFound,
            Error::InputInvalid(message) => PageError::BadRequest(message),
            other => PageError::Internal(other.into()),
        }
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(err: crate::store::StoreError) -> Self {
        PageError::Internal(err.0)
    }
}

#[derive(Template)]
#[template(path = "dashboard/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = ErrorPage { title, message }.render().unwrap_or_else(|_| title.to_string());
    (status, Html(body)).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here, or it is not yours to see. Check the address, or start from the overview.",
            ),
            PageError::SignIn(next) => {
                Redirect::to(&format!("/dashboard/signin?next={}", encode(&next))).into_response()
            }
            PageError::Forbidden(message) => error_page(StatusCode::FORBIDDEN, "Request refused", &message),
            PageError::BadRequest(message) => error_page(StatusCode::BAD_REQUEST, "Please check your input", &message),
            PageError::TooManyRequests(message) => {
                error_page(StatusCode::TOO_MANY_REQUESTS, "Too many attempts", &message)
            }
            PageError::Internal(err) => {
                tracing::error!(error = %err, "dashboard page failed");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The page could not be shown. The error was logged; try again in a moment.",
                )
            }
        }
    }
}

pub async fn not_found() -> PageError {
    PageError::NotFound
}

pub type PageResult<T = Response> = Result<T, PageError>;

pub fn render(template: &impl Template) -> PageResult {
    let body = template.render().map_err(|e| PageError::Internal(e.into()))?;
    Ok(Html(body).into_response())
}

pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A signed-in dashboard user. Extracting it from a request without a live session answers
/// with a redirect to the sign-in page.
pub struct Session(pub Viewer);

pub fn cookie_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('=').map(str::to_string))
        .filter(|token| !token.is_empty())
}

impl FromRequestParts<AppState> for Session {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, PageError> {
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone())
            .path_and_query()
            .map_or("/dashboard".to_string(), |pq| pq.to_string());
        // After sign-in, come back here, but only to a page (a form's target may not be one).
        let next = if parts.method == axum::http::Method::GET { path } else { "/dashboard".into() };
        let token = cookie_token(parts).ok_or_else(|| PageError::SignIn(next.clone()))?;
        match accounts::session(app, &token).await? {
            Some(viewer) => Ok(Session(viewer)),
            None => Err(PageError::SignIn(next)),
        }
    }
}

/// Refuses a form whose token is not the session's.
pub fn check_form_token(viewer: &Viewer, token: &str) -> PageResult<()> {
    if accounts::form_token_valid(viewer, token) {
        Ok(())
    } else {
        Err(PageError::Forbidden(
            "This form has expired or did not come from this dashboard. Reload the page and try again.".into(),
        ))
    }
}

/// The session cookie for `token` (empty with max-age 0 to end it).
pub fn session_cookie(app: &AppState, token: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if app.public_url.starts_with("https://") { "; Secure" } else { "" };
    let value = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// After a successful POST: see the result with a GET (so a reload does not repeat it).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Only paths inside the dashboard are followed after sign-in (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if next.starts_with("/dashboard") && !next.contains("//") && !next.contains('\\') => next.into(),
        _ => "/dashboard".into(),
    }
}

/// A URL-encoded form whose rejection is an HTML page.
pub struct PageForm<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, PageError> {
        axum::Form::<T>::from_request(request, state)
            .await
            .map(|axum::Form(value)| PageForm(value))
            .map_err(|e| PageError::BadRequest(e.body_text()))
    }
}

/// A query string whose rejection is an HTML page.
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| PageQuery(value))
            .map_err(|e| PageError::BadRequest(e.body_text()))
    }
}

/// One path parameter, percent-decoded; a malformed one is the 404 page.
pub struct PagePath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PagePath {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| PagePath(value))
            .map_err(|_| PageError::NotFound)
    }
}
