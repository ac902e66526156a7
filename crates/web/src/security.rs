//! Sessions, CSRF protection, rate limits and security headers.
//!
//! A session is a signed cookie (HMAC-SHA256 with the server secret) carrying the user id, an
//! expiry and a nonce, and a row in the database keyed by the nonce's hash: a request is
//! signed in only while that row is live, so logout, a password change and disabling a user
//! end sessions at once (on every node sharing the database). The CSRF token of a session is
//! derived from its nonce. State-changing requests must (1) come from our own origin
//! (`Sec-Fetch-Site`/`Origin` checks) and (2) for forms, carry the session's CSRF token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

pub const SESSION_COOKIE: &str = "gk_session";
pub const LARGE_TEXT_COOKIE: &str = "gk_large";
/// Staff sessions last 8 hours.
pub const SESSION_SECONDS: i64 = 8 * 3600;

/// The server's secret key for signing sessions.
#[derive(Clone)]
pub struct Secret(Arc<[u8]>);

impl Secret {
    pub fn new(bytes: &[u8]) -> Secret {
        Secret(Arc::from(bytes))
    }

    /// A fresh random 32-byte secret.
    pub fn random() -> Secret {
        let bytes: [u8; 32] = rand::random();
        Secret::new(&bytes)
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        let mut m = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts any key length");
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }

    fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        let mut m = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts any key length");
        m.update(data);
        m.verify_slice(tag).is_ok()
    }
}

/// A signed-in staff session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: i64,
    pub expires: i64,
    pub nonce: String,
}

impl Session {
    pub fn new(user_id: i64, now: i64) -> Session {
        let nonce: [u8; 16] = rand::random();
        Session {
            user_id,
            expires: now + SESSION_SECONDS,
            nonce: B64.encode(nonce),
        }
    }

    /// The cookie value: `payload.tag`, both URL-safe base64.
    pub fn encode(&self, secret: &Secret) -> String {
        let payload = format!("{}|{}|{}", self.user_id, self.expires, self.nonce);
        let tag = secret.mac(payload.as_bytes());
        format!("{}.{}", B64.encode(payload), B64.encode(tag))
    }

    /// Parse and verify a cookie value; `None` when forged, malformed or expired.
    pub fn decode(value: &str, secret: &Secret, now: i64) -> Option<Session> {
        let (p, t) = value.split_once('.')?;
        let payload = B64.decode(p).ok()?;
        let tag = B64.decode(t).ok()?;
        if !secret.verify(&payload, &tag) {
            return None;
        }
        let payload = String::from_utf8(payload).ok()?;
        let mut parts = payload.split('|');
        let user_id = parts.next()?.parse().ok()?;
        let expires: i64 = parts.next()?.parse().ok()?;
        let nonce = parts.next()?.to_string();
        if expires <= now {
            return None;
        }
        Some(Session {
            user_id,
            expires,
            nonce,
        })
    }

