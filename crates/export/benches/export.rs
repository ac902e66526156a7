//! Time to export one report in each format (the 2021-format example), and to load the fonts.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gongkai_export::{charts, docx, pdf, xlsx};
use gongkai_report::{Report, check};
use std::hint::black_box;
use std::time::Duration;

fn report() -> Report {
    Report::from_json_str(include_str!("../../../examples/reports/nansha-2024.json")).unwrap()
}

fn exports(c: &mut Criterion) {
    let r = report();
    let findings = check(&r, None);
    let fonts = pdf::FontSet::load_default().expect("fonts-noto-cjk is installed");
    let mut g = c.benchmark_group("export");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("docx", |b| b.iter(|| docx::to_docx(black_box(&r)).unwrap()));
    g.bench_function("xlsx", |b| {
        b.iter(|| xlsx::to_xlsx(black_box(&r), &findings).unwrap())
    });
    g.bench_function("pdf", |b| {
        b.iter(|| pdf::to_pdf(black_box(&r), &fonts).unwrap())
    });
    // Without typst's memoisation cache from earlier iterations: the first export of a report.
    g.bench_function("pdf_cold", |b| {
        b.iter_batched(
            || typst::comemo::evict(0),
            |_| pdf::to_pdf(black_box(&r), &fonts).unwrap(),
            BatchSize::PerIteration,
        )
    });
    // The largest report accepted: every section at its limit, 120 000 characters in all.
    let mut big = r.clone();
    let mut left = gongkai_export::MAX_TOTAL_CHARS;
    for key in gongkai_report::SECTION_KEYS {
        let n = left.min(gongkai_export::MAX_SECTION_CHARS);
        left -= n;
        let para = "本机关认真贯彻落实政府信息公开条例，持续深化政务公开。";
        let text: String = para.chars().cycle().take(n).collect();
        let text = text
            .chars()
            .collect::<Vec<_>>()
            .chunks(300)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
            .chars()
            .take(n)
            .collect::<String>();
        big.sections.insert(key.to_string(), text);
    }
    g.bench_function("pdf_cold_max_text", |b| {
        b.iter_batched(
            || typst::comemo::evict(0),
            |_| pdf::to_pdf(black_box(&big), &fonts).unwrap(),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("trend_svg", |b| {
        let years: Vec<Report> = (2021..=2024)
            .map(|y| {
                let mut x = r.clone();
                x.year = y;
                x
            })
            .collect();
        b.iter(|| charts::trend_svg(black_box(&years)))
    });
    g.bench_function("font_load", |b| {
        b.iter(|| pdf::FontSet::load_default().unwrap())
    });
    g.finish();
}

criterion_group!(benches, exports);
criterion_main!(benches);
