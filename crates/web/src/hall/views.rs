//! Typed view models of the hall, shared by the pages (askama), the SSE stream and the JSON
//! API: the display state, a ticket, a window's screen and the statistics.

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use gongkai_calendar::format_date;
use gongkai_ledger::Body;
use gongkai_ledger::queue::{
    self as q, GroupBy, Percentiles, PriorityClass, Rating, Summary, TicketState,
};
use gongkai_store::BEIJING;
use gongkai_store::queue::{Hall, StoredRating, StoredTicket};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// The body a hall belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BodyRef {
    pub code: String,
    pub name: String,
}

impl From<&Body> for BodyRef {
    fn from(b: &Body) -> BodyRef {
        BodyRef {
            code: b.code.clone(),
            name: b.name.clone(),
        }
    }
}

/// Recent calls shown on the hall display.
pub const RECENT_CALLS: i64 = 8;

/// The body and its hall, or 404 when the body has none.
pub async fn hall_of(st: &AppState, code: &str) -> PageResult<(Body, Hall)> {
    if let Some(c) = st.hall_hub.cached(code) {
        return Ok(c);
    }
    let body = crate::portal::body_by_code(st, code).await?;
    let hall = st
        .store
        .hall_of_body(body.id)
        .await?
        .ok_or_else(|| AppError::NotFound("该机关的政务服务大厅".into()))?;
    st.hall_hub.remember(code, &body, &hall);
    Ok((body, hall))
}

/// `HH:MM:SS` in Beijing time.
pub fn clock_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(BEIJING);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// A duration in seconds as 分/秒.
pub fn minutes_text(secs: i64) -> String {
    if secs < 60 {
        format!("{secs}秒")
    } else {
        format!("{}分{}秒", secs / 60, secs % 60)
    }
}

// --- The display --------------------------------------------------------------------------

/// A service's line on the hall display.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ServiceLine {
    pub code: String,
    pub prefix: String,
    pub name: String,
    /// Tickets waiting.
    pub waiting: u32,
    /// The ordering rule, as shown on the screen.
    pub policy: String,
}

/// A window on the hall display.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WindowLine {
    pub number: u32,
    pub name: String,
    /// 专责 classes (老年人 …), empty for an ordinary window.
    pub dedicated: Vec<String>,
    /// The ticket called or served there.
    pub current: Option<String>,
    /// Its state (已呼叫, 办理中).
    pub state: Option<String>,
}

/// A call (呼叫 or 重呼) as shown and spoken.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CallLine {
    pub number: String,
    pub window: u32,
    pub service: String,
    /// "请A012号到3号窗口办理".
    pub text: String,
    /// Time of the call, `HH:MM:SS`.
    pub at: String,
    /// Times it was called again.
    pub recalls: u32,
}

/// What the hall display and the window displays show (also `GET …/hall/display`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DisplayState {
    pub body: BodyRef,
    pub hall: String,
    /// Beijing date.
    pub day: String,
    pub services: Vec<ServiceLine>,
    pub windows: Vec<WindowLine>,
    /// The last calls, newest first.
    pub recent: Vec<CallLine>,
    /// Calls made since the previous update of the live stream (to announce); empty in a
    /// snapshot.
    pub calls: Vec<CallLine>,
}

impl DisplayState {
    /// Whether two states show the same screen (ignoring what is to be announced).
    pub fn same_screen(&self, other: &DisplayState) -> bool {
        self.services == other.services
            && self.windows == other.windows
            && self.recent == other.recent
            && self.day == other.day
    }

    pub fn latest(&self) -> Option<&CallLine> {
        self.recent.first()
    }

    /// The window numbered `n`.
    pub fn window(&self, n: u32) -> Option<&WindowLine> {
        self.windows.iter().find(|w| w.number == n)
    }
}

fn call_line(hall: &Hall, t: &StoredTicket) -> Option<CallLine> {
    let window = t.ticket.window?;
    let at = t.announced_at?;
    Some(CallLine {
        number: t.ticket.number(),
        window,
        service: hall
            .service(&t.ticket.service)
            .map_or_else(|| t.ticket.service.clone(), |s| s.name.clone()),
        text: q::announcement(&t.ticket.number(), window),
        at: clock_time(at),
        recalls: t.ticket.recalls,
    })
}

