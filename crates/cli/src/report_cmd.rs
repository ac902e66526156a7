//! `gongkai report …`: check, render and create annual reports in the JSON contract.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use gongkai_report::{Finding, FormatVersion, RenderFormat, Report, check, render};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Check a report against every reconciliation rule (exit 0 clean or warnings only, 1 errors, 2 unreadable).
    Check(CheckArgs),
    /// Render a report as HTML, Markdown, plain text or JSON.
    Render(RenderArgs),
    /// Write a valid empty (all-zero) report to fill in.
    New(NewArgs),
    /// List every rule id with its meaning.
    Rules,
    /// Generate the report of (body, year) from the ledger, or list the records behind a cell (--explain).
    Generate(crate::ledger_cmd::GenerateArgs),
    /// Prove the ledger's report counters equal a full recomputation from the records.
    Recount(crate::ledger_cmd::RecountArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The report JSON file.
    pub file: PathBuf,
    /// The same body's report of the previous year, for the cross-year rules.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

#[derive(Args)]
pub struct RenderArgs {
    /// The report JSON file.
    pub file: PathBuf,
    /// Output format: html, md, txt, json, or the files docx, pdf, xlsx (these need -o).
    #[arg(long, default_value = "html")]
    pub to: String,
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The same body's reports of earlier years: adds trend charts to the HTML render.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub history: Vec<PathBuf>,
}

#[derive(Args)]
pub struct NewArgs {
    /// Format version: 2019 (report years 2019–2020) or 2021 (from 2021). Default: from the year.
    #[arg(long)]
    pub format: Option<String>,
    #[arg(long)]
    pub year: i32,
    /// The reporting body (机关名称), e.g. 广州市南沙区黄阁镇人民政府.
    #[arg(long)]
    pub body: String,
    /// Output file (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(cmd: ReportCmd) -> Result<ExitCode> {
    match cmd {
        ReportCmd::Check(a) => run_check(a),
        ReportCmd::Render(a) => run_render(a),
        ReportCmd::New(a) => run_new(a),
        ReportCmd::Generate(a) => crate::ledger_cmd::run_generate(a),
        ReportCmd::Recount(a) => crate::ledger_cmd::run_recount(a),
        ReportCmd::Rules => {
            for r in gongkai_report::RULES {
                println!(
                    "{:<26} {:<7} {}\n{:<34}{}",
                    r.id,
                    r.severity.label_zh(),
                    r.zh,
                    "",
                    r.en
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Read and parse a report file; errors name the file and the JSON path.
pub fn read_report(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取 {} (cannot read the file)", path.display()))?;
    Report::from_json_str(&text).with_context(|| format!("{} 不是有效的报告 JSON", path.display()))
}

fn run_check(a: CheckArgs) -> Result<ExitCode> {
    let report = match read_report(&a.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let previous = match &a.previous {
        Some(p) => match read_report(p) {
            Ok(prev) => {
                if prev.year != report.year - 1 {
                    eprintln!(
                        "错误 (error): --previous 应为{}年度报告，所给文件为{}年度 ({}: expected the report of {})",
                        report.year - 1,
                        prev.year,
                        p.display(),
                        report.year - 1
                    );
                    return Ok(ExitCode::from(2));
                }
                Some(prev)
            }
            Err(e) => {
                eprintln!("错误 (error): {e:#}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let findings = check(&report, previous.as_ref());
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let warnings = findings.len() - errors;
    let mut out = std::io::stdout().lock();
    match a.format {
        OutputFormat::Json => {
            let doc = serde_json::json!({
                "path": a.file.display().to_string(),
                "status": "ok",
                "body": report.body,
                "year": report.year,
                "format": report.format.as_str(),
                "errors": errors,
                "warnings": warnings,
                "findings": findings,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        OutputFormat::Text => {
            writeln!(
                out,
                "{}：{}{}年度报告（{}年格式）",
                a.file.display(),
                report.body,
                report.year,
                report.format
            )?;
            print_findings(&mut out, &findings)?;
            writeln!(
                out,
                "共 {errors} 个错误，{warnings} 个警告 ({errors} errors, {warnings} warnings)"
            )?;
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Print findings as readable text, one block per finding.
pub fn print_findings(out: &mut impl Write, findings: &[Finding]) -> std::io::Result<()> {
    out.write_all(gongkai_report::findings_text(findings).as_bytes())
}

fn write_output(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(p) => {
            std::fs::write(p, bytes)
                .with_context(|| format!("无法写入 {} (cannot write)", p.display()))?;
            eprintln!("已写入 {} ({} bytes)", p.display(), bytes.len());
        }
        None => std::io::stdout().lock().write_all(bytes)?,
    }
    Ok(())
}

fn run_render(a: RenderArgs) -> Result<ExitCode> {
    use gongkai_export::{ExportFormat, charts, pdf::FontSet};
    let report = match read_report(&a.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut history = Vec::with_capacity(a.history.len());
    for p in &a.history {
        let prev = match read_report(p) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("错误 (error): {e:#}");
                return Ok(ExitCode::from(2));
            }
        };
        if prev.body != report.body {
            bail!(
                "--history {} 的机关为「{}」，与报告的「{}」不同 (history reports must be the same body's)",
                p.display(),
                prev.body,
                report.body
            );
        }
        if prev.year >= report.year {
            bail!(
                "--history {} 为{}年度报告，应早于{}年 (history reports must be of earlier years)",
                p.display(),
                prev.year,
                report.year
            );
        }
        history.push(prev);
    }
    if let Some(format) = ExportFormat::parse(&a.to) {
        let Some(output) = a.output.as_deref() else {
            bail!(
                "--to {format} 生成二进制文件，请用 -o 指定输出文件 (binary formats need -o FILE)"
            );
        };
        if !history.is_empty() {
            bail!("--history 仅用于 --to html (history charts are drawn in the HTML render only)");
        }
        let bytes = match format {
            ExportFormat::Pdf => {
                // Font directories: GONGKAI_FONT_DIRS (separated like PATH), else fonts-noto-cjk.
                let fonts = match std::env::var_os("GONGKAI_FONT_DIRS") {
                    Some(dirs) => FontSet::load(&std::env::split_paths(&dirs).collect::<Vec<_>>()),
                    None => FontSet::load_default(),
                }
                .context("无法加载 PDF 字体 (cannot load fonts for PDF)")?;
                gongkai_export::pdf::to_pdf(&report, &fonts)
            }
            ExportFormat::Docx => gongkai_export::docx::to_docx(&report),
            ExportFormat::Xlsx => gongkai_export::xlsx::to_xlsx(&report, &check(&report, None)),
        }
        .with_context(|| format!("无法导出 {} (cannot export)", a.file.display()))?;
        write_output(Some(output), &bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(fmt) = RenderFormat::parse(&a.to) else {
        bail!(
            "未知的输出格式 `{}` (unknown --to; expected html, md, txt, json, docx, pdf or xlsx)",
            a.to
        );
    };
    let text = if history.is_empty() {
        render(&report, fmt)
    } else {
        if fmt != RenderFormat::Html {
            bail!("--history 仅用于 --to html (history charts are drawn in the HTML render only)");
        }
        history.push(report.clone());
        let svg = charts::trend_svg(&history);
        let caption = format!("{}历年政府信息公开申请及办理结果", report.body);
        let options = gongkai_report::HtmlOptions {
            figures: vec![(caption, svg)],
            fragment: false,
        };
        gongkai_report::render_html(&report, &options)
    };
    write_output(a.output.as_deref(), text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn run_new(a: NewArgs) -> Result<ExitCode> {
    let format = match a.format.as_deref() {
        Some(f) => FormatVersion::parse(f)
            .with_context(|| format!("未知的格式版本 `{f}` (expected 2019 or 2021)"))?,
        None => FormatVersion::for_year(a.year),
    };
    if format != FormatVersion::for_year(a.year) {
        bail!(
            "{}年度报告应使用{}年格式 (a {} report uses the {} format)",
            a.year,
            FormatVersion::for_year(a.year),
            a.year,
            FormatVersion::for_year(a.year)
        );
    }
    if a.body.trim().is_empty() {
        bail!("--body 不能为空 (the body name is required)");
    }
    let report = Report::zeroed(format, a.year, a.body.trim());
    write_output(a.output.as_deref(), report.to_json_string().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
