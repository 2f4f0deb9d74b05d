//! Request bodies that can be sent again: a retry after a 429/503 or a renewed token sends the
//! same body, so each is kept in a form that rebuilds cheaply (`Bytes` clones share memory).
//!
//! A file travels without being copied: multipart parts hold the caller's buffer, and documents
//! that carry the file as base64 (JSON, SOAP/XML) are *spliced*: the document is serialized with
//! a placeholder where the file goes and sent as three chunks, text before, the base64, text
//! after.

use bytes::Bytes;
use rand::Rng;
use reqwest::RequestBuilder;

use crate::connectors::{error::ConnectorError, FileContent};

/// What a call sends.
pub enum Body<'a> {
    Empty,
    /// A JSON document, serialized once.
    Json(Bytes),
    /// Raw bytes in chunks, with their content type (SOAP envelopes, spliced documents).
    Raw {
        content_type: &'a str,
        chunks: Vec<Bytes>,
    },
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    Multipart(&'a Multipart),
    /// A body built anew for each attempt (e.g. one fetch-once file URL per attempt).
    Build(&'a (dyn Fn(RequestBuilder) -> RequestBuilder + Send + Sync)),
}

impl Body<'_> {
    pub(super) fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Body::Empty => request,
            Body::Json(bytes) => request.header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes.clone()),
            Body::Raw { content_type, chunks } => {
                let len: u64 = chunks.iter().map(|c| c.len() as u64).sum();
                let stream = futures::stream::iter(chunks.clone().into_iter().map(Ok::<_, std::io::Error>));
                request
                    .header(reqwest::header::CONTENT_TYPE, *content_type)
                    .header(reqwest::header::CONTENT_LENGTH, len)
                    .body(reqwest::Body::wrap_stream(stream))
            }
            Body::Form(pairs) => request.form(pairs),
            Body::Multipart(form) => request.multipart(form.form()),
            Body::Build(build) => build(request),
        }
    }
}

enum Part {
    Text { name: String, value: String },
    File { name: String, bytes: Bytes, file_name: String, content_type: String },
}

/// A multipart form described once and built for each attempt, parts in the order added.
#[derive(Default)]
pub struct Multipart {
    parts: Vec<Part>,
}

impl Multipart {
    pub fn new() -> Self {
        Multipart::default()
    }

    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(Part::Text { name: name.into(), value: value.into() });
        self
    }

    pub fn file(mut self, name: impl Into<String>, bytes: Bytes, file_name: &str, content_type: &str) -> Self {
        self.parts.push(Part::File {
            name: name.into(),
            bytes,
            file_name: file_name.to_string(),
            content_type: content_type.to_string(),
        });
        self
    }

    fn form(&self) -> reqwest::multipart::Form {
        self.parts.iter().fold(reqwest::multipart::Form::new(), |form, part| match part {
            Part::Text { name, value } => form.text(name.clone(), value.clone()),
            Part::File { name, bytes, file_name, content_type } => {
                form.part(name.clone(), file_part(bytes, file_name, content_type))
            }
        })
    }
}

/// A multipart file part streaming a shared buffer.
fn file_part(bytes: &Bytes, file_name: &str, content_type: &str) -> reqwest::multipart::Part {
    let part = || {
        reqwest::multipart::Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64)
            .file_name(file_name.to_string())
    };
    // A content type reqwest cannot parse is still a valid upload, just without a declared type.
    part().mime_str(content_type).unwrap_or_else(|_| part())
}

/// A placeholder no caller can guess, so a file name cannot contain it.
fn placeholder() -> String {
    format!("atsgate-file-{:032x}", rand::thread_rng().gen::<u128>())
}

/// A text document with the file's base64 in place of the placeholder `document` was given:
/// three chunks, the base64 one shared with the caller's buffer.
pub fn splice_text(document: impl FnOnce(&str) -> String, content: Bytes) -> Result<Vec<Bytes>, ConnectorError> {
    let marker = placeholder();
    let text = document(&marker);
    let (before, after) =
        text.split_once(&marker).ok_or(ConnectorError::Internal("the document lost its file placeholder"))?;
    Ok(vec![Bytes::copy_from_slice(before.as_bytes()), content, Bytes::copy_from_slice(after.as_bytes())])
}

/// A JSON document with the file's base64 as the string value where `document` put the placeholder.
pub fn splice_json(
    document: impl FnOnce(&str) -> serde_json::Value,
    content: Bytes,
) -> Result<Vec<Bytes>, ConnectorError> {
    // The placeholder is plain ASCII, so its JSON string form is the text itself and the base64
    // (also plain ASCII) needs no escaping either.
    splice_text(|marker| document(marker).to_string(), content)
}

/// Raw file bytes for vendors that take multipart or fetch the file: base64 is decoded once here.
pub fn raw_bytes(content: &FileContent) -> Result<Bytes, ConnectorError> {
    match content {
        FileContent::Raw(bytes) => Ok(bytes.clone()),
        FileContent::Base64 { encoded, .. } => base64_simd::STANDARD
            .decode_to_vec(encoded)
            .map(Bytes::from)
            .map_err(|_| ConnectorError::RejectedInput("the attachment data is not valid base64".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spliced_document_is_the_document_with_the_file_in_place() {
        let content = Bytes::from_static(b"SGVsbG8=");
        let chunks = splice_json(
            |file| serde_json::json!({"name": "x\"y.pdf", "nested": {"data": file}, "z": 1}),
            content.clone(),
        )
        .unwrap();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[1].as_ptr(), content.as_ptr(), "the base64 is not copied");
        let whole: Vec<u8> = chunks.concat();
        let parsed: serde_json::Value = serde_json::from_slice(&whole).unwrap();
        assert_eq!(parsed, serde_json::json!({"name": "x\"y.pdf", "nested": {"data": "SGVsbG8="}, "z": 1}));
    }

    #[test]
    fn a_file_name_cannot_forge_the_placeholder() {
        let chunks =
            splice_text(|file| format!("<a>atsgate-file-</a><b>{file}</b>"), Bytes::from_static(b"QQ==")).unwrap();
        assert_eq!(chunks.concat(), b"<a>atsgate-file-</a><b>QQ==</b>".to_vec());
    }
}
