//! The CLI commands. Each prints one JSON object on stdout with `--json`, human text otherwise;
//! diagnostics go to stderr.

pub mod demo;
pub mod emulate;
pub mod integrations;
pub mod keys;
pub mod logs;
pub mod secrets;
pub mod serve;
pub mod sync;
pub mod tools;
pub mod users;

use std::sync::Arc;

use atsgate::{config::Overrides, App, Config};

pub fn load_config(overrides: &Overrides) -> anyhow::Result<Config> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    Config::load(overrides, &env)
}

/// Logs to stderr so stdout stays machine-readable.
pub fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ATSGATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if config.log_format == "json" { builder.json().try_init() } else { builder.try_init() };
}

pub async fn open(config: Config) -> anyhow::Result<Arc<App>> {
    App::new(config).await
}

pub fn print_json(value: &serde_json::Value) {
    println!("{}", serde_json::to_string(value).expect("JSON values serialize"));
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
