//! The SSRF guard for `data_url`: only http(s), and never an internal address. DNS answers are
//! filtered inside the resolver, so the address actually connected to is the one checked; IP
//! literals (in any form the URL parser normalises: decimal, octal, hex) and every redirect
//! target are checked too.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

#[derive(Debug, thiserror::Error)]
#[error("data_url resolves to {0}, an internal address; only public addresses may be fetched")]
pub struct BlockedAddress(pub IpAddr);

/// Whether `ip` may be fetched from when private addresses are not allowed.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let blocked = a == 0                                  // "this network"
        || a == 10                                        // private
        || a == 127                                       // loopback
        || (a == 100 && (64..128).contains(&b))           // carrier-grade NAT (incl. 100.100.100.200 metadata)
        || (a == 169 && b == 254)                         // link-local, incl. 169.254.169.254 metadata
        || (a == 172 && (16..32).contains(&b))            // private
        || (a == 192 && b == 0 && c == 0)                 // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)                 // documentation
        || (a == 192 && b == 168)                         // private
        || (a == 198 && (b == 18 || b == 19))             // benchmarking
        || (a == 198 && b == 51 && c == 100)              // documentation
        || (a == 203 && b == 0 && c == 113)               // documentation
        || a >= 224; // multicast, reserved, broadcast
    !blocked
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) embeds an IPv4 address in the last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    // 6to4 (2002::/16) embeds one in bits 16..48.
    if s[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    let blocked = ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00                        // unique local (incl. fd00:ec2::254 metadata)
        || (s[0] & 0xffc0) == 0xfe80                        // link-local
        || (s[0] & 0xffc0) == 0xfec0                        // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00                        // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8)               // documentation
        || (s[0] == 0 && s[1..6] == [0, 0, 0, 0, 0]); // IPv4-compatible (deprecated) and other ::/80
    !blocked
}

/// Checks a URL before any connection: scheme, and the host when it is an IP literal.
pub fn check_url(url: &url::Url, allow_private: bool) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("data_url must use http or https, not {:?}", url.scheme()));
    }
    let ip = match url.host() {
        None => return Err("data_url has no host".to_string()),
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(_)) => return Ok(()),
    };
    if allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(BlockedAddress(ip).to_string())
    }
}

/// A resolver that drops internal addresses from every DNS answer, so a connection can only go
/// to an address that passed the check.
#[derive(Debug, Clone)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let answers: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = answers.iter().copied().filter(|a| is_public(a.ip())).collect();
            match (allowed.is_empty(), answers.first()) {
                (false, _) => Ok(Box::new(allowed.into_iter()) as Addrs),
                (true, Some(first)) => {
                    Err(Box::new(BlockedAddress(first.ip())) as Box<dyn std::error::Error + Send + Sync>)
                }
                (true, None) => Err(format!("{host} has no address").into()),
            }
        })
    }
}

pub fn resolver() -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(url: &str) -> bool {
        check_url(&url::Url::parse(url).unwrap(), false).is_err()
    }

    #[test]
    fn literal_forms_of_internal_addresses_are_blocked() {
        for url in [
            "http://127.0.0.1/x",
            "http://2130706433/x", // decimal
            "http://0x7f.1/x",     // hex
            "http://0177.0.0.1/x", // octal
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[64:ff9b::a00:1]/",
            "http://0.0.0.0/",
            "ftp://example.com/x",
            "file:///etc/passwd",
        ] {
            assert!(blocked(url), "{url} should be blocked");
        }
        for url in ["https://93.184.216.34/cv.pdf", "https://example.com/cv.pdf", "http://[2606:4700::1]/"] {
            assert!(!blocked(url), "{url} should pass");
        }
        assert!(check_url(&url::Url::parse("http://127.0.0.1/").unwrap(), true).is_ok());
    }
}
