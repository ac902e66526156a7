//! `gongkai`: the command-line entry point of the Gongkai platform.

mod audit_cmd;
mod bench_hall_cmd;
mod bench_http_cmd;
mod bench_load_cmd;
mod calendar_cmd;
mod csv_io;
mod deadline_cmd;
mod hall_cmd;
mod ledger_cmd;
mod report_cmd;
mod serve_cmd;
mod service_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "gongkai",
    version,
    about = "Gongkai (公开): government information disclosure work — annual reports, deadlines, audits",
    long_about = None
)]
struct Cli {
    /// Log format on stderr: human-readable lines, or one JSON object per line.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human, env = "GONGKAI_LOG_FORMAT")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

/// Install the log subscriber: level from `RUST_LOG` (default `info` for our crates and
/// HTTP requests, `warn` for the rest).
fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("warn,gongkai=info,gongkai_web=info,gongkai_store=info,tower_http=info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_timer(tracing_subscriber::fmt::time::UtcTime::rfc_3339());
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

#[derive(Subcommand)]
enum Command {
    /// Read and audit published annual reports (text, HTML, DOCX, PDF): files and folders.
    Audit(audit_cmd::AuditArgs),
    /// Annual reports (年度报告): check, render, create.
    #[command(subcommand)]
    Report(report_cmd::ReportCmd),
    /// Statutory reply deadline (答复期限) of an application on the official working-day calendar.
    Deadline(deadline_cmd::DeadlineArgs),
    /// Official working-day calendar (节假日安排): import a later year's notice, show a year, check a date.
    Calendar(calendar_cmd::CalendarArgs),
    /// Import a CSV file of applications, cases, documents or figures into the ledger (one transaction).
    Import(ledger_cmd::ImportArgs),
    /// Export the ledger's applications, cases, documents or figures as CSV.
    Export(ledger_cmd::ExportArgs),
    /// Bodies (机关) of the ledger: add, list, narrative sections of their reports.
    #[command(subcommand)]
    Body(ledger_cmd::BodyCmd),
    /// Staff users and their roles per body.
    #[command(subcommand)]
    User(ledger_cmd::UserCmd),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(ledger_cmd::BenchCmd),
    /// The service hall (政务服务大厅): create, services, windows, import, show, daily reset.
    #[command(subcommand)]
    Hall(hall_cmd::HallCmd),
    /// Run the web platform: portal, application desk, staff console, JSON API.
    Serve(serve_cmd::ServeArgs),
    /// 办事指南 (service-item guides): import and export CSV or JSON.
    #[command(subcommand)]
    Service(service_cmd::ServiceCmd),
}

/// mimalloc: the server, search highlighting and the readers allocate many small strings;
/// measured faster than the system allocator under `gongkai bench http`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Who a command acts as in the audit log: `cli:` and the system user running it.
pub(crate) fn cli_actor() -> String {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let result = match cli.command {
        Command::Audit(args) => audit_cmd::run(args),
        Command::Report(cmd) => report_cmd::run(cmd),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Deadline(args) => deadline_cmd::run(args),
        Command::Calendar(args) => calendar_cmd::run(args),
        Command::Import(args) => ledger_cmd::run_import(args),
        Command::Export(args) => ledger_cmd::run_export(args),
        Command::Body(cmd) => ledger_cmd::run_body(cmd),
        Command::User(cmd) => ledger_cmd::run_user(cmd),
        Command::Bench(cmd) => ledger_cmd::run_bench(cmd),
        Command::Service(cmd) => service_cmd::run(cmd),
        Command::Hall(cmd) => hall_cmd::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            ExitCode::from(2)
        }
    }
}
