//! The service-hall window queue (取号、叫号、评价) as pure domain logic: priority classes and
//! per-service ordering policies, tickets and their state machine, the choice of the next
//! ticket for a calling window, appointment slots, the one-ID-one-ticket rule, ID-number
//! checks, name masking, statistics and 好差评 ratings.
//!
//! Nothing here reads a clock or a store: every time ("now", the day, the time of an action)
//! is a parameter, and the store supplies the tickets and the per-service sequence numbers.
//!
//! ```
//! use gongkai_ledger::queue::*;
//! use time::macros::{date, datetime};
//!
//! let t = |seq, class, at| Ticket::new(NewTicket {
//!     service: "SB".into(), prefix: 'A', seq, day: date!(2025 - 03 - 03), class,
//!     channel: TicketChannel::Kiosk, taken_at: at, id_hash: None, masked_name: None,
//! }).unwrap();
//! let waiting = vec![
//!     t(1, PriorityClass::Normal, datetime!(2025-03-03 9:00 +8)),
//!     t(2, PriorityClass::Elderly, datetime!(2025-03-03 9:05 +8)),
//! ];
//! let window = Window { number: 3, services: vec!["SB".into()], dedicated_for: vec![] };
//! let policies = Policies::from(OrderPolicy::StrictPriority);
//! let next = next_ticket(&policies, &waiting, &window, &SelectionHistory::default());
//! assert_eq!(next, Some(1));
//! assert_eq!(waiting[1].number(), "A002");
//! assert_eq!(announcement(&waiting[1].number(), 3), "请A002号到3号窗口办理");
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::service::zh_enum;
use gongkai_calendar::{Calendar, CalendarError};

// ---------------------------------------------------------------------------------------
// Classes and policies

zh_enum! {
    /// Priority class of a ticket (NovoSGA `prioridade`). All classes other than
    /// [`PriorityClass::Normal`] are priority classes and rank equally among themselves
    /// (first come, first served).
    PriorityClass {
        /// 普通 (no priority).
        Normal => "普通",
        /// 老年人 (e.g. holders of the 老年人优待证 / 老人社保优待卡).
        Elderly => "老年人",
        /// 残疾人.
        Disabled => "残疾人",
        /// 军人 (现役军人、退役军人 and others the hall admits to the 军人优先 channel).
        Military => "军人",
        /// 预约 (checked in on an appointment).
        Appointment => "预约",
    }
}

impl PriorityClass {
    /// Whether the class jumps the ordinary queue.
    pub fn is_priority(self) -> bool {
        self != PriorityClass::Normal
    }
}

/// How a service orders its waiting tickets at an ordinary (non-专责) window. Configured per
/// service ([`Policies`]) and shown on the hall screen ([`OrderPolicy::describe_zh`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrderPolicy {
    /// `strict_priority`: any waiting priority ticket goes before every normal one (the
    /// default).
    #[default]
    StrictPriority,
    /// `interleave(n)`: one priority ticket after every `normal_per_priority` normal tickets
    /// of the service; `0` behaves as strict priority.
    Interleave {
        /// Normal tickets served between two priority tickets while both kinds wait.
        normal_per_priority: u32,
    },
    /// `weighted_wait`: order by waiting time, a priority ticket counting as if it had
    /// waited `priority_bonus_minutes` longer.
    WeightedWait {
        /// Virtual minutes added to a priority ticket's waiting time.
        priority_bonus_minutes: u32,
    },
    /// `dedicated_window_only`: priority tickets are served at the 专责 window; an ordinary
    /// window calls them only when no normal ticket waits for it, so a hall whose 专责
    /// window is closed never strands them.
    DedicatedWindowOnly,
}

impl OrderPolicy {
    /// The rule as shown on the hall screen.
    pub fn describe_zh(&self) -> String {
        match *self {
            OrderPolicy::StrictPriority => "优先号优先办理".to_string(),
            OrderPolicy::Interleave {
                normal_per_priority: 0,
            } => "优先号优先办理".to_string(),
            OrderPolicy::Interleave {
                normal_per_priority: n,
            } => format!("每办理{n}个普通号办理1个优先号"),
            OrderPolicy::WeightedWait {
                priority_bonus_minutes: m,
            } => format!("按等候时间顺序办理，优先号视同多等候{m}分钟"),
            OrderPolicy::DedicatedWindowOnly => "优先号在专责窗口办理".to_string(),
        }
    }
}

/// The ordering policy of every service: a default and per-service overrides (keyed by
/// service code).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    /// Policy of a service without an override.
    pub default: OrderPolicy,
    /// Per-service policies.
    #[serde(default)]
    pub by_service: BTreeMap<String, OrderPolicy>,
}

impl From<OrderPolicy> for Policies {
    /// The same policy for every service.
    fn from(p: OrderPolicy) -> Self {
        Policies {
            default: p,
            by_service: BTreeMap::new(),
        }
    }
}

impl Policies {
    /// The policy of `service`.
    pub fn for_service(&self, service: &str) -> OrderPolicy {
        self.by_service
            .get(service)
            .copied()
            .unwrap_or(self.default)
    }
}

/// A service window (窗口) as the queue sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    /// Window number, as announced ("3号窗口").
    pub number: u32,
    /// Codes of the services it serves.
    pub services: Vec<String>,
    /// Priority classes it is the 专责 window for (e.g. 老年人 for the 老人社保优待卡专责窗口);
    /// empty for an ordinary window.
    #[serde(default)]
    pub dedicated_for: Vec<PriorityClass>,
}

impl Window {
    /// Whether this is a 专责 window (dedicated to at least one priority class; a listed
    /// 普通 is ignored).
    pub fn is_dedicated(&self) -> bool {
        self.dedicated_for.iter().any(|c| c.is_priority())
    }

    /// Whether the window is the 专责 window for `class` (never for 普通).
    pub fn is_dedicated_to(&self, class: PriorityClass) -> bool {
        class.is_priority() && self.dedicated_for.contains(&class)
    }

    /// Whether the window serves `service`.
    pub fn serves(&self, service: &str) -> bool {
        self.services.iter().any(|s| s == service)
    }
}

// ---------------------------------------------------------------------------------------
// Tickets

zh_enum! {
    /// How a ticket was taken.
    TicketChannel {
        /// 取号机 by choosing the service.
        Kiosk => "取号机",
        /// 身份证读卡.
        IdCard => "身份证",
        /// 扫描二维码.
        QrCode => "二维码",
        /// 手机号.
        Phone => "手机号",
        /// 微信 (公众号/小程序).
        WeChat => "微信",
        /// 预约签到.
        Appointment => "预约签到",
        /// Issued by a window's 办结并转办 ([`TicketAction::FinishAndRedirect`]).
        Redirect => "窗口转办",
    }
}

zh_enum! {
    /// State of a ticket (NovoSGA names in brackets).
    TicketState {
        /// 等候中 (`SENHA_EMITIDA`).
        Waiting => "等候中",
        /// 已呼叫 (`CHAMADO_PELA_MESA`).
        Called => "已呼叫",
        /// 办理中 (`ATENDIMENTO_INICIADO`).
        Serving => "办理中",
        /// 暂离 (stepped away; [`TicketAction::Requeue`] puts it back).
        Suspended => "暂离",
        /// 已办结 (`ATENDIMENTO_ENCERRADO`).
        Finished => "已办结",
        /// 过号 (`NAO_COMPARECEU`).
        NoShow => "过号",
        /// 已取消 (`SENHA_CANCELADA`).
        Cancelled => "已取消",
    }
}

impl TicketState {
    /// Whether the ticket still holds a place (counts for the one-ID rule when
    /// [`OneTicketRule::LivePerDay`]).
    pub fn is_live(self) -> bool {
        matches!(
            self,
            TicketState::Waiting
                | TicketState::Called
                | TicketState::Serving
                | TicketState::Suspended
        )
    }
}

/// What the caller supplies to issue a ticket (the store allocates `seq`,
/// [`next_sequence`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// Service code.
    pub service: String,
    /// Ticket prefix letter of the service (`A`–`Z`).
    pub prefix: char,
    /// Sequence number within the service and day, from 1.
    pub seq: u32,
    /// The hall's local (Beijing) date of issue.
    pub day: Date,
    /// Priority class.
    pub class: PriorityClass,
    /// How it was taken.
    pub channel: TicketChannel,
    /// When it was taken (arrival, NovoSGA `dt_cheg`).
    pub taken_at: OffsetDateTime,
    /// [`id_hash`] of the holder's ID number, when taken by ID.
    pub id_hash: Option<String>,
    /// [`mask_name`] of the holder, for 无声叫号.
    pub masked_name: Option<String>,
}

/// A queue ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Service code (changes on a transfer).
    pub service: String,
    /// Prefix letter.
    pub prefix: char,
    /// Sequence within (original) service and day.
    pub seq: u32,
    /// Local date of issue.
    #[serde(with = "gongkai_calendar::serde_date")]
    pub day: Date,
    /// Priority class.
    pub class: PriorityClass,
    /// How it was taken.
    pub channel: TicketChannel,
    /// Current state.
    pub state: TicketState,
    /// When it was taken (kept on a transfer).
    #[serde(with = "time::serde::rfc3339")]
    pub taken_at: OffsetDateTime,
    /// Its place in the queue: `taken_at`, or the time of a [`TicketAction::Requeue`].
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: OffsetDateTime,
    /// First call (NovoSGA `dt_cha`).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub called_at: Option<OffsetDateTime>,
    /// Start of service (`dt_ini`).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// End (`dt_fim`): finished, no-show or cancelled.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// Window that called it.
    #[serde(default)]
    pub window: Option<u32>,
    /// Times it was called again (重呼).
    #[serde(default)]
    pub recalls: u32,
    /// Service it was transferred from (分流错误).
    #[serde(default)]
    pub transferred_from: Option<String>,
    /// Number of the ticket whose 办结并转办 issued this one.
    #[serde(default)]
    pub redirected_from: Option<String>,
    /// [`id_hash`] of the holder's ID number.
    #[serde(default)]
    pub id_hash: Option<String>,
    /// Masked holder name.
    #[serde(default)]
    pub masked_name: Option<String>,
}

