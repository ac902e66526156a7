//! The staff console: login, the application queue with working-day countdown, every ledger
//! transition as a form, documents and catalog, cases and registers, the annual report
//! workspace (live tables, narrative, rule results, approval, immutable publication) and the
//! audit log. Every handler checks the user's role for the body it touches.

use crate::app::AppState;
use crate::auth::{Staff, Viewer, now_unix, set_cookie};
use crate::error::{AppError, PageResult};
use crate::portal::{body_by_code, client_ip};
use crate::security::{SESSION_COOKIE, SESSION_SECONDS, Session};
use crate::views::{csrf_field, esc, page, staff_nav};
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_calendar::{format_date, parse_date};
use gongkai_ledger::content::{CatalogItemRecord, PublicDocumentRecord, STANDARD_DOMAINS, TOPICS};
use gongkai_ledger::{
    ApplicantType, Application, ApplicationState, Body, CaseKind, CaseOutcome, CaseRecord, Channel,
    Consultee, EventKind, NewApplication, Outcome, PersonalData, ReplyDocument, YearlyFigure,
};
use gongkai_report::{HtmlOptions, check};
use gongkai_store::{ApplicationFilter, DocumentQuery};
use serde::Deserialize;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/login", get(login_form).post(login))
        .route("/staff/logout", post(logout))
        .route("/staff", get(queue))
        .route("/staff/applications", post(register_application))
        .route("/staff/applications/{id}", get(application))
        .route("/staff/applications/{id}/event", post(application_event))
        .route("/staff/documents", get(documents).post(create_document))
        .route(
            "/staff/documents/{id}",
            get(edit_document).post(update_document),
        )
        .route("/staff/documents/{id}/publish", post(publish_document))
        .route("/staff/documents/{id}/attachments", post(upload_attachment))
        .route("/staff/catalog", get(catalog).post(create_catalog_item))
        .route("/staff/guide", post(save_guide))
        .route("/staff/cases", get(cases).post(create_case))
        .route("/staff/registers", get(registers).post(save_figure))
        .route("/staff/reports", get(report_workspace))
        .route("/staff/reports/narrative", post(save_narrative))
        .route("/staff/reports/approve", post(approve_report))
        .route("/staff/reports/publish", post(publish_report))
        .route("/staff/audit", get(audit))
}

fn site(st: &AppState) -> &str {
    &st.config.site_name
}

fn staff_page(st: &AppState, v: &Viewer, title: &str, html: String) -> PageResult<Response> {
    let who = v
        .staff
        .as_ref()
        .map(|s| {
            format!(
                "<p class=\"crumbs\">工作人员：{} · <form class=\"inline\" method=\"post\" action=\"/staff/logout\">{}<button class=\"secondary\" type=\"submit\">退出登录</button></form></p>",
                esc(&s.user.display_name),
                csrf_field(v)
            )
        })
        .unwrap_or_default();
    page(v, site(st), title, staff_nav(v), format!("{who}{html}"))
}

/// The signed-in staff member, or a redirect to the login page.
macro_rules! staff_or_login {
    ($v:expr) => {
        match $v.staff.as_ref() {
            Some(s) => s.clone(),
            None => return Ok(Redirect::to("/staff/login").into_response()),
        }
    };
}

/// Redirect to a body's staff page (optionally for a year) after a form post.
fn back_to(path: &str, body: &Body, year: Option<i32>) -> Response {
    let code = crate::portal::urlencode(&body.code);
    let target = match year {
        Some(y) => format!("{path}?body={code}&year={y}"),
        None => format!("{path}?body={code}"),
    };
    Redirect::to(&target).into_response()
}

pub(crate) fn parse_day(s: &str, field: &str) -> Result<Date, AppError> {
    parse_date(s.trim())
        .map_err(|_| AppError::BadRequest(format!("「{field}」日期格式应为 YYYY-MM-DD")))
}

// --- Login ------------------------------------------------------------------------------

fn login_html(v: &Viewer, err: Option<&str>) -> String {
    format!(
        "<h2>工作人员登录</h2>{e}<form class=\"card stack\" method=\"post\" action=\"/staff/login\">{csrf}\
         <label for=\"login\">用户名</label><input id=\"login\" type=\"text\" name=\"login\" required autocomplete=\"username\">\
         <label for=\"password\">密码</label><input id=\"password\" type=\"password\" name=\"password\" required autocomplete=\"current-password\">\
         <p><button type=\"submit\">登录</button></p></form>",
        e = err
            .map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e)))
            .unwrap_or_default(),
        csrf = csrf_field(v)
    )
}

