//! Plain text as copied from a web page: tab-separated table rows, paragraphs on their own lines.

use crate::doc::{Cell, Document, Line, LineKind, Loc};

/// Split decoded text into lines: a line with a tab is a table row, any other non-empty line
/// is a paragraph. Line numbers are 1-based lines of the file.
pub fn read(text: &str) -> Document {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let loc = Loc {
            page: None,
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        let raw = raw.trim_end_matches('\r');
        if raw.contains('\t') {
            let cells: Vec<Cell> = raw.split('\t').map(|c| Cell::new(c.trim())).collect();
            if cells.iter().all(|c| c.text.is_empty()) {
                continue;
            }
            lines.push(Line {
                kind: LineKind::Row,
                cells,
                loc,
                exact: false,
            });
        } else {
            let t = raw.trim();
            if t.is_empty() {
                continue;
            }
            lines.push(Line::para(t, loc));
        }
    }
    Document { lines, pages: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_paragraphs() {
        let d = read("标题\n\n规章\t0\t1\n\t\t\n段落\r\n");
        assert_eq!(d.lines.len(), 3);
        assert_eq!(d.lines[1].kind, LineKind::Row);
        assert_eq!(d.lines[1].cells.len(), 3);
        assert_eq!(d.lines[2].loc.line, 5);
    }
}
