//! Property tests: a randomly generated consistent report passes every rule, and changing any
//! single count of table 三 or 四 makes at least one error.

use gongkai_report::{FormatVersion, Report, Severity, check};
use proptest::prelude::*;

const COLS: [&str; 6] = [
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
];

/// Build a consistent report from random result counts, carry-overs and table 四 outcomes.
fn consistent(
    format: FormatVersion,
    results: &[[i64; 6]],
    carried_over: [i64; 6],
    forward: [i64; 6],
    t4: [[i64; 4]; 3],
) -> Report {
    let year = if format == FormatVersion::V2019 {
        2020
    } else {
        2024
    };
    let mut r = Report::zeroed(format, year, "测试机关");
    let t3 = r.spec().table("t3").unwrap();
    let result_rows: Vec<String> = t3
        .data_rows()
        .map(|x| x.key.clone())
        .filter(|k| {
            ![
                "new_received",
                "carried_over",
                "total_processed",
                "carried_forward",
            ]
            .contains(&k.as_str())
        })
        .collect();
    let mut total = [0i64; 6];
    for (i, row) in result_rows.iter().enumerate() {
        let v = results[i % results.len()];
        for (c, col) in COLS.iter().enumerate() {
            r.set_count(&format!("t3.{row}.{col}"), v[c]).unwrap();
            total[c] += v[c];
        }
        r.set_count(&format!("t3.{row}.total"), v.iter().sum())
            .unwrap();
    }
    let mut set_row = |row: &str, v: [i64; 6]| {
        for (c, col) in COLS.iter().enumerate() {
            r.set_count(&format!("t3.{row}.{col}"), v[c]).unwrap();
        }
        r.set_count(&format!("t3.{row}.total"), v.iter().sum())
            .unwrap();
    };
    // new + carried_over = total + forward; choose forward ≤ total + carried_over by construction.
    let mut new = [0i64; 6];
    for c in 0..6 {
        new[c] = total[c] + forward[c];
    }
    let carried = carried_over.map(|x| x.min(0).abs() + x); // non-negative
    for c in 0..6 {
        new[c] -= carried[c].min(new[c]);
    }
    let co: [i64; 6] = std::array::from_fn(|c| total[c] + forward[c] - new[c]);
    set_row("new_received", new);
    set_row("carried_over", co);
    set_row("total_processed", total);
    set_row("carried_forward", forward);
    for (g, grp) in ["review", "lit_direct", "lit_after_review"]
        .iter()
        .enumerate()
    {
        let v = t4[g];
        for (i, o) in ["maintained", "corrected", "other", "pending"]
            .iter()
            .enumerate()
        {
            r.set_count(&format!("t4.cases.{grp}_{o}"), v[i]).unwrap();
        }
        r.set_count(&format!("t4.cases.{grp}_total"), v.iter().sum())
            .unwrap();
    }
    r
}

fn arb_report() -> impl Strategy<Value = Report> {
    (
        prop_oneof![Just(FormatVersion::V2019), Just(FormatVersion::V2021)],
        prop::collection::vec(prop::array::uniform6(0i64..50), 1..8),
        prop::array::uniform6(0i64..20),
        prop::array::uniform6(0i64..20),
        prop::array::uniform3(prop::array::uniform4(0i64..10)),
    )
        .prop_map(|(f, res, co, fw, t4)| consistent(f, &res, co, fw, t4))
}

proptest! {
    #[test]
    fn consistent_reports_pass_every_rule(r in arb_report()) {
        let f = check(&r, None);
        prop_assert!(f.is_empty(), "{:#?}", f);
        // JSON round trip keeps every cell.
        let back = Report::from_json_str(&r.to_json_string()).unwrap();
        prop_assert_eq!(back, r);
    }

    #[test]
    fn changing_any_single_t3_or_t4_count_is_an_error(r in arb_report(), pick in any::<prop::sample::Index>(), delta in prop_oneof![-5i64..=-1, 1i64..=5]) {
        let keys: Vec<String> = r
            .cells()
            .filter(|(k, _)| k.table == "t3" || k.table == "t4")
            .map(|(k, _)| k.to_string())
            .collect();
        let key = pick.get(&keys);
        let mut changed = r.clone();
        let v = changed.get(key).unwrap().and_then(|v| v.as_count()).unwrap();
        changed.set_count(key, v + delta).unwrap();
        let f = check(&changed, None);
        prop_assert!(f.iter().any(|x| x.severity == Severity::Error), "{} {:+}: {:#?}", key, delta, f);
    }
}
