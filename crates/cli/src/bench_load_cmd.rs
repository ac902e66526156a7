//! `gongkai bench load`: concurrent writers against the real server. Half of the clients file
//! online applications through the JSON API, the other half are clerks who register
//! applications at the counter (form post) and decide the ones filed online (API event);
//! optionally a bulk import runs beside them on its own connection pool, as a CLI import
//! beside the server would. Afterwards every acknowledged write is looked up in the database
//! and every touched body's counters are recounted from its records. Prints the figures and
//! exits non-zero on any 5xx, transport error, lost write or counter mismatch.

use anyhow::{Context, Result, bail};
use clap::Args;
use gongkai_ledger::{ApplicantType, Channel, EventKind, NewApplication, PersonalData};
use gongkai_store::{BulkApplication, Clock, Store, StoreConfig};
use gongkai_web::security::{Limits, Secret};
use gongkai_web::{AppState, WebConfig};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MAX_CLIENTS: usize = 512;
const MAX_SECONDS: u64 = 3_600;
/// Rows per import transaction of `--import`.
const IMPORT_BATCH: usize = 200;

#[derive(Args, Debug, Clone)]
pub struct BenchLoadArgs {
    /// Concurrent clients (half applicants, half clerks).
    #[arg(long, default_value_t = 20)]
    pub clients: usize,
    /// Duration of the run in seconds.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Run a bulk import (batches of 200 applications) beside the clients for the whole run.
    #[arg(long)]
    pub import: bool,
    /// PostgreSQL URL (default: SQLite in a fresh temporary directory).
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// The run's "today" in Beijing (every write is dated with it).
    #[arg(long, default_value = "2026-06-10", value_parser = crate::calendar_cmd::date_arg)]
    pub today: time::Date,
    /// Print the figures as one JSON object (for scripts and the load test).
    #[arg(long)]
    pub json: bool,
    /// Run in this data directory and keep it afterwards (it must hold no database yet)
    /// instead of a fresh temporary one: to inspect the data, or kill the run midway.
    #[arg(long)]
    pub data: Option<std::path::PathBuf>,
}

/// What the run measured.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct LoadOutcome {
    pub backend: String,
    pub clients: usize,
    pub seconds: f64,
    /// Write requests acknowledged with 2xx.
    pub writes_ok: usize,
    /// Responses 5xx.
    pub server_errors: usize,
    /// Other non-2xx responses (4xx) to writes.
    pub rejected: usize,
    /// Connection or protocol failures.
    pub transport_errors: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Applications imported by the concurrent import.
    pub imported: usize,
    /// Acknowledged writes not found in the database afterwards.
    pub lost_writes: usize,
    /// Bodies recounted and counter differences found.
    pub bodies_recounted: usize,
    pub counter_mismatches: usize,
    /// First few failures, for the log.
    pub failures: Vec<String>,
}

impl LoadOutcome {
    pub fn clean(&self) -> bool {
        self.server_errors == 0
            && self.transport_errors == 0
            && self.rejected == 0
            && self.lost_writes == 0
            && self.counter_mismatches == 0
    }
}

