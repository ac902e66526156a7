//! Plain text as copied from a web page: tab-separated table rows, paragraphs on their own lines.
//! Some pages copy with every table cell on its own line (no tabs); such tables are put back
//! into rows (see [`regroup_cell_lines`]).

use crate::doc::{Cell, Document, Line, LineKind, Loc};
use crate::norm::{Token, parse_token};

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
    if !lines.iter().any(|l| l.kind == LineKind::Row) {
        lines = regroup_cell_lines(lines);
    }
    Document { lines, pages: None }
}

/// A line that is a value cell on its own: a number, or an explicit blank (`—`, `-`, `/`).
fn value_line(line: &Line) -> Option<bool> {
    let t = line.cells[0].text.as_str();
    match parse_token(t) {
        Token::Number { .. } => Some(true),
        Token::Blank if t != "无" => Some(false),
        _ => None,
    }
}

/// Text without a single tab whose tables were copied one cell per line: a label line
/// followed by value lines becomes one row `label, v1, v2, …`, and a run of value lines with
/// no label before it, or more than eight of them (table 四), one row of values. Done only
/// when the document shows such a table (a run of at least five value lines); a label is never
/// running text (a line ending a sentence), and a lone number under running text (a page
/// number) is left alone.
fn regroup_cell_lines(lines: Vec<Line>) -> Vec<Line> {
    let kinds: Vec<Option<bool>> = lines.iter().map(value_line).collect();
    let mut best = 0usize;
    let mut run = 0usize;
    for k in &kinds {
        run = if k.is_some() { run + 1 } else { 0 };
        best = best.max(run);
    }
    if best < 5 {
        return lines;
    }
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j < lines.len() && kinds[j].is_some() {
            j += 1;
        }
        if j == i {
            out.push(lines[i].clone());
            i += 1;
            continue;
        }
        // lines[i..j] are values; a run of blanks alone is not a row.
        if !kinds[i..j].contains(&Some(true)) {
            out.extend(lines[i..j].iter().cloned());
            i = j;
            continue;
        }
        let values = lines[i..j]
            .iter()
            .map(|l| Cell::new(l.cells[0].text.clone()));
        // No labelled row of these tables has more than eight values (table 三 with a 小计
        // column); a longer run is table 四's row, under its column headers.
        let label_ok = j - i <= 8
            && out.last().is_some_and(|l| {
                l.kind == LineKind::Para && {
                    let t = l.cells[0].text.trim_end();
                    t.chars().count() <= 80 && !t.ends_with(['。', '；', ';', '：', ':', '！'])
                }
            });
        if label_ok && let Some(mut label) = out.pop() {
            label.kind = LineKind::Row;
            label.cells.extend(values);
            out.push(label);
        } else if j - i == 1 {
            // A lone number under running text (a page number) stays as it is.
            out.push(lines[i].clone());
        } else {
            out.push(Line {
                kind: LineKind::Row,
                cells: values.collect(),
                loc: lines[i].loc,
                exact: false,
            });
        }
        i = j;
    }
    out
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

    #[test]
    fn tables_copied_one_cell_per_line_are_regrouped() {
        let d = read(
            "全年收到申请3件。\n2\n规章\n0\n—\n1\n总计\n0\n0\n0\n0\n0\n0\n0\n0\n0\n六、其他需要报告的事项\n无\n",
        );
        let rows: Vec<Vec<&str>> = d
            .lines
            .iter()
            .map(|l| l.cells.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            rows,
            vec![
                vec!["全年收到申请3件。"],
                vec!["2"],
                vec!["规章", "0", "—", "1"],
                vec!["总计"],
                vec!["0"; 9],
                vec!["六、其他需要报告的事项"],
                vec!["无"],
            ]
        );
        assert_eq!(d.lines[1].kind, LineKind::Para);
        // Without a run of five values nothing is regrouped.
        assert!(
            read("规章\n0\n1\n")
                .lines
                .iter()
                .all(|l| l.kind == LineKind::Para)
        );
    }
}
