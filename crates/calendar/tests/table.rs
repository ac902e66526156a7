//! Table tests. Every expected value here was computed independently of this crate, by
//! `tests/independent_expectations.py` over `holidays.json` (and checked by hand for a
//! few), never by the crate itself.

use gongkai_calendar::{
    Calendar, CalendarError, CaseFacts, Channel, ClockSettings, DateRange, DayKind, Extension,
    evaluate, parse_date,
};
use time::Date;

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn show(r: Result<Date, CalendarError>) -> String {
    match r {
        Ok(d) => gongkai_calendar::format_date(d),
        Err(CalendarError::MissingYear { year }) => format!("missing:{year}"),
        Err(e) => panic!("{e}"),
    }
}

/// (holiday name, receipt the day before the period, due, receipt on its last day, due,
/// first working day after the day before the period).
const PERIODS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "元旦",
        "2018-12-29",
        "missing:2018",
        "2019-01-01",
        "2019-01-29",
        "missing:2018",
    ),
    (
        "春节",
        "2019-02-03",
        "2019-03-08",
        "2019-02-10",
        "2019-03-08",
        "2019-02-11",
    ),
    (
        "清明节",
        "2019-04-04",
        "2019-05-06",
        "2019-04-05",
        "2019-05-06",
        "2019-04-08",
    ),
    (
        "劳动节",
        "2019-04-30",
        "2019-05-30",
        "2019-05-04",
        "2019-05-30",
        "2019-05-05",
    ),
    (
        "端午节",
        "2019-06-06",
        "2019-07-05",
        "2019-06-07",
        "2019-07-05",
        "2019-06-10",
    ),
    (
        "中秋节",
        "2019-09-12",
        "2019-10-16",
        "2019-09-13",
        "2019-10-16",
        "2019-09-16",
    ),
    (
        "国庆节",
        "2019-09-30",
        "2019-11-01",
        "2019-10-07",
        "2019-11-01",
        "2019-10-08",
    ),
    (
        "元旦",
        "2019-12-31",
        "2020-02-05",
        "2020-01-01",
        "2020-02-05",
        "2020-01-02",
    ),
    (
        "春节（含延长至2月2日）",
        "2020-01-23",
        "2020-02-28",
        "2020-02-02",
        "2020-02-28",
        "2020-02-03",
    ),
    (
        "清明节",
        "2020-04-03",
        "2020-05-06",
        "2020-04-06",
        "2020-05-06",
        "2020-04-07",
    ),
    (
        "劳动节",
        "2020-04-30",
        "2020-06-01",
        "2020-05-05",
        "2020-06-01",
        "2020-05-06",
    ),
    (
        "端午节",
        "2020-06-24",
        "2020-07-23",
        "2020-06-27",
        "2020-07-23",
        "2020-06-28",
    ),
    (
        "国庆节、中秋节",
        "2020-09-30",
        "2020-11-04",
        "2020-10-08",
        "2020-11-04",
        "2020-10-09",
    ),
    (
        "元旦",
        "2020-12-31",
        "2021-01-29",
        "2021-01-03",
        "2021-01-29",
        "2021-01-04",
    ),
    (
        "春节",
        "2021-02-10",
        "2021-03-16",
        "2021-02-17",
        "2021-03-16",
        "2021-02-18",
    ),
    (
        "清明节",
        "2021-04-02",
        "2021-04-30",
        "2021-04-05",
        "2021-04-30",
        "2021-04-06",
    ),
    (
        "劳动节",
        "2021-04-30",
        "2021-06-01",
        "2021-05-05",
        "2021-06-01",
        "2021-05-06",
    ),
    (
        "端午节",
        "2021-06-11",
        "2021-07-12",
        "2021-06-14",
        "2021-07-12",
        "2021-06-15",
    ),
    (
        "中秋节",
        "2021-09-18",
        "2021-10-22",
        "2021-09-21",
        "2021-10-22",
        "2021-09-22",
    ),
    (
        "国庆节",
        "2021-09-30",
        "2021-11-03",
        "2021-10-07",
        "2021-11-03",
        "2021-10-08",
    ),
    (
        "元旦",
        "2021-12-31",
        "2022-01-29",
        "2022-01-03",
        "2022-01-29",
        "2022-01-04",
    ),
    (
        "春节",
        "2022-01-30",
        "2022-03-04",
        "2022-02-06",
        "2022-03-04",
        "2022-02-07",
    ),
    (
        "清明节",
        "2022-04-02",
        "2022-05-05",
        "2022-04-05",
        "2022-05-05",
        "2022-04-06",
    ),
    (
        "劳动节",
        "2022-04-29",
        "2022-05-31",
        "2022-05-04",
        "2022-05-31",
        "2022-05-05",
    ),
    (
        "端午节",
        "2022-06-02",
        "2022-07-01",
        "2022-06-05",
        "2022-07-01",
        "2022-06-06",
    ),
    (
        "中秋节",
        "2022-09-09",
        "2022-10-13",
        "2022-09-12",
        "2022-10-13",
        "2022-09-13",
    ),
    (
        "国庆节",
        "2022-09-30",
        "2022-11-02",
        "2022-10-07",
        "2022-11-02",
        "2022-10-08",
    ),
    (
        "元旦",
        "2022-12-30",
        "2023-02-02",
        "2023-01-02",
        "2023-02-02",
        "2023-01-03",
    ),
    (
        "春节",
        "2023-01-20",
        "2023-02-22",
        "2023-01-27",
        "2023-02-22",
        "2023-01-28",
    ),
    (
        "清明节",
        "2023-04-04",
        "2023-05-05",
        "2023-04-05",
        "2023-05-05",
        "2023-04-06",
    ),
    (
        "劳动节",
        "2023-04-28",
        "2023-05-30",
        "2023-05-03",
        "2023-05-30",
        "2023-05-04",
    ),
    (
        "端午节",
        "2023-06-21",
        "2023-07-20",
        "2023-06-24",
        "2023-07-20",
        "2023-06-25",
    ),
    (
        "中秋节、国庆节",
        "2023-09-28",
        "2023-11-01",
        "2023-10-06",
        "2023-11-01",
        "2023-10-07",
    ),
    (
        "元旦",
        "2023-12-31",
        "2024-01-29",
        "2024-01-01",
        "2024-01-29",
        "2024-01-02",
    ),
    (
        "春节",
        "2024-02-09",
        "2024-03-14",
        "2024-02-17",
        "2024-03-14",
        "2024-02-18",
    ),
    (
        "清明节",
        "2024-04-03",
        "2024-05-06",
        "2024-04-06",
        "2024-05-06",
        "2024-04-07",
    ),
    (
        "劳动节",
        "2024-04-30",
        "2024-05-30",
        "2024-05-05",
        "2024-05-30",
        "2024-05-06",
    ),
    (
        "端午节",
        "2024-06-09",
        "2024-07-08",
        "2024-06-10",
        "2024-07-08",
        "2024-06-11",
    ),
    (
        "中秋节",
        "2024-09-14",
        "2024-10-18",
        "2024-09-17",
        "2024-10-18",
        "2024-09-18",
    ),
    (
        "国庆节",
        "2024-09-30",
        "2024-11-01",
        "2024-10-07",
        "2024-11-01",
        "2024-10-08",
    ),
    (
        "元旦",
        "2024-12-31",
        "2025-02-05",
        "2025-01-01",
        "2025-02-05",
        "2025-01-02",
    ),
    (
        "春节",
        "2025-01-27",
        "2025-03-03",
        "2025-02-04",
        "2025-03-03",
        "2025-02-05",
    ),
    (
        "清明节",
        "2025-04-03",
        "2025-05-06",
        "2025-04-06",
        "2025-05-06",
        "2025-04-07",
    ),
    (
        "劳动节",
        "2025-04-30",
        "2025-06-03",
        "2025-05-05",
        "2025-06-03",
        "2025-05-06",
    ),
    (
        "端午节",
        "2025-05-30",
        "2025-06-30",
        "2025-06-02",
        "2025-06-30",
        "2025-06-03",
    ),
    (
        "国庆节、中秋节",
        "2025-09-30",
        "2025-11-04",
        "2025-10-08",
        "2025-11-04",
        "2025-10-09",
    ),
    (
        "元旦",
        "2025-12-31",
        "2026-01-29",
        "2026-01-03",
        "2026-01-29",
        "2026-01-04",
    ),
    (
        "春节",
        "2026-02-14",
        "2026-03-20",
        "2026-02-23",
        "2026-03-20",
        "2026-02-24",
    ),
    (
        "清明节",
        "2026-04-03",
        "2026-05-07",
        "2026-04-06",
        "2026-05-07",
        "2026-04-07",
    ),
    (
        "劳动节",
        "2026-04-30",
        "2026-06-01",
        "2026-05-05",
        "2026-06-01",
        "2026-05-06",
    ),
    (
        "端午节",
        "2026-06-18",
        "2026-07-17",
        "2026-06-21",
        "2026-07-17",
        "2026-06-22",
    ),
    (
        "中秋节",
        "2026-09-24",
        "2026-10-29",
        "2026-09-27",
        "2026-10-29",
        "2026-09-28",
    ),
    (
        "国庆节",
        "2026-09-30",
        "2026-11-03",
        "2026-10-07",
        "2026-11-03",
        "2026-10-08",
    ),
];

