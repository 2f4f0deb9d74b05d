//! The HTTP layer: routes, extractors and the error envelope. Knows HTTP, not SQL or vendors.

mod attachments;
pub mod dashboard;
pub mod error;
pub mod extract;
mod general;
mod idempotency;
mod logging;
mod models;
pub mod openapi;
mod ops;
mod reading;

use axum::{
    extract::{FromRequestParts, Path},
    http::{request::Parts, Method, Uri},
    middleware,
    routing::{get, post},
    Router,
};
use tokio::net::TcpListener;

use crate::error::{Error, Result};
use extract::AppState;

pub use general::integration_data;

/// A single path parameter, percent-decoded, whose rejection is the Kombo envelope.
pub struct PathParam(pub String);

impl FromRequestParts<AppState> for PathParam {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Path(value) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| Error::input(format!("Invalid path parameter: {e}")))?;
        Ok(PathParam(value))
    }
}

async fn not_found(method: Method, uri: Uri) -> Error {
    Error::NotFound(format!("No route for {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> Error {
    Error::MethodNotAllowed(format!("Method {method} is not allowed on {}", uri.path()))
}

pub fn router(app: AppState) -> Router {
    let v1 = Router::new()
        .route(
            "/ats/applications/{application_id}/attachments",
            post(attachments::add_to_application).get(reading::application_attachments),
        )
        .route(
            "/ats/candidates/{candidate_id}/attachments",
            post(attachments::add_to_candidate).get(reading::candidate_attachments),
        )
        .route("/ats/actions/ats_add_application_attachment", get(reading::application_action))
        .route("/ats/actions/ats_add_candidate_attachment", get(reading::candidate_action))
        .route("/ats/applications", get(models::applications))
        .route("/ats/candidates", get(models::candidates))
        .route("/check-api-key", get(general::check_api_key))
        .route("/integrations/{integration_id}", get(general::get_integration))
        .route("/force-sync", post(general::force_sync))
        .route("/openapi.json", get(openapi::serve));
    Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/files/{token}", get(ops::hosted_file))
        .route("/attachments/{token}", get(reading::download))
        .route("/dashboard/", get(dashboard::canonical_root))
        .nest("/dashboard", dashboard::router(app.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), logging::record))
        .with_state(app)
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests finish
/// for up to `shutdown_grace_secs`. Connections are served by hyper directly (rather than
/// `axum::serve`) to get a header-read deadline against slow clients.
pub async fn serve(
    app: AppState,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use hyper_util::{
        rt::{TokioExecutor, TokioIo, TokioTimer},
        server::{conn::auto::Builder, graceful::GracefulShutdown},
        service::TowerToHyperService,
    };
    use tower::ServiceExt;

    let router = router(app.clone());
    let mut builder = Builder::new(TokioExecutor::new());
    // Slow-client protection: a client that does not finish its headers in time is dropped.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(std::time::Duration::from_secs(app.config.header_read_timeout_secs));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = router.clone().map_request(|request: axum::http::Request<hyper::body::Incoming>| {
                    request.map(axum::body::Body::new)
                });
                let connection =
                    builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service)).into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener); // stop accepting at once
    let grace = std::time::Duration::from_secs(app.config.shutdown_grace_secs);
    // Requests whose clients went away still run in their own tasks: wait for those too.
    app.requests.close();
    let drained = async {
        graceful.shutdown().await;
        app.requests.wait().await;
    };
    if tokio::time::timeout(grace, drained).await.is_err() {
        tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time; exiting");
    }
    app.shutdown().await;
    Ok(())
}
