//! Secrets and integrations: every page and form, each acting through the same actions as the
//! API and the CLI (a permission switched here answers 403 on the next upload).

use reqwest::StatusCode;
use serde_json::Value;

use super::Dash;
use crate::helpers::{assert_error, sample_body};

#[tokio::test]
async fn a_key_is_shown_once_works_and_stops_working_when_revoked() {
    let dash = Dash::spawn().await;
    let session = dash.member("ann@acme.test", "acme").await;
    session.get("/dashboard/secrets").await.assert_ok().assert_contains("Create an API key");
    let missing_name = session.post("/dashboard/secrets", &[("name", " ")]).await;
    assert_eq!(missing_name.status, StatusCode::BAD_REQUEST);

    let created = session.post("/dashboard/secrets", &[("name", "ci backend")]).await;
    created.assert_ok().assert_contains("It will not be shown again");
    let start = created.body.find("atsg_").expect("the new key on the page");
    let key: String = created.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    assert!(key.len() > 40, "{key}");
    // The key works at once.
    let url = dash.t.url.clone();
    let check = |key: String| {
        let url = url.clone();
        async move {
            let client = reqwest::Client::new();
            client.get(format!("{url}/v1/check-api-key")).bearer_auth(key).send().await.unwrap().status()
        }
    };
    assert_eq!(check(key.clone()).await, StatusCode::OK);
    // Listed by name and prefix, never again in full.
    dash.t.app.logs.flush().await;
    let list = session.get("/dashboard/secrets").await;
    list.assert_ok().assert_contains("ci backend").assert_contains(&format!("{}…", &key[..10]));
    assert!(!list.body.contains(&key), "the key is shown only once");
    assert!(list.body.contains("just now"), "its last use is listed: {}", list.body);

    let record = dash.t.app.store.list_api_keys(None).await.unwrap();
    let record = record.iter().find(|k| k.name.as_deref() == Some("ci backend")).unwrap();
    let revoked = session.post(&format!("/dashboard/secrets/{}/revoke", record.id), &[]).await;
    assert_eq!((revoked.status, revoked.location()), (StatusCode::SEE_OTHER, "/dashboard/secrets"));
    assert_eq!(check(key).await, StatusCode::UNAUTHORIZED, "revoked keys stop working at once");
    session.get("/dashboard/secrets").await.assert_contains("Revoked");
    let overview = session.get("/dashboard").await;
    overview.assert_ok().assert_contains("API keys").assert_contains(&format!("{}…", &dash.t.key[..10]));
    assert!(!overview.body.contains("ci backend"), "revoked keys are not listed at a glance");
    // Revoking a key that does not exist is the 404 page.
    session.post("/dashboard/secrets/nope/revoke", &[]).await.assert_not_found();
}

