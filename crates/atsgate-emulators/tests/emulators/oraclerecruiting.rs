//! The Oracle Recruiting Cloud emulator through its own REST API: Basic auth, ADF offset
//! paging, a base64 upload read back through its enclosure, and that a large seed is quick.

use atsgate_emulators::{start, EmulatorOptions};
use serde_json::{json, Value};

const API: &str = "/hcmRestApi/resources/11.13.18.05";

async fn emulator(seed_candidates: usize) -> atsgate_emulators::RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start("oraclerecruiting", listener, EmulatorOptions { seed_candidates, ..Default::default() }).await.unwrap()
}

#[tokio::test]
async fn pages_uploads_and_serves_files_back() {
    let emu = emulator(30).await;
    let client = reqwest::Client::new();
    let (user, password) = (&emu.credentials["username"], &emu.credentials["password"]);
    let get = |path: String| client.get(format!("{}{API}{path}", emu.base_url)).basic_auth(user, Some(password));

    let denied = client.get(format!("{}{API}/recruitingCandidates", emu.base_url)).basic_auth(user, Some("nope"));
    assert_eq!(denied.send().await.unwrap().status(), 401);

    let first: Value = get("/recruitingCandidates?limit=20".into()).send().await.unwrap().json().await.unwrap();
    assert_eq!(first["hasMore"], true);
    let second: Value =
        get("/recruitingCandidates?limit=20&offset=20".into()).send().await.unwrap().json().await.unwrap();
    assert_eq!(second["hasMore"], false);
    assert_eq!(first["count"].as_u64().unwrap() + second["count"].as_u64().unwrap(), 30);

    let candidate = first["items"][0]["CandidateNumber"].as_str().unwrap().to_owned();
    let apps: Value = get(format!("/recruitingUIJobApplications?onlyData=true&q=CandidateNumber='{candidate}'"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = apps["items"][0]["SubmissionId"].as_u64().unwrap();
    let body = json!({"DatatypeCode": "FILE", "CategoryName": "IRC_CANDIDATE_RESUME", "FileName": "cv.pdf",
        "Title": "cv.pdf", "UploadedFileContentType": "application/pdf", "FileContents": "JVBERi0xLjQ="});
    let created = client
        .post(format!("{}{API}/recruitingUIJobApplications/{sid}/child/Attachments", emu.base_url))
        .basic_auth(user, Some(password))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let item: Value = created.json().await.unwrap();
    let id = item["AttachedDocumentId"].as_u64().unwrap();
    let path = format!("/recruitingUIJobApplications/{sid}/child/Attachments/{id}/enclosure/FileContents");
    assert_eq!(&get(path).send().await.unwrap().bytes().await.unwrap()[..], b"%PDF-1.4");

    let (ro_user, ro_password) = (&emu.readonly_credentials["username"], &emu.readonly_credentials["password"]);
    let forbidden = client
        .post(format!("{}{API}/recruitingCandidates/{candidate}/child/attachments", emu.base_url))
        .basic_auth(ro_user, Some(ro_password))
        .json(&body)
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
    let last: Value = reqwest::Client::new()
        .get(format!("{}{API}/recruitingCandidates?onlyData=true&limit=500&offset=99500", emu.base_url))
        .basic_auth(&emu.credentials["username"], Some(&emu.credentials["password"]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(last["count"], 500);
    assert_eq!(last["hasMore"], false);
}
