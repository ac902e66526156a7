//! `gongkai audit PATH...`: read published annual reports (text, HTML, DOCX, PDF) from files and
//! folders (recursively), in parallel, and check them. Reports of the same body in consecutive
//! years within one run are paired for the cross-year rules. A bad file never stops the batch.
//!
//! Exit status: 0 no error finding, 1 error findings (including an unsupported legacy format),
//! 2 some files could not be read.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use gongkai_ingest::{IngestError, Ingested, InputKind, Limits, pair_previous, read_path};
use gongkai_report::{Finding, Report, value_text};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum AuditFormat {
    Text,
    Json,
    Csv,
    Html,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Report files and folders (folders are searched recursively for .txt, .html, .htm, .docx, .pdf).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AuditFormat,
    /// Write the output to a file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Include every cell's provenance (file, page, line, source text) in JSON output.
    #[arg(long)]
    pub provenance: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Largest file to read, in MiB.
    #[arg(long, default_value_t = 20)]
    pub max_mib: u64,
    /// Most PDF pages to read.
    #[arg(long, default_value_t = 200)]
    pub max_pages: u32,
    /// Seconds allowed for extracting one PDF's text.
    #[arg(long, default_value_t = 30)]
    pub pdf_timeout: u64,
}

/// The outcome for one input file.
pub enum Outcome {
    Ok(Box<Ingested>),
    /// Readable but not in a supported format (legacy pre-2019 report).
    Unsupported {
        error: String,
        finding: Box<Finding>,
    },
    Error(String),
}

pub struct FileResult {
    pub path: String,
    pub outcome: Outcome,
    pub findings: Vec<Finding>,
}

/// Expand files and folders into the list of files to read (folders recursively, sorted).
pub fn collect_files(paths: &[PathBuf]) -> Vec<(PathBuf, Option<String>)> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                let entries = match std::fs::read_dir(&dir) {
                    Ok(e) => e,
                    Err(e) => {
                        out.push((
                            dir.clone(),
                            Some(format!("无法读取目录 (cannot read the folder): {e}")),
                        ));
                        continue;
                    }
                };
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if InputKind::from_extension(&path).is_some() {
                        found.push(path);
                    }
                }
            }
            found.sort();
            out.extend(found.into_iter().map(|f| (f, None)));
        } else if p.exists() {
            out.push((p.clone(), None));
        } else {
            out.push((
                p.clone(),
                Some("文件不存在 (no such file or folder)".into()),
            ));
        }
    }
    out
}

fn read_one(path: &Path, limits: &Limits) -> Outcome {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_path(path, limits)));
    match result {
        Ok(Ok(ing)) => Outcome::Ok(Box::new(ing)),
        Ok(Err(e @ IngestError::Unsupported { .. })) => {
            let finding = e
                .unsupported_finding(&path.display().to_string())
                .expect("unsupported has a finding");
            Outcome::Unsupported {
                error: e.to_string(),
                finding: Box::new(finding),
            }
        }
        Ok(Err(e)) => Outcome::Error(e.to_string()),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Outcome::Error(format!(
                "内部错误，已跳过此文件 (internal error, file skipped): {msg}"
            ))
        }
    }
}

