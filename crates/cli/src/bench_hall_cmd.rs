//! `gongkai bench hall`: the window queue under load. Starts the server on a temporary
//! SQLite data directory (or on PostgreSQL when `DATABASE_URL` is a postgres:// URL),
//! connects N hall displays to the server-sent-event stream over loopback HTTP, and drives
//! kiosk takes and window calls and finishes concurrently through the JSON API. Prints the
//! operations per second sustained, the errors, and the call-to-screen latency (from
//! sending the call request to the display receiving the event announcing it) at p50 and
//! p99 as measured at the display clients.

use anyhow::{Context, Result, bail};
use clap::Args;
use gongkai_ledger::{BodyKind, NewBody, Role};
use gongkai_store::queue::{HallConfig, HallService, HallWindow};
use gongkai_store::{Store, is_postgres_url};
use gongkai_web::security::{Limits, Secret, Session, anonymous_csrf_token};
use gongkai_web::{AppState, WebConfig};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct BenchHallArgs {
    /// Display clients connected to the live stream.
    #[arg(long, default_value_t = 50)]
    pub displays: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    /// Concurrent kiosks taking tickets.
    #[arg(long, default_value_t = 4)]
    pub kiosks: usize,
    /// Windows calling and finishing tickets concurrently.
    #[arg(long, default_value_t = 8)]
    pub windows: u32,
}

/// Target of the issue: operations per second sustained.
pub const TARGET_OPS: f64 = 500.0;
/// Target: call-to-screen p99.
pub const TARGET_P99_MS: f64 = 1000.0;

const BROWSER: &str = "benchbrowser-0000000001";
const SERVICES: [(&str, char, &str); 4] = [
    ("SB", 'A', "社会保险"),
    ("YB", 'B', "医疗保障"),
    ("MZ", 'C', "民政救助"),
    ("HJ", 'D', "户籍协办"),
];

