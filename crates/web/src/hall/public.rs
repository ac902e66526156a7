//! The citizen's side of the hall: kiosk, ticket page, rating, appointments and the displays
//! (with their server-sent events).

use super::views::{
    DisplayState, TicketView, ahead_of, build_display, hall_of, kiosk_classes, ticket_view,
};
use super::with_script_csp;
use crate::app::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, PageResult};
use crate::portal::urlencode;
use crate::staff::SelectOption;
use crate::views::{Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_calendar::{format_date, parse_date};
use gongkai_ledger::Body;
use gongkai_ledger::queue::{PriorityClass, Rating, TicketChannel};
use gongkai_store::StoreError;
use gongkai_store::queue::{Hall, StoredTicket, TakeTicket, Taken};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The message of a refused citizen action (shown on the page), or the error itself.
pub(crate) fn refusal(e: StoreError) -> Result<String, AppError> {
    match e {
        StoreError::Invalid(m) => Ok(m),
        e @ StoreError::NotFound { .. } => Ok(e.to_string()),
        e => Err(AppError::Store(e)),
    }
}

fn unprocessable(res: PageResult<Response>) -> PageResult<Response> {
    res.map(|r| (StatusCode::UNPROCESSABLE_ENTITY, r).into_response())
}

// --- Kiosk --------------------------------------------------------------------------------

/// The kiosk (取号机).
#[derive(Debug, serde::Serialize)]
pub struct KioskView {
    pub state: DisplayState,
    pub classes: Vec<SelectOption>,
    pub error: Option<String>,
    pub base: String,
}

#[derive(Template)]
#[template(path = "hall/kiosk.html")]
struct KioskPage {
    layout: Layout,
    view: KioskView,
}

async fn kiosk_page(
    st: &AppState,
    v: &Viewer,
    body: &Body,
    hall: &Hall,
    error: Option<String>,
) -> PageResult<Response> {
    let today = st.today();
    let (live, calls) = st.store.hall_live(hall.id, today, 3).await?;
    let view = KioskView {
        state: build_display(body, hall, today, &live, &calls),
        classes: kiosk_classes(),
        error,
        base: format!("/bodies/{}/hall", urlencode(&body.code)),
    };
    render(&KioskPage {
        layout: Layout::portal(st, v, &format!("{} 自助取号", hall.name), Some(&body.code)),
        view,
    })
}

pub(super) async fn kiosk(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let (body, hall) = hall_of(&st, &code).await?;
    kiosk_page(&st, &v, &body, &hall, None).await
}

#[derive(Deserialize)]
pub(super) struct TakeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
}

/// The kiosk's take: by service, or by ID number when one is given.
pub fn take_request(
    service: &str,
    class: &str,
    id_number: &str,
    name: &str,
) -> Result<TakeTicket, String> {
    let class = if class.trim().is_empty() {
        PriorityClass::Normal
    } else {
        PriorityClass::parse(class)
            .filter(|c| *c != PriorityClass::Appointment)
            .ok_or_else(|| "请选择有效的优先类别".to_string())?
    };
    if service.trim().is_empty() {
        return Err("请选择办理的业务".into());
    }
    let id = id_number.trim();
    if !id.is_empty() && !gongkai_ledger::queue::valid_id_number(id) {
        return Err("居民身份证号码无效，请核对后重新输入".into());
    }
    Ok(TakeTicket {
        service: service.trim().to_string(),
        class,
        channel: if id.is_empty() {
            TicketChannel::Kiosk
        } else {
            TicketChannel::IdCard
        },
        id_number: (!id.is_empty()).then(|| id.to_string()),
        name: Some(name.trim().to_string()).filter(|n| !n.is_empty()),
    })
}

pub(super) async fn take(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<TakeForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let (body, hall) = hall_of(&st, &code).await?;
    let req = match take_request(&f.service, &f.class, &f.id_number, &f.name) {
        Ok(r) => r,
        Err(m) => return unprocessable(kiosk_page(&st, &v, &body, &hall, Some(m)).await),
    };
    let taken = st
        .store
        .hall_take(hall.id, &req, st.config.clock.now(), "kiosk")
        .await;
    to_ticket(&st, &v, &body, &hall, taken).await
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    number: String,
}

