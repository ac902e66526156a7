//! PDF: the report typeset by typst (embedded as a library) in the official look — A4 with 公文
//! margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), the title in a 小标宋-like serif, the
//! headings 一–六 in a 黑体-like sans, the body in a 仿宋-like serif at 16 pt, the statutory tables with
//! their merged cells, and `— n —` page numbers.
//!
//! The typst source is generated from [`gongkai_report::layout::grids`] ([`typst_source`]); every text
//! is passed as an escaped string literal, so report text can never become markup or code. Fonts come
//! from a [`FontSet`] loaded from font directories (default: Debian's `fonts-noto-cjk`); the `World`
//! serves the one in-memory source and nothing else: no files, no packages, no network.

use crate::{ExportError, check_limits, numeral, section_paragraphs};
use gongkai_report::Report;
use gongkai_report::layout::{CellKind, Grid, grids};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, OnceLock};
use typst::diag::{FileError, FileResult, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// Where Debian's `fonts-noto-cjk` installs Noto Sans/Serif CJK.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";
/// Largest font file read, in bytes.
pub const MAX_FONT_FILE_BYTES: u64 = 128 * 1024 * 1024;
/// Most font files read from all directories together.
pub const MAX_FONT_FILES: usize = 512;
/// Most bytes of font data held together.
pub const MAX_FONT_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// Deepest sub-directory level searched below a font directory.
const MAX_FONT_DEPTH: usize = 4;

/// A codepoint every CJK font covers: 中.
const CJK_PROBE: u32 = 0x4E2D;

/// The fonts a PDF can use: every face of every font file in the configured directories.
/// Loading reads the files once; keep the set and reuse it for every export.
pub struct FontSet {
    fonts: Vec<Font>,
    book: LazyHash<FontBook>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("faces", &self.fonts.len())
            .field("families", &self.families())
            .finish()
    }
}

impl FontSet {
    /// Load the fonts of [`DEFAULT_FONT_DIR`].
    pub fn load_default() -> Result<FontSet, ExportError> {
        FontSet::load(&[PathBuf::from(DEFAULT_FONT_DIR)])
    }

    /// The fonts of [`DEFAULT_FONT_DIR`], loaded once per process and shared (a failed load is
    /// not cached, so installing the fonts later works without a restart).
    pub fn shared_default() -> Result<&'static FontSet, ExportError> {
        static SHARED: OnceLock<FontSet> = OnceLock::new();
        if let Some(f) = SHARED.get() {
            return Ok(f);
        }
        let loaded = FontSet::load_default()?;
        Ok(SHARED.get_or_init(|| loaded))
    }

    /// Load every `.ttf`, `.otf`, `.ttc` and `.otc` file in the directories (and their
    /// sub-directories). Fails if a directory cannot be read or if no font has Chinese glyphs.
    pub fn load(dirs: &[PathBuf]) -> Result<FontSet, ExportError> {
        FontSet::load_dirs(dirs)
    }

    /// [`FontSet::load`] for any kind of path.
    pub fn load_dirs<P: AsRef<Path>>(dirs: &[P]) -> Result<FontSet, ExportError> {
        let dirs: Vec<&Path> = dirs.iter().map(AsRef::as_ref).collect();
        let mut files = Vec::new();
        for dir in &dirs {
            collect_font_files(dir, 0, &mut files)?;
        }
        files.sort();
        let mut total = 0u64;
        let mut data = Vec::new();
        for path in files.into_iter().take(MAX_FONT_FILES) {
            let len = std::fs::metadata(&path)
                .map_err(|source| ExportError::FontIo {
                    path: path.clone(),
                    source,
                })?
                .len();
            if len > MAX_FONT_FILE_BYTES || total + len > MAX_FONT_TOTAL_BYTES {
                continue;
            }
            total += len;
            let bytes = std::fs::read(&path).map_err(|source| ExportError::FontIo {
                path: path.clone(),
                source,
            })?;
            data.push(bytes);
        }
        let dirs_text = dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        FontSet::from_data(data).map_err(|_| ExportError::NoCjkFont { dirs: dirs_text })
    }

    /// Build a set from font files already in memory (each may be a collection).
    pub fn from_data(files: Vec<Vec<u8>>) -> Result<FontSet, ExportError> {
        let fonts: Vec<Font> = files
            .into_iter()
            .flat_map(|d| Font::iter(Bytes::new(d)))
            .collect();
        if !fonts.iter().any(|f| f.info().coverage.contains(CJK_PROBE)) {
            return Err(ExportError::NoCjkFont {
                dirs: "(memory)".into(),
            });
        }
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Ok(FontSet { fonts, book })
    }

    /// Family names, sorted and deduplicated.
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Number of font faces.
    pub fn len(&self) -> usize {
        self.fonts.len()
    }

    /// Whether the set holds no face (never true for a loaded set).
    pub fn is_empty(&self) -> bool {
        self.fonts.is_empty()
    }

    /// The families used for title, body and headings: the official fonts when installed
    /// (方正小标宋, 仿宋_GB2312, 黑体), else Noto/Source Han, else any family with Chinese glyphs.
    pub fn choice(&self) -> FontChoice {
        let has_cjk = |family: &str| {
            self.fonts.iter().any(|f| {
                f.info().family.eq_ignore_ascii_case(family)
                    && f.info().coverage.contains(CJK_PROBE)
            })
        };
        let pick = |prefs: &[&str]| -> Option<String> {
            prefs.iter().find(|p| has_cjk(p)).map(|p| {
                self.fonts
                    .iter()
                    .map(|f| &f.info().family)
                    .find(|f| f.eq_ignore_ascii_case(p))
                    .cloned()
                    .unwrap_or_else(|| p.to_string())
            })
        };
        let any_cjk = self
            .families()
            .into_iter()
            .find(|f| has_cjk(f))
            .unwrap_or_else(|| FontChoice::default().body);
        let body = pick(BODY_FONTS).unwrap_or_else(|| any_cjk.clone());
        let heading = pick(HEADING_FONTS).unwrap_or_else(|| body.clone());
        let (title, title_bold) = match pick(TITLE_FONTS) {
            Some(t) => (t, false),
            None => (
                pick(TITLE_FALLBACK_FONTS).unwrap_or_else(|| body.clone()),
                true,
            ),
        };
        FontChoice {
            title,
            title_bold,
            body,
            heading,
        }
    }
}

