//! Applications for disclosure (政府信息公开申请): the state machine, its append-only event
//! history, deadlines from the calendar, and what an application contributes to the counters.
//!
//! ```text
//!                 ┌──────────── correction_requested ───────────┐
//!                 │                                              ▼
//!   received → processing ◄── corrected ─────────────── awaiting_correction ─ correction_lapsed → lapsed
//!                 │  ▲ ▲                                            (其他处理·1)
//!                 │  │ └── consultation_ended ── consulting ◄── consultation_started
//!                 │  └──── fee_paid ──────── awaiting_payment ◄── fee_noticed
//!                 │                              └ fee_lapsed → lapsed (其他处理·2)
//!                 ├── decided(outcome, reply) → decided
//!                 └── withdrawn (from any open state) → withdrawn (其他处理·3)
//! ```
//!
//! `extension_approved` (once, 1–20 working days) and `note` do not change the state;
//! `imported` records a summary of an application kept in another system and may only follow
//! the receipt. Closed states accept nothing but notes.

use crate::counters::{self, Contributions};
use gongkai_calendar::{
    Calendar, CaseFacts, Channel, ClockError, ClockReport, ClockSettings, Consultation,
    ConsultationKind, Correction, Extension, FeeNotice, evaluate, serde_date,
};
use gongkai_report::{ApplicantType, Outcome};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// Longest request text accepted, in characters.
pub const MAX_REQUEST_CHARS: usize = 20_000;
/// Longest note or reply summary accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;
/// Most events one application may have.
pub const MAX_EVENTS: usize = 200;

/// Personal data of an applicant. Never part of [`Application`]; stored apart, never shown
/// publicly, masked in exports. `Debug` masks every field.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonalData {
    /// Name of the person or organisation.
    pub name: String,
    /// Identity document number (身份证明).
    pub id_number: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

impl PersonalData {
    /// A masked copy for lists and exports: first character of the name, last four of the
    /// phone and identity number, nothing of e-mail or address.
    pub fn masked(&self) -> PersonalData {
        fn tail(s: &Option<String>) -> Option<String> {
            s.as_ref().map(|s| {
                let chars: Vec<char> = s.chars().collect();
                let keep = chars.len().min(4);
                let hidden = chars.len() - keep;
                "*".repeat(hidden) + &chars[hidden..].iter().collect::<String>()
            })
        }
        let first: String = self.name.chars().take(1).collect();
        PersonalData {
            name: if self.name.is_empty() {
                String::new()
            } else {
                format!("{first}**")
            },
            id_number: tail(&self.id_number),
            phone: tail(&self.phone),
            email: self.email.as_ref().map(|_| "***".into()),
            address: self.address.as_ref().map(|_| "***".into()),
        }
    }
}

impl fmt::Debug for PersonalData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.masked();
        f.debug_struct("PersonalData")
            .field("name", &m.name)
            .field("id_number", &m.id_number)
            .field("phone", &m.phone)
            .field("email", &m.email)
            .field("address", &m.address)
            .finish()
    }
}

/// A new application as registered by a clerk or submitted online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    /// The body the application is addressed to.
    pub body_id: i64,
    /// Applicant column of table 三.
    pub applicant_type: ApplicantType,
    /// Submission channel.
    pub channel: Channel,
    /// The statutory receipt date (Art. 31 already applied: for mail, online and fax the
    /// confirmation day).
    pub received_on: Date,
    /// What is requested (information name, document number or description, form).
    pub request_text: String,
    /// Who asks (never public).
    pub personal: PersonalData,
}

/// An invalid new application or event payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    /// Empty or too long request.
    #[error(
        "申请内容不能为空且不超过{MAX_REQUEST_CHARS}个字符 (request text must be 1–{MAX_REQUEST_CHARS} characters)"
    )]
    BadRequestText,
    /// Missing applicant name.
    #[error("申请人姓名或名称不能为空且不超过200个字符 (applicant name must be 1–200 characters)")]
    BadApplicantName,
    /// Text too long.
    #[error(
        "{field} 超过{MAX_NOTE_CHARS}个字符 ({field} is longer than {MAX_NOTE_CHARS} characters)"
    )]
    TooLong {
        /// Which field.
        field: &'static str,
    },
}

impl NewApplication {
    /// Check the free-text fields.
    pub fn validate(&self) -> Result<(), ApplicationError> {
        let n = self.request_text.trim().chars().count();
        if n == 0 || n > MAX_REQUEST_CHARS {
            return Err(ApplicationError::BadRequestText);
        }
        let n = self.personal.name.trim().chars().count();
        if n == 0 || n > 200 {
            return Err(ApplicationError::BadApplicantName);
        }
        for (field, v) in [
            ("id_number", &self.personal.id_number),
            ("phone", &self.personal.phone),
            ("email", &self.personal.email),
            ("address", &self.personal.address),
        ] {
            if v.as_ref().is_some_and(|v| v.chars().count() > 500) {
                return Err(ApplicationError::TooLong { field });
            }
        }
        Ok(())
    }
}

