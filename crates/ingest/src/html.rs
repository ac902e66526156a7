//! HTML: text blocks become lines; tables without nested tables become rows with rowspan and
//! colspan expanded to exact grid positions (`<br>` inside a cell is a line break, `&nbsp;` a
//! blank). Tables that contain tables are layout tables and are walked as text.

use crate::doc::{Cell, Document, Line, LineKind, Loc};
use crate::{IngestError, Limits};
use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

const MAX_SPAN: usize = 200;

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "br"
            | "section"
            | "article"
            | "center"
            | "blockquote"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "title"
            | "header"
            | "footer"
            | "pre"
            | "hr"
            | "dd"
            | "dt"
            | "caption"
    )
}

fn has_nested_table(table: ElementRef<'_>) -> bool {
    table
        .descendants()
        .skip(1)
        .any(|n| matches!(n.value(), Node::Element(e) if e.name() == "table"))
}

/// Read an HTML document (already decoded).
pub fn read(text: &str, limits: &Limits) -> Result<Document, IngestError> {
    let html = Html::parse_document(text);
    let mut lines = Vec::new();
    let mut block = 0u32;
    let mut buf = String::new();
    let mut skip: Option<ego_tree::NodeId> = None;
    let mut cells_total = 0usize;
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => buf.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if matches!(name, "script" | "style" | "noscript" | "template") {
                            skip = Some(node.id());
                            continue;
                        }
                        if is_block(name) {
                            flush(&mut buf, &mut lines, &mut block);
                        }
                        if name == "table"
                            && let Some(el) = ElementRef::wrap(node)
                            && !has_nested_table(el)
                        {
                            let rows = table_grid(el, limits, &mut cells_total)?;
                            for cells in rows {
                                if cells.iter().all(|c| c.text.is_empty()) {
                                    continue;
                                }
                                block += 1;
                                lines.push(Line {
                                    kind: LineKind::Row,
                                    cells,
                                    loc: Loc {
                                        page: None,
                                        line: block,
                                    },
                                    exact: true,
                                });
                            }
                            skip = Some(node.id());
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skip {
                    if id == node.id() {
                        skip = None;
                    }
                    continue;
                }
                if let Node::Element(e) = node.value()
                    && is_block(e.name())
                {
                    flush(&mut buf, &mut lines, &mut block);
                }
            }
        }
    }
    flush(&mut buf, &mut lines, &mut block);
    Ok(Document { lines, pages: None })
}

fn flush(buf: &mut String, lines: &mut Vec<Line>, block: &mut u32) {
    let t = collapse(buf);
    if !t.is_empty() {
        *block += 1;
        lines.push(Line::para(
            t,
            Loc {
                page: None,
                line: *block,
            },
        ));
    }
    buf.clear();
}

/// Collapse runs of whitespace (incl. `&nbsp;`) to one space; drop spaces next to CJK text.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev_ascii = out.chars().last().is_some_and(|p| p.is_ascii());
            if prev_ascii && c.is_ascii() {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// The text of a cell: `<br>` and block children become line breaks.
fn cell_text(cell: ElementRef<'_>) -> String {
    let mut parts: Vec<String> = vec![String::new()];
    for edge in cell.traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Text(t) => parts.last_mut().expect("nonempty").push_str(t),
                Node::Element(e) if e.name() == "br" => parts.push(String::new()),
                Node::Element(e) if is_block(e.name()) && n.id() != cell.id() => {
                    parts.push(String::new())
                }
                _ => {}
            },
            Edge::Close(_) => {}
        }
    }
    let lines: Vec<String> = parts
        .iter()
        .map(|p| collapse(p))
        .filter(|p| !p.is_empty())
        .collect();
    lines.join("\n")
}

fn span_attr(e: ElementRef<'_>, name: &str) -> usize {
    e.value()
        .attr(name)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_SPAN)
}

fn rows_of(table: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut out = Vec::new();
    let mut stack: Vec<NodeRef<'_, Node>> = table.children().collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        if let Some(el) = ElementRef::wrap(n) {
            match el.value().name() {
                "tr" => out.push(el),
                "thead" | "tbody" | "tfoot" => {
                    let mut kids: Vec<_> = n.children().collect();
                    kids.reverse();
                    stack.extend(kids);
                }
                _ => {}
            }
        }
    }
    out
}

fn table_grid(
    table: ElementRef<'_>,
    limits: &Limits,
    cells_total: &mut usize,
) -> Result<Vec<Vec<Cell>>, IngestError> {
    let mut grid: Vec<Vec<Option<Cell>>> = Vec::new();
    for (r, tr) in rows_of(table).into_iter().enumerate() {
        if grid.len() <= r {
            grid.push(Vec::new());
        }
        let mut c = 0usize;
        for td in tr.children().filter_map(ElementRef::wrap) {
            if !matches!(td.value().name(), "td" | "th") {
                continue;
            }
            while grid[r].get(c).is_some_and(Option::is_some) {
                c += 1;
            }
            let rs = span_attr(td, "rowspan");
            let cs = span_attr(td, "colspan");
            *cells_total += rs * cs;
            if *cells_total > limits.max_cells {
                return Err(IngestError::TooManyCells {
                    max: limits.max_cells,
                });
            }
            let text = cell_text(td);
            for i in 0..rs {
                while grid.len() <= r + i {
                    grid.push(Vec::new());
                }
                let row = &mut grid[r + i];
                if row.len() < c + cs {
                    row.resize(c + cs, None);
                }
                for j in 0..cs {
                    if row[c + j].is_none() {
                        row[c + j] = Some(Cell {
                            text: text.clone(),
                            spanned: i > 0 || j > 0,
                            x: None,
                        });
                    }
                }
            }
            c += cs;
        }
    }
    Ok(grid
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| {
                    c.unwrap_or(Cell {
                        spanned: true,
                        ..Cell::default()
                    })
                })
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_breaks() {
        let html = r#"<html><head><title>T</title></head><body><p>一、总体情况</p>
<table><tr><td rowspan="2">三、本年度<br>办理结果</td><td colspan="2">（一）予以公开</td><td>1</td></tr>
<tr><td>（三）</td><td>1.属于国家秘密</td><td>&nbsp;</td></tr></table><div>正文 <b>加粗</b></div></body></html>"#;
        let d = read(html, &Limits::default()).unwrap();
        let texts: Vec<String> = d.lines.iter().map(|l| l.joined()).collect();
        assert_eq!(texts[0], "T");
        assert_eq!(texts[1], "一、总体情况");
        let r1 = &d.lines[2].cells;
        assert_eq!(r1[0].text, "三、本年度\n办理结果");
        assert!(r1[2].spanned);
        let r2 = &d.lines[3].cells;
        assert!(r2[0].spanned);
        assert_eq!(r2[3].text, "");
        assert_eq!(texts[4], "正文加粗");
    }
}
