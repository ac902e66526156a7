//! Typed errors of the calendar and the statutory clock.

/// A working-day question that the loaded calendar cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The State Council holiday notice for `year` is not loaded. The calendar never
    /// falls back to plain Monday–Friday for such a year.
    #[error(
        "缺少{year}年国务院办公厅节假日安排数据，无法按法定工作日计算（不会按周末推测）；\
         请先用 `gongkai calendar import FILE` 导入{year}年的通知。\
         Missing the official {year} holiday calendar: working days in {year} cannot be computed \
         (no guessing from weekends); load the {year} notice with `gongkai calendar import FILE`."
    )]
    MissingYear {
        /// The notice year that is missing.
        year: i32,
    },
    /// Date arithmetic left the range the `time` crate supports.
    #[error("日期超出可计算范围 / date arithmetic out of range")]
    OutOfRange,
}

impl CalendarError {
    /// The missing notice year, if that is the problem.
    pub fn missing_year(&self) -> Option<i32> {
        match self {
            Self::MissingYear { year } => Some(*year),
            Self::OutOfRange => None,
        }
    }
}

/// A holiday-notice file (or the built-in data) that cannot be loaded.
///
/// Every variant names the `path` the caller passed in, and where it applies the notice
/// year and the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON at all.
    #[error("{path}: 不是有效的JSON / not valid JSON: {message}")]
    Json {
        /// File path as given by the caller.
        path: String,
        /// The parser's message (with line and column).
        message: String,
    },
    /// Valid JSON with the wrong shape.
    #[error("{path}: {}格式错误 / malformed notice{}: {message}",
        .year.map(|y| format!("{y}年")).unwrap_or_default(),
        .year.map(|y| format!(" for {y}")).unwrap_or_default())]
    Malformed {
        /// File path as given by the caller.
        path: String,
        /// Notice year, when known.
        year: Option<i32>,
        /// What is wrong, naming the offending key or value.
        message: String,
    },
    /// The file contains no year entry.
    #[error("{path}: 文件中没有任何年份的节假日安排 / the file contains no year entry")]
    Empty {
        /// File path as given by the caller.
        path: String,
    },
    /// A date string that is not `YYYY-MM-DD`.
    #[error(
        "{path}: {year}年 `{field}` 中的日期 {value:?} 无效（应为 YYYY-MM-DD）/ invalid date {value:?} in `{field}` of {year} (expected YYYY-MM-DD)"
    )]
    BadDate {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
        /// JSON key (`holidays`, `workdays`, `ranges[2].from`, …).
        field: String,
        /// The offending value.
        value: String,
    },
    /// A date that is neither in the notice year nor in the preceding December.
    #[error("{path}: {year}年 `{field}` 中的日期 {value} 不在{year}年或{prev}年12月内 / date {value} in `{field}` is outside {year} and December {prev}", prev = .year - 1)]
    DateOutsideYear {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
        /// JSON key.
        field: String,
        /// The offending date.
        value: String,
    },
    /// The same date listed twice in one list.
    #[error(
        "{path}: {year}年 `{field}` 中日期 {value} 重复 / date {value} is listed twice in `{field}` of {year}"
    )]
    Duplicate {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
        /// JSON key.
        field: String,
        /// The repeated date.
        value: String,
    },
    /// A date listed both as holiday and as make-up working day.
    #[error(
        "{path}: {year}年 日期 {value} 同时列为放假日和调休上班日 / date {value} of {year} is listed both as holiday and as workday"
    )]
    HolidayAndWorkday {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
        /// The offending date.
        value: String,
    },
    /// A make-up working day (调休上班) that is not a Saturday or Sunday.
    #[error(
        "{path}: {year}年 调休上班日 {value} 是{weekday}，调休上班日只能是周六或周日 / workday {value} of {year} is a weekday; `workdays` may only list Saturdays and Sundays"
    )]
    WorkdayNotWeekend {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
        /// The offending date.
        value: String,
        /// Its weekday in Chinese.
        weekday: String,
    },
    /// A holiday range that is inconsistent with itself or with `holidays`.
    #[error(
        "{path}: {year}年 假期 {name:?} 有误 / bad holiday range {name:?} of {year}: {message}"
    )]
    BadRange {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
        /// The range name.
        name: String,
        /// What is wrong, naming the offending value.
        message: String,
    },
    /// The notice is marked `"confirmed": false`.
    #[error(
        "{path}: {year}年的通知标记为未确认（\"confirmed\": false），拒绝导入 / the {year} notice is marked unconfirmed; refusing to load a guess"
    )]
    Unconfirmed {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
    },
    /// The notice year is already loaded.
    #[error(
        "{path}: {year}年的节假日安排已存在，不能重复导入 / the {year} notice is already loaded (overlap)"
    )]
    Overlap {
        /// File path as given by the caller.
        path: String,
        /// Notice year.
        year: i32,
    },
    /// Two notices classify the same date differently.
    #[error(
        "{path}: {year}年通知与已导入的{other_year}年通知对 {value} 的安排相互矛盾 / the {year} notice contradicts the loaded {other_year} notice on {value}"
    )]
    Conflict {
        /// File path as given by the caller.
        path: String,
        /// Notice year being loaded.
        year: i32,
        /// Notice year already loaded.
        other_year: i32,
        /// The contested date.
        value: String,
    },
}

/// Facts of a case that the statutory clock cannot evaluate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The calendar lacks a year the computation needs.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// More than 20 working days of extension (Art. 33 ¶2).
    #[error(
        "延长答复期限最长不得超过20个工作日，给出的是{days}个 / an extension may not exceed 20 working days (got {days})"
    )]
    ExtensionTooLong {
        /// Requested extension.
        days: u32,
    },
    /// An extension of zero days.
    #[error("延长的工作日数必须大于0 / an extension must be at least one working day")]
    ExtensionZero,
    /// An event dated before the application was received.
    #[error(
        "{what}（{date}）早于收到申请之日（{receipt}）/ {what_en} ({date}) is before the application was received ({receipt})"
    )]
    BeforeReceipt {
        /// Event name in Chinese.
        what: &'static str,
        /// Event name in English.
        what_en: &'static str,
        /// The event date.
        date: String,
        /// The receipt date.
        receipt: String,
    },
    /// A period whose end is before its start.
    #[error(
        "{what}的结束日期{to}早于开始日期{from} / {what_en} ends ({to}) before it starts ({from})"
    )]
    Reversed {
        /// Period name in Chinese.
        what: &'static str,
        /// Period name in English.
        what_en: &'static str,
        /// Start.
        from: String,
        /// End.
        to: String,
    },
}

impl ClockError {
    /// The missing notice year, if that is the problem.
    pub fn missing_year(&self) -> Option<i32> {
        match self {
            Self::Calendar(e) => e.missing_year(),
            _ => None,
        }
    }
}