#[test]
fn every_holiday_period_2019_2026() {
    let cal = Calendar::builtin();
    assert_eq!(PERIODS.len(), 53, "one row per named period of 2019–2026");
    for (name, before, due_before, last, due_last, next) in PERIODS {
        assert_eq!(
            show(cal.add_working_days(d(before), 20)),
            *due_before,
            "{name} receipt {before}"
        );
        assert_eq!(
            show(cal.add_working_days(d(last), 20)),
            *due_last,
            "{name} receipt {last}"
        );
        assert_eq!(
            show(cal.next_working_day(d(before))),
            *next,
            "{name} next after {before}"
        );
    }
}

#[test]
fn every_holiday_date_is_off_and_named() {
    let cal = Calendar::builtin();
    for y in 2019..=2026 {
        let n = cal.notice(y).unwrap();
        for r in &n.ranges {
            for day in r.range().dates() {
                if day.year() < 2019 {
                    continue; // 2018 has no notice: refused by the coverage rule
                }
                assert_eq!(cal.day_kind(day), Ok(DayKind::Holiday), "{day}");
                assert_eq!(
                    cal.holiday_range(day).map(|r| r.name.as_str()),
                    Some(r.name.as_str())
                );
            }
        }
    }
}

/// Every make-up working day (调休上班) of 2019–2026, Saturdays and Sundays:
/// (date, weekday, the day before, the first working day after the day before).
const MAKEUP: &[(&str, &str, &str, &str)] = &[
    ("2018-12-29", "Sat", "2018-12-28", "missing:2018"),
    ("2019-02-02", "Sat", "2019-02-01", "2019-02-02"),
    ("2019-02-03", "Sun", "2019-02-02", "2019-02-03"),
    ("2019-04-28", "Sun", "2019-04-27", "2019-04-28"),
    ("2019-05-05", "Sun", "2019-05-04", "2019-05-05"),
    ("2019-09-29", "Sun", "2019-09-28", "2019-09-29"),
    ("2019-10-12", "Sat", "2019-10-11", "2019-10-12"),
    ("2020-01-19", "Sun", "2020-01-18", "2020-01-19"),
    ("2020-04-26", "Sun", "2020-04-25", "2020-04-26"),
    ("2020-05-09", "Sat", "2020-05-08", "2020-05-09"),
    ("2020-06-28", "Sun", "2020-06-27", "2020-06-28"),
    ("2020-09-27", "Sun", "2020-09-26", "2020-09-27"),
    ("2020-10-10", "Sat", "2020-10-09", "2020-10-10"),
    ("2021-02-07", "Sun", "2021-02-06", "2021-02-07"),
    ("2021-02-20", "Sat", "2021-02-19", "2021-02-20"),
    ("2021-04-25", "Sun", "2021-04-24", "2021-04-25"),
    ("2021-05-08", "Sat", "2021-05-07", "2021-05-08"),
    ("2021-09-18", "Sat", "2021-09-17", "2021-09-18"),
    ("2021-09-26", "Sun", "2021-09-25", "2021-09-26"),
    ("2021-10-09", "Sat", "2021-10-08", "2021-10-09"),
    ("2022-01-29", "Sat", "2022-01-28", "2022-01-29"),
    ("2022-01-30", "Sun", "2022-01-29", "2022-01-30"),
    ("2022-04-02", "Sat", "2022-04-01", "2022-04-02"),
    ("2022-04-24", "Sun", "2022-04-23", "2022-04-24"),
    ("2022-05-07", "Sat", "2022-05-06", "2022-05-07"),
    ("2022-10-08", "Sat", "2022-10-07", "2022-10-08"),
    ("2022-10-09", "Sun", "2022-10-08", "2022-10-09"),
    ("2023-01-28", "Sat", "2023-01-27", "2023-01-28"),
    ("2023-01-29", "Sun", "2023-01-28", "2023-01-29"),
    ("2023-04-23", "Sun", "2023-04-22", "2023-04-23"),
    ("2023-05-06", "Sat", "2023-05-05", "2023-05-06"),
    ("2023-06-25", "Sun", "2023-06-24", "2023-06-25"),
    ("2023-10-07", "Sat", "2023-10-06", "2023-10-07"),
    ("2023-10-08", "Sun", "2023-10-07", "2023-10-08"),
    ("2024-02-04", "Sun", "2024-02-03", "2024-02-04"),
    ("2024-02-18", "Sun", "2024-02-17", "2024-02-18"),
    ("2024-04-07", "Sun", "2024-04-06", "2024-04-07"),
    ("2024-04-28", "Sun", "2024-04-27", "2024-04-28"),
    ("2024-05-11", "Sat", "2024-05-10", "2024-05-11"),
    ("2024-09-14", "Sat", "2024-09-13", "2024-09-14"),
    ("2024-09-29", "Sun", "2024-09-28", "2024-09-29"),
    ("2024-10-12", "Sat", "2024-10-11", "2024-10-12"),
    ("2025-01-26", "Sun", "2025-01-25", "2025-01-26"),
    ("2025-02-08", "Sat", "2025-02-07", "2025-02-08"),
    ("2025-04-27", "Sun", "2025-04-26", "2025-04-27"),
    ("2025-09-28", "Sun", "2025-09-27", "2025-09-28"),
    ("2025-10-11", "Sat", "2025-10-10", "2025-10-11"),
    ("2026-01-04", "Sun", "2026-01-03", "2026-01-04"),
    ("2026-02-14", "Sat", "2026-02-13", "2026-02-14"),
    ("2026-02-28", "Sat", "2026-02-27", "2026-02-28"),
    ("2026-05-09", "Sat", "2026-05-08", "2026-05-09"),
    ("2026-09-20", "Sun", "2026-09-19", "2026-09-20"),
    ("2026-10-10", "Sat", "2026-10-09", "2026-10-10"),
];

