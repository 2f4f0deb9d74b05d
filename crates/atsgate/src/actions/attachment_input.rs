//! Parsing and validating the body of the two "add attachment" endpoints (spec §1). The body is
//! deserialized borrowing from the request bytes, so a large base64 `data` is never copied when
//! it is already clean standard base64.

use std::borrow::Cow;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;

pub use crate::connectors::Endpoint;
use crate::{
    connectors::{
        self,
        remote_fields::{Given, JsonType, RemoteField, RemoteFields},
        AttachmentType, FileContent, ToolOptions,
    },
    error::{Error, Result},
};

use super::Warning;

/// Longest accepted file name, in characters.
pub const MAX_NAME_CHARS: usize = 255;

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    attachment: AttachmentDto<'a>,
    /// Kept as given: what it means depends on the integration's tool (see `remote_options`).
    #[serde(default)]
    remote_fields: Option<Value>,
}

#[derive(Deserialize)]
struct AttachmentDto<'a> {
    name: String,
    #[serde(rename = "type")]
    kind: AttachmentType,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    data_url: Option<String>,
    #[serde(default, borrow)]
    data: Option<Base64Text<'a>>,
}

/// The `data` string, borrowed from the request body unless JSON escapes forced a copy. (serde
/// borrows a `Cow` only when it is the field's own type, hence the newtype inside the `Option`.)
#[derive(Deserialize)]
struct Base64Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// Where the bytes come from.
#[derive(Debug)]
pub enum FileSource {
    Inline(FileContent),
    Url(String),
}

/// A body that passed every check.
#[derive(Debug)]
pub struct AttachmentInput {
    pub name: String,
    pub kind: AttachmentType,
    pub content_type: Option<String>,
    pub source: FileSource,
    /// The endpoint the body came to.
    pub endpoint: Endpoint,
    /// `remote_fields` as given; [`AttachmentInput::remote_options`] reads it.
    pub remote_fields: Option<Value>,
}

impl AttachmentInput {
    /// `remote_fields` read for an integration of `tool` (see [`remote_options`]).
    pub fn remote_options(&self, tool: &str) -> Result<RemoteOptions> {
        remote_options(self.remote_fields.as_ref(), self.endpoint, tool)
    }
}

/// Parses and validates; `max_bytes` is the decoded size limit (413 beyond). `remote_fields`
/// depend on the integration's tool, so they are checked by [`AttachmentInput::remote_options`].
pub fn parse(body: &Bytes, endpoint: Endpoint, max_bytes: u64) -> Result<AttachmentInput> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: Body<'_> = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            Error::input(format!("The request body is not valid JSON: {inner}"))
        } else if path == "." {
            Error::input(format!("Invalid request body: {inner}"))
        } else {
            Error::input(format!("Invalid request body at {path}: {inner}"))
        }
    })?;
    deserializer.end().map_err(|e| Error::input(format!("The request body is not valid JSON: {e}")))?;
    let a = parsed.attachment;

    validate_name(&a.name)?;
    let content_type = match a.content_type {
        Some(ct) => Some(validate_content_type(&ct)?),
        None => None,
    };
    let source = match (a.data, a.data_url) {
        (Some(_), Some(_)) => {
            return Err(Error::input("attachment: provide either `data` or `data_url`, not both"));
        }
        (None, None) => return Err(Error::input("attachment: provide either `data` (base64) or `data_url`")),
        (Some(data), None) => {
            if content_type.is_none() {
                return Err(Error::input("attachment.content_type is required when `data` is provided"));
            }
            FileSource::Inline(decode_data(body, data.0, max_bytes)?)
        }
        (None, Some(url)) => {
            if url.trim().is_empty() {
                return Err(Error::input("attachment.data_url must not be empty"));
            }
            FileSource::Url(url)
        }
    };
    Ok(AttachmentInput {
        name: a.name,
        kind: a.kind,
        content_type,
        source,
        endpoint,
        remote_fields: parsed.remote_fields,
    })
}

fn validate_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::input("attachment.name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::input(format!("attachment.name must be at most {MAX_NAME_CHARS} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::input("attachment.name must not contain control characters"));
    }
    Ok(())
}

