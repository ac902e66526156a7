//! `TEXT-TABLE-MISMATCH`: numbers that section 一 states about applications, administrative
//! reconsideration and litigation, compared with tables 三 and 四 (warnings).

use gongkai_report::{Finding, Report, Severity};
use regex::Regex;
use serde_json::json;
use std::sync::LazyLock;

static APPLICATIONS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:收到|受理|新收|接收|接到|共收)[^。；;，,]{0,12}?(?:政府信息公开申请|信息公开申请|依申请公开(?:政府信息)?申请)[^。；;\d]{0,8}?(\d+)\s*(?:件|宗|份|个|条)",
    )
    .expect("valid regex")
});
static REVIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"行政复议[^。；;，,\d行]{0,10}?(\d+)\s*(?:件|宗|起|次)").expect("valid regex")
});
static LITIGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"行政诉讼[^。；;，,\d行]{0,10}?(\d+)\s*(?:件|宗|起|次)").expect("valid regex")
});
static NO_CASES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:未发生|没有发生|无|未出现|未收到)[^。；;\d]{0,16}?行政复议(?:[、和及或与]行政诉讼)?",
    )
    .expect("valid regex")
});

fn first_number(re: &Regex, text: &str) -> Option<(i64, String)> {
    let c = re.captures(text)?;
    let n = c.get(1)?.as_str().parse().ok()?;
    Some((n, c.get(0)?.as_str().to_string()))
}

fn finding(
    cells: Vec<&str>,
    expected: i64,
    found: i64,
    phrase: &str,
    what_zh: &str,
    what_en: &str,
) -> Finding {
    Finding {
        rule: "TEXT-TABLE-MISMATCH".into(),
        severity: Severity::Warning,
        cells: cells.into_iter().map(String::from).collect(),
        expected: json!(expected),
        found: json!(found),
        message: format!("正文「{phrase}」所述{what_zh}为{found}，表格为{expected}"),
        message_en: format!(
            "section 1 states {found} {what_en} (`{phrase}`); the tables say {expected}"
        ),
        source: None,
    }
}

/// Compare the numbers section 一 states with the tables.
pub fn text_table_findings(report: &Report) -> Vec<Finding> {
    let Some(s1) = report.sections.get("s1") else {
        return Vec::new();
    };
    let text: String = gongkai_report_half_width(s1);
    let mut out = Vec::new();
    if let Some((n, phrase)) = first_number(&APPLICATIONS, &text) {
        let new = report.count("t3", "new_received", "total");
        let carried = report.count("t3", "carried_over", "total");
        if n != new && n != new + carried {
            out.push(finding(
                vec!["t3.new_received.total"],
                new,
                n,
                &phrase,
                "新收政府信息公开申请数量",
                "new applications",
            ));
        }
    }
    let review = report.count("t4", "cases", "review_total");
    let lit = report.count("t4", "cases", "lit_direct_total")
        + report.count("t4", "cases", "lit_after_review_total");
    if let Some((n, phrase)) = first_number(&REVIEW, &text) {
        if n != review {
            out.push(finding(
                vec!["t4.cases.review_total"],
                review,
                n,
                &phrase,
                "行政复议案件数",
                "reconsideration cases",
            ));
        }
    } else if let Some(m) = NO_CASES.find(&text)
        && review != 0
    {
        out.push(finding(
            vec!["t4.cases.review_total"],
            review,
            0,
            m.as_str(),
            "行政复议案件数",
            "reconsideration cases",
        ));
    }
    if let Some((n, phrase)) = first_number(&LITIGATION, &text) {
        if n != lit {
            out.push(finding(
                vec![
                    "t4.cases.lit_direct_total",
                    "t4.cases.lit_after_review_total",
                ],
                lit,
                n,
                &phrase,
                "行政诉讼案件数",
                "litigation cases",
            ));
        }
    } else if let Some(m) = NO_CASES.find(&text)
        && m.as_str().contains("行政诉讼")
        && lit != 0
    {
        out.push(finding(
            vec![
                "t4.cases.lit_direct_total",
                "t4.cases.lit_after_review_total",
            ],
            lit,
            0,
            m.as_str(),
            "行政诉讼案件数",
            "litigation cases",
        ));
    }
    out
}

fn gongkai_report_half_width(s: &str) -> String {
    crate::norm::to_half_width(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::FormatVersion;

    #[test]
    fn mismatch_and_agreement() {
        let mut r = Report::zeroed(FormatVersion::V2021, 2022, "某局");
        r.set_count("t3.new_received.total", 12).unwrap();
        r.set_count("t4.cases.review_total", 1).unwrap();
        r.sections.insert(
            "s1".into(),
            "全年共收到政府信息公开申请１２件，办结12件。发生政府信息公开行政复议2件，行政诉讼0件。".into(),
        );
        let f = text_table_findings(&r);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].cells, ["t4.cases.review_total"]);
        assert_eq!(f[0].found, json!(2));
        r.sections.insert(
            "s1".into(),
            "全年未发生政府信息公开行政复议、行政诉讼案件。".into(),
        );
        let f = text_table_findings(&r);
        assert_eq!(f.len(), 1);
    }
}