/// Where an application stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// 办理中: received (or corrected, or consultation / payment done), clock running.
    Processing,
    /// 待补正: the applicant was asked to correct the application.
    AwaitingCorrection,
    /// 征求意见中: a third party or another agency is being consulted.
    Consulting,
    /// 待缴费: a fee notice was sent and is not paid.
    AwaitingPayment,
    /// 已答复: decided with a statutory outcome and a reply document.
    Decided,
    /// 已撤回: withdrawn by the applicant.
    Withdrawn,
    /// 已终止: no correction or no payment in time.
    Lapsed,
}

/// Where an open application's reply deadline stands (see [`Status::due_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueStatus {
    /// The last day to reply.
    Due(Date),
    /// The clock is stopped without a known end.
    Stopped,
    /// The deadline needs the 节假日安排 of `year`, not imported yet.
    NotComputable {
        /// The notice year the deadline needs.
        year: i32,
        /// Whether it is the deadline after an extension.
        extended: bool,
    },
    /// Closed: no deadline.
    Closed,
}

impl DueStatus {
    /// The date, if there is one.
    pub fn date(self) -> Option<Date> {
        match self {
            DueStatus::Due(d) => Some(d),
            _ => None,
        }
    }

    /// The year a not-computable deadline needs.
    pub fn missing_year(self) -> Option<i32> {
        match self {
            DueStatus::NotComputable { year, .. } => Some(year),
            _ => None,
        }
    }

    /// The deadline as staff and applicants read it: the date, 期限暂停, or
    /// 「2027年节假日安排尚未导入，延期后期限暂无法计算」.
    pub fn text_zh(self) -> String {
        match self {
            DueStatus::Due(d) => gongkai_calendar::format_date(d),
            DueStatus::Stopped => "期限暂停".into(),
            DueStatus::NotComputable { year, extended } => format!(
                "{year}年节假日安排尚未导入，{}暂无法计算",
                if extended {
                    "延期后期限"
                } else {
                    "答复期限"
                }
            ),
            DueStatus::Closed => "—".into(),
        }
    }
}

impl ApplicationState {
    /// All states.
    pub const ALL: [ApplicationState; 7] = [
        ApplicationState::Processing,
        ApplicationState::AwaitingCorrection,
        ApplicationState::Consulting,
        ApplicationState::AwaitingPayment,
        ApplicationState::Decided,
        ApplicationState::Withdrawn,
        ApplicationState::Lapsed,
    ];

    /// Storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::AwaitingCorrection => "awaiting_correction",
            Self::Consulting => "consulting",
            Self::AwaitingPayment => "awaiting_payment",
            Self::Decided => "decided",
            Self::Withdrawn => "withdrawn",
            Self::Lapsed => "lapsed",
        }
    }

    /// Parse a storage name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Processing => "办理中",
            Self::AwaitingCorrection => "待补正",
            Self::Consulting => "征求意见中",
            Self::AwaitingPayment => "待缴费",
            Self::Decided => "已答复",
            Self::Withdrawn => "已撤回",
            Self::Lapsed => "已终止",
        }
    }

    /// Whether the application is finished (counted in 本年度办理结果 of its closing year).
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Decided | Self::Withdrawn | Self::Lapsed)
    }
}

impl fmt::Display for ApplicationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whom a consultation asks.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consultee {
    /// A third party whose lawful rights may be harmed (Art. 32).
    ThirdParty,
    /// Another agency (Arts. 33 ¶3, 34).
    OtherAgency,
}

impl Consultee {
    fn to_calendar(self) -> ConsultationKind {
        match self {
            Consultee::ThirdParty => ConsultationKind::ThirdParty,
            Consultee::OtherAgency => ConsultationKind::OtherAgency,
        }
    }
}

/// The reply (答复) that decides an application.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyDocument {
    /// Reference number of the reply letter (答复书文号), may be empty.
    pub reference: String,
    /// What was replied (public-safe summary; no personal data).
    pub summary: String,
}

