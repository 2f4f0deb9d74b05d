//! The dashboard: server-rendered pages under `/dashboard` for operators and workspace members
//! (Secrets, Integrations with their scope config, the interaction log behind every `log_url`,
//! workspaces). Templates (askama, checked at compile time) live in `templates/dashboard/`;
//! CSS and a small script are embedded. Every page works without JavaScript.
//!
//! Security: a session cookie (`HttpOnly; SameSite=Strict; Path=/dashboard`, `Secure` behind
//! https) whose token is stored hashed; every state change is a POST whose `Sec-Fetch-Site` (or
//! else `Origin`) must be this site and whose form must carry the session's form token; strict
//! CSP and no caching on every answer. A member sees nothing of another workspace: it is a 404,
//! the same as a missing id. Errors here are HTML pages, never the API's JSON envelope.

mod assets;
mod auth;
mod integrations;
mod logs;
mod overview;
mod page;
mod secrets;
mod view;

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Method},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};

use super::extract::AppState;
pub use page::PageError;

pub fn router(app: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(overview::overview))
        .route("/workspaces", get(overview::workspaces))
        .route("/workspace", post(overview::switch_workspace))
        .route("/signin", get(auth::sign_in_form).post(auth::sign_in))
        .route("/signin/link", get(auth::link_form).post(auth::link_sign_in))
        .route("/signout", post(auth::sign_out))
        .route("/secrets", get(secrets::list).post(secrets::create))
        .route("/secrets/{id}/revoke", post(secrets::revoke))
        .route("/integrations", get(integrations::list))
        .route("/integrations/{id}", get(integrations::detail))
        .route("/integrations/{id}/permissions", post(integrations::toggle_permission))
        .route("/integrations/{id}/sync", post(integrations::sync_now))
        .route("/integrations/{id}/credentials", post(integrations::replace_credentials))
        .route("/integrations/{id}/delete", post(integrations::delete))
        .route("/logs", get(logs::list))
        .route("/logs/{id}", get(logs::detail))
        .route("/assets/{name}", get(assets::serve))
        .fallback(page::not_found)
        .method_not_allowed_fallback(page::not_found)
        .layer(middleware::from_fn_with_state(app, cross_site_guard))
        .layer(middleware::from_fn(security_headers))
}

/// `/dashboard/` and other trailing-slash spellings go to the canonical page.
pub async fn canonical_root() -> Redirect {
    Redirect::permanent("/dashboard")
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/dashboard/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses state-changing requests sent by another site: `Sec-Fetch-Site` must say
/// `same-origin`; a browser that does not send it must send an `Origin` naming this site.
/// A request with neither is refused too.
async fn cross_site_guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let same_site = match (text(header::HeaderName::from_static("sec-fetch-site")), text(header::ORIGIN)) {
        (Some(site), _) => site == "same-origin",
        (None, Some(origin)) => {
            let host = text(header::HOST).unwrap_or_default();
            let public_origin = url::Url::parse(&app.public_url).ok().map(|u| u.origin().ascii_serialization());
            Some(origin.as_str()) == public_origin.as_deref()
                || url::Url::parse(&origin).ok().and_then(|u| {
                    Some(match u.port() {
                        Some(port) => format!("{}:{port}", u.host_str()?),
                        None => u.host_str()?.to_string(),
                    })
                }) == Some(host)
        }
        (None, None) => false,
    };
    if !same_site {
        return PageError::Forbidden(
            "This form was sent from another site, so it was refused. Open the dashboard and try again.".into(),
        )
        .into_response();
    }
    next.run(request).await
}
