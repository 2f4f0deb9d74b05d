//! Real-browser journeys in headless Chromium, driven over WebDriver (fantoccini) through the
//! system's `chromedriver`; nothing is downloaded at run time. Each test starts its own
//! chromedriver on a port it picks itself (`--port=0`), in its own process group, which is
//! killed when the test ends, browser included. Each journey ends in screenshots (laptop and
//! phone widths) written to the folder the test prints.
//!
//! Where Chromium is missing the tests skip with a loud message, except in CI (`CI=true` or
//! `ATSGATE_REQUIRE_BROWSER=1`), where they fail: `.ci/run` installs it.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use atsgate::actions::accounts;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::Dash;
use crate::helpers::{assert_error, sample_body, Options};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Whether a browser test must run here rather than skip.
fn required() -> bool {
    let on = |name: &str| std::env::var(name).is_ok_and(|v| v == "true" || v == "1");
    on("CI") || on("ATSGATE_REQUIRE_BROWSER")
}

/// `chromedriver` in its own process group, killed (with the browser it started) on drop.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The negative pid names the process group: chromedriver and every Chromium process.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts chromedriver, or returns `None` (after saying so loudly) where it is missing and
    /// not required.
    fn start() -> Option<Driver> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            let message = "Chromium or chromedriver is missing: install them with \
                `apt-get install -y --no-install-recommends chromium chromium-driver`";
            assert!(!required(), "{message} (required in CI)");
            eprintln!("\n*** SKIPPING A BROWSER TEST: {message} ***\n");
            return None;
        }
        use std::os::unix::process::CommandExt;
        let mut child = Command::new(CHROMEDRIVER)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let stdout = child.stdout.take().unwrap();
        let mut port = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read chromedriver's output");
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                port = rest.trim_end_matches('.').trim().parse().ok();
                break;
            }
        }
        let port = port.expect("chromedriver says which port it listens on");
        Some(Driver { child, port, _profile: tempfile::tempdir().unwrap() })
    }

    async fn browser(&self) -> Client {
        // The WebDriver client's TLS stack brings a second crypto provider; pick one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let profile = self._profile.path().display().to_string();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--window-size=1366,1000",
            &format!("--user-data-dir={profile}"),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), json!({"binary": CHROMIUM, "args": args}));
        ClientBuilder::rustls()
            .expect("a TLS setup")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a browser session")
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Screenshots of the current page at a laptop and a phone width.
async fn screenshots(browser: &Client, name: &str) {
    let dir = screenshot_dir();
    for (suffix, width, height) in [("laptop", 1366, 1000), ("phone", 390, 1400)] {
        browser.set_window_size(width, height).await.unwrap();
        let png = browser.screenshot().await.unwrap();
        let path = dir.join(format!("{name}-{suffix}.png"));
        std::fs::write(&path, png).unwrap();
        println!("screenshot: {}", path.display());
    }
    browser.set_window_size(1366, 1000).await.unwrap();
}

/// Runs `journey` in a fresh browser signed in with a single-use link (as `atsgate demo`
/// prints one), closing the browser whatever happens.
async fn with_browser<F, Fut>(dash: &Dash, journey: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(driver) = Driver::start() else { return };
    println!("screenshots go to {}", screenshot_dir().display());
    let browser = driver.browser().await;
    dash.user("operator@demo.local", None).await;
    let link = accounts::sign_in_link(&dash.t.app, "operator@demo.local", Duration::from_secs(600)).await.unwrap();
    browser.goto(&link).await.unwrap();
    browser.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("nav.nav")).await.unwrap();
    let outcome = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(journey(browser.clone()))).await;
    let _ = browser.close().await;
    drop(driver);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn browser_sign_in_with_the_demo_link() {
    let dash = Dash::spawn().await;
    with_browser(&dash, |browser| async move {
        assert!(browser.current_url().await.unwrap().path() == "/dashboard");
        assert_eq!(text_of(&browser, "h1").await, "All workspaces");
        assert!(browser.source().await.unwrap().contains("operator@demo.local"));
        screenshots(&browser, "01-overview").await;
    })
    .await;
}

#[tokio::test]
async fn browser_create_a_key_see_it_once_and_use_it() {
    let dash = Dash::spawn().await;
    let url = dash.t.url.clone();
    with_browser(&dash, |browser| async move {
        browser.goto(&format!("{url}/dashboard/secrets")).await.unwrap();
        browser.find(Locator::Css("input[name=name]")).await.unwrap().send_keys("reporting job").await.unwrap();
        browser.find(Locator::Css("form.inline-form button[type=submit]")).await.unwrap().click().await.unwrap();
        browser.wait().for_element(Locator::Css("#new-key-value")).await.unwrap();
        let key = text_of(&browser, "#new-key-value").await;
        assert!(key.starts_with("atsg_"), "{key}");
        screenshots(&browser, "02-secrets-new-key").await;
        let check = reqwest::Client::new().get(format!("{url}/v1/check-api-key")).bearer_auth(&key).send().await;
        assert_eq!(check.unwrap().status(), 200, "the new key works");
        browser.goto(&format!("{url}/dashboard/secrets")).await.unwrap();
        let source = browser.source().await.unwrap();
        assert!(source.contains("reporting job") && !source.contains(&key), "shown once");
    })
    .await;
}

