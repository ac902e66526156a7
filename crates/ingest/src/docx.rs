//! DOCX: `word/document.xml` walked with quick-xml. Paragraphs become lines; tables (`w:tbl`)
//! become rows of cells with `gridSpan` and `vMerge` expanded into exact grid positions.
//! Nested tables are flattened into their cell's text.

use crate::doc::{Cell, Document, Line, LineKind, Loc};
use crate::{IngestError, Limits};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::Read;

#[derive(Debug, Default)]
struct RawCell {
    text: String,
    span: usize,
    /// `Some(true)` restart, `Some(false)` continue, `None` no vertical merge.
    vmerge: Option<bool>,
}

#[derive(Debug, Default)]
struct RawRow {
    before: usize,
    cells: Vec<RawCell>,
}

/// Read the main document part of a DOCX package.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document, IngestError> {
    let reader = std::io::Cursor::new(bytes);
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| IngestError::Docx(format!("不是有效的 DOCX (zip) 文件: {e}")))?;
    let mut part = zip
        .by_name("word/document.xml")
        .map_err(|_| IngestError::Docx("缺少 word/document.xml (no word/document.xml)".into()))?;
    let max = limits.max_bytes.saturating_mul(8);
    if part.size() > max {
        return Err(IngestError::TooLarge {
            size: part.size(),
            max,
        });
    }
    let mut xml = Vec::new();
    part.by_ref()
        .take(max + 1)
        .read_to_end(&mut xml)
        .map_err(|e| IngestError::Docx(format!("word/document.xml 无法解压: {e}")))?;
    if xml.len() as u64 > max {
        return Err(IngestError::TooLarge {
            size: xml.len() as u64,
            max,
        });
    }
    parse_document_xml(&xml, limits)
}

fn resolve_ref(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        n => {
            let n = n.strip_prefix('#')?;
            let code = if let Some(h) = n.strip_prefix('x').or_else(|| n.strip_prefix('X')) {
                u32::from_str_radix(h, 16).ok()?
            } else {
                n.parse().ok()?
            };
            char::from_u32(code)
        }
    }
}

fn attr_val(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.local_name();
        if key.as_ref() == "val" {
            Some(a.value.to_string())
        } else {
            None
        }
    })
}

