//! Reading speed per input kind, one report per iteration on one core (criterion runs the
//! benchmark on the calling thread). The `thrpt` line is reports per second.
//!
//! `cargo bench -p gongkai-ingest --bench read`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gongkai_ingest::{Limits, read_bytes};
use std::hint::black_box;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let cases = [
        ("text", "huangge-2020.txt"),
        ("html", "yuexiu-2020-gbk.html"),
        ("docx", "nansha-2024-template.docx"),
        ("pdf", "nansha-2024.pdf"),
    ];
    let mut g = c.benchmark_group("read_report");
    g.throughput(Throughput::Elements(1));
    for (kind, name) in cases {
        let bytes = fixture(name);
        if kind == "pdf" {
            g.sample_size(10);
        } else {
            g.sample_size(50);
        }
        g.bench_function(kind, |b| {
            b.iter(|| {
                let r = read_bytes(name, black_box(&bytes), &limits).expect("fixture reads");
                black_box(r.findings(None).len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