/// What happened. Serialised (tag `kind`) into the event history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The application was received (always event 1).
    Received,
    /// The applicant was asked, once, to correct it by `deadline` (Art. 30).
    CorrectionRequested {
        /// Last day for the correction.
        #[serde(with = "serde_date")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        deadline: Date,
    },
    /// The corrected application was received; the clock restarts.
    Corrected,
    /// No correction by the deadline: deemed withdrawn (其他处理·1).
    CorrectionLapsed,
    /// A consultation started (time excluded from the clock).
    ConsultationStarted {
        /// Whom.
        consultee: Consultee,
    },
    /// The consultation ended (opinion received or window closed).
    ConsultationEnded,
    /// The one extension, 1–20 working days (Art. 33 ¶2).
    ExtensionApproved {
        /// Working days added.
        days: u32,
    },
    /// A fee notice (收费通知) was sent.
    FeeNoticed {
        /// Amount in fen (分).
        amount_fen: i64,
    },
    /// The fee was paid.
    FeePaid,
    /// Not paid in time (其他处理·2).
    FeeLapsed,
    /// Decided with exactly one statutory outcome.
    Decided {
        /// Row of table 三.
        outcome: Outcome,
        /// The reply document.
        reply: ReplyDocument,
    },
    /// Withdrawn by the applicant (其他处理·3).
    Withdrawn,
    /// A summary imported from another system: closed with `outcome` on the event date, or
    /// still open when `outcome` is absent. Only directly after the receipt.
    Imported {
        /// How it ended, if it did.
        outcome: Option<Outcome>,
    },
    /// A note in the history; changes nothing.
    Note,
}

impl EventKind {
    /// Storage / CLI name (the serde tag).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Received => "received",
            EventKind::CorrectionRequested { .. } => "correction_requested",
            EventKind::Corrected => "corrected",
            EventKind::CorrectionLapsed => "correction_lapsed",
            EventKind::ConsultationStarted { .. } => "consultation_started",
            EventKind::ConsultationEnded => "consultation_ended",
            EventKind::ExtensionApproved { .. } => "extension_approved",
            EventKind::FeeNoticed { .. } => "fee_noticed",
            EventKind::FeePaid => "fee_paid",
            EventKind::FeeLapsed => "fee_lapsed",
            EventKind::Decided { .. } => "decided",
            EventKind::Withdrawn => "withdrawn",
            EventKind::Imported { .. } => "imported",
            EventKind::Note => "note",
        }
    }

    /// Chinese label.
    pub fn label_zh(&self) -> &'static str {
        match self {
            EventKind::Received => "收到申请",
            EventKind::CorrectionRequested { .. } => "告知补正",
            EventKind::Corrected => "收到补正",
            EventKind::CorrectionLapsed => "逾期未补正",
            EventKind::ConsultationStarted { .. } => "开始征求意见",
            EventKind::ConsultationEnded => "征求意见结束",
            EventKind::ExtensionApproved { .. } => "批准延期答复",
            EventKind::FeeNoticed { .. } => "发出收费通知",
            EventKind::FeePaid => "已缴费",
            EventKind::FeeLapsed => "逾期未缴费",
            EventKind::Decided { .. } => "作出答复",
            EventKind::Withdrawn => "申请人撤回申请",
            EventKind::Imported { .. } => "历史数据导入",
            EventKind::Note => "备注",
        }
    }
}

/// One entry of the append-only history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationEvent {
    /// 1-based position in the history.
    pub seq: u32,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
    /// The day it happened (the legally relevant date, Asia/Shanghai).
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
    /// Who recorded it (login, `applicant`, `import:FILE`, `bench`).
    pub actor: String,
    /// Free-text note.
    pub note: String,
}

