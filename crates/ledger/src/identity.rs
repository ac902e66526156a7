//! Identity documents an applicant gives (条例第二十九条: 身份证明): the 18-digit 居民身份证号码
//! (GB 11643, with its check digit) and the 统一社会信用代码 of an organisation (GB 32100, with
//! its check character).

pub use crate::queue::{normalize_id_number, valid_id_number};

/// The 31 characters of a 统一社会信用代码 (no I, O, S, V, Z).
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A 统一社会信用代码, upper-cased and trimmed, if it has 18 valid characters and its check
/// character matches.
pub fn normalize_uscc(s: &str) -> Option<String> {
    let code = s.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return None;
    }
    let value = |c: u8| USCC_CHARS.iter().position(|&x| x == c).map(|p| p as u32);
    let mut sum = 0;
    for (i, w) in USCC_WEIGHTS.iter().enumerate() {
        sum += value(bytes[i])? * w;
    }
    let check = (31 - sum % 31) % 31;
    (value(bytes[17])? == check).then_some(code)
}

/// Whether `s` is a valid 统一社会信用代码.
pub fn valid_uscc(s: &str) -> bool {
    normalize_uscc(s).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_codes_pass() {
        // Published codes of well-known companies.
        assert!(valid_uscc("914403001922038216"));
        assert!(valid_uscc("91440300708461136T"));
        assert!(valid_uscc(" 91440300708461136t "));
    }

    #[test]
    fn wrong_codes_fail() {
        assert!(!valid_uscc("914403001922038217"));
        assert!(!valid_uscc("91440300708461136"));
        assert!(!valid_uscc("9144030070846113IT"));
        assert!(!valid_uscc(""));
    }

    proptest! {
        /// Changing any one character of a valid code makes it invalid.
        #[test]
        fn one_changed_character_is_caught(pos in 0usize..18, by in 1usize..31) {
            let code = b"914403001922038216";
            let i = USCC_CHARS.iter().position(|&c| c == code[pos]).unwrap();
            let mut changed = code.to_vec();
            changed[pos] = USCC_CHARS[(i + by) % 31];
            prop_assert!(!valid_uscc(std::str::from_utf8(&changed).unwrap()));
        }
    }
}
