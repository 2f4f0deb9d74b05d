//! Lever emulator checks that the gateway's conformance suite does not make: seeding speed,
//! the error body shape, `offset` paging limits.

use atsgate_emulators::{start, EmulatorOptions};

async fn emulator(seed_candidates: usize) -> atsgate_emulators::RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start("lever", listener, EmulatorOptions { seed_candidates, ..Default::default() }).await.unwrap()
}

#[tokio::test]
async fn seeds_100k_quickly_and_pages_with_offset_tokens() {
    let started = std::time::Instant::now();
    let emu = emulator(100_000).await;
    assert!(started.elapsed().as_secs() < 20, "seeding took {:?}", started.elapsed());
    let client = reqwest::Client::new();
    let key = &emu.credentials["api_key"];
    let url = format!("{}/v1/opportunities?limit=100", emu.base_url);
    let page: serde_json::Value =
        client.get(&url).basic_auth(key, Some("")).send().await.unwrap().json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 100);
    assert_eq!(page["hasNext"], true);
    let next = page["next"].as_str().unwrap();
    let second: serde_json::Value = client
        .get(format!("{url}&offset={next}"))
        .basic_auth(key, Some(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(second["data"][0]["id"], page["data"][0]["id"]);
    let over = client.get(format!("{url}0")).basic_auth(key, Some("")).send().await.unwrap();
    assert_eq!(over.status(), 400);
}

#[tokio::test]
async fn bad_key_gets_lever_error_body() {
    let emu = emulator(5).await;
    let response = reqwest::Client::new()
        .get(format!("{}/v1/postings", emu.base_url))
        .basic_auth("nope", Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["code"].is_string() && body["message"].is_string(), "{body}");
}
