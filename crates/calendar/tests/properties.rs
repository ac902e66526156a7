//! Property tests of the working-day arithmetic and the clock.

use gongkai_calendar::{
    Calendar, CaseFacts, Channel, ClockSettings, DateRange, Extension, evaluate,
};
use proptest::prelude::*;
use time::{Date, Duration, macros::date};

fn cal() -> &'static Calendar {
    static CAL: std::sync::LazyLock<Calendar> = std::sync::LazyLock::new(Calendar::builtin);
    &CAL
}

/// Start dates 2019-01-01 ..= 2026-08-31, so that 40 working days plus pauses of up to a
/// month stay inside the loaded data.
fn start() -> impl Strategy<Value = Date> {
    (0i64..=2799).prop_map(|o| date!(2019 - 01 - 01) + Duration::days(o))
}

/// A pause 0..=60 days after an anchor, 1..=31 days long, expressed relative to
/// 2000-01-01; [`shift`] moves it next to the start date of a test.
fn pause() -> impl Strategy<Value = DateRange> {
    (0i64..=60, 0i64..=30).prop_map(|(a, len)| {
        let base = date!(2000 - 01 - 01);
        DateRange::new(base + Duration::days(a), base + Duration::days(a + len)).unwrap()
    })
}

fn shift(p: DateRange, s: Date) -> DateRange {
    let base = date!(2000 - 01 - 01);
    DateRange::new(s + (p.from - base), s + (p.to - base)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn due_date_is_a_working_day(s in start(), n in 1u32..=40) {
        let due = cal().add_working_days(s, n).unwrap();
        prop_assert!(due > s);
        prop_assert!(cal().is_working_day(due).unwrap());
    }

    #[test]
    fn monotonic_in_n(s in start(), n in 0u32..=39) {
        let a = cal().add_working_days(s, n).unwrap();
        let b = cal().add_working_days(s, n + 1).unwrap();
        prop_assert!(a < b);
    }

    #[test]
    fn monotonic_in_start(s in start(), gap in 0i64..=20, n in 0u32..=40) {
        let t = s + Duration::days(gap);
        prop_assert!(cal().add_working_days(s, n).unwrap() <= cal().add_working_days(t, n).unwrap());
    }

    #[test]
    fn between_inverts_add(s in start(), n in 0u32..=40) {
        let due = cal().add_working_days(s, n).unwrap();
        prop_assert_eq!(cal().working_days_between(s, due).unwrap(), i64::from(n));
        prop_assert_eq!(cal().working_days_between(due, s).unwrap(), -i64::from(n));
    }

    #[test]
    fn add_inverts_between_on_working_days(s in start(), gap in 1i64..=60) {
        let t = s + Duration::days(gap);
        let n = cal().working_days_between(s, t).unwrap();
        let back = cal().add_working_days(s, u32::try_from(n).unwrap()).unwrap();
        prop_assert!(back <= t);
        if cal().is_working_day(t).unwrap() {
            prop_assert_eq!(back, t);
        }
    }

    #[test]
    fn a_pause_never_shortens_the_clock(
        s in start(),
        n in 1u32..=40,
        p1 in pause(),
        p2 in pause(),
    ) {
        let p1 = shift(p1, s);
        let p2 = shift(p2, s);
        let plain = cal().add_working_days(s, n).unwrap();
        let one = cal().add_working_days_excluding(s, n, &[p1]);
        let two = cal().add_working_days_excluding(s, n, &[p1, p2]);
        if let (Ok(one), Ok(two)) = (one, two) {
            prop_assert!(one >= plain);
            prop_assert!(two >= one);
            prop_assert!(!p1.contains(one) && !p2.contains(two));
            prop_assert!(cal().is_working_day(two).unwrap());
        }
    }

    #[test]
    fn clock_due_is_a_working_day_and_pauses_and_extensions_only_delay(
        s in start(),
        p in pause(),
        extended in any::<bool>(),
        on_gap in 0i64..=90,
    ) {
        let settings = ClockSettings::default();
        let on = s + Duration::days(on_gap);
        let mut facts = CaseFacts::new(Channel::InPerson, s);
        if extended {
            facts.extension = Some(Extension::full());
        }
        let base = evaluate(cal(), &facts, &settings, on).unwrap();
        let due = base.due.unwrap();
        prop_assert!(cal().is_working_day(due).unwrap());
        prop_assert_eq!(base.used + base.remaining, base.working_days);
        facts.pauses.push(shift(p, s));
        if let Ok(paused) = evaluate(cal(), &facts, &settings, on) {
            let pd = paused.due.unwrap();
            prop_assert!(pd >= due);
            prop_assert!(cal().is_working_day(pd).unwrap());
            prop_assert!(paused.used <= base.used);
        }
        if !extended {
            facts.pauses.clear();
            facts.extension = Some(Extension::full());
            let ext = evaluate(cal(), &facts, &settings, on).unwrap();
            prop_assert!(ext.due.unwrap() > due);
        }
    }
}
