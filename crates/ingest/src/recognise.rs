//! The recogniser shared by every input kind: finds the title (body, year), the format version,
//! sections 一–六 and every statutory table by its row and column labels, and fills the report
//! with per-cell provenance. Anything it cannot place with certainty becomes an
//! `UNREADABLE-CELL` finding; the rest of the report still parses.

use crate::doc::{Document, Line, LineKind, Loc};
use crate::norm::{self, Token, Unit};
use crate::{IngestError, InputKind};
use gongkai_report::spec::ColumnType;
use gongkai_report::{
    CellKey, Decimal, Finding, FormatVersion, Report, Severity, SourceRef, Value,
};
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// The result of recognising a document.
#[derive(Debug, Clone)]
pub struct Recognised {
    pub report: Report,
    pub provenance: BTreeMap<String, SourceRef>,
    pub findings: Vec<Finding>,
}

// ---------------------------------------------------------------------------------------------
// Label tables per format version.

struct Labels {
    /// Section heading compact text (numeral kept) → section index 0..6.
    headings: HashMap<String, usize>,
    /// `第二十条第一项` → table key.
    t2_captions: HashMap<String, &'static str>,
    /// Per t2 table: row core → row key, column core → column key.
    t2_rows: HashMap<&'static str, Vec<(String, &'static str)>>,
    t2_cols: HashMap<&'static str, Vec<(String, &'static str)>>,
    /// t3 row cores → index into `t3_rows`.
    t3_map: HashMap<String, usize>,
    /// t3 rows in official order: (key, core, has_cells, parent).
    t3_rows: Vec<T3Row>,
}

#[derive(Debug, Clone)]
struct T3Row {
    key: &'static str,
    core: String,
    has_cells: bool,
    parent: Option<&'static str>,
}

const T3_ORG: [&str; 5] = [
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
];
/// Pseudo column key of an added 法人或其他组织小计 column.
const SUBTOTAL: &str = "subtotal";

fn build_labels(format: FormatVersion) -> Labels {
    let spec = format.spec();
    let mut headings = HashMap::new();
    for (i, s) in spec.sections.iter().enumerate() {
        headings.insert(norm::compact(&s.label), i);
    }
    headings.insert(
        norm::compact("五、政府信息公开工作存在的主要问题及改进情况"),
        4,
    );
    headings.insert(norm::compact("五、存在的主要问题和改进情况"), 4);
    let mut t2_captions = HashMap::new();
    let mut t2_rows = HashMap::new();
    let mut t2_cols = HashMap::new();
    let mut t3_map = HashMap::new();
    let mut t3_rows = Vec::new();
    for t in &spec.tables {
        let key: &'static str = &t.key;
        if t.is_article20() {
            t2_captions.insert(norm::compact(&t.caption), key);
            t2_rows.insert(
                key,
                t.rows
                    .iter()
                    .map(|r| (norm::core(&r.label), &*r.key))
                    .collect(),
            );
            t2_cols.insert(
                key,
                t.columns
                    .iter()
                    .map(|c| {
                        let mut core = norm::core(&c.label);
                        if let Some(i) = core.find("单位") {
                            core.truncate(i);
                        }
                        (core, &*c.key)
                    })
                    .collect(),
            );
        } else if key == "t3" {
            for r in &t.rows {
                let core = norm::canonical_core(norm::core(&r.label));
                let idx = t3_rows.len();
                t3_map.insert(core.clone(), idx);
                // Variant without the parenthetical note （区分处理的…）.
                if let Some(head) = r.label.split(['（', '(']).nth(1).and_then(|_| {
                    let stripped = norm::strip_numbering(&r.label);
                    stripped.split(['（', '(']).next()
                }) {
                    let head = norm::core(head);
                    if !head.is_empty() && head != core {
                        t3_map.entry(head).or_insert(idx);
                    }
                }
                t3_rows.push(T3Row {
                    key: &r.key,
                    core,
                    has_cells: r.has_cells,
                    parent: r.parent.as_deref(),
                });
            }
        }
    }
    Labels {
        headings,
        t2_captions,
        t2_rows,
        t2_cols,
        t3_map,
        t3_rows,
    }
}

static LABELS_2019: LazyLock<Labels> = LazyLock::new(|| build_labels(FormatVersion::V2019));
static LABELS_2021: LazyLock<Labels> = LazyLock::new(|| build_labels(FormatVersion::V2021));

fn labels(format: FormatVersion) -> &'static Labels {
    match format {
        FormatVersion::V2019 => &LABELS_2019,
        FormatVersion::V2021 => &LABELS_2021,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens of a line.

#[derive(Debug, Clone)]
struct Tok {
    token: Token,
    text: String,
    x: Option<(u32, u32)>,
    loc: Loc,
}

impl Tok {
    fn mid(&self) -> Option<f64> {
        self.x.map(|(a, b)| (f64::from(a) + f64::from(b)) / 2.0)
    }
    fn is_number(&self) -> bool {
        matches!(self.token, Token::Number { .. })
    }
}

/// Label cells (non-spanned first) and value tokens of a line.
struct Split {
    labels: Vec<String>,
    spanned_labels: Vec<String>,
    values: Vec<Tok>,
}

fn split_line(line: &Line) -> Split {
    // Tokenise, splitting cells such as `1 2` (numbers separated by spaces) into parts.
    let mut toks: Vec<(Tok, bool)> = Vec::with_capacity(line.cells.len());
    for c in &line.cells {
        let text = c.text.trim();
        // Only a cell with inner whitespace can hold several values.
        if !text.contains(char::is_whitespace) {
            toks.push((
                Tok {
                    token: norm::parse_token(text),
                    text: text.to_string(),
                    x: c.x,
                    loc: line.loc,
                },
                c.spanned,
            ));
            continue;
        }
        let parts: Vec<&str> = text.split_whitespace().collect();
        // A trailing run of numbers separated by single spaces (PDF layout text), possibly
        // after a label: `5.要求行政机关确认 0 0 0 0` or `62 10 0 0`.
        let numeric_tail = parts
            .iter()
            .rev()
            .take_while(|p| matches!(norm::parse_token(p), Token::Number { .. }))
            .count();
        if parts.len() > 1 && numeric_tail > 0 && (numeric_tail > 1 || numeric_tail < parts.len()) {
            let mut offset = 0u32;
            let start = c.x.map(|x| x.0).unwrap_or(0);
            let mut rest = text;
            let head = parts.len() - numeric_tail;
            if head > 0 {
                // The label part, up to the first number.
                let mut end = 0usize;
                let mut r = text;
                for p in &parts[..head] {
                    let at = r.find(p).unwrap_or(0);
                    end += at + p.len();
                    r = &text[end..];
                }
                let label = text[..end].trim().to_string();
                let len = text[..end].chars().count() as u32;
                toks.push((
                    Tok {
                        token: Token::Text,
                        text: label,
                        x: c.x.map(|_| (start, start + len)),
                        loc: line.loc,
                    },
                    c.spanned,
                ));
                offset = len;
                rest = &text[end..];
            }
            for p in &parts[head..] {
                let at = rest.find(p).unwrap_or(0);
                let skipped = rest[..at].chars().count() as u32;
                offset += skipped;
                let len = p.chars().count() as u32;
                toks.push((
                    Tok {
                        token: norm::parse_token(p),
                        text: p.to_string(),
                        x: c.x.map(|_| (start + offset, start + offset + len)),
                        loc: line.loc,
                    },
                    c.spanned,
                ));
                offset += len;
                rest = &rest[at + p.len()..];
            }
            let _ = offset;
            continue;
        }
        toks.push((
            Tok {
                token: norm::parse_token(text),
                text: text.to_string(),
                x: c.x,
                loc: line.loc,
            },
            c.spanned,
        ));
    }
    // The label region ends at the last text cell before the first number.
    let first_num = toks.iter().position(|(t, _)| t.is_number());
    let label_end = match first_num {
        Some(n) => toks[..n]
            .iter()
            .rposition(|(t, _)| matches!(t.token, Token::Text))
            .map(|i| i + 1)
            .unwrap_or(0),
        None => toks
            .iter()
            .rposition(|(t, _)| matches!(t.token, Token::Text))
            .map(|i| i + 1)
            .unwrap_or(0),
    };
    let mut labels = Vec::new();
    let mut spanned_labels = Vec::new();
    let value_toks = toks.split_off(label_end);
    for (t, spanned) in toks {
        if matches!(t.token, Token::Text) {
            if spanned {
                spanned_labels.push(t.text);
            } else {
                labels.push(t.text);
            }
        }
    }
    let mut values: Vec<Tok> = value_toks
        .into_iter()
        .filter(|(_, spanned)| !spanned)
        .map(|(t, _)| t)
        .collect();
    if first_num.is_none() && !values.iter().any(|t| matches!(t.token, Token::Blank)) {
        values.clear();
    }
    if !line.exact {
        while values.first().is_some_and(|t| t.token == Token::Empty) {
            values.remove(0);
        }
        while values.last().is_some_and(|t| t.token == Token::Empty) {
            values.pop();
        }
    }
    Split {
        labels,
        spanned_labels,
        values,
    }
}

// ---------------------------------------------------------------------------------------------
// Title, year, body, format.

static YEAR_RE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(20\d{2}|19\d{2})\s*年度?").expect("valid regex"));

fn parse_title(text: &str) -> Option<(Option<i32>, String)> {
    let t: String = norm::to_half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let pos = t
        .find("政府信息公开工作年度报告")
        .or_else(|| t.find("政府信息公开年度报告"))
        .or_else(|| t.find("政务公开工作年度报告"))
        .or_else(|| t.find("信息公开工作年度报告"))?;
    let head = &t[..pos];
    let year = YEAR_RE
        .captures(&t)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse().ok());
    let body = YEAR_RE.replace_all(head, "").to_string();
    let body = body
        .trim_start_matches("关于")
        .trim_matches(|c: char| matches!(c, '《' | '》' | '“' | '”' | '"' | '_' | '-' | '|'))
        .to_string();
    Some((year, body))
}