async fn login_form(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    if v.staff.is_some() {
        return Ok(Redirect::to("/staff").into_response());
    }
    page(
        &v,
        site(&st),
        "工作人员登录",
        staff_nav(&v),
        login_html(&v, None),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    Form(f): Form<LoginForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let ip = client_ip(&st, &headers, peer);
    if st.limits.login.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    match st.store.verify_login(f.login.trim(), &f.password).await? {
        Some(user) => {
            let session = Session::new(user.id, now_unix());
            st.store
                .audit(
                    &user.login,
                    None,
                    "staff.login",
                    &format!("user:{}", user.id),
                    "",
                )
                .await?;
            let mut res = Redirect::to("/staff").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session.encode(&st.secret),
                    SESSION_SECONDS,
                    st.config.secure_cookies,
                ),
            );
            Ok(res)
        }
        None => {
            st.store
                .audit(
                    f.login.trim(),
                    None,
                    "staff.login_failed",
                    &format!("ip:{ip}"),
                    "",
                )
                .await?;
            let mut res = page(
                &v,
                site(&st),
                "工作人员登录",
                staff_nav(&v),
                login_html(&v, Some("用户名或密码不正确")),
            )?;
            *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    if let Some(s) = &v.staff {
        st.store
            .audit(
                &s.user.login,
                None,
                "staff.logout",
                &format!("user:{}", s.user.id),
                "",
            )
            .await?;
    }
    let mut res = Redirect::to("/staff/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, st.config.secure_cookies),
    );
    Ok(res)
}

// --- Queue ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    closed: String,
}

/// Working days left until `due` from today (negative when overdue), if the calendar knows.
fn countdown(st: &AppState, due: Option<Date>) -> Option<i64> {
    let due = due?;
    let t = st.today();
    st.store.calendar().working_days_between(t, due).ok()
}

fn flag(remaining: Option<i64>, closed: bool) -> String {
    if closed {
        return "<span class=\"flag info\">已办结</span>".into();
    }
    match remaining {
        Some(r) if r < 0 => format!("<span class=\"flag over\">已超期{}个工作日</span>", -r),
        Some(0) => "<span class=\"flag over\">今日到期</span>".into(),
        Some(r) if r <= 3 => format!("<span class=\"flag risk\">剩余{r}个工作日</span>"),
        Some(r) => format!("<span class=\"flag ok\">剩余{r}个工作日</span>"),
        None => "<span class=\"flag info\">期限暂停</span>".into(),
    }
}

fn bodies_of(all: &[Body], ids: &[i64]) -> Vec<Body> {
    all.iter()
        .filter(|b| ids.contains(&b.id))
        .cloned()
        .collect()
}

fn channel_options() -> String {
    [
        ("in-person", "当面提交"),
        ("post", "邮政寄送（签收）"),
        ("mail", "平信（电话确认）"),
        ("online", "互联网"),
        ("fax", "传真"),
    ]
    .iter()
    .map(|(k, l)| format!("<option value=\"{k}\">{l}</option>"))
    .collect()
}

