//! Every rule has a case that passes and a case that fails, on realistic reports.

use gongkai_report::{Finding, FormatVersion, Report, Severity, Value, check};
use serde_json::json;

fn fixture(name: &str) -> Report {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    Report::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn huangge() -> Report {
    fixture("huangge-2020.json")
}
fn nansha() -> Report {
    fixture("nansha-2024.json")
}

fn add(r: &mut Report, key: &str, delta: i64) {
    let v = r.get(key).unwrap().and_then(Value::as_count).unwrap_or(0);
    r.set_count(key, v + delta).unwrap();
}

fn of<'a>(f: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    f.iter().filter(|x| x.rule == rule).collect()
}

#[test]
fn fixtures_are_clean() {
    assert_eq!(check(&huangge(), None), vec![]);
    assert_eq!(check(&nansha(), None), vec![]);
}

#[test]
fn t3_balance() {
    let mut r = nansha();
    add(&mut r, "t3.new_received.natural_person", 1);
    add(&mut r, "t3.new_received.total", 1);
    let f = check(&r, None);
    let b = of(&f, "T3-BALANCE");
    assert_eq!(b.len(), 2, "{f:#?}");
    assert_eq!(b[0].severity, Severity::Error);
    assert_eq!(
        b[1].cells,
        [
            "t3.new_received.total",
            "t3.carried_over.total",
            "t3.total_processed.total",
            "t3.carried_forward.total"
        ]
    );
    assert_eq!(b[1].found, json!(79));
    assert_eq!(b[1].expected, json!(78));
    assert_eq!(f.len(), 2, "no other rule fires: {f:#?}");
}

#[test]
fn t3_row_total() {
    let mut r = nansha();
    add(&mut r, "t3.carried_over.total", 1);
    add(&mut r, "t3.carried_forward.total", 1);
    let f = check(&r, None);
    let rt = of(&f, "T3-ROW-TOTAL");
    assert_eq!(rt.len(), 2);
    assert_eq!(rt[0].cells[0], "t3.carried_over.total");
    assert_eq!(rt[0].found, json!(4));
    assert_eq!(rt[0].expected, json!(3));
    assert_eq!(f.len(), 2, "{f:#?}");
}

#[test]
fn t3_result_total() {
    let mut r = nansha();
    add(&mut r, "t3.np_publication.research", 1);
    add(&mut r, "t3.np_publication.total", 1);
    let f = check(&r, None);
    let rt = of(&f, "T3-RESULT-TOTAL");
    assert_eq!(rt.len(), 2, "{f:#?}");
    assert!(rt[0].message.contains("科研机构"));
    assert_eq!(f.len(), 2);
}

#[test]
fn t3_result_total_2019_single_other_row() {
    let mut r = huangge();
    add(&mut r, "t3.other.natural_person", 2);
    add(&mut r, "t3.other.total", 2);
    add(&mut r, "t3.total_processed.natural_person", 2);
    add(&mut r, "t3.total_processed.total", 2);
    add(&mut r, "t3.new_received.natural_person", 2);
    add(&mut r, "t3.new_received.total", 2);
    assert_eq!(
        check(&r, None),
        vec![],
        "（六）其他处理 is one data row in 2019"
    );
}

#[test]
fn t3_nonneg() {
    let mut r = nansha();
    r.set_count("t3.np_duplicate.legal_service", -1).unwrap();
    r.set_count("t3.np_duplicate.natural_person", 3).unwrap();
    let f = check(&r, None);
    let n = of(&f, "T3-NONNEG-INT");
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].cells, ["t3.np_duplicate.legal_service"]);
    assert_eq!(n[0].found, json!(-1));
    assert!(
        of(&f, "T3-ROW-TOTAL").is_empty(),
        "row still adds up: 3 - 1 = 2"
    );
}

