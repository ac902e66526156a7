//! Art. 20 registers (第二十条): regulations and normative documents with their issue,
//! publication and repeal dates (→ table 二（一）), and yearly figures that are entered or
//! imported as numbers (licensing, penalty and coercion decisions, fees, procurement).

use crate::counters::{self, Contributions};
use gongkai_calendar::serde_date;
use gongkai_report::{ColumnType, Decimal, FormatVersion, Value};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use time::Date;

/// The rows of table 二（一）.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 规章
    Regulation,
    /// 行政规范性文件 (2019 format: 规范性文件)
    NormativeDocument,
}

impl DocumentKind {
    /// Both kinds.
    pub const ALL: [DocumentKind; 2] = [DocumentKind::Regulation, DocumentKind::NormativeDocument];

    /// Row key in table 二（一） (`regulations`, `normative_docs`).
    pub fn key(self) -> &'static str {
        match self {
            DocumentKind::Regulation => "regulations",
            DocumentKind::NormativeDocument => "normative_docs",
        }
    }

    /// Parse a key.
    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.key() == s.trim())
    }

    /// Label (2021 format).
    pub fn label_zh(self) -> &'static str {
        match self {
            DocumentKind::Regulation => "规章",
            DocumentKind::NormativeDocument => "行政规范性文件",
        }
    }
}

/// A regulation or normative document in the register (without storage id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// The issuing body.
    pub body_id: i64,
    /// 规章 or 行政规范性文件.
    pub kind: DocumentKind,
    /// Title.
    pub title: String,
    /// Document number (文号); unique per body.
    pub doc_number: String,
    /// Issue date (制发).
    #[serde(with = "serde_date")]
    pub issued_on: Date,
    /// Publication date; the issue date when absent.
    #[serde(with = "serde_date::option")]
    pub published_on: Option<Date>,
    /// Repeal date (废止), if repealed.
    #[serde(with = "serde_date::option")]
    pub repealed_on: Option<Date>,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Storage id.
    pub id: i64,
    /// The document.
    #[serde(flatten)]
    pub record: DocumentRecord,
}

/// A bad register entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// Title or number empty or too long.
    #[error(
        "标题和文号不能为空且不超过500个字符 (title and document number must be 1–500 characters)"
    )]
    BadText,
    /// Dates in the wrong order.
    #[error(
        "{what}日期 {date} 早于制发日期 {issued} ({what_en} date {date} is before the issue date {issued})"
    )]
    BeforeIssue {
        /// Which date (Chinese).
        what: &'static str,
        /// Which date.
        what_en: &'static str,
        /// The date.
        date: Date,
        /// Issue date.
        issued: Date,
    },
    /// Not a figure cell.
    #[error(
        "`{cell}` 不是{year}年度报告第二十条（五）（六）（八）（九）项表格的单元格 (not an entered Art. 20 cell of the {format} format)"
    )]
    NotAFigureCell {
        /// The cell key.
        cell: String,
        /// Report year.
        year: i32,
        /// Format.
        format: FormatVersion,
    },
    /// Value not parseable or negative.
    #[error("`{cell}` 的值 {value:?} 无效：{why} (invalid value)")]
    BadValue {
        /// Cell.
        cell: String,
        /// Value as given.
        value: String,
        /// Why.
        why: &'static str,
    },
}

impl DocumentRecord {
    /// Check texts and date order.
    pub fn validate(&self) -> Result<(), RegisterError> {
        for t in [&self.title, &self.doc_number] {
            let n = t.trim().chars().count();
            if n == 0 || n > 500 {
                return Err(RegisterError::BadText);
            }
        }
        if let Some(p) = self.published_on
            && p < self.issued_on
        {
            return Err(RegisterError::BeforeIssue {
                what: "公开",
                what_en: "publication",
                date: p,
                issued: self.issued_on,
            });
        }
        if let Some(r) = self.repealed_on
            && r < self.issued_on
        {
            return Err(RegisterError::BeforeIssue {
                what: "废止",
                what_en: "repeal",
                date: r,
                issued: self.issued_on,
            });
        }
        Ok(())
    }

    /// What the document contributes: issued in its issue year, published in its publication
    /// year, repealed in its repeal year. 现行有效件数 of year Y = Σ issued − Σ repealed
    /// through Y; the 2019 对外公开总数量 = Σ published through Y.
    pub fn contributions(&self) -> Contributions {
        let mut c = Contributions::new();
        let k = self.kind.key();
        counters::add(&mut c, self.issued_on.year(), format!("doc.issued.{k}"), 1);
        let published = self.published_on.unwrap_or(self.issued_on);
        counters::add(&mut c, published.year(), format!("doc.published.{k}"), 1);
        if let Some(r) = self.repealed_on {
            counters::add(&mut c, r.year(), format!("doc.repealed.{k}"), 1);
        }
        c
    }
}