/// An illegal transition or a bad event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The event is not allowed in this state.
    #[error(
        "申请处于「{state_zh}」状态，不能「{event_zh}」(event `{event}` is not allowed in state `{state}`)"
    )]
    NotAllowed {
        /// Current state.
        state: ApplicationState,
        /// Its label.
        state_zh: &'static str,
        /// Event name.
        event: &'static str,
        /// Event label.
        event_zh: &'static str,
    },
    /// Event dated before the previous one.
    #[error(
        "事件日期 {on} 早于上一事件日期 {previous}（历史只能追加）(event date {on} is before the previous event {previous})"
    )]
    DateBeforePrevious {
        /// Given date.
        on: Date,
        /// Last event's date.
        previous: Date,
    },
    /// Art. 30: correction may be requested only once.
    #[error(
        "补正只能一次性告知（第三十条），本申请已告知过补正 (a correction can be requested only once)"
    )]
    CorrectionTwice,
    /// Correction deadline before the request.
    #[error(
        "补正期限 {deadline} 早于告知日期 {on} (correction deadline {deadline} is before the request {on})"
    )]
    CorrectionDeadline {
        /// Deadline given.
        deadline: Date,
        /// Request date.
        on: Date,
    },
    /// Lapse recorded before the deadline passed.
    #[error(
        "补正期限 {deadline} 尚未届满，不能按逾期未补正处理 (the correction deadline {deadline} has not passed on {on})"
    )]
    CorrectionNotDue {
        /// Deadline.
        deadline: Date,
        /// Event date.
        on: Date,
    },
    /// Art. 33: one extension only.
    #[error("延期答复只能一次（第三十三条）(only one extension is allowed)")]
    ExtensionTwice,
    /// Extension length.
    #[error(
        "延期不得超过20个工作日且至少1日，给出 {days} 日 (an extension is 1–20 working days, got {days})"
    )]
    ExtensionDays {
        /// Days given.
        days: u32,
    },
    /// One fee notice per application.
    #[error("本申请已发出过收费通知 (a fee notice was already sent)")]
    FeeTwice,
    /// Fee amount must be positive.
    #[error(
        "收费金额必须大于0分，给出 {amount_fen} 分 (fee amount must be positive, got {amount_fen} fen)"
    )]
    FeeAmount {
        /// Amount given.
        amount_fen: i64,
    },
    /// Fee lapse recorded on the notice day.
    #[error(
        "缴费期限尚未届满，不能在发出收费通知当日按逾期未缴费处理 (payment cannot lapse on the day of the notice)"
    )]
    FeeNotDue,
    /// Outcome reserved for another event.
    #[error(
        "办理结果「{outcome_zh}」须通过「{event_zh}」事件记录，不能直接作出答复 (outcome `{outcome}` is recorded by the `{event}` event)"
    )]
    OutcomeNeedsEvent {
        /// Outcome code.
        outcome: &'static str,
        /// Its label.
        outcome_zh: String,
        /// The event to use.
        event: &'static str,
        /// Its label.
        event_zh: &'static str,
    },
    /// 补正后申请内容仍不明确 without a correction.
    #[error(
        "「补正后申请内容仍不明确」要求申请已经补正 (outcome `unable_unclear_after_correction` needs a received correction)"
    )]
    UnclearWithoutCorrection,
    /// `imported` out of place.
    #[error("「历史数据导入」只能紧接在收到申请之后 (`imported` may only follow the receipt)")]
    ImportNotFirst,
    /// `received` again.
    #[error("「收到申请」只能是第一个事件 (`received` is only the first event)")]
    ReceivedTwice,
    /// History too long.
    #[error("一个申请最多{MAX_EVENTS}个事件 (at most {MAX_EVENTS} events per application)")]
    TooManyEvents,
    /// Text too long.
    #[error(transparent)]
    Text(#[from] ApplicationError),
}

/// The facts of an application derived from its history (everything but personal data).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Current state.
    pub state: ApplicationState,
    /// Receipt date.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub received_on: Date,
    /// Date of the latest event.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub last_event_on: Date,
    /// Number of events so far.
    pub events: u32,
    /// Whether the only event so far is the receipt.
    pub pristine: bool,
    /// Correction: (requested, deadline, corrected).
    pub correction: Option<CorrectionFacts>,
    /// Consultations: (whom, start, end).
    pub consultations: Vec<ConsultationFacts>,
    /// Extension: days and approval date.
    pub extension: Option<ExtensionFacts>,
    /// Fee notice.
    pub fee: Option<FeeFacts>,
    /// How it ended.
    pub outcome: Option<Outcome>,
    /// When it ended.
    #[serde(with = "serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub closed_on: Option<Date>,
    /// The reply, when decided.
    pub reply: Option<ReplyDocument>,
}

/// Correction facts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionFacts {
    /// Request date.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub requested: Date,
    /// Deadline given.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: Date,
    /// Corrected application received.
    #[serde(with = "serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub corrected: Option<Date>,
}

/// Consultation facts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationFacts {
    /// Whom.
    pub consultee: Consultee,
    /// Start.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: Date,
    /// End.
    #[serde(with = "serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub end: Option<Date>,
}

/// Extension facts (Art. 33 ¶2: once, at most 20 working days).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionFacts {
    /// Working days added.
    pub days: u32,
    /// Approval date.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub approved: Date,
}

/// Fee facts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeFacts {
    /// Amount in fen.
    pub amount_fen: i64,
    /// Notice date.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub sent: Date,
    /// Payment date.
    #[serde(with = "serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub paid: Option<Date>,
}

impl Status {
    /// A freshly received application.
    pub fn received(received_on: Date) -> Status {
        Status {
            state: ApplicationState::Processing,
            received_on,
            last_event_on: received_on,
            events: 1,
            pristine: true,
            correction: None,
            consultations: Vec::new(),
            extension: None,
            fee: None,
            outcome: None,
            closed_on: None,
            reply: None,
        }
    }

