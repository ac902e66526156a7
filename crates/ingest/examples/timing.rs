//! Where the reading time goes, per stage: `cargo run --release -p gongkai-ingest --example timing -- FILE`

use gongkai_ingest::{Limits, detect, document, read_bytes, recognise};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let bytes = std::fs::read(&path).expect("read");
    let limits = Limits::default();
    let kind = detect(&path, &bytes).expect("kind");
    let n = 300;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(document(kind, &bytes, &limits).expect("doc"));
    }
    let doc_t = t.elapsed() / n;
    let d = document(kind, &bytes, &limits).expect("doc");
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(recognise::recognise(&d, &path, kind).expect("rec"));
    }
    let rec_t = t.elapsed() / n;
    let ing = read_bytes(&path, &bytes, &limits).expect("read");
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(ing.findings(None));
    }
    let f_t = t.elapsed() / n;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(gongkai_report::check(&ing.report, None));
    }
    let c_t = t.elapsed() / n;
    println!("document {doc_t:?}  recognise {rec_t:?}  findings {f_t:?} (check alone {c_t:?})");
}
