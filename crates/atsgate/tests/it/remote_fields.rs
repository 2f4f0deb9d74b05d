//! `remote_fields` against every tool, open and closed. Kombo's schema leaves `remote_fields`
//! open at every level, so keys for other tools, keys a tool does not take and fields of the
//! other endpoint are accepted, and the answer's `warnings` say what was ignored and why. An
//! integration's own tool's fields must have their declared type, and a value the vendor cannot
//! use is a 400 naming the field. The cases are built from the connectors' declarations.

use serde_json::{json, Value};

use atsgate::connectors::{
    self,
    remote_fields::{Endpoints, JsonType, Meaning, RemoteField, RemoteFields},
    Capabilities,
};

use crate::{
    conformance::{accepted_content_type, caps, sample_value, set_path},
    helpers::{assert_error, sample_body, Options, TestApp},
};

macro_rules! remote_fields_cases {
    ($($tool:ident),* $(,)?) => {$(
        mod $tool {
            #[tokio::test]
            async fn open_cases_are_accepted_and_named_in_warnings() {
                super::open_cases(stringify!($tool)).await;
            }
            #[tokio::test]
            async fn closed_cases_name_the_field_and_never_reach_the_ats() {
                super::closed_cases(stringify!($tool)).await;
            }
        }
    )*};
}

atsgate::for_each_tool!(remote_fields_cases);

fn own_fields(tool: &str) -> Option<&'static RemoteFields> {
    connectors::tool(tool).unwrap().remote_fields
}

fn body(name: &str, caps: &Capabilities, remote_fields: Value) -> Value {
    let mut body = sample_body("CV", name, b"remote fields", accepted_content_type(caps));
    body["remote_fields"] = remote_fields;
    body
}