#[tokio::test]
async fn browser_switch_add_attachments_off_and_on() {
    let dash = Dash::spawn().await;
    let application = dash.t.first_application().await;
    let upload = format!("/v1/ats/applications/{}/attachments", application["id"].as_str().unwrap());
    let body = sample_body("CV", "cv.txt", b"hello", "text/plain");
    let page = format!("{}/dashboard/integrations/{}", dash.t.url, super::encode(&dash.t.integration_id));
    let t = &dash.t;
    with_browser(&dash, |browser| async move {
        browser.goto(&page).await.unwrap();
        let switch = "button[data-permission=add_attachments]";
        browser.find(Locator::Css(switch)).await.unwrap().click().await.unwrap();
        // The form posts and the page comes back with the switch off (waiting out the reload).
        browser.wait().for_element(Locator::Css(&format!("{switch}[aria-pressed=false]"))).await.unwrap();
        let (status, answer) = t.post_json(&upload, &body).await;
        assert_error(status, &answer, 403, "INTEGRATION.ACTION_DISABLED");
        screenshots(&browser, "03-integration-add-attachments-off").await;
        browser.find(Locator::Css(switch)).await.unwrap().click().await.unwrap();
        browser.wait().for_element(Locator::Css(&format!("{switch}[aria-pressed=true]"))).await.unwrap();
        let (status, answer) = t.post_json(&upload, &body).await;
        assert_eq!(status, 200, "{answer}");
    })
    .await;
}

#[tokio::test]
async fn browser_follow_the_log_url_of_an_error() {
    let dash = Dash::spawn().await;
    let application = dash.t.first_application().await;
    let upload = format!("/v1/ats/applications/{}/attachments", application["id"].as_str().unwrap());
    dash.t.add_faults(json!([{"status": 500, "times": 10, "path_prefix": "/v3/attachments"}])).await;
    let (status, answer): (u16, Value) =
        dash.t.post_json(&upload, &sample_body("CV", "cv.txt", b"hello", "text/plain")).await;
    assert!(status >= 500, "{answer}");
    dash.t.app.logs.flush().await;
    let log_url = answer["error"]["log_url"].as_str().unwrap().to_string();
    let code = answer["error"]["code"].as_str().unwrap().to_string();
    let message = answer["error"]["message"].as_str().unwrap().to_string();
    with_browser(&dash, |browser| async move {
        browser.goto(&log_url).await.unwrap();
        assert_eq!(text_of(&browser, ".error-code").await, code);
        assert!(text_of(&browser, ".error-panel").await.contains(&message));
        let timeline = text_of(&browser, ".timeline").await;
        assert!(timeline.contains("/v3/attachments") && timeline.contains("500"), "{timeline}");
        screenshots(&browser, "04-log-detail").await;
        // The overview lists it among the recent errors, linked to the same page.
        browser.goto(&log_url.replace(&format!("/logs/{}", log_url.rsplit('/').next().unwrap()), "")).await.unwrap();
        let errors = text_of(&browser, "table.logs").await;
        assert!(errors.contains("503"), "{errors}");
        screenshots(&browser, "06-overview-recent-errors").await;
    })
    .await;
}

#[tokio::test]
async fn browser_filter_the_log_to_warnings_and_find_the_teamtailor_fallback() {
    let dash = Dash::spawn_with(Options { tool: "teamtailor", ..Default::default() }).await;
    let application = dash.t.first_application().await;
    let upload = format!("/v1/ats/applications/{}/attachments", application["id"].as_str().unwrap());
    let (status, answer) =
        dash.t.post_json(&upload, &sample_body("CV", "cv.pdf", b"%PDF-1.4", "application/pdf")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(dash.t.get("/v1/ats/applications?page_size=2").await.0, 200);
    dash.t.app.logs.flush().await;
    let url = dash.t.url.clone();
    with_browser(&dash, |browser| async move {
        browser.goto(&format!("{url}/dashboard/logs")).await.unwrap();
        browser.find(Locator::Css("input[name=warnings]")).await.unwrap().click().await.unwrap();
        browser.find(Locator::Css("form.filters button[type=submit]")).await.unwrap().click().await.unwrap();
        browser
            .wait()
            .for_url(
                &format!("{url}/dashboard/logs?integration=&outcome=&code=&endpoint=&from=&to=&warnings=1")
                    .parse()
                    .unwrap(),
            )
            .await
            .unwrap();
        let rows = browser.find_all(Locator::Css("table.logs tbody tr")).await.unwrap();
        assert_eq!(rows.len(), 1, "only the call with a warning");
        let warning = text_of(&browser, ".warning-line").await;
        assert!(warning.contains("Teamtailor") && warning.contains("candidate"), "{warning}");
        screenshots(&browser, "05-logs-has-warnings").await;
    })
    .await;
}
