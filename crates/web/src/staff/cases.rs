//! Administrative review and litigation cases.

use super::*;

pub(super) async fn cases(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<BodyQuery>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let (body, choices) = chosen_body(&st, &s, &q.body).await?;
    let list = st.store.list_cases(body.id, None).await?;
    let mut html = format!("<h2>行政复议、行政诉讼（{}）</h2>", esc(&body.name));
    html.push_str(&body_switcher("/staff/cases", &choices, &body, ""));
    html.push_str("<table class=\"list\"><thead><tr><th scope=\"col\">案号</th><th scope=\"col\">类别</th><th scope=\"col\">结果</th><th scope=\"col\">立案日期</th><th scope=\"col\">审结日期</th></tr></thead><tbody>");
    for c in &list {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.record.reference),
            c.record.kind.label_zh(),
            c.record.outcome.label_zh(),
            format_date(c.record.filed_on),
            c.record
                .closed_on
                .map(format_date)
                .unwrap_or_else(|| "—".into())
        ));
    }
    html.push_str("</tbody></table>");
    if s.require_clerk(body.id).is_ok() {
        html.push_str(&format!(
            "<h2>登记案件</h2><form class=\"card stack\" method=\"post\" action=\"/staff/cases\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\">\
             <label for=\"k-ref\">案号</label><input id=\"k-ref\" type=\"text\" name=\"reference\" required>\
             <label for=\"k-kind\">类别</label><select id=\"k-kind\" name=\"kind\">{kinds}</select>\
             <label for=\"k-outcome\">结果</label><select id=\"k-outcome\" name=\"outcome\">{outcomes}</select>\
             <label for=\"k-filed\">立案日期</label><input id=\"k-filed\" type=\"date\" name=\"filed_on\" required>\
             <label for=\"k-closed\">审结日期</label><input id=\"k-closed\" type=\"date\" name=\"closed_on\">\
             <label for=\"k-app\">关联申请编号（可选）</label><input id=\"k-app\" type=\"text\" name=\"application_id\" inputmode=\"numeric\">\
             <p><button type=\"submit\">登记</button></p></form>",
            csrf = csrf_field(&v),
            code = esc(&body.code),
            kinds = CaseKind::ALL.iter().map(|k| format!("<option value=\"{}\">{}</option>", k.key(), k.label_zh())).collect::<String>(),
            outcomes = CaseOutcome::ALL.iter().map(|k| format!("<option value=\"{}\">{}</option>", k.key(), k.label_zh())).collect::<String>(),
        ));
    }
    staff_page(&st, &v, "复议诉讼", html)
}

#[derive(Deserialize, Default)]
pub(super) struct CaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    closed_on: String,
    #[serde(default)]
    application_id: String,
}

pub(super) async fn create_case(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<CaseForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    let rec = CaseRecord {
        body_id: body.id,
        application_id: f.application_id.trim().parse().ok(),
        kind: CaseKind::parse(&f.kind).ok_or_else(|| AppError::BadRequest("类别无效".into()))?,
        outcome: CaseOutcome::parse(&f.outcome)
            .ok_or_else(|| AppError::BadRequest("结果无效".into()))?,
        filed_on: parse_day(&f.filed_on, "立案日期")?,
        closed_on: if f.closed_on.trim().is_empty() {
            None
        } else {
            Some(parse_day(&f.closed_on, "审结日期")?)
        },
        reference: f.reference.trim().to_string(),
        note: String::new(),
    };
    st.store.create_case(&rec, &s.user.login).await?;
    Ok(back_to("/staff/cases", &body, None))
}
