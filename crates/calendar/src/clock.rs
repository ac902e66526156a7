//! The statutory reply clock of 《政府信息公开条例》 Arts. 30–33 and the fee measures
//! (国办函〔2020〕109号), evaluated over the facts of one case.
//!
//! Conventions (see also the crate docs):
//! - The day of receipt is not counted; counting starts with the next working day and the
//!   reply is due on the 20th counted working day (plus an approved extension of at most
//!   20 working days, once).
//! - Excluded periods (third-party / other-agency consultation, other pauses, and by
//!   default the fee notice→payment interval) are inclusive at both ends: no working day
//!   from their first through their last day is counted.
//! - After a correction (补正) the clock restarts from the day the corrected application
//!   is received; what ran before is discarded.
//! - The due date is computed from all facts given; used/remaining days and the state are
//!   evaluated on the given `on` date.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use time::Date;

use crate::calendar::Calendar;
use crate::date::{DateRange, format_date, serde_date, weekday_zh};
use crate::error::{CalendarError, ClockError};

/// How the application reached the office; decides the receipt date (Art. 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Handed in at the office: receipt = the day of submission.
    InPerson,
    /// Post requiring a signature: receipt = the day the office signed for it.
    Post,
    /// Ordinary letter without signature: receipt = the day the office confirmed with the
    /// applicant (it must confirm on the day it gets the letter).
    Mail,
    /// Internet channel: receipt = the day both sides confirmed.
    Online,
    /// The office's fax: receipt = the day both sides confirmed.
    Fax,
}

impl Channel {
    /// All channels, in CLI order.
    pub const ALL: [Channel; 5] = [
        Channel::InPerson,
        Channel::Post,
        Channel::Mail,
        Channel::Online,
        Channel::Fax,
    ];

    /// The CLI / JSON name (`in-person`, `post`, `mail`, `online`, `fax`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPerson => "in-person",
            Self::Post => "post",
            Self::Mail => "mail",
            Self::Online => "online",
            Self::Fax => "fax",
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::InPerson => "当面提交",
            Self::Post => "邮寄（需签收）",
            Self::Mail => "平常信函",
            Self::Online => "互联网渠道",
            Self::Fax => "传真",
        }
    }

    /// Whether the receipt date is a confirmation date (mail, online, fax).
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Self::Mail | Self::Online | Self::Fax)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown channel name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的提交渠道 {0:?}（可选 in-person、post、mail、online、fax）/ unknown channel {0:?}")]
pub struct ChannelParseError(pub String);

impl FromStr for Channel {
    type Err = ChannelParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ChannelParseError(s.to_owned()))
    }
}

/// A correction request (补正, Art. 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction {
    /// The day the office told the applicant, once and in writing, what to correct.
    /// Should be within 7 working days of receipt; `None` when not recorded (then it is
    /// neither checked nor used, and the clock counts as stopped from receipt).
    pub requested: Option<Date>,
    /// The reasonable deadline the office gave for the correction (last allowed day).
    pub deadline: Option<Date>,
    /// The day the corrected application was received; the clock restarts from it.
    pub corrected: Option<Date>,
}

/// Whose opinion is being sought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsultationKind {
    /// A third party whose lawful rights may be harmed (Art. 32).
    ThirdParty,
    /// Another agency, e.g. a co-producer of the information (Arts. 33 ¶3, 34).
    OtherAgency,
}

/// A consultation whose time is excluded from the reply deadline (Art. 33 ¶3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consultation {
    /// Third party or other agency.
    pub kind: ConsultationKind,
    /// First day of the consultation (the request is sent).
    pub start: Date,
    /// Last day (the opinion arrived or the window closed); `None` while still open.
    pub end: Option<Date>,
}

/// An approved extension of the reply deadline (Art. 33 ¶2): at most 20 working days, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension {
    /// Working days added (1..=20).
    pub days: u32,
    /// The day the office head approved it (should be within the original deadline).
    pub approved: Option<Date>,
}

impl Extension {
    /// The statutory maximum.
    pub const MAX_DAYS: u32 = 20;

    /// The full 20-working-day extension.
    pub fn full() -> Self {
        Self {
            days: Self::MAX_DAYS,
            approved: None,
        }
    }
}

/// A fee notice (收费通知) under 国办函〔2020〕109号.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeNotice {
    /// The day the office sent the notice.
    pub sent: Date,
    /// The day the applicant received it (defaults to `sent`).
    pub received: Option<Date>,
    /// The day the applicant paid; `None` while unpaid.
    pub paid: Option<Date>,
}

/// Whether the interval from the fee notice to payment counts toward the reply deadline.
///
/// The rule is not settled in the national texts (format.md §B.8); it is commonly applied
/// as excluded, which is the default. A deployment may choose to count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeeInterval {
    /// The days from sending the notice through payment (inclusive) are not counted.
    #[default]
    Excluded,
    /// The reply clock keeps running while the applicant has not paid.
    Counted,
}

