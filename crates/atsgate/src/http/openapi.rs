//! `GET /v1/openapi.json`, generated from the handlers' annotations, the model types and the
//! connectors' declarations (the request bodies' `remote_fields`).

use axum::Json;
use utoipa::{
    openapi::{
        schema::{ObjectBuilder, Schema, SchemaFormat, SchemaType, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        RefOr,
    },
    Modify, OpenApi, PartialSchema, ToSchema,
};

use crate::connectors::{
    self,
    remote_fields::{JsonType, RemoteField},
    AttachmentType, Endpoint,
};

/// The body of `POST /v1/ats/applications/{id}/attachments`: parsed by `actions`, described
/// here from the same sources (Kombo's attachment types, the connectors' remote fields).
pub struct AttachmentRequest;

/// The body of `POST /v1/ats/candidates/{id}/attachments`.
pub struct CandidateAttachmentRequest;

impl PartialSchema for AttachmentRequest {
    fn schema() -> RefOr<Schema> {
        request_schema(Endpoint::Application)
    }
}

impl ToSchema for AttachmentRequest {}

impl PartialSchema for CandidateAttachmentRequest {
    fn schema() -> RefOr<Schema> {
        request_schema(Endpoint::Candidate)
    }
}

impl ToSchema for CandidateAttachmentRequest {}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn attachment_object() -> ObjectBuilder {
    let kinds: Vec<&str> = AttachmentType::ALL.iter().map(|k| k.as_str()).collect();
    ObjectBuilder::new()
        .property(
            "name",
            string().description(Some("File name shown in the ATS, with an extension (e.g. \"Resume.pdf\").")),
        )
        .required("name")
        .property("type", string().enum_values(Some(kinds)))
        .required("type")
        .property(
            "content_type",
            string()
                .pattern(Some(r"^[\w.+-]+/[\w.+-]+$"))
                .description(Some("Required with `data`; taken from the download's `Content-Type` with `data_url`.")),
        )
        .property(
            "data_url",
            string()
                .format(Some(SchemaFormat::Custom("uri".into())))
                .description(Some("Public http(s) URL downloaded at once. Either this or `data`.")),
        )
        .property("data", string().description(Some("Standard base64 file contents. Either this or `data_url`.")))
}

fn request_schema(endpoint: Endpoint) -> RefOr<Schema> {
    ObjectBuilder::new()
        .property("attachment", attachment_object())
        .required("attachment")
        .property("remote_fields", remote_fields_schema(endpoint))
        .into()
}

/// Every tool's declared remote fields for `endpoint`. Left open as in Kombo's schema: keys
/// for other tools, unknown keys and the other endpoint's fields are ignored with a warning.
fn remote_fields_schema(endpoint: Endpoint) -> ObjectBuilder {
    let mut schema =
        ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Object, Type::Null])).description(Some(
            "Per-ATS options, each under its ATS's key. Only the integration's own ATS's fields are used (and \
         checked); anything else is ignored and named in `warnings`.",
        ));
    for entry in connectors::REGISTRY {
        let Some(declared) = entry.remote_fields else { continue };
        let fields: Vec<&RemoteField> = declared.fields.iter().filter(|f| f.endpoints.accepts(endpoint)).collect();
        if !fields.is_empty() {
            let tool =
                nested(&fields, 0).description(Some(format!("Used on {} integrations.", entry.capabilities.label)));
            schema = schema.property(declared.key, tool);
        }
    }
    schema
}

/// The object holding `fields` below `depth` keys of their paths.
fn nested(fields: &[&RemoteField], depth: usize) -> ObjectBuilder {
    let mut object = ObjectBuilder::new();
    let mut keys: Vec<&str> = fields.iter().map(|f| f.path[depth]).collect();
    keys.dedup();
    for key in keys {
        let below: Vec<&RemoteField> = fields.iter().copied().filter(|f| f.path[depth] == key).collect();
        object = match below.as_slice() {
            [leaf] if leaf.path.len() == depth + 1 => object.property(key, leaf_schema(leaf)),
            _ => object.property(key, nested(&below, depth + 1)),
        };
    }
    object
}

fn leaf_schema(field: &RemoteField) -> ObjectBuilder {
    let kind = match field.json_type {
        JsonType::String | JsonType::Enum(_) => Type::String,
        JsonType::Boolean => Type::Boolean,
    };
    let schema_type = if field.nullable { SchemaType::from_iter([kind, Type::Null]) } else { SchemaType::new(kind) };
    let schema = ObjectBuilder::new().schema_type(schema_type).description(Some(field.description));
    match field.json_type {
        JsonType::Enum(values) => schema.enum_values(Some(values.iter().copied())),
        _ => schema,
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "ApiKey",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "atsgate", description = "Self-hosted unified ATS API, wire-compatible with Kombo's unified ATS API."),
    paths(
        super::attachments::add_to_application,
        super::attachments::add_to_candidate,
        super::reading::application_attachments,
        super::reading::candidate_attachments,
        super::reading::application_action,
        super::reading::candidate_action,
        super::models::applications,
        super::models::candidates,
        super::general::check_api_key,
        super::general::get_integration,
        super::general::force_sync,
    ),
    components(schemas(super::error::ErrorEnvelope, crate::actions::Warning)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
