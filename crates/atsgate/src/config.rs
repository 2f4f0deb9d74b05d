//! One typed configuration, layered: defaults → `atsgate.toml` → `ATSGATE_*` environment →
//! command-line flags, then `validate()`. Secrets are redacted in `Debug`.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::crypto::MasterKey;

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds to.
    pub listen: SocketAddr,
    /// Directory for the SQLite database and the generated master key.
    pub data_dir: PathBuf,
    /// `sqlite://…` (default: `<data_dir>/atsgate.db`) or `postgres://…`.
    pub database_url: Option<String>,
    /// Base URL clients reach this gateway at; used in `log_url` and signed file URLs.
    pub public_url: Option<String>,
    /// Base64 of 32 random bytes that seals ATS credentials; generated into the data dir if unset.
    pub master_key: Option<String>,
    /// Largest attachment accepted, in decoded bytes (413 beyond).
    pub max_attachment_bytes: u64,
    /// Lets `data_url` reach loopback/private addresses. Only for tests and the demo.
    pub allow_private_data_urls: bool,
    /// Whole-download deadline for `data_url`.
    pub data_url_timeout_secs: u64,
    /// Deadline for one call to an ATS.
    pub upstream_timeout_secs: u64,
    /// Retries of an ATS call that certainly did not act (refused connection, 429, 503).
    pub upstream_max_retries: u32,
    /// Longest `Retry-After` honoured inside one request; longer waits are returned to the caller.
    pub upstream_max_retry_after_secs: u64,
    /// Seconds between periodic syncs in `serve`; 0 turns them off.
    pub sync_interval_secs: u64,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Simultaneous actions per integration; more get 429 `PLATFORM.CONCURRENCY_LIMIT_EXCEEDED`.
    pub max_concurrent_actions: usize,
    /// Requests per API key per minute; more get 429 `PLATFORM.RATE_LIMIT_EXCEEDED`.
    pub rate_limit_per_minute: u32,
    /// Request-body bytes held in memory across all requests; beyond it uploads get a fast 429.
    pub inflight_body_budget_bytes: u64,
    /// Seconds a client may take to send its request body.
    pub body_read_timeout_secs: u64,
    /// Seconds a client may take to send its request headers.
    pub header_read_timeout_secs: u64,
    /// How long an `Idempotency-Key` and its response are kept.
    pub idempotency_ttl_secs: u64,
    /// How long a claim on an `Idempotency-Key` outlives its owner's last sign of life.
    pub idempotency_lease_secs: u64,
    /// On SIGTERM, how long in-flight requests may take to finish before the process exits.
    pub shutdown_grace_secs: u64,
    /// Days interaction-log entries are kept; older ones are pruned periodically.
    pub log_retention_days: u32,
    /// A dashboard session unused for this long ends.
    pub dashboard_session_idle_secs: u64,
    /// A dashboard session ends this long after sign-in, used or not.
    pub dashboard_session_max_secs: u64,
}

