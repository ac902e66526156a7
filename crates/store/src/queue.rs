//! Persistence of the service hall's window queue (取号、叫号、评价): a body's hall with its
//! services and windows, tickets numbered per service per day, their append-only history,
//! appointments and ratings. The queue logic is [`gongkai_ledger::queue`]; this module
//! stores its state durably and makes every change one transaction with its history row and
//! its audit row (`hall.*`).
//!
//! Concurrency: a ticket's sequence number comes from a per-(hall, day, service) counter row
//! (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, atomic on both backends) under a unique
//! `(hall, service, day, seq)` constraint; one ticket per ID per service per day is a
//! partial unique index; calling next updates the chosen ticket only while it is still
//! waiting, so two windows never get the same ticket (the loser's transaction runs again).
//!
//! Daily reset: numbering is per Beijing day; the first write of a new day (or
//! `gongkai hall reset`) closes the tickets still open from earlier days as 过号 (未办理),
//! with a history row each and one audit row. History is kept.

use crate::{Result, Store, StoreError, WRITE_RETRIES, retry_pause};
use gongkai_ledger::queue::{
    Evaluation, OrderPolicy, PriorityClass, Rating, Ticket, TicketChannel,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time};

/// A hall's configuration as created by `gongkai hall` or imported from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallConfig {
    /// Name of the hall (e.g. 黄阁镇政务服务中心).
    pub name: String,
    /// Services (业务类型), in display order.
    #[serde(default)]
    pub services: Vec<HallService>,
    /// Windows.
    #[serde(default)]
    pub windows: Vec<HallWindow>,
}

/// A service (业务类型) of a hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallService {
    /// Short code (`SB`), unique in the hall.
    pub code: String,
    /// Ticket prefix letter (`A`–`Z`), unique in the hall.
    pub prefix: char,
    /// Name shown on the kiosk (社保业务).
    pub name: String,
    /// Code of the service item (办事指南) it handles, as plain text (may be empty).
    #[serde(default)]
    pub item_code: String,
    /// Ordering policy of its waiting tickets.
    #[serde(default)]
    pub policy: OrderPolicy,
}

/// A window (窗口) of a hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallWindow {
    /// Number, as announced ("3号窗口").
    pub number: u32,
    /// Name (社保医保综合窗口, 老人社保优待卡专责窗口).
    pub name: String,
    /// Codes of the services it serves.
    pub services: Vec<String>,
    /// Priority classes it is the 专责 window for (empty: ordinary window).
    #[serde(default)]
    pub dedicated_for: Vec<PriorityClass>,
}

impl HallWindow {
    /// The queue's view of the window.
    pub fn queue_window(&self) -> gongkai_ledger::queue::Window {
        gongkai_ledger::queue::Window {
            number: self.number,
            services: self.services.clone(),
            dedicated_for: self.dedicated_for.clone(),
        }
    }
}

/// A stored hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hall {
    /// Row id.
    pub id: i64,
    /// The body whose 政务服务大厅 it is.
    pub body_id: i64,
    /// Name.
    pub name: String,
    /// Services in display order.
    pub services: Vec<HallService>,
    /// Windows by number.
    pub windows: Vec<HallWindow>,
}

impl Hall {
    /// The service with code `code`.
    pub fn service(&self, code: &str) -> Option<&HallService> {
        self.services.iter().find(|s| s.code == code)
    }

    /// The window numbered `n`.
    pub fn window(&self, n: u32) -> Option<&HallWindow> {
        self.windows.iter().find(|w| w.number == n)
    }

    /// The ordering policies of every service.
    pub fn policies(&self) -> gongkai_ledger::queue::Policies {
        gongkai_ledger::queue::Policies {
            default: OrderPolicy::default(),
            by_service: self
                .services
                .iter()
                .map(|s| (s.code.clone(), s.policy))
                .collect(),
        }
    }
}

