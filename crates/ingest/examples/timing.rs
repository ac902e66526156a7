//! Reading speed per file on one core, measured in on-CPU time of this thread
//! (`/proc/thread-self/schedstat`, so a busy machine does not distort it) and in wall time,
//! with the time per stage. `cargo run --release -p gongkai-ingest --example timing -- FILE...`

use gongkai_ingest::{Limits, detect, document, read_bytes, recognise};
use std::time::{Duration, Instant};

/// Nanoseconds this thread has spent on a CPU (Linux); `None` elsewhere.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn measure(n: u32, mut f: impl FnMut()) -> (Duration, Option<Duration>) {
    let c0 = cpu_ns();
    let t0 = Instant::now();
    for _ in 0..n {
        f();
    }
    let wall = t0.elapsed() / n;
    let cpu = match (c0, cpu_ns()) {
        (Some(a), Some(b)) => Some(Duration::from_nanos((b - a) / u64::from(n))),
        _ => None,
    };
    (wall, cpu)
}

fn main() {
    let limits = Limits::default();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let kind = detect(&path, &bytes).expect("kind");
        let n = if kind == gongkai_ingest::InputKind::Pdf {
            40
        } else {
            1000
        };
        let d = document(kind, &bytes, &limits).expect("document");
        let ing = read_bytes(&path, &bytes, &limits).expect("read");
        let (doc_w, doc_c) = measure(n, || {
            std::hint::black_box(document(kind, &bytes, &limits).expect("doc"));
        });
        let (rec_w, rec_c) = measure(n, || {
            std::hint::black_box(recognise::recognise(&d, &path, kind).expect("rec"));
        });
        let (f_w, f_c) = measure(n, || {
            std::hint::black_box(ing.findings(None));
        });
        let (all_w, all_c) = measure(n, || {
            let r = read_bytes(&path, std::hint::black_box(&bytes), &limits).expect("read");
            std::hint::black_box(r.findings(None));
        });
        let per_s = |d: Duration| 1.0 / d.as_secs_f64().max(1e-12);
        println!(
            "{path} ({}): {:.0} reports/s on-CPU ({:?}/report), {:.0} reports/s wall ({:?}); stages on-CPU: normalise {:?}, recognise {:?}, rules {:?}{}",
            kind.as_str(),
            all_c.map(per_s).unwrap_or(f64::NAN),
            all_c.unwrap_or_default(),
            per_s(all_w),
            all_w,
            doc_c.unwrap_or(doc_w),
            rec_c.unwrap_or(rec_w),
            f_c.unwrap_or(f_w),
            if kind == gongkai_ingest::InputKind::Pdf {
                " (PDF: most time is the pdftotext subprocess, not counted on-CPU here)"
            } else {
                ""
            }
        );
    }
}