const EVIDENCE_2021: [&str; 7] = [
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "行政规范性文件",
    "逾期不补正",
    "收费通知要求缴纳费用",
    "本年收费金额",
];
const EVIDENCE_2019: [&str; 6] = [
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "第二十条第九项",
    "采购项目数量",
];
/// Every evidence word in one automaton: a line is scanned once for all of them (one
/// `str::contains` per word and line was a measurable part of reading a report).
static EVIDENCE: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::new(
        EVIDENCE_2021
            .iter()
            .chain(&EVIDENCE_2019)
            .chain(&EVIDENCE_LEGACY),
    )
    .expect("valid patterns")
});

/// How many words of each list (2021, 2019, legacy) occur in `hay`.
fn evidence_in(hay: &str) -> [usize; 3] {
    let mut seen = 0u32;
    for m in EVIDENCE.find_overlapping_iter(hay) {
        seen |= 1 << m.pattern().as_u32();
    }
    let (n21, n19) = (EVIDENCE_2021.len(), EVIDENCE_2019.len());
    let count = |from: usize, len: usize| ((seen >> from) & ((1 << len) - 1)).count_ones() as usize;
    [
        count(0, n21),
        count(n21, n19),
        count(n21 + n19, EVIDENCE_LEGACY.len()),
    ]
}

/// Words the line walk looks for in every line.
struct LineWords {
    article20: memchr::memmem::Finder<'static>,
    applicants: memchr::memmem::Finder<'static>,
    relation: memchr::memmem::Finder<'static>,
    review: memchr::memmem::Finder<'static>,
    litigation: memchr::memmem::Finder<'static>,
}

static LINE_WORDS: LazyLock<LineWords> = LazyLock::new(|| {
    let f = |w: &'static str| memchr::memmem::Finder::new(w.as_bytes());
    LineWords {
        article20: f("第二十条第"),
        applicants: f("申请人情况"),
        relation: f("勾稽关系"),
        review: f("行政复议"),
        litigation: f("行政诉讼"),
    }
});

const EVIDENCE_LEGACY: [&str; 6] = [
    "依申请公开政府信息情况",
    "政府信息公开的收费及减免情况",
    "因政府信息公开申请行政复议",
    "政府信息公开申请行政复议提起行政诉讼的情况",
    "政府信息公开工作存在的主要问题和改进措施",
    "概述",
];

// ---------------------------------------------------------------------------------------------
// The recogniser.

struct RowObs {
    row: usize,
    values: Vec<Tok>,
    label: String,
    loc: Loc,
    exact: bool,
    subtotal_of: Option<&'static str>,
    /// A row printed with its label and no value at all (every cell blank).
    blank: bool,
}

struct Ctx<'a> {
    file: &'a str,
    kind: InputKind,
    report: Report,
    /// Provenance in the order it was recorded (a later entry for a key replaces an earlier
    /// one); made a map once at the end, which is cheaper than inserting cell by cell.
    provenance: Vec<(String, SourceRef)>,
    /// The (table, row) of each provenance entry, in the same order.
    provenance_rows: Vec<(&'static str, &'static str)>,
    findings: Vec<Finding>,
    unreadable: Vec<String>,
}

impl Ctx<'_> {
    /// Record where the cell `key` (of `table`.`row`) came from.
    fn provide(&mut self, table: &'static str, row: &'static str, key: String, src: SourceRef) {
        self.provenance.push((key, src));
        self.provenance_rows.push((table, row));
    }

    fn source(&self, loc: Loc, text: &str) -> SourceRef {
        SourceRef {
            file: Some(self.file.to_string()),
            page: loc.page,
            line: Some(loc.line),
            text: Some(if text.len() <= 200 {
                text.to_string()
            } else {
                text.chars().take(200).collect()
            }),
        }
    }

    #[expect(clippy::too_many_arguments)]
    fn add(
        &mut self,
        rule: &str,
        cells: Vec<String>,
        expected: Json,
        found: Json,
        zh: String,
        en: String,
        src: Option<SourceRef>,
    ) {
        let severity = gongkai_report::rule_info(rule)
            .map(|r| r.severity)
            .unwrap_or(Severity::Error);
        self.findings.push(Finding {
            rule: rule.into(),
            severity,
            cells,
            expected,
            found,
            message: zh,
            message_en: en,
            source: src,
        });
    }

    fn unreadable(
        &mut self,
        cells: Vec<String>,
        found: &str,
        why_zh: &str,
        why_en: &str,
        loc: Loc,
    ) {
        let src = self.source(loc, found);
        let place = match loc.page {
            Some(p) => format!("第{p}页第{}行", loc.line),
            None => format!("第{}行", loc.line),
        };
        self.unreadable.extend(cells.iter().cloned());
        self.add(
            "UNREADABLE-CELL",
            cells.clone(),
            Json::Null,
            Json::String(found.to_string()),
            format!(
                "{place}：{why_zh}，无法确定地读取单元格 {}",
                cells.join("、")
            ),
            format!(
                "{}: {why_en}; cannot read {} with certainty",
                loc_en(loc),
                cells.join(", ")
            ),
            Some(src),
        );
    }

    /// Store one value with provenance; convert units of amounts.
    /// The cell is named by its parts (`&'static` labels of the format's spec), so the report
    /// needs no key parsing.
    fn store(&mut self, cell: CellKey, tok: &Tok, kind: ColumnType, label_unit: Unit) {
        let key = cell_key(cell.table, cell.row, cell.col);
        let src = self.source(tok.loc, &tok.text);
        let value = match (&tok.token, kind) {
            (Token::Empty | Token::Blank, _) => None,
            (Token::Number { value, unit, .. }, ColumnType::Amount) => {
                let unit = if *unit == Unit::None {
                    label_unit
                } else {
                    *unit
                };
                let v = match unit {
                    Unit::Yuan => {
                        let wan = (*value / Decimal::from(10_000)).normalize();
                        self.add(
                            "UNIT-CONVERTED",
                            vec![key.clone()],
                            Json::String(wan.to_string()),
                            Json::String(tok.text.clone()),
                            format!("「{}」以元为单位，已换算为{}万元", tok.text, wan),
                            format!("`{}` is in 元; converted to {} 万元", tok.text, wan),
                            Some(src.clone()),
                        );
                        wan
                    }
                    Unit::Wan => value.normalize(),
                    Unit::None => {
                        if *value >= Decimal::from(100_000) {
                            self.add(
                                "UNIT-UNCERTAIN",
                                vec![key.clone()],
                                Json::String(value.normalize().to_string()),
                                Json::String(tok.text.clone()),
                                format!(
                                    "「{}」未注明单位，数值过大，可能以元为单位；按万元读取，未换算，请核对",
                                    tok.text
                                ),
                                format!(
                                    "`{}` has no unit and is implausibly large for 万元 (maybe 元); kept as 万元, not converted — please verify",
                                    tok.text
                                ),
                                Some(src.clone()),
                            );
                        }
                        value.normalize()
                    }
                };
                Some(Value::Amount(v))
            }
            (Token::Number { value, .. }, _) => {
                if value.fract().is_zero()
                    && let Ok(n) = i64::try_from(*value)
                {
                    Some(Value::Count(n))
                } else {
                    self.unreadable(
                        vec![key],
                        &tok.text,
                        "件数不是整数",
                        "a count that is not an integer",
                        tok.loc,
                    );
                    return;
                }
            }
            (Token::Text, _) => {
                self.unreadable(vec![key], &tok.text, "不是数字", "not a number", tok.loc);
                return;
            }
        };
        if self.report.set_key(cell, value).is_ok() {
            self.provide(cell.table, cell.row, key, src);
        }
    }
}

/// `table.row.col` (without the formatting machinery: this runs for every cell).
fn cell_key(table: &str, row: &str, col: &str) -> String {
    let mut k = String::with_capacity(table.len() + row.len() + col.len() + 2);
    k.push_str(table);
    k.push('.');
    k.push_str(row);
    k.push('.');
    k.push_str(col);
    k
}

