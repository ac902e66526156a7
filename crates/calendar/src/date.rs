//! Date helpers: strict `YYYY-MM-DD` parsing and formatting, Chinese weekday names,
//! inclusive date ranges.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, Weekday};

/// A string that is not a valid `YYYY-MM-DD` calendar date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无效日期 {value:?}，应为 YYYY-MM-DD / invalid date {value:?}, expected YYYY-MM-DD")]
pub struct DateParseError {
    /// The offending input.
    pub value: String,
}

/// Parses a date written exactly as `YYYY-MM-DD` (four-digit year, two-digit month and day).
///
/// ```
/// use gongkai_calendar::parse_date;
/// assert!(parse_date("2024-02-29").is_ok());
/// assert!(parse_date("2023-02-29").is_err());
/// assert!(parse_date("2024-2-9").is_err());
/// ```
pub fn parse_date(s: &str) -> Result<Date, DateParseError> {
    let err = || DateParseError {
        value: s.to_owned(),
    };
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(err());
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(err());
    };
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(err)?;
    let year = i32::try_from(y).map_err(|_| err())?;
    let day = u8::try_from(d).map_err(|_| err())?;
    Date::from_calendar_date(year, month, day).map_err(|_| err())
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The Chinese name of the date's weekday (`星期一` … `星期日`).
pub fn weekday_zh(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "星期一",
        Weekday::Tuesday => "星期二",
        Weekday::Wednesday => "星期三",
        Weekday::Thursday => "星期四",
        Weekday::Friday => "星期五",
        Weekday::Saturday => "星期六",
        Weekday::Sunday => "星期日",
    }
}

/// Saturday or Sunday.
pub fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// An inclusive range of dates: both `from` and `to` belong to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateRange {
    /// First day (inclusive).
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
}

/// A `FROM:TO` range that does not parse or whose end is before its start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateRangeError {
    /// Not of the form `YYYY-MM-DD:YYYY-MM-DD`.
    #[error(
        "无效期间 {value:?}，应为 YYYY-MM-DD:YYYY-MM-DD / invalid period {value:?}, expected FROM:TO"
    )]
    Syntax {
        /// The offending input.
        value: String,
    },
    /// A date inside the range is invalid.
    #[error(transparent)]
    Date(#[from] DateParseError),
    /// `to` is earlier than `from`.
    #[error("期间 {from}至{to} 的结束日期早于开始日期 / period {from}..{to} ends before it starts")]
    Reversed {
        /// Start as written.
        from: String,
        /// End as written.
        to: String,
    },
}

impl DateRange {
    /// A range from `from` through `to`; `None` when `to < from`.
    pub fn new(from: Date, to: Date) -> Option<Self> {
        (from <= to).then_some(Self { from, to })
    }

    /// A single-day range.
    pub fn day(d: Date) -> Self {
        Self { from: d, to: d }
    }

    /// Parses `YYYY-MM-DD:YYYY-MM-DD` (both ends inclusive).
    pub fn parse(s: &str) -> Result<Self, DateRangeError> {
        let (a, b) = s.split_once(':').ok_or_else(|| DateRangeError::Syntax {
            value: s.to_owned(),
        })?;
        let from = parse_date(a.trim())?;
        let to = parse_date(b.trim())?;
        Self::new(from, to).ok_or_else(|| DateRangeError::Reversed {
            from: a.trim().to_owned(),
            to: b.trim().to_owned(),
        })
    }

    /// Whether `d` lies inside the range.
    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// Number of calendar days in the range.
    pub fn len_days(&self) -> u32 {
        u32::try_from((self.to - self.from).whole_days() + 1).unwrap_or(u32::MAX)
    }

    /// Iterates over every date of the range.
    pub fn dates(&self) -> impl Iterator<Item = Date> + '_ {
        let to = self.to;
        std::iter::successors(Some(self.from), move |d| d.next_day().filter(|n| *n <= to))
    }

    /// `"FROM至TO"`, or just the date for a single day.
    pub fn to_zh(&self) -> String {
        if self.from == self.to {
            format_date(self.from)
        } else {
            format!("{}至{}", format_date(self.from), format_date(self.to))
        }
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", format_date(self.from), format_date(self.to))
    }
}

/// Serde helpers that write dates as `YYYY-MM-DD` strings.
pub mod serde_date {
    use super::*;

    /// Serialize a `Date` as `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_date(*d))
    }

    /// Deserialize a `Date` from `YYYY-MM-DD`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse_date(&s).map_err(serde::de::Error::custom)
    }

    /// The same for `Option<Date>` (`null` when absent).
    pub mod option {
        use super::*;

        /// Serialize an optional `Date` as `YYYY-MM-DD` or `null`.
        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&format_date(*d)),
                None => s.serialize_none(),
            }
        }

        /// Deserialize an optional `Date` from `YYYY-MM-DD` or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            let s = Option::<String>::deserialize(d)?;
            s.map(|s| parse_date(&s).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

impl Serialize for DateRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("DateRange", 2)?;
        st.serialize_field("from", &format_date(self.from))?;
        st.serialize_field("to", &format_date(self.to))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parse_strict() {
        assert_eq!(parse_date("2020-02-02").unwrap(), date!(2020 - 02 - 02));
        for bad in [
            "2020-2-02",
            "2020-02-2",
            "20200202",
            "2020/02/02",
            "2020-13-01",
            "2019-02-29",
            "+020-02-02",
            "2020-02-02 ",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn format_roundtrip() {
        let d = date!(2026 - 01 - 04);
        assert_eq!(format_date(d), "2026-01-04");
        assert_eq!(weekday_zh(d), "星期日");
        assert!(is_weekend(d));
    }

    #[test]
    fn range_parse() {
        let r = DateRange::parse("2024-10-10:2024-10-15").unwrap();
        assert_eq!(r.len_days(), 6);
        assert!(r.contains(date!(2024 - 10 - 15)));
        assert!(!r.contains(date!(2024 - 10 - 16)));
        assert_eq!(r.dates().count(), 6);
        assert!(matches!(
            DateRange::parse("2024-10-15:2024-10-10"),
            Err(DateRangeError::Reversed { .. })
        ));
        assert!(matches!(
            DateRange::parse("2024-10-15"),
            Err(DateRangeError::Syntax { .. })
        ));
        assert!(DateRange::parse("2024-10-15:2024-10-32").is_err());
        assert_eq!(r.to_zh(), "2024-10-10至2024-10-15");
        assert_eq!(DateRange::day(date!(2019 - 04 - 05)).to_zh(), "2019-04-05");
    }
}
