//! Shared helpers of the export integration tests.
#![allow(dead_code)]

use gongkai_report::Report;
use std::path::PathBuf;

/// The seed's report (2019 format), vendored in the repository.
pub fn huangge() -> Report {
    Report::from_json_str(include_str!(
        "../../../../examples/reports/huangge-2020.json"
    ))
    .expect("huangge-2020.json parses")
}

/// A 2021-format report, vendored in the repository.
pub fn nansha() -> Report {
    Report::from_json_str(include_str!(
        "../../../../examples/reports/nansha-2024.json"
    ))
    .expect("nansha-2024.json parses")
}

/// Both example reports with a short name for artifact files.
pub fn examples() -> Vec<(&'static str, Report)> {
    vec![("huangge-2020", huangge()), ("nansha-2024", nansha())]
}

/// Where tests leave files for people to look at: `$CARGO_TARGET_DIR/export-artifacts`
/// (or `target/export-artifacts` at the workspace root).
pub fn artifact_dir() -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = base.join("export-artifacts");
    std::fs::create_dir_all(&dir).expect("create the artifact directory");
    dir
}
