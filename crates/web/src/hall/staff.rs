//! The staff side of the hall: the window page (叫号) and the statistics (with CSV).

use super::views::{
    CallLine, ServiceLine, StatsView, build_display, clock_time, hall_of, stats_csv as to_csv,
    stats_view,
};
use crate::error::{AppError, PageResult};
use crate::portal::urlencode;
use crate::staff::{BodySwitcher, SelectOption, StaffCtx, StaffForm, parse_day};
use crate::views::render;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_ledger::Body;
use gongkai_ledger::queue::TicketState;
use gongkai_store::queue::{Hall, HallAction};
use serde::{Deserialize, Serialize};

/// The ticket a window works on.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentTicket {
    pub id: i64,
    pub number: String,
    pub state: String,
    pub service: String,
    pub class: String,
    pub masked_name: Option<String>,
    pub taken_at: String,
    pub serving: bool,
}

/// A suspended (暂离) ticket the window may put back in line.
#[derive(Debug, Clone, Serialize)]
pub struct SuspendedTicket {
    pub id: i64,
    pub number: String,
}

/// The window page (叫号).
#[derive(Debug, Clone, Serialize)]
pub struct WindowView {
    pub body: crate::staff::BodyRef,
    pub switcher: BodySwitcher,
    pub hall: Option<String>,
    pub windows: Vec<SelectOption>,
    pub window: Option<u32>,
    pub window_name: String,
    pub current: Option<CurrentTicket>,
    pub waiting: Vec<ServiceLine>,
    pub waiting_total: u32,
    pub suspended: Vec<SuspendedTicket>,
    pub services: Vec<SelectOption>,
    pub recent: Vec<CallLine>,
    pub error: Option<String>,
    pub can_act: bool,
}

#[derive(Template)]
#[template(path = "hall/window.html")]
struct WindowPage {
    layout: crate::views::Layout,
    view: WindowView,
}

#[derive(Deserialize, Default)]
pub(super) struct WindowQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    window: Option<u32>,
}

async fn window_view(
    ctx: &StaffCtx,
    body: &Body,
    switcher: BodySwitcher,
    window: Option<u32>,
    error: Option<String>,
) -> PageResult<WindowView> {
    let hall: Option<Hall> = ctx.st.store.hall_of_body(body.id).await?;
    let Some(hall) = hall else {
        return Ok(WindowView {
            body: body.into(),
            switcher,
            hall: None,
            windows: Vec::new(),
            window: None,
            window_name: String::new(),
            current: None,
            waiting: Vec::new(),
            waiting_total: 0,
            suspended: Vec::new(),
            services: Vec::new(),
            recent: Vec::new(),
            error,
            can_act: false,
        });
    };
    let window = window
        .filter(|n| hall.window(*n).is_some())
        .or(hall.windows.first().map(|w| w.number));
    let win = window.and_then(|n| hall.window(n));
    let today = ctx.today();
    let (live, calls) = ctx.st.store.hall_live(hall.id, today, 5).await?;
    let display = build_display(body, &hall, today, &live, &calls);
    let current = live
        .iter()
        .filter(|t| {
            t.ticket.window == window
                && matches!(t.ticket.state, TicketState::Called | TicketState::Serving)
        })
        .max_by_key(|t| t.announced_at)
        .map(|t| CurrentTicket {
            id: t.id,
            number: t.ticket.number(),
            state: t.ticket.state.label_zh().to_string(),
            service: hall
                .service(&t.ticket.service)
                .map_or_else(|| t.ticket.service.clone(), |s| s.name.clone()),
            class: t.ticket.class.label_zh().to_string(),
            masked_name: t.ticket.masked_name.clone(),
            taken_at: clock_time(t.ticket.taken_at),
            serving: t.ticket.state == TicketState::Serving,
        });
    let waiting: Vec<ServiceLine> = display
        .services
        .iter()
        .filter(|s| win.is_some_and(|w| w.services.contains(&s.code)))
        .cloned()
        .collect();
    Ok(WindowView {
        body: body.into(),
        switcher,
        hall: Some(hall.name.clone()),
        windows: hall
            .windows
            .iter()
            .map(|w| {
                SelectOption::new(
                    w.number.to_string(),
                    format!("{}号 {}", w.number, w.name),
                    Some(w.number) == window,
                )
            })
            .collect(),
        window,
        window_name: win.map(|w| w.name.clone()).unwrap_or_default(),
        current,
        waiting_total: waiting.iter().map(|s| s.waiting).sum(),
        waiting,
        suspended: live
            .iter()
            .filter(|t| t.ticket.state == TicketState::Suspended)
            .map(|t| SuspendedTicket {
                id: t.id,
                number: t.ticket.number(),
            })
            .collect(),
        services: hall
            .services
            .iter()
            .map(|s| SelectOption::new(&s.code, &s.name, false))
            .collect(),
        recent: display.recent,
        error,
        can_act: ctx.s.require_clerk(body.id).is_ok(),
    })
}

