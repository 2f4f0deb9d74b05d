//! The store story's dashboard chapter: users, sessions, sign-in links, log pages with every
//! filter and the cursor, exact lookup by refs, retention, sync runs and deleting an
//! integration — run against both backends by `store_story`.

use atsgate::store::{DashboardSession, DashboardUser, InteractionLog, LogFilter, Outcome, Store, SyncCounts, SyncRun};

fn entry(id: &str, workspace: &str, at: &str) -> InteractionLog {
    InteractionLog {
        id: id.into(),
        workspace_id: Some(workspace.into()),
        integration_id: Some("greenhouse:dash".into()),
        method: "GET".into(),
        path: "/v1/ats/applications".into(),
        status: 200,
        created_at: at.into(),
        ..Default::default()
    }
}

fn ids(logs: &[InteractionLog]) -> Vec<&str> {
    logs.iter().map(|l| l.id.as_str()).collect()
}

pub async fn story(store: &dyn Store, ws: &str, other_ws: &str, int1: &str) {
    assert_eq!(store.get_workspace(ws).await.unwrap().unwrap().name, "acme");
    assert!(store.get_workspace("nope").await.unwrap().is_none());

    // Users and sessions.
    let user = DashboardUser {
        id: "user-1".into(),
        email: "a@acme.test".into(),
        password_hash: "$argon2id$hash".into(),
        workspace_id: Some(ws.into()),
        created_at: "2026-01-01T00:00:00.000Z".into(),
        disabled_at: None,
    };
    store.insert_dashboard_user(&user).await.unwrap();
    assert!(store.insert_dashboard_user(&user).await.is_err(), "emails are unique");
    assert_eq!(store.find_dashboard_user("a@acme.test").await.unwrap().unwrap().workspace_id.as_deref(), Some(ws));
    assert_eq!(store.list_dashboard_users().await.unwrap().len(), 1);
    let session = DashboardSession {
        token_hash: "t1".into(),
        user_id: user.id.clone(),
        csrf_token: "form".into(),
        workspace_id: None,
        created_at: "2026-01-01T00:00:00.000Z".into(),
        last_seen_at: "2026-01-01T00:00:00.000Z".into(),
    };
    store.insert_dashboard_session(&session).await.unwrap();
    store.touch_dashboard_session("t1", "2026-01-01T01:00:00.000Z").await.unwrap();
    store.set_session_workspace("t1", Some(other_ws)).await.unwrap();
    let (found, found_user) = store.find_dashboard_session("t1").await.unwrap().unwrap();
    assert_eq!(found.last_seen_at, "2026-01-01T01:00:00.000Z");
    assert_eq!(found.workspace_id.as_deref(), Some(other_ws));
    assert_eq!((found.csrf_token.as_str(), found_user.email.as_str()), ("form", "a@acme.test"));
    store.set_dashboard_password(&user.id, "$argon2id$new").await.unwrap();
    assert!(store.find_dashboard_session("t1").await.unwrap().is_none(), "a new password ends sessions");
    assert_eq!(store.find_dashboard_user("a@acme.test").await.unwrap().unwrap().password_hash, "$argon2id$new");
    store.insert_dashboard_session(&session).await.unwrap();
    store.delete_dashboard_session("t1").await.unwrap();
    assert!(store.find_dashboard_session("t1").await.unwrap().is_none());

    // Single-use links: once, and never after expiry.
    store.insert_login_link("link-1", &user.id, "2026-01-02T00:00:00.000Z").await.unwrap();
    store.insert_login_link("link-2", &user.id, "2026-01-01T00:00:00.000Z").await.unwrap();
    let now = "2026-01-01T12:00:00.000Z";
    assert_eq!(store.consume_login_link("link-1", now).await.unwrap().as_deref(), Some("user-1"));
    assert_eq!(store.consume_login_link("link-1", now).await.unwrap(), None, "used once");
    assert_eq!(store.consume_login_link("link-2", now).await.unwrap(), None, "expired");
    store.insert_dashboard_session(&session).await.unwrap();
    store.disable_dashboard_user(&user.id, now).await.unwrap();
    assert!(store.find_dashboard_session("t1").await.unwrap().is_none(), "disabling ends sessions");
    assert_eq!(store.find_dashboard_user("a@acme.test").await.unwrap().unwrap().disabled_at.as_deref(), Some(now));

    // Log pages in `other_ws`: six entries a second apart, of every kind.
    let at = |s: u32| format!("2027-01-01T00:00:{s:02}.000Z");
    let mut logs = Vec::new();
    for n in 0..6u32 {
        let mut log = entry(&format!("d-{n}"), other_ws, &at(n));
        log.key_id = Some("key-1".into());
        logs.push(log);
    }
    logs[1].status = 403;
    logs[1].code = Some("INTEGRATION.ACTION_DISABLED".into());
    logs[1].method = "POST".into();
    logs[1].path = "/v1/ats/applications/APP1/attachments".into();
    logs[1].refs = vec!["APP1".into(), "remote-app-1".into()];
    logs[2].warnings = vec!["fell back to the candidate".into()];
    logs[2].integration_id = Some("teamtailor:x".into());
    logs[3].status = 502;
    logs[3].code = Some("REMOTE.SERVICE_UNAVAILABLE".into());
    logs[4].status = 500;
    logs[4].code = Some("PLATFORM.UNKNOWN_ERROR".into());
    logs[5].idempotency_key = Some("idem-1".into());
    logs[5].replayed = true;
    logs[5].query = Some("page_size=5".into());
    logs[5].key_name = Some("backend".into());
    logs[5].key_prefix = Some("atsg_abcde".into());
    store.insert_logs(&logs).await.unwrap();

    let page = |filter: LogFilter| async move {
        let limit = if filter.limit == 0 { 10 } else { filter.limit };
        store.search_logs(&LogFilter { workspace_id: Some(other_ws.into()), limit, ..filter }).await.unwrap()
    };
    assert_eq!(ids(&page(LogFilter::default()).await), ["d-5", "d-4", "d-3", "d-2", "d-1", "d-0"]);
    let two = page(LogFilter { limit: 2, ..Default::default() }).await;
    assert_eq!(ids(&two), ["d-5", "d-4"]);
    let cursor = Some((two[1].created_at.clone(), two[1].id.clone()));
    assert_eq!(ids(&page(LogFilter { before: cursor, limit: 2, ..Default::default() }).await), ["d-3", "d-2"]);
    let by_outcome = |o| page(LogFilter { outcome: Some(o), ..Default::default() });
    assert_eq!(ids(&by_outcome(Outcome::ClientError).await), ["d-1"]);
    assert_eq!(ids(&by_outcome(Outcome::AtsError).await), ["d-3"]);
    assert_eq!(ids(&by_outcome(Outcome::PlatformError).await), ["d-4"]);
    assert_eq!(ids(&by_outcome(Outcome::Success).await), ["d-5", "d-2", "d-0"]);
    assert_eq!(ids(&page(LogFilter { errors_only: true, ..Default::default() }).await), ["d-4", "d-3", "d-1"]);
    let code = Some("INTEGRATION.ACTION_DISABLED".to_string());
    assert_eq!(ids(&page(LogFilter { code, ..Default::default() }).await), ["d-1"]);
    let endpoint = Some("/v1/ats/applications/{application_id}/attachments".to_string());
    assert_eq!(ids(&page(LogFilter { endpoint, ..Default::default() }).await), ["d-1"]);
    assert_eq!(ids(&page(LogFilter { has_warnings: true, ..Default::default() }).await), ["d-2"]);
    let teamtailor = Some("teamtailor:x".to_string());
    let combined = LogFilter { integration_id: teamtailor.clone(), has_warnings: true, ..Default::default() };
    assert_eq!(ids(&page(combined).await), ["d-2"]);
    let combined = LogFilter { integration_id: teamtailor, outcome: Some(Outcome::ClientError), ..Default::default() };
    assert!(page(combined).await.is_empty());
    let range = LogFilter { from: Some(at(1)), to: Some(at(3)), ..Default::default() };
    assert_eq!(ids(&page(range).await), ["d-2", "d-1"]);
    let all = store.search_logs(&LogFilter { limit: 100_000, ..Default::default() }).await.unwrap();
    assert!(all.len() > 2000 && ids(&all)[0] == "d-5", "no workspace: every workspace, newest first");

    // The new columns round-trip.
    let got = store.get_log("d-5").await.unwrap().unwrap();
    assert_eq!(got.idempotency_key.as_deref(), Some("idem-1"));
    assert!(got.replayed);
    assert_eq!(got.query.as_deref(), Some("page_size=5"));
    assert_eq!((got.key_name.as_deref(), got.key_prefix.as_deref()), (Some("backend"), Some("atsg_abcde")));

    // Exact lookup, scoped to a workspace.
    assert_eq!(ids(&store.find_logs_by_ref(Some(other_ws), "remote-app-1", 10).await.unwrap()), ["d-1"]);
    assert_eq!(ids(&store.find_logs_by_ref(Some(other_ws), "idem-1", 10).await.unwrap()), ["d-5"]);
    assert_eq!(ids(&store.find_logs_by_ref(None, "APP1", 10).await.unwrap()), ["d-1"]);
    assert!(store.find_logs_by_ref(Some(ws), "APP1", 10).await.unwrap().is_empty(), "other workspace");
    assert_eq!(store.key_last_used_at("key-1").await.unwrap().as_deref(), Some(at(5).as_str()));
    assert_eq!(store.key_last_used_at("key-none").await.unwrap(), None);
    assert_eq!(store.oldest_log_at(Some(other_ws)).await.unwrap().as_deref(), Some(at(0).as_str()));

    // Retention: in batches, with the refs.
    // Older: the 2101 entries of the chapter before, and d-0 … d-2.
    assert_eq!(store.prune_logs(&at(3), 2).await.unwrap(), 2);
    assert_eq!(store.prune_logs(&at(3), 10_000).await.unwrap(), 2101 + 3 - 2);
    assert_eq!(store.prune_logs(&at(3), 10_000).await.unwrap(), 0);
    assert_eq!(ids(&page(LogFilter::default()).await), ["d-5", "d-4", "d-3"]);
    assert!(store.find_logs_by_ref(None, "APP1", 10).await.unwrap().is_empty(), "refs go with their entry");
    assert!(store.get_log("log-0000").await.unwrap().is_none(), "older entries of every workspace go too");

    // Sync runs, newest first.
    for (n, ok) in [(1u64, true), (2, false)] {
        let run = SyncRun {
            id: format!("run-{n}"),
            integration_id: int1.into(),
            started_at: format!("2027-01-0{n}T00:00:00.000Z"),
            finished_at: format!("2027-01-0{n}T00:00:01.000Z"),
            duration_ms: 1000.5,
            ok,
            counts: SyncCounts { jobs: n, candidates: 2 * n, applications: 3 * n, changed: 1, deleted: 0 },
            error_code: (!ok).then(|| "REMOTE.SERVICE_UNAVAILABLE".into()),
            error: (!ok).then(|| "the ATS answered 503".into()),
        };
        store.record_sync_run(&run).await.unwrap();
    }
    let runs = store.list_sync_runs(int1, 10).await.unwrap();
    assert_eq!(runs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["run-2", "run-1"]);
    assert!(!runs[0].ok && runs[1].ok);
    assert_eq!(runs[0].counts.applications, 6);
    assert_eq!(runs[0].error_code.as_deref(), Some("REMOTE.SERVICE_UNAVAILABLE"));
    assert_eq!(runs[1].duration_ms, 1000.5);

    // Deleting an integration takes its synced rows and history, not other integrations'.
    assert!(store.delete_integration(int1).await.unwrap());
    assert!(store.get_integration(int1).await.unwrap().is_none());
    assert!(store.list_sync_runs(int1, 10).await.unwrap().is_empty());
    let rest = atsgate::store::ListQuery { page_size: 10, include_deleted: true, ..Default::default() };
    assert!(store.list_applications(int1, &rest).await.unwrap().is_empty());
    assert!(store.list_candidates(int1, &rest).await.unwrap().is_empty());
    assert!(!store.delete_integration(int1).await.unwrap(), "already gone");
    assert!(store.get_integration("greenhouse:int2").await.unwrap().is_some());
}