pub(super) async fn check_in(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<CodeForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let (body, hall) = hall_of(&st, &code).await?;
    let taken = st
        .store
        .hall_check_in(hall.id, &f.code, st.config.clock.now(), "kiosk")
        .await;
    to_ticket(&st, &v, &body, &hall, taken).await
}

/// After a kiosk take or check-in: tell the displays and show the ticket, or the kiosk again
/// with the refusal.
async fn to_ticket(
    st: &AppState,
    v: &Viewer,
    body: &Body,
    hall: &Hall,
    taken: Result<Taken, StoreError>,
) -> PageResult<Response> {
    match taken {
        Ok(t) => {
            st.hall_hub.notify(hall.id);
            Ok(
                Redirect::to(&ticket_view(&body.code, hall, &t.ticket, None, None).href)
                    .into_response(),
            )
        }
        Err(e) => unprocessable(kiosk_page(st, v, body, hall, Some(refusal(e)?)).await),
    }
}

/// Rating at the kiosk (评价器): today's ticket by its number.
pub(super) async fn kiosk_rate(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<CodeForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let (body, hall) = hall_of(&st, &code).await?;
    let number = f.number.trim().to_uppercase();
    match st
        .store
        .hall_ticket_by_number(hall.id, st.today(), &number)
        .await?
    {
        Some(t) if t.ticket.state == gongkai_ledger::queue::TicketState::Finished => {
            let view = ticket_view(&body.code, &hall, &t, None, None);
            Ok(Redirect::to(view.rate_href.as_deref().unwrap_or(&view.href)).into_response())
        }
        Some(_) => unprocessable(
            kiosk_page(
                &st,
                &v,
                &body,
                &hall,
                Some(format!("{number}号尚未办结，办结后才能评价")),
            )
            .await,
        ),
        None => unprocessable(
            kiosk_page(&st, &v, &body, &hall, Some(format!("今日没有{number}号"))).await,
        ),
    }
}

// --- Ticket and rating --------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(super) struct TokenQuery {
    #[serde(default)]
    t: String,
    #[serde(default)]
    rated: Option<String>,
}

/// A ticket by id and token (404 for a wrong token: the page is the holder's).
pub(crate) async fn ticket_of(
    st: &AppState,
    hall: &Hall,
    id: i64,
    token: &str,
) -> PageResult<StoredTicket> {
    let t = st.store.hall_ticket(id).await?;
    let ok = t.hall_id == hall.id && crate::security::tokens_equal(token, &t.token);
    if !ok {
        return Err(AppError::NotFound("号".into()));
    }
    Ok(t)
}

/// The ticket's view with its places ahead and its rating.
pub(crate) async fn full_ticket_view(
    st: &AppState,
    body: &Body,
    hall: &Hall,
    t: &StoredTicket,
) -> PageResult<TicketView> {
    let ahead = ahead_of(st, t).await?;
    let rating = st
        .store
        .hall_ratings(hall.id, t.ticket.day, t.ticket.day)
        .await?
        .into_iter()
        .find(|r| r.ticket_id == t.id)
        .map(|r| r.evaluation.rating);
    Ok(ticket_view(&body.code, hall, t, Some(ahead), rating))
}

#[derive(Template)]
#[template(path = "hall/ticket.html")]
struct TicketPage {
    layout: Layout,
    hall: String,
    view: TicketView,
    rated: bool,
}

pub(super) async fn ticket(
    State(st): State<AppState>,
    v: Viewer,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<TokenQuery>,
) -> PageResult<Response> {
    let (body, hall) = hall_of(&st, &code).await?;
    let t = ticket_of(&st, &hall, id, &q.t).await?;
    let view = full_ticket_view(&st, &body, &hall, &t).await?;
    render(&TicketPage {
        layout: Layout::portal(
            &st,
            &v,
            &format!("排队号 {}", view.number),
            Some(&body.code),
        ),
        hall: hall.name.clone(),
        view,
        rated: q.rated.is_some(),
    })
}

