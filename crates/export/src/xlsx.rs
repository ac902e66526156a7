//! XLSX: the report as a workbook for oversight offices that collect tables in spreadsheets.
//!
//! Sheets, in order:
//! - `二 第二十条`, `三 依申请`, `四 复议诉讼`: the printed tables with their merged headers (title in
//!   row 1, section heading in row 2, the grid from row 3); the report's cells are numbers;
//! - `数据`: one row per cell (机关, 年度, 格式, 单元格编号 `table.row.col`, labels, 数值), ready to be
//!   stacked with other bodies' workbooks;
//! - `检查结果`: the findings of the reconciliation rules.

use crate::{ExportError, check_limits};
use gongkai_report::layout::{CellKind, Grid, grids};
use gongkai_report::{Finding, Report, Value, value_text};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// Sheet names of the three table sheets, in print order (section 二, 三, 四).
pub const TABLE_SHEETS: [&str; 3] = ["二 第二十条", "三 依申请", "四 复议诉讼"];
/// Sheet name of the flat cell list.
pub const DATA_SHEET: &str = "数据";
/// Sheet name of the findings.
pub const FINDINGS_SHEET: &str = "检查结果";
/// Row (0-based) where each table grid starts on its sheet: after the title and the heading.
pub const GRID_FIRST_ROW: u32 = 2;

const FONT: &str = "宋体";

/// Export a report as XLSX with the given findings (usually `gongkai_report::check(report, previous)`).
pub fn to_xlsx(report: &Report, findings: &[Finding]) -> Result<Vec<u8>, ExportError> {
    check_limits(report)?;
    let mut wb = Workbook::new();
    let all = grids(report);
    for (g, name) in all.iter().zip(TABLE_SHEETS) {
        let heading = report
            .spec()
            .sections
            .iter()
            .find(|s| s.label.starts_with(g.section))
            .map(|s| s.label.as_str())
            .unwrap_or(g.section);
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        grid_sheet(ws, report, heading, g)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(DATA_SHEET)?;
    data_sheet(ws, report)?;
    let ws = wb.add_worksheet();
    ws.set_name(FINDINGS_SHEET)?;
    findings_sheet(ws, findings)?;
    Ok(wb.save_to_buffer()?)
}

fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(10.5)
}

