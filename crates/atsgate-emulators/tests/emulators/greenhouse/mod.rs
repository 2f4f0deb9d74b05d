//! End-to-end checks of the Greenhouse Harvest v3 emulator over real HTTP, by area.

pub mod auth;
pub mod faults;
pub mod harness;
pub mod listing;
pub mod uploads;
