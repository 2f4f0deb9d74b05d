//! `data_url` host checks: any string either fails to parse, or the guard's verdict on an IP
//! host agrees with the address classifier — and nothing panics.
#![no_main]

use atsgate::upstream::guard::{check_url, is_public};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for candidate in [text.to_string(), format!("http://{text}/cv.pdf")] {
        let Ok(url) = url::Url::parse(&candidate) else { continue };
        let verdict = check_url(&url, false);
        assert!(check_url(&url, true).is_ok() || !matches!(url.scheme(), "http" | "https") || url.host().is_none());
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
            _ => None,
        };
        if let (Some(ip), true) = (ip, matches!(url.scheme(), "http" | "https")) {
            assert_eq!(verdict.is_ok(), is_public(ip), "{candidate}");
        }
    }
});