    /// The calendar facts of this application (for the statutory clock).
    pub fn case_facts(&self, channel: Channel) -> CaseFacts {
        let mut f = CaseFacts::new(channel, self.received_on);
        f.confirmed = channel.needs_confirmation().then_some(self.received_on);
        f.correction = self.correction.map(|c| Correction {
            requested: Some(c.requested),
            deadline: Some(c.deadline),
            corrected: c.corrected,
        });
        f.consultations = self
            .consultations
            .iter()
            .map(|c| Consultation {
                kind: c.consultee.to_calendar(),
                start: c.start,
                end: c.end,
            })
            .collect();
        f.extension = self.extension.map(|e| Extension {
            days: e.days,
            approved: Some(e.approved),
        });
        f.fee = self.fee.map(|fee| FeeNotice {
            sent: fee.sent,
            received: None,
            paid: fee.paid,
        });
        f.decided = if self.state == ApplicationState::Decided {
            self.closed_on
        } else {
            None
        };
        f
    }

    /// The statutory clock on `on` (deadline, days used, state), from the calendar crate.
    pub fn clock(
        &self,
        channel: Channel,
        cal: &Calendar,
        on: Date,
    ) -> Result<ClockReport, ClockError> {
        evaluate(
            cal,
            &self.case_facts(channel),
            &ClockSettings::default(),
            on,
        )
    }

    /// The reply due date of an open application (`None` when closed or while the clock is
    /// stopped without a known end). Errors when the calendar lacks a needed year.
    pub fn due_date(&self, channel: Channel, cal: &Calendar) -> Result<Option<Date>, ClockError> {
        if self.state.is_closed() {
            return Ok(None);
        }
        Ok(self.clock(channel, cal, self.last_event_on)?.due)
    }

    /// Where the reply deadline stands: a date, stopped (awaiting a correction, a payment or
    /// the end of a consultation), not computable because the calendar lacks a year's
    /// 节假日安排, or closed.
    pub fn due_status(&self, channel: Channel, cal: &Calendar) -> Result<DueStatus, ClockError> {
        if self.state.is_closed() {
            return Ok(DueStatus::Closed);
        }
        let r = self.clock(channel, cal, self.last_event_on)?;
        Ok(match (r.due, r.due_not_computable()) {
            (Some(d), _) => DueStatus::Due(d),
            (None, Some(n)) => DueStatus::NotComputable {
                year: n.year,
                extended: r.extension_days > 0,
            },
            (None, None) => DueStatus::Stopped,
        })
    }

    /// What this application contributes to the report counters (see [`crate::counters`]).
    pub fn contributions(&self, applicant: ApplicantType) -> Contributions {
        let mut c = Contributions::new();
        let col = applicant.column_key();
        counters::add(
            &mut c,
            self.received_on.year(),
            format!("app.received.{col}"),
            1,
        );
        if let (Some(o), Some(d)) = (self.outcome, self.closed_on) {
            counters::add(
                &mut c,
                d.year(),
                format!("app.closed.{}.{col}", o.code()),
                1,
            );
        }
        if let Some(fee) = self.fee {
            counters::add(&mut c, fee.sent.year(), "fee.noticed", 1);
            counters::add(&mut c, fee.sent.year(), "fee.noticed_fen", fee.amount_fen);
            if let Some(p) = fee.paid {
                counters::add(&mut c, p.year(), "fee.paid", 1);
                counters::add(&mut c, p.year(), "fee.paid_fen", fee.amount_fen);
            }
        }
        c
    }
}

fn not_allowed(state: ApplicationState, ev: &EventKind) -> TransitionError {
    TransitionError::NotAllowed {
        state,
        state_zh: state.label_zh(),
        event: ev.name(),
        event_zh: ev.label_zh(),
    }
}

fn check_text(field: &'static str, s: &str) -> Result<(), TransitionError> {
    if s.chars().count() > MAX_NOTE_CHARS {
        Err(ApplicationError::TooLong { field }.into())
    } else {
        Ok(())
    }
}