/// Per-deployment settings of the clock. `Default` gives the statutory values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSettings {
    /// Reply deadline in working days (Art. 33 ¶2: 20).
    pub base_days: u32,
    /// Window for telling the applicant to correct (Art. 30: 7 working days).
    pub correction_notice_days: u32,
    /// Window for a third party or co-producer to answer (Arts. 32, 34: 15 working days).
    pub consultation_reply_days: u32,
    /// Window for paying a fee from the day after receiving the notice (20 working days).
    pub fee_payment_days: u32,
    /// Whether the fee notice→payment interval is excluded (default) or counted.
    pub fee_interval: FeeInterval,
}

impl Default for ClockSettings {
    fn default() -> Self {
        Self {
            base_days: 20,
            correction_notice_days: 7,
            consultation_reply_days: 15,
            fee_payment_days: 20,
            fee_interval: FeeInterval::Excluded,
        }
    }
}

/// The facts and events of one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// Submission channel.
    pub channel: Channel,
    /// The day of submission (in person), of signing (post), or of arrival (mail, online, fax).
    pub received: Date,
    /// For mail, online and fax: the confirmation day, which is the receipt date. When
    /// absent the arrival day is taken as confirmed (and the steps say so).
    pub confirmed: Option<Date>,
    /// A correction request, if any.
    pub correction: Option<Correction>,
    /// Consultations of third parties or other agencies.
    pub consultations: Vec<Consultation>,
    /// Other excluded periods (inclusive), e.g. from `gongkai deadline --pause`.
    pub pauses: Vec<DateRange>,
    /// The one extension, if approved.
    pub extension: Option<Extension>,
    /// A fee notice, if one was sent.
    pub fee: Option<FeeNotice>,
    /// The day the reply was made.
    pub decided: Option<Date>,
}

impl CaseFacts {
    /// Facts with only a channel and a receipt date.
    pub fn new(channel: Channel, received: Date) -> Self {
        Self {
            channel,
            received,
            confirmed: None,
            correction: None,
            consultations: Vec::new(),
            pauses: Vec::new(),
            extension: None,
            fee: None,
            decided: None,
        }
    }
}

/// Where the case stands on the evaluation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockState {
    /// The clock is running and the deadline has not passed.
    Running,
    /// The clock is stopped: awaiting a correction, a consultation, a payment, or a pause.
    Paused,
    /// The deadline has passed without a reply.
    Overdue,
    /// The application is deemed abandoned (no correction, or no payment, in time).
    Lapsed,
    /// A reply has been made.
    Decided,
}

impl ClockState {
    /// `running`, `paused`, `overdue`, `lapsed`, `decided`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Overdue => "overdue",
            Self::Lapsed => "lapsed",
            Self::Decided => "decided",
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Running => "计时中",
            Self::Paused => "暂停计时",
            Self::Overdue => "已逾期",
            Self::Lapsed => "已终止（视为放弃申请）",
            Self::Decided => "已答复",
        }
    }
}

impl fmt::Display for ClockState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a period is excluded from the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExclusionKind {
    /// Third-party consultation (Art. 32).
    ThirdParty,
    /// Consultation of another agency (Arts. 33 ¶3, 34).
    OtherAgency,
    /// Another pause given by the caller.
    Pause,
    /// Fee notice to payment.
    Fee,
}

impl ExclusionKind {
    fn label_zh(self) -> &'static str {
        match self {
            Self::ThirdParty => "征求第三方意见期间",
            Self::OtherAgency => "征求其他机关意见期间",
            Self::Pause => "暂停计算期间",
            Self::Fee => "收费通知发出至缴费期间",
        }
    }
}

/// An excluded period as applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedPeriod {
    /// Why.
    pub kind: ExclusionKind,
    /// First excluded day.
    #[serde(with = "serde_date")]
    pub from: Date,
    /// Last excluded day; `None` while open.
    #[serde(with = "serde_date::option")]
    pub to: Option<Date>,
    /// Working days of the clock's window that it removed, when computable.
    pub working_days: Option<u32>,
}

/// A value of the clock that the loaded calendar cannot fix yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockValue {
    /// The reply deadline (with the extension, if any).
    Due,
    /// The deadline without the extension.
    OriginalDue,
    /// The first counted working day.
    FirstCountedDay,
    /// Working days used and remaining on the evaluation date.
    Used,
    /// The last day to ask for a correction.
    CorrectionNoticeDeadline,
    /// The last day to pay a fee.
    FeePaymentDeadline,
    /// A consultee's last day to answer.
    ConsultationReplyDeadline,
}

impl ClockValue {
    /// The value's name in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Due => "答复期限",
            Self::OriginalDue => "原答复期限",
            Self::FirstCountedDay => "起算日",
            Self::Used => "已用和剩余工作日",
            Self::CorrectionNoticeDeadline => "补正告知期限",
            Self::FeePaymentDeadline => "缴费期限",
            Self::ConsultationReplyDeadline => "征求意见答复期限",
        }
    }
}

/// One value that needs a holiday notice that is not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct NotComputable {
    /// Which value.
    pub what: ClockValue,
    /// The notice year it needs.
    pub year: i32,
}