#[test]
fn every_makeup_saturday_and_sunday() {
    let cal = Calendar::builtin();
    let (mut sat, mut sun) = (0, 0);
    for (day, wd, before, next) in MAKEUP {
        let date = d(day);
        assert_eq!(&format!("{:?}", date.weekday())[..3], *wd);
        if *wd == "Sat" {
            sat += 1;
        } else {
            sun += 1;
        }
        if date.year() >= 2019 {
            assert_eq!(cal.day_kind(date), Ok(DayKind::AdjustedWorkday), "{day}");
            assert_eq!(cal.is_working_day(date), Ok(true), "{day}");
        }
        assert_eq!(show(cal.next_working_day(d(before))), *next, "{day}");
    }
    assert!(sat > 10 && sun > 10);
    // 2020-02-01 was a make-up Saturday in the original 2020 notice but fell inside the
    // extended Spring Festival.
    assert_eq!(cal.day_kind(d("2020-02-01")), Ok(DayKind::Holiday));
    // 2024-02-09 (除夕) is not a holiday.
    assert_eq!(cal.day_kind(d("2024-02-09")), Ok(DayKind::Workday));
}

#[test]
fn spring_festival_2020_extension() {
    let cal = Calendar::builtin();
    for day in ["2020-01-31", "2020-02-01", "2020-02-02"] {
        assert_eq!(cal.is_working_day(d(day)), Ok(false), "{day}");
    }
    assert_eq!(cal.next_working_day(d("2020-01-23")), Ok(d("2020-02-03")));
    assert_eq!(
        cal.add_working_days(d("2020-01-20"), 20),
        Ok(d("2020-02-25"))
    );
}