/// Run `gongkai bench load`.
pub fn run(a: BenchLoadArgs) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时 (cannot start the async runtime)")?;
    let tmp = tempfile::tempdir().context("cannot create a temp dir")?;
    let dir = match &a.data {
        Some(d) => {
            if d.join("gongkai.db").exists() {
                anyhow::bail!(
                    "数据目录 {} 已有数据库，压力测试只在空目录中运行 (the data directory already holds a database)",
                    d.display()
                );
            }
            std::fs::create_dir_all(d)
                .with_context(|| format!("无法创建数据目录 {} (cannot create)", d.display()))?;
            d.clone()
        }
        None => tmp.path().to_path_buf(),
    };
    let out = rt.block_on(load(&a, &dir))?;
    if a.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        print_outcome(&out);
    }
    Ok(if out.clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn print_outcome(o: &LoadOutcome) {
    println!(
        "后端 (backend) {}  客户端 (clients) {}  时长 {:.1} s",
        o.backend, o.clients, o.seconds
    );
    println!(
        "写入成功 (writes ok) {}  ({:.0}/s)  p50 {:.1} ms  p99 {:.1} ms",
        o.writes_ok,
        o.writes_ok as f64 / o.seconds.max(0.001),
        o.p50_ms,
        o.p99_ms
    );
    println!(
        "5xx {}  4xx {}  传输错误 (transport) {}  并发导入 (imported) {}",
        o.server_errors, o.rejected, o.transport_errors, o.imported
    );
    println!(
        "丢失写入 (lost writes) {}  重算机关 (bodies recounted) {}  计数差异 (mismatches) {}",
        o.lost_writes, o.bodies_recounted, o.counter_mismatches
    );
    for f in &o.failures {
        println!("  {f}");
    }
}

/// Bodies the applicants write to (the demo's towns), with their clerks' logins.
const TOWNS: [(&str, &str); 3] = [
    ("440115101", "clerk"),
    ("440115102", "hengli-clerk"),
    ("440115001", "nanshajd-clerk"),
];
/// Body the concurrent import writes to.
const IMPORT_BODY: &str = "440115";

/// Seed the demo, serve it, drive it, verify. `data` holds the SQLite file and the index.
pub async fn load(a: &BenchLoadArgs, data: &std::path::Path) -> Result<LoadOutcome> {
    if a.clients < 2 || a.clients > MAX_CLIENTS {
        bail!("--clients must be 2..={MAX_CLIENTS}");
    }
    if a.seconds == 0 || a.seconds > MAX_SECONDS {
        bail!("--seconds must be 1..={MAX_SECONDS}");
    }
    let config = match &a.database_url {
        Some(url) => StoreConfig::Postgres(url.clone()),
        None => StoreConfig::Sqlite(data.join("gongkai.db")),
    };
    let clock = Clock::fixed_on(a.today);
    let store = Store::open(&config)
        .await
        .with_context(|| format!("无法打开数据库 {}", config.describe()))?;
    gongkai_web::demo::seed(&store, clock)
        .await
        .context("demo seeding failed")?;
    let search = gongkai_search::SearchIndex::open(data.join("search-index"))
        .context("cannot open the search index")?;
    let web = WebConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: data.to_path_buf(),
        clock,
        ..WebConfig::default()
    };
    let mut state = AppState::new(store.clone(), search, Secret::random(), web);
    // All clients share one address: lift the per-IP limits.
    state.limits = Limits::new(u32::MAX, u32::MAX, u32::MAX);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(gongkai_web::serve(state, Some(tx)));
    let addr = rx.await.context("the server did not start")?;

    let shared = Arc::new(Shared::default());
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..a.clients {
        let shared = shared.clone();
        let store = store.clone();
        let (town, clerk) = TOWNS[i / 2 % TOWNS.len()];
        let today = a.today;
        tasks.push(tokio::spawn(async move {
            let r = if i % 2 == 0 {
                applicant(addr, town, deadline, &shared).await
            } else {
                clerk_loop(addr, &store, town, clerk, today, deadline, &shared).await
            };
            if let Err(e) = r {
                shared.fail(format!("client {i}: {e:#}"));
                shared.stats.lock().expect("stats").transport_errors += 1;
            }
        }));
    }
    let import = if a.import {
        // Its own pool, as a CLI process beside the server has.
        let other = Store::open(&config).await?;
        let today = a.today;
        Some(tokio::spawn(async move {
            import_loop(&other, today, deadline).await
        }))
    } else {
        None
    };
    for t in tasks {
        t.await.context("a client task panicked")?;
    }
    let imported = match import {
        Some(t) => t.await.context("the import task panicked")??,
        None => 0,
    };
    let seconds = start.elapsed().as_secs_f64();
    server.abort();

    let mut out = {
        let s = shared.stats.lock().expect("stats");
        let mut lat = s.latencies.clone();
        lat.sort_unstable();
        LoadOutcome {
            backend: store.backend_name().into(),
            clients: a.clients,
            seconds,
            writes_ok: s.writes_ok,
            server_errors: s.server_errors,
            rejected: s.rejected,
            transport_errors: s.transport_errors,
            p50_ms: percentile(&lat, 0.50),
            p99_ms: percentile(&lat, 0.99),
            imported,
            ..LoadOutcome::default()
        }
    };
    verify(&store, a.today.year(), &shared, &mut out).await?;
    out.failures = shared.failures.lock().expect("failures").clone();
    store.close().await;
    Ok(out)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

#[derive(Default)]
struct Stats {
    writes_ok: usize,
    server_errors: usize,
    rejected: usize,
    transport_errors: usize,
    latencies: Vec<Duration>,
}

#[derive(Default)]
struct Shared {
    stats: Mutex<Stats>,
    /// Online applications acknowledged, not yet decided: (body code, tracking code, secret).
    filed: Mutex<Vec<(String, String, String)>>,
    /// Every acknowledged online application: tracking code → (body code, secret, decided).
    acknowledged: Mutex<BTreeMap<String, (String, String, bool)>>,
    /// Counter registrations acknowledged per body code.
    registered: Mutex<BTreeMap<String, usize>>,
    failures: Mutex<Vec<String>>,
}

impl Shared {
    fn fail(&self, msg: String) {
        let mut f = self.failures.lock().expect("failures");
        if f.len() < 10 {
            f.push(msg);
        }
    }

    /// Count a write's response; true when acknowledged.
    fn record(&self, what: &str, status: StatusCode, body: &[u8], took: Duration) -> bool {
        let mut s = self.stats.lock().expect("stats");
        s.latencies.push(took);
        if status.is_success() {
            s.writes_ok += 1;
            return true;
        }
        if status.is_server_error() {
            s.server_errors += 1;
        } else {
            s.rejected += 1;
        }
        drop(s);
        self.fail(format!("{what}: HTTP {status}: {}", message(body)));
        false
    }
}

/// The message of an error response: the JSON `message` or the HTML page's alert.
fn message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        return v["message"].as_str().unwrap_or_default().to_string();
    }
    match text.split_once("role=\"alert\">") {
        Some((_, rest)) => rest.split('<').next().unwrap_or_default().to_string(),
        None => text.chars().take(200).collect(),
    }
}

