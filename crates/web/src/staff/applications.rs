//! The application queue, registering a paper application, one application and its
//! transitions. The queue and the application page share their view models with the JSON API
//! (`GET /api/v1/staff/applications[/{id}]`): [`queue_view`] and [`application_view`].

use super::{SelectOption, StaffCtx, StaffForm, bodies_of, body_options, csrf_forms, parse_day};
use crate::error::{AppError, PageResult};
use crate::views::{Layout, Pager, render};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_calendar::format_date;
use gongkai_ledger::{
    ApplicantType, Application, ApplicationEvent, ApplicationState, Body, Channel, Consultee,
    EventKind, NewApplication, Outcome, PersonalData, ReplyDocument, Status,
};
use serde::{Deserialize, Serialize};
use time::Date;

// --- Queue ------------------------------------------------------------------------------

/// What the queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// A body code; empty for every readable body.
    pub body: String,
    pub state: Option<ApplicationState>,
    /// Newest received first, instead of the least time left first.
    pub by_received: bool,
    pub show_closed: bool,
    /// 1-based page of [`QUEUE_PAGE`] rows.
    pub page: i64,
}

/// Rows of one queue page.
pub const QUEUE_PAGE: i64 = 50;

/// The application queue (申请办理): the filter, the rows with their countdown and the
/// registration form of the user's working bodies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    pub applications: Vec<QueueRow>,
    /// The body filter (empty: all).
    pub body: String,
    /// Options of the body filter (the readable bodies).
    pub bodies: Vec<SelectOption>,
    /// Options of the state filter.
    pub states: Vec<SelectOption>,
    /// `due` or `received`.
    pub sort: &'static str,
    pub closed: bool,
    /// The page and the count of every matching application.
    pub pager: Pager,
    /// Registering a paper application (bodies where the user works).
    pub register: Option<RegisterView>,
    /// Deadlines of the readable bodies that need a year's 节假日安排 not yet imported, one
    /// line per year, with what an administrator must do.
    pub calendar_notices: Vec<String>,
}

/// One application of the queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueRow {
    pub id: i64,
    pub tracking_code: String,
    /// The body's code.
    pub body: String,
    pub body_name: String,
    pub applicant_type: &'static str,
    pub channel: &'static str,
    pub received_on: String,
    /// The first 40 characters of the request.
    pub request_excerpt: String,
    #[schema(schema_with = crate::api::state_schema)]
    pub state: ApplicationState,
    pub state_label: &'static str,
    pub due_on: Option<String>,
    /// Working days left (negative when overdue); `None` when closed or unknown.
    pub remaining_working_days: Option<i64>,
    pub flag: Flag,
    /// The application in the API.
    pub url: String,
    /// The application's staff page.
    pub href: String,
}

impl QueueRow {
    pub fn due_text(&self) -> &str {
        self.due_on.as_deref().unwrap_or("—")
    }
}

/// A coloured status flag (`flag ok`, `flag risk`, `flag over`, `flag info`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Flag {
    pub class: &'static str,
    pub text: String,
}

impl Flag {
    /// The countdown flag of an application.
    fn countdown(remaining: Option<i64>, closed: bool) -> Flag {
        let (class, text) = if closed {
            ("info", "已办结".to_string())
        } else {
            match remaining {
                Some(r) if r < 0 => ("over", format!("已超期{}个工作日", -r)),
                Some(0) => ("over", "今日到期".into()),
                Some(r) if r <= 3 => ("risk", format!("剩余{r}个工作日")),
                Some(r) => ("ok", format!("剩余{r}个工作日")),
                None => ("info", "期限暂停".into()),
            }
        };
        Flag { class, text }
    }
}

/// The form registering a paper or in-person application.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegisterView {
    pub bodies: Vec<SelectOption>,
    pub today: String,
}

