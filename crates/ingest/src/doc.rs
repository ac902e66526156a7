//! The normalised document every reader produces: a sequence of lines, each either a paragraph
//! or a table row of cells, with its location in the source.

/// One cell of a table row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    pub text: String,
    /// A copy made by expanding a rowspan/colspan (HTML) or gridSpan/vMerge (DOCX).
    pub spanned: bool,
    /// Horizontal position (display columns) of the cell's start and end, for PDF layout text.
    pub x: Option<(u32, u32)>,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            spanned: false,
            x: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Running text (one cell).
    Para,
    /// A table row.
    Row,
}

/// Where the line is in the source: page (PDF), and line (text, PDF: line of the page;
/// HTML/DOCX: the block's ordinal in the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    pub page: Option<u32>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub cells: Vec<Cell>,
    pub loc: Loc,
    /// Cells are placed exactly (every source cell present, spans expanded): HTML and DOCX.
    /// Tab-separated text and PDF layout text are not exact (blank cells may be missing).
    pub exact: bool,
}

impl Line {
    pub fn para(text: impl Into<String>, loc: Loc) -> Line {
        Line {
            kind: LineKind::Para,
            cells: vec![Cell::new(text)],
            loc,
            exact: false,
        }
    }

    /// All cell texts joined by a space (for headings and titles).
    pub fn joined(&self) -> String {
        let mut s = String::with_capacity(self.cells.iter().map(|c| c.text.len() + 1).sum());
        for c in &self.cells {
            if c.spanned {
                continue;
            }
            if !s.is_empty() && !c.text.is_empty() {
                s.push(' ');
            }
            s.push_str(c.text.trim());
        }
        s
    }
}

/// A source document normalised to lines.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub lines: Vec<Line>,
    /// Number of pages (PDF), if known.
    pub pages: Option<u32>,
}

impl Document {
    pub fn cell_count(&self) -> usize {
        self.lines.iter().map(|l| l.cells.len()).sum()
    }
}
