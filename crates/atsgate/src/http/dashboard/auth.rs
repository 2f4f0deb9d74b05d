//! Signing in (password, or a single-use link), and out.

use askama::Template;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    super::extract::AppState,
    page::{check_form_token, render, safe_next, see_other, session_cookie, PageForm, PageQuery, PageResult, Session},
};
use crate::actions::accounts::{self, SignInError};

#[derive(Template)]
#[template(path = "dashboard/signin.html")]
struct SignInPage {
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    token: Option<String>,
}

pub async fn sign_in_form(PageQuery(query): PageQuery<NextQuery>) -> PageResult {
    render(&SignInPage { next: safe_next(query.next.as_deref()), email: String::new(), error: None })
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn signed_in(app: &AppState, token: &str, next: &str) -> Response {
    let mut response = see_other(next);
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(app, token, app.config.dashboard_session_max_secs));
    response
}

pub async fn sign_in(State(app): State<AppState>, PageForm(form): PageForm<SignInForm>) -> PageResult {
    let next = safe_next(form.next.as_deref());
    let (status, error) = match accounts::sign_in(&app, &form.email, &form.password).await {
        Ok(session) => return Ok(signed_in(&app, &session.token, &next)),
        Err(SignInError::Invalid) => (StatusCode::UNAUTHORIZED, "Wrong email or password.".to_string()),
        Err(SignInError::Limited(wait)) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins for this address. Try again in {} minutes.",
                wait.as_secs().div_ceil(60).max(1)
            ),
        ),
        Err(SignInError::Other(err)) => return Err(err.into()),
    };
    let page = render(&SignInPage { next, email: form.email, error: Some(error) })?;
    Ok((status, page).into_response())
}

#[derive(Template)]
#[template(path = "dashboard/link.html")]
struct LinkPage {
    token: String,
}

/// A link opens a page with a button rather than signing in at once, so a link preview or a
/// mail scanner fetching it cannot use it up.
pub async fn link_form(PageQuery(query): PageQuery<NextQuery>) -> PageResult {
    render(&LinkPage { token: query.token.unwrap_or_default() })
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    token: String,
}

pub async fn link_sign_in(State(app): State<AppState>, PageForm(form): PageForm<LinkForm>) -> PageResult {
    match accounts::sign_in_with_link(&app, &form.token).await? {
        Some(session) => Ok(signed_in(&app, &session.token, "/dashboard")),
        None => Ok(super::page::error_page(
            StatusCode::UNAUTHORIZED,
            "This sign-in link cannot be used",
            "It was used already or has expired. Ask for a new one with `atsgate users link --email …`, or sign in with your password.",
        )),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn sign_out(
    State(app): State<AppState>,
    Session(viewer): Session,
    PageForm(form): PageForm<TokenForm>,
) -> PageResult {
    check_form_token(&viewer, &form.csrf)?;
    accounts::sign_out(&app, &viewer).await?;
    let mut response = see_other("/dashboard/signin");
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&app, "", 0));
    Ok(response)
}
