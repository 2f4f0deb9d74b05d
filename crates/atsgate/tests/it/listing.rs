//! `GET /v1/ats/applications` and `/v1/ats/candidates`: pagination, stable ids, deletions,
//! filters, and Kombo's schemas.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::{
    helpers::{assert_error, Options, TestApp},
    schema::assert_valid,
};

fn ids(items: &[Value]) -> BTreeSet<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn pages_cover_everything_once_and_ids_are_stable_across_syncs() {
    // 60 candidates: more than one Greenhouse page of 500 applications? No — but several of ours.
    let app = TestApp::spawn_with(Options { seed_candidates: 60, ..Options::default() }).await;
    let (status, first) = app.get("/v1/ats/applications?page_size=7").await;
    assert_eq!(status, 200);
    assert_valid("applications", &first);
    assert!(first["data"]["next"].is_string());
    assert!(first.get("warnings").is_none(), "model endpoints carry no warnings");

    let applications = app.list_all("applications", "page_size=7").await;
    let candidates = app.list_all("candidates", "page_size=9").await;
    assert_eq!(candidates.len(), 60);
    assert_eq!(ids(&applications).len(), applications.len(), "no duplicates across pages");
    assert_eq!(ids(&candidates).len(), 60);
    let total_applications: usize = candidates.iter().map(|c| c["applications"].as_array().unwrap().len()).sum();
    assert_eq!(applications.len(), total_applications);

    app.sync().await;
    assert_eq!(ids(&app.list_all("applications", "page_size=250").await), ids(&applications));
    assert_eq!(ids(&app.list_all("candidates", "page_size=250").await), ids(&candidates));

    // The last page says so with null.
    let (_, last) = app.get("/v1/ats/candidates?page_size=250").await;
    assert!(last["data"]["next"].is_null());
    assert_valid("candidates", &last);
}

#[tokio::test]
async fn applications_reference_their_candidate_and_job() {
    let app = TestApp::spawn().await;
    let applications = app.list_all("applications", "").await;
    let candidates = app.list_all("candidates", "").await;
    for application in &applications {
        let candidate = candidates.iter().find(|c| c["id"] == application["candidate_id"]).expect("candidate synced");
        assert_eq!(application["candidate"]["id"], candidate["id"]);
        assert_eq!(application["candidate"]["first_name"], candidate["first_name"]);
        assert_eq!(application["job"]["id"], application["job_id"]);
        assert!(["PENDING", "HIRED", "DECLINED"].contains(&application["outcome"].as_str().unwrap()));
        assert!(candidate["applications"].as_array().unwrap().iter().any(|a| a["id"] == application["id"]));
    }
}

#[tokio::test]
async fn deleted_remote_objects_are_marked_and_hidden_by_default() {
    let app = TestApp::spawn().await;
    let candidates = app.list_all("candidates", "").await;
    let gone = &candidates[0];
    let remote_id = gone["remote_id"].as_str().unwrap();
    let response = reqwest::Client::new()
        .delete(format!("{}/_emulator/candidates/{remote_id}", app.emulator.base_url))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    app.sync().await;

    let visible = app.list_all("candidates", "").await;
    assert_eq!(visible.len(), candidates.len() - 1);
    assert!(!ids(&visible).contains(gone["id"].as_str().unwrap()));
    let all = app.list_all("candidates", "include_deleted=true").await;
    let deleted = all.iter().find(|c| c["id"] == gone["id"]).unwrap();
    assert!(deleted["remote_deleted_at"].is_string());
    let applications = app.list_all("applications", "include_deleted=true").await;
    for a in applications.iter().filter(|a| a["candidate_id"] == gone["id"]) {
        assert!(a["remote_deleted_at"].is_string(), "{a}");
    }
    // An upload to a deleted application is refused before reaching the ATS.
    let application = applications.iter().find(|a| a["candidate_id"] == gone["id"]).unwrap();
    let (s, b) = app
        .post_json(
            &format!("/v1/ats/applications/{}/attachments", application["id"].as_str().unwrap()),
            &crate::helpers::sample_body("CV", "a.txt", b"x", "text/plain"),
        )
        .await;
    assert_error(s, &b, 404, "PLATFORM.INPUT_INVALID");
}

