//! Parsing and validation of holiday-notice files (built-in data and run-time imports).

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use time::{Date, Month};

use crate::calendar::{HolidayRange, YearNotice};
use crate::date::{format_date, is_weekend, parse_date, weekday_zh};
use crate::error::ImportError;

/// Lowest and highest notice years accepted.
const YEARS: std::ops::RangeInclusive<i32> = 1949..=9998;

/// Parses and validates a notice file: either one year entry with a `year` key, or a
/// `holidays.json`-shaped object keyed by year (keys starting with `_` are ignored).
/// `path` is only used in error messages. Cross-year checks (overlap, contradictions)
/// happen when the notices are added to a [`crate::Calendar`].
pub fn parse_notices(path: &str, text: &str) -> Result<Vec<YearNotice>, ImportError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ImportError::Json {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let malformed = |year: Option<i32>, message: String| ImportError::Malformed {
        path: path.to_owned(),
        year,
        message,
    };
    let Value::Object(top) = v else {
        return Err(malformed(
            None,
            "顶层应为JSON对象 / the top level must be a JSON object".into(),
        ));
    };
    if let Some(y) = top.get("year") {
        let year = year_value(y).ok_or_else(|| {
            malformed(
                None,
                format!("`year` 应为四位年份 / `year` must be a four-digit year, got {y}"),
            )
        })?;
        return Ok(vec![parse_entry(path, year, &top)?]);
    }
    let mut out = Vec::new();
    for (k, entry) in &top {
        if k.starts_with('_') {
            continue;
        }
        let year = year_key(k).ok_or_else(|| {
            malformed(
                None,
                format!("未知的键 {k:?}：应为四位年份或 `year` / unknown key {k:?}: expected a four-digit year (or a single entry with `year`)"),
            )
        })?;
        let Value::Object(obj) = entry else {
            return Err(malformed(
                Some(year),
                format!("键 {k:?} 的值应为对象 / the value of {k:?} must be an object"),
            ));
        };
        if let Some(y) = obj.get("year")
            && year_value(y) != Some(year)
        {
            return Err(malformed(
                Some(year),
                format!("`year` {y} 与键 {k:?} 不一致 / `year` {y} does not match key {k:?}"),
            ));
        }
        out.push(parse_entry(path, year, obj)?);
    }
    if out.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(out)
}

fn year_key(k: &str) -> Option<i32> {
    if k.len() == 4 && k.bytes().all(|b| b.is_ascii_digit()) {
        k.parse().ok().filter(|y| YEARS.contains(y))
    } else {
        None
    }
}

fn year_value(v: &Value) -> Option<i32> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| YEARS.contains(y)),
        Value::String(s) => year_key(s),
        _ => None,
    }
}

/// Whether `d` may appear in notice `year`: in `year`, or in the preceding December.
fn in_scope(year: i32, d: Date) -> bool {
    d.year() == year || (d.year() == year - 1 && d.month() == Month::December)
}

struct Ctx<'a> {
    path: &'a str,
    year: i32,
}

