//! XLSX export read back with calamine: the table sheets hold the report's cells as numbers at
//! their printed positions with the merged areas of the layout; the `数据` sheet gives back every
//! cell by key; the `检查结果` sheet lists the findings.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::{artifact_dir, examples};
use gongkai_export::xlsx::{
    DATA_HEADERS, DATA_SHEET, FINDINGS_HEADERS, FINDINGS_SHEET, GRID_FIRST_ROW, TABLE_SHEETS,
    to_xlsx,
};
use gongkai_report::layout::{CellKind, grids};
use gongkai_report::{ColumnType, Decimal, FormatVersion, Report, Value, check};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::io::Cursor;
use std::time::Instant;

type Book = Xlsx<Cursor<Vec<u8>>>;

fn open(bytes: Vec<u8>) -> Book {
    open_workbook_from_rs(Cursor::new(bytes)).expect("calamine opens the workbook")
}

fn as_value(d: &Data, kind: ColumnType) -> Option<Value> {
    let f = match d {
        Data::Empty => return None,
        Data::Int(i) => *i as f64,
        Data::Float(f) => *f,
        other => panic!("not a number: {other:?}"),
    };
    Some(match kind {
        ColumnType::Amount => Value::Amount(
            Decimal::from_f64_retain(f)
                .expect("finite")
                .round_dp(6)
                .normalize(),
        ),
        _ => {
            assert_eq!(f.fract(), 0.0, "count {f} is an integer");
            Value::Count(f as i64)
        }
    })
}

fn normalize(v: Option<Value>) -> Option<Value> {
    v.map(|v| match v {
        Value::Amount(d) => Value::Amount(d.normalize()),
        v => v,
    })
}

/// Rebuild a report from the `数据` sheet of a workbook.
fn report_from_data_sheet(book: &mut Book, format: FormatVersion) -> Report {
    let range = book.worksheet_range(DATA_SHEET).unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|d| d.to_string()).collect();
    assert_eq!(header, DATA_HEADERS);
    let mut report: Option<Report> = None;
    for row in rows {
        let body = row[0].to_string();
        let year = match &row[1] {
            Data::Float(f) => *f as i32,
            Data::Int(i) => *i as i32,
            other => panic!("year {other:?}"),
        };
        let r = report.get_or_insert_with(|| Report::blank(format, year, body));
        let key = row[3].to_string();
        let k = r.key(&key).unwrap();
        let kind = r.spec().table(k.table).unwrap().column(k.col).unwrap().kind;
        r.set(&key, as_value(&row[7], kind)).unwrap();
    }
    report.expect("the data sheet has rows")
}

fn assert_same_cells(a: &Report, b: &Report) {
    for ((ka, va), (kb, vb)) in a.cells().zip(b.cells()) {
        assert_eq!(ka, kb);
        assert_eq!(normalize(va), normalize(vb), "cell {ka}");
    }
}

fn check_table_sheets(book: &mut Book, report: &Report) {
    let names = book.sheet_names();
    assert_eq!(
        names,
        [&TABLE_SHEETS[..], &[DATA_SHEET, FINDINGS_SHEET]].concat()
    );
    for (g, name) in grids(report).iter().zip(TABLE_SHEETS) {
        let range = book.worksheet_range(name).unwrap();
        let title = range.get_value((0, 0)).unwrap().to_string();
        assert_eq!(title, report.title());
        let spec = report.spec();
        let mut want_merges = BTreeSet::new();
        for c in g.rows.iter().flatten() {
            let pos = (GRID_FIRST_ROW + c.row as u32, c.col as u32);
            let got = range.get_value(pos).cloned().unwrap_or(Data::Empty);
            match &c.kind {
                CellKind::Value { key, value } => {
                    let kind = spec.table(key.table).unwrap().column(key.col).unwrap().kind;
                    assert_eq!(
                        normalize(as_value(&got, kind)),
                        normalize(*value),
                        "{name} {key} at {pos:?}"
                    );
                }
                _ => assert_eq!(got.to_string(), c.text, "{name} label at {pos:?}"),
            }
            if c.rowspan > 1 || c.colspan > 1 {
                want_merges.insert((
                    pos,
                    (pos.0 + c.rowspan as u32 - 1, pos.1 + c.colspan as u32 - 1),
                ));
            }
        }
        let got_merges: BTreeSet<_> = book
            .merge_cells_by_sheet_name(name)
            .unwrap()
            .into_iter()
            .map(|d| (d.start, d.end))
            .filter(|(s, _)| s.0 >= GRID_FIRST_ROW)
            .collect();
        assert_eq!(got_merges, want_merges, "{name}: merged areas");
    }
}