    /// The id the server stores for this session: SHA-256 (hex) of the nonce, so the
    /// database never holds a usable cookie.
    pub fn id(&self) -> String {
        use sha2::Digest;
        Sha256::digest(self.nonce.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The CSRF token bound to this session.
    pub fn csrf_token(&self, secret: &Secret) -> String {
        B64.encode(secret.mac(format!("csrf|{}|{}", self.user_id, self.nonce).as_bytes()))
    }
}

/// The CSRF token for anonymous forms (online application, status lookup): bound to a
/// per-browser nonce cookie.
pub fn anonymous_csrf_token(secret: &Secret, browser_nonce: &str) -> String {
    B64.encode(secret.mac(format!("anon|{browser_nonce}").as_bytes()))
}

/// Constant-time comparison of two tokens.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a state-changing request comes from our own site, judged by Fetch Metadata and Origin.
/// `host` is the request's Host header; `allowed` are extra allowed origins from the config.
pub fn same_origin(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
    allowed: &[String],
) -> bool {
    if let Some(site) = sec_fetch_site {
        return matches!(site, "same-origin" | "none");
    }
    match origin {
        // Non-browser clients (curl, tests) send neither header: the CSRF token still applies.
        None => true,
        Some("null") => false,
        Some(o) => {
            let o_host = o
                .split_once("://")
                .map(|(_, h)| h)
                .unwrap_or(o)
                .trim_end_matches('/');
            host.is_some_and(|h| h == o_host) || allowed.iter().any(|a| a == o)
        }
    }
}

/// Rate limits per client IP for public submissions, search and login.
#[derive(Clone)]
pub struct Limits {
    pub submit: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub search: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub login: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl Limits {
    /// `submit_per_hour` applications, `search_per_minute` searches and `login_per_minute`
    /// login attempts per IP.
    pub fn new(submit_per_hour: u32, search_per_minute: u32, login_per_minute: u32) -> Limits {
        let nz = |n: u32| NonZeroU32::new(n.max(1)).expect("max(1) is non-zero");
        Limits {
            submit: Arc::new(RateLimiter::keyed(Quota::per_hour(nz(submit_per_hour)))),
            search: Arc::new(RateLimiter::keyed(Quota::per_minute(nz(search_per_minute)))),
            login: Arc::new(RateLimiter::keyed(Quota::per_minute(nz(login_per_minute)))),
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(20, 600, 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_round_trip_and_tamper() {
        let s = Secret::new(b"k1");
        let sess = Session::new(42, 1000);
        let v = sess.encode(&s);
        assert_eq!(Session::decode(&v, &s, 1001), Some(sess.clone()));
        assert_eq!(
            Session::decode(&v, &s, 1000 + SESSION_SECONDS),
            None,
            "expired"
        );
        assert_eq!(
            Session::decode(&v, &Secret::new(b"k2"), 1001),
            None,
            "other key"
        );
        let forged = v.replacen('.', "x.", 1);
        assert_eq!(Session::decode(&forged, &s, 1001), None);
        assert_eq!(Session::decode("garbage", &s, 1001), None);
        assert_ne!(sess.csrf_token(&s), Session::new(42, 1000).csrf_token(&s));
    }

    #[test]
    fn origin_checks() {
        assert!(same_origin(Some("same-origin"), None, None, &[]));
        assert!(!same_origin(
            Some("cross-site"),
            Some("https://evil.example"),
            Some("gov.example"),
            &[]
        ));
        assert!(same_origin(
            None,
            Some("http://127.0.0.1:8080"),
            Some("127.0.0.1:8080"),
            &[]
        ));
        assert!(!same_origin(
            None,
            Some("http://evil.example"),
            Some("127.0.0.1:8080"),
            &[]
        ));
        assert!(!same_origin(
            None,
            Some("null"),
            Some("127.0.0.1:8080"),
            &[]
        ));
        assert!(same_origin(None, None, Some("x"), &[]));
    }

    #[test]
    fn constant_time_eq() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("abc", "ab"));
    }
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
/// rightmost address of `X-Forwarded-For` that is not a trusted proxy (addresses left of it
/// are client-supplied and may be forged).
pub fn client_addr(
    trusted: &[ipnet::IpNet],
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
) -> IpAddr {
    let peer_ip = peer.map(|p| p.ip()).unwrap_or([127, 0, 0, 1].into());
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer_ip) {
        return peer_ip;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer_ip)
}

/// Parse `--trusted-proxies`: comma-separated CIDRs or single addresses.
pub fn parse_trusted_proxies(s: &str) -> Result<Vec<ipnet::IpNet>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("「{p}」不是有效的地址或网段 (not an address or CIDR)"))
        })
        .collect()
}

#[cfg(test)]
mod proxy_tests {
    use super::*;
    use axum::http::HeaderMap;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_it_claims() {
        let peer = Some("203.0.113.9:5000".parse().unwrap());
        let trusted = parse_trusted_proxies("10.0.0.0/8").unwrap();
        assert_eq!(
            client_addr(&trusted, &xff("1.2.3.4"), peer),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_addr(&[], &xff("1.2.3.4"), peer),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn rightmost_untrusted_hop_behind_trusted_proxies() {
        let peer = Some("10.0.0.2:5000".parse().unwrap());
        let trusted = parse_trusted_proxies("10.0.0.0/8, 192.168.1.1").unwrap();
        // The client forged 6.6.6.6; the real client is what our proxies saw.
        let h = xff("6.6.6.6, 198.51.100.7, 192.168.1.1");
        assert_eq!(
            client_addr(&trusted, &h, peer),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // No header: the proxy itself.
        assert_eq!(
            client_addr(&trusted, &HeaderMap::new(), peer),
            "10.0.0.2".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn bad_proxy_list_names_the_entry() {
        let e = parse_trusted_proxies("10.0.0.0/8,abc").unwrap_err();
        assert!(e.contains("abc"), "{e}");
    }
}
