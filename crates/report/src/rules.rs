//! Reconciliation rules (勾稽关系). The rules of `report-format.json` are data: their `expr` strings
//! are compiled once per format version into linear comparisons over cells, then evaluated per
//! report. The project adds `BLANK-CELL`, non-negativity of every 第二十条 count, plausibility
//! warnings and the format/year check. Findings carry stable ids, Chinese and English messages,
//! the cells involved and expected/found values. One finding per violated instance.

use crate::model::{CellKey, Report, resolve_key};
use crate::spec::{ColumnType, FormatSpec, FormatVersion, TableSpec};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::sync::LazyLock;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// 错误 / 警告, as every reader of findings shows it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }

    /// `error` / `warning`, the serialised form.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where a finding comes from in a source document (set by readers of published reports).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One violated instance of a rule.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub cells: Vec<String>,
    /// What the rule expects (a number, a text or a list).
    #[cfg_attr(feature = "openapi", schema(value_type = serde_json::Value))]
    pub expected: Json,
    /// What the report says.
    #[cfg_attr(feature = "openapi", schema(value_type = serde_json::Value))]
    pub found: Json,
    pub message: String,
    pub message_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The place in the source document, in Chinese: 「文件 第3页 第12行 「原文」」, if known.
    pub fn location_zh(&self) -> Option<String> {
        let src = self.source.as_ref()?;
        let mut loc = Vec::new();
        if let Some(file) = &src.file {
            loc.push(file.clone());
        }
        if let Some(p) = src.page {
            loc.push(format!("第{p}页"));
        }
        if let Some(l) = src.line {
            loc.push(format!("第{l}行"));
        }
        if let Some(t) = &src.text {
            loc.push(format!("「{t}」"));
        }
        (!loc.is_empty()).then(|| loc.join(" "))
    }
}

/// An expected or found value as plain text: strings without quotes, nothing for null.
pub fn value_text(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Findings as readable text, one indented block per finding (the CLI's and the logs' form).
pub fn findings_text(findings: &[Finding]) -> String {
    use std::fmt::Write;
    let dash = |v: &Json| match value_text(v) {
        t if t.is_empty() => "—".to_string(),
        t => t,
    };
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "  {} [{}] {}",
            f.severity.label_zh(),
            f.rule,
            f.message
        );
        if !f.cells.is_empty() {
            let _ = writeln!(out, "      单元格：{}", f.cells.join(", "));
        }
        if !f.expected.is_null() || !f.found.is_null() {
            let _ = writeln!(
                out,
                "      应为：{}  实为：{}",
                dash(&f.expected),
                dash(&f.found)
            );
        }
        if let Some(loc) = f.location_zh() {
            let _ = writeln!(out, "      位置：{loc}");
        }
    }
    out
}

