//! Trend charts as self-contained SVG (no JavaScript, no external assets): Chinese labels, a
//! `<title>` and `<desc>` for screen readers, and a `<title>` tooltip on every mark.
//!
//! - [`trend_svg`]: one body's applications received and each statutory outcome over the years;
//! - [`siblings_svg`]: the subordinate bodies of an oversight office side by side.
//!
//! The outcome series are the top-level results of table 三 (予以公开, 部分公开, 不予公开, 无法提供,
//! 不予处理, 其他处理), each the sum of its statutory sub-rows in the 总计 column, so the 2019 and
//! 2021 formats plot on the same axes.

use gongkai_report::Report;
use std::fmt::Write;

/// Escape text for SVG, dropping characters XML cannot carry.
fn html_escape(s: &str) -> String {
    gongkai_report::render::html_escape(&crate::xml_safe(s))
}

/// One plotted quantity: a label and the table 三 row whose 总计 column (summed over its sub-rows)
/// gives the value.
#[derive(Debug, Clone, Copy)]
pub struct Series {
    pub label: &'static str,
    pub row: &'static str,
    pub color: &'static str,
}

/// Applications received this year (一、本年新收政府信息公开申请数量).
pub const RECEIVED: Series = Series {
    label: "本年新收申请",
    row: "new_received",
    color: "#1f3a93",
};

/// The statutory outcomes (三、本年度办理结果 (一)–(六)).
pub const OUTCOMES: [Series; 6] = [
    Series {
        label: "予以公开",
        row: "granted",
        color: "#2e8b57",
    },
    Series {
        label: "部分公开",
        row: "partial",
        color: "#8fbc3f",
    },
    Series {
        label: "不予公开",
        row: "denied",
        color: "#c0392b",
    },
    Series {
        label: "无法提供",
        row: "unable",
        color: "#e67e22",
    },
    Series {
        label: "不予处理",
        row: "not_processed",
        color: "#8e44ad",
    },
    Series {
        label: "其他处理",
        row: "other",
        color: "#7f8c8d",
    },
];

/// Most bodies drawn by [`siblings_svg`]; further bodies are counted in a note.
pub const MAX_SIBLINGS: usize = 300;
/// Most years drawn by [`trend_svg`] (the latest ones).
pub const MAX_YEARS: usize = 50;

const FONT: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";

/// The value of a table 三 row in the 总计 column, summing the sub-rows of a group row.
pub fn t3_total(report: &Report, row: &str) -> i64 {
    let Some(t) = report.spec().table("t3") else {
        return 0;
    };
    let Some(spec) = t.row(row) else { return 0 };
    if spec.has_cells {
        return report.count("t3", row, "total");
    }
    t.rows
        .iter()
        .filter(|r| r.parent.as_deref() == Some(row))
        .map(|r| t3_total(report, &r.key))
        .sum()
}

/// A "nice" axis maximum (1, 2 or 5 times a power of ten) at or above `max`, and its tick step.
fn nice_axis(max: i64) -> (i64, i64) {
    let max = max.max(1);
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            let s = step.saturating_mul(m);
            if s.saturating_mul(5) >= max {
                let top = (max + s - 1) / s * s;
                return (top, s);
            }
        }
        step = step.saturating_mul(10);
        if step >= i64::MAX / 10 {
            return (max, max);
        }
    }
}

fn svg_open(out: &mut String, width: u32, height: u32, id: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gk-chart\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"{FONT}\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>",
        html_escape(title),
        html_escape(desc)
    );
}

fn empty_chart(id: &str, title: &str) -> String {
    let mut out = String::new();
    svg_open(&mut out, 720, 120, id, title, "暂无数据 (no data)");
    let _ = write!(
        out,
        "<text x=\"360\" y=\"40\" text-anchor=\"middle\" font-size=\"16\">{}</text>\
         <text x=\"360\" y=\"80\" text-anchor=\"middle\" fill=\"#666\">暂无数据</text></svg>",
        html_escape(title)
    );
    out
}

