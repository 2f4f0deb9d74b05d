//! Identifiers: Kombo-style 24-character base58 ids (random for things we create, derived for
//! synced remote objects so the same remote object always gets the same id), API keys and
//! timestamps in the one format the API emits.

use rand::Rng;
use sha2::{Digest, Sha256};

/// Bitcoin base58 alphabet: no `0`, `O`, `I` or `l` (spec §6 "IDs").
pub const BASE58_ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
pub const ID_LEN: usize = 24;

/// A fresh random id of 24 base58 characters (~140 bits).
pub fn random_id() -> String {
    let mut rng = rand::thread_rng();
    (0..ID_LEN).map(|_| BASE58_ALPHABET[rng.gen_range(0..BASE58_ALPHABET.len())] as char).collect()
}

/// The id of a remote object: a function of the integration, the model and the remote id only,
/// so every sync (and every gateway node) gives the same answer.
pub fn stable_id(integration_id: &str, model: &str, remote_id: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [integration_id, model, remote_id] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    // 32 bytes encode to 43-44 base58 chars; the first 24 keep ~140 bits.
    let encoded = bs58::encode(digest).into_string();
    encoded[..ID_LEN].to_string()
}

pub fn is_valid_id(id: &str) -> bool {
    id.len() == ID_LEN && id.bytes().all(|b| BASE58_ALPHABET.contains(&b))
}

/// `<tool>:<24 base58>`, the integration id format of spec §0.
pub fn integration_id(tool: &str) -> String {
    format!("{tool}:{}", random_id())
}

/// An API key: a recognisable prefix and 256 random bits, shown once and stored only hashed.
pub fn api_key() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    format!("atsg_{}", bs58::encode(bytes).into_string())
}

pub fn hash_api_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// RFC 3339 UTC with milliseconds, the format of every datetime we emit and store; fixed width,
/// so stored values compare correctly as text.
pub fn format_ts(ts: chrono::DateTime<chrono::Utc>) -> String {
    ts.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn now_ts() -> String {
    format_ts(chrono::Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_are_stable_and_well_formed() {
        let a = stable_id("greenhouse:x", "application", "123");
        assert_eq!(a, stable_id("greenhouse:x", "application", "123"));
        assert_ne!(a, stable_id("greenhouse:x", "candidate", "123"));
        assert_ne!(a, stable_id("greenhouse:y", "application", "123"));
        assert!(is_valid_id(&a), "{a}");
        assert!(is_valid_id(&random_id()));
    }
}