impl Ctx<'_> {
    fn malformed(&self, message: String) -> ImportError {
        ImportError::Malformed {
            path: self.path.to_owned(),
            year: Some(self.year),
            message,
        }
    }

    fn date(&self, field: &str, v: &Value) -> Result<Date, ImportError> {
        let Value::String(s) = v else {
            return Err(ImportError::BadDate {
                path: self.path.to_owned(),
                year: self.year,
                field: field.to_owned(),
                value: v.to_string(),
            });
        };
        let d = parse_date(s).map_err(|_| ImportError::BadDate {
            path: self.path.to_owned(),
            year: self.year,
            field: field.to_owned(),
            value: s.clone(),
        })?;
        if !in_scope(self.year, d) {
            return Err(ImportError::DateOutsideYear {
                path: self.path.to_owned(),
                year: self.year,
                field: field.to_owned(),
                value: s.clone(),
            });
        }
        Ok(d)
    }

    fn date_list(
        &self,
        obj: &Map<String, Value>,
        key: &str,
    ) -> Result<BTreeSet<Date>, ImportError> {
        let Some(v) = obj.get(key) else {
            return Err(self.malformed(format!(
                "缺少 `{key}`（日期数组）/ missing `{key}` (an array of YYYY-MM-DD dates)"
            )));
        };
        let Value::Array(items) = v else {
            return Err(self.malformed(format!(
                "`{key}` 应为日期数组 / `{key}` must be an array of dates, got {v}"
            )));
        };
        let mut set = BTreeSet::new();
        for item in items {
            let d = self.date(key, item)?;
            if !set.insert(d) {
                return Err(ImportError::Duplicate {
                    path: self.path.to_owned(),
                    year: self.year,
                    field: key.to_owned(),
                    value: format_date(d),
                });
            }
        }
        Ok(set)
    }

    fn strings(&self, obj: &Map<String, Value>, key: &str) -> Result<Vec<String>, ImportError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|s| {
                    s.as_str().map(str::to_owned).ok_or_else(|| {
                        self.malformed(format!(
                            "`{key}` 应为字符串数组 / `{key}` must be an array of strings, got {s}"
                        ))
                    })
                })
                .collect(),
            Some(v) => Err(self.malformed(format!(
                "`{key}` 应为字符串数组 / `{key}` must be an array of strings, got {v}"
            ))),
        }
    }

    fn bad_range(&self, name: &str, message: String) -> ImportError {
        ImportError::BadRange {
            path: self.path.to_owned(),
            year: self.year,
            name: name.to_owned(),
            message,
        }
    }

    fn ranges(
        &self,
        obj: &Map<String, Value>,
        holidays: &BTreeSet<Date>,
    ) -> Result<Vec<HolidayRange>, ImportError> {
        let items = match obj.get("ranges") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(a)) => a,
            Some(v) => {
                return Err(self.malformed(format!(
                    "`ranges` 应为数组 / `ranges` must be an array, got {v}"
                )));
            }
        };
        let mut out: Vec<HolidayRange> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Value::Object(r) = item else {
                return Err(self.malformed(format!(
                    "`ranges[{i}]` 应为对象 / `ranges[{i}]` must be an object, got {item}"
                )));
            };
            let name = match r.get("name") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                other => {
                    return Err(self.malformed(format!(
                        "`ranges[{i}].name` 应为非空字符串 / `ranges[{i}].name` must be a non-empty string, got {}",
                        other.map_or_else(|| "nothing".to_owned(), Value::to_string)
                    )));
                }
            };
            let get = |k: &str| {
                r.get(k)
                    .ok_or_else(|| self.bad_range(&name, format!("缺少 `{k}` / missing `{k}`")))
            };
            let from = self.date(&format!("ranges[{i}].from"), get("from")?)?;
            let to = self.date(&format!("ranges[{i}].to"), get("to")?)?;
            if to < from {
                return Err(self.bad_range(
                    &name,
                    format!(
                        "结束日期 {} 早于开始日期 {} / `to` {} is before `from` {}",
                        format_date(to),
                        format_date(from),
                        format_date(to),
                        format_date(from)
                    ),
                ));
            }
            let range = HolidayRange { name, from, to };
            let len = range.range().len_days();
            if let Some(days) = r.get("days")
                && days.as_u64() != Some(u64::from(len))
            {
                return Err(self.bad_range(
                    &range.name,
                    format!(
                        "`days` 为 {days}，但 {} 共 {len} 天 / `days` is {days} but the range has {len} days",
                        range.range().to_zh()
                    ),
                ));
            }
            if let Some(d) = range.range().dates().find(|d| !holidays.contains(d)) {
                return Err(self.bad_range(
                    &range.name,
                    format!(
                        "{} 在假期范围内但不在 `holidays` 中 / {} is inside the range but not listed in `holidays`",
                        format_date(d),
                        format_date(d)
                    ),
                ));
            }
            if let Some(prev) = out
                .iter()
                .find(|p| p.from <= range.to && range.from <= p.to)
            {
                return Err(self.bad_range(
                    &range.name,
                    format!(
                        "与假期 {:?} 重叠 / overlaps the range {:?}",
                        prev.name, prev.name
                    ),
                ));
            }
            out.push(range);
        }
        if !out.is_empty()
            && let Some(d) = holidays
                .iter()
                .find(|d| !out.iter().any(|r| r.range().contains(**d)))
        {
            return Err(self.malformed(format!(
                "放假日 {} 不属于 `ranges` 中的任何假期 / holiday {} belongs to no entry of `ranges`",
                format_date(*d),
                format_date(*d)
            )));
        }
        Ok(out)
    }
}