impl NotComputable {
    /// The message shown to staff and applicants, e.g.
    /// 「2027年节假日安排尚未导入，延期后期限暂无法计算」.
    pub fn message_zh(&self, extended: bool) -> String {
        let what = match self.what {
            ClockValue::Due if extended => "延期后期限",
            w => w.label_zh(),
        };
        format!("{}年节假日安排尚未导入，{what}暂无法计算", self.year)
    }
}

/// The evaluated clock.
///
/// Every date is computed when the days it needs lie in loaded notice years; a value that
/// needs a missing year is `None` (or, for `used`/`remaining`, counted only up to the last
/// known day) and listed in `not_computable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockReport {
    /// The reply deadline (last day), or `None` while it cannot be fixed (awaiting a
    /// correction, or an open excluded period).
    #[serde(with = "serde_date::option")]
    pub due: Option<Date>,
    /// Working days allowed: 20 plus the extension.
    pub working_days: u32,
    /// Working days used on `on`.
    pub used: u32,
    /// Working days remaining on `on` (0 when overdue).
    pub remaining: u32,
    /// State on `on`.
    pub state: ClockState,
    /// Each step of the computation, in Chinese.
    pub steps: Vec<String>,
    /// Irregularities found (also listed in `steps`, prefixed `注意：`).
    pub warnings: Vec<String>,
    /// The evaluation date.
    #[serde(with = "serde_date")]
    pub on: Date,
    /// Submission channel.
    pub channel: Channel,
    /// The statutory receipt date of the application (Art. 31).
    #[serde(with = "serde_date")]
    pub received: Date,
    /// The date counting is based on: the receipt date, or the corrected application's
    /// receipt date after a correction.
    #[serde(with = "serde_date")]
    pub clock_start: Date,
    /// The first counted working day, when known.
    #[serde(with = "serde_date::option")]
    pub first_counted_day: Option<Date>,
    /// The statutory base (20).
    pub base_days: u32,
    /// Approved extension (0 if none).
    pub extension_days: u32,
    /// The deadline without the extension.
    #[serde(with = "serde_date::option")]
    pub original_due: Option<Date>,
    /// Working days past the deadline on `on` (when overdue and computable).
    pub overdue_working_days: Option<u32>,
    /// The reply date, if any.
    #[serde(with = "serde_date::option")]
    pub decided: Option<Date>,
    /// Whether the reply was made by the deadline.
    pub decided_on_time: Option<bool>,
    /// Last day to ask for a correction (7 working days after receipt), if one was asked.
    #[serde(with = "serde_date::option")]
    pub correction_notice_deadline: Option<Date>,
    /// Last day for the applicant to pay, if a fee notice was sent.
    #[serde(with = "serde_date::option")]
    pub fee_payment_deadline: Option<Date>,
    /// How the fee interval was treated.
    pub fee_interval: FeeInterval,
    /// Last day for each consultee to answer (15 working days from the start).
    #[serde(serialize_with = "ser_dates")]
    pub consultation_reply_deadlines: Vec<Date>,
    /// The day the application was deemed abandoned, if it lapsed.
    #[serde(with = "serde_date::option")]
    pub lapsed_on: Option<Date>,
    /// The excluded periods.
    pub excluded: Vec<ExcludedPeriod>,
    /// Values the loaded calendar cannot fix yet, with the notice year each needs.
    pub not_computable: Vec<NotComputable>,
}

impl ClockReport {
    /// Whether `what` needs a notice that is not loaded; the year it needs.
    pub fn missing_year_for(&self, what: ClockValue) -> Option<i32> {
        self.not_computable
            .iter()
            .find(|n| n.what == what)
            .map(|n| n.year)
    }

    /// The notice years the report needs and lacks, ascending.
    pub fn missing_years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.not_computable.iter().map(|n| n.year).collect();
        y.sort_unstable();
        y.dedup();
        y
    }

    /// The reply deadline cannot be fixed because a notice year is missing.
    pub fn due_not_computable(&self) -> Option<NotComputable> {
        self.not_computable
            .iter()
            .find(|n| n.what == ClockValue::Due)
            .copied()
    }

    /// The result in plain Chinese, one line a fact: the deadline (or why it cannot be fixed
    /// yet), the deadline before an extension, the time limit, used and remaining days, the
    /// state. The CLI prints these lines; the web calculator shows them.
    pub fn summary_zh(&self) -> Vec<String> {
        use crate::date::{format_date, weekday_zh};
        let day = |d: Date| format!("{}（{}）", format_date(d), weekday_zh(d));
        let mut lines = Vec::new();
        lines.push(match (self.due, self.due_not_computable()) {
            (Some(d), _) => format!("答复期限届满日：{}", day(d)),
            (None, Some(n)) => format!("答复期限届满日：{}", n.message_zh(self.extension_days > 0)),
            (None, None) => "答复期限届满日：暂不能确定（见计算过程）".to_string(),
        });
        if self.extension_days > 0
            && let Some(d) = self.original_due
        {
            lines.push(format!("原答复期限届满日（延长前）：{}", day(d)));
        }
        lines.push(if self.extension_days > 0 {
            format!(
                "答复期限：{}个工作日（{}个工作日，经批准延长{}个）",
                self.working_days, self.base_days, self.extension_days
            )
        } else {
            format!("答复期限：{}个工作日", self.working_days)
        });
        lines.push(match self.missing_year_for(ClockValue::Used) {
            None => format!(
                "截至{}：已用{}个工作日，剩余{}个工作日",
                format_date(self.on),
                self.used,
                self.remaining
            ),
            Some(y) => format!(
                "截至{}：{y}年节假日安排尚未导入，已用和剩余工作日暂无法计算",
                format_date(self.on)
            ),
        });
        let mut state = format!("状态：{}", self.state.label_zh());
        if self.state == ClockState::Overdue
            && let Some(n) = self.overdue_working_days
        {
            state.push_str(&format!("（逾期{n}个工作日）"));
        }
        if let Some(ok) = self.decided_on_time {
            state.push_str(if ok {
                "；按期答复"
            } else {
                "；逾期答复"
            });
        }
        lines.push(state);
        lines
    }
}

