//! The application queue, registering a paper application, one application and its transitions.

use super::*;

// --- Queue ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(super) struct QueueQuery {
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
pub(super) fn countdown(st: &AppState, due: Option<Date>) -> Option<i64> {
    let due = due?;
    let t = st.today();
    st.store.calendar().working_days_between(t, due).ok()
}

pub(super) fn flag(remaining: Option<i64>, closed: bool) -> String {
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

pub(super) fn channel_options() -> String {
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

pub(super) async fn queue(
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

pub(super) fn body_id_param(all: &[Body], code: &str) -> Option<i64> {
    let c = code.trim();
    if c.is_empty() {
        return None;
    }
    Some(all.iter().find(|b| b.code == c).map(|b| b.id).unwrap_or(-1))
}

#[derive(Deserialize)]
pub(super) struct RegisterForm {
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

pub(super) async fn register_application(
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

pub(super) async fn load_app(
    st: &AppState,
    s: &Staff,
    id: i64,
) -> PageResult<(Application, Vec<Body>)> {
    let app = st.store.get_application(id).await?;
    let all = st.store.list_bodies().await?;
    if !s.can_read(&all, app.body_id) {
        return Err(crate::auth::forbidden());
    }
    Ok((app, all))
}

pub(super) fn outcome_options() -> String {
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

pub(super) async fn application(
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
pub(super) fn yuan_to_fen(s: &str) -> Option<i64> {
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

pub(super) async fn application_event(
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