async fn queue(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<QueueQuery>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let all = st.store.list_bodies().await?;
    let readable = s.readable_bodies(&all);
    let bodies = bodies_of(&all, &readable);
    let chosen: Vec<i64> = match body_id_param(&all, &q.body) {
        Some(id) if readable.contains(&id) => vec![id],
        Some(_) => return Err(crate::auth::forbidden()),
        None => readable.clone(),
    };
    let state = ApplicationState::parse(q.state.trim());
    let mut apps: Vec<Application> = Vec::new();
    for id in &chosen {
        apps.extend(
            st.store
                .list_applications(&ApplicationFilter {
                    body_id: Some(*id),
                    state,
                    limit: Some(gongkai_store::MAX_LIST),
                    ..Default::default()
                })
                .await?,
        );
    }
    let show_closed = q.closed == "1";
    apps.retain(|a| show_closed || !a.status.state.is_closed());
    let mut rows: Vec<(Option<i64>, Application)> = apps
        .into_iter()
        .map(|a| (countdown(&st, a.due_on), a))
        .collect();
    match q.sort.as_str() {
        "received" => rows.sort_by_key(|(_, a)| std::cmp::Reverse(a.status.received_on)),
        _ => rows.sort_by_key(|(r, a)| (r.unwrap_or(i64::MAX), a.id)),
    }
    let mut html = String::from(
        "<h2>依申请公开办理</h2><form class=\"card\" method=\"get\" action=\"/staff\"><label>机关 <select name=\"body\"><option value=\"\">全部</option>",
    );
    for b in &bodies {
        html.push_str(&format!(
            "<option value=\"{c}\"{sel}>{n}</option>",
            c = esc(&b.code),
            n = esc(&b.name),
            sel = if b.code == q.body { " selected" } else { "" }
        ));
    }
    html.push_str(
        "</select></label> <label>状态 <select name=\"state\"><option value=\"\">全部</option>",
    );
    for st_ in [
        ApplicationState::Processing,
        ApplicationState::AwaitingCorrection,
        ApplicationState::Consulting,
        ApplicationState::AwaitingPayment,
        ApplicationState::Decided,
        ApplicationState::Withdrawn,
        ApplicationState::Lapsed,
    ] {
        html.push_str(&format!(
            "<option value=\"{}\"{}>{}</option>",
            st_.as_str(),
            if Some(st_) == state { " selected" } else { "" },
            st_.label_zh()
        ));
    }
    html.push_str(&format!(
        "</select></label> <label>排序 <select name=\"sort\"><option value=\"due\">按剩余期限</option><option value=\"received\"{}>按收到日期</option></select></label> \
         <label><input type=\"checkbox\" name=\"closed\" value=\"1\"{}> 含已办结</label> <button type=\"submit\">筛选</button></form>",
        if q.sort == "received" { " selected" } else { "" },
        if show_closed { " checked" } else { "" }
    ));
    html.push_str("<table class=\"list\" id=\"queue\"><thead><tr><th scope=\"col\">查询码</th><th scope=\"col\">机关</th><th scope=\"col\">收到日期</th><th scope=\"col\">申请内容</th><th scope=\"col\">状态</th><th scope=\"col\">答复期限</th><th scope=\"col\">剩余</th></tr></thead><tbody>");
    for (rem, a) in &rows {
        let body = all
            .iter()
            .find(|b| b.id == a.body_id)
            .map(|b| b.name.as_str())
            .unwrap_or("");
        let excerpt: String = a.request_text.chars().take(40).collect();
        html.push_str(&format!(
            "<tr><td><a href=\"/staff/applications/{id}\">{code}</a></td><td>{b}</td><td>{r}</td><td>{t}</td><td>{s}</td><td>{d}</td><td>{f}</td></tr>",
            id = a.id,
            code = esc(&a.tracking_code),
            b = esc(body),
            r = format_date(a.status.received_on),
            t = esc(&excerpt),
            s = a.status.state.label_zh(),
            d = a.due_on.map(format_date).unwrap_or_else(|| "—".into()),
            f = flag(*rem, a.status.state.is_closed()),
        ));
    }
    if rows.is_empty() {
        html.push_str("<tr><td colspan=\"7\">没有待办申请。</td></tr>");
    }
    html.push_str("</tbody></table>");
    // Register a paper / in-person application.
    let working = bodies_of(&all, &s.working_bodies());
    if !working.is_empty() {
        html.push_str(&format!(
            "<h2>登记申请</h2><form class=\"card stack\" method=\"post\" action=\"/staff/applications\">{csrf}\
             <label for=\"r-body\">受理机关</label><select id=\"r-body\" name=\"body\">{bodies}</select>\
             <label for=\"r-channel\">提交方式</label><select id=\"r-channel\" name=\"channel\">{ch}</select>\
             <label for=\"r-received\">收到申请之日</label><input id=\"r-received\" type=\"date\" name=\"received_on\" value=\"{today}\" required>\
             <label for=\"r-type\">申请人类型</label><select id=\"r-type\" name=\"applicant_type\">{types}</select>\
             <label for=\"r-name\">申请人姓名或名称</label><input id=\"r-name\" type=\"text\" name=\"name\" required>\
             <label for=\"r-phone\">联系电话</label><input id=\"r-phone\" type=\"tel\" name=\"phone\">\
             <label for=\"r-text\">申请内容</label><textarea id=\"r-text\" name=\"request_text\" rows=\"3\" required></textarea>\
             <p><button type=\"submit\">登记</button></p></form>",
            csrf = csrf_field(&v),
            bodies = working
                .iter()
                .map(|b| format!("<option value=\"{}\">{}</option>", esc(&b.code), esc(&b.name)))
                .collect::<String>(),
            ch = channel_options(),
            today = format_date(st.today()),
            types = ApplicantType::ALL
                .iter()
                .map(|a| format!("<option value=\"{}\">{}</option>", a.column_key(), a.label()))
                .collect::<String>(),
        ));
    }
    staff_page(&st, &v, "申请办理", html)
}

fn body_id_param(all: &[Body], code: &str) -> Option<i64> {
    let c = code.trim();
    if c.is_empty() {
        return None;
    }
    Some(all.iter().find(|b| b.code == c).map(|b| b.id).unwrap_or(-1))
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    applicant_type: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    request_text: String,
}

