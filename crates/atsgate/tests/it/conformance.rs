//! The connector conformance suite, written once and run against every connector's emulator:
//! every type through both endpoints arriving byte for byte with the right vendor type, the
//! fallback warning exactly where the capabilities say, restrictions enforced without upstream
//! calls, remote fields reaching the vendor, vendor errors mapped, an expired token renewed once,
//! pagination over several pages. The tool list is the gateway's own (`for_each_tool!`), and a
//! test holds it equal to the registry and to the emulators' list.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use atsgate::connectors::{
    self,
    remote_fields::{JsonType, Meaning, RemoteField},
    AttachmentType, Capabilities,
};

use crate::helpers::{assert_error, create_integration, read, sample_body, Options, TestApp};

macro_rules! conformance {
    ($($tool:ident),* $(,)?) => {
        /// The tools the suite runs against.
        const TOOLS: &[&str] = &[$(stringify!($tool)),*];
        $(
        mod $tool {
            #[tokio::test]
            async fn every_type_arrives_through_both_endpoints() {
                super::every_type_arrives_through_both_endpoints(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn files_read_back_through_signed_data_urls() {
                super::files_read_back_through_signed_data_urls(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn restrictions_are_enforced_before_the_ats() {
                super::restrictions_are_enforced_before_the_ats(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn remote_fields_reach_the_vendor() {
                super::remote_fields_reach_the_vendor(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn vendor_errors_are_mapped() {
                super::vendor_errors_are_mapped(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn a_connection_lost_after_storing_gives_one_file_and_success() {
                super::a_connection_lost_after_storing_gives_one_file_and_success(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn sync_pages_through_everything_with_stable_ids() {
                super::sync_pages_through_everything_with_stable_ids(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn an_expired_token_is_renewed_once() {
                super::an_expired_token_is_renewed_once(stringify!($tool)).await;
            }
        }
    )*};
}

atsgate::for_each_tool!(conformance);

/// The gateway's registry, the emulators' list and this suite's list name the same tools, in
/// the same order (the suite also relies on each tool's id being its module's name).
#[test]
fn the_registry_the_emulators_and_the_suite_agree() {
    let registry: Vec<&str> = connectors::REGISTRY.iter().map(|entry| entry.capabilities.tool).collect();
    assert_eq!(registry, TOOLS, "the connector registry and the conformance suite");
    assert_eq!(registry, atsgate_emulators::TOOLS, "the connector registry and the emulators");
}

pub fn caps(tool: &str) -> &'static Capabilities {
    connectors::tool(tool).unwrap_or_else(|| panic!("{tool} is not in the connector registry")).capabilities
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A content type the connector accepts (its first declared one, else PDF).
pub fn accepted_content_type(caps: &Capabilities) -> &'static str {
    match caps.accepted_mime_types {
        Some(list) if !list.contains(&"application/pdf") => list[0],
        _ => "application/pdf",
    }
}

async fn spawn(tool: &'static str) -> TestApp {
    TestApp::spawn_with(Options { tool, ..Options::default() }).await
}

async fn every_type_arrives_through_both_endpoints(tool: &'static str) {
    let app = spawn(tool).await;
    let caps = caps(tool);
    let application = app.first_application().await;
    let candidate_id = application["candidate_id"].as_str().unwrap();
    let candidate_remote_id = application["candidate"]["remote_id"].as_str().unwrap().to_string();
    let content_type = accepted_content_type(caps);
    let mut expected_files = 0;
    for kind in AttachmentType::ALL {
        let Some(vendor_type) = caps.vendor_type(kind) else {
            continue;
        };
        for endpoint in ["applications", "candidates"] {
            let (id, native) = match endpoint {
                "applications" => (application["id"].as_str().unwrap(), caps.attach_to_application),
                _ => (candidate_id, caps.attach_to_candidate),
            };
            let name = format!("{}-{endpoint}.pdf", kind.as_str().to_lowercase());
            let payload: Vec<u8> = format!("{tool} {name} ").bytes().cycle().take(40_000 + expected_files).collect();
            let (status, body) = app
                .post_json(
                    &format!("/v1/ats/{endpoint}/{id}/attachments"),
                    &sample_body(kind.as_str(), &name, &payload, content_type),
                )
                .await;
            assert_eq!(status, 200, "{tool} {endpoint} {}: {body}", kind.as_str());
            expected_files += 1;
            let warnings = body["warnings"].as_array().unwrap();
            if native {
                assert!(warnings.is_empty(), "{tool}: no fallback expected on {endpoint}: {body}");
            } else {
                assert_eq!(warnings.len(), 1, "{tool}: a fallback warning expected on {endpoint}: {body}");
                assert!(warnings[0]["message"].as_str().unwrap().contains(caps.label), "the warning names the ATS");
            }
            let files = app.emulator_files().await;
            let file = files
                .iter()
                .find(|f| f["filename"] == name.as_str())
                .unwrap_or_else(|| panic!("{tool}: {name} arrived"));
            assert_eq!(file["sha256"], sha256(&payload), "{tool}: {name} byte for byte");
            assert_eq!(file["size"], payload.len());
            assert_eq!(file["type"], vendor_type, "{tool}: {name} vendor type");
            assert_eq!(file["candidate_id"], candidate_remote_id.as_str(), "{tool}: {name} on the right candidate");
            if endpoint == "applications" && caps.attach_to_application {
                assert_eq!(file["application_id"], application["remote_id"], "{tool}: {name} on the application");
            }
        }
    }
    assert!(expected_files >= 2, "{tool} maps at least one type");
    assert_eq!(app.emulator_files().await.len(), expected_files, "{tool}: one file per request");
}

async fn files_read_back_through_signed_data_urls(tool: &'static str) {
    let app = spawn(tool).await;
    let caps = caps(tool);
    let application = app.first_application().await;
    let (application_id, candidate_id) =
        (application["id"].as_str().unwrap(), application["candidate_id"].as_str().unwrap());
    let payload: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (s, b) = app
        .post_json(
            &format!("/v1/ats/applications/{application_id}/attachments"),
            &sample_body("CV", "read-back.pdf", &payload, accepted_content_type(caps)),
        )
        .await;
    assert_eq!(s, 200, "{tool}: {b}");
    for (endpoint, id, schema) in [
        ("applications", application_id, "application_attachments"),
        ("candidates", candidate_id, "candidate_attachments"),
    ] {
        let (s, body) = app.get(&format!("/v1/ats/{endpoint}/{id}/attachments")).await;
        assert_eq!(s, 200, "{tool} {endpoint}: {body}");
        crate::schema::assert_valid(schema, &body);
        let results = body["data"]["results"].as_array().unwrap();
        let file = results
            .iter()
            .find(|f| f["file_name"] == "read-back.pdf")
            .unwrap_or_else(|| panic!("{tool}: listed on {endpoint}: {body}"));
        // A vendor that stores CVs and other files alike cannot tell them apart when read back.
        let indistinct = caps.vendor_type(AttachmentType::Cv) == caps.vendor_type(AttachmentType::Other);
        let expected = if indistinct { ["CV", "OTHER"].as_slice() } else { ["CV"].as_slice() };
        assert!(expected.contains(&file["type"].as_str().unwrap()), "{tool}: the vendor type maps back: {file}");
        let url = file["data_url"].as_str().unwrap();
        assert!(url.starts_with(&app.url), "{tool}: data_url is served by atsgate");
        let downloaded = reqwest::get(url).await.unwrap();
        assert_eq!(downloaded.status(), 200);
        assert_eq!(downloaded.bytes().await.unwrap().to_vec(), payload, "{tool}: {endpoint} data_url gives the bytes");
        let mut tampered = url.to_string();
        tampered.pop();
        assert_eq!(reqwest::get(tampered).await.unwrap().status(), 404, "{tool}: a tampered link is refused");
    }
}

async fn restrictions_are_enforced_before_the_ats(tool: &'static str) {
    let app = spawn(tool).await;
    let caps = caps(tool);
    for action in ["ats_add_application_attachment", "ats_add_candidate_attachment"] {
        let (s, body) = app.get(&format!("/v1/ats/actions/{action}")).await;
        assert_eq!(s, 200, "{tool}: {body}");
        crate::schema::assert_valid(action, &body);
        for kind in AttachmentType::ALL {
            let declared = &body["data"]["attachment_restrictions"]["types"][kind.as_str()];
            assert_eq!(declared["is_supported"], caps.vendor_type(kind).is_some(), "{tool} {action} {}", kind.as_str());
        }
    }
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let before = app.upstream_request_count().await;
    let path = format!("/v1/ats/applications/{id}/attachments");
    if caps.accepted_mime_types.is_some() {
        let (s, b) = app.post_json(&path, &sample_body("CV", "cv.bin", b"x", "application/x-not-accepted")).await;
        assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    }
    for kind in AttachmentType::ALL.into_iter().filter(|k| caps.vendor_type(*k).is_none()) {
        let (s, b) =
            app.post_json(&path, &sample_body(kind.as_str(), "x.pdf", b"x", accepted_content_type(caps))).await;
        assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    }
    let (s, b) = app.post_json(&path, &sample_body("CV", "", b"x", accepted_content_type(caps))).await;
    assert_error(s, &b, 400, "PLATFORM.INPUT_INVALID");
    assert_eq!(app.upstream_request_count().await, before, "{tool}: nothing reached the ATS");
}

/// A value a tool would accept for `field`: the emulator's other user for an acting user, a
/// category other than the one a CV maps to, `false`, or text.
pub fn sample_value(field: &RemoteField, actor: &str, caps: &Capabilities) -> Value {
    match (field.meaning, field.json_type) {
        (Meaning::ActingUser, _) => json!(actor),
        (_, JsonType::Enum(values)) => {
            let unmapped = values.iter().find(|v| Some(**v) != caps.vendor_type(AttachmentType::Cv));
            json!(unmapped.unwrap_or(&values[0]))
        }
        (_, JsonType::Boolean) => json!(false),
        (_, JsonType::String) => json!("x"),
    }
}

/// Sets `value` at `path` below `object`, creating the objects on the way.
pub fn set_path(object: &mut Value, path: &[&str], value: Value) {
    let (last, parents) = path.split_last().expect("a path has at least one key");
    let mut at = object;
    for key in parents {
        at = at.as_object_mut().unwrap().entry(*key).or_insert_with(|| json!({}));
    }
    at.as_object_mut().unwrap().insert(last.to_string(), value);
}

async fn remote_fields_reach_the_vendor(tool: &'static str) {
    let app = spawn(tool).await;
    let caps = caps(tool);
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let actor = app.emulator.other_user_ids.first().cloned().unwrap_or_else(|| "4080002".into());
    // Every tool's declared fields, as a caller would send them for that tool: this tool must use
    // its own and ignore (with a warning) the others'.
    let mut fields = json!({});
    let mut others = Vec::new();
    for entry in connectors::REGISTRY {
        let Some(declared) = entry.remote_fields else { continue };
        for field in declared.fields {
            let mut path = vec![declared.key];
            path.extend_from_slice(field.path);
            set_path(&mut fields, &path, sample_value(field, &actor, caps));
        }
        if entry.capabilities.tool != tool {
            others.push(declared.key);
        }
    }
    let mut body = sample_body("CV", "fields.pdf", b"remote fields", accepted_content_type(caps));
    body["remote_fields"] = fields;
    let (s, b) = app.post_json(&format!("/v1/ats/applications/{id}/attachments"), &body).await;
    assert_eq!(s, 200, "{tool}: {b}");
    let warnings: Vec<&str> = b["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["message"].as_str().filter(|m| m.starts_with("remote_fields.")))
        .collect();
    assert_eq!(warnings.len(), others.len(), "{tool}: one warning per other tool's fields: {warnings:?}");
    for key in others {
        let prefix = format!("remote_fields.{key} was ignored: it applies to ");
        assert!(warnings.iter().any(|w| w.starts_with(&prefix)), "{tool}: {prefix}… in {warnings:?}");
    }
    let files = app.emulator_files().await;
    let file = files.iter().find(|f| f["filename"] == "fields.pdf").unwrap();
    let own = connectors::tool(tool).unwrap().remote_fields.map_or(&[][..], |declared| declared.fields);
    for field in own {
        match field.meaning {
            Meaning::ActingUser => assert_eq!(file["actor_user_id"], actor.as_str(), "{tool}: the acting user"),
            Meaning::DocumentCategory => {
                assert_eq!(file["type"], sample_value(field, &actor, caps), "{tool}: the overridden category")
            }
            Meaning::Behaviour => {}
        }
    }
}

async fn upload(app: &TestApp, integration: &str, application_id: &str) -> (u16, Value) {
    read(
        app.client
            .post(format!("{}/v1/ats/applications/{application_id}/attachments", app.url))
            .bearer_auth(&app.key)
            .header("X-Integration-Id", integration)
            .json(&sample_body("CV", "cv.pdf", b"x", accepted_content_type(caps(app.emulator.tool))))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn vendor_errors_are_mapped(tool: &'static str) {
    let app = TestApp::spawn_with(Options { tool, upstream_max_retries: 1, ..Options::default() }).await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let main = app.integration_id.clone();
    for (rule, status, code) in [
        (json!({"status": 429, "retry_after_s": 120, "times": 5, "method": "POST"}), 429, "REMOTE.RATE_LIMIT_EXCEEDED"),
        (json!({"status": 503, "times": 5, "method": "POST"}), 503, "REMOTE.SERVICE_UNAVAILABLE"),
        // Twice: where every call is a POST (Ashby's RPC API), the first is the gateway's look
        // at the target's files before uploading, whose failure only costs it that baseline.
        (json!({"status": 400, "times": 2, "method": "POST"}), 400, "REMOTE.INPUT_INVALID"),
    ] {
        app.add_faults(json!({"clear": true})).await;
        app.add_faults(json!([rule])).await;
        let (s, b) = upload(&app, &main, &id).await;
        assert_error(s, &b, status, code);
    }
    app.add_faults(json!({"clear": true})).await;
    assert!(app.emulator_files().await.is_empty(), "{tool}: no file from a failed call");

    // Wrong credentials: every value altered; a read-only key: the permission is missing.
    let wrong = app.emulator.credentials.iter().map(|(k, v)| (k.clone(), format!("{v}-wrong"))).collect();
    for (credentials, code) in [
        (wrong, "INTEGRATION.AUTHENTICATION_INVALID"),
        (app.emulator.readonly_credentials.clone(), "INTEGRATION.PERMISSION_MISSING"),
    ] {
        let integration = create_integration(&app.app, "acme", &app.emulator, credentials).await;
        atsgate::actions::admin::change_permissions(&app.app, &integration, &["add_attachments".into()], &[])
            .await
            .unwrap();
        // The same remote objects, stored under this integration as its sync would.
        let stored = app.app.store.get_integration(&integration).await.unwrap().unwrap();
        let target = match atsgate::sync::run(&app.app, &stored).await {
            Ok(_) => atsgate::ids::stable_id(
                &integration,
                "application",
                app.first_application().await["remote_id"].as_str().unwrap(),
            ),
            Err(err) => {
                assert_eq!(err.code().as_str(), code, "{tool}: the sync reports the same code");
                crate::errors::seed_application_row(&app, &integration).await
            }
        };
        let (s, b) = upload(&app, &integration, &target).await;
        assert_error(s, &b, 403, code);
    }
}

/// The ambiguous case: the ATS stored the file but the connection dropped before it answered.
/// The gateway must find the file instead of uploading it again, and report success.
async fn a_connection_lost_after_storing_gives_one_file_and_success(tool: &'static str) {
    let app = spawn(tool).await;
    let caps = caps(tool);
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    for kind in ["CV", "OTHER"] {
        app.add_faults(json!([{"reset_after_store": true, "times": 1, "method": "POST"}])).await;
        let name = format!("ambiguous-{kind}.pdf");
        let (s, b) = app
            .post_json(
                &format!("/v1/ats/applications/{id}/attachments"),
                &sample_body(kind, &name, b"stored, then the line went dead", accepted_content_type(caps)),
            )
            .await;
        let files = app.emulator_files().await;
        let stored = files.iter().filter(|f| f["filename"] == name.as_str()).count();
        assert_eq!((s, stored), (200, 1), "{tool} {kind}: {b}");
    }
}

async fn sync_pages_through_everything_with_stable_ids(tool: &'static str) {
    let app = TestApp::spawn_with(Options { tool, seed_candidates: 600, ..Options::default() }).await;
    // Reading jobs, candidates and applications one page each takes at most four successful
    // non-auth calls (some vendors need one more lookup); more means pages were followed.
    let requests = app.emulator_json("/_emulator/requests").await;
    let reads = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 200 && !r["path"].as_str().unwrap_or("").contains("token"))
        .count();
    assert!(reads > 4, "{tool}: the sync read more than one page of some list ({reads} calls)");
    let candidates = app.list_all("candidates", "page_size=250").await;
    let applications = app.list_all("applications", "page_size=250").await;
    assert_eq!(candidates.len(), 600, "{tool}: every candidate synced");
    let nested: usize = candidates.iter().map(|c| c["applications"].as_array().unwrap().len()).sum();
    assert_eq!(applications.len(), nested, "{tool}: every application synced");
    app.sync().await;
    let again = app.list_all("applications", "page_size=250").await;
    let ids = |v: &[Value]| {
        v.iter().map(|a| a["id"].as_str().unwrap().to_string()).collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(ids(&again), ids(&applications), "{tool}: same ids on the second sync");
}

/// Issued tokens that expire are renewed once and the call goes through; a credential the ATS
/// keeps refusing is renewed at most once, so the call fails as an authentication error instead
/// of looping. Vendors with static API keys (everything but Greenhouse today) have nothing to
/// renew: their emulator says `static_credentials`, the first half is then the plain static-key
/// path, and the second half proves a 401 is classified without any retry.
async fn an_expired_token_is_renewed_once(tool: &'static str) {
    let app = TestApp::spawn_with(Options { tool, upstream_max_retries: 1, ..Options::default() }).await;
    let caps = caps(tool);
    let path = format!("/v1/ats/applications/{}/attachments", app.first_application().await["id"].as_str().unwrap());
    let client = reqwest::Client::new();
    let control = |route: &str| format!("{}/_emulator/{route}", app.emulator.base_url);
    let refusals = || async {
        let requests = app.emulator_json("/_emulator/requests").await;
        requests.as_array().unwrap().iter().filter(|r| r["status"] == 401).count()
    };

    let expired: Value = client.post(control("expire-tokens")).send().await.unwrap().json().await.unwrap();
    let static_key = expired["static_credentials"] == true;
    if !static_key {
        assert!(
            expired["expired"].as_u64().unwrap() >= 1,
            "{tool}: the sync's token was issued and expired: {expired}"
        );
    }
    client.delete(control("requests")).send().await.unwrap();
    let body = sample_body("CV", "after-expiry.pdf", b"renewed", accepted_content_type(caps));
    let (s, b) = app.post_json(&path, &body).await;
    assert_eq!(s, 200, "{tool}: {b}");
    let files = app.emulator_files().await;
    assert_eq!(files.iter().filter(|f| f["filename"] == "after-expiry.pdf").count(), 1, "{tool}: one file");
    let expected = if static_key { 0 } else { 1 };
    assert_eq!(refusals().await, expected, "{tool}: the expired token is refused once, then renewed");

    client.delete(control("requests")).send().await.unwrap();
    app.add_faults(json!([{"status": 401, "times": 10, "method": "POST"}])).await;
    let (s, b) = app.post_json(&path, &sample_body("CV", "refused.pdf", b"x", accepted_content_type(caps))).await;
    assert_error(s, &b, 403, "INTEGRATION.AUTHENTICATION_INVALID");
    let expected = if static_key { 1 } else { 2 };
    assert_eq!(refusals().await, expected, "{tool}: a refused credential is renewed at most once");
    app.add_faults(json!({"clear": true})).await;
}
