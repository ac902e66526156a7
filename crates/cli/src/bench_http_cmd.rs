//! `gongkai bench http`: seed a data directory with many published documents (realistic text
//! from `gongkai_search::synth`), start the real server on a free port, and drive it over
//! keep-alive HTTP/1.1 connections, printing requests/second and p50/p99 latency for the
//! document page, the catalog page and search.

use anyhow::{Context, Result, bail};
use clap::Args;
use gongkai_ledger::content::{CatalogItemRecord, PublicDocumentRecord};
use gongkai_store::Store;
use gongkai_web::security::{Limits, Secret};
use gongkai_web::{AppState, WebConfig};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Largest number of documents the benchmark seeds.
const MAX_DOCS: usize = 2_000_000;
/// Largest number of requests per scenario.
const MAX_REQUESTS: usize = 10_000_000;
/// Largest number of concurrent connections.
const MAX_CONNECTIONS: usize = 1_024;

#[derive(Args, Debug)]
pub struct BenchHttpArgs {
    /// Documents to seed (skipped when the data directory already holds that many).
    #[arg(long, default_value_t = 100_000)]
    pub docs: usize,
    /// Requests per scenario.
    #[arg(long, default_value_t = 20_000)]
    pub requests: usize,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Data directory to seed and serve (kept, so later runs skip seeding); default: a temp dir.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Only these scenarios (doc, catalog, search); default: all.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

/// Run `gongkai bench http`.
pub fn run(a: BenchHttpArgs) -> Result<ExitCode> {
    if a.docs == 0 || a.docs > MAX_DOCS {
        bail!("--docs must be 1..={MAX_DOCS}");
    }
    if a.requests == 0 || a.requests > MAX_REQUESTS {
        bail!("--requests must be 1..={MAX_REQUESTS}");
    }
    if a.connections == 0 || a.connections > MAX_CONNECTIONS {
        bail!("--connections must be 1..={MAX_CONNECTIONS}");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时 (cannot start the async runtime)")?;
    rt.block_on(bench(a))
}

/// Bodies the documents are spread over (the demo's towns and district).
const BODIES: [&str; 4] = ["440115101", "440115102", "440115001", "440115"];

async fn bench(a: BenchHttpArgs) -> Result<ExitCode> {
    let tmp;
    let data = match &a.data {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir().context("cannot create a temp dir")?;
            tmp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&data)
        .with_context(|| format!("cannot create the data dir {}", data.display()))?;
    let store = Store::open_sqlite(&data.join("gongkai.db"))
        .await
        .with_context(|| format!("cannot open the database in {}", data.display()))?;
    gongkai_web::demo::seed(&store, gongkai_store::Clock::System)
        .await
        .context("demo seeding failed")?;
    let ids = seed_documents(&store, a.docs).await?;
    let search = gongkai_search::SearchIndex::open(data.join("search-index"))
        .context("cannot open the search index")?;
    let config = WebConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: data.clone(),
        ..WebConfig::default()
    };
    let mut state = AppState::new(store, search, Secret::random(), config);
    // The load comes from one address: lift the per-IP limits for the benchmark.
    state.limits = Limits::new(u32::MAX, u32::MAX, u32::MAX);
    let t = Instant::now();
    let applied = gongkai_web::indexer::catch_up(&state)
        .await
        .map_err(|e| anyhow::anyhow!("indexing failed: {e}"))?;
    eprintln!(
        "索引 (indexed): {applied} outbox entries in {:.1} s; {} documents in the index",
        t.elapsed().as_secs_f64(),
        state.search.num_docs()
    );
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(gongkai_web::serve(state, Some(tx)));
    let addr = rx.await.context("the server did not start")?;
    eprintln!("服务地址 (serving on) http://{addr}");

    let words = [
        "养老", "补贴", "招标", "道路", "预算", "环境", "教育", "通知", "公示", "医疗",
    ];
    let all = ["doc", "catalog", "search"];
    let chosen: Vec<&str> = if a.only.is_empty() {
        all.to_vec()
    } else {
        for s in &a.only {
            if !all.contains(&s.as_str()) {
                bail!("unknown scenario `{s}` (doc, catalog, search)");
            }
        }
        all.iter()
            .copied()
            .filter(|s| a.only.iter().any(|o| o == s))
            .collect()
    };
    println!(
        "{:<10} {:>9} {:>9} {:>10} {:>10} {:>10} {:>7}",
        "scenario", "requests", "conns", "req/s", "p50 ms", "p99 ms", "errors"
    );
    let ids = Arc::new(ids);
    let mut failed = false;
    for name in chosen {
        let ids = ids.clone();
        let uri: Arc<dyn Fn(usize) -> String + Send + Sync> = match name {
            "doc" => Arc::new(move |i| format!("/docs/{}", ids[(i * 7919) % ids.len()])),
            "catalog" => Arc::new(|i| format!("/b/{}/catalog", BODIES[i % BODIES.len()])),
            _ => Arc::new(move |i| {
                format!(
                    "/search?q={}",
                    gongkai_web::portal::urlencode(words[i % words.len()])
                )
            }),
        };
        // Warm-up: one request per connection's worth, not measured.
        drive(addr, a.connections, a.connections * 4, uri.clone()).await?;
        let r = drive(addr, a.connections, a.requests, uri).await?;
        println!(
            "{:<10} {:>9} {:>9} {:>10.0} {:>10.2} {:>10.2} {:>7}",
            name, r.requests, a.connections, r.rps, r.p50_ms, r.p99_ms, r.errors
        );
        failed |= r.errors > 0;
    }
    server.abort();
    Ok(if failed {
        eprintln!("有请求失败 (some requests failed)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Seed `n` published documents (unless present); returns their ids.
async fn seed_documents(store: &Store, n: usize) -> Result<Vec<i64>> {
    let mut bodies = Vec::new();
    for code in BODIES {
        let b = store.get_body_by_code(code).await?;
        let items = store.list_catalog(b.id).await?;
        let item = match items.first() {
            Some(i) => i.id,
            None => {
                store
                    .create_catalog_item(
                        &CatalogItemRecord {
                            body_id: b.id,
                            domain: "综合政务".into(),
                            name: "政策文件".into(),
                            basis: "《中华人民共和国政府信息公开条例》第二十条".into(),
                            time_limit: "信息形成或者变更之日起20个工作日内".into(),
                            channel: "政府网站".into(),
                            subject: b.name.clone(),
                            audience: "全社会".into(),
                            manner: "主动公开".into(),
                        },
                        "bench",
                    )
                    .await?
                    .id
            }
        };
        bodies.push((b, item));
    }
    let mut have = 0;
    for (b, _) in &bodies {
        let (_, total) = store
            .list_public_documents(&gongkai_store::DocumentQuery {
                body_id: b.id,
                published_only: true,
                catalog_item_id: None,
                limit: 1,
                offset: 0,
            })
            .await?;
        have += total as usize;
    }
    if have >= n {
        eprintln!("已有 {have} 篇文件，跳过写入 (documents present, seeding skipped)");
        let mut ids = Vec::with_capacity(n);
        for (b, _) in &bodies {
            let mut offset = 0;
            loop {
                let (docs, _) = store
                    .list_public_documents(&gongkai_store::DocumentQuery {
                        body_id: b.id,
                        published_only: true,
                        catalog_item_id: None,
                        limit: gongkai_store::MAX_LIST,
                        offset,
                    })
                    .await?;
                if docs.is_empty() || ids.len() >= n {
                    break;
                }
                offset += docs.len() as i64;
                ids.extend(docs.iter().map(|d| d.id));
            }
        }
        ids.truncate(n);
        return Ok(ids);
    }
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    let today = gongkai_store::Clock::System.today();
    for i in have..n {
        let s = gongkai_search::synth::document(20_260_101, i);
        let (b, item) = &bodies[i % bodies.len()];
        let written = time::Date::from_ordinal_date(
            s.year.unwrap_or(2024).clamp(2019, today.year()),
            1 + (i % 365) as u16,
        )
        .unwrap_or(today);
        let d = store
            .create_public_document(
                &PublicDocumentRecord {
                    body_id: b.id,
                    catalog_item_id: (i % 3 == 0).then_some(*item),
                    publisher: b.name.clone(),
                    written_on: written,
                    doc_number: s.doc_number.clone().unwrap_or_default(),
                    topic: "综合政务".into(),
                    title: s.title.chars().take(300).collect(),
                    text: s.text,
                },
                "bench",
            )
            .await
            .with_context(|| format!("document {i}"))?;
        store
            .set_document_published(d.id, true, written, "bench")
            .await?;
        ids.push(d.id);
        if (i + 1) % 10_000 == 0 {
            eprintln!(
                "已写入 (seeded) {} / {n} documents, {:.0} docs/s",
                i + 1,
                (i + 1 - have) as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    Ok(ids)
}

struct Outcome {
    requests: usize,
    errors: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// `total` GET requests over `conns` keep-alive connections.
async fn drive(
    addr: SocketAddr,
    conns: usize,
    total: usize,
    uri: Arc<dyn Fn(usize) -> String + Send + Sync>,
) -> Result<Outcome> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let next = next.clone();
        let uri = uri.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let io = hyper_util::rt::TokioIo::new(stream);
            let (mut send, conn) = hyper::client::conn::http1::handshake(io).await?;
            tokio::spawn(conn);
            let mut lat = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let req = hyper::Request::get(uri(i))
                    .header(hyper::header::HOST, addr.to_string())
                    .body(Empty::<Bytes>::new())?;
                let t = Instant::now();
                send.ready().await?;
                let res = send.send_request(req).await?;
                let ok = res.status().is_success();
                res.into_body().collect().await?;
                lat.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            anyhow::Ok((lat, errors))
        }));
    }
    let mut all: Vec<Duration> = Vec::with_capacity(total);
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.context("load task panicked")??;
        all.extend(lat);
        errors += e;
    }
    let elapsed = start.elapsed();
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i].as_secs_f64() * 1000.0
    };
    Ok(Outcome {
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_drives_a_small_corpus() {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let code = rt
            .block_on(bench(BenchHttpArgs {
                docs: 40,
                requests: 40,
                connections: 2,
                data: Some(dir.path().to_path_buf()),
                only: vec![],
            }))
            .unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
        // A second run reuses the seeded documents.
        let store = rt
            .block_on(Store::open_sqlite(&dir.path().join("gongkai.db")))
            .unwrap();
        let ids = rt.block_on(seed_documents(&store, 40)).unwrap();
        assert_eq!(ids.len(), 40);
    }
}