#[test]
fn t3_cross_year() {
    let current = nansha();
    let mut prev = nansha();
    prev.year = 2023;
    // Last year's carried-forward equals this year's carried-over: clean.
    for col in [
        "natural_person",
        "commercial",
        "research",
        "social_welfare",
        "legal_service",
        "other_org",
        "total",
    ] {
        let v = current.get(&format!("t3.carried_over.{col}")).unwrap();
        prev.set(&format!("t3.carried_forward.{col}"), v).unwrap();
    }
    // keep the previous report itself consistent enough: only cross-year findings matter here
    let f = check(&current, Some(&prev));
    assert!(of(&f, "T3-CROSS-YEAR").is_empty(), "{f:#?}");

    add(&mut prev, "t3.carried_forward.commercial", 2);
    let f = check(&current, Some(&prev));
    let c = of(&f, "T3-CROSS-YEAR");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].severity, Severity::Warning);
    assert_eq!(
        c[0].cells,
        [
            "t3.carried_over.commercial",
            "t3.carried_forward.commercial[2023]"
        ]
    );
    assert_eq!(
        (c[0].found.clone(), c[0].expected.clone()),
        (json!(0), json!(2))
    );
}

#[test]
fn t3_cross_year_across_format_change() {
    let mut prev = huangge();
    prev.body = "广州市南沙区人民政府".into();
    let current = nansha(); // carried_over natural_person = 3, huangge carried_forward = 0
    let f = check(&current, None);
    assert!(
        of(&f, "T3-CROSS-YEAR").is_empty(),
        "needs the previous year"
    );
    prev.year = 2023; // pretend consecutive
    prev.format = FormatVersion::V2019;
    let f = check(&current, Some(&prev));
    assert_eq!(
        of(&f, "T3-CROSS-YEAR").len(),
        2,
        "natural_person and total: {f:#?}"
    );
    assert!(
        of(&f, "T2-2021-1-CROSS").is_empty(),
        "in_force does not exist in the 2019 format"
    );
}

#[test]
fn t4_group_total_and_nonneg() {
    let mut r = huangge();
    add(&mut r, "t4.cases.review_corrected", 1);
    let f = check(&r, None);
    let g = of(&f, "T4-GROUP-TOTAL");
    assert_eq!(g.len(), 1);
    assert!(g[0].message.contains("行政复议"));
    assert_eq!(g[0].found, json!(0));
    assert_eq!(g[0].expected, json!(1));

    let mut r = huangge();
    r.set_count("t4.cases.lit_after_review_other", -2).unwrap();
    r.set_count("t4.cases.lit_after_review_total", -2).unwrap();
    let f = check(&r, None);
    assert_eq!(of(&f, "T4-NONNEG-INT").len(), 2);
    assert!(of(&f, "T4-GROUP-TOTAL").is_empty());
}

#[test]
fn t2_2019_rules() {
    let mut r = huangge();
    r.set_count("t2_1.regulations.new_made", -1).unwrap();
    r.set_count("t2_1.normative_docs.new_published", 5).unwrap();
    r.set_count("t2_1.normative_docs.total_published", 3)
        .unwrap();
    r.set_count("t2_6.admin_coercion.change", -4).unwrap();
    r.set_count("t2_6.admin_coercion.prev_year_items", 3)
        .unwrap();
    r.set_count("t2_9.central_procurement.procurement_items", -1)
        .unwrap();
    let f = check(&r, None);
    assert_eq!(of(&f, "T2-2019-1-NONNEG").len(), 1);
    let soft = of(&f, "T2-2019-1-SOFT");
    assert_eq!(soft.len(), 1);
    assert_eq!(soft[0].severity, Severity::Warning);
    assert_eq!(
        (soft[0].found.clone(), soft[0].expected.clone()),
        (json!(3), json!(5))
    );
    let neg = of(&f, "T2-2019-CHANGE-NEGATIVE");
    assert_eq!(neg.len(), 1);
    assert_eq!(
        neg[0].cells,
        [
            "t2_6.admin_coercion.prev_year_items",
            "t2_6.admin_coercion.change"
        ]
    );
    assert_eq!(of(&f, "T2-NONNEG").len(), 1);
    assert!(of(&f, "T2-NONNEG")[0].cells == ["t2_9.central_procurement.procurement_items"]);
}

