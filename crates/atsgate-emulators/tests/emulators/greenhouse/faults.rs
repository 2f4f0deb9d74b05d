//! Injected faults, control routes and the emulator lifecycle.

use std::time::{Duration, Instant};

use atsgate_emulators::{start, EmulatorOptions};
use reqwest::Client;
use sha2::{Digest, Sha256};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::harness::*;

#[tokio::test]
async fn faults_are_applied_in_order() {
    let h = Harness::start(small()).await;
    let token = h.token().await;
    let application = h.first_application(&token).await;

    let active = h.faults(json!({"status": 429, "retry_after_s": 1, "times": 2, "path_prefix": "/v3/jobs"})).await;
    assert_eq!(active, json!({"active_rules": 1}));
    for _ in 0..2 {
        let limited = h.get(&token, "/v3/jobs").await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.headers()["retry-after"], "1");
    }
    assert_eq!(h.get(&token, "/v3/jobs").await.status(), StatusCode::OK);

    h.faults(json!([{"status": 503, "method": "POST", "path_prefix": "/v3/attachments"}])).await;
    assert_eq!(h.get(&token, "/v3/attachments").await.status(), StatusCode::OK);
    let unavailable = h.upload(&token, &upload_body(&application["id"], "a.pdf", "other", b"a")).await;
    assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);

    h.faults(json!({"delay_ms": 300, "path_prefix": "/v3/users"})).await;
    let started = Instant::now();
    assert_eq!(h.get(&token, "/v3/users").await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // The file is stored, but the client only sees a broken connection.
    h.faults(json!({"reset_after_store": true, "path_prefix": "/v3/attachments"})).await;
    let body = upload_body(&application["id"], "reset.pdf", "other", b"stored anyway");
    let result = h.http.post(h.url("/v3/attachments")).bearer_auth(&token).json(&body).send().await;
    let error = result.expect_err("the connection must be reset");
    assert!(is_connection_reset(&error), "{error:?}");
    let files = h.control("/_emulator/files").await;
    let stored = files.as_array().unwrap().iter().find(|f| f["filename"] == "reset.pdf");
    assert_eq!(stored.unwrap()["sha256"], hex::encode(Sha256::digest(b"stored anyway")));

    // The emulator keeps serving new connections afterwards.
    assert_eq!(h.get(&token, "/v3/jobs").await.status(), StatusCode::OK);
    h.faults(json!([{"status": 500, "times": 5}, {"delay_ms": 1}])).await;
    assert_eq!(h.faults(json!({"clear": true})).await, json!({"active_rules": 0}));
    let bad = h.http.post(h.url("/_emulator/faults")).json(&json!({"times": 1})).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let statuses: Vec<u64> = h
        .control("/_emulator/requests")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/v3/attachments")
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 201]);
}

#[tokio::test]
async fn control_routes_delete_and_edit_candidates() {
    let h = Harness::start(small()).await;
    let token = h.token().await;
    let candidates: Vec<Value> = h.get(&token, "/v3/candidates?per_page=2").await.json().await.unwrap();
    let (gone, edited) = (&candidates[0], &candidates[1]);

    let deleted = h.http.delete(h.url(&format!("/_emulator/candidates/{}", gone["id"]))).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    let remaining: Vec<Value> =
        h.get(&token, &format!("/v3/candidates?ids={}", gone["id"])).await.json().await.unwrap();
    assert!(remaining.is_empty());
    let orphans: Vec<Value> =
        h.get(&token, &format!("/v3/applications?candidate_id={}", gone["id"])).await.json().await.unwrap();
    assert!(orphans.is_empty());

    let apps_before: Vec<Value> =
        h.get(&token, &format!("/v3/applications?candidate_id={}", edited["id"])).await.json().await.unwrap();
    let patched: Value = h
        .http
        .patch(h.url(&format!("/_emulator/candidates/{}", edited["id"])))
        .json(&json!({"first_name": "Renamed"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(patched["first_name"], "Renamed");
    assert!(patched["updated_at"].as_str().unwrap() > edited["updated_at"].as_str().unwrap());
    let apps_after: Vec<Value> =
        h.get(&token, &format!("/v3/applications?candidate_id={}", edited["id"])).await.json().await.unwrap();
    assert_eq!(apps_before, apps_after, "applications are not bumped");

    let missing = h.http.delete(h.url("/_emulator/candidates/1")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_tool_fails_and_shutdown_stops_serving() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    assert!(start("workday", listener, EmulatorOptions::default()).await.is_err());

    let h = Harness::start(small()).await;
    let base = h.emu.base_url.clone();
    h.emu.shutdown().await;
    let after = Client::builder().no_proxy().build().unwrap().get(format!("{base}/v3/jobs")).send().await;
    assert!(after.is_err(), "nothing listens after shutdown");
}

/// True if an `io::ErrorKind::ConnectionReset` is somewhere in the chain:
/// the emulator must send an RST, not a clean close.
fn is_connection_reset(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionReset {
                return true;
            }
        }
        source = current.source();
    }
    false
}
