//! Tokenisation: a jieba analyser (search mode, user dictionary) and a CJK
//! bigram analyser with positions, plus the character normalisation both share.
//!
//! Both tokenizers hold the shared dictionary behind an `Arc`, so tantivy's
//! frequent analyser clones (one per segment writer, per snippet) are cheap.

use std::sync::{Arc, OnceLock};

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which the jieba analyser is registered in the index.
pub const JIEBA_TOKENIZER: &str = "gk_jieba";
/// Name under which the bigram analyser is registered in the index.
pub const BIGRAM_TOKENIZER: &str = "gk_bigram";

/// Tokens longer than this (bytes) are dropped (base64 blobs, long numbers).
const MAX_TOKEN_BYTES: usize = 60;

/// Disclosure vocabulary added to jieba's dictionary (`word freq tag` per line).
pub const USER_DICT: &str = include_str!("userdict.txt");

/// The shared jieba instance: default dictionary plus [`USER_DICT`].
pub fn jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA
        .get_or_init(|| {
            let mut jieba = Jieba::new();
            for line in USER_DICT.lines() {
                let mut parts = line.split_whitespace();
                let Some(word) = parts.next() else { continue };
                if word.starts_with('#') {
                    continue;
                }
                let freq = parts.next().and_then(|f| f.parse().ok());
                let tag = parts.next();
                jieba.add_word(word, freq, tag);
            }
            Arc::new(jieba)
        })
        .clone()
}

/// How a character takes part in bigrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CharClass {
    /// Letters, digits, Han characters: emitted (normalised).
    Word(char),
    /// Brackets, book-title marks, dashes, slashes, dots: skipped without
    /// breaking a run, so 南府办〔2024〕12号, 南府办[2024]12号 and 南府办202412号
    /// all give the same bigrams.
    Joiner,
    /// Whitespace and sentence punctuation: ends a run.
    Breaker,
}

/// Full-width ASCII to ASCII, ideographic space to space, lower case.
pub(crate) fn normalize_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_uppercase() {
        c.to_lowercase().next().unwrap_or(c)
    } else {
        c
    }
}

pub(crate) fn classify(c: char) -> CharClass {
    // Fast paths for the bulk of the text (no Unicode table lookups): Han ideographs have no
    // case and are alphanumeric; ASCII letters and digits only fold to lower case.
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return CharClass::Word(c);
    }
    if c.is_ascii_alphanumeric() {
        return CharClass::Word(c.to_ascii_lowercase());
    }
    let n = normalize_char(c);
    if n.is_alphanumeric() {
        return CharClass::Word(n);
    }
    match n {
        '〔' | '〕' | '[' | ']' | '【' | '】' | '(' | ')' | '{' | '}' | '〈' | '〉' | '《'
        | '》' | '<' | '>' | '「' | '」' | '『' | '』' | '〖' | '〗' | '-' | '—' | '–' | '/'
        | '·' | '.' | '_' | '#' => CharClass::Joiner,
        _ => CharClass::Breaker,
    }
}

/// Normalised text of a token: each character normalised, joiners and
/// breakers removed. Empty when the token holds no letter, digit or Han char.
pub(crate) fn normalize_token(word: &str) -> String {
    word.chars()
        .filter_map(|c| match classify(c) {
            CharClass::Word(n) => Some(n),
            _ => None,
        })
        .collect()
}

/// One run of word characters: `(normalised char, byte start, byte end)`.
type Run = Vec<(char, usize, usize)>;

/// Splits text into runs of word characters (joiners skipped, breakers split).
pub(crate) fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut current: Run = Vec::new();
    for (i, c) in text.char_indices() {
        match classify(c) {
            CharClass::Word(n) => current.push((n, i, i + c.len_utf8())),
            CharClass::Joiner => {}
            CharClass::Breaker => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Bigram texts of one run, for queries (no trailing unigram).
pub(crate) fn run_bigrams(run: &[(char, usize, usize)]) -> Vec<String> {
    run.windows(2)
        .map(|w| {
            let mut s = String::with_capacity(8);
            s.push(w[0].0);
            s.push(w[1].0);
            s
        })
        .collect()
}

/// Jieba tokens of `text` (byte ranges into `text`, normalised text), with
/// punctuation-only and over-long tokens removed.
pub(crate) fn jieba_tokens(
    jieba: &Jieba,
    text: &str,
    mode: TokenizeMode,
) -> Vec<(usize, usize, String)> {
    jieba
        .tokenize(text, mode, true)
        .into_iter()
        .filter_map(|t| {
            let norm = normalize_token(t.word);
            (!norm.is_empty() && norm.len() <= MAX_TOKEN_BYTES).then_some((
                t.byte_start,
                t.byte_end,
                norm,
            ))
        })
        .collect()
}

/// A token stream over tokens computed up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index.saturating_sub(1).min(self.tokens.len() - 1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.index.saturating_sub(1).min(self.tokens.len() - 1);
        &mut self.tokens[i]
    }
}

