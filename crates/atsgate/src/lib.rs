//! atsgate: a self-hosted unified ATS API gateway, wire-compatible with Kombo's unified ATS API.
//!
//! Layers: `http` (axum) → `actions` (domain) → `connectors` (one per ATS) and `store` (sqlx);
//! `upstream` is the only outbound HTTP client; `sync` fills the store from each ATS.

pub mod actions;
pub mod app;
pub mod auth_cache;
pub mod config;
pub mod connectors;
pub mod crypto;
pub mod error;
pub mod filehost;
pub mod http;
pub mod ids;
pub mod interaction;
pub mod limits;
pub mod logsink;
pub mod model;
pub mod store;
pub mod sync;
pub mod upstream;

pub use app::App;
pub use config::Config;
