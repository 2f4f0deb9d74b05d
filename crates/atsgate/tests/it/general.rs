//! check-api-key, integration details, force-sync, the interaction log, openapi and secrets at rest.

use serde_json::Value;

use crate::{
    helpers::{assert_error, read, sample_body, Options, TestApp},
    schema::assert_valid,
};

#[tokio::test]
async fn check_api_key_names_the_environment() {
    let app = TestApp::spawn().await;
    let (s, body) =
        read(app.client.get(format!("{}/v1/check-api-key", app.url)).bearer_auth(&app.key).send().await.unwrap()).await;
    assert_eq!(s, 200, "{body}");
    assert_valid("check_api_key", &body);
    assert_eq!(body["data"]["environment_id"], body["data"]["customer_id"]);
    let (s, body) =
        read(app.client.get(format!("{}/v1/check-api-key", app.url)).bearer_auth("nope").send().await.unwrap()).await;
    assert_error(s, &body, 401, "PLATFORM.AUTHENTICATION_INVALID");
}

#[tokio::test]
async fn integration_details_with_raw_or_percent_encoded_id() {
    let app = TestApp::spawn_with(Options { enable_add_attachments: false, ..Options::default() }).await;
    let get = |path: String| {
        let client = app.client.clone();
        let key = app.key.clone();
        async move { read(client.get(path).bearer_auth(key).send().await.unwrap()).await }
    };
    let raw = format!("{}/v1/integrations/{}", app.url, app.integration_id);
    let encoded = format!("{}/v1/integrations/{}", app.url, app.integration_id.replace(':', "%3A"));
    for url in [raw.clone(), encoded] {
        let (s, body) = get(url).await;
        assert_eq!(s, 200, "{body}");
        assert_valid("integration", &body);
        assert_eq!(body["data"]["id"], app.integration_id.as_str());
        assert_eq!(body["data"]["tool"]["id"], "greenhouse");
        let action = |id: &str| {
            body["data"]["write_actions"].as_array().unwrap().iter().find(|a| a["id"] == id).cloned().unwrap()
        };
        assert_eq!(action("ats_add_application_attachment")["scope_config_setting"], "DISABLED");
        assert_eq!(action("ats_add_candidate_attachment")["scope_config_setting"], "DISABLED");
    }
    atsgate::actions::admin::change_permissions(&app.app, &app.integration_id, &["add_attachments".into()], &[])
        .await
        .unwrap();
    let (_, body) = get(raw).await;
    let actions = body["data"]["write_actions"].as_array().unwrap();
    assert!(actions.iter().all(|a| a["scope_config_setting"] == "ENABLED" && a["is_available"] == true), "{body}");

    let (s, body) = get(format!("{}/v1/integrations/greenhouse:doesNotExist", app.url)).await;
    assert_error(s, &body, 404, "PLATFORM.INTEGRATION_NOT_FOUND");
}