#[derive(Template)]
#[template(path = "hall/rate.html")]
struct RatePage {
    layout: Layout,
    action: String,
    view: TicketView,
    token: String,
    levels: Vec<SelectOption>,
    reason: String,
    error: Option<String>,
}

fn levels(chosen: &str) -> Vec<SelectOption> {
    Rating::ALL
        .iter()
        .map(|r| SelectOption::new(r.label_zh(), r.label_zh(), r.label_zh() == chosen))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn rate_page(
    st: &AppState,
    v: &Viewer,
    body: &Body,
    hall: &Hall,
    t: &StoredTicket,
    chosen: &str,
    reason: &str,
    error: Option<String>,
) -> PageResult<Response> {
    let view = full_ticket_view(st, body, hall, t).await?;
    render(&RatePage {
        layout: Layout::portal(st, v, &format!("评价 {}", view.number), Some(&body.code)),
        action: format!(
            "/bodies/{}/hall/tickets/{}/rate",
            urlencode(&body.code),
            t.id
        ),
        view,
        token: t.token.clone(),
        levels: levels(chosen),
        reason: reason.to_string(),
        error,
    })
}

pub(super) async fn rate_form(
    State(st): State<AppState>,
    v: Viewer,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<TokenQuery>,
) -> PageResult<Response> {
    let (body, hall) = hall_of(&st, &code).await?;
    let t = ticket_of(&st, &hall, id, &q.t).await?;
    rate_page(&st, &v, &body, &hall, &t, "", "", None).await
}

#[derive(Deserialize)]
pub(super) struct RateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    t: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn rate(
    State(st): State<AppState>,
    v: Viewer,
    Path((code, id)): Path<(String, i64)>,
    Form(f): Form<RateForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let (body, hall) = hall_of(&st, &code).await?;
    let t = ticket_of(&st, &hall, id, &f.t).await?;
    let Some(rating) = Rating::parse(&f.rating) else {
        return unprocessable(
            rate_page(
                &st,
                &v,
                &body,
                &hall,
                &t,
                "",
                &f.reason,
                Some("请选择评价等级".into()),
            )
            .await,
        );
    };
    let reason = Some(f.reason.trim()).filter(|r| !r.is_empty());
    match st
        .store
        .hall_rate(
            t.id,
            &t.token,
            rating,
            reason,
            st.config.clock.now(),
            "public",
        )
        .await
    {
        Ok(_) => {
            let view = ticket_view(&body.code, &hall, &t, None, Some(rating));
            Ok(Redirect::to(&format!("{}&rated=1", view.href)).into_response())
        }
        Err(e) => {
            let m = refusal(e)?;
            unprocessable(rate_page(&st, &v, &body, &hall, &t, &f.rating, &f.reason, Some(m)).await)
        }
    }
}

// --- Appointments -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "hall/appointments.html")]
struct AppointmentsPage {
    layout: Layout,
    base: String,
    hall: String,
    services: Vec<SelectOption>,
    days: Vec<SelectOption>,
    slots: Vec<SelectOption>,
    service: String,
    day: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct AppointmentQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    day: String,
}

/// Today (when a working day) and the next working days the rules allow.
fn bookable_days(st: &AppState) -> Vec<time::Date> {
    let cal = st.store.calendar();
    let max = gongkai_ledger::queue::AppointmentRules::default().max_working_days_ahead;
    let mut out = Vec::new();
    let mut d = st.today();
    if cal.is_working_day(d).unwrap_or(false) {
        out.push(d);
    }
    for _ in 0..max {
        match cal.next_working_day(d) {
            Ok(n) => {
                out.push(n);
                d = n;
            }
            Err(_) => break,
        }
    }
    out
}

async fn appointments_page(
    st: &AppState,
    v: &Viewer,
    body: &Body,
    hall: &Hall,
    service: &str,
    day: &str,
    error: Option<String>,
) -> PageResult<Response> {
    let service = if hall.service(service).is_some() {
        service.to_string()
    } else {
        hall.services
            .first()
            .map(|s| s.code.clone())
            .unwrap_or_default()
    };
    let days = bookable_days(st);
    let chosen = parse_date(day.trim())
        .ok()
        .filter(|d| days.contains(d))
        .or(days.first().copied());
    let mut error = error;
    let slots = match chosen {
        Some(d) if !service.is_empty() => {
            match st
                .store
                .hall_slots(hall.id, &service, d, st.config.clock.now())
                .await
            {
                Ok(s) => s
                    .iter()
                    .map(|s| {
                        let start = format!("{:02}:{:02}", s.start.hour(), s.start.minute());
                        let end = format!("{:02}:{:02}", s.end.hour(), s.end.minute());
                        SelectOption::new(
                            start.clone(),
                            format!("{start}–{end}（余{}）", s.free),
                            false,
                        )
                    })
                    .collect(),
                Err(e) => {
                    error = error.or(Some(refusal(e)?));
                    Vec::new()
                }
            }
        }
        _ => Vec::new(),
    };
    render(&AppointmentsPage {
        layout: Layout::portal(st, v, &format!("{} 预约取号", hall.name), Some(&body.code)),
        base: format!("/bodies/{}/hall", urlencode(&body.code)),
        hall: hall.name.clone(),
        services: hall
            .services
            .iter()
            .map(|s| SelectOption::new(&s.code, &s.name, s.code == service))
            .collect(),
        days: days
            .iter()
            .map(|d| SelectOption::new(format_date(*d), format_date(*d), Some(*d) == chosen))
            .collect(),
        slots,
        service,
        day: chosen.map(format_date).unwrap_or_default(),
        error,
    })
}

pub(super) async fn appointments(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<AppointmentQuery>,
) -> PageResult<Response> {
    let (body, hall) = hall_of(&st, &code).await?;
    appointments_page(&st, &v, &body, &hall, &q.service, &q.day, None).await
}

#[derive(Deserialize)]
pub(super) struct BookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    id_number: String,
}

