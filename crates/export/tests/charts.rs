//! SVG charts: well-formed, self-contained (no script, no external reference), accessible, and
//! stable (snapshots).

mod common;

use common::{artifact_dir, huangge, nansha};
use gongkai_export::charts::{OUTCOMES, RECEIVED, siblings_svg, t3_total, trend_svg};
use gongkai_report::{FormatVersion, Report};
use proptest::prelude::*;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Parse the whole SVG; return the element names seen.
fn elements(svg: &str) -> Vec<String> {
    let mut reader = Reader::from_str(svg);
    let mut names = Vec::new();
    let mut depth = 0i32;
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("malformed SVG: {e}\n{svg}"))
        {
            Event::Start(e) => {
                depth += 1;
                names.push(e.name().as_ref().to_string());
            }
            Event::Empty(e) => names.push(e.name().as_ref().to_string()),
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "balanced");
    names
}

fn assert_self_contained(svg: &str) {
    let names = elements(svg);
    assert_eq!(names[0], "svg");
    assert_eq!(names[1], "title", "a <title> first for screen readers");
    assert!(
        !names
            .iter()
            .any(|n| n == "script" || n == "image" || n == "foreignObject")
    );
    assert!(!svg.contains("href"));
    assert!(!svg.contains("javascript"));
}

/// The same body over four years: the 2024 report scaled back to 2021–2023.
fn history() -> Vec<Report> {
    let base = nansha();
    let mut out = Vec::new();
    for (year, num) in [(2021, 2), (2022, 3), (2023, 5)] {
        let mut r = Report::zeroed(FormatVersion::V2021, year, base.body.clone());
        for (key, value) in base.cells() {
            if let Some(gongkai_report::Value::Count(n)) = value {
                r.set_count(&key.to_string(), n * num / 4).unwrap();
            }
        }
        out.push(r);
    }
    out.push(base);
    out
}

#[test]
fn trend_chart() {
    let svg = trend_svg(&history());
    assert_self_contained(&svg);
    for year in 2021..=2024 {
        assert!(svg.contains(&format!("{year}年")), "{year}");
    }
    for s in std::iter::once(RECEIVED).chain(OUTCOMES) {
        assert!(svg.contains(s.label), "{}", s.label);
    }
    assert!(svg.contains("广州市南沙区人民政府政府信息公开申请及办理结果趋势（2021—2024年）"));
    // Tooltip of the 2024 received value.
    let n = t3_total(&nansha(), "new_received");
    assert!(svg.contains(&format!("2024年 本年新收申请：{n}件")));
    std::fs::write(artifact_dir().join("trend.svg"), &svg).unwrap();
    insta::assert_snapshot!("trend", svg);
}

#[test]
fn trend_is_order_independent_and_last_report_of_a_year_wins() {
    let mut h = history();
    let a = trend_svg(&h);
    h.reverse();
    let mut dup = h.clone();
    // A superseded 2024 report listed first is replaced by the later one.
    let mut old = nansha();
    old.set_count("t3.new_received.total", 999).unwrap();
    dup.insert(0, old);
    assert_eq!(a, trend_svg(&h));
    assert_eq!(a, trend_svg(&dup));
}

#[test]
fn siblings_chart() {
    let mut bodies = vec![huangge(), nansha()];
    let mut small = Report::zeroed(FormatVersion::V2021, 2024, "某某街道办事处<&>");
    small.set_count("t3.new_received.total", 3).unwrap();
    small.set_count("t3.granted.total", 2).unwrap();
    bodies.push(small);
    let svg = siblings_svg(&bodies);
    assert_self_contained(&svg);
    assert!(svg.contains("某某街道办事处&lt;&amp;&gt;"));
    assert!(svg.contains("2020—2024年"));
    // Ordered by applications received: 南沙 (75) before 黄阁 before the small office.
    let p = |s: &str| svg.find(s).unwrap();
    assert!(p("广州市南沙区人民政府（") < p("黄阁镇"));
    std::fs::write(artifact_dir().join("siblings.svg"), &svg).unwrap();
    insta::assert_snapshot!("siblings", svg);
}

#[test]
fn many_siblings_are_capped() {
    let bodies: Vec<Report> = (0..350)
        .map(|i| Report::zeroed(FormatVersion::V2021, 2024, format!("单位{i}")))
        .collect();
    let svg = siblings_svg(&bodies);
    assert_self_contained(&svg);
    assert!(svg.contains("另有50个单位未显示"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn charts_are_well_formed_for_any_counts(
        years in prop::collection::vec((2019i32..2030, 0i64..1_000_000, 0i64..1_000_000), 0..12),
        name in "[\\PC]{0,30}",
    ) {
        let reports: Vec<Report> = years
            .iter()
            .map(|(y, recv, granted)| {
                let mut r = Report::zeroed(FormatVersion::for_year(*y), *y, name.clone());
                r.set_count("t3.new_received.total", *recv).unwrap();
                r.set_count("t3.granted.total", *granted).unwrap();
                r
            })
            .collect();
        assert_self_contained(&trend_svg(&reports));
        assert_self_contained(&siblings_svg(&reports));
    }
}

/// Rasterise the charts (through typst's SVG support and poppler) so their look can be checked.
#[test]
fn charts_render_to_png() {
    use gongkai_export::pdf::{FontSet, compile_pdf, typst_str};
    let fonts = FontSet::load_default().expect("fonts-noto-cjk is installed");
    for (name, svg) in [
        ("trend", trend_svg(&history())),
        ("siblings", siblings_svg(&[huangge(), nansha()])),
    ] {
        let source = format!(
            "#set page(width: 200mm, height: auto, margin: 5mm)\n#image(bytes({}), format: \"svg\", width: 100%)\n",
            typst_str(&svg)
        );
        let pdf = compile_pdf(source, &fonts).unwrap();
        let path = artifact_dir().join(format!("chart-{name}.pdf"));
        std::fs::write(&path, pdf).unwrap();
        let status = std::process::Command::new("pdftoppm")
            .args(["-r", "90", "-png", "-singlefile"])
            .arg(&path)
            .arg(artifact_dir().join(format!("chart-{name}")))
            .status()
            .expect("poppler-utils (pdftoppm) is installed");
        assert!(status.success());
    }
}
