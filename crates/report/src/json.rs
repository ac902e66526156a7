//! The report JSON interchange contract (`shared/spec/report-json.md`): exact keys, `null` for
//! blank, decimal strings in 万元 for amounts, signed integers for `change`.
//! Unknown keys and wrong types are errors naming the JSON path.

use crate::model::{Report, SECTION_KEYS, Value};
use crate::spec::{ColumnType, FormatVersion};
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};
use std::str::FromStr;

/// A report JSON document that does not follow the contract.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JsonError {
    #[error(
        "JSON 语法错误，第{line}行第{column}列：{message} (invalid JSON at line {line}, column {column})"
    )]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}：{message}")]
    Contract { path: String, message: String },
}

impl JsonError {
    fn at(path: &str, message: impl Into<String>) -> JsonError {
        JsonError::Contract {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// The JSON path of a contract error (`$.tables.t3.granted.total`).
    pub fn path(&self) -> Option<&str> {
        match self {
            JsonError::Contract { path, .. } => Some(path),
            JsonError::Syntax { .. } => None,
        }
    }
}

impl Report {
    /// Parse a report from its JSON text.
    pub fn from_json_str(text: &str) -> Result<Report, JsonError> {
        let v: Json = serde_json::from_str(text).map_err(|e| JsonError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Report::from_json_value(&v)
    }

    /// Build a report from an already parsed JSON value.
    pub fn from_json_value(v: &Json) -> Result<Report, JsonError> {
        let obj = v
            .as_object()
            .ok_or_else(|| JsonError::at("$", "应为对象 (expected an object)"))?;
        for k in obj.keys() {
            if !["format", "year", "body", "sections", "tables"].contains(&k.as_str()) {
                return Err(JsonError::at(
                    &format!("$.{k}"),
                    "未知的键 (unknown key; expected format, year, body, sections, tables)",
                ));
            }
        }
        let format = match obj.get("format") {
            Some(Json::String(s)) => FormatVersion::parse(s).ok_or_else(|| {
                JsonError::at(
                    "$.format",
                    format!("未知的格式版本 \"{s}\" (expected \"2019\" or \"2021\")"),
                )
            })?,
            Some(other) => {
                return Err(JsonError::at(
                    "$.format",
                    format!(
                        "应为字符串 \"2019\" 或 \"2021\" (expected a string, found {})",
                        kind(other)
                    ),
                ));
            }
            None => return Err(JsonError::at("$.format", "缺少必需的键 (missing key)")),
        };
        let year = match obj.get("year") {
            Some(Json::Number(n)) => n
                .as_i64()
                .filter(|y| (1990..=2200).contains(y))
                .ok_or_else(|| {
                    JsonError::at(
                        "$.year",
                        format!("年度无效：{n} (expected a year like 2024)"),
                    )
                })? as i32,
            Some(other) => {
                return Err(JsonError::at(
                    "$.year",
                    format!("应为整数年度 (expected an integer, found {})", kind(other)),
                ));
            }
            None => return Err(JsonError::at("$.year", "缺少必需的键 (missing key)")),
        };
        let body = match obj.get("body") {
            Some(Json::String(s)) => s.clone(),
            Some(other) => {
                return Err(JsonError::at(
                    "$.body",
                    format!("应为字符串 (expected a string, found {})", kind(other)),
                ));
            }
            None => return Err(JsonError::at("$.body", "缺少必需的键 (missing key)")),
        };
        let mut report = Report::blank(format, year, body);

        if let Some(sections) = obj.get("sections") {
            let sections = sections.as_object().ok_or_else(|| {
                JsonError::at(
                    "$.sections",
                    format!("应为对象 (expected an object, found {})", kind(sections)),
                )
            })?;
            for (k, v) in sections {
                let path = format!("$.sections.{k}");
                if !SECTION_KEYS.contains(&k.as_str()) {
                    return Err(JsonError::at(
                        &path,
                        "未知的章节键 (unknown section; s1…s6)",
                    ));
                }
                match v {
                    Json::String(s) => {
                        report.sections.insert(k.clone(), s.clone());
                    }
                    Json::Null => {}
                    other => {
                        return Err(JsonError::at(
                            &path,
                            format!("应为字符串 (expected a string, found {})", kind(other)),
                        ));
                    }
                }
            }
        }

        if let Some(tables) = obj.get("tables") {
            read_tables(&mut report, tables)?;
        }
        Ok(report)
    }

    /// The report as a JSON value in contract shape (every cell present, `null` when blank).
    pub fn to_json_value(&self) -> Json {
        let mut root = Map::new();
        root.insert("format".into(), Json::String(self.format.as_str().into()));
        root.insert("year".into(), Json::from(self.year));
        root.insert("body".into(), Json::String(self.body.clone()));
        let mut sections = Map::new();
        for key in SECTION_KEYS {
            if let Some(text) = self.sections.get(key) {
                sections.insert(key.into(), Json::String(text.clone()));
            }
        }
        root.insert("sections".into(), Json::Object(sections));
        let mut tables = Map::new();
        for t in &self.spec().tables {
            let mut rows = Map::new();
            for r in t.data_rows() {
                let mut cols = Map::new();
                for c in &t.columns {
                    let v = self.cell(&t.key, &r.key, &c.key);
                    cols.insert(c.key.clone(), value_to_json(v));
                }
                rows.insert(r.key.clone(), Json::Object(cols));
            }
            tables.insert(t.key.clone(), Json::Object(rows));
        }
        root.insert("tables".into(), Json::Object(tables));
        Json::Object(root)
    }

    /// Pretty-printed JSON text, ending with a newline.
    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json_value())
            .expect("serialising a JSON value cannot fail");
        s.push('\n');
        s
    }
}

/// A cell value in contract form: integer, decimal string, or `null`.
pub fn value_to_json(v: Option<Value>) -> Json {
    match v {
        None => Json::Null,
        Some(Value::Count(n)) => Json::from(n),
        Some(Value::Amount(d)) => Json::String(d.normalize().to_string()),
    }
}

fn read_tables(report: &mut Report, tables: &Json) -> Result<(), JsonError> {
    let spec = report.spec();
    let tables = tables.as_object().ok_or_else(|| {
        JsonError::at(
            "$.tables",
            format!("应为对象 (expected an object, found {})", kind(tables)),
        )
    })?;
    for (tk, tv) in tables {
        let tpath = format!("$.tables.{tk}");
        let Some(t) = spec.table(tk) else {
            let known: Vec<&str> = spec.tables.iter().map(|t| t.key.as_str()).collect();
            return Err(JsonError::at(
                &tpath,
                format!(
                    "{}年格式没有此表 (unknown table for the {} format; expected one of {})",
                    spec.version,
                    spec.version,
                    known.join(", ")
                ),
            ));
        };
        let rows = tv.as_object().ok_or_else(|| {
            JsonError::at(
                &tpath,
                format!("应为对象 (expected an object, found {})", kind(tv)),
            )
        })?;
        for (rk, rv) in rows {
            let rpath = format!("{tpath}.{rk}");
            let Some(row) = t.row(rk) else {
                return Err(JsonError::at(&rpath, "此表没有该行 (unknown row)"));
            };
            if !row.has_cells {
                return Err(JsonError::at(
                    &rpath,
                    "该行为分组标题，没有单元格 (heading row without cells)",
                ));
            }
            let cols = rv.as_object().ok_or_else(|| {
                JsonError::at(
                    &rpath,
                    format!("应为对象 (expected an object, found {})", kind(rv)),
                )
            })?;
            for (ck, cv) in cols {
                let cpath = format!("{rpath}.{ck}");
                let Some(col) = t.column(ck) else {
                    return Err(JsonError::at(&cpath, "此表没有该列 (unknown column)"));
                };
                let value = parse_cell(&cpath, col.kind, cv)?;
                report
                    .set(&format!("{tk}.{rk}.{ck}"), value)
                    .map_err(|e| JsonError::at(&cpath, e.to_string()))?;
            }
        }
    }
    Ok(())
}

fn parse_cell(path: &str, col_kind: ColumnType, v: &Json) -> Result<Option<Value>, JsonError> {
    match (col_kind, v) {
        (_, Json::Null) => Ok(None),
        (ColumnType::Count | ColumnType::SignedCount, Json::Number(n)) => n
            .as_i64()
            .map(|n| Some(Value::Count(n)))
            .ok_or_else(|| JsonError::at(path, format!("应为整数 (expected an integer, found {n})"))),
        (ColumnType::SignedCount, Json::String(s)) => {
            // "+6" as published; accept the signed string form for 本年增/减 only.
            let t = s.trim();
            let t = t.strip_prefix('+').unwrap_or(t);
            t.parse::<i64>().map(|n| Some(Value::Count(n))).map_err(|_| {
                JsonError::at(
                    path,
                    format!("应为带符号整数 (expected a signed integer, found \"{s}\")"),
                )
            })
        }
        (ColumnType::Amount, Json::String(s)) => Decimal::from_str(s.trim())
            .map(|d| Some(Value::Amount(d)))
            .map_err(|_| {
                JsonError::at(
                    path,
                    format!("应为万元金额的十进制字符串 (expected a decimal string in 万元, found \"{s}\")"),
                )
            }),
        (ColumnType::Amount, Json::Number(n)) => {
            // Accept a plain JSON number for an amount, exactly as written.
            Decimal::from_str(&n.to_string())
                .or_else(|_| Decimal::from_scientific(&n.to_string()))
                .map(|d| Some(Value::Amount(d)))
                .map_err(|_| JsonError::at(path, format!("金额无效 (invalid amount {n})")))
        }
        (ColumnType::Amount, other) => Err(JsonError::at(
            path,
            format!(
                "应为万元金额字符串或 null (expected a decimal string or null, found {})",
                kind(other)
            ),
        )),
        (_, other) => Err(JsonError::at(
            path,
            format!("应为整数或 null (expected an integer or null, found {})", kind(other)),
        )),
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_zeroed() {
        let r = Report::zeroed(FormatVersion::V2021, 2024, "淮安市人民政府");
        let text = r.to_json_string();
        let back = Report::from_json_str(&text).unwrap();
        assert_eq!(r, back);
    }

    #[test]
    fn errors_name_the_path() {
        let bad =
            r#"{"format":"2021","year":2024,"body":"x","tables":{"t3":{"granted":{"total":"7"}}}}"#;
        let e = Report::from_json_str(bad).unwrap_err();
        assert_eq!(e.path(), Some("$.tables.t3.granted.total"));

        let unknown =
            r#"{"format":"2021","year":2024,"body":"x","tables":{"t3":{"granted":{"totl":7}}}}"#;
        let e = Report::from_json_str(unknown).unwrap_err();
        assert_eq!(e.path(), Some("$.tables.t3.granted.totl"));

        let extra = r#"{"format":"2021","year":2024,"body":"x","extra":1}"#;
        assert_eq!(
            Report::from_json_str(extra).unwrap_err().path(),
            Some("$.extra")
        );

        let t29 = r#"{"format":"2021","year":2024,"body":"x","tables":{"t2_9":{}}}"#;
        assert_eq!(
            Report::from_json_str(t29).unwrap_err().path(),
            Some("$.tables.t2_9")
        );

        let frac = r#"{"format":"2019","year":2020,"body":"x","tables":{"t4":{"cases":{"review_total":1.5}}}}"#;
        assert_eq!(
            Report::from_json_str(frac).unwrap_err().path(),
            Some("$.tables.t4.cases.review_total")
        );
        let heading = r#"{"format":"2019","year":2020,"body":"x","tables":{"t3":{"denied":{}}}}"#;
        assert_eq!(
            Report::from_json_str(heading).unwrap_err().path(),
            Some("$.tables.t3.denied")
        );
    }

    #[test]
    fn syntax_error_has_line() {
        let e = Report::from_json_str("{\n  \"format\": }").unwrap_err();
        assert!(matches!(e, JsonError::Syntax { line: 2, .. }), "{e:?}");
    }

    #[test]
    fn signed_change_and_amounts() {
        let j = r#"{"format":"2019","year":2020,"body":"x","tables":{
            "t2_5":{"admin_license":{"prev_year_items":0,"change":"+6","decisions":null}},
            "t2_9":{"central_procurement":{"procurement_items":66,"procurement_amount":"9335.1778"}}}}"#;
        let r = Report::from_json_str(j).unwrap();
        assert_eq!(
            r.get("t2_5.admin_license.change").unwrap(),
            Some(Value::Count(6))
        );
        assert_eq!(r.get("t2_5.admin_license.decisions").unwrap(), None);
        let out = r.to_json_value();
        assert_eq!(
            out["tables"]["t2_9"]["central_procurement"]["procurement_amount"],
            Json::String("9335.1778".into())
        );
        assert_eq!(
            out["tables"]["t2_5"]["admin_license"]["change"],
            Json::from(6)
        );
        assert_eq!(
            out["tables"]["t2_5"]["admin_license"]["decisions"],
            Json::Null
        );
    }

    #[test]
    fn counts_reject_strings() {
        let j = r#"{"format":"2019","year":2020,"body":"x","tables":{"t2_5":{"admin_license":{"decisions":"+6"}}}}"#;
        assert!(Report::from_json_str(j).is_err());
    }
}
