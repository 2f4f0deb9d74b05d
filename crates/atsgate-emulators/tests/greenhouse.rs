//! End-to-end checks of the Greenhouse Harvest v3 emulator over real HTTP.
//!
//! Each test starts its own emulator on `127.0.0.1:0` (no fixed ports, no
//! readiness sleeps: `start` returns once the listener is bound) and talks
//! to it with reqwest, the client the gateway uses.
//!
//! One test binary; the tests live in `greenhouse/*.rs` by area.

mod greenhouse {
    pub mod auth;
    pub mod faults;
    pub mod harness;
    pub mod listing;
    pub mod uploads;
}