/// (receipt, due 20, due 40) across New Year.
const NEW_YEAR: &[(&str, &str, &str)] = &[
    ("2019-12-20", "2020-01-19", "2020-02-24"),
    ("2020-12-15", "2021-01-13", "2021-02-09"),
    ("2021-12-20", "2022-01-18", "2022-02-18"),
    ("2022-12-20", "2023-01-18", "2023-02-20"),
    ("2022-12-30", "2023-02-02", "2023-03-02"),
    ("2023-12-22", "2024-01-22", "2024-02-22"),
    ("2024-12-20", "2025-01-20", "2025-02-21"),
    ("2025-12-19", "2026-01-19", "2026-02-14"),
    ("2025-12-31", "2026-01-29", "2026-03-04"),
];

#[test]
fn across_new_year() {
    let cal = Calendar::builtin();
    for (r, due20, due40) in NEW_YEAR {
        assert_eq!(show(cal.add_working_days(d(r), 20)), *due20, "{r}");
        assert_eq!(show(cal.add_working_days(d(r), 40)), *due40, "{r}");
        let mut facts = CaseFacts::new(Channel::InPerson, d(r));
        let rep = evaluate(&cal, &facts, &ClockSettings::default(), d(r)).unwrap();
        assert_eq!(rep.due, Some(d(due20)));
        facts.extension = Some(Extension::full());
        let rep = evaluate(&cal, &facts, &ClockSettings::default(), d(r)).unwrap();
        assert_eq!(rep.due, Some(d(due40)));
        assert_eq!(rep.original_due, Some(d(due20)));
        assert_eq!(rep.working_days, 40);
    }
}

