//! The Article 20 registers (yearly figures and normative documents).

use super::*;

pub(super) const FIGURE_CELLS: [(&str, &str); 6] = [
    ("t2_5.admin_license.decisions", "行政许可·本年处理决定数量"),
    ("t2_6.admin_penalty.decisions", "行政处罚·本年处理决定数量"),
    ("t2_6.admin_coercion.decisions", "行政强制·本年处理决定数量"),
    (
        "t2_8.admin_fees.fee_amount",
        "行政事业性收费·本年收费金额（万元）",
    ),
    (
        "t2_5.other_external_mgmt_services.decisions",
        "其他对外管理服务事项·处理决定数量（2019年格式）",
    ),
    (
        "t2_9.central_procurement.procurement_items",
        "政府集中采购·采购项目数量（2019年格式）",
    ),
];

pub(super) async fn registers(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<BodyQuery>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let (body, choices) = chosen_body(&st, &s, &q.body).await?;
    let year = year_of(&st, &q.year);
    let figures = st.store.figures(body.id, year).await?;
    let docs = st.store.list_documents(body.id).await?;
    let mut html = format!("<h2>第二十条登记（{}，{year}年）</h2>", esc(&body.name));
    html.push_str(&body_switcher("/staff/registers", &choices, &body, &format!("<label>年度 <input type=\"text\" name=\"year\" value=\"{year}\" style=\"width:5em\"></label> ")));
    html.push_str("<h3>年度数据</h3><table class=\"list\"><tbody>");
    for (cell, label) in FIGURE_CELLS {
        let val = figures
            .iter()
            .find(|f| f.cell == cell)
            .map(|f| f.value.clone())
            .unwrap_or_else(|| "—".into());
        html.push_str(&format!(
            "<tr><th scope=\"row\">{label}</th><td>{}</td></tr>",
            esc(&val)
        ));
    }
    html.push_str("</tbody></table>");
    if s.require_clerk(body.id).is_ok() {
        html.push_str(&format!(
            "<form class=\"card stack\" method=\"post\" action=\"/staff/registers\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\"><input type=\"hidden\" name=\"year\" value=\"{year}\">\
             <label for=\"f-cell\">项目</label><select id=\"f-cell\" name=\"cell\">{cells}</select>\
             <label for=\"f-value\">数值</label><input id=\"f-value\" type=\"text\" name=\"value\" required>\
             <p><button type=\"submit\">保存</button></p></form>",
            csrf = csrf_field(&v),
            code = esc(&body.code),
            cells = FIGURE_CELLS.iter().map(|(c, l)| format!("<option value=\"{c}\">{l}</option>")).collect::<String>(),
        ));
    }
    html.push_str("<h3>规章和行政规范性文件</h3><table class=\"list\"><thead><tr><th scope=\"col\">文号</th><th scope=\"col\">标题</th><th scope=\"col\">类别</th><th scope=\"col\">制发日期</th><th scope=\"col\">废止日期</th></tr></thead><tbody>");
    for d in &docs {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&d.record.doc_number),
            esc(&d.record.title),
            d.record.kind.label_zh(),
            format_date(d.record.issued_on),
            d.record
                .repealed_on
                .map(format_date)
                .unwrap_or_else(|| "现行有效".into())
        ));
    }
    html.push_str("</tbody></table><p class=\"hint\">批量导入：<code>gongkai import documents FILE.csv</code>。</p>");
    staff_page(&st, &v, "第二十条登记", html)
}

#[derive(Deserialize, Default)]
pub(super) struct FigureForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    cell: String,
    #[serde(default)]
    value: String,
}

pub(super) async fn save_figure(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<FigureForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    let year = year_of(&st, &f.year);
    let fig = YearlyFigure::parse(year, f.cell.trim(), f.value.trim())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    st.store.upsert_figure(body.id, &fig, &s.user.login).await?;
    Ok(back_to("/staff/registers", &body, Some(year)))
}
