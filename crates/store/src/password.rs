//! Staff passwords: argon2id in PHC string format.

use crate::StoreError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Hash a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    crate::fill_random(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Password(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

/// Check a password against a stored PHC string (false on any malformed hash).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn roundtrip() {
        let h = super::hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify_password("correct horse battery", &h));
        assert!(!super::verify_password("wrong", &h));
        assert!(!super::verify_password("x", "not a hash"));
    }
}
