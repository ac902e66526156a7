//! Highlighting: marks the query's jieba words and the exact (normalised)
//! occurrences of each query segment, and picks the best excerpt.

use std::collections::HashSet;
use std::ops::Range;

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{TokenStream, Tokenizer};

use crate::query::ParsedText;
use crate::tokenize::{BigramTokenizer, jieba_tokens};

/// Characters shown in a snippet.
pub(crate) const SNIPPET_CHARS: usize = 120;
/// Characters of context kept before the first mark of a snippet.
const CONTEXT_CHARS: usize = 20;
/// Bytes of text examined around the first raw occurrence of the query.
const REGION_BEFORE: usize = 600;
const REGION_AFTER: usize = 6_000;
/// Titles are highlighted up to this many bytes.
const TITLE_BYTES: usize = 4_096;

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Escapes text and folds every run of whitespace into one space.
fn escape_folded(s: &str, out: &mut String) {
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        let mut buf = [0u8; 4];
        html_escape(c.encode_utf8(&mut buf), out);
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte index `n` characters after `from` (or the end).
fn advance_chars(s: &str, from: usize, n: usize) -> usize {
    s[from..]
        .char_indices()
        .nth(n)
        .map_or(s.len(), |(i, _)| from + i)
}

/// Byte index `n` characters before `to` (or `floor`).
fn back_chars(s: &str, floor: usize, to: usize, n: usize) -> usize {
    s[floor..to]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(floor, |(i, _)| floor + i)
}

pub(crate) struct Highlighter<'a> {
    jieba: &'a Jieba,
    query: &'a ParsedText,
    words: HashSet<&'a str>,
}

impl<'a> Highlighter<'a> {
    pub fn new(jieba: &'a Jieba, query: &'a ParsedText) -> Self {
        let words = query
            .highlight_words
            .iter()
            .chain(query.segments.iter().flat_map(|s| s.words.iter()))
            .map(String::as_str)
            .collect();
        Highlighter {
            jieba,
            query,
            words,
        }
    }

    /// Sorted, merged byte ranges of `text` to mark.
    fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut ranges: Vec<Range<usize>> = jieba_tokens(self.jieba, text, TokenizeMode::Search)
            .into_iter()
            .filter(|(_, _, w)| self.words.contains(w.as_str()))
            .map(|(from, to, _)| from..to)
            .collect();

        let mut tokenizer = BigramTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut grams: Vec<(usize, usize, usize, String)> = Vec::new();
        while let Some(t) = stream.next() {
            grams.push((t.position, t.offset_from, t.offset_to, t.text.clone()));
        }
        for segment in &self.query.segments {
            if segment.bigrams.is_empty() {
                // One character: every bigram (or final unigram) starting with it.
                let Some(&c) = segment.chars.first() else {
                    continue;
                };
                for (_, from, _, g) in &grams {
                    if g.starts_with(c) {
                        let len = text[*from..].chars().next().map_or(0, char::len_utf8);
                        ranges.push(*from..*from + len);
                    }
                }
                continue;
            }
            let m = segment.bigrams.len();
            if grams.len() < m {
                continue;
            }
            for i in 0..=grams.len() - m {
                let window = &grams[i..i + m];
                let matches = window
                    .iter()
                    .zip(&segment.bigrams)
                    .enumerate()
                    .all(|(k, (g, b))| g.3 == *b && g.0 == window[0].0 + k);
                if matches {
                    ranges.push(window[0].1..window[m - 1].2);
                }
            }
        }
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    fn render(&self, text: &str, ranges: &[Range<usize>], out: &mut String) {
        let mut at = 0;
        for r in ranges {
            let (start, end) = (r.start.max(at).min(text.len()), r.end.min(text.len()));
            if start >= end {
                continue;
            }
            escape_folded(&text[at..start], out);
            out.push_str("<mark>");
            escape_folded(&text[start..end], out);
            out.push_str("</mark>");
            at = end;
        }
        escape_folded(&text[at..], out);
    }

    /// The whole title, escaped, with marks.
    pub fn title_html(&self, title: &str) -> String {
        let cut = floor_boundary(title, TITLE_BYTES);
        let title = &title[..cut];
        let mut out = String::with_capacity(title.len() + 32);
        let ranges = self.ranges(title);
        self.render(title, &ranges, &mut out);
        out
    }

    /// An excerpt of about [`SNIPPET_CHARS`] characters around the best
    /// cluster of matches, escaped, with marks and `…` where text was cut.
    pub fn snippet_html(&self, text: &str) -> String {
        // Only a region of a long text is segmented: around the first place
        // where the query appears as typed, else the beginning.
        let first = self
            .query
            .segments
            .iter()
            .filter_map(|s| text.find(s.raw.as_str()))
            .min();
        let region_start = match first {
            Some(p) => floor_boundary(text, p.saturating_sub(REGION_BEFORE)),
            None => 0,
        };
        let region_end = floor_boundary(text, region_start + REGION_BEFORE + REGION_AFTER);
        let region = &text[region_start..region_end];
        let ranges = self.ranges(region);

        // Pick the window start that covers the most marks.
        let mut best: Option<(usize, usize)> = None; // (count, start)
        for r in ranges.iter().take(64) {
            let start = back_chars(region, 0, r.start, CONTEXT_CHARS);
            let end = advance_chars(region, start, SNIPPET_CHARS);
            let count = ranges
                .iter()
                .filter(|x| x.start >= start && x.end <= end)
                .count();
            if best.is_none_or(|(c, _)| count > c) {
                best = Some((count, start));
            }
        }
        let (start, end) = match best {
            Some((_, s)) => (s, advance_chars(region, s, SNIPPET_CHARS)),
            None => (0, advance_chars(region, 0, SNIPPET_CHARS)),
        };
        let window: Vec<Range<usize>> = ranges
            .iter()
            .filter(|r| r.start < end && r.end > start)
            .map(|r| r.start.max(start) - start..r.end.min(end) - start)
            .collect();
        let mut out = String::with_capacity((end - start) + 64);
        if region_start + start > 0 {
            out.push('…');
        }
        self.render(&region[start..end], &window, &mut out);
        if region_start + end < text.len() {
            out.push('…');
        }
        out.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_text;
    use crate::tokenize::jieba;

    fn hl(query: &str, text: &str) -> (String, String) {
        let j = jieba();
        let q = parse_text(query);
        let h = Highlighter::new(&j, &q);
        (h.title_html(text), h.snippet_html(text))
    }

    #[test]
    fn marks_words_and_escapes_the_rest() {
        let (title, _) = hl("养老", "关于<养老服务>补贴 & 发放");
        assert_eq!(title, "关于&lt;<mark>养老</mark>服务&gt;补贴 &amp; 发放");
    }

    #[test]
    fn marks_doc_numbers_across_bracket_styles() {
        let (title, _) = hl("南府办[2024]12号", "印发南府办〔2024〕12号文件");
        assert_eq!(title, "印发<mark>南府办〔2024〕12号</mark>文件");
    }

    #[test]
    fn snippet_is_centred_on_the_match() {
        let text = format!(
            "{}张三丰申请公开{}",
            "无关内容。".repeat(200),
            "其他。".repeat(200)
        );
        let (_, snippet) = hl("张三丰", &text);
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "{snippet}"
        );
        assert!(snippet.contains("<mark>张三丰</mark>"), "{snippet}");
        assert!(snippet.chars().count() < SNIPPET_CHARS + 40);
    }

    #[test]
    fn snippet_without_match_shows_the_beginning() {
        let (_, snippet) = hl("税", "一二三四五六");
        assert_eq!(snippet, "一二三四五六");
    }
}