/// A refused queue operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// The prefix is not an ASCII capital letter.
    #[error("取号前缀“{0}”应为一个大写字母 (ticket prefix must be A–Z)")]
    BadPrefix(char),
    /// Sequence numbers start at 1.
    #[error("排队序号应从1开始 (sequence numbers start at 1)")]
    BadSequence,
    /// The action does not apply in the ticket's state.
    #[error("“{}”状态的号不能“{}” (cannot {action} a ticket in state {from:?})", .from.label_zh(), action_zh(.action))]
    InvalidTransition {
        /// Current state.
        from: TicketState,
        /// Action name (`call`, `recall`, …).
        action: &'static str,
    },
    /// An action dated before the ticket's last recorded time.
    #[error("操作时间早于该号上一次记录的时间 (action time goes backwards)")]
    TimeWentBackwards,
    /// Transfer to the ticket's own service.
    #[error("不能转移到原业务 (transfer to the same service)")]
    SameService,
    /// The follow-up ticket of a redirect is not for another service, or bad.
    #[error("转办须转到其他业务 (redirect must go to another service)")]
    BadRedirect,
    /// One ticket per ID per service per day.
    #[error("同一证件当天已取过该业务的号：{number} (one ticket per ID per service per day)")]
    DuplicateId {
        /// The ticket already held.
        number: String,
    },
    /// The ID number is not a valid 居民身份证号码.
    #[error("居民身份证号码无效 (invalid resident ID number)")]
    InvalidIdNumber,
}

fn action_zh(a: &str) -> &'static str {
    match a {
        "call" => "呼叫",
        "recall" => "重呼",
        "start" => "开始办理",
        "finish" => "办结",
        "finish_and_redirect" => "办结并转办",
        "no_show" => "过号",
        "suspend" => "暂离",
        "requeue" => "重新排队",
        "transfer" => "转移",
        "cancel" => "取消",
        _ => "操作",
    }
}

/// The displayed ticket number: prefix letter and sequence, at least three digits
/// (`A012`, `B1000`).
pub fn ticket_number(prefix: char, seq: u32) -> String {
    format!("{prefix}{seq:03}")
}

/// Parse a displayed ticket number back into prefix and sequence (`"A012"` → `('A', 12)`).
pub fn parse_ticket_number(s: &str) -> Option<(char, u32)> {
    let s = s.trim();
    let mut chars = s.chars();
    let prefix = chars.next().filter(char::is_ascii_uppercase)?;
    let digits = chars.as_str();
    if digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0).map(|n| (prefix, n))
}

/// The next sequence number of `service` on `day` given the tickets issued so far (the
/// count restarts every day per service; history is kept).
pub fn next_sequence(existing: &[Ticket], service: &str, day: Date) -> u32 {
    existing
        .iter()
        .filter(|t| t.day == day && t.service_of_issue() == service)
        .map(|t| t.seq)
        .max()
        .unwrap_or(0)
        .saturating_add(1)
}

/// The announcement text and speech: "请A012号到3号窗口办理".
pub fn announcement(number: &str, window: u32) -> String {
    format!("请{number}号到{window}号窗口办理")
}

/// The silent-call (无声叫号) text with a masked name: "请A012号张*女士到3号窗口办理".
pub fn silent_announcement(number: &str, masked_name: &str, window: u32) -> String {
    format!("请{number}号{masked_name}到{window}号窗口办理")
}

/// A step of the ticket state machine; the time of the step is passed to [`apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketAction {
    /// 呼叫: Waiting → Called at `window`.
    Call {
        /// Calling window.
        window: u32,
    },
    /// 重呼: Called → Called.
    Recall,
    /// 开始办理: Called → Serving.
    Start,
    /// 办结: Serving → Finished.
    Finish,
    /// 办结并转办: Serving → Finished, and a follow-up ticket for `service`, waiting from the
    /// time of the step (the store allocates `seq`).
    FinishAndRedirect {
        /// Service of the follow-up.
        service: String,
        /// Its prefix letter.
        prefix: char,
        /// Its sequence number.
        seq: u32,
    },
    /// 过号: Called → NoShow.
    NoShow,
    /// 暂离: Called or Serving → Suspended.
    Suspend,
    /// 重新排队 (after 暂离 or 过号): → Waiting, queued at `queued_at` (use
    /// [`requeue_time`] to put it back N places after the head).
    Requeue {
        /// New place in the queue.
        queued_at: OffsetDateTime,
    },
    /// 转移 (分流错误): Waiting, Called or Serving → Waiting in `service`, keeping its
    /// number, its taken time and its place by that time.
    Transfer {
        /// The right service.
        service: String,
    },
    /// 取消: any live state → Cancelled.
    Cancel,
}

impl TicketAction {
    fn name(&self) -> &'static str {
        match self {
            TicketAction::Call { .. } => "call",
            TicketAction::Recall => "recall",
            TicketAction::Start => "start",
            TicketAction::Finish => "finish",
            TicketAction::FinishAndRedirect { .. } => "finish_and_redirect",
            TicketAction::NoShow => "no_show",
            TicketAction::Suspend => "suspend",
            TicketAction::Requeue { .. } => "requeue",
            TicketAction::Transfer { .. } => "transfer",
            TicketAction::Cancel => "cancel",
        }
    }
}

/// What [`apply`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The ticket after the step.
    pub ticket: Ticket,
    /// The follow-up ticket of a [`TicketAction::FinishAndRedirect`].
    pub follow_up: Option<Ticket>,
}

impl Ticket {
    /// Issue a ticket (state 等候中, queued at its taken time).
    pub fn new(n: NewTicket) -> Result<Ticket, QueueError> {
        if !n.prefix.is_ascii_uppercase() {
            return Err(QueueError::BadPrefix(n.prefix));
        }
        if n.seq == 0 {
            return Err(QueueError::BadSequence);
        }
        Ok(Ticket {
            service: n.service,
            prefix: n.prefix,
            seq: n.seq,
            day: n.day,
            class: n.class,
            channel: n.channel,
            state: TicketState::Waiting,
            taken_at: n.taken_at,
            queued_at: n.taken_at,
            called_at: None,
            started_at: None,
            ended_at: None,
            window: None,
            recalls: 0,
            transferred_from: None,
            redirected_from: None,
            id_hash: n.id_hash,
            masked_name: n.masked_name,
        })
    }

    /// The displayed number ([`ticket_number`]).
    pub fn number(&self) -> String {
        ticket_number(self.prefix, self.seq)
    }

    /// The service the ticket was issued for (before any transfer), which owns its number.
    pub fn service_of_issue(&self) -> &str {
        self.transferred_from.as_deref().unwrap_or(&self.service)
    }

    /// Order within a queue: place in the queue, then day and sequence.
    fn queue_key(&self) -> (OffsetDateTime, Date, u32, char) {
        (self.queued_at, self.day, self.seq, self.prefix)
    }

    fn last_time(&self) -> OffsetDateTime {
        [self.called_at, self.started_at, self.ended_at]
            .into_iter()
            .flatten()
            .fold(self.taken_at.max(self.queued_at), OffsetDateTime::max)
    }

    /// Waiting time (等待: arrival → first call), when called.
    pub fn waiting_time(&self) -> Option<Duration> {
        self.called_at.map(|c| c - self.taken_at)
    }

    /// Walking time (走动: call → start of service).
    pub fn walking_time(&self) -> Option<Duration> {
        Some(self.started_at? - self.called_at?)
    }

    /// Service time (办理: start → end), for a finished ticket.
    pub fn service_time(&self) -> Option<Duration> {
        if self.state != TicketState::Finished {
            return None;
        }
        Some(self.ended_at? - self.started_at?)
    }

    /// Stay (停留: arrival → end).
    pub fn stay_time(&self) -> Option<Duration> {
        self.ended_at.map(|e| e - self.taken_at)
    }
}

/// Apply `action` at time `at` to `ticket`. Refuses a step that does not apply to the
/// ticket's state and a time before the ticket's last recorded time.
pub fn apply(
    ticket: &Ticket,
    action: TicketAction,
    at: OffsetDateTime,
) -> Result<Applied, QueueError> {
    use TicketState as S;
    let invalid = || QueueError::InvalidTransition {
        from: ticket.state,
        action: action.name(),
    };
    if at < ticket.last_time() && !matches!(action, TicketAction::Requeue { .. }) {
        return Err(QueueError::TimeWentBackwards);
    }
    let mut t = ticket.clone();
    let mut follow_up = None;
    match (&action, ticket.state) {
        (TicketAction::Call { window }, S::Waiting) => {
            t.state = S::Called;
            t.window = Some(*window);
            // Waiting time runs to the first call; a requeued ticket keeps it.
            t.called_at = Some(ticket.called_at.unwrap_or(at));
        }
        (TicketAction::Recall, S::Called) => t.recalls = t.recalls.saturating_add(1),
        (TicketAction::Start, S::Called) => {
            t.state = S::Serving;
            t.started_at = Some(at);
        }
        (TicketAction::Finish, S::Serving) => {
            t.state = S::Finished;
            t.ended_at = Some(at);
        }
        (
            TicketAction::FinishAndRedirect {
                service,
                prefix,
                seq,
            },
            S::Serving,
        ) => {
            if *service == ticket.service {
                return Err(QueueError::BadRedirect);
            }
            t.state = S::Finished;
            t.ended_at = Some(at);
            let mut next = Ticket::new(NewTicket {
                service: service.clone(),
                prefix: *prefix,
                seq: *seq,
                day: ticket.day,
                class: ticket.class,
                channel: TicketChannel::Redirect,
                taken_at: at,
                id_hash: ticket.id_hash.clone(),
                masked_name: ticket.masked_name.clone(),
            })?;
            next.redirected_from = Some(ticket.number());
            follow_up = Some(next);
        }
        (TicketAction::NoShow, S::Called) => {
            t.state = S::NoShow;
            t.ended_at = Some(at);
        }
        (TicketAction::Suspend, S::Called | S::Serving) => t.state = S::Suspended,
        (TicketAction::Requeue { queued_at }, S::Suspended | S::NoShow) => {
            if *queued_at < ticket.taken_at {
                return Err(QueueError::TimeWentBackwards);
            }
            t.state = S::Waiting;
            t.queued_at = *queued_at;
            t.window = None;
            t.started_at = None;
            t.ended_at = None;
        }
        (TicketAction::Transfer { service }, S::Waiting | S::Called | S::Serving) => {
            if *service == ticket.service {
                return Err(QueueError::SameService);
            }
            t.transferred_from = Some(ticket.service_of_issue().to_string());
            t.service = service.clone();
            t.state = S::Waiting;
            t.queued_at = ticket.taken_at;
            t.window = None;
            t.called_at = None;
            t.started_at = None;
            t.recalls = 0;
        }
        (TicketAction::Cancel, s) if s.is_live() => {
            t.state = S::Cancelled;
            t.ended_at = Some(at);
        }
        _ => return Err(invalid()),
    }
    Ok(Applied {
        ticket: t,
        follow_up,
    })
}