pub(super) async fn window_page(
    ctx: StaffCtx,
    Query(q): Query<WindowQuery>,
) -> PageResult<Response> {
    let (body, switcher) = ctx.chosen_body(&q.body, "/staff/hall", None).await?;
    let view = window_view(&ctx, &body, switcher, q.window, None).await?;
    render(&WindowPage {
        layout: ctx.layout("取号叫号"),
        view,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    window: u32,
    #[serde(default)]
    action: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    ticket: Option<i64>,
}

impl crate::staff::CsrfForm for ActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) async fn action(StaffForm(ctx, f): StaffForm<ActionForm>) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    let (_, hall) = hall_of(&ctx.st, &body.code).await?;
    let act = HallAction::parse(&f.action, &f.service)
        .ok_or_else(|| AppError::BadRequest("操作无效".into()))?;
    let back = format!(
        "/staff/hall?body={}&window={}",
        urlencode(&body.code),
        f.window
    );
    match ctx
        .st
        .store
        .hall_action(
            hall.id,
            f.window,
            &act,
            f.ticket,
            ctx.st.config.clock.now(),
            &ctx.s.user.login,
        )
        .await
    {
        Ok(_) => {
            ctx.st.hall_hub.notify(hall.id);
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => {
            let m = super::public::refusal(e)?;
            let (body, switcher) = ctx.chosen_body(&body.code, "/staff/hall", None).await?;
            let view = window_view(&ctx, &body, switcher, Some(f.window), Some(m)).await?;
            let page = render(&WindowPage {
                layout: ctx.layout("取号叫号"),
                view,
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// --- Statistics ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(super) struct StatsQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "hall/stats.html")]
struct StatsPage {
    layout: crate::views::Layout,
    view: StatsView,
    csv_href: String,
}

/// The date range of a statistics request: default the last 30 days up to today.
pub(crate) fn range(
    today: time::Date,
    from: &str,
    to: &str,
) -> PageResult<(time::Date, time::Date)> {
    let to = if to.trim().is_empty() {
        today
    } else {
        parse_day(to, "截止日期")?
    };
    let from = if from.trim().is_empty() {
        to - time::Duration::days(30)
    } else {
        parse_day(from, "起始日期")?
    };
    if from > to {
        return Err(AppError::BadRequest("起始日期不能晚于截止日期".into()));
    }
    if (to - from).whole_days() > 366 {
        return Err(AppError::BadRequest("统计区间不能超过一年".into()));
    }
    Ok((from, to))
}

async fn stats_of(ctx: &StaffCtx, q: &StatsQuery) -> PageResult<(BodySwitcher, StatsView)> {
    let (body, switcher) = ctx.chosen_body(&q.body, "/staff/hall/stats", None).await?;
    let (_, hall) = hall_of(&ctx.st, &body.code).await?;
    let (from, to) = range(ctx.today(), &q.from, &q.to)?;
    Ok((switcher, stats_view(&ctx.st, &body, &hall, from, to).await?))
}

pub(super) async fn stats(ctx: StaffCtx, Query(q): Query<StatsQuery>) -> PageResult<Response> {
    let (_, view) = stats_of(&ctx, &q).await?;
    let csv_href = format!(
        "/staff/hall/stats.csv?body={}&from={}&to={}",
        urlencode(&view.body.code),
        view.from,
        view.to
    );
    render(&StatsPage {
        layout: ctx.layout("取号叫号统计"),
        view,
        csv_href,
    })
}

pub(super) async fn stats_csv(ctx: StaffCtx, Query(q): Query<StatsQuery>) -> PageResult<Response> {
    let (_, view) = stats_of(&ctx, &q).await?;
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(to_csv(&view)?);
    Ok(crate::portal::download(
        "text/csv; charset=utf-8",
        &format!(
            "hall-stats-{}-{}-{}.csv",
            view.body.code, view.from, view.to
        ),
        bytes,
    ))
}