/// The tables whose cells are entered as yearly figures.
pub const FIGURE_TABLES: [&str; 4] = ["t2_5", "t2_6", "t2_8", "t2_9"];

/// One entered figure: a cell of table 二（五）（六）（八）（九） for (body, year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearlyFigure {
    /// Report year.
    pub year: i32,
    /// Cell key, e.g. `t2_5.admin_license.decisions` or `t2_8.admin_fees.fee_amount`.
    pub cell: String,
    /// Canonical value text: an integer, or a decimal in 万元 for amount cells.
    pub value: String,
}

impl YearlyFigure {
    /// Parse and validate `value` for `cell` in the format of `year`: counts are integers
    /// (non-negative except 本年增/减), amounts non-negative decimals (万元, at most 6
    /// decimals). Returns the figure with its canonical text.
    pub fn parse(year: i32, cell: &str, value: &str) -> Result<YearlyFigure, RegisterError> {
        let format = FormatVersion::for_year(year);
        let not_cell = || RegisterError::NotAFigureCell {
            cell: cell.to_string(),
            year,
            format,
        };
        let key = gongkai_report::model::resolve_key(format, cell).map_err(|_| not_cell())?;
        if !FIGURE_TABLES.contains(&key.table) {
            return Err(not_cell());
        }
        let kind = format
            .spec()
            .table(key.table)
            .and_then(|t| t.column(key.col))
            .map(|c| c.kind)
            .ok_or_else(not_cell)?;
        let bad = |why| RegisterError::BadValue {
            cell: cell.to_string(),
            value: value.to_string(),
            why,
        };
        let v = value.trim().trim_start_matches('+');
        let canonical = match kind {
            ColumnType::Count | ColumnType::SignedCount => {
                let n: i64 = v
                    .parse()
                    .map_err(|_| bad("应为整数 (expected an integer)"))?;
                if n < 0 && kind == ColumnType::Count {
                    return Err(bad("不能为负数 (must not be negative)"));
                }
                n.to_string()
            }
            ColumnType::Amount => {
                let d = Decimal::from_str(v)
                    .map_err(|_| bad("应为以万元为单位的数 (expected an amount in 万元)"))?;
                if d.is_sign_negative() && !d.is_zero() {
                    return Err(bad("不能为负数 (must not be negative)"));
                }
                if d.scale() > 6 {
                    return Err(bad("最多6位小数 (at most 6 decimals)"));
                }
                d.normalize().to_string()
            }
        };
        Ok(YearlyFigure {
            year,
            cell: key.to_string(),
            value: canonical,
        })
    }

    /// The value for the report model.
    pub fn value(&self) -> Option<Value> {
        if let Ok(n) = self.value.parse::<i64>() {
            return Some(Value::Count(n));
        }
        Decimal::from_str(&self.value).ok().map(Value::Amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn figures() {
        let f = YearlyFigure::parse(2024, "t2_8.admin_fees.fee_amount", "1.50").unwrap();
        assert_eq!(f.value, "1.5");
        assert!(YearlyFigure::parse(2024, "t2_8.admin_fees.fee_amount", "-1").is_err());
        assert!(YearlyFigure::parse(2024, "t2_5.admin_license.decisions", "1.5").is_err());
        assert!(YearlyFigure::parse(2024, "t3.granted.total", "1").is_err());
        assert!(
            YearlyFigure::parse(2024, "t2_9.central_procurement.procurement_items", "1").is_err()
        );
        let c = YearlyFigure::parse(2020, "t2_5.admin_license.change", "-3").unwrap();
        assert_eq!(c.value(), Some(Value::Count(-3)));
        assert!(YearlyFigure::parse(2020, "t2_5.admin_license.decisions", "-3").is_err());
    }

    #[test]
    fn documents() {
        let d = DocumentRecord {
            body_id: 1,
            kind: DocumentKind::NormativeDocument,
            title: "关于……的通知".into(),
            doc_number: "穗南府规〔2022〕1号".into(),
            issued_on: date!(2022 - 03 - 01),
            published_on: None,
            repealed_on: Some(date!(2024 - 06 - 01)),
        };
        d.validate().unwrap();
        let c = d.contributions();
        assert_eq!(c[&(2022, "doc.issued.normative_docs".into())], 1);
        assert_eq!(c[&(2024, "doc.repealed.normative_docs".into())], 1);
        let mut bad = d.clone();
        bad.repealed_on = Some(date!(2021 - 01 - 01));
        assert!(bad.validate().is_err());
    }
}