/// The queue time that puts a requeued ticket `places` places behind the head of its
/// service's waiting line (暂离/过号 "推迟N位"), or at `now` when fewer tickets wait.
pub fn requeue_time(
    waiting: &[Ticket],
    service: &str,
    places: usize,
    now: OffsetDateTime,
) -> OffsetDateTime {
    let mut line: Vec<&Ticket> = waiting
        .iter()
        .filter(|t| t.state == TicketState::Waiting && t.service == service)
        .collect();
    line.sort_by_key(|t| t.queue_key());
    match places.checked_sub(1).and_then(|i| line.get(i)) {
        Some(t) => (t.queued_at + Duration::nanoseconds(1)).min(now),
        None if places == 0 => line
            .first()
            .map(|t| t.queued_at - Duration::nanoseconds(1))
            .unwrap_or(now)
            .min(now),
        None => now,
    }
}

// ---------------------------------------------------------------------------------------
// Choosing the next ticket

/// Per-service counts the interleave policy needs: normal tickets called since the last
/// priority ticket. Keep one per hall and day; [`SelectionHistory::record`] every call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionHistory {
    /// Service code → normal tickets called since that service's last priority ticket.
    pub normals_since_priority: BTreeMap<String, u32>,
}

impl SelectionHistory {
    /// Record that `ticket` was called.
    pub fn record(&mut self, ticket: &Ticket) {
        let n = self
            .normals_since_priority
            .entry(ticket.service.clone())
            .or_insert(0);
        if ticket.class.is_priority() {
            *n = 0;
        } else {
            *n = n.saturating_add(1);
        }
    }

    /// Normal tickets of `service` called since its last priority ticket.
    pub fn normals_since_priority(&self, service: &str) -> u32 {
        self.normals_since_priority
            .get(service)
            .copied()
            .unwrap_or(0)
    }
}

/// Why a candidate was chosen; lower tiers go first across a window's services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    /// A class the 专责 window is dedicated to.
    Dedicated,
    /// A priority ticket the policy lets jump the queue.
    Jump,
    /// By (weighted) place in the queue.
    InTurn,
}

/// A per-service candidate: `tier` says why it was chosen, `effective` its
/// (possibly weighted) place in time.
struct Candidate {
    index: usize,
    tier: Tier,
    effective: OffsetDateTime,
}

fn earliest<'a>(items: impl Iterator<Item = (usize, &'a Ticket)>) -> Option<(usize, &'a Ticket)> {
    items.min_by_key(|(_, t)| t.queue_key())
}

fn pick_in_service(
    policy: OrderPolicy,
    line: &[(usize, &Ticket)],
    window: &Window,
    history: &SelectionHistory,
    service: &str,
) -> Option<Candidate> {
    let of = |(i, t): (usize, &Ticket), tier: Tier| Candidate {
        index: i,
        tier,
        effective: t.queued_at,
    };
    // A 专责 window calls its own classes first, whatever the policy.
    if let Some(c) = earliest(
        line.iter()
            .copied()
            .filter(|(_, t)| window.is_dedicated_to(t.class)),
    ) {
        return Some(of(c, Tier::Dedicated));
    }
    let normal = earliest(line.iter().copied().filter(|(_, t)| !t.class.is_priority()));
    let priority = earliest(line.iter().copied().filter(|(_, t)| t.class.is_priority()));
    match policy {
        OrderPolicy::StrictPriority => priority
            .map(|p| of(p, Tier::Jump))
            .or(normal.map(|n| of(n, Tier::InTurn))),
        OrderPolicy::Interleave {
            normal_per_priority,
        } => {
            let due = history.normals_since_priority(service) >= normal_per_priority;
            match (priority, normal) {
                (Some(p), _) if due => Some(of(p, Tier::Jump)),
                (_, Some(n)) => Some(of(n, Tier::InTurn)),
                (Some(p), None) => Some(of(p, Tier::InTurn)),
                (None, None) => None,
            }
        }
        OrderPolicy::WeightedWait {
            priority_bonus_minutes,
        } => {
            let bonus = Duration::minutes(i64::from(priority_bonus_minutes));
            line.iter()
                .map(|&(i, t)| {
                    let effective = if t.class.is_priority() {
                        t.queued_at - bonus
                    } else {
                        t.queued_at
                    };
                    (effective, t.queue_key(), i)
                })
                .min()
                .map(|(effective, _, index)| Candidate {
                    index,
                    tier: Tier::InTurn,
                    effective,
                })
        }
        OrderPolicy::DedicatedWindowOnly => normal
            .map(|n| of(n, Tier::InTurn))
            .or(priority.map(|p| of(p, Tier::InTurn))),
    }
}

/// The index in `waiting` of the ticket `window` should call next, or `None` when no
/// waiting ticket is for its services. Only tickets in state 等候中 for a service of the
/// window count.
///
/// Within each service the service's policy decides (a 专责 window first calls its own
/// priority classes). Across the window's services, a ticket of a class the window is
/// 专责 for goes first, then one the policy lets jump the queue because of its priority,
/// then the earliest (weighted) place in the queue. The choice is
/// work-conserving: whenever some ticket waits for the window, one is returned, so with a
/// finite arrival sequence and windows that keep calling every ticket is eventually called.
pub fn next_ticket(
    policies: &Policies,
    waiting: &[Ticket],
    window: &Window,
    history: &SelectionHistory,
) -> Option<usize> {
    let mut best: Option<Candidate> = None;
    for (k, service) in window.services.iter().enumerate() {
        if window.services[..k].contains(service) {
            continue;
        }
        let line: Vec<(usize, &Ticket)> = waiting
            .iter()
            .enumerate()
            .filter(|(_, t)| t.state == TicketState::Waiting && t.service == *service)
            .collect();
        let Some(c) = pick_in_service(
            policies.for_service(service),
            &line,
            window,
            history,
            service,
        ) else {
            continue;
        };
        let better = match &best {
            None => true,
            Some(b) => {
                let key = |c: &Candidate| (c.tier, c.effective, waiting[c.index].queue_key());
                key(&c) < key(b)
            }
        };
        if better {
            best = Some(c);
        }
    }
    best.map(|c| c.index)
}

/// Tickets ahead of `ticket` in its service's line by queue time (for the "即将到号"
/// notice, which is sent at [`NOTIFY_PLACES_AHEAD`]). An estimate: priority ordering may
/// still change it.
pub fn places_ahead(waiting: &[Ticket], ticket: &Ticket) -> usize {
    waiting
        .iter()
        .filter(|t| {
            t.state == TicketState::Waiting
                && t.service == ticket.service
                && t.queue_key() < ticket.queue_key()
        })
        .count()
}

/// Places ahead at which the "即将到号" notice is pushed.
pub const NOTIFY_PLACES_AHEAD: usize = 3;

// ---------------------------------------------------------------------------------------
// One ID, one ticket

/// How the one-ID-one-ticket rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OneTicketRule {
    /// Every ticket of the day except cancelled ones counts (the default).
    #[default]
    PerDay,
    /// Only a ticket still live (等候中、已呼叫、办理中、暂离) counts, so a citizen who was
    /// served may take another ticket later that day.
    LivePerDay,
}

/// Refuse a new ticket for `service` on `day` when the ID with hash `id_hash` already holds
/// one (黄牛 control). Checked at issue; the window checks the ID again at call.
pub fn check_one_per_id(
    existing: &[Ticket],
    id_hash: &str,
    service: &str,
    day: Date,
    rule: OneTicketRule,
) -> Result<(), QueueError> {
    let held = existing.iter().find(|t| {
        t.day == day
            && t.id_hash.as_deref() == Some(id_hash)
            && (t.service == service || t.service_of_issue() == service)
            && match rule {
                OneTicketRule::PerDay => t.state != TicketState::Cancelled,
                OneTicketRule::LivePerDay => t.state.is_live(),
            }
    });
    match held {
        Some(t) => Err(QueueError::DuplicateId { number: t.number() }),
        None => Ok(()),
    }
}

/// Normalise a typed 居民身份证号码 (trim, upper-case `x`) and check it: 18 characters, 17
/// digits and a GB 11643-1999 check digit (ISO 7064 MOD 11-2; `X` for 10), and a real birth
/// date in characters 7–14.
pub fn normalize_id_number(s: &str) -> Option<String> {
    let id: String = s.trim().to_ascii_uppercase();
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if b[17] != CHECK[(sum % 11) as usize] {
        return None;
    }
    birth_date_of(&id)?;
    Some(id)
}

/// Whether `s` is a valid 18-digit 居民身份证号码 ([`normalize_id_number`]).
pub fn valid_id_number(s: &str) -> bool {
    normalize_id_number(s).is_some()
}