impl RegisterView {
    pub fn channels(&self) -> Vec<SelectOption> {
        [
            ("in-person", "当面提交"),
            ("post", "邮政寄送（签收）"),
            ("mail", "平信（电话确认）"),
            ("online", "互联网"),
            ("fax", "传真"),
        ]
        .iter()
        .map(|(k, l)| SelectOption::new(*k, *l, false))
        .collect()
    }

    pub fn applicant_types(&self) -> Vec<SelectOption> {
        ApplicantType::ALL
            .iter()
            .map(|a| SelectOption::new(a.column_key(), a.label(), false))
            .collect()
    }
}

/// Working days left until `due` from today (negative when overdue), if the calendar knows.
fn countdown(ctx: &StaffCtx, due: Option<Date>) -> Option<i64> {
    ctx.st
        .store
        .calendar()
        .working_days_between(ctx.today(), due?)
        .ok()
}

/// The queue of the bodies `ctx` may read (or of the one chosen), as the page and the API
/// show it.
pub async fn queue_view(ctx: &StaffCtx, f: &QueueFilter) -> PageResult<QueueView> {
    let st = &ctx.st;
    let all = ctx.s.readable_bodies(&st.store).await?;
    let readable: Vec<i64> = all.iter().map(|b| b.id).collect();
    let chosen: Vec<i64> = if f.body.trim().is_empty() {
        readable.clone()
    } else {
        let b = crate::portal::body_by_code(st, f.body.trim()).await?;
        if !readable.contains(&b.id) {
            return Err(crate::auth::forbidden());
        }
        vec![b.id]
    };
    let page = f.page.clamp(1, 1_000_000);
    let (total, apps) = st
        .store
        .queue_page(&gongkai_store::QueueQuery {
            bodies: chosen,
            state: f.state,
            open_only: !f.show_closed,
            by_received: f.by_received,
            limit: QUEUE_PAGE,
            offset: (page - 1) * QUEUE_PAGE,
        })
        .await?;
    let rows: Vec<(Option<i64>, Application)> = apps
        .into_iter()
        .map(|a| (countdown(ctx, a.due_on), a))
        .collect();
    let applications = rows
        .into_iter()
        .map(|(remaining, a)| {
            let body = all.iter().find(|b| b.id == a.body_id);
            let closed = a.status.state.is_closed();
            // An open application without a due day: stopped, or needing a missing year.
            let not_computable = match (closed, a.due_on) {
                (false, None) => a
                    .status
                    .due_status(a.channel, st.store.calendar())
                    .ok()
                    .filter(|d| d.missing_year().is_some()),
                _ => None,
            };
            QueueRow {
                id: a.id,
                body: body.map(|b| b.code.clone()).unwrap_or_default(),
                body_name: body.map(|b| b.name.clone()).unwrap_or_default(),
                applicant_type: a.applicant_type.column_key(),
                channel: a.channel.as_str(),
                received_on: format_date(a.status.received_on),
                request_excerpt: a.request_text.chars().take(40).collect(),
                state: a.status.state,
                state_label: a.status.state.label_zh(),
                due_on: a.due_on.map(format_date),
                remaining_working_days: if closed { None } else { remaining },
                flag: match not_computable {
                    Some(d) => Flag {
                        class: "over",
                        text: d.text_zh(),
                    },
                    None => Flag::countdown(remaining, closed),
                },
                url: format!("/api/v1/staff/applications/{}", a.id),
                href: format!("/staff/applications/{}", a.id),
                tracking_code: a.tracking_code,
            }
        })
        .collect();
    let working = bodies_of(&all, &ctx.s.working_bodies());
    let calendar_notices = st
        .store
        .deadlines_not_computable(Some(&readable))
        .await?
        .into_iter()
        .map(|(year, n)| {
            format!(
                "{n}件在办申请的答复期限需要{year}年国务院办公厅节假日安排，尚未导入，暂无法计算（已排在最前）。\
                 请管理员在通知发布后用 gongkai calendar import 导入{year}年节假日安排，导入后自动重新计算。"
            )
        })
        .collect();
    Ok(QueueView {
        calendar_notices,
        applications,
        body: f.body.clone(),
        bodies: body_options(&all, |b| b.code == f.body),
        states: ApplicationState::ALL
            .iter()
            .map(|s| SelectOption::new(s.as_str(), s.label_zh(), Some(*s) == f.state))
            .collect(),
        sort: if f.by_received { "received" } else { "due" },
        closed: f.show_closed,
        pager: Pager::new(queue_base(f), page, QUEUE_PAGE, total),
        register: (!working.is_empty()).then(|| RegisterView {
            bodies: body_options(&working, |_| false),
            today: format_date(ctx.today()),
        }),
    })
}