fn parse_hm(s: &str) -> Option<time::Time> {
    let (h, m) = s.trim().split_once(':')?;
    time::Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

pub(super) async fn book(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<BookForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let (body, hall) = hall_of(&st, &code).await?;
    let refuse = |m: String| appointments_page(&st, &v, &body, &hall, &f.service, &f.day, Some(m));
    let (Ok(day), Some(start)) = (parse_date(f.day.trim()), parse_hm(&f.start)) else {
        return unprocessable(refuse("请选择预约日期和时段".into()).await);
    };
    match st
        .store
        .hall_book(
            hall.id,
            &f.service,
            &f.id_number,
            day,
            start,
            st.config.clock.now(),
            "public",
        )
        .await
    {
        Ok(a) => Ok(Redirect::to(&format!(
            "/bodies/{}/hall/appointments/done?code={}&service={}&day={}&start={}",
            urlencode(&body.code),
            a.code,
            urlencode(&a.service),
            format_date(a.day),
            urlencode(f.start.trim()),
        ))
        .into_response()),
        Err(e) => unprocessable(refuse(refusal(e)?).await),
    }
}

#[derive(Template)]
#[template(path = "hall/booked.html")]
struct BookedPage {
    layout: Layout,
    base: String,
    hall: String,
    code: String,
    service: String,
    day: String,
    start: String,
}

#[derive(Deserialize, Default)]
pub(super) struct BookedQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    start: String,
}

