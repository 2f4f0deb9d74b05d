//! A small `multipart/form-data` (RFC 7578) reader.
//!
//! The emulators crate builds axum without its `multipart` feature, and the
//! vendors that take multipart (Ashby's presigned storage POST, Recruitee's
//! attachment upload) only need the parts in order with their names, file
//! names, content types and bytes. Part bodies are `Bytes` slices of the
//! request body, so a large file is never copied.

use axum::body::Bytes;
use axum::http::{header, HeaderMap};

/// One part of a form, in arrival order.
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// Why a body is not a readable multipart form.
#[derive(Debug)]
pub struct Malformed(pub &'static str);

/// The boundary of a `multipart/form-data` request, if that is what it is.
pub fn boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (mime, params) = value.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (key, value) = p.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Splits `body` into its parts.
pub fn parse(body: &Bytes, boundary: &str) -> Result<Vec<Part>, Malformed> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or(Malformed("no opening boundary"))? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err(Malformed("boundary not followed by CRLF"));
        }
        at += 2;
        let headers_end = find(body, b"\r\n\r\n", at).ok_or(Malformed("part headers not terminated"))?;
        let head = std::str::from_utf8(&body[at..headers_end]).map_err(|_| Malformed("part headers not UTF-8"))?;
        let data_start = headers_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(delimiter);
        let data_end = find(body, &closing, data_start).ok_or(Malformed("part not terminated by a boundary"))?;
        parts.push(part(head, body.slice(data_start..data_end))?);
        at = data_end + closing.len();
    }
}

fn part(head: &str, data: Bytes) -> Result<Part, Malformed> {
    let mut name = None;
    let mut filename = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else { continue };
        if key.trim().eq_ignore_ascii_case("content-disposition") {
            for param in value.split(';').skip(1) {
                if let Some((k, v)) = param.trim().split_once('=') {
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim() {
                        "name" => name = Some(v),
                        "filename" => filename = Some(v),
                        _ => {}
                    }
                }
            }
        } else if key.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        }
    }
    Ok(Part { name: name.ok_or(Malformed("part without a name"))?, filename, content_type, data })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_file_in_order() {
        let body = Bytes::from_static(
            b"--xyz\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nabc\r\n--xyz\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n\
%PDF\r\n--x\r\n--xyz--\r\n",
        );
        let parts = parse(&body, "xyz").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "key");
        assert_eq!(&parts[0].data[..], b"abc");
        assert_eq!(parts[1].filename.as_deref(), Some("cv.pdf"));
        assert_eq!(&parts[1].data[..], b"%PDF\r\n--x");
        assert!(parse(&Bytes::from_static(b"nothing"), "xyz").is_err());
    }
}
