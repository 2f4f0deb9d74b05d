//! Tenant isolation: a member of workspace B gets the same 404 for everything of workspace A
//! as for something that does not exist — pages, links, filters, lookups, id guesses and every
//! form — and changes nothing; an operator sees every workspace and switches between them.

use atsgate::actions::admin;
use reqwest::StatusCode;
use serde_json::Value;

use super::Dash;
use crate::helpers::{create_integration, sample_body};

#[tokio::test]
async fn a_member_of_another_workspace_gets_404_for_everything_and_changes_nothing() {
    let dash = Dash::spawn().await;
    let t = &dash.t;
    // Workspace A ("acme", the test app's): an error answer, so it has a log entry.
    let application = t.first_application().await;
    let app_id = application["id"].as_str().unwrap();
    let (_, refused): (u16, Value) = t.get("/v1/ats/applications/not-an-id/attachments").await;
    let a_log = refused["error"]["log_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let body = sample_body("CV", "cv.txt", b"abc", "text/plain");
    assert_eq!(t.post_json(&format!("/v1/ats/applications/{app_id}/attachments"), &body).await.0, 200);
    t.app.logs.flush().await;
    let a_key = t.app.store.list_api_keys(None).await.unwrap()[0].clone();
    let a_int = t.integration_id.clone();
    let a_workspace = a_key.workspace_id.clone();

    // Workspace B ("globex") with its own key and integration.
    admin::create_key(&t.app, "globex", Some("globex key".into())).await.unwrap();
    let b_int = create_integration(&t.app, "globex", &t.emulator, t.emulator.credentials.clone()).await;
    let b = dash.member("bob@globex.test", "globex").await;

    let a_path = format!("/dashboard/integrations/{}", super::encode(&a_int));
    for path in [
        format!("/dashboard/logs/{a_log}"),
        a_path.clone(),
        "/dashboard/workspaces".into(),
        format!("/dashboard/logs/{}", atsgate::ids::random_id()),
    ] {
        b.get(&path).await.assert_not_found();
    }
    let posts: [(String, Vec<(&str, &str)>); 6] = [
        (format!("{a_path}/permissions"), vec![("permission", "add_attachments"), ("set", "off")]),
        (format!("{a_path}/sync"), vec![]),
        (format!("{a_path}/credentials"), vec![("credential_client_id", "x")]),
        (format!("{a_path}/delete"), vec![("confirm", a_int.as_str())]),
        (format!("/dashboard/secrets/{}/revoke", a_key.id), vec![]),
        ("/dashboard/workspace".into(), vec![("workspace", a_workspace.as_str())]),
    ];
    let runs_before = t.app.store.list_sync_runs(&a_int, 100).await.unwrap().len();
    for (path, fields) in &posts {
        b.post(path, fields).await.assert_not_found();
    }
    // Nothing changed in A: the key works, uploads are allowed, the credentials still sync.
    assert_eq!(t.get("/v1/check-api-key").await.0, 200);
    assert_eq!(t.post_json(&format!("/v1/ats/applications/{app_id}/attachments"), &body).await.0, 200);
    assert_eq!(t.app.store.list_sync_runs(&a_int, 100).await.unwrap().len(), runs_before);
    t.sync().await;

    // Lists, filters and lookups show B's own things only.
    for path in ["/dashboard", "/dashboard/integrations", "/dashboard/secrets", "/dashboard/logs"] {
        let page = b.get(path).await;
        page.assert_ok();
        for a_thing in [a_int.as_str(), &a_key.prefix, a_log.as_str(), "acme"] {
            assert!(!page.body.contains(a_thing), "{path} shows {a_thing}");
        }
    }
    b.get("/dashboard/integrations").await.assert_contains(&b_int);
    for query in [format!("q={a_log}"), format!("q={app_id}"), format!("integration={}", super::encode(&a_int))] {
        let page = b.get(&format!("/dashboard/logs?{query}")).await;
        assert!(!page.body.contains("/dashboard/logs/") || !page.body.contains(&a_log), "{query}");
        assert!(!page.body.contains("<td class=\"nowrap\"><a href=\"/dashboard/logs/"), "{query} lists A's calls");
    }
    // A key B creates is B's, whatever the form says.
    let created = b.post("/dashboard/secrets", &[("name", "sneaky"), ("workspace", &a_workspace)]).await;
    assert_eq!(created.status, StatusCode::OK);
    let keys = t.app.store.list_api_keys(Some(&a_workspace)).await.unwrap();
    assert!(keys.iter().all(|k| k.name.as_deref() != Some("sneaky")));
}

#[tokio::test]
async fn an_operator_sees_every_workspace_and_switches_between_them() {
    let dash = Dash::spawn().await;
    let t = &dash.t;
    let b_int = create_integration(&t.app, "globex", &t.emulator, t.emulator.credentials.clone()).await;
    let op = dash.operator().await;
    let all = op.get("/dashboard/integrations").await;
    all.assert_contains(&t.integration_id).assert_contains(&b_int).assert_contains("All workspaces");
    op.get("/dashboard/workspaces").await.assert_ok().assert_contains("acme").assert_contains("globex");

    let globex = t.app.store.list_workspaces().await.unwrap().into_iter().find(|w| w.name == "globex").unwrap();
    let switched =
        op.post("/dashboard/workspace", &[("workspace", &globex.id), ("next", "/dashboard/integrations")]).await;
    assert_eq!((switched.status, switched.location()), (StatusCode::SEE_OTHER, "/dashboard/integrations"));
    let only_b = op.get("/dashboard/integrations").await;
    only_b.assert_contains(&b_int);
    assert!(!only_b.body.contains(&t.integration_id), "switched to globex");
    // The operator still opens any workspace's page by link (a log_url from anywhere).
    op.get(&format!("/dashboard/integrations/{}", super::encode(&t.integration_id))).await.assert_ok();
    op.post("/dashboard/workspace", &[("workspace", "")]).await;
    op.get("/dashboard/integrations").await.assert_contains(&t.integration_id);
    op.post("/dashboard/workspace", &[("workspace", "no-such-workspace")]).await.assert_not_found();
}
