//! Secrets at rest: ATS credentials are sealed with XChaCha20-Poly1305 under the master key,
//! bound to the integration id (as associated data) so a ciphertext cannot be moved to another
//! integration. The master key comes from config/env or is generated once into the data dir.

use std::{fmt, path::Path};

use anyhow::{bail, Context};
use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};

/// 32-byte key; `Debug` never prints it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

const KEY_FILE: &str = "master.key";

impl MasterKey {
    pub fn from_base64(text: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD.decode(text.trim()).context("master key is not base64")?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| anyhow::anyhow!("master key must be 32 bytes (base64 of 32 random bytes)"))?;
        Ok(MasterKey(key))
    }

    pub fn generate() -> Self {
        MasterKey(XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Reads `<data_dir>/master.key`, creating it (mode 0600) on first use.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(KEY_FILE);
        if path.exists() {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            return Self::from_base64(&text);
        }
        std::fs::create_dir_all(data_dir)?;
        let key = Self::generate();
        write_private(&path, key.to_base64().as_bytes())?;
        Ok(key)
    }

    /// A key for one purpose (e.g. signing URLs), derived so the master key itself is never
    /// used for two things; every node with the same master key derives the same key.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("any key length works");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Writes this key as `<data_dir>/master.key` (0600), replacing any previous one atomically.
    pub fn store_in(&self, data_dir: &Path) -> anyhow::Result<()> {
        let pending = data_dir.join("master.key.new");
        let _ = std::fs::remove_file(&pending);
        write_private(&pending, self.to_base64().as_bytes())?;
        std::fs::rename(&pending, data_dir.join(KEY_FILE))?;
        Ok(())
    }

    pub fn seal(&self, plaintext: &[u8], associated: &str) -> anyhow::Result<String> {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: associated.as_bytes() })
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1:{}", STANDARD.encode(out)))
    }

    pub fn open(&self, sealed: &str, associated: &str) -> anyhow::Result<Vec<u8>> {
        let Some(body) = sealed.strip_prefix("v1:") else { bail!("unknown ciphertext version") };
        let raw = STANDARD.decode(body).context("ciphertext is not base64")?;
        if raw.len() < 24 {
            bail!("ciphertext too short");
        }
        let (nonce, ciphertext) = raw.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: associated.as_bytes() })
            .map_err(|_| anyhow::anyhow!("credentials cannot be decrypted with this master key"))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_roundtrip_is_bound_to_the_integration() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"secret", "greenhouse:a").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(key.open(&sealed, "greenhouse:a").unwrap(), b"secret");
        assert!(key.open(&sealed, "greenhouse:b").is_err());
        assert!(MasterKey::generate().open(&sealed, "greenhouse:a").is_err());
        assert_eq!(format!("{key:?}"), "MasterKey(<redacted>)");
    }
}
