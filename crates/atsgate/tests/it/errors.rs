//! Every failure answers with the full Kombo envelope, the right code and status — and an
//! invalid request never reaches the ATS.

use serde_json::json;

use crate::helpers::{assert_error, create_integration, read, sample_body, Options, TestApp};

#[tokio::test]
async fn authentication_and_integration_errors() {
    let app = TestApp::spawn().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("{}/v1/ats/applications/{id}/attachments", app.url);
    let body = sample_body("CV", "cv.txt", b"x", "text/plain");
    let client = reqwest::Client::new();
    let before = app.upstream_request_count().await;

    // No key, a malformed header, an unknown key.
    let (s, b) =
        read(client.post(&path).header("X-Integration-Id", &app.integration_id).json(&body).send().await.unwrap())
            .await;
    assert_error(s, &b, 401, "PLATFORM.AUTHENTICATION_INVALID");
    let (s, b) = read(
        client
            .post(&path)
            .header("Authorization", "Basic abc")
            .header("X-Integration-Id", &app.integration_id)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(s, &b, 401, "PLATFORM.AUTHENTICATION_INVALID");
    let (s, b) = read(
        client
            .post(&path)
            .bearer_auth("atsg_wrong")
            .header("X-Integration-Id", &app.integration_id)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(s, &b, 401, "PLATFORM.AUTHENTICATION_INVALID");

    // The SDKs compare the scheme case-insensitively; so do we.
    let (s, b) = read(
        client
            .post(&path)
            .header("Authorization", format!("bearer {}", app.key))
            .header("X-Integration-Id", &app.integration_id)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");

    // Missing X-Integration-Id, unknown integration.
    let (s, b) = read(client.post(&path).bearer_auth(&app.key).json(&body).send().await.unwrap()).await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    assert!(b["error"]["message"].as_str().unwrap().contains("X-Integration-Id"));
    let (s, b) = read(
        client
            .post(&path)
            .bearer_auth(&app.key)
            .header("X-Integration-Id", "greenhouse:zzzzzzzzzzzzzzzzzzzzzzzz")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(s, &b, 404, "PLATFORM.INTEGRATION_NOT_FOUND");

    // Another workspace's integration is "not found" too, never "forbidden".
    let other = create_integration(&app.app, "someone-else", &app.emulator, app.emulator.credentials.clone()).await;
    let (s, b) = read(
        client.post(&path).bearer_auth(&app.key).header("X-Integration-Id", &other).json(&body).send().await.unwrap(),
    )
    .await;
    assert_error(s, &b, 404, "PLATFORM.INTEGRATION_NOT_FOUND");

    // Only the one valid upload reached the ATS (its token was cached by the sync): a look at
    // the target's files, then the upload.
    assert_eq!(app.upstream_request_count().await, before + 2);
    assert_eq!(app.emulator_files().await.len(), 1);
}

#[tokio::test]
async fn action_disabled_until_the_scope_config_enables_it() {
    let app = TestApp::spawn_with(Options { enable_add_attachments: false, ..Options::default() }).await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let before = app.upstream_request_count().await;
    let (s, b) = app
        .post_json(&format!("/v1/ats/applications/{id}/attachments"), &sample_body("CV", "a.txt", b"x", "text/plain"))
        .await;
    assert_error(s, &b, 403, "INTEGRATION.ACTION_DISABLED");
    let candidate = app.first_application().await["candidate_id"].as_str().unwrap().to_string();
    let (s, b) = app
        .post_json(
            &format!("/v1/ats/candidates/{candidate}/attachments"),
            &sample_body("CV", "a.txt", b"x", "text/plain"),
        )
        .await;
    assert_error(s, &b, 403, "INTEGRATION.ACTION_DISABLED");
    assert_eq!(app.upstream_request_count().await, before);
}

#[tokio::test]
async fn invalid_bodies_name_the_field_and_never_reach_the_ats() {
    let app = TestApp::spawn_with(Options { max_attachment_bytes: 1000, ..Options::default() }).await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");
    let before = app.upstream_request_count().await;
    let cases = [
        (
            json!({"attachment": {"name": "a.pdf", "type": "RESUME", "content_type": "text/plain", "data": "SGk="}}),
            "attachment.type",
        ),
        (
            json!({"attachment": {"name": "", "type": "CV", "content_type": "text/plain", "data": "SGk="}}),
            "attachment.name",
        ),
        (
            json!({"attachment": {"name": "a\u{0}b", "type": "CV", "content_type": "text/plain", "data": "SGk="}}),
            "attachment.name",
        ),
        (
            json!({"attachment": {"name": "x".repeat(300), "type": "CV", "content_type": "text/plain", "data": "SGk="}}),
            "attachment.name",
        ),
        (json!({"attachment": {"type": "CV", "content_type": "text/plain", "data": "SGk="}}), "name"),
        (json!({"attachment": {"name": "a", "type": "CV", "data": "SGk="}}), "content_type"),
        (
            json!({"attachment": {"name": "a", "type": "CV", "content_type": "not a type", "data": "SGk="}}),
            "content_type",
        ),
        (
            json!({"attachment": {"name": "a", "type": "CV", "content_type": "text/plain", "data": "%%%"}}),
            "attachment.data",
        ),
        (
            json!({"attachment": {"name": "a", "type": "CV", "content_type": "text/plain", "data": ""}}),
            "attachment.data",
        ),
        (json!({"attachment": {"name": "a", "type": "CV", "content_type": "text/plain"}}), "data_url"),
        (
            json!({"attachment": {"name": "a", "type": "CV", "content_type": "text/plain", "data": "SGk=", "data_url": "https://example.com/x"}}),
            "not both",
        ),
        (
            json!({"attachment": {"name": "a", "type": "CV", "content_type": "text/plain", "data": "SGk="}, "remote_fields": {"greenhouse": {"post_headers": {"On-Behalf-Of": 5}}}}),
            "On-Behalf-Of",
        ),
        // remote_fields are open (an unknown key is ignored with a warning, see remote_fields.rs),
        // but a Greenhouse integration's own acting user must be a Greenhouse user id.
        (
            json!({"attachment": {"name": "a", "type": "CV", "content_type": "text/plain", "data": "SGk="}, "remote_fields": {"greenhouse": {"post_headers": {"On-Behalf-Of": "jane@example.com"}}}}),
            "On-Behalf-Of",
        ),
        (
            json!({"attachment": {"name": "a", "type": "CV", "content_type": "image/x-unknown", "data": "SGk="}}),
            "image/x-unknown",
        ),
        (json!({}), "attachment"),
    ];
    for (body, needle) in cases {
        let (s, b) = app.post_json(&path, &body).await;
        assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
        let message = b["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "message {message:?} should name {needle:?} for {body}");
    }
    // Malformed JSON, wrong Content-Type, too large.
    let raw = |ct: &'static str, text: &'static str| {
        app.request(reqwest::Method::POST, &path).header("Content-Type", ct).body(text)
    };
    let (s, b) = read(raw("application/json", "{\"attachment\": ").send().await.unwrap()).await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    assert!(b["error"]["message"].as_str().unwrap().contains("JSON"));
    let (s, b) = read(raw("text/plain", "{}").send().await.unwrap()).await;
    assert_error(s, &b, 415, "PLATFORM.INPUT_INVALID");
    let (s, b) = app.post_json(&path, &sample_body("CV", "big.bin", &[7u8; 1001], "text/plain")).await;
    assert_error(s, &b, 413, "PLATFORM.INPUT_INVALID");
    let huge = sample_body("CV", "huge.bin", &vec![7u8; 200_000], "text/plain");
    let (s, b) = app.post_json(&path, &huge).await;
    assert_error(s, &b, 413, "PLATFORM.INPUT_INVALID");

    assert_eq!(app.upstream_request_count().await, before, "no invalid request reached the ATS");
}

#[tokio::test]
async fn unknown_ids_routes_and_methods() {
    let app = TestApp::spawn().await;
    let body = sample_body("CV", "a.txt", b"x", "text/plain");
    let before = app.upstream_request_count().await;
    let (s, b) = app.post_json("/v1/ats/applications/GRKdd9dibYKKCrmGRSMJf3wu/attachments", &body).await;
    assert_error(s, &b, 404, "PLATFORM.INPUT_INVALID");
    let (s, b) = app.post_json("/v1/ats/candidates/GRKdd9dibYKKCrmGRSMJf3wu/attachments", &body).await;
    assert_error(s, &b, 404, "PLATFORM.INPUT_INVALID");
    let (s, b) = app.get("/v1/ats/nothing-here").await;
    assert_error(s, &b, 404, "PLATFORM.INPUT_INVALID");
    let (s, b) = read(app.request(reqwest::Method::DELETE, "/v1/ats/applications").send().await.unwrap()).await;
    assert_error(s, &b, 405, "PLATFORM.INPUT_INVALID");
    assert_eq!(app.upstream_request_count().await, before);
}

#[tokio::test]
async fn ats_failures_map_to_integration_and_remote_codes() {
    let app = TestApp::spawn_with(Options { upstream_max_retries: 1, ..Options::default() }).await;
    let application = app.first_application().await;
    let id = application["id"].as_str().unwrap();
    let path = format!("/v1/ats/applications/{id}/attachments");
    let body = sample_body("CV", "cv.txt", b"x", "text/plain");

    // The ATS rejects the input: its own message is passed on.
    let (s, b) = app.post_json(&path, &sample_body("CV", "setup.exe", b"MZ", "text/plain")).await;
    assert_error(s, &b, 400, "REMOTE.INPUT_INVALID");
    assert!(b["error"]["message"].as_str().unwrap().contains(".exe"), "{b}");

    // Rate limited beyond what we wait for: the caller gets 429 and a Retry-After.
    app.add_faults(json!([{"status": 429, "retry_after_s": 120, "times": 5, "path_prefix": "/v3/attachments"}])).await;
    let response = app.request(reqwest::Method::POST, &path).json(&body).send().await.unwrap();
    assert_eq!(response.headers()["retry-after"], "120");
    let (s, b) = read(response).await;
    assert_error(s, &b, 429, "REMOTE.RATE_LIMIT_EXCEEDED");
    app.add_faults(json!({"clear": true})).await;

    // Down: 503s past the retry budget.
    app.add_faults(json!([{"status": 503, "times": 5, "path_prefix": "/v3/attachments"}])).await;
    let (s, b) = app.post_json(&path, &body).await;
    assert_error(s, &b, 503, "REMOTE.SERVICE_UNAVAILABLE");
    app.add_faults(json!({"clear": true})).await;
    assert!(app.emulator_files().await.is_empty());

    // Our credentials are rejected, or lack the upload permission.
    let mut wrong = app.emulator.credentials.clone();
    wrong.insert("client_secret".into(), "not-the-secret".into());
    for (credentials, code) in [
        (wrong, "INTEGRATION.AUTHENTICATION_INVALID"),
        (app.emulator.readonly_credentials.clone(), "INTEGRATION.PERMISSION_MISSING"),
    ] {
        let integration = create_integration(&app.app, "acme", &app.emulator, credentials).await;
        atsgate::actions::admin::change_permissions(&app.app, &integration, &["add_attachments".into()], &[])
            .await
            .unwrap();
        // Ids are per integration; the readonly client can still read, so sync it; the wrong one cannot.
        let stored = app.app.store.get_integration(&integration).await.unwrap().unwrap();
        let synced = atsgate::sync::run(&app.app, &stored).await;
        let target = match synced {
            Ok(_) => {
                let (_, page) = read(
                    app.client
                        .get(format!("{}/v1/ats/applications?page_size=1", app.url))
                        .bearer_auth(&app.key)
                        .header("X-Integration-Id", &integration)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                page["data"]["results"][0]["id"].as_str().unwrap().to_string()
            }
            Err(err) => {
                assert_eq!(err.code().as_str(), code);
                // Without a sync there is no application id: store one as a sync would, so the
                // upload gets as far as the token call.
                seed_application_row(&app, &integration).await;
                id.to_string()
            }
        };
        let (s, b) = read(
            app.client
                .post(format!("{}/v1/ats/applications/{target}/attachments", app.url))
                .bearer_auth(&app.key)
                .header("X-Integration-Id", &integration)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_error(s, &b, 403, code);
    }
    assert!(app.emulator_files().await.is_empty());
}

/// Stores the main integration's first application under `integration`, as a sync would.
pub async fn seed_application_row(app: &TestApp, integration: &str) -> String {
    use atsgate::store::{ApplicationRow, SyncBatch};
    let application = app.first_application().await;
    let candidate_remote_id = application["candidate"]["remote_id"].as_str().map(str::to_string);
    let row = ApplicationRow {
        id: application["id"].as_str().unwrap().into(),
        remote_id: application["remote_id"].as_str().unwrap().into(),
        candidate_id: candidate_remote_id.as_deref().map(|r| atsgate::ids::stable_id(integration, "candidate", r)),
        candidate_remote_id,
        job_id: None,
        job_remote_id: None,
        outcome: None,
        current_stage_id: None,
        remote_created_at: None,
        data: "{}".into(),
        content_hash: "x".into(),
    };
    app.app
        .store
        .apply_sync(
            integration,
            &atsgate::ids::now_ts(),
            SyncBatch { applications: vec![row.clone()], ..Default::default() },
        )
        .await
        .unwrap();
    row.id
}

#[tokio::test]
async fn unreachable_ats_is_service_unavailable() {
    let app = TestApp::spawn_with(Options { upstream_max_retries: 1, ..Options::default() }).await;
    // A port nobody listens on any more.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let integration = atsgate::actions::admin::create_integration(
        &app.app,
        atsgate::actions::admin::NewIntegration {
            workspace: "acme".into(),
            tool: "greenhouse".into(),
            base_url: Some(format!("http://{closed}")),
            auth_url: Some(format!("http://{closed}/auth")),
            credentials: app.emulator.credentials.clone(),
            organization_name: None,
            creator_email: None,
            origin_id: None,
        },
    )
    .await
    .unwrap()
    .id;
    atsgate::actions::admin::change_permissions(&app.app, &integration, &["add_attachments".into()], &[])
        .await
        .unwrap();
    let id = seed_application_row(&app, &integration).await;
    let (s, b) = read(
        app.client
            .post(format!("{}/v1/ats/applications/{id}/attachments", app.url))
            .bearer_auth(&app.key)
            .header("X-Integration-Id", &integration)
            .json(&sample_body("CV", "cv.txt", b"x", "text/plain"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(s, &b, 503, "REMOTE.SERVICE_UNAVAILABLE");
}
