//! `TestApp`: a fresh database, an emulator and a gateway per test, plus request helpers.

use std::{collections::BTreeMap, sync::Arc};

use atsgate::{
    actions::{admin, permissions},
    crypto::MasterKey,
    App, Config,
};
use atsgate_emulators::{EmulatorOptions, RunningEmulator};
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub struct Options {
    pub tool: &'static str,
    pub seed_candidates: usize,
    pub enable_add_attachments: bool,
    pub allow_private_data_urls: bool,
    pub max_attachment_bytes: u64,
    pub upstream_max_retries: u32,
    pub sync: bool,
    /// The emulated ATS's rate limit: requests per window, window seconds.
    pub emulator_rate_limit: Option<(u32, u64)>,
    /// Any other configuration change.
    pub configure: fn(&mut Config),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tool: "greenhouse",
            seed_candidates: 12,
            enable_add_attachments: true,
            allow_private_data_urls: false,
            max_attachment_bytes: 50 * 1024 * 1024,
            upstream_max_retries: 2,
            sync: true,
            emulator_rate_limit: None,
            configure: |_| {},
        }
    }
}

pub struct TestApp {
    pub url: String,
    pub key: String,
    pub integration_id: String,
    pub app: Arc<App>,
    pub emulator: RunningEmulator,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn sample_body(kind: &str, name: &str, bytes: &[u8], content_type: &str) -> Value {
    use base64::Engine;
    json!({"attachment": {"name": name, "type": kind, "content_type": content_type,
        "data": base64::engine::general_purpose::STANDARD.encode(bytes)}})
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        let emulator =
            atsgate_emulators::start(options.tool, tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(), {
                let mut emulator = EmulatorOptions { seed_candidates: options.seed_candidates, ..Default::default() };
                if let Some((per_window, window_secs)) = options.emulator_rate_limit {
                    emulator.rate_limit_per_window = per_window;
                    emulator.rate_limit_window_secs = window_secs;
                }
                emulator
            })
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config {
            listen: listener.local_addr().unwrap(),
            data_dir: dir.path().to_path_buf(),
            public_url: Some(url.clone()),
            master_key: Some(MasterKey::generate().to_base64()),
            allow_private_data_urls: options.allow_private_data_urls,
            max_attachment_bytes: options.max_attachment_bytes,
            upstream_max_retries: options.upstream_max_retries,
            upstream_max_retry_after_secs: 2,
            upstream_timeout_secs: 10,
            sync_interval_secs: 0,
            ..Config::default()
        };
        (options.configure)(&mut config);
        let app = App::new(config).await.unwrap();
        let key = admin::create_key(&app, "acme", None).await.unwrap().key;
        let integration_id = create_integration(&app, "acme", &emulator, emulator.credentials.clone()).await;
        let mut enable = vec![permissions::READ_ATTACHMENTS.to_string()];
        if options.enable_add_attachments {
            enable.push(permissions::ADD_ATTACHMENTS.to_string());
        }
        admin::change_permissions(&app, &integration_id, &enable, &[]).await.unwrap();
        if options.sync {
            let integration = app.store.get_integration(&integration_id).await.unwrap().unwrap();
            atsgate::sync::run(&app, &integration).await.unwrap();
        }
        let (tx, rx) = oneshot::channel();
        tokio::spawn(atsgate::http::serve(app.clone(), listener, async {
            let _ = rx.await;
        }));
        TestApp { url, key, integration_id, app, emulator, client: reqwest::Client::new(), dir, shutdown: Some(tx) }
    }

    pub async fn sync(&self) {
        let integration = self.app.store.get_integration(&self.integration_id).await.unwrap().unwrap();
        atsgate::sync::run(&self.app, &integration).await.unwrap();
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.key)
            .header("X-Integration-Id", &self.integration_id)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self.request(reqwest::Method::POST, path).json(body).send().await.unwrap();
        read(response).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        read(self.request(reqwest::Method::GET, path).send().await.unwrap()).await
    }

    /// Every page of a list endpoint, following `data.next`.
    pub async fn list_all(&self, model: &str, query: &str) -> Vec<Value> {
        let mut results = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/v1/ats/{model}?{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let (status, body) = self.get(&path).await;
            assert_eq!(status, 200, "{body}");
            results.extend(body["data"]["results"].as_array().unwrap().iter().cloned());
            match body["data"]["next"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return results,
            }
        }
    }

    pub async fn first_application(&self) -> Value {
        let (_, body) = self.get("/v1/ats/applications?page_size=1").await;
        body["data"]["results"][0].clone()
    }

    pub async fn emulator_json(&self, path: &str) -> Value {
        reqwest::get(format!("{}{path}", self.emulator.base_url)).await.unwrap().json().await.unwrap()
    }

    pub async fn emulator_files(&self) -> Vec<Value> {
        self.emulator_json("/_emulator/files").await.as_array().unwrap().clone()
    }

    /// Count of requests the emulated ATS has received on its API.
    pub async fn upstream_request_count(&self) -> usize {
        self.emulator_json("/_emulator/requests").await.as_array().unwrap().len()
    }

    pub async fn add_faults(&self, rules: Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/_emulator/faults", self.emulator.base_url))
            .json(&rules)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
}

pub async fn create_integration(
    app: &App,
    workspace: &str,
    emulator: &RunningEmulator,
    credentials: BTreeMap<String, String>,
) -> String {
    admin::create_integration(
        app,
        admin::NewIntegration {
            workspace: workspace.into(),
            tool: emulator.tool.into(),
            base_url: Some(emulator.base_url.clone()),
            auth_url: emulator.auth_url.clone(),
            credentials,
            organization_name: None,
            creator_email: None,
            origin_id: None,
        },
    )
    .await
    .unwrap()
    .id
}

pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = response.text().await.unwrap();
    assert!(content_type.starts_with("application/json"), "status {status}, content-type {content_type:?}: {text}");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
}

/// Asserts the full Kombo error envelope with this code and status.
pub fn assert_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["title"].is_string(), "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["error"]["log_url"].as_str().is_some_and(|u| u.contains("/dashboard/logs/")), "{body}");
    crate::schema::assert_valid("error", body);
}
