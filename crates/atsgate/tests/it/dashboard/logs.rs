//! The interaction log pages: each filter alone and combined, the cursor, the exact lookup by
//! every kind of id, the page behind `log_url` with its upstream timeline and curl, retention,
//! and that no page ever shows a key, a credential, an Authorization value or file contents.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{Dash, Signed};
use crate::helpers::sample_body;

/// The log ids on a list page, in order.
fn listed(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<td class=\"nowrap\"><a href=\"/dashboard/logs/") {
        rest = &rest[at + "<td class=\"nowrap\"><a href=\"/dashboard/logs/".len()..];
        ids.push(rest[..rest.find('"').unwrap()].to_string());
    }
    ids
}

fn log_id(answer: &Value) -> String {
    answer["error"]["log_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string()
}

struct Calls {
    upload_path: String,
    disabled_log: String,
    remote_error_log: String,
}

/// One call of each kind: a read, an upload with an Idempotency-Key and its replay, one with a
/// warning, a retried one, a refused one and one the ATS failed.
async fn make_calls(dash: &Dash) -> Calls {
    let t = &dash.t;
    let application = t.first_application().await;
    let upload_path = format!("/v1/ats/applications/{}/attachments", application["id"].as_str().unwrap());
    let body = sample_body("CV", "cv.txt", b"SECRET-FILE-CONTENT-1234", "text/plain");
    for _ in 0..2 {
        let response = t.request(reqwest::Method::POST, &upload_path).header("Idempotency-Key", "idem-abc").json(&body);
        assert_eq!(response.send().await.unwrap().status(), 200);
    }
    // Greenhouse keeps files on applications: a candidate upload goes to one, with a warning.
    let candidate_upload = format!("/v1/ats/candidates/{}/attachments", application["candidate_id"].as_str().unwrap());
    let (status, answer) = t.post_json(&candidate_upload, &body).await;
    assert_eq!(status, 200, "{answer}");
    t.add_faults(json!([{"status": 429, "retry_after_s": 1, "times": 1, "path_prefix": "/v3/attachments"}])).await;
    assert_eq!(t.post_json(&upload_path, &body).await.0, 200);
    t.add_faults(json!([{"status": 500, "times": 10, "path_prefix": "/v3/attachments"}])).await;
    let (status, failed) = t.post_json(&upload_path, &body).await;
    assert!(status >= 500, "{failed}");
    t.add_faults(json!({"clear": true})).await;
    let permissions = ["add_attachments".to_string()];
    atsgate::actions::admin::change_permissions(&t.app, &t.integration_id, &[], &permissions).await.unwrap();
    let (status, disabled) = t.post_json(&upload_path, &body).await;
    assert_eq!(status, 403);
    assert_eq!(t.get("/v1/ats/candidates?page_size=3").await.0, 200);
    t.app.logs.flush().await;
    Calls { upload_path, disabled_log: log_id(&disabled), remote_error_log: log_id(&failed) }
}

async fn ids_for(session: &Signed<'_>, query: &str) -> Vec<String> {
    let page = session.get(&format!("/dashboard/logs?{query}")).await;
    page.assert_ok();
    listed(&page.body)
}

#[tokio::test]
async fn filters_combine_and_live_in_the_url() {
    let dash = Dash::spawn().await;
    let calls = make_calls(&dash).await;
    let session = dash.member("ann@acme.test", "acme").await;
    let all = ids_for(&session, "").await;
    assert_eq!(all.len(), 8, "every call, newest first");
    assert_eq!(all[1], calls.disabled_log);
    let page = session.get("/dashboard/logs").await;
    page.assert_contains("Kept 30 days").assert_contains("⚠ Greenhouse stores attachments on applications only");

    assert_eq!(ids_for(&session, "outcome=client_error").await, [calls.disabled_log.as_str()]);
    assert_eq!(ids_for(&session, "outcome=ats_error").await, [calls.remote_error_log.as_str()]);
    assert_eq!(ids_for(&session, "outcome=success").await.len(), 6);
    assert!(ids_for(&session, "outcome=platform_error").await.is_empty());
    assert_eq!(ids_for(&session, "code=INTEGRATION.ACTION_DISABLED").await, [calls.disabled_log.as_str()]);
    let endpoint = super::encode("/v1/ats/candidates");
    assert_eq!(ids_for(&session, &format!("endpoint={endpoint}")).await.len(), 1);
    let uploads = super::encode("/v1/ats/applications/{application_id}/attachments");
    assert_eq!(ids_for(&session, &format!("endpoint={uploads}")).await.len(), 5);
    let warned = ids_for(&session, "warnings=1").await;
    assert_eq!(warned.len(), 1);
    let integration = super::encode(&dash.t.integration_id);
    assert_eq!(ids_for(&session, &format!("integration={integration}&warnings=1")).await, warned);
    assert_eq!(
        ids_for(&session, &format!("integration={integration}&endpoint={uploads}&outcome=success")).await.len(),
        3
    );
    assert!(ids_for(&session, "integration=greenhouse%3Aother&warnings=1").await.is_empty());
    assert!(ids_for(&session, "to=2020-01-01T00%3A00").await.is_empty());
    assert_eq!(ids_for(&session, "from=2020-01-01T00%3A00").await.len(), 8);
    let bad = session.get("/dashboard/logs?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // The form shows the filters that are on.
    let filtered =
        session.get(&format!("/dashboard/logs?outcome=ats_error&warnings=1&integration={integration}")).await;
    filtered.assert_contains(r#"<option value="ats_error" selected>"#).assert_contains("checked");
}

#[tokio::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats() {
    let dash = Dash::spawn().await;
    for _ in 0..57 {
        assert_eq!(dash.t.get("/v1/check-api-key").await.0, 200);
    }
    dash.t.app.logs.flush().await;
    let session = dash.operator().await;
    let first = session.get("/dashboard/logs?endpoint=%2Fv1%2Fcheck-api-key").await;
    let first_ids = listed(&first.body);
    assert_eq!(first_ids.len(), 50);
    let next = first.body.find("rel=\"next\"").expect("a link to older entries");
    let start = first.body[..next].rfind("href=\"").unwrap() + "href=\"".len();
    let href = &first.body[start..];
    let href = href[..href.find('"').unwrap()].replace("&#38;", "&");
    let second = session.get(&href).await;
    let second_ids = listed(&second.body);
    assert_eq!(second_ids.len(), 7);
    assert!(first_ids.iter().all(|id| !second_ids.contains(id)));
    assert!(!second.body.contains("rel=\"next\""), "the last page");
    second.assert_contains("← Newest");
}

#[tokio::test]
async fn the_exact_lookup_finds_calls_by_every_id_they_touched() {
    let dash = Dash::spawn().await;
    let calls = make_calls(&dash).await;
    let session = dash.member("ann@acme.test", "acme").await;
    let application = dash.t.first_application().await;
    let id = application["id"].as_str().unwrap();
    let stored = dash.t.app.store.find_application(&dash.t.integration_id, id).await.unwrap().unwrap();
    let lookup = |q: String| {
        let session = &session;
        async move { ids_for(session, &format!("q={}", super::encode(&q))).await }
    };
    assert_eq!(lookup(calls.disabled_log.clone()).await, [calls.disabled_log.as_str()]);
    // Ours: every call to the application, refused and replayed ones included; the ATS's:
    // the calls that resolved it; the candidate's: those and the candidate upload.
    let expected = [
        (id.to_string(), 5),
        (stored.remote_id.clone(), 3),
        (stored.candidate_id.clone().unwrap(), 4),
        (stored.candidate_remote_id.clone().unwrap(), 4),
    ];
    for (reference, count) in expected {
        assert_eq!(lookup(reference.clone()).await.len(), count, "by {reference}");
    }
    assert_eq!(lookup("idem-abc".into()).await.len(), 2, "the first call and its replay");
    let none = session.get("/dashboard/logs?q=nothing-like-this").await;
    none.assert_contains("Nothing found for");
}

#[tokio::test]
async fn the_log_url_page_shows_the_call_its_ats_calls_and_a_curl() {
    let dash = Dash::spawn().await;
    let calls = make_calls(&dash).await;
    let session = dash.member("ann@acme.test", "acme").await;
    let page = session.get(&format!("/dashboard/logs/{}", calls.remote_error_log)).await;
    page.assert_ok();
    for text in [
        "POST",
        &calls.upload_path,
        "REMOTE.",
        "Calls to the ATS",
        "/v3/attachments",
        ">500<",
        "Authorization: Bearer $ATSGATE_API_KEY",
        "FILE_NAME.pdf",
        &dash.t.integration_id,
    ] {
        page.assert_contains(text);
    }
    let disabled = session.get(&format!("/dashboard/logs/{}", calls.disabled_log)).await;
    disabled.assert_contains("INTEGRATION.ACTION_DISABLED").assert_contains("Action disabled");
    disabled.assert_contains("answered without calling the ATS");
    // The key is named by its prefix; the replay is marked.
    let all = ids_for(&session, "q=idem-abc").await;
    let replay = session.get(&format!("/dashboard/logs/{}", all[0])).await;
    replay.assert_contains("Replayed response").assert_contains("idem-abc").assert_contains(&dash.t.key[..10]);
    // A retried ATS call and the retry are both on the timeline of the rate-limited upload.
    let retried = ids_for(&session, "outcome=success").await;
    let mut found_retry = false;
    for id in retried {
        found_retry |= session.get(&format!("/dashboard/logs/{id}")).await.body.contains("retry 1");
    }
    assert!(found_retry, "the 429 and its retry are on a timeline");
    session.get(&format!("/dashboard/logs/{}", atsgate::ids::random_id())).await.assert_not_found();
}

#[tokio::test]
async fn no_page_shows_a_key_credential_authorization_or_file_content() {
    let dash = Dash::spawn().await;
    make_calls(&dash).await;
    let session = dash.operator().await;
    let mut paths = vec![
        "/dashboard".to_string(),
        "/dashboard/integrations".into(),
        format!("/dashboard/integrations/{}", super::encode(&dash.t.integration_id)),
        "/dashboard/secrets".into(),
        "/dashboard/workspaces".into(),
        "/dashboard/logs".into(),
    ];
    paths.extend(listed(&session.get("/dashboard/logs").await.body).iter().map(|id| format!("/dashboard/logs/{id}")));
    use base64::Engine;
    let file_b64 = base64::engine::general_purpose::STANDARD.encode(b"SECRET-FILE-CONTENT-1234");
    let mut forbidden =
        vec![dash.t.key.clone(), format!("Bearer {}", &dash.t.key[..10]), file_b64, "SECRET-FILE-CONTENT".to_string()];
    forbidden.extend(dash.t.emulator.credentials.values().filter(|v| v.len() >= 6).cloned());
    for path in &paths {
        let page = session.get(path).await;
        page.assert_ok();
        for secret in &forbidden {
            assert!(!page.body.contains(secret.as_str()), "{path} shows {secret:?}");
        }
    }
    assert!(paths.len() > 10);
}

#[tokio::test]
async fn retention_prunes_old_entries_and_the_list_says_how_far_back_it_goes() {
    let dash = Dash::spawn().await;
    let old = atsgate::ids::format_ts(chrono::Utc::now() - chrono::Duration::days(31));
    let recent = atsgate::ids::format_ts(chrono::Utc::now() - chrono::Duration::days(29));
    let workspace = dash.t.app.store.list_workspaces().await.unwrap()[0].id.clone();
    let entry = |id: &str, at: &str| atsgate::store::InteractionLog {
        id: id.into(),
        workspace_id: Some(workspace.clone()),
        method: "GET".into(),
        path: "/v1/check-api-key".into(),
        status: 200,
        created_at: at.into(),
        refs: vec!["some-application".into()],
        ..Default::default()
    };
    dash.t.app.store.insert_logs(&[entry("old-entry", &old), entry("recent-entry", &recent)]).await.unwrap();
    let session = dash.operator().await;
    session.get("/dashboard/logs").await.assert_contains(&old[..10]);
    assert_eq!(atsgate::actions::logs::prune(&dash.t.app).await.unwrap(), 1);
    assert!(dash.t.app.store.get_log("old-entry").await.unwrap().is_none());
    assert!(dash.t.app.store.get_log("recent-entry").await.unwrap().is_some());
    session.get("/dashboard/logs").await.assert_contains(&recent[..10]).assert_contains("Kept 30 days");
    assert_eq!(ids_for(&session, "q=some-application").await, ["recent-entry"]);
}
