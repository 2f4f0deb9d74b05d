//! Crash safety and shutdown of the real binary: `kill -9` under load leaves an intact database
//! holding the log entry and idempotency record of every answered request; a retry of an upload
//! whose process was killed after the ATS stored the file gets its answer, not a second copy;
//! SIGTERM drains in-flight uploads and exits 0.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use atsgate::{actions::admin, App, Config};
use atsgate_emulators::EmulatorOptions;
use serde_json::Value;

use crate::helpers::sample_body;

struct Gateway {
    child: Child,
    url: String,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_gateway(dir: &std::path::Path) -> Gateway {
    start_gateway_with(dir, &[]).await
}

#[allow(clippy::zombie_processes)] // the child is waited on in `Gateway::drop`
async fn start_gateway_with(dir: &std::path::Path, env: &[(&str, &str)]) -> Gateway {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_atsgate"))
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .envs(env.iter().copied())
        .env("ATSGATE_SYNC_INTERVAL_SECS", "0")
        .env_remove("ATSGATE_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{url}/healthz")).await.is_ok_and(|r| r.status() == 200) {
            return Gateway { child, url };
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("gateway did not become healthy");
}

/// A data dir with a key and a synced, upload-enabled integration; returns (key, integration, application).
async fn prepare(dir: &std::path::Path, emulator: &atsgate_emulators::RunningEmulator) -> (String, String, String) {
    let config = Config { data_dir: dir.to_path_buf(), sync_interval_secs: 0, ..Config::default() };
    let app = App::new(config).await.unwrap();
    let key = admin::create_key(&app, "acme", None).await.unwrap().key;
    let integration = crate::helpers::create_integration(&app, "acme", emulator, emulator.credentials.clone()).await;
    admin::change_permissions(&app, &integration, &["add_attachments".into()], &[]).await.unwrap();
    let stored = app.store.get_integration(&integration).await.unwrap().unwrap();
    atsgate::sync::run(&app, &stored).await.unwrap();
    let page = atsgate::actions::listing::list(&app, &stored, atsgate::actions::listing::Model::Applications, &[])
        .await
        .unwrap();
    let first: Value = serde_json::from_str(page.results[0].get()).unwrap();
    app.shutdown().await;
    (key, integration, first["id"].as_str().unwrap().to_string())
}

async fn emulator() -> atsgate_emulators::RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    atsgate_emulators::start("greenhouse", listener, EmulatorOptions { seed_candidates: 5, ..Default::default() })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_keeps_every_answered_request_on_record() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (key, integration, application) = prepare(dir.path(), &emulator).await;
    let mut gateway = start_gateway(dir.path()).await;
    let client = reqwest::Client::new();
    let path = format!("{}/v1/ats/applications/{application}/attachments", gateway.url);

    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (client, path, key, integration, answered) =
                (client.clone(), path.clone(), key.clone(), integration.clone(), answered.clone());
            tokio::spawn(async move {
                for i in 0..1000 {
                    let idempotency_key = format!("w{w}-{i}");
                    let body = sample_body("OTHER", &format!("{idempotency_key}.txt"), b"crash test", "text/plain");
                    let sent = client
                        .post(&path)
                        .bearer_auth(&key)
                        .header("X-Integration-Id", &integration)
                        .header("Idempotency-Key", &idempotency_key)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == 200 => answered.lock().unwrap().push(idempotency_key),
                        Ok(_) => {}
                        Err(_) => return, // the gateway is gone
                    }
                }
            })
        })
        .collect();
    // Let the load run, then kill without warning.
    while answered.lock().unwrap().len() < 60 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    gateway.child.kill().unwrap(); // SIGKILL
    gateway.child.wait().unwrap();
    for worker in workers {
        let _ = worker.await;
    }
    let answered = answered.lock().unwrap().clone();

    // The restart: opening the gateway replays what the killed process had journaled.
    let restarted = App::new(Config { data_dir: dir.path().to_path_buf(), sync_interval_secs: 0, ..Config::default() })
        .await
        .unwrap();
    restarted.shutdown().await;

    let db = format!("sqlite://{}", dir.path().join("atsgate.db").display());
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
    assert_eq!(integrity, "ok");
    let logged: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM interaction_logs WHERE status = 200 AND method = 'POST'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(logged as usize >= answered.len(), "{logged} logged 200s for {} answered", answered.len());
    for key in &answered {
        let stored: Option<i64> = sqlx::query_scalar("SELECT status FROM idempotency_keys WHERE key = ?")
            .bind(key)
            .fetch_optional(&pool)
            .await
            .unwrap()
            .flatten();
        assert_eq!(stored, Some(200), "idempotency record of answered request {key}");
    }
    println!("kill -9: {} answered requests, all with log entries and idempotency records", answered.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_kill_9_gets_the_answer_not_a_second_copy() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (key, integration, application) = prepare(dir.path(), &emulator).await;
    let env = [("ATSGATE_IDEMPOTENCY_LEASE_SECS", "2"), ("ATSGATE_UPSTREAM_TIMEOUT_SECS", "5")];
    let mut gateway = start_gateway_with(dir.path(), &env).await;
    let faults = format!("{}/_emulator/faults", emulator.base_url);
    let client = reqwest::Client::new();
    // The ATS stores the file, then takes its time to answer: the process dies in between.
    let rule = serde_json::json!([{"hold_after_store_ms": 10_000, "times": 1, "method": "POST", "path_prefix": "/v3/attachments"}]);
    client.post(&faults).json(&rule).send().await.unwrap();
    let body = sample_body("CV", "killed.pdf", b"stored before the crash", "application/pdf");
    let upload = |url: String| {
        client
            .post(format!("{url}/v1/ats/applications/{application}/attachments"))
            .bearer_auth(&key)
            .header("X-Integration-Id", &integration)
            .header("Idempotency-Key", "crash-1")
            .json(&body)
            .send()
    };
    let first = tokio::spawn(upload(gateway.url.clone()));
    let files = format!("{}/_emulator/files", emulator.base_url);
    let stored = || async { client.get(&files).send().await.unwrap().json::<Vec<Value>>().await.unwrap().len() };
    while stored().await == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    gateway.child.kill().unwrap(); // SIGKILL, with the ATS's answer still on its way
    gateway.child.wait().unwrap();
    assert!(first.await.unwrap().is_err(), "the first client lost its connection");

    let restarted = start_gateway_with(dir.path(), &env).await;
    let response = upload(restarted.url.clone()).await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(stored().await, 1, "the file the killed process sent is found, not sent again");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_uploads_then_exits_cleanly() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (key, integration, application) = prepare(dir.path(), &emulator).await;
    let mut gateway = start_gateway(dir.path()).await;
    // A slow ATS: the upload is in flight when the signal arrives.
    reqwest::Client::new()
        .post(format!("{}/_emulator/faults", emulator.base_url))
        .json(&serde_json::json!([{"delay_ms": 700, "times": 1, "path_prefix": "/v3/attachments"}]))
        .send()
        .await
        .unwrap();
    let upload = reqwest::Client::new()
        .post(format!("{}/v1/ats/applications/{application}/attachments", gateway.url))
        .bearer_auth(&key)
        .header("X-Integration-Id", &integration)
        .json(&sample_body("CV", "in-flight.pdf", b"finish me", "application/pdf"))
        .send();
    let signal = async {
        tokio::time::sleep(Duration::from_millis(250)).await;
        Command::new("kill").args(["-TERM", &gateway.child.id().to_string()]).status().unwrap();
    };
    let (response, ()) = futures::future::join(upload, signal).await;
    assert_eq!(response.unwrap().status(), 200, "the in-flight upload completed");
    let status = tokio::task::spawn_blocking(move || gateway.child.wait().unwrap()).await.unwrap();
    assert!(status.success(), "exit status {status:?}");
}
