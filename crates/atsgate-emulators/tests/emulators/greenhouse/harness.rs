//! Shared helpers: start an emulator on port 0 and talk to it with reqwest.

use std::collections::BTreeMap;

use atsgate_emulators::{start, EmulatorOptions, RunningEmulator};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

pub struct Harness {
    pub emu: RunningEmulator,
    pub http: Client,
}

impl Harness {
    pub async fn start(options: EmulatorOptions) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let emu = start("greenhouse", listener, options).await.unwrap();
        // Proxies from the environment must not intercept loopback calls.
        let http = Client::builder().no_proxy().build().unwrap();
        Self { emu, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url)
    }

    pub async fn token_for(&self, creds: &BTreeMap<String, String>, sub: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/token", self.emu.auth_url.as_deref().unwrap()))
            .basic_auth(&creds["client_id"], Some(&creds["client_secret"]))
            .form(&[("grant_type", "client_credentials"), ("sub", sub)])
            .send()
            .await
            .unwrap()
    }

    pub async fn token(&self) -> String {
        let creds = self.emu.credentials.clone();
        let body: Value = self.token_for(&creds, &creds["user_id"]).await.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn upload(&self, token: &str, body: &Value) -> reqwest::Response {
        self.http.post(self.url("/v3/attachments")).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn control(&self, path: &str) -> Value {
        self.http.get(self.url(path)).send().await.unwrap().json().await.unwrap()
    }

    pub async fn faults(&self, rules: Value) -> Value {
        let response = self.http.post(self.url("/_emulator/faults")).json(&rules).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn first_application(&self, token: &str) -> Value {
        let apps: Value = self.get(token, "/v3/applications?per_page=1").await.json().await.unwrap();
        apps[0].clone()
    }
}

pub fn small() -> EmulatorOptions {
    EmulatorOptions { seed_candidates: 25, ..EmulatorOptions::default() }
}

pub fn upload_body(application_id: &Value, filename: &str, kind: &str, bytes: &[u8]) -> Value {
    json!({
        "application_id": application_id,
        "filename": filename,
        "type": kind,
        "content": STANDARD.encode(bytes),
        "content_type": "application/pdf",
    })
}

pub fn content_type(response: &reqwest::Response) -> &str {
    response.headers()["content-type"].to_str().unwrap()
}

pub fn next_link(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().unwrap();
    let start = link.find('<')? + 1;
    let end = link.find('>')?;
    assert!(link.ends_with("rel=\"next\""), "{link}");
    Some(link[start..end].to_owned())
}
