//! Snapshot tests of every renderer for one 2019-format and one 2021-format report.

use gongkai_report::{RenderFormat, Report, render};

fn fixture(name: &str) -> Report {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    Report::from_json_str(&text).unwrap()
}

macro_rules! snap {
    ($name:ident, $file:expr, $fmt:expr) => {
        #[test]
        fn $name() {
            let r = fixture($file);
            insta::assert_snapshot!(render(&r, $fmt));
        }
    };
}

snap!(huangge_2020_text, "huangge-2020.json", RenderFormat::Text);
snap!(
    huangge_2020_markdown,
    "huangge-2020.json",
    RenderFormat::Markdown
);
snap!(huangge_2020_json, "huangge-2020.json", RenderFormat::Json);
snap!(huangge_2020_html, "huangge-2020.json", RenderFormat::Html);
snap!(nansha_2024_text, "nansha-2024.json", RenderFormat::Text);
snap!(
    nansha_2024_markdown,
    "nansha-2024.json",
    RenderFormat::Markdown
);
snap!(nansha_2024_json, "nansha-2024.json", RenderFormat::Json);
snap!(nansha_2024_html, "nansha-2024.json", RenderFormat::Html);

#[test]
fn html_shows_every_2019_table3_row_label() {
    let r = fixture("huangge-2020.json");
    let html = render(&r, RenderFormat::Html);
    let t3 = r.spec().table("t3").unwrap();
    for row in &t3.rows {
        let escaped = row.label.replace('"', "&quot;");
        assert!(html.contains(&escaped), "missing row label {}", row.label);
    }
    for c in &t3.columns {
        assert!(
            html.contains(&format!(">{}<", c.label)),
            "missing column {}",
            c.label
        );
    }
    assert!(
        html.contains("rowspan=\"20\""),
        "三、本年度办理结果 spans 20 rows"
    );
    assert!(html.contains("@page{size:A4"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external assets"
    );
    for s in [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ] {
        assert!(html.contains(s), "{s}");
    }
}

#[test]
fn html_2021_has_22_row_results_block() {
    let r = fixture("nansha-2024.json");
    let html = render(&r, RenderFormat::Html);
    assert!(html.contains("rowspan=\"22\""));
    assert!(
        html.contains("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")
    );
    assert!(html.contains("本年收费金额（单位：万元）"));
}

#[test]
fn html_escapes_section_text() {
    let mut r = fixture("nansha-2024.json");
    r.sections
        .insert("s6".into(), "<script>alert(1)</script>".into());
    let html = render(&r, RenderFormat::Html);
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;"));
}
