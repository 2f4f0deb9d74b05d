//! Liveness and readiness probes.

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

use super::extract::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the database answers.
pub async fn readyz(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    match app.store.health().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(err) => {
            tracing::warn!(error = %err.0, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": "database unreachable"})))
        }
    }
}

#[derive(serde::Deserialize)]
pub struct FileQuery {
    expires: u64,
    sig: String,
}

/// `GET /files/{token}`: a file published for an ATS to fetch (see `filehost`), served once.
pub async fn hosted_file(
    State(app): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
    query: Result<axum::extract::Query<FileQuery>, axum::extract::rejection::QueryRejection>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let served = query.ok().and_then(|q| app.files.take(&token, q.expires, &q.sig));
    match served {
        Some(file) => {
            let disposition = format!("attachment; filename=\"{}\"", file.name.replace(['"', '\\', '\r', '\n'], "_"));
            (
                [
                    (axum::http::header::CONTENT_TYPE, file.content_type),
                    (axum::http::header::CONTENT_DISPOSITION, disposition),
                ],
                file.bytes,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, Json(json!({"status": "error", "message": "no such file"}))).into_response(),
    }
}