const TITLE_FONTS: &[&str] = &[
    "FZXiaoBiaoSong-B05S",
    "FZXiaoBiaoSong-B05",
    "方正小标宋简体",
];
const TITLE_FALLBACK_FONTS: &[&str] = &[
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
];
const BODY_FONTS: &[&str] = &[
    "FangSong_GB2312",
    "仿宋_GB2312",
    "FangSong",
    "仿宋",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
];
const HEADING_FONTS: &[&str] = &[
    "SimHei",
    "黑体",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
];

fn collect_font_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), ExportError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ExportError::FontIo {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| ExportError::FontIo {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if depth < MAX_FONT_DEPTH {
                collect_font_files(&path, depth + 1, out)?;
            }
        } else if out.len() < MAX_FONT_FILES * 2 {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc" | "otc")) {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// The font families written into the typst source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontChoice {
    /// Title family (小标宋-like).
    pub title: String,
    /// Whether the title is set bold (a plain serif needs bold to look like 小标宋).
    pub title_bold: bool,
    /// Body and table family (仿宋-like).
    pub body: String,
    /// Heading family (黑体-like).
    pub heading: String,
}

impl Default for FontChoice {
    /// The choice on a machine with `fonts-noto-cjk`.
    fn default() -> Self {
        FontChoice {
            title: "Noto Serif CJK SC".into(),
            title_bold: true,
            body: "Noto Serif CJK SC".into(),
            heading: "Noto Sans CJK SC".into(),
        }
    }
}

/// A typst string literal: every text of the report enters the source only through this.
pub fn typst_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The typst source of the report's document.
pub fn typst_source(report: &Report, fonts: &FontChoice) -> String {
    let mut s = String::new();
    let title = report.title();
    let body_font = typst_str(&fonts.body);
    let _ = writeln!(
        s,
        "// {title} — generated by Gongkai from the report model; do not edit.",
        title = title.replace(['\n', '\r'], " ")
    );
    let _ = writeln!(
        s,
        "#set document(title: {}, author: {}, date: none)",
        typst_str(&title),
        typst_str(&report.body)
    );
    let _ = writeln!(
        s,
        "#set page(paper: \"a4\", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm), \
         footer-descent: 10mm, footer: context align(center, text(font: {body_font}, size: 14pt)[— #counter(page).display() —]))"
    );
    let _ = writeln!(
        s,
        "#set text(font: {body_font}, size: 16pt, lang: \"zh\", region: \"cn\", top-edge: \"ascender\", bottom-edge: \"descender\")"
    );
    s.push_str("#set par(leading: 0.75em, spacing: 0.75em, justify: true, first-line-indent: (amount: 2em, all: true))\n");
    let _ = writeln!(
        s,
        "#show heading: it => block(above: 0.75em, below: 0.75em, sticky: true, pad(left: 2em, text(font: {}, size: 16pt, weight: \"regular\", it.body)))",
        typst_str(&fonts.heading)
    );
    let _ = writeln!(
        s,
        "#align(center, block(below: 1.5em, par(first-line-indent: 0pt, justify: false, leading: 0.5em, text(font: {}, size: 22pt, weight: \"{}\", {}))))",
        typst_str(&fonts.title),
        if fonts.title_bold { "bold" } else { "regular" },
        typst_str(&title)
    );
    let all = grids(report);
    for sec in &report.spec().sections {
        let _ = writeln!(s, "\n#heading(level: 1, {})", typst_str(&sec.label));
        for p in section_paragraphs(report, &sec.key) {
            let _ = writeln!(s, "\n#par({})", typst_str(p));
        }
        let n = numeral(&sec.label);
        for g in all.iter().filter(|g| g.section == n) {
            grid_source(&mut s, g);
        }
    }
    s
}

fn grid_source(s: &mut String, g: &Grid) {
    let (size, inset) = if g.columns > 10 {
        ("9pt", "(x: 1.5pt, y: 4pt)")
    } else {
        ("10.5pt", "(x: 3pt, y: 4pt)")
    };
    let _ = writeln!(
        s,
        "\n#block(above: 0.5em, below: 1em, width: 100%)[\n#set text(size: {size}, top-edge: \"cap-height\", bottom-edge: \"baseline\")\n#set par(first-line-indent: 0pt, justify: false, leading: 0.45em)"
    );
    let cols = g
        .widths
        .iter()
        .map(|w| format!("{w}fr"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        s,
        "#table(\n  columns: ({cols},),\n  align: center + horizon,\n  inset: {inset},\n  stroke: 0.5pt + black,"
    );
    let cell = |s: &mut String, c: &gongkai_report::layout::GridCell| {
        let mut args = format!("x: {}, y: {}", c.col, c.row);
        if c.rowspan > 1 {
            let _ = write!(args, ", rowspan: {}", c.rowspan);
        }
        if c.colspan > 1 {
            let _ = write!(args, ", colspan: {}", c.colspan);
        }
        let body = typst_str(&c.text);
        let content = match &c.kind {
            CellKind::Label => {
                args.push_str(", align: left + horizon");
                body
            }
            CellKind::Header if g.section == "二" && c.colspan == g.columns => {
                format!("strong({body})")
            }
            _ => body,
        };
        let _ = writeln!(s, "  table.cell({args}, {content}),");
    };
    if g.header_rows > 0 {
        s.push_str("  table.header(repeat: true,\n");
        for c in g.rows.iter().take(g.header_rows).flatten() {
            cell(s, c);
        }
        s.push_str("  ),\n");
    }
    for c in g.rows.iter().skip(g.header_rows).flatten() {
        cell(s, c);
    }
    s.push_str(")\n]\n");
}

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The typst world of one export: the generated source and the fonts; nothing else is readable.
struct ReportWorld<'a> {
    fonts: &'a FontSet,
    main: Source,
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn diagnostics(world: &ReportWorld<'_>, diags: &[SourceDiagnostic]) -> String {
    use typst::WorldExt;
    diags
        .iter()
        .map(|d| {
            let line = world
                .range(d.span)
                .and_then(|r| world.main.text().get(..r.start))
                .map(|before| before.matches('\n').count() + 1);
            match line {
                Some(l) => format!("{} (line {l} of the generated source)", d.message),
                None => d.message.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Export a report as PDF with the fonts of `fonts`.
pub fn to_pdf(report: &Report, fonts: &FontSet) -> Result<Vec<u8>, ExportError> {
    check_limits(report)?;
    let text = typst_source(report, &fonts.choice());
    compile_pdf(text, fonts)
}

/// Compile a typst source (as made by [`typst_source`]) to PDF bytes.
pub fn compile_pdf(text: String, fonts: &FontSet) -> Result<Vec<u8>, ExportError> {
    let id = RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new("report.typ").expect("a valid virtual path"),
    )
    .intern();
    let world = ReportWorld {
        fonts,
        main: Source::new(id, text),
    };
    let Warned { output, .. } = typst::compile::<PagedDocument>(&world);
    let result = match output {
        Ok(doc) => typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
            .map_err(|e| ExportError::Pdf(diagnostics(&world, &e))),
        Err(e) => Err(ExportError::Typeset(diagnostics(&world, &e))),
    };
    // Keep typst's memoisation cache from growing without bound in a long-running server.
    typst::comemo::evict(10);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(typst_str("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(typst_str("#[x]$*_`<y>@z"), "\"#[x]$*_`<y>@z\"");
        assert_eq!(typst_str("\u{1}"), "\"\\u{1}\"");
    }

    #[test]
    fn missing_dir_is_named() {
        let e = FontSet::load(&[PathBuf::from("/nonexistent/fonts")]).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/fonts"), "{e}");
    }

    #[test]
    fn dir_without_cjk_font_is_refused() {
        let dir = std::env::temp_dir().join(format!("gk-nofonts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("broken.ttf"), b"not a font").unwrap();
        let e = FontSet::load(std::slice::from_ref(&dir)).unwrap_err();
        std::fs::remove_dir_all(&dir).ok();
        assert!(matches!(e, ExportError::NoCjkFont { .. }), "{e}");
        assert!(e.to_string().contains("fonts-noto-cjk"));
    }
}