/// One keep-alive HTTP/1.1 connection with a cookie jar.
struct Client {
    addr: SocketAddr,
    send: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    cookies: BTreeMap<String, String>,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Result<Client> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (send, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Client {
            addr,
            send,
            cookies: BTreeMap::new(),
        })
    }

    async fn request(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        csrf: Option<&str>,
    ) -> Result<(StatusCode, Bytes)> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.addr.to_string())
            .header(hyper::header::ORIGIN, format!("http://{}", self.addr));
        if let Some(ct) = content_type {
            req = req.header(hyper::header::CONTENT_TYPE, ct);
        }
        if let Some(t) = csrf {
            req = req.header(gongkai_web::api::CSRF_HEADER, t);
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(hyper::header::COOKIE, jar.join("; "));
        }
        let req = req.body(Full::new(Bytes::from(body)))?;
        self.send.ready().await?;
        let res = self.send.send_request(req).await?;
        for v in res.headers().get_all(hyper::header::SET_COOKIE) {
            if let Some((k, rest)) = v.to_str().unwrap_or("").split_once('=') {
                let value = rest.split(';').next().unwrap_or("").to_string();
                self.cookies.insert(k.trim().to_string(), value);
            }
        }
        let status = res.status();
        let bytes = res.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }

    /// The CSRF token for the current cookies (anonymous or staff session).
    async fn csrf(&mut self) -> Result<String> {
        let (status, body) = self
            .request(Method::GET, "/api/v1/csrf", None, Vec::new(), None)
            .await?;
        if !status.is_success() {
            bail!("GET /api/v1/csrf: HTTP {status}");
        }
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        Ok(v["token"].as_str().unwrap_or_default().to_string())
    }
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", gongkai_web::portal::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// An applicant filing online applications through the API until the deadline.
async fn applicant(addr: SocketAddr, town: &str, deadline: Instant, shared: &Shared) -> Result<()> {
    let mut c = Client::connect(addr).await?;
    let token = c.csrf().await?;
    let mut n = 0u64;
    while Instant::now() < deadline {
        n += 1;
        let body = serde_json::json!({
            "body": town,
            "applicant_type": "natural_person",
            "name": "压力测试申请人",
            // A syntactically valid 居民身份证号码 (check digit right), of no one.
            "id_number": "110101199003074573",
            "phone": "13800000000",
            "request_text": format!("请公开本镇第{n}号压力测试所涉政府信息。"),
        });
        let t = Instant::now();
        let (status, bytes) = c
            .request(
                Method::POST,
                "/api/v1/applications",
                Some("application/json"),
                serde_json::to_vec(&body)?,
                Some(&token),
            )
            .await?;
        if shared.record("online application", status, &bytes, t.elapsed()) {
            let v: serde_json::Value = serde_json::from_slice(&bytes)?;
            let code = v["tracking_code"].as_str().unwrap_or_default().to_string();
            let secret = v["secret"].as_str().unwrap_or_default().to_string();
            shared
                .acknowledged
                .lock()
                .expect("acknowledged")
                .insert(code.clone(), (town.to_string(), secret.clone(), false));
            shared
                .filed
                .lock()
                .expect("filed")
                .push((town.to_string(), code, secret));
        }
    }
    Ok(())
}

