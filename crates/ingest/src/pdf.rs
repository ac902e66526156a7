//! PDF with a text layer: poppler's `pdftotext -layout -enc UTF-8` run as a subprocess with a
//! timeout and a page limit; the layout text is split into cells at runs of two or more spaces,
//! keeping each cell's horizontal position for column assignment. A PDF without a text layer
//! (a scan) is an error, never a guess.

use crate::doc::{Cell, Document, Line, LineKind, Loc};
use crate::{IngestError, Limits};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use wait_timeout::ChildExt;

/// Extract the layout text of a PDF with `pdftotext`.
pub fn extract_layout_text(bytes: &[u8], limits: &Limits) -> Result<String, IngestError> {
    run_pdftotext(bytes, limits, "-layout")
}

/// Layout text rebuilt from `pdftotext -bbox` word boxes (see [`bbox_to_layout`]).
pub fn extract_bbox_layout_text(bytes: &[u8], limits: &Limits) -> Result<String, IngestError> {
    Ok(bbox_to_layout(&run_pdftotext(bytes, limits, "-bbox")?))
}

fn run_pdftotext(bytes: &[u8], limits: &Limits, mode: &str) -> Result<String, IngestError> {
    let last_page = limits.max_pages.saturating_add(1).to_string();
    let mut child = Command::new(&limits.pdftotext)
        .args([mode, "-enc", "UTF-8", "-l", &last_page, "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            IngestError::Pdf(format!(
                "无法运行 {} (install poppler-utils): {e}",
                limits.pdftotext
            ))
        })?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        // A broken pipe just means pdftotext stopped reading (e.g. page limit): not an error.
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().expect("piped stdout");
    let max_out = limits.max_bytes.saturating_mul(4);
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.by_ref().take(max_out + 1).read_to_end(&mut out);
        // Drain the rest so the child never blocks on a full pipe.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        out
    });
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_reader = std::thread::spawn(move || {
        let mut e = Vec::new();
        let _ = stderr.by_ref().take(64 * 1024).read_to_end(&mut e);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        e
    });
    let status = match child
        .wait_timeout(limits.pdf_timeout)
        .map_err(|e| IngestError::Pdf(format!("pdftotext: {e}")))?
    {
        Some(s) => s,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            // The pipe threads end when the pipes close; they are not waited for, so a
            // descendant that keeps a pipe open cannot hold the caller past the timeout.
            drop((writer, reader, err_reader));
            return Err(IngestError::Timeout {
                seconds: limits.pdf_timeout.as_secs(),
            });
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let msg = String::from_utf8_lossy(&err);
        let first = msg.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(IngestError::Pdf(format!(
            "pdftotext 无法读取此 PDF (cannot read the PDF): {first}"
        )));
    }
    if out.len() as u64 > max_out {
        return Err(IngestError::TooLarge {
            size: out.len() as u64,
            max: max_out,
        });
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Read a PDF: extract, check the page limit and the text layer, split into lines and cells.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document, IngestError> {
    let text = extract_layout_text(bytes, limits)?;
    layout_to_document(&text, limits)
}

/// Read a PDF from its word boxes instead of poppler's layout text.
pub fn read_bbox(bytes: &[u8], limits: &Limits) -> Result<Document, IngestError> {
    let text = extract_bbox_layout_text(bytes, limits)?;
    layout_to_document(&text, limits)
}

/// The widest position a word box is placed at (characters).
const MAX_COLUMN: usize = 2000;

/// One word box of `pdftotext -bbox`.
struct WordBox {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    text: String,
}

fn attr(tag: &str, name: &str) -> Option<f64> {
    let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[at..].find('"')? + at;
    tag[at..end].parse().ok()
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Rebuild layout text (pages separated by form feeds, like `pdftotext -layout`) from the
/// word boxes of `pdftotext -bbox`. Poppler's layout mode orders text by blocks; when a
/// table's tall CJK glyph boxes overlap the next row (wrapped group labels beside short rows)
/// it can put two rows' labels on one line and stack their values column by column. Here a
/// line is the words whose vertical middles agree (within a third of the usual word height),
/// words that touch are joined, and the others are placed at their horizontal position in
/// units of half the usual character width, at least two spaces apart.
pub fn bbox_to_layout(html: &str) -> String {
    let mut out = String::new();
    for (pi, page) in html.split("<page ").skip(1).enumerate() {
        if pi > 0 {
            out.push('\x0c');
        }
        let mut words: Vec<WordBox> = Vec::new();
        let mut rest = page;
        while let Some(at) = rest.find("<word ") {
            rest = &rest[at..];
            let Some(close) = rest.find('>') else { break };
            let tag = &rest[..close];
            let Some(end) = rest[close..].find("</word>") else {
                break;
            };
            let text = unescape(&rest[close + 1..close + end]);
            if let (Some(x0), Some(y0), Some(x1), Some(y1)) = (
                attr(tag, "xMin"),
                attr(tag, "yMin"),
                attr(tag, "xMax"),
                attr(tag, "yMax"),
            ) && !text.trim().is_empty()
                && x1 >= x0
                && y1 >= y0
            {
                words.push(WordBox {
                    x0,
                    x1,
                    y0,
                    y1,
                    text,
                });
            }
            rest = &rest[close + end..];
        }
        if words.is_empty() {
            continue;
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let char_w = median(
            words
                .iter()
                .map(|w| (w.x1 - w.x0) / w.text.chars().count().max(1) as f64)
                .collect(),
        );
        let unit = (char_w / 2.0).max(0.5);
        let tol = median(words.iter().map(|w| w.y1 - w.y0).collect()) / 3.0;
        let mid = |w: &WordBox| (w.y0 + w.y1) / 2.0;
        words.sort_by(|a, b| mid(a).total_cmp(&mid(b)));
        let mut lines: Vec<(f64, Vec<WordBox>)> = Vec::new();
        for w in words {
            let m = mid(&w);
            match lines.last_mut() {
                Some((first, ws)) if m - *first <= tol => ws.push(w),
                _ => lines.push((m, vec![w])),
            }
        }
        for (_, mut ws) in lines {
            ws.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut line = String::new();
            let mut len = 0usize;
            let mut prev_x1: Option<f64> = None;
            for w in ws {
                let touching = prev_x1.is_some_and(|p| w.x0 - p < unit);
                if !touching {
                    // Capped: a page with absurd coordinates must not make huge lines.
                    let col = ((w.x0 / unit).round() as usize).min(MAX_COLUMN);
                    let col = if prev_x1.is_some() {
                        col.max(len + 2)
                    } else {
                        col
                    };
                    line.extend(std::iter::repeat_n(' ', col.saturating_sub(len)));
                    len = len.max(col);
                }
                line.push_str(&w.text);
                len += w.text.chars().count();
                prev_x1 = Some(w.x1);
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Turn `pdftotext -layout` output into a document.
pub fn layout_to_document(text: &str, limits: &Limits) -> Result<Document, IngestError> {
    let mut pages: Vec<&str> = text.split('\x0c').collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    if pages.len() > limits.max_pages as usize {
        return Err(IngestError::TooManyPages {
            max: limits.max_pages,
        });
    }
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    if visible < 20 {
        return Err(IngestError::NoTextLayer);
    }
    let mut lines = Vec::new();
    let mut cells_total = 0usize;
    for (pi, page) in pages.iter().enumerate() {
        let page_no = u32::try_from(pi + 1).unwrap_or(u32::MAX);
        // Page numbers are only taken off the top and bottom of a page (or when decorated,
        // like `- 3 -` or `第3页`): a lone digit inside a table is content.
        let nonempty: Vec<usize> = page
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, _)| i)
            .collect();
        let edge = |i: usize| {
            nonempty.iter().take(2).any(|&j| j == i)
                || nonempty.iter().rev().take(2).any(|&j| j == i)
        };
        for (li, raw) in page.lines().enumerate() {
            let loc = Loc {
                page: Some(page_no),
                line: u32::try_from(li + 1).unwrap_or(u32::MAX),
            };
            let cells = split_layout_line(raw);
            if cells.is_empty() {
                continue;
            }
            cells_total += cells.len();
            if cells_total > limits.max_cells {
                return Err(IngestError::TooManyCells {
                    max: limits.max_cells,
                });
            }
            let decorated = cells[0]
                .text
                .chars()
                .any(|c| !c.is_ascii_digit() && !c.is_whitespace());
            if cells.len() == 1
                && crate::norm::is_page_number(&cells[0].text)
                && (decorated || edge(li))
            {
                continue;
            }
            let kind = if cells.len() == 1 {
                LineKind::Para
            } else {
                LineKind::Row
            };
            lines.push(Line {
                kind,
                cells,
                loc,
                exact: false,
            });
        }
    }
    Ok(Document {
        lines,
        pages: Some(u32::try_from(pages.len()).unwrap_or(u32::MAX)),
    })
}

/// Split a layout line at runs of two or more spaces; positions count characters.
pub fn split_layout_line(raw: &str) -> Vec<Cell> {
    let chars: Vec<char> = raw.chars().collect();
    let mut cells = Vec::new();
    let mut i = 0usize;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = i;
        let mut end = i;
        while end < chars.len() {
            if chars[end].is_whitespace() {
                let mut k = end;
                while k < chars.len() && chars[k].is_whitespace() {
                    k += 1;
                }
                if k - end >= 2 || k == chars.len() {
                    break;
                }
                end = k;
            } else {
                end += 1;
            }
        }
        let text: String = chars[start..end].iter().collect();
        cells.push(Cell {
            text: text.trim().to_string(),
            spanned: false,
            x: Some((
                u32::try_from(start).unwrap_or(u32::MAX),
                u32::try_from(end).unwrap_or(u32::MAX),
            )),
        });
        i = end;
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_positions() {
        let cells = split_layout_line("   规章    0   1 2    3");
        let t: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(t, ["规章", "0", "1 2", "3"]);
        assert_eq!(cells[0].x, Some((3, 5)));
    }

    #[test]
    fn word_boxes_make_lines_and_cells() {
        // A tall CJK label box whose middle sits between a row's numbers, a word split at a
        // font change (`危及` + `“`), and a second page.
        let html = r#"<doc><page width="612" height="792">
<word xMin="70.0" yMin="97.0" xMax="238.0" yMax="124.3">一、本年新收</word>
<word xMin="281.6" yMin="106.5" xMax="301.6" yMax="118.7">118</word>
<word xMin="314.6" yMin="106.5" xMax="328.0" yMax="118.7">21</word>
<word xMin="156.3" yMin="121.5" xMax="177.3" yMax="148.8">危及</word>
<word xMin="177.3" yMin="131.7" xMax="182.8" yMax="144.0">&#8220;</word>
<word xMin="288.3" yMin="131.7" xMax="295.0" yMax="144.0">1</word>
</page><page width="612" height="792">
<word xMin="70.0" yMin="97.0" xMax="91.0" yMax="124.3">A&amp;B</word>
</page></doc>"#;
        let text = bbox_to_layout(html);
        let pages: Vec<&str> = text.split('\x0c').collect();
        assert_eq!(pages.len(), 2);
        let lines: Vec<Vec<String>> = pages[0]
            .lines()
            .map(|l| split_layout_line(l).into_iter().map(|c| c.text).collect())
            .collect();
        assert_eq!(
            lines,
            vec![vec!["一、本年新收", "118", "21"], vec!["危及&#8220;", "1"],]
        );
        assert_eq!(pages[1].trim(), "A&B");
    }

    #[test]
    fn scanned_is_an_error() {
        assert!(matches!(
            layout_to_document("\x0c\x0c", &Limits::default()),
            Err(IngestError::NoTextLayer)
        ));
    }
}