async fn register_application(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<RegisterForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    let channel: Channel = f
        .channel
        .parse()
        .map_err(|_| AppError::BadRequest("提交方式无效".into()))?;
    let applicant_type = ApplicantType::from_column_key(&f.applicant_type)
        .ok_or_else(|| AppError::BadRequest("申请人类型无效".into()))?;
    let received_on = parse_day(&f.received_on, "收到申请之日")?;
    let (app, creds) = st
        .store
        .receive_application(
            &NewApplication {
                body_id: body.id,
                applicant_type,
                channel,
                received_on,
                request_text: f.request_text.trim().to_string(),
                personal: PersonalData {
                    name: f.name.trim().to_string(),
                    id_number: None,
                    phone: (!f.phone.trim().is_empty()).then(|| f.phone.trim().to_string()),
                    email: None,
                    address: None,
                },
            },
            &s.user.login,
            "工作人员登记",
        )
        .await?;
    let html = format!(
        "<h2>已登记</h2><div class=\"receipt\"><p>请将查询码和密码告知申请人：</p><dl class=\"meta\"><dt>查询码</dt><dd><code>{}</code></dd><dt>查询密码</dt><dd><code>{}</code></dd></dl>\
         <p><a href=\"/staff/applications/{}\">办理此申请</a></p></div>",
        esc(&creds.code),
        esc(&creds.secret),
        app.id
    );
    staff_page(&st, &v, "已登记", html)
}

// --- One application --------------------------------------------------------------------

async fn load_app(st: &AppState, s: &Staff, id: i64) -> PageResult<(Application, Vec<Body>)> {
    let app = st.store.get_application(id).await?;
    let all = st.store.list_bodies().await?;
    if !s.can_read(&all, app.body_id) {
        return Err(crate::auth::forbidden());
    }
    Ok((app, all))
}

fn outcome_options() -> String {
    Outcome::ALL
        .iter()
        .map(|o| {
            format!(
                "<option value=\"{}\">{}</option>",
                o.code(),
                esc(&o.label())
            )
        })
        .collect()
}

