//! `gongkai audit PATH...`: read published annual reports (text, HTML, DOCX, PDF) from files and
//! folders (recursively), in parallel, and check them. Reports of the same body in consecutive
//! years within one run are paired for the cross-year rules. A bad file never stops the batch.
//!
//! Exit status: 0 no error finding, 1 error findings (including an unsupported legacy format),
//! 2 some files could not be read.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use gongkai_ingest::{IngestError, Ingested, InputKind, Limits, pair_previous, read_path};
use gongkai_report::render::html_escape;
use gongkai_report::{Finding, Report, Severity};
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
        AuditFormat::Html => buf.extend_from_slice(html_output(&results).as_bytes()),
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
                crate::report_cmd::print_findings(out, &r.findings)?;
            }
            Outcome::Unsupported { error, .. } => {
                te += 1;
                writeln!(out, "{}：{}", r.path, error)?;
                crate::report_cmd::print_findings(out, &r.findings)?;
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn plain(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn csv_output(out: &mut impl Write, results: &[FileResult]) -> Result<()> {
    writeln!(
        out,
        "path,body,year,rule,severity,cells,expected,found,message"
    )?;
    for r in results {
        let (body, year) = match &r.outcome {
            Outcome::Ok(ing) => (ing.report.body.clone(), ing.report.year.to_string()),
            _ => (String::new(), String::new()),
        };
        if let Outcome::Error(e) = &r.outcome {
            writeln!(out, "{},,,,error,,,,{}", csv_field(&r.path), csv_field(e))?;
            continue;
        }
        for f in &r.findings {
            let fields = [
                r.path.clone(),
                body.clone(),
                year.clone(),
                f.rule.clone(),
                severity_str(f.severity).into(),
                f.cells.join(" "),
                plain(&f.expected),
                plain(&f.found),
                f.message.clone(),
            ];
            let line: Vec<String> = fields.iter().map(|s| csv_field(s)).collect();
            writeln!(out, "{}", line.join(","))?;
        }
    }
    Ok(())
}

const AUDIT_CSS: &str = "body{font-family:'Noto Sans CJK SC',sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top;font-size:14px}\
th{background:#eee}.error{color:#b00020}.warning{color:#8a5a00}.ok{color:#1b5e20}h2{font-size:18px;margin-top:2em}";

fn html_output(results: &[FileResult]) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>年度报告审核结果</title><style>");
    s.push_str(AUDIT_CSS);
    s.push_str("</style></head><body><h1>政府信息公开工作年度报告审核结果</h1>");
    s.push_str("<table><thead><tr><th>文件</th><th>机关</th><th>年度</th><th>格式</th><th>错误</th><th>警告</th><th>状态</th></tr></thead><tbody>");
    for (i, r) in results.iter().enumerate() {
        let (e, w) = counts(&r.findings);
        match &r.outcome {
            Outcome::Ok(ing) => s.push_str(&format!(
                "<tr><td><a href=\"#f{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"error\">{e}</td><td class=\"warning\">{w}</td><td class=\"{}\">{}</td></tr>",
                html_escape(&r.path),
                html_escape(&ing.report.body),
                ing.report.year,
                ing.report.format,
                if e > 0 { "error" } else { "ok" },
                if e > 0 { "有错误" } else { "通过" }
            )),
            Outcome::Unsupported { error, .. } => s.push_str(&format!(
                "<tr><td><a href=\"#f{i}\">{}</a></td><td></td><td></td><td></td><td class=\"error\">{e}</td><td>{w}</td><td class=\"error\">{}</td></tr>",
                html_escape(&r.path),
                html_escape(error)
            )),
            Outcome::Error(err) => s.push_str(&format!(
                "<tr><td>{}</td><td></td><td></td><td></td><td></td><td></td><td class=\"error\">无法读取：{}</td></tr>",
                html_escape(&r.path),
                html_escape(err)
            )),
        }
    }
    s.push_str("</tbody></table>");
    for (i, r) in results.iter().enumerate() {
        if r.findings.is_empty() {
            continue;
        }
        s.push_str(&format!("<h2 id=\"f{i}\">{}</h2><table><thead><tr><th>规则</th><th>级别</th><th>单元格</th><th>应为</th><th>实为</th><th>说明</th><th>位置</th></tr></thead><tbody>", html_escape(&r.path)));
        for f in &r.findings {
            let loc = f
                .source
                .as_ref()
                .map(|src| {
                    let mut parts = Vec::new();
                    if let Some(p) = src.page {
                        parts.push(format!("第{p}页"));
                    }
                    if let Some(l) = src.line {
                        parts.push(format!("第{l}行"));
                    }
                    if let Some(t) = &src.text
                        && !t.is_empty()
                    {
                        parts.push(format!("「{t}」"));
                    }
                    parts.join(" ")
                })
                .unwrap_or_default();
            s.push_str(&format!(
                "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html_escape(&f.rule),
                severity_str(f.severity),
                if f.is_error() { "错误" } else { "警告" },
                html_escape(&f.cells.join(" ")),
                html_escape(&plain(&f.expected)),
                html_escape(&plain(&f.found)),
                html_escape(&f.message),
                html_escape(&loc)
            ));
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