/// The `remote_fields.*` warnings of an answer, sorted.
fn remote_warnings(answer: &Value) -> Vec<String> {
    let mut found: Vec<String> = answer["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["message"].as_str().filter(|m| m.starts_with("remote_fields.")).map(str::to_string))
        .collect();
    found.sort();
    found
}

/// A value of the wrong JSON type for `field`.
fn wrong_type(field: &RemoteField) -> Value {
    match field.json_type {
        JsonType::Boolean => json!("yes"),
        JsonType::String | JsonType::Enum(_) => json!(5),
    }
}

async fn open_cases(tool: &'static str) {
    let app = TestApp::spawn_with(Options { tool, ..Options::default() }).await;
    let caps = caps(tool);
    let application = app.first_application().await;
    let actor = app.emulator.other_user_ids.first().cloned().unwrap_or_default();
    let mut fields = json!({"bamboohr": {"x": 1}});
    let mut expected = vec![
        r#"remote_fields.bamboohr was ignored: no supported ATS takes remote fields under "bamboohr"."#.to_string(),
    ];
    for entry in connectors::REGISTRY.iter().filter(|e| e.capabilities.tool != tool) {
        let Some(declared) = entry.remote_fields else { continue };
        // Values the other tool could not use (an empty acting user, a wrong type): ignored here.
        for field in declared.fields {
            let mut path = vec![declared.key];
            path.extend_from_slice(field.path);
            let unusable = if field.meaning == Meaning::ActingUser { json!("") } else { wrong_type(field) };
            set_path(&mut fields, &path, unusable);
        }
        expected.push(format!(
            "remote_fields.{} was ignored: it applies to {} integrations, and this integration is {}.",
            declared.key, entry.capabilities.label, caps.label
        ));
    }
    // The tool's own fields, usable, with a key it does not take beside each of its objects' keys.
    let mut application_only = Vec::new();
    if let Some(declared) = own_fields(tool) {
        for field in declared.fields {
            let mut path = vec![declared.key];
            path.extend_from_slice(field.path);
            set_path(&mut fields, &path, sample_value(field, &actor, caps));
            for depth in 1..path.len() {
                let mut unknown = path[..depth].to_vec();
                unknown.push("atsgate_unknown");
                set_path(&mut fields, &unknown, json!(1));
                let message =
                    format!("remote_fields.{} was ignored: {} takes no such field.", unknown.join("."), caps.label);
                if !expected.contains(&message) {
                    expected.push(message);
                }
            }
            if field.endpoints == Endpoints::ApplicationOnly {
                application_only.push(format!(
                    "{} was ignored: it applies to the application endpoint only.",
                    declared.name(field.path)
                ));
            }
        }
    }
    expected.sort();

    let path = format!("/v1/ats/applications/{}/attachments", application["id"].as_str().unwrap());
    let (s, answer) = app.post_json(&path, &body("open-application.pdf", caps, fields.clone())).await;
    assert_eq!(s, 200, "{tool}: {answer}");
    assert_eq!(remote_warnings(&answer), expected, "{tool}: every ignored part named once");

    let path = format!("/v1/ats/candidates/{}/attachments", application["candidate_id"].as_str().unwrap());
    let (s, answer) = app.post_json(&path, &body("open-candidate.pdf", caps, fields)).await;
    assert_eq!(s, 200, "{tool}: {answer}");
    expected.extend(application_only);
    expected.sort();
    assert_eq!(remote_warnings(&answer), expected, "{tool}: application-only fields are ignored on candidates");

    let files = app.emulator_files().await;
    for name in ["open-application.pdf", "open-candidate.pdf"] {
        assert_eq!(files.iter().filter(|f| f["filename"] == name).count(), 1, "{tool}: {name} arrived");
    }
}

async fn closed_cases(tool: &'static str) {
    let app = TestApp::spawn_with(Options { tool, ..Options::default() }).await;
    let caps = caps(tool);
    let path = format!("/v1/ats/applications/{}/attachments", app.first_application().await["id"].as_str().unwrap());
    let before = app.upstream_request_count().await;
    let mut cases = vec![(json!("not an object"), "remote_fields must be an object".to_string())];
    if let Some(declared) = own_fields(tool) {
        let mut not_an_object = json!({});
        set_path(&mut not_an_object, &[declared.key], json!([]));
        cases.push((not_an_object, format!("remote_fields.{} must be an object", declared.key)));
        for field in declared.fields {
            let name = declared.name(field.path);
            let mut with = |value: Value| {
                let mut fields = json!({});
                let mut path = vec![declared.key];
                path.extend_from_slice(field.path);
                set_path(&mut fields, &path, value);
                cases.push((fields, name.clone()));
            };
            with(wrong_type(field));
            match (field.meaning, field.json_type) {
                (_, JsonType::Enum(_)) => with(json!("NOT_A_CATEGORY")),
                (Meaning::ActingUser, _) => with(json!("a\u{0}b")),
                _ => {}
            }
        }
    }
    for (fields, needle) in cases {
        let (s, answer) = app.post_json(&path, &body("closed.pdf", caps, fields.clone())).await;
        assert_error(s, &answer, 400, "PLATFORM.INPUT_INVALID");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(&needle), "{tool}: {message:?} should name {needle:?} for {fields}");
    }
    assert_eq!(app.upstream_request_count().await, before, "{tool}: nothing reached the ATS");
}