#[test]
fn examples_read_back() {
    for (name, report) in examples() {
        let findings = check(&report, None);
        let t = Instant::now();
        let bytes = to_xlsx(&report, &findings).unwrap();
        eprintln!(
            "XLSX export of {name}: {:?}, {} bytes",
            t.elapsed(),
            bytes.len()
        );
        std::fs::write(artifact_dir().join(format!("{name}.xlsx")), &bytes).unwrap();
        let mut book = open(bytes);
        check_table_sheets(&mut book, &report);
        let back = report_from_data_sheet(&mut book, report.format);
        assert_eq!(back.body, report.body);
        assert_eq!(back.year, report.year);
        assert_same_cells(&back, &report);

        let range = book.worksheet_range(FINDINGS_SHEET).unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(header, FINDINGS_HEADERS);
        let rules: Vec<String> = range.rows().skip(1).map(|r| r[1].to_string()).collect();
        if findings.is_empty() {
            assert_eq!(
                range.rows().nth(1).unwrap()[0].to_string(),
                "未发现问题 (no findings)"
            );
        } else {
            assert_eq!(
                rules,
                findings.iter().map(|f| f.rule.clone()).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn findings_sheet_lists_errors() {
    let mut r = Report::zeroed(FormatVersion::V2021, 2024, "某县人民政府");
    r.set_count("t3.new_received.natural_person", 3).unwrap();
    let findings = check(&r, None);
    assert!(!findings.is_empty());
    let mut book = open(to_xlsx(&r, &findings).unwrap());
    let range = book.worksheet_range(FINDINGS_SHEET).unwrap();
    assert_eq!(range.rows().count(), findings.len() + 1);
    let first = range.rows().nth(1).unwrap();
    assert_eq!(first[1].to_string(), findings[0].rule);
    assert_eq!(first[2].to_string(), findings[0].message);
}

fn arb_report() -> impl Strategy<Value = Report> {
    let n = FormatVersion::V2021.spec().cell_keys().count();
    (
        prop::collection::vec(prop::option::weighted(0.9, 0i64..1_000_000), n),
        prop::collection::vec(0i64..100_000_000, n),
        any::<bool>(),
    )
        .prop_map(|(counts, cents, v2019)| {
            let (format, year) = if v2019 {
                (FormatVersion::V2019, 2020)
            } else {
                (FormatVersion::V2021, 2023)
            };
            let mut r = Report::blank(format, year, "某县人民政府");
            let keys: Vec<String> = format.spec().cell_keys().collect();
            for (i, key) in keys.iter().enumerate() {
                let k = r.key(key).unwrap();
                let kind = r.spec().table(k.table).unwrap().column(k.col).unwrap().kind;
                let v = counts[i].map(|c| match kind {
                    ColumnType::Amount => Value::Amount(Decimal::new(cents[i], 4)),
                    ColumnType::SignedCount => Value::Count(c - 500_000),
                    ColumnType::Count => Value::Count(c),
                });
                r.set(key, v).unwrap();
            }
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_report_reads_back(report in arb_report()) {
        let mut book = open(to_xlsx(&report, &check(&report, None)).unwrap());
        check_table_sheets(&mut book, &report);
        let back = report_from_data_sheet(&mut book, report.format);
        assert_same_cells(&back, &report);
    }
}