#[tokio::test]
async fn integration_pages_show_state_scope_history_and_restrictions() {
    let dash = Dash::spawn().await;
    let session = dash.member("ann@acme.test", "acme").await;
    let id = dash.t.integration_id.clone();
    let list = session.get("/dashboard/integrations").await;
    list.assert_ok().assert_contains("Greenhouse").assert_contains(&id).assert_contains("Active");
    list.assert_contains("candidates · ");

    let path = format!("/dashboard/integrations/{}", super::encode(&id));
    let page = session.get(&path).await;
    page.assert_ok();
    for text in [
        "Add attachments",
        "Read attachments",
        "Read applications",
        "Read candidates",
        "Sync history",
        "Succeeded",
        "Attachment restrictions",
        "CV",
        "Cover letter",
        "Replace credentials",
        "Delete integration",
    ] {
        page.assert_contains(text);
    }
    // The credentials' names are asked for, their values never shown.
    for (name, value) in &dash.t.emulator.credentials {
        page.assert_contains(&format!("credential_{name}"));
        assert!(!page.body.contains(value.as_str()), "credential {name} shown on the page");
    }

    // Sync now: a run appears in the history.
    let before = dash.t.app.store.list_sync_runs(&id, 100).await.unwrap().len();
    let started = session.post(&format!("{path}/sync"), &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    session.get(started.location()).await.assert_ok().assert_contains("Sync started");
    // The sync runs in the background; its run is recorded when it ends.
    let recorded = async {
        while dash.t.app.store.list_sync_runs(&id, 100).await.unwrap().len() == before {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), recorded).await.expect("the sync run is recorded");
    session.get(&path).await.assert_contains("Succeeded");
}

#[tokio::test]
async fn switching_add_attachments_reaches_the_api_at_once() {
    let dash = Dash::spawn().await;
    let session = dash.member("ann@acme.test", "acme").await;
    let application = dash.t.first_application().await;
    let upload = format!("/v1/ats/applications/{}/attachments", application["id"].as_str().unwrap());
    let body = sample_body("CV", "cv.txt", b"hello", "text/plain");
    let path = format!("/dashboard/integrations/{}/permissions", super::encode(&dash.t.integration_id));

    let off = session.post(&path, &[("permission", "add_attachments"), ("set", "off")]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let (status, answer) = dash.t.post_json(&upload, &body).await;
    assert_error(status, &answer, 403, "INTEGRATION.ACTION_DISABLED");
    let page = session.get(off.location()).await;
    assert!(page.body.contains(r#"aria-label="Add attachments: disabled. Enable""#), "{}", page.body);

    session.post(&path, &[("permission", "add_attachments"), ("set", "on")]).await;
    let (status, answer) = dash.t.post_json(&upload, &body).await;
    assert_eq!(status, 200, "{answer}");
    // Reads too: "Read candidates" off answers MODEL_DISABLED.
    session.post(&path, &[("permission", "read_candidates"), ("set", "off")]).await;
    let (status, answer) = dash.t.get("/v1/ats/candidates").await;
    assert_error(status, &answer, 403, "INTEGRATION.MODEL_DISABLED");
    let bad = session.post(&path, &[("permission", "launch_rockets"), ("set", "on")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn replacing_credentials_and_deleting_an_integration() {
    let dash = Dash::spawn().await;
    let session = dash.operator().await;
    let id = dash.t.integration_id.clone();
    let path = format!("/dashboard/integrations/{}", super::encode(&id));
    // Wrong credentials: the next sync fails and the state says what to do.
    let mut fields: Vec<(String, String)> =
        dash.t.emulator.credentials.keys().map(|name| (format!("credential_{name}"), "wrong".to_string())).collect();
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let replaced = session.post(&format!("{path}/credentials"), &form).await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER);
    session.get(replaced.location()).await.assert_contains("Credentials replaced");
    let integration = dash.t.app.store.get_integration(&id).await.unwrap().unwrap();
    assert!(atsgate::sync::run(&dash.t.app, &integration).await.is_err());
    let page = session.get(&path).await;
    page.assert_contains("Credentials invalid")
        .assert_contains("Failed")
        .assert_contains("INTEGRATION.AUTHENTICATION_INVALID");
    // A missing credential is refused and nothing is replaced.
    fields.pop();
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(session.post(&format!("{path}/credentials"), &form).await.status, StatusCode::BAD_REQUEST);
    // The right ones again: syncing works.
    let right: Vec<(String, String)> =
        dash.t.emulator.credentials.iter().map(|(k, v)| (format!("credential_{k}"), v.clone())).collect();
    let form: Vec<(&str, &str)> = right.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(session.post(&format!("{path}/credentials"), &form).await.status, StatusCode::SEE_OTHER);
    dash.t.sync().await;
    session.get(&path).await.assert_contains(">Active<");

    // Deleting needs the id typed in.
    let wrong = session.post(&format!("{path}/delete"), &[("confirm", "yes")]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(dash.t.app.store.get_integration(&id).await.unwrap().is_some());
    let deleted = session.post(&format!("{path}/delete"), &[("confirm", &id)]).await;
    assert_eq!((deleted.status, deleted.location()), (StatusCode::SEE_OTHER, "/dashboard/integrations"));
    session.get(&path).await.assert_not_found();
    let (status, answer): (u16, Value) = dash.t.get("/v1/ats/applications").await;
    assert_error(status, &answer, 404, "PLATFORM.INTEGRATION_NOT_FOUND");
}
