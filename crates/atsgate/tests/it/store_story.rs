//! The store story: one walk through every `Store` method, written once and run against both
//! backends (SQLite in a temp dir, PostgreSQL in a fresh database on 127.0.0.1:5432), so the two
//! cannot drift apart.

use std::{panic::AssertUnwindSafe, sync::Arc};

use atsgate::store::{
    self, ApiKeyRecord, ApplicationRow, CandidateRow, IdempotencyClaim, IdempotencyOwner, Integration, InteractionLog,
    JobRow, ListQuery, ListedRow, Store, SyncBatch, UpstreamCallRecord,
};
use futures::FutureExt;
use sqlx::Connection;

/// The PostgreSQL server the tests use; it runs on developer machines and in CI.
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[tokio::test]
async fn store_story_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("story.db").display());
    let store = store::connect(&url).await.expect("open the SQLite store");
    story(store).await;
}

#[tokio::test]
async fn store_story_postgres() {
    let mut admin = sqlx::PgConnection::connect(PG_ADMIN_URL).await.unwrap_or_else(|err| {
        panic!(
            "the PostgreSQL server at {PG_ADMIN_URL} is unreachable ({err}); the store story needs it \
             (trust auth, user `postgres`): start it rather than skipping this test"
        )
    });
    let db = format!("atsgate_test_{}", hex::encode(rand::random::<[u8; 8]>()));
    sqlx::query(&format!("CREATE DATABASE {db}")).execute(&mut admin).await.expect("create the test database");

    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let outcome = AssertUnwindSafe(async {
        let store = store::connect(&url).await.expect("open the PostgreSQL store");
        story(store).await;
    })
    .catch_unwind()
    .await;

    sqlx::query(&format!("DROP DATABASE {db} WITH (FORCE)")).execute(&mut admin).await.expect("drop the test database");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn connect_rejects_unknown_schemes() {
    let err = store::connect("mysql://localhost/atsgate").await.err().expect("mysql: is not a backend");
    assert!(err.to_string().contains("unknown database URL scheme"), "{err}");
}

const T1: &str = "2026-01-01T10:00:00.000Z";
const T2: &str = "2026-01-02T10:00:00.000Z";
const T3: &str = "2026-01-03T10:00:00.000Z";

fn ids(rows: &[ListedRow]) -> Vec<&str> {
    rows.iter().map(|r| r.id.as_str()).collect()
}

fn query() -> ListQuery {
    ListQuery { page_size: 100, ..Default::default() }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn integration(id: &str, workspace_id: &str, created_at: &str) -> Integration {
    Integration {
        id: id.into(),
        workspace_id: workspace_id.into(),
        tool: "greenhouse".into(),
        base_url: Some("http://127.0.0.1:1".into()),
        auth_url: None,
        sealed_credentials: format!("sealed-{id}"),
        organization_name: "Acme".into(),
        creator_email: Some("ops@acme.test".into()),
        origin_id: None,
        permissions: strings(&["ats.read"]),
        created_at: created_at.into(),
        last_sync_started_at: None,
        last_sync_finished_at: None,
        last_sync_error: None,
        last_sync_error_code: None,
    }
}

fn job(id: &str, name: &str) -> JobRow {
    JobRow { id: id.into(), remote_id: format!("r{id}"), name: Some(name.into()), content_hash: format!("h-{name}") }
}

fn candidate(id: &str, first: &str, last: &str, emails: &[&str], version: u32) -> CandidateRow {
    CandidateRow {
        id: id.into(),
        remote_id: format!("r{id}"),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        emails: strings(emails),
        remote_created_at: Some("2024-01-01T00:00:00.000Z".into()),
        data: format!(r#"{{"id":"{id}","v":{version}}}"#),
        content_hash: format!("{id}-v{version}"),
    }
}

fn application(id: &str, cand: &str, job: &str, outcome: &str, stage: &str, created: &str, v: u32) -> ApplicationRow {
    ApplicationRow {
        id: id.into(),
        remote_id: format!("r{id}"),
        candidate_id: Some(cand.into()),
        candidate_remote_id: Some(format!("r{cand}")),
        job_id: Some(job.into()),
        job_remote_id: Some(format!("r{job}")),
        outcome: Some(outcome.into()),
        current_stage_id: Some(stage.into()),
        remote_created_at: Some(created.into()),
        data: format!(r#"{{"id":"{id}","v":{v}}}"#),
        content_hash: format!("{id}-v{v}"),
    }
}

/// Ids mix upper and lower case on purpose: base58 ids do, and both backends must order them
/// byte-wise ("C3" < "c2").
fn full_batch(c2_version: u32, a2_version: u32) -> SyncBatch {
    SyncBatch {
        jobs: vec![job("J2", "Designer"), job("J1", "Engineer")],
        candidates: vec![
            candidate("c2", "Alan", "Turing", &["alan@example.com"], c2_version),
            candidate("C1", "Ada", "Lovelace", &["ada@example.com"], 1),
            candidate("C3", "Grace", "Hopper", &["grace@example.com", "gh@navy.mil"], 1),
        ],
        applications: vec![
            application("a3", "c2", "J1", "PENDING", "s1", "2024-02-01T00:00:00.000Z", 1),
            application("A1", "C1", "J1", "PENDING", "s1", "2024-01-01T00:00:00.000Z", 1),
            application("A2", "C1", "J2", "HIRED", "s2", "2024-03-01T00:00:00.000Z", a2_version),
        ],
    }
}

fn log(id: &str, workspace_id: Option<&str>, created_at: &str) -> InteractionLog {
    InteractionLog {
        id: id.into(),
        workspace_id: workspace_id.map(Into::into),
        integration_id: Some("greenhouse:int1".into()),
        method: "GET".into(),
        path: "/v1/ats/candidates".into(),
        status: 200,
        code: None,
        message: Some("ok".into()),
        warnings: strings(&["slow upstream"]),
        upstream: vec![UpstreamCallRecord {
            method: "GET".into(),
            path: "/v1/candidates".into(),
            status: Some(200),
            duration_ms: 12.5,
            error: None,
            ..Default::default()
        }],
        duration_ms: 20.25,
        created_at: created_at.into(),
        ..Default::default()
    }
}

async fn story(store: Arc<dyn Store>) {
    store.health().await.unwrap();

    // Workspaces: get-or-create is idempotent by name.
    let ws = store.get_or_create_workspace("acme").await.unwrap();
    let again = store.get_or_create_workspace("acme").await.unwrap();
    assert_eq!(ws.id, again.id);
    assert_eq!(ws.created_at, again.created_at);
    let other_ws = store.get_or_create_workspace("globex").await.unwrap();
    assert_ne!(ws.id, other_ws.id);
    let names: Vec<String> = store.list_workspaces().await.unwrap().into_iter().map(|w| w.name).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"acme".to_string()) && names.contains(&"globex".to_string()));

    // Integrations.
    let int1 = "greenhouse:int1";
    let int2 = "greenhouse:int2";
    let int_other = "greenhouse:other";
    store.insert_integration(&integration(int1, &ws.id, T1)).await.unwrap();
    store.insert_integration(&integration(int2, &ws.id, T2)).await.unwrap();
    store.insert_integration(&integration(int_other, &other_ws.id, T1)).await.unwrap();
    let got = store.get_integration(int1).await.unwrap().expect("integration 1");
    assert_eq!(got.workspace_id, ws.id);
    assert_eq!(got.tool, "greenhouse");
    assert_eq!(got.base_url.as_deref(), Some("http://127.0.0.1:1"));
    assert_eq!(got.auth_url, None);
    assert_eq!(got.sealed_credentials, "sealed-greenhouse:int1");
    assert_eq!(got.creator_email.as_deref(), Some("ops@acme.test"));
    assert_eq!(got.permissions, strings(&["ats.read"]));
    assert_eq!(got.created_at, T1);
    assert!(store.get_integration("greenhouse:nope").await.unwrap().is_none());
    let listed: Vec<String> = store.list_integrations(Some(&ws.id)).await.unwrap().into_iter().map(|i| i.id).collect();
    assert_eq!(listed, strings(&[int1, int2]));
    assert_eq!(store.list_integrations(None).await.unwrap().len(), 3);

    // Every change to what authenticates a call moves the auth revision other nodes poll.
    let revision = store.auth_revision().await.unwrap();
    store.set_permissions(int1, &strings(&["ats.read", "ats.write"])).await.unwrap();
    assert!(store.auth_revision().await.unwrap() > revision, "a permission change is seen by other nodes");
    assert_eq!(store.get_integration(int1).await.unwrap().unwrap().permissions, strings(&["ats.read", "ats.write"]));
    store.set_sealed_credentials(int1, "sealed-v2").await.unwrap();
    assert_eq!(store.get_integration(int1).await.unwrap().unwrap().sealed_credentials, "sealed-v2");
    store
        .replace_sealed_credentials(&[(int1.into(), "rotated-1".into()), (int2.into(), "rotated-2".into())])
        .await
        .unwrap();
    assert_eq!(store.get_integration(int1).await.unwrap().unwrap().sealed_credentials, "rotated-1");
    assert_eq!(store.get_integration(int2).await.unwrap().unwrap().sealed_credentials, "rotated-2");
    assert_eq!(store.get_integration(int_other).await.unwrap().unwrap().sealed_credentials, "sealed-greenhouse:other");

    store.record_sync_started(int2, T1).await.unwrap();
    store.record_sync_finished(int2, T2, Some(("UPSTREAM_ERROR", "boom"))).await.unwrap();
    let synced = store.get_integration(int2).await.unwrap().unwrap();
    assert_eq!(synced.last_sync_started_at.as_deref(), Some(T1));
    assert_eq!(synced.last_sync_finished_at.as_deref(), Some(T2));
    assert_eq!(synced.last_sync_error_code.as_deref(), Some("UPSTREAM_ERROR"));
    assert_eq!(synced.last_sync_error.as_deref(), Some("boom"));
    store.record_sync_finished(int2, T3, None).await.unwrap();
    let synced = store.get_integration(int2).await.unwrap().unwrap();
    assert_eq!(synced.last_sync_finished_at.as_deref(), Some(T3));
    assert_eq!(synced.last_sync_error_code, None);
    assert_eq!(synced.last_sync_error, None);

    // API keys.
    let key = ApiKeyRecord {
        id: atsgate::ids::random_id(),
        workspace_id: ws.id.clone(),
        prefix: "atsg_abc".into(),
        name: Some("ci".into()),
        created_at: T1.into(),
        revoked_at: None,
    };
    let other_key = ApiKeyRecord {
        id: atsgate::ids::random_id(),
        workspace_id: other_ws.id.clone(),
        prefix: "atsg_xyz".into(),
        name: None,
        created_at: T2.into(),
        revoked_at: None,
    };
    store.insert_api_key(&key, "hash-1").await.unwrap();
    store.insert_api_key(&other_key, "hash-2").await.unwrap();
    let (found, found_ws) = store.find_api_key("hash-1").await.unwrap().expect("key by hash");
    assert_eq!(found.id, key.id);
    assert_eq!(found.prefix, "atsg_abc");
    assert_eq!(found.name.as_deref(), Some("ci"));
    assert_eq!(found.revoked_at, None);
    assert_eq!((found_ws.id.as_str(), found_ws.name.as_str()), (ws.id.as_str(), "acme"));
    assert_eq!(found_ws.created_at, ws.created_at);
    assert!(store.find_api_key("hash-unknown").await.unwrap().is_none());

    let (k, w, i) = store.find_api_key_with_integration("hash-1", int1).await.unwrap().expect("key");
    assert_eq!(k.id, key.id);
    assert_eq!(k.workspace_id, ws.id);
    assert_eq!(k.created_at, T1);
    assert_eq!(w.name, "acme");
    let i = i.expect("own integration");
    assert_eq!(i.id, int1);
    assert_eq!(i.workspace_id, ws.id);
    assert_eq!(i.sealed_credentials, "rotated-1");
    assert_eq!(i.created_at, T1);
    let (_, _, i) = store.find_api_key_with_integration("hash-1", int_other).await.unwrap().expect("key");
    assert!(i.is_none(), "another workspace's integration must not be returned");
    let (_, _, i) = store.find_api_key_with_integration("hash-1", "greenhouse:nope").await.unwrap().expect("key");
    assert!(i.is_none());
    assert!(store.find_api_key_with_integration("hash-unknown", int1).await.unwrap().is_none());

    let all_keys: Vec<String> = store.list_api_keys(None).await.unwrap().into_iter().map(|k| k.id).collect();
    assert_eq!(all_keys, vec![key.id.clone(), other_key.id.clone()]);
    let ws_keys: Vec<String> = store.list_api_keys(Some(&ws.id)).await.unwrap().into_iter().map(|k| k.id).collect();
    assert_eq!(ws_keys, vec![key.id.clone()]);
    let revision = store.auth_revision().await.unwrap();
    assert!(store.revoke_api_key(&key.id).await.unwrap());
    let after_revoke = store.auth_revision().await.unwrap();
    assert!(after_revoke > revision, "a revocation is seen by other nodes");
    assert!(!store.revoke_api_key(&key.id).await.unwrap(), "a second revoke changes nothing");
    assert!(store.find_api_key("hash-1").await.unwrap().is_none());
    assert!(store.find_api_key_with_integration("hash-1", int1).await.unwrap().is_none());
    let revoked = store.list_api_keys(Some(&ws.id)).await.unwrap();
    assert!(revoked[0].revoked_at.is_some());
    assert!(store.find_api_key("hash-2").await.unwrap().is_some());

    // Sync 1: everything is new.
    let counts = store.apply_sync(int1, T1, full_batch(1, 1)).await.unwrap();
    assert_eq!((counts.jobs, counts.candidates, counts.applications), (2, 3, 3));
    assert_eq!((counts.changed, counts.deleted), (6, 0));
    let all = store.list_candidates(int1, &ListQuery { include_deleted: true, ..query() }).await.unwrap();
    assert_eq!(ids(&all), ["C1", "C3", "c2"], "byte-wise id order");
    assert!(all.iter().all(|r| r.changed_at == T1 && r.remote_deleted_at.is_none()));
    assert_eq!(all[0].data, r#"{"id":"C1","v":1}"#);

    // Sync 2: the same content keeps changed_at; changed content moves it; missing rows are deleted.
    let mut batch = full_batch(2, 2);
    batch.candidates.retain(|c| c.id != "C3");
    batch.applications.retain(|a| a.id != "a3");
    let counts = store.apply_sync(int1, T2, batch).await.unwrap();
    assert_eq!((counts.jobs, counts.candidates, counts.applications), (2, 2, 2));
    assert_eq!(counts.deleted, 2);
    assert_eq!(counts.changed, 4, "c2 and A2 changed, C3 and a3 deleted");
    let all = store.list_candidates(int1, &ListQuery { include_deleted: true, ..query() }).await.unwrap();
    let by_id = |id: &str| all.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(by_id("C1").changed_at, T1);
    assert_eq!(by_id("C1").remote_deleted_at, None);
    assert_eq!(by_id("c2").changed_at, T2);
    assert_eq!(by_id("c2").data, r#"{"id":"c2","v":2}"#);
    assert_eq!(by_id("C3").changed_at, T2);
    assert_eq!(by_id("C3").remote_deleted_at.as_deref(), Some(T2));
    let deleted = store.find_application(int1, "a3").await.unwrap().expect("deleted rows stay findable");
    assert_eq!(deleted.remote_deleted_at.as_deref(), Some(T2));

    // Another integration's complete (empty) sync leaves integration 1 alone.
    let counts = store.apply_sync(int2, T2, SyncBatch::default()).await.unwrap();
    assert_eq!((counts.changed, counts.deleted), (0, 0));
    assert_eq!(store.list_candidates(int1, &query()).await.unwrap().len(), 2);
    assert!(store.list_candidates(int2, &query()).await.unwrap().is_empty());

    // Listing applications, every filter, cursor and page size (after sync 2: a3 is deleted).
    let apps = |q: ListQuery| {
        let store = store.clone();
        async move { store.list_applications(int1, &q).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>() }
    };
    assert_eq!(apps(query()).await, ["A1", "A2"]);
    assert_eq!(apps(ListQuery { include_deleted: true, ..query() }).await, ["A1", "A2", "a3"]);
    assert_eq!(apps(ListQuery { page_size: 1, ..query() }).await, ["A1"]);
    assert_eq!(apps(ListQuery { page_size: 1, after_id: Some("A1".into()), ..query() }).await, ["A2"]);
    assert!(apps(ListQuery { after_id: Some("A2".into()), ..query() }).await.is_empty());
    assert_eq!(apps(ListQuery { after_id: Some("A2".into()), include_deleted: true, ..query() }).await, ["a3"]);
    assert_eq!(apps(ListQuery { updated_after: Some(T2.into()), ..query() }).await, ["A2"]);
    assert_eq!(
        apps(ListQuery { updated_after: Some(T2.into()), include_deleted: true, ..query() }).await,
        ["A2", "a3"]
    );
    assert_eq!(apps(ListQuery { ids: strings(&["A1", "a3"]), ..query() }).await, ["A1"]);
    assert_eq!(apps(ListQuery { ids: strings(&["A1", "a3"]), include_deleted: true, ..query() }).await, ["A1", "a3"]);
    assert_eq!(apps(ListQuery { remote_ids: strings(&["rA2", "rzzz"]), ..query() }).await, ["A2"]);
    assert_eq!(apps(ListQuery { outcomes: strings(&["HIRED"]), ..query() }).await, ["A2"]);
    assert_eq!(apps(ListQuery { outcomes: strings(&["PENDING", "HIRED"]), ..query() }).await, ["A1", "A2"]);
    assert_eq!(apps(ListQuery { job_ids: strings(&["J1"]), ..query() }).await, ["A1"]);
    assert_eq!(apps(ListQuery { job_remote_ids: strings(&["rJ2"]), ..query() }).await, ["A2"]);
    assert_eq!(apps(ListQuery { current_stage_ids: strings(&["s1"]), ..query() }).await, ["A1"]);
    assert_eq!(
        apps(ListQuery { remote_created_after: Some("2024-02-15T00:00:00.000Z".into()), ..query() }).await,
        ["A2"]
    );
    assert!(apps(ListQuery { outcomes: strings(&["HIRED"]), job_ids: strings(&["J1"]), ..query() }).await.is_empty());
    assert!(store.list_applications(int2, &query()).await.unwrap().is_empty());

    // Listing candidates.
    let cands = |q: ListQuery| {
        let store = store.clone();
        async move { store.list_candidates(int1, &q).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>() }
    };
    assert_eq!(cands(query()).await, ["C1", "c2"]);
    assert_eq!(cands(ListQuery { page_size: 1, after_id: Some("C1".into()), ..query() }).await, ["c2"]);
    assert_eq!(cands(ListQuery { email: Some("ADA@example.com".into()), ..query() }).await, ["C1"]);
    assert!(cands(ListQuery { email: Some("ada@example".into()), ..query() }).await.is_empty(), "whole addresses only");
    assert!(cands(ListQuery { email: Some("gh@navy.mil".into()), ..query() }).await.is_empty());
    assert_eq!(cands(ListQuery { email: Some("gh@navy.mil".into()), include_deleted: true, ..query() }).await, ["C3"]);
    assert_eq!(cands(ListQuery { first_name: Some("ADA".into()), ..query() }).await, ["C1"]);
    assert_eq!(cands(ListQuery { last_name: Some("turing".into()), ..query() }).await, ["c2"]);
    assert!(cands(ListQuery { first_name: Some("Ada".into()), last_name: Some("Turing".into()), ..query() })
        .await
        .is_empty());
    assert_eq!(cands(ListQuery { job_ids: strings(&["J2"]), ..query() }).await, ["C1"]);
    assert_eq!(cands(ListQuery { job_ids: strings(&["J1"]), ..query() }).await, ["C1", "c2"]);
    assert_eq!(cands(ListQuery { updated_after: Some(T2.into()), ..query() }).await, ["c2"]);
    assert_eq!(cands(ListQuery { remote_ids: strings(&["rC1"]), ..query() }).await, ["C1"]);
    assert_eq!(cands(ListQuery { ids: strings(&["C3", "c2"]), include_deleted: true, ..query() }).await, ["C3", "c2"]);
    assert_eq!(
        cands(ListQuery { remote_created_after: Some("2024-01-01T00:00:00.000Z".into()), ..query() }).await,
        ["C1", "c2"]
    );

    // find_* and candidate_applications (newest first, then by id).
    let a1 = store.find_application(int1, "A1").await.unwrap().expect("A1");
    assert_eq!(a1.remote_id, "rA1");
    assert_eq!(a1.candidate_id.as_deref(), Some("C1"));
    assert_eq!(a1.candidate_remote_id.as_deref(), Some("rC1"));
    assert_eq!(a1.remote_created_at.as_deref(), Some("2024-01-01T00:00:00.000Z"));
    assert_eq!(a1.remote_deleted_at, None);
    assert!(store.find_application(int2, "A1").await.unwrap().is_none());
    let c1 = store.find_candidate(int1, "C1").await.unwrap().expect("C1");
    assert_eq!((c1.remote_id.as_str(), c1.remote_deleted_at.as_deref()), ("rC1", None));
    let c3 = store.find_candidate(int1, "C3").await.unwrap().expect("C3");
    assert_eq!(c3.remote_deleted_at.as_deref(), Some(T2));
    assert!(store.find_candidate(int1, "nope").await.unwrap().is_none());
    let of_c1: Vec<String> =
        store.candidate_applications(int1, "C1").await.unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(of_c1, ["A2", "A1"]);
    assert!(store.candidate_applications(int2, "C1").await.unwrap().is_empty());

    // Sync 3: the deleted rows reappear unchanged, which clears remote_deleted_at and moves changed_at.
    let counts = store.apply_sync(int1, T3, full_batch(2, 2)).await.unwrap();
    assert_eq!((counts.changed, counts.deleted), (2, 0));
    let all = store.list_candidates(int1, &query()).await.unwrap();
    assert_eq!(ids(&all), ["C1", "C3", "c2"]);
    assert_eq!(all.iter().map(|r| r.changed_at.as_str()).collect::<Vec<_>>(), [T1, T3, T2]);
    assert!(all.iter().all(|r| r.remote_deleted_at.is_none()));
    assert_eq!(store.find_application(int1, "a3").await.unwrap().unwrap().remote_deleted_at, None);
    assert_eq!(apps(query()).await, ["A1", "A2", "a3"]);

    // Duplicates within one batch collapse into one row (the upstream may page inconsistently).
    let mut batch = full_batch(2, 2);
    batch.jobs.push(job("J1", "Engineer"));
    store.apply_sync(int1, "2026-01-04T10:00:00.000Z", batch).await.unwrap();
    assert_eq!(apps(query()).await, ["A1", "A2", "a3"]);

    // A large sync: more rows than either backend puts into one INSERT.
    let big = SyncBatch {
        jobs: (0..2500).map(|n| job(&format!("job{n:05}"), "Bulk")).collect(),
        candidates: (0..2500).map(|n| candidate(&format!("cand{n:05}"), "Bulk", "Row", &["b@x.test"], 1)).collect(),
        applications: (0..2500)
            .map(|n| application(&format!("app{n:05}"), "cand00000", "job00000", "PENDING", "s1", T1, 1))
            .collect(),
    };
    let counts = store.apply_sync(int2, T3, big).await.unwrap();
    assert_eq!((counts.jobs, counts.candidates, counts.applications, counts.changed), (2500, 2500, 2500, 5000));
    let page = store.list_candidates(int2, &ListQuery { after_id: Some("cand02497".into()), ..query() }).await.unwrap();
    assert_eq!(ids(&page), ["cand02498", "cand02499"]);

    // Idempotency keys: claims with owners and leases.
    idempotency_story(store.as_ref(), &ws.id, &other_ws.id).await;

    // Interaction logs: a lone entry, then a batch larger than one INSERT.
    let first = log("log-0000", Some(&ws.id), "2026-03-01T00:00:00.000Z");
    store.insert_logs(std::slice::from_ref(&first)).await.unwrap();
    let mut duplicate = first.clone();
    duplicate.message = Some("overwritten?".into());
    store.insert_logs(&[duplicate]).await.unwrap();
    let got = store.get_log("log-0000").await.unwrap().expect("log");
    assert_eq!(got.message.as_deref(), Some("ok"), "an existing log entry is kept");
    assert_eq!(got.workspace_id.as_deref(), Some(ws.id.as_str()));
    assert_eq!(got.integration_id.as_deref(), Some("greenhouse:int1"));
    assert_eq!((got.method.as_str(), got.path.as_str(), got.status), ("GET", "/v1/ats/candidates", 200));
    assert_eq!(got.code, None);
    assert_eq!(got.warnings, strings(&["slow upstream"]));
    assert_eq!(got.upstream.len(), 1);
    assert_eq!(got.upstream[0].status, Some(200));
    assert_eq!(got.upstream[0].duration_ms, 12.5);
    assert_eq!(got.duration_ms, 20.25);
    assert_eq!(got.created_at, "2026-03-01T00:00:00.000Z");
    assert!(store.get_log("log-nope").await.unwrap().is_none());

    let many: Vec<InteractionLog> = (1..=2100)
        .map(|n| {
            let workspace = if n % 2 == 0 { Some(ws.id.as_str()) } else { None };
            let mut entry = log(&format!("log-{n:04}"), workspace, &format!("2026-03-02T00:00:{:02}.000Z", n % 60));
            entry.status = 500;
            entry.code = Some("INTERNAL".into());
            entry
        })
        .collect();
    store.insert_logs(&many).await.unwrap();
    assert_eq!(store.list_logs(None, 10_000).await.unwrap().len(), 2101);
    assert_eq!(store.list_logs(Some(&ws.id), 10_000).await.unwrap().len(), 1051);
    let newest = store.list_logs(Some(&ws.id), 3).await.unwrap();
    let newest: Vec<&str> = newest.iter().map(|l| l.id.as_str()).collect();
    // Seconds 58 are the newest among even n; ties broken by id, descending.
    assert_eq!(newest, ["log-2098", "log-2038", "log-1978"]);
    let entry = store.get_log("log-2098").await.unwrap().unwrap();
    assert_eq!((entry.status, entry.code.as_deref()), (500, Some("INTERNAL")));
    assert!(store.list_logs(Some(&other_ws.id), 10).await.unwrap().is_empty());

    crate::store_story_dashboard::story(store.as_ref(), &ws.id, &other_ws.id, int1).await;
}

async fn idempotency_story(store: &dyn Store, ws: &str, other_ws: &str) {
    const NOW: &str = "2026-02-01T12:00:00.000Z";
    const LEASE: &str = "2026-02-01T12:00:15.000Z";
    const EXPIRES: &str = "2026-02-02T12:00:00.000Z";
    async fn claim(
        store: &dyn Store,
        who: IdempotencyOwner<'_>,
        hash: &str,
        now: &str,
        lease: &str,
    ) -> IdempotencyClaim {
        store.idempotency_claim(&who, hash, now, lease, EXPIRES).await.unwrap()
    }
    let owner = |ws, key, node| IdempotencyOwner { workspace_id: ws, key, owner: node };
    let a = |key| owner(ws, key, "node-a");
    let b = |key| owner(ws, key, "node-b");

    assert!(matches!(claim(store, a("k1"), "h1", NOW, LEASE).await, IdempotencyClaim::Claimed { evidence: None }));
    match claim(store, b("k1"), "h1", NOW, LEASE).await {
        IdempotencyClaim::Existing { request_hash, response } => {
            assert_eq!(request_hash, "h1");
            assert!(response.is_none(), "still in flight");
        }
        other => panic!("expected the in-flight claim, got {other:?}"),
    }
    match claim(store, b("k1"), "h2", NOW, LEASE).await {
        IdempotencyClaim::Existing { request_hash, .. } => assert_eq!(request_hash, "h1", "the first hash is kept"),
        other => panic!("expected the existing claim, got {other:?}"),
    }
    assert!(
        matches!(
            claim(store, owner(other_ws, "k1", "node-b"), "h9", NOW, LEASE).await,
            IdempotencyClaim::Claimed { .. }
        ),
        "keys are per workspace"
    );
    assert!(!store.idempotency_renew(&b("k1"), LEASE).await.unwrap(), "only the owner renews");
    assert!(store.idempotency_renew(&a("k1"), "2026-02-01T12:00:30.000Z").await.unwrap());
    store.idempotency_complete(&b("k1"), 500, "not the owner's").await.unwrap();
    store.idempotency_complete(&a("k1"), 201, r#"{"ok":true}"#).await.unwrap();
    store.idempotency_release(&a("k1")).await.unwrap();
    // Completed records are replayed until they expire, whatever the lease said.
    match claim(store, b("k1"), "h1", "2026-02-01T13:00:00.000Z", "2026-02-01T13:00:15.000Z").await {
        IdempotencyClaim::Existing { request_hash, response } => {
            assert_eq!(request_hash, "h1");
            assert_eq!(response, Some((201, r#"{"ok":true}"#.to_string())));
        }
        other => panic!("expected the stored response, got {other:?}"),
    }
    assert!(
        matches!(
            claim(store, b("k1"), "h3", "2026-02-03T00:00:00.000Z", "2026-02-03T00:00:15.000Z").await,
            IdempotencyClaim::Claimed { evidence: None }
        ),
        "an expired record is taken over"
    );

    // Released without an attempt: forgotten, so any request may use the key again.
    assert!(matches!(claim(store, a("k2"), "h1", NOW, LEASE).await, IdempotencyClaim::Claimed { .. }));
    store.idempotency_release(&a("k2")).await.unwrap();
    assert!(matches!(claim(store, b("k2"), "h2", NOW, LEASE).await, IdempotencyClaim::Claimed { evidence: None }));

    // A live lease holds; a lapsed one is taken over by the same request, with its evidence.
    assert!(matches!(claim(store, a("k3"), "h1", NOW, LEASE).await, IdempotencyClaim::Claimed { .. }));
    store.idempotency_record_evidence(&a("k3"), r#"{"baseline":1}"#).await.unwrap();
    store.idempotency_record_evidence(&b("k3"), "not the owner's").await.unwrap();
    assert!(matches!(
        claim(store, b("k3"), "h1", "2026-02-01T12:00:10.000Z", "2026-02-01T12:00:25.000Z").await,
        IdempotencyClaim::Existing { response: None, .. }
    ));
    assert!(
        matches!(
            claim(store, b("k3"), "h2", "2026-02-01T12:00:20.000Z", "2026-02-01T12:00:35.000Z").await,
            IdempotencyClaim::Existing { .. }
        ),
        "a different request never takes a key over"
    );
    match claim(store, b("k3"), "h1", "2026-02-01T12:00:20.000Z", "2026-02-01T12:00:35.000Z").await {
        IdempotencyClaim::Claimed { evidence } => assert_eq!(evidence.as_deref(), Some(r#"{"baseline":1}"#)),
        other => panic!("expected the takeover, got {other:?}"),
    }
    assert!(!store.idempotency_renew(&a("k3"), "2026-02-01T12:01:00.000Z").await.unwrap(), "the old owner lost it");
    // Released with evidence: kept, and the next request takes it over at once, evidence and all.
    store.idempotency_release(&b("k3")).await.unwrap();
    match claim(store, a("k3"), "h1", "2026-02-01T12:00:21.000Z", "2026-02-01T12:00:36.000Z").await {
        IdempotencyClaim::Claimed { evidence } => assert_eq!(evidence.as_deref(), Some(r#"{"baseline":1}"#)),
        other => panic!("expected the takeover, got {other:?}"),
    }
}