async fn application(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let (app, all) = load_app(&st, &s, id).await?;
    let body = all
        .iter()
        .find(|b| b.id == app.body_id)
        .cloned()
        .ok_or(AppError::NotFound("机关".into()))?;
    let personal = crate::auth::personal_data_for(&st, &s, &app).await?;
    let events = st.store.application_events(app.id).await?;
    let clock = app
        .status
        .clock(app.channel, st.store.calendar(), st.today());
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/staff\">申请办理</a> › {code}</p><h2>申请 {code}</h2><div class=\"grid2\"><div class=\"card\"><dl class=\"meta\">\
         <dt>受理机关</dt><dd>{b}</dd><dt>申请人类型</dt><dd>{at}</dd><dt>申请人</dt><dd>{name}</dd><dt>联系电话</dt><dd>{phone}</dd><dt>电子邮箱</dt><dd>{email}</dd>\
         <dt>通信地址</dt><dd>{addr}</dd><dt>提交方式</dt><dd>{ch}</dd><dt>收到日期</dt><dd>{r}</dd><dt>状态</dt><dd id=\"state\">{state}</dd><dt>答复期限</dt><dd>{due}</dd></dl>\
         <h3>申请内容</h3><p>{text}</p></div>",
        code = esc(&app.tracking_code),
        b = esc(&body.name),
        at = app.applicant_type.label(),
        name = esc(&personal.name),
        phone = esc(personal.phone.as_deref().unwrap_or("—")),
        email = esc(personal.email.as_deref().unwrap_or("—")),
        addr = esc(personal.address.as_deref().unwrap_or("—")),
        ch = esc(&app.channel.to_string()),
        r = format_date(app.status.received_on),
        state = app.status.state.label_zh(),
        due = app.due_on.map(format_date).unwrap_or_else(|| "—".into()),
        text = esc(&app.request_text),
    );
    html.push_str("<div class=\"card\"><h3>法定期限计算</h3>");
    match clock {
        Ok(c) => {
            html.push_str(&format!(
                "<p>已用 {} 个工作日，剩余 {} 个工作日（共 {} 个）。</p><ol>",
                c.used, c.remaining, c.working_days
            ));
            for step in &c.steps {
                html.push_str(&format!("<li>{}</li>", esc(step)));
            }
            html.push_str("</ol>");
        }
        Err(e) => html.push_str(&format!("<p class=\"err\">{}</p>", esc(&e.to_string()))),
    }
    html.push_str("</div></div><h3>办理记录</h3><table class=\"list\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">日期</th><th scope=\"col\">事项</th><th scope=\"col\">经办人</th><th scope=\"col\">备注</th></tr></thead><tbody>");
    for e in &events {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            format_date(e.on),
            e.kind.label_zh(),
            esc(&e.actor),
            esc(&e.note)
        ));
    }
    html.push_str("</tbody></table>");
    if !app.status.state.is_closed() && s.require_clerk(app.body_id).is_ok() {
        let csrf = csrf_field(&v);
        let t = format_date(st.today());
        let action = format!("/staff/applications/{}/event", app.id);
        let form = |title: &str, kind: &str, fields: &str| {
            format!(
                "<form class=\"card stack\" method=\"post\" action=\"{action}\"><h3>{title}</h3>{csrf}<input type=\"hidden\" name=\"kind\" value=\"{kind}\">\
                 {fields}<label>日期 <input type=\"date\" name=\"on\" value=\"{t}\" required></label>\
                 <label>备注 <input type=\"text\" name=\"note\" maxlength=\"500\"></label><p><button type=\"submit\">{title}</button></p></form>"
            )
        };
        html.push_str("<h2>办理</h2><div class=\"grid2\">");
        html.push_str(&form(
            "作出答复",
            "decided",
            &format!(
                "<label for=\"outcome\">办理结果（表三）</label><select id=\"outcome\" name=\"outcome\">{}</select>\
                 <label for=\"reference\">答复文书编号</label><input id=\"reference\" type=\"text\" name=\"reference\" required maxlength=\"100\">\
                 <label for=\"summary\">答复内容摘要</label><textarea id=\"summary\" name=\"summary\" rows=\"3\" required maxlength=\"2000\"></textarea>",
                outcome_options()
            ),
        ));
        html.push_str(&form(
            "告知补正",
            "correction_requested",
            "<label>补正期限 <input type=\"date\" name=\"deadline\" required></label>",
        ));
        html.push_str(&form("收到补正", "corrected", ""));
        html.push_str(&form("逾期未补正", "correction_lapsed", ""));
        html.push_str(&form(
            "开始征求意见",
            "consultation_started",
            "<label>征求对象 <select name=\"consultee\"><option value=\"third_party\">第三方</option><option value=\"other_agency\">其他机关</option></select></label>",
        ));
        html.push_str(&form("征求意见结束", "consultation_ended", ""));
        if s.require_reviewer(app.body_id).is_ok() {
            html.push_str(&form(
                "批准延期答复",
                "extension_approved",
                "<label>延长工作日（不超过20） <input type=\"number\" name=\"days\" min=\"1\" max=\"20\" value=\"20\" required></label>",
            ));
        }
        html.push_str(&form(
            "发出收费通知",
            "fee_noticed",
            "<label>金额（元） <input type=\"text\" name=\"amount\" inputmode=\"decimal\" required></label>",
        ));
        html.push_str(&form("已缴费", "fee_paid", ""));
        html.push_str(&form("逾期未缴费", "fee_lapsed", ""));
        html.push_str(&form("申请人撤回", "withdrawn", ""));
        html.push_str("</div>");
    }
    staff_page(&st, &v, &format!("申请 {}", app.tracking_code), html)
}

#[derive(Deserialize, Default)]
pub(crate) struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    pub(crate) on: String,
    #[serde(default)]
    pub(crate) note: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    consultee: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    amount: String,
}

/// Parse a yuan amount like `120` or `120.50` into fen.
fn yuan_to_fen(s: &str) -> Option<i64> {
    let d: gongkai_report::Decimal = s.trim().parse().ok()?;
    let fen = d * gongkai_report::Decimal::from(100);
    if !fen.fract().is_zero() || fen.is_sign_negative() {
        return None;
    }
    use rust_decimal::prelude::ToPrimitive;
    fen.to_i64()
}

pub(crate) fn event_from_form(f: &EventForm) -> Result<EventKind, AppError> {
    Ok(match f.kind.as_str() {
        "decided" => EventKind::Decided {
            outcome: Outcome::from_code(&f.outcome)
                .ok_or_else(|| AppError::BadRequest("请选择办理结果".into()))?,
            reply: ReplyDocument {
                reference: f.reference.trim().to_string(),
                summary: f.summary.trim().to_string(),
            },
        },
        "correction_requested" => EventKind::CorrectionRequested {
            deadline: parse_day(&f.deadline, "补正期限")?,
        },
        "corrected" => EventKind::Corrected,
        "correction_lapsed" => EventKind::CorrectionLapsed,
        "consultation_started" => EventKind::ConsultationStarted {
            consultee: match f.consultee.as_str() {
                "other_agency" => Consultee::OtherAgency,
                _ => Consultee::ThirdParty,
            },
        },
        "consultation_ended" => EventKind::ConsultationEnded,
        "extension_approved" => EventKind::ExtensionApproved {
            days: f
                .days
                .trim()
                .parse()
                .map_err(|_| AppError::BadRequest("延长天数无效".into()))?,
        },
        "fee_noticed" => EventKind::FeeNoticed {
            amount_fen: yuan_to_fen(&f.amount)
                .ok_or_else(|| AppError::BadRequest("金额无效".into()))?,
        },
        "fee_paid" => EventKind::FeePaid,
        "fee_lapsed" => EventKind::FeeLapsed,
        "withdrawn" => EventKind::Withdrawn,
        other => return Err(AppError::BadRequest(format!("未知的办理事项 `{other}`"))),
    })
}

