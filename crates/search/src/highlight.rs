//! Highlighting: marks the query's jieba words and the exact (normalised)
//! occurrences of each query segment, and picks the best excerpt.

use std::collections::HashSet;
use std::ops::Range;

use jieba_rs::{Jieba, TokenizeMode};

use crate::query::ParsedText;
use crate::tokenize::{jieba_tokens, runs};

/// Characters shown in a snippet.
pub(crate) const SNIPPET_CHARS: usize = 120;
/// Characters of context kept before the first mark of a snippet.
const CONTEXT_CHARS: usize = 20;
/// Bytes of text examined around the first raw occurrence of the query.
const REGION_BEFORE: usize = 600;
const REGION_AFTER: usize = 6_000;
/// Titles are highlighted up to this many bytes.
const TITLE_BYTES: usize = 4_096;

/// Escapes text for HTML element content and attribute values (`& < > " '`).
pub fn html_escape(s: &str, out: &mut String) {
    html_escape::encode_quoted_attribute_to_string(s, out);
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

/// Sorts ranges and merges the overlapping ones.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
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

pub(crate) struct Highlighter<'a> {
    jieba: &'a Jieba,
    query: &'a ParsedText,
    words: HashSet<&'a str>,
    /// Whether some word to mark is not itself a whole query segment (whose exact matches
    /// already mark every place jieba could find it).
    jieba_needed: bool,
}

impl<'a> Highlighter<'a> {
    pub fn new(jieba: &'a Jieba, query: &'a ParsedText) -> Self {
        let words: HashSet<&str> = query
            .highlight_words
            .iter()
            .chain(query.segments.iter().flat_map(|s| s.words.iter()))
            .map(String::as_str)
            .collect();
        let jieba_needed = words.iter().any(|w| {
            !query
                .segments
                .iter()
                .any(|s| s.chars.iter().copied().eq(w.chars()))
        });
        Highlighter {
            jieba,
            query,
            words,
            jieba_needed,
        }
    }

    /// Sorted, merged byte ranges of `text` to mark.
    fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut ranges = self.word_ranges(text);
        ranges.extend(self.exact_ranges(text));
        merge(ranges)
    }

    /// Occurrences of the query's jieba words (segmenting `text`: the costly part).
    fn word_ranges(&self, text: &str) -> Vec<Range<usize>> {
        if !self.jieba_needed {
            return Vec::new();
        }
        jieba_tokens(self.jieba, text, TokenizeMode::Search)
            .into_iter()
            .filter(|(_, _, w)| self.words.contains(w.as_str()))
            .map(|(from, to, _)| from..to)
            .collect()
    }

    /// Exact (normalised) occurrences of each query segment, found on the bigrams of `text`
    /// without keeping the bigrams that are not in the query.
    fn exact_ranges(&self, text: &str) -> Vec<Range<usize>> {
        let wanted: Vec<&str> = self
            .query
            .segments
            .iter()
            .flat_map(|s| s.bigrams.iter().map(String::as_str))
            .collect();
        let firsts: Vec<char> = self
            .query
            .segments
            .iter()
            .filter(|s| s.bigrams.is_empty())
            .filter_map(|s| s.chars.first().copied())
            .collect();
        // (position, from, to, index in `wanted`) of the bigrams that matter, walking the
        // tokens `BigramTokenizer` makes (bigrams, then the run's last char alone, then a gap)
        // without building their strings.
        let wanted_chars: Vec<Vec<char>> = wanted.iter().map(|w| w.chars().collect()).collect();
        let mut grams: Vec<(usize, usize, usize, usize)> = Vec::new();
        let mut ranges = Vec::new();
        let mut position = 0;
        let mut token = |chars: &[char], from: usize, to: usize, position: usize| {
            if let Some(k) = wanted_chars.iter().position(|w| w.as_slice() == chars) {
                grams.push((position, from, to, k));
            }
            // One-character segments: every bigram (or final unigram) starting with it.
            if firsts.contains(&chars[0]) {
                let len = text[from..].chars().next().map_or(0, char::len_utf8);
                ranges.push(from..from + len);
            }
        };
        for run in runs(text) {
            for w in run.windows(2) {
                token(&[w[0].0, w[1].0], w[0].1, w[1].2, position);
                position += 1;
            }
            if let Some(&(c, from, to)) = run.last() {
                token(&[c], from, to, position);
                position += 1;
            }
            position += 1;
        }
        for segment in &self.query.segments {
            let m = segment.bigrams.len();
            if m == 0 {
                continue;
            }
            // Consecutive positions carrying the segment's bigrams in order.
            for (i, g) in grams.iter().enumerate() {
                if wanted[g.3] != segment.bigrams[0] {
                    continue;
                }
                let mut end = g.2;
                let mut ok = true;
                for k in 1..m {
                    match grams[i + 1..]
                        .iter()
                        .take_while(|x| x.0 <= g.0 + k)
                        .find(|x| x.0 == g.0 + k && wanted[x.3] == segment.bigrams[k])
                    {
                        Some(x) => end = x.2,
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok {
                    ranges.push(g.1..end);
                }
            }
        }
        ranges
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
        // Where the query occurs exactly, the window is chosen from those places and only the
        // window is segmented by jieba for word marks; otherwise the whole region is.
        let exact = merge(self.exact_ranges(region));
        let window_only = !exact.is_empty() && self.jieba_needed;
        let ranges = if exact.is_empty() {
            self.ranges(region)
        } else {
            exact
        };

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
        let ranges = match best {
            Some((_, s)) if window_only => {
                let e = advance_chars(region, s, SNIPPET_CHARS);
                let mut all = ranges;
                all.extend(
                    self.word_ranges(&region[s..e])
                        .into_iter()
                        .map(|r| r.start + s..r.end + s),
                );
                merge(all)
            }
            _ => ranges,
        };
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
    fn jieba_runs_only_for_words_that_are_not_whole_segments() {
        let j = jieba();
        let whole = parse_text("养老 补贴");
        assert!(!Highlighter::new(&j, &whole).jieba_needed);
        let parts = parse_text("最低生活保障");
        assert!(Highlighter::new(&j, &parts).jieba_needed);
        // Sub-words are still marked where the whole phrase does not occur.
        let (title, snippet) = hl("最低生活保障", "保障困难群众最低生活");
        assert!(
            title.contains("<mark>") && snippet.contains("<mark>"),
            "{title} {snippet}"
        );
        // A whole-segment word is marked everywhere it occurs, by its exact matches.
        let (title, _) = hl("养老 补贴", "养老服务补贴与居家养老补贴");
        assert_eq!(
            title,
            "<mark>养老</mark>服务<mark>补贴</mark>与居家<mark>养老</mark><mark>补贴</mark>"
                .replace("</mark><mark>", "")
        );
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