/// Run `gongkai bench hall`.
pub fn run(a: BenchHallArgs) -> Result<ExitCode> {
    if a.displays > 2000 || a.seconds == 0 || a.seconds > 3600 || a.kiosks == 0 || a.windows == 0 {
        bail!("--displays ≤ 2000, --seconds 1..=3600, --kiosks ≥ 1, --windows ≥ 1");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时 (cannot start the async runtime)")?;
    rt.block_on(bench(a))
}

/// What the run measured.
#[derive(Debug)]
pub struct HallBench {
    pub backend: &'static str,
    pub ops: u64,
    pub takes: u64,
    pub calls: u64,
    pub finishes: u64,
    pub errors: u64,
    pub seconds: f64,
    pub latency_samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub missed: usize,
}

impl HallBench {
    pub fn ops_per_s(&self) -> f64 {
        self.ops as f64 / self.seconds
    }
}

async fn bench(a: BenchHallArgs) -> Result<ExitCode> {
    let r = measure(&a).await?;
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "gongkai bench hall: {} ({build} build), {} displays, {} kiosks, {} windows, {:.1} s",
        r.backend, a.displays, a.kiosks, a.windows, r.seconds
    );
    println!(
        "operations: {} (takes {}, calls {}, finishes {}) = {:.0} ops/s; errors {}",
        r.ops,
        r.takes,
        r.calls,
        r.finishes,
        r.ops_per_s(),
        r.errors
    );
    println!(
        "call→screen latency at the displays: {} samples, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; calls not seen by a display: {}",
        r.latency_samples, r.p50_ms, r.p99_ms, r.max_ms, r.missed
    );
    let ok = r.ops_per_s() >= TARGET_OPS && r.p99_ms <= TARGET_P99_MS;
    println!(
        "target ≥ {TARGET_OPS:.0} ops/s and p99 ≤ {TARGET_P99_MS:.0} ms: {}",
        if ok { "met" } else { "NOT met" }
    );
    Ok(if r.errors > 0 || r.missed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn hall_config() -> HallConfig {
    HallConfig {
        name: "压力测试政务服务中心".into(),
        services: SERVICES
            .iter()
            .map(|(code, prefix, name)| HallService {
                code: code.to_string(),
                prefix: *prefix,
                name: name.to_string(),
                item_code: String::new(),
                policy: Default::default(),
            })
            .collect(),
        windows: Vec::new(),
    }
}

/// Set up, load and measure.
pub async fn measure(a: &BenchHallArgs) -> Result<HallBench> {
    let tmp = tempfile::tempdir().context("cannot create a temp dir")?;
    let store = match std::env::var("DATABASE_URL") {
        Ok(url) if is_postgres_url(&url) => Store::connect_postgres(&url)
            .await
            .context("cannot connect to DATABASE_URL")?,
        _ => Store::open_sqlite(&tmp.path().join("gongkai.db")).await?,
    };
    let backend = if store.backend_name() == "postgres" {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut rnd = [0u8; 4];
    getrandom_fill(&mut rnd);
    let code = format!(
        "BH{}",
        rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let body = store
        .create_body(
            &NewBody {
                code: code.clone(),
                name: "压力测试机关".into(),
                kind: BodyKind::Province,
                parent_code: None,
            },
            "bench",
        )
        .await?;
    let mut cfg = hall_config();
    cfg.windows = (1..=a.windows)
        .map(|n| HallWindow {
            number: n,
            name: format!("{n}号综合窗口"),
            services: SERVICES.iter().map(|s| s.0.to_string()).collect(),
            dedicated_for: Vec::new(),
        })
        .collect();
    store.hall_configure(body.id, &cfg, "bench").await?;
    let login = format!("bench-{code}").to_lowercase();
    let user = store
        .create_user(&login, "压力测试窗口", "bench-password-not-used", "bench")
        .await?;
    store
        .grant_role(user.id, body.id, Role::Clerk, "bench")
        .await?;
    let secret = Secret::random();
    let session = Session::new(user.id, time::OffsetDateTime::now_utc().unix_timestamp());
    store
        .start_session(user.id, &session.id(), session.expires, &login, "bench")
        .await?;
    let staff_cookie = format!("gk_b={BROWSER}; gk_session={}", session.encode(&secret));
    let staff_csrf = session.csrf_token(&secret);
    let anon_cookie = format!("gk_b={BROWSER}");
    let anon_csrf = anonymous_csrf_token(&secret, BROWSER);

    let search = gongkai_search::SearchIndex::open(tmp.path().join("search-index"))
        .context("cannot open the search index")?;
    let config = WebConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: tmp.path().to_path_buf(),
        ..WebConfig::default()
    };
    let mut state = AppState::new(store.clone(), search, secret, config);
    state.limits = Limits::new(u32::MAX, u32::MAX, u32::MAX);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(gongkai_web::serve(state, Some(tx)));
    let addr = rx.await.context("the server did not start")?;
    eprintln!("服务地址 (serving on) http://{addr}");

    // Displays: connected and holding their first event before the load starts.
    let seen: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut displays = Vec::new();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(a.displays.max(1));
    for _ in 0..a.displays {
        let seen = seen.clone();
        let stop = stop.clone();
        let ready = ready_tx.clone();
        let path = format!("/bodies/{code}/hall/events");
        displays.push(tokio::spawn(async move {
            display(addr, path, seen, stop, ready).await
        }));
    }
    for _ in 0..a.displays {
        tokio::time::timeout(Duration::from_secs(30), ready_rx.recv())
            .await
            .context("a display did not connect in 30 s")?;
    }
    eprintln!("{} 个显示屏已连接 (displays connected)", a.displays);

    let takes = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let finishes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..a.kiosks {
        let (takes, calls, errors) = (takes.clone(), calls.clone(), errors.clone());
        let (cookie, csrf, code) = (anon_cookie.clone(), anon_csrf.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr).await?;
            let mut i = k;
            while Instant::now() < deadline {
                // Keep the line bounded: a hall does not take thousands of numbers ahead.
                if takes.load(Ordering::Relaxed) > calls.load(Ordering::Relaxed) + 400 {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                }
                let service = SERVICES[i % SERVICES.len()].0;
                i += 1;
                let body = format!("{{\"service\":\"{service}\"}}");
                let path = format!("/api/v1/bodies/{code}/hall/tickets");
                match c.post(&path, &cookie, &csrf, body).await {
                    Ok((201, _)) => {
                        takes.fetch_add(1, Ordering::Relaxed);
                    }
                    other => {
                        report_error(&errors, "take", &other);
                        c = Client::connect(addr).await?;
                    }
                }
            }
            anyhow::Ok(())
        }));
    }
    for w in 1..=a.windows {
        let (calls, finishes, errors, sent) = (
            calls.clone(),
            finishes.clone(),
            errors.clone(),
            sent.clone(),
        );
        let (cookie, csrf, code) = (staff_cookie.clone(), staff_csrf.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr).await?;
            let path = format!("/api/v1/staff/hall/{code}/windows/{w}/actions");
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = c
                    .post(&path, &cookie, &csrf, "{\"action\":\"call\"}".into())
                    .await;
                let number = match r {
                    Ok((200, body)) => serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["ticket"]["number"].as_str().map(str::to_string)),
                    other => {
                        report_error(&errors, "call", &other);
                        c = Client::connect(addr).await?;
                        continue;
                    }
                };
                calls.fetch_add(1, Ordering::Relaxed);
                let Some(number) = number else {
                    // Nobody waiting for this window yet.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                if let Ok(mut m) = sent.lock() {
                    m.insert(number, t);
                }
                match c
                    .post(&path, &cookie, &csrf, "{\"action\":\"finish\"}".into())
                    .await
                {
                    Ok((200, _)) => {
                        finishes.fetch_add(1, Ordering::Relaxed);
                    }
                    other => {
                        report_error(&errors, "finish", &other);
                        c = Client::connect(addr).await?;
                    }
                }
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        if let Err(e) = t.await.context("load task panicked")? {
            eprintln!("load task failed: {e:#}");
            errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    // Let the last events arrive.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    for d in displays {
        d.abort();
    }
    server.abort();

    let sent = sent.lock().map(|m| m.clone()).unwrap_or_default();
    let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
    let mut lat: Vec<f64> = Vec::with_capacity(seen.len());
    let mut per_number: HashMap<&str, usize> = HashMap::new();
    for (number, at) in &seen {
        if let Some(t0) = sent.get(number) {
            lat.push(at.saturating_duration_since(*t0).as_secs_f64() * 1000.0);
            *per_number.entry(number.as_str()).or_default() += 1;
        }
    }
    // Every call must reach every display.
    let missed = sent
        .keys()
        .map(|n| {
            a.displays
                .saturating_sub(per_number.get(n.as_str()).copied().unwrap_or(0))
        })
        .sum();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i]
    };
    let (t, c, f, e) = (
        takes.load(Ordering::Relaxed),
        calls.load(Ordering::Relaxed),
        finishes.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
    );
    store.close().await;
    Ok(HallBench {
        backend,
        ops: t + c + f,
        takes: t,
        calls: c,
        finishes: f,
        errors: e,
        seconds,
        latency_samples: lat.len(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: lat.last().copied().unwrap_or(0.0),
        missed,
    })
}