/// A body's applications received and outcomes over the years as a line chart.
///
/// `reports` are the same body's reports in any order; for a repeated year the last one counts.
/// The chart is titled with the body of the latest report.
pub fn trend_svg(reports: &[Report]) -> String {
    let mut by_year: Vec<&Report> = Vec::new();
    for r in reports {
        match by_year.iter_mut().find(|x| x.year == r.year) {
            Some(slot) => *slot = r,
            None => by_year.push(r),
        }
    }
    by_year.sort_by_key(|r| r.year);
    if by_year.len() > MAX_YEARS {
        by_year.drain(..by_year.len() - MAX_YEARS);
    }
    let Some(latest) = by_year.last() else {
        return empty_chart("gk-trend", "政府信息公开申请及办理结果趋势");
    };
    let first_year = by_year[0].year;
    let title = if by_year.len() > 1 {
        format!(
            "{}政府信息公开申请及办理结果趋势（{}—{}年）",
            latest.body, first_year, latest.year
        )
    } else {
        format!(
            "{}政府信息公开申请及办理结果（{}年）",
            latest.body, latest.year
        )
    };
    let series: Vec<Series> = std::iter::once(RECEIVED).chain(OUTCOMES).collect();
    let values: Vec<Vec<i64>> = series
        .iter()
        .map(|s| by_year.iter().map(|r| t3_total(r, s.row)).collect())
        .collect();

    let mut desc = String::from("数据（件）：");
    for (i, r) in by_year.iter().enumerate() {
        let parts: Vec<String> = series
            .iter()
            .zip(&values)
            .map(|(s, v)| format!("{}{}", s.label, v[i]))
            .collect();
        let _ = write!(desc, "{}年 {}；", r.year, parts.join("，"));
    }

    let (w, h) = (720u32, 400u32);
    let (left, right, top, bottom) = (56.0, 150.0, 48.0, 44.0);
    let pw = w as f64 - left - right;
    let ph = h as f64 - top - bottom;
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    let (ymax, step) = nice_axis(max);
    let n = by_year.len();
    let x_of = |i: usize| {
        if n == 1 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: i64| top + ph - ph * (v.max(0) as f64) / ymax as f64;

    let mut out = String::new();
    svg_open(&mut out, w, h, "gk-trend", &title, &desc);
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        w / 2,
        html_escape(&title)
    );
    // Y axis: grid lines and tick labels.
    let mut v = 0;
    while v <= ymax {
        let y = y_of(v);
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{v}</text>",
            left + pw,
            if v == 0 { "#333" } else { "#ddd" },
            left - 6.0,
            y + 4.0
        );
        v += step;
    }
    let _ = write!(
        out,
        "<text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 14 {:.1})\">件数</text>",
        top + ph / 2.0,
        top + ph / 2.0
    );
    // X axis labels.
    let label_every = n.div_ceil(12).max(1);
    for (i, r) in by_year.iter().enumerate() {
        if i % label_every == 0 || i + 1 == n {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{}年</text>",
                x_of(i),
                top + ph + 20.0,
                r.year
            );
        }
    }
    // Lines, markers with tooltips, legend.
    for (si, (s, vals)) in series.iter().zip(&values).enumerate() {
        let width = if si == 0 { 3 } else { 2 };
        let _ = write!(out, "<g class=\"gk-series\" data-series=\"{}\">", s.row);
        if n > 1 {
            let points: Vec<String> = vals
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
                .collect();
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                points.join(" "),
                s.color
            );
        }
        for (i, v) in vals.iter().enumerate() {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{}\" fill=\"{}\"><title>{}年 {}：{}件</title></circle>",
                x_of(i),
                y_of(*v),
                if si == 0 { 4 } else { 3 },
                s.color,
                by_year[i].year,
                s.label,
                v
            );
        }
        let ly = top + 8.0 + 22.0 * si as f64;
        let lx = left + pw + 16.0;
        let _ = write!(
            out,
            "<line x1=\"{lx:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{}\" stroke-width=\"{width}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            lx + 20.0,
            s.color,
            lx + 26.0,
            ly + 4.0,
            s.label
        );
    }
    out.push_str("</svg>");
    out
}

/// Shorten a body name for an axis label; the full name stays in the mark's `<title>`.
fn short_name(name: &str, max_chars: usize) -> String {
    if name.chars().count() <= max_chars {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(max_chars - 1).collect();
        s.push('…');
        s
    }
}