async fn application_event(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<EventForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let (app, _) = load_app(&st, &s, id).await?;
    s.require_clerk(app.body_id)?;
    let event = event_from_form(&f)?;
    if matches!(event, EventKind::ExtensionApproved { .. }) {
        s.require_reviewer(app.body_id)?;
    }
    let on = parse_day(&f.on, "日期")?;
    st.store
        .apply_event(app.id, &event, on, &s.user.login, f.note.trim())
        .await?;
    Ok(Redirect::to(&format!("/staff/applications/{}", app.id)).into_response())
}

// --- Documents and catalog ----------------------------------------------------------------

#[derive(Deserialize, Default)]
struct BodyQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    /// Page of a long list (from 1).
    #[serde(default)]
    page: Option<i64>,
}

/// Rows per page of the staff document list.
const STAFF_PAGE_SIZE: i64 = 50;

/// The body a staff page works on: the `body` parameter, else the user's first working body.
async fn chosen_body(st: &AppState, s: &Staff, code: &str) -> PageResult<(Body, Vec<Body>)> {
    let all = st.store.list_bodies().await?;
    let readable = s.readable_bodies(&all);
    let body = if code.trim().is_empty() {
        s.working_bodies()
            .first()
            .or(readable.first())
            .and_then(|id| all.iter().find(|b| b.id == *id))
            .cloned()
            .ok_or_else(|| AppError::Forbidden("您没有任何机关的权限 (no roles)".into()))?
    } else {
        body_by_code(st, code).await?
    };
    if !readable.contains(&body.id) {
        return Err(crate::auth::forbidden());
    }
    let choices = bodies_of(&all, &readable);
    Ok((body, choices))
}

fn body_switcher(path: &str, bodies: &[Body], current: &Body, extra: &str) -> String {
    let mut html = format!(
        "<form class=\"card\" method=\"get\" action=\"{path}\"><label>机关 <select name=\"body\">"
    );
    for b in bodies {
        html.push_str(&format!(
            "<option value=\"{c}\"{s}>{n}</option>",
            c = esc(&b.code),
            n = esc(&b.name),
            s = if b.id == current.id { " selected" } else { "" }
        ));
    }
    html.push_str(&format!(
        "</select></label> {extra}<button type=\"submit\">切换</button></form>"
    ));
    html
}

fn document_form(
    st: &AppState,
    v: &Viewer,
    action: &str,
    body: &Body,
    catalog: &[gongkai_ledger::content::CatalogItem],
    d: Option<&PublicDocumentRecord>,
) -> String {
    let val = |f: fn(&PublicDocumentRecord) -> String| d.map(f).unwrap_or_default();
    format!(
        "<form class=\"card stack\" method=\"post\" action=\"{action}\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\">\
         <label for=\"d-title\">标题</label><input id=\"d-title\" type=\"text\" name=\"title\" required maxlength=\"300\" value=\"{title}\">\
         <label for=\"d-publisher\">发布机构</label><input id=\"d-publisher\" type=\"text\" name=\"publisher\" required value=\"{publisher}\">\
         <label for=\"d-number\">文号</label><input id=\"d-number\" type=\"text\" name=\"doc_number\" maxlength=\"100\" value=\"{number}\">\
         <label for=\"d-written\">成文日期</label><input id=\"d-written\" type=\"date\" name=\"written_on\" required value=\"{written}\">\
         <label for=\"d-topic\">主题分类</label><select id=\"d-topic\" name=\"topic\">{topics}</select>\
         <label for=\"d-item\">标准目录事项</label><select id=\"d-item\" name=\"catalog_item\"><option value=\"\">（无）</option>{items}</select>\
         <label for=\"d-text\">正文</label><textarea id=\"d-text\" name=\"text\" rows=\"10\" required>{text}</textarea>\
         <p><button type=\"submit\">保存</button></p></form>",
        csrf = csrf_field(v),
        code = esc(&body.code),
        title = esc(&val(|d| d.title.clone())),
        publisher = esc(&d
            .map(|d| d.publisher.clone())
            .unwrap_or_else(|| body.name.clone())),
        number = esc(&val(|d| d.doc_number.clone())),
        written = d
            .map(|d| format_date(d.written_on))
            .unwrap_or_else(|| format_date(st.today())),
        topics = TOPICS
            .iter()
            .map(|t| format!(
                "<option{}>{t}</option>",
                if d.is_some_and(|d| d.topic == *t) {
                    " selected"
                } else {
                    ""
                }
            ))
            .collect::<String>(),
        items = catalog
            .iter()
            .map(|i| format!(
                "<option value=\"{}\"{}>{}·{}</option>",
                i.id,
                if d.is_some_and(|d| d.catalog_item_id == Some(i.id)) {
                    " selected"
                } else {
                    ""
                },
                esc(&i.record.domain),
                esc(&i.record.name)
            ))
            .collect::<String>(),
        text = esc(&val(|d| d.text.clone())),
    )
}

