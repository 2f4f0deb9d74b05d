//! Short-lived file hosting for vendors that fetch uploads by URL. Each file gets a random
//! 256-bit token and an HMAC-signed expiry; it is served at most once and forgotten after
//! that, at expiry, or when the upload call that published it ends. Files live in this
//! process's memory, so the ATS must reach the node that published them (`public_url`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::connectors::{FileHost, HostedFile};

/// Long enough for an ATS to fetch during the upload call, short enough to be useless later.
const LIFETIME: Duration = Duration::from_secs(300);

struct Entry {
    name: String,
    content_type: String,
    bytes: Bytes,
    expires: Instant,
}

pub struct ServedFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

#[derive(Clone)]
pub struct MemoryFileHost {
    inner: Arc<Inner>,
}

struct Inner {
    public_url: String,
    signing_key: [u8; 32],
    files: Mutex<HashMap<String, Entry>>,
}

struct Removal {
    inner: Arc<Inner>,
    token: String,
}

impl Drop for Removal {
    fn drop(&mut self) {
        self.inner.files.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.token);
    }
}

impl MemoryFileHost {
    pub fn new(public_url: &str) -> Self {
        MemoryFileHost {
            inner: Arc::new(Inner {
                public_url: public_url.trim_end_matches('/').to_string(),
                signing_key: rand::thread_rng().gen(),
                files: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn signature(&self, token: &str, expires: u64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.inner.signing_key).expect("any key length works");
        mac.update(token.as_bytes());
        mac.update(&expires.to_be_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Hands the file out once if the signature and expiry hold; `None` otherwise.
    pub fn take(&self, token: &str, expires: u64, signature: &str) -> Option<ServedFile> {
        let expected = self.signature(token, expires);
        let valid: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), signature.as_bytes()).into();
        let now = chrono::Utc::now().timestamp() as u64;
        if !valid || expires < now {
            return None;
        }
        let mut files = self.inner.files.lock().unwrap_or_else(|e| e.into_inner());
        files.retain(|_, entry| entry.expires > Instant::now());
        let entry = files.remove(token)?;
        Some(ServedFile { name: entry.name, content_type: entry.content_type, bytes: entry.bytes })
    }
}

impl FileHost for MemoryFileHost {
    fn publish(&self, file_name: &str, content_type: &str, bytes: Bytes) -> HostedFile {
        let token = bs58::encode(rand::thread_rng().gen::<[u8; 32]>()).into_string();
        let expires = chrono::Utc::now().timestamp() as u64 + LIFETIME.as_secs();
        let entry = Entry {
            name: file_name.to_string(),
            content_type: content_type.to_string(),
            bytes,
            expires: Instant::now() + LIFETIME,
        };
        self.inner.files.lock().unwrap_or_else(|e| e.into_inner()).insert(token.clone(), entry);
        let url = format!(
            "{}/files/{token}?expires={expires}&sig={}",
            self.inner.public_url,
            self.signature(&token, expires)
        );
        HostedFile { url, guard: Box::new(Removal { inner: self.inner.clone(), token }) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, u64, String) {
        let parsed = url::Url::parse(url).unwrap();
        let token = parsed.path().rsplit('/').next().unwrap().to_string();
        let q: HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        (token, q["expires"].parse().unwrap(), q["sig"].clone())
    }

    #[test]
    fn served_once_with_a_valid_signature_and_gone_when_dropped() {
        let host = MemoryFileHost::new("http://gw/");
        let hosted = host.publish("cv.pdf", "application/pdf", Bytes::from_static(b"pdf"));
        assert!(hosted.url.starts_with("http://gw/files/"));
        let (token, expires, sig) = parts(&hosted.url);
        assert!(host.take(&token, expires, "bad").is_none());
        assert!(host.take(&token, expires + 1, &sig).is_none(), "expiry is signed");
        assert_eq!(host.take(&token, expires, &sig).unwrap().bytes, Bytes::from_static(b"pdf"));
        assert!(host.take(&token, expires, &sig).is_none(), "served once");

        let again = host.publish("cv.pdf", "application/pdf", Bytes::from_static(b"pdf"));
        let (token, expires, sig) = parts(&again.url);
        drop(again);
        assert!(host.take(&token, expires, &sig).is_none(), "forgotten when the upload ends");
    }
}