fn loc_en(loc: Loc) -> String {
    match loc.page {
        Some(p) => format!("page {p}, line {}", loc.line),
        None => format!("line {}", loc.line),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    None,
    T2(Option<&'static str>),
    T3,
    T4,
}

/// Recognise a normalised document.
pub fn recognise(doc: &Document, file: &str, kind: InputKind) -> Result<Recognised, IngestError> {
    // --- title, year, body ------------------------------------------------------------------
    let joined: Vec<String> = doc.lines.iter().map(Line::joined).collect();
    let compacts: Vec<String> = joined
        .iter()
        .map(|j| {
            // Long paragraphs are never headings, captions or labels.
            if j.len() > 600 {
                String::new()
            } else {
                norm::compact(j)
            }
        })
        .collect();
    let mut title: Option<(Option<i32>, String, usize)> = None;
    for i in 0..doc.lines.len().min(60) {
        let mut text = joined[i].clone();
        // A title wrapped over two or three lines (PDF).
        if !text.contains("报告") {
            if !text.contains('年') && !text.contains("政府信息") {
                continue;
            }
            for next in joined.iter().skip(i + 1).take(2) {
                text.push_str(next);
                if text.contains("年度报告") {
                    break;
                }
            }
        }
        if !text.contains("报告") {
            continue;
        }
        if let Some((y, b)) = parse_title(&text) {
            let better = match &title {
                None => true,
                Some((ty, tb, _)) => {
                    (ty.is_none() && y.is_some()) || (tb.is_empty() && !b.is_empty() && y.is_some())
                }
            };
            if better {
                title = Some((y, b, i));
            }
            if title
                .as_ref()
                .is_some_and(|t| t.0.is_some() && !t.1.is_empty())
            {
                break;
            }
        }
    }
    // Evidence of the format version.
    let mut ev21 = 0usize;
    let mut ev19 = 0usize;
    let mut legacy = 0usize;
    let mut first_year: Option<i32> = None;
    for (i, c) in compacts.iter().enumerate() {
        let by_format = c.len() <= 180 || doc.lines[i].kind == LineKind::Row;
        if by_format || c.len() < 90 {
            let [n21, n19, nl] = evidence_in(c);
            if by_format {
                ev21 += n21;
                ev19 += n19;
            }
            if c.len() < 90 {
                legacy += nl;
            }
        }
        if first_year.is_none()
            && let Some(m) = YEAR_RE.captures(&joined[i]).and_then(|c| c.get(1))
        {
            first_year = m.as_str().parse().ok();
        }
    }
    let year = title
        .as_ref()
        .and_then(|t| t.0)
        .or(first_year)
        .ok_or_else(|| IngestError::NotAReport("找不到报告年度 (no report year found)".into()))?;
    let mut body = title.as_ref().map(|t| t.1.clone()).unwrap_or_default();
    // The body's name on its own line above a title that has none
    // (`某某县人民政府` / `2023年政府信息公开工作年度报告`).
    if body.is_empty()
        && let Some((_, _, i)) = &title
        && *i > 0
    {
        let prev = norm::to_half_width(joined[*i - 1].trim());
        let prev: String = prev.chars().filter(|c| !c.is_whitespace()).collect();
        const SUFFIXES: [&str; 12] = [
            "政府",
            "局",
            "委员会",
            "办公室",
            "办公厅",
            "办事处",
            "镇",
            "乡",
            "厅",
            "委",
            "中心",
            "院",
        ];
        if !prev.is_empty()
            && prev.chars().count() <= 30
            && !prev.chars().any(|c| c.is_ascii_digit())
            && SUFFIXES.iter().any(|s| prev.ends_with(s))
        {
            body = prev;
        }
    }
    if year <= 2018 || (ev19 == 0 && ev21 == 0 && legacy >= 2) {
        return Err(IngestError::Unsupported {
            year: Some(year),
            body,
            reason: if year <= 2018 {
                format!("{year}年度报告早于2019年格式（国办公开办函〔2019〕60号），为旧格式")
            } else {
                "未见2019年或2021年格式的统计表，正文结构为2019年以前的旧格式".into()
            },
        });
    }
    let by_year = FormatVersion::for_year(year);
    let format = if ev21 >= 2 && ev21 > ev19 * 2 {
        FormatVersion::V2021
    } else if ev19 >= 2 && ev19 > ev21 * 2 {
        FormatVersion::V2019
    } else {
        by_year
    };
    let lab = labels(format);
    let mut ctx = Ctx {
        file,
        kind,
        report: Report::blank(format, year, body),
        provenance: Vec::new(),
        provenance_rows: Vec::new(),
        findings: Vec::new(),
        unreadable: Vec::new(),
    };

    // --- walk the lines -----------------------------------------------------------------------
    let start = title.as_ref().map(|t| t.2 + 1).unwrap_or(0);
    let mut section: Option<usize> = None;
    let mut section_lines: Vec<Vec<&Line>> = vec![Vec::new(); 6];
    let mut mode = Mode::None;
    let mut t2_obs: Vec<(&'static str, &'static str, Vec<Tok>, Loc, bool)> = Vec::new();
    let mut t2_layout: HashMap<&'static str, (Vec<Option<&'static str>>, Unit)> = HashMap::new();
    let mut t2_header_x: HashMap<&'static str, Vec<f64>> = HashMap::new();
    let mut t3_obs: Vec<RowObs> = Vec::new();
    let mut t3_cols: Vec<&'static str> = default_t3_cols(false);
    let mut t3_seen_header = false;
    // Inside a (repeated) header block: value-less lines up to the next data row are header.
    let mut t3_in_header = false;
    let mut t3_header_parts: Vec<(Option<u32>, Vec<f64>)> = Vec::new();
    let mut t4_header_x: Vec<f64> = Vec::new();
    let mut t4_header_parts: Vec<(Option<u32>, Vec<f64>)> = Vec::new();
    let mut t4_obs: Vec<(Vec<Tok>, Loc, bool)> = Vec::new();
    let mut found_tables: Vec<&'static str> = Vec::new();
    let mut pending_label = String::new();
    let mut last_t3: Option<usize> = None;

    for (li, line) in doc.lines.iter().enumerate().skip(start) {
        let compact = &compacts[li];
        // Section headings.
        // Top-level headings are numbered `一、`; `（一）…` is a sub-heading inside a section.
        if compact.chars().count() <= 40
            && !joined[li].trim_start().starts_with(['（', '('])
            && let Some(idx) = lab
                .headings
                .get(compact)
                .copied()
                .or_else(|| heading_variant(&joined[li]))
            && section.is_none_or(|s| idx > s)
        {
            section = Some(idx);
            mode = match idx {
                1 => Mode::T2(None),
                2 => Mode::T3,
                3 => Mode::T4,
                _ => Mode::None,
            };
            pending_label.clear();
            continue;
        }
        // Captions of the 第二十条 tables.
        let words = &*LINE_WORDS;
        let has = |f: &memchr::memmem::Finder<'_>| f.find(compact.as_bytes()).is_some();
        if let Some(pos) = words.article20.find(compact.as_bytes())
            && compact[pos..].contains('项')
            && compact.chars().count() <= 40
        {
            let cap: String = {
                let rest = &compact[pos..];
                let end = rest
                    .find('项')
                    .map(|i| i + '项'.len_utf8())
                    .unwrap_or(rest.len());
                rest[..end].to_string()
            };
            let key = lab.t2_captions.get(&cap).copied();
            if let Some(k) = key {
                found_tables.push(k);
            }
            mode = Mode::T2(key);
            continue;
        }
        if mode != Mode::T3
            && (has(&words.applicants) || has(&words.relation))
            && section.is_none_or(|s| s <= 2)
        {
            mode = Mode::T3;
        }
        if mode != Mode::T4
            && line.kind == LineKind::Row
            && has(&words.review)
            && has(&words.litigation)
            && section.is_none_or(|s| s <= 3)
        {
            mode = Mode::T4;
        }
        if let Some(s) = section
            && matches!(s, 0 | 4 | 5)
            && mode == Mode::None
        {
            section_lines[s].push(line);
            continue;
        }
        match mode {
            Mode::None => {}
            Mode::T2(None) => {}
            Mode::T2(Some(tkey)) => {
                let sp = split_line(line);
                let cores: Vec<String> = sp.labels.iter().map(|l| norm::core(l)).collect();
                if cores.iter().any(|c| c == "信息内容")
                    || (sp.values.iter().all(|v| !v.is_number())
                        && cores
                            .iter()
                            .any(|c| lab.t2_cols[tkey].iter().any(|(cc, _)| cc == c)))
                {
                    // Header: the columns in printed order, and the unit the labels state.
                    let mut cols = Vec::new();
                    let mut unit = Unit::None;
                    for (l, c) in sp.labels.iter().zip(&cores) {
                        if c == "信息内容" {
                            continue;
                        }
                        let c_trim = match c.find("单位") {
                            Some(i) => &c[..i],
                            None => c.as_str(),
                        };
                        let hw = norm::to_half_width(l);
                        if hw.contains("万元") {
                            unit = Unit::Wan;
                        } else if hw.contains("(元)")
                            || hw.contains("单位:元")
                            || hw.ends_with('元')
                        {
                            unit = Unit::Yuan;
                        }
                        let col = lab.t2_cols[tkey]
                            .iter()
                            .find(|(cc, _)| {
                                cc == c_trim
                                    || c_trim.trim_end_matches("元").trim_end_matches("万") == cc
                            })
                            .map(|(_, k)| *k);
                        cols.push(col);
                    }
                    // Column positions (PDF layout text), to place rows with blank cells.
                    let xs: Vec<f64> = line
                        .cells
                        .iter()
                        .filter(|c| {
                            let cc = norm::core(&c.text);
                            let cc = match cc.find("单位") {
                                Some(i) => cc[..i].to_string(),
                                None => cc,
                            };
                            lab.t2_cols[tkey].iter().any(|(k, _)| *k == cc)
                        })
                        .filter_map(|c| c.x.map(|(a, b)| (f64::from(a) + f64::from(b)) / 2.0))
                        .collect();
                    if xs.len() == cols.len() {
                        t2_header_x.insert(tkey, xs);
                    }
                    if cols.iter().any(Option::is_some) {
                        t2_layout.insert(tkey, (cols, unit));
                    }
                    continue;
                }
                let row = sp.labels.iter().rev().find_map(|l| {
                    let c = norm::core(l);
                    lab.t2_rows[tkey]
                        .iter()
                        .find(|(rc, _)| *rc == c)
                        .map(|(_, k)| *k)
                });
                let row = row.or_else(|| {
                    let text: String = sp.labels.concat();
                    fuzzy_best(
                        &norm::core(&text),
                        lab.t2_rows[tkey].iter().map(|(c, k)| (c.as_str(), *k)),
                    )
                });
                if let Some(r) = row
                    && !sp.values.is_empty()
                {
                    t2_obs.push((tkey, r, sp.values, line.loc, line.exact));
                }
            }
            Mode::T3 => {
                let sp = split_line(line);
                let has_values = sp.values.iter().any(|v| v.token != Token::Empty);
                if !has_values {
                    let cores: Vec<String> = sp.labels.iter().map(|l| norm::core(l)).collect();
                    // Before the first data row every line without values is header.
                    let raw = sp.labels.concat();
                    // After a header repeated on a new page, the first label (without values on
                    // its own line in layout text) starts a row, not more header.
                    if t3_in_header
                        && !t3_obs.is_empty()
                        && !is_t3_header(&cores)
                        && looks_like_row_start(&raw)
                    {
                        t3_in_header = false;
                    }
                    if is_t3_header(&cores) || t3_obs.is_empty() || t3_in_header {
                        t3_seen_header = true;
                        t3_in_header = true;
                        if !line.exact {
                            t3_header_parts.push((line.loc.page, part_mids(line)));
                        }
                        if let Some(cols) = t3_layout_from_header(&cores) {
                            t3_cols = cols;
                        }
                        pending_label.clear();
                    } else if let Some(idx) = exact_t3_row(lab, &sp).or_else(|| {
                        (!line.exact)
                            .then(|| blank_row_fuzzy(lab, &sp, last_t3))
                            .flatten()
                    }) {
                        // A row whose every cell is blank. If a later line carries this row's
                        // values (a label above its numbers in layout text), that line wins.
                        t3_obs.push(RowObs {
                            row: idx,
                            values: Vec::new(),
                            label: sp.labels.join(" "),
                            loc: line.loc,
                            exact: line.exact,
                            subtotal_of: None,
                            blank: true,
                        });
                        pending_label.clear();
                        pending_label.push_str(&sp.labels.concat());
                    } else if line.kind == LineKind::Para || !line.exact {
                        pending_label.push_str(&sp.labels.concat());
                        pending_label.push_str(&sp.spanned_labels.concat());
                    }
                    continue;
                }
                let _ = t3_seen_header;
                t3_in_header = false;
                let m = match_t3(lab, &sp, &pending_label, last_t3);
                pending_label.clear();
                match m {
                    Some(T3Match::Row(idx)) => {
                        last_t3 = Some(idx);
                        t3_obs.push(RowObs {
                            row: idx,
                            values: sp.values,
                            label: sp.labels.join(" "),
                            loc: line.loc,
                            exact: line.exact,
                            subtotal_of: None,
                            blank: false,
                        });
                    }
                    Some(T3Match::Subtotal(group)) => {
                        t3_obs.push(RowObs {
                            row: usize::MAX,
                            values: sp.values,
                            label: sp.labels.join(" "),
                            loc: line.loc,
                            exact: line.exact,
                            subtotal_of: Some(group),
                            blank: false,
                        });
                    }
                    // A lone `无` in layout text that names no row is a character of a
                    // vertical group label (`(四)无法提供` one character per line, maybe beside
                    // a piece of another vertical label), not a row of blank cells.
                    None if !line.exact && sp.values.len() == 1 && sp.values[0].text == "无" => {}
                    None => {
                        let text = line.joined();
                        ctx.unreadable(
                            vec![],
                            &text,
                            "表三中有一行数字无法对应到任何统计行",
                            "a row of numbers in table 3 matches no statutory row",
                            line.loc,
                        );
                    }
                }
                let _ = &t3_cols;
            }
            Mode::T4 => {
                let sp = split_line(line);
                let numbers = sp.values.iter().filter(|v| v.is_number()).count();
                if numbers == 0 {
                    // Header lines: remember the positions of the 15 column labels (PDF).
                    if !line.exact {
                        t4_header_parts.push((line.loc.page, part_mids(line)));
                    }
                    for c in &line.cells {
                        let core = norm::core(&c.text);
                        if matches!(
                            core.as_str(),
                            "结果维持" | "结果纠正" | "其他结果" | "尚未审结" | "总计"
                        ) && let Some((a, b)) = c.x
                        {
                            t4_header_x.push((f64::from(a) + f64::from(b)) / 2.0);
                        }
                    }
                    if !sp.values.is_empty() && t4_obs.is_empty() && sp.values.len() == 15 {
                        t4_obs.push((sp.values, line.loc, line.exact));
                    }
                    continue;
                }
                if t4_obs.iter().any(|(v, _, _)| v.iter().any(Tok::is_number)) {
                    continue;
                }
                t4_obs.retain(|(v, _, _)| v.iter().any(Tok::is_number));
                t4_obs.push((sp.values, line.loc, line.exact));
            }
        }
    }
    if !t3_obs.is_empty() {
        found_tables.push("t3");
    }
    if !t4_obs.is_empty() {
        found_tables.push("t4");
    }
    if found_tables.is_empty() {
        if legacy >= 1 {
            return Err(IngestError::Unsupported {
                year: Some(year),
                body: ctx.report.body.clone(),
                reason: "未见2019年或2021年格式的统计表，正文结构为2019年以前的旧格式".into(),
            });
        }
        return Err(IngestError::NotAReport(
            "未找到任何法定统计表（第二十条各表、表三、表四） (no statutory table found)".into(),
        ));
    }

    // --- sections --------------------------------------------------------------------------------
    for (i, key) in [(0usize, "s1"), (4, "s5"), (5, "s6")] {
        let text = section_text(&section_lines[i], kind);
        if !text.is_empty() {
            ctx.report.sections.insert(key.into(), text);
        }
    }

    // --- tables ----------------------------------------------------------------------------------
    place_t2(&mut ctx, t2_obs, &t2_layout, &t2_header_x);
    place_t3(&mut ctx, lab, t3_obs, &t3_cols, &t3_header_parts);
    place_t4(&mut ctx, t4_obs, &t4_header_x, &t4_header_parts);

    // Rows of located tables that never appeared.
    let spec = format.spec();
    let mut touched: Vec<(&str, &str)> = ctx.provenance_rows.clone();
    touched.extend(ctx.unreadable.iter().filter_map(|k| {
        let mut it = k.split('.');
        Some((it.next()?, it.next()?))
    }));
    // Cells of a row are recorded together: drop those repeats before sorting.
    touched.dedup();
    touched.sort_unstable();
    touched.dedup();
    /// A table, whether it was located, and its rows not found (label, cell keys).
    type Missing = (
        &'static gongkai_report::TableSpec,
        bool,
        Vec<(String, Vec<String>)>,
    );
    let mut missing_by_table: Vec<Missing> = Vec::new();
    for t in &spec.tables {
        let located = found_tables.contains(&&*t.key);
        let mut missing_rows: Vec<(String, Vec<String>)> = Vec::new();
        for r in t.data_rows() {
            if touched
                .binary_search(&(t.key.as_str(), r.key.as_str()))
                .is_ok()
            {
                continue;
            }
            let keys: Vec<String> = t
                .columns
                .iter()
                .map(|c| format!("{}.{}.{}", t.key, r.key, c.key))
                .collect();
            missing_rows.push((r.label.clone(), keys));
        }
        if !missing_rows.is_empty() {
            missing_by_table.push((t, located, missing_rows));
        }
    }
    drop(touched);
    for (t, located, missing_rows) in missing_by_table {
        if !located {
            let cells: Vec<String> = missing_rows.into_iter().flat_map(|(_, k)| k).collect();
            ctx.unreadable.extend(cells.iter().cloned());
            let name = if t.is_article20() {
                t.caption.clone()
            } else if t.key == "t3" {
                "表三".into()
            } else {
                "表四".into()
            };
            ctx.add(
                "UNREADABLE-CELL",
                cells,
                Json::Null,
                Json::Null,
                format!("未找到{name}，其单元格无法读取"),
                format!("table {} not found; its cells cannot be read", t.key),
                Some(SourceRef {
                    file: Some(file.to_string()),
                    ..SourceRef::default()
                }),
            );
        } else {
            for (label, keys) in missing_rows {
                ctx.unreadable.extend(keys.iter().cloned());
                ctx.add(
                    "UNREADABLE-CELL",
                    keys,
                    Json::Null,
                    Json::Null,
                    format!("未找到「{label}」行，其单元格无法读取"),
                    format!("row `{label}` of {} not found", t.key),
                    Some(SourceRef {
                        file: Some(file.to_string()),
                        ..SourceRef::default()
                    }),
                );
            }
        }
    }
    let _ = ctx.kind;
    // The last entry recorded for a key wins, as with repeated inserts (the sort is stable).
    // Sorted by index (entries are large to move).
    let mut order: Vec<(&str, usize)> = ctx
        .provenance
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    // Ties keep the order recorded (the index breaks them).
    order.sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
    let mut prov: Vec<Option<(String, SourceRef)>> = ctx.provenance.into_iter().map(Some).collect();
    let mut provenance: Vec<(String, SourceRef)> = Vec::with_capacity(prov.len());
    for i in order {
        let Some((k, v)) = prov[i].take() else {
            continue;
        };
        match provenance.last_mut() {
            Some(last) if last.0 == k => last.1 = v,
            _ => provenance.push((k, v)),
        }
    }
    Ok(Recognised {
        report: ctx.report,
        provenance: provenance.into_iter().collect(),
        findings: ctx.findings,
    })
}

/// Headings worded differently from the format (`五、存在问题及改进情况`,
/// `三、收到和处理政府信息公开申请的情况` …): the numeral `X、` and the section's key words.
fn heading_variant(text: &str) -> Option<usize> {
    let t = norm::to_half_width(text.trim());
    let mut chars = t.chars();
    let idx = match chars.next()? {
        '一' => 0,
        '二' => 1,
        '三' => 2,
        '四' => 3,
        '五' => 4,
        '六' => 5,
        _ => return None,
    };
    if !matches!(chars.next(), Some('、' | '.' | '．' | ' ' | ',')) {
        return None;
    }
    let rest = norm::compact(chars.as_str());
    if rest.chars().count() > 30 {
        return None;
    }
    let ok = match idx {
        0 => rest.contains("总体情况"),
        1 => rest.contains("主动公开"),
        2 => rest.contains("申请") && (rest.contains("收到") || rest.contains("处理")),
        3 => rest.contains("行政复议") || rest.contains("行政诉讼"),
        4 => rest.contains("问题") && rest.contains("改进"),
        _ => rest.contains("其他需要报告"),
    };
    ok.then_some(idx)
}

// ---------------------------------------------------------------------------------------------
// Section text.

fn ends_sentence(s: &str) -> bool {
    s.ends_with([
        '。', '！', '？', '；', '：', '!', '?', ';', ':', '”', '」', '…',
    ])
}

fn starts_heading(s: &str) -> bool {
    let t = s.trim_start();
    let mut chars = t.chars();
    match chars.next() {
        Some('（' | '(') => {
            let inner: String = chars.take_while(|c| *c != '）' && *c != ')').collect();
            !inner.is_empty()
                && inner.chars().count() <= 3
                && inner
                    .chars()
                    .all(|c| "一二三四五六七八九十0123456789".contains(c))
        }
        Some(c) if "一二三四五六七八九十".contains(c) => {
            let n: String = t
                .chars()
                .take_while(|c| "一二三四五六七八九十".contains(*c))
                .collect();
            let rest = &t[n.len()..];
            rest.starts_with('、') || rest.starts_with("是")
        }
        Some(c) if c.is_ascii_digit() => {
            let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.starts_with(['、', '.', '．'])
        }
        _ => false,
    }
}

fn section_text(lines: &[&Line], kind: InputKind) -> String {
    let mut paras: Vec<String> = Vec::new();
    let mut open = false;
    for line in lines {
        let text = if line.kind == LineKind::Para {
            line.cells[0].text.trim().to_string()
        } else {
            line.cells
                .iter()
                .filter(|c| !c.spanned)
                .map(|c| c.text.trim())
                .collect::<Vec<_>>()
                .join("")
        };
        if text.is_empty() || norm::is_page_number(&text) {
            continue;
        }
        if open
            && let Some(prev) = paras.last_mut()
            && !starts_heading(&text)
            && !(starts_heading(prev) && prev.chars().count() < 40 && !prev.contains('。'))
        {
            let mut t = text.as_str();
            // Copied web pages repeat the last character before a page break.
            if kind == InputKind::Text
                && let (Some(a), Some(b)) = (prev.chars().last(), t.chars().next())
                && a == b
                && !a.is_ascii_digit()
            {
                t = &t[b.len_utf8()..];
            }
            let joins_ascii = prev
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric())
                && t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
            if joins_ascii {
                prev.push(' ');
            }
            prev.push_str(t);
        } else {
            paras.push(text.clone());
        }
        open = !ends_sentence(paras.last().map(String::as_str).unwrap_or(""));
    }
    paras.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Fuzzy matching for labels broken by PDF layout.

fn lcs_len(a: &[char], b: &[char]) -> usize {
    // Longest common substring, O(n·m) with one row.
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for ca in a {
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb { prev[j] + 1 } else { 0 };
            best = best.max(cur[j + 1]);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    best
}

fn fuzzy_score(text: &[char], core: &str) -> Option<usize> {
    let c: Vec<char> = core.chars().collect();
    if c.is_empty() || text.is_empty() {
        return None;
    }
    let l = lcs_len(text, &c);
    let need = c.len().min(4);
    (l >= need && (l * 3 >= c.len().min(text.len()) || l >= 8)).then_some(l)
}

fn fuzzy_best<'a, K: Copy>(text: &str, cands: impl Iterator<Item = (&'a str, K)>) -> Option<K> {
    let t: Vec<char> = text.chars().collect();
    let mut best: Option<(usize, K)> = None;
    let mut tie = false;
    for (core, k) in cands {
        if let Some(s) = fuzzy_score(&t, core) {
            match best {
                Some((b, _)) if s < b => {}
                Some((b, _)) if s == b => tie = true,
                _ => {
                    best = Some((s, k));
                    tie = false;
                }
            }
        }
    }
    if tie { None } else { best.map(|b| b.1) }
}

