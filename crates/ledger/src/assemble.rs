//! Assembling the annual report of (body, year) from counters, entered figures and narrative,
//! and explaining which records stand behind a cell.
//!
//! **Which year an application counts in.** Received in year Y → 一、本年新收 of Y. Closed
//! (decided, withdrawn, lapsed) in year Y → its outcome row of 三、本年度办理结果 of Y. Still
//! open on 31 December of Y → 四、结转下年度继续办理 of Y, and therefore 二、上年结转 of Y+1.
//!
//! **Carry-over.** 上年结转(Y) = Σ over all years before Y of (received − closed); 结转下年度(Y)
//! = 上年结转(Y) + 本年新收(Y) − 办理结果总计(Y). Both come from per-year counters, so the cost
//! does not depend on how many records a year had, and T3-BALANCE holds by construction.

use crate::case::{CaseKind, CaseOutcome};
use crate::counters::YearCounters;
use crate::register::{DocumentKind, YearlyFigure};
use gongkai_report::{ApplicantType, FormatVersion, Outcome, Report, Value};
use std::collections::BTreeMap;

/// The report cannot be assembled.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssembleError {
    /// Counters would give a negative cell: they do not match the records (run `recount`).
    #[error(
        "计数器不一致：单元格 `{cell}` 为负数 {value}，请运行 `gongkai report recount` (counters inconsistent: cell `{cell}` would be {value})"
    )]
    Negative {
        /// Cell.
        cell: String,
        /// Value.
        value: i64,
    },
    /// A figure or narrative key that the format does not have.
    #[error(transparent)]
    Model(#[from] gongkai_report::ModelError),
    /// Unknown narrative section.
    #[error("未知的报告部分 `{0}`（应为 s1–s6）(unknown section)")]
    Section(String),
}

/// Build the report of `year` for the body named `body_name`. The format follows the year.
/// The result passes [`gongkai_report::check`] without errors for any consistent counters.
pub fn assemble_report(
    body_name: &str,
    year: i32,
    counters: &YearCounters,
    figures: &[YearlyFigure],
    narrative: &BTreeMap<String, String>,
) -> Result<Report, AssembleError> {
    let format = FormatVersion::for_year(year);
    let mut r = Report::zeroed(format, year, body_name);
    let set = |r: &mut Report, key: String, v: i64| -> Result<(), AssembleError> {
        if v < 0 {
            return Err(AssembleError::Negative {
                cell: key,
                value: v,
            });
        }
        r.set_count(&key, v)?;
        Ok(())
    };

    // Table 三.
    let rows: Vec<&'static str> = {
        let mut v: Vec<&'static str> = Outcome::ALL.iter().map(|o| o.row_key(format)).collect();
        v.dedup();
        v
    };
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for a in ApplicantType::ALL {
        let col = a.column_key();
        let received = counters.this(&format!("app.received.{col}"));
        let prior_received = counters.prior(&format!("app.received.{col}"));
        let mut prior_closed = 0;
        let mut processed = 0;
        let mut by_row: BTreeMap<&str, i64> = BTreeMap::new();
        for o in Outcome::ALL {
            let key = format!("app.closed.{}.{col}", o.code());
            prior_closed += counters.prior(&key);
            let n = counters.this(&key);
            processed += n;
            *by_row.entry(o.row_key(format)).or_insert(0) += n;
        }
        let carried_over = prior_received - prior_closed;
        let carried_forward = carried_over + received - processed;
        let mut put = |r: &mut Report, row: &'static str, v: i64| -> Result<(), AssembleError> {
            *totals.entry(row).or_insert(0) += v;
            set(r, format!("t3.{row}.{col}"), v)
        };
        put(&mut r, "new_received", received)?;
        put(&mut r, "carried_over", carried_over)?;
        for row in &rows {
            put(&mut r, row, by_row.get(row).copied().unwrap_or(0))?;
        }
        put(&mut r, "total_processed", processed)?;
        put(&mut r, "carried_forward", carried_forward)?;
    }
    for (row, v) in &totals {
        set(&mut r, format!("t3.{row}.total"), *v)?;
    }

    // Table 四.
    for k in CaseKind::ALL {
        let kk = k.key();
        let mut total = 0;
        let mut closed_through = 0;
        for o in [
            CaseOutcome::Maintained,
            CaseOutcome::Corrected,
            CaseOutcome::Other,
        ] {
            let key = format!("case.closed.{kk}.{}", o.key());
            let n = counters.this(&key);
            closed_through += counters.through(&key);
            total += n;
            set(&mut r, format!("t4.cases.{kk}_{}", o.key()), n)?;
        }
        let pending = counters.through(&format!("case.filed.{kk}")) - closed_through;
        total += pending;
        set(&mut r, format!("t4.cases.{kk}_pending"), pending)?;
        set(&mut r, format!("t4.cases.{kk}_total"), total)?;
    }

    // Table 二（一）.
    for d in DocumentKind::ALL {
        let k = d.key();
        let issued = counters.this(&format!("doc.issued.{k}"));
        match format {
            FormatVersion::V2021 => {
                let repealed = counters.this(&format!("doc.repealed.{k}"));
                let in_force = counters.through(&format!("doc.issued.{k}"))
                    - counters.through(&format!("doc.repealed.{k}"));
                set(&mut r, format!("t2_1.{k}.issued"), issued)?;
                set(&mut r, format!("t2_1.{k}.repealed"), repealed)?;
                set(&mut r, format!("t2_1.{k}.in_force"), in_force)?;
            }
            FormatVersion::V2019 => {
                set(&mut r, format!("t2_1.{k}.new_made"), issued)?;
                set(
                    &mut r,
                    format!("t2_1.{k}.new_published"),
                    counters.this(&format!("doc.published.{k}")),
                )?;
                set(
                    &mut r,
                    format!("t2_1.{k}.total_published"),
                    counters.through(&format!("doc.published.{k}")),
                )?;
            }
        }
    }

    // Entered figures.
    for f in figures.iter().filter(|f| f.year == year) {
        r.set(&f.cell, f.value())?;
    }

    // Narrative.
    for (k, text) in narrative {
        if !gongkai_report::SECTION_KEYS.contains(&k.as_str()) {
            return Err(AssembleError::Section(k.clone()));
        }
        if !text.trim().is_empty() {
            r.sections.insert(k.clone(), text.clone());
        }
    }
    Ok(r)
}

