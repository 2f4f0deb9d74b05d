//! Teamtailor emulator wire checks: auth and version errors, JSON:API paging,
//! and uploads that are downloaded from their URL during the call.

use atsgate_emulators::{start, EmulatorOptions, RunningEmulator};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const JSON_API: &str = "application/vnd.api+json";

async fn emulator() -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start("teamtailor", listener, EmulatorOptions { seed_candidates: 40, ..Default::default() }).await.unwrap()
}

fn call(emu: &RunningEmulator, method: reqwest::Method, path: &str, key: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{path}", emu.base_url))
        .header("Authorization", format!("Token token={key}"))
        .header("X-Api-Version", "20240404")
}

/// Serves `body` once over plain HTTP/1.1 and returns its URL.
async fn serve_once(body: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/files/cv.pdf", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = socket.read(&mut buf).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(body).await.unwrap();
    });
    url
}

fn upload_body(url: &str, candidate: &str) -> Value {
    json!({"data": {"type": "uploads", "attributes": {"url": url, "file-name": "cv.pdf"},
        "relationships": {"candidate": {"data": {"type": "candidates", "id": candidate}}}}})
}

#[tokio::test]
async fn auth_version_and_paging() {
    let emu = emulator().await;
    let key = &emu.credentials["api_key"];
    let anonymous = reqwest::get(format!("{}/v1/candidates", emu.base_url)).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "401");

    let unversioned = reqwest::Client::new()
        .get(format!("{}/v1/candidates", emu.base_url))
        .header("Authorization", format!("Token token={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(unversioned.status(), 406);

    let page = call(&emu, reqwest::Method::GET, "/v1/candidates?page%5Bsize%5D=30", key).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().contains_key("x-rate-limit-remaining"));
    let page: Value = page.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 30);
    assert_eq!(page["meta"]["record-count"], 40);
    let next = page["links"]["next"].as_str().unwrap();
    let second: Value = call(&emu, reqwest::Method::GET, next.trim_start_matches(&emu.base_url), key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["data"].as_array().unwrap().len(), 10);
    assert!(second["links"].get("next").is_none());

    let too_big = call(&emu, reqwest::Method::GET, "/v1/candidates?page%5Bsize%5D=31", key).send().await.unwrap();
    assert_eq!(too_big.status(), 400);
}

#[tokio::test]
async fn uploads_are_fetched_during_the_call() {
    let emu = emulator().await;
    let key = emu.credentials["api_key"].clone();
    let candidates: Value =
        call(&emu, reqwest::Method::GET, "/v1/candidates", &key).send().await.unwrap().json().await.unwrap();
    let candidate = candidates["data"][0]["id"].as_str().unwrap().to_string();

    // Unreachable and 404 URLs are refused with a JSON:API 422 naming the url.
    let closed = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}/x.pdf", l.local_addr().unwrap())
    };
    for url in [closed, format!("{}/nothing-here.pdf", emu.base_url)] {
        let r = call(&emu, reqwest::Method::POST, "/v1/uploads", &key)
            .header("Content-Type", JSON_API)
            .json(&upload_body(&url, &candidate))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{url}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["source"]["pointer"], "/data/attributes/url");
    }

    let readonly = &emu.readonly_credentials["api_key"];
    let url = serve_once(b"%PDF-1.4 hello").await;
    let denied = call(&emu, reqwest::Method::POST, "/v1/uploads", readonly)
        .header("Content-Type", JSON_API)
        .json(&upload_body(&url, &candidate))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);

    let created = call(&emu, reqwest::Method::POST, "/v1/uploads", &key)
        .header("Content-Type", JSON_API)
        .json(&upload_body(&url, &candidate))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["data"]["attributes"]["file-name"], "cv.pdf");

    let files: Value = reqwest::get(format!("{}/_emulator/files", emu.base_url)).await.unwrap().json().await.unwrap();
    assert_eq!(files[0]["type"], "upload");
    assert_eq!(files[0]["size"], 14);
    assert_eq!(files[0]["candidate_id"], candidate.as_str());
    assert!(files[0]["application_id"].is_null());

    let listed: Value = call(&emu, reqwest::Method::GET, &format!("/v1/candidates/{candidate}/uploads"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = listed["data"][0]["attributes"]["url"].as_str().unwrap();
    let bytes = reqwest::get(link).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"%PDF-1.4 hello");
}
