//! Signing in and out, the failure limit, session expiry, single-use links, CSRF rejections,
//! the security headers and the HTML error pages.

use std::time::Duration;

use atsgate::actions::accounts;
use reqwest::StatusCode;

use super::{content_type, Dash, PASSWORD};

const PAGES: [&str; 6] = [
    "/dashboard",
    "/dashboard/integrations",
    "/dashboard/logs",
    "/dashboard/secrets",
    "/dashboard/workspaces",
    "/dashboard/signin",
];

#[tokio::test]
async fn sign_in_sets_a_strict_cookie_and_every_page_needs_it() {
    let dash = Dash::spawn().await;
    for path in PAGES.iter().filter(|p| !p.ends_with("signin")) {
        let page = dash.get_anonymous(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), format!("/dashboard/signin?next={}", super::encode(path)));
    }
    dash.get_anonymous("/dashboard/signin").await.assert_ok().assert_contains("Sign in");

    dash.user("op@example.test", None).await;
    let page = dash.post_sign_in("op@example.test", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/dashboard");
    let cookie = page.headers["set-cookie"].to_str().unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/dashboard", "Max-Age="] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: no Secure flag ({cookie})");
    let session = dash.sign_in("op@example.test").await;
    for path in PAGES {
        session.get(path).await.assert_ok();
    }
    // Only a hash of the token is stored.
    let token = session.cookie.split_once('=').unwrap().1;
    let db = std::fs::read(dash.t.dir.path().join("atsgate.db")).unwrap();
    assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()), "the session token is stored in plain text");

    // Signing out ends the session on the server, not only in the browser.
    let signed_out = session.post("/dashboard/signout", &[]).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(signed_out.headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(session.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_rate_limited() {
    let dash = Dash::spawn().await;
    dash.user("op@example.test", None).await;
    let unknown = dash.post_sign_in("nobody@example.test", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    unknown.assert_contains("Wrong email or password.");
    for _ in 0..accounts::MAX_FAILURES {
        let page = dash.post_sign_in("op@example.test", "not the password").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.headers.get("set-cookie").is_none());
    }
    // Locked out: even the right password is refused, with when to try again.
    let page = dash.post_sign_in("op@example.test", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    page.assert_contains("Too many failed sign-ins");
    assert!(page.headers.get("set-cookie").is_none());
    // Another address is not locked by them.
    dash.user("other@example.test", None).await;
    assert_eq!(dash.post_sign_in("other@example.test", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // A disabled user cannot sign in, and their open session ends.
    let session = dash.sign_in("other@example.test").await;
    accounts::disable_user(&dash.t.app, "other@example.test").await.unwrap();
    assert_eq!(session.get("/dashboard").await.status, StatusCode::SEE_OTHER);
    assert_eq!(dash.post_sign_in("other@example.test", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

/// Sets a session's timestamps back, as time passing would.
async fn age_session(dash: &Dash, column: &str, by_secs: i64) {
    let url = format!("sqlite://{}", dash.t.dir.path().join("atsgate.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let at = atsgate::ids::format_ts(chrono::Utc::now() - chrono::Duration::seconds(by_secs));
    sqlx::query(&format!("UPDATE dashboard_sessions SET {column} = ?")).bind(at).execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_their_absolute_limit() {
    let dash = Dash::spawn().await;
    let config = &dash.t.app.config;
    let (idle, max) = (config.dashboard_session_idle_secs as i64, config.dashboard_session_max_secs as i64);

    let session = dash.operator().await;
    age_session(&dash, "last_seen_at", idle - 60).await;
    session.get("/dashboard").await.assert_ok();
    age_session(&dash, "last_seen_at", idle + 1).await;
    let expired = session.get("/dashboard/logs").await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert!(expired.location().starts_with("/dashboard/signin?next="));

    // Used all along, a session still ends `dashboard_session_max_secs` after sign-in.
    let session = dash.sign_in("op@example.test").await;
    age_session(&dash, "created_at", max + 1).await;
    assert_eq!(session.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_sign_in_link_works_once() {
    let dash = Dash::spawn().await;
    dash.user("op@example.test", None).await;
    let link = accounts::sign_in_link(&dash.t.app, "op@example.test", Duration::from_secs(60)).await.unwrap();
    let token = link.split_once("token=").unwrap().1;
    assert!(link.starts_with(&format!("{}/dashboard/signin/link?token=", dash.t.url)));
    // Opening the link only shows a button (a link preview cannot use it up).
    dash.get_anonymous(&link[dash.t.url.len()..]).await.assert_ok().assert_contains(token);
    let use_link = || async {
        let request = dash
            .http
            .post(format!("{}/dashboard/signin/link", dash.t.url))
            .header("sec-fetch-site", "same-origin")
            .form(&[("token", token)]);
        request.send().await.unwrap()
    };
    let first = use_link().await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert!(first.headers()["set-cookie"].to_str().unwrap().starts_with("atsgate_session="));
    let again = use_link().await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    assert!(again.headers().get("set-cookie").is_none());
    assert!(again.text().await.unwrap().contains("cannot be used"));
}

#[tokio::test]
async fn state_changes_from_other_sites_or_without_the_form_token_are_refused() {
    let dash = Dash::spawn().await;
    let session = dash.operator().await;
    let token = session.token().await;
    let url = dash.t.url.clone();
    let path = format!("/dashboard/integrations/{}/permissions", dash.t.integration_id);
    let disable = [("csrf", token.as_str()), ("permission", "add_attachments"), ("set", "off")];
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>);
    let refused: [Case; 5] = [
        ("cross-site fetch metadata", disable.to_vec(), vec![("sec-fetch-site", "cross-site")]),
        ("same-site but another origin", disable.to_vec(), vec![("sec-fetch-site", "same-site")]),
        ("another Origin", disable.to_vec(), vec![("origin", "https://evil.example")]),
        ("neither header", disable.to_vec(), vec![]),
        ("no form token", disable[1..].to_vec(), vec![("origin", &url)]),
    ];
    for (case, fields, headers) in refused {
        let page = session.post_raw(&path, &fields, &headers).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{case}: {}", page.body);
        assert!(content_type(&page.headers).starts_with("text/html"), "{case}");
    }
    let wrong = [("csrf", "not-the-token"), ("permission", "add_attachments"), ("set", "off")];
    assert_eq!(
        session.post_raw(&path, &wrong, &[("sec-fetch-site", "same-origin")]).await.status,
        StatusCode::FORBIDDEN
    );
    let integration = dash.t.app.store.get_integration(&dash.t.integration_id).await.unwrap().unwrap();
    assert!(integration.permissions.contains(&"add_attachments".to_string()), "nothing changed");
    // The same form from this site goes through.
    let page = session.post_raw(&path, &disable, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

#[tokio::test]
async fn every_answer_has_the_security_headers_and_errors_are_html() {
    let dash = Dash::spawn().await;
    let session = dash.operator().await;
    let log = format!("/dashboard/logs/{}", atsgate::ids::random_id());
    let integration = format!("/dashboard/integrations/{}", dash.t.integration_id);
    let mut pages = vec![];
    for path in
        PAGES.iter().copied().chain([integration.as_str(), log.as_str(), "/dashboard/nope", "/dashboard/logs/x/y"])
    {
        pages.push((path, session.get(path).await));
    }
    pages.push(("anonymous", dash.get_anonymous("/dashboard/logs").await));
    pages.push(("refused POST", session.post_raw("/dashboard/secrets", &[], &[]).await));
    for (path, page) in &pages {
        let h = &page.headers;
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    }
    for (_, page) in &pages[PAGES.len() + 1..PAGES.len() + 4] {
        page.assert_not_found();
        assert!(!page.body.contains("\"status\":\"error\""), "not the API envelope: {}", page.body);
    }
    // The API keeps its JSON envelope next to the dashboard, and its description has no dashboard route.
    let (status, body) = dash.t.get("/v1/nope").await;
    assert_eq!((status, body["status"].as_str()), (404, Some("error")));
    let (_, openapi) = dash.t.get("/v1/openapi.json").await;
    assert!(!openapi.to_string().contains("/dashboard"), "the dashboard is not part of the API");
    assert_eq!(dash.get_anonymous("/dashboard/").await.location(), "/dashboard");
}
