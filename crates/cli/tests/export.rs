//! `gongkai report render … --to docx|pdf|xlsx -o OUT` and `--to html --history …` end to end.

use std::path::{Path, PathBuf};
use std::process::Command;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/reports")
        .join(name)
}

fn gongkai(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run gongkai");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn binary_formats_are_written_to_files() {
    let dir = tempfile::tempdir().unwrap();
    let report = example("nansha-2024.json");
    for (to, magic) in [("docx", &b"PK"[..]), ("xlsx", b"PK"), ("pdf", b"%PDF-")] {
        let out = dir.path().join(format!("r.{to}"));
        let (code, _, err) = gongkai(
            &[
                "report",
                "render",
                report.to_str().unwrap(),
                "--to",
                to,
                "-o",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(code, 0, "{to}: {err}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(magic), "{to}");
        assert!(err.contains("已写入"), "{err}");
    }
}

#[test]
fn binary_formats_need_an_output_file() {
    let (code, out, err) = gongkai(
        &[
            "report",
            "render",
            example("huangge-2020.json").to_str().unwrap(),
            "--to",
            "pdf",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("-o"), "{err}");
}

#[test]
fn pdf_without_cjk_fonts_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.pdf");
    let (code, _, err) = gongkai(
        &[
            "report",
            "render",
            example("huangge-2020.json").to_str().unwrap(),
            "--to",
            "pdf",
            "-o",
            out.to_str().unwrap(),
        ],
        &[("GONGKAI_FONT_DIRS", dir.path().to_str().unwrap())],
    );
    assert_eq!(code, 2);
    assert!(err.contains("fonts-noto-cjk"), "{err}");
    assert!(!out.exists());
}

#[test]
fn html_with_history_has_the_trend_chart() {
    let dir = tempfile::tempdir().unwrap();
    // Two earlier years of the same body, made from the 2024 report.
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("nansha-2024.json")).unwrap())
            .unwrap();
    let mut history = Vec::new();
    for year in [2022, 2023] {
        let mut r = base.clone();
        r["year"] = year.into();
        let p = dir.path().join(format!("{year}.json"));
        std::fs::write(&p, serde_json::to_string(&r).unwrap()).unwrap();
        history.push(p);
    }
    let report = example("nansha-2024.json");
    let mut args = vec![
        "report",
        "render",
        report.to_str().unwrap(),
        "--to",
        "html",
        "--history",
    ];
    args.extend(history.iter().map(|p| p.to_str().unwrap()));
    let (code, html, err) = gongkai(&args, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(html.contains("<figure><svg"), "chart embedded");
    assert!(html.contains("（2022—2024年）"));
    assert!(
        html.contains(
            "<figcaption>广州市南沙区人民政府历年政府信息公开申请及办理结果</figcaption>"
        )
    );
    assert!(!html.contains("<script"));

    // Without history: no figure.
    let (code, html, _) = gongkai(&["report", "render", report.to_str().unwrap()], &[]);
    assert_eq!(code, 0);
    assert!(!html.contains("<figure>"));

    // Another body's report is refused.
    let (code, _, err) = gongkai(
        &[
            "report",
            "render",
            report.to_str().unwrap(),
            "--history",
            example("huangge-2020.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("机关"), "{err}");
}
