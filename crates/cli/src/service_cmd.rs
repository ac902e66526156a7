//! `gongkai service import FILE --body CODE` and `gongkai service export --body CODE
//! [--format csv|json]`: 办事指南 in the CSV form of `gongkai_ledger::service::CSV_HEADER`
//! or as a JSON array. An import is one transaction: a bad row names its line and field and
//! nothing of the file is written.

use crate::ledger_cmd::{DataArgs, open, runtime, write_out};
use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use gongkai_web::service::io::{self, Format};
use std::path::PathBuf;
use std::process::ExitCode;

/// File format of `service import` / `service export`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FileFormat {
    /// CSV with the Chinese header (UTF-8, with a BOM on export).
    Csv,
    /// A JSON array of guides.
    Json,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Format {
        match f {
            FileFormat::Csv => Format::Csv,
            FileFormat::Json => Format::Json,
        }
    }
}

#[derive(Subcommand)]
pub enum ServiceCmd {
    /// Import a CSV or JSON file of guides into a body (one transaction; new codes are
    /// created as 草稿, known ones get a new version when they differ).
    Import {
        /// The file (format by extension: .json is JSON, anything else CSV).
        file: PathBuf,
        /// Body code (机关代码).
        #[arg(long)]
        body: String,
        /// Force the format instead of guessing it from the extension.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// The 修改原因 recorded for new versions.
        #[arg(long, default_value = "批量导入")]
        reason: String,
        /// Recorded as the editor (default: `cli:` and the system user).
        #[arg(long, default_value_t = crate::cli_actor())]
        actor: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Export the latest version of every guide of a body.
    Export {
        /// Body code (机关代码).
        #[arg(long)]
        body: String,
        #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
        format: FileFormat,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub fn run(cmd: ServiceCmd) -> Result<ExitCode> {
    runtime()?.block_on(async {
        match cmd {
            ServiceCmd::Import {
                file,
                body,
                format,
                reason,
                actor,
                data,
            } => {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("无法读取 {} (cannot read)", file.display()))?;
                let name = file.display().to_string();
                let format = format
                    .map(Format::from)
                    .unwrap_or_else(|| Format::of_file_name(&name));
                let rows = io::parse(format, &bytes).map_err(|e| anyhow::anyhow!("{name} {e}"))?;
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let at = time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                let r = store
                    .import_service_items(b.id, rows, &name, &actor, &at, &reason)
                    .await?;
                eprintln!(
                    "已导入：新增{}项，更新{}项，未变{}项 (created, updated, unchanged)",
                    r.created, r.updated, r.unchanged
                );
                Ok(ExitCode::SUCCESS)
            }
            ServiceCmd::Export {
                body,
                format,
                output,
                data,
            } => {
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let guides = store.export_service_items(b.id).await?;
                write_out(output.as_deref(), &io::write(format.into(), &guides))?;
                eprintln!("已导出 {} 项 (guides exported)", guides.len());
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
