//! Renderers: plain text, Markdown, JSON and a standalone HTML page that looks like an officially
//! published report (title, sections 一–六 in order, the tables with their merged cells, A4 print CSS,
//! no external assets).

use crate::layout::{self, CellKind, Grid};
use crate::model::Report;
use crate::spec::{RowSpec, TableSpec};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

/// Output formats of `gongkai report render` handled by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderFormat {
    Text,
    Markdown,
    Json,
    Html,
}

impl RenderFormat {
    pub fn parse(s: &str) -> Option<RenderFormat> {
        match s {
            "txt" | "text" => Some(RenderFormat::Text),
            "md" | "markdown" => Some(RenderFormat::Markdown),
            "json" => Some(RenderFormat::Json),
            "html" => Some(RenderFormat::Html),
            _ => None,
        }
    }
}

/// Render a report to a string in the given format.
pub fn render(report: &Report, format: RenderFormat) -> String {
    match format {
        RenderFormat::Text => render_text(report),
        RenderFormat::Markdown => render_markdown(report),
        RenderFormat::Json => report.to_json_string(),
        RenderFormat::Html => render_html(report, &HtmlOptions::default()),
    }
}

fn section_text<'a>(report: &'a Report, key: &str) -> Option<&'a str> {
    report
        .sections
        .get(key)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
}

fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn depth(t: &TableSpec, row: &RowSpec) -> usize {
    let mut d = 0;
    let mut p = row.parent.as_deref();
    while let Some(k) = p {
        d += 1;
        p = t.row(k).and_then(|r| r.parent.as_deref());
    }
    d
}

/// One logical table as label + header + rows, for the text and Markdown renderers.
struct Flat {
    caption: String,
    header: Vec<String>,
    rows: Vec<(String, Option<Vec<String>>)>,
}

