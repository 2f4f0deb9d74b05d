//! Body parsing and validation of the add-attachment endpoints (JSON, base64, remote_fields):
//! any input is either accepted with consistent sizes or refused with an error — never a panic.
#![no_main]

use atsgate::{
    actions::attachment_input::{parse, Endpoint, FileSource},
    connectors::FileContent,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = bytes::Bytes::copy_from_slice(data);
    for endpoint in [Endpoint::Application, Endpoint::Candidate] {
        if let Ok(input) = parse(&body, endpoint, 1 << 20) {
            assert!(!input.name.trim().is_empty());
            if let FileSource::Inline(FileContent::Base64 { encoded, decoded_len }) = &input.source {
                // What we forward must be canonical, padded base64 of the declared length.
                let decoded = base64_decode(encoded);
                assert_eq!(decoded.len() as u64, *decoded_len);
                assert!(*decoded_len > 0 && *decoded_len <= 1 << 20);
            }
        }
    }
});

fn base64_decode(encoded: &[u8]) -> Vec<u8> {
    use std::collections::HashMap;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let index: HashMap<u8, u32> = alphabet.iter().enumerate().map(|(i, c)| (*c, i as u32)).collect();
    assert_eq!(encoded.len() % 4, 0, "padded");
    let mut out = Vec::new();
    for chunk in encoded.chunks(4) {
        let pad = chunk.iter().filter(|c| **c == b'=').count();
        let mut n = 0u32;
        for c in chunk {
            n = (n << 6) | if *c == b'=' { 0 } else { index[c] };
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    out
}