/// (receipt, working days, pauses, due with pauses, due without).
#[allow(clippy::type_complexity)]
const PAUSES: &[(&str, u32, &[(&str, &str)], &str, &str)] = &[
    (
        "2024-09-30",
        20,
        &[("2024-10-10", "2024-10-15")],
        "2024-11-08",
        "2024-11-01",
    ),
    (
        "2024-09-30",
        40,
        &[("2024-10-10", "2024-10-15")],
        "2024-12-06",
        "2024-11-29",
    ),
    (
        "2020-01-20",
        20,
        &[("2020-02-03", "2020-02-07"), ("2020-02-10", "2020-02-10")],
        "2020-03-04",
        "2020-02-25",
    ),
    (
        "2023-09-20",
        20,
        &[("2023-09-25", "2023-10-10")],
        "2023-11-03",
        "2023-10-24",
    ),
    // A pause on a make-up Sunday removes exactly that day.
    (
        "2021-02-01",
        20,
        &[("2021-02-07", "2021-02-07")],
        "2021-03-05",
        "2021-03-04",
    ),
    (
        "2025-12-01",
        20,
        &[("2025-12-10", "2025-12-24")],
        "2026-01-14",
        "2025-12-29",
    ),
    (
        "2025-04-25",
        40,
        &[("2025-04-27", "2025-04-27"), ("2025-05-06", "2025-05-09")],
        "2025-07-02",
        "2025-06-25",
    ),
    (
        "2022-01-25",
        20,
        &[("2022-01-26", "2022-01-28")],
        "2022-03-02",
        "2022-02-25",
    ),
    (
        "2026-11-20",
        20,
        &[("2026-11-23", "2026-11-27")],
        "2026-12-25",
        "2026-12-18",
    ),
    (
        "2019-04-26",
        20,
        &[("2019-04-28", "2019-05-05")],
        "2019-05-31",
        "2019-05-27",
    ),
];

#[test]
fn pauses_and_extensions() {
    let cal = Calendar::builtin();
    for (r, n, pauses, with, without) in PAUSES {
        let ranges: Vec<DateRange> = pauses
            .iter()
            .map(|(a, b)| DateRange::new(d(a), d(b)).unwrap())
            .collect();
        assert_eq!(
            cal.add_working_days_excluding(d(r), *n, &ranges),
            Ok(d(with)),
            "{r}"
        );
        assert_eq!(cal.add_working_days(d(r), *n), Ok(d(without)), "{r}");
        let mut facts = CaseFacts::new(Channel::InPerson, d(r));
        facts.pauses = ranges;
        if *n == 40 {
            facts.extension = Some(Extension::full());
        }
        let rep = evaluate(&cal, &facts, &ClockSettings::default(), d(r)).unwrap();
        assert_eq!(rep.due, Some(d(with)), "{r}");
    }
}

