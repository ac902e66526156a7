//! The demo data set of `gongkai serve --demo`: 广州市 → 南沙区 → 黄阁镇 and sibling bodies,
//! staff accounts ([`DEMO_USERS`], [`DEMO_SIBLING_USERS`]), disclosure guides, a standard catalog over every domain with published
//! documents and drafts, about two years of applications in every state and outcome, cases,
//! Art. 20 registers, and published annual reports (with one correction, and the real 2020
//! report of 黄阁镇 in the 2019 format). Loading is idempotent: an already seeded database
//! is left as it is.
//!
//! Everything is generated from fixed tables and a seeded generator, relative to the day of
//! seeding (so that open applications are at risk or overdue *today*): the same day gives the
//! same data. Names of applicants are obviously fictitious (张某某, 广州某某物流有限公司).

mod apps;
mod content;
mod registers;
mod reports;
pub mod service_items;

use gongkai_calendar::{Calendar, is_weekend};
use gongkai_ledger::{BodyKind, NewBody, Role};
use gongkai_store::{Store, StoreError};
use time::{Date, Duration};

/// Demo staff accounts: (login, display name, password, body code, role).
pub const DEMO_USERS: [(&str, &str, &str, &str, Role); 4] = [
    (
        "clerk",
        "黄阁镇承办人",
        "gongkai-demo",
        "440115101",
        Role::Clerk,
    ),
    (
        "reviewer",
        "黄阁镇审核人",
        "gongkai-demo",
        "440115101",
        Role::Reviewer,
    ),
    (
        "nansha",
        "南沙区政务公开办",
        "gongkai-demo",
        "440115",
        Role::Oversight,
    ),
    ("admin", "系统管理员", "gongkai-demo", "440100", Role::Admin),
];

/// Staff of the two sibling townships (same password), whose logins appear as actors and
/// approvers of their data: (login, display name, password, body code, role).
pub const DEMO_SIBLING_USERS: [(&str, &str, &str, &str, Role); 4] = [
    (
        "hengli-clerk",
        "横沥镇承办人",
        "gongkai-demo",
        "440115102",
        Role::Clerk,
    ),
    (
        "hengli-reviewer",
        "横沥镇审核人",
        "gongkai-demo",
        "440115102",
        Role::Reviewer,
    ),
    (
        "nanshajd-clerk",
        "南沙街道承办人",
        "gongkai-demo",
        "440115001",
        Role::Clerk,
    ),
    (
        "nanshajd-reviewer",
        "南沙街道审核人",
        "gongkai-demo",
        "440115001",
        Role::Reviewer,
    ),
];

/// The demo bodies: (code, name, kind, parent code).
pub const DEMO_BODIES: [(&str, &str, BodyKind, Option<&str>); 7] = [
    ("440000", "广东省人民政府", BodyKind::Province, None),
    ("440100", "广州市人民政府", BodyKind::City, Some("440000")),
    (
        "440115",
        "广州市南沙区人民政府",
        BodyKind::District,
        Some("440100"),
    ),
    (
        "440115101",
        "广州市南沙区黄阁镇人民政府",
        BodyKind::Town,
        Some("440115"),
    ),
    (
        "440115102",
        "广州市南沙区横沥镇人民政府",
        BodyKind::Town,
        Some("440115"),
    ),
    (
        "440115001",
        "广州市南沙区南沙街道办事处",
        BodyKind::Town,
        Some("440115"),
    ),
    (
        "440115201",
        "广州市南沙区民政局",
        BodyKind::Department,
        Some("440115"),
    ),
];

/// The bodies that get the full data set (guide, catalog, documents, applications, cases,
/// registers, reports): 黄阁镇 and two sibling townships.
pub const DEMO_FULL_BODIES: [&str; 3] = ["440115101", "440115102", "440115001"];

/// The real published 2020 annual report of 黄阁镇 (2019 format), published by the demo so
/// that the portal shows a report in the older format too.
pub const HUANGGE_2020_JSON: &str = include_str!("../../../examples/reports/huangge-2020.json");

/// Body code of 黄阁镇.
pub const HUANGGE: &str = "440115101";

/// Seed the demo data as of the clock's today (Asia/Shanghai) unless the database already
/// has bodies. Returns whether it seeded.
pub async fn seed(store: &Store, clock: gongkai_store::Clock) -> Result<bool, StoreError> {
    seed_as_of(store, clock.today()).await
}

