//! The typed report: body, year, format, section texts and the cells of every statutory table.

use crate::spec::{ColumnType, FormatSpec, FormatVersion, TableSpec};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;

/// A cell value. Counts are integers; amounts (`procurement_amount`, `fee_amount`) are decimals in 万元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Value {
    Count(i64),
    Amount(Decimal),
}

impl Value {
    /// The value as a decimal, for arithmetic that mixes counts and amounts.
    pub fn as_decimal(self) -> Decimal {
        match self {
            Value::Count(n) => Decimal::from(n),
            Value::Amount(d) => d,
        }
    }

    pub fn as_count(self) -> Option<i64> {
        match self {
            Value::Count(n) => Some(n),
            Value::Amount(_) => None,
        }
    }

    pub fn is_negative(self) -> bool {
        self.as_decimal().is_sign_negative() && !self.as_decimal().is_zero()
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Count(n) => write!(f, "{n}"),
            Value::Amount(d) => write!(f, "{}", d.normalize()),
        }
    }
}

/// The address of one cell: `table.row.col`, e.g. `t3.granted.total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub table: &'static str,
    pub row: &'static str,
    pub col: &'static str,
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.table, self.row, self.col)
    }
}

/// Errors of the model API.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("单元格 `{key}` 不属于{format}年格式 (no such cell in the {format} format)")]
    UnknownCell { key: String, format: FormatVersion },
    #[error("单元格 `{key}` 的值类型不符：应为{expected} (cell `{key}` expects {expected_en})")]
    WrongType {
        key: String,
        expected: &'static str,
        expected_en: &'static str,
    },
}

/// The six sections of the report.
pub const SECTION_KEYS: [&str; 6] = ["s1", "s2", "s3", "s4", "s5", "s6"];

/// One annual report (政府信息公开工作年度报告) in one format version.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub format: FormatVersion,
    pub year: i32,
    pub body: String,
    /// Section texts by key `s1`…`s6`; absent sections are absent.
    pub sections: BTreeMap<String, String>,
    /// Dense cell storage aligned with the format spec: `cells[table][row][col]`;
    /// rows without cells have empty vectors. `None` is a blank cell.
    cells: Vec<Vec<Vec<Option<Value>>>>,
}

impl Report {
    /// A report whose every cell is blank.
    pub fn blank(format: FormatVersion, year: i32, body: impl Into<String>) -> Report {
        let spec = format.spec();
        let cells = spec
            .tables
            .iter()
            .map(|t| {
                t.rows
                    .iter()
                    .map(|r| {
                        if r.has_cells {
                            vec![None; t.columns.len()]
                        } else {
                            Vec::new()
                        }
                    })
                    .collect()
            })
            .collect();
        Report {
            format,
            year,
            body: body.into(),
            sections: BTreeMap::new(),
            cells,
        }
    }

    /// A report whose every cell is zero: the valid starting point of a new report.
    pub fn zeroed(format: FormatVersion, year: i32, body: impl Into<String>) -> Report {
        let mut r = Report::blank(format, year, body);
        let spec = format.spec();
        for (ti, t) in spec.tables.iter().enumerate() {
            for row in r.cells[ti].iter_mut() {
                for (ci, cell) in row.iter_mut().enumerate() {
                    *cell = Some(zero_of(t.columns[ci].kind));
                }
            }
        }
        r
    }

