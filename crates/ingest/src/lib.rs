//! # gongkai-ingest
//!
//! Reads a published annual report on government information disclosure (政府信息公开工作年度报告)
//! — plain text copied from a web page, HTML (any charset), DOCX, or a PDF with a text layer —
//! into the typed [`Report`] of `gongkai-report`, with the provenance of every cell, and audits it.
//!
//! Flow: detect the kind (magic bytes, then extension) → normalise to a [`doc::Document`] of lines
//! and cells → one shared recogniser matches the statutory row and column labels → report +
//! reader findings (`UNREADABLE-CELL`, `UNIT-CONVERTED`, `SPLIT-NUMBER-REPAIRED`, `T3-SUBTOTAL`)
//! → [`Ingested::findings`] adds `gongkai_report::check` (with the previous year's report when
//! given) and `TEXT-TABLE-MISMATCH`.
//!
//! ```
//! use gongkai_ingest::{read_bytes, Limits};
//! let text = "某某局2021年政府信息公开工作年度报告\n一、总体情况\n全年无行政复议。\n";
//! let err = read_bytes("a.txt", text.as_bytes(), &Limits::default()).unwrap_err();
//! assert!(err.to_string().contains("未找到"));
//! ```

pub mod decode;
pub mod doc;
pub mod docx;
pub mod html;
pub mod norm;
pub mod pdf;
pub mod recognise;
pub mod text;
pub mod textcheck;

use gongkai_report::{Finding, Report, Severity, SourceRef};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

pub use recognise::Recognised;

/// The kinds of input Gongkai reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputKind {
    Text,
    Html,
    Docx,
    Pdf,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Text => "text",
            InputKind::Html => "html",
            InputKind::Docx => "docx",
            InputKind::Pdf => "pdf",
        }
    }

    /// Kinds recognised by file extension (used to pick files in folders).
    pub fn from_extension(path: &Path) -> Option<InputKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(InputKind::Text),
            "html" | "htm" | "shtml" | "xhtml" => Some(InputKind::Html),
            "docx" => Some(InputKind::Docx),
            "pdf" => Some(InputKind::Pdf),
            _ => None,
        }
    }
}

/// Limits on what one input may cost. Each exceeded limit is a clear error.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum input size in bytes (default 20 MiB).
    pub max_bytes: u64,
    /// Maximum PDF pages (default 200).
    pub max_pages: u32,
    /// Maximum table cells in one document (default 50 000).
    pub max_cells: usize,
    /// Time allowed for `pdftotext` (default 30 s).
    pub pdf_timeout: Duration,
    /// The `pdftotext` program (default `pdftotext` on `PATH`).
    pub pdftotext: String,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_pages: 200,
            max_cells: 50_000,
            pdf_timeout: Duration::from_secs(30),
            pdftotext: "pdftotext".into(),
        }
    }
}

/// Why a file could not be read as a report.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("无法读取文件 {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("文件过大：{size} 字节，上限 {max} 字节 (file too large)")]
    TooLarge { size: u64, max: u64 },
    #[error("PDF 页数超过上限 {max} 页 (too many pages)")]
    TooManyPages { max: u32 },
    #[error("表格单元格数超过上限 {max} (too many cells)")]
    TooManyCells { max: usize },
    #[error("pdftotext 超时（{seconds} 秒） (PDF extraction timed out)")]
    Timeout { seconds: u64 },
    #[error("PDF 没有文字层（扫描件？），无法读取，需人工录入 (no text layer (scanned PDF?))")]
    NoTextLayer,
    #[error("无法识别的文件类型：{0} (unknown input kind; expected text, HTML, DOCX or PDF)")]
    UnknownKind(String),
    #[error("DOCX 读取失败：{0}")]
    Docx(String),
    #[error("PDF 读取失败：{0}")]
    Pdf(String),
    #[error("不是政府信息公开工作年度报告：{0}")]
    NotAReport(String),
    #[error("不支持的报告格式：{reason} (unsupported format: not the 2019 or 2021 format)")]
    Unsupported {
        year: Option<i32>,
        body: String,
        reason: String,
    },
}

