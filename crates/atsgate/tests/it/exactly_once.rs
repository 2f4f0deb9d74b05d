//! Exactly once, or plainly "unknown": an upload whose answer the ATS never gave is checked
//! against what the target held before it (never against a file name alone), for every tool;
//! and an `Idempotency-Key` survives a client that goes away and a process that is killed.

use std::time::Duration;

use atsgate::connectors::{self, AttachmentType};
use atsgate_emulators::UploadStep;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{read, sample_body, Options, TestApp};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Runs `scenario` for every tool in the registry at once; each gets its own gateway and emulator.
async fn for_every_tool<F, Fut>(scenario: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    futures::future::join_all(connectors::REGISTRY.iter().map(|entry| scenario(entry.capabilities.tool))).await;
}

/// A gateway that gives up on the ATS after 2 s, so a 3 s stall is a lost answer.
async fn impatient(tool: &'static str) -> TestApp {
    TestApp::spawn_with(Options {
        tool,
        upstream_max_retries: 2,
        configure: |c| {
            c.upstream_timeout_secs = 2;
            c.upstream_max_retry_after_secs = 1;
        },
        ..Options::default()
    })
    .await
}

/// An upload of type OTHER (every tool takes it) in a content type the tool accepts.
fn body(tool: &str, name: &str, payload: &[u8]) -> Value {
    let caps = connectors::tool(tool).unwrap().capabilities;
    assert!(caps.vendor_type(AttachmentType::Other).is_some(), "{tool} takes OTHER");
    let content_type = match caps.accepted_mime_types {
        Some(list) if !list.contains(&"application/pdf") => list[0],
        _ => "application/pdf",
    };
    sample_body("OTHER", name, payload, content_type)
}

/// The upload call that puts a file of type OTHER into the ATS.
fn storing_step(app: &TestApp) -> UploadStep {
    *app.emulator.upload_steps.iter().find(|step| step.stores).expect("an upload stores somewhere")
}

/// A fault rule for that call.
fn at_storing_step(app: &TestApp, fault: Value) -> Value {
    let step = storing_step(app);
    let mut rule = fault;
    rule["method"] = json!(step.method);
    rule["path_contains"] = json!(step.path_contains);
    rule
}

/// How many files with these bytes the ATS holds.
async fn copies(app: &TestApp, payload: &[u8]) -> usize {
    let digest = sha256(payload);
    app.emulator_files().await.iter().filter(|f| f["sha256"] == digest.as_str()).count()
}

async fn application_path(app: &TestApp) -> String {
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    format!("/v1/ats/applications/{id}/attachments")
}

#[tokio::test]
async fn a_lost_answer_is_never_taken_for_an_older_file_with_the_same_name() {
    for_every_tool(|tool| async move {
        let app = impatient(tool).await;
        let path = application_path(&app).await;
        let (version_a, version_b) =
            (format!("{tool} CV version A").into_bytes(), format!("{tool} CV v. B").into_bytes());
        let (s, b) = app.post_json(&path, &body(tool, "CV.pdf", &version_a)).await;
        assert_eq!(s, 200, "{tool}: {b}");
        // The ATS stalls past the gateway's deadline on the next upload: its answer is lost.
        app.add_faults(json!([at_storing_step(&app, json!({"delay_ms": 3000, "times": 1}))])).await;
        let (s, b) = app.post_json(&path, &body(tool, "CV.pdf", &version_b)).await;
        assert_eq!(s, 200, "{tool}: the retry after the lost answer uploads version B: {b}");
        assert_eq!(copies(&app, &version_b).await, 1, "{tool}: version B arrived, once");
        assert_eq!(copies(&app, &version_a).await, 1, "{tool}: version A is still there");
    })
    .await;
}