    pub fn spec(&self) -> &'static FormatSpec {
        self.format.spec()
    }

    /// Resolve `table.row.col` against this report's format.
    pub fn key(&self, key: &str) -> Result<CellKey, ModelError> {
        resolve_key(self.format, key)
    }

    fn index(&self, key: CellKey) -> Option<(usize, usize, usize, ColumnType)> {
        let spec = self.spec();
        let ti = spec.table_index(key.table)?;
        let t = &spec.tables[ti];
        let ri = t.row_index(key.row)?;
        if !t.rows[ri].has_cells {
            return None;
        }
        let ci = t.column_index(key.col)?;
        Some((ti, ri, ci, t.columns[ci].kind))
    }

    /// The cell value (`None` when blank); `Err` when the key is not a cell of this format.
    pub fn get(&self, key: &str) -> Result<Option<Value>, ModelError> {
        let k = self.key(key)?;
        Ok(self.value(k))
    }

    /// The value of a resolved cell; `None` when blank or not part of this format.
    pub fn value(&self, key: CellKey) -> Option<Value> {
        let (ti, ri, ci, _) = self.index(key)?;
        self.cells[ti][ri][ci]
    }

    /// A cell's value for arithmetic: blank counts as 0. Unknown cells are 0 too.
    pub fn count(&self, table: &str, row: &str, col: &str) -> i64 {
        self.cell(table, row, col)
            .and_then(Value::as_count)
            .unwrap_or(0)
    }

    /// The value at `table`/`row`/`col` (`None` when blank or not part of this format).
    pub fn cell(&self, table: &str, row: &str, col: &str) -> Option<Value> {
        let spec = self.spec();
        let ti = spec.table_index(table)?;
        let t = &spec.tables[ti];
        let ri = t.row_index(row)?;
        let ci = t.column_index(col)?;
        self.cells[ti].get(ri)?.get(ci).copied().flatten()
    }

    /// Set a cell; the value's kind must match the column (count vs amount).
    pub fn set(&mut self, key: &str, value: Option<Value>) -> Result<(), ModelError> {
        let k = self.key(key)?;
        self.set_key(k, value)
    }

    pub fn set_key(&mut self, key: CellKey, value: Option<Value>) -> Result<(), ModelError> {
        let (ti, ri, ci, kind) = self.index(key).ok_or_else(|| ModelError::UnknownCell {
            key: key.to_string(),
            format: self.format,
        })?;
        let value = match (kind, value) {
            (_, None) => None,
            (ColumnType::Amount, Some(Value::Amount(d))) => Some(Value::Amount(d)),
            (ColumnType::Amount, Some(Value::Count(n))) => Some(Value::Amount(Decimal::from(n))),
            (_, Some(Value::Count(n))) => Some(Value::Count(n)),
            (_, Some(Value::Amount(_))) => {
                return Err(ModelError::WrongType {
                    key: key.to_string(),
                    expected: "整数",
                    expected_en: "an integer count",
                });
            }
        };
        self.cells[ti][ri][ci] = value;
        Ok(())
    }

    /// Convenience: set a count cell.
    pub fn set_count(&mut self, key: &str, n: i64) -> Result<(), ModelError> {
        self.set(key, Some(Value::Count(n)))
    }

    /// Every cell of the report in official order, with its value.
    pub fn cells(&self) -> impl Iterator<Item = (CellKey, Option<Value>)> + '_ {
        let spec = self.spec();
        spec.tables.iter().enumerate().flat_map(move |(ti, t)| {
            t.rows.iter().enumerate().flat_map(move |(ri, r)| {
                t.columns.iter().enumerate().filter_map(move |(ci, c)| {
                    if !r.has_cells {
                        return None;
                    }
                    Some((
                        CellKey {
                            table: &t.key,
                            row: &r.key,
                            col: &c.key,
                        },
                        self.cells[ti][ri][ci],
                    ))
                })
            })
        })
    }

    /// Official title, e.g. `广州市南沙区黄阁镇人民政府2020年政府信息公开工作年度报告`.
    pub fn title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告", self.body, self.year)
    }
}

fn zero_of(kind: ColumnType) -> Value {
    match kind {
        ColumnType::Amount => Value::Amount(Decimal::ZERO),
        _ => Value::Count(0),
    }
}

/// Resolve `table.row.col` (optionally with a trailing `[year]` annotation removed by the caller).
pub fn resolve_key(format: FormatVersion, key: &str) -> Result<CellKey, ModelError> {
    let unknown = || ModelError::UnknownCell {
        key: key.to_string(),
        format,
    };
    let mut parts = key.split('.');
    let (Some(t), Some(r), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unknown());
    };
    let spec = format.spec();
    let table: &'static TableSpec = spec.table(t).ok_or_else(unknown)?;
    let row = table.row(r).filter(|r| r.has_cells).ok_or_else(unknown)?;
    let col = table.column(c).ok_or_else(unknown)?;
    Ok(CellKey {
        table: &table.key,
        row: &row.key,
        col: &col.key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_get() {
        let mut r = Report::blank(FormatVersion::V2021, 2024, "某某");
        assert_eq!(r.get("t3.granted.total").unwrap(), None);
        r.set_count("t3.granted.total", 5).unwrap();
        assert_eq!(r.get("t3.granted.total").unwrap(), Some(Value::Count(5)));
        assert_eq!(r.count("t3", "granted", "total"), 5);
        assert!(
            r.get("t3.denied.total").is_err(),
            "heading rows have no cells"
        );
        assert!(r.get("t2_9.central_procurement.procurement_items").is_err());
        assert!(
            r.set("t3.granted.total", Some(Value::Amount(Decimal::ONE)))
                .is_err()
        );
    }

    #[test]
    fn amounts_accept_integers() {
        let mut r = Report::blank(FormatVersion::V2021, 2024, "某某");
        r.set("t2_8.admin_fees.fee_amount", Some(Value::Count(3)))
            .unwrap();
        assert_eq!(
            r.get("t2_8.admin_fees.fee_amount").unwrap(),
            Some(Value::Amount(Decimal::from(3)))
        );
    }

    #[test]
    fn cell_count_per_format() {
        let r19 = Report::zeroed(FormatVersion::V2019, 2020, "x");
        let r21 = Report::zeroed(FormatVersion::V2021, 2021, "x");
        // 2019: t2 = 6+6+6+2+2, t3 = 23*7, t4 = 15
        assert_eq!(r19.cells().count(), 22 + 161 + 15);
        // 2021: t2 = 6+1+2+1, t3 = 25*7, t4 = 15
        assert_eq!(r21.cells().count(), 10 + 175 + 15);
        assert!(r21.cells().all(|(_, v)| v.is_some()));
    }
}