/// `type/subtype` per the spec's pattern `^[\w.-]+/[\w.-]+$` (plus `+`, as in `image/svg+xml`);
/// parameters such as `; charset=utf-8` are dropped.
pub fn validate_content_type(raw: &str) -> Result<String> {
    let essence = raw.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let valid_part = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c));
    match essence.split_once('/') {
        Some((kind, sub)) if valid_part(kind) && valid_part(sub) => Ok(essence),
        _ => Err(Error::input(format!("attachment.content_type {raw:?} is not a MIME type like \"application/pdf\""))),
    }
}

/// Checks `data` is standard base64 (padding optional, line breaks tolerated) and returns it in
/// canonical padded form — the very request bytes when they already are. The common case (clean,
/// padded) costs one SIMD validation pass and no copy.
fn decode_data(body: &Bytes, data: Cow<'_, str>, max_bytes: u64) -> Result<FileContent> {
    let raw = data.as_bytes();
    let padding = raw.iter().rev().take(2).take_while(|b| **b == b'=').count();
    let decoded_len = ((raw.len() - padding) as u64 * 3) / 4;
    if raw.len().is_multiple_of(4) && !raw.is_empty() && base64_simd::STANDARD.check(raw).is_ok() {
        check_decoded_size(decoded_len, max_bytes)?;
        let encoded = match &data {
            // Still a view into the request body: share it instead of copying.
            Cow::Borrowed(text) => body.slice_ref(text.as_bytes()),
            Cow::Owned(text) => Bytes::copy_from_slice(text.as_bytes()),
        };
        return Ok(FileContent::Base64 { encoded, decoded_len });
    }
    normalize_base64(raw, max_bytes)
}

fn check_decoded_size(decoded_len: u64, max_bytes: u64) -> Result<()> {
    if decoded_len > max_bytes {
        return Err(Error::PayloadTooLarge {
            message: format!("The attachment is {decoded_len} bytes; the limit is {max_bytes} bytes"),
        });
    }
    Ok(())
}

/// The slow path: strips line breaks, restores padding and explains what is wrong.
fn normalize_base64(raw: &[u8], max_bytes: u64) -> Result<FileContent> {
    let mut canonical: Vec<u8> = raw.iter().copied().filter(|b| !matches!(b, b'\r' | b'\n' | b'\t' | b' ')).collect();
    if canonical.iter().any(|b| *b == b'-' || *b == b'_') {
        return Err(Error::input("attachment.data must be standard base64; found URL-safe characters '-' or '_'"));
    }
    let unpadded = canonical.len() - canonical.iter().rev().take_while(|b| **b == b'=').count();
    if unpadded == 0 {
        return Err(Error::input("attachment.data is empty"));
    }
    if unpadded % 4 == 1 || canonical.len() - unpadded > 2 {
        return Err(Error::input("attachment.data is not valid base64 (wrong length)"));
    }
    let decoded_len = (unpadded as u64 * 3) / 4;
    check_decoded_size(decoded_len, max_bytes)?;
    canonical.truncate(unpadded);
    canonical.resize(unpadded.div_ceil(4) * 4, b'=');
    if base64_simd::STANDARD.check(&canonical).is_err() {
        return Err(Error::input("attachment.data is not valid base64"));
    }
    Ok(FileContent::Base64 { encoded: Bytes::from(canonical), decoded_len })
}

/// The integration's own tool's options from `remote_fields`, and warnings for what was ignored.
#[derive(Debug, Default)]
pub struct RemoteOptions {
    pub options: ToolOptions,
    pub warnings: Vec<Warning>,
}

