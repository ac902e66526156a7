//! `gongkai`: the command-line entry point of the Gongkai platform.

mod audit_cmd;
mod calendar_cmd;
mod deadline_cmd;
mod report_cmd;

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
    #[command(subcommand)]
    command: Command,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => audit_cmd::run(args),
        Command::Report(cmd) => report_cmd::run(cmd),
        Command::Deadline(args) => deadline_cmd::run(args),
        Command::Calendar(args) => calendar_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            ExitCode::from(2)
        }
    }
}