/// The display state of a hall today.
pub async fn display_state(
    st: &AppState,
    body_code: &str,
    hall_id: i64,
) -> PageResult<DisplayState> {
    display_state_with(st, body_code, hall_id, RECENT_CALLS).await
}

/// [`display_state`] with the last `recent` calls.
pub async fn display_state_with(
    st: &AppState,
    body_code: &str,
    hall_id: i64,
    recent: i64,
) -> PageResult<DisplayState> {
    let (body, hall) = hall_of(st, body_code).await?;
    if hall.id != hall_id {
        return Err(AppError::NotFound("服务大厅".into()));
    }
    let today = st.today();
    let (live, calls) = st.store.hall_live(hall.id, today, recent).await?;
    Ok(build_display(&body, &hall, today, &live, &calls))
}

pub fn build_display(
    body: &Body,
    hall: &Hall,
    today: Date,
    live: &[StoredTicket],
    calls: &[StoredTicket],
) -> DisplayState {
    let services = hall
        .services
        .iter()
        .map(|s| ServiceLine {
            code: s.code.clone(),
            prefix: s.prefix.to_string(),
            name: s.name.clone(),
            waiting: live
                .iter()
                .filter(|t| t.ticket.state == TicketState::Waiting && t.ticket.service == s.code)
                .count() as u32,
            policy: s.policy.describe_zh(),
        })
        .collect();
    let windows = hall
        .windows
        .iter()
        .map(|w| {
            let cur = live
                .iter()
                .filter(|t| {
                    t.ticket.window == Some(w.number)
                        && matches!(t.ticket.state, TicketState::Called | TicketState::Serving)
                })
                .max_by_key(|t| t.announced_at);
            WindowLine {
                number: w.number,
                name: w.name.clone(),
                dedicated: w
                    .dedicated_for
                    .iter()
                    .filter(|c| c.is_priority())
                    .map(|c| c.label_zh().to_string())
                    .collect(),
                current: cur.map(|t| t.ticket.number()),
                state: cur.map(|t| t.ticket.state.label_zh().to_string()),
            }
        })
        .collect();
    DisplayState {
        body: BodyRef::from(body),
        hall: hall.name.clone(),
        day: format_date(today),
        services,
        windows,
        recent: calls.iter().filter_map(|t| call_line(hall, t)).collect(),
        calls: Vec::new(),
    }
}

// --- A ticket -----------------------------------------------------------------------------

/// A ticket as its holder sees it (ticket page, API).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    pub id: i64,
    pub number: String,
    pub service: String,
    pub service_name: String,
    pub class: String,
    pub state: String,
    pub day: String,
    /// Time taken, `HH:MM:SS`.
    pub taken_at: String,
    /// Waiting tickets of its service ahead of it (while it waits).
    pub ahead: Option<u32>,
    pub window: Option<u32>,
    /// The announcement when it was called.
    pub announcement: Option<String>,
    pub masked_name: Option<String>,
    /// The ticket page (with its token).
    pub href: String,
    /// The rating page, once it is finished and not yet rated.
    pub rate_href: Option<String>,
    /// The rating given.
    pub rating: Option<String>,
}