/// Description of a rule id (for documentation, `--explain` and readers that add findings).
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    /// Where the rule comes from: `stated`, `implied`, `soft`, or `project`.
    pub basis: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// Every rule id Gongkai can report, with what it means.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "T3-BALANCE",
        severity: Severity::Error,
        basis: "stated",
        zh: "表三每一列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理",
        en: "Table 3, each column: new + carried over = total processed + carried forward",
    },
    RuleInfo {
        id: "T3-ROW-TOTAL",
        severity: Severity::Error,
        basis: "implied",
        zh: "表三每一行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他",
        en: "Table 3, each row: total = sum of the applicant columns",
    },
    RuleInfo {
        id: "T3-RESULT-TOTAL",
        severity: Severity::Error,
        basis: "implied",
        zh: "表三每一列：（七）总计 = （一）至（六）各项（含全部子项）之和",
        en: "Table 3, each column: (7) total = sum of results (1)–(6) with every sub-item",
    },
    RuleInfo {
        id: "T3-NONNEG-INT",
        severity: Severity::Error,
        basis: "implied",
        zh: "表三的申请数量为非负整数",
        en: "Table 3 counts are non-negative integers",
    },
    RuleInfo {
        id: "T3-CROSS-YEAR",
        severity: Severity::Warning,
        basis: "implied",
        zh: "本年度「二、上年结转」应等于上一年度「四、结转下年度继续办理」",
        en: "This year's carried-over row equals last year's carried-forward row",
    },
    RuleInfo {
        id: "T4-GROUP-TOTAL",
        severity: Severity::Error,
        basis: "implied",
        zh: "表四行政复议、未经复议直接起诉、复议后起诉各组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
        en: "Table 4, each group: total = maintained + corrected + other + pending",
    },
    RuleInfo {
        id: "T4-NONNEG-INT",
        severity: Severity::Error,
        basis: "implied",
        zh: "表四的件数为非负整数",
        en: "Table 4 counts are non-negative integers",
    },
    RuleInfo {
        id: "T2-2019-1-NONNEG",
        severity: Severity::Error,
        basis: "implied",
        zh: "第二十条第（一）项的数量为非负整数",
        en: "Art. 20(1) counts are non-negative integers",
    },
    RuleInfo {
        id: "T2-2019-1-SOFT",
        severity: Severity::Warning,
        basis: "soft",
        zh: "对外公开总数量不应小于本年新公开数量",
        en: "Total published should not be below newly published this year",
    },
    RuleInfo {
        id: "T2-2019-5-CROSS",
        severity: Severity::Warning,
        basis: "soft",
        zh: "第二十条第（五）项：上一年项目数量应等于上一年度报告的上一年项目数量加本年增/减",
        en: "Art. 20(5): previous-year items equal last report's previous-year items plus its change",
    },
    RuleInfo {
        id: "T2-2021-1-CROSS",
        severity: Severity::Warning,
        basis: "soft",
        zh: "第二十条第（一）项：现行有效件数应等于上一年度现行有效件数 + 本年制发件数 − 本年废止件数",
        en: "Art. 20(1): in force = last year's in force + issued − repealed",
    },
    RuleInfo {
        id: "T2-2019-6-CROSS",
        severity: Severity::Warning,
        basis: "soft",
        zh: "第二十条第（六）项：上一年项目数量应等于上一年度报告的上一年项目数量加本年增/减",
        en: "Art. 20(6): previous-year items equal last report's previous-year items plus its change",
    },
    RuleInfo {
        id: "T2-2019-8-CROSS",
        severity: Severity::Warning,
        basis: "soft",
        zh: "第二十条第（八）项：上一年项目数量应等于上一年度报告的上一年项目数量加本年增/减",
        en: "Art. 20(8): previous-year items equal last report's previous-year items plus its change",
    },
    RuleInfo {
        id: "T2-NONNEG",
        severity: Severity::Error,
        basis: "project",
        zh: "第二十条各表的数量与金额不能为负数（本年增/减除外）",
        en: "Art. 20 counts and amounts are non-negative (except the signed change)",
    },
    RuleInfo {
        id: "T2-2019-CHANGE-NEGATIVE",
        severity: Severity::Warning,
        basis: "project",
        zh: "上一年项目数量加本年增/减为负数：本年项目数量不可能小于零",
        en: "Previous-year items plus the change is negative: the item count cannot drop below zero",
    },
    RuleInfo {
        id: "BLANK-CELL",
        severity: Severity::Warning,
        basis: "project",
        zh: "单元格为空白（按0计算）",
        en: "Blank cell (counted as 0)",
    },
    RuleInfo {
        id: "FORMAT-YEAR",
        severity: Severity::Error,
        basis: "project",
        zh: "报告年度与格式版本不符（2019—2020年度用2019年格式，2021年度起用2021年格式）",
        en: "Format version does not match the report year",
    },
    RuleInfo {
        id: "PREVIOUS-MISMATCH",
        severity: Severity::Warning,
        basis: "project",
        zh: "所给上一年度报告不是同一机关的上一年度报告，跨年度检查未执行",
        en: "The previous report is not the same body's report of the year before; cross-year rules skipped",
    },
    RuleInfo {
        id: "T3-SUBTOTAL",
        severity: Severity::Error,
        basis: "project",
        zh: "报告自行增加的小计（法人或其他组织小计列、分组小计行）与其组成项之和不符",
        en: "A subtotal the source adds (organisations subtotal column, group subtotal rows) does not equal its parts",
    },
    RuleInfo {
        id: "UNREADABLE-CELL",
        severity: Severity::Error,
        basis: "project",
        zh: "无法确定地读取该单元格",
        en: "A cell could not be read with certainty",
    },
    RuleInfo {
        id: "UNIT-CONVERTED",
        severity: Severity::Warning,
        basis: "project",
        zh: "金额以元为单位，已换算为万元",
        en: "Amount given in 元 was converted to 万元",
    },
    RuleInfo {
        id: "UNIT-UNCERTAIN",
        severity: Severity::Warning,
        basis: "project",
        zh: "金额未注明单位且数值过大，可能以元为单位，按万元读取，请核对",
        en: "An amount with no unit is implausibly large for 万元 (maybe 元); kept as 万元, please verify",
    },
    RuleInfo {
        id: "TEXT-TABLE-MISMATCH",
        severity: Severity::Warning,
        basis: "project",
        zh: "正文所述数字与表格不一致",
        en: "A number stated in the text differs from the tables",
    },
    RuleInfo {
        id: "SPLIT-NUMBER-REPAIRED",
        severity: Severity::Warning,
        basis: "project",
        zh: "两个相邻的一位数被识别为一个被拆开的数字并已合并",
        en: "Two adjacent single digits were read as one number split by the PDF and merged",
    },
    RuleInfo {
        id: "UNSUPPORTED-FORMAT",
        severity: Severity::Error,
        basis: "project",
        zh: "不是2019年或2021年格式的年度报告（如2019年以前的旧格式）",
        en: "Not a report in the 2019 or 2021 format (e.g. a pre-2019 report)",
    },
];