const DESCRIPTIONS: &[(&str, &str)] = &[
    ("listen", "Address the HTTP server binds to."),
    ("data_dir", "Directory for the SQLite database and the generated master key."),
    ("database_url", "sqlite://PATH (default: <data_dir>/atsgate.db) or postgres://..."),
    ("public_url", "Base URL clients reach this gateway at (log_url, signed file URLs). Default: http://<listen>"),
    (
        "master_key",
        "Base64 of 32 random bytes sealing ATS credentials. Default: generated into <data_dir>/master.key (0600).",
    ),
    ("max_attachment_bytes", "Largest attachment accepted, in decoded bytes; larger gets 413."),
    ("allow_private_data_urls", "Let data_url reach loopback/private/link-local addresses (tests and demo only)."),
    ("data_url_timeout_secs", "Deadline for downloading a data_url."),
    ("upstream_timeout_secs", "Deadline for one call to an ATS."),
    ("upstream_max_retries", "Retries of an ATS call that certainly did not act (refused connection, 429, 503)."),
    ("upstream_max_retry_after_secs", "Longest Retry-After waited inside one request."),
    ("sync_interval_secs", "Seconds between periodic syncs in `serve` (0 = off)."),
    ("log_format", "\"text\" or \"json\"."),
    (
        "max_concurrent_actions",
        "Simultaneous actions per integration; more get 429 PLATFORM.CONCURRENCY_LIMIT_EXCEEDED.",
    ),
    ("rate_limit_per_minute", "Requests per API key per minute; more get 429 PLATFORM.RATE_LIMIT_EXCEEDED."),
    (
        "inflight_body_budget_bytes",
        "Request-body bytes held in memory across all requests; beyond it uploads get a fast 429.",
    ),
    ("body_read_timeout_secs", "Seconds a client may take to send its request body."),
    ("header_read_timeout_secs", "Seconds a client may take to send its request headers."),
    ("idempotency_ttl_secs", "How long an Idempotency-Key and its stored response are kept."),
    (
        "idempotency_lease_secs",
        "How soon a request retried with the Idempotency-Key of a crashed process takes it over (renewed every third).",
    ),
    ("shutdown_grace_secs", "On SIGTERM, how long in-flight requests may take to finish before the process exits."),
    ("log_retention_days", "Days interaction-log entries are kept; `serve` prunes older ones every hour."),
    ("dashboard_session_idle_secs", "A dashboard session unused for this many seconds ends."),
    ("dashboard_session_max_secs", "A dashboard session ends this many seconds after sign-in, used or not."),
];

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            data_dir: PathBuf::from("atsgate-data"),
            database_url: None,
            public_url: None,
            master_key: None,
            max_attachment_bytes: 50 * 1024 * 1024,
            allow_private_data_urls: false,
            data_url_timeout_secs: 30,
            upstream_timeout_secs: 60,
            upstream_max_retries: 2,
            upstream_max_retry_after_secs: 5,
            sync_interval_secs: 3600,
            log_format: "text".into(),
            max_concurrent_actions: 30,
            rate_limit_per_minute: 6000,
            inflight_body_budget_bytes: 1024 * 1024 * 1024,
            body_read_timeout_secs: 60,
            header_read_timeout_secs: 30,
            idempotency_ttl_secs: 24 * 3600,
            idempotency_lease_secs: 15,
            shutdown_grace_secs: 30,
            log_retention_days: 30,
            dashboard_session_idle_secs: 2 * 3600,
            dashboard_session_max_secs: 24 * 3600,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("public_url", &self.public_url)
            .field("master_key", &self.master_key.as_ref().map(|_| "<redacted>"))
            .field("max_attachment_bytes", &self.max_attachment_bytes)
            .field("allow_private_data_urls", &self.allow_private_data_urls)
            .field("data_url_timeout_secs", &self.data_url_timeout_secs)
            .field("upstream_timeout_secs", &self.upstream_timeout_secs)
            .field("upstream_max_retries", &self.upstream_max_retries)
            .field("upstream_max_retry_after_secs", &self.upstream_max_retry_after_secs)
            .field("sync_interval_secs", &self.sync_interval_secs)
            .field("log_format", &self.log_format)
            .field("max_concurrent_actions", &self.max_concurrent_actions)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("inflight_body_budget_bytes", &self.inflight_body_budget_bytes)
            .field("body_read_timeout_secs", &self.body_read_timeout_secs)
            .field("header_read_timeout_secs", &self.header_read_timeout_secs)
            .field("idempotency_ttl_secs", &self.idempotency_ttl_secs)
            .field("idempotency_lease_secs", &self.idempotency_lease_secs)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("log_retention_days", &self.log_retention_days)
            .field("dashboard_session_idle_secs", &self.dashboard_session_idle_secs)
            .field("dashboard_session_max_secs", &self.dashboard_session_max_secs)
            .finish()
    }
}

/// Hides a password in `scheme://user:password@host/db`.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Values given on the command line; `None` means "not given".
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<SocketAddr>,
    pub public_url: Option<String>,
}

