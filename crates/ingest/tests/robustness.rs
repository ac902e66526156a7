//! Bad input never panics and never loses the rest of the report; every limit is a clear error.

use gongkai_ingest::{IngestError, InputKind, Limits, document, pdf, read_bytes, recognise};
use proptest::prelude::*;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn no_panic(kind: InputKind, bytes: &[u8]) {
    let limits = Limits::default();
    if let Ok(doc) = document(kind, bytes, &limits)
        && let Ok(r) = recognise::recognise(&doc, "x", kind)
    {
        let _ = gongkai_report::check(&r.report, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_word_boxes_never_panic(
        words in proptest::collection::vec(
            ("[-0-9.eEinfNa]{0,8}", "[-0-9.eEinfNa]{0,8}", "[-0-9.eEinfNa]{0,8}", "[-0-9.eEinfNa]{0,8}", "[0-9一二三（）<>&;a-z ]{0,6}"),
            0..40,
        ),
        junk in "[<>/\"a-z =]{0,30}",
    ) {
        let mut html = String::from("<doc><page width=\"595\" height=\"842\">");
        for (x0, y0, x1, y1, t) in &words {
            html.push_str(&format!(
                "<word xMin=\"{x0}\" yMin=\"{y0}\" xMax=\"{x1}\" yMax=\"{y1}\">{t}</word>"
            ));
        }
        html.push_str(&junk);
        let _ = pdf::bbox_to_layout(&html);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        no_panic(InputKind::Text, &bytes);
        no_panic(InputKind::Html, &bytes);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&bytes);
        no_panic(InputKind::Docx, &zip);
        let _ = pdf::layout_to_document(&String::from_utf8_lossy(&bytes), &Limits::default());
    }

    #[test]
    fn arbitrary_text_lines_never_panic(lines in proptest::collection::vec("[0-9一二三四五六七八九十（）()、.，\t 总计小计自然人其他予以公开第二十条项申请年报告－—+-]{0,40}", 0..60)) {
        let text = lines.join("\n");
        no_panic(InputKind::Text, text.as_bytes());
        if let Ok(doc) = pdf::layout_to_document(&text.replace('\t', "   "), &Limits::default()) {
            let _ = recognise::recognise(&doc, "x", InputKind::Pdf);
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
        cut in any::<prop::sample::Index>(),
    ) {
        let (name, kind) = [
            ("huangge-2020.txt", InputKind::Text),
            ("yuexiu-2020-gbk.html", InputKind::Html),
            ("nanhai-2022-subtotal.html", InputKind::Html),
            ("yuexiu-2020-merged.docx", InputKind::Docx),
        ][which];
        let mut bytes = fixture(name);
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(bytes.len() / 2));
        no_panic(kind, &bytes);
    }
}

#[test]
fn an_unreadable_value_is_a_finding_and_the_rest_parses() {
    let text = String::from_utf8(fixture("huangge-2020.txt")).unwrap();
    let bad = text.replace("行政许可\t0\t+6\t53", "行政许可\t0\t+6\t5三");
    assert_ne!(bad, text);
    let ing = read_bytes("bad.txt", bad.as_bytes(), &Limits::default()).unwrap();
    let f = ing.findings(None);
    let unreadable: Vec<_> = f.iter().filter(|f| f.rule == "UNREADABLE-CELL").collect();
    assert_eq!(unreadable.len(), 1, "{f:#?}");
    assert_eq!(unreadable[0].cells, ["t2_5.admin_license.decisions"]);
    let src = unreadable[0].source.as_ref().unwrap();
    assert_eq!(src.line, Some(38));
    assert_eq!(src.text.as_deref(), Some("5三"));
    assert_eq!(
        ing.report.get("t2_5.admin_license.decisions").unwrap(),
        None
    );
    assert_eq!(ing.report.count("t2_6", "admin_penalty", "decisions"), 153);
    assert!(
        !f.iter()
            .any(|f| f.rule == "BLANK-CELL" && f.cells == ["t2_5.admin_license.decisions"])
    );
}

#[test]
fn a_bare_large_amount_is_kept_and_flagged_as_uncertain() {
    let text = String::from_utf8(fixture("huangge-2020.txt")).unwrap();
    let bad = text.replace(
        "政府集中采购\t66\t9335.1778万元",
        "政府集中采购\t66\t93351778",
    );
    assert_ne!(bad, text);
    let ing = read_bytes("bad.txt", bad.as_bytes(), &Limits::default()).unwrap();
    let f = ing.findings(None);
    let key = "t2_9.central_procurement.procurement_amount";
    let uncertain: Vec<_> = f.iter().filter(|f| f.rule == "UNIT-UNCERTAIN").collect();
    assert_eq!(uncertain.len(), 1, "{f:#?}");
    assert_eq!(uncertain[0].cells, [key]);
    assert_eq!(
        uncertain[0].source.as_ref().unwrap().text.as_deref(),
        Some("93351778")
    );
    assert!(
        !f.iter().any(|f| f.rule == "UNIT-CONVERTED"),
        "not converted"
    );
    assert_eq!(
        ing.report.get(key).unwrap().map(|v| v.to_string()),
        Some("93351778".to_string())
    );
    // A plausible bare amount is not flagged.
    let fine = text.replace(
        "政府集中采购\t66\t9335.1778万元",
        "政府集中采购\t66\t9335.1778",
    );
    let f = read_bytes("ok.txt", fine.as_bytes(), &Limits::default())
        .unwrap()
        .findings(None);
    assert!(!f.iter().any(|f| f.rule.starts_with("UNIT-")), "{f:#?}");
}

#[test]
fn a_row_with_too_many_values_is_unreadable_not_guessed() {
    let text = String::from_utf8(fixture("huangge-2020.txt")).unwrap();
    let bad = text.replace(
        "\t2.重复申请\t0\t0\t0\t0\t0\t0\t0\t",
        "\t2.重复申请\t0\t0\t0\t0\t0\t0\t7\t0\t",
    );
    assert_ne!(bad, text);
    let ing = read_bytes("bad.txt", bad.as_bytes(), &Limits::default()).unwrap();
    let f = ing.findings(None);
    assert!(
        f.iter().any(|f| f.rule == "UNREADABLE-CELL"
            && f.cells.contains(&"t3.np_duplicate.total".to_string())),
        "{f:#?}"
    );
    assert_eq!(ing.report.get("t3.np_duplicate.total").unwrap(), None);
}

#[test]
fn limits_are_clear_errors() {
    let pdf_bytes = fixture("nansha-2024.pdf");
    let one_page = Limits {
        max_pages: 1,
        ..Limits::default()
    };
    match read_bytes("a.pdf", &pdf_bytes, &one_page) {
        Err(e @ IngestError::TooManyPages { .. }) => assert!(e.to_string().contains("页数")),
        other => panic!("{other:?}"),
    }
    let few_cells = Limits {
        max_cells: 50,
        ..Limits::default()
    };
    assert!(matches!(
        read_bytes("a.html", &fixture("yuexiu-2020-gbk.html"), &few_cells),
        Err(IngestError::TooManyCells { .. })
    ));
    let small = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        read_bytes("a.pdf", &pdf_bytes, &small),
        Err(IngestError::TooLarge { .. })
    ));
    // A stuck extractor is stopped.
    let dir = tempfile_dir();
    let script = dir.join("slow-pdftotext");
    std::fs::write(&script, "#!/bin/sh\nsleep 5\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let slow = Limits {
            pdftotext: script.display().to_string(),
            pdf_timeout: std::time::Duration::from_millis(300),
            ..Limits::default()
        };
        let t = std::time::Instant::now();
        assert!(matches!(
            read_bytes("a.pdf", &pdf_bytes, &slow),
            Err(IngestError::Timeout { .. })
        ));
        assert!(t.elapsed() < std::time::Duration::from_secs(4));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("gongkai-ingest-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_scan_is_refused_not_guessed() {
    let e = read_bytes("s.pdf", &fixture("scanned-2022.pdf"), &Limits::default()).unwrap_err();
    assert!(matches!(e, IngestError::NoTextLayer));
    assert!(e.to_string().contains("扫描件"));
}

#[test]
fn provenance_names_page_line_and_text() {
    let ing = read_bytes("r.pdf", &fixture("nansha-2024.pdf"), &Limits::default()).unwrap();
    let p = &ing.provenance["t4.cases.review_total"];
    assert_eq!(p.file.as_deref(), Some("r.pdf"));
    assert_eq!(p.page, Some(4));
    assert_eq!(p.text.as_deref(), Some("4"));
    assert!(p.line.is_some());
    let ing = read_bytes(
        "r.docx",
        &fixture("yuexiu-2020-merged.docx"),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        ing.provenance["t2_5.admin_license.decisions"]
            .text
            .as_deref(),
        Some("4072")
    );
    // Every stored cell has a source.
    for (key, _) in ing.report.cells() {
        assert!(ing.provenance.contains_key(&key.to_string()), "{key}");
    }
}