/// The description of a rule id.
pub fn rule_info(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

// ---------------------------------------------------------------------------------------------
// Compilation of the format's expressions.

#[derive(Debug, Clone)]
struct Term {
    negative: bool,
    key: CellKey,
    previous: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ge,
}

#[derive(Debug, Clone)]
enum Check {
    Compare {
        lhs: Vec<Term>,
        op: Op,
        rhs: Vec<Term>,
    },
    NonNegative(CellKey),
}

#[derive(Debug, Clone)]
struct Instance {
    rule: &'static str,
    severity: Severity,
    /// Human context for messages: (zh, en) of the column/row/group of this instance.
    context: (String, String),
    check: Check,
}

impl Instance {
    fn cross_year(&self) -> bool {
        match &self.check {
            Check::Compare { lhs, rhs, .. } => lhs.iter().chain(rhs).any(|t| t.previous),
            Check::NonNegative(_) => false,
        }
    }
}

static COMPILED_2019: LazyLock<Vec<Instance>> =
    LazyLock::new(|| compile(FormatVersion::V2019.spec()));
static COMPILED_2021: LazyLock<Vec<Instance>> =
    LazyLock::new(|| compile(FormatVersion::V2021.spec()));

fn compiled(format: FormatVersion) -> &'static [Instance] {
    match format {
        FormatVersion::V2019 => &COMPILED_2019,
        FormatVersion::V2021 => &COMPILED_2021,
    }
}