fn birth_date_of(id: &str) -> Option<Date> {
    let year: i32 = id.get(6..10)?.parse().ok()?;
    let month: u8 = id.get(10..12)?.parse().ok()?;
    let day: u8 = id.get(12..14)?.parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// Birth date of a valid ID number.
pub fn birth_date(id: &str) -> Option<Date> {
    birth_date_of(&normalize_id_number(id)?)
}

/// Age in whole years on `today` of the holder of a valid ID number (for 老年人 priority,
/// e.g. 70岁以上等候优先).
pub fn age_on(id: &str, today: Date) -> Option<u32> {
    let b = birth_date(id)?;
    let mut age = today.year() - b.year();
    if (today.month() as u8, today.day()) < (b.month() as u8, b.day()) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

zh_enum! {
    /// Sex as encoded in the ID number (the 17th digit: odd for men).
    Sex {
        /// 男.
        Male => "男",
        /// 女.
        Female => "女",
    }
}

/// Sex of the holder of a valid ID number.
pub fn sex_of(id: &str) -> Option<Sex> {
    let id = normalize_id_number(id)?;
    let d = id.as_bytes()[16] - b'0';
    Some(if d % 2 == 1 { Sex::Male } else { Sex::Female })
}

/// The hash stored instead of the ID number (for the one-ID rule): hex SHA-256 of
/// `pepper`, a NUL byte and the normalised number. ID numbers are few and structured, so
/// `pepper` must be a secret of the installation (never stored beside the hashes);
/// without it the hash could be reversed by enumeration.
pub fn id_hash(pepper: &str, id_number: &str) -> Result<String, QueueError> {
    let id = normalize_id_number(id_number).ok_or(QueueError::InvalidIdNumber)?;
    let mut h = Sha256::new();
    h.update(pepper.as_bytes());
    h.update([0u8]);
    h.update(id.as_bytes());
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Mask a name for display: the first and last character stay, the others become "*"
/// (张三 → 张*, 张小三 → 张*三, 欧阳娜娜 → 欧**娜); a one-character name becomes "*".
pub fn mask_name(name: &str) -> String {
    let c: Vec<char> = name.trim().chars().collect();
    match c.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", c[0]),
        n => {
            let mut s = String::new();
            s.push(c[0]);
            s.extend(std::iter::repeat_n('*', n - 2));
            s.push(c[n - 1]);
            s
        }
    }
}

/// The masked form of address used by 无声叫号 screens: surname + "*" + 先生/女士 ("张*女士");
/// without a known sex, [`mask_name`].
pub fn masked_salutation(name: &str, sex: Option<Sex>) -> String {
    let first = name.trim().chars().next();
    match (first, sex) {
        (Some(f), Some(Sex::Male)) => format!("{f}*先生"),
        (Some(f), Some(Sex::Female)) => format!("{f}*女士"),
        _ => mask_name(name),
    }
}

// ---------------------------------------------------------------------------------------
// Appointments

/// Appointment rules of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentRules {
    /// How many working days ahead a slot may be booked (today counts as 0).
    pub max_working_days_ahead: u32,
    /// Daily slots (local times); the same on every working day.
    pub slots: Vec<SlotTemplate>,
    /// Minutes before the slot start from which check-in is accepted.
    pub checkin_early_minutes: u32,
    /// Minutes after the slot start until which check-in is accepted (later: take an
    /// ordinary ticket).
    pub checkin_late_minutes: u32,
}

impl Default for AppointmentRules {
    /// 3 working days ahead; hourly slots 09:00–12:00 and 14:00–17:00 of 5 each; check-in
    /// from 30 minutes before to 15 minutes after the start.
    fn default() -> Self {
        let slot = |h: u8, capacity| SlotTemplate {
            start: Time::from_hms(h, 0, 0).unwrap_or(Time::MIDNIGHT),
            end: Time::from_hms(h + 1, 0, 0).unwrap_or(Time::MIDNIGHT),
            capacity,
        };
        AppointmentRules {
            max_working_days_ahead: 3,
            slots: vec![
                slot(9, 5),
                slot(10, 5),
                slot(11, 5),
                slot(14, 5),
                slot(15, 5),
                slot(16, 5),
            ],
            checkin_early_minutes: 30,
            checkin_late_minutes: 15,
        }
    }
}

/// A daily slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotTemplate {
    /// Start (local time).
    pub start: Time,
    /// End (local time).
    pub end: Time,
    /// Appointments per slot.
    pub capacity: u32,
}

/// A bookable slot on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Day.
    #[serde(with = "gongkai_calendar::serde_date")]
    pub day: Date,
    /// Start.
    pub start: Time,
    /// End.
    pub end: Time,
    /// Places left.
    pub free: u32,
}

/// An appointment booked for a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Service code.
    pub service: String,
    /// Day.
    #[serde(with = "gongkai_calendar::serde_date")]
    pub day: Date,
    /// Slot start.
    pub start: Time,
    /// [`id_hash`] of the citizen.
    pub id_hash: String,
    /// Whether it was cancelled.
    #[serde(default)]
    pub cancelled: bool,
}

/// A refused booking or check-in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentError {
    /// Not a working day of the official calendar.
    #[error("{0}不是工作日，不能预约 (not a working day)")]
    NotWorkingDay(Date),
    /// In the past or too far ahead.
    #[error("只能预约今天起{max}个工作日内的时段 (outside the booking window)")]
    OutOfRange {
        /// The configured maximum.
        max: u32,
    },
    /// No such slot.
    #[error("没有该预约时段 (no such slot)")]
    NoSuchSlot,
    /// The slot has started.
    #[error("该时段已开始，不能预约 (slot already started)")]
    SlotPassed,
    /// Fully booked.
    #[error("该时段已约满 (slot full)")]
    SlotFull,
    /// One appointment per ID per service per day.
    #[error("同一证件当天已预约该业务 (one appointment per ID per service per day)")]
    DuplicateId,
    /// Check-in before the accepted time.
    #[error("尚未到签到时间 (too early to check in)")]
    TooEarly,
    /// Check-in after the accepted time.
    #[error("已过签到时间，请取普通号 (too late to check in)")]
    TooLate,
    /// The calendar lacks the year.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

fn working_days_ahead(
    cal: &Calendar,
    today: Date,
    day: Date,
    max: u32,
) -> Result<Option<u32>, CalendarError> {
    if day < today {
        return Ok(None);
    }
    let mut d = today;
    let mut n = 0;
    while d < day {
        d = d.next_day().ok_or(CalendarError::OutOfRange)?;
        if cal.is_working_day(d)? {
            n += 1;
            if n > max {
                return Ok(None);
            }
        }
    }
    Ok(Some(n))
}

/// The slots of `day` with their free places, for booking at local date `today` and local
/// time `now_time`. Refuses a non-working day or a day outside the booking window; slots
/// of today that have started are left out.
pub fn available_slots(
    cal: &Calendar,
    rules: &AppointmentRules,
    service: &str,
    booked: &[Appointment],
    today: Date,
    now_time: Time,
    day: Date,
) -> Result<Vec<Slot>, AppointmentError> {
    if !cal.is_working_day(day)? {
        return Err(AppointmentError::NotWorkingDay(day));
    }
    if working_days_ahead(cal, today, day, rules.max_working_days_ahead)?.is_none() {
        return Err(AppointmentError::OutOfRange {
            max: rules.max_working_days_ahead,
        });
    }
    Ok(rules
        .slots
        .iter()
        .filter(|s| day > today || s.start > now_time)
        .map(|s| {
            let taken = booked
                .iter()
                .filter(|a| {
                    !a.cancelled && a.service == service && a.day == day && a.start == s.start
                })
                .count();
            Slot {
                day,
                start: s.start,
                end: s.end,
                free: s
                    .capacity
                    .saturating_sub(u32::try_from(taken).unwrap_or(u32::MAX)),
            }
        })
        .collect())
}

/// Book `start` on `day` for the ID `id_hash`: checks the calendar, the booking window,
/// the slot, its capacity and one appointment per ID per service per day.
#[allow(clippy::too_many_arguments)]
pub fn book(
    cal: &Calendar,
    rules: &AppointmentRules,
    service: &str,
    booked: &[Appointment],
    today: Date,
    now_time: Time,
    day: Date,
    start: Time,
    id_hash: &str,
) -> Result<Appointment, AppointmentError> {
    if !rules.slots.iter().any(|s| s.start == start) {
        return Err(AppointmentError::NoSuchSlot);
    }
    let slots = available_slots(cal, rules, service, booked, today, now_time, day)?;
    let slot = slots
        .iter()
        .find(|s| s.start == start)
        .ok_or(AppointmentError::SlotPassed)?;
    if booked
        .iter()
        .any(|a| !a.cancelled && a.service == service && a.day == day && a.id_hash == id_hash)
    {
        return Err(AppointmentError::DuplicateId);
    }
    if slot.free == 0 {
        return Err(AppointmentError::SlotFull);
    }
    Ok(Appointment {
        service: service.to_string(),
        day,
        start,
        id_hash: id_hash.to_string(),
        cancelled: false,
    })
}

/// Check whether an appointment may be checked in on local date `today` at `now_time`
/// (then issue a ticket of class [`PriorityClass::Appointment`] by
/// [`TicketChannel::Appointment`]).
pub fn check_in(
    rules: &AppointmentRules,
    appointment: &Appointment,
    today: Date,
    now_time: Time,
) -> Result<(), AppointmentError> {
    let start = appointment.day.with_time(appointment.start);
    let now = today.with_time(now_time);
    if now < start - Duration::minutes(i64::from(rules.checkin_early_minutes)) {
        return Err(AppointmentError::TooEarly);
    }
    if appointment.cancelled
        || now > start + Duration::minutes(i64::from(rules.checkin_late_minutes))
    {
        return Err(AppointmentError::TooLate);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 好差评

zh_enum! {
    /// 好差评 level (国办发〔2019〕51号 five levels; the two lowest are 差评).
    Rating {
        /// 非常满意.
        VerySatisfied => "非常满意",
        /// 满意.
        Satisfied => "满意",
        /// 基本满意.
        FairlySatisfied => "基本满意",
        /// 不满意.
        Dissatisfied => "不满意",
        /// 非常不满意.
        VeryDissatisfied => "非常不满意",
    }
}

impl Rating {
    /// Whether this is a 差评 (不满意 or 非常不满意), which needs a reason and a rectification.
    pub fn is_negative(self) -> bool {
        matches!(self, Rating::Dissatisfied | Rating::VeryDissatisfied)
    }

    /// Stars as on the 评价器 (非常满意 5 … 非常不满意 1).
    pub fn stars(self) -> u8 {
        match self {
            Rating::VerySatisfied => 5,
            Rating::Satisfied => 4,
            Rating::FairlySatisfied => 3,
            Rating::Dissatisfied => 2,
            Rating::VeryDissatisfied => 1,
        }
    }
}

/// Working days within which a 差评 is to be rectified (a local rule; configurable).
pub const DEFAULT_RECTIFICATION_WORKING_DAYS: u32 = 15;

/// One evaluation of a served ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Ticket number.
    pub ticket: String,
    /// Service code.
    pub service: String,
    /// Window.
    pub window: Option<u32>,
    /// Day of the ticket.
    #[serde(with = "gongkai_calendar::serde_date")]
    pub day: Date,
    /// Level.
    pub rating: Rating,
    /// Reason (required for a 差评).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A refused evaluation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    /// Only a finished ticket can be rated.
    #[error("只能评价已办结的号 (only a finished ticket can be rated)")]
    NotFinished,
    /// A 差评 needs its reason.
    #[error("选择“{}”须填写原因 (a negative rating needs a reason)", .0.label_zh())]
    ReasonRequired(Rating),
    /// One evaluation per ticket.
    #[error("该号已评价 (already rated)")]
    AlreadyRated,
}

impl Evaluation {
    /// Rate a finished ticket; `existing` are the evaluations of its service and day.
    pub fn for_ticket(
        ticket: &Ticket,
        rating: Rating,
        reason: Option<&str>,
        existing: &[Evaluation],
    ) -> Result<Evaluation, RatingError> {
        if ticket.state != TicketState::Finished {
            return Err(RatingError::NotFinished);
        }
        let number = ticket.number();
        if existing
            .iter()
            .any(|e| e.ticket == number && e.day == ticket.day && e.service == ticket.service)
        {
            return Err(RatingError::AlreadyRated);
        }
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if rating.is_negative() && reason.is_none() {
            return Err(RatingError::ReasonRequired(rating));
        }
        Ok(Evaluation {
            ticket: number,
            service: ticket.service.clone(),
            window: ticket.window,
            day: ticket.day,
            rating,
            reason,
        })
    }
}

/// Last day to rectify a 差评 given on `rated_on`.
pub fn rectification_due(
    cal: &Calendar,
    rated_on: Date,
    working_days: u32,
) -> Result<Date, CalendarError> {
    cal.add_working_days(rated_on, working_days)
}

// ---------------------------------------------------------------------------------------
// Statistics

/// Median and 90th percentile (nearest rank) of some durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    /// How many values.
    pub count: usize,
    /// Median (nearest rank).
    pub median_s: i64,
    /// 90th percentile (nearest rank).
    pub p90_s: i64,
}

