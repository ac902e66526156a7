//! Search benchmark over a synthetic corpus (no external data).
//!
//! `cargo bench -p gongkai-search --bench search` builds an on-disk index of
//! 100,000 synthetic disclosure documents, then runs a mix of queries (words,
//! multi-word, 文号, names, single characters, filters, browsing) and prints
//! latency percentiles and throughput.
//!
//! Environment: `GONGKAI_SEARCH_BENCH_DOCS` (default 100000),
//! `GONGKAI_SEARCH_BENCH_ROUNDS` (default 20 passes over the query mix).

use std::time::{Duration, Instant};

use gongkai_search::synth::{self, DISTRICTS};
use gongkai_search::{DocKind, Query, SearchIndex};

const SEED: u64 = 2024;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn queries(docs: usize) -> Vec<(&'static str, Query)> {
    let text = |t: &str| Query::text(t);
    let mut out: Vec<(&'static str, Query)> = Vec::new();
    for w in [
        "养老",
        "补贴",
        "社会救助",
        "行政复议",
        "依申请公开",
        "最低生活保障",
        "安全检查",
        "危险化学品",
        "政府信息公开工作年度报告",
        "就业补贴",
        "长者饭堂",
        "户口迁移",
        "通知",
    ] {
        out.push(("word", text(w)));
    }
    for w in [
        "南沙区 养老服务补贴",
        "黄阁镇 年度报告",
        "城市管理 违法建设 行政处罚",
        "南沙区养老补贴",
        "耕地地力保护补贴发放",
    ] {
        out.push(("multi", text(w)));
    }
    for k in [1usize, 17, 4242, 31337, 77777] {
        let d = synth::document(SEED, k % docs.max(1));
        if let Some(n) = d.doc_number {
            out.push(("文号", text(&n)));
        }
        if let Some(n) = d.index_number {
            out.push(("索引号", text(&n)));
        }
    }
    for w in ["冼锦豪", "欧阳美玲", "梁志强", "区子轩"] {
        out.push(("name", text(w)));
    }
    for w in ["饭", "税"] {
        out.push(("1-char", text(w)));
    }
    out.push((
        "long",
        text("根据《中华人民共和国政府信息公开条例》的规定，依申请公开的办理时限为二十个工作日"),
    ));
    out.push(("no-hit", text("量子计算机")));
    out.push((
        "filter",
        Query {
            year: Some(2024),
            ..text("通知")
        },
    ));
    out.push((
        "filter",
        Query {
            domain: Some("养老服务".into()),
            ..text("补贴")
        },
    ));
    out.push((
        "filter",
        Query {
            kind: Some(DocKind::Report),
            ..text("年度报告")
        },
    ));
    let nansha: Vec<String> = (0..8)
        .map(|t| format!("{}-town-{t}", DISTRICTS[0].2))
        .chain(["zfb", "mzj", "czj", "rsj"].map(|c| format!("{}-{c}", DISTRICTS[0].2)))
        .collect();
    out.push((
        "filter",
        Query {
            body_codes: nansha.clone(),
            ..text("养老")
        },
    ));
    out.push(("browse", Query::default()));
    out.push((
        "browse",
        Query {
            body_codes: nansha,
            year: Some(2023),
            ..Query::default()
        },
    ));
    out.push((
        "browse",
        Query {
            domain: Some("社会救助".into()),
            offset: 200,
            ..Query::default()
        },
    ));
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let docs = env_usize("GONGKAI_SEARCH_BENCH_DOCS", 100_000);
    let rounds = env_usize("GONGKAI_SEARCH_BENCH_ROUNDS", 20);
    let dir = tempfile::tempdir().expect("temporary directory");

    let started = Instant::now();
    let index = SearchIndex::open(dir.path()).expect("open index");
    let mut text_bytes = 0usize;
    for d in synth::corpus(SEED, docs) {
        text_bytes += d.title.len() + d.text.len();
        index.upsert(&d).expect("upsert");
    }
    index.commit().expect("commit");
    let build = started.elapsed();
    println!(
        "indexed {docs} documents ({:.1} MB of text) in {:.1} s ({:.0} docs/s); index size {:.1} MB",
        text_bytes as f64 / 1e6,
        build.as_secs_f64(),
        docs as f64 / build.as_secs_f64(),
        dir_size(dir.path()) as f64 / 1e6
    );
    drop(index);
    let index = SearchIndex::open(dir.path()).expect("reopen index");

    let mix = queries(docs);
    // Warm-up pass (page cache, lazily loaded dictionaries).
    for (_, q) in &mix {
        index.search(q).expect("search");
    }
    for (label, q) in mix.iter().take(mix.len()) {
        let r = index.search(q).expect("search");
        println!(
            "  {label:<7} {:<40} total {:>6}  {:.2} ms",
            format!("{:?}", q.text.chars().take(20).collect::<String>()),
            r.total,
            r.took_ms
        );
    }

    let mut all = Vec::new();
    let mut by_label: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let started = Instant::now();
    for _ in 0..rounds {
        for (label, q) in &mix {
            let t = Instant::now();
            let r = index.search(q).expect("search");
            let e = t.elapsed();
            std::hint::black_box(r);
            all.push(e);
            by_label.entry(label).or_default().push(e);
        }
    }
    let wall = started.elapsed();
    all.sort();
    println!(
        "1 thread: {} queries, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.0} queries/s",
        all.len(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.90)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().unwrap_or(&Duration::ZERO)),
        all.len() as f64 / wall.as_secs_f64()
    );
    for (label, mut v) in by_label {
        v.sort();
        println!(
            "  {label:<7} p50 {:.2} ms  p99 {:.2} ms",
            ms(percentile(&v, 0.50)),
            ms(percentile(&v, 0.99))
        );
    }

    // Two concurrent searchers (the machine has 2 cores).
    let threads = 2;
    let started = Instant::now();
    let mut all: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let index = &index;
                let mix = &mix;
                s.spawn(move || {
                    let mut v = Vec::new();
                    for r in 0..rounds {
                        for (i, (_, q)) in mix.iter().enumerate() {
                            if (i + r + t) % threads != 0 && threads > 1 && r % 2 == 1 {
                                continue;
                            }
                            let t0 = Instant::now();
                            std::hint::black_box(index.search(q).expect("search"));
                            v.push(t0.elapsed());
                        }
                    }
                    v
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("bench thread"))
            .collect()
    });
    let wall = started.elapsed();
    all.sort();
    println!(
        "{threads} threads: {} queries, p50 {:.2} ms, p99 {:.2} ms, {:.0} queries/s",
        all.len(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.99)),
        all.len() as f64 / wall.as_secs_f64()
    );
}