/// Read and audit every file (in parallel), pairing consecutive years of the same body.
pub fn audit(
    files: Vec<(PathBuf, Option<String>)>,
    limits: &Limits,
    progress: bool,
) -> Vec<FileResult> {
    let bar = if progress {
        let b = ProgressBar::new(files.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let outcomes: Vec<(String, Outcome)> = files
        .into_par_iter()
        .map(|(path, pre_error)| {
            let name = path.display().to_string();
            let outcome = match pre_error {
                Some(e) => Outcome::Error(e),
                None => read_one(&path, limits),
            };
            if let Some(b) = &bar {
                b.inc(1);
            }
            (name, outcome)
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let reports: Vec<Option<&Report>> = outcomes
        .iter()
        .map(|(_, o)| match o {
            Outcome::Ok(ing) => Some(&ing.report),
            _ => None,
        })
        .collect();
    let previous = pair_previous(&reports);
    let findings: Vec<Vec<Finding>> = outcomes
        .par_iter()
        .enumerate()
        .map(|(i, (_, o))| match o {
            Outcome::Ok(ing) => ing.findings(previous[i].and_then(|j| reports[j])),
            Outcome::Unsupported { finding, .. } => vec![(**finding).clone()],
            Outcome::Error(_) => Vec::new(),
        })
        .collect();
    outcomes
        .into_iter()
        .zip(findings)
        .map(|((path, outcome), findings)| FileResult {
            path,
            outcome,
            findings,
        })
        .collect()
}

pub fn run(a: AuditArgs) -> Result<ExitCode> {
    let limits = Limits {
        max_bytes: a.max_mib.saturating_mul(1024 * 1024),
        max_pages: a.max_pages,
        pdf_timeout: std::time::Duration::from_secs(a.pdf_timeout),
        ..Limits::default()
    };
    if let Some(j) = a.jobs {
        // Only fails when a global pool already exists, which is harmless.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global();
    }
    let files = collect_files(&a.paths);
    let progress = std::io::stderr().is_terminal() && files.len() > 1;
    let results = audit(files, &limits, progress);
    let mut buf: Vec<u8> = Vec::new();
    match a.format {
        AuditFormat::Json => {
            let doc = json_output(&results, a.provenance);
            writeln!(buf, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        AuditFormat::Text => text_output(&mut buf, &results)?,
        AuditFormat::Csv => csv_output(&mut buf, &results)?,
        AuditFormat::Html => buf.extend_from_slice(html_output(&results)?.as_bytes()),
    }
    match &a.output {
        Some(p) => std::fs::write(p, &buf)
            .with_context(|| format!("无法写入 {} (cannot write)", p.display()))?,
        None => std::io::stdout().lock().write_all(&buf)?,
    }
    Ok(exit_code(&results))
}

/// 2 when a file could not be read, else 1 when a finding is an error, else 0.
pub fn exit_code(results: &[FileResult]) -> ExitCode {
    if results
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Error(_)))
    {
        ExitCode::from(2)
    } else if results
        .iter()
        .any(|r| r.findings.iter().any(Finding::is_error))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn json_output(results: &[FileResult], provenance: bool) -> Json {
    let files: Vec<Json> = results
        .iter()
        .map(|r| match &r.outcome {
            Outcome::Ok(ing) => {
                let mut v = json!({
                    "path": r.path,
                    "status": "ok",
                    "kind": ing.kind.as_str(),
                    "report": ing.report.to_json_value(),
                    "findings": r.findings,
                });
                if provenance {
                    v["provenance"] = serde_json::to_value(&ing.provenance).unwrap_or(Json::Null);
                }
                v
            }
            Outcome::Unsupported { error, .. } => json!({
                "path": r.path,
                "status": "error",
                "error": error,
                "findings": r.findings,
            }),
            Outcome::Error(e) => json!({ "path": r.path, "status": "error", "error": e }),
        })
        .collect();
    json!({ "files": files })
}

fn counts(findings: &[Finding]) -> (usize, usize) {
    let e = findings.iter().filter(|f| f.is_error()).count();
    (e, findings.len() - e)
}

fn text_output(out: &mut impl Write, results: &[FileResult]) -> Result<()> {
    let (mut te, mut tw, mut bad) = (0, 0, 0);
    for r in results {
        match &r.outcome {
            Outcome::Ok(ing) => {
                let (e, w) = counts(&r.findings);
                te += e;
                tw += w;
                writeln!(
                    out,
                    "{}：{}{}年度报告（{}年格式，{}）— {} 个错误，{} 个警告",
                    r.path,
                    ing.report.body,
                    ing.report.year,
                    ing.report.format,
                    ing.kind.as_str(),
                    e,
                    w
                )?;
                out.write_all(gongkai_report::findings_text(&r.findings).as_bytes())?;
            }
            Outcome::Unsupported { error, .. } => {
                te += 1;
                writeln!(out, "{}：{}", r.path, error)?;
                out.write_all(gongkai_report::findings_text(&r.findings).as_bytes())?;
            }
            Outcome::Error(e) => {
                bad += 1;
                writeln!(out, "{}：无法读取 (unreadable)：{}", r.path, e)?;
            }
        }
    }
    writeln!(
        out,
        "共 {} 个文件：{} 个错误，{} 个警告，{} 个文件无法读取 ({} files: {} errors, {} warnings, {} unreadable)",
        results.len(),
        te,
        tw,
        bad,
        results.len(),
        te,
        tw,
        bad
    )?;
    Ok(())
}

fn csv_output(out: &mut impl Write, results: &[FileResult]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "path", "body", "year", "rule", "severity", "cells", "expected", "found", "message",
    ])?;
    for r in results {
        let (body, year) = match &r.outcome {
            Outcome::Ok(ing) => (ing.report.body.clone(), ing.report.year.to_string()),
            _ => (String::new(), String::new()),
        };
        if let Outcome::Error(e) = &r.outcome {
            w.write_record([r.path.as_str(), "", "", "", "error", "", "", "", e])?;
            continue;
        }
        for f in &r.findings {
            w.write_record([
                r.path.as_str(),
                &body,
                &year,
                &f.rule,
                f.severity.as_str(),
                &f.cells.join(" "),
                &value_text(&f.expected),
                &value_text(&f.found),
                &f.message,
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// One row of the summary table of the HTML audit page.
struct HtmlFile<'a> {
    anchor: usize,
    path: &'a str,
    body: &'a str,
    year: String,
    format: String,
    errors: usize,
    warnings: usize,
    /// 通过 / 有错误 / the reason it is unsupported or unreadable.
    status: String,
    failed: bool,
    findings: Vec<HtmlFinding<'a>>,
}

struct HtmlFinding<'a> {
    finding: &'a Finding,
    expected: String,
    found: String,
    location: String,
}

#[derive(askama::Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    files: Vec<HtmlFile<'a>>,
}

fn html_output(results: &[FileResult]) -> Result<String> {
    let files = results
        .iter()
        .enumerate()
        .map(|(anchor, r)| {
            let (errors, warnings) = counts(&r.findings);
            let (body, year, format, status, failed) = match &r.outcome {
                Outcome::Ok(ing) => (
                    ing.report.body.as_str(),
                    ing.report.year.to_string(),
                    ing.report.format.to_string(),
                    if errors > 0 { "有错误" } else { "通过" }.to_string(),
                    errors > 0,
                ),
                Outcome::Unsupported { error, .. } => {
                    ("", String::new(), String::new(), error.clone(), true)
                }
                Outcome::Error(e) => (
                    "",
                    String::new(),
                    String::new(),
                    format!("无法读取：{e}"),
                    true,
                ),
            };
            let findings = r
                .findings
                .iter()
                .map(|f| HtmlFinding {
                    finding: f,
                    expected: value_text(&f.expected),
                    found: value_text(&f.found),
                    location: f.location_zh().unwrap_or_default(),
                })
                .collect();
            HtmlFile {
                anchor,
                path: &r.path,
                body,
                year,
                format,
                errors,
                warnings,
                status,
                failed,
                findings,
            }
        })
        .collect();
    let page = AuditPage { files };
    askama::Template::render(&page).context("审核结果页面生成失败 (cannot render the audit page)")
}