enum T3Match {
    Row(usize),
    Subtotal(&'static str),
}

fn match_t3(lab: &Labels, sp: &Split, pending: &str, last: Option<usize>) -> Option<T3Match> {
    let lookup = |l: &str| -> Option<T3Match> {
        let c = norm::canonical_core(norm::core(l));
        if c.is_empty() {
            return None;
        }
        if c == "小计" || c == "合计" {
            // The group named in the same row (a merged group cell), else the last row's group.
            let named = sp.labels.iter().chain(&sp.spanned_labels).find_map(|o| {
                let oc = norm::core(o);
                let i = *lab.t3_map.get(&oc)?;
                (!lab.t3_rows[i].has_cells).then_some(lab.t3_rows[i].key)
            });
            let group = named
                .filter(|g| *g != "results")
                .or_else(|| last.and_then(|i| lab.t3_rows[i].parent))?;
            return Some(T3Match::Subtotal(group));
        }
        let idx = *lab.t3_map.get(&c)?;
        let r = &lab.t3_rows[idx];
        if r.has_cells {
            Some(T3Match::Row(idx))
        } else if r.key == "results" {
            Some(T3Match::Subtotal("results"))
        } else {
            Some(T3Match::Subtotal(r.key))
        }
    };
    for l in sp.labels.iter().rev() {
        if let Some(m) = lookup(l) {
            return Some(m);
        }
    }
    for l in sp.spanned_labels.iter().rev() {
        if let Some(m @ T3Match::Row(_)) = lookup(l) {
            return Some(m);
        }
    }
    // Fuzzy: the label split over lines (PDF). Only rows after the last matched one. Each
    // part is cored on its own, so a group label's numbering that lands between two lines of
    // a wrapped row label (`1.申请人…补正、` / `(六)  行政机关…公开`) is not kept in the middle.
    let mut text = norm::core(pending);
    for l in &sp.labels {
        text.push_str(&norm::core(l));
    }
    let core = norm::canonical_core(text);
    if core.is_empty() {
        return None;
    }
    let after = last.map(|i| i + 1).unwrap_or(0);
    let cands = lab
        .t3_rows
        .iter()
        .enumerate()
        .skip(after)
        .filter(|(_, r)| r.has_cells)
        .map(|(i, r)| (r.core.as_str(), i));
    fuzzy_best(&core, cands).map(T3Match::Row)
}

/// A label-only layout line that names a data row almost completely (a blank row whose label
/// wraps): at least three quarters of the row's label, among rows after the last one found.
fn blank_row_fuzzy(lab: &Labels, sp: &Split, last: Option<usize>) -> Option<usize> {
    let text = norm::canonical_core(norm::core(&sp.labels.concat()));
    let t: Vec<char> = text.chars().collect();
    if t.len() < 4 {
        return None;
    }
    let after = last.map(|i| i + 1).unwrap_or(0);
    let mut best: Option<(usize, usize)> = None;
    for (i, r) in lab.t3_rows.iter().enumerate().skip(after) {
        if !r.has_cells {
            continue;
        }
        let c: Vec<char> = r.core.chars().collect();
        let l = lcs_len(&t, &c);
        // The first line of a wrapped label is a prefix of the row's label.
        let prefix = t.len() >= 6 && t.len() * 2 >= c.len() && r.core.starts_with(&text);
        if ((l * 4 >= c.len() * 3 && l >= 4) || prefix) && best.is_none_or(|(b, _)| l > b) {
            best = Some((l, i));
        }
    }
    best.map(|b| b.1)
}

/// A data row of table 三 named exactly by one of the line's labels.
fn exact_t3_row(lab: &Labels, sp: &Split) -> Option<usize> {
    sp.labels
        .iter()
        .rev()
        .chain(sp.spanned_labels.iter().rev())
        .find_map(|l| {
            let c = norm::canonical_core(norm::core(l));
            let idx = *lab.t3_map.get(&c)?;
            lab.t3_rows[idx].has_cells.then_some(idx)
        })
}

fn default_t3_cols(subtotal: bool) -> Vec<&'static str> {
    let mut v = vec!["natural_person"];
    v.extend(T3_ORG);
    if subtotal {
        v.push(SUBTOTAL);
    }
    v.push("total");
    v
}