/// A clerk registering counter applications and deciding online ones until the deadline.
async fn clerk_loop(
    addr: SocketAddr,
    store: &Store,
    town: &str,
    login: &str,
    today: time::Date,
    deadline: Instant,
    shared: &Shared,
) -> Result<()> {
    let mut c = Client::connect(addr).await?;
    let anon = c.csrf().await?;
    let (status, _) = c
        .request(
            Method::POST,
            "/staff/login",
            Some("application/x-www-form-urlencoded"),
            form(&[
                ("csrf", &anon),
                ("login", login),
                ("password", "gongkai-demo"),
            ]),
            None,
        )
        .await?;
    if !status.is_redirection() {
        bail!("login of {login}: HTTP {status}");
    }
    let token = c.csrf().await?;
    let day = gongkai_calendar::format_date(today);
    while Instant::now() < deadline {
        let t = Instant::now();
        let (status, bytes) = c
            .request(
                Method::POST,
                "/staff/applications",
                Some("application/x-www-form-urlencoded"),
                form(&[
                    ("csrf", &token),
                    ("body", town),
                    ("channel", "in-person"),
                    ("received_on", &day),
                    ("applicant_type", "natural_person"),
                    ("name", "窗口申请人"),
                    ("request_text", "请公开本镇窗口登记的压力测试信息。"),
                ]),
                None,
            )
            .await?;
        if shared.record("counter registration", status, &bytes, t.elapsed()) {
            *shared
                .registered
                .lock()
                .expect("registered")
                .entry(town.to_string())
                .or_default() += 1;
        }
        // Decide one online application of this town, if one is waiting.
        let next = {
            let mut filed = shared.filed.lock().expect("filed");
            let i = filed.iter().position(|(t, _, _)| t == town);
            i.map(|i| filed.swap_remove(i))
        };
        let Some((_, code, secret)) = next else {
            continue;
        };
        // The clerk's queue shows the id; the benchmark reads it from the store.
        let Some(app) = store.find_by_tracking(&code, &secret).await?.map(|a| a.id) else {
            shared.fail(format!("{code}: acknowledged but not found"));
            continue;
        };
        let event = serde_json::json!({
            "kind": "decided",
            "on": day,
            "outcome": "granted",
            "reference": format!("压测答〔{}〕号", app),
            "summary": "予以公开。",
        });
        let t = Instant::now();
        let (status, bytes) = c
            .request(
                Method::POST,
                &format!("/api/v1/staff/applications/{app}/events"),
                Some("application/json"),
                serde_json::to_vec(&event)?,
                Some(&token),
            )
            .await?;
        if shared.record("decision", status, &bytes, t.elapsed())
            && let Some(e) = shared.acknowledged.lock().expect("ack").get_mut(&code)
        {
            e.2 = true;
        }
    }
    Ok(())
}

