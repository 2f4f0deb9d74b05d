//! Parsing and validating the body of the two "add attachment" endpoints (spec §1). The body is
//! deserialized borrowing from the request bytes, so a large base64 `data` is never copied when
//! it is already clean standard base64.

use std::borrow::Cow;

use bytes::Bytes;
use serde::Deserialize;

use crate::{
    connectors::{AttachmentType, FileContent, VendorOptions},
    error::{Error, Result},
};

/// Longest accepted file name, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// Which endpoint the body came to; remote_fields differ (spec §1 "remote_fields").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Application,
    Candidate,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    attachment: AttachmentDto<'a>,
    #[serde(default)]
    remote_fields: Option<RemoteFieldsDto>,
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RemoteFieldsDto {
    #[serde(default)]
    greenhouse: Option<GreenhouseFields>,
    #[serde(default)]
    workable: Option<WorkableFields>,
    #[serde(default)]
    oracle: Option<OracleFields>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GreenhouseFields {
    #[serde(default)]
    post_headers: Option<GreenhousePostHeaders>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GreenhousePostHeaders {
    #[serde(rename = "On-Behalf-Of", default)]
    on_behalf_of: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkableFields {
    #[serde(default)]
    on_behalf_of_user_remote_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OracleFields {
    #[serde(default)]
    override_document_category: Option<OracleCategory>,
    #[serde(default)]
    multi_post_to_all_current_applications: Option<bool>,
}

#[derive(Deserialize, Clone, Copy)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
enum OracleCategory {
    IRC_CANDIDATE_RESUME,
    IRC_CANDIDATE_COVERLETTER,
    MISC,
    IRC_INTERNAL,
}

impl OracleCategory {
    fn as_str(self) -> &'static str {
        match self {
            OracleCategory::IRC_CANDIDATE_RESUME => "IRC_CANDIDATE_RESUME",
            OracleCategory::IRC_CANDIDATE_COVERLETTER => "IRC_CANDIDATE_COVERLETTER",
            OracleCategory::MISC => "MISC",
            OracleCategory::IRC_INTERNAL => "IRC_INTERNAL",
        }
    }
}

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
    pub options: VendorOptions,
}

/// Parses and validates; `max_bytes` is the decoded size limit (413 beyond).
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
    let options = remote_options(parsed.remote_fields.unwrap_or_default(), endpoint)?;
    Ok(AttachmentInput { name: a.name, kind: a.kind, content_type, source, options })
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

fn remote_options(fields: RemoteFieldsDto, endpoint: Endpoint) -> Result<VendorOptions> {
    let mut options = VendorOptions::default();
    if let Some(oracle) = fields.oracle {
        if endpoint == Endpoint::Candidate {
            return Err(Error::input(
                "remote_fields.oracle is only accepted by the application endpoint, not the candidate endpoint",
            ));
        }
        options.oracle_override_document_category = oracle.override_document_category.map(|c| c.as_str().to_string());
        options.oracle_multi_post_to_all_current_applications = oracle.multi_post_to_all_current_applications;
    }
    if let Some(user) = fields.greenhouse.and_then(|g| g.post_headers).and_then(|h| h.on_behalf_of) {
        if user.trim().is_empty() || user.chars().any(char::is_control) {
            return Err(Error::input(
                "remote_fields.greenhouse.post_headers.On-Behalf-Of must be a Greenhouse user id",
            ));
        }
        options.greenhouse_on_behalf_of = Some(user);
    }
    if let Some(user) = fields.workable.and_then(|w| w.on_behalf_of_user_remote_id) {
        if user.trim().is_empty() {
            return Err(Error::input("remote_fields.workable.on_behalf_of_user_remote_id must not be empty"));
        }
        options.workable_on_behalf_of_user_remote_id = Some(user);
    }
    Ok(options)
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
            (
                r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"SGk="},"remote_fields":{"lever":{}}}"#,
                "lever",
            ),
            (
                r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"SGk="},"remote_fields":{"oracle":{"override_document_category":"X"}}}"#,
                "override_document_category",
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

    #[test]
    fn oracle_fields_only_on_the_application_endpoint() {
        let json = r#"{"attachment":{"name":"a","type":"CV","content_type":"text/plain","data":"SGk="},"remote_fields":{"oracle":{"multi_post_to_all_current_applications":true}}}"#;
        assert!(parse(&Bytes::from_static(json.as_bytes()), Endpoint::Application, 10).is_ok());
        assert!(parse(&Bytes::from_static(json.as_bytes()), Endpoint::Candidate, 10).is_err());
    }
}