/// Every receipt date of 2019–2026 against the independent computation in
/// `tests/data/expected_due.txt`: 20 and 40 working days (also through the clock), and
/// the 7- and 15-working-day windows.
#[test]
fn exhaustive_against_independent_computation() {
    let cal = Calendar::builtin();
    let text = include_str!("data/expected_due.txt");
    let mut rows = 0;
    let mut missing = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let r = d(f[0]);
        for (n, want) in [(20, f[1]), (40, f[2]), (7, f[3]), (15, f[4])] {
            assert_eq!(show(cal.add_working_days(r, n)), want, "{} + {n}", f[0]);
        }
        // The clock computes what it can: a deadline that needs a missing year is `None`
        // and names the year; the deadline without the extension is still computed.
        let due_of = |rep: &gongkai_calendar::ClockReport| match rep.due {
            Some(d) => gongkai_calendar::format_date(d),
            None => format!("missing:{}", rep.due_not_computable().unwrap().year),
        };
        let mut facts = CaseFacts::new(Channel::InPerson, r);
        if cal.check_coverage(r).is_err() {
            // A receipt day that itself needs a missing notice: nothing can be computed.
            let e = evaluate(&cal, &facts, &ClockSettings::default(), r).unwrap_err();
            assert_eq!(format!("missing:{}", e.missing_year().unwrap()), f[1]);
            missing += 1;
            rows += 1;
            continue;
        }
        let rep = evaluate(&cal, &facts, &ClockSettings::default(), r).unwrap();
        if rep.due.is_none() {
            missing += 1;
        }
        assert_eq!(due_of(&rep), f[1], "{}", f[0]);
        facts.extension = Some(Extension::full());
        let rep = evaluate(&cal, &facts, &ClockSettings::default(), r).unwrap();
        assert_eq!(due_of(&rep), f[2], "{}", f[0]);
        let base = rep.original_due.map(gongkai_calendar::format_date);
        assert_eq!(
            base.unwrap_or_else(|| "missing:2027".into()),
            f[1],
            "{} original",
            f[0]
        );
        rows += 1;
    }
    assert_eq!(rows, 2922);
    assert!(
        missing > 0,
        "the end of 2026 must run into the missing 2027"
    );
}

#[test]
fn missing_years_are_refused_with_the_year() {
    let cal = Calendar::builtin();
    let e = cal.add_working_days(d("2026-12-10"), 20).unwrap_err();
    assert_eq!(e, CalendarError::MissingYear { year: 2027 });
    let msg = e.to_string();
    assert!(
        msg.contains("2027年") && msg.contains("2027") && msg.contains("gongkai calendar import"),
        "{msg}"
    );
    assert_eq!(
        cal.is_working_day(d("2018-06-01")),
        Err(CalendarError::MissingYear { year: 2018 })
    );
    assert_eq!(
        cal.is_working_day(d("2026-12-31")),
        Err(CalendarError::MissingYear { year: 2027 })
    );
    assert_eq!(cal.is_working_day(d("2026-12-28")), Ok(true));
    // The clock does not fail: it names what it cannot compute and why.
    let facts = CaseFacts::new(Channel::InPerson, d("2026-12-10"));
    let r = evaluate(&cal, &facts, &ClockSettings::default(), d("2026-12-10")).unwrap();
    assert_eq!(r.due, None);
    assert_eq!(r.missing_years(), vec![2027]);
    assert_eq!(
        r.due_not_computable().unwrap().message_zh(false),
        "2027年节假日安排尚未导入，答复期限暂无法计算"
    );
    assert_eq!(r.first_counted_day, Some(d("2026-12-11")));
    // Evaluated on a day in the missing year: days used are not computable either.
    let r = evaluate(&cal, &facts, &ClockSettings::default(), d("2027-01-05")).unwrap();
    assert_eq!(
        r.missing_year_for(gongkai_calendar::ClockValue::Used),
        Some(2027)
    );
    let facts = CaseFacts::new(Channel::InPerson, d("2018-12-28"));
    let e = evaluate(&cal, &facts, &ClockSettings::default(), d("2019-01-10")).unwrap_err();
    assert_eq!(e.missing_year(), Some(2018));
    // An empty calendar refuses everything.
    assert_eq!(
        Calendar::empty().is_working_day(d("2024-05-06")),
        Err(CalendarError::MissingYear { year: 2024 })
    );
}

#[test]
fn importing_a_later_year_extends_coverage() {
    let mut cal = Calendar::builtin();
    // A synthetic 2027 notice (not real data): 元旦 2027-01-01..03, make-up Sunday 2027-01-10.
    let text = r#"{"year": 2027, "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
        "workdays": ["2027-01-10"],
        "ranges": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "days": 3}]}"#;
    assert_eq!(cal.import_str("2027.json", text), Ok(vec![2027]));
    // 2026-12-10 (Thu): Dec 11,14-18,21-25,28-31 = 15; Jan 4-8 = 20 (hand count).
    assert_eq!(
        cal.add_working_days(d("2026-12-10"), 20),
        Ok(d("2027-01-08"))
    );
    // 2026-12-17: Dec 18,21-25,28-31 = 10; Jan 4-8 = 15; Jan 10 (make-up Sun) = 16; 11-14 = 20.
    assert_eq!(
        cal.add_working_days(d("2026-12-17"), 20),
        Ok(d("2027-01-14"))
    );
    assert!(matches!(
        cal.import_str("again.json", text),
        Err(gongkai_calendar::ImportError::Overlap { year: 2027, .. })
    ));
}
