//! Idempotency keys, admission limits and tenant isolation, over real sockets.

use serde_json::{json, Value};

use crate::helpers::{assert_error, create_integration, read, sample_body, Options, TestApp};

async fn post_with_key(app: &TestApp, path: &str, key: &str, body: &Value) -> (u16, Value, bool) {
    let response =
        app.request(reqwest::Method::POST, path).header("Idempotency-Key", key).json(body).send().await.unwrap();
    let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let (status, body) = read(response).await;
    (status, body, replayed)
}

#[tokio::test]
async fn an_idempotency_key_uploads_once_and_replays_the_answer() {
    let app = TestApp::spawn().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");
    let body = sample_body("CV", "once.pdf", b"only once", "application/pdf");

    let (s1, b1, replayed1) = post_with_key(&app, &path, "key-1", &body).await;
    let (s2, b2, replayed2) = post_with_key(&app, &path, "key-1", &body).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(b1, b2, "the stored response is replayed");
    assert!(!replayed1 && replayed2);
    assert_eq!(app.emulator_files().await.len(), 1, "one file for two requests");

    let other = sample_body("CV", "other.pdf", b"something else", "application/pdf");
    let (s, b, _) = post_with_key(&app, &path, "key-1", &other).await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    assert!(b["error"]["message"].as_str().unwrap().contains("Idempotency-Key"));

    // Keys are per workspace: another workspace's identical key is independent.
    let key_b = atsgate::actions::admin::create_key(&app.app, "other-ws", None).await.unwrap().key;
    let integration_b = create_integration(&app.app, "other-ws", &app.emulator, app.emulator.credentials.clone()).await;
    atsgate::actions::admin::change_permissions(&app.app, &integration_b, &["add_attachments".into()], &[])
        .await
        .unwrap();
    let stored = app.app.store.get_integration(&integration_b).await.unwrap().unwrap();
    atsgate::sync::run(&app.app, &stored).await.unwrap();
    let remote = app.first_application().await["remote_id"].as_str().unwrap().to_string();
    let id_b = atsgate::ids::stable_id(&integration_b, "application", &remote);
    let response = app
        .client
        .post(format!("{}/v1/ats/applications/{id_b}/attachments", app.url))
        .bearer_auth(&key_b)
        .header("X-Integration-Id", &integration_b)
        .header("Idempotency-Key", "key-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("idempotent-replayed").is_none());
    assert_eq!(response.status(), 200);
    assert_eq!(app.emulator_files().await.len(), 2);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_make_one_upload() {
    let app = TestApp::spawn().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");
    // Slow the upload down so the requests really overlap.
    app.add_faults(json!([{"delay_ms": 400, "times": 1, "path_prefix": "/v3/attachments"}])).await;
    let body = sample_body("OTHER", "together.pdf", b"concurrent", "application/pdf");
    let requests = (0..6).map(|_| post_with_key(&app, &path, "shared-key", &body));
    let results = futures::future::join_all(requests).await;
    for (status, response, _) in &results {
        assert_eq!(*status, 200, "{response}");
        assert_eq!(response, &results[0].1);
    }
    assert_eq!(results.iter().filter(|r| !r.2).count(), 1, "exactly one request ran");
    assert_eq!(app.emulator_files().await.len(), 1);
}

#[tokio::test]
async fn a_failed_attempt_is_not_kept_so_the_retry_uploads() {
    let app = TestApp::spawn_with(Options { upstream_max_retries: 0, ..Options::default() }).await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");
    let body = sample_body("CV", "retry.pdf", b"retry me", "application/pdf");
    app.add_faults(json!([{"status": 503, "times": 1, "path_prefix": "/v3/attachments", "method": "POST"}])).await;
    let (s, b, _) = post_with_key(&app, &path, "retry-key", &body).await;
    assert_error(s, &b, 503, "REMOTE.SERVICE_UNAVAILABLE");
    let (s, _, replayed) = post_with_key(&app, &path, "retry-key", &body).await;
    assert_eq!(s, 200);
    assert!(!replayed);
    assert_eq!(app.emulator_files().await.len(), 1);
}

#[tokio::test]
async fn concurrent_actions_beyond_the_cap_get_a_fast_429() {
    let app = TestApp::spawn_with(Options { configure: |c| c.max_concurrent_actions = 2, ..Options::default() }).await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");
    app.add_faults(json!([{"delay_ms": 800, "times": 2, "path_prefix": "/v3/attachments"}])).await;
    let send = |n: usize| {
        let request = app.request(reqwest::Method::POST, &path).json(&sample_body(
            "CV",
            &format!("c{n}.pdf"),
            b"x",
            "application/pdf",
        ));
        async move {
            let response = request.send().await.unwrap();
            let limit = response.headers().get("concurrency-limit").map(|v| v.to_str().unwrap().to_string());
            let (status, body) = read(response).await;
            (status, body, limit)
        }
    };
    let slow = futures::future::join(send(1), send(2));
    let third = async {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        send(3).await
    };
    let ((a, b), c) = futures::future::join(slow, third).await;
    assert_eq!((a.0, b.0), (200, 200));
    assert_error(c.0, &c.1, 429, "PLATFORM.CONCURRENCY_LIMIT_EXCEEDED");
    for result in [&a, &b, &c] {
        assert_eq!(result.2.as_deref(), Some("2"), "Concurrency-Limit on every action response");
    }
}

#[tokio::test]
async fn each_key_is_rate_limited_with_headers() {
    let app = TestApp::spawn_with(Options { configure: |c| c.rate_limit_per_minute = 3, ..Options::default() }).await;
    for expected_remaining in ["2", "1", "0"] {
        let response = app.request(reqwest::Method::GET, "/v1/check-api-key").send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["ratelimit-limit"], "3");
        assert_eq!(response.headers()["ratelimit-remaining"], expected_remaining);
        assert!(response.headers().contains_key("ratelimit-reset"));
    }
    let response = app.request(reqwest::Method::GET, "/v1/check-api-key").send().await.unwrap();
    assert!(response.headers().contains_key("retry-after"));
    let (s, b) = read(response).await;
    assert_error(s, &b, 429, "PLATFORM.RATE_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn uploads_beyond_the_memory_budget_are_refused_at_once() {
    let app =
        TestApp::spawn_with(Options { configure: |c| c.inflight_body_budget_bytes = 96 * 1024, ..Options::default() })
            .await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");
    let big = sample_body("CV", "big.pdf", &vec![1u8; 60_000], "application/pdf");
    app.add_faults(json!([{"delay_ms": 800, "times": 1, "path_prefix": "/v3/attachments"}])).await;
    let first = app.post_json(&path, &big);
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let started = std::time::Instant::now();
        let result = app.post_json(&path, &big).await;
        (result, started.elapsed())
    };
    let ((s1, _), ((s2, b2), waited)) = futures::future::join(first, second).await;
    assert_eq!(s1, 200);
    assert_error(s2, &b2, 429, "PLATFORM.CONCURRENCY_LIMIT_EXCEEDED");
    assert!(waited < std::time::Duration::from_millis(500), "refused without waiting for the first upload");
    // Once the first finished, the budget is free again.
    let (s, _) = app.post_json(&path, &big).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn another_workspace_learns_nothing_on_any_endpoint() {
    let app = TestApp::spawn().await;
    let application = app.first_application().await;
    let (app_id, cand_id) = (application["id"].as_str().unwrap(), application["candidate_id"].as_str().unwrap());
    let intruder = atsgate::actions::admin::create_key(&app.app, "intruder", None).await.unwrap().key;
    let as_intruder = |method: reqwest::Method, path: String| {
        app.client
            .request(method, format!("{}{path}", app.url))
            .bearer_auth(&intruder)
            .header("X-Integration-Id", &app.integration_id)
    };
    let upload = sample_body("CV", "intruder.pdf", b"x", "application/pdf");
    let requests = vec![
        as_intruder(reqwest::Method::GET, format!("/v1/integrations/{}", app.integration_id)),
        as_intruder(reqwest::Method::GET, "/v1/ats/applications".into()),
        as_intruder(reqwest::Method::GET, "/v1/ats/candidates".into()),
        as_intruder(reqwest::Method::GET, format!("/v1/ats/applications/{app_id}/attachments")),
        as_intruder(reqwest::Method::GET, format!("/v1/ats/candidates/{cand_id}/attachments")),
        as_intruder(reqwest::Method::GET, "/v1/ats/actions/ats_add_application_attachment".into()),
        as_intruder(reqwest::Method::POST, format!("/v1/ats/applications/{app_id}/attachments")).json(&upload),
        as_intruder(reqwest::Method::POST, format!("/v1/ats/candidates/{cand_id}/attachments")).json(&upload),
        as_intruder(reqwest::Method::POST, "/v1/force-sync".into()).json(&json!({})),
    ];
    for request in requests {
        let (s, b) = read(request.send().await.unwrap()).await;
        assert_error(s, &b, 404, "PLATFORM.INTEGRATION_NOT_FOUND");
        assert!(!b.to_string().contains(app_id), "nothing of the other workspace leaks: {b}");
    }
    assert!(app.emulator_files().await.is_empty());
    // And the intruder's log entries are theirs alone.
    app.app.logs.flush().await;
    let intruder_ws = app.app.store.get_or_create_workspace("intruder").await.unwrap();
    let logs = app.app.store.list_logs(Some(&intruder_ws.id), 100).await.unwrap();
    assert_eq!(logs.len(), 9);
    assert!(
        logs.iter().all(|l| l.integration_id.is_none()),
        "the other workspace's integration is never attached to them"
    );
}

#[tokio::test]
async fn the_gateway_paces_itself_instead_of_provoking_429s() {
    let app =
        TestApp::spawn_with(Options { emulator_rate_limit: Some((4, 1)), sync: false, ..Options::default() }).await;
    // The sync itself must stay within the ATS's budget too.
    app.sync().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    for n in 0..10 {
        let (s, b) = app
            .post_json(
                &format!("/v1/ats/applications/{id}/attachments"),
                &sample_body("CV", &format!("p{n}.pdf"), b"x", "application/pdf"),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let requests = app.emulator_json("/_emulator/requests").await;
    let throttled = requests.as_array().unwrap().iter().filter(|r| r["status"] == 429).count();
    assert_eq!(throttled, 0, "no request was answered 429");
    assert_eq!(app.emulator_files().await.len(), 10);
}

/// A client that trickles its headers or body is cut off at the deadlines, without holding the
/// gateway: headers → the connection is closed; body → 400 with the envelope.
#[tokio::test]
async fn slow_clients_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Options {
        configure: |c| {
            c.header_read_timeout_secs = 1;
            c.body_read_timeout_secs = 1;
        },
        ..Options::default()
    })
    .await;
    let address = app.url.trim_start_matches("http://").to_string();

    // Headers never finished: the server closes the connection.
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the gateway closed the connection of a client that never finished its headers");

    // Body promised but not sent: a 400 envelope once the body deadline passes.
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /v1/ats/applications/{id}/attachments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         X-Integration-Id: {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"attachment\":",
        app.key, app.integration_id
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = vec![0u8; 4096];
    let n =
        tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut response)).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&response[..n]);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("PLATFORM.INPUT_INVALID") && text.contains("not received within"), "{text}");
    assert!(app.emulator_files().await.is_empty());
}