fn stream(mut tokens: Vec<Token>) -> VecTokenStream {
    if tokens.is_empty() {
        // `token()` must be callable even on an empty stream; it is never
        // advanced past, since `advance` returns false at once.
        tokens.push(Token::default());
        return VecTokenStream { tokens, index: 1 };
    }
    VecTokenStream { tokens, index: 0 }
}

/// Jieba in search mode (overlapping sub-words), HMM on, user dictionary,
/// normalised tokens with ordinal positions.
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

impl JiebaTokenizer {
    pub fn new(jieba: Arc<Jieba>) -> Self {
        JiebaTokenizer { jieba }
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = jieba_tokens(&self.jieba, text, TokenizeMode::Search)
            .into_iter()
            .enumerate()
            .map(|(position, (from, to, text))| Token {
                offset_from: from,
                offset_to: to,
                position,
                text,
                position_length: 1,
            })
            .collect();
        stream(tokens)
    }
}

/// CJK bigrams (like tantivy's `NgramTokenizer` 2..2) over normalised runs of
/// word characters, but with consecutive positions so that phrase queries
/// work (tantivy's n-gram tokenizer puts every gram at position 0). The last
/// character of each run is also emitted alone, so one-character queries can
/// match with a prefix query.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        let mut position = 0;
        for run in runs(text) {
            for w in run.windows(2) {
                let mut s = String::with_capacity(8);
                s.push(w[0].0);
                s.push(w[1].0);
                tokens.push(Token {
                    offset_from: w[0].1,
                    offset_to: w[1].2,
                    position,
                    text: s,
                    position_length: 1,
                });
                position += 1;
            }
            if let Some(&(c, from, to)) = run.last() {
                tokens.push(Token {
                    offset_from: from,
                    offset_to: to,
                    position,
                    text: c.to_string(),
                    position_length: 1,
                });
                position += 1;
            }
            // Gap between runs: a phrase never spans a breaker.
            position += 1;
        }
        stream(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<T: Tokenizer>(mut t: T, s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut ts = t.token_stream(s);
        while let Some(tok) = ts.next() {
            out.push(tok.text.clone());
        }
        out
    }

    #[test]
    fn fast_paths_classify_like_the_unicode_tables() {
        for c in ('\u{4E00}'..='\u{9FFF}').chain('\0'..='\u{7F}') {
            let n = normalize_char(c);
            let slow = if n.is_alphanumeric() { Some(n) } else { None };
            let fast = match classify(c) {
                CharClass::Word(w) => Some(w),
                _ => None,
            };
            assert_eq!(fast, slow, "{c:?}");
        }
    }

    #[test]
    fn bigrams_skip_joiners_and_split_on_breakers() {
        assert_eq!(
            texts(BigramTokenizer, "南府办〔2024〕12号"),
            [
                "南府", "府办", "办2", "20", "02", "24", "41", "12", "2号", "号"
            ]
        );
        assert_eq!(
            texts(BigramTokenizer, "南府办[２０２４]12号"),
            texts(BigramTokenizer, "南府办〔2024〕12号")
        );
        assert_eq!(
            texts(BigramTokenizer, "养老。服务"),
            ["养老", "老", "服务", "务"]
        );
        assert!(texts(BigramTokenizer, "，。！ ").is_empty());
        assert!(texts(BigramTokenizer, "").is_empty());
    }

    #[test]
    fn bigram_offsets_point_into_the_original() {
        let s = "A〔B";
        let mut t = BigramTokenizer;
        let mut ts = t.token_stream(s);
        let tok = ts.next().unwrap();
        assert_eq!(tok.text, "ab");
        assert_eq!(&s[tok.offset_from..tok.offset_to], "A〔B");
    }

    #[test]
    fn jieba_uses_user_dictionary_and_drops_punctuation() {
        let tokens = texts(JiebaTokenizer::new(jieba()), "黄阁镇依申请公开，行政复议。");
        assert!(tokens.contains(&"依申请公开".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"黄阁镇".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"行政复议".to_string()), "{tokens:?}");
        assert!(!tokens.iter().any(|t| t == "，" || t == "。"));
    }

    #[test]
    fn empty_streams_are_safe() {
        let mut t = JiebaTokenizer::new(jieba());
        let mut ts = t.token_stream("");
        assert!(!ts.advance());
        let _ = ts.token();
    }
}