/// The pure transition function: the status after `event` happened on `on`, or why it cannot.
pub fn transition(status: &Status, event: &EventKind, on: Date) -> Result<Status, TransitionError> {
    use ApplicationState as S;
    if on < status.last_event_on {
        return Err(TransitionError::DateBeforePrevious {
            on,
            previous: status.last_event_on,
        });
    }
    if status.events as usize >= MAX_EVENTS {
        return Err(TransitionError::TooManyEvents);
    }
    let mut next = status.clone();
    next.last_event_on = on;
    next.events += 1;
    next.pristine = false;
    let state = status.state;
    if state.is_closed() && !matches!(event, EventKind::Note) {
        return Err(not_allowed(state, event));
    }
    let close = |next: &mut Status, st: S, outcome: Outcome| {
        next.state = st;
        next.outcome = Some(outcome);
        next.closed_on = Some(on);
    };
    match event {
        EventKind::Received => return Err(TransitionError::ReceivedTwice),
        EventKind::Note => {}
        EventKind::Imported { outcome } => {
            if !status.pristine {
                return Err(TransitionError::ImportNotFirst);
            }
            match outcome {
                None => {}
                Some(o @ (Outcome::OtherNoCorrection | Outcome::OtherFeeUnpaid)) => {
                    close(&mut next, S::Lapsed, *o)
                }
                Some(o) => close(&mut next, S::Decided, *o),
            }
        }
        EventKind::CorrectionRequested { deadline } => {
            if state != S::Processing {
                return Err(not_allowed(state, event));
            }
            if status.correction.is_some() {
                return Err(TransitionError::CorrectionTwice);
            }
            if *deadline < on {
                return Err(TransitionError::CorrectionDeadline {
                    deadline: *deadline,
                    on,
                });
            }
            next.state = S::AwaitingCorrection;
            next.correction = Some(CorrectionFacts {
                requested: on,
                deadline: *deadline,
                corrected: None,
            });
        }
        EventKind::Corrected => {
            if state != S::AwaitingCorrection {
                return Err(not_allowed(state, event));
            }
            next.state = S::Processing;
            if let Some(c) = next.correction.as_mut() {
                c.corrected = Some(on);
            }
        }
        EventKind::CorrectionLapsed => {
            if state != S::AwaitingCorrection {
                return Err(not_allowed(state, event));
            }
            if let Some(c) = status.correction
                && on <= c.deadline
            {
                return Err(TransitionError::CorrectionNotDue {
                    deadline: c.deadline,
                    on,
                });
            }
            close(&mut next, S::Lapsed, Outcome::OtherNoCorrection);
        }
        EventKind::ConsultationStarted { consultee } => {
            if state != S::Processing {
                return Err(not_allowed(state, event));
            }
            next.state = S::Consulting;
            next.consultations.push(ConsultationFacts {
                consultee: *consultee,
                start: on,
                end: None,
            });
        }
        EventKind::ConsultationEnded => {
            if state != S::Consulting {
                return Err(not_allowed(state, event));
            }
            next.state = S::Processing;
            if let Some(c) = next.consultations.last_mut() {
                c.end = Some(on);
            }
        }
        EventKind::ExtensionApproved { days } => {
            if !matches!(state, S::Processing | S::Consulting | S::AwaitingPayment) {
                return Err(not_allowed(state, event));
            }
            if status.extension.is_some() {
                return Err(TransitionError::ExtensionTwice);
            }
            if *days == 0 || *days > Extension::MAX_DAYS {
                return Err(TransitionError::ExtensionDays { days: *days });
            }
            next.extension = Some(ExtensionFacts {
                days: *days,
                approved: on,
            });
        }
        EventKind::FeeNoticed { amount_fen } => {
            if state != S::Processing {
                return Err(not_allowed(state, event));
            }
            if status.fee.is_some() {
                return Err(TransitionError::FeeTwice);
            }
            if *amount_fen <= 0 {
                return Err(TransitionError::FeeAmount {
                    amount_fen: *amount_fen,
                });
            }
            next.state = S::AwaitingPayment;
            next.fee = Some(FeeFacts {
                amount_fen: *amount_fen,
                sent: on,
                paid: None,
            });
        }
        EventKind::FeePaid => {
            if state != S::AwaitingPayment {
                return Err(not_allowed(state, event));
            }
            next.state = S::Processing;
            if let Some(f) = next.fee.as_mut() {
                f.paid = Some(on);
            }
        }
        EventKind::FeeLapsed => {
            if state != S::AwaitingPayment {
                return Err(not_allowed(state, event));
            }
            if status.fee.is_some_and(|f| on <= f.sent) {
                return Err(TransitionError::FeeNotDue);
            }
            close(&mut next, S::Lapsed, Outcome::OtherFeeUnpaid);
        }
        EventKind::Decided { outcome, reply } => {
            if state != S::Processing {
                return Err(not_allowed(state, event));
            }
            check_text("reply.reference", &reply.reference)?;
            check_text("reply.summary", &reply.summary)?;
            let reserved = match outcome {
                Outcome::OtherNoCorrection => Some(EventKind::CorrectionLapsed),
                Outcome::OtherFeeUnpaid => Some(EventKind::FeeLapsed),
                _ => None,
            };
            if let Some(ev) = reserved {
                return Err(TransitionError::OutcomeNeedsEvent {
                    outcome: outcome.code(),
                    outcome_zh: outcome.label(),
                    event: ev.name(),
                    event_zh: ev.label_zh(),
                });
            }
            if *outcome == Outcome::UnableUnclearAfterCorrection
                && status.correction.is_none_or(|c| c.corrected.is_none())
            {
                return Err(TransitionError::UnclearWithoutCorrection);
            }
            close(&mut next, S::Decided, *outcome);
            next.reply = Some(reply.clone());
        }
        EventKind::Withdrawn => {
            if state.is_closed() {
                return Err(not_allowed(state, event));
            }
            close(&mut next, S::Withdrawn, Outcome::OtherOther);
        }
    }
    Ok(next)
}

