//! Building blocks shared by every vendor emulator.
//!
//! Each vendor module (today only `greenhouse`) composes these pieces: the
//! connection-level server that can reset a socket on demand, the "edge"
//! middleware that records requests and injects faults, a fixed-window rate
//! limiter, opaque-cursor pagination helpers, the deterministic generators
//! behind seeded data and the `/_emulator/*` control routes. They know nothing
//! about a vendor's wire format: anything vendor-shaped (error bodies, field
//! names) is passed in by the caller.

pub mod control;
pub mod edge;
pub mod faults;
pub mod http;
pub mod pagination;
pub mod ratelimit;
pub mod request_log;
pub mod seed;
pub mod server;
