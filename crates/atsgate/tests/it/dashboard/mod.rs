//! Dashboard tests: the real server and emulator, driven over HTTP like a browser (cookie,
//! form token, `Origin`), plus real-browser journeys in headless Chromium (`browser`).

mod auth;
mod browser;
mod isolation;
mod logs;
mod pages;

use atsgate::actions::accounts::{self, NewUser};
use reqwest::{header, StatusCode};

use crate::helpers::{Options, TestApp};

pub const PASSWORD: &str = "correct horse battery staple";

/// A gateway with the dashboard, and an HTTP client that does not follow redirects.
pub struct Dash {
    pub t: TestApp,
    pub http: reqwest::Client,
}

/// One answer, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(self.body.contains(text), "{text:?} not in the page:\n{}", self.body);
        self
    }

    /// The HTML 404 page (never the API's JSON envelope).
    #[track_caller]
    pub fn assert_not_found(&self) {
        assert_eq!(self.status, StatusCode::NOT_FOUND, "{}", self.body);
        assert!(self.body.contains("Page not found"), "{}", self.body);
        assert!(content_type(&self.headers).starts_with("text/html"));
    }
}

pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub fn content_type(headers: &header::HeaderMap) -> String {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

async fn read(response: reqwest::Response) -> Page {
    let status = response.status();
    let headers = response.headers().clone();
    Page { status, headers, body: response.text().await.unwrap() }
}

/// The value of the first `name="csrf"` input on a page.
pub fn form_token(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a form with a token");
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

impl Dash {
    pub async fn spawn() -> Dash {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Dash {
        let t = TestApp::spawn_with(options).await;
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Dash { t, http }
    }

    /// A dashboard user: a member of `workspace`, or an operator.
    pub async fn user(&self, email: &str, workspace: Option<&str>) {
        let new = NewUser { email: email.into(), workspace: workspace.map(Into::into), password: PASSWORD.into() };
        accounts::create_user(&self.t.app, new).await.unwrap();
    }

    pub async fn get_anonymous(&self, path: &str) -> Page {
        read(self.http.get(format!("{}{path}", self.t.url)).send().await.unwrap()).await
    }

    /// Posts the sign-in form as a browser on this site would.
    pub async fn post_sign_in(&self, email: &str, password: &str) -> Page {
        let request = self
            .http
            .post(format!("{}/dashboard/signin", self.t.url))
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", email), ("password", password), ("next", "/dashboard")]);
        read(request.send().await.unwrap()).await
    }

    pub async fn sign_in(&self, email: &str) -> Signed<'_> {
        let page = self.post_sign_in(email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let cookie = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let pair = cookie.split(';').next().unwrap().to_string();
        Signed { dash: self, cookie: pair }
    }

    /// An operator, signed in.
    pub async fn operator(&self) -> Signed<'_> {
        self.user("op@example.test", None).await;
        self.sign_in("op@example.test").await
    }

    /// A member of `workspace`, signed in.
    pub async fn member(&self, email: &str, workspace: &str) -> Signed<'_> {
        self.user(email, Some(workspace)).await;
        self.sign_in(email).await
    }
}

/// A signed-in browser session.
pub struct Signed<'a> {
    pub dash: &'a Dash,
    /// `atsgate_session=<token>`.
    pub cookie: String,
}

impl Signed<'_> {
    pub async fn get(&self, path: &str) -> Page {
        let request = self.dash.http.get(format!("{}{path}", self.dash.t.url)).header(header::COOKIE, &self.cookie);
        read(request.send().await.unwrap()).await
    }

    /// This session's form token, read from a page as a browser would.
    pub async fn token(&self) -> String {
        form_token(&self.get("/dashboard").await.assert_ok().body)
    }

    /// Posts a form with the session's token, from this site.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.token().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", &token)];
        form.extend_from_slice(fields);
        self.post_raw(path, &form, &[("origin", &self.dash.t.url)]).await
    }

    /// Posts exactly these fields with exactly these extra headers.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let mut request =
            self.dash.http.post(format!("{}{path}", self.dash.t.url)).header(header::COOKIE, &self.cookie).form(fields);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request.send().await.unwrap()).await
    }
}