/// Import batches of applications into [`IMPORT_BODY`] until the deadline; rows imported.
async fn import_loop(store: &Store, today: time::Date, deadline: Instant) -> Result<usize> {
    let body = store.get_body_by_code(IMPORT_BODY).await?;
    let mut done = 0;
    while Instant::now() < deadline {
        let items: Vec<BulkApplication> = (0..IMPORT_BATCH)
            .map(|i| BulkApplication {
                new: NewApplication {
                    body_id: body.id,
                    applicant_type: ApplicantType::NaturalPerson,
                    channel: Channel::Post,
                    received_on: today,
                    request_text: format!("导入的压力测试申请 {}", done + i),
                    personal: PersonalData {
                        name: "导入申请人".into(),
                        ..PersonalData::default()
                    },
                },
                tracking_code: None,
                events: vec![(
                    EventKind::Decided {
                        outcome: gongkai_report::Outcome::Granted,
                        reply: gongkai_ledger::ReplyDocument {
                            reference: String::new(),
                            summary: "予以公开。".into(),
                        },
                    },
                    today,
                    String::new(),
                )],
            })
            .collect();
        let report = store
            .ingest_applications(items, "cli:bench-load", &mut |_| {})
            .await
            .context("concurrent import failed")?;
        done += report.rows;
    }
    Ok(done)
}

/// Every acknowledged write is in the database; every touched body recounts equal.
async fn verify(store: &Store, year: i32, shared: &Shared, out: &mut LoadOutcome) -> Result<()> {
    let acknowledged = shared.acknowledged.lock().expect("ack").clone();
    for (code, (_, secret, decided)) in &acknowledged {
        match store.find_by_tracking(code, secret).await? {
            Some(app) if !*decided || app.status.state.is_closed() => {}
            Some(_) => {
                out.lost_writes += 1;
                shared.fail(format!("{code}: decision acknowledged but not stored"));
            }
            None => {
                out.lost_writes += 1;
                shared.fail(format!("{code}: acknowledged but not stored"));
            }
        }
    }
    let registered = shared.registered.lock().expect("registered").clone();
    let mut codes: Vec<&str> = TOWNS.iter().map(|(t, _)| *t).collect();
    codes.push(IMPORT_BODY);
    for code in codes {
        let body = store.get_body_by_code(code).await?;
        let r = store.recount(body.id, year).await?;
        out.bodies_recounted += 1;
        out.counter_mismatches += r.mismatches.len();
        for m in r.mismatches.iter().take(3) {
            shared.fail(format!(
                "{code} {} {}: stored {} recomputed {}",
                m.year, m.key, m.stored, m.recomputed
            ));
        }
        // Counter registrations carry no credentials: count them per body instead.
        let online = acknowledged.values().filter(|(t, _, _)| t == code).count();
        let expected_min = online + registered.get(code).copied().unwrap_or(0);
        let stored = count_received(store, body.id, year).await?;
        if stored < expected_min {
            out.lost_writes += expected_min - stored;
            shared.fail(format!(
                "{code}: {expected_min} applications acknowledged, {stored} stored"
            ));
        }
    }
    Ok(())
}

/// Applications of a body received in `year`, counted page by page.
async fn count_received(store: &Store, body_id: i64, year: i32) -> Result<usize> {
    let mut n = 0usize;
    let mut offset = 0;
    loop {
        let page = store
            .list_applications(&gongkai_store::ApplicationFilter {
                body_id: Some(body_id),
                received_year: Some(year),
                limit: Some(gongkai_store::MAX_LIST),
                offset,
                ..Default::default()
            })
            .await?;
        if page.is_empty() {
            return Ok(n);
        }
        n += page.len();
        offset += page.len() as i64;
    }
}
