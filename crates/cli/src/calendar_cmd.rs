//! `gongkai calendar …`: the official working-day calendar — import a later year's
//! holiday notice, show a year, check a date.
//!
//! Imported notices are stored as `<data dir>/calendar/<year>.json` (single-year format of
//! `crates/calendar/README.md`); the data dir is `--data DIR`, else `$GONGKAI_DATA`, else
//! `./data`. Every command that needs the calendar loads the built-in 2019–2026 notices plus
//! these files.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use gongkai_calendar::{Calendar, Date, DayKind, format_date, parse_date, weekday_zh};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options shared by the calendar commands.
#[derive(Args)]
pub struct CalendarArgs {
    #[command(subcommand)]
    pub command: CalendarCmd,
    /// Data directory; imported notices live in DIR/calendar/<year>.json.
    #[arg(long, env = "GONGKAI_DATA", default_value = "data", global = true)]
    pub data: PathBuf,
}

#[derive(Subcommand)]
pub enum CalendarCmd {
    /// Import a later year's State Council holiday notice (JSON; format in crates/calendar/README.md).
    Import {
        /// The notice file: one year entry with a `year` key, or a holidays.json-shaped object.
        file: PathBuf,
    },
    /// List a year's holidays and make-up working days (调休上班).
    Show {
        /// Notice year, e.g. 2026.
        year: i32,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Tell whether a date is a working day.
    Check {
        /// The date, YYYY-MM-DD.
        #[arg(value_parser = date_arg)]
        date: Date,
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// List the loaded notice years and where each comes from.
    Years,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Clap value parser for `YYYY-MM-DD`.
pub fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).map_err(|e| e.to_string())
}

/// Where imported notices are stored.
pub fn calendar_dir(data: &Path) -> PathBuf {
    data.join("calendar")
}

/// The files of imported notices, sorted by name.
fn stored_files(data: &Path) -> Result<Vec<PathBuf>> {
    let dir = calendar_dir(data);
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("无法读取目录 {}", dir.display())),
    };
    let mut files = Vec::new();
    for entry in rd {
        let p = entry
            .with_context(|| format!("无法读取目录 {}", dir.display()))?
            .path();
        if p.extension().is_some_and(|e| e == "json") {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

/// The built-in notices plus every notice imported into `data`.
pub fn load_calendar(data: &Path) -> Result<Calendar> {
    let mut cal = Calendar::builtin();
    for p in stored_files(data)? {
        let bytes = std::fs::read(&p).with_context(|| format!("无法读取 {}", p.display()))?;
        cal.import_bytes(&p.display().to_string(), &bytes)?;
    }
    Ok(cal)
}

pub fn run(args: CalendarArgs) -> Result<ExitCode> {
    match args.command {
        CalendarCmd::Import { file } => {
            let code = import(&args.data, &file)?;
            recompute_after_import(&args.data, &file)?;
            Ok(code)
        }
        CalendarCmd::Show { year, format } => show(&args.data, year, format),
        CalendarCmd::Check { date, format } => check(&args.data, date, format),
        CalendarCmd::Years => years(&args.data),
    }
}

fn import(data: &Path, file: &Path) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("无法读取 {}", file.display()))?;
    let name = file.display().to_string();
    let notices = {
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| anyhow::anyhow!("{name}: 不是UTF-8文本 / not UTF-8: {e}"))?;
        gongkai_calendar::parse_notices(&name, text)?
    };
    // Validate against everything already loaded (overlap, contradictions) before writing.
    let mut cal = load_calendar(data)?;
    cal.add_notices(&name, notices.clone())?;
    let dir = calendar_dir(data);
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    for n in &notices {
        let target = dir.join(format!("{}.json", n.year));
        if target.exists() {
            bail!("{}已存在，不能覆盖 / already exists", target.display());
        }
        let tmp = dir.join(format!(".{}.json.tmp", n.year));
        std::fs::write(&tmp, n.to_json()).with_context(|| format!("无法写入 {}", tmp.display()))?;
        std::fs::rename(&tmp, &target).with_context(|| format!("无法写入 {}", target.display()))?;
        println!(
            "已导入{}年节假日安排：{}个放假日，{}个调休上班日 → {}",
            n.year,
            n.holidays.len(),
            n.workdays.len(),
            target.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// After an import: when the data dir has a database (or `DATABASE_URL` names one), every
/// open application's deadline is recomputed with the new calendar in one transaction, and
/// the import is audited.
fn recompute_after_import(data: &Path, file: &Path) -> Result<()> {
    let config = gongkai_store::StoreConfig::from_env(Some(data));
    if std::env::var_os("DATABASE_URL").is_none() && !data.join("gongkai.db").exists() {
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let store = gongkai_store::Store::open(&config)
            .await
            .with_context(|| format!("无法打开数据库 {}", config.describe()))?
            .with_calendar(load_calendar(data)?);
        let today = gongkai_store::Clock::System.today();
        let reason = format!("导入节假日安排 {}", file.display());
        let changed = store
            .recompute_deadlines(today, &crate::cli_actor(), &reason)
            .await?;
        println!(
            "已按新的节假日安排重新计算在办申请的答复期限：{}件变更",
            changed.len()
        );
        for c in &changed {
            println!("  {}：{} → {}", c.tracking_code, c.old, c.new);
        }
        store.close().await;
        anyhow::Ok(())
    })
}

fn show(data: &Path, year: i32, format: OutputFormat) -> Result<ExitCode> {
    let cal = load_calendar(data)?;
    let Some(n) = cal.notice(year) else {
        return Err(gongkai_calendar::CalendarError::MissingYear { year }.into());
    };
    match format {
        OutputFormat::Json => println!("{}", n.to_json().trim_end()),
        OutputFormat::Text => {
            println!("{year}年节假日安排（国务院办公厅通知）");
            for t in &n.notices {
                println!("  {t}");
            }
            println!("放假：");
            if n.ranges.is_empty() {
                for d in &n.holidays {
                    println!("  {} {}", format_date(*d), weekday_zh(*d));
                }
            } else {
                for r in &n.ranges {
                    println!(
                        "  {:<22} {}（{}天）",
                        r.range().to_zh(),
                        r.name,
                        r.range().len_days()
                    );
                }
            }
            println!("调休上班：");
            if n.workdays.is_empty() {
                println!("  无");
            }
            for d in &n.workdays {
                println!("  {} {}", format_date(*d), weekday_zh(*d));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(data: &Path, date: Date, format: OutputFormat) -> Result<ExitCode> {
    let cal = load_calendar(data)?;
    let kind = cal.day_kind(date)?;
    let holiday = cal.holiday_range(date).map(|r| r.name.clone());
    match format {
        OutputFormat::Json => {
            let v = serde_json::json!({
                "date": format_date(date),
                "working_day": kind.is_working(),
                "kind": kind,
                "holiday": holiday,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputFormat::Text => {
            let what = match (kind, &holiday) {
                (DayKind::Holiday, Some(name)) => format!("{name}假期，非工作日"),
                (DayKind::Holiday, None) => "法定节假日，非工作日".to_owned(),
                (DayKind::Weekend, _) => "休息日，非工作日".to_owned(),
                (DayKind::AdjustedWorkday, _) => "调休上班日，工作日".to_owned(),
                (DayKind::Workday, _) => "工作日".to_owned(),
            };
            println!("{} {}：{what}", format_date(date), weekday_zh(date));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn years(data: &Path) -> Result<ExitCode> {
    let builtin = Calendar::builtin().years();
    let cal = load_calendar(data)?;
    for y in cal.years() {
        let source = if builtin.contains(&y) {
            "内置 (built-in)".to_owned()
        } else {
            calendar_dir(data)
                .join(format!("{y}.json"))
                .display()
                .to_string()
        };
        println!("{y}  {source}");
    }
    Ok(ExitCode::SUCCESS)
}