#[tokio::test]
async fn greenhouse_acting_users_must_be_greenhouse_user_ids_and_a_blank_one_is_ignored() {
    let app = TestApp::spawn().await;
    let caps = caps("greenhouse");
    let path = format!("/v1/ats/applications/{}/attachments", app.first_application().await["id"].as_str().unwrap());
    let acting = |user: &str| json!({"greenhouse": {"post_headers": {"On-Behalf-Of": user}}});

    let (s, answer) = app.post_json(&path, &body("blank.pdf", caps, acting(" "))).await;
    assert_eq!(s, 200, "{answer}");
    let warnings = remote_warnings(&answer);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("remote_fields.greenhouse.post_headers.On-Behalf-Of was empty and was ignored"));
    let files = app.emulator_files().await;
    let file = files.iter().find(|f| f["filename"] == "blank.pdf").unwrap();
    assert_eq!(file["actor_user_id"], app.emulator.credentials["user_id"].as_str(), "the integration's user acts");

    let before = app.upstream_request_count().await;
    let (s, answer) = app.post_json(&path, &body("name.pdf", caps, acting("jane@example.com"))).await;
    assert_error(s, &answer, 400, "PLATFORM.INPUT_INVALID");
    assert!(answer["error"]["message"].as_str().unwrap().contains("On-Behalf-Of must be a Greenhouse user id"));
    assert_eq!(app.upstream_request_count().await, before, "refused before the ATS");

    // A well-formed id Greenhouse does not know: Greenhouse refuses the acting user.
    let (s, answer) = app.post_json(&path, &body("stranger.pdf", caps, acting("999999"))).await;
    assert_error(s, &answer, 400, "REMOTE.INPUT_INVALID");
    assert!(answer["error"]["message"].as_str().unwrap().contains("acting user"), "{answer}");
    assert!(app.emulator_files().await.iter().all(|f| f["filename"] != "stranger.pdf"));
}

#[tokio::test]
async fn oracle_fields_on_the_candidate_endpoint_change_nothing() {
    let app = TestApp::spawn_with(Options { tool: "oraclerecruiting", ..Options::default() }).await;
    let caps = caps("oraclerecruiting");
    let candidate = app.first_application().await["candidate_id"].as_str().unwrap().to_string();
    let fields =
        json!({"oracle": {"override_document_category": "MISC", "multi_post_to_all_current_applications": true}});
    let (s, answer) =
        app.post_json(&format!("/v1/ats/candidates/{candidate}/attachments"), &body("cv.pdf", caps, fields)).await;
    assert_eq!(s, 200, "{answer}");
    assert_eq!(remote_warnings(&answer).len(), 2, "{answer}");
    let files = app.emulator_files().await;
    assert_eq!(files.len(), 1, "posted once, to the candidate");
    assert_eq!(files[0]["type"], "IRC_CANDIDATE_RESUME", "the category is not overridden");
}

/// The OpenAPI document describes each declared field where it is accepted, and nothing else.
#[tokio::test]
async fn the_openapi_document_is_made_from_the_declarations() {
    let app = TestApp::spawn_with(Options { sync: false, ..Options::default() }).await;
    let doc: Value = reqwest::get(format!("{}/v1/openapi.json", app.url)).await.unwrap().json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, endpoint_takes) in [
        ("AttachmentRequest", (|_: &RemoteField| true) as fn(&RemoteField) -> bool),
        ("CandidateAttachmentRequest", |f: &RemoteField| f.endpoints == Endpoints::Both),
    ] {
        let remote = &schemas[schema]["properties"]["remote_fields"];
        assert!(remote["additionalProperties"].is_null(), "{schema}: remote_fields stays open");
        let mut described = 0;
        for entry in connectors::REGISTRY {
            let Some(declared) = entry.remote_fields else { continue };
            for field in declared.fields {
                let mut at = &remote["properties"][declared.key];
                for key in field.path {
                    at = &at["properties"][*key];
                }
                assert_eq!(at.is_object(), endpoint_takes(field), "{schema}: {}", declared.name(field.path));
                if endpoint_takes(field) {
                    assert_eq!(at["description"], field.description);
                    described += 1;
                }
            }
        }
        let tools = remote["properties"].as_object().unwrap();
        let declared_keys =
            connectors::REGISTRY.iter().filter_map(|e| e.remote_fields).filter(|d| d.fields.iter().any(endpoint_takes));
        assert_eq!(tools.len(), declared_keys.count(), "{schema}: one object per tool with fields here");
        assert!(described > 0);
    }
}
