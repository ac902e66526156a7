//! Sessions, CSRF protection, rate limits and security headers.
//!
//! Sessions are stateless signed cookies (HMAC-SHA256 with the server secret), so several
//! `gongkai serve` nodes sharing the secret accept each other's sessions. A session carries the
//! user id, an expiry and a nonce; the CSRF token of a session is derived from its nonce, so it
//! needs no storage either. State-changing requests must (1) come from our own origin
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
