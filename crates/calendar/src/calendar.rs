//! The official working-day calendar: holiday notices keyed by notice year, and
//! working-day arithmetic over them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Serialize;
use time::{Date, Month};

use crate::date::{DateRange, format_date, is_weekend};
use crate::error::{CalendarError, ImportError};
use crate::import;

/// The vendored copy of `shared/spec/holidays.json` (notices 2019–2026).
pub const BUILTIN_HOLIDAYS_JSON: &str = include_str!("../data/holidays.json");

/// The name under which the built-in data reports errors.
pub const BUILTIN_SOURCE: &str = "holidays.json (built-in)";

/// One named holiday period of a notice (e.g. `国庆节` 2024-10-01 – 2024-10-07), both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolidayRange {
    /// Name as printed in the notice data (`春节（含延长至2月2日）`, `国庆节、中秋节`, …).
    pub name: String,
    /// First day off.
    #[serde(with = "crate::date::serde_date")]
    pub from: Date,
    /// Last day off.
    #[serde(with = "crate::date::serde_date")]
    pub to: Date,
}

impl HolidayRange {
    /// The range as a [`DateRange`].
    pub fn range(&self) -> DateRange {
        DateRange {
            from: self.from,
            to: self.to,
        }
    }
}

/// The State Council General Office holiday arrangements for one notice year.
///
/// `holidays` are all dates inside the announced 放假 periods (weekend dates included);
/// `workdays` are the weekend dates announced as 调休上班. Dates belong to `year` or to
/// the preceding December (e.g. 2018-12-29/30/31 in the 2019 notice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearNotice {
    /// Notice year.
    pub year: i32,
    /// Every day off.
    pub holidays: BTreeSet<Date>,
    /// Weekend days that are working days (调休上班).
    pub workdays: BTreeSet<Date>,
    /// Named holiday periods (may be empty for an imported file without `ranges`).
    pub ranges: Vec<HolidayRange>,
    /// Titles of the notices.
    pub notices: Vec<String>,
    /// Addresses of the notices.
    pub official_urls: Vec<String>,
    /// Free-text notes.
    pub notes: Option<String>,
}

impl YearNotice {
    /// The notice in the single-year import format (see the crate docs), pretty-printed.
    /// Loading the result with [`Calendar::import_str`] gives back an equal notice.
    pub fn to_json(&self) -> String {
        let dates = |s: &BTreeSet<Date>| s.iter().map(|d| format_date(*d)).collect::<Vec<_>>();
        let ranges: Vec<_> = self
            .ranges
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name,
                    "from": format_date(r.from),
                    "to": format_date(r.to),
                    "days": r.range().len_days(),
                })
            })
            .collect();
        let mut v = serde_json::json!({
            "year": self.year,
            "confirmed": true,
            "holidays": dates(&self.holidays),
            "workdays": dates(&self.workdays),
            "ranges": ranges,
            "notices": self.notices,
            "official_urls": self.official_urls,
        });
        if let (Some(notes), Some(obj)) = (&self.notes, v.as_object_mut()) {
            obj.insert("notes".into(), notes.clone().into());
        }
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The named period containing `d`, if any.
    pub fn range_of(&self, d: Date) -> Option<&HolidayRange> {
        self.ranges.iter().find(|r| r.range().contains(d))
    }
}

/// What kind of day a date is on the official calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayKind {
    /// An ordinary Monday–Friday working day.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A day inside an announced holiday period (放假).
    Holiday,
    /// A Saturday or Sunday announced as a working day (调休上班).
    AdjustedWorkday,
}