fn parse_entry(path: &str, year: i32, obj: &Map<String, Value>) -> Result<YearNotice, ImportError> {
    let cx = Ctx { path, year };
    match obj.get("confirmed") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => {
            return Err(ImportError::Unconfirmed {
                path: path.to_owned(),
                year,
            });
        }
        Some(v) => {
            return Err(cx.malformed(format!(
                "`confirmed` 应为 true 或 false / `confirmed` must be a boolean, got {v}"
            )));
        }
    }
    let holidays = cx.date_list(obj, "holidays")?;
    if holidays.is_empty() {
        return Err(cx.malformed(
            "`holidays` 为空：每年的通知都安排了放假日 / `holidays` is empty; every notice announces days off"
                .into(),
        ));
    }
    let workdays = cx.date_list(obj, "workdays")?;
    for d in &workdays {
        if holidays.contains(d) {
            return Err(ImportError::HolidayAndWorkday {
                path: path.to_owned(),
                year,
                value: format_date(*d),
            });
        }
        if !is_weekend(*d) {
            return Err(ImportError::WorkdayNotWeekend {
                path: path.to_owned(),
                year,
                value: format_date(*d),
                weekday: weekday_zh(*d).to_owned(),
            });
        }
    }
    let ranges = cx.ranges(obj, &holidays)?;
    let notices = cx.strings(obj, "notices")?;
    let official_urls = cx.strings(obj, "official_urls")?;
    let notes = match obj.get("notes") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => {
            return Err(cx.malformed(format!(
                "`notes` 应为字符串 / `notes` must be a string, got {v}"
            )));
        }
    };
    Ok(YearNotice {
        year,
        holidays,
        workdays,
        ranges,
        notices,
        official_urls,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
        "year": 2027,
        "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
        "workdays": ["2026-12-27"],
        "ranges": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "days": 3}]
    }"#;

    fn err(text: &str) -> ImportError {
        parse_notices("f.json", text).unwrap_err()
    }

    #[test]
    fn single_entry() {
        let v = parse_notices("f.json", GOOD).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].year, 2027);
        assert_eq!(v[0].ranges[0].name, "元旦");
    }

    #[test]
    fn multi_entry_ignores_meta() {
        let text = format!(r#"{{"_meta": {{"x": 1}}, "2027": {}}}"#, GOOD);
        assert_eq!(parse_notices("f.json", &text).unwrap()[0].year, 2027);
        let text = r#"{"_meta": {}}"#;
        assert!(matches!(err(text), ImportError::Empty { .. }));
    }

    #[test]
    fn builtin_parses() {
        let v = parse_notices("b", crate::BUILTIN_HOLIDAYS_JSON).unwrap();
        assert_eq!(v.len(), 8);
    }

    #[test]
    fn malformed_date() {
        let e = err(&GOOD.replace("2027-01-02", "2027-02-30"));
        assert!(
            matches!(&e, ImportError::BadDate { value, year: 2027, .. } if value == "2027-02-30"),
            "{e}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains("f.json") && msg.contains("2027-02-30") && msg.contains("2027"),
            "{msg}"
        );
        assert!(matches!(
            err(&GOOD.replace("\"2027-01-02\"", "20270102")),
            ImportError::BadDate { .. }
        ));
    }

    #[test]
    fn outside_year() {
        let e = err(&GOOD.replace("2026-12-27", "2026-11-28"));
        assert!(matches!(e, ImportError::DateOutsideYear { .. }), "{e}");
        let e = err(&GOOD.replace("2026-12-27", "2028-01-01"));
        assert!(matches!(e, ImportError::DateOutsideYear { .. }), "{e}");
    }

    #[test]
    fn both_holiday_and_workday() {
        let text = GOOD.replace("\"2026-12-27\"", "\"2027-01-02\"");
        assert!(matches!(err(&text), ImportError::HolidayAndWorkday { .. }));
    }

    #[test]
    fn workday_must_be_weekend() {
        let e = err(&GOOD.replace("2026-12-27", "2027-01-04"));
        assert!(matches!(e, ImportError::WorkdayNotWeekend { .. }), "{e}");
        assert!(e.to_string().contains("星期一"));
    }

    #[test]
    fn duplicates_and_ranges() {
        let e = err(&GOOD.replace("\"2027-01-03\"]", "\"2027-01-03\", \"2027-01-01\"]"));
        assert!(matches!(e, ImportError::Duplicate { .. }), "{e}");
        let e = err(&GOOD.replace("\"days\": 3", "\"days\": 4"));
        assert!(matches!(e, ImportError::BadRange { .. }), "{e}");
        let e = err(&GOOD.replace("\"to\": \"2027-01-03\"", "\"to\": \"2027-01-04\""));
        assert!(matches!(e, ImportError::BadRange { .. }), "{e}");
        let e = err(&GOOD.replace(
            "\"to\": \"2027-01-03\", \"days\": 3",
            "\"to\": \"2027-01-02\"",
        ));
        assert!(matches!(e, ImportError::Malformed { .. }), "{e}");
    }

    #[test]
    fn shape_errors() {
        assert!(matches!(err("not json"), ImportError::Json { .. }));
        assert!(matches!(err("[]"), ImportError::Malformed { .. }));
        assert!(matches!(
            err(r#"{"27": {}}"#),
            ImportError::Malformed { .. }
        ));
        assert!(matches!(
            err(r#"{"year": 2027, "workdays": []}"#),
            ImportError::Malformed { .. }
        ));
        assert!(matches!(
            err(r#"{"year": 2027, "holidays": [], "workdays": []}"#),
            ImportError::Malformed { .. }
        ));
        let e = err(&GOOD.replace("\"year\": 2027,", "\"year\": 2027, \"confirmed\": false,"));
        assert!(matches!(e, ImportError::Unconfirmed { year: 2027, .. }));
        let text = format!(r#"{{"2028": {}}}"#, GOOD);
        assert!(matches!(
            err(&text),
            ImportError::Malformed {
                year: Some(2028),
                ..
            }
        ));
    }
}