/// Compile every rule of a format version. Panics only if the vendored format data is malformed,
/// which the unit tests rule out.
fn compile(spec: &'static FormatSpec) -> Vec<Instance> {
    let mut out = Vec::new();
    for (table, rule) in spec.rules() {
        let id: &'static str = rule_info(&rule.id)
            .map(|i| i.id)
            .unwrap_or_else(|| panic!("rule {} has no description in RULES", rule.id));
        let severity = if rule.severity_warning {
            Severity::Warning
        } else {
            Severity::Error
        };
        if rule.expr.trim() == "all cells >= 0 integers" {
            for row in table.data_rows() {
                for col in &table.columns {
                    let key = resolve_key(
                        spec.version,
                        &format!("{}.{}.{}", table.key, row.key, col.key),
                    )
                    .expect("own cell");
                    out.push(Instance {
                        rule: id,
                        severity,
                        context: cell_context(table, &row.key, &col.key),
                        check: Check::NonNegative(key),
                    });
                }
            }
            continue;
        }
        for binding in bindings(&rule.for_each) {
            let mut expr = rule.expr.clone();
            for (var, val) in &binding {
                expr = expr.replace(&format!("{{{var}}}"), val);
            }
            let check = parse_check(spec.version, &expr)
                .unwrap_or_else(|e| panic!("rule {}: cannot compile `{expr}`: {e}", rule.id));
            out.push(Instance {
                rule: id,
                severity,
                context: binding_context(table, &binding),
                check,
            });
        }
    }
    // Project rules expressed in the same terms.
    for table in spec.tables.iter().filter(|t| t.is_article20()) {
        let own_nonneg = table
            .rules
            .iter()
            .any(|r| r.expr.contains("all cells >= 0"));
        for row in table.data_rows() {
            for col in &table.columns {
                if own_nonneg || col.kind == ColumnType::SignedCount {
                    continue;
                }
                let key = resolve_key(
                    spec.version,
                    &format!("{}.{}.{}", table.key, row.key, col.key),
                )
                .expect("own cell");
                out.push(Instance {
                    rule: "T2-NONNEG",
                    severity: Severity::Error,
                    context: cell_context(table, &row.key, &col.key),
                    check: Check::NonNegative(key),
                });
            }
            if table.column("change").is_some() && table.column("prev_year_items").is_some() {
                let ctx = (
                    format!("{}「{}」", table.caption, row.label),
                    format!("{} row {}", table.key, row.key),
                );
                let expr = format!(
                    "{t}.{r}.prev_year_items + {t}.{r}.change >= 0",
                    t = table.key,
                    r = row.key
                );
                out.push(Instance {
                    rule: "T2-2019-CHANGE-NEGATIVE",
                    severity: Severity::Warning,
                    context: ctx.clone(),
                    check: parse_check(spec.version, &expr).expect("own expr"),
                });
                if table.key != "t2_5" {
                    let id = if table.key == "t2_6" {
                        "T2-2019-6-CROSS"
                    } else {
                        "T2-2019-8-CROSS"
                    };
                    let expr = format!(
                        "{t}.{r}.prev_year_items[year] == {t}.{r}.prev_year_items[year-1] + {t}.{r}.change[year-1]",
                        t = table.key,
                        r = row.key
                    );
                    out.push(Instance {
                        rule: id,
                        severity: Severity::Warning,
                        context: ctx,
                        check: parse_check(spec.version, &expr).expect("own expr"),
                    });
                }
            }
        }
    }
    out
}

fn bindings(for_each: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut acc: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (var, values) in for_each {
        let mut next = Vec::with_capacity(acc.len() * values.len());
        for prefix in &acc {
            for v in values {
                let mut b = prefix.clone();
                b.push((var.clone(), v.clone()));
                next.push(b);
            }
        }
        acc = next;
    }
    acc
}

fn table_name(table: &TableSpec) -> (String, String) {
    match table.key.as_str() {
        "t3" => ("表三".into(), "Table 3".into()),
        "t4" => ("表四".into(), "Table 4".into()),
        _ => (
            table.caption.clone(),
            format!("Art. 20 table {}", table.key),
        ),
    }
}

fn group_label(grp: &str) -> &'static str {
    match grp {
        "review" => "行政复议",
        "lit_direct" => "行政诉讼·未经复议直接起诉",
        "lit_after_review" => "行政诉讼·复议后起诉",
        _ => "",
    }
}

fn col_label(table: &TableSpec, col: &str) -> String {
    let Some(c) = table.column(col) else {
        return col.to_string();
    };
    if table.key == "t4" {
        format!("{}·{}", c.header_path.join("·"), c.label)
    } else {
        c.label.clone()
    }
}

