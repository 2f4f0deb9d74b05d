//! Validates responses against the schemas of Kombo's own OpenAPI document (a copy in
//! `tests/fixtures`), the document the official SDKs were generated from.

use std::{collections::HashMap, sync::OnceLock};

use serde_json::{json, Value};

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = include_str!("../fixtures/kombo-openapi.json");
        serde_json::from_str(text).expect("kombo-openapi.json parses")
    })
}

fn pointer(name: &str) -> &'static str {
    match name {
        "action" => "#/components/schemas/PostAtsApplicationsApplicationIdAttachmentsPositiveResponse",
        "candidate_action" => "#/components/schemas/PostAtsCandidatesCandidateIdAttachmentsPositiveResponse",
        "applications" => "#/components/schemas/GetAtsApplicationsPositiveResponse",
        "candidates" => "#/components/schemas/GetAtsCandidatesPositiveResponse",
        "check_api_key" => "#/components/schemas/GetCheckApiKeyPositiveResponse",
        "integration" => "#/components/schemas/GetIntegrationsIntegrationIdPositiveResponse",
        "application_attachments" => "#/components/schemas/GetAtsApplicationsApplicationIdAttachmentsPositiveResponse",
        "candidate_attachments" => "#/components/schemas/GetAtsCandidatesCandidateIdAttachmentsPositiveResponse",
        "ats_add_application_attachment" => {
            "#/components/schemas/GetAtsActionsAtsAddApplicationAttachmentPositiveResponse"
        }
        "ats_add_candidate_attachment" => "#/components/schemas/GetAtsActionsAtsAddCandidateAttachmentPositiveResponse",
        "force_sync" => "#/components/schemas/PostForceSyncPositiveResponse",
        "error" => "#/components/responses/ErrorResponseATS/content/application~1json/schema",
        other => panic!("no schema named {other}"),
    }
}

/// Panics with every validation error when `instance` does not match the named schema.
pub fn assert_valid(name: &str, instance: &Value) {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let validator = {
        let mut cache = cache.lock().unwrap();
        cache
            .entry(name.to_string())
            .or_insert_with(|| {
                let mut root = document().clone();
                let object = root.as_object_mut().unwrap();
                object.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
                object.insert("$ref".into(), json!(pointer(name)));
                std::sync::Arc::new(jsonschema::validator_for(&root).expect("schema compiles"))
            })
            .clone()
    };
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "response does not match Kombo's {name} schema:\n{}\n{instance}", errors.join("\n"));
}