/// The queue's URL with its filter, up to the page number.
fn queue_base(f: &QueueFilter) -> String {
    let mut q = String::from("/staff?");
    if !f.body.is_empty() {
        q.push_str(&format!("body={}&", crate::portal::urlencode(&f.body)));
    }
    if let Some(s) = f.state {
        q.push_str(&format!("state={}&", s.as_str()));
    }
    if f.by_received {
        q.push_str("sort=received&");
    }
    if f.show_closed {
        q.push_str("closed=1&");
    }
    q.push_str("page=");
    q
}

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
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "staff/queue.html")]
struct QueuePage {
    layout: Layout,
    view: QueueView,
}

pub(super) async fn queue(ctx: StaffCtx, Query(q): Query<QueueQuery>) -> PageResult<Response> {
    let filter = QueueFilter {
        body: q.body.trim().to_string(),
        // The page's select only offers known states; anything else shows every state.
        state: ApplicationState::parse(q.state.trim()),
        by_received: q.sort == "received",
        show_closed: q.closed == "1",
        page: q.page.trim().parse().unwrap_or(1),
    };
    let view = queue_view(&ctx, &filter).await?;
    render(&QueuePage {
        layout: ctx.layout("申请办理"),
        view,
    })
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

/// The receipt of a registered application: the credentials to give the applicant.
#[derive(Debug, Serialize)]
pub struct RegisteredView {
    pub id: i64,
    pub code: String,
    pub secret: String,
}

#[derive(Template)]
#[template(path = "staff/registered.html")]
struct RegisteredPage {
    layout: Layout,
    view: RegisteredView,
}

pub(super) async fn register_application(
    StaffForm(ctx, f): StaffForm<RegisterForm>,
) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    let channel: Channel = f
        .channel
        .parse()
        .map_err(|_| AppError::BadRequest("提交方式无效".into()))?;
    let applicant_type = ApplicantType::from_column_key(&f.applicant_type)
        .ok_or_else(|| AppError::BadRequest("申请人类型无效".into()))?;
    let received_on = parse_day(&f.received_on, "收到申请之日")?;
    let (app, creds) = ctx
        .st
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
            &ctx.s.user.login,
            "工作人员登记",
        )
        .await?;
    render(&RegisteredPage {
        layout: ctx.layout("已登记"),
        view: RegisteredView {
            id: app.id,
            code: creds.code.clone(),
            secret: creds.secret.clone(),
        },
    })
}

// --- One application --------------------------------------------------------------------