#[tokio::test]
async fn concurrent_uploads_of_same_named_files_are_told_apart() {
    for_every_tool(|tool| async move {
        let app = impatient(tool).await;
        let path = application_path(&app).await;
        // The first upload to reach the ATS stalls past the deadline, while another file of the
        // same name goes through: that file is no proof of the first one.
        app.add_faults(json!([at_storing_step(&app, json!({"delay_ms": 3000, "times": 1}))])).await;
        let payloads: Vec<Vec<u8>> = (0..2).map(|n| format!("{tool} report {n}").into_bytes()).collect();
        let bodies: Vec<Value> = payloads.iter().map(|payload| body(tool, "Report.pdf", payload)).collect();
        let answers = futures::future::join_all(bodies.iter().map(|body| app.post_json(&path, body))).await;
        for (payload, (s, b)) in payloads.iter().zip(&answers) {
            assert_eq!(*s, 200, "{tool}: {b}");
            assert_eq!(copies(&app, payload).await, 1, "{tool}: each upload's own bytes arrived once");
        }
    })
    .await;
}

/// Sends an upload with an `Idempotency-Key`; (status, body, replayed).
async fn post_with_key(app: &TestApp, path: &str, key: &str, body: &Value) -> (u16, Value, bool) {
    let response =
        app.request(reqwest::Method::POST, path).header("Idempotency-Key", key).json(body).send().await.unwrap();
    let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let (status, body) = read(response).await;
    (status, body, replayed)
}

#[tokio::test]
async fn an_upload_finishes_when_its_client_goes_away_and_its_retry_gets_the_answer() {
    let app = impatient("greenhouse").await;
    let path = application_path(&app).await;
    let payload = b"the client hung up";
    let body = body("greenhouse", "hung-up.pdf", payload);
    app.add_faults(json!([at_storing_step(&app, json!({"delay_ms": 1500, "times": 1}))])).await;
    // The client gives up long before the ATS answers.
    let impatient_client = app
        .request(reqwest::Method::POST, &path)
        .header("Idempotency-Key", "hang-up")
        .timeout(Duration::from_millis(300))
        .json(&body)
        .send()
        .await;
    assert!(impatient_client.is_err(), "the first client timed out");
    tokio::time::sleep(Duration::from_millis(700)).await;
    // One second after the first client left: the retry waits for the original, then replays it.
    let (status, answer, replayed) = post_with_key(&app, &path, "hang-up", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(replayed, "the original upload's answer is replayed");
    assert_eq!(copies(&app, payload).await, 1, "the abandoned upload finished, once");
    // Its interaction-log entry exists too.
    app.app.logs.flush().await;
    let logs = app.app.store.list_logs(None, 10).await.unwrap();
    assert!(logs.iter().filter(|l| l.method == "POST" && l.status == 200).count() >= 2, "{logs:?}");
}

#[tokio::test]
async fn a_retry_after_an_unknown_outcome_checks_the_ats_before_uploading_again() {
    let app = TestApp::spawn_with(Options {
        upstream_max_retries: 1,
        configure: |c| {
            c.upstream_timeout_secs = 1;
            c.upstream_max_retry_after_secs = 1;
        },
        ..Options::default()
    })
    .await;
    let path = application_path(&app).await;
    let payload = b"stored, but nobody could tell";
    let body = body("greenhouse", "unknown.pdf", payload);
    // Stored, then the answer is held back and lost; by the time the gateway looks, the ATS
    // cannot be listed any more: the outcome is unknown.
    let stored_then_lost = json!({"hold_after_store_ms": 500, "reset_after_store": true, "times": 1});
    app.add_faults(json!([at_storing_step(&app, stored_then_lost)])).await;
    let listing_breaks = async {
        while copies(&app, payload).await == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let listing = json!({"status": 503, "times": 1000, "method": "GET", "path_prefix": "/v3/attachments"});
        app.add_faults(json!([listing])).await;
    };
    let ((status, answer, _), ()) =
        futures::future::join(post_with_key(&app, &path, "unknown-1", &body), listing_breaks).await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "REMOTE.SERVICE_UNAVAILABLE");
    assert!(answer["error"]["message"].as_str().unwrap().contains("outcome of the upload is unknown"), "{answer}");
    assert_eq!(copies(&app, payload).await, 1);
    // The ATS can be read again: the retry looks first, finds the file, and does not upload twice.
    app.add_faults(json!({"clear": true})).await;
    let (status, answer, replayed) = post_with_key(&app, &path, "unknown-1", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(!replayed, "a 503 is not replayed: the retry ran, and checked");
    assert_eq!(copies(&app, payload).await, 1, "no second copy");
}