#[tokio::test]
async fn updated_after_accepts_every_sdk_datetime_form() {
    let app = TestApp::spawn().await;
    let candidates = app.list_all("candidates", "").await;
    let changed = &candidates[1];
    let cutoff = chrono::Utc::now();
    // Millisecond timestamps: make sure the change lands strictly after the cutoff.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let response = reqwest::Client::new()
        .patch(format!("{}/_emulator/candidates/{}", app.emulator.base_url, changed["remote_id"].as_str().unwrap()))
        .json(&json!({"first_name": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    app.sync().await;

    let naive = cutoff.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let offset = cutoff
        .with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap())
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string();
    let zulu = cutoff.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    for form in [naive, offset, zulu] {
        let encoded = url::form_urlencoded::byte_serialize(form.as_bytes()).collect::<String>();
        let found = app.list_all("candidates", &format!("updated_after={encoded}")).await;
        assert_eq!(ids(&found), BTreeSet::from([changed["id"].as_str().unwrap().to_string()]), "updated_after={form}");
        assert_eq!(found[0]["first_name"], "Renamed");
    }
    let (s, b) = app.get("/v1/ats/candidates?updated_after=last-tuesday").await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
}

#[tokio::test]
async fn filters_and_parameter_validation() {
    let app = TestApp::spawn().await;
    let applications = app.list_all("applications", "").await;
    let candidates = app.list_all("candidates", "").await;
    let (a, b) = (&applications[0], &applications[1]);

    let by_ids =
        app.list_all("applications", &format!("ids={},{}", a["id"].as_str().unwrap(), b["id"].as_str().unwrap())).await;
    assert_eq!(ids(&by_ids), ids(&[a.clone(), b.clone()]));
    let by_remote = app.list_all("applications", &format!("remote_ids={}", a["remote_id"].as_str().unwrap())).await;
    assert_eq!(ids(&by_remote), ids(std::slice::from_ref(a)));
    let by_job = app.list_all("applications", &format!("job_ids={}", a["job_id"].as_str().unwrap())).await;
    assert!(!by_job.is_empty() && by_job.iter().all(|x| x["job_id"] == a["job_id"]));
    let pending = app.list_all("applications", "outcomes=PENDING").await;
    assert!(pending.iter().all(|x| x["outcome"] == "PENDING"));
    assert_eq!(pending.len(), applications.iter().filter(|x| x["outcome"] == "PENDING").count());

    let c = &candidates[0];
    let email = c["email_addresses"][0]["email_address"].as_str().unwrap().to_uppercase();
    let by_email = app.list_all("candidates", &format!("email={email}")).await;
    assert_eq!(ids(&by_email), ids(std::slice::from_ref(c)));
    let first = c["first_name"].as_str().unwrap().to_lowercase();
    let by_name = app.list_all("candidates", &format!("first_name={first}")).await;
    assert!(by_name.iter().any(|x| x["id"] == c["id"]));

    // The Python SDK always sends its defaults.
    let (s, _) =
        app.get("/v1/ats/applications?page_size=100&include_deleted=false&ignore_unsupported_filters=false").await;
    assert_eq!(s, 200);
    for bad in
        ["page_size=0", "page_size=251", "page_size=abc", "include_deleted=yes", "cursor=garbage!", "outcomes=MAYBE"]
    {
        let (s, b) = app.get(&format!("/v1/ats/applications?{bad}")).await;
        assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    }
}

#[tokio::test]
async fn reading_a_disabled_model_is_refused() {
    let app = TestApp::spawn().await;
    atsgate::actions::admin::change_permissions(&app.app, &app.integration_id, &[], &["read_candidates".into()])
        .await
        .unwrap();
    let (s, b) = app.get("/v1/ats/candidates").await;
    assert_error(s, &b, 403, "INTEGRATION.MODEL_DISABLED");
    let (s, _) = app.get("/v1/ats/applications").await;
    assert_eq!(s, 200);
}