fn boxed() -> Format {
    base()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

/// A cell value as a spreadsheet number (amounts are exact decimals of at most a few places).
pub fn number(v: Value) -> f64 {
    match v {
        Value::Count(n) => n as f64,
        Value::Amount(d) => d.to_f64().unwrap_or(f64::NAN),
    }
}

fn grid_sheet(
    ws: &mut Worksheet,
    report: &Report,
    heading: &str,
    g: &Grid,
) -> Result<(), XlsxError> {
    let last_col = (g.columns - 1) as u16;
    let title = base()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    ws.merge_range(0, 0, 0, last_col, &report.title(), &title)?;
    ws.set_row_height(0, 24)?;
    ws.merge_range(1, 0, 1, last_col, heading, &base().set_bold())?;

    let header = boxed().set_align(FormatAlign::Center);
    let caption = header.clone().set_bold().set_background_color(0xF2F2F2);
    let label = boxed().set_align(FormatAlign::Left);
    let count = boxed().set_align(FormatAlign::Center).set_num_format("0");
    let amount = boxed()
        .set_align(FormatAlign::Center)
        .set_num_format("0.00##");

    // Widths in characters: the grid's relative widths over a total that fits the column count.
    let total = (g.columns as f64 * 9.0).max(90.0);
    let sum: u32 = g.widths.iter().sum::<u32>().max(1);
    for (i, w) in g.widths.iter().enumerate() {
        ws.set_column_width(i as u16, (total * *w as f64 / sum as f64).max(6.0))?;
    }

    for cell in g.rows.iter().flatten() {
        let r0 = GRID_FIRST_ROW + cell.row as u32;
        let c0 = cell.col as u16;
        let r1 = r0 + cell.rowspan as u32 - 1;
        let c1 = c0 + cell.colspan as u16 - 1;
        let fmt = match &cell.kind {
            CellKind::Header if g.section == "二" && cell.colspan == g.columns => &caption,
            CellKind::Header => &header,
            CellKind::Label => &label,
            CellKind::Value {
                value: Some(Value::Amount(_)),
                ..
            } => &amount,
            CellKind::Value { .. } => &count,
        };
        let merged = r1 > r0 || c1 > c0;
        match &cell.kind {
            CellKind::Value { value, .. } => {
                if merged {
                    ws.merge_range(r0, c0, r1, c1, "", fmt)?;
                }
                match value {
                    Some(v) => ws.write_number_with_format(r0, c0, number(*v), fmt)?,
                    None => ws.write_blank(r0, c0, fmt)?,
                };
            }
            _ => {
                if merged {
                    ws.merge_range(r0, c0, r1, c1, &cell.text, fmt)?;
                } else {
                    ws.write_string_with_format(r0, c0, &cell.text, fmt)?;
                }
            }
        }
    }
    if g.header_rows > 0 {
        ws.set_freeze_panes(GRID_FIRST_ROW + g.header_rows as u32, 0)?;
    }
    ws.set_paper_size(9); // A4
    if g.columns > 10 {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// Column headers of the `数据` sheet.
pub const DATA_HEADERS: [&str; 9] = [
    "机关名称",
    "年度",
    "格式",
    "单元格编号",
    "表格",
    "行",
    "列",
    "数值",
    "单位",
];

fn data_sheet(ws: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let head = base().set_bold().set_border(FormatBorder::Thin);
    for (i, h) in DATA_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &head)?;
    }
    let text = base();
    let num = base().set_num_format("General");
    let spec = report.spec();
    let mut r = 1u32;
    for (key, value) in report.cells() {
        let Some(t) = spec.table(key.table) else {
            continue;
        };
        let row_label = t.row(key.row).map(|x| x.label.as_str()).unwrap_or(key.row);
        let col = t.column(key.col);
        let col_label = col
            .map(|c| {
                let mut parts = c.header_path.clone();
                parts.push(c.label.clone());
                parts.join("·")
            })
            .unwrap_or_else(|| key.col.to_string());
        let caption = if t.caption.is_empty() {
            spec.sections
                .iter()
                .find(|s| s.tables.iter().any(|k| k == key.table))
                .map(|s| s.label.clone())
                .unwrap_or_default()
        } else {
            t.caption.clone()
        };
        ws.write_string_with_format(r, 0, &report.body, &text)?;
        ws.write_number_with_format(r, 1, report.year, &num)?;
        ws.write_string_with_format(r, 2, report.format.as_str(), &text)?;
        ws.write_string_with_format(r, 3, key.to_string(), &text)?;
        ws.write_string_with_format(r, 4, caption, &text)?;
        ws.write_string_with_format(r, 5, row_label, &text)?;
        ws.write_string_with_format(r, 6, col_label, &text)?;
        if let Some(v) = value {
            ws.write_number_with_format(r, 7, number(v), &num)?;
        }
        let unit = match col.map(|c| c.kind) {
            Some(gongkai_report::ColumnType::Amount) => "万元",
            _ => "",
        };
        ws.write_string_with_format(r, 8, unit, &text)?;
        r += 1;
    }
    for (i, w) in [28.0, 6.0, 6.0, 40.0, 26.0, 40.0, 30.0, 10.0, 6.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(
        0,
        0,
        r.saturating_sub(1).max(1),
        (DATA_HEADERS.len() - 1) as u16,
    )?;
    Ok(())
}

/// Column headers of the `检查结果` sheet.
pub const FINDINGS_HEADERS: [&str; 7] = [
    "级别",
    "规则",
    "说明",
    "单元格",
    "应为",
    "实为",
    "Description",
];

fn findings_sheet(ws: &mut Worksheet, findings: &[Finding]) -> Result<(), XlsxError> {
    let head = base().set_bold().set_border(FormatBorder::Thin);
    for (i, h) in FINDINGS_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &head)?;
    }
    let text = base().set_text_wrap().set_align(FormatAlign::Top);
    let error = text.clone().set_font_color(0xC00000).set_bold();
    if findings.is_empty() {
        ws.write_string_with_format(1, 0, "未发现问题 (no findings)", &text)?;
    }
    for (i, f) in findings.iter().enumerate() {
        let r = 1 + i as u32;
        let fmt = if f.is_error() { &error } else { &text };
        ws.write_string_with_format(r, 0, f.severity.label_zh(), fmt)?;
        ws.write_string_with_format(r, 1, &f.rule, &text)?;
        ws.write_string_with_format(r, 2, &f.message, &text)?;
        ws.write_string_with_format(r, 3, f.cells.join("\n"), &text)?;
        write_json(ws, r, 4, &f.expected, &text)?;
        write_json(ws, r, 5, &f.found, &text)?;
        ws.write_string_with_format(r, 6, &f.message_en, &text)?;
    }
    for (i, w) in [6.0, 22.0, 60.0, 32.0, 10.0, 10.0, 60.0].iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_json(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: &serde_json::Value,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match v.as_f64() {
        Some(n) if v.is_number() => ws.write_number_with_format(r, c, n, fmt)?,
        _ => ws.write_string_with_format(r, c, value_text(v), fmt)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::{Decimal, FormatVersion};

    #[test]
    fn numbers_are_exact_for_counts_and_amounts() {
        assert_eq!(number(Value::Count(1234)), 1234.0);
        assert_eq!(number(Value::Amount(Decimal::new(125, 2))), 1.25);
    }

    #[test]
    fn writes_a_workbook() {
        let r = Report::zeroed(FormatVersion::V2021, 2024, "某县人民政府");
        let bytes = to_xlsx(&r, &gongkai_report::check(&r, None)).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
