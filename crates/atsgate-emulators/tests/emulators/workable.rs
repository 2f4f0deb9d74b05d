//! Workable emulator checks that the gateway's conformance suite does not make: seeding speed,
//! `paging.next`, rate-limit headers, the error body shape.

use atsgate_emulators::{start, EmulatorOptions};

async fn emulator(seed_candidates: usize) -> atsgate_emulators::RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start("workable", listener, EmulatorOptions { seed_candidates, ..Default::default() }).await.unwrap()
}

#[tokio::test]
async fn seeds_100k_quickly_and_follows_paging_next() {
    let started = std::time::Instant::now();
    let emu = emulator(100_000).await;
    assert!(started.elapsed().as_secs() < 20, "seeding took {:?}", started.elapsed());
    let client = reqwest::Client::new();
    let token = &emu.credentials["api_token"];
    let response =
        client.get(format!("{}/spi/v3/candidates?limit=100", emu.base_url)).bearer_auth(token).send().await.unwrap();
    for header in ["x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"] {
        assert!(response.headers().contains_key(header), "{header}");
    }
    let page: serde_json::Value = response.json().await.unwrap();
    assert_eq!(page["candidates"].as_array().unwrap().len(), 100);
    let next = page["paging"]["next"].as_str().unwrap();
    let second: serde_json::Value = client.get(next).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    assert_ne!(second["candidates"][0]["id"], page["candidates"][0]["id"]);
    let hex = |v: &serde_json::Value| u64::from_str_radix(v.as_str().unwrap(), 16).unwrap();
    assert!(hex(&second["candidates"][0]["id"]) > hex(&page["candidates"][99]["id"]), "no overlap between pages");
}

#[tokio::test]
async fn bad_token_gets_workable_error_body() {
    let emu = emulator(5).await;
    let response =
        reqwest::Client::new().get(format!("{}/spi/v3/jobs", emu.base_url)).bearer_auth("nope").send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Not authorized");
}