/// Parse `word/document.xml`.
pub fn parse_document_xml(xml: &[u8], limits: &Limits) -> Result<Document, IngestError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    let mut block = 0u32;
    // Table nesting depth; only depth-1 tables become grids.
    let mut depth = 0usize;
    let mut rows: Vec<RawRow> = Vec::new();
    let mut para = String::new();
    let mut in_text = false;
    let mut cells_total = 0usize;
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| IngestError::Docx(format!("word/document.xml 格式错误: {e}")))?;
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    "tbl" if !is_empty => {
                        depth += 1;
                        if depth == 1 {
                            flush_para(&mut para, &mut lines, &mut block);
                            rows.clear();
                        }
                    }
                    "tr" if depth == 1 && !is_empty => rows.push(RawRow::default()),
                    "gridBefore" if depth == 1 => {
                        if let Some(r) = rows.last_mut() {
                            r.before = attr_val(e)
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(0)
                                .min(64);
                        }
                    }
                    "tc" if depth == 1 => {
                        cells_total += 1;
                        if cells_total > limits.max_cells {
                            return Err(IngestError::TooManyCells {
                                max: limits.max_cells,
                            });
                        }
                        if let Some(r) = rows.last_mut() {
                            r.cells.push(RawCell {
                                span: 1,
                                ..RawCell::default()
                            });
                        }
                    }
                    "gridSpan" if depth == 1 => {
                        if let Some(c) = rows.last_mut().and_then(|r| r.cells.last_mut()) {
                            c.span = attr_val(e)
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(1)
                                .clamp(1, 64);
                        }
                    }
                    "vMerge" if depth == 1 => {
                        if let Some(c) = rows.last_mut().and_then(|r| r.cells.last_mut()) {
                            c.vmerge = Some(attr_val(e).as_deref() == Some("restart"));
                        }
                    }
                    "t" if !is_empty => in_text = true,
                    "br" | "cr" => push_text(depth, &mut rows, &mut para, "\n"),
                    "tab" => push_text(depth, &mut rows, &mut para, " "),
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "tbl" => {
                    if depth == 1 {
                        emit_table(std::mem::take(&mut rows), &mut lines, &mut block);
                    }
                    depth = depth.saturating_sub(1);
                }
                "t" => in_text = false,
                "p" => {
                    if depth == 0 {
                        flush_para(&mut para, &mut lines, &mut block);
                    } else {
                        push_text(depth, &mut rows, &mut para, "\n");
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t.xml10_content();
                push_text(depth, &mut rows, &mut para, &s);
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.into_inner();
                if let Some(c) = resolve_ref(&name) {
                    let mut b = [0u8; 4];
                    push_text(depth, &mut rows, &mut para, c.encode_utf8(&mut b));
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if depth > 0 {
        emit_table(rows, &mut lines, &mut block);
    }
    flush_para(&mut para, &mut lines, &mut block);
    Ok(Document { lines, pages: None })
}

fn push_text(depth: usize, rows: &mut [RawRow], para: &mut String, s: &str) {
    if depth == 0 {
        para.push_str(s);
    } else if let Some(c) = rows.last_mut().and_then(|r| r.cells.last_mut()) {
        c.text.push_str(s);
    }
}

fn flush_para(para: &mut String, lines: &mut Vec<Line>, block: &mut u32) {
    let t = para.trim();
    if !t.is_empty() {
        *block += 1;
        for part in t.split('\n') {
            let p = part.trim();
            if !p.is_empty() {
                lines.push(Line::para(
                    p,
                    Loc {
                        page: None,
                        line: *block,
                    },
                ));
            }
        }
    }
    para.clear();
}

fn emit_table(rows: Vec<RawRow>, lines: &mut Vec<Line>, block: &mut u32) {
    let mut grid: Vec<Vec<Cell>> = Vec::with_capacity(rows.len());
    for row in rows {
        let mut out: Vec<Cell> = Vec::new();
        for _ in 0..row.before {
            out.push(Cell {
                spanned: true,
                ..Cell::default()
            });
        }
        for c in row.cells {
            let col = out.len();
            let text = c.text.trim().to_string();
            let (text, spanned) = if c.vmerge == Some(false) {
                let above = grid
                    .last()
                    .and_then(|r| r.get(col))
                    .map(|a| a.text.clone())
                    .unwrap_or_default();
                (above, true)
            } else {
                (text, false)
            };
            for j in 0..c.span {
                out.push(Cell {
                    text: text.clone(),
                    spanned: spanned || j > 0,
                    x: None,
                });
            }
        }
        grid.push(out);
    }
    for cells in grid {
        if cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        *block += 1;
        lines.push(Line {
            kind: LineKind::Row,
            cells,
            loc: Loc {
                page: None,
                line: *block,
            },
            exact: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_cells() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:r><w:t>标题 &amp; 年</w:t></w:r></w:p>
<w:tbl>
<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>三、本年度</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>B</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>C</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl></w:body></w:document>"#;
        let d = parse_document_xml(xml.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(d.lines[0].cells[0].text, "标题 & 年");
        let r1 = &d.lines[1].cells;
        assert_eq!(r1.len(), 4);
        assert!(r1[2].spanned && r1[2].text == "A");
        let r2 = &d.lines[2].cells;
        assert!(r2[0].spanned && r2[0].text == "三、本年度");
        assert_eq!(r2[3].text, "2");
    }

    #[test]
    fn not_a_zip() {
        assert!(matches!(
            read(b"PK\x03\x04garbage", &Limits::default()),
            Err(IngestError::Docx(_))
        ));
    }
}
