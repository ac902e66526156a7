//! DOCX: the report as a Word document in the official look — title in 小标宋, headings 一–六 in 黑体,
//! body in 仿宋 at 三号 with a two-character first-line indent, A4 with 公文 margins, a centred page
//! number `— n —`, and the statutory tables with the merged cells of the format version
//! (`w:gridSpan` across, `w:vMerge` restart/continue down).

use crate::{ExportError, check_limits, numeral, section_paragraphs, xml_safe};
use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing, LineSpacingType,
    PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableAlignmentType, TableCell,
    TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
};
use gongkai_report::Report;
use gongkai_report::layout::{CellKind, Grid, GridCell, grids};

/// A4 in twips (1/20 pt).
const A4_WIDTH: u32 = 11906;
const A4_HEIGHT: u32 = 16838;

/// Millimetres to twips.
fn mm(v: f64) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

/// Font names written into the document. Word substitutes a font the reader lacks; deployments with
/// different licensed fonts can change the names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocxFonts {
    /// Title (标题, 二号): 方正小标宋简体 in official documents.
    pub title: String,
    /// Body text and tables (正文, 三号): 仿宋_GB2312.
    pub body: String,
    /// Headings 一–六 (一级标题): 黑体.
    pub heading: String,
    /// Latin letters and digits: Times New Roman.
    pub latin: String,
}

impl Default for DocxFonts {
    fn default() -> Self {
        DocxFonts {
            title: "方正小标宋简体".into(),
            body: "仿宋_GB2312".into(),
            heading: "黑体".into(),
            latin: "Times New Roman".into(),
        }
    }
}

/// Export a report as DOCX with the default (official) font names.
pub fn to_docx(report: &Report) -> Result<Vec<u8>, ExportError> {
    to_docx_with(report, &DocxFonts::default())
}

/// Export a report as DOCX with the given font names.
pub fn to_docx_with(report: &Report, fonts: &DocxFonts) -> Result<Vec<u8>, ExportError> {
    check_limits(report)?;
    let docx = build(report, fonts);
    let mut buf = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

fn run_fonts(east_asia: &str, latin: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(latin)
        .hi_ansi(latin)
        .cs(latin)
}

/// 28 pt exact line pitch of 公文 body text (22 lines per page).
fn body_spacing() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(560)
        .before(0)
        .after(0)
}

fn build(report: &Report, fonts: &DocxFonts) -> Docx {
    let body_fonts = run_fonts(&fonts.body, &fonts.latin);
    let mut doc = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(mm(37.0))
                .bottom(mm(35.0))
                .left(mm(28.0))
                .right(mm(26.0))
                .header(mm(15.0))
                .footer(mm(28.0)),
        )
        .default_fonts(body_fonts.clone())
        .default_size(32)
        .footer(page_number_footer(fonts));

    let title = xml_safe(&report.title());
    doc = doc.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Exact)
                    .line(700)
                    .after(560),
            )
            .add_run(
                Run::new()
                    .add_text(title)
                    .fonts(run_fonts(&fonts.title, &fonts.latin))
                    .size(44),
            ),
    );

    let all = grids(report);
    for s in &report.spec().sections {
        doc = doc.add_paragraph(
            Paragraph::new()
                .keep_next(true)
                .outline_lvl(0)
                .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                .line_spacing(body_spacing())
                .add_run(
                    Run::new()
                        .add_text(xml_safe(&s.label))
                        .fonts(run_fonts(&fonts.heading, &fonts.latin))
                        .size(32),
                ),
        );
        for p in section_paragraphs(report, &s.key) {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Both)
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                    .line_spacing(body_spacing())
                    .add_run(
                        Run::new()
                            .add_text(xml_safe(p))
                            .fonts(body_fonts.clone())
                            .size(32),
                    ),
            );
        }
        let n = numeral(&s.label);
        for g in all.iter().filter(|g| g.section == n) {
            doc = doc.add_table(grid_table(g, fonts));
            // Word needs a paragraph between consecutive tables and after the last one.
            doc = doc.add_paragraph(
                Paragraph::new()
                    .line_spacing(
                        LineSpacing::new()
                            .line_rule(LineSpacingType::Auto)
                            .line(240),
                    )
                    .add_run(Run::new().size(16)),
            );
        }
    }
    doc
}

fn page_number_footer(fonts: &DocxFonts) -> Footer {
    let f = || run_fonts(&fonts.latin, &fonts.latin);
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text("— ").fonts(f()).size(28))
            .add_run(
                Run::new()
                    .fonts(f())
                    .size(28)
                    .add_field_char(FieldCharType::Begin, false)
                    .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                    .add_field_char(FieldCharType::Separate, false)
                    .add_text("1")
                    .add_field_char(FieldCharType::End, false),
            )
            .add_run(Run::new().add_text(" —").fonts(f()).size(28)),
    )
}