fn flat_tables(report: &Report) -> Vec<(&'static str, Flat)> {
    let spec = report.spec();
    let mut out = Vec::new();
    for t in &spec.tables {
        let section = if t.is_article20() {
            "s2"
        } else if t.key == "t3" {
            "s3"
        } else {
            "s4"
        };
        if t.key == "t4" {
            // Fifteen columns do not fit a line: print table 四 transposed, one line per column.
            let row = t.data_rows().next().expect("t4 data row");
            let rows = t
                .columns
                .iter()
                .map(|c| {
                    let v = report.cell(&t.key, &row.key, &c.key);
                    (
                        format!("{}·{}", c.header_path.join("·"), c.label),
                        Some(vec![layout::value_text(v, c.kind, true)]),
                    )
                })
                .collect();
            out.push((
                section,
                Flat {
                    caption: String::new(),
                    header: vec!["项目".into(), "件数".into()],
                    rows,
                },
            ));
            continue;
        }
        let mut header = vec![t.label_col.clone().unwrap_or_else(|| "项目".into())];
        header.extend(t.columns.iter().map(|c| c.label.clone()));
        let rows = t
            .rows
            .iter()
            .map(|row| {
                let label = format!("{}{}", "　".repeat(depth(t, row)), row.label);
                let values = row.has_cells.then(|| {
                    t.columns
                        .iter()
                        .map(|c| {
                            let v = report.cell(&t.key, &row.key, &c.key);
                            layout::value_text(
                                v,
                                c.kind,
                                c.label.contains("万元") || t.key != "t2_9",
                            )
                        })
                        .collect()
                });
                (label, values)
            })
            .collect();
        let caption = match t.key.as_str() {
            "t3" | "t4" => String::new(),
            _ => t.caption.clone(),
        };
        out.push((
            section,
            Flat {
                caption,
                header,
                rows,
            },
        ));
    }
    out
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let w = UnicodeWidthStr::width(s);
    let fill = " ".repeat(width.saturating_sub(w));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Plain text with aligned columns (East Asian characters count double).
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", report.title());
    let tables = flat_tables(report);
    for s in &report.spec().sections {
        let _ = writeln!(out, "{}\n", s.label);
        if let Some(text) = section_text(report, &s.key) {
            for p in paragraphs(text) {
                let _ = writeln!(out, "{p}\n");
            }
        }
        for (_, f) in tables.iter().filter(|(sec, _)| *sec == s.key) {
            if !f.caption.is_empty() {
                let _ = writeln!(out, "{}", f.caption);
            }
            let label_w = f
                .rows
                .iter()
                .map(|(l, _)| UnicodeWidthStr::width(l.as_str()))
                .chain([UnicodeWidthStr::width(f.header[0].as_str())])
                .max()
                .unwrap_or(0);
            let col_w: Vec<usize> = f.header[1..]
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    f.rows
                        .iter()
                        .filter_map(|(_, v)| {
                            v.as_ref().map(|v| UnicodeWidthStr::width(v[i].as_str()))
                        })
                        .chain([UnicodeWidthStr::width(h.as_str())])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let mut line = pad(&f.header[0], label_w, false);
            for (h, w) in f.header[1..].iter().zip(&col_w) {
                line.push_str("  ");
                line.push_str(&pad(h, *w, true));
            }
            let _ = writeln!(out, "{}", line.trim_end());
            for (label, values) in &f.rows {
                let mut line = pad(label, label_w, false);
                if let Some(values) = values {
                    for (v, w) in values.iter().zip(&col_w) {
                        line.push_str("  ");
                        line.push_str(&pad(v, *w, true));
                    }
                }
                let _ = writeln!(out, "{}", line.trim_end());
            }
            out.push('\n');
        }
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Markdown (GFM tables; merged cells are flattened into indented row labels).
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_escape(&report.title()));
    let tables = flat_tables(report);
    for s in &report.spec().sections {
        let _ = writeln!(out, "## {}\n", s.label);
        if let Some(text) = section_text(report, &s.key) {
            for p in paragraphs(text) {
                let _ = writeln!(out, "{}\n", md_escape(p));
            }
        }
        for (_, f) in tables.iter().filter(|(sec, _)| *sec == s.key) {
            if !f.caption.is_empty() {
                let _ = writeln!(out, "**{}**\n", f.caption);
            }
            if s.key == "s3" {
                let t3 = report.spec().table("t3").expect("t3");
                if let Some(note) = &t3.corner_note {
                    let _ = writeln!(out, "{note}\n");
                }
            }
            let _ = writeln!(
                out,
                "| {} |",
                f.header
                    .iter()
                    .map(|h| md_escape(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
            let _ = writeln!(
                out,
                "|{}",
                std::iter::once(" --- |")
                    .chain(std::iter::repeat_n(" ---: |", f.header.len() - 1))
                    .collect::<String>()
            );
            for (label, values) in &f.rows {
                let cells = match values {
                    Some(v) => v.clone(),
                    None => vec![String::new(); f.header.len() - 1],
                };
                let _ = writeln!(out, "| {} | {} |", md_escape(label), cells.join(" | "));
            }
            out.push('\n');
        }
    }
    out
}

/// Escape text for HTML element content and attribute values (`& < > " '`): the one helper
/// of the workspace outside askama templates, over the `html-escape` crate.
pub fn html_escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// Extra content for the HTML page.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Trusted HTML fragments (e.g. SVG trend charts) placed after section 四, each with a heading.
    pub figures: Vec<(String, String)>,
    /// When false, only the `<article>` element is produced (for embedding in a portal page).
    pub fragment: bool,
}

/// The report's stylesheet: official look on screen and on A4 paper.
pub const REPORT_CSS: &str = r#"
.gk-report{max-width:210mm;margin:0 auto;padding:24px 28px;background:#fff;color:#000;
 font-family:"FangSong","FangSong_GB2312","仿宋_GB2312","STFangsong","Noto Serif CJK SC","Source Han Serif SC","SimSun",serif;
 font-size:16pt;line-height:1.75}
.gk-report h1{font-family:"FZXiaoBiaoSong-B05S","方正小标宋简体","STZhongsong","Noto Serif CJK SC","SimSun",serif;
 font-size:22pt;font-weight:normal;text-align:center;line-height:1.5;margin:0 0 1em}
.gk-report h2{font-family:"SimHei","黑体","Noto Sans CJK SC","Source Han Sans SC",sans-serif;font-size:16pt;
 font-weight:normal;margin:1.2em 0 .4em}
.gk-report p{text-indent:2em;margin:0;text-align:justify}
.gk-report table{border-collapse:collapse;width:100%;margin:.6em 0 1em;font-size:10.5pt;line-height:1.4;
 page-break-inside:auto}
.gk-report th,.gk-report td{border:1px solid #000;padding:3px 4px;text-align:center;vertical-align:middle}
.gk-report td.label{text-align:left}
.gk-report td.num{font-family:"Times New Roman","Noto Serif",serif}
.gk-report .caption{font-weight:bold;background:#f2f2f2}
.gk-report tr{page-break-inside:avoid}
.gk-report figure{margin:1em 0;text-align:center}
.gk-report figcaption{font-size:12pt}
@page{size:A4;margin:37mm 26mm 35mm 28mm}
@media print{body{background:#fff}.gk-report{max-width:none;padding:0;font-size:16pt}
 .gk-report table{font-size:9pt}}
"#;

fn grid_html(out: &mut String, g: &Grid) {
    let _ = write!(out, "<table class=\"gk-table gk-t{}\">", g.section);
    out.push_str("<colgroup>");
    for w in &g.widths {
        let _ = write!(out, "<col style=\"width:{w}%\">");
    }
    out.push_str("</colgroup>");
    for (ri, row) in g.rows.iter().enumerate() {
        out.push_str("<tr>");
        for c in row {
            let mut attrs = String::new();
            if c.rowspan > 1 {
                let _ = write!(attrs, " rowspan=\"{}\"", c.rowspan);
            }
            if c.colspan > 1 {
                let _ = write!(attrs, " colspan=\"{}\"", c.colspan);
            }
            let text = html_escape(&c.text);
            match &c.kind {
                CellKind::Header => {
                    let class = if g.section == "二" && c.colspan == g.columns {
                        " class=\"caption\""
                    } else {
                        ""
                    };
                    let scope = if ri < g.header_rows || g.section == "二" {
                        " scope=\"col\""
                    } else {
                        ""
                    };
                    let _ = write!(out, "<th{attrs}{class}{scope}>{text}</th>");
                }
                CellKind::Label => {
                    let _ = write!(out, "<th{attrs} scope=\"row\" class=\"label\">{text}</th>");
                }
                CellKind::Value { key, .. } => {
                    let _ = write!(
                        out,
                        "<td{attrs} class=\"num\" data-cell=\"{key}\">{text}</td>"
                    );
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>\n");
}

/// The report as a standalone HTML page (or an `<article>` fragment).
pub fn render_html(report: &Report, options: &HtmlOptions) -> String {
    let mut out = String::new();
    let title = html_escape(&report.title());
    if !options.fragment {
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"Gongkai\">\n<title>{title}</title>\n<style>{REPORT_CSS}</style>\n</head>\n<body>\n"
        );
    }
    let _ = writeln!(
        out,
        "<article class=\"gk-report\" data-format=\"{}\" data-year=\"{}\">\n<h1>{title}</h1>",
        report.format, report.year
    );
    let grids = layout::grids(report);
    for s in &report.spec().sections {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            s.key,
            html_escape(&s.label)
        );
        if let Some(text) = section_text(report, &s.key) {
            for p in paragraphs(text) {
                let _ = writeln!(out, "<p>{}</p>", html_escape(p));
            }
        }
        let numeral = s.label.chars().next().unwrap_or('一').to_string();
        for g in grids.iter().filter(|g| g.section == numeral) {
            grid_html(&mut out, g);
        }
        if s.key == "s4" {
            for (caption, svg) in &options.figures {
                let _ = writeln!(
                    out,
                    "<figure>{svg}<figcaption>{}</figcaption></figure>",
                    html_escape(caption)
                );
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</article>\n");
    if !options.fragment {
        out.push_str("</body>\n</html>\n");
    }
    out
}
