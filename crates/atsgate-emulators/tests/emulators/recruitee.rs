//! Wire-level checks of the Recruitee emulator: token and company checks,
//! `limit`/`offset` paging, multipart attachments and `set_as_cv`.

use atsgate_emulators::{start, EmulatorOptions, RunningEmulator};
use serde_json::Value;
use tokio::net::TcpListener;

async fn emulator(seed_candidates: usize) -> RunningEmulator {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    start("recruitee", listener, EmulatorOptions { seed_candidates, ..EmulatorOptions::default() }).await.unwrap()
}

fn company_url(em: &RunningEmulator) -> String {
    format!("{}/c/{}", em.base_url, em.credentials["company_id"])
}

async fn get(em: &RunningEmulator, token: &str, path: &str) -> (u16, Value) {
    let response =
        reqwest::Client::new().get(format!("{}{path}", company_url(em))).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn form(candidate_id: &str, field: &str, bytes: &[u8]) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("attachment[candidate_id]", candidate_id.to_string())
        .part(field.to_string(), reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("cv.pdf"))
}

#[tokio::test]
async fn tokens_companies_and_roles_are_checked() {
    let em = emulator(5).await;
    let token = em.credentials["api_token"].clone();
    assert_eq!(get(&em, "wrong", "/candidates").await.0, 401);
    let other =
        reqwest::Client::new().get(format!("{}/c/1/candidates", em.base_url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(other.status().as_u16(), 404);
    let (_, list) = get(&em, &token, "/candidates?limit=1").await;
    let candidate_id = list["candidates"][0]["id"].to_string();
    let readonly = em.readonly_credentials["api_token"].clone();
    let denied = reqwest::Client::new()
        .post(format!("{}/attachments", company_url(&em)))
        .bearer_auth(&readonly)
        .multipart(form(&candidate_id, "attachment[file]", b"x"))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);
}

#[tokio::test]
async fn limit_offset_pages_cover_every_candidate_once() {
    let em = emulator(230).await;
    let token = em.credentials["api_token"].clone();
    let mut ids = std::collections::BTreeSet::new();
    for offset in (0..300).step_by(100) {
        let (_, page) = get(&em, &token, &format!("/candidates?limit=100&offset={offset}")).await;
        for c in page["candidates"].as_array().unwrap() {
            assert!(ids.insert(c["id"].to_string()), "no candidate twice");
        }
    }
    assert_eq!(ids.len(), 230);
}

#[tokio::test]
async fn attachment_then_set_as_cv() {
    let em = emulator(3).await;
    let token = em.credentials["api_token"].clone();
    let (_, list) = get(&em, &token, "/candidates?limit=1").await;
    let candidate_id = list["candidates"][0]["id"].to_string();
    let client = reqwest::Client::new();
    let post = |field: &'static str| {
        client
            .post(format!("{}/attachments", company_url(&em)))
            .bearer_auth(&token)
            .multipart(form(&candidate_id, field, b"%PDF cv"))
            .send()
    };
    assert_eq!(post("file").await.unwrap().status().as_u16(), 500, "a bare file field fails like the real API");
    let created = post("attachment[file]").await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    let attachment_id = created["attachment"]["id"].to_string();
    let promoted = client
        .patch(format!("{}/candidates/{candidate_id}/set_as_cv/{attachment_id}", company_url(&em)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(promoted.status().as_u16(), 200);
    let promoted: Value = promoted.json().await.unwrap();
    let cv = reqwest::get(promoted["candidate"]["cv_original_url"].as_str().unwrap()).await.unwrap();
    assert_eq!(cv.bytes().await.unwrap().as_ref(), b"%PDF cv");
    let (_, attachments) = get(&em, &token, &format!("/candidates/{candidate_id}/attachments")).await;
    assert!(attachments["attachments"].as_array().unwrap().is_empty(), "the CV left the attachment list");
}