/// Reads `remote_fields` for an integration of `tool`. Kombo's schema leaves every level open,
/// so keys for other tools, keys a tool does not take and fields of the other endpoint are
/// ignored with a warning saying why; the tool's own fields must have their declared type, and
/// a value the tool cannot use is a 400 naming the field. `null` means "not given" everywhere.
pub fn remote_options(fields: Option<&Value>, endpoint: Endpoint, tool: &str) -> Result<RemoteOptions> {
    let mut found = RemoteOptions::default();
    let fields = match fields {
        None | Some(Value::Null) => return Ok(found),
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(Error::input("remote_fields must be an object")),
    };
    for (key, value) in fields {
        if value.is_null() {
            continue;
        }
        let ignored = |why: String| Warning::new(format!("remote_fields.{key} was ignored: {why}."));
        match connectors::remote_fields_owner(key) {
            None => found.warnings.push(ignored(format!("no supported ATS takes remote fields under \"{key}\""))),
            Some((owner, _)) if owner.capabilities.tool != tool => {
                let this = connectors::tool(tool).map_or(tool, |entry| entry.capabilities.label);
                found.warnings.push(ignored(format!(
                    "it applies to {} integrations, and this integration is {this}",
                    owner.capabilities.label
                )));
            }
            Some((owner, declared)) => {
                let mut given = Given { fields: declared, values: Vec::new() };
                walk(value, &[], declared, owner.capabilities.label, endpoint, &mut given, &mut found.warnings)?;
                let parsed = (declared.parse)(&given).map_err(|e| Error::input(e.to_string()))?;
                found.options = parsed.options;
                found.warnings.extend(parsed.notes.into_iter().map(Warning::new));
            }
        }
    }
    Ok(found)
}

/// Checks one object of a tool's `remote_fields` against its declarations, collecting the values
/// of declared fields into `given`.
fn walk<'v>(
    value: &'v Value,
    at: &[&'static str],
    declared: &'static RemoteFields,
    label: &str,
    endpoint: Endpoint,
    given: &mut Given<'v>,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let Value::Object(object) = value else {
        return Err(Error::input(format!("{} must be an object", declared.name(at))));
    };
    for (key, value) in object {
        if value.is_null() {
            continue;
        }
        let inside = |field: &RemoteField| field.path.len() > at.len() && field.path[..at.len()] == *at;
        let Some(field) = declared.fields.iter().filter(|f| inside(f)).find(|f| f.path[at.len()] == key.as_str())
        else {
            let mut path = at.to_vec();
            path.push(key);
            let name = declared.name(&path);
            warnings.push(Warning::new(format!("{name} was ignored: {label} takes no such field.")));
            continue;
        };
        let path = &field.path[..=at.len()];
        if path.len() < field.path.len() {
            walk(value, path, declared, label, endpoint, given, warnings)?;
        } else if !field.endpoints.accepts(endpoint) {
            let name = declared.name(path);
            warnings.push(Warning::new(format!("{name} was ignored: it applies to the application endpoint only.")));
        } else {
            check_type(value, field, declared)?;
            given.values.push((field, value));
        }
    }
    Ok(())
}

