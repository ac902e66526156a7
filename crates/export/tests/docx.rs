//! DOCX export checked structurally: unzip `word/document.xml`, read every `w:tbl` back into a grid
//! (expanding `w:gridSpan` and `w:vMerge`), and compare it with the printed layout of the report.

mod common;

use common::{artifact_dir, examples};
use gongkai_export::docx::to_docx;
use gongkai_report::layout::{CellKind, grids};
use gongkai_report::{FormatVersion, Report};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::Read;
use std::time::Instant;

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip package");
    let mut f = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the package"));
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

/// A cell read back from `w:tbl`: origin, spans and text (paragraphs joined by `\n`).
#[derive(Debug, Clone, PartialEq)]
struct ReadCell {
    row: usize,
    col: usize,
    rowspan: usize,
    colspan: usize,
    text: String,
}

/// Every table of the document as a list of cells with their merged areas.
fn read_tables(xml: &str) -> Vec<Vec<ReadCell>> {
    let mut reader = Reader::from_str(xml);
    let mut tables = Vec::new();
    let mut cells: Vec<ReadCell> = Vec::new();
    let (mut row, mut col) = (0usize, 0usize);
    let mut span = 1usize;
    let mut vmerge: Option<bool> = None; // Some(true) restart, Some(false) continue
    let mut text = String::new();
    let mut paragraphs: Vec<String> = Vec::new();
    let mut in_t = false;
    let mut depth = 0;
    loop {
        let ev = reader.read_event().expect("well-formed document.xml");
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.name().as_ref() {
                    "w:tbl" => {
                        depth += 1;
                        assert_eq!(depth, 1, "no nested tables");
                        cells.clear();
                        row = 0;
                    }
                    "w:tr" => col = 0,
                    "w:tc" => {
                        span = 1;
                        vmerge = None;
                        paragraphs.clear();
                    }
                    "w:gridSpan" => {
                        let v = e.try_get_attribute("w:val").unwrap().unwrap();
                        span = v.value.parse().unwrap();
                    }
                    "w:vMerge" => {
                        let v = e.try_get_attribute("w:val").unwrap();
                        vmerge = Some(v.map(|v| v.value == "restart").unwrap_or(false));
                    }
                    "w:p" if depth > 0 && !empty => text.clear(),
                    "w:t" if !empty => in_t = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_t => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c,
                    None => match r.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unknown entity {other}"),
                    },
                };
                text.push(c);
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_t = false,
                "w:p" if depth > 0 => paragraphs.push(std::mem::take(&mut text)),
                "w:tc" => {
                    let joined = paragraphs.join("\n");
                    if vmerge == Some(false) {
                        let above = cells
                            .iter_mut()
                            .find(|c| c.col == col && c.row + c.rowspan == row)
                            .unwrap_or_else(|| {
                                panic!("vMerge continue at {row},{col} without a cell above")
                            });
                        assert_eq!(above.colspan, span, "continued cell keeps its width");
                        above.rowspan += 1;
                    } else {
                        cells.push(ReadCell {
                            row,
                            col,
                            rowspan: 1,
                            colspan: span,
                            text: joined,
                        });
                    }
                    col += span;
                }
                "w:tr" => row += 1,
                "w:tbl" => {
                    depth -= 1;
                    tables.push(std::mem::take(&mut cells));
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    tables
}

fn expected_tables(report: &Report) -> Vec<Vec<ReadCell>> {
    grids(report)
        .iter()
        .map(|g| {
            g.rows
                .iter()
                .flatten()
                .map(|c| ReadCell {
                    row: c.row,
                    col: c.col,
                    rowspan: c.rowspan,
                    colspan: c.colspan,
                    text: c.text.clone(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn tables_read_back_to_the_layout() {
    for (name, report) in examples() {
        let t = Instant::now();
        let docx = to_docx(&report).unwrap();
        eprintln!(
            "DOCX export of {name}: {:?}, {} bytes",
            t.elapsed(),
            docx.len()
        );
        std::fs::write(artifact_dir().join(format!("{name}.docx")), &docx).unwrap();
        let xml = part(&docx, "word/document.xml");
        let got = read_tables(&xml);
        let want = expected_tables(&report);
        assert_eq!(got.len(), 3, "{name}: three tables");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{name}: table {i}");
        }
        // Every value cell of the model is in the document with its printed text.
        let values = grids(&report)
            .iter()
            .flat_map(|g| g.rows.iter().flatten().cloned().collect::<Vec<_>>())
            .filter(|c| matches!(c.kind, CellKind::Value { .. }))
            .count();
        assert_eq!(values, report.spec().cell_keys().count());
    }
}

#[test]
fn page_setup_fonts_and_headings() {
    let report = common::nansha();
    let docx = to_docx(&report).unwrap();
    let xml = part(&docx, "word/document.xml");
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4");
    for m in [
        r#"w:top="2098""#,
        r#"w:bottom="1984""#,
        r#"w:left="1587""#,
        r#"w:right="1474""#,
    ] {
        assert!(xml.contains(m), "margin {m}");
    }
    assert!(xml.contains(&report.title()));
    for s in &report.spec().sections {
        assert!(xml.contains(&s.label), "heading {}", s.label);
    }
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体"] {
        assert!(xml.contains(font), "font {font}");
    }
    for p in report.sections["s1"]
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let escaped = p
            .trim()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(xml.contains(&escaped), "paragraph {p}");
    }
    let footer = part(&docx, "word/footer1.xml");
    assert!(footer.contains("PAGE"), "page number field: {footer}");
}

#[test]
fn hostile_text_is_escaped() {
    let mut r = Report::zeroed(FormatVersion::V2021, 2024, "某县<b>&\"人民政府\"");
    r.sections
        .insert("s1".into(), "<w:p>注入</w:p> & \u{1}控制字符".into());
    let docx = to_docx(&r).unwrap();
    let xml = part(&docx, "word/document.xml");
    read_tables(&xml); // still well-formed
    assert!(!xml.contains("<w:p>注入"));
    assert!(xml.contains("控制字符"));
}

/// A compact text picture of the tables: one line per row, `[text rowspan×colspan]` per cell.
fn structure(tables: &[Vec<ReadCell>]) -> String {
    let mut out = String::new();
    for (i, t) in tables.iter().enumerate() {
        out.push_str(&format!("table {i}\n"));
        let rows = t.iter().map(|c| c.row).max().unwrap_or(0) + 1;
        for r in 0..rows {
            let cells: Vec<String> = t
                .iter()
                .filter(|c| c.row == r)
                .map(|c| {
                    let text: String = c.text.replace('\n', "⏎").chars().take(12).collect();
                    if c.rowspan > 1 || c.colspan > 1 {
                        format!("[{text} {}×{}]", c.rowspan, c.colspan)
                    } else {
                        format!("[{text}]")
                    }
                })
                .collect();
            out.push_str(&format!("  {r:>2}: {}\n", cells.join(" ")));
        }
    }
    out
}

#[test]
fn table_structure_snapshots() {
    for (name, report) in examples() {
        let xml = part(&to_docx(&report).unwrap(), "word/document.xml");
        insta::assert_snapshot!(format!("docx-tables-{name}"), structure(&read_tables(&xml)));
    }
}