pub(super) async fn booked(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<BookedQuery>,
) -> PageResult<Response> {
    let (body, hall) = hall_of(&st, &code).await?;
    let service = hall
        .service(&q.service)
        .map_or_else(|| q.service.clone(), |s| s.name.clone());
    render(&BookedPage {
        layout: Layout::portal(&st, &v, "预约成功", Some(&body.code)),
        base: format!("/bodies/{}/hall", urlencode(&body.code)),
        hall: hall.name.clone(),
        code: q
            .code
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect(),
        service,
        day: q.day.chars().take(10).collect(),
        start: q.start.chars().take(5).collect(),
    })
}

// --- Displays -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "hall/display.html")]
struct DisplayPage {
    layout: Layout,
    view: DisplayState,
    /// The window of a window display.
    window: Option<u32>,
    events: String,
}

impl DisplayPage {
    fn window_name(&self) -> String {
        self.window
            .and_then(|n| self.view.window(n))
            .map(|w| w.name.clone())
            .unwrap_or_default()
    }

    fn current_of_window(&self) -> String {
        self.window
            .and_then(|n| self.view.window(n))
            .and_then(|w| w.current.clone())
            .unwrap_or_else(|| "—".into())
    }
}

async fn display_page(
    st: &AppState,
    v: &Viewer,
    code: &str,
    window: Option<u32>,
) -> PageResult<Response> {
    let (body, hall) = hall_of(st, code).await?;
    if let Some(n) = window
        && hall.window(n).is_none()
    {
        return Err(AppError::NotFound(format!("{n}号窗口")));
    }
    let today = st.today();
    let (live, calls) = st
        .store
        .hall_live(hall.id, today, super::views::RECENT_CALLS)
        .await?;
    let view = build_display(&body, &hall, today, &live, &calls);
    let title = match window {
        Some(n) => format!("{n}号窗口"),
        None => format!("{} 叫号显示屏", hall.name),
    };
    let mut layout = Layout::portal(st, v, &title, Some(&body.code));
    layout.nav.clear();
    Ok(with_script_csp(render(&DisplayPage {
        layout,
        view,
        window,
        events: format!("/bodies/{}/hall/events", urlencode(&body.code)),
    })?))
}

pub(super) async fn display(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    display_page(&st, &v, &code, None).await
}

pub(super) async fn window_display(
    State(st): State<AppState>,
    v: Viewer,
    Path((code, n)): Path<(String, u32)>,
) -> PageResult<Response> {
    display_page(&st, &v, &code, Some(n)).await
}

/// Keep-alive comments on an idle stream.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

fn sse_event(id: u64, state: &DisplayState) -> Event {
    Event::default()
        .id(id.to_string())
        .event("state")
        .retry(Duration::from_secs(2))
        .json_data(state)
        .unwrap_or_else(|_| Event::default().comment("unserialisable state"))
}

/// `GET /bodies/{code}/hall/events`: the display state as server-sent events. The first
/// event is the current state (so a reconnect — with or without `Last-Event-ID` — resyncs);
/// then one event per change, carrying the calls to announce. A display that fell behind
/// the fan-out gets a fresh state.
pub(super) async fn events(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let (body, hall) = hall_of(&st, &code).await?;
    let rx = st.hall_hub.subscribe(&st, &body.code, hall.id).await;
    let first = super::views::display_state(&st, &body.code, hall.id).await?;
    let hall_id = hall.id;
    let code = body.code.clone();
    let init = (Some(first), rx, st, code, 0u64);
    let stream =
        futures_util::stream::unfold(init, move |(first, mut rx, st, code, last)| async move {
            if let Some(s) = first {
                let ev = sse_event(last, &s);
                return Some((
                    Ok::<_, std::convert::Infallible>(ev),
                    (None, rx, st, code, last),
                ));
            }
            loop {
                match rx.recv().await {
                    Ok(ev) => {
                        let ev: Arc<super::hub::HallEvent> = ev;
                        let out = sse_event(ev.id, &ev.state);
                        return Some((Ok(out), (None, rx, st, code, ev.id)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        if let Ok(s) = super::views::display_state(&st, &code, hall_id).await {
                            let out = sse_event(last, &s);
                            return Some((Ok(out), (None, rx, st, code, last)));
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
    let mut res = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    Ok(res)
}
