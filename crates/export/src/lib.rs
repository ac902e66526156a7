//! # gongkai-export
//!
//! Exports of the statutory annual report (政府信息公开工作年度报告) as the files bodies publish and
//! oversight offices collect:
//!
//! - [`docx::to_docx`]: a Word document with the title, the headings 一–六, the section texts and the
//!   statutory tables with the merged cells of the format version (A4, 公文 margins, page numbers);
//! - [`pdf::to_pdf`]: the same document typeset by typst with the CJK fonts of a [`pdf::FontSet`];
//! - [`xlsx::to_xlsx`]: one sheet per table (numbers as numbers, merged headers), a flat sheet of every
//!   cell by key, and a sheet of findings from [`gongkai_report::check`];
//! - [`charts::trend_svg`] and [`charts::siblings_svg`]: self-contained SVG charts (no JavaScript).
//!
//! Every table is drawn from [`gongkai_report::layout::grids`], the one description of the printed
//! layout. Exports return bytes; the only IO of this crate is reading font files ([`pdf::FontSet::load`]).
//!
//! ```
//! use gongkai_report::{FormatVersion, Report};
//! let report = Report::zeroed(FormatVersion::V2021, 2024, "某某县人民政府");
//! let docx = gongkai_export::docx::to_docx(&report).unwrap();
//! assert_eq!(&docx[..2], b"PK");
//! ```

pub mod charts;
pub mod docx;
pub mod pdf;
pub mod xlsx;

use gongkai_report::Report;
use std::fmt;
use std::path::PathBuf;

/// Longest section text accepted by the exporters, in characters (a long real report has a few
/// thousand per section).
pub const MAX_SECTION_CHARS: usize = 50_000;
/// Most section text of one report accepted by the exporters, in characters: bounds the pages to
/// typeset (about 500 characters per page).
pub const MAX_TOTAL_CHARS: usize = 120_000;
/// Longest body name (机关名称) accepted by the exporters, in characters.
pub const MAX_BODY_CHARS: usize = 200;

/// Errors of the exporters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The report holds more text than an annual report can reasonably hold.
    #[error(
        "{what}过长：{size} 个字符，上限 {limit} ({what_en} too long: {size} chars, limit {limit})"
    )]
    TooLarge {
        what: String,
        what_en: String,
        size: usize,
        limit: usize,
    },
    /// Writing the DOCX package failed.
    #[error("DOCX 生成失败 (cannot write the DOCX package): {0}")]
    Docx(String),
    /// Writing the XLSX workbook failed.
    #[error("XLSX 生成失败 (cannot write the XLSX workbook): {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A font directory or file could not be read.
    #[error("无法读取字体 {path} (cannot read font): {source}")]
    FontIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// None of the font directories holds a font with Chinese glyphs.
    #[error(
        "在 {dirs} 中未找到中文字体；请安装 fonts-noto-cjk 或指定字体目录 (no CJK font found in {dirs}; install Debian's fonts-noto-cjk or configure a font directory)"
    )]
    NoCjkFont { dirs: String },
    /// typst reported errors while typesetting the generated source.
    #[error("PDF 排版失败 (typesetting failed): {0}")]
    Typeset(String),
    /// typst could not write the PDF.
    #[error("PDF 输出失败 (PDF export failed): {0}")]
    Pdf(String),
}