fn check_type(value: &Value, field: &RemoteField, declared: &RemoteFields) -> Result<()> {
    let fits = match field.json_type {
        JsonType::String => value.is_string(),
        JsonType::Boolean => value.is_boolean(),
        JsonType::Enum(allowed) => value.as_str().is_some_and(|v| allowed.contains(&v)),
    };
    if fits {
        return Ok(());
    }
    let expected = match field.json_type {
        JsonType::String => "a string".to_string(),
        JsonType::Boolean => "true or false".to_string(),
        JsonType::Enum(allowed) => format!("one of {}", allowed.join(", ")),
    };
    Err(Error::input(format!("{} must be {expected}", declared.name(field.path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(json: &str) -> Result<AttachmentInput> {
        parse(&Bytes::copy_from_slice(json.as_bytes()), Endpoint::Application, 1000)
    }

    fn inline(input: &AttachmentInput) -> (Bytes, u64) {
        match &input.source {
            FileSource::Inline(FileContent::Base64 { encoded, decoded_len }) => (encoded.clone(), *decoded_len),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn base64_variants_are_normalised() {
        let ok = parse_str(r#"{"attachment":{"name":"a.txt","type":"CV","content_type":"text/plain","data":"SGk="}}"#)
            .unwrap();
        assert_eq!(inline(&ok), (Bytes::from_static(b"SGk="), 2));
        let unpadded =
            parse_str(r#"{"attachment":{"name":"a.txt","type":"CV","content_type":"text/plain","data":"SGk"}}"#)
                .unwrap();
        assert_eq!(inline(&unpadded).0, Bytes::from_static(b"SGk="));
        let wrapped = parse_str(
            r#"{"attachment":{"name":"a.txt","type":"CV","content_type":"text/plain","data":"SGVs\r\nbG8="}}"#,
        )
        .unwrap();
        assert_eq!(inline(&wrapped), (Bytes::from_static(b"SGVsbG8="), 5));
    }

    #[test]
    fn clean_base64_is_forwarded_without_a_copy() {
        let body = Bytes::from_static(
            br#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"SGVsbG8h"}}"#,
        );
        let input = parse(&body, Endpoint::Application, 100).unwrap();
        let (encoded, len) = inline(&input);
        assert_eq!((encoded.as_ref(), len), (&b"SGVsbG8h"[..], 6));
        assert!(body.as_ptr_range().contains(&encoded.as_ptr()), "a view into the request body");
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                r#"{"attachment":{"name":"a","type":"RESUME","content_type":"text/plain","data":"SGk="}}"#,
                "attachment.type",
            ),
            (r#"{"attachment":{"name":"","type":"CV","content_type":"text/plain","data":"SGk="}}"#, "attachment.name"),
            (r#"{"attachment":{"name":"a\u0007","type":"CV","content_type":"text/plain","data":"SGk="}}"#, "control"),
            (r#"{"attachment":{"name":"a","type":"CV","data":"SGk="}}"#, "content_type"),
            (r#"{"attachment":{"name":"a","type":"CV","content_type":"pdf","data":"SGk="}}"#, "content_type"),
            (r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"S-k_"}}"#, "URL-safe"),
            (r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"S"}}"#, "base64"),
            (r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain"}}"#, "data_url"),
            (
                r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"SGk=","data_url":"https://x"}}"#,
                "not both",
            ),
            (r#"{"attachment":"#, "not valid JSON"),
            (r#"{}"#, "attachment"),
        ];
        for (json, expected) in cases {
            let err = parse_str(json).unwrap_err();
            assert!(matches!(err, Error::InputInvalid(_)), "{json}: {err:?}");
            assert!(err.to_string().contains(expected), "{json}: {err}");
        }
    }

    #[test]
    fn size_limit_is_on_decoded_bytes() {
        let data = "A".repeat(1336); // 1002 bytes decoded
        let json =
            format!(r#"{{"attachment":{{"name":"a","type":"CV","content_type":"text/plain","data":"{data}"}}}}"#);
        assert!(matches!(parse_str(&json), Err(Error::PayloadTooLarge { .. })));
    }

    /// `remote_fields` of a body, read for `tool` at `endpoint`.
    fn remote(json: &str, endpoint: Endpoint, tool: &str) -> Result<RemoteOptions> {
        let body = format!(
            r#"{{"attachment":{{"name":"a","type":"CV","content_type":"text/plain","data":"SGk="}},"remote_fields":{json}}}"#
        );
        parse(&Bytes::from(body), endpoint, 10)?.remote_options(tool)
    }

    fn warnings(options: &RemoteOptions) -> Vec<&str> {
        options.warnings.iter().map(|w| w.message.as_str()).collect()
    }

    // Kombo's schema leaves remote_fields open: these were 400s before and are accepted now,
    // each ignored part named in a warning.
    #[test]
    fn what_a_tool_does_not_take_is_ignored_with_a_warning() {
        let open = remote(
            r#"{"lever":{"x":1},"greenhouse":{"post_headers":{"On-Behalf-Of":""}},"oracle":{"override_document_category":"NOPE"}}"#,
            Endpoint::Application,
            "teamtailor",
        )
        .unwrap();
        assert_eq!(format!("{:?}", open.options), "ToolOptions(none)", "nothing for Teamtailor");
        assert_eq!(
            warnings(&open),
            [
                "remote_fields.greenhouse was ignored: it applies to Greenhouse integrations, and this integration is Teamtailor.",
                "remote_fields.lever was ignored: no supported ATS takes remote fields under \"lever\".",
                "remote_fields.oracle was ignored: it applies to Oracle Recruiting Cloud integrations, and this integration is Teamtailor.",
            ]
        );
        let unknown = remote(
            r#"{"greenhouse":{"post_headers":{"On-Behalf-Of":"42","X-Other":"1"},"extra":true}}"#,
            Endpoint::Candidate,
            "greenhouse",
        )
        .unwrap();
        assert_eq!(
            warnings(&unknown),
            [
                "remote_fields.greenhouse.extra was ignored: Greenhouse takes no such field.",
                "remote_fields.greenhouse.post_headers.X-Other was ignored: Greenhouse takes no such field.",
            ]
        );
    }

    #[test]
    fn oracle_fields_apply_on_the_application_endpoint_only() {
        let json = r#"{"oracle":{"override_document_category":"MISC","multi_post_to_all_current_applications":true}}"#;
        let application = remote(json, Endpoint::Application, "oraclerecruiting").unwrap();
        assert!(application.warnings.is_empty(), "{:?}", application.warnings);
        let candidate = remote(json, Endpoint::Candidate, "oraclerecruiting").unwrap();
        assert_eq!(candidate.warnings.len(), 2, "{:?}", candidate.warnings);
        assert!(warnings(&candidate)
            .iter()
            .all(|w| w.ends_with("was ignored: it applies to the application endpoint only.")));
        // On the candidate endpoint even a value Oracle could not use is only ignored.
        let ignored =
            remote(r#"{"oracle":{"override_document_category":"NOPE"}}"#, Endpoint::Candidate, "oraclerecruiting");
        assert!(ignored.is_ok());
    }

    #[test]
    fn the_tools_own_fields_must_be_usable() {
        let cases = [
            (
                r#"{"greenhouse":{"post_headers":{"On-Behalf-Of":5}}}"#,
                "greenhouse",
                "remote_fields.greenhouse.post_headers.On-Behalf-Of must be a string",
            ),
            (
                r#"{"greenhouse":{"post_headers":{"On-Behalf-Of":"jane"}}}"#,
                "greenhouse",
                "remote_fields.greenhouse.post_headers.On-Behalf-Of must be a Greenhouse user id",
            ),
            (
                r#"{"greenhouse":{"post_headers":"x"}}"#,
                "greenhouse",
                "remote_fields.greenhouse.post_headers must be an object",
            ),
            (r#"{"greenhouse":[]}"#, "greenhouse", "remote_fields.greenhouse must be an object"),
            (
                r#"{"workable":{"on_behalf_of_user_remote_id":"a\u0000b"}}"#,
                "workable",
                "remote_fields.workable.on_behalf_of_user_remote_id must not contain control characters",
            ),
            (
                r#"{"oracle":{"override_document_category":"NOPE"}}"#,
                "oraclerecruiting",
                "remote_fields.oracle.override_document_category must be one of IRC_CANDIDATE_RESUME",
            ),
            (
                r#"{"oracle":{"multi_post_to_all_current_applications":"yes"}}"#,
                "oraclerecruiting",
                "remote_fields.oracle.multi_post_to_all_current_applications must be true or false",
            ),
            ("[]", "lever", "remote_fields must be an object"),
        ];
        for (json, tool, expected) in cases {
            let err = remote(json, Endpoint::Application, tool).unwrap_err();
            assert!(matches!(err, Error::InputInvalid(_)), "{json}: {err:?}");
            assert!(err.to_string().starts_with(expected), "{json}: {err}");
        }
    }

    #[test]
    fn an_empty_acting_user_is_ignored_with_a_warning_and_null_is_not_given() {
        let empty =
            remote(r#"{"greenhouse":{"post_headers":{"On-Behalf-Of":"  "}}}"#, Endpoint::Application, "greenhouse")
                .unwrap();
        assert_eq!(empty.warnings.len(), 1);
        assert!(warnings(&empty)[0].contains("was empty and was ignored"), "{:?}", empty.warnings);
        let null = remote(
            r#"{"greenhouse":{"post_headers":{"On-Behalf-Of":null}},"lever":null}"#,
            Endpoint::Application,
            "greenhouse",
        )
        .unwrap();
        assert!(null.warnings.is_empty(), "{:?}", null.warnings);
        let none =
            parse_str(r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"SGk="}}"#).unwrap();
        assert!(none.remote_options("greenhouse").unwrap().warnings.is_empty());
    }
}