impl IngestError {
    /// For a legacy (pre-2019) report: the `UNSUPPORTED-FORMAT` finding that explains it.
    pub fn unsupported_finding(&self, file: &str) -> Option<Finding> {
        let IngestError::Unsupported { year, body, reason } = self else {
            return None;
        };
        Some(Finding {
            rule: "UNSUPPORTED-FORMAT".into(),
            severity: Severity::Error,
            cells: vec![],
            expected: Json::String("2019 / 2021".into()),
            found: year.map(Json::from).unwrap_or(Json::Null),
            message: format!(
                "{body}{}：{reason}",
                year.map(|y| format!("{y}年度报告")).unwrap_or_default()
            ),
            message_en: format!(
                "{body} {}: not a report in the 2019 or 2021 format (legacy pre-2019 structure)",
                year.map(|y| y.to_string()).unwrap_or_default()
            ),
            source: Some(SourceRef {
                file: Some(file.to_string()),
                ..SourceRef::default()
            }),
        })
    }
}

/// A report read from a published file.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub kind: InputKind,
    /// Name of the source (path) used in provenance.
    pub file: String,
    pub report: Report,
    /// Where each stored cell (`table.row.col`) came from.
    pub provenance: BTreeMap<String, SourceRef>,
    /// Findings of the reader itself (before the rules run).
    pub reader_findings: Vec<Finding>,
}

impl Ingested {
    /// Every finding: the reader's, the report rules (cross-year ones when `previous` is the
    /// same body's report of the year before) and `TEXT-TABLE-MISMATCH`. Rule findings get the
    /// source of their first cell; blank-cell warnings are dropped for cells already reported
    /// as unreadable.
    pub fn findings(&self, previous: Option<&Report>) -> Vec<Finding> {
        let unreadable: std::collections::HashSet<&str> = self
            .reader_findings
            .iter()
            .filter(|f| f.rule == "UNREADABLE-CELL")
            .flat_map(|f| f.cells.iter().map(String::as_str))
            .collect();
        let mut out = self.reader_findings.clone();
        let mut rules = gongkai_report::check(&self.report, previous);
        rules.extend(textcheck::text_table_findings(&self.report));
        for mut f in rules {
            if f.rule == "BLANK-CELL" && f.cells.iter().any(|c| unreadable.contains(c.as_str())) {
                continue;
            }
            if f.source.is_none()
                && let Some(src) = f.cells.first().and_then(|c| self.provenance.get(c))
            {
                f.source = Some(src.clone());
            }
            if f.source.is_none() {
                f.source = Some(SourceRef {
                    file: Some(self.file.clone()),
                    ..SourceRef::default()
                });
            }
            out.push(f);
        }
        out
    }
}