/// A history that does not replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("事件 #{seq}: {error}")]
pub struct ReplayError {
    /// The failing event.
    pub seq: u32,
    /// Why.
    pub error: TransitionError,
}

/// Replay a whole history (event 1 must be `received`) into a status.
pub fn replay(events: &[(EventKind, Date)]) -> Result<Status, ReplayError> {
    let mut iter = events.iter();
    let Some((first, received_on)) = iter.next() else {
        return Err(ReplayError {
            seq: 1,
            error: TransitionError::ImportNotFirst,
        });
    };
    if *first != EventKind::Received {
        return Err(ReplayError {
            seq: 1,
            error: not_allowed(ApplicationState::Processing, first),
        });
    }
    let mut s = Status::received(*received_on);
    for (i, (ev, on)) in iter.enumerate() {
        s = transition(&s, ev, *on).map_err(|error| ReplayError {
            seq: i as u32 + 2,
            error,
        })?;
    }
    Ok(s)
}

/// A public-safe application (no personal data; see [`PersonalData`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    /// Storage id.
    pub id: i64,
    /// The body it is addressed to.
    pub body_id: i64,
    /// Tracking code shown to the applicant.
    pub tracking_code: String,
    /// Applicant column.
    pub applicant_type: ApplicantType,
    /// Channel (`in-person`, `post`, `mail`, `online`, `fax`).
    #[serde(serialize_with = "ser_channel")]
    pub channel: Channel,
    /// What is requested.
    pub request_text: String,
    /// Derived facts.
    pub status: Status,
    /// Reply due date while open, when the calendar covers it.
    #[serde(with = "serde_date::option")]
    pub due_on: Option<Date>,
}

