//! A small `multipart/form-data` reader (RFC 7578) for the upload endpoints.
//!
//! The emulators crate does not enable axum's multipart extractor, and the
//! uploads here are one text field and one file, so a buffered parser over
//! the request `Bytes` is enough: parts are sliced out of the body without
//! copying the file.

use bytes::Bytes;

/// One part of the form.
pub struct FormPart {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// The boundary parameter of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = from;
    while i + needle.len() <= haystack.len() {
        match haystack[i..].iter().position(|b| *b == first) {
            Some(offset) => i += offset,
            None => return None,
        }
        if i + needle.len() <= haystack.len() && &haystack[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Splits `body` into its parts; `Err` names what is malformed.
pub fn parse(body: &Bytes, boundary: &str) -> Result<Vec<FormPart>, String> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut position = find(body, delimiter.as_bytes(), 0).ok_or("the multipart boundary was not found")?;
    position += delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[position..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[position..].starts_with(b"\r\n") {
            return Err("malformed multipart delimiter".into());
        }
        position += 2;
        let header_end = find(body, b"\r\n\r\n", position).ok_or("a multipart part has no header end")?;
        let headers = std::str::from_utf8(&body[position..header_end]).map_err(|_| "part headers are not UTF-8")?;
        let content_start = header_end + 4;
        let content_end =
            find(body, next_delimiter.as_bytes(), content_start).ok_or("the closing multipart boundary is missing")?;
        let mut part = FormPart {
            name: String::new(),
            filename: None,
            content_type: None,
            body: body.slice(content_start..content_end),
        };
        for line in headers.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else { continue };
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                for param in value.split(';').skip(1) {
                    let Some((k, v)) = param.split_once('=') else { continue };
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim().to_ascii_lowercase().as_str() {
                        "name" => part.name = v,
                        "filename" => part.filename = Some(v),
                        "filename*" => {
                            let encoded = v.split("''").nth(1).unwrap_or(&v);
                            let decoded = url::form_urlencoded::parse(format!("x={encoded}").as_bytes())
                                .next()
                                .map(|(_, d)| d.into_owned());
                            part.filename = decoded.or(part.filename.take());
                        }
                        _ => {}
                    }
                }
            } else if key.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            }
        }
        parts.push(part);
        position = content_end + next_delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_and_file_parts() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"attachmentType\"\r\n\r\nRESUME\r\n--XyZ\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n\
%PDF\r\n--x\r\n--XyZ--\r\n",
        );
        let parts = parse(&body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(&parts[0].body[..], b"RESUME");
        assert_eq!(parts[1].filename.as_deref(), Some("cv.pdf"));
        assert_eq!(&parts[1].body[..], b"%PDF\r\n--x");
        assert_eq!(boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(), Some("XyZ"));
    }
}