pub fn ticket_view(
    body_code: &str,
    hall: &Hall,
    t: &StoredTicket,
    ahead: Option<usize>,
    rating: Option<Rating>,
) -> TicketView {
    let code = crate::portal::urlencode(body_code);
    let href = format!("/bodies/{code}/hall/tickets/{}?t={}", t.id, t.token);
    let finished = t.ticket.state == TicketState::Finished;
    TicketView {
        id: t.id,
        number: t.ticket.number(),
        service: t.ticket.service.clone(),
        service_name: hall
            .service(&t.ticket.service)
            .map_or_else(|| t.ticket.service.clone(), |s| s.name.clone()),
        class: t.ticket.class.label_zh().to_string(),
        state: t.ticket.state.label_zh().to_string(),
        day: format_date(t.ticket.day),
        taken_at: clock_time(t.ticket.taken_at),
        ahead: (t.ticket.state == TicketState::Waiting)
            .then(|| ahead.map(|a| a as u32))
            .flatten(),
        window: t.ticket.window,
        announcement: t
            .ticket
            .window
            .filter(|_| matches!(t.ticket.state, TicketState::Called | TicketState::Serving))
            .map(|w| q::announcement(&t.ticket.number(), w)),
        masked_name: t.ticket.masked_name.clone(),
        rate_href: (finished && rating.is_none())
            .then(|| format!("/bodies/{code}/hall/tickets/{}/rate?t={}", t.id, t.token)),
        rating: rating.map(|r| r.label_zh().to_string()),
        href,
    }
}

/// Places ahead of a waiting ticket (by the domain's estimate).
pub async fn ahead_of(st: &AppState, t: &StoredTicket) -> PageResult<usize> {
    let (live, _) = st.store.hall_live(t.hall_id, t.ticket.day, 0).await?;
    let tickets: Vec<q::Ticket> = live.into_iter().map(|x| x.ticket).collect();
    Ok(q::places_ahead(&tickets, &t.ticket))
}

/// The priority classes a citizen may choose at the kiosk.
pub fn kiosk_classes() -> Vec<crate::staff::SelectOption> {
    PriorityClass::ALL
        .iter()
        .filter(|c| **c != PriorityClass::Appointment)
        .map(|c| {
            crate::staff::SelectOption::new(c.label_zh(), c.label_zh(), *c == PriorityClass::Normal)
        })
        .collect()
}

// --- Statistics ---------------------------------------------------------------------------

/// One row of the statistics (a service, a window, a day or the total).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatRow {
    /// Service code, window number or date.
    pub key: String,
    pub label: String,
    pub issued: u32,
    pub served: u32,
    pub no_shows: u32,
    pub cancelled: u32,
    /// Waiting time (取号 → 呼叫), seconds.
    pub wait_median_s: Option<i64>,
    pub wait_p90_s: Option<i64>,
    /// Service time (开始 → 办结), seconds.
    pub service_median_s: Option<i64>,
    pub service_p90_s: Option<i64>,
    /// Ratings per level, in the order 非常满意 … 非常不满意.
    pub ratings: Vec<u32>,
    /// Share of ratings that are not 差评, per cent with one decimal.
    pub satisfaction: Option<String>,
}

impl StatRow {
    fn of(key: String, label: String, s: &Summary) -> StatRow {
        let p = |x: &Option<Percentiles>| (x.map(|p| p.median_s), x.map(|p| p.p90_s));
        let (wm, wp) = p(&s.waiting);
        let (sm, sp) = p(&s.service);
        StatRow {
            key,
            label,
            issued: s.issued,
            served: s.served,
            no_shows: s.no_shows,
            cancelled: s.cancelled,
            wait_median_s: wm,
            wait_p90_s: wp,
            service_median_s: sm,
            service_p90_s: sp,
            ratings: Rating::ALL
                .iter()
                .map(|r| s.ratings.get(r).copied().unwrap_or(0))
                .collect(),
            satisfaction: s.satisfaction_percent().map(|v| format!("{v:.1}%")),
        }
    }

    pub fn text(v: &Option<i64>) -> String {
        v.map_or_else(|| "—".to_string(), minutes_text)
    }

    pub fn wait_median(&self) -> String {
        Self::text(&self.wait_median_s)
    }
    pub fn wait_p90(&self) -> String {
        Self::text(&self.wait_p90_s)
    }
    pub fn service_median(&self) -> String {
        Self::text(&self.service_median_s)
    }
    pub fn service_p90(&self) -> String {
        Self::text(&self.service_p90_s)
    }
    pub fn satisfaction_text(&self) -> &str {
        self.satisfaction.as_deref().unwrap_or("—")
    }
}

