//! The printed layout of the statutory tables as grids with merged cells, exactly as the official
//! format (and its Word template) draws them. Shared by the HTML renderer and the exporters.

use crate::model::{CellKey, Report, Value};
use crate::spec::{ColumnType, RowSpec, TableSpec};

/// What a grid cell shows.
#[derive(Debug, Clone, PartialEq)]
pub enum CellKind {
    /// A caption or column header.
    Header,
    /// A row label.
    Label,
    /// A data cell of the report.
    Value { key: CellKey, value: Option<Value> },
}

/// One cell of a grid; only the top-left cell of a merged area is present.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub text: String,
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub kind: CellKind,
}

/// A table laid out on a grid of `columns` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// `二`, `三` or `四` — the section the table is printed in.
    pub section: &'static str,
    pub columns: usize,
    /// Relative column widths (sum 100).
    pub widths: Vec<u32>,
    /// Rows of cells; each row holds the cells that start in it, left to right.
    pub rows: Vec<Vec<GridCell>>,
    /// Number of leading header rows.
    pub header_rows: usize,
}

impl Grid {
    fn new(section: &'static str, columns: usize, widths: Vec<u32>) -> Grid {
        Grid {
            section,
            columns,
            widths,
            rows: Vec::new(),
            header_rows: 0,
        }
    }

    fn push(
        &mut self,
        row: usize,
        col: usize,
        text: impl Into<String>,
        span: (usize, usize),
        kind: CellKind,
    ) {
        while self.rows.len() <= row {
            self.rows.push(Vec::new());
        }
        self.rows[row].push(GridCell {
            text: text.into(),
            row,
            col,
            rowspan: span.0,
            colspan: span.1,
            kind,
        });
    }
}

/// The display text of a value in a given column.
pub fn value_text(v: Option<Value>, kind: ColumnType, label_has_unit: bool) -> String {
    match v {
        None => String::new(),
        Some(Value::Amount(d)) if !label_has_unit => format!("{}万元", d.normalize()),
        Some(v) => {
            let _ = kind;
            v.to_string()
        }
    }
}

/// Section 二: every 第二十条 table of the version stacked on a four-column grid.
pub fn section2(report: &Report) -> Grid {
    let spec = report.spec();
    let mut g = Grid::new("二", 4, vec![34, 22, 22, 22]);
    let mut r = 0;
    for t in spec.tables.iter().filter(|t| t.is_article20()) {
        g.push(r, 0, &t.caption, (1, 4), CellKind::Header);
        r += 1;
        g.push(
            r,
            0,
            t.label_col.as_deref().unwrap_or("信息内容"),
            (1, 1),
            CellKind::Header,
        );
        let n = t.columns.len();
        for (ci, c) in t.columns.iter().enumerate() {
            let span = if ci + 1 == n { 4 - 1 - ci } else { 1 };
            g.push(r, 1 + ci, &c.label, (1, span), CellKind::Header);
        }
        r += 1;
        for row in t.data_rows() {
            g.push(r, 0, &row.label, (1, 1), CellKind::Label);
            for (ci, c) in t.columns.iter().enumerate() {
                let span = if ci + 1 == n { 4 - 1 - ci } else { 1 };
                let key = CellKey {
                    table: &t.key,
                    row: &row.key,
                    col: &c.key,
                };
                let value = report.value(key);
                let has_unit = c.label.contains("万元");
                g.push(
                    r,
                    1 + ci,
                    value_text(value, c.kind, has_unit),
                    (1, span),
                    CellKind::Value { key, value },
                );
            }
            r += 1;
        }
    }
    g.header_rows = 0;
    g
}

fn children<'a>(t: &'a TableSpec, parent: &str) -> Vec<&'a RowSpec> {
    t.rows
        .iter()
        .filter(|r| r.parent.as_deref() == Some(parent))
        .collect()
}

fn data_descendants(t: &TableSpec, row: &RowSpec) -> usize {
    if row.has_cells {
        return 1;
    }
    children(t, &row.key)
        .iter()
        .map(|c| data_descendants(t, c))
        .sum()
}

