//! Integration tests: the real gateway on a random loopback port against the real Greenhouse
//! emulator, over real sockets. One binary, one module per area.

mod attachments;
mod chaos;
mod cli;
mod conformance;
mod crash;
mod dashboard;
mod data_url;
mod errors;
mod exactly_once;
mod general;
mod hardening;
mod helpers;
mod kit;
mod listing;
mod remote_fields;
mod schema;
mod store_story;
mod store_story_dashboard;