fn cell_context(table: &TableSpec, row: &str, col: &str) -> (String, String) {
    let (tz, te) = table_name(table);
    let rl = table.row(row).map(|r| r.label.clone()).unwrap_or_default();
    if table.key == "t4" {
        (
            format!("{tz}「{}」", col_label(table, col)),
            format!("{te}, column {col}"),
        )
    } else {
        (
            format!("{tz}「{rl}」行「{}」列", col_label(table, col)),
            format!("{te}, row {row}, column {col}"),
        )
    }
}

fn binding_context(table: &TableSpec, binding: &[(String, String)]) -> (String, String) {
    let (tz, te) = table_name(table);
    let mut zh = tz;
    let mut en = te;
    for (var, val) in binding {
        match var.as_str() {
            "col" => {
                zh.push_str(&format!("「{}」列", col_label(table, val)));
                en.push_str(&format!(", column {val}"));
            }
            "row" => {
                let l = table.row(val).map(|r| r.label.as_str()).unwrap_or(val);
                zh.push_str(&format!("「{l}」行"));
                en.push_str(&format!(", row {val}"));
            }
            "grp" => {
                zh.push_str(&format!("「{}」", group_label(val)));
                en.push_str(&format!(", group {val}"));
            }
            _ => {}
        }
    }
    (zh, en)
}

/// Parse `is_integer(X) and X >= 0` or `SUM (==|>=) SUM` where SUM is cell terms joined by +/-.
fn parse_check(format: FormatVersion, expr: &str) -> Result<Check, String> {
    let expr = expr.trim();
    if let Some(rest) = expr.strip_prefix("is_integer(") {
        let inner = rest
            .split(')')
            .next()
            .ok_or_else(|| "unclosed is_integer(".to_string())?;
        let key = resolve_key(format, inner.trim()).map_err(|e| e.to_string())?;
        return Ok(Check::NonNegative(key));
    }
    let (lhs, op, rhs) = if let Some((l, r)) = expr.split_once("==") {
        (l, Op::Eq, r)
    } else if let Some((l, r)) = expr.split_once(">=") {
        (l, Op::Ge, r)
    } else {
        return Err("no comparison operator".into());
    };
    Ok(Check::Compare {
        lhs: parse_sum(format, lhs)?,
        op,
        rhs: parse_sum(format, rhs)?,
    })
}

