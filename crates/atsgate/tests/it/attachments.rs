//! Uploads through both endpoints arrive in the emulated Greenhouse byte for byte, with the
//! right vendor type, target and actor.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{
    helpers::{sample_body, TestApp},
    schema::assert_valid,
};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads a file back through Greenhouse's own API: a token, `GET /v3/attachments`, the download URL.
async fn download_via_greenhouse(app: &TestApp, application_remote_id: &str, filename: &str) -> Vec<u8> {
    let client = reqwest::Client::new();
    let creds = &app.emulator.credentials;
    let token: Value = client
        .post(format!("{}/token", app.emulator.auth_url.as_deref().unwrap()))
        .basic_auth(&creds["client_id"], Some(&creds["client_secret"]))
        .form(&[("grant_type", "client_credentials"), ("sub", creds["user_id"].as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap();
    let listed: Value = client
        .get(format!("{}/v3/attachments?application_ids={application_remote_id}", app.emulator.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file =
        listed.as_array().unwrap().iter().find(|f| f["filename"] == filename).expect("file listed by Greenhouse");
    client.get(file["url"].as_str().unwrap()).send().await.unwrap().bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn every_type_reaches_the_application_byte_for_byte() {
    let app = TestApp::spawn().await;
    let application = app.first_application().await;
    let id = application["id"].as_str().unwrap();
    let remote_id = application["remote_id"].as_str().unwrap();
    let payload: Vec<u8> = (0..=255u8).cycle().take(70_001).collect();
    for (kind, vendor_type, name) in
        [("CV", "resume", "cv.pdf"), ("COVER_LETTER", "cover_letter", "letter.pdf"), ("OTHER", "other", "notes.txt")]
    {
        let (status, body) = app
            .post_json(
                &format!("/v1/ats/applications/{id}/attachments"),
                &sample_body(kind, name, &payload, "application/pdf"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"status": "success", "data": {}, "warnings": []}));
        assert_valid("action", &body);
        let files = app.emulator_files().await;
        let file = files.iter().find(|f| f["filename"] == name).expect("file arrived");
        assert_eq!(file["type"], vendor_type);
        assert_eq!(file["application_id"], remote_id);
        assert_eq!(file["size"], payload.len());
        assert_eq!(file["sha256"], sha256(&payload));
        assert_eq!(download_via_greenhouse(&app, remote_id, name).await, payload);
    }
    assert_eq!(app.emulator_files().await.len(), 3, "exactly one upload per request");
}

#[tokio::test]
async fn candidate_upload_goes_to_the_most_recent_application_with_a_warning() {
    let app = TestApp::spawn().await;
    let candidates = app.list_all("candidates", "page_size=50").await;
    let candidate = candidates
        .iter()
        .find(|c| c["applications"].as_array().unwrap().len() > 1)
        .expect("a seeded candidate with several applications");
    let latest = candidate["applications"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|a| a["remote_created_at"].as_str().unwrap().to_string())
        .unwrap();
    let (status, body) = app
        .post_json(
            &format!("/v1/ats/candidates/{}/attachments", candidate["id"].as_str().unwrap()),
            &sample_body("CV", "resume.pdf", b"%PDF-1.4 candidate", "application/pdf"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_valid("candidate_action", &body);
    let warning = body["warnings"][0]["message"].as_str().unwrap();
    assert!(warning.contains("Greenhouse") && warning.contains("most recent application"), "{warning}");
    let files = app.emulator_files().await;
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["application_id"], latest["remote_id"]);
    assert_eq!(files[0]["candidate_id"], candidate["remote_id"]);
}

#[tokio::test]
async fn on_behalf_of_becomes_the_acting_greenhouse_user() {
    let app = TestApp::spawn().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let other_user = app.emulator.other_user_ids[0].clone();
    let mut body = sample_body("OTHER", "scorecard.txt", b"hello", "text/plain");
    body["remote_fields"] = json!({"greenhouse": {"post_headers": {"On-Behalf-Of": other_user}}});
    let (status, response) = app.post_json(&format!("/v1/ats/applications/{id}/attachments"), &body).await;
    assert_eq!(status, 200, "{response}");
    let (status, _) = app
        .post_json(
            &format!("/v1/ats/applications/{id}/attachments"),
            &sample_body("OTHER", "default.txt", b"hi", "text/plain"),
        )
        .await;
    assert_eq!(status, 200);
    let files = app.emulator_files().await;
    let actor = |name: &str| files.iter().find(|f| f["filename"] == name).unwrap()["actor_user_id"].clone();
    assert_eq!(actor("scorecard.txt"), other_user.as_str());
    assert_eq!(actor("default.txt"), app.emulator.credentials["user_id"].as_str());
}

#[tokio::test]
async fn line_wrapped_and_unpadded_base64_arrive_intact() {
    let app = TestApp::spawn().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    use base64::Engine;
    let payload = b"Line wrapped base64 content that is long enough to wrap across several lines of output!!";
    let encoded = base64::engine::general_purpose::STANDARD.encode(payload);
    let wrapped: String =
        encoded.as_bytes().chunks(20).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n");
    let unpadded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(b"xy");
    for (name, data, expected) in
        [("wrapped.txt", wrapped, payload.to_vec()), ("unpadded.txt", unpadded, b"xy".to_vec())]
    {
        let body = json!({"attachment": {"name": name, "type": "OTHER", "content_type": "text/plain", "data": data}});
        let (status, response) = app.post_json(&format!("/v1/ats/applications/{id}/attachments"), &body).await;
        assert_eq!(status, 200, "{response}");
        let files = app.emulator_files().await;
        assert_eq!(files.iter().find(|f| f["filename"] == name).unwrap()["sha256"], sha256(&expected));
    }
}

#[tokio::test]
async fn rate_limited_upload_is_retried_once_the_ats_allows_it() {
    let app = TestApp::spawn().await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    app.add_faults(json!([{"status": 429, "retry_after_s": 1, "times": 1, "path_prefix": "/v3/attachments"}])).await;
    let (status, body) = app
        .post_json(
            &format!("/v1/ats/applications/{id}/attachments"),
            &sample_body("CV", "cv.txt", b"abc", "text/plain"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.emulator_files().await.len(), 1, "one file despite the retry");
}