fn is_t3_header(cores: &[String]) -> bool {
    cores.iter().any(|c| {
        c.contains("申请人情况")
            || c.contains("勾稽关系")
            || c.starts_with("自然")
            || c.contains("法人或其他组织")
            || matches!(
                c.as_str(),
                "商业企业"
                    | "科研机构"
                    | "社会公益组织"
                    | "法律服务机构"
                    | "总计"
                    | "小计"
                    | "商业"
                    | "企业"
                    | "科研"
                    | "机构"
            )
    })
}

/// The value columns of table 三 as the header prints them (a 小计 column may be added).
fn t3_layout_from_header(cores: &[String]) -> Option<Vec<&'static str>> {
    let mut org: Vec<&'static str> = Vec::new();
    let mut subtotal_seen = false;
    for c in cores {
        let k = match c.as_str() {
            "商业企业" => "commercial",
            "科研机构" => "research",
            "社会公益组织" => "social_welfare",
            "法律服务机构" => "legal_service",
            "其他" => "other_org",
            "小计" | "法人或其他组织小计" => {
                subtotal_seen = true;
                SUBTOTAL
            }
            _ => continue,
        };
        if !org.contains(&k) {
            org.push(k);
        }
    }
    let real = org.iter().filter(|k| **k != SUBTOTAL).count();
    if real == 5 {
        let mut v = vec!["natural_person"];
        v.extend(org);
        v.push("total");
        return Some(v);
    }
    if subtotal_seen {
        return Some(default_t3_cols(true));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Placing values.

/// Try the split-number repair: merge two adjacent single digits so the row has `n` values
/// and `adds_up` holds. Returns the repaired tokens and the merged index.
fn repair_split(
    values: &[Tok],
    n: usize,
    adds_up: &dyn Fn(&[Tok]) -> bool,
) -> Option<(Vec<Tok>, usize)> {
    if values.len() != n + 1 {
        return None;
    }
    let mut found: Option<(Vec<Tok>, usize)> = None;
    for i in 0..values.len() - 1 {
        let (a, b) = (&values[i], &values[i + 1]);
        let both = matches!(
            a.token,
            Token::Number {
                single_digit: true,
                ..
            }
        ) && matches!(
            b.token,
            Token::Number {
                single_digit: true,
                ..
            }
        );
        if !both {
            continue;
        }
        let text = format!("{}{}", a.text, b.text);
        let mut merged: Vec<Tok> = values[..i].to_vec();
        merged.push(Tok {
            token: norm::parse_token(&text),
            text,
            x: match (a.x, b.x) {
                (Some(x), Some(y)) => Some((x.0, y.1)),
                _ => None,
            },
            loc: a.loc,
        });
        merged.extend_from_slice(&values[i + 2..]);
        if adds_up(&merged) {
            if found.is_some() {
                return None; // ambiguous
            }
            found = Some((merged, i));
        }
    }
    found
}

fn num(t: &Tok) -> Decimal {
    match t.token {
        Token::Number { value, .. } => value,
        _ => Decimal::ZERO,
    }
}

/// Assign tokens to `n` columns by position, given column centres (PDF layout text).
fn by_position(values: &[Tok], centres: &[f64]) -> Option<Vec<Option<Tok>>> {
    if centres.is_empty() {
        return None;
    }
    let mut out: Vec<Option<Tok>> = vec![None; centres.len()];
    for t in values {
        if t.token == Token::Empty {
            continue;
        }
        let m = t.mid()?;
        let (best, _) = centres
            .iter()
            .enumerate()
            .map(|(i, c)| (i, (c - m).abs()))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        if out[best].is_some() {
            return None;
        }
        out[best] = Some(t.clone());
    }
    Some(out)
}

fn split_repaired_finding(ctx: &mut Ctx<'_>, cells: Vec<String>, merged: &Tok, parts: &str) {
    let src = ctx.source(merged.loc, parts);
    ctx.add(
        "SPLIT-NUMBER-REPAIRED",
        cells,
        Json::String(merged.text.clone()),
        Json::String(parts.to_string()),
        format!(
            "「{parts}」是被拆开的一个数字，按{}读取（合并后该行数字相符）",
            merged.text
        ),
        format!(
            "`{parts}` read as the split number {} (the row adds up once merged)",
            merged.text
        ),
        Some(src),
    );
}

fn place_t2(
    ctx: &mut Ctx<'_>,
    obs: Vec<(&'static str, &'static str, Vec<Tok>, Loc, bool)>,
    layout: &HashMap<&'static str, (Vec<Option<&'static str>>, Unit)>,
    header_x: &HashMap<&'static str, Vec<f64>>,
) {
    let spec = ctx.report.format.spec();
    let mut done: Vec<(&str, &str)> = Vec::new();
    for (tkey, rkey, mut values, loc, exact) in obs {
        if done.contains(&(tkey, rkey)) {
            continue;
        }
        done.push((tkey, rkey));
        let table = spec.table(tkey).expect("own table");
        let (cols, unit): (Vec<Option<&str>>, Unit) = match layout.get(tkey) {
            Some((c, u))
                if c.len() >= table.columns.len()
                    || c.iter().flatten().count() == table.columns.len() =>
            {
                (c.clone(), *u)
            }
            Some((_, u)) => (table.columns.iter().map(|c| Some(&*c.key)).collect(), *u),
            None => (
                table.columns.iter().map(|c| Some(&*c.key)).collect(),
                Unit::None,
            ),
        };
        while values.len() > cols.len() && values.last().is_some_and(|t| t.token == Token::Empty) {
            values.pop();
        }
        let keys: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("{tkey}.{rkey}.{}", c.key))
            .collect();
        if values.len() < cols.len()
            && !exact
            && let Some(xs) = header_x.get(tkey)
            && let Some(slots) = by_position(&values, xs)
        {
            for (slot, col) in slots.iter().zip(&cols) {
                let Some(col) = col else { continue };
                let cs = table.column(col).expect("own column");
                match slot {
                    Some(tok) => ctx.store(
                        CellKey {
                            table: tkey,
                            row: rkey,
                            col,
                        },
                        tok,
                        cs.kind,
                        unit,
                    ),
                    None => {
                        let key = cell_key(tkey, rkey, col);
                        // Nothing printed at this column's position: a blank cell.
                        let src = ctx.source(loc, "");
                        ctx.provide(tkey, rkey, key, src);
                    }
                }
            }
            continue;
        }
        if values.len() != cols.len() {
            if values.len() < cols.len() {
                let text: Vec<&str> = values.iter().map(|t| t.text.as_str()).collect();
                ctx.unreadable(
                    keys,
                    &text.join(" "),
                    "该行数字个数少于列数",
                    "fewer values than columns",
                    loc,
                );
                continue;
            }
            let text: Vec<&str> = values.iter().map(|t| t.text.as_str()).collect();
            ctx.unreadable(
                keys,
                &text.join(" "),
                "该行数字个数多于列数",
                "more values than columns",
                loc,
            );
            continue;
        }
        for (tok, col) in values.iter().zip(&cols) {
            let Some(col) = col else { continue };
            let cs = table.column(col).expect("own column");
            ctx.store(
                CellKey {
                    table: tkey,
                    row: rkey,
                    col,
                },
                tok,
                cs.kind,
                unit,
            );
        }
    }
}

