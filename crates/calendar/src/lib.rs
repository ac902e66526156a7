//! # gongkai-calendar
//!
//! The official PRC working-day calendar (国务院办公厅 holiday notices, with their 调休
//! make-up working weekends) and the statutory reply clock of the
//! 《中华人民共和国政府信息公开条例》 (Arts. 30–33) and the fee measures
//! (国办函〔2020〕109号).
//!
//! Pure: no IO. The notices 2019–2026 are embedded ([`BUILTIN_HOLIDAYS_JSON`]); later
//! notices are passed in by the caller as text ([`Calendar::import_str`]).
//!
//! ## Working days
//!
//! A date is a working day iff it is Monday–Friday and not inside an announced holiday
//! period, or it is an announced make-up working day (调休上班).
//!
//! **Coverage (fail closed).** Notices are keyed by notice year, and some dates of the
//! preceding December belong to the next year's notice (2018-12-29/30/31 in the 2019
//! notice; 2022-12-31 in 2023). A date in calendar year Y therefore needs notice Y, and
//! December 30–31 and a weekend December 29 also need notice Y+1 (the 元旦 break is at most
//! three days, its make-up days are weekend days). Any question touching a date whose
//! notice is not loaded fails with [`CalendarError::MissingYear`] naming the year; the
//! calendar never falls back to plain weekends.
//!
//! **Counting.** The starting day is not counted; counting begins with the next working
//! day, and the result of [`Calendar::add_working_days`]`(start, n)` is the `n`th counted
//! working day. [`Calendar::working_days_between`]`(a, b)` counts working days `d` with
//! `a < d <= b`, so it inverts `add_working_days`.
//!
//! ```
//! use gongkai_calendar::Calendar;
//! use time::macros::date;
//!
//! let cal = Calendar::builtin();
//! // Received on 2024-09-30 (Mon): 国庆节 10-01..07 is off, 10-12 (Sat) is a make-up day.
//! assert_eq!(cal.add_working_days(date!(2024 - 09 - 30), 20).unwrap(), date!(2024 - 11 - 01));
//! assert!(cal.is_working_day(date!(2024 - 10 - 12)).unwrap());
//! // 2027 is not loaded: refuse, naming the year.
//! let err = cal.is_working_day(date!(2027 - 03 - 01)).unwrap_err();
//! assert_eq!(err.missing_year(), Some(2027));
//! ```
//!
//! ## The statutory clock
//!
//! [`evaluate`] takes the facts of a case ([`CaseFacts`]) and a date, and returns a
//! [`ClockReport`]: the due date, the working days allowed, used and remaining, the state
//! ([`ClockState`]: running / paused / overdue / lapsed / decided) and the steps of the
//! computation in Chinese. Rules:
//!
//! - receipt date by channel (Art. 31): in person = submission day; post requiring
//!   signature = signing day; ordinary mail = the day the office confirmed with the
//!   applicant; online / fax = the day both sides confirmed;
//! - 20 working days from receipt (Art. 33), extendable once by at most 20 working days;
//! - correction (Art. 30): to be requested within 7 working days of receipt (a later
//!   request is flagged); the clock restarts from the corrected application's receipt;
//!   no correction by the applicant's deadline → lapsed;
//! - third-party and other-agency consultation time is excluded (Art. 33 ¶3); the
//!   consultee's 15-working-day window is reported;
//! - fee notice: payment due within 20 working days from the day after receiving it;
//!   unpaid after that → lapsed; the notice→payment interval is excluded by default
//!   ([`FeeInterval`] in [`ClockSettings`] makes this a per-deployment setting);
//! - excluded periods are inclusive: no working day from their first through their last
//!   day is counted.
//!
//! ```
//! use gongkai_calendar::{Calendar, CaseFacts, Channel, ClockSettings, DateRange, evaluate};
//! use time::macros::date;
//!
//! let cal = Calendar::builtin();
//! let mut facts = CaseFacts::new(Channel::InPerson, date!(2024 - 09 - 30));
//! facts.pauses.push(DateRange::new(date!(2024 - 10 - 10), date!(2024 - 10 - 15)).unwrap());
//! let r = evaluate(&cal, &facts, &ClockSettings::default(), date!(2024 - 10 - 21)).unwrap();
//! assert_eq!(r.due, Some(date!(2024 - 11 - 08)));
//! assert_eq!(r.used, 6); // 10-08, 10-09, 10-16, 10-17, 10-18 and 10-21 itself
//! assert_eq!(r.remaining, 14);
//! ```
//!
//! ## Notice file format (run-time import)
//!
//! A UTF-8 JSON file in one of two shapes:
//!
//! 1. **One year**: an object with a `year` key, otherwise shaped like one year entry of
//!    `holidays.json`:
//!    ```json
//!    {
//!      "year": 2027,
//!      "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
//!      "workdays": ["2026-12-27"],
//!      "ranges": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "days": 3}],
//!      "notices": ["国务院办公厅关于2027年部分节假日安排的通知"]
//!    }
//!    ```
//! 2. **Several years**: a `holidays.json`-shaped object whose keys are four-digit years
//!    (keys starting with `_`, like `_meta`, are ignored), each value a year entry as above
//!    (its `year`, if present, must equal the key).
//!
//! Keys of a year entry:
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `holidays` | yes, non-empty | every date inside the announced 放假 periods (weekend dates included) |
//! | `workdays` | yes (may be `[]`) | weekend dates announced as 调休上班 |
//! | `ranges` | no | named periods `{name, from, to, days?}`; used to name holidays in explanations |
//! | `confirmed` | no | `false` is refused (never load a guess) |
//! | `notices`, `official_urls` | no | arrays of strings |
//! | `notes` | no | string |
//!
//! Other keys are ignored. Validation: dates are `YYYY-MM-DD` and lie in the notice year
//! or its preceding December; no date is listed twice or as both holiday and workday;
//! every workday is a Saturday or Sunday; each range has `from <= to`, `days` equal to its
//! length, all its dates listed in `holidays`, no overlap with another range, and (when
//! ranges are given) every holiday lies in some range. Loading a year that is already
//! loaded is an overlap error, and two notices that classify the same date differently
//! conflict. Errors ([`ImportError`]) name the path the caller passed, the year and the
//! offending value. Imports are atomic.

#![warn(missing_docs)]

mod calendar;
mod clock;
mod date;
mod error;
mod import;

pub use calendar::{
    BUILTIN_HOLIDAYS_JSON, BUILTIN_SOURCE, Calendar, DayKind, HolidayRange, YearNotice,
    next_notice_may_reach,
};
pub use clock::{
    CaseFacts, Channel, ChannelParseError, ClockReport, ClockSettings, ClockState, ClockValue,
    Consultation, ConsultationKind, Correction, ExcludedPeriod, ExclusionKind, Extension,
    FeeInterval, FeeNotice, NotComputable, evaluate,
};
pub use date::{
    DateParseError, DateRange, DateRangeError, format_date, is_weekend, parse_date, serde_date,
    weekday_zh,
};
pub use error::{CalendarError, ClockError, ImportError};
pub use import::parse_notices;

/// Re-export of the `time` crate's date type used throughout the API.
pub use time::Date;