/// A stored ticket: the ledger's ticket with its row id and the token of its public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTicket {
    /// Row id.
    pub id: i64,
    /// Hall.
    pub hall_id: i64,
    /// Random token of the citizen's ticket page and rating link.
    pub token: String,
    /// Last call or recall.
    pub announced_at: Option<OffsetDateTime>,
    /// The ticket.
    pub ticket: Ticket,
}

/// How a ticket is taken at the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakeTicket {
    /// Service code.
    pub service: String,
    /// Priority class chosen.
    pub class: PriorityClass,
    /// Channel (取号机, 身份证 …).
    pub channel: TicketChannel,
    /// ID number (validated and hashed, never stored), for the one-ID rule.
    pub id_number: Option<String>,
    /// Holder's name (only its masked form is stored).
    pub name: Option<String>,
}

/// A taken ticket and the places ahead of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    /// The ticket.
    pub ticket: StoredTicket,
    /// Waiting tickets of its service ahead of it.
    pub ahead: usize,
}

/// What a window does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HallAction {
    /// 呼叫下一位 (refused while the window has a called or served ticket).
    CallNext,
    /// 重呼 the window's called ticket.
    Recall,
    /// 开始办理.
    Start,
    /// 过号.
    NoShow,
    /// 暂离 (the citizen steps away).
    Suspend,
    /// 恢复排队 of a suspended ticket: back two places behind the head of its line.
    Resume,
    /// 办结 (from called or serving).
    Finish,
    /// 办结并转办 to another service: a follow-up ticket for it.
    FinishAndRedirect {
        /// Service code of the follow-up.
        service: String,
    },
    /// 转移 to another service (分流错误): the ticket keeps its number and place.
    Transfer {
        /// The right service.
        service: String,
    },
    /// 取消.
    Cancel,
}

impl HallAction {
    /// The audit action (`hall.call`, …).
    pub fn audit_action(&self) -> &'static str {
        match self {
            HallAction::CallNext => "hall.call",
            HallAction::Recall => "hall.recall",
            HallAction::Start => "hall.start",
            HallAction::NoShow => "hall.no_show",
            HallAction::Suspend => "hall.suspend",
            HallAction::Resume => "hall.resume",
            HallAction::Finish => "hall.finish",
            HallAction::FinishAndRedirect { .. } => "hall.redirect",
            HallAction::Transfer { .. } => "hall.transfer",
            HallAction::Cancel => "hall.cancel",
        }
    }

    /// Parse a form's action name (`call`, `recall`, `start`, `no_show`, `suspend`,
    /// `resume`, `finish`, `redirect`, `transfer`, `cancel`); `service` is the target of a
    /// redirect or transfer.
    pub fn parse(name: &str, service: &str) -> Option<HallAction> {
        Some(match name {
            "call" => HallAction::CallNext,
            "recall" => HallAction::Recall,
            "start" => HallAction::Start,
            "no_show" => HallAction::NoShow,
            "suspend" => HallAction::Suspend,
            "resume" => HallAction::Resume,
            "finish" => HallAction::Finish,
            "redirect" => HallAction::FinishAndRedirect {
                service: service.trim().to_string(),
            },
            "transfer" => HallAction::Transfer {
                service: service.trim().to_string(),
            },
            "cancel" => HallAction::Cancel,
            _ => return None,
        })
    }
}

/// Result of a window action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionOutcome {
    /// The ticket acted on (`None`: call next found nobody waiting).
    pub ticket: Option<StoredTicket>,
    /// The follow-up ticket of a 办结并转办.
    pub follow_up: Option<StoredTicket>,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRating {
    /// Ticket row id.
    pub ticket_id: i64,
    /// The evaluation.
    pub evaluation: Evaluation,
}

/// A booked appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookedAppointment {
    /// Code to check in with at the kiosk.
    pub code: String,
    /// Service code.
    pub service: String,
    /// Day.
    pub day: Date,
    /// Slot start.
    pub start: Time,
    /// Ticket issued at check-in.
    pub ticket_id: Option<i64>,
}

