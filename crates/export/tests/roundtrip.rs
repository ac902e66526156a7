//! Round trip through the `ingest` readers: export a report to DOCX and PDF, read the file back as
//! a published report, and get the same model (body, year, format version, every cell).

mod common;

use common::examples;
use gongkai_export::{ExportFormat, export, pdf::FontSet};
use gongkai_ingest::{Limits, read_bytes};
use gongkai_report::{Report, Value};
use std::sync::LazyLock;

static FONTS: LazyLock<FontSet> = LazyLock::new(|| {
    FontSet::load_default().expect("fonts-noto-cjk is installed (scripts/setup.sh installs it)")
});

fn normalize(v: Option<Value>) -> Option<Value> {
    v.map(|v| match v {
        Value::Amount(d) => Value::Amount(d.normalize()),
        v => v,
    })
}

fn differences(want: &Report, got: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if want.body != got.body {
        out.push(format!("body {:?} != {:?}", got.body, want.body));
    }
    if want.year != got.year {
        out.push(format!("year {} != {}", got.year, want.year));
    }
    if want.format != got.format {
        out.push(format!("format {} != {}", got.format, want.format));
    }
    for ((k, a), (_, b)) in want.cells().zip(got.cells()) {
        if normalize(a) != normalize(b) {
            out.push(format!("{k}: read {b:?}, exported {a:?}"));
        }
    }
    out
}

fn round_trip(format: ExportFormat) {
    for (name, report) in examples() {
        let bytes = export(&report, format, Some(&FONTS)).unwrap();
        let file = format!("{name}.{}", format.extension());
        let ingested = read_bytes(&file, &bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{file}: ingest cannot read the export: {e}"));
        let diff = differences(&report, &ingested.report);
        assert!(
            diff.is_empty(),
            "{file}: {} differences:\n{}",
            diff.len(),
            diff.join("\n")
        );
        // The reader has nothing to repair in a file we wrote.
        let repairs: Vec<&str> = ingested
            .reader_findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect();
        assert!(repairs.is_empty(), "{file}: reader findings {repairs:?}");
    }
}

#[test]
fn docx_reads_back_to_the_same_model() {
    round_trip(ExportFormat::Docx);
}

#[test]
fn pdf_reads_back_to_the_same_model() {
    round_trip(ExportFormat::Pdf);
}