/// Text width of the page in twips: A4 minus the left and right margins.
fn text_width() -> usize {
    (A4_WIDTH as i32 - mm(28.0) - mm(26.0)) as usize
}

/// Table font size in half-points: 五号 (10.5 pt), smaller for the fifteen columns of table 四.
fn table_size(g: &Grid) -> usize {
    if g.columns > 10 { 18 } else { 21 }
}

fn grid_table(g: &Grid, fonts: &DocxFonts) -> Table {
    let width = text_width();
    let total: u32 = g.widths.iter().sum::<u32>().max(1);
    let cols: Vec<usize> = g
        .widths
        .iter()
        .map(|w| (width as u64 * *w as u64 / total as u64) as usize)
        .collect();

    // Which cell covers each position: (row, col) of its origin.
    let mut origin: Vec<Vec<Option<&GridCell>>> = vec![vec![None; g.columns]; g.rows.len()];
    for cell in g.rows.iter().flatten() {
        for line in origin.iter_mut().skip(cell.row).take(cell.rowspan) {
            for slot in line.iter_mut().skip(cell.col).take(cell.colspan) {
                *slot = Some(cell);
            }
        }
    }

    let size = table_size(g);
    let mut rows = Vec::with_capacity(g.rows.len());
    for (r, line) in origin.iter().enumerate() {
        let mut cells = Vec::new();
        let mut c = 0;
        while c < g.columns {
            let Some(cell) = line[c] else {
                // A hole in the grid (never produced by the layout): keep the table rectangular.
                cells.push(TableCell::new().add_paragraph(Paragraph::new()));
                c += 1;
                continue;
            };
            if cell.col != c {
                c += 1;
                continue;
            }
            let w: usize = cols[cell.col..cell.col + cell.colspan].iter().sum();
            let mut tc = TableCell::new()
                .width(w, WidthType::Dxa)
                .vertical_align(VAlignType::Center);
            if cell.colspan > 1 {
                tc = tc.grid_span(cell.colspan);
            }
            if cell.row == r {
                if cell.rowspan > 1 {
                    tc = tc.vertical_merge(VMergeType::Restart);
                }
                for p in cell_paragraphs(g, cell, fonts, size) {
                    tc = tc.add_paragraph(p);
                }
            } else {
                tc = tc
                    .vertical_merge(VMergeType::Continue)
                    .add_paragraph(Paragraph::new());
            }
            cells.push(tc);
            c += cell.colspan;
        }
        let mut row = TableRow::new(cells).cant_split();
        if r < g.header_rows {
            row = row.row_height(360.0);
        }
        rows.push(row);
    }
    Table::new(rows)
        .set_grid(cols)
        .width(width, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
}

fn cell_paragraphs(g: &Grid, cell: &GridCell, fonts: &DocxFonts, size: usize) -> Vec<Paragraph> {
    let align = match cell.kind {
        CellKind::Label => AlignmentType::Left,
        _ => AlignmentType::Center,
    };
    let caption =
        matches!(cell.kind, CellKind::Header) && g.section == "二" && cell.colspan == g.columns;
    let text = xml_safe(&cell.text);
    let lines: Vec<&str> = if text.is_empty() {
        vec![""]
    } else {
        text.lines().collect()
    };
    lines
        .into_iter()
        .map(|line| {
            let mut run = Run::new()
                .fonts(run_fonts(&fonts.body, &fonts.latin))
                .size(size);
            if caption {
                run = run.bold();
            }
            if !line.is_empty() {
                run = run.add_text(line);
            }
            Paragraph::new()
                .align(align)
                .line_spacing(
                    LineSpacing::new()
                        .line_rule(LineSpacingType::Auto)
                        .line(240)
                        .before(0)
                        .after(0),
                )
                .add_run(run)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::FormatVersion;

    #[test]
    fn margins_in_twips() {
        assert_eq!(mm(37.0), 2098);
        assert_eq!(mm(25.4), 1440);
        assert_eq!(text_width(), 11906 - 1587 - 1474);
    }

    #[test]
    fn zipped_package() {
        for v in FormatVersion::ALL {
            let r = Report::zeroed(
                v,
                if v == FormatVersion::V2019 {
                    2020
                } else {
                    2024
                },
                "某县人民政府",
            );
            let bytes = to_docx(&r).unwrap();
            assert_eq!(&bytes[..2], b"PK");
        }
    }
}
