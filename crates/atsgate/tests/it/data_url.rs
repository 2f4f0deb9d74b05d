//! `data_url`: downloaded at once from a (local) file server when private addresses are allowed,
//! refused by default.

use axum::{http::header, response::IntoResponse, routing::get, Router};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{assert_error, Options, TestApp};

const PDF: &[u8] = b"%PDF-1.7 served by the test file server";

/// A file server on 127.0.0.1:0: `/cv.pdf` (with Content-Type), `/bare` (none), `/big`, and a
/// redirect to `/cv.pdf`.
async fn file_server() -> String {
    let router = Router::new()
        .route("/cv.pdf", get(|| async { ([(header::CONTENT_TYPE, "application/pdf")], PDF) }))
        .route("/bare", get(|| async { axum::body::Body::from(PDF.to_vec()) }))
        .route("/big", get(|| async { ([(header::CONTENT_TYPE, "application/pdf")], vec![1u8; 5000]).into_response() }))
        .route("/redirect", get(|| async { axum::response::Redirect::temporary("/cv.pdf") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

fn body(url: &str, content_type: Option<&str>) -> serde_json::Value {
    let mut attachment = json!({"name": "cv.pdf", "type": "CV", "data_url": url});
    if let Some(ct) = content_type {
        attachment["content_type"] = json!(ct);
    }
    json!({ "attachment": attachment })
}

#[tokio::test]
async fn downloads_when_private_urls_are_allowed() {
    let app = TestApp::spawn_with(Options {
        allow_private_data_urls: true,
        max_attachment_bytes: 4096,
        ..Options::default()
    })
    .await;
    let server = file_server().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");

    let (s, b) = app.post_json(&path, &body(&format!("{server}/cv.pdf"), None)).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.post_json(&path, &body(&format!("{server}/redirect"), Some("application/pdf"))).await;
    assert_eq!(s, 200, "{b}");
    let files = app.emulator_files().await;
    assert_eq!(files.len(), 2);
    for file in &files {
        assert_eq!(file["content_type"], "application/pdf", "content type taken from the response");
        assert_eq!(file["sha256"], hex::encode(Sha256::digest(PDF)));
    }

    // No Content-Type anywhere, too large, not found, not http.
    let (s, b) = app.post_json(&path, &body(&format!("{server}/bare"), None)).await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    assert!(b["error"]["message"].as_str().unwrap().contains("content_type"));
    let (s, b) = app.post_json(&path, &body(&format!("{server}/big"), None)).await;
    assert_error(s, &b, 413, "PLATFORM.INPUT_INVALID");
    let (s, b) = app.post_json(&path, &body(&format!("{server}/missing"), Some("application/pdf"))).await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    assert!(b["error"]["message"].as_str().unwrap().contains("404"));
    let (s, b) = app.post_json(&path, &body("file:///etc/passwd", Some("text/plain"))).await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    assert_eq!(app.emulator_files().await.len(), 2);
}

#[tokio::test]
async fn internal_addresses_are_refused_by_default() {
    let app = TestApp::spawn().await;
    let server = file_server().await;
    let port = server.rsplit(':').next().unwrap();
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");
    let before = app.upstream_request_count().await;
    for url in [
        format!("{server}/cv.pdf"),
        format!("http://localhost:{port}/cv.pdf"),
        format!("http://2130706433:{port}/cv.pdf"),
        format!("http://[::ffff:127.0.0.1]:{port}/cv.pdf"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/cv.pdf".to_string(),
    ] {
        let (s, b) = app.post_json(&path, &body(&url, Some("application/pdf"))).await;
        assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
        assert!(b["error"]["message"].as_str().unwrap().contains("internal address"), "{url}: {b}");
    }
    assert_eq!(app.upstream_request_count().await, before);
    assert!(app.emulator_files().await.is_empty());
}
