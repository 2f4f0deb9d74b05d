//! End-to-end checks of every vendor emulator over real HTTP: each test starts its own emulator
//! on `127.0.0.1:0` and talks to it with reqwest, the client the gateway uses. One test binary,
//! one module per vendor.

mod ashby;
mod greenhouse;
mod lever;
mod oraclerecruiting;
mod recruitee;
mod smartrecruiters;
mod teamtailor;
mod workable;