/// Marker of a lost race between two windows (the transaction is run again).
pub(crate) const RACE: &str = "hall-queue-race";

impl Store {
    /// Run a hall write, again on a transient conflict or a lost race (bounded).
    async fn hall_write<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut attempt = 0u32;
        loop {
            let gate = self.write_turn().await;
            let r = f().await;
            drop(gate);
            match r {
                Err(e)
                    if attempt < WRITE_RETRIES * 3
                        && (e.is_transient()
                            || matches!(&e, StoreError::Conflict(m) if m == RACE)) =>
                {
                    attempt += 1;
                    tokio::time::sleep(retry_pause(attempt.min(4))).await;
                }
                r => break r,
            }
        }
    }

    /// Create a body's hall or replace its services and windows (`hall.config`).
    pub async fn hall_configure(
        &self,
        body_id: i64,
        cfg: &HallConfig,
        actor: &str,
    ) -> Result<Hall> {
        validate_config(cfg)?;
        let pool = &self.pool;
        self.hall_write(move || crate::sql::hall_configure(pool, body_id, cfg, actor))
            .await
    }

    /// The hall of a body, if it has one.
    pub async fn hall_of_body(&self, body_id: i64) -> Result<Option<Hall>> {
        crate::sql::hall_of_body(&self.pool, body_id).await
    }

    /// Take a ticket (`hall.ticket.take`) at `now`.
    pub async fn hall_take(
        &self,
        hall_id: i64,
        take: &TakeTicket,
        now: OffsetDateTime,
        actor: &str,
    ) -> Result<Taken> {
        let pool = &self.pool;
        self.hall_write(move || crate::sql::hall_take(pool, hall_id, take, None, now, actor))
            .await
    }

    /// A window's action at `now` (`hall.call`, `hall.finish`, …). `ticket_id` selects the
    /// ticket for [`HallAction::Resume`] and [`HallAction::Cancel`]; other actions act on the
    /// window's current ticket.
    pub async fn hall_action(
        &self,
        hall_id: i64,
        window: u32,
        action: &HallAction,
        ticket_id: Option<i64>,
        now: OffsetDateTime,
        actor: &str,
    ) -> Result<ActionOutcome> {
        let pool = &self.pool;
        self.hall_write(move || {
            crate::sql::hall_action(pool, hall_id, window, action, ticket_id, now, actor)
        })
        .await
    }

    /// One ticket.
    pub async fn hall_ticket(&self, id: i64) -> Result<StoredTicket> {
        crate::sql::hall_ticket(&self.pool, id).await
    }

    /// Today's ticket of a hall by its displayed number (`A012`) and its current service's
    /// prefix.
    pub async fn hall_ticket_by_number(
        &self,
        hall_id: i64,
        day: Date,
        number: &str,
    ) -> Result<Option<StoredTicket>> {
        crate::sql::hall_ticket_by_number(&self.pool, hall_id, day, number).await
    }

    /// The tickets of `day` still in the queue (等候中, 已呼叫, 办理中, 暂离) plus the last
    /// `recent` called tickets: what the displays and the window page show.
    pub async fn hall_live(
        &self,
        hall_id: i64,
        day: Date,
        recent: i64,
    ) -> Result<(Vec<StoredTicket>, Vec<StoredTicket>)> {
        crate::sql::hall_live(&self.pool, hall_id, day, recent).await
    }

    /// Tickets of days `from..=to`, in order of issue.
    pub async fn hall_tickets(
        &self,
        hall_id: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<StoredTicket>> {
        crate::sql::hall_tickets(&self.pool, hall_id, from, to).await
    }

    /// Ratings of tickets of days `from..=to`.
    pub async fn hall_ratings(
        &self,
        hall_id: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<StoredRating>> {
        crate::sql::hall_ratings(&self.pool, hall_id, from, to).await
    }

    /// Rate a finished ticket (`hall.rate`); the token is the one of its ticket page.
    pub async fn hall_rate(
        &self,
        ticket_id: i64,
        token: &str,
        rating: Rating,
        reason: Option<&str>,
        now: OffsetDateTime,
        actor: &str,
    ) -> Result<StoredRating> {
        let pool = &self.pool;
        self.hall_write(move || {
            crate::sql::hall_rate(pool, ticket_id, token, rating, reason, now, actor)
        })
        .await
    }

    /// Close the tickets left open from days before `now`'s Beijing date as 过号 (未办理)
    /// (`hall.reset`); returns how many. Also runs by itself on the first write of a day.
    pub async fn hall_reset(
        &self,
        hall_id: i64,
        now: OffsetDateTime,
        actor: &str,
    ) -> Result<usize> {
        let pool = &self.pool;
        self.hall_write(move || crate::sql::hall_reset(pool, hall_id, now, actor))
            .await
    }

    #[allow(clippy::too_many_arguments)]
    /// Book an appointment slot (`hall.appointment.book`): the calendar's working days, up
    /// to the rules' days ahead, one per ID per service per day.
    pub async fn hall_book(
        &self,
        hall_id: i64,
        service: &str,
        id_number: &str,
        day: Date,
        start: Time,
        now: OffsetDateTime,
        actor: &str,
    ) -> Result<BookedAppointment> {
        let (pool, cal) = (&self.pool, &*self.calendar);
        self.hall_write(move || {
            crate::sql::hall_book(
                pool, cal, hall_id, service, id_number, day, start, now, actor,
            )
        })
        .await
    }

    /// Free places of the slots of `day` for `service`.
    pub async fn hall_slots(
        &self,
        hall_id: i64,
        service: &str,
        day: Date,
        now: OffsetDateTime,
    ) -> Result<Vec<gongkai_ledger::queue::Slot>> {
        crate::sql::hall_slots(&self.pool, &self.calendar, hall_id, service, day, now).await
    }

    /// Check in an appointment at the kiosk: a ticket of class 预约 (`hall.appointment.checkin`).
    pub async fn hall_check_in(
        &self,
        hall_id: i64,
        code: &str,
        now: OffsetDateTime,
        actor: &str,
    ) -> Result<Taken> {
        let pool = &self.pool;
        self.hall_write(move || crate::sql::hall_check_in(pool, hall_id, code, now, actor))
            .await
    }
}

fn validate_config(cfg: &HallConfig) -> Result<()> {
    let bad = |m: String| Err(StoreError::Invalid(m));
    if cfg.name.trim().is_empty() {
        return bad("大厅名称不能为空 (hall name required)".into());
    }
    let mut codes = std::collections::BTreeSet::new();
    let mut prefixes = std::collections::BTreeSet::new();
    for s in &cfg.services {
        if s.code.trim().is_empty() || s.name.trim().is_empty() {
            return bad("业务代码和名称不能为空 (service code and name required)".into());
        }
        if !s.prefix.is_ascii_uppercase() {
            return bad(format!("业务「{}」的取号前缀应为一个大写字母", s.name));
        }
        if !codes.insert(s.code.as_str()) {
            return bad(format!("业务代码「{}」重复", s.code));
        }
        if !prefixes.insert(s.prefix) {
            return bad(format!("取号前缀「{}」重复", s.prefix));
        }
    }
    let mut numbers = std::collections::BTreeSet::new();
    for w in &cfg.windows {
        if w.number == 0 || !numbers.insert(w.number) {
            return bad(format!("窗口号「{}」无效或重复", w.number));
        }
        for s in &w.services {
            if !codes.contains(s.as_str()) {
                return bad(format!("{}号窗口的业务「{s}」不存在", w.number));
            }
        }
    }
    Ok(())
}
