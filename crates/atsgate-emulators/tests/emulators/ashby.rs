//! Wire-level checks of the Ashby emulator: auth statuses, `success:false`
//! business errors, body-cursor pagination, and the presigned two-step upload.

use atsgate_emulators::{start, EmulatorOptions, RunningEmulator};
use serde_json::{json, Value};
use tokio::net::TcpListener;

async fn emulator(seed_candidates: usize) -> RunningEmulator {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    start("ashby", listener, EmulatorOptions { seed_candidates, ..EmulatorOptions::default() }).await.unwrap()
}

async fn rpc(em: &RunningEmulator, key: Option<&str>, endpoint: &str, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{}/{endpoint}", em.base_url)).json(&body);
    if let Some(key) = key {
        request = request.basic_auth(key, Some(""));
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn auth_and_business_errors_have_ashby_statuses() {
    let em = emulator(5).await;
    let key = em.credentials["api_key"].clone();
    let (status, body) = rpc(&em, None, "candidate.list", json!({})).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = rpc(&em, Some("nope"), "candidate.list", json!({})).await;
    assert_eq!((status, body["errorInfo"]["code"].as_str()), (403, Some("invalid_api_key")));
    let readonly = em.readonly_credentials["api_key"].clone();
    let (status, _) = rpc(&em, Some(&readonly), "candidate.list", json!({})).await;
    assert_eq!(status, 200);
    let upload = json!({"fileUploadContext": "CandidateFiles", "filename": "a.pdf", "contentType": "application/pdf", "contentLength": 1});
    let (status, body) = rpc(&em, Some(&readonly), "file.createFileUploadHandle", upload).await;
    assert_eq!((status, body["errorInfo"]["code"].as_str()), (403, Some("missing_endpoint_permission")));
    let (status, body) = rpc(&em, Some(&key), "candidate.info", json!({"id": "missing"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], false);
    assert_eq!(body["errorInfo"]["code"], "candidate_not_found");
}

#[tokio::test]
async fn lists_page_with_body_cursors_and_end_with_a_sync_token() {
    let em = emulator(250).await;
    let key = em.credentials["api_key"].clone();
    let (mut seen, mut cursor, mut pages) = (0, None::<String>, 0);
    loop {
        let body = match &cursor {
            Some(c) => json!({"limit": 500, "cursor": c}),
            None => json!({"limit": 500}),
        };
        let (_, page) = rpc(&em, Some(&key), "candidate.list", body).await;
        assert!(page["results"].as_array().unwrap().len() <= 100, "limit is capped at 100");
        seen += page["results"].as_array().unwrap().len();
        pages += 1;
        if page["moreDataAvailable"] == false {
            let token = page["syncToken"].as_str().unwrap().to_string();
            let (_, again) = rpc(&em, Some(&key), "candidate.list", json!({"syncToken": token})).await;
            assert_eq!(again["results"].as_array().unwrap().len(), 0, "nothing changed since the sync");
            break;
        }
        cursor = page["nextCursor"].as_str().map(str::to_string);
    }
    assert_eq!((seen, pages), (250, 3));
}

#[tokio::test]
async fn presigned_two_step_upload_attaches_to_the_candidate() {
    let em = emulator(3).await;
    let key = em.credentials["api_key"].clone();
    let (_, list) = rpc(&em, Some(&key), "candidate.list", json!({"limit": 1})).await;
    let candidate_id = list["results"][0]["id"].as_str().unwrap().to_string();
    let bytes = b"%PDF-1.4 resume".to_vec();
    let (_, created) = rpc(
        &em,
        Some(&key),
        "file.createFileUploadHandle",
        json!({"fileUploadContext": "CandidateResume", "filename": "cv.pdf", "contentType": "application/pdf", "contentLength": bytes.len()}),
    )
    .await;
    let results = &created["results"];
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in results["fields"].as_object().unwrap() {
        form = form.text(name.clone(), value.as_str().unwrap().to_string());
    }
    form = form.part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name("cv.pdf"));
    let stored = reqwest::Client::new().post(results["url"].as_str().unwrap()).multipart(form).send().await.unwrap();
    assert_eq!(stored.status().as_u16(), 204);
    let (_, attached) = rpc(
        &em,
        Some(&key),
        "candidate.uploadResume",
        json!({"candidateId": candidate_id, "resumeHandle": results["handle"]}),
    )
    .await;
    assert_eq!(attached["success"], true, "{attached}");
    let handle = attached["results"]["resumeFileHandle"]["handle"].as_str().unwrap().to_string();
    let (_, info) = rpc(&em, Some(&key), "file.info", json!({"fileHandle": handle})).await;
    let downloaded = reqwest::get(info["results"]["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.as_ref(), bytes.as_slice());
    // A handle is used once.
    let (_, again) = rpc(
        &em,
        Some(&key),
        "candidate.uploadResume",
        json!({"candidateId": candidate_id, "resumeHandle": results["handle"]}),
    )
    .await;
    assert_eq!(again["success"], false);
}

#[tokio::test]
async fn seeding_a_hundred_thousand_candidates_is_fast() {
    let started = std::time::Instant::now();
    let _em = emulator(100_000).await;
    assert!(started.elapsed().as_secs() < 20, "seeding took {:?}", started.elapsed());
}
