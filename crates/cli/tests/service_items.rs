//! `gongkai service import/export` end to end on SQLite: a CSV with a bad row names its line
//! and column and imports nothing; a good file imports; the export (CSV and JSON) imports
//! back unchanged.

use gongkai_ledger::service::{CSV_HEADER, ServiceGuide, guide_to_csv_record};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gongkai(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("GONGKAI_DATA", data)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

fn ok(data: &Path, args: &[&str]) -> Output {
    let o = gongkai(data, args);
    assert!(
        o.status.success(),
        "gongkai {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn guide(code: &str, name: &str) -> ServiceGuide {
    ServiceGuide {
        name: name.into(),
        impl_code: code.into(),
        themes: vec!["社会保障".into()],
        conditions: vec!["年满60周岁；具有本市户籍".into()],
        ..ServiceGuide::default()
    }
}

fn csv_line(cells: Vec<String>) -> String {
    cells
        .into_iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn service_items_cli_import_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(
        &data,
        &[
            "body",
            "add",
            "--code",
            "44",
            "--name",
            "广东省人民政府",
            "--kind",
            "province",
        ],
    );
    let header = CSV_HEADER.join(",");
    let good1 = csv_line(guide_to_csv_record(&guide(
        "S-1",
        "城乡居民养老保险参保登记",
    )));
    let mut bad = guide_to_csv_record(&guide("S-2", "失业登记"));
    bad[13] = "急办件".into();
    let bad = csv_line(bad);
    let f = write(
        dir.path(),
        "bad.csv",
        &format!("{header}\n{good1}\n{bad}\n"),
    );
    let o = gongkai(
        &data,
        &["service", "import", f.to_str().unwrap(), "--body", "44"],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("第3行"), "{err}");
    assert!(err.contains("“办件类型”列的值“急办件”无效"), "{err}");
    let out = ok(&data, &["service", "export", "--body", "44"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1,
        "nothing imported"
    );

    let good2 = csv_line(guide_to_csv_record(&guide("S-2", "失业登记")));
    let f = write(
        dir.path(),
        "good.csv",
        &format!("{header}\n{good1}\n{good2}\n"),
    );
    let o = ok(
        &data,
        &["service", "import", f.to_str().unwrap(), "--body", "44"],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("新增2项"));

    for format in ["csv", "json"] {
        let out = dir.path().join(format!("export.{format}"));
        ok(
            &data,
            &[
                "service",
                "export",
                "--body",
                "44",
                "--format",
                format,
                "--output",
                out.to_str().unwrap(),
            ],
        );
        let o = ok(
            &data,
            &["service", "import", out.to_str().unwrap(), "--body", "44"],
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("新增0项，更新0项，未变2项"),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let json = std::fs::read_to_string(dir.path().join("export.json")).unwrap();
    let back: Vec<ServiceGuide> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back[1].conditions,
        vec!["年满60周岁；具有本市户籍".to_string()]
    );
}
