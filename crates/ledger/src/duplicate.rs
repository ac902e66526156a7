//! Possible 重复申请: applications of the same applicant to the same body with near-identical
//! request text within 30 days are shown to the clerk side by side. They are never merged
//! automatically — whether a request is a repeat (条例第三十六条第六项) is the clerk's decision,
//! and different applicants always file different applications.

use std::collections::HashSet;

/// How many days apart two receipts may be to be compared.
pub const DUPLICATE_WINDOW_DAYS: i64 = 30;

/// From this similarity on (0–1), two request texts are shown as a possible 重复申请.
pub const DUPLICATE_SIMILARITY: f64 = 0.8;

/// The text as compared: letters and digits only (punctuation, spaces and the
/// `（获取方式：…）` line the portal appends do not count), ASCII lower-cased.
fn comparable(text: &str) -> Vec<char> {
    let text = text.split("\n（获取方式：").next().unwrap_or(text);
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Similarity of two request texts, 0 to 1: the Dice coefficient of their character
/// bigrams (Chinese has no spaces, so words are not a unit). Equal texts give 1.
pub fn request_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (comparable(a), comparable(b));
    if a == b {
        return if a.is_empty() { 0.0 } else { 1.0 };
    }
    let grams =
        |s: &[char]| -> HashSet<(char, char)> { s.windows(2).map(|w| (w[0], w[1])).collect() };
    let (ga, gb) = (grams(&a), grams(&b));
    if ga.is_empty() || gb.is_empty() {
        return 0.0;
    }
    let common = ga.intersection(&gb).count();
    2.0 * common as f64 / (ga.len() + gb.len()) as f64
}

/// Whether two request texts are similar enough to be flagged.
pub fn is_possible_duplicate(a: &str, b: &str) -> bool {
    request_similarity(a, b) >= DUPLICATE_SIMILARITY
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn same_request_in_other_words_is_flagged() {
        let a = "申请公开黄阁镇2026年道路养护经费使用情况";
        assert!(is_possible_duplicate(
            a,
            "申请公开黄阁镇2026年道路养护经费使用情况。"
        ));
        assert!(is_possible_duplicate(
            a,
            "申请公开黄阁镇2026年道路养护经费的使用情况\n（获取方式：电子邮件）"
        ));
        assert!(!is_possible_duplicate(
            a,
            "申请公开黄阁镇2025年低保发放名单"
        ));
        assert!(!is_possible_duplicate(
            a,
            "申请公开南沙区2026年河道整治验收报告"
        ));
    }

    #[test]
    fn empty_and_punctuation_only_texts_are_not_similar() {
        assert_eq!(request_similarity("", ""), 0.0);
        assert_eq!(request_similarity("。。", "，"), 0.0);
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "[养老服务补贴低保经费2026年]{0,20}", b in "[养老服务补贴低保经费2026年]{0,20}") {
            let s = request_similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert_eq!(s, request_similarity(&b, &a));
        }

        #[test]
        fn a_text_is_its_own_duplicate(a in "[养老服务补贴低保经费2026年]{2,30}") {
            prop_assert!(is_possible_duplicate(&a, &a));
        }
    }
}
