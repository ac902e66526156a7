//! The annual report workspace: approval, narrative and publication.

use super::*;

// --- Annual report workspace -----------------------------------------------------------------

pub(super) async fn report_workspace(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<BodyQuery>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let (body, choices) = chosen_body(&st, &s, &q.body).await?;
    let year = q
        .year
        .trim()
        .parse()
        .unwrap_or_else(|_| st.today().year() - 1);
    let report = st.store.generate_report(body.id, year).await?;
    let previous = st
        .store
        .report_versions(body.id, Some(year - 1))
        .await?
        .into_iter()
        .next()
        .and_then(|v| gongkai_report::Report::from_json_str(&v.report_json).ok());
    let findings = check(&report, previous.as_ref());
    let approval = st.store.report_approval(body.id, year).await?;
    let versions = st.store.report_versions(body.id, Some(year)).await?;
    let json = report.to_json_string();
    let mut html = format!(
        "<h2>{year}年度政府信息公开工作年度报告（{}）</h2>",
        esc(&body.name)
    );
    html.push_str(&body_switcher("/staff/reports", &choices, &body, &format!("<label>年度 <input type=\"text\" name=\"year\" value=\"{year}\" style=\"width:5em\"></label> ")));
    html.push_str("<div class=\"card\"><h3>规则检查</h3>");
    if findings.is_empty() {
        html.push_str("<p id=\"rules\"><span class=\"flag ok\">全部勾稽关系通过</span></p>");
    } else {
        html.push_str("<ul id=\"rules\">");
        for f in &findings {
            html.push_str(&format!(
                "<li><span class=\"flag {}\">{}</span> {} {}</li>",
                if f.is_error() { "over" } else { "risk" },
                esc(&f.rule),
                esc(&f.message),
                ""
            ));
        }
        html.push_str("</ul>");
    }
    html.push_str("</div><div class=\"card\"><h3>审核与发布</h3>");
    match &approval {
        Some((approved_json, by, at)) if *approved_json == json => html.push_str(&format!(
            "<p>当前内容已由 {} 于 {} 审核通过。</p>",
            esc(by),
            esc(at)
        )),
        Some((_, by, _)) => html.push_str(&format!(
            "<p class=\"err\">{} 审核后内容已有变化，需重新审核。</p>",
            esc(by)
        )),
        None => html.push_str("<p>尚未审核。</p>"),
    }
    if !versions.is_empty() {
        html.push_str("<p>已发布版本：");
        for ver in &versions {
            html.push_str(&format!(
                "<a href=\"/b/{}/reports/{year}?v={}\">第{}版</a> ",
                esc(&body.code),
                ver.version,
                ver.version
            ));
        }
        html.push_str("</p>");
    }
    if s.require_reviewer(body.id).is_ok() {
        let errors = findings.iter().filter(|f| f.is_error()).count();
        html.push_str(&format!(
            "<form class=\"inline\" method=\"post\" action=\"/staff/reports/approve\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\"><input type=\"hidden\" name=\"year\" value=\"{year}\">\
             <button type=\"submit\"{dis}>审核通过当前内容</button></form> \
             <form class=\"stack\" method=\"post\" action=\"/staff/reports/publish\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\"><input type=\"hidden\" name=\"year\" value=\"{year}\">\
             <label for=\"reason\">更正理由（发布新版本时必填）</label><input id=\"reason\" type=\"text\" name=\"reason\" maxlength=\"500\">\
             <p><button type=\"submit\">发布</button></p></form>",
            csrf = csrf_field(&v),
            code = esc(&body.code),
            dis = if errors > 0 { " disabled" } else { "" },
        ));
    }
    html.push_str("</div>");
    if s.require_clerk(body.id).is_ok() {
        let narrative = st.store.narrative(body.id, year).await?;
        html.push_str(&format!("<form class=\"card stack\" method=\"post\" action=\"/staff/reports/narrative\">{}<input type=\"hidden\" name=\"body\" value=\"{}\"><input type=\"hidden\" name=\"year\" value=\"{year}\"><h3>报告正文</h3>", csrf_field(&v), esc(&body.code)));
        for sec in &report.spec().sections {
            html.push_str(&format!(
                "<label for=\"n-{k}\">{l}</label><textarea id=\"n-{k}\" name=\"{k}\" rows=\"5\">{t}</textarea>",
                k = sec.key,
                l = esc(&sec.label),
                t = esc(narrative.get(&sec.key).map(String::as_str).unwrap_or(""))
            ));
        }
        html.push_str("<p><button type=\"submit\">保存正文</button></p></form>");
    }
    html.push_str("<h3>表格（实时生成）</h3>");
    html.push_str(&gongkai_report::render_html(
        &report,
        &HtmlOptions {
            figures: Vec::new(),
            fragment: true,
        },
    ));
    html.push_str(&format!(
        "<style>{}</style>",
        gongkai_report::render::REPORT_CSS
    ));
    staff_page(&st, &v, "年度报告", html)
}

#[derive(Deserialize, Default)]
pub(super) struct NarrativeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    s1: String,
    #[serde(default)]
    s2: String,
    #[serde(default)]
    s3: String,
    #[serde(default)]
    s4: String,
    #[serde(default)]
    s5: String,
    #[serde(default)]
    s6: String,
}

pub(super) async fn save_narrative(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<NarrativeForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    let year = year_of(&st, &f.year);
    for (k, t) in [
        ("s1", &f.s1),
        ("s2", &f.s2),
        ("s3", &f.s3),
        ("s4", &f.s4),
        ("s5", &f.s5),
        ("s6", &f.s6),
    ] {
        st.store
            .set_narrative(body.id, year, k, t.trim(), &s.user.login)
            .await?;
    }
    Ok(back_to("/staff/reports", &body, Some(year)))
}

#[derive(Deserialize, Default)]
pub(super) struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn approve_report(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<ReportForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_reviewer(body.id)?;
    let year = year_of(&st, &f.year);
    let report = st.store.generate_report(body.id, year).await?;
    let errors = gongkai_report::error_count(&check(&report, None));
    if errors > 0 {
        return Err(AppError::BadRequest(format!(
            "报告有{errors}个错误，不能审核通过"
        )));
    }
    st.store
        .approve_report(
            body.id,
            year,
            &report.to_json_string(),
            &s.user.display_name,
        )
        .await?;
    Ok(back_to("/staff/reports", &body, Some(year)))
}

pub(super) async fn publish_report(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<ReportForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_reviewer(body.id)?;
    let year = year_of(&st, &f.year);
    let ver = st
        .store
        .publish_report(body.id, year, &f.reason, &s.user.display_name)
        .await?;
    Ok(Redirect::to(&format!(
        "/b/{}/reports/{year}?v={}",
        crate::portal::urlencode(&body.code),
        ver.version
    ))
    .into_response())
}
