//! Faithful local emulators of vendor ATS APIs, used as a library by
//! atsgate's tests, its demo and its benchmarks (and by `atsgate emulate`).
//!
//! An emulator is an in-process HTTP server on a listener the caller bound
//! (usually `127.0.0.1:0`), with seeded, deterministic data held in memory.
//! It serves the vendor's own auth, list and upload endpoints with the
//! vendor's status codes, error bodies, pagination and rate-limit headers,
//! keeps every file it receives, and offers `/_emulator/*` control routes so
//! a test can read back what arrived (with SHA-256), see every request, and
//! script faults (429, 5xx, slow answers, connection resets).
//!
//! Layout: `common/` holds the vendor-neutral machinery every emulator
//! reuses; one folder per vendor holds the vendor's wire format.

mod ashby;
pub mod common;
mod greenhouse;
mod lever;
mod oraclerecruiting;
mod recruitee;
mod smartrecruiters;
mod teamtailor;
mod workable;
// (new vendor modules above this line)

use std::collections::BTreeMap;
use std::net::SocketAddr;

use anyhow::bail;
use serde_json::json;
use tokio::net::TcpListener;

use common::server::{self, ServerHandle};

/// The tools (vendors) [`start`] knows. Adding a vendor: its module, a line here and an arm
/// in [`start`].
pub const TOOLS: &[&str] = &[
    "greenhouse",
    "smartrecruiters",
    "oraclerecruiting",
    "lever",
    "teamtailor",
    "ashby",
    "recruitee",
    "workable",
    // (new vendors above this line)
];

/// What a vendor module's `build(base_url, &options)` returns for [`start`] to serve.
pub struct Built {
    pub router: axum::Router,
    /// A separate OAuth base URL, for vendors that have one.
    pub auth_url: Option<String>,
    /// Credentials of a client allowed everything (what `integrations create` needs).
    pub credentials: BTreeMap<String, String>,
    /// Credentials that authenticate but lack the permission to upload files.
    pub readonly_credentials: BTreeMap<String, String>,
    /// Other valid user ids, usable as the acting user (on-behalf-of fields).
    pub other_user_ids: Vec<String>,
    /// The calls an upload makes, in order.
    pub upload_steps: &'static [UploadStep],
}

/// One vendor call an upload may make, as a fault rule singles it out (its method and a part of
/// its path), and whether the file is in the ATS once that call succeeded. Tests use these to
/// break an upload at each of its steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadStep {
    pub method: &'static str,
    pub path_contains: &'static str,
    pub stores: bool,
}

impl UploadStep {
    /// A call before the file exists.
    pub const fn prepares(method: &'static str, path_contains: &'static str) -> Self {
        UploadStep { method, path_contains, stores: false }
    }

    /// The call that puts the file in the ATS.
    pub const fn stores(method: &'static str, path_contains: &'static str) -> Self {
        UploadStep { method, path_contains, stores: true }
    }

    /// A call after the file exists (e.g. marking it as the CV).
    pub const fn finishes(method: &'static str, path_contains: &'static str) -> Self {
        UploadStep { method, path_contains, stores: false }
    }
}

/// Knobs shared by every emulator.
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    /// How many candidates to seed (jobs and applications scale with it).
    pub seed_candidates: usize,
    /// Seed of the deterministic data generator.
    pub seed: u64,
    /// Requests allowed per client per window.
    pub rate_limit_per_window: u32,
    /// Length of the fixed rate-limit window.
    pub rate_limit_window_secs: u64,
    /// Lifetime of issued access tokens.
    pub token_ttl_secs: u64,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            seed_candidates: 20,
            seed: 42,
            rate_limit_per_window: 500,
            rate_limit_window_secs: 10,
            token_ttl_secs: 3600,
        }
    }
}

/// A started emulator. Dropping it stops the server too; [`shutdown`]
/// additionally waits for in-flight requests.
///
/// [`shutdown`]: RunningEmulator::shutdown
pub struct RunningEmulator {
    pub tool: &'static str,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// For vendors with a separate OAuth host (Greenhouse: `base_url + "/auth"`, the token
    /// endpoint being `{auth_url}/token`); `None` when the API authenticates on `base_url`.
    pub auth_url: Option<String>,
    /// `client_id`, `client_secret`, `user_id` of a client with every scope.
    pub credentials: BTreeMap<String, String>,
    /// Same keys, for a client lacking the attachment-create scope.
    pub readonly_credentials: BTreeMap<String, String>,
    /// Other valid user ids, usable as the token `sub`.
    pub other_user_ids: Vec<String>,
    /// The calls an upload makes, in order (see [`UploadStep`]).
    pub upload_steps: &'static [UploadStep],
    server: ServerHandle,
}

impl RunningEmulator {
    /// What a client needs to connect, e.g. for `atsgate emulate` to print.
    pub fn info_json(&self) -> serde_json::Value {
        json!({
            "tool": self.tool,
            "base_url": self.base_url,
            "auth_url": self.auth_url, // null when the vendor has no separate auth host
            "credentials": self.credentials,
            "readonly_credentials": self.readonly_credentials,
            "other_user_ids": self.other_user_ids,
        })
    }

    /// Stops accepting connections and waits (bounded) for in-flight ones.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Binds and serves in a background tokio task; returns once listening.
/// An unknown `tool` is an error (see [`TOOLS`]).
pub async fn start(tool: &str, listener: TcpListener, options: EmulatorOptions) -> anyhow::Result<RunningEmulator> {
    let base_url = base_url_of(listener.local_addr()?);
    let (tool, built): (&'static str, Built) = match tool {
        "greenhouse" => ("greenhouse", greenhouse::build(base_url.clone(), &options).await?),
        "smartrecruiters" => ("smartrecruiters", smartrecruiters::build(base_url.clone(), &options).await?),
        "oraclerecruiting" => ("oraclerecruiting", oraclerecruiting::build(base_url.clone(), &options).await?),
        "lever" => ("lever", lever::build(base_url.clone(), &options).await?),
        "teamtailor" => ("teamtailor", teamtailor::build(base_url.clone(), &options).await?),
        "ashby" => ("ashby", ashby::build(base_url.clone(), &options).await?),
        "recruitee" => ("recruitee", recruitee::build(base_url.clone(), &options).await?),
        "workable" => ("workable", workable::build(base_url.clone(), &options).await?),
        // (new vendor arms above this line)
        other => bail!("unknown emulator tool {other:?}; known tools: {}", TOOLS.join(", ")),
    };
    Ok(RunningEmulator {
        tool,
        auth_url: built.auth_url,
        base_url,
        credentials: built.credentials,
        readonly_credentials: built.readonly_credentials,
        other_user_ids: built.other_user_ids,
        upload_steps: built.upload_steps,
        server: server::spawn(listener, built.router),
    })
}

/// The URL clients should use; a wildcard bind is reached via loopback.
fn base_url_of(addr: SocketAddr) -> String {
    let host = match addr {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => "127.0.0.1".to_owned(),
        SocketAddr::V4(v4) => v4.ip().to_string(),
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => "[::1]".to_owned(),
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
    };
    format!("http://{host}:{}", addr.port())
}
