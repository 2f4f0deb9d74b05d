//! The SmartRecruiters emulator through its own HTTP API: auth, cursor paging, the multipart
//! upload and reading the file back, and that a large seed is quick.

use atsgate_emulators::{start, EmulatorOptions};
use serde_json::Value;

async fn emulator(seed_candidates: usize) -> atsgate_emulators::RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start("smartrecruiters", listener, EmulatorOptions { seed_candidates, ..Default::default() }).await.unwrap()
}

#[tokio::test]
async fn pages_uploads_and_serves_files_back() {
    let emu = emulator(25).await;
    let client = reqwest::Client::new();
    let key = emu.credentials["api_key"].clone();

    let denied = client.get(format!("{}/candidates", emu.base_url)).send().await.unwrap();
    assert_eq!(denied.status(), 401);
    assert!(denied.json::<Value>().await.unwrap()["errors"][0]["code"].is_string());

    let mut ids = Vec::new();
    let mut url = format!("{}/candidates?limit=10", emu.base_url);
    loop {
        let response = client.get(&url).header("X-SmartToken", &key).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-ratelimit-concurrent-limit"], "1");
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["totalFound"], 25);
        ids.extend(page["content"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page["nextPageId"].as_str() {
            Some(next) => url = format!("{}/candidates?limit=10&pageId={next}", emu.base_url),
            None => break,
        }
    }
    assert_eq!(ids.len(), 25);
    let too_many = client.get(format!("{}/candidates?limit=101", emu.base_url)).header("X-SmartToken", &key);
    assert_eq!(too_many.send().await.unwrap().status(), 400);

    let form = reqwest::multipart::Form::new().text("attachmentType", "RESUME").part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 cv".to_vec())
            .file_name("cv.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let created = client
        .post(format!("{}/candidates/{}/attachments", emu.base_url, ids[0]))
        .header("X-SmartToken", &key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let attachment: Value = created.json().await.unwrap();
    assert_eq!(attachment["type"], "RESUME");
    let download = attachment["actions"]["download"]["url"].as_str().unwrap();
    let bytes = client.get(download).header("X-SmartToken", &key).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"%PDF-1.4 cv");

    let readonly = emu.readonly_credentials["api_key"].clone();
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.pdf"));
    let forbidden = client
        .post(format!("{}/candidates/{}/attachments", emu.base_url, ids[0]))
        .header("X-SmartToken", readonly)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
}

#[tokio::test]
async fn a_hundred_thousand_candidates_seed_quickly() {
    let started = std::time::Instant::now();
    let emu = emulator(100_000).await;
    assert!(started.elapsed().as_secs() < 20, "seeding took {:?}", started.elapsed());
    let page: Value = reqwest::Client::new()
        .get(format!("{}/candidates?limit=100", emu.base_url))
        .header("X-SmartToken", &emu.credentials["api_key"])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["totalFound"], 100_000);
}