async fn documents(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<BodyQuery>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let (body, choices) = chosen_body(&st, &s, &q.body).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let (docs, total) = st
        .store
        .list_public_documents(&DocumentQuery {
            body_id: body.id,
            published_only: false,
            catalog_item_id: None,
            limit: STAFF_PAGE_SIZE,
            offset: (page_no - 1) * STAFF_PAGE_SIZE,
        })
        .await?;
    let catalog = st.store.list_catalog(body.id).await?;
    let mut html = format!("<h2>政府信息（{}，共{total}条）</h2>", esc(&body.name));
    html.push_str(&body_switcher("/staff/documents", &choices, &body, ""));
    html.push_str("<table class=\"list\"><thead><tr><th scope=\"col\">索引号</th><th scope=\"col\">标题</th><th scope=\"col\">成文日期</th><th scope=\"col\">状态</th><th scope=\"col\">操作</th></tr></thead><tbody>");
    let can_edit = s.require_clerk(body.id).is_ok();
    for d in &docs {
        let toggle = if can_edit {
            format!(
                "<form class=\"inline\" method=\"post\" action=\"/staff/documents/{}/publish\">{}<input type=\"hidden\" name=\"publish\" value=\"{}\"><button class=\"secondary\" type=\"submit\">{}</button></form>",
                d.id,
                csrf_field(&v),
                if d.published { "0" } else { "1" },
                if d.published { "撤回" } else { "发布" }
            )
        } else {
            String::new()
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td><a href=\"/staff/documents/{}\">{}</a></td><td>{}</td><td>{}</td><td>{toggle}</td></tr>",
            esc(&d.index_number),
            d.id,
            esc(&d.record.title),
            format_date(d.record.written_on),
            if d.published { "已发布" } else { "未发布" }
        ));
    }
    html.push_str("</tbody></table>");
    let pages = (total + STAFF_PAGE_SIZE - 1) / STAFF_PAGE_SIZE;
    if pages > 1 {
        let base = format!("/staff/documents?body={}&amp;page=", esc(&body.code));
        html.push_str(&crate::views::pager(&base, page_no, pages));
    }
    if can_edit {
        html.push_str("<h2>新建政府信息</h2>");
        html.push_str(&document_form(
            &st,
            &v,
            "/staff/documents",
            &body,
            &catalog,
            None,
        ));
    }
    staff_page(&st, &v, "政府信息", html)
}

#[derive(Deserialize, Default)]
struct DocumentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    written_on: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    catalog_item: String,
    #[serde(default)]
    text: String,
}

fn record_from(f: &DocumentForm, body: &Body) -> Result<PublicDocumentRecord, AppError> {
    Ok(PublicDocumentRecord {
        body_id: body.id,
        catalog_item_id: f.catalog_item.trim().parse().ok(),
        publisher: f.publisher.trim().to_string(),
        written_on: parse_day(&f.written_on, "成文日期")?,
        doc_number: f.doc_number.trim().to_string(),
        topic: f.topic.trim().to_string(),
        title: f.title.trim().to_string(),
        text: f.text.trim().to_string(),
    })
}

async fn create_document(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<DocumentForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    let rec = record_from(&f, &body)?;
    let doc = st.store.create_public_document(&rec, &s.user.login).await?;
    Ok(Redirect::to(&format!("/staff/documents/{}", doc.id)).into_response())
}