fn ser_channel<S: serde::Serializer>(c: &Channel, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn reply() -> ReplyDocument {
        ReplyDocument {
            reference: "依申请〔2024〕1号".into(),
            summary: "予以公开".into(),
        }
    }

    #[test]
    fn happy_path_and_counters() {
        let s = Status::received(date!(2024 - 12 - 20));
        let s = transition(
            &s,
            &EventKind::ConsultationStarted {
                consultee: Consultee::ThirdParty,
            },
            date!(2024 - 12 - 23),
        )
        .unwrap();
        assert_eq!(s.state, ApplicationState::Consulting);
        let err = transition(
            &s,
            &EventKind::Decided {
                outcome: Outcome::Granted,
                reply: reply(),
            },
            date!(2024 - 12 - 24),
        )
        .unwrap_err();
        assert!(err.to_string().contains("征求意见中"), "{err}");
        let s = transition(&s, &EventKind::ConsultationEnded, date!(2025 - 01 - 06)).unwrap();
        let s = transition(
            &s,
            &EventKind::Decided {
                outcome: Outcome::Partial,
                reply: reply(),
            },
            date!(2025 - 01 - 10),
        )
        .unwrap();
        assert_eq!(s.state, ApplicationState::Decided);
        let c = s.contributions(ApplicantType::Research);
        assert_eq!(c[&(2024, "app.received.research".to_string())], 1);
        assert_eq!(c[&(2025, "app.closed.partial.research".to_string())], 1);
        // closed: nothing but notes
        assert!(transition(&s, &EventKind::Withdrawn, date!(2025 - 01 - 11)).is_err());
        assert!(transition(&s, &EventKind::Note, date!(2025 - 01 - 11)).is_ok());
    }

    #[test]
    fn correction_rules() {
        let s = Status::received(date!(2024 - 03 - 01));
        let s1 = transition(
            &s,
            &EventKind::CorrectionRequested {
                deadline: date!(2024 - 03 - 15),
            },
            date!(2024 - 03 - 04),
        )
        .unwrap();
        assert_eq!(
            transition(&s1, &EventKind::CorrectionLapsed, date!(2024 - 03 - 15)).unwrap_err(),
            TransitionError::CorrectionNotDue {
                deadline: date!(2024 - 03 - 15),
                on: date!(2024 - 03 - 15)
            }
        );
        let lapsed = transition(&s1, &EventKind::CorrectionLapsed, date!(2024 - 03 - 18)).unwrap();
        assert_eq!(lapsed.outcome, Some(Outcome::OtherNoCorrection));
        let s2 = transition(&s1, &EventKind::Corrected, date!(2024 - 03 - 10)).unwrap();
        assert_eq!(
            transition(
                &s2,
                &EventKind::CorrectionRequested {
                    deadline: date!(2024 - 03 - 20)
                },
                date!(2024 - 03 - 11)
            )
            .unwrap_err(),
            TransitionError::CorrectionTwice
        );
        let d = transition(
            &s2,
            &EventKind::Decided {
                outcome: Outcome::UnableUnclearAfterCorrection,
                reply: reply(),
            },
            date!(2024 - 03 - 20),
        )
        .unwrap();
        assert_eq!(d.outcome, Some(Outcome::UnableUnclearAfterCorrection));
        assert_eq!(
            transition(
                &s,
                &EventKind::Decided {
                    outcome: Outcome::UnableUnclearAfterCorrection,
                    reply: reply()
                },
                date!(2024 - 03 - 20)
            )
            .unwrap_err(),
            TransitionError::UnclearWithoutCorrection
        );
        let e = transition(
            &s,
            &EventKind::Decided {
                outcome: Outcome::OtherNoCorrection,
                reply: reply(),
            },
            date!(2024 - 03 - 20),
        )
        .unwrap_err();
        assert!(matches!(e, TransitionError::OutcomeNeedsEvent { .. }));
        assert!(matches!(
            transition(&s, &EventKind::Note, date!(2024 - 02 - 01)).unwrap_err(),
            TransitionError::DateBeforePrevious { .. }
        ));
    }

    #[test]
    fn fee_extension_and_clock() {
        let cal = Calendar::builtin();
        let s = Status::received(date!(2024 - 09 - 30));
        assert_eq!(
            s.due_date(Channel::InPerson, &cal).unwrap(),
            Some(date!(2024 - 11 - 01))
        );
        let s = transition(
            &s,
            &EventKind::ExtensionApproved { days: 20 },
            date!(2024 - 10 - 21),
        )
        .unwrap();
        assert_eq!(
            transition(
                &s,
                &EventKind::ExtensionApproved { days: 5 },
                date!(2024 - 10 - 22)
            )
            .unwrap_err(),
            TransitionError::ExtensionTwice
        );
        assert!(s.due_date(Channel::InPerson, &cal).unwrap() > Some(date!(2024 - 11 - 01)));
        let f = transition(
            &s,
            &EventKind::FeeNoticed { amount_fen: 12_000 },
            date!(2024 - 10 - 22),
        )
        .unwrap();
        let lapsed = transition(&f, &EventKind::FeeLapsed, date!(2024 - 11 - 25)).unwrap();
        assert_eq!(lapsed.state, ApplicationState::Lapsed);
        let c = lapsed.contributions(ApplicantType::NaturalPerson);
        assert_eq!(c[&(2024, "fee.noticed_fen".to_string())], 12_000);
        assert!(!c.contains_key(&(2024, "fee.paid".to_string())));
        let w = transition(&f, &EventKind::Withdrawn, date!(2024 - 10 - 23)).unwrap();
        assert_eq!(w.outcome, Some(Outcome::OtherOther));
    }

    #[test]
    fn replay_and_import() {
        let ev = vec![
            (EventKind::Received, date!(2023 - 12 - 28)),
            (
                EventKind::Imported {
                    outcome: Some(Outcome::NpDuplicate),
                },
                date!(2024 - 01 - 05),
            ),
        ];
        let s = replay(&ev).unwrap();
        assert_eq!(s.state, ApplicationState::Decided);
        let mut bad = ev.clone();
        bad.push((EventKind::Imported { outcome: None }, date!(2024 - 01 - 06)));
        let e = replay(&bad).unwrap_err();
        assert_eq!(e.seq, 3);
        assert!(replay(&[]).is_err());
    }

    #[test]
    fn personal_data_is_masked_in_debug() {
        let p = PersonalData {
            name: "张三丰".into(),
            id_number: Some("440101199001011234".into()),
            phone: Some("13800138000".into()),
            email: Some("a@b.c".into()),
            address: Some("广州".into()),
        };
        let d = format!("{p:?}");
        assert!(!d.contains("张三丰") && !d.contains("13800138000") && !d.contains("a@b.c"));
        assert!(d.contains("张**") && d.contains("8000"));
    }
}