/// Whether a label begins with a row numbering of table 三 (`4.`, `4、`, `（六）`, `四、`).
fn looks_like_row_start(label: &str) -> bool {
    let t = label.trim_start();
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let second = chars.next();
    let numeral = |c: char| "一二三四五六七八九十".contains(c);
    match first {
        '0'..='9' | '０'..='９' => matches!(second, Some('.' | '、' | '．' | '。')),
        '（' | '(' => second.is_some_and(numeral),
        c if numeral(c) => second == Some('、'),
        _ => false,
    }
}

/// Horizontal centres of the space-separated parts of a layout line (header fragments such as
/// the first characters of vertically printed column labels).
fn part_mids(line: &Line) -> Vec<f64> {
    let mut out = Vec::new();
    for c in &line.cells {
        let Some((start, _)) = c.x else { continue };
        let mut in_part: Option<u32> = None;
        for (i, ch) in c.text.chars().chain(std::iter::once(' ')).enumerate() {
            let offset = u32::try_from(i).unwrap_or(u32::MAX);
            if ch.is_whitespace() {
                if let Some(b) = in_part.take() {
                    out.push(f64::from(start + b) + f64::from(offset - b) / 2.0);
                }
            } else if in_part.is_none() {
                in_part = Some(offset);
            }
        }
    }
    out
}