/// One application (申请详情) with the applicant's personal data as the user may see it (the
/// read audited), the statutory clock, the history and the transitions the user may record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub tracking_code: String,
    /// The body's code.
    pub body: String,
    pub body_name: String,
    pub applicant_type: &'static str,
    pub applicant_type_label: &'static str,
    pub channel: &'static str,
    pub channel_label: String,
    pub request_text: String,
    /// Whether `personal` is masked (oversight).
    pub personal_masked: bool,
    pub personal: PersonalData,
    /// The ledger status (state, dates, pauses, extension, outcome and reply).
    pub status: Status,
    pub state_label: &'static str,
    pub received_on: String,
    pub due_on: Option<String>,
    pub clock: ClockView,
    /// The ledger events, oldest first.
    pub events: Vec<ApplicationEvent>,
    /// Clerk work on the body.
    pub can_act: bool,
    pub can_approve_extension: bool,
    /// The transitions offered (none once closed).
    pub actions: Vec<ActionView>,
    /// The default date of the transition forms.
    pub today: String,
    /// Other applications of the same applicant to this body within 30 days with a
    /// near-identical request: possible 重复申请, for the clerk to judge (never merged).
    /// Empty for readers who may not see personal data.
    pub possible_duplicates: Vec<DuplicateHint>,
}

/// One possible 重复申请 of an application.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicateHint {
    pub id: i64,
    pub tracking_code: String,
    pub received_on: String,
    pub state_label: &'static str,
    /// Similarity of the request texts, in percent.
    pub similarity: u32,
}

/// Possible 重复申请 of `app` (same applicant, same body, within 30 days, similar text).
async fn duplicate_hints(
    st: &crate::app::AppState,
    app: &Application,
) -> PageResult<Vec<DuplicateHint>> {
    use gongkai_ledger::duplicate::{
        DUPLICATE_SIMILARITY, DUPLICATE_WINDOW_DAYS, request_similarity,
    };
    let nearby = st
        .store
        .same_applicant_nearby(app.id, DUPLICATE_WINDOW_DAYS)
        .await?;
    Ok(nearby
        .into_iter()
        .filter_map(|other| {
            let s = request_similarity(&app.request_text, &other.request_text);
            (s >= DUPLICATE_SIMILARITY).then(|| DuplicateHint {
                id: other.id,
                received_on: format_date(other.status.received_on),
                state_label: other.status.state.label_zh(),
                similarity: (s * 100.0).round() as u32,
                tracking_code: other.tracking_code,
            })
        })
        .collect())
}

/// The statutory clock of an application, or why it cannot be computed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ClockView {
    Computed {
        working_days: u32,
        used: u32,
        remaining: u32,
        due: Option<String>,
        steps: Vec<String>,
        warnings: Vec<String>,
    },
    Failed {
        error: String,
    },
}

/// A transition form: the event `kind` and its title.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    pub kind: &'static str,
    pub title: &'static str,
}

/// A row of the history.
pub struct EventRow {
    pub seq: u32,
    pub on: String,
    pub label: &'static str,
    pub actor: String,
    pub note: String,
}

impl ApplicationView {
    /// The history as the page lists it.
    pub fn history(&self) -> Vec<EventRow> {
        self.events
            .iter()
            .map(|e| EventRow {
                seq: e.seq,
                on: format_date(e.on),
                label: e.kind.label_zh(),
                actor: e.actor.clone(),
                note: e.note.clone(),
            })
            .collect()
    }

    pub fn due_text(&self) -> &str {
        self.due_on.as_deref().unwrap_or("—")
    }

    pub fn phone_text(&self) -> &str {
        self.personal.phone.as_deref().unwrap_or("—")
    }

    pub fn email_text(&self) -> &str {
        self.personal.email.as_deref().unwrap_or("—")
    }

    pub fn address_text(&self) -> &str {
        self.personal.address.as_deref().unwrap_or("—")
    }

    /// Options of the outcome select (表三).
    pub fn outcomes(&self) -> Vec<SelectOption> {
        Outcome::ALL
            .iter()
            .map(|o| SelectOption::new(o.code(), o.label(), false))
            .collect()
    }
}

