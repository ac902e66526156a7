//! `gongkai audit` end to end: folders, formats, pairing of consecutive years, exit codes, and a
//! bad file that never stops the batch.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/fixtures")
}

fn gongkai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .output()
        .expect("run gongkai");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_into(dir: &Path, names: &[&str]) {
    for n in names {
        std::fs::copy(fixtures().join(n), dir.join(n)).expect("copy fixture");
    }
}

#[test]
fn folder_json_pairs_years_and_reports_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("2021");
    std::fs::create_dir(&sub).unwrap();
    copy_into(
        dir.path(),
        &["huangge-2020.txt", "scanned-2022.pdf", "legacy-2017.txt"],
    );
    copy_into(&sub, &["huangge-2021.html"]);
    std::fs::write(dir.path().join("notes.md"), "ignored: not a report kind").unwrap();
    let (code, out, err) = gongkai(&["audit", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "a scanned PDF is unreadable: {err}");
    let doc: Value = serde_json::from_str(&out).expect("JSON output");
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 4, "recursive, report kinds only");
    let by_name = |n: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(n))
            .unwrap_or_else(|| panic!("{n} in output"))
    };
    let seed = by_name("huangge-2020.txt");
    assert_eq!(seed["status"], "ok");
    assert_eq!(seed["report"]["body"], "广州市南沙区黄阁镇人民政府");
    assert_eq!(
        seed["report"]["tables"]["t2_9"]["central_procurement"]["procurement_amount"],
        "9335.1778"
    );
    let next = by_name("huangge-2021.html");
    let rules: Vec<&str> = next["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"T3-CROSS-YEAR"),
        "paired with 2020: {rules:?}"
    );
    let scan = by_name("scanned-2022.pdf");
    assert_eq!(scan["status"], "error");
    assert!(scan["error"].as_str().unwrap().contains("扫描件"));
    let legacy = by_name("legacy-2017.txt");
    assert_eq!(legacy["status"], "error");
    assert_eq!(legacy["findings"][0]["rule"], "UNSUPPORTED-FORMAT");
}

#[test]
fn without_the_previous_year_no_cross_year_rule() {
    let (code, out, _) = gongkai(&[
        "audit",
        "--format",
        "json",
        fixtures().join("huangge-2021.html").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(!out.contains("T3-CROSS-YEAR"));
}

#[test]
fn exit_codes() {
    let clean = [
        fixtures().join("nansha-2024.pdf"),
        fixtures().join("yuexiu-2020-thousands.txt"),
        fixtures().join("nansha-2024-template.docx"),
    ];
    let mut args = vec!["audit".to_string()];
    args.extend(clean.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, _) = gongkai(&refs);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 个错误"));
    let (code, out, _) = gongkai(&[
        "audit",
        fixtures()
            .join("nanhai-2022-unbalanced.txt")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("T3-ROW-TOTAL"));
}

#[test]
fn a_bad_file_never_stops_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.pdf"), b"%PDF-1.4 garbage").unwrap();
    std::fs::write(dir.path().join("broken.docx"), b"PK\x03\x04 garbage").unwrap();
    std::fs::write(dir.path().join("empty.html"), b"").unwrap();
    copy_into(dir.path(), &["yuexiu-2020-gbk.html"]);
    let (code, out, _) = gongkai(&["audit", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    let ok: Vec<&Value> = files.iter().filter(|f| f["status"] == "ok").collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["report"]["body"], "广州市越秀区北京街道办事处");
    for f in files.iter().filter(|f| f["status"] == "error") {
        assert!(!f["error"].as_str().unwrap().is_empty());
    }
}

#[test]
fn csv_and_html_outputs() {
    let f = fixtures().join("yuexiu-2020-fullwidth.txt");
    let (code, out, _) = gongkai(&["audit", "--format", "csv", f.to_str().unwrap()]);
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "path,body,year,rule,severity,cells,expected,found,message"
    );
    let row = lines.next().unwrap();
    assert!(row.contains(",广州市越秀区北京街道办事处,2020,UNIT-CONVERTED,warning,t2_9.central_procurement.procurement_amount,25.1,"));
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("audit.html");
    let (code, _, _) = gongkai(&[
        "audit",
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("广州市越秀区北京街道办事处") && page.contains("UNIT-CONVERTED"));
    assert!(!page.contains("<script"));
}

#[test]
fn provenance_names_file_and_line() {
    let f = fixtures().join("huangge-2020.txt");
    let (_, out, _) = gongkai(&[
        "audit",
        "--format",
        "json",
        "--provenance",
        f.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let p = &doc["files"][0]["provenance"]["t2_5.admin_license.change"];
    assert_eq!(p["line"], 38);
    assert_eq!(p["text"], "+6");
    assert!(p["file"].as_str().unwrap().ends_with("huangge-2020.txt"));
}