/// Count an error; print the first few.
fn report_error(errors: &AtomicU64, what: &str, r: &Result<(u16, Bytes)>) {
    let n = errors.fetch_add(1, Ordering::Relaxed);
    if n < 5 {
        match r {
            Ok((status, body)) => eprintln!(
                "{what}: HTTP {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            ),
            Err(e) => eprintln!("{what}: {e:#}"),
        }
    }
}

fn getrandom_fill(b: &mut [u8]) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    for (i, x) in b.iter_mut().enumerate() {
        *x = (nanos >> (i * 8)) as u8 ^ (std::process::id() >> (i % 4)) as u8;
    }
}

/// What a display reads of an event: the calls to announce.
#[derive(serde::Deserialize)]
struct Announced {
    calls: Vec<AnnouncedCall>,
}

#[derive(serde::Deserialize)]
struct AnnouncedCall {
    number: String,
}

/// One SSE display: records every call announced with the time it arrived.
async fn display(
    addr: SocketAddr,
    path: String,
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
    stop: Arc<AtomicBool>,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Result<()> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut send, conn) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header(hyper::header::HOST, addr.to_string())
        .header(hyper::header::ACCEPT, "text/event-stream")
        .body(Empty::<Bytes>::new())?;
    let res = send.send_request(req).await?;
    if !res.status().is_success() {
        bail!("display stream answered {}", res.status());
    }
    let mut body = res.into_body();
    let mut buf = String::new();
    let mut first = true;
    while !stop.load(Ordering::Relaxed) {
        let Some(frame) = body.frame().await else {
            break;
        };
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        let now = Instant::now();
        buf.push_str(&String::from_utf8_lossy(&data));
        while let Some(i) = buf.find("\n\n") {
            let chunk: String = buf.drain(..i + 2).collect();
            let Some(json) = chunk.lines().find_map(|l| l.strip_prefix("data: ")) else {
                continue;
            };
            if first {
                first = false;
                let _ = ready.send(()).await;
            }
            if let Ok(v) = serde_json::from_str::<Announced>(json)
                && !v.calls.is_empty()
                && let Ok(mut s) = seen.lock()
            {
                s.extend(v.calls.into_iter().map(|c| (c.number, now)));
            }
        }
    }
    Ok(())
}

/// A keep-alive HTTP/1.1 client connection.
struct Client {
    send: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Result<Client> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let io = hyper_util::rt::TokioIo::new(stream);
        let (send, conn) = hyper::client::conn::http1::handshake(io).await?;
        tokio::spawn(conn);
        Ok(Client {
            send,
            host: addr.to_string(),
        })
    }

    async fn post(
        &mut self,
        path: &str,
        cookie: &str,
        csrf: &str,
        body: String,
    ) -> Result<(u16, Bytes)> {
        let req = hyper::Request::post(path)
            .header(hyper::header::HOST, &self.host)
            .header(hyper::header::COOKIE, cookie)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", csrf)
            .header("sec-fetch-site", "same-origin")
            .body(Full::new(Bytes::from(body)))?;
        self.send.ready().await?;
        let res = self.send.send_request(req).await?;
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hall_bench_runs_briefly() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        // SQLite only: the test must not write into a DATABASE_URL server.
        if std::env::var("DATABASE_URL").is_ok_and(|u| is_postgres_url(&u)) {
            return;
        }
        let r = rt
            .block_on(measure(&BenchHallArgs {
                displays: 3,
                seconds: 2,
                kiosks: 1,
                windows: 2,
            }))
            .unwrap();
        assert_eq!(r.errors, 0, "{r:?}");
        assert!(r.takes > 0 && r.finishes > 0, "{r:?}");
        assert_eq!(r.missed, 0, "{r:?}");
        assert!(r.latency_samples > 0);
    }
}