/// The binary export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Docx,
    Pdf,
    Xlsx,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Docx, ExportFormat::Pdf, ExportFormat::Xlsx];

    /// Parse `docx`, `pdf` or `xlsx` (case-insensitive).
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "docx" => Some(ExportFormat::Docx),
            "pdf" => Some(ExportFormat::Pdf),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Docx => "docx",
            ExportFormat::Pdf => "pdf",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// The media type for HTTP downloads.
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            ExportFormat::Pdf => "application/pdf",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// A download file name: the report title plus the extension.
    pub fn file_name(self, report: &Report) -> String {
        format!("{}.{}", report.title(), self.extension())
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Export a report in one of the binary formats. `fonts` is used for PDF only (default: the
/// process-wide [`pdf::FontSet::shared_default`]); the XLSX findings sheet holds the findings of
/// [`gongkai_report::check`] without a previous year.
pub fn export(
    report: &Report,
    format: ExportFormat,
    fonts: Option<&pdf::FontSet>,
) -> Result<Vec<u8>, ExportError> {
    match format {
        ExportFormat::Docx => docx::to_docx(report),
        ExportFormat::Xlsx => xlsx::to_xlsx(report, &gongkai_report::check(report, None)),
        ExportFormat::Pdf => match fonts {
            Some(f) => pdf::to_pdf(report, f),
            None => pdf::to_pdf(report, pdf::FontSet::shared_default()?),
        },
    }
}

/// Reject reports whose texts exceed the limits, naming the section.
pub(crate) fn check_limits(report: &Report) -> Result<(), ExportError> {
    let n = report.body.chars().count();
    if n > MAX_BODY_CHARS {
        return Err(ExportError::TooLarge {
            what: "机关名称".into(),
            what_en: "body name".into(),
            size: n,
            limit: MAX_BODY_CHARS,
        });
    }
    let mut total = 0;
    for (key, text) in &report.sections {
        let n = text.chars().count();
        total += n;
        if n > MAX_SECTION_CHARS {
            return Err(ExportError::TooLarge {
                what: format!("正文 {key}"),
                what_en: format!("section {key}"),
                size: n,
                limit: MAX_SECTION_CHARS,
            });
        }
    }
    if total > MAX_TOTAL_CHARS {
        return Err(ExportError::TooLarge {
            what: "正文合计".into(),
            what_en: "all sections".into(),
            size: total,
            limit: MAX_TOTAL_CHARS,
        });
    }
    Ok(())
}

/// The paragraphs of a section (non-empty trimmed lines), as every renderer prints them.
pub(crate) fn section_paragraphs<'a>(report: &'a Report, key: &str) -> Vec<&'a str> {
    report
        .sections
        .get(key)
        .map(|s| s.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default()
}

/// The section numeral (`一` … `六`) of a section heading such as `二、主动公开政府信息情况`.
pub(crate) fn numeral(label: &str) -> String {
    label.chars().next().map(String::from).unwrap_or_default()
}

/// Remove characters that XML 1.0 cannot carry (C0 controls other than tab, LF, CR).
pub(crate) fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\t' || c == '\n' || c == '\r' || c >= ' ')
        .filter(|&c| c != '\u{FFFE}' && c != '\u{FFFF}')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::FormatVersion;

    #[test]
    fn formats_parse_and_name() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.extension()), Some(f));
            assert_eq!(ExportFormat::parse(&f.to_string().to_uppercase()), Some(f));
        }
        assert_eq!(ExportFormat::parse("html"), None);
        let r = Report::zeroed(FormatVersion::V2021, 2024, "某县人民政府");
        assert_eq!(
            ExportFormat::Pdf.file_name(&r),
            "某县人民政府2024年政府信息公开工作年度报告.pdf"
        );
    }

    #[test]
    fn limits_name_the_section() {
        let mut r = Report::zeroed(FormatVersion::V2021, 2024, "某县人民政府");
        r.sections
            .insert("s5".into(), "字".repeat(MAX_SECTION_CHARS + 1));
        let e = check_limits(&r).unwrap_err().to_string();
        assert!(e.contains("s5"), "{e}");
        let mut r = Report::zeroed(FormatVersion::V2021, 2024, "某县人民政府");
        for k in ["s1", "s2", "s3"] {
            r.sections.insert(k.into(), "字".repeat(MAX_SECTION_CHARS));
        }
        assert!(check_limits(&r).unwrap_err().to_string().contains("120000"));
        let mut r = Report::zeroed(FormatVersion::V2021, 2024, "x".repeat(MAX_BODY_CHARS + 1));
        r.sections.clear();
        assert!(matches!(
            check_limits(&r),
            Err(ExportError::TooLarge { .. })
        ));
    }

    #[test]
    fn xml_safe_drops_controls() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\td\ne"), "abc\td\ne");
    }
}