impl DayKind {
    /// Whether the day counts as a working day.
    pub fn is_working(self) -> bool {
        matches!(self, Self::Workday | Self::AdjustedWorkday)
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Workday => "工作日",
            Self::Weekend => "休息日",
            Self::Holiday => "法定节假日",
            Self::AdjustedWorkday => "调休上班日",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Override {
    working: bool,
    year: i32,
}

/// The official working-day calendar: the loaded notices and the arithmetic over them.
///
/// **Coverage rule (fail closed).** A date in calendar year Y needs notice Y; December 30
/// and 31, and a Saturday or Sunday from December 29, also need notice Y+1, whose 元旦
/// holiday or make-up day may fall there (see [`next_notice_may_reach`]). Any question
/// touching a date whose notice is not loaded returns [`CalendarError::MissingYear`];
/// nothing is guessed from weekends.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    notices: BTreeMap<i32, YearNotice>,
    overrides: BTreeMap<Date, Override>,
}

/// Whether the next year's notice may change the kind of December day `d`.
///
/// The 元旦 break is at most three days ending no earlier than 1 January, so a weekday
/// holiday in December can only be the 30th or 31st (2018-12-31 in the 2019 notice), and
/// its make-up days are weekend days (2018-12-29, a Saturday). A weekday December 29 is
/// therefore settled by its own year's notice; every notice since 2007 agrees.
pub fn next_notice_may_reach(d: Date) -> bool {
    d.month() == Month::December && d.day() >= 29 && (d.day() >= 30 || is_weekend(d))
}

static BUILTIN: LazyLock<Calendar> = LazyLock::new(|| {
    let mut c = Calendar::empty();
    // The built-in data is checked by the crate's tests; failing here is a build defect.
    c.import_str(BUILTIN_SOURCE, BUILTIN_HOLIDAYS_JSON)
        .expect("built-in holidays.json must be valid");
    c
});

impl Calendar {
    /// A calendar with no notice loaded (every question fails with `MissingYear`).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The calendar with the vendored notices 2019–2026.
    pub fn builtin() -> Self {
        BUILTIN.clone()
    }

    /// Loaded notice years, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.notices.keys().copied().collect()
    }

    /// The notice for `year`, if loaded.
    pub fn notice(&self, year: i32) -> Option<&YearNotice> {
        self.notices.get(&year)
    }

