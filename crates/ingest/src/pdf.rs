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
    let last_page = limits.max_pages.saturating_add(1).to_string();
    let mut child = Command::new(&limits.pdftotext)
        .args(["-layout", "-enc", "UTF-8", "-l", &last_page, "-", "-"])
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
    fn scanned_is_an_error() {
        assert!(matches!(
            layout_to_document("\x0c\x0c", &Limits::default()),
            Err(IngestError::NoTextLayer)
        ));
    }
}