/// A missing notice year becomes a `None` recorded in `nc`; other errors stay errors.
fn soft<T>(
    r: Result<T, CalendarError>,
    what: ClockValue,
    nc: &mut Vec<NotComputable>,
) -> Result<Option<T>, ClockError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(CalendarError::MissingYear { year }) => {
            if !nc.iter().any(|n| n.what == what) {
                nc.push(NotComputable { what, year });
            }
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn ser_dates<S: serde::Serializer>(v: &[Date], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|d| format_date(*d)))
}

/// Counting helper: excluded closed ranges plus an optional open exclusion `[open_from, ∞)`.
struct Exclusions {
    closed: Vec<DateRange>,
    open_from: Option<Date>,
}

impl Exclusions {
    fn excludes(&self, d: Date) -> bool {
        self.open_from.is_some_and(|o| d >= o) || self.closed.iter().any(|r| r.contains(d))
    }

    /// The `n`th counted working day after `start`, or `None` if the open exclusion is
    /// reached first.
    fn add(&self, cal: &Calendar, start: Date, n: u32) -> Result<Option<Date>, CalendarError> {
        let mut d = start;
        let mut counted = 0;
        while counted < n {
            d = d.next_day().ok_or(CalendarError::OutOfRange)?;
            if self.open_from.is_some_and(|o| d >= o) {
                return Ok(None);
            }
            if self.excludes(d) {
                continue;
            }
            if cal.is_working_day(d)? {
                counted += 1;
            }
        }
        Ok(Some(d))
    }

    /// Counted working days in `(from, to]`.
    fn count(&self, cal: &Calendar, from: Date, to: Date) -> Result<u32, CalendarError> {
        match self.count_known(cal, from, to)? {
            (n, None) => Ok(n),
            (_, Some(year)) => Err(CalendarError::MissingYear { year }),
        }
    }

    /// Counted working days in `(from, to]` up to the first day whose notice is missing,
    /// and that notice year.
    fn count_known(
        &self,
        cal: &Calendar,
        from: Date,
        to: Date,
    ) -> Result<(u32, Option<i32>), CalendarError> {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.next_day().ok_or(CalendarError::OutOfRange)?;
            if self.open_from.is_some_and(|o| d >= o) {
                break;
            }
            if self.excludes(d) {
                continue;
            }
            match cal.is_working_day(d) {
                Ok(true) => n += 1,
                Ok(false) => {}
                Err(CalendarError::MissingYear { year }) => return Ok((n, Some(year))),
                Err(e) => return Err(e),
            }
        }
        Ok((n, None))
    }
}

fn fd(d: Date) -> String {
    format_date(d)
}

fn before_receipt(what: &'static str, what_en: &'static str, d: Date, receipt: Date) -> ClockError {
    ClockError::BeforeReceipt {
        what,
        what_en,
        date: fd(d),
        receipt: fd(receipt),
    }
}

fn reversed(what: &'static str, what_en: &'static str, from: Date, to: Date) -> ClockError {
    ClockError::Reversed {
        what,
        what_en,
        from: fd(from),
        to: fd(to),
    }
}

/// The date after the fee measures took effect (2021-01-01).
const FEE_MEASURES_IN_FORCE: (i32, u8, u8) = (2021, 1, 1);