/// Seed the demo data as if today were `today` (the data is a function of this date):
/// applications up to `today`, some still open (one at risk, one overdue on `today`), reports
/// of the years before `today`'s year. Does nothing and returns `false` when the database
/// already has bodies.
pub async fn seed_as_of(store: &Store, today: Date) -> Result<bool, StoreError> {
    if !store.list_bodies().await?.is_empty() {
        return Ok(false);
    }
    for (code, name, kind, parent) in DEMO_BODIES {
        store
            .create_body(
                &NewBody {
                    code: code.into(),
                    name: name.into(),
                    kind,
                    parent_code: parent.map(Into::into),
                },
                "demo",
            )
            .await?;
    }
    for (login, display, password, body, role) in DEMO_USERS.into_iter().chain(DEMO_SIBLING_USERS) {
        let user = store.create_user(login, display, password, "demo").await?;
        let b = store.get_body_by_code(body).await?;
        store.grant_role(user.id, b.id, role, "demo").await?;
    }
    let days = Days::new(store.calendar());
    for (i, code) in DEMO_FULL_BODIES.iter().enumerate() {
        let body = store.get_body_by_code(code).await?;
        let profile = &content::PROFILES[i];
        if profile.code != *code {
            return Err(bug(format!("profile {} for body {code}", profile.code)));
        }
        let ctx = Ctx {
            store,
            days: &days,
            today,
            body_id: body.id,
            body_name: &body.name,
            profile,
        };
        content::seed_portal(&ctx).await?;
        let ledger = apps::seed_applications(&ctx).await?;
        registers::seed_cases(&ctx, &ledger).await?;
        registers::seed_registers(&ctx).await?;
        reports::seed_reports(&ctx, &ledger).await?;
        if *code == HUANGGE {
            service_items::seed_service_items(&ctx).await?;
        }
    }
    content::seed_district_guide(store).await?;
    reports::publish_huangge_2020(store).await?;
    crate::hall::demo::seed(store, today).await?;
    Ok(true)
}

/// What every part of the seeding needs about the body being seeded.
pub(crate) struct Ctx<'a> {
    pub store: &'a Store,
    pub days: &'a Days<'a>,
    pub today: Date,
    pub body_id: i64,
    pub body_name: &'a str,
    pub profile: &'static content::Profile,
}

impl Ctx<'_> {
    /// A generator seeded by the body and a purpose, so each part is reproducible alone.
    pub fn rng(&self, purpose: &str) -> Rng {
        Rng::from_key(&format!("{}:{purpose}", self.profile.code))
    }
}

/// Working-day arithmetic on the store's calendar. Days outside the calendar's years fall
/// back to Monday–Friday, so seeding never fails near the end of the known years (the
/// store leaves the due date of such applications unknown).
pub(crate) struct Days<'a> {
    cal: &'a Calendar,
}

impl<'a> Days<'a> {
    pub fn new(cal: &'a Calendar) -> Days<'a> {
        Days { cal }
    }

    pub fn is_working(&self, d: Date) -> bool {
        self.cal.is_working_day(d).unwrap_or(!is_weekend(d))
    }

    /// The `n`th working day after `d` (`d` itself not counted).
    pub fn add(&self, d: Date, n: u32) -> Date {
        let mut d = d;
        let mut counted = 0;
        while counted < n {
            d += Duration::days(1);
            if self.is_working(d) {
                counted += 1;
            }
        }
        d
    }

    /// The working day `n` working days before `d` (for `n == 0`, the last working day on or
    /// before `d`).
    pub fn sub(&self, d: Date, n: u32) -> Date {
        let mut d = self.on_or_before(d);
        for _ in 0..n {
            d = self.on_or_before(d - Duration::days(1));
        }
        d
    }

    /// The first working day on or after `d`.
    pub fn on_or_after(&self, d: Date) -> Date {
        let mut d = d;
        while !self.is_working(d) {
            d += Duration::days(1);
        }
        d
    }

    /// The last working day on or before `d`.
    pub fn on_or_before(&self, d: Date) -> Date {
        let mut d = d;
        while !self.is_working(d) {
            d -= Duration::days(1);
        }
        d
    }
}

/// The demo's generator: deterministic, so the demo must not depend on a random source.
pub(crate) use gongkai_search::synth::Rng;

/// An invalid demo table (a bug in this module, reported rather than panicking).
pub(crate) fn bug(what: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("演示数据有误 (demo data bug): {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn working_days_follow_the_calendar() {
        let cal = Calendar::builtin();
        let d = Days::new(&cal);
        // 2024-09-30 (Mon) + 1 working day skips the National Day holiday.
        assert_eq!(d.add(date!(2024 - 09 - 30), 1), date!(2024 - 10 - 08));
        assert_eq!(d.sub(date!(2024 - 10 - 08), 1), date!(2024 - 09 - 30));
        assert_eq!(d.sub(date!(2024 - 10 - 06), 0), date!(2024 - 09 - 30));
        assert_eq!(d.on_or_after(date!(2024 - 10 - 01)), date!(2024 - 10 - 08));
        // Outside the calendar: Monday–Friday.
        assert_eq!(d.add(date!(2099 - 01 - 02), 1), date!(2099 - 01 - 05));
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let mut a = Rng::from_key("x");
        let mut b = Rng::from_key("x");
        for _ in 0..100 {
            let v = a.range(3, 7);
            assert_eq!(v, b.range(3, 7));
            assert!((3..=7).contains(&v));
        }
        assert_ne!(Rng::from_key("x").next_u64(), Rng::from_key("y").next_u64());
        assert_eq!(a.range(5, 5), 5);
    }

    #[test]
    fn embedded_2020_report_parses() {
        let r = gongkai_report::Report::from_json_str(HUANGGE_2020_JSON).unwrap();
        assert_eq!(r.year, 2020);
        assert_eq!(r.body, "广州市南沙区黄阁镇人民政府");
    }
}