/// The `p`-th percentile of ascending `sorted` by nearest rank (the value at rank
/// ⌈p·n/100⌉, at least 1); `None` for no values.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (u64::from(p.min(100)) * n as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank.min(n) - 1).copied()
}

fn percentiles(mut v: Vec<i64>) -> Option<Percentiles> {
    v.sort_unstable();
    Some(Percentiles {
        count: v.len(),
        median_s: nearest_rank(&v, 50)?,
        p90_s: nearest_rank(&v, 90)?,
    })
}

/// Statistics of a set of tickets (a service, a window or a day).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Tickets issued.
    pub issued: u32,
    /// Tickets served (已办结).
    pub served: u32,
    /// 过号.
    pub no_shows: u32,
    /// 已取消.
    pub cancelled: u32,
    /// Waiting time (arrival → first call) of called tickets.
    pub waiting: Option<Percentiles>,
    /// Service time (start → end) of served tickets.
    pub service: Option<Percentiles>,
    /// Ratings per level.
    pub ratings: BTreeMap<Rating, u32>,
}

impl Summary {
    /// Share of ratings that are not 差评, in per cent; `None` without ratings.
    pub fn satisfaction_percent(&self) -> Option<f64> {
        let total: u32 = self.ratings.values().sum();
        let good: u32 = self
            .ratings
            .iter()
            .filter(|(r, _)| !r.is_negative())
            .map(|(_, n)| n)
            .sum();
        (total > 0).then(|| f64::from(good) * 100.0 / f64::from(total))
    }
}

/// Summarise tickets and their evaluations. Negative durations (inconsistent clocks) are
/// left out.
pub fn summarize<'a>(
    tickets: impl IntoIterator<Item = &'a Ticket>,
    evaluations: impl IntoIterator<Item = &'a Evaluation>,
) -> Summary {
    let mut s = Summary::default();
    let mut waiting = Vec::new();
    let mut service = Vec::new();
    for t in tickets {
        s.issued += 1;
        match t.state {
            TicketState::Finished => s.served += 1,
            TicketState::NoShow => s.no_shows += 1,
            TicketState::Cancelled => s.cancelled += 1,
            _ => {}
        }
        if let Some(w) = t
            .waiting_time()
            .map(|d| d.whole_seconds())
            .filter(|d| *d >= 0)
        {
            waiting.push(w);
        }
        if let Some(d) = t
            .service_time()
            .map(|d| d.whole_seconds())
            .filter(|d| *d >= 0)
        {
            service.push(d);
        }
    }
    for e in evaluations {
        *s.ratings.entry(e.rating).or_insert(0) += 1;
    }
    s.waiting = percentiles(waiting);
    s.service = percentiles(service);
    s
}

/// How [`summarize_by`] groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Per service code.
    Service,
    /// Per window number (tickets never called are left out).
    Window,
    /// Per day (`YYYY-MM-DD`).
    Day,
}

