//! PDF export: typeset with typst and the Noto CJK fonts, read back with poppler's `pdftotext`,
//! pages rendered to PNG with `pdftoppm` as test artifacts.

mod common;

use common::{artifact_dir, examples};
use gongkai_export::pdf::{FontChoice, FontSet, to_pdf, typst_source};
use gongkai_report::layout::{CellKind, grids};
use gongkai_report::{FormatVersion, Report};
use std::process::Command;
use std::sync::LazyLock;
use std::time::Instant;

static FONTS: LazyLock<FontSet> = LazyLock::new(|| {
    FontSet::load_default().expect("fonts-noto-cjk is installed (scripts/setup.sh installs it)")
});

fn pdftotext(pdf: &[u8], name: &str) -> String {
    let path = artifact_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("poppler-utils (pdftotext) is installed");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn fonts_choose_noto_families() {
    let choice = FONTS.choice();
    assert_eq!(choice, FontChoice::default(), "{:?}", FONTS.families());
}

#[test]
fn examples_typeset_and_read_back() {
    for (name, report) in examples() {
        let t = Instant::now();
        let pdf = to_pdf(&report, &FONTS).unwrap();
        eprintln!(
            "PDF export of {name}: {:?}, {} bytes",
            t.elapsed(),
            pdf.len()
        );
        assert!(pdf.starts_with(b"%PDF-"));
        let text = pdftotext(&pdf, name);
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(squeezed.contains(&report.title()), "{name}: title missing");
        for s in &report.spec().sections {
            assert!(
                squeezed.contains(&s.label),
                "{name}: heading {} missing",
                s.label
            );
        }
        // Page numbers in the 公文 style.
        assert!(squeezed.contains("—1—"), "{name}: page number missing");
        let mut checked = 0;
        // Every numeric cell text appears in the text layer, in order within each table row.
        for g in grids(&report) {
            for row in &g.rows {
                let values: Vec<&str> = row
                    .iter()
                    .filter(|c| matches!(c.kind, CellKind::Value { .. }) && !c.text.is_empty())
                    .map(|c| c.text.trim_end_matches("万元"))
                    .collect();
                if values.is_empty() {
                    continue;
                }
                let label = row
                    .iter()
                    .rfind(|c| matches!(c.kind, CellKind::Label))
                    .map(|c| c.text.clone());
                if let Some(label) = label.filter(|l| l.chars().count() <= 8) {
                    // Short labels fit on one line: the line holds the row's numbers in order.
                    let line = text
                        .lines()
                        .find(|l| l.contains(&label))
                        .unwrap_or_else(|| panic!("{name}: row {label} missing"));
                    let nums: Vec<&str> = line
                        .split_whitespace()
                        .filter(|w| w.parse::<f64>().is_ok())
                        .collect();
                    assert!(
                        nums.ends_with(&values),
                        "{name}: row {label}: {nums:?} vs {values:?}\n{line}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked >= 10, "{name}: only {checked} rows checked");
        pdftoppm(&artifact_dir().join(format!("{name}.pdf")), name);
    }
}

fn pdftoppm(pdf: &std::path::Path, name: &str) {
    let prefix = artifact_dir().join(name);
    let out = Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("poppler-utils (pdftoppm) is installed");
    assert!(out.status.success(), "pdftoppm failed");
    let pages = std::fs::read_dir(artifact_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            n.starts_with(&format!("{name}-")) && n.ends_with(".png")
        })
        .count();
    assert!(pages >= 2, "{name}: expected several pages, got {pages}");
    eprintln!(
        "{name}: {pages} page(s) rendered to {}-*.png",
        prefix.display()
    );
}

#[test]
fn hostile_text_stays_text() {
    let mut r = Report::zeroed(
        FormatVersion::V2021,
        2024,
        "某县\"#import\" ] [ \\ $x$ <l> @r",
    );
    r.sections.insert(
        "s1".into(),
        "#set page(fill: red) *粗* _斜_ `code` = 标题 \\ \u{7} 结束".into(),
    );
    let pdf = to_pdf(&r, &FONTS).unwrap();
    let text = pdftotext(&pdf, "hostile");
    assert!(
        text.contains("#set page(fill: red) *粗* _斜_ `code` = 标题 \\"),
        "{text}"
    );
    assert!(text.contains("@r"), "{text}");
}

#[test]
fn generated_source_snapshots() {
    for (name, report) in examples() {
        insta::assert_snapshot!(
            format!("typst-{name}"),
            typst_source(&report, &FontChoice::default())
        );
    }
}