fn parse_sum(format: FormatVersion, s: &str) -> Result<Vec<Term>, String> {
    let mut terms = Vec::new();
    let mut negative = false;
    for tok in s.split_whitespace() {
        match tok {
            "+" => negative = false,
            "-" => negative = true,
            "0" => {}
            t => {
                let (key, previous) = if let Some(k) = t.strip_suffix("[year-1]") {
                    (k, true)
                } else if let Some(k) = t.strip_suffix("[year]") {
                    (k, false)
                } else {
                    (t, false)
                };
                // Cross-year terms may name cells of the other format; resolve against ours
                // only for shape, the previous report is looked up by name.
                let key = resolve_key(format, key).map_err(|e| e.to_string())?;
                terms.push(Term {
                    negative,
                    key,
                    previous,
                });
                negative = false;
            }
        }
    }
    if terms.is_empty() && !s.trim().starts_with('0') {
        return Err(format!("empty side `{s}`"));
    }
    Ok(terms)
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/// Check a report against every rule of its format; cross-year rules run when `previous`
/// (the same body's report of the year before) is given.
pub fn check(report: &Report, previous: Option<&Report>) -> Vec<Finding> {
    let mut findings = Vec::new();

    let expected_format = FormatVersion::for_year(report.year);
    if expected_format != report.format {
        findings.push(Finding {
            rule: "FORMAT-YEAR".into(),
            severity: Severity::Error,
            cells: vec![],
            expected: Json::String(expected_format.as_str().into()),
            found: Json::String(report.format.as_str().into()),
            message: format!(
                "{}年度报告应使用{}年格式，实际为{}年格式",
                report.year, expected_format, report.format
            ),
            message_en: format!(
                "a {} report must use the {} format, found the {} format",
                report.year, expected_format, report.format
            ),
            source: None,
        });
    }

    let previous = match previous {
        Some(p) if p.year == report.year - 1 && same_body(&p.body, &report.body) => Some(p),
        Some(p) => {
            findings.push(Finding {
                rule: "PREVIOUS-MISMATCH".into(),
                severity: Severity::Warning,
                cells: vec![],
                expected: Json::String(format!("{} {}", report.body, report.year - 1)),
                found: Json::String(format!("{} {}", p.body, p.year)),
                message: format!(
                    "上一年度报告应为「{}」{}年度报告，所给为「{}」{}年度报告，跨年度检查未执行",
                    report.body,
                    report.year - 1,
                    p.body,
                    p.year
                ),
                message_en: format!(
                    "the previous report must be {}'s report for {}; got {}'s report for {}; cross-year rules skipped",
                    report.body,
                    report.year - 1,
                    p.body,
                    p.year
                ),
                source: None,
            });
            None
        }
        None => None,
    };

    for inst in compiled(report.format) {
        if inst.cross_year() && previous.is_none() {
            continue;
        }
        match &inst.check {
            Check::NonNegative(key) => {
                if let Some(v) = report.value(*key)
                    && v.is_negative()
                {
                    let info = rule_info(inst.rule).expect("described");
                    findings.push(Finding {
                        rule: inst.rule.into(),
                        severity: inst.severity,
                        cells: vec![key.to_string()],
                        expected: Json::String(">= 0".into()),
                        found: crate::json::value_to_json(Some(v)),
                        message: format!("{}：{}，实为{}", inst.context.0, info.zh, v),
                        message_en: format!("{}: {}; found {}", inst.context.1, info.en, v),
                        source: None,
                    });
                }
            }
            Check::Compare { lhs, op, rhs } => {
                let Some(l) = sum(report, previous, lhs) else {
                    continue;
                };
                let Some(r) = sum(report, previous, rhs) else {
                    continue;
                };
                let ok = match op {
                    Op::Eq => l == r,
                    Op::Ge => l >= r,
                };
                if ok {
                    continue;
                }
                findings.push(compare_finding(report, previous, inst, lhs, *op, rhs, l, r));
            }
        }
    }

    for (key, v) in report.cells() {
        if v.is_none() {
            let spec = report.spec();
            let table = spec.table(key.table).expect("own table");
            let ctx = cell_context(table, key.row, key.col);
            findings.push(Finding {
                rule: "BLANK-CELL".into(),
                severity: Severity::Warning,
                cells: vec![key.to_string()],
                expected: Json::Null,
                found: Json::Null,
                message: format!("{}为空白，按0计算", ctx.0),
                message_en: format!("{} is blank; counted as 0", ctx.1),
                source: None,
            });
        }
    }
    findings
}

fn same_body(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    norm(a) == norm(b)
}

/// Sum of terms (blank = 0); `None` when a cross-year term does not exist in the previous
/// report's format (the instance does not apply).
fn sum(report: &Report, previous: Option<&Report>, terms: &[Term]) -> Option<Decimal> {
    let mut total = Decimal::ZERO;
    for t in terms {
        let v = if t.previous {
            let p = previous?;
            let k = resolve_key(p.format, &t.key.to_string()).ok()?;
            p.value(k)
        } else {
            report.value(t.key)
        };
        let d = v.map(|v| v.as_decimal()).unwrap_or(Decimal::ZERO);
        if t.negative {
            total -= d;
        } else {
            total += d;
        }
    }
    Some(total)
}

fn term_label(t: &Term, report: &Report, previous: Option<&Report>) -> String {
    if t.previous {
        let y = previous.map(|p| p.year).unwrap_or(report.year - 1);
        format!("{}[{y}]", t.key)
    } else {
        t.key.to_string()
    }
}

fn number_json(d: Decimal, terms: &[Term], report: &Report) -> Json {
    let all_counts = terms.iter().all(|t| {
        report
            .spec()
            .table(t.key.table)
            .and_then(|tb| tb.column(t.key.col))
            .is_some_and(|c| c.kind != ColumnType::Amount)
    });
    if all_counts && d.fract().is_zero() {
        use rust_decimal::prelude::ToPrimitive;
        if let Some(n) = d.to_i64() {
            return Json::from(n);
        }
    }
    Json::String(d.normalize().to_string())
}

#[allow(clippy::too_many_arguments)]
fn compare_finding(
    report: &Report,
    previous: Option<&Report>,
    inst: &Instance,
    lhs: &[Term],
    op: Op,
    rhs: &[Term],
    l: Decimal,
    r: Decimal,
) -> Finding {
    let info = rule_info(inst.rule).expect("described");
    let cells: Vec<String> = lhs
        .iter()
        .chain(rhs)
        .map(|t| term_label(t, report, previous))
        .collect();
    let (found, expected) = (number_json(l, lhs, report), number_json(r, rhs, report));
    let (rel_zh, rel_en) = match op {
        Op::Eq => ("≠", "!="),
        Op::Ge => ("<", "<"),
    };
    let (message, message_en) = if inst.rule == "T2-2019-CHANGE-NEGATIVE" {
        (
            format!(
                "{}：{}（上一年项目数量加本年增/减为{}）",
                inst.context.0, info.zh, l
            ),
            format!(
                "{}: {} (previous items plus change = {})",
                inst.context.1, info.en, l
            ),
        )
    } else {
        (
            format!(
                "{}：{}。左边为{}，右边为{}（{} {} {}）",
                inst.context.0,
                info.zh,
                l.normalize(),
                r.normalize(),
                l.normalize(),
                rel_zh,
                r.normalize()
            ),
            format!(
                "{}: {}; left side {} {} right side {}",
                inst.context.1,
                info.en,
                l.normalize(),
                rel_en,
                r.normalize()
            ),
        )
    };
    Finding {
        rule: inst.rule.into(),
        severity: inst.severity,
        cells,
        expected,
        found,
        message,
        message_en,
        source: None,
    }
}

/// Number of error findings.
pub fn error_count(findings: &[Finding]) -> usize {
    findings.iter().filter(|f| f.is_error()).count()
}

/// Rule ids compiled for a format version (the spec's rules and the project's).
pub fn rule_ids(format: FormatVersion) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = compiled(format).iter().map(|i| i.rule).collect();
    ids.push("BLANK-CELL");
    ids.push("FORMAT-YEAR");
    ids.push("PREVIOUS-MISMATCH");
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_rule_compiles_and_is_described() {
        for v in FormatVersion::ALL {
            let spec = v.spec();
            for (_, rule) in spec.rules() {
                assert!(rule_info(&rule.id).is_some(), "{} undocumented", rule.id);
                assert!(
                    rule_ids(v).contains(&rule.id.as_str()),
                    "{} not compiled",
                    rule.id
                );
            }
            assert!(!compiled(v).is_empty());
        }
    }

    #[test]
    fn instance_counts() {
        let count = |v, id: &str| compiled(v).iter().filter(|i| i.rule == id).count();
        assert_eq!(count(FormatVersion::V2019, "T3-BALANCE"), 7);
        assert_eq!(count(FormatVersion::V2019, "T3-ROW-TOTAL"), 23);
        assert_eq!(count(FormatVersion::V2021, "T3-ROW-TOTAL"), 25);
        assert_eq!(count(FormatVersion::V2021, "T3-NONNEG-INT"), 175);
        assert_eq!(count(FormatVersion::V2019, "T4-GROUP-TOTAL"), 3);
        assert_eq!(count(FormatVersion::V2019, "T2-2019-1-NONNEG"), 6);
    }

    #[test]
    fn zeroed_report_is_clean() {
        for v in FormatVersion::ALL {
            let year = if v == FormatVersion::V2019 {
                2020
            } else {
                2024
            };
            let r = Report::zeroed(v, year, "某机关");
            assert!(check(&r, None).is_empty(), "{v}");
        }
    }
}