/// [`summarize`] per service, window or day, keyed by the service code, the window number
/// or the date as text.
pub fn summarize_by(
    tickets: &[Ticket],
    evaluations: &[Evaluation],
    by: GroupBy,
) -> BTreeMap<String, Summary> {
    let tkey = |t: &Ticket| match by {
        GroupBy::Service => Some(t.service.clone()),
        GroupBy::Window => t.window.map(|w| w.to_string()),
        GroupBy::Day => Some(gongkai_calendar::format_date(t.day)),
    };
    let ekey = |e: &Evaluation| match by {
        GroupBy::Service => Some(e.service.clone()),
        GroupBy::Window => e.window.map(|w| w.to_string()),
        GroupBy::Day => Some(gongkai_calendar::format_date(e.day)),
    };
    let mut keys: Vec<String> = tickets.iter().filter_map(tkey).collect();
    keys.extend(evaluations.iter().filter_map(ekey));
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let s = summarize(
                tickets.iter().filter(|t| tkey(t).as_deref() == Some(&k)),
                evaluations
                    .iter()
                    .filter(|e| ekey(e).as_deref() == Some(&k)),
            );
            (k, s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime, time};

    const DAY: Date = date!(2025 - 03 - 03);
    const T0: OffsetDateTime = datetime!(2025-03-03 9:00 +8);

    fn mk(service: &str, class: PriorityClass, seq: u32, minute: i64) -> Ticket {
        Ticket::new(NewTicket {
            service: service.into(),
            prefix: 'A',
            seq,
            day: DAY,
            class,
            channel: TicketChannel::Kiosk,
            taken_at: T0 + Duration::minutes(minute),
            id_hash: None,
            masked_name: None,
        })
        .unwrap()
    }

    fn win(number: u32, services: &[&str], dedicated_for: &[PriorityClass]) -> Window {
        Window {
            number,
            services: services.iter().map(|s| s.to_string()).collect(),
            dedicated_for: dedicated_for.to_vec(),
        }
    }

    fn at(minute: i64) -> OffsetDateTime {
        T0 + Duration::minutes(minute)
    }

    use PriorityClass::{Appointment as Appt, Elderly, Military, Normal};

    #[test]
    fn numbers_and_announcements() {
        assert_eq!(ticket_number('A', 12), "A012");
        assert_eq!(ticket_number('B', 1000), "B1000");
        assert_eq!(parse_ticket_number(" A012 "), Some(('A', 12)));
        assert_eq!(parse_ticket_number("B1000"), Some(('B', 1000)));
        for bad in ["a012", "A12", "A000", "AA12", "", "A01x"] {
            assert_eq!(parse_ticket_number(bad), None, "{bad}");
        }
        assert_eq!(announcement("A012", 3), "请A012号到3号窗口办理");
        assert_eq!(
            silent_announcement("A012", "张*女士", 3),
            "请A012号张*女士到3号窗口办理"
        );
        let mut n = NewTicket {
            service: "S".into(),
            prefix: 'a',
            seq: 1,
            day: DAY,
            class: Normal,
            channel: TicketChannel::Kiosk,
            taken_at: T0,
            id_hash: None,
            masked_name: None,
        };
        assert_eq!(Ticket::new(n.clone()), Err(QueueError::BadPrefix('a')));
        n.prefix = 'A';
        n.seq = 0;
        assert_eq!(Ticket::new(n), Err(QueueError::BadSequence));
        let ts = vec![
            mk("S", Normal, 1, 0),
            mk("S", Normal, 2, 1),
            mk("T", Normal, 7, 1),
        ];
        assert_eq!(next_sequence(&ts, "S", DAY), 3);
        assert_eq!(next_sequence(&ts, "S", date!(2025 - 03 - 04)), 1);
        assert_eq!(next_sequence(&ts, "U", DAY), 1);
    }

    #[test]
    fn labels_and_json() {
        assert_eq!(PriorityClass::parse("老年人"), Some(Elderly));
        assert_eq!(TicketState::Waiting.label_zh(), "等候中");
        let v = serde_json::to_value(OrderPolicy::Interleave {
            normal_per_priority: 2,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "interleave", "normal_per_priority": 2})
        );
        let t = mk("S", Elderly, 5, 3);
        let j = serde_json::to_value(&t).unwrap();
        assert_eq!(j["class"], "老年人");
        assert_eq!(j["state"], "等候中");
        assert_eq!(j["taken_at"], "2025-03-03T09:03:00+08:00");
        assert_eq!(j["day"], "2025-03-03");
        let back: Ticket = serde_json::from_value(j).unwrap();
        assert_eq!(back, t);
        assert_eq!(
            OrderPolicy::Interleave {
                normal_per_priority: 3
            }
            .describe_zh(),
            "每办理3个普通号办理1个优先号"
        );
        assert_eq!(OrderPolicy::default(), OrderPolicy::StrictPriority);
    }

    #[test]
    fn happy_path_and_times() {
        let t = mk("S", Normal, 1, 0);
        let t = apply(&t, TicketAction::Call { window: 3 }, at(10))
            .unwrap()
            .ticket;
        assert_eq!((t.state, t.window), (TicketState::Called, Some(3)));
        let t = apply(&t, TicketAction::Recall, at(11)).unwrap().ticket;
        assert_eq!(t.recalls, 1);
        let t = apply(&t, TicketAction::Start, at(12)).unwrap().ticket;
        let t = apply(&t, TicketAction::Finish, at(20)).unwrap().ticket;
        assert_eq!(t.state, TicketState::Finished);
        assert_eq!(t.waiting_time(), Some(Duration::minutes(10)));
        assert_eq!(t.walking_time(), Some(Duration::minutes(2)));
        assert_eq!(t.service_time(), Some(Duration::minutes(8)));
        assert_eq!(t.stay_time(), Some(Duration::minutes(20)));
        // Nothing more may happen to it.
        for a in [
            TicketAction::Call { window: 1 },
            TicketAction::Finish,
            TicketAction::Cancel,
            TicketAction::Transfer {
                service: "T".into(),
            },
        ] {
            assert!(matches!(
                apply(&t, a, at(30)),
                Err(QueueError::InvalidTransition {
                    from: TicketState::Finished,
                    ..
                })
            ));
        }
    }

    #[test]
    fn invalid_steps_and_time() {
        let t = mk("S", Normal, 1, 5);
        let e = apply(&t, TicketAction::Start, at(6)).unwrap_err();
        assert_eq!(
            e,
            QueueError::InvalidTransition {
                from: TicketState::Waiting,
                action: "start"
            }
        );
        assert!(
            e.to_string().starts_with("“等候中”状态的号不能“开始办理”"),
            "{e}"
        );
        assert_eq!(
            apply(&t, TicketAction::Call { window: 1 }, at(4)),
            Err(QueueError::TimeWentBackwards)
        );
        assert!(apply(&t, TicketAction::Recall, at(6)).is_err());
        assert!(apply(&t, TicketAction::NoShow, at(6)).is_err());
        let c = apply(&t, TicketAction::Cancel, at(6)).unwrap().ticket;
        assert_eq!(c.state, TicketState::Cancelled);
    }

    #[test]
    fn no_show_suspend_and_requeue() {
        let t = mk("S", Normal, 1, 0);
        let called = apply(&t, TicketAction::Call { window: 2 }, at(5))
            .unwrap()
            .ticket;
        let gone = apply(&called, TicketAction::NoShow, at(7)).unwrap().ticket;
        assert_eq!(gone.state, TicketState::NoShow);
        let back = apply(&gone, TicketAction::Requeue { queued_at: at(9) }, at(9))
            .unwrap()
            .ticket;
        assert_eq!(
            (back.state, back.queued_at, back.window),
            (TicketState::Waiting, at(9), None)
        );
        assert_eq!(back.ended_at, None);
        // The waiting time still runs to the first call.
        let again = apply(&back, TicketAction::Call { window: 1 }, at(15))
            .unwrap()
            .ticket;
        assert_eq!(again.called_at, Some(at(5)));
        let serving = apply(&again, TicketAction::Start, at(16)).unwrap().ticket;
        let away = apply(&serving, TicketAction::Suspend, at(17))
            .unwrap()
            .ticket;
        assert_eq!(away.state, TicketState::Suspended);
        assert!(apply(&away, TicketAction::Start, at(18)).is_err());
        assert_eq!(
            apply(&away, TicketAction::Requeue { queued_at: at(-1) }, at(18)),
            Err(QueueError::TimeWentBackwards)
        );
        let w = apply(&away, TicketAction::Requeue { queued_at: at(18) }, at(18))
            .unwrap()
            .ticket;
        assert_eq!((w.state, w.started_at), (TicketState::Waiting, None));
    }

    #[test]
    fn transfer_keeps_number_and_taken_time() {
        let t = mk("S", Elderly, 4, 0);
        let called = apply(&t, TicketAction::Call { window: 2 }, at(30))
            .unwrap()
            .ticket;
        assert_eq!(
            apply(
                &called,
                TicketAction::Transfer {
                    service: "S".into()
                },
                at(31)
            ),
            Err(QueueError::SameService)
        );
        let moved = apply(
            &called,
            TicketAction::Transfer {
                service: "T".into(),
            },
            at(31),
        )
        .unwrap()
        .ticket;
        assert_eq!(moved.service, "T");
        assert_eq!(moved.number(), "A004");
        assert_eq!((moved.taken_at, moved.queued_at), (at(0), at(0)));
        assert_eq!(moved.state, TicketState::Waiting);
        assert_eq!(moved.transferred_from.as_deref(), Some("S"));
        assert_eq!(moved.called_at, None);
        // It goes before a T ticket taken later, and still owns its S number.
        let later = mk("T", Elderly, 1, 10);
        let waiting = vec![later, moved.clone()];
        let w = win(1, &["T"], &[]);
        assert_eq!(
            next_ticket(
                &OrderPolicy::StrictPriority.into(),
                &waiting,
                &w,
                &Default::default()
            ),
            Some(1)
        );
        assert_eq!(next_sequence(&waiting, "S", DAY), 5);
        // A second transfer still remembers the service of issue.
        let twice = apply(
            &moved,
            TicketAction::Transfer {
                service: "U".into(),
            },
            at(32),
        )
        .unwrap()
        .ticket;
        assert_eq!(twice.transferred_from.as_deref(), Some("S"));
    }

    #[test]
    fn finish_and_redirect_issues_follow_up() {
        let mut t = mk("S", Military, 3, 0);
        t.id_hash = Some("h".into());
        t = apply(&t, TicketAction::Call { window: 1 }, at(1))
            .unwrap()
            .ticket;
        t = apply(&t, TicketAction::Start, at(2)).unwrap().ticket;
        let redirect = |service: &str| TicketAction::FinishAndRedirect {
            service: service.into(),
            prefix: 'B',
            seq: 9,
        };
        assert_eq!(
            apply(&t, redirect("S"), at(5)),
            Err(QueueError::BadRedirect)
        );
        let a = apply(&t, redirect("T"), at(5)).unwrap();
        assert_eq!(a.ticket.state, TicketState::Finished);
        let f = a.follow_up.unwrap();
        assert_eq!((f.number(), f.service.as_str()), ("B009".to_string(), "T"));
        assert_eq!((f.class, f.channel), (Military, TicketChannel::Redirect));
        assert_eq!(f.redirected_from.as_deref(), Some("A003"));
        assert_eq!((f.taken_at, f.state), (at(5), TicketState::Waiting));
        assert_eq!(f.id_hash.as_deref(), Some("h"));
        assert!(apply(&mk("S", Normal, 1, 0), redirect("T"), at(1)).is_err());
    }

    #[test]
    fn strict_priority_and_fifo() {
        let waiting = vec![
            mk("S", Normal, 1, 0),
            mk("S", Military, 2, 5),
            mk("S", Elderly, 3, 3),
        ];
        let w = win(1, &["S"], &[]);
        let p: Policies = OrderPolicy::StrictPriority.into();
        assert_eq!(next_ticket(&p, &waiting, &w, &Default::default()), Some(2));
        assert_eq!(
            next_ticket(&p, &waiting[..1], &w, &Default::default()),
            Some(0)
        );
        assert_eq!(
            next_ticket(&p, &waiting, &win(2, &["T"], &[]), &Default::default()),
            None
        );
        assert_eq!(next_ticket(&p, &[], &w, &Default::default()), None);
    }

    #[test]
    fn interleave_counts_normals() {
        let p: Policies = OrderPolicy::Interleave {
            normal_per_priority: 2,
        }
        .into();
        let mut waiting: Vec<Ticket> = (1..=6).map(|i| mk("S", Normal, i, i64::from(i))).collect();
        waiting.extend((7..=9).map(|i| mk("S", Elderly, i, i64::from(i))));
        let w = win(1, &["S"], &[]);
        let mut h = SelectionHistory::default();
        let mut order = Vec::new();
        while let Some(i) = next_ticket(&p, &waiting, &w, &h) {
            let t = waiting.remove(i);
            h.record(&t);
            order.push(t.seq);
        }
        // No priority at the start: two normals first, then one priority per two normals,
        // and the rest once one kind runs out.
        assert_eq!(order, vec![1, 2, 7, 3, 4, 8, 5, 6, 9]);
        assert_eq!(h.normals_since_priority("S"), 0);
    }

    #[test]
    fn weighted_wait_adds_virtual_minutes() {
        let p: Policies = OrderPolicy::WeightedWait {
            priority_bonus_minutes: 10,
        }
        .into();
        let w = win(1, &["S"], &[]);
        let h = SelectionHistory::default();
        let waiting = vec![mk("S", Normal, 1, 0), mk("S", Elderly, 2, 15)];
        assert_eq!(next_ticket(&p, &waiting, &w, &h), Some(0));
        let waiting = vec![mk("S", Normal, 1, 0), mk("S", Elderly, 2, 9)];
        assert_eq!(next_ticket(&p, &waiting, &w, &h), Some(1));
    }

    #[test]
    fn dedicated_windows() {
        let waiting = vec![
            mk("S", Normal, 1, 0),
            mk("S", Military, 2, 1),
            mk("S", Elderly, 3, 2),
        ];
        let h = SelectionHistory::default();
        let p: Policies = OrderPolicy::DedicatedWindowOnly.into();
        let elderly_window = win(9, &["S"], &[Elderly]);
        let ordinary = win(1, &["S"], &[]);
        // The 专责 window calls its own class first; an ordinary window calls normals first.
        assert_eq!(next_ticket(&p, &waiting, &elderly_window, &h), Some(2));
        assert_eq!(next_ticket(&p, &waiting, &ordinary, &h), Some(0));
        // With no normal ticket left, an ordinary window still calls priority tickets.
        assert_eq!(next_ticket(&p, &waiting[1..], &ordinary, &h), Some(0));
        // Under strict priority the 专责 window still prefers its own class.
        let strict: Policies = OrderPolicy::StrictPriority.into();
        assert_eq!(next_ticket(&strict, &waiting, &elderly_window, &h), Some(2));
        assert_eq!(next_ticket(&strict, &waiting, &ordinary, &h), Some(1));
    }

    #[test]
    fn across_services() {
        let mut p = Policies::from(OrderPolicy::StrictPriority);
        p.by_service
            .insert("T".into(), OrderPolicy::DedicatedWindowOnly);
        assert_eq!(p.for_service("T"), OrderPolicy::DedicatedWindowOnly);
        let w = win(1, &["S", "T", "S"], &[]);
        let h = SelectionHistory::default();
        // S's priority ticket jumps T's earlier normal one.
        let waiting = vec![
            mk("T", Normal, 1, 0),
            mk("S", Normal, 1, 1),
            mk("S", Appt, 2, 5),
        ];
        assert_eq!(next_ticket(&p, &waiting, &w, &h), Some(2));
        // Otherwise the earliest ticket wins.
        assert_eq!(next_ticket(&p, &waiting[..2], &w, &h), Some(0));
        // Non-waiting tickets are ignored.
        let mut w2 = waiting.clone();
        w2[2].state = TicketState::Suspended;
        assert_eq!(next_ticket(&p, &w2, &w, &h), Some(0));
    }

    #[test]
    fn requeue_positions() {
        let waiting = vec![
            mk("S", Normal, 1, 0),
            mk("S", Normal, 2, 1),
            mk("S", Normal, 3, 2),
        ];
        let now = at(30);
        assert_eq!(
            requeue_time(&waiting, "S", 2, now),
            at(1) + Duration::nanoseconds(1)
        );
        assert_eq!(
            requeue_time(&waiting, "S", 0, now),
            at(0) - Duration::nanoseconds(1)
        );
        assert_eq!(requeue_time(&waiting, "S", 5, now), now);
        assert_eq!(requeue_time(&waiting, "T", 1, now), now);
        let mut t = mk("S", Normal, 9, 3);
        t.queued_at = requeue_time(&waiting, "S", 2, now);
        let mut all = waiting.clone();
        all.push(t.clone());
        assert_eq!(places_ahead(&all, &t), 2);
    }

    #[test]
    fn one_ticket_per_id() {
        let mut a = mk("S", Normal, 1, 0);
        a.id_hash = Some("h1".into());
        let check = |t: &Ticket, id: &str, service: &str, day: Date, rule: OneTicketRule| {
            check_one_per_id(std::slice::from_ref(t), id, service, day, rule)
        };
        assert_eq!(
            check(&a, "h1", "S", DAY, OneTicketRule::PerDay),
            Err(QueueError::DuplicateId {
                number: "A001".into()
            })
        );
        assert!(check(&a, "h2", "S", DAY, OneTicketRule::PerDay).is_ok());
        assert!(check(&a, "h1", "T", DAY, OneTicketRule::PerDay).is_ok());
        assert!(check(&a, "h1", "S", date!(2025 - 03 - 04), OneTicketRule::PerDay).is_ok());
        a.state = TicketState::Finished;
        assert!(check(&a, "h1", "S", DAY, OneTicketRule::PerDay).is_err());
        assert!(check(&a, "h1", "S", DAY, OneTicketRule::LivePerDay).is_ok());
        a.state = TicketState::Cancelled;
        assert!(check(&a, "h1", "S", DAY, OneTicketRule::PerDay).is_ok());
    }

    #[test]
    fn id_numbers() {
        // The GB 11643-1999 examples.
        assert!(valid_id_number("11010519491231002X"));
        assert!(valid_id_number("11010519491231002x"));
        assert!(valid_id_number("440524188001010014"));
        for bad in [
            "110105194912310021",
            "11010519491231002",
            "1101051949123100211",
            "11010519491331002X",
            "11010519490230002X",
            "1101051949123100X2",
            "",
            "１１０１０５１９４９１２３１００２X",
        ] {
            assert!(!valid_id_number(bad), "{bad}");
        }
        assert_eq!(
            birth_date("11010519491231002X"),
            Some(date!(1949 - 12 - 31))
        );
        assert_eq!(
            age_on("11010519491231002X", date!(2025 - 12 - 30)),
            Some(75)
        );
        assert_eq!(
            age_on("11010519491231002X", date!(2025 - 12 - 31)),
            Some(76)
        );
        assert_eq!(sex_of("11010519491231002X"), Some(Sex::Female));
        assert_eq!(sex_of("440524188001010014"), Some(Sex::Male));
        let h = id_hash("pepper", "11010519491231002x").unwrap();
        assert_eq!(h.len(), 64);
        assert_eq!(h, id_hash("pepper", " 11010519491231002X").unwrap());
        assert_ne!(h, id_hash("other", "11010519491231002X").unwrap());
        assert_eq!(id_hash("pepper", "123"), Err(QueueError::InvalidIdNumber));
    }

    #[test]
    fn names() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张小三"), "张*三");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(" "), "");
        assert_eq!(masked_salutation("张小红", Some(Sex::Female)), "张*女士");
        assert_eq!(masked_salutation("李四", Some(Sex::Male)), "李*先生");
        assert_eq!(masked_salutation("李小四", None), "李*四");
    }

    #[test]
    fn appointments() {
        let cal = Calendar::builtin();
        let rules = AppointmentRules::default();
        // Friday 2025-04-03 → next working days: 04-07 (Mon; 04-04 清明节 holiday).
        let today = date!(2025 - 04 - 03);
        let noon = time!(12:30);
        let slots = available_slots(&cal, &rules, "S", &[], today, noon, today).unwrap();
        assert_eq!(
            slots.iter().map(|s| s.start.hour()).collect::<Vec<_>>(),
            vec![14, 15, 16]
        );
        assert!(matches!(
            available_slots(&cal, &rules, "S", &[], today, noon, date!(2025 - 04 - 04)),
            Err(AppointmentError::NotWorkingDay(_))
        ));
        assert!(matches!(
            available_slots(&cal, &rules, "S", &[], today, noon, date!(2025 - 04 - 05)),
            Err(AppointmentError::NotWorkingDay(_))
        ));
        // 3 working days ahead: 04-07, 04-08, 04-09; 04-10 is too far.
        assert!(
            available_slots(&cal, &rules, "S", &[], today, noon, date!(2025 - 04 - 09)).is_ok()
        );
        assert_eq!(
            available_slots(&cal, &rules, "S", &[], today, noon, date!(2025 - 04 - 10)),
            Err(AppointmentError::OutOfRange { max: 3 })
        );
        assert_eq!(
            available_slots(&cal, &rules, "S", &[], today, noon, date!(2025 - 04 - 02)),
            Err(AppointmentError::OutOfRange { max: 3 })
        );
        let day = date!(2025 - 04 - 07);
        let nine = time!(9:00);
        let mut booked = Vec::new();
        for i in 0..5 {
            let a = book(
                &cal,
                &rules,
                "S",
                &booked,
                today,
                noon,
                day,
                nine,
                &format!("h{i}"),
            )
            .unwrap();
            booked.push(a);
        }
        assert_eq!(
            book(&cal, &rules, "S", &booked, today, noon, day, nine, "h9"),
            Err(AppointmentError::SlotFull)
        );
        assert_eq!(
            book(
                &cal,
                &rules,
                "S",
                &booked,
                today,
                noon,
                day,
                time!(10:00),
                "h0"
            ),
            Err(AppointmentError::DuplicateId)
        );
        assert!(book(&cal, &rules, "T", &booked, today, noon, day, nine, "h0").is_ok());
        assert_eq!(
            book(
                &cal,
                &rules,
                "S",
                &booked,
                today,
                noon,
                day,
                time!(9:30),
                "h9"
            ),
            Err(AppointmentError::NoSuchSlot)
        );
        assert_eq!(
            book(&cal, &rules, "S", &booked, today, noon, today, nine, "h9"),
            Err(AppointmentError::SlotPassed)
        );
        booked[0].cancelled = true;
        assert!(book(&cal, &rules, "S", &booked, today, noon, day, nine, "h9").is_ok());
        let free = available_slots(&cal, &rules, "S", &booked, today, noon, day).unwrap();
        assert_eq!(free[0].free, 1);
        // Check-in from 30 minutes before to 15 minutes after the start.
        let a = &booked[1];
        assert_eq!(
            check_in(&rules, a, day, time!(8:29)),
            Err(AppointmentError::TooEarly)
        );
        assert_eq!(check_in(&rules, a, day, time!(8:30)), Ok(()));
        assert_eq!(check_in(&rules, a, day, time!(9:15)), Ok(()));
        assert_eq!(
            check_in(&rules, a, day, time!(9:16)),
            Err(AppointmentError::TooLate)
        );
        assert_eq!(
            check_in(&rules, &booked[0], day, time!(9:00)),
            Err(AppointmentError::TooLate)
        );
        let empty = Calendar::empty();
        assert!(matches!(
            available_slots(&empty, &rules, "S", &[], today, noon, day),
            Err(AppointmentError::Calendar(_))
        ));
    }

    fn finished(service: &str, seq: u32, wait: i64, serve: i64, window: u32) -> Ticket {
        let t = mk(service, Normal, seq, 0);
        let t = apply(&t, TicketAction::Call { window }, at(wait))
            .unwrap()
            .ticket;
        let t = apply(&t, TicketAction::Start, at(wait)).unwrap().ticket;
        apply(&t, TicketAction::Finish, at(wait + serve))
            .unwrap()
            .ticket
    }

    #[test]
    fn ratings() {
        let t = finished("S", 1, 5, 5, 2);
        assert_eq!(
            Evaluation::for_ticket(&t, Rating::Dissatisfied, Some("  "), &[]),
            Err(RatingError::ReasonRequired(Rating::Dissatisfied))
        );
        let e =
            Evaluation::for_ticket(&t, Rating::VeryDissatisfied, Some("等候太久"), &[]).unwrap();
        assert_eq!((e.ticket.as_str(), e.window), ("A001", Some(2)));
        assert_eq!(
            Evaluation::for_ticket(&t, Rating::Satisfied, None, &[e]),
            Err(RatingError::AlreadyRated)
        );
        assert!(Evaluation::for_ticket(&t, Rating::FairlySatisfied, None, &[]).is_ok());
        assert_eq!(
            Evaluation::for_ticket(&mk("S", Normal, 2, 0), Rating::Satisfied, None, &[]),
            Err(RatingError::NotFinished)
        );
        assert_eq!(
            Rating::ALL.iter().map(|r| r.label_zh()).collect::<Vec<_>>(),
            vec!["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
        );
        assert_eq!(Rating::VerySatisfied.stars(), 5);
        let cal = Calendar::builtin();
        assert_eq!(
            rectification_due(
                &cal,
                date!(2025 - 03 - 03),
                DEFAULT_RECTIFICATION_WORKING_DAYS
            ),
            Ok(date!(2025 - 03 - 24))
        );
    }

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&v, 91), Some(10));
        assert_eq!(nearest_rank(&v, 0), Some(1));
        assert_eq!(nearest_rank(&v, 100), Some(10));
        assert_eq!(nearest_rank(&[1, 2], 50), Some(1));
    }

    #[test]
    fn statistics() {
        let mut tickets: Vec<Ticket> = (1..=10)
            .map(|i| finished("S", i, i64::from(i), 2, 1))
            .collect();
        tickets.push(finished("T", 1, 30, 10, 2));
        let called = apply(
            &mk("S", Normal, 11, 0),
            TicketAction::Call { window: 1 },
            at(3),
        )
        .unwrap()
        .ticket;
        tickets.push(apply(&called, TicketAction::NoShow, at(5)).unwrap().ticket);
        tickets.push(mk("S", Normal, 12, 0));
        let evals = vec![
            Evaluation::for_ticket(&tickets[0], Rating::VerySatisfied, None, &[]).unwrap(),
            Evaluation::for_ticket(&tickets[1], Rating::VerySatisfied, None, &[]).unwrap(),
            Evaluation::for_ticket(&tickets[2], Rating::Dissatisfied, Some("态度差"), &[]).unwrap(),
            Evaluation::for_ticket(&tickets[10], Rating::Satisfied, None, &[]).unwrap(),
        ];
        let s = summarize(&tickets, &evals);
        assert_eq!(
            (s.issued, s.served, s.no_shows, s.cancelled),
            (13, 11, 1, 0)
        );
        // Waits: 1..=10 min, 30 min and the no-show's 3 min.
        let w = s.waiting.unwrap();
        assert_eq!((w.count, w.median_s, w.p90_s), (12, 300, 600));
        let sv = s.service.unwrap();
        assert_eq!((sv.count, sv.median_s, sv.p90_s), (11, 120, 120));
        assert_eq!(s.ratings[&Rating::VerySatisfied], 2);
        assert_eq!(s.satisfaction_percent(), Some(75.0));
        let j = serde_json::to_value(&s).unwrap();
        assert_eq!(j["ratings"]["非常满意"], 2);

        let by = summarize_by(&tickets, &evals, GroupBy::Service);
        assert_eq!(by.keys().collect::<Vec<_>>(), vec!["S", "T"]);
        assert_eq!(by["T"].service.unwrap().median_s, 600);
        assert_eq!(by["T"].ratings[&Rating::Satisfied], 1);
        let by = summarize_by(&tickets, &evals, GroupBy::Window);
        assert_eq!(by["1"].issued, 11);
        let by = summarize_by(&tickets, &evals, GroupBy::Day);
        assert_eq!(by["2025-03-03"].issued, 13);
        assert_eq!(summarize(&[], &[]).waiting, None);
    }

    // ------------------------------------------------------------------------------------
    // Properties of the ordering policies

    const SERVICES: [&str; 3] = ["S0", "S1", "S2"];

    fn policy_strategy() -> impl Strategy<Value = OrderPolicy> {
        prop_oneof![
            Just(OrderPolicy::StrictPriority),
            (0u32..4).prop_map(|n| OrderPolicy::Interleave {
                normal_per_priority: n
            }),
            (0u32..30).prop_map(|m| OrderPolicy::WeightedWait {
                priority_bonus_minutes: m
            }),
            Just(OrderPolicy::DedicatedWindowOnly),
        ]
    }

    fn class_strategy() -> impl Strategy<Value = PriorityClass> {
        prop_oneof![
            3 => Just(Normal),
            1 => Just(Elderly),
            1 => Just(PriorityClass::Disabled),
            1 => Just(Military),
            1 => Just(Appt),
        ]
    }

    /// (service index, class, arrival step)
    type Arrival = (usize, PriorityClass, u32);

    fn arrivals_strategy() -> impl Strategy<Value = Vec<Arrival>> {
        prop::collection::vec((0usize..3, class_strategy(), 0u32..20), 0..60)
    }

    /// (service mask, dedicated classes)
    fn windows_strategy() -> impl Strategy<Value = Vec<(u8, Vec<PriorityClass>)>> {
        prop::collection::vec(
            (
                1u8..8,
                prop_oneof![
                    3 => Just(vec![]),
                    1 => Just(vec![Elderly]),
                    1 => prop::collection::vec(class_strategy(), 1..3),
                ],
            ),
            1..4,
        )
    }

    struct Pick {
        window: Window,
        eligible: Vec<Ticket>,
        picked: Ticket,
        normals_before: u32,
    }

    /// Run a hall: arrivals come at their step, then every window calls once per step
    /// (finishing the ticket at once) until nothing waits. Returns the picks and whether
    /// everything was served within the bound.
    fn simulate(
        policies: &Policies,
        arrivals: &[Arrival],
        windows: &[(u8, Vec<PriorityClass>)],
    ) -> Result<(Vec<Pick>, usize), TestCaseError> {
        let mut windows: Vec<Window> = windows
            .iter()
            .enumerate()
            .map(|(i, (mask, ded))| Window {
                number: i as u32 + 1,
                services: SERVICES
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| mask & (1 << k) != 0)
                    .map(|(_, s)| s.to_string())
                    .collect(),
                dedicated_for: ded.clone(),
            })
            .collect();
        // Every service is served somewhere.
        for s in SERVICES {
            if !windows.iter().any(|w| w.serves(s)) {
                windows[0].services.push(s.to_string());
            }
        }
        let mut waiting: Vec<Ticket> = Vec::new();
        let mut seqs = [0u32; 3];
        let mut history = SelectionHistory::default();
        let mut picks = Vec::new();
        let last = arrivals.iter().map(|a| a.2).max().unwrap_or(0);
        let bound = last as usize + arrivals.len() + 2;
        let mut step = 0u32;
        loop {
            for (k, (svc, class, when)) in arrivals.iter().enumerate() {
                if *when == step {
                    seqs[*svc] += 1;
                    let mut t = mk(SERVICES[*svc], *class, seqs[*svc], i64::from(step));
                    t.taken_at += Duration::seconds(k as i64);
                    t.queued_at = t.taken_at;
                    waiting.push(t);
                }
            }
            for w in &windows {
                let eligible: Vec<Ticket> = waiting
                    .iter()
                    .filter(|t| w.serves(&t.service))
                    .cloned()
                    .collect();
                let got = next_ticket(policies, &waiting, w, &history);
                prop_assert_eq!(got.is_some(), !eligible.is_empty(), "work-conserving");
                if let Some(i) = got {
                    let t = waiting.remove(i);
                    prop_assert!(w.serves(&t.service));
                    picks.push(Pick {
                        window: w.clone(),
                        eligible,
                        normals_before: history.normals_since_priority(&t.service),
                        picked: t.clone(),
                    });
                    history.record(&t);
                }
            }
            step += 1;
            if step > last && waiting.is_empty() {
                break;
            }
            prop_assert!((step as usize) <= bound, "not drained after {} steps", step);
        }
        Ok((picks, arrivals.len()))
    }

    fn policies_of(ps: &[OrderPolicy]) -> Policies {
        Policies {
            default: OrderPolicy::StrictPriority,
            by_service: SERVICES
                .iter()
                .zip(ps)
                .map(|(s, p)| (s.to_string(), *p))
                .collect(),
        }
    }

    proptest! {
        /// No ticket starves: with a finite arrival sequence and windows that keep calling,
        /// every ticket is called (and within a bounded number of rounds), whatever the
        /// policies; and every call keeps FIFO order within its service and class.
        #[test]
        fn no_starvation_and_fifo_within_class(
            ps in prop::collection::vec(policy_strategy(), 3),
            arrivals in arrivals_strategy(),
            windows in windows_strategy(),
        ) {
            let (picks, n) = simulate(&policies_of(&ps), &arrivals, &windows)?;
            prop_assert_eq!(picks.len(), n);
            for p in &picks {
                let t = &p.picked;
                prop_assert!(!p.eligible.iter().any(|o| o.service == t.service
                    && o.class == t.class
                    && o.queue_key() < t.queue_key()), "FIFO within class broken");
            }
        }

        /// Strict priority is strict: an ordinary window never calls a normal ticket while
        /// a priority ticket waits for it.
        #[test]
        fn strict_priority_is_strict(
            arrivals in arrivals_strategy(),
            windows in windows_strategy(),
        ) {
            let ps = [OrderPolicy::StrictPriority; 3];
            let (picks, _) = simulate(&policies_of(&ps), &arrivals, &windows)?;
            for p in &picks {
                if !p.picked.class.is_priority() {
                    prop_assert!(!p.eligible.iter().any(|o| o.class.is_priority()));
                }
                if !p.window.is_dedicated_to(p.picked.class) {
                    prop_assert!(!p.eligible.iter().any(|o| p.window.is_dedicated_to(o.class)));
                }
            }
        }

        /// Interleave bound: a normal ticket of a service is called while one of its priority
        /// tickets waits only if fewer than n normals were called since its last priority
        /// ticket; so at most n normals pass a waiting priority ticket in a row.
        #[test]
        fn interleave_bound_holds(
            n in 0u32..4,
            arrivals in arrivals_strategy(),
            windows in windows_strategy(),
        ) {
            let ps = [OrderPolicy::Interleave { normal_per_priority: n }; 3];
            let (picks, _) = simulate(&policies_of(&ps), &arrivals, &windows)?;
            for p in &picks {
                let t = &p.picked;
                if !t.class.is_priority()
                    && p.eligible.iter().any(|o| o.service == t.service && o.class.is_priority())
                {
                    prop_assert!(p.normals_before < n, "{} normals before, bound {}", p.normals_before, n);
                }
            }
        }

        /// Weighted wait: a normal ticket is called before a waiting priority ticket of its
        /// service only if it has waited at least the bonus longer.
        #[test]
        fn weighted_wait_orders_by_weighted_time(
            m in 0u32..30,
            arrivals in arrivals_strategy(),
            windows in windows_strategy(),
        ) {
            let ps = [OrderPolicy::WeightedWait { priority_bonus_minutes: m }; 3];
            let (picks, _) = simulate(&policies_of(&ps), &arrivals, &windows)?;
            let bonus = Duration::minutes(i64::from(m));
            for p in &picks {
                let t = &p.picked;
                if !t.class.is_priority() && !p.window.is_dedicated() {
                    for o in p.eligible.iter().filter(|o| o.service == t.service && o.class.is_priority()) {
                        prop_assert!(t.queued_at <= o.queued_at - bonus);
                    }
                }
            }
        }
    }
}
