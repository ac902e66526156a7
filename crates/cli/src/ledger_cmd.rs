//! Ledger commands: `report generate|recount`, `import`, `export`, `body`, `user`,
//! `bench ledger`. The data lives in `<data dir>/gongkai.db` (`--data`, env `GONGKAI_DATA`,
//! default `./data`) or in PostgreSQL when `DATABASE_URL=postgres://…`.

use crate::csv_io;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use gongkai_ledger::{
    ApplicantType, BodyKind, CaseKind, CaseOutcome, CaseRecord, Channel, Consultee, DocumentKind,
    DocumentRecord, EventKind, NewApplication, NewBody, Outcome, PersonalData, ReplyDocument, Role,
    YearlyFigure,
};
use gongkai_report::{Severity, check};
use gongkai_store::{BulkApplication, Store, StoreConfig};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use time::Date;

/// Where the ledger is stored.
#[derive(Args, Clone, Debug)]
pub struct DataArgs {
    /// Data directory holding gongkai.db (env GONGKAI_DATA, default ./data). Ignored when
    /// DATABASE_URL is a postgres:// URL.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

impl DataArgs {
    fn config(&self) -> StoreConfig {
        StoreConfig::from_env(self.data.as_deref())
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("无法启动异步运行时 (cannot start the async runtime)")
}

pub(crate) async fn open(data: &DataArgs) -> Result<Store> {
    let cfg = data.config();
    Store::open(&cfg).await.with_context(|| {
        format!(
            "无法打开数据库 {} (cannot open the database)",
            cfg.describe()
        )
    })
}

pub(crate) fn write_out(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(p) => std::fs::write(p, bytes)
            .with_context(|| format!("无法写入 {} (cannot write)", p.display())),
        None => std::io::stdout()
            .write_all(bytes)
            .context("无法写到标准输出 (cannot write to stdout)"),
    }
}

// --- report generate / recount ---------------------------------------------------------

/// `gongkai report generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// Body code.
    #[arg(long)]
    pub body: String,
    /// Report year.
    #[arg(long)]
    pub year: i32,
    /// Output file for the report JSON (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Instead of the report, list the records behind this cell (e.g. t3.granted.total).
    #[arg(long, value_name = "CELL")]
    pub explain: Option<String>,
    /// Most records to list with --explain.
    #[arg(long, default_value_t = 200)]
    pub limit: i64,
    /// Print the --explain result as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

/// `gongkai report recount`.
#[derive(Args)]
pub struct RecountArgs {
    /// Body code (default: every body).
    #[arg(long)]
    pub body: Option<String>,
    /// Report year whose cells are compared.
    #[arg(long)]
    pub year: i32,
    #[command(flatten)]
    pub data: DataArgs,
}

/// Write the report of (body, year) built from the ledger, or explain one cell.
pub fn run_generate(a: GenerateArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.data).await?;
        let body = store.get_body_by_code(&a.body).await?;
        if let Some(cell) = &a.explain {
            let x = store
                .explain(body.id, a.year, cell, a.limit)
                .await
                .with_context(|| format!("无法解释单元格 {cell} (cannot explain the cell)"))?;
            if a.json {
                let mut s = serde_json::to_string_pretty(&x)?;
                s.push('\n');
                write_out(a.output.as_deref(), s.as_bytes())?;
            } else {
                let mut s = format!(
                    "{} {}年 {} = {}\n口径: {}\n记录 {} 条{}\n",
                    body.name,
                    a.year,
                    x.cell,
                    x.value,
                    x.rule,
                    x.records,
                    if x.consistent {
                        "（与单元格一致）"
                    } else {
                        "（与单元格不一致！）"
                    }
                );
                for i in &x.items {
                    s.push_str(&format!(
                        "  {} #{} {} {}\n",
                        i.kind, i.id, i.reference, i.detail
                    ));
                }
                if (x.items.len() as i64) < x.records {
                    s.push_str(&format!(
                        "  …… 另有 {} 条未列出 (use --limit)\n",
                        x.records - x.items.len() as i64
                    ));
                }
                write_out(a.output.as_deref(), s.as_bytes())?;
            }
            return Ok(if x.consistent {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        let started = Instant::now();
        let report = store.generate_report(body.id, a.year).await?;
        let elapsed = started.elapsed();
        let previous = store.generate_report(body.id, a.year - 1).await.ok();
        let findings = check(&report, previous.as_ref());
        let mut json = report.to_json_string();
        if !json.ends_with('\n') {
            json.push('\n');
        }
        write_out(a.output.as_deref(), json.as_bytes())?;
        eprintln!(
            "{}：由台账生成，用时 {:.1} ms；规则检查 {} 项问题",
            report.title(),
            elapsed.as_secs_f64() * 1000.0,
            findings.len()
        );
        let mut err = std::io::stderr();
        crate::report_cmd::print_findings(&mut err, &findings)?;
        Ok(if findings.iter().any(|f| f.severity == Severity::Error) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// Prove the counters equal a full recomputation from the records.
pub fn run_recount(a: RecountArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.data).await?;
        let bodies = match &a.body {
            Some(code) => vec![store.get_body_by_code(code).await?],
            None => store.list_bodies().await?,
        };
        let mut bad = 0;
        for b in &bodies {
            let r = store.recount(b.id, a.year).await?;
            if r.ok() {
                println!(
                    "{} {}: 一致 (match) — 重算申请 {} 件、事件 {} 条、案件 {} 件、文件 {} 件；比对计数器 {} 个、{}年报告单元格 {} 个",
                    b.code, b.name, r.applications, r.events, r.cases, r.documents, r.counters_compared, a.year, r.cells_compared
                );
            } else {
                bad += 1;
                println!("{} {}: 不一致 (MISMATCH)", b.code, b.name);
                for m in &r.mismatches {
                    println!("  {} {}: 存储 {} ≠ 重算 {}", m.year, m.key, m.stored, m.recomputed);
                }
            }
        }
        Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
    })
}

// --- import / export --------------------------------------------------------------------

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CsvKind {
    /// applications.csv
    Applications,
    /// cases.csv
    Cases,
    /// documents.csv (regulations and normative documents)
    Documents,
    /// figures.csv (Art. 20 yearly figures)
    Figures,
}

/// `gongkai import`.
#[derive(Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: CsvKind,
    /// The CSV file (header documented in `crates/cli/src/csv_io.rs`).
    pub file: PathBuf,
    /// Recorded as the actor of the import (default: `cli:` and the system user).
    #[arg(long, default_value_t = crate::cli_actor())]
    pub actor: String,
    #[command(flatten)]
    pub data: DataArgs,
}

/// Import one CSV file in one transaction.
pub fn run_import(a: ImportArgs) -> Result<ExitCode> {
    const MAX_BYTES: u64 = 2 << 30;
    let meta = std::fs::metadata(&a.file)
        .with_context(|| format!("无法读取 {} (cannot read)", a.file.display()))?;
    if meta.len() > MAX_BYTES {
        bail!(
            "{} 超过 2 GiB 上限 (file larger than 2 GiB)",
            a.file.display()
        );
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(&a.file)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .with_context(|| format!("无法读取 {} (cannot read)", a.file.display()))?;
    let source = a.file.file_name().map_or_else(
        || a.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    runtime()?.block_on(async {
        let store = open(&a.data).await?;
        let started = Instant::now();
        let report = match a.kind {
            CsvKind::Applications => {
                let mut last: Option<Instant> = None;
                let mut progress = |p: gongkai_store::Progress| {
                    if last.is_none_or(|t| t.elapsed() > Duration::from_millis(200))
                        || p.done == p.total
                    {
                        eprintln!(
                            "写入中，未提交 (writing, not committed) {}/{}",
                            p.done, p.total
                        );
                        last = Some(Instant::now());
                    }
                };
                csv_io::import_applications(
                    &store,
                    bytes.as_slice(),
                    &source,
                    &a.actor,
                    &mut progress,
                )
                .await
            }
            CsvKind::Cases => {
                csv_io::import_cases(&store, bytes.as_slice(), &source, &a.actor).await
            }
            CsvKind::Documents => {
                csv_io::import_documents(&store, bytes.as_slice(), &source, &a.actor).await
            }
            CsvKind::Figures => {
                csv_io::import_figures(&store, bytes.as_slice(), &source, &a.actor).await
            }
        };
        match report {
            Ok(r) => {
                println!(
                    "已导入 {} 行 ({}; {} events) 用时 {:.2} s",
                    r.rows,
                    r.kind,
                    r.events,
                    started.elapsed().as_secs_f64()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("错误 (error): {e}");
                Ok(ExitCode::from(1))
            }
        }
    })
}

/// `gongkai export`.
#[derive(Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub kind: CsvKind,
    /// Body code (required except for applications, where it filters).
    #[arg(long)]
    pub body: Option<String>,
    /// Applications: receipt year; figures: the year (default: every year 2019–2026).
    #[arg(long)]
    pub year: Option<i32>,
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Include applicants' personal data unmasked (staff use only).
    #[arg(long)]
    pub include_personal: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

/// Export CSV.
pub fn run_export(a: ExportArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.data).await?;
        let body = match &a.body {
            Some(c) => Some(store.get_body_by_code(c).await?),
            None => None,
        };
        let need_body = || {
            body.as_ref()
                .map(|b| b.id)
                .context("请用 --body 指定机关 (--body is required)")
        };
        let mut buf = Vec::new();
        let n = match a.kind {
            CsvKind::Applications => {
                csv_io::export_applications(
                    &store,
                    &mut buf,
                    body.as_ref().map(|b| b.id),
                    a.year,
                    a.include_personal,
                )
                .await?
            }
            CsvKind::Cases => csv_io::export_cases(&store, &mut buf, need_body()?).await?,
            CsvKind::Documents => csv_io::export_documents(&store, &mut buf, need_body()?).await?,
            CsvKind::Figures => {
                let years: Vec<i32> = match a.year {
                    Some(y) => vec![y],
                    None => (2019..=2026).collect(),
                };
                csv_io::export_figures(&store, &mut buf, need_body()?, &years).await?
            }
        };
        write_out(a.output.as_deref(), &buf)?;
        eprintln!("已导出 {n} 行 (rows exported)");
        Ok(ExitCode::SUCCESS)
    })
}

// --- bodies and users ------------------------------------------------------------------

/// `gongkai body`.
#[derive(Subcommand)]
pub enum BodyCmd {
    /// Create a body.
    Add {
        /// Unique code.
        #[arg(long)]
        code: String,
        /// Official name (printed in the report title).
        #[arg(long)]
        name: String,
        /// province, city, district, town or department.
        #[arg(long)]
        kind: String,
        /// Parent body code (not for a province).
        #[arg(long)]
        parent: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List bodies.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write a narrative section (s1–s6) of a body's report from a text file.
    Narrative {
        /// Body code.
        #[arg(long)]
        body: String,
        /// Report year.
        #[arg(long)]
        year: i32,
        /// s1 … s6.
        #[arg(long)]
        section: String,
        /// UTF-8 text file.
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Run `gongkai body`.
pub fn run_body(cmd: BodyCmd) -> Result<ExitCode> {
    runtime()?.block_on(async {
        match cmd {
            BodyCmd::Add { code, name, kind, parent, data } => {
                let kind = BodyKind::parse(&kind).with_context(|| {
                    format!("未知的机关层级 `{kind}`（province、city、district、town、department）(unknown kind)")
                })?;
                let store = open(&data).await?;
                let b = store.create_body(&NewBody { code, name, kind, parent_code: parent }, &crate::cli_actor()).await?;
                println!("已创建 {} {} ({})", b.code, b.name, b.kind.label_zh());
            }
            BodyCmd::List { data } => {
                let store = open(&data).await?;
                for b in store.list_bodies().await? {
                    println!("{}\t{}\t{}", b.code, b.kind.label_zh(), b.name);
                }
            }
            BodyCmd::Narrative { body, year, section, file, data } => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("无法读取 {} (cannot read)", file.display()))?;
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                store.set_narrative(b.id, year, &section, &text, &crate::cli_actor()).await?;
                println!("已保存 {} {}年 {}", b.name, year, section);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai user`.
#[derive(Subcommand)]
pub enum UserCmd {
    /// Create a staff user. The password is read from env GONGKAI_PASSWORD or standard input.
    Add {
        /// Login name.
        #[arg(long)]
        login: String,
        /// Display name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Give a user a role for a body: clerk, reviewer, admin or oversight.
    Grant {
        /// Login name.
        #[arg(long)]
        login: String,
        /// Body code.
        #[arg(long)]
        body: String,
        /// Role.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Take a role away from a user (effective at once, also for signed-in sessions).
    Revoke {
        /// Login name.
        #[arg(long)]
        login: String,
        /// Body code.
        #[arg(long)]
        body: String,
        /// Role.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Disable a user: signing in is refused and every session ends at once.
    Disable {
        /// Login name.
        #[arg(long)]
        login: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Enable a disabled user again.
    Enable {
        /// Login name.
        #[arg(long)]
        login: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set a user's password (from env GONGKAI_PASSWORD or standard input); every session ends.
    Passwd {
        /// Login name.
        #[arg(long)]
        login: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Show a user's roles.
    Roles {
        /// Login name.
        #[arg(long)]
        login: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// A password from env `GONGKAI_PASSWORD` or the first line of standard input.
fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("GONGKAI_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        eprint!("密码 (password): ");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("无法读取密码 (cannot read the password)")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Run `gongkai user`.
pub fn run_user(cmd: UserCmd) -> Result<ExitCode> {
    runtime()?.block_on(async {
        match cmd {
            UserCmd::Add { login, name, data } => {
                let password = read_password()?;
                let store = open(&data).await?;
                let u = store
                    .create_user(&login, &name, &password, &crate::cli_actor())
                    .await?;
                println!("已创建用户 {} ({})", u.login, u.display_name);
            }
            UserCmd::Grant {
                login,
                body,
                role,
                data,
            } => {
                let role = Role::parse(&role).with_context(|| {
                    format!(
                        "未知的角色 `{role}`（clerk、reviewer、admin、oversight）(unknown role)"
                    )
                })?;
                let store = open(&data).await?;
                let u = store.get_user_by_login(&login).await?.user;
                let b = store.get_body_by_code(&body).await?;
                store
                    .grant_role(u.id, b.id, role, &crate::cli_actor())
                    .await?;
                println!("已授予 {} 在 {} 的{}角色", u.login, b.name, role.label_zh());
            }
            UserCmd::Revoke {
                login,
                body,
                role,
                data,
            } => {
                let role = Role::parse(&role).with_context(|| {
                    format!(
                        "未知的角色 `{role}`（clerk、reviewer、admin、oversight）(unknown role)"
                    )
                })?;
                let store = open(&data).await?;
                let u = store.get_user_by_login(&login).await?.user;
                let b = store.get_body_by_code(&body).await?;
                if store
                    .revoke_role(u.id, b.id, role, &crate::cli_actor())
                    .await?
                {
                    println!("已撤销 {} 在 {} 的{}角色", u.login, b.name, role.label_zh());
                } else {
                    println!(
                        "{} 在 {} 没有{}角色，无需撤销",
                        u.login,
                        b.name,
                        role.label_zh()
                    );
                }
            }
            UserCmd::Disable { login, data } => {
                let store = open(&data).await?;
                let ended = store
                    .set_user_disabled(&login, true, &crate::cli_actor())
                    .await?;
                println!("已停用用户 {login}，结束会话 {ended} 个");
            }
            UserCmd::Enable { login, data } => {
                let store = open(&data).await?;
                store
                    .set_user_disabled(&login, false, &crate::cli_actor())
                    .await?;
                println!("已启用用户 {login}");
            }
            UserCmd::Passwd { login, data } => {
                let password = read_password()?;
                let store = open(&data).await?;
                let ended = store
                    .set_password(&login, &password, &crate::cli_actor())
                    .await?;
                println!("已修改用户 {login} 的密码，结束会话 {ended} 个");
            }
            UserCmd::Roles { login, data } => {
                let store = open(&data).await?;
                let u = store.get_user_by_login(&login).await?.user;
                for g in store.user_roles(u.id).await? {
                    println!("{}\t{}", g.body_code, g.role.label_zh());
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

// --- bench ------------------------------------------------------------------------------

/// `gongkai bench`.
#[derive(Subcommand)]
pub enum BenchCmd {
    /// Synthesise a realistic year over 1,000 bodies and time ingest and report generation.
    Ledger(BenchLedgerArgs),
    /// Seed documents, start the web server and measure req/s and latency over HTTP.
    Http(crate::bench_http_cmd::BenchHttpArgs),
    /// Concurrent writers (applicants, clerks, an import) against the server; checks that no
    /// write fails or is lost and that the counters recount equal.
    Load(crate::bench_load_cmd::BenchLoadArgs),
    /// The window queue: kiosk takes and window calls over HTTP with N live displays;
    /// ops/s and call-to-screen latency.
    Hall(crate::bench_hall_cmd::BenchHallArgs),
}

/// `gongkai bench ledger`.
#[derive(Args)]
pub struct BenchLedgerArgs {
    /// Applications to synthesise (report generation is timed at 10k, 100k and 1M when reached).
    #[arg(long, default_value_t = 100_000)]
    pub applications: usize,
    /// Bodies to spread them over.
    #[arg(long, default_value_t = 1000)]
    pub bodies: usize,
    /// Applications per ingest transaction.
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,
    /// Random seed.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Data directory (default: a fresh temporary directory, removed afterwards).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// Run `gongkai bench`.
pub fn run_bench(cmd: BenchCmd) -> Result<ExitCode> {
    match cmd {
        BenchCmd::Ledger(a) => runtime()?.block_on(bench_ledger(a)),
        BenchCmd::Http(a) => crate::bench_http_cmd::run(a),
        BenchCmd::Load(a) => crate::bench_load_cmd::run(a),
        BenchCmd::Hall(a) => crate::bench_hall_cmd::run(a),
    }
}

use gongkai_search::synth::Rng;

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(time::Duration::days(n)).unwrap_or(d)
}

/// One synthetic application: receipt in 2023 (10%) or 2024, then one of the paths of the
/// state machine; some stay open over the year end.
fn synth(rng: &mut Rng, body_id: i64, i: usize) -> BulkApplication {
    let year = if rng.below(10) == 0 { 2023 } else { 2024 };
    let start = Date::from_ordinal_date(year, 1).expect("valid");
    let received_on = add_days(start, rng.below(365) as i64);
    let applicant_type = match rng.below(100) {
        0..=69 => ApplicantType::NaturalPerson,
        70..=81 => ApplicantType::Commercial,
        82..=86 => ApplicantType::Research,
        87..=90 => ApplicantType::SocialWelfare,
        91..=95 => ApplicantType::LegalService,
        _ => ApplicantType::OtherOrg,
    };
    let channel = *rng.pick(&Channel::ALL);
    let mut d = received_on;
    let mut step = |rng: &mut Rng, lo: i64, hi: i64| {
        d = add_days(d, lo + rng.below((hi - lo + 1) as usize) as i64);
        d
    };
    let reply = |o: Outcome| ReplyDocument {
        reference: format!("依申请〔{year}〕{i}号"),
        summary: o.label(),
    };
    let mut events: Vec<(EventKind, Date, String)> = Vec::new();
    let decide = |rng: &mut Rng,
                  events: &mut Vec<(EventKind, Date, String)>,
                  d: Date,
                  allow_unclear: bool| {
        let o = if allow_unclear && rng.below(3) == 0 {
            Outcome::UnableUnclearAfterCorrection
        } else {
            *rng.pick(&decisions())
        };
        events.push((
            EventKind::Decided {
                outcome: o,
                reply: reply(o),
            },
            d,
            String::new(),
        ));
    };
    let path = rng.below(100);
    match path {
        0..=49 => {
            let on = step(rng, 1, 25);
            decide(rng, &mut events, on, false);
        }
        50..=57 => {
            let asked = step(rng, 1, 6);
            events.push((
                EventKind::CorrectionRequested {
                    deadline: add_days(asked, 15),
                },
                asked,
                String::new(),
            ));
            let corrected = step(rng, 1, 14);
            events.push((EventKind::Corrected, corrected, String::new()));
            let on = step(rng, 1, 25);
            decide(rng, &mut events, on, true);
        }
        58..=61 => {
            let asked = step(rng, 1, 6);
            events.push((
                EventKind::CorrectionRequested {
                    deadline: add_days(asked, 15),
                },
                asked,
                String::new(),
            ));
            let lapsed = add_days(asked, 16 + rng.below(10) as i64);
            events.push((EventKind::CorrectionLapsed, lapsed, String::new()));
        }
        62..=68 => {
            let s = step(rng, 1, 10);
            let consultee = if rng.below(2) == 0 {
                Consultee::ThirdParty
            } else {
                Consultee::OtherAgency
            };
            events.push((
                EventKind::ConsultationStarted { consultee },
                s,
                String::new(),
            ));
            let e = step(rng, 5, 25);
            events.push((EventKind::ConsultationEnded, e, String::new()));
            if rng.below(2) == 0 {
                let x = step(rng, 0, 5);
                events.push((
                    EventKind::ExtensionApproved {
                        days: 1 + rng.below(20) as u32,
                    },
                    x,
                    String::new(),
                ));
            }
            let on = step(rng, 1, 20);
            decide(rng, &mut events, on, false);
        }
        69..=73 => {
            let n = step(rng, 1, 10);
            events.push((
                EventKind::FeeNoticed {
                    amount_fen: 100 * (1 + rng.below(500) as i64),
                },
                n,
                String::new(),
            ));
            let p = step(rng, 1, 15);
            events.push((EventKind::FeePaid, p, String::new()));
            let on = step(rng, 1, 15);
            decide(rng, &mut events, on, false);
        }
        74..=75 => {
            let n = step(rng, 1, 10);
            events.push((
                EventKind::FeeNoticed {
                    amount_fen: 100 * (1 + rng.below(500) as i64),
                },
                n,
                String::new(),
            ));
            let l = step(rng, 25, 40);
            events.push((EventKind::FeeLapsed, l, String::new()));
        }
        76..=78 => {
            let w = step(rng, 1, 20);
            events.push((EventKind::Withdrawn, w, String::new()));
        }
        79..=85 => {
            let x = step(rng, 10, 19);
            events.push((EventKind::ExtensionApproved { days: 20 }, x, String::new()));
            let on = step(rng, 5, 25);
            decide(rng, &mut events, on, false);
        }
        86..=89 => {
            let n = step(rng, 1, 5);
            events.push((EventKind::Note, n, "已电话联系申请人".into()));
            let on = step(rng, 1, 25);
            decide(rng, &mut events, on, false);
        }
        _ => {} // still open: carried over to the next year
    }
    BulkApplication {
        new: NewApplication {
            body_id,
            applicant_type,
            channel,
            received_on,
            request_text: format!("请公开第{i}号事项的相关政府信息"),
            personal: PersonalData {
                name: format!("申请人{i}"),
                id_number: None,
                phone: Some(format!("139{:08}", i % 100_000_000)),
                email: None,
                address: None,
            },
        },
        tracking_code: None,
        events,
    }
}

/// An application closed with `outcome` in `year` through the path that leads to it.
fn coverage_application(
    body_id: i64,
    year: i32,
    applicant_type: ApplicantType,
    outcome: Outcome,
    i: usize,
) -> BulkApplication {
    let received_on = Date::from_ordinal_date(year, 60).expect("valid");
    let d = |n: i64| add_days(received_on, n);
    let events = match outcome {
        Outcome::OtherNoCorrection => vec![
            (
                EventKind::CorrectionRequested { deadline: d(10) },
                d(2),
                String::new(),
            ),
            (EventKind::CorrectionLapsed, d(11), String::new()),
        ],
        Outcome::OtherFeeUnpaid => vec![
            (
                EventKind::FeeNoticed { amount_fen: 2_000 },
                d(2),
                String::new(),
            ),
            (EventKind::FeeLapsed, d(40), String::new()),
        ],
        Outcome::UnableUnclearAfterCorrection => vec![
            (
                EventKind::CorrectionRequested { deadline: d(10) },
                d(2),
                String::new(),
            ),
            (EventKind::Corrected, d(5), String::new()),
            (
                EventKind::Decided {
                    outcome,
                    reply: ReplyDocument {
                        reference: String::new(),
                        summary: outcome.label(),
                    },
                },
                d(20),
                String::new(),
            ),
        ],
        Outcome::OtherOther => vec![(EventKind::Withdrawn, d(3), String::new())],
        _ => vec![(
            EventKind::Decided {
                outcome,
                reply: ReplyDocument {
                    reference: String::new(),
                    summary: outcome.label(),
                },
            },
            d(15),
            String::new(),
        )],
    };
    BulkApplication {
        new: NewApplication {
            body_id,
            applicant_type,
            channel: Channel::Online,
            received_on,
            request_text: format!("覆盖性测试申请{i}"),
            personal: PersonalData {
                name: format!("申请人C{i}"),
                ..PersonalData::default()
            },
        },
        tracking_code: None,
        events,
    }
}

async fn bench_ledger(a: BenchLedgerArgs) -> Result<ExitCode> {
    if a.applications == 0 || a.bodies == 0 || a.batch == 0 {
        bail!("--applications、--bodies、--batch 必须大于0 (must be positive)");
    }
    let tmp;
    let cfg = match (&a.data, std::env::var("DATABASE_URL")) {
        (_, Ok(url)) if gongkai_store::is_postgres_url(&url) => StoreConfig::Postgres(url),
        (Some(dir), _) => StoreConfig::Sqlite(dir.join("gongkai.db")),
        (None, _) => {
            tmp = tempfile::tempdir().context("无法创建临时目录 (cannot create a temp dir)")?;
            StoreConfig::Sqlite(tmp.path().join("gongkai.db"))
        }
    };
    println!(
        "gongkai bench ledger: {} applications over {} bodies, {}",
        a.applications,
        a.bodies,
        cfg.describe()
    );
    let store = Store::open(&cfg).await?;
    let tag = format!("B{:x}", a.seed);

    // Bodies: 1 province, cities, districts, towns and departments.
    let started = Instant::now();
    let mut ids = Vec::with_capacity(a.bodies);
    let code = |k: &str, n: usize| format!("{tag}-{k}{n}");
    let p = store
        .create_body(
            &NewBody {
                code: code("P", 0),
                name: "基准测试省人民政府".into(),
                kind: BodyKind::Province,
                parent_code: None,
            },
            &crate::cli_actor(),
        )
        .await?;
    ids.push(p.id);
    let cities = (a.bodies / 100).max(1);
    let districts = (a.bodies / 10).max(1);
    let mut n = 1;
    for c in 0..cities.min(a.bodies.saturating_sub(n)) {
        let b = store
            .create_body(
                &NewBody {
                    code: code("C", c),
                    name: format!("基准测试第{c}市人民政府"),
                    kind: BodyKind::City,
                    parent_code: Some(code("P", 0)),
                },
                &crate::cli_actor(),
            )
            .await?;
        ids.push(b.id);
        n += 1;
    }
    for d in 0..districts.min(a.bodies.saturating_sub(n)) {
        let b = store
            .create_body(
                &NewBody {
                    code: code("D", d),
                    name: format!("基准测试第{d}区人民政府"),
                    kind: BodyKind::District,
                    parent_code: Some(code("C", d % cities)),
                },
                &crate::cli_actor(),
            )
            .await?;
        ids.push(b.id);
    }
    let mut t = 0;
    while ids.len() < a.bodies {
        let (kind, name) = if t % 3 == 0 {
            (BodyKind::Department, format!("基准测试第{t}局"))
        } else {
            (BodyKind::Town, format!("基准测试第{t}镇人民政府"))
        };
        let b = store
            .create_body(
                &NewBody {
                    code: code("T", t),
                    name,
                    kind,
                    parent_code: Some(code("D", t % districts)),
                },
                &crate::cli_actor(),
            )
            .await?;
        ids.push(b.id);
        t += 1;
    }
    println!(
        "bodies: {} created in {:.2} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );

    // Ingest with report-generation checkpoints.
    let mut rng = Rng::new(a.seed);
    let probe: Vec<i64> = (0..20.min(ids.len()))
        .map(|i| ids[(i * 7919) % ids.len()])
        .collect();
    // The probe bodies first get every (outcome × applicant column) combination in 2023 and
    // 2024, so their counter key set is complete from the first checkpoint on: what grows
    // between checkpoints is only the number of records, which is what must not matter.
    let mut coverage = Vec::new();
    for b in &probe {
        for year in [2023, 2024] {
            for at in ApplicantType::ALL {
                for o in Outcome::ALL {
                    coverage.push(coverage_application(*b, year, at, o, coverage.len()));
                }
            }
        }
    }
    let seeded = coverage.len().min(a.applications);
    coverage.truncate(seeded);
    let t0 = Instant::now();
    let r = store
        .ingest_applications(coverage, "bench", &mut |_| {})
        .await?;
    let mut ingest_time = t0.elapsed();
    let mut ingested = r.rows;
    let mut events = r.events;
    let checkpoints: Vec<usize> = [10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|c| *c <= a.applications)
        .collect();
    let mut rows = Vec::new();
    while ingested < a.applications {
        let next_stop = checkpoints
            .iter()
            .copied()
            .find(|c| *c > ingested)
            .unwrap_or(a.applications);
        let size = a
            .batch
            .min(next_stop - ingested)
            .min(a.applications - ingested);
        let items: Vec<BulkApplication> = (0..size)
            .map(|k| {
                let body = ids[rng.below(ids.len())];
                synth(&mut rng, body, ingested + k)
            })
            .collect();
        let t0 = Instant::now();
        let r = store
            .ingest_applications(items, "bench", &mut |_| {})
            .await?;
        ingest_time += t0.elapsed();
        ingested += r.rows;
        events += r.events;
        if checkpoints.contains(&ingested) || ingested == a.applications {
            // Report generation for 20 bodies, 2024 (first call warms caches).
            // Each probe body once to warm caches and check the rules, then five timed
            // rounds over all of them (100 samples).
            for b in &probe {
                let r = store.generate_report(*b, 2024).await?;
                let prev = store.generate_report(*b, 2023).await?;
                let errors = check(&r, Some(&prev));
                if !errors.is_empty() {
                    bail!(
                        "生成的报告未通过规则检查 (generated report fails the rules): {:?}",
                        errors[0]
                    );
                }
            }
            let mut times = Vec::new();
            for _ in 0..5 {
                for b in &probe {
                    let t0 = Instant::now();
                    store.generate_report(*b, 2024).await?;
                    times.push(t0.elapsed());
                }
            }
            times.sort();
            let median = times[times.len() / 2];
            let max = times[times.len() * 9 / 10];
            println!(
                "{:>9} applications: ingest {:>8.0} applications/s ({:>8.0} events/s); report generation median {:>7.2} ms, p90 {:>7.2} ms",
                ingested,
                ingested as f64 / ingest_time.as_secs_f64(),
                events as f64 / ingest_time.as_secs_f64(),
                median.as_secs_f64() * 1000.0,
                max.as_secs_f64() * 1000.0
            );
            rows.push((ingested, median));
        }
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last())
        && rows.len() > 1
    {
        println!(
            "report generation {} → {} applications: {:.2}× (flat means ≤ 2×)",
            first.0,
            last.0,
            last.1.as_secs_f64() / first.1.as_secs_f64().max(1e-9)
        );
    }

    // The live path: one transaction per event.
    let live = 500.min(a.applications);
    let t0 = Instant::now();
    let mut live_events = 0;
    for k in 0..live {
        let item = synth(&mut rng, ids[k % ids.len()], a.applications + k);
        let (app, _) = store.receive_application(&item.new, "bench", "").await?;
        live_events += 1;
        for (e, on, note) in &item.events {
            store.apply_event(app.id, e, *on, "bench", note).await?;
            live_events += 1;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "live path: {live} applications, {live_events} events one transaction each: {:.0} events/s",
        live_events as f64 / secs
    );

    // Cases and registers for one body, then recount.
    let b = probe[0];
    for (k, kind) in CaseKind::ALL.into_iter().enumerate() {
        for (m, outcome) in CaseOutcome::ALL.into_iter().enumerate() {
            let filed = add_days(
                Date::from_ordinal_date(2024, 1).expect("valid"),
                (10 * k + m) as i64,
            );
            store
                .create_case(
                    &CaseRecord {
                        body_id: b,
                        application_id: None,
                        kind,
                        outcome,
                        filed_on: filed,
                        closed_on: (outcome != CaseOutcome::Pending).then(|| add_days(filed, 60)),
                        reference: format!("基准〔2024〕{k}{m}号"),
                        note: String::new(),
                    },
                    &crate::cli_actor(),
                )
                .await?;
        }
    }
    for (k, kind) in DocumentKind::ALL.into_iter().enumerate() {
        store
            .upsert_document(
                &DocumentRecord {
                    body_id: b,
                    kind,
                    title: "基准测试文件".into(),
                    doc_number: format!("基准规〔2024〕{k}号"),
                    issued_on: Date::from_ordinal_date(2024, 100).expect("valid"),
                    published_on: None,
                    repealed_on: None,
                },
                &crate::cli_actor(),
            )
            .await?;
    }
    store
        .upsert_figure(
            b,
            &YearlyFigure::parse(2024, "t2_5.admin_license.decisions", "120")?,
            "bench",
        )
        .await?;
    let t0 = Instant::now();
    let rc = store.recount(b, 2024).await?;
    println!(
        "recount of one body ({} applications, {} events): {} in {:.1} ms",
        rc.applications,
        rc.events,
        if rc.ok() {
            "counters match"
        } else {
            "MISMATCH"
        },
        t0.elapsed().as_secs_f64() * 1000.0
    );
    let r = store.generate_report(b, 2024).await?;
    let prev = store.generate_report(b, 2023).await?;
    let findings = check(&r, Some(&prev));
    println!(
        "rules on the generated 2024 report: {} findings",
        findings.len()
    );
    store.close().await;
    Ok(if rc.ok() && findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Outcomes a plain reply (`decided`) can carry: all but the ones that need an earlier step
/// (a 补正 that lapsed or was unclear, an unpaid fee).
fn decisions() -> Vec<Outcome> {
    Outcome::ALL
        .into_iter()
        .filter(|o| {
            !matches!(
                o,
                Outcome::UnableUnclearAfterCorrection
                    | Outcome::OtherNoCorrection
                    | Outcome::OtherFeeUnpaid
            )
        })
        .collect()
}