/// Evaluates the statutory clock for `facts` on the date `on`.
///
/// Errors: [`ClockError::Calendar`] with `MissingYear` when a needed notice year is not
/// loaded (never guessed), or an invalid combination of facts.
pub fn evaluate(
    cal: &Calendar,
    facts: &CaseFacts,
    settings: &ClockSettings,
    on: Date,
) -> Result<ClockReport, ClockError> {
    let mut steps: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut nc: Vec<NotComputable> = Vec::new();
    let mut warn = |steps: &mut Vec<String>, w: String| {
        steps.push(format!("注意：{w}"));
        warnings.push(w);
    };

    // --- Extension validity -------------------------------------------------------
    let extension_days = match facts.extension {
        None => 0,
        Some(e) if e.days == 0 => return Err(ClockError::ExtensionZero),
        Some(e) if e.days > Extension::MAX_DAYS => {
            return Err(ClockError::ExtensionTooLong { days: e.days });
        }
        Some(e) => e.days,
    };
    let base_days = settings.base_days;
    let total = base_days + extension_days;

    // --- Receipt date by channel (Art. 31) -----------------------------------------
    let arrived = facts.received;
    let receipt = if facts.channel.needs_confirmation() {
        match facts.confirmed {
            Some(c) if c < arrived => {
                return Err(ClockError::Reversed {
                    what: "收到至确认",
                    what_en: "arrival to confirmation",
                    from: fd(arrived),
                    to: fd(c),
                });
            }
            Some(c) => c,
            None => arrived,
        }
    } else {
        arrived
    };
    cal.check_coverage(receipt)?;
    match (facts.channel, facts.confirmed) {
        (Channel::InPerson, _) => steps.push(format!(
            "{} 收到申请（当面提交，提交之日为收到申请之日）",
            fd(receipt)
        )),
        (Channel::Post, _) => steps.push(format!(
            "{} 签收申请（以邮寄方式提交，签收之日为收到申请之日）",
            fd(receipt)
        )),
        (Channel::Mail, Some(c)) if c != arrived => steps.push(format!(
            "{} 收到平常信函，{} 与申请人确认（平常信函以确认之日为收到申请之日）",
            fd(arrived),
            fd(c)
        )),
        (Channel::Mail, Some(_)) => steps.push(format!(
            "{} 收到平常信函并当日与申请人确认（确认之日为收到申请之日）",
            fd(receipt)
        )),
        (Channel::Mail, None) => steps.push(format!(
            "{} 收到平常信函（未记录确认日期，按收到当日与申请人确认计；确认之日为收到申请之日）",
            fd(receipt)
        )),
        (Channel::Online | Channel::Fax, c) => {
            let via = if facts.channel == Channel::Online {
                "通过互联网渠道"
            } else {
                "通过政府信息公开工作机构的传真"
            };
            match c {
                Some(c) if c != arrived => steps.push(format!(
                    "{} {via}提交申请，{} 双方确认（以双方确认之日为收到申请之日）",
                    fd(arrived),
                    fd(c)
                )),
                Some(_) => steps.push(format!(
                    "{} {via}提交申请并经双方确认（以双方确认之日为收到申请之日）",
                    fd(receipt)
                )),
                None => steps.push(format!(
                    "{} {via}提交申请（未记录双方确认日期，按当日确认计；以双方确认之日为收到申请之日）",
                    fd(receipt)
                )),
            }
        }
    }

    // --- Correction (Art. 30) ------------------------------------------------------
    let mut clock_start = receipt;
    let mut awaiting_correction_since: Option<Date> = None;
    let mut correction_requested: Option<Date> = None;
    let mut correction_notice_deadline = None;
    let mut lapses: Vec<(Date, &'static str)> = Vec::new();
    if let Some(c) = facts.correction {
        if let Some(r) = c.requested
            && r < receipt
        {
            return Err(before_receipt(
                "补正告知日期",
                "correction request",
                r,
                receipt,
            ));
        }
        let requested = c.requested.unwrap_or(receipt);
        let limit = soft(
            cal.add_working_days(receipt, settings.correction_notice_days),
            ClockValue::CorrectionNoticeDeadline,
            &mut nc,
        )?;
        correction_notice_deadline = limit;
        correction_requested = Some(requested);
        let mut s = match c.requested {
            Some(r) => format!("{} 一次性书面告知申请人补正", fd(r)),
            None => "书面告知申请人补正（告知日期未记录）".to_owned(),
        };
        if let Some(dl) = c.deadline {
            if dl < requested {
                return Err(reversed("补正期限", "correction period", requested, dl));
            }
            s.push_str(&format!("，补正期限至{}", fd(dl)));
        }
        match limit {
            Some(limit) => s.push_str(&format!(
                "（应在收到申请之日起{}个工作日内告知，即不晚于{}）",
                settings.correction_notice_days,
                fd(limit)
            )),
            None => s.push_str(&format!(
                "（应在收到申请之日起{}个工作日内告知）",
                settings.correction_notice_days
            )),
        }
        steps.push(s);
        if let Some(r) = c.requested
            && let Some(limit) = limit
            && r > limit
        {
            warn(
                &mut steps,
                format!(
                    "补正告知日{}晚于收到申请之日起{}个工作日（{}）",
                    fd(r),
                    settings.correction_notice_days,
                    fd(limit)
                ),
            );
        }
        match c.corrected {
            Some(cd) => {
                if cd < requested {
                    return Err(reversed("补正", "correction", requested, cd));
                }
                cal.check_coverage(cd)?;
                clock_start = cd;
                steps.push(format!(
                    "{} 收到补正后的申请，答复期限自收到补正申请之日起重新计算",
                    fd(cd)
                ));
                if let Some(dl) = c.deadline
                    && cd > dl
                {
                    warn(
                        &mut steps,
                        format!(
                            "补正晚于补正期限{}；无正当理由逾期不补正的，视为放弃申请",
                            fd(dl)
                        ),
                    );
                }
            }
            None => {
                awaiting_correction_since = Some(requested);
                match c.deadline {
                    Some(dl) => {
                        let lapse = dl.next_day().ok_or(CalendarError::OutOfRange)?;
                        lapses.push((lapse, "correction"));
                        steps.push(format!(
                            "尚未收到补正；申请人无正当理由逾期（{}后）不补正的，视为放弃申请",
                            fd(dl)
                        ));
                    }
                    None => warn(
                        &mut steps,
                        "未记录补正期限，无法判断申请人是否逾期不补正".to_owned(),
                    ),
                }
            }
        }
    }

    // --- Excluded periods (Art. 33 ¶3, pauses, fee) ----------------------------------
    let mut periods: Vec<(ExclusionKind, Date, Option<Date>)> = Vec::new();
    let mut consultation_reply_deadlines = Vec::new();
    let mut consultation_steps = Vec::new();
    for c in &facts.consultations {
        let (kind, what, what_en) = match c.kind {
            ConsultationKind::ThirdParty => (
                ExclusionKind::ThirdParty,
                "征求第三方意见",
                "third-party consultation",
            ),
            ConsultationKind::OtherAgency => (
                ExclusionKind::OtherAgency,
                "征求其他机关意见",
                "consultation of another agency",
            ),
        };
        if c.start < receipt {
            return Err(before_receipt(what, what_en, c.start, receipt));
        }
        if let Some(e) = c.end
            && e < c.start
        {
            return Err(reversed(what, what_en, c.start, e));
        }
        let reply_by = soft(
            cal.add_working_days(c.start, settings.consultation_reply_days),
            ClockValue::ConsultationReplyDeadline,
            &mut nc,
        )?;
        consultation_reply_deadlines.extend(reply_by);
        let reply_by = reply_by.map_or_else(|| "暂无法计算".to_owned(), fd);
        consultation_steps.push(match c.kind {
            ConsultationKind::ThirdParty => format!(
                "{} 书面征求第三方意见；第三方应自收到征求意见书之日起{}个工作日内提出意见（按当日收到计，至{}），逾期未提出的由本机关依法决定",
                fd(c.start),
                settings.consultation_reply_days,
                reply_by
            ),
            ConsultationKind::OtherAgency => format!(
                "{} 征求其他有关机关意见；被征求意见机关应自收到之日起{}个工作日内提出意见（按当日收到计，至{}），逾期未提出的视为同意公开",
                fd(c.start),
                settings.consultation_reply_days,
                reply_by
            ),
        });
        periods.push((kind, c.start, c.end));
    }
    for p in &facts.pauses {
        periods.push((ExclusionKind::Pause, p.from, Some(p.to)));
    }
    let mut fee_payment_deadline = None;
    let mut fee_steps = Vec::new();
    let mut fee_warnings = Vec::new();
    if let Some(f) = facts.fee {
        if f.sent < receipt {
            return Err(before_receipt("收费通知", "fee notice", f.sent, receipt));
        }
        let got = f.received.unwrap_or(f.sent);
        if got < f.sent {
            return Err(reversed("收费通知送达", "fee notice delivery", f.sent, got));
        }
        let pay_by = soft(
            cal.add_working_days(got, settings.fee_payment_days),
            ClockValue::FeePaymentDeadline,
            &mut nc,
        )?;
        fee_payment_deadline = pay_by;
        let (y, m, d) = FEE_MEASURES_IN_FORCE;
        if (f.sent.year(), u8::from(f.sent.month()), f.sent.day()) < (y, m, d) {
            fee_warnings.push(
                "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）自2021年1月1日起施行，此前不应收费"
                    .to_owned(),
            );
        }
        let mut s = format!("{} 发出收费通知", fd(f.sent));
        if got != f.sent {
            s.push_str(&format!("，申请人{}收到", fd(got)));
        }
        s.push_str(&format!(
            "；申请人应自收到收费通知次日起{}个工作日内缴费",
            settings.fee_payment_days
        ));
        if let Some(pay_by) = pay_by {
            s.push_str(&format!("，即不晚于{}", fd(pay_by)));
        }
        fee_steps.push(s);
        match f.paid {
            Some(p) => {
                if p < f.sent {
                    return Err(reversed(
                        "收费通知至缴费",
                        "fee notice to payment",
                        f.sent,
                        p,
                    ));
                }
                fee_steps.push(format!("{} 申请人缴纳费用", fd(p)));
                if let Some(pay_by) = pay_by
                    && p > pay_by
                {
                    fee_warnings.push(format!(
                        "缴费日{}晚于缴费期限{}；逾期未缴费的，视为放弃申请",
                        fd(p),
                        fd(pay_by)
                    ));
                }
            }
            None => match pay_by {
                Some(pay_by) => {
                    let lapse = pay_by.next_day().ok_or(CalendarError::OutOfRange)?;
                    lapses.push((lapse, "fee"));
                    fee_steps.push(format!(
                        "尚未缴费；申请人逾期（{}后）未缴纳的，视为放弃申请，不再处理",
                        fd(pay_by)
                    ));
                }
                None => fee_steps
                    .push("尚未缴费；申请人逾期未缴纳的，视为放弃申请，不再处理".to_owned()),
            },
        }
        match settings.fee_interval {
            FeeInterval::Excluded => periods.push((ExclusionKind::Fee, f.sent, f.paid)),
            FeeInterval::Counted => {
                fee_steps.push("按本机关设置，收费通知发出至缴费期间计入答复期限".to_owned())
            }
        }
    }
    if let Some(dd) = facts.decided
        && dd < receipt
    {
        return Err(before_receipt("答复日期", "decision", dd, receipt));
    }
    // A decision ends every open period.
    let periods: Vec<(ExclusionKind, Date, Option<Date>)> = periods
        .into_iter()
        .map(|(k, from, to)| (k, from, to.or(facts.decided.map(|d| d.max(from)))))
        .collect();
    let mut sorted_periods = periods.clone();
    sorted_periods.sort_by_key(|(_, from, to)| (*from, *to));
    let ex = Exclusions {
        closed: sorted_periods
            .iter()
            .filter_map(|(_, from, to)| to.map(|to| DateRange { from: *from, to }))
            .collect(),
        open_from: sorted_periods
            .iter()
            .filter(|(_, _, to)| to.is_none())
            .map(|(_, from, _)| *from)
            .min(),
    };

    // --- Deadline ------------------------------------------------------------------
    let awaiting = awaiting_correction_since.is_some();
    let (first_counted_day, original_due, due) = if awaiting {
        (None, None, None)
    } else {
        let first = soft(
            ex.add(cal, clock_start, 1),
            ClockValue::FirstCountedDay,
            &mut nc,
        )?
        .flatten();
        let original = soft(
            ex.add(cal, clock_start, base_days),
            ClockValue::OriginalDue,
            &mut nc,
        )?
        .flatten();
        let due = if total == base_days {
            if let Some(n) = nc.iter().find(|n| n.what == ClockValue::OriginalDue) {
                nc.push(NotComputable {
                    what: ClockValue::Due,
                    year: n.year,
                });
            }
            original
        } else {
            soft(ex.add(cal, clock_start, total), ClockValue::Due, &mut nc)?.flatten()
        };
        (first, original, due)
    };
    if !awaiting {
        match first_counted_day {
            Some(f) => steps.push(format!(
                "自次一工作日（{}）起计算，{}个工作日",
                fd(f),
                base_days
            )),
            None => steps.push(format!("自次一工作日起计算，{}个工作日", base_days)),
        }
    }

    // Calendar facts inside the window the clock ran over.
    // Without a due date the clock ran until `on`, or until an open period began.
    let open_until = ex.open_from.and_then(Date::previous_day);
    let horizon = due.unwrap_or_else(|| open_until.map_or(on, |o| on.min(o)).max(clock_start));
    if !awaiting
        && let Some(window) = clock_start
            .next_day()
            .and_then(|s| DateRange::new(s, horizon))
    {
        for r in cal.holiday_ranges_overlapping(window) {
            steps.push(format!("{}为{}假期，不计入", r.range().to_zh(), r.name));
        }
        for d in cal.unnamed_holidays_in(window) {
            steps.push(format!("{}为法定节假日，不计入", fd(d)));
        }
        for d in cal.adjusted_workdays_in(window) {
            if !ex.excludes(d) {
                steps.push(format!(
                    "{}（{}）为调休上班日，计为工作日",
                    fd(d),
                    weekday_zh(d)
                ));
            }
        }
    }
    steps.extend(consultation_steps);
    let mut excluded = Vec::new();
    for (kind, from, to) in &sorted_periods {
        let label = kind.label_zh();
        let working_days = match *to {
            Some(to) if !awaiting => {
                let lo = (*from).max(clock_start.next_day().unwrap_or(clock_start));
                let hi = to.min(horizon);
                if lo > hi {
                    Some(0)
                } else {
                    let only = Exclusions {
                        closed: Vec::new(),
                        open_from: None,
                    };
                    let prev = lo.previous_day().unwrap_or(lo);
                    only.count(cal, prev, hi).ok()
                }
            }
            _ => None,
        };
        let text = match *to {
            Some(to) => {
                let r = DateRange { from: *from, to };
                let mut s = format!("{label}{}不计入", r.to_zh());
                if due.is_some_and(|d| *from > d) {
                    s.push_str("（在答复期限届满之后，不影响答复期限）");
                } else if to <= clock_start {
                    s.push_str("（在计算起点之前，不影响答复期限）");
                } else if let Some(n) = working_days {
                    s.push_str(&format!("（其中{n}个工作日）"));
                }
                s
            }
            None => format!("{label}自{}起尚未结束，答复期限暂停计算", fd(*from)),
        };
        steps.push(text);
        excluded.push(ExcludedPeriod {
            kind: *kind,
            from: *from,
            to: *to,
            working_days,
        });
    }
    steps.extend(fee_steps);
    for w in fee_warnings {
        warn(&mut steps, w);
    }
    if extension_days > 0 {
        if let Some(od) = original_due {
            steps.push(format!("原答复期限届满日：{}", fd(od)));
        }
        let mut s = format!(
            "经批准延长答复期限{}个工作日，共{}个工作日（延长以一次为限，最长20个工作日）",
            extension_days, total
        );
        if let Some(a) = facts.extension.and_then(|e| e.approved) {
            s = format!("{} {s}", fd(a));
        }
        steps.push(s);
        if let (Some(a), Some(od)) = (facts.extension.and_then(|e| e.approved), original_due)
            && a > od
        {
            warn(
                &mut steps,
                format!(
                    "延长答复期限应在原答复期限（{}）届满前批准并告知申请人",
                    fd(od)
                ),
            );
        }
    }
    let due_missing = nc.iter().find(|n| n.what == ClockValue::Due).copied();
    match due {
        Some(d) => steps.push(format!("答复期限届满日：{}", fd(d))),
        None if due_missing.is_some() => {
            let n = due_missing.expect("checked");
            steps.push(format!(
                "{}（导入{}年国务院办公厅节假日安排后自动计算）",
                n.message_zh(extension_days > 0),
                n.year
            ));
        }
        None if awaiting => {
            steps.push("尚未收到补正后的申请，答复期限自收到补正申请之日起计算".to_owned())
        }
        None => steps.push("存在尚未结束的不计入期间，答复期限届满日待该期间结束后确定".to_owned()),
    }

    // --- Decision --------------------------------------------------------------------
    let decided_on_time = match (facts.decided, due) {
        (Some(dd), Some(d)) => Some(dd <= d),
        _ => None,
    };
    if let Some(dd) = facts.decided {
        let s = match decided_on_time {
            Some(true) => format!("{} 作出答复，在答复期限内", fd(dd)),
            Some(false) => {
                let late = due
                    .and_then(|d| cal.working_days_between_excluding(d, dd, &ex.closed).ok())
                    .map(|n| format!("{n}个工作日"))
                    .unwrap_or_default();
                format!("{} 作出答复，超过答复期限{late}", fd(dd))
            }
            None => format!("{} 作出答复", fd(dd)),
        };
        steps.push(s);
    }

    // --- State on `on` -----------------------------------------------------------------
    lapses.sort();
    let lapsed_on = lapses.first().map(|(d, _)| *d).filter(|l| {
        // A decision made before the lapse date prevents the lapse.
        facts.decided.is_none_or(|dd| dd >= *l)
    });
    let decided_by_on = facts.decided.filter(|dd| *dd <= on);
    let before_correction_request = correction_requested.is_some_and(|r| on < r);
    let awaiting_on = !before_correction_request
        && correction_requested.is_some()
        && (awaiting || on < clock_start);
    let in_pause = periods
        .iter()
        .any(|(_, from, to)| *from <= on && to.is_none_or(|t| on <= t));

    let state = if let Some(l) = lapsed_on.filter(|l| *l <= on) {
        let why = match lapses.iter().find(|(d, _)| *d == l).map(|(_, w)| *w) {
            Some("fee") => "申请人逾期未缴纳信息处理费",
            _ => "申请人逾期未补正",
        };
        steps.push(format!("{why}，自{}起视为放弃申请，不再处理", fd(l)));
        ClockState::Lapsed
    } else if decided_by_on.is_some() {
        ClockState::Decided
    } else if awaiting_on || (!before_correction_request && in_pause) {
        ClockState::Paused
    } else if !before_correction_request && due.is_some_and(|d| on > d) {
        ClockState::Overdue
    } else {
        ClockState::Running
    };

    let (used, used_missing) = if before_correction_request {
        ex.count_known(cal, receipt, on)?
    } else if awaiting_on || on <= clock_start {
        (0, None)
    } else {
        let mut end = on;
        if let Some(d) = due {
            end = end.min(d);
        }
        if let Some(dd) = decided_by_on {
            end = end.min(dd);
        }
        ex.count_known(cal, clock_start, end)?
    };
    if let Some(year) = used_missing {
        nc.push(NotComputable {
            what: ClockValue::Used,
            year,
        });
    }
    let remaining = total.saturating_sub(used);
    let overdue_working_days = match (state, due) {
        (ClockState::Overdue, Some(d)) => cal
            .working_days_between_excluding(d, on, &ex.closed)
            .ok()
            .and_then(|n| u32::try_from(n).ok()),
        _ => None,
    };
    let mut s = match used_missing {
        None => format!(
            "截至{}：已用{}个工作日，剩余{}个工作日；状态：{}",
            fd(on),
            used,
            remaining,
            state.label_zh()
        ),
        Some(year) => format!(
            "截至{}：{year}年节假日安排尚未导入，已用和剩余工作日暂无法计算（已知日期内已用{}个工作日）；状态：{}",
            fd(on),
            used,
            state.label_zh()
        ),
    };
    if let Some(n) = overdue_working_days {
        s.push_str(&format!("（已逾期{n}个工作日）"));
    }
    steps.push(s);

    Ok(ClockReport {
        due,
        working_days: total,
        used,
        remaining,
        state,
        steps,
        warnings,
        on,
        channel: facts.channel,
        received: receipt,
        clock_start,
        first_counted_day,
        base_days,
        extension_days,
        original_due,
        overdue_working_days,
        decided: facts.decided,
        decided_on_time,
        correction_notice_deadline,
        fee_payment_deadline,
        fee_interval: settings.fee_interval,
        consultation_reply_deadlines,
        lapsed_on,
        excluded,
        not_computable: nc,
    })
}