fn place_t3(
    ctx: &mut Ctx<'_>,
    lab: &Labels,
    obs: Vec<RowObs>,
    cols: &[&'static str],
    header_parts: &[(Option<u32>, Vec<f64>)],
) {
    let n = cols.len();
    let left = obs
        .iter()
        .flat_map(|o| o.values.iter())
        .filter_map(|t| t.x.map(|x| f64::from(x.0)))
        .fold(f64::INFINITY, f64::min);
    // Column centres (PDF layout text), per page: each page is laid out on its own.
    let centres_for = |page: Option<u32>| -> Vec<f64> {
        let complete = |same_page: bool| -> Option<Vec<f64>> {
            let rows: Vec<&RowObs> = obs
                .iter()
                .filter(|o| !same_page || o.loc.page == page)
                .filter(|o| o.values.len() == n && o.values.iter().all(|t| t.x.is_some()))
                .collect();
            if rows.is_empty() {
                return None;
            }
            Some(
                (0..n)
                    .map(|i| {
                        rows.iter()
                            .map(|o| o.values[i].mid().unwrap_or(0.0))
                            .sum::<f64>()
                            / rows.len() as f64
                    })
                    .collect(),
            )
        };
        // A header line with exactly one fragment per value column, right of where the values
        // start (vertical labels print one character of each column per line).
        let header = |same_page: bool| -> Option<Vec<f64>> {
            header_parts
                .iter()
                .filter(|(p, _)| !same_page || *p == page)
                .map(|(_, parts)| {
                    parts
                        .iter()
                        .copied()
                        .filter(|m| *m >= left - 1.0)
                        .collect::<Vec<f64>>()
                })
                .find(|p| p.len() == n)
        };
        complete(true)
            .or_else(|| header(true))
            .or_else(|| complete(false))
            .or_else(|| header(false))
            .unwrap_or_default()
    };
    let page_centres: HashMap<Option<u32>, Vec<f64>> = obs
        .iter()
        .map(|o| o.loc.page)
        .collect::<std::collections::HashSet<_>>()
        .into_iter()
        .map(|p| (p, centres_for(p)))
        .collect();
    let sub_idx = cols.iter().position(|c| *c == SUBTOTAL);
    let total_idx = cols.iter().position(|c| *c == "total");
    let adds_up = |v: &[Tok]| -> bool {
        let Some(ti) = total_idx else { return false };
        let parts: Decimal = v
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != sub_idx && Some(*i) != total_idx)
            .map(|(_, t)| num(t))
            .sum();
        let ok_sub = match sub_idx {
            Some(si) => {
                let org: Decimal = v
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| cols.get(*i).is_some_and(|c| T3_ORG.contains(c)))
                    .map(|(_, t)| num(t))
                    .sum();
                num(&v[si]) == org
            }
            None => true,
        };
        v.len() == n && ok_sub && num(&v[ti]) == parts
    };
    let mut placed: HashMap<usize, Vec<Option<Tok>>> = HashMap::new();
    #[allow(clippy::type_complexity)]
    let mut short_rows: Vec<(usize, Vec<Tok>, Loc, String, Vec<String>, String)> = Vec::new();
    let mut subtotals: Vec<(&'static str, Vec<Option<Tok>>, Loc, String)> = Vec::new();
    let with_values: std::collections::HashSet<usize> = obs
        .iter()
        .filter(|o| !o.blank && o.subtotal_of.is_none())
        .map(|o| o.row)
        .collect();
    for o in obs {
        if o.blank {
            if !with_values.contains(&o.row) && !placed.contains_key(&o.row) {
                let mut slots: Vec<Option<Tok>> = vec![None; n];
                // Keep the location for provenance.
                slots[0] = Some(Tok {
                    token: Token::Empty,
                    text: String::new(),
                    x: None,
                    loc: o.loc,
                });
                placed.insert(o.row, slots);
            }
            continue;
        }
        let row_key = o
            .subtotal_of
            .map(|_| "")
            .unwrap_or_else(|| lab.t3_rows[o.row].key);
        let keys = || -> Vec<String> {
            cols.iter()
                .filter(|c| **c != SUBTOTAL)
                .map(|c| format!("t3.{row_key}.{c}"))
                .collect()
        };
        let mut values = o.values;
        if o.exact {
            while values.len() > n && values.last().is_some_and(|t| t.token == Token::Empty) {
                values.pop();
            }
            while values.len() > n && values.first().is_some_and(|t| t.token == Token::Empty) {
                values.remove(0);
            }
        }
        let text = values
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let slots: Option<Vec<Option<Tok>>> = if values.len() == n {
            Some(values.iter().cloned().map(Some).collect())
        } else if let Some((merged, i)) = repair_split(&values, n, &adds_up) {
            let parts = format!("{} {}", values[i].text, values[i + 1].text);
            let cell = cols
                .get(i)
                .filter(|c| **c != SUBTOTAL)
                .map(|c| vec![format!("t3.{row_key}.{c}")])
                .unwrap_or_default();
            if o.subtotal_of.is_none() {
                split_repaired_finding(ctx, cell, &merged[i], &parts);
            }
            Some(merged.into_iter().map(Some).collect())
        } else if values.len() < n && !o.exact {
            page_centres
                .get(&o.loc.page)
                .and_then(|c| by_position(&values, c))
        } else {
            None
        };
        let Some(slots) = slots else {
            let balance_row = matches!(
                lab.t3_rows.get(o.row).map(|r| r.key),
                Some("new_received" | "carried_over" | "total_processed" | "carried_forward")
            );
            if o.subtotal_of.is_none() && balance_row && values.len() + 1 == n && sub_idx.is_none()
            {
                short_rows.push((o.row, values, o.loc, o.label, keys(), text));
                continue;
            }
            if o.subtotal_of.is_none() {
                ctx.unreadable(
                    keys(),
                    &text,
                    &format!(
                        "「{}」行有{}个数，表三应为{}列",
                        o.label,
                        text.split(' ').filter(|s| !s.is_empty()).count(),
                        n
                    ),
                    "the number of values does not match the columns of table 3",
                    o.loc,
                );
            }
            continue;
        };
        match o.subtotal_of {
            Some(group) => subtotals.push((group, slots, o.loc, o.label)),
            None => {
                if placed.contains_key(&o.row) {
                    continue;
                }
                placed.insert(o.row, slots);
            }
        }
    }
    // A balance row that lost one cell (copied web pages): the missing cell is placed only
    // when T3-BALANCE determines the whole row and every possible gap gives the same row.
    for (row, values, loc, label, keys, text) in short_rows {
        match infer_from_balance(lab, &placed, row, &values, n) {
            Some((slots, gaps)) => {
                let src = ctx.source(loc, &text);
                ctx.add(
                    "BLANK-CELL",
                    keys.clone(),
                    Json::Null,
                    Json::String(text.clone()),
                    format!(
                        "「{label}」行少一个单元格（{}个数，应为{n}个）；按勾稽关系（一+二=三+四）补足，缺失的可能位置：{}",
                        values.len(),
                        gaps.iter().map(|g| col_zh(cols[*g])).collect::<Vec<_>>().join("、")
                    ),
                    format!("row `{label}` has one cell fewer than table 3; the missing cell was filled from T3-BALANCE (same result for every possible position)"),
                    Some(src),
                );
                placed.insert(row, slots);
            }
            None => ctx.unreadable(
                keys,
                &text,
                &format!("「{label}」行有{}个数，表三应为{n}列", values.len()),
                "the number of values does not match the columns of table 3",
                loc,
            ),
        }
    }
    // Store the rows and check the 小计 column.
    let mut row_values: HashMap<&'static str, Vec<Decimal>> = HashMap::new();
    let mut placed: Vec<(usize, Vec<Option<Tok>>)> = placed.into_iter().collect();
    placed.sort_by_key(|(i, _)| *i);
    for (idx, slots) in placed {
        let rkey = lab.t3_rows[idx].key;
        let mut nums = Vec::with_capacity(n);
        for (tok, col) in slots.iter().zip(cols) {
            nums.push(tok.as_ref().map(num).unwrap_or(Decimal::ZERO));
            if *col == SUBTOTAL {
                continue;
            }
            match tok {
                Some(t) => ctx.store(
                    CellKey {
                        table: "t3",
                        row: rkey,
                        col,
                    },
                    t,
                    ColumnType::Count,
                    Unit::None,
                ),
                None => {
                    let key = cell_key("t3", rkey, col);
                    // Blank in the layout (no text at this column position).
                    let _ = ctx.report.set(&key, None);
                    let src = ctx.source(
                        slots
                            .iter()
                            .flatten()
                            .next()
                            .map(|t| t.loc)
                            .unwrap_or_default(),
                        "",
                    );
                    ctx.provide("t3", rkey, key, src);
                }
            }
        }
        if let Some(si) = sub_idx {
            let org: Decimal = cols
                .iter()
                .zip(&nums)
                .filter(|(c, _)| T3_ORG.contains(c))
                .map(|(_, v)| *v)
                .sum();
            if nums[si] != org {
                let loc = slots[si].as_ref().map(|t| t.loc).unwrap_or_default();
                let text = slots[si]
                    .as_ref()
                    .map(|t| t.text.clone())
                    .unwrap_or_default();
                let src = ctx.source(loc, &text);
                let cells: Vec<String> = T3_ORG.iter().map(|c| format!("t3.{rkey}.{c}")).collect();
                ctx.add(
                    "T3-SUBTOTAL",
                    cells,
                    json!(decimal_json(org)),
                    json!(decimal_json(nums[si])),
                    format!("表三「{}」行：法人或其他组织小计为{}，五类组织之和为{}", lab.t3_rows[idx].core, nums[si], org),
                    format!("Table 3, row {rkey}: organisations subtotal {} ≠ sum of the five columns {}", nums[si], org),
                    Some(src),
                );
            }
        }
        row_values.insert(rkey, nums);
    }
    // Subtotal rows: equal to the sum of their group's rows, per column.
    for (group, slots, loc, _label) in subtotals {
        let label = ctx
            .report
            .format
            .spec()
            .table("t3")
            .and_then(|t| t.row(group))
            .map(|r| r.label.clone())
            .unwrap_or_else(|| group.to_string());
        let members: Vec<&'static str> = if group == "results" {
            lab.t3_rows
                .iter()
                .filter(|r| {
                    r.has_cells && r.parent == Some("results") && r.key != "total_processed"
                })
                .map(|r| r.key)
                .chain(
                    lab.t3_rows
                        .iter()
                        .filter(|r| r.has_cells && r.parent.is_some_and(|p| p != "results"))
                        .map(|r| r.key),
                )
                .collect()
        } else {
            lab.t3_rows
                .iter()
                .filter(|r| r.has_cells && r.parent == Some(group))
                .map(|r| r.key)
                .collect()
        };
        // The members' values, looked up once for all columns (in the members' order).
        let member_values: Vec<&Vec<Decimal>> =
            members.iter().filter_map(|m| row_values.get(m)).collect();
        for (ci, col) in cols.iter().enumerate() {
            if *col == SUBTOTAL {
                continue;
            }
            let found = slots[ci].as_ref().map(num).unwrap_or(Decimal::ZERO);
            let expected: Decimal = member_values.iter().map(|v| v[ci]).sum();
            if found != expected {
                let text = slots[ci]
                    .as_ref()
                    .map(|t| t.text.clone())
                    .unwrap_or_default();
                let src = ctx.source(loc, &text);
                let cells: Vec<String> = members.iter().map(|m| format!("t3.{m}.{col}")).collect();
                ctx.add(
                    "T3-SUBTOTAL",
                    cells,
                    json!(decimal_json(expected)),
                    json!(decimal_json(found)),
                    format!("表三「{label}」小计行「{}」列为{found}，其各子项之和为{expected}", col_zh(col)),
                    format!("Table 3, subtotal row `{label}`, column {col}: {found} ≠ sum of its rows {expected}"),
                    Some(src),
                );
            }
        }
    }
}

fn col_zh(col: &str) -> &'static str {
    match col {
        "natural_person" => "自然人",
        "commercial" => "商业企业",
        "research" => "科研机构",
        "social_welfare" => "社会公益组织",
        "legal_service" => "法律服务机构",
        "other_org" => "其他",
        "total" => "总计",
        _ => "小计",
    }
}

fn decimal_json(d: Decimal) -> Json {
    if d.fract().is_zero()
        && let Ok(n) = i64::try_from(d)
    {
        return json!(n);
    }
    Json::String(d.normalize().to_string())
}

