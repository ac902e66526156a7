//! Checking stored report counters against the records, and explaining a report cell by the
//! records behind it: the comparisons, the selections and the Chinese texts, without IO (the
//! store reads the rows and hands them here).

use crate::assemble::{CellSource, DocumentColumn};
use crate::counters::Contributions;
use crate::{Application, Case, Document};
use gongkai_calendar::format_date;
use gongkai_report::Report;
use serde::Serialize;
use std::collections::BTreeSet;
use time::Date;

/// One counter that differs between the stored value and a full recomputation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterMismatch {
    /// Year.
    pub year: i32,
    /// Counter key.
    pub key: String,
    /// Stored value.
    pub stored: i64,
    /// Recomputed from the records.
    pub recomputed: i64,
}

impl CounterMismatch {
    /// An application whose stored status differs from the replay of its events.
    pub fn status_of(tracking_code: &str) -> CounterMismatch {
        CounterMismatch {
            year: 0,
            key: format!("status.{tracking_code}"),
            stored: 0,
            recomputed: 1,
        }
    }
}

/// Every (year, key) of either side whose values differ, and how many keys were compared.
pub fn compare_counters(
    stored: &Contributions,
    recomputed: &Contributions,
) -> (usize, Vec<CounterMismatch>) {
    let keys: BTreeSet<&(i32, String)> = stored.keys().chain(recomputed.keys()).collect();
    let mismatches = keys
        .iter()
        .filter_map(|k| {
            let s = stored.get(*k).copied().unwrap_or(0);
            let c = recomputed.get(*k).copied().unwrap_or(0);
            (s != c).then(|| CounterMismatch {
                year: k.0,
                key: k.1.clone(),
                stored: s,
                recomputed: c,
            })
        })
        .collect();
    (keys.len(), mismatches)
}

/// The first cell in which the report assembled from stored counters differs from the one
/// assembled from the records.
pub fn first_cell_difference(
    from_stored: &Report,
    from_records: &Report,
    year: i32,
) -> Option<CounterMismatch> {
    from_stored
        .cells()
        .zip(from_records.cells())
        .find(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| CounterMismatch {
            year,
            key: k.to_string(),
            stored: a.and_then(|v| v.as_count()).unwrap_or(0),
            recomputed: b.and_then(|v| v.as_count()).unwrap_or(0),
        })
}

/// One record behind a report cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplainItem {
    /// `application`, `case`, `document` or `figure`.
    pub kind: &'static str,
    /// Storage id (0 for figures).
    pub id: i64,
    /// Tracking code, case number, document number, or cell key.
    pub reference: String,
    /// Public-safe description.
    pub detail: String,
}

/// What a cell counts, in Chinese (`outcomes`: the outcome codes of a 办结 cell).
pub fn rule_text(source: &CellSource, year: i32, outcomes: &str) -> String {
    match source {
        CellSource::Received { .. } => format!("{year}年内收到的申请"),
        CellSource::Closed { .. } => format!("{year}年内办结且办理结果为 {outcomes} 的申请"),
        CellSource::CarriedOver { .. } => {
            format!("{year}年以前收到、{year}年1月1日仍未办结的申请")
        }
        CellSource::CarriedForward { .. } => format!("截至{year}年12月31日仍未办结的申请"),
        CellSource::Cases { kind, .. } => {
            format!("{year}年内审结或截至年底尚未审结的{}案件", kind.label_zh())
        }
        CellSource::Documents { kind, .. } => format!("登记册中的{}", kind.label_zh()),
        CellSource::Figure { .. } => "按年度录入或导入的数字（未录入为0）".to_string(),
    }
}

/// An application as a line of the explanation (no personal data).
pub fn application_item(a: &Application) -> ExplainItem {
    let mut detail = format!(
        "{} · 收到 {} · {}",
        a.applicant_type.label(),
        format_date(a.status.received_on),
        a.status.state.label_zh()
    );
    if let (Some(o), Some(d)) = (a.status.outcome, a.status.closed_on) {
        detail.push_str(&format!(" · {} {}", o.label(), format_date(d)));
    }
    ExplainItem {
        kind: "application",
        id: a.id,
        reference: a.tracking_code.clone(),
        detail,
    }
}

/// Whether a case counts in a 行政复议/行政诉讼 cell of `year`.
pub fn case_counts(c: &Case, source: &CellSource, year: i32) -> bool {
    match source {
        CellSource::Cases { kind, outcome } => {
            c.record.kind == *kind && outcome.is_none_or(|o| c.record.reported_as(year) == Some(o))
        }
        _ => false,
    }
}

/// A case as a line of the explanation.
pub fn case_item(c: &Case, year: i32) -> ExplainItem {
    ExplainItem {
        kind: "case",
        id: c.id,
        reference: c.record.reference.clone(),
        detail: format!(
            "{} · 立案 {} · {}",
            c.record.kind.label_zh(),
            format_date(c.record.filed_on),
            c.record.reported_as(year).map_or("", |o| o.label_zh())
        ),
    }
}

/// Whether a registered document counts in a table 二（一） cell of `year`.
pub fn document_counts(d: &Document, source: &CellSource, year: i32) -> bool {
    let CellSource::Documents { kind, column } = source else {
        return false;
    };
    let in_year = |d: Date| d.year() == year;
    let end = |d: Date| d.year() <= year;
    let r = &d.record;
    let published = r.published_on.unwrap_or(r.issued_on);
    r.kind == *kind
        && match column {
            DocumentColumn::Issued => in_year(r.issued_on),
            DocumentColumn::Published => in_year(published),
            DocumentColumn::Repealed => r.repealed_on.is_some_and(in_year),
            DocumentColumn::InForce => end(r.issued_on) && !r.repealed_on.is_some_and(end),
            DocumentColumn::PublishedTotal => end(published),
        }
}

/// A registered document as a line of the explanation.
pub fn document_item(d: &Document) -> ExplainItem {
    ExplainItem {
        kind: "document",
        id: d.id,
        reference: d.record.doc_number.clone(),
        detail: format!(
            "{} · {} · 制发 {}",
            d.record.kind.label_zh(),
            d.record.title,
            format_date(d.record.issued_on)
        ),
    }
}

/// An entered figure as a line of the explanation.
pub fn figure_item(cell: &str, value: &str, updated_by: &str, updated_at: &str) -> ExplainItem {
    ExplainItem {
        kind: "figure",
        id: 0,
        reference: cell.to_string(),
        detail: format!("录入值 {value} · {updated_by} · {updated_at}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_compare_both_ways() {
        let mut stored = Contributions::new();
        let mut recomputed = Contributions::new();
        crate::counters::add(&mut stored, 2025, "a", 3);
        crate::counters::add(&mut recomputed, 2025, "a", 3);
        crate::counters::add(&mut stored, 2025, "b", 1);
        crate::counters::add(&mut recomputed, 2024, "c", 2);
        let (keys, m) = compare_counters(&stored, &recomputed);
        assert_eq!(keys, 3);
        assert_eq!(
            m,
            vec![
                CounterMismatch {
                    year: 2024,
                    key: "c".into(),
                    stored: 0,
                    recomputed: 2
                },
                CounterMismatch {
                    year: 2025,
                    key: "b".into(),
                    stored: 1,
                    recomputed: 0
                },
            ]
        );
        assert!(compare_counters(&stored, &stored).1.is_empty());
    }

    #[test]
    fn rules_read_in_chinese() {
        let s = CellSource::CarriedForward { applicant: None };
        assert_eq!(rule_text(&s, 2025, ""), "截至2025年12月31日仍未办结的申请");
    }
}
