//! One benchmark "stack": an emulator process, a gateway data directory with an API key and an
//! integration pointing at that emulator (synced, `add_attachments` enabled), and a gateway
//! process serving it — plus what the direct path needs (a cached vendor token, a remote id).
//!
//! The emulator keeps every file it receives in memory, so upload scenarios start a fresh stack
//! whenever the bytes stored so far would pass a budget (see [`Stack::stored_bytes`]).

use std::{path::Path, time::Duration};

use anyhow::{anyhow, Context};
use serde_json::Value;
use tempfile::TempDir;

use crate::procs::{ChildGuard, Launcher};

/// The vendor credentials and URLs printed by `atsgate emulate --json`.
#[derive(Clone, Debug)]
pub struct EmulatorInfo {
    pub base_url: String,
    pub auth_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub user_id: String,
}

impl EmulatorInfo {
    pub fn from_json(info: &Value) -> anyhow::Result<Self> {
        let text = |v: &Value| v.as_str().map(str::to_owned).ok_or_else(|| anyhow!("emulator info lacks a field"));
        let creds = &info["credentials"];
        Ok(EmulatorInfo {
            base_url: text(&info["base_url"])?,
            auth_url: text(&info["auth_url"])?,
            client_id: text(&creds["client_id"])?,
            client_secret: text(&creds["client_secret"])?,
            user_id: text(&creds["user_id"])?,
        })
    }

    /// A bearer token, fetched once as a real client would cache it.
    pub async fn token(&self, client: &reqwest::Client) -> anyhow::Result<String> {
        let response = client
            .post(format!("{}/token", self.auth_url))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("grant_type", "client_credentials"), ("sub", self.user_id.as_str())])
            .send()
            .await?
            .error_for_status()?;
        let body: Value = response.json().await?;
        body["access_token"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("token response without access_token"))
    }
}

/// Creates the key and the integration in `data_dir`; returns (API key, integration id).
pub fn provision(launcher: &Launcher, data_dir: &Path, info: &EmulatorInfo) -> anyhow::Result<(String, String)> {
    let key = launcher.cli(data_dir, &["keys", "create", "--workspace", "bench", "--json"])?;
    let key = key["key"].as_str().ok_or_else(|| anyhow!("keys create: no key"))?.to_owned();
    let credential = |name: &str, value: &str| format!("{name}={value}");
    let integration = launcher.cli(
        data_dir,
        &[
            "integrations",
            "create",
            "--workspace",
            "bench",
            "--tool",
            "greenhouse",
            "--base-url",
            &info.base_url,
            "--auth-url",
            &info.auth_url,
            "--credential",
            &credential("client_id", &info.client_id),
            "--credential",
            &credential("client_secret", &info.client_secret),
            "--credential",
            &credential("user_id", &info.user_id),
            "--json",
        ],
    )?;
    let id = integration["id"].as_str().ok_or_else(|| anyhow!("integrations create: no id"))?.to_owned();
    launcher.cli(data_dir, &["integrations", "permissions", &id, "--enable", "add_attachments", "--json"])?;
    Ok((key, id))
}

pub struct Stack {
    // Field order is drop order: processes stop before their data directory is removed.
    pub gateway: ChildGuard,
    pub emulator: ChildGuard,
    pub gateway_url: String,
    pub info: EmulatorInfo,
    pub api_key: String,
    pub integration_id: String,
    /// The unified id (gateway path) and the Greenhouse id (direct path) of one application.
    pub application_id: String,
    pub remote_application_id: u64,
    pub token: String,
    /// Bytes of files the emulator has stored so far (it never frees them).
    pub stored_bytes: u64,
    pub data_dir: TempDir,
}

impl Stack {
    pub async fn start(launcher: &Launcher, client: &reqwest::Client, label: &str) -> anyhow::Result<Stack> {
        let (emulator, info) = launcher.emulator(&format!("{label}-emulator"), 20)?;
        let info = EmulatorInfo::from_json(&info)?;
        let data_dir = tempfile::Builder::new().prefix(&format!("{label}-data-")).tempdir_in(&launcher.log_dir)?;
        let (api_key, integration_id) = provision(launcher, data_dir.path(), &info)?;
        launcher.cli(data_dir.path(), &["sync", "--integration", &integration_id, "--json"])?;
        let (gateway, gateway_url) = launcher.gateway(&format!("{label}-gateway"), data_dir.path(), client).await?;
        let page: Value = client
            .get(format!("{gateway_url}/v1/ats/applications?page_size=1"))
            .bearer_auth(&api_key)
            .header("X-Integration-Id", &integration_id)
            .timeout(Duration::from_secs(10))
            .send()
            .await?
            .error_for_status()
            .context("listing applications through the gateway")?
            .json()
            .await?;
        let first = &page["data"]["results"][0];
        let application_id = first["id"].as_str().ok_or_else(|| anyhow!("no synced application: {page}"))?.to_owned();
        let remote_application_id = first["remote_id"]
            .as_str()
            .and_then(|r| r.parse().ok())
            .ok_or_else(|| anyhow!("application without a numeric remote_id: {first}"))?;
        let token = info.token(client).await?;
        Ok(Stack {
            gateway,
            emulator,
            gateway_url,
            info,
            api_key,
            integration_id,
            application_id,
            remote_application_id,
            token,
            stored_bytes: 0,
            data_dir,
        })
    }

    /// Replaces the gateway process by a fresh one on the same data (its memory starts clean).
    pub async fn restart_gateway(
        &mut self,
        launcher: &Launcher,
        client: &reqwest::Client,
        label: &str,
    ) -> anyhow::Result<()> {
        let (gateway, url) = launcher.gateway(label, self.data_dir.path(), client).await?;
        // The old one stops when dropped here.
        self.gateway = gateway;
        self.gateway_url = url;
        Ok(())
    }
}