/// Subordinate bodies side by side: one stacked bar per body showing its outcomes, with the number
/// of applications received at the end. Bodies are ordered by applications received (most first).
pub fn siblings_svg(reports: &[Report]) -> String {
    let mut rows: Vec<&Report> = reports.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(t3_total(r, RECEIVED.row)));
    let mut years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    let year_text = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => format!("{a}年"),
        (Some(a), Some(b)) => format!("{a}—{b}年"),
        _ => String::new(),
    };
    let title = format!("各单位{year_text}政府信息公开申请办理情况对比");
    if rows.is_empty() {
        return empty_chart("gk-siblings", &title);
    }
    let hidden = rows.len().saturating_sub(MAX_SIBLINGS);
    rows.truncate(MAX_SIBLINGS);

    let outcome_values: Vec<Vec<i64>> = rows
        .iter()
        .map(|r| OUTCOMES.iter().map(|s| t3_total(r, s.row).max(0)).collect())
        .collect();
    let received: Vec<i64> = rows.iter().map(|r| t3_total(r, RECEIVED.row)).collect();
    let mut desc = String::from("数据（件）：");
    for (i, r) in rows.iter().enumerate() {
        let parts: Vec<String> = OUTCOMES
            .iter()
            .zip(&outcome_values[i])
            .map(|(s, v)| format!("{}{}", s.label, v))
            .collect();
        let _ = write!(
            desc,
            "{}（{}年）本年新收申请{}，{}；",
            r.body,
            r.year,
            received[i],
            parts.join("，")
        );
    }

    let bar_h = 18.0;
    let gap = 8.0;
    let (left, right, top) = (200.0, 90.0, 72.0);
    let w = 760u32;
    let pw = w as f64 - left - right;
    let h = (top + rows.len() as f64 * (bar_h + gap) + 40.0).ceil() as u32;
    let max = outcome_values
        .iter()
        .map(|v| v.iter().sum::<i64>())
        .chain(received.iter().copied())
        .max()
        .unwrap_or(0);
    let (xmax, step) = nice_axis(max);
    let x_of = |v: i64| left + pw * v.max(0) as f64 / xmax as f64;

    let mut out = String::new();
    svg_open(&mut out, w, h, "gk-siblings", &title, &desc);
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        w / 2,
        html_escape(&title)
    );
    // Legend.
    let mut lx = 20.0;
    for s in OUTCOMES {
        let _ = write!(
            out,
            "<rect x=\"{lx:.1}\" y=\"38\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"49\">{}</text>",
            s.color,
            lx + 16.0,
            s.label
        );
        lx += 16.0 + 12.0 * s.label.chars().count() as f64 + 18.0;
    }
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"49\" text-anchor=\"end\" fill=\"#1f3a93\">条末数字：本年新收申请</text>",
        w - 12
    );
    let bottom = top + rows.len() as f64 * (bar_h + gap);
    let mut v = 0;
    while v <= xmax {
        let x = x_of(v);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"{}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{v}</text>",
            top - 6.0,
            if v == 0 { "#333" } else { "#ddd" },
            bottom + 16.0
        );
        v += step;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let _ = write!(
            out,
            "<g class=\"gk-body\"><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{}</title>{}</text>",
            left - 8.0,
            y + bar_h - 4.0,
            html_escape(&format!("{}（{}年）", r.body, r.year)),
            html_escape(&short_name(&r.body, 15))
        );
        let mut acc = 0i64;
        for (s, value) in OUTCOMES.iter().zip(&outcome_values[i]) {
            if *value == 0 {
                continue;
            }
            let x0 = x_of(acc);
            acc += value;
            let x1 = x_of(acc);
            let _ = write!(
                out,
                "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bar_h}\" fill=\"{}\"><title>{}：{}{}件</title></rect>",
                (x1 - x0).max(0.5),
                s.color,
                html_escape(&r.body),
                s.label,
                value
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1f3a93\">{}</text></g>",
            x_of(acc.max(received[i])) + 6.0,
            y + bar_h - 4.0,
            received[i]
        );
    }
    if hidden > 0 {
        let _ = write!(
            out,
            "<text x=\"{left}\" y=\"{:.1}\" fill=\"#666\">另有{hidden}个单位未显示</text>",
            bottom + 34.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::FormatVersion;

    #[test]
    fn nice_axis_values() {
        assert_eq!(nice_axis(0), (1, 1));
        assert_eq!(nice_axis(4), (4, 1));
        assert_eq!(nice_axis(7), (8, 2));
        assert_eq!(nice_axis(75), (80, 20));
        assert_eq!(nice_axis(101), (150, 50));
        let (top, step) = nice_axis(i64::MAX / 3);
        assert!(top >= i64::MAX / 3 && step > 0);
    }

    #[test]
    fn group_rows_sum_their_children() {
        let mut r = Report::zeroed(FormatVersion::V2021, 2024, "某县");
        r.set_count("t3.denied_state_secret.total", 2).unwrap();
        r.set_count("t3.denied_process_info.total", 3).unwrap();
        r.set_count("t3.other_other.total", 4).unwrap();
        assert_eq!(t3_total(&r, "denied"), 5);
        assert_eq!(t3_total(&r, "other"), 4);
        let mut r = Report::zeroed(FormatVersion::V2019, 2020, "某县");
        r.set_count("t3.other.total", 6).unwrap();
        assert_eq!(t3_total(&r, "other"), 6);
    }

    #[test]
    fn empty_input_gives_a_valid_chart() {
        assert!(trend_svg(&[]).contains("暂无数据"));
        assert!(siblings_svg(&[]).contains("暂无数据"));
    }

    #[test]
    fn short_names_keep_short_names() {
        assert_eq!(short_name("黄阁镇", 15), "黄阁镇");
        assert_eq!(short_name("一二三四五", 4), "一二三…");
    }
}