    /// Whether the notice for `year` is loaded.
    pub fn has_year(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// Parses a notice file (see the crate docs for the format) and loads every year in it.
    /// Atomic: on error nothing is loaded. Returns the years loaded. `path` is only used in
    /// error messages.
    pub fn import_str(&mut self, path: &str, text: &str) -> Result<Vec<i32>, ImportError> {
        let notices = import::parse_notices(path, text)?;
        self.add_notices(path, notices)
    }

    /// Same as [`Calendar::import_str`] for raw bytes (must be UTF-8).
    pub fn import_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<Vec<i32>, ImportError> {
        let text = std::str::from_utf8(bytes).map_err(|e| ImportError::Json {
            path: path.to_owned(),
            message: format!("不是UTF-8文本 / not UTF-8: {e}"),
        })?;
        self.import_str(path, text)
    }

    /// Loads already-parsed notices. Atomic: on error nothing is loaded.
    pub fn add_notices(
        &mut self,
        path: &str,
        notices: Vec<YearNotice>,
    ) -> Result<Vec<i32>, ImportError> {
        let mut next = self.clone();
        let mut years = Vec::with_capacity(notices.len());
        for n in notices {
            years.push(n.year);
            next.add_one(path, n)?;
        }
        *self = next;
        Ok(years)
    }

    fn add_one(&mut self, path: &str, n: YearNotice) -> Result<(), ImportError> {
        if self.notices.contains_key(&n.year) {
            return Err(ImportError::Overlap {
                path: path.to_owned(),
                year: n.year,
            });
        }
        let entries = n
            .holidays
            .iter()
            .map(|d| (*d, false))
            .chain(n.workdays.iter().map(|d| (*d, true)));
        let mut fresh = Vec::new();
        for (d, working) in entries {
            match self.overrides.get(&d) {
                Some(o) if o.working != working => {
                    return Err(ImportError::Conflict {
                        path: path.to_owned(),
                        year: n.year,
                        other_year: o.year,
                        value: format_date(d),
                    });
                }
                Some(_) => {}
                None => fresh.push((
                    d,
                    Override {
                        working,
                        year: n.year,
                    },
                )),
            }
        }
        self.overrides.extend(fresh);
        self.notices.insert(n.year, n);
        Ok(())
    }

    /// Checks that every notice needed to classify `d` is loaded (see the coverage rule).
    pub fn check_coverage(&self, d: Date) -> Result<(), CalendarError> {
        let y = d.year();
        if !self.notices.contains_key(&y) {
            return Err(CalendarError::MissingYear { year: y });
        }
        if next_notice_may_reach(d) && !self.notices.contains_key(&(y + 1)) {
            return Err(CalendarError::MissingYear { year: y + 1 });
        }
        Ok(())
    }

    /// The kind of day `d` is.
    pub fn day_kind(&self, d: Date) -> Result<DayKind, CalendarError> {
        self.check_coverage(d)?;
        Ok(match self.overrides.get(&d) {
            Some(Override { working: true, .. }) => DayKind::AdjustedWorkday,
            Some(Override { working: false, .. }) => DayKind::Holiday,
            None if is_weekend(d) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    /// Whether `d` is a working day: (Mon–Fri and not a holiday) or a 调休上班 day.
    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        Ok(self.day_kind(d)?.is_working())
    }

    /// The named holiday period containing `d`, if `d` is a holiday of a loaded notice
    /// that names its periods.
    pub fn holiday_range(&self, d: Date) -> Option<&HolidayRange> {
        let o = self.overrides.get(&d).filter(|o| !o.working)?;
        self.notices.get(&o.year)?.range_of(d)
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: Date) -> Result<Date, CalendarError> {
        self.add_working_days(d, 1)
    }

    /// The `n`th working day after `start` (`start` itself is not counted; `n == 0`
    /// returns `start`). This is the statutory convention: with `n = 20` and the receipt
    /// date as `start` the result is the reply deadline.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        self.add_working_days_excluding(start, n, &[])
    }

    /// Like [`Calendar::add_working_days`], but no day inside any of `excluded` (inclusive
    /// ranges) is counted. Excluded days are skipped without being classified.
    pub fn add_working_days_excluding(
        &self,
        start: Date,
        n: u32,
        excluded: &[DateRange],
    ) -> Result<Date, CalendarError> {
        let mut d = start;
        let mut counted = 0;
        while counted < n {
            d = d.next_day().ok_or(CalendarError::OutOfRange)?;
            if excluded.iter().any(|r| r.contains(d)) {
                continue;
            }
            if self.is_working_day(d)? {
                counted += 1;
            }
        }
        Ok(d)
    }

    /// The number of working days `d` with `from < d <= to` (so that
    /// `working_days_between(s, add_working_days(s, n)) == n`). Negative when `to < from`:
    /// minus the number of working days in `to < d <= from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        self.working_days_between_excluding(from, to, &[])
    }

    /// Like [`Calendar::working_days_between`], not counting days inside `excluded`.
    pub fn working_days_between_excluding(
        &self,
        from: Date,
        to: Date,
        excluded: &[DateRange],
    ) -> Result<i64, CalendarError> {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut n = 0i64;
        let mut d = lo;
        while d < hi {
            d = d.next_day().ok_or(CalendarError::OutOfRange)?;
            if excluded.iter().any(|r| r.contains(d)) {
                continue;
            }
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(sign * n)
    }

    /// Named holiday periods that overlap `range`, in date order.
    pub fn holiday_ranges_overlapping(&self, range: DateRange) -> Vec<&HolidayRange> {
        let mut out: Vec<&HolidayRange> = self
            .notices
            .values()
            .flat_map(|n| n.ranges.iter())
            .filter(|r| r.from <= range.to && range.from <= r.to)
            .collect();
        out.sort_by_key(|r| (r.from, r.to));
        out
    }

    /// Holidays inside `range` that belong to no named period (imported notices without
    /// `ranges`), in date order.
    pub fn unnamed_holidays_in(&self, range: DateRange) -> Vec<Date> {
        self.overrides
            .range(range.from..=range.to)
            .filter(|(d, o)| !o.working && self.holiday_range(**d).is_none())
            .map(|(d, _)| *d)
            .collect()
    }

    /// 调休上班 days inside `range`, in date order.
    pub fn adjusted_workdays_in(&self, range: DateRange) -> Vec<Date> {
        self.overrides
            .range(range.from..=range.to)
            .filter(|(_, o)| o.working)
            .map(|(d, _)| *d)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn builtin_loads_all_years() {
        let c = Calendar::builtin();
        assert_eq!(c.years(), (2019..=2026).collect::<Vec<_>>());
    }

    #[test]
    fn day_kinds() {
        let c = Calendar::builtin();
        assert_eq!(c.day_kind(date!(2024 - 10 - 01)), Ok(DayKind::Holiday));
        assert_eq!(
            c.day_kind(date!(2024 - 10 - 12)),
            Ok(DayKind::AdjustedWorkday)
        );
        assert_eq!(c.day_kind(date!(2024 - 10 - 13)), Ok(DayKind::Weekend));
        assert_eq!(c.day_kind(date!(2024 - 10 - 14)), Ok(DayKind::Workday));
        // 2018-12-29 is a make-up Saturday from the 2019 notice, but calendar 2018 has no notice.
        assert_eq!(
            c.day_kind(date!(2018 - 12 - 29)),
            Err(CalendarError::MissingYear { year: 2018 })
        );
        // A weekday 29 December is known from its own year; the 30th and 31st are not.
        assert_eq!(c.day_kind(date!(2026 - 12 - 29)), Ok(DayKind::Workday));
        assert_eq!(
            c.day_kind(date!(2026 - 12 - 30)),
            Err(CalendarError::MissingYear { year: 2027 })
        );
        assert_eq!(c.day_kind(date!(2026 - 12 - 28)), Ok(DayKind::Workday));
        // A weekend 29 December may be a make-up day of the next notice (2018-12-29 was).
        assert!(next_notice_may_reach(date!(2018 - 12 - 29)));
        assert!(!next_notice_may_reach(date!(2026 - 12 - 29)));
    }

    #[test]
    fn holiday_names() {
        let c = Calendar::builtin();
        assert_eq!(
            c.holiday_range(date!(2020 - 02 - 01))
                .map(|r| r.name.as_str()),
            Some("春节（含延长至2月2日）")
        );
        assert_eq!(
            c.holiday_range(date!(2022 - 12 - 31))
                .map(|r| r.name.as_str()),
            Some("元旦")
        );
        assert!(c.holiday_range(date!(2024 - 10 - 12)).is_none());
    }

    #[test]
    fn add_and_between() {
        let c = Calendar::builtin();
        let s = date!(2024 - 09 - 30);
        assert_eq!(c.add_working_days(s, 0), Ok(s));
        assert_eq!(c.add_working_days(s, 1), Ok(date!(2024 - 10 - 08)));
        assert_eq!(c.add_working_days(s, 20), Ok(date!(2024 - 11 - 01)));
        assert_eq!(c.working_days_between(s, date!(2024 - 11 - 01)), Ok(20));
        assert_eq!(c.working_days_between(date!(2024 - 11 - 01), s), Ok(-20));
        assert_eq!(
            c.next_working_day(date!(2024 - 10 - 11)),
            Ok(date!(2024 - 10 - 12))
        );
    }

    #[test]
    fn excluding() {
        let c = Calendar::builtin();
        let p = DateRange::new(date!(2024 - 10 - 10), date!(2024 - 10 - 15)).unwrap();
        assert_eq!(
            c.add_working_days_excluding(date!(2024 - 09 - 30), 20, &[p]),
            Ok(date!(2024 - 11 - 08))
        );
    }

    #[test]
    fn overlap_and_conflict() {
        let mut c = Calendar::builtin();
        let one = c.notice(2024).unwrap().to_json();
        assert!(matches!(
            c.import_str("x.json", &one),
            Err(ImportError::Overlap { year: 2024, .. })
        ));
        let mut e = Calendar::empty();
        assert_eq!(e.import_str("x.json", &one), Ok(vec![2024]));
        assert_eq!(e.notice(2024), c.notice(2024));
    }
}