impl Config {
    /// Builds the layered config. `env` is passed in (not read globally) so tests stay hermetic.
    pub fn load(overrides: &Overrides, env: &[(String, String)]) -> anyhow::Result<Config> {
        let mut table = toml::Table::new();
        let file = overrides.config_file.clone().or_else(|| {
            let default = PathBuf::from("atsgate.toml");
            default.exists().then_some(default)
        });
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            table = text.parse::<toml::Table>().with_context(|| format!("parsing {}", path.display()))?;
        }
        for (name, value) in env {
            let Some(key) = name.strip_prefix("ATSGATE_") else { continue };
            let key = key.to_ascii_lowercase();
            if !DESCRIPTIONS.iter().any(|(known, _)| *known == key) {
                continue;
            }
            table.insert(key, env_value(value));
        }
        let mut config: Config = toml::Value::Table(table).try_into().context("invalid configuration")?;
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        if let Some(url) = &overrides.database_url {
            config.database_url = Some(url.clone());
        }
        if let Some(listen) = overrides.listen {
            config.listen = listen;
        }
        if let Some(url) = &overrides.public_url {
            config.public_url = Some(url.clone());
        }
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.max_attachment_bytes == 0 {
            bail!("max_attachment_bytes must be positive");
        }
        if self.max_concurrent_actions == 0 || self.rate_limit_per_minute == 0 {
            bail!("max_concurrent_actions and rate_limit_per_minute must be positive");
        }
        if self.log_retention_days == 0 {
            bail!("log_retention_days must be at least 1");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format must be \"text\" or \"json\"");
        }
        if let Some(url) = &self.public_url {
            url::Url::parse(url).with_context(|| format!("public_url {url:?} is not a URL"))?;
        }
        if let Some(key) = &self.master_key {
            MasterKey::from_base64(key)?;
        }
        if let Some(url) = &self.database_url {
            if !(url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:")) {
                bail!("database_url must start with sqlite: or postgres:");
            }
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("atsgate.db").display()))
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen)).trim_end_matches('/').to_string()
    }

    pub fn master_key(&self) -> anyhow::Result<MasterKey> {
        match &self.master_key {
            Some(key) => MasterKey::from_base64(key),
            None => MasterKey::load_or_create(Path::new(&self.data_dir)),
        }
    }

    /// The commented default file printed by `atsgate config default`.
    pub fn default_toml() -> String {
        let defaults = toml::Table::try_from(Config::default()).expect("defaults serialize");
        let mut out = String::from("# atsgate.toml — every key with its default. Env: ATSGATE_<KEY>.\n");
        for (key, description) in DESCRIPTIONS {
            out.push_str(&format!("\n# {description}\n"));
            match defaults.get(*key) {
                Some(value) => out.push_str(&format!("{key} = {value}\n")),
                None => out.push_str(&format!("# {key} =\n")),
            }
        }
        out
    }
}

/// Environment values are typed the TOML way (`true`, `30`) and fall back to plain strings.
fn env_value(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_and_secrets_are_redacted() {
        let env = vec![
            ("ATSGATE_MAX_ATTACHMENT_BYTES".to_string(), "1000".to_string()),
            ("ATSGATE_ALLOW_PRIVATE_DATA_URLS".to_string(), "true".to_string()),
            ("ATSGATE_MASTER_KEY".to_string(), MasterKey::generate().to_base64()),
            ("ATSGATE_DATABASE_URL".to_string(), "postgres://u:hunter2@127.0.0.1/db".to_string()),
        ];
        let overrides = Overrides { listen: Some("127.0.0.1:9999".parse().unwrap()), ..Default::default() };
        let config = Config::load(&overrides, &env).unwrap();
        assert_eq!(config.max_attachment_bytes, 1000);
        assert!(config.allow_private_data_urls);
        assert_eq!(config.listen.port(), 9999);
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains(config.master_key.as_deref().unwrap()), "{debug}");
    }

    #[test]
    fn default_toml_parses_back_to_defaults() {
        let text = Config::default_toml();
        let parsed: Config = toml::from_str(&text).unwrap();
        assert_eq!(parsed.max_attachment_bytes, Config::default().max_attachment_bytes);
    }
}