/// Which records stand behind a report cell (see [`cell_source`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellSource {
    /// Applications received in the year.
    Received {
        /// Column filter (`None` = 总计).
        applicant: Option<ApplicantType>,
    },
    /// Applications closed in the year with one of these outcomes.
    Closed {
        /// Outcomes (several for the 2019 （六）其他处理 row, all for （七）总计).
        outcomes: Vec<Outcome>,
        /// Column filter.
        applicant: Option<ApplicantType>,
    },
    /// Applications received before the year and still open on 1 January.
    CarriedOver {
        /// Column filter.
        applicant: Option<ApplicantType>,
    },
    /// Applications received by 31 December and still open then.
    CarriedForward {
        /// Column filter.
        applicant: Option<ApplicantType>,
    },
    /// Cases reported in the year in this group (outcome `None` = 总计).
    Cases {
        /// Group.
        kind: CaseKind,
        /// Result column.
        outcome: Option<CaseOutcome>,
    },
    /// Documents of the register: which date falls in the year (or, for cumulative cells,
    /// which documents count on 31 December).
    Documents {
        /// Row.
        kind: DocumentKind,
        /// Which column.
        column: DocumentColumn,
    },
    /// An entered yearly figure.
    Figure {
        /// Cell key.
        cell: String,
    },
}

/// Columns of table 二（一） in both formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentColumn {
    /// Issued in the year (制发 / 新制作).
    Issued,
    /// Published in the year (2019 新公开).
    Published,
    /// Repealed in the year.
    Repealed,
    /// In force on 31 December (现行有效).
    InForce,
    /// Published by 31 December (2019 对外公开总数量).
    PublishedTotal,
}