#[test]
fn t2_2019_cross_year() {
    let current = huangge();
    let mut prev = huangge();
    prev.year = 2019;
    for t in ["t2_5", "t2_6", "t2_8"] {
        let spec = prev.spec().table(t).unwrap();
        for row in spec.data_rows() {
            prev.set_count(&format!("{t}.{}.change", row.key), 0)
                .unwrap();
        }
    }
    let f = check(&current, Some(&prev));
    assert!(f.iter().all(|x| !x.rule.ends_with("-CROSS")), "{f:#?}");

    prev.set_count("t2_5.admin_license.change", 2).unwrap();
    prev.set_count("t2_6.admin_penalty.prev_year_items", 7)
        .unwrap();
    prev.set_count("t2_8.admin_fees.change", 1).unwrap();
    let f = check(&current, Some(&prev));
    let c5 = of(&f, "T2-2019-5-CROSS");
    assert_eq!(c5.len(), 1);
    assert_eq!(c5[0].expected, json!(2));
    assert_eq!(of(&f, "T2-2019-6-CROSS").len(), 1);
    assert_eq!(of(&f, "T2-2019-8-CROSS").len(), 1);
}

#[test]
fn t2_2021_cross_year() {
    let current = nansha();
    let mut prev = nansha();
    prev.year = 2023;
    prev.set_count("t2_1.normative_docs.in_force", 38).unwrap(); // 38 + 5 - 2 = 41
    prev.set_count("t2_1.regulations.in_force", 0).unwrap();
    let f = check(&current, Some(&prev));
    assert!(of(&f, "T2-2021-1-CROSS").is_empty(), "{f:#?}");
    prev.set_count("t2_1.normative_docs.in_force", 40).unwrap();
    let f = check(&current, Some(&prev));
    let c = of(&f, "T2-2021-1-CROSS");
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].found.clone(), c[0].expected.clone()),
        (json!(41), json!(43))
    );
}

#[test]
fn t2_nonneg_amount() {
    let mut r = nansha();
    r.set(
        "t2_8.admin_fees.fee_amount",
        Some(Value::Amount("-0.5".parse().unwrap())),
    )
    .unwrap();
    let f = check(&r, None);
    let n = of(&f, "T2-NONNEG");
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].found, json!("-0.5"));
}

#[test]
fn blank_cells() {
    let mut r = nansha();
    r.set("t3.granted.research", None).unwrap();
    r.set("t2_5.admin_license.decisions", None).unwrap();
    let f = check(&r, None);
    let b = of(&f, "BLANK-CELL");
    assert_eq!(b.len(), 2);
    assert!(b.iter().all(|x| x.severity == Severity::Warning));
    assert_eq!(f.len(), 2, "a blank zero adds up: {f:#?}");
}

#[test]
fn blank_total_with_nonzero_parts_is_an_error() {
    let mut r = nansha();
    r.set("t3.granted.total", None).unwrap();
    let f = check(&r, None);
    assert_eq!(of(&f, "BLANK-CELL").len(), 1);
    assert_eq!(of(&f, "T3-ROW-TOTAL").len(), 1);
}

#[test]
fn format_year() {
    let mut r = nansha();
    r.year = 2020;
    let f = check(&r, None);
    assert_eq!(of(&f, "FORMAT-YEAR").len(), 1);
    assert!(of(&check(&nansha(), None), "FORMAT-YEAR").is_empty());
}

#[test]
fn previous_mismatch() {
    let current = nansha();
    let mut prev = nansha();
    prev.year = 2022;
    let f = check(&current, Some(&prev));
    assert_eq!(of(&f, "PREVIOUS-MISMATCH").len(), 1);
    assert!(of(&f, "T3-CROSS-YEAR").is_empty());
    prev.year = 2023;
    assert!(of(&check(&current, Some(&prev)), "PREVIOUS-MISMATCH").is_empty());
}

#[test]
fn every_rule_id_has_a_test_here() {
    let src = include_str!("rules.rs");
    for r in gongkai_report::RULES {
        let ingest_only = [
            "T3-SUBTOTAL",
            "UNREADABLE-CELL",
            "UNIT-CONVERTED",
            "UNIT-UNCERTAIN",
            "TEXT-TABLE-MISMATCH",
            "SPLIT-NUMBER-REPAIRED",
            "UNSUPPORTED-FORMAT",
        ];
        if ingest_only.contains(&r.id) {
            continue;
        }
        assert!(
            src.contains(&format!("\"{}\"", r.id)),
            "rule {} has no test",
            r.id
        );
    }
}
