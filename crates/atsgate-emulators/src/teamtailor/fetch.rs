//! A minimal HTTP/1.1 GET, for `POST /v1/uploads`: Teamtailor downloads the
//! file from the given public URL while handling the request.
//!
//! The emulators crate has no HTTP client, and a plain `http://` GET with
//! `Connection: close` is all the gateway's file host needs. `https://` URLs
//! cannot be fetched (the emulator carries no TLS) and count as unreachable.

use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(30);
/// Larger files are refused (Teamtailor's own limit is undocumented).
pub const MAX_BYTES: usize = 150 * 1024 * 1024;

#[derive(Debug)]
pub struct Fetched {
    pub content_type: Option<String>,
    /// From `Content-Disposition: attachment; filename="…"`, if sent.
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// Downloads `url`; the error says why in words fit for an error `detail`.
pub async fn get(url: &str) -> Result<Fetched, String> {
    tokio::time::timeout(TIMEOUT, fetch(url)).await.map_err(|_| "the download timed out".to_owned())?
}

async fn fetch(raw: &str) -> Result<Fetched, String> {
    let url = url::Url::parse(raw).map_err(|_| "is not a valid URL".to_owned())?;
    if url.scheme() != "http" {
        return Err(format!("{} URLs cannot be downloaded", url.scheme()));
    }
    let host = url.host_str().ok_or("has no host")?.to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let connect_host = host.trim_start_matches('[').trim_end_matches(']');
    let mut stream =
        TcpStream::connect((connect_host, port)).await.map_err(|e| format!("could not be reached ({e})"))?;
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: Teamtailor-Emulator\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.map_err(|e| format!("could not be requested ({e})"))?;
    let mut raw_response = Vec::new();
    (&mut stream)
        .take(MAX_BYTES as u64 + 64 * 1024)
        .read_to_end(&mut raw_response)
        .await
        .map_err(|e| format!("broke off ({e})"))?;
    parse(raw_response)
}

fn parse(mut raw: Vec<u8>) -> Result<Fetched, String> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("answered no HTTP response")?;
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or("answered no HTTP status")?;
    if status != 200 {
        return Err(format!("answered HTTP {status}"));
    }
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let body = raw.split_off(head_end + 4);
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(&body)?
    } else if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if body.len() < length {
            return Err("ended before the whole file arrived".to_owned());
        }
        let mut body = body;
        body.truncate(length);
        body
    } else {
        body
    };
    if body.len() > MAX_BYTES {
        return Err("is larger than the allowed file size".to_owned());
    }
    Ok(Fetched {
        content_type: header("content-type").map(str::to_owned),
        file_name: header("content-disposition").and_then(disposition_name),
        bytes: Bytes::from(body),
    })
}

/// The `filename` parameter of a `Content-Disposition` value.
fn disposition_name(value: &str) -> Option<String> {
    let (_, rest) = value.split_once("filename=")?;
    let name = rest.split(';').next()?.trim().trim_matches('"');
    (!name.is_empty()).then(|| name.to_owned())
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or("sent a broken chunked body")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "sent a broken chunk size".to_owned())?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if rest.len() < size + 2 {
            return Err("ended inside a chunk".to_owned());
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_length_and_chunked_bodies() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc".to_vec();
        let fetched = parse(plain).unwrap();
        assert_eq!(&fetched.bytes[..], b"abc");
        assert_eq!(fetched.content_type.as_deref(), Some("text/plain"));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n".to_vec();
        assert_eq!(&parse(chunked).unwrap().bytes[..], b"abc");
        assert!(parse(b"HTTP/1.1 404 Not Found\r\n\r\n".to_vec()).unwrap_err().contains("404"));
    }
}
