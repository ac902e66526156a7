//! Every fixture in `tests/fixtures/` is read and compared with its `<name>.expected.json`:
//! every cell and section of the report, and the set of findings (rule id + cells).
//! `GONGKAI_WRITE_ACTUAL=1` writes `<name>.actual.json` beside a failing fixture for review.

use gongkai_ingest::{Limits, read_path};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.is_file()
                && !p.to_string_lossy().ends_with(".json")
                && p.extension().is_some_and(|e| e != "md")
        })
        .collect();
    v.sort();
    v
}

fn expected_path(p: &Path) -> PathBuf {
    let stem = p.file_stem().expect("stem").to_string_lossy().to_string();
    p.with_file_name(format!("{stem}.expected.json"))
}

/// The findings as comparable `{rule, cells}` objects, sorted.
fn finding_keys(findings: &[gongkai_report::Finding]) -> Vec<Value> {
    let mut v: Vec<Value> = findings
        .iter()
        .map(|f| json!({"rule": f.rule, "cells": f.cells}))
        .collect();
    v.sort_by_key(|x| x.to_string());
    v
}

fn actual(p: &Path) -> Value {
    match read_path(p, &Limits::default()) {
        Ok(ing) => {
            let findings = ing.findings(None);
            json!({"report": ing.report.to_json_value(), "findings": finding_keys(&findings)})
        }
        Err(e) => {
            let mut v = json!({"error": e.to_string()});
            if let Some(f) = e.unsupported_finding(&p.display().to_string()) {
                v["findings"] = Value::Array(finding_keys(&[f]));
            }
            v
        }
    }
}

#[test]
fn every_fixture_reads_exactly() {
    let files = fixtures();
    assert!(
        files.len()
            >= std::env::var("GONGKAI_MIN_FIXTURES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(12),
        "at least 12 fixtures, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for p in &files {
        let exp_path = expected_path(p);
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&exp_path)
                .unwrap_or_else(|_| panic!("{} has no expected JSON", p.display())),
        )
        .expect("valid expected JSON");
        let got = actual(p);
        let mut problems = Vec::new();
        if let Some(err) = expected.get("error") {
            let e = got.get("error").and_then(Value::as_str).unwrap_or("");
            if !e.contains(err.as_str().unwrap_or("")) {
                problems.push(format!("error: expected containing {err}, got {got}"));
            }
        } else if let Some(e) = got.get("error") {
            problems.push(format!("unexpected error {e}"));
        } else {
            let (er, gr) = (&expected["report"], &got["report"]);
            for k in ["format", "year", "body"] {
                if er[k] != gr[k] {
                    problems.push(format!("{k}: expected {} got {}", er[k], gr[k]));
                }
            }
            if let Some(secs) = er.get("sections").and_then(Value::as_object) {
                for (k, v) in secs {
                    if gr["sections"].get(k) != Some(v) {
                        problems.push(format!(
                            "section {k} differs:\n  expected {v}\n  got      {}",
                            gr["sections"][k]
                        ));
                    }
                }
            }
            // Every cell.
            let et = er["tables"].as_object().expect("tables");
            for (t, rows) in et {
                for (r, cols) in rows.as_object().expect("rows") {
                    for (c, v) in cols.as_object().expect("cols") {
                        let g = &gr["tables"][t][r][c];
                        if g != v {
                            problems.push(format!("{t}.{r}.{c}: expected {v} got {g}"));
                        }
                    }
                }
            }
            if et.len() != gr["tables"].as_object().map(|o| o.len()).unwrap_or(0) {
                problems.push("table count differs".into());
            }
        }
        let mut ef: Vec<Value> = expected
            .get("findings")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        ef.sort_by_key(|x| x.to_string());
        let gf = got
            .get("findings")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if ef != gf {
            problems.push(format!(
                "findings differ:\n  expected {}\n  got      {}",
                Value::Array(ef),
                Value::Array(gf)
            ));
        }
        if !problems.is_empty() {
            if std::env::var_os("GONGKAI_WRITE_ACTUAL").is_some() {
                let stem = p.file_stem().expect("stem").to_string_lossy().to_string();
                std::fs::write(
                    p.with_file_name(format!("{stem}.actual.json")),
                    serde_json::to_string_pretty(&got).expect("json"),
                )
                .expect("write actual");
            }
            failures.push(format!("{}:\n  {}", p.display(), problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
