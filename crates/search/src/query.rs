//! The query as the portal sends it, its tolerant cleaning, and the results.

use serde::{Deserialize, Serialize};

use crate::doc::DocKind;
use crate::tokenize::{jieba, jieba_tokens, run_bigrams, runs};

/// User text beyond this many characters is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many separate terms (runs between spaces or punctuation) are
/// used; further ones are ignored.
pub const MAX_QUERY_SEGMENTS: usize = 12;
/// Largest page size; larger `limit`s are clamped.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start; deeper `offset`s return no hits (the total is still given).
pub const MAX_OFFSET: usize = 10_000;
/// Page size used when `limit` is 0.
pub const DEFAULT_LIMIT: usize = 10;
/// Longest run of characters used as one phrase (longer runs are cut).
const MAX_SEGMENT_CHARS: usize = 40;

/// A search request. Every field is optional: empty text with filters lists
/// the matching items newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// What the user typed; any text is accepted.
    pub text: String,
    /// Keep only items of these bodies (a body and its subordinates); empty = all.
    pub body_codes: Vec<String>,
    /// Keep only this catalog domain (e.g. 养老服务).
    pub domain: Option<String>,
    pub year: Option<i32>,
    pub kind: Option<DocKind>,
    pub offset: usize,
    /// Page size, 1..=[`MAX_LIMIT`]; 0 means [`DEFAULT_LIMIT`].
    pub limit: usize,
}

impl Query {
    /// A text query without filters, first page.
    pub fn text(text: impl Into<String>) -> Query {
        Query {
            text: text.into(),
            ..Query::default()
        }
    }

    pub(crate) fn effective_limit(&self) -> usize {
        match self.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of matching items (all pages).
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Time spent in [`crate::SearchIndex::search`], milliseconds.
    pub took_ms: f64,
}

/// One result. `title_html` and `snippet_html` are HTML-escaped text with the
/// matched words wrapped in `<mark>…</mark>`; insert them without escaping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub kind: DocKind,
    pub title_html: String,
    pub snippet_html: String,
    pub body_code: String,
    pub body_name: String,
    pub domain: Option<String>,
    pub year: Option<i32>,
    pub date: Option<String>,
    pub doc_number: Option<String>,
    pub url: String,
    /// Relevance (0 when browsing by date).
    pub score: f32,
}

/// One run of word characters of the user text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    /// The run as typed (joiners kept), used to locate it in texts.
    pub raw: String,
    /// Normalised characters.
    pub chars: Vec<char>,
    /// Bigrams (empty for a one-character segment).
    pub bigrams: Vec<String>,
    /// Jieba words (default mode, normalised), all required for a word match.
    pub words: Vec<String>,
}

/// The cleaned user text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParsedText {
    pub segments: Vec<Segment>,
    /// Jieba words in search mode over all segments, for highlighting.
    pub highlight_words: Vec<String>,
}

impl ParsedText {
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

/// Cleans user text: keeps the first [`MAX_QUERY_CHARS`] characters, drops
/// control characters, splits on whitespace and punctuation (query syntax
/// such as quotes, `+`, `-`, `:` or `*` has no special meaning).
pub(crate) fn parse_text(text: &str) -> ParsedText {
    let cleaned: String = text
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let jieba = jieba();
    let mut parsed = ParsedText::default();
    for run in runs(&cleaned) {
        if parsed.segments.len() >= MAX_QUERY_SEGMENTS {
            break;
        }
        let run = &run[..run.len().min(MAX_SEGMENT_CHARS)];
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            continue;
        };
        let raw = cleaned[first.1..last.2].to_string();
        let chars: Vec<char> = run.iter().map(|r| r.0).collect();
        if parsed.segments.iter().any(|s| s.chars == chars) {
            continue;
        }
        let mut words: Vec<String> = Vec::new();
        for (_, _, w) in jieba_tokens(&jieba, &raw, jieba_rs::TokenizeMode::Default) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
        for (_, _, w) in jieba_tokens(&jieba, &raw, jieba_rs::TokenizeMode::Search) {
            if !parsed.highlight_words.contains(&w) {
                parsed.highlight_words.push(w);
            }
        }
        parsed.segments.push(Segment {
            raw,
            bigrams: run_bigrams(run),
            chars,
            words,
        });
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_characters_are_plain_separators() {
        let p = parse_text("\"养老\" AND -补贴* title:(通知");
        let norm: Vec<String> = p
            .segments
            .iter()
            .map(|s| s.chars.iter().collect())
            .collect();
        assert_eq!(norm, ["养老", "and", "补贴", "title", "通知"]);
    }

    #[test]
    fn doc_number_is_one_segment() {
        let p = parse_text("南府办〔2024〕12号");
        assert_eq!(p.segments.len(), 1);
        assert_eq!(p.segments[0].raw, "南府办〔2024〕12号");
        assert_eq!(p.segments[0].bigrams.len(), 9);
    }

    #[test]
    fn limits_are_applied() {
        let long = "养".repeat(10_000);
        let p = parse_text(&long);
        assert_eq!(p.segments[0].chars.len(), MAX_SEGMENT_CHARS);
        let many = (0..100)
            .map(|i| format!("词{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(parse_text(&many).segments.len(), MAX_QUERY_SEGMENTS);
        assert!(parse_text("  ，。!!  ").is_empty());
        assert!(parse_text("").is_empty());
    }

    #[test]
    fn limit_defaults_and_clamps() {
        assert_eq!(Query::default().effective_limit(), DEFAULT_LIMIT);
        let q = Query {
            limit: 5000,
            ..Query::default()
        };
        assert_eq!(q.effective_limit(), MAX_LIMIT);
    }
}