const T4_COLS: [&str; 15] = [
    "review_maintained",
    "review_corrected",
    "review_other",
    "review_pending",
    "review_total",
    "lit_direct_maintained",
    "lit_direct_corrected",
    "lit_direct_other",
    "lit_direct_pending",
    "lit_direct_total",
    "lit_after_review_maintained",
    "lit_after_review_corrected",
    "lit_after_review_other",
    "lit_after_review_pending",
    "lit_after_review_total",
];

fn place_t4(
    ctx: &mut Ctx<'_>,
    obs: Vec<(Vec<Tok>, Loc, bool)>,
    header_x: &[f64],
    header_parts: &[(Option<u32>, Vec<f64>)],
) {
    let Some((mut values, loc, exact)) = obs.into_iter().next() else {
        return;
    };
    if exact {
        while values.len() > 15 && values.last().is_some_and(|t| t.token == Token::Empty) {
            values.pop();
        }
    }
    let keys: Vec<String> = T4_COLS.iter().map(|c| format!("t4.cases.{c}")).collect();
    let text = values
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let adds_up = |v: &[Tok]| -> bool {
        v.len() == 15
            && (0..3)
                .all(|g| num(&v[g * 5 + 4]) == (0..4).map(|i| num(&v[g * 5 + i])).sum::<Decimal>())
    };
    let slots: Option<Vec<Option<Tok>>> = if values.len() == 15 {
        Some(values.into_iter().map(Some).collect())
    } else if let Some((merged, i)) = repair_split(&values, 15, &adds_up) {
        let parts = format!("{} {}", values[i].text, values[i + 1].text);
        split_repaired_finding(ctx, vec![keys[i].clone()], &merged[i], &parts);
        Some(merged.into_iter().map(Some).collect())
    } else if values.len() < 15 && !exact {
        let mut xs = header_x.to_vec();
        xs.sort_by(f64::total_cmp);
        let left = values
            .iter()
            .filter_map(|t| t.x.map(|x| f64::from(x.0)))
            .fold(f64::INFINITY, f64::min);
        let from_parts = |same_page: bool| {
            header_parts
                .iter()
                .filter(|(p, _)| !same_page || *p == loc.page)
                .map(|(_, parts)| {
                    parts
                        .iter()
                        .copied()
                        .filter(|m| *m >= left - 3.0)
                        .collect::<Vec<f64>>()
                })
                .find(|p| p.len() == 15)
        };
        let xs = from_parts(true)
            .or_else(|| (xs.len() == 15).then_some(xs))
            .or_else(|| from_parts(false));
        xs.and_then(|xs| by_position(&values, &xs))
    } else {
        None
    };
    let Some(slots) = slots else {
        ctx.unreadable(
            keys,
            &text,
            "表四应为15个数",
            "table 4 needs 15 values",
            loc,
        );
        return;
    };
    for ((tok, key), col) in slots.iter().zip(keys).zip(T4_COLS) {
        match tok {
            Some(t) => ctx.store(
                CellKey {
                    table: "t4",
                    row: "cases",
                    col,
                },
                t,
                ColumnType::Count,
                Unit::None,
            ),
            None => {
                let src = ctx.source(loc, "");
                ctx.provide("t4", "cases", key, src);
            }
        }
    }
}

/// Fill a balance row that has `n - 1` values from the other three balance rows.
#[allow(clippy::type_complexity)]
fn infer_from_balance(
    lab: &Labels,
    placed: &HashMap<usize, Vec<Option<Tok>>>,
    row: usize,
    values: &[Tok],
    n: usize,
) -> Option<(Vec<Option<Tok>>, Vec<usize>)> {
    let idx = |k: &str| lab.t3_rows.iter().position(|r| r.key == k);
    let get = |k: &str| -> Option<Vec<Decimal>> {
        let v = placed.get(&idx(k)?)?;
        v.iter().map(|t| t.as_ref().map(num)).collect()
    };
    let key = lab.t3_rows[row].key;
    let (a, b, c, sign) = match key {
        // derived = a + b - c
        "carried_forward" => ("new_received", "carried_over", "total_processed", 1),
        "total_processed" => ("new_received", "carried_over", "carried_forward", 1),
        "new_received" => ("total_processed", "carried_forward", "carried_over", 1),
        "carried_over" => ("total_processed", "carried_forward", "new_received", 1),
        _ => return None,
    };
    let _ = sign;
    let (va, vb, vc) = (get(a)?, get(b)?, get(c)?);
    let derived: Vec<Decimal> = (0..n).map(|i| va[i] + vb[i] - vc[i]).collect();
    let mut result: Option<Vec<Decimal>> = None;
    let mut gaps = Vec::new();
    for gap in 0..n {
        let mut ok = true;
        let mut vec = Vec::with_capacity(n);
        let mut it = values.iter();
        for (i, d) in derived.iter().enumerate() {
            if i == gap {
                vec.push(*d);
                continue;
            }
            let t = it.next()?;
            if !t.is_number() || num(t) != *d {
                ok = false;
                break;
            }
            vec.push(num(t));
        }
        if ok {
            match &result {
                Some(r) if *r != vec => return None,
                _ => result = Some(vec),
            }
            gaps.push(gap);
        }
    }
    let vec = result?;
    let loc = values.first().map(|t| t.loc).unwrap_or_default();
    let slots = vec
        .into_iter()
        .map(|d| {
            Some(Tok {
                token: Token::Number {
                    value: d,
                    unit: Unit::None,
                    signed: false,
                    single_digit: false,
                },
                text: d.to_string(),
                x: None,
                loc,
            })
        })
        .collect();
    Some((slots, gaps))
}

#[cfg(test)]
mod tests {

    #[test]
    fn row_starts_after_a_repeated_header() {
        assert!(looks_like_row_start("4.无正当理由大量反复"));
        assert!(looks_like_row_start("１、本机关不掌握"));
        assert!(looks_like_row_start("（六）其他处理"));
        assert!(looks_like_row_start("四、结转下年度继续办理"));
        assert!(!looks_like_row_start("商业 企业"));
        assert!(!looks_like_row_start("不补正、行政机关不再"));
        assert!(!looks_like_row_start(""));
    }

    use super::*;
    use crate::text;

    fn read(t: &str) -> Result<Recognised, IngestError> {
        recognise(&text::read(t), "t.txt", InputKind::Text)
    }

    const TABLES_2021: &str = "二、主动公开政府信息情况\n第二十条第（五）项\t\n信息内容\t本年处理决定数量\n行政许可\t12\n";

    #[test]
    fn titles() {
        assert_eq!(
            parse_title("广州市南沙区黄阁镇人民政府2020年 政府信息公开工作年度报告"),
            Some((Some(2020), "广州市南沙区黄阁镇人民政府".into()))
        );
        assert_eq!(
            parse_title("2021年度某某县财政局政府信息公开工作年度报告_某某县人民政府网"),
            Some((Some(2021), "某某县财政局".into()))
        );
        let r = read(&format!(
            "某某县交通运输局\n2022年政府信息公开工作年度报告\n一、总体情况\n正文。\n{TABLES_2021}"
        ))
        .unwrap();
        assert_eq!(r.report.body, "某某县交通运输局");
        assert_eq!(r.report.year, 2022);
        assert_eq!(r.report.format, FormatVersion::V2021);
        assert_eq!(
            r.report.get("t2_5.admin_license.decisions").unwrap(),
            Some(Value::Count(12))
        );
    }

    #[test]
    fn format_follows_labels_when_they_disagree_with_the_year() {
        // A 2021 report printed in the 2019 format: the labels win, FORMAT-YEAR will say so.
        let t = "某局2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\t\t\t\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t1\t1\t5\n规范性文件\t0\t0\t3\n第二十条第（五）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t5\t-1\t20\n";
        let r = read(t).unwrap();
        assert_eq!(r.report.format, FormatVersion::V2019);
        assert_eq!(
            r.report.get("t2_5.admin_license.change").unwrap(),
            Some(Value::Count(-1))
        );
        let f = gongkai_report::check(&r.report, None);
        assert!(f.iter().any(|f| f.rule == "FORMAT-YEAR"));
    }

    #[test]
    fn legacy_and_non_reports() {
        assert!(matches!(
            read("某局2016年政府信息公开工作年度报告\n一、概述\n"),
            Err(IngestError::Unsupported {
                year: Some(2016),
                ..
            })
        ));
        assert!(matches!(
            read("随便一段文字"),
            Err(IngestError::NotAReport(_))
        ));
    }

    #[test]
    fn heading_variants() {
        assert_eq!(heading_variant("五、存在问题及改进情况"), Some(4));
        assert_eq!(
            heading_variant("三、收到和处理政府信息公开申请的情况"),
            Some(2)
        );
        assert_eq!(heading_variant("三、本年度办理结果"), None);
        assert_eq!(heading_variant("一是加强领导"), None);
    }

    #[test]
    fn split_repair_needs_a_unique_consistent_merge() {
        let tok = |s: &str| Tok {
            token: norm::parse_token(s),
            text: s.into(),
            x: None,
            loc: Loc::default(),
        };
        let row: Vec<Tok> = ["1", "2", "0", "0", "0", "0", "12"]
            .iter()
            .map(|s| tok(s))
            .collect();
        let adds =
            |v: &[Tok]| v.len() == 6 && num(&v[5]) == v[..5].iter().map(num).sum::<Decimal>();
        let (merged, i) = repair_split(&row, 6, &adds).expect("repaired");
        assert_eq!((merged[0].text.as_str(), i), ("12", 0));
        // No merge makes it add up: no repair.
        let row: Vec<Tok> = ["1", "2", "0", "0", "0", "0", "13"]
            .iter()
            .map(|s| tok(s))
            .collect();
        assert!(repair_split(&row, 6, &adds).is_none());
    }
}
