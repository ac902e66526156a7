//! The standard catalog (标准目录) and the disclosure guide.

use super::*;

pub(super) async fn catalog(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<BodyQuery>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let (body, choices) = chosen_body(&st, &s, &q.body).await?;
    let items = st.store.list_catalog(body.id).await?;
    let guide = st.store.get_guide(body.id).await?.unwrap_or_default();
    let mut html = format!("<h2>标准目录（{}）</h2>", esc(&body.name));
    html.push_str(&body_switcher("/staff/catalog", &choices, &body, ""));
    html.push_str("<table class=\"list\"><thead><tr><th scope=\"col\">领域</th><th scope=\"col\">公开事项</th><th scope=\"col\">公开时限</th><th scope=\"col\">公开渠道</th></tr></thead><tbody>");
    for i in &items {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&i.record.domain),
            esc(&i.record.name),
            esc(&i.record.time_limit),
            esc(&i.record.channel)
        ));
    }
    html.push_str("</tbody></table>");
    if s.require_clerk(body.id).is_ok() {
        html.push_str(&format!(
            "<h2>新增目录事项</h2><form class=\"card stack\" method=\"post\" action=\"/staff/catalog\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\">\
             <label for=\"c-domain\">领域</label><select id=\"c-domain\" name=\"domain\">{domains}</select>\
             <label for=\"c-name\">公开事项</label><input id=\"c-name\" type=\"text\" name=\"name\" required>\
             <label for=\"c-basis\">公开依据</label><textarea id=\"c-basis\" name=\"basis\" rows=\"2\" required></textarea>\
             <label for=\"c-limit\">公开时限</label><input id=\"c-limit\" type=\"text\" name=\"time_limit\" value=\"信息形成或者变更之日起20个工作日内\" required>\
             <label for=\"c-channel\">公开渠道和载体</label><input id=\"c-channel\" type=\"text\" name=\"channel\" value=\"政府网站 □政务公开栏\" required>\
             <label for=\"c-subject\">公开主体</label><input id=\"c-subject\" type=\"text\" name=\"subject\" value=\"{name}\" required>\
             <label for=\"c-audience\">公开对象</label><select id=\"c-audience\" name=\"audience\"><option>全社会</option><option>特定群体</option></select>\
             <label for=\"c-manner\">公开方式</label><select id=\"c-manner\" name=\"manner\"><option>主动公开</option><option>依申请公开</option></select>\
             <p><button type=\"submit\">新增</button></p></form>\
             <h2>政府信息公开指南</h2><form class=\"card stack\" method=\"post\" action=\"/staff/guide\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\">\
             <label for=\"g-text\">指南正文</label><textarea id=\"g-text\" name=\"text\" rows=\"8\">{gt}</textarea>\
             <label for=\"g-addr\">办公地址</label><input id=\"g-addr\" type=\"text\" name=\"address\" value=\"{ga}\">\
             <label for=\"g-hours\">办公时间</label><input id=\"g-hours\" type=\"text\" name=\"office_hours\" value=\"{gh}\">\
             <label for=\"g-phone\">咨询电话</label><input id=\"g-phone\" type=\"text\" name=\"phone\" value=\"{gp}\">\
             <p><button type=\"submit\">保存指南</button></p></form>",
            csrf = csrf_field(&v),
            code = esc(&body.code),
            name = esc(&body.name),
            domains = STANDARD_DOMAINS.iter().map(|d| format!("<option>{d}</option>")).collect::<String>(),
            gt = esc(&guide.text),
            ga = esc(&guide.address),
            gh = esc(&guide.office_hours),
            gp = esc(&guide.phone),
        ));
    }
    staff_page(&st, &v, "标准目录", html)
}

#[derive(Deserialize, Default)]
pub(super) struct CatalogForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    time_limit: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    manner: String,
}

pub(super) async fn create_catalog_item(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<CatalogForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    st.store
        .create_catalog_item(
            &CatalogItemRecord {
                body_id: body.id,
                domain: f.domain,
                name: f.name,
                basis: f.basis,
                time_limit: f.time_limit,
                channel: f.channel,
                subject: f.subject,
                audience: f.audience,
                manner: f.manner,
            },
            &s.user.login,
        )
        .await?;
    Ok(back_to("/staff/catalog", &body, None))
}

#[derive(Deserialize, Default)]
pub(super) struct GuideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    office_hours: String,
    #[serde(default)]
    phone: String,
}

pub(super) async fn save_guide(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<GuideForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    if f.text.chars().count() > 50_000 {
        return Err(AppError::BadRequest("指南过长".into()));
    }
    st.store
        .set_guide(
            body.id,
            &gongkai_ledger::content::Guide {
                text: f.text,
                address: f.address,
                office_hours: f.office_hours,
                phone: f.phone,
            },
            &s.user.login,
        )
        .await?;
    Ok(back_to("/staff/catalog", &body, None))
}