/// Map a cell key of the year's format to the records behind it.
pub fn cell_source(year: i32, cell: &str) -> Result<CellSource, gongkai_report::ModelError> {
    let format = FormatVersion::for_year(year);
    let key = gongkai_report::model::resolve_key(format, cell)?;
    let applicant = || ApplicantType::from_column_key(key.col);
    Ok(match key.table {
        "t3" => match key.row {
            "new_received" => CellSource::Received {
                applicant: applicant(),
            },
            "carried_over" => CellSource::CarriedOver {
                applicant: applicant(),
            },
            "carried_forward" => CellSource::CarriedForward {
                applicant: applicant(),
            },
            "total_processed" => CellSource::Closed {
                outcomes: Outcome::ALL.to_vec(),
                applicant: applicant(),
            },
            row => CellSource::Closed {
                outcomes: Outcome::ALL
                    .into_iter()
                    .filter(|o| o.row_key(format) == row)
                    .collect(),
                applicant: applicant(),
            },
        },
        "t4" => {
            let (kind, rest) = CaseKind::ALL
                .into_iter()
                .filter_map(|k| {
                    key.col
                        .strip_prefix(k.key())
                        .and_then(|r| r.strip_prefix('_'))
                        .map(|r| (k, r))
                })
                .max_by_key(|(k, _)| k.key().len())
                .expect("every t4 column starts with a case kind");
            CellSource::Cases {
                kind,
                outcome: CaseOutcome::parse(rest),
            }
        }
        "t2_1" => CellSource::Documents {
            kind: DocumentKind::parse(key.row).expect("t2_1 rows are document kinds"),
            column: match key.col {
                "issued" | "new_made" => DocumentColumn::Issued,
                "new_published" => DocumentColumn::Published,
                "repealed" => DocumentColumn::Repealed,
                "in_force" => DocumentColumn::InForce,
                _ => DocumentColumn::PublishedTotal,
            },
        },
        _ => CellSource::Figure {
            cell: key.to_string(),
        },
    })
}

/// Render a report value for messages.
pub fn value_text(v: Option<Value>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::{self, Contributions};

    #[test]
    fn empty_year_is_valid_in_both_formats() {
        for year in [2020, 2024] {
            let r = assemble_report(
                "某某镇人民政府",
                year,
                &YearCounters::default(),
                &[],
                &BTreeMap::new(),
            )
            .unwrap();
            let f = gongkai_report::check(&r, None);
            assert!(f.is_empty(), "{year}: {f:?}");
        }
    }

    #[test]
    fn carry_over_and_cases() {
        let mut c = Contributions::new();
        counters::add(&mut c, 2023, "app.received.natural_person", 3);
        counters::add(&mut c, 2023, "app.closed.granted.natural_person", 1);
        counters::add(&mut c, 2024, "app.received.commercial", 2);
        counters::add(
            &mut c,
            2024,
            "app.closed.other_no_correction.natural_person",
            1,
        );
        counters::add(&mut c, 2023, "case.filed.review", 2);
        counters::add(&mut c, 2024, "case.closed.review.corrected", 1);
        counters::add(&mut c, 2024, "doc.issued.regulations", 1);
        counters::add(&mut c, 2022, "doc.issued.regulations", 2);
        counters::add(&mut c, 2024, "doc.repealed.regulations", 1);
        let y = YearCounters::from_contributions(&c, 2024);
        let r = assemble_report("x", 2024, &y, &[], &BTreeMap::new()).unwrap();
        assert_eq!(r.count("t3", "carried_over", "natural_person"), 2);
        assert_eq!(r.count("t3", "carried_forward", "total"), 3);
        assert_eq!(r.count("t3", "other_no_correction", "total"), 1);
        assert_eq!(r.count("t4", "cases", "review_pending"), 1);
        assert_eq!(r.count("t4", "cases", "review_total"), 2);
        assert_eq!(r.count("t2_1", "regulations", "in_force"), 2);
        assert!(gongkai_report::check(&r, None).is_empty());
        // the same counters in the 2019 layout
        let mut c19 = Contributions::new();
        for ((y, k), v) in &c {
            counters::add(&mut c19, y - 4, k.clone(), *v);
        }
        let r19 = assemble_report(
            "x",
            2020,
            &YearCounters::from_contributions(&c19, 2020),
            &[],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(r19.count("t3", "other", "natural_person"), 1);
        assert!(gongkai_report::check(&r19, None).is_empty());
    }

    #[test]
    fn sources() {
        assert_eq!(
            cell_source(2024, "t3.granted.total").unwrap(),
            CellSource::Closed {
                outcomes: vec![Outcome::Granted],
                applicant: None
            }
        );
        match cell_source(2020, "t3.other.research").unwrap() {
            CellSource::Closed { outcomes, .. } => assert_eq!(outcomes.len(), 3),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            cell_source(2024, "t4.cases.lit_after_review_pending").unwrap(),
            CellSource::Cases {
                kind: CaseKind::LitigationAfterReview,
                outcome: Some(CaseOutcome::Pending)
            }
        );
        assert_eq!(
            cell_source(2024, "t4.cases.review_total").unwrap(),
            CellSource::Cases {
                kind: CaseKind::Review,
                outcome: None
            }
        );
        assert!(cell_source(2024, "t3.nope.total").is_err());
    }
}