/// Table 三 on a ten-column grid: three label columns and seven applicant columns.
pub fn table3(report: &Report) -> Grid {
    let t = report.spec().table("t3").expect("t3 in every format");
    let mut g = Grid::new("三", 10, vec![7, 10, 27, 8, 8, 8, 8, 8, 8, 8]);
    let note = t.corner_note.clone().unwrap_or_default();
    g.push(0, 0, note, (3, 3), CellKind::Header);
    g.push(0, 3, "申请人情况", (1, 7), CellKind::Header);
    g.push(1, 3, "自然人", (2, 1), CellKind::Header);
    g.push(1, 4, "法人或其他组织", (1, 5), CellKind::Header);
    g.push(1, 9, "总计", (2, 1), CellKind::Header);
    for (i, c) in t
        .columns
        .iter()
        .filter(|c| c.header_path.len() == 2)
        .enumerate()
    {
        g.push(2, 4 + i, &c.label, (1, 1), CellKind::Header);
    }
    g.header_rows = 3;
    let mut r = 3;
    let push_values = |g: &mut Grid, r: usize, row: &'static RowSpec| {
        for (ci, c) in t.columns.iter().enumerate() {
            let key = CellKey {
                table: &t.key,
                row: &row.key,
                col: &c.key,
            };
            let value = report.value(key);
            g.push(
                r,
                3 + ci,
                value_text(value, c.kind, true),
                (1, 1),
                CellKind::Value { key, value },
            );
        }
    };
    for top in t.rows.iter().filter(|x| x.parent.is_none()) {
        if top.has_cells {
            g.push(r, 0, &top.label, (1, 3), CellKind::Label);
            push_values(&mut g, r, top);
            r += 1;
            continue;
        }
        let span = data_descendants(t, top);
        g.push(r, 0, &top.label, (span, 1), CellKind::Label);
        for mid in children(t, &top.key) {
            if mid.has_cells {
                g.push(r, 1, &mid.label, (1, 2), CellKind::Label);
                push_values(&mut g, r, mid);
                r += 1;
            } else {
                let kids = children(t, &mid.key);
                g.push(r, 1, &mid.label, (kids.len(), 1), CellKind::Label);
                for leaf in kids {
                    g.push(r, 2, &leaf.label, (1, 1), CellKind::Label);
                    push_values(&mut g, r, leaf);
                    r += 1;
                }
            }
        }
    }
    g
}

/// Table 四 on a fifteen-column grid with its three header rows.
pub fn table4(report: &Report) -> Grid {
    let t = report.spec().table("t4").expect("t4 in every format");
    let mut g = Grid::new("四", 15, vec![100 / 15; 15]);
    g.push(0, 0, "行政复议", (1, 5), CellKind::Header);
    g.push(0, 5, "行政诉讼", (1, 10), CellKind::Header);
    for (i, c) in t.columns.iter().take(5).enumerate() {
        g.push(1, i, &c.label, (2, 1), CellKind::Header);
    }
    g.push(1, 5, "未经复议直接起诉", (1, 5), CellKind::Header);
    g.push(1, 10, "复议后起诉", (1, 5), CellKind::Header);
    for (i, c) in t.columns.iter().skip(5).enumerate() {
        g.push(2, 5 + i, &c.label, (1, 1), CellKind::Header);
    }
    g.header_rows = 3;
    let row = t.data_rows().next().expect("t4 has its data row");
    for (ci, c) in t.columns.iter().enumerate() {
        let key = CellKey {
            table: &t.key,
            row: &row.key,
            col: &c.key,
        };
        let value = report.value(key);
        g.push(
            3,
            ci,
            value_text(value, c.kind, true),
            (1, 1),
            CellKind::Value { key, value },
        );
    }
    g
}

/// The grids of a report in print order.
pub fn grids(report: &Report) -> Vec<Grid> {
    vec![section2(report), table3(report), table4(report)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::FormatVersion;

    fn covered(g: &Grid) -> Vec<Vec<u8>> {
        let mut m = vec![vec![0u8; g.columns]; g.rows.len()];
        for row in &g.rows {
            for c in row {
                for line in &mut m[c.row..c.row + c.rowspan] {
                    for n in &mut line[c.col..c.col + c.colspan] {
                        *n += 1;
                    }
                }
            }
        }
        m
    }

    #[test]
    fn grids_tile_exactly() {
        for v in FormatVersion::ALL {
            let r = Report::zeroed(v, 2024, "x");
            for g in grids(&r) {
                for (i, row) in covered(&g).iter().enumerate() {
                    assert!(
                        row.iter().all(|&n| n == 1),
                        "{v} {} row {i}: {row:?}",
                        g.section
                    );
                }
            }
        }
    }

    #[test]
    fn t3_row_counts() {
        let r19 = Report::zeroed(FormatVersion::V2019, 2020, "x");
        let r21 = Report::zeroed(FormatVersion::V2021, 2021, "x");
        assert_eq!(table3(&r19).rows.len(), 3 + 23);
        assert_eq!(table3(&r21).rows.len(), 3 + 25);
        // 三、本年度办理结果 spans 20 rows in 2019 and 22 in 2021.
        let span = |g: &Grid| {
            g.rows
                .iter()
                .flatten()
                .find(|c| c.text == "三、本年度办理结果")
                .unwrap()
                .rowspan
        };
        assert_eq!(span(&table3(&r19)), 20);
        assert_eq!(span(&table3(&r21)), 22);
    }
}
