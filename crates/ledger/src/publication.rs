//! When an annual report may be approved and published (条例第五十条: by 31 January of the
//! next year): the year is over, the narrative sections 一、五、六 are written, and no rule
//! fails (the cross-year rules included, against the previous year's published report).
//! The web workspace, its JSON and the approve/publish actions all ask [`problems`].

use gongkai_report::{Finding, Report};
use time::{Date, Month};

/// The narrative sections a report must not publish empty: 一、总体情况, 五、存在的主要问题及改进情况,
/// 六、其他需要报告的事项.
pub const REQUIRED_SECTIONS: [(&str, &str); 3] = [
    ("s1", "一、总体情况"),
    ("s5", "五、存在的主要问题及改进情况"),
    ("s6", "六、其他需要报告的事项"),
];

/// The last day to publish the report of `year`: 31 January of the next year.
pub fn statutory_date(year: i32) -> Option<Date> {
    Date::from_calendar_date(year + 1, Month::January, 31).ok()
}

/// Why the report cannot be approved or published on `today`, in Chinese; empty when it can.
/// `findings` are the rule results the workspace shows.
pub fn problems(report: &Report, findings: &[Finding], today: Date) -> Vec<String> {
    let mut out = Vec::new();
    if today.year() <= report.year {
        out.push(format!(
            "{}年度尚未结束，年度报告应在年度结束后编制，于{}年1月31日前发布",
            report.year,
            report.year + 1
        ));
    }
    for (key, label) in REQUIRED_SECTIONS {
        let text = report.sections.get(key).map_or("", |t| t.trim());
        if text.is_empty() || matches!(text, "无" | "无。" | "暂无" | "略") {
            out.push(format!("「{label}」尚未填写"));
        }
    }
    let errors = findings.iter().filter(|f| f.is_error()).count();
    if errors > 0 {
        out.push(format!("勾稽关系检查有{errors}个错误，请先更正"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::FormatVersion;
    use time::macros::date;

    fn written(year: i32) -> Report {
        let mut r = Report::zeroed(FormatVersion::V2021, year, "某镇人民政府");
        for (k, _) in REQUIRED_SECTIONS {
            r.sections
                .insert(k.into(), "本年度依法做好政府信息公开工作。".into());
        }
        r
    }

    #[test]
    fn a_finished_year_with_its_sections_is_ready() {
        let r = written(2025);
        assert!(problems(&r, &[], date!(2026 - 01 - 10)).is_empty());
        assert_eq!(statutory_date(2025), Some(date!(2026 - 01 - 31)));
    }

    #[test]
    fn the_current_year_and_empty_sections_are_named() {
        let mut r = written(2026);
        r.sections.insert("s5".into(), "无".into());
        r.sections.remove("s6");
        let p = problems(&r, &[], date!(2026 - 12 - 04));
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].contains("2026年度尚未结束"));
        assert!(p[1].contains("五、存在的主要问题及改进情况"));
        assert!(p[2].contains("六、其他需要报告的事项"));
    }
}