async fn edit_document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let d = st.store.get_public_document(id).await?;
    let all = st.store.list_bodies().await?;
    if !s.can_read(&all, d.record.body_id) {
        return Err(crate::auth::forbidden());
    }
    let body = st.store.get_body(d.record.body_id).await?;
    let catalog = st.store.list_catalog(body.id).await?;
    let atts = st.store.list_attachments(d.id).await?;
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/staff/documents?body={c}\">政府信息</a> › {idx}</p><h2>{t}</h2><p>索引号 {idx} · {state} · <a href=\"/docs/{id}\">查看</a></p>",
        c = esc(&body.code),
        idx = esc(&d.index_number),
        t = esc(&d.record.title),
        state = if d.published {
            "已发布"
        } else {
            "未发布"
        },
        id = d.id
    );
    if s.require_clerk(body.id).is_ok() {
        html.push_str(&document_form(
            &st,
            &v,
            &format!("/staff/documents/{}", d.id),
            &body,
            &catalog,
            Some(&d.record),
        ));
        html.push_str(&format!(
            "<h3>附件</h3><ul>{}</ul><form class=\"card stack\" method=\"post\" action=\"/staff/documents/{}/attachments?csrf={}\" enctype=\"multipart/form-data\">\
             <label for=\"file\">上传附件（不超过10 MiB）</label><input id=\"file\" type=\"file\" name=\"file\" required><p><button type=\"submit\">上传</button></p></form>",
            atts.iter()
                .map(|a| format!("<li><a href=\"/attachments/{}\">{}</a></li>", a.id, esc(&a.file_name)))
                .collect::<String>(),
            d.id,
            crate::portal::urlencode(&v.csrf)
        ));
    }
    staff_page(&st, &v, &d.record.title, html)
}

async fn update_document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<DocumentForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let d = st.store.get_public_document(id).await?;
    s.require_clerk(d.record.body_id)?;
    let body = st.store.get_body(d.record.body_id).await?;
    let rec = record_from(&f, &body)?;
    st.store
        .update_public_document(id, &rec, &s.user.login)
        .await?;
    Ok(Redirect::to(&format!("/staff/documents/{id}")).into_response())
}

#[derive(Deserialize, Default)]
struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    publish: String,
}

async fn publish_document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let d = st.store.get_public_document(id).await?;
    s.require_clerk(d.record.body_id)?;
    let publish = f.publish == "1";
    st.store
        .set_document_published(id, publish, st.today(), &s.user.login)
        .await?;
    let body = st.store.get_body(d.record.body_id).await?;
    Ok(back_to("/staff/documents", &body, None))
}

#[derive(Deserialize, Default)]
struct CsrfQuery {
    #[serde(default)]
    csrf: String,
}

async fn upload_attachment(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<CsrfQuery>,
    mut mp: Multipart,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&q.csrf)?;
    let d = st.store.get_public_document(id).await?;
    s.require_clerk(d.record.body_id)?;
    let mut saved = 0;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("附件").to_string();
        let ct = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let data = field
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?;
        if data.is_empty() {
            continue;
        }
        st.store
            .add_attachment(id, &name, &ct, &data, &s.user.login)
            .await?;
        saved += 1;
    }
    if saved == 0 {
        return Err(AppError::BadRequest("没有收到文件 (no file)".into()));
    }
    Ok(Redirect::to(&format!("/staff/documents/{id}")).into_response())
}

async fn catalog(
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
struct CatalogForm {
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

async fn create_catalog_item(
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
struct GuideForm {
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

async fn save_guide(
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

// --- Cases and registers --------------------------------------------------------------------

fn year_of(st: &AppState, q: &str) -> i32 {
    q.trim().parse().unwrap_or_else(|_| st.today().year())
}

async fn cases(
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
struct CaseForm {
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

async fn create_case(
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

const FIGURE_CELLS: [(&str, &str); 6] = [
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

async fn registers(
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
struct FigureForm {
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

async fn save_figure(
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

// --- Annual report workspace -----------------------------------------------------------------

async fn report_workspace(
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
struct NarrativeForm {
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

async fn save_narrative(
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
struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    reason: String,
}

async fn approve_report(
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

async fn publish_report(
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

async fn audit(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let all = st.store.list_bodies().await?;
    let readable = s.readable_bodies(&all);
    let log = st.store.audit_log(&readable, 200).await?;
    let mut html = String::from(
        "<h2>操作日志</h2><table class=\"list\"><thead><tr><th scope=\"col\">时间</th><th scope=\"col\">用户</th><th scope=\"col\">操作</th><th scope=\"col\">对象</th><th scope=\"col\">说明</th></tr></thead><tbody>",
    );
    for e in &log {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.at),
            esc(&e.actor),
            esc(&e.action),
            esc(&e.target),
            esc(&e.detail)
        ));
    }
    html.push_str("</tbody></table>");
    staff_page(&st, &v, "操作日志", html)
}