/// The transitions of an open application, for a clerk (extension approval for a reviewer).
fn actions(reviewer: bool) -> Vec<ActionView> {
    let mut v = vec![
        ("decided", "作出答复"),
        ("correction_requested", "告知补正"),
        ("corrected", "收到补正"),
        ("correction_lapsed", "逾期未补正"),
        ("consultation_started", "开始征求意见"),
        ("consultation_ended", "征求意见结束"),
    ];
    if reviewer {
        v.push(("extension_approved", "批准延期答复"));
    }
    v.extend([
        ("fee_noticed", "发出收费通知"),
        ("fee_paid", "已缴费"),
        ("fee_lapsed", "逾期未缴费"),
        ("withdrawn", "申请人撤回"),
    ]);
    v.into_iter()
        .map(|(kind, title)| ActionView { kind, title })
        .collect()
}

/// An application the user may read, with the bodies the user may read.
async fn load_app(ctx: &StaffCtx, id: i64) -> PageResult<(Application, Vec<Body>)> {
    let app = match ctx.st.store.get_application(id).await {
        Ok(a) => a,
        Err(gongkai_store::StoreError::NotFound { .. }) => {
            return Err(AppError::NotFound("申请".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let all = ctx.s.readable_bodies(&ctx.st.store).await?;
    if !all.iter().any(|b| b.id == app.body_id) {
        return Err(crate::auth::forbidden());
    }
    Ok((app, all))
}

/// One application as the page and the API show it.
pub async fn application_view(ctx: &StaffCtx, id: i64) -> PageResult<ApplicationView> {
    let st = &ctx.st;
    let (app, all) = load_app(ctx, id).await?;
    let body = all
        .iter()
        .find(|b| b.id == app.body_id)
        .ok_or_else(|| AppError::NotFound("机关".into()))?;
    let personal = crate::auth::personal_data_for(st, &ctx.s, &app).await?;
    let events = st.store.application_events(app.id).await?;
    let clock = match app
        .status
        .clock(app.channel, st.store.calendar(), ctx.today())
    {
        Ok(c) => ClockView::Computed {
            working_days: c.working_days,
            used: c.used,
            remaining: c.remaining,
            due: c.due.map(format_date),
            steps: c.steps,
            warnings: c.warnings,
        },
        Err(e) => ClockView::Failed {
            error: e.to_string(),
        },
    };
    let can_act = ctx.s.require_clerk(app.body_id).is_ok();
    let can_approve_extension = ctx.s.require_reviewer(app.body_id).is_ok();
    let possible_duplicates = if ctx.s.can_read_personal(app.body_id) {
        duplicate_hints(st, &app).await?
    } else {
        Vec::new()
    };
    Ok(ApplicationView {
        id: app.id,
        body: body.code.clone(),
        body_name: body.name.clone(),
        applicant_type: app.applicant_type.column_key(),
        applicant_type_label: app.applicant_type.label(),
        channel: app.channel.as_str(),
        channel_label: app.channel.to_string(),
        personal_masked: !ctx.s.can_read_personal(app.body_id),
        personal,
        state_label: app.status.state.label_zh(),
        received_on: format_date(app.status.received_on),
        due_on: app.due_on.map(format_date),
        clock,
        events,
        can_act,
        can_approve_extension,
        actions: if can_act && !app.status.state.is_closed() {
            actions(can_approve_extension)
        } else {
            Vec::new()
        },
        today: format_date(ctx.today()),
        possible_duplicates,
        tracking_code: app.tracking_code,
        request_text: app.request_text,
        status: app.status,
    })
}

#[derive(Template)]
#[template(path = "staff/application.html")]
struct ApplicationPage {
    layout: Layout,
    view: ApplicationView,
}

pub(super) async fn application(ctx: StaffCtx, Path(id): Path<i64>) -> PageResult<Response> {
    let view = application_view(&ctx, id).await?;
    render(&ApplicationPage {
        layout: ctx.layout(&format!("申请 {}", view.tracking_code)),
        view,
    })
}

// --- Transitions ----------------------------------------------------------------------------

/// A validated transition, from the page's form or the API's JSON: the ledger event, the
/// day it happened and the note.
#[derive(Debug, Clone)]
pub struct Transition {
    pub event: EventKind,
    pub on: Date,
    pub note: String,
}

/// Fen of a yuan amount like `120` or `120.50` (whole fen, not negative).
pub fn fen_of_yuan(yuan: gongkai_report::Decimal) -> Result<i64, AppError> {
    use rust_decimal::prelude::ToPrimitive;
    yuan.checked_mul(gongkai_report::Decimal::from(100))
        .filter(|fen| fen.fract().is_zero() && !fen.is_sign_negative())
        .and_then(|fen| fen.to_i64())
        .ok_or_else(|| AppError::BadRequest("金额无效".into()))
}

/// The reply document of a decision.
pub fn reply_document(reference: &str, summary: &str) -> ReplyDocument {
    ReplyDocument {
        reference: reference.trim().to_string(),
        summary: summary.trim().to_string(),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
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

csrf_forms!(RegisterForm, EventForm);

impl EventForm {
    /// The ledger event of the form's fields.
    fn event(&self) -> Result<EventKind, AppError> {
        Ok(match self.kind.as_str() {
            "decided" => EventKind::Decided {
                outcome: Outcome::from_code(&self.outcome)
                    .ok_or_else(|| AppError::BadRequest("请选择办理结果".into()))?,
                reply: reply_document(&self.reference, &self.summary),
            },
            "correction_requested" => EventKind::CorrectionRequested {
                deadline: parse_day(&self.deadline, "补正期限")?,
            },
            "corrected" => EventKind::Corrected,
            "correction_lapsed" => EventKind::CorrectionLapsed,
            "consultation_started" => EventKind::ConsultationStarted {
                consultee: match self.consultee.as_str() {
                    "other_agency" => Consultee::OtherAgency,
                    _ => Consultee::ThirdParty,
                },
            },
            "consultation_ended" => EventKind::ConsultationEnded,
            "extension_approved" => EventKind::ExtensionApproved {
                days: self
                    .days
                    .trim()
                    .parse()
                    .map_err(|_| AppError::BadRequest("延长天数无效".into()))?,
            },
            "fee_noticed" => EventKind::FeeNoticed {
                amount_fen: fen_of_yuan(
                    self.amount
                        .trim()
                        .parse()
                        .map_err(|_| AppError::BadRequest("金额无效".into()))?,
                )?,
            },
            "fee_paid" => EventKind::FeePaid,
            "fee_lapsed" => EventKind::FeeLapsed,
            "withdrawn" => EventKind::Withdrawn,
            other => return Err(AppError::BadRequest(format!("未知的办理事项 `{other}`"))),
        })
    }

    fn transition(&self) -> Result<Transition, AppError> {
        Ok(Transition {
            event: self.event()?,
            on: parse_day(&self.on, "日期")?,
            note: self.note.trim().to_string(),
        })
    }
}

/// Record a transition (the page's form and the API alike): clerk work on the body, an
/// extension needs a reviewer.
pub async fn record_event(
    ctx: &StaffCtx,
    id: i64,
    t: &Transition,
) -> PageResult<(Application, Application)> {
    let (app, _) = load_app(ctx, id).await?;
    ctx.s.require_clerk(app.body_id)?;
    if matches!(t.event, EventKind::ExtensionApproved { .. }) {
        ctx.s.require_reviewer(app.body_id)?;
    }
    let updated = ctx
        .st
        .store
        .apply_event(app.id, &t.event, t.on, &ctx.s.user.login, &t.note)
        .await?;
    Ok((app, updated))
}

pub(super) async fn application_event(
    Path(id): Path<i64>,
    StaffForm(ctx, f): StaffForm<EventForm>,
) -> PageResult<Response> {
    let (app, _) = record_event(&ctx, id, &f.transition()?).await?;
    Ok(Redirect::to(&format!("/staff/applications/{}", app.id)).into_response())
}