/// Detect the kind of input from its first bytes, then its extension.
pub fn detect(name: &str, bytes: &[u8]) -> Result<InputKind, IngestError> {
    if bytes.starts_with(b"%PDF")
        || bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        return Ok(InputKind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(InputKind::Docx);
    }
    let head = &bytes[..bytes.len().min(2048)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let has = |n: &[u8]| memchr::memmem::find(&lower, n).is_some();
    if has(b"<html")
        || has(b"<!doctype html")
        || has(b"<table")
        || has(b"<body")
        || has(b"<meta")
        || has(b"<p>")
        || has(b"<div")
    {
        return Ok(InputKind::Html);
    }
    if let Some(k) = InputKind::from_extension(Path::new(name)) {
        return match k {
            InputKind::Pdf | InputKind::Docx => Err(IngestError::UnknownKind(format!(
                "{name}: 扩展名为 {} 但内容不是 (the content does not match the extension)",
                k.as_str()
            ))),
            k => Ok(k),
        };
    }
    if bytes.contains(&0) && Encoding::for_bom(bytes).is_none() {
        return Err(IngestError::UnknownKind(name.to_string()));
    }
    Ok(InputKind::Text)
}

use encoding_rs::Encoding;

/// Normalise a file's bytes to a document (no recognition).
pub fn document(
    kind: InputKind,
    bytes: &[u8],
    limits: &Limits,
) -> Result<doc::Document, IngestError> {
    let d = match kind {
        InputKind::Text => text::read(&decode::decode(bytes, None).0),
        InputKind::Html => {
            let declared = decode::html_declared_charset(bytes);
            html::read(&decode::decode(bytes, declared).0, limits)?
        }
        InputKind::Docx => docx::read(bytes, limits)?,
        InputKind::Pdf => pdf::read(bytes, limits)?,
    };
    if d.cell_count() > limits.max_cells {
        return Err(IngestError::TooManyCells {
            max: limits.max_cells,
        });
    }
    Ok(d)
}

/// Read a report from bytes; `name` is used for kind detection and provenance.
pub fn read_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Result<Ingested, IngestError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(IngestError::TooLarge {
            size: bytes.len() as u64,
            max: limits.max_bytes,
        });
    }
    let kind = detect(name, bytes)?;
    let d = document(kind, bytes, limits)?;
    let r = recognise::recognise(&d, name, kind)?;
    let ing = Ingested {
        kind,
        file: name.to_string(),
        report: r.report,
        provenance: r.provenance,
        reader_findings: r.findings,
    };
    // A PDF whose layout text leaves cells unreadable is read again from its word boxes
    // (poppler's layout mode can interleave the rows of a table); the second reading is kept
    // only when it has fewer error findings.
    if kind == InputKind::Pdf
        && ing
            .reader_findings
            .iter()
            .any(|f| f.rule == "UNREADABLE-CELL")
        && let Ok(d2) = pdf::read_bbox(bytes, limits)
        && d2.cell_count() <= limits.max_cells
        && let Ok(r2) = recognise::recognise(&d2, name, kind)
    {
        let alt = Ingested {
            kind,
            file: name.to_string(),
            report: r2.report,
            provenance: r2.provenance,
            reader_findings: r2.findings,
        };
        if errors(&alt) < errors(&ing) {
            return Ok(alt);
        }
    }
    Ok(ing)
}

fn errors(ing: &Ingested) -> usize {
    ing.findings(None)
        .iter()
        .filter(|f| f.severity == gongkai_report::Severity::Error)
        .count()
}

/// Read a report from a file (size checked before reading).
pub fn read_path(path: &Path, limits: &Limits) -> Result<Ingested, IngestError> {
    let name = path.display().to_string();
    let io = |source| IngestError::Io {
        path: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > limits.max_bytes {
        return Err(IngestError::TooLarge {
            size: meta.len(),
            max: limits.max_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_bytes(&name, &bytes, limits)
}

/// For each report, the index of the same body's report of the year before among `reports`
/// (bodies compared without whitespace), for the cross-year rules.
pub fn pair_previous(reports: &[Option<&Report>]) -> Vec<Option<usize>> {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let mut index: BTreeMap<(String, i32), usize> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        if let Some(r) = r
            && !r.body.trim().is_empty()
        {
            index.entry((norm(&r.body), r.year)).or_insert(i);
        }
    }
    reports
        .iter()
        .map(|r| {
            let r = (*r)?;
            if r.body.trim().is_empty() {
                return None;
            }
            index.get(&(norm(&r.body), r.year - 1)).copied()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(detect("a.bin", b"%PDF-1.7").unwrap(), InputKind::Pdf);
        assert_eq!(detect("a", b"PK\x03\x04").unwrap(), InputKind::Docx);
        assert_eq!(detect("a.txt", b"<html><body>").unwrap(), InputKind::Html);
        assert_eq!(
            detect("a.txt", "一、总体情况".as_bytes()).unwrap(),
            InputKind::Text
        );
        assert!(detect("a.pdf", b"hello").is_err());
    }

    #[test]
    fn size_limit() {
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(matches!(
            read_bytes("a.txt", b"12345", &limits),
            Err(IngestError::TooLarge { .. })
        ));
    }

    #[test]
    fn pairing() {
        use gongkai_report::FormatVersion;
        let a = Report::zeroed(FormatVersion::V2019, 2020, "某 镇");
        let b = Report::zeroed(FormatVersion::V2021, 2021, "某镇");
        let c = Report::zeroed(FormatVersion::V2021, 2021, "别的镇");
        let p = pair_previous(&[Some(&b), Some(&a), None, Some(&c)]);
        assert_eq!(p, vec![Some(1), None, None, None]);
    }
}