/// The statistics of a hall over a date range (`from..=to`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsView {
    pub body: BodyRef,
    pub hall: String,
    pub from: String,
    pub to: String,
    /// The rating levels (column heads of `ratings`).
    pub rating_levels: Vec<String>,
    pub total: StatRow,
    pub by_service: Vec<StatRow>,
    pub by_window: Vec<StatRow>,
    pub by_day: Vec<StatRow>,
}

impl StatsView {
    /// The tables of the page: title and rows.
    pub fn groups(&self) -> Vec<(&'static str, &[StatRow])> {
        vec![
            ("合计", std::slice::from_ref(&self.total)),
            ("按业务", self.by_service.as_slice()),
            ("按窗口", self.by_window.as_slice()),
            ("按日期", self.by_day.as_slice()),
        ]
    }
}

pub async fn stats_view(
    st: &AppState,
    body: &Body,
    hall: &Hall,
    from: Date,
    to: Date,
) -> PageResult<StatsView> {
    let tickets = st.store.hall_tickets(hall.id, from, to).await?;
    let ratings: Vec<StoredRating> = st.store.hall_ratings(hall.id, from, to).await?;
    let ts: Vec<q::Ticket> = tickets.into_iter().map(|t| t.ticket).collect();
    let es: Vec<q::Evaluation> = ratings.into_iter().map(|r| r.evaluation).collect();
    let total = q::summarize(&ts, &es);
    let rows = |by: GroupBy, label: &dyn Fn(&str) -> String| -> Vec<StatRow> {
        q::summarize_by(&ts, &es, by)
            .iter()
            .map(|(k, s)| StatRow::of(k.clone(), label(k), s))
            .collect()
    };
    let mut by_window = rows(GroupBy::Window, &|k: &str| {
        k.parse::<u32>()
            .ok()
            .and_then(|n| hall.window(n))
            .map_or_else(
                || format!("{k}号窗口"),
                |w| format!("{}号 {}", w.number, w.name),
            )
    });
    by_window.sort_by_key(|r| r.key.parse::<u32>().unwrap_or(u32::MAX));
    Ok(StatsView {
        body: BodyRef::from(body),
        hall: hall.name.clone(),
        from: format_date(from),
        to: format_date(to),
        rating_levels: Rating::ALL
            .iter()
            .map(|r| r.label_zh().to_string())
            .collect(),
        total: StatRow::of("total".into(), "合计".into(), &total),
        by_service: rows(GroupBy::Service, &|k: &str| {
            hall.service(k)
                .map_or_else(|| k.to_string(), |s| s.name.clone())
        }),
        by_window,
        by_day: rows(GroupBy::Day, &|k: &str| k.to_string()),
    })
}

/// The statistics as CSV (one row per group; `group` is 合计/业务/窗口/日期).
pub fn stats_csv(v: &StatsView) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = [
        "分组",
        "键",
        "名称",
        "取号数",
        "办结数",
        "过号数",
        "取消数",
        "等候时长中位数(秒)",
        "等候时长P90(秒)",
        "办理时长中位数(秒)",
        "办理时长P90(秒)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    head.extend(v.rating_levels.iter().cloned());
    head.push("满意率".into());
    let err = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record(&head).map_err(err)?;
    let groups: [(&str, &[StatRow]); 4] = [
        ("合计", std::slice::from_ref(&v.total)),
        ("业务", &v.by_service),
        ("窗口", &v.by_window),
        ("日期", &v.by_day),
    ];
    let opt = |x: &Option<i64>| x.map(|n| n.to_string()).unwrap_or_default();
    for (g, rows) in groups {
        for r in rows {
            let mut rec = vec![
                g.to_string(),
                r.key.clone(),
                r.label.clone(),
                r.issued.to_string(),
                r.served.to_string(),
                r.no_shows.to_string(),
                r.cancelled.to_string(),
                opt(&r.wait_median_s),
                opt(&r.wait_p90_s),
                opt(&r.service_median_s),
                opt(&r.service_p90_s),
            ];
            rec.extend(r.ratings.iter().map(|n| n.to_string()));
            rec.push(r.satisfaction.clone().unwrap_or_default());
            w.write_record(&rec).map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))
}