#[tokio::test]
async fn force_sync_runs_once_at_a_time() {
    let app = TestApp::spawn_with(Options { sync: false, ..Options::default() }).await;
    let (s, first) = app.post_json("/v1/force-sync", &serde_json::json!({})).await;
    assert_eq!(s, 200, "{first}");
    assert_valid("force_sync", &first);
    let (_, second) = app.post_json("/v1/force-sync", &serde_json::json!({})).await;
    if second["data"]["already_queued"] == true {
        assert_eq!(second["data"]["sync_id"], first["data"]["sync_id"]);
    }
    // Wait for the background sync through the store (no sleeps: poll the finish mark).
    for _ in 0..500 {
        let integration = app.app.store.get_integration(&app.integration_id).await.unwrap().unwrap();
        if integration.last_sync_finished_at.is_some() {
            assert!(integration.last_sync_error.is_none());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(!app.list_all("applications", "").await.is_empty());
}

#[tokio::test]
async fn every_call_is_logged_without_secrets() {
    let app = TestApp::spawn().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let secret_payload = b"TOP-SECRET-CV-CONTENT";
    let (s, _) = app
        .post_json(
            &format!("/v1/ats/applications/{id}/attachments"),
            &sample_body("CV", "cv.txt", secret_payload, "text/plain"),
        )
        .await;
    assert_eq!(s, 200);
    let (s, error) = app
        .post_json(
            "/v1/ats/applications/GRKdd9dibYKKCrmGRSMJf3wu/attachments",
            &sample_body("CV", "cv.txt", b"x", "text/plain"),
        )
        .await;
    assert_eq!(s, 404);
    app.app.logs.flush().await;

    let log_id = error["error"]["log_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let failed = app.app.store.get_log(&log_id).await.unwrap().expect("the error's log_url names its log entry");
    assert_eq!(failed.status, 404);
    assert_eq!(failed.code.as_deref(), Some("PLATFORM.INPUT_INVALID"));
    assert_eq!(failed.integration_id.as_deref(), Some(app.integration_id.as_str()));

    let logs = app.app.store.list_logs(None, 100).await.unwrap();
    let upload = logs.iter().find(|l| l.status == 200 && l.path.ends_with("/attachments")).expect("upload logged");
    let upstream: Vec<(&str, &str)> = upload.upstream.iter().map(|c| (c.method.as_str(), c.path.as_str())).collect();
    assert!(upstream.contains(&("POST", "/v3/attachments")), "{upstream:?}");
    assert!(upload.upstream.iter().all(|c| c.duration_ms >= 0.0));

    let dump = serde_json::to_string(&logs).unwrap();
    assert!(!dump.contains(&app.key));
    assert!(!dump.contains("TOP-SECRET") && !dump.contains("VE9QLVNFQ1JFVC"), "file content leaked into the log");
    assert!(!dump.contains(&app.emulator.credentials["client_secret"]));
}

#[tokio::test]
async fn no_plaintext_key_or_credential_in_the_database_files() {
    let app = TestApp::spawn().await;
    app.app.logs.flush().await;
    let secret = app.emulator.credentials["client_secret"].clone();
    let mut scanned = 0;
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("atsgate.db") {
            let bytes = std::fs::read(&path).unwrap();
            scanned += bytes.len();
            let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!contains(&app.key), "API key in plaintext in {name}");
            assert!(!contains(&secret), "client secret in plaintext in {name}");
        }
    }
    assert!(scanned > 0, "the database files were found and read");
}

#[tokio::test]
async fn revoked_keys_stop_working_at_once() {
    let app = TestApp::spawn().await;
    let created = atsgate::actions::admin::create_key(&app.app, "acme", None).await.unwrap();
    let check = |key: String| {
        let client = app.client.clone();
        let url = format!("{}/v1/check-api-key", app.url);
        async move { client.get(url).bearer_auth(key).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(check(created.key.clone()).await, 200);
    assert_eq!(check(created.key.clone()).await, 200, "a remembered key");
    assert!(atsgate::actions::admin::revoke_key(&app.app, &created.record.id).await.unwrap());
    assert_eq!(check(created.key).await, 401);
    assert_eq!(check(app.key.clone()).await, 200);
}

/// Another process (the CLI, another node) revoking a key or withdrawing a permission reaches a
/// running gateway that remembers the caller: within a few revision polls, not at the next restart.
#[tokio::test]
async fn changes_made_by_another_process_reach_a_running_gateway() {
    let app = TestApp::spawn().await;
    let created = atsgate::actions::admin::create_key(&app.app, "acme", None).await.unwrap();
    let status = |key: String, path: &'static str| {
        let request = app
            .client
            .get(format!("{}{path}", app.url))
            .bearer_auth(key)
            .header("X-Integration-Id", &app.integration_id);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let cli = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_atsgate"))
            .arg("--data-dir")
            .arg(app.dir.path())
            .args(args)
            .env_remove("ATSGATE_DATABASE_URL")
            .output()
            .unwrap();
        assert!(output.status.success(), "atsgate {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    // Bounded wait for a change to show: the gateway polls every auth_cache::POLL.
    let until = |want: u16, key: String, path: &'static str| {
        let status = &status;
        async move {
            for _ in 0..100 {
                if status(key.clone(), path).await == want {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            false
        }
    };
    let candidates = "/v1/ats/applications?page_size=1";
    assert_eq!(status(created.key.clone(), candidates).await, 200);
    assert_eq!(status(created.key.clone(), candidates).await, 200, "served from memory");

    cli(&["integrations", "permissions", &app.integration_id, "--disable", "read_applications"]);
    assert!(until(403, app.key.clone(), candidates).await, "a withdrawn permission applies to a remembered caller");
    cli(&["integrations", "permissions", &app.integration_id, "--enable", "read_applications"]);
    assert!(until(200, app.key.clone(), candidates).await, "and so does a granted one");

    cli(&["keys", "revoke", &created.record.id]);
    assert!(until(401, created.key.clone(), "/v1/check-api-key").await, "a key revoked elsewhere stops working");
    assert_eq!(status(app.key.clone(), "/v1/check-api-key").await, 200, "other keys keep working");
}

#[tokio::test]
async fn openapi_and_probes() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(format!("{}/v1/openapi.json", app.url)).await.unwrap().json().await.unwrap();
    for path in [
        "/v1/ats/applications/{application_id}/attachments",
        "/v1/ats/candidates/{candidate_id}/attachments",
        "/v1/ats/applications",
        "/v1/check-api-key",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from openapi.json");
    }
    assert_eq!(reqwest::get(format!("{}/healthz", app.url)).await.unwrap().status(), 200);
    assert_eq!(reqwest::get(format!("{}/readyz", app.url)).await.unwrap().status(), 200);
}
