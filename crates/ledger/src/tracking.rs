//! Tracking code and secret given to the applicant.
//!
//! The code (`GK` + 12 Crockford base-32 characters, 60 random bits) identifies the
//! application; the secret (16 characters, 80 random bits) proves the applicant holds it.
//! Only a SHA-256 hash of the secret (salted with the code) is stored. A fast hash is right
//! here: the secret is a random high-entropy token, not a user-chosen password (those use
//! argon2 in the store). The randomness is supplied by the caller, keeping this crate pure.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Bytes of entropy a [`TrackingCredentials`] needs.
pub const ENTROPY_BYTES: usize = 18;

/// A code and its secret, as shown once to the applicant.
#[derive(Clone, PartialEq, Eq)]
pub struct TrackingCredentials {
    /// Public tracking code, e.g. `GK7Q2M9XK4P0RT3`.
    pub code: String,
    /// Secret; shown once, stored only hashed.
    pub secret: String,
}

impl std::fmt::Debug for TrackingCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackingCredentials")
            .field("code", &self.code)
            .field("secret", &"***")
            .finish()
    }
}

fn base32(bytes: &[u8], chars: usize) -> String {
    let mut out = String::with_capacity(chars);
    let mut acc: u64 = 0;
    let mut bits = 0;
    let mut it = bytes.iter();
    while out.len() < chars {
        if bits < 5 {
            acc = (acc << 8) | u64::from(*it.next().unwrap_or(&0));
            bits += 8;
        }
        bits -= 5;
        out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
    }
    out
}

impl TrackingCredentials {
    /// Build credentials from caller-supplied random bytes.
    pub fn from_entropy(entropy: &[u8; ENTROPY_BYTES]) -> TrackingCredentials {
        TrackingCredentials {
            code: format!("GK{}", base32(&entropy[..8], 12)),
            secret: base32(&entropy[8..], 16),
        }
    }

    /// The hash to store.
    pub fn secret_hash(&self) -> String {
        hash_secret(&self.code, &self.secret)
    }
}

/// Normalise a tracking code as typed: upper case, without spaces or dashes. Codes kept from
/// other systems may contain any letters, so no further mapping is applied here.
pub fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// [`normalise_code`] plus the Crockford confusables (O→0, I/L→1): the form of a generated
/// code or secret that a person may have mistyped.
pub fn normalise(s: &str) -> String {
    normalise_code(s)
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// Hex SHA-256 of the secret, salted with the code.
pub fn hash_secret(code: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"gongkai-tracking-v1:");
    h.update(normalise_code(code).as_bytes());
    h.update(b":");
    h.update(normalise(secret).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Compare a presented secret with a stored hash (in constant time over the hash); `code` is
/// the stored code.
pub fn verify_secret(code: &str, secret: &str, stored_hash: &str) -> bool {
    let h = hash_secret(code, secret);
    h.len() == stored_hash.len()
        && h.bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let c = TrackingCredentials::from_entropy(&[7u8; ENTROPY_BYTES]);
        assert_eq!(c.code.len(), 14);
        assert!(c.code.starts_with("GK"));
        assert_eq!(c.secret.len(), 16);
        let h = c.secret_hash();
        assert!(verify_secret(&c.code, &c.secret, &h));
        assert!(verify_secret(
            &c.code.to_lowercase(),
            &c.secret.to_lowercase(),
            &h
        ));
        assert!(!verify_secret(&c.code, "WRONG", &h));
        let other = TrackingCredentials::from_entropy(&[8u8; ENTROPY_BYTES]);
        assert_ne!(other.code, c.code);
        assert!(!format!("{c:?}").contains(&c.secret));
    }
}
