//! `POST /v3/attachments`: the round trip of bytes and the 422 shapes.

use sha2::{Digest, Sha256};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::harness::*;

#[tokio::test]
async fn upload_round_trip_keeps_the_exact_bytes() {
    let h = Harness::start(small()).await;
    let token = h.token().await;
    let application = h.first_application(&token).await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_001).collect();

    let created = h.upload(&token, &upload_body(&application["id"], "cv.pdf", "resume", &bytes)).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(created.headers().contains_key("x-ratelimit-remaining"));
    let attachment: Value = created.json().await.unwrap();
    assert_eq!(attachment["application_id"], application["id"]);
    assert_eq!(attachment["candidate_id"], application["candidate_id"]);
    assert_eq!(attachment["type"], "resume");
    assert_eq!(attachment["visibility"], "public");
    assert!(attachment["id"].is_u64());

    let files = h.control("/_emulator/files").await;
    let file = &files[0];
    assert_eq!(file["sha256"], hex::encode(Sha256::digest(&bytes)));
    assert_eq!(file["size"], bytes.len());
    assert_eq!(file["id"], attachment["id"].to_string());
    assert_eq!(file["actor_user_id"], h.emu.credentials["user_id"].as_str());

    let url = attachment["url"].as_str().unwrap();
    let download = h.http.get(url).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let tampered = url.replace("sig=", "sig=0");
    assert_eq!(h.http.get(tampered).send().await.unwrap().status(), StatusCode::FORBIDDEN);

    let listed: Vec<Value> =
        h.get(&token, &format!("/v3/attachments?application_ids={}", application["id"])).await.json().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], attachment["id"]);

    // A newer resume demotes the older one; a numeric-string id is accepted.
    let id_as_string = json!(application["id"].to_string());
    let second = h.upload(&token, &upload_body(&id_as_string, "cv2.pdf", "resume", b"v2")).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let files = h.control("/_emulator/files").await;
    assert_eq!(files[0]["type"], "other");
    assert_eq!(files[1]["type"], "resume");
}

#[tokio::test]
async fn validation_errors_use_the_documented_shape() {
    let h = Harness::start(small()).await;
    let token = h.token().await;
    let application = h.first_application(&token).await;

    let response = h
        .upload(
            &token,
            &json!({"application_id": application["id"], "filename": "setup.EXE", "type": "photo", "content": "aGk="}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type(&response), "application/json;charset=utf-8");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Validation error");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["filename", "type", "content_type"]);
    assert_eq!(body["errors"][0]["message"], "File extension .exe is not allowed");

    let cases = [
        (
            json!({"filename": "a.pdf", "type": "resume", "content": "aGk=", "content_type": "application/pdf"}),
            "application_id",
        ),
        (
            json!({"application_id": 1, "filename": "a.pdf", "type": "resume", "content": "aGk=", "content_type": "application/pdf"}),
            "application_id",
        ),
        (
            json!({"application_id": application["id"], "filename": "a.pdf", "type": "resume", "url": "https://example.com/a.pdf"}),
            "url",
        ),
        (
            json!({"application_id": application["id"], "filename": "a.pdf", "type": "resume", "content": "%%%", "content_type": "application/pdf"}),
            "content",
        ),
        (
            json!({"application_id": application["id"], "filename": "a.pdf", "type": "other", "content": "aGk=", "content_type": "application/pdf", "visibility": "everyone"}),
            "visibility",
        ),
    ];
    for (body, field) in cases {
        let response = h.upload(&token, &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["errors"][0]["field"], field, "{answer}");
    }
    assert_eq!(h.control("/_emulator/files").await, json!([]));
}
