//! The `/_emulator/*` control routes: not part of any vendor API.
//!
//! They let tests and the demo look inside an emulator and steer it without
//! going through the vendor API (and without auth): list the files it
//! received with their hashes, list the requests it saw, script faults, and
//! delete or edit a candidate so a sync has changes to pick up. The routes
//! and their JSON shapes are the same for every vendor; the vendor only
//! implements [`VendorControl`].
//!
//! - `GET /_emulator/files`: `[ReceivedFile]`, arrival order.
//! - `GET /_emulator/requests`: `[{method, path, query, status}]` of every
//!   vendor API request, arrival order; `DELETE` empties it.
//! - `POST /_emulator/faults`: one rule or an array (see `faults`), answers
//!   `{"active_rules": N}`; `GET` reports the same count.
//! - `DELETE /_emulator/candidates/{id}`: `{"deleted_candidate_id",
//!   "deleted_application_ids"}`, or 404.
//! - `PATCH /_emulator/candidates/{id}`: a JSON object of fields; answers
//!   the updated candidate in the vendor's shape, 404 or 422.
//! - `POST /_emulator/expire-tokens`: every access token or session issued
//!   so far stops working now, so a client must renew it; answers
//!   `{"expired": N, "static_credentials": false}`, or
//!   `{"expired": 0, "static_credentials": true}` for a vendor whose
//!   credentials are static API keys (nothing is issued, nothing expires).
//!
//! Control errors are `{"message": ...}` with 404 or 422.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::faults::{parse_commands, FaultSet};
use super::http::{json, message};
use super::request_log::RequestLog;

/// A file an emulator received, as listed by `GET /_emulator/files`.
/// Ids are strings whatever the vendor uses, so tests compare them uniformly.
#[derive(Clone, Debug, Serialize)]
pub struct ReceivedFile {
    pub id: String,
    pub candidate_id: String,
    /// `None` for vendors (or uploads) that attach to the candidate only.
    pub application_id: Option<String>,
    pub filename: String,
    pub content_type: Option<String>,
    /// The vendor's own type of the file, as it is *now* (it can change,
    /// e.g. a newer resume demotes the previous one).
    #[serde(rename = "type")]
    pub kind: String,
    pub size: u64,
    /// Lowercase hex SHA-256 of the stored bytes.
    pub sha256: String,
    /// The vendor user the upload was made on behalf of.
    pub actor_user_id: Option<String>,
    pub visibility: Option<String>,
}

/// Why a candidate edit failed.
#[derive(Debug)]
pub enum ControlError {
    NotFound,
    Invalid(String),
}

/// What `POST /_emulator/expire-tokens` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenExpiry {
    /// This many issued tokens (or sessions) now count as expired.
    Expired(usize),
    /// The vendor authenticates with static credentials: nothing is issued, nothing expires.
    StaticCredentials,
}

/// What a vendor emulator exposes to the control routes.
pub trait VendorControl: Send + Sync + 'static {
    /// Every received file, in arrival order.
    fn received_files(&self) -> Vec<ReceivedFile>;
    /// Removes a candidate and what hangs off it; returns a summary.
    fn delete_candidate(&self, id: &str) -> Result<Value, ControlError>;
    /// Updates candidate fields from a JSON object; returns the candidate.
    fn patch_candidate(&self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError>;
    /// Makes every issued access token or session expire now. No default: each vendor says
    /// whether it issues tokens at all.
    fn expire_tokens(&self) -> TokenExpiry;
}

#[derive(Clone)]
struct ControlState {
    vendor: Arc<dyn VendorControl>,
    log: Arc<RequestLog>,
    faults: Arc<FaultSet>,
}

/// The control router, to be merged into the vendor's router.
pub fn router(vendor: Arc<dyn VendorControl>, log: Arc<RequestLog>, faults: Arc<FaultSet>) -> Router {
    Router::new()
        .route("/_emulator/files", get(files))
        .route("/_emulator/requests", get(requests).delete(clear_requests))
        .route("/_emulator/faults", get(list_faults).post(add_faults))
        .route("/_emulator/candidates/{id}", delete(delete_candidate).patch(patch_candidate))
        .route("/_emulator/expire-tokens", post(expire_tokens))
        .with_state(ControlState { vendor, log, faults })
}

async fn files(State(state): State<ControlState>) -> Response {
    json(StatusCode::OK, &state.vendor.received_files())
}

async fn requests(State(state): State<ControlState>) -> Response {
    json(StatusCode::OK, &state.log.snapshot())
}

async fn clear_requests(State(state): State<ControlState>) -> Response {
    state.log.clear();
    json(StatusCode::OK, &json!({ "cleared": true }))
}

async fn list_faults(State(state): State<ControlState>) -> Response {
    json(StatusCode::OK, &json!({ "active_rules": state.faults.active() }))
}

async fn add_faults(State(state): State<ControlState>, body: Bytes) -> Response {
    match parse_commands(&body) {
        Ok(commands) => {
            let active = state.faults.apply(commands);
            json(StatusCode::OK, &json!({ "active_rules": active }))
        }
        Err(problem) => message(StatusCode::UNPROCESSABLE_ENTITY, &problem),
    }
}

async fn expire_tokens(State(state): State<ControlState>) -> Response {
    let answer = match state.vendor.expire_tokens() {
        TokenExpiry::Expired(count) => json!({ "expired": count, "static_credentials": false }),
        TokenExpiry::StaticCredentials => json!({ "expired": 0, "static_credentials": true }),
    };
    json(StatusCode::OK, &answer)
}

async fn delete_candidate(State(state): State<ControlState>, Path(id): Path<String>) -> Response {
    control_result(state.vendor.delete_candidate(&id))
}

async fn patch_candidate(State(state): State<ControlState>, Path(id): Path<String>, body: Bytes) -> Response {
    let patch = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(patch)) => patch,
        _ => return message(StatusCode::UNPROCESSABLE_ENTITY, "body must be a JSON object of candidate fields"),
    };
    control_result(state.vendor.patch_candidate(&id, &patch))
}

fn control_result(result: Result<Value, ControlError>) -> Response {
    match result {
        Ok(value) => json(StatusCode::OK, &value),
        Err(ControlError::NotFound) => message(StatusCode::NOT_FOUND, "candidate not found"),
        Err(ControlError::Invalid(problem)) => message(StatusCode::UNPROCESSABLE_ENTITY, &problem),
    }
}
