//! Report counters: what each record contributes to the yearly statistics.
//!
//! Every record (application, case, normative document) *contributes* `+n` to a set of
//! `(year, counter key)` pairs computed from its current state alone. When a record changes,
//! the store applies `contributions(after) − contributions(before)` ([`delta`]) to the
//! `report_counters` table in the same transaction as the change, so the counters always equal
//! the sum of the contributions of all records — which is exactly what `recount` recomputes.
//!
//! Counter keys are format-independent *facts* (received, closed with outcome X, case filed…),
//! not report cells: one set of counters feeds both the 2019 and the 2021 layout, and
//! cumulative cells (上年结转, 结转下年度, 尚未审结, 现行有效件数) are sums over earlier years
//! computed at assembly (see [`crate::assemble`]). Keys:
//!
//! | key | year | meaning |
//! |---|---|---|
//! | `app.received.<col>` | receipt year | application received (本年新收) |
//! | `app.closed.<outcome>.<col>` | closing year | application closed with a statutory outcome |
//! | `case.filed.<kind>` | filing year | reconsideration / litigation case filed |
//! | `case.closed.<kind>.<outcome>` | closing year | case concluded (维持 / 纠正 / 其他) |
//! | `doc.issued.<kind>` | issue year | regulation / normative document issued (制发) |
//! | `doc.published.<kind>` | publication year | … published (2019 format: 本年新公开) |
//! | `doc.repealed.<kind>` | repeal year | … repealed (废止) |
//! | `fee.noticed`, `fee.noticed_fen` | notice year | fee notices sent, their amount in fen |
//! | `fee.paid`, `fee.paid_fen` | payment year | fees paid, amount in fen |
//!
//! `<col>` is an [`ApplicantType`](gongkai_report::ApplicantType) column key, `<outcome>` an
//! [`Outcome`](gongkai_report::Outcome) code, `<kind>` a [`crate::CaseKind`] or
//! [`crate::DocumentKind`] key.

use std::collections::BTreeMap;

/// Contributions of one or more records: `(year, counter key) → amount`.
pub type Contributions = BTreeMap<(i32, String), i64>;

/// Add `n` to `(year, key)`.
pub fn add(c: &mut Contributions, year: i32, key: impl Into<String>, n: i64) {
    if n == 0 {
        return;
    }
    let e = c.entry((year, key.into())).or_insert(0);
    *e += n;
}

/// Merge `other` into `into`, dropping entries that cancel out.
pub fn merge(into: &mut Contributions, other: &Contributions) {
    for ((y, k), v) in other {
        let e = into.entry((*y, k.clone())).or_insert(0);
        *e += v;
        if *e == 0 {
            into.remove(&(*y, k.clone()));
        }
    }
}

/// What applying a change does to the counters: `after − before`, without zero entries.
pub fn delta(before: &Contributions, after: &Contributions) -> Contributions {
    let mut d = after.clone();
    for ((y, k), v) in before {
        let e = d.entry((*y, k.clone())).or_insert(0);
        *e -= v;
    }
    d.retain(|_, v| *v != 0);
    d
}

/// The counters of one body for one report year: values of that year and sums over all
/// earlier years (for the cumulative cells).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearCounters {
    /// Σ over all years before the report year, per key.
    pub before: BTreeMap<String, i64>,
    /// The report year's values, per key.
    pub this_year: BTreeMap<String, i64>,
}

impl YearCounters {
    /// Build from per-year contributions (used by tests and by `recount`).
    pub fn from_contributions(c: &Contributions, year: i32) -> YearCounters {
        let mut out = YearCounters::default();
        for ((y, k), v) in c {
            if *y < year {
                *out.before.entry(k.clone()).or_insert(0) += v;
            } else if *y == year {
                *out.this_year.entry(k.clone()).or_insert(0) += v;
            }
        }
        out
    }

    /// This year's value of `key` (0 when absent).
    pub fn this(&self, key: &str) -> i64 {
        self.this_year.get(key).copied().unwrap_or(0)
    }

    /// Σ of earlier years of `key`.
    pub fn prior(&self, key: &str) -> i64 {
        self.before.get(key).copied().unwrap_or(0)
    }

    /// Σ up to and including the report year.
    pub fn through(&self, key: &str) -> i64 {
        self.this(key) + self.prior(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_and_merge() {
        let mut a = Contributions::new();
        add(&mut a, 2024, "app.received.natural_person", 1);
        let mut b = a.clone();
        add(&mut b, 2025, "app.closed.granted.natural_person", 1);
        let d = delta(&a, &b);
        assert_eq!(d.len(), 1);
        let mut acc = a.clone();
        merge(&mut acc, &d);
        assert_eq!(acc, b);
        let back = delta(&b, &a);
        merge(&mut acc, &back);
        assert_eq!(acc, a);
        let y = YearCounters::from_contributions(&b, 2025);
        assert_eq!(y.prior("app.received.natural_person"), 1);
        assert_eq!(y.this("app.closed.granted.natural_person"), 1);
        assert_eq!(y.through("app.received.natural_person"), 1);
    }
}
