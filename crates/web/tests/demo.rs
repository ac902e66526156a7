//! The demo data set of `gongkai serve --demo`: what it contains, that it obeys the statutory
//! clock, that every published report passes the checks, idempotence and seeding time.

use gongkai_ledger::content::STANDARD_DOMAINS;
use gongkai_ledger::{
    ApplicantType, Application, ApplicationState, CaseKind, CaseOutcome, Channel, Outcome,
};
use gongkai_report::{Report, Severity, check};
use gongkai_store::{ApplicationFilter, DocumentQuery, MAX_LIST, Store};
use gongkai_web::demo::{
    DEMO_BODIES, DEMO_FULL_BODIES, DEMO_SIBLING_USERS, DEMO_USERS, HUANGGE, seed, seed_as_of,
};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use time::Date;

async fn open(dir: &tempfile::TempDir) -> Store {
    Store::open_sqlite(&dir.path().join("gongkai.db"))
        .await
        .expect("open store")
}

async fn applications(store: &Store, body_id: i64) -> Vec<Application> {
    store
        .list_applications(&ApplicationFilter {
            body_id: Some(body_id),
            limit: Some(MAX_LIST),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// Everything the issue asks of the demo, for the data set seeded on `today`.
async fn assert_demo(store: &Store, today: Date) {
    let cal = store.calendar();
    let bodies = store.list_bodies().await.unwrap();
    assert_eq!(bodies.len(), DEMO_BODIES.len());
    for (login, _, password, _, _) in DEMO_USERS.into_iter().chain(DEMO_SIBLING_USERS) {
        assert!(
            store.verify_login(login, password).await.unwrap().is_some(),
            "{login}"
        );
    }
    let y = today.year();

    let mut states = BTreeSet::new();
    let mut outcomes = BTreeSet::new();
    let mut channels = BTreeSet::new();
    let mut applicants = BTreeSet::new();
    for code in DEMO_FULL_BODIES {
        let body = store.get_body_by_code(code).await.unwrap();

        // Guide.
        let guide = store.get_guide(body.id).await.unwrap().expect("guide");
        assert!(guide.text.contains("政府信息公开") && guide.text.contains("20个工作日"));
        assert!(!guide.address.is_empty() && !guide.phone.is_empty());
        assert!(!guide.office_hours.is_empty());

        // Catalog and documents per domain.
        let catalog = store.list_catalog(body.id).await.unwrap();
        let domain_of: BTreeMap<i64, String> = catalog
            .iter()
            .map(|c| (c.id, c.record.domain.clone()))
            .collect();
        for d in STANDARD_DOMAINS {
            assert!(domain_of.values().any(|v| v == d), "{code}: domain {d}");
        }
        let (docs, total) = store
            .list_public_documents(&DocumentQuery {
                body_id: body.id,
                published_only: false,
                catalog_item_id: None,
                limit: MAX_LIST,
                offset: 0,
            })
            .await
            .unwrap();
        assert_eq!(docs.len() as i64, total);
        let mut per_domain: BTreeMap<&str, usize> = BTreeMap::new();
        let mut drafts = 0;
        for d in &docs {
            assert!(d.record.written_on <= today, "{}", d.record.title);
            assert!(!d.record.title.contains('{'), "{}", d.record.title);
            assert!(!d.record.text.contains('{'), "{}", d.record.text);
            assert!(d.record.text.lines().count() >= 3);
            if d.published {
                let p = d.published_on.expect("publication date");
                assert!(p >= d.record.written_on && p <= today);
                assert!((today - p).whole_days() <= 740);
                let item = d.record.catalog_item_id.expect("catalog item");
                *per_domain.entry(domain_of[&item].as_str()).or_default() += 1;
            } else {
                drafts += 1;
            }
        }
        assert!(drafts >= 1, "{code}: drafts");
        if body.name.ends_with("街道办事处") {
            // A subdistrict's own wording.
            for t in docs.iter().map(|d| &d.record.text).chain([&guide.text]) {
                assert!(!t.contains("我镇") && !t.contains("镇政务服务中心"), "{t}");
            }
        }
        let min_per_domain = if code == HUANGGE { 2 } else { 1 };
        for d in STANDARD_DOMAINS {
            let n = per_domain.get(d).copied().unwrap_or(0);
            assert!(n >= min_per_domain, "{code}: {n} documents in {d}");
        }
        assert!(
            docs.iter()
                .any(|d| d.record.doc_number.contains(&format!("〔{}〕", y - 1))),
            "{code}: 文号"
        );

        // Applications.
        let apps = applications(store, body.id).await;
        assert!(apps.len() >= 20, "{code}: {} applications", apps.len());
        let mut at_risk = 0;
        let mut overdue = 0;
        let mut carried = 0;
        for a in &apps {
            states.insert(a.status.state.as_str());
            channels.insert(a.channel.as_str());
            applicants.insert(a.applicant_type.column_key());
            if let Some(o) = a.status.outcome {
                outcomes.insert(o.code());
            }
            assert!(a.status.last_event_on <= today);
            assert!(a.status.received_on.year() >= y - 2);
            let events = store.application_events(a.id).await.unwrap();
            assert!(events.iter().all(|e| e.on <= today));
            let on = a.status.closed_on.unwrap_or(today);
            let clock = a.status.clock(a.channel, cal, on).unwrap();
            if let Some(c) = a.status.correction {
                let last = clock.correction_notice_deadline.expect("notice deadline");
                assert!(
                    c.requested <= last,
                    "{}: correction too late",
                    a.tracking_code
                );
            }
            if a.status.state == ApplicationState::Decided {
                assert_eq!(
                    clock.decided_on_time,
                    Some(true),
                    "{} decided late: {:?}",
                    a.tracking_code,
                    clock.steps
                );
            }
            if let Some(closed) = a.status.closed_on
                && closed.year() > a.status.received_on.year()
            {
                carried += 1;
            }
            if !a.status.state.is_closed()
                && let Some(due) = a.due_on
            {
                let left = cal.working_days_between(today, due).unwrap();
                if left < 0 {
                    overdue += 1;
                } else if left <= 3 {
                    at_risk += 1;
                }
            }
        }
        assert!(carried >= 1, "{code}: nothing carried over a year end");
        if code == HUANGGE {
            assert!(at_risk >= 1, "no application at risk");
            assert_eq!(overdue, 1, "exactly one overdue application");
            let states_here: BTreeSet<&str> =
                apps.iter().map(|a| a.status.state.as_str()).collect();
            for s in ApplicationState::ALL {
                assert!(
                    states_here.contains(s.as_str()),
                    "黄阁镇 has no application {s}"
                );
            }
            // Every outcome closed within last year, so the published report shows each row.
            let last_year: BTreeSet<Outcome> = apps
                .iter()
                .filter(|a| a.status.closed_on.is_some_and(|d| d.year() == y - 1))
                .filter_map(|a| a.status.outcome)
                .collect();
            for o in Outcome::ALL {
                assert!(last_year.contains(&o), "黄阁镇 {}: no {o:?}", y - 1);
            }
        }

        // Counters equal the records.
        for year in [y - 2, y - 1, y] {
            let rc = store.recount(body.id, year).await.unwrap();
            assert!(rc.ok(), "{code} {year}: {:?}", rc.mismatches);
        }

        // Cases.
        let cases = store.list_cases(body.id, None).await.unwrap();
        assert!(!cases.is_empty());
        for c in &cases {
            if let Some(closed) = c.record.closed_on {
                assert!(
                    closed <= today,
                    "{} closed in the future",
                    c.record.reference
                );
            }
            assert!(c.record.filed_on <= today);
            if c.record.kind == CaseKind::Review && c.record.outcome == CaseOutcome::Pending {
                // A review is decided within 60 days.
                assert!(
                    (today - c.record.filed_on).whole_days() <= 60,
                    "{:?}",
                    c.record
                );
            }
            if let Some(app) = c.record.application_id {
                let a = store.get_application(app).await.unwrap();
                assert!(a.status.closed_on.is_some_and(|d| d < c.record.filed_on));
            }
        }

        // Registers.
        let register = store.list_documents(body.id).await.unwrap();
        assert!(register.len() >= 4);
        assert!(register.iter().any(|d| d.record.repealed_on.is_some()));
        for year in [y - 2, y - 1] {
            let figures = store.figures(body.id, year).await.unwrap();
            assert_eq!(figures.len(), 4, "{code} {year}: figures");
        }

        // Published reports: every version passes the checks against the year before.
        let versions = store.report_versions(body.id, None).await.unwrap();
        let mut latest: BTreeMap<i32, Report> = BTreeMap::new();
        let mut sorted = versions.clone();
        sorted.sort_by_key(|v| (v.year, v.version));
        for v in &sorted {
            let r = Report::from_json_str(&v.report_json).unwrap();
            assert_eq!(r.year, v.year);
            let findings = check(&r, latest.get(&(v.year - 1)));
            if v.year >= 2021 {
                assert!(
                    findings.is_empty(),
                    "{code} {} v{}: {findings:?}",
                    v.year,
                    v.version
                );
            } else {
                assert!(
                    findings.iter().all(|f| f.severity != Severity::Error),
                    "{code} {}: {findings:?}",
                    v.year
                );
            }
            assert_eq!(v.reason.is_empty(), v.version == 1);
            // Approved by a reviewer of the body.
            let approver = store.get_user_by_login(&v.approved_by).await.unwrap();
            let roles = store.user_roles(approver.user.id).await.unwrap();
            assert!(
                roles
                    .iter()
                    .any(|g| g.body_id == body.id && g.role == gongkai_ledger::Role::Reviewer),
                "{code}: approved by {}",
                v.approved_by
            );
            assert!(!r.sections.get("s1").is_none_or(|s| s.is_empty()));
            latest.insert(v.year, r);
        }
        let years: BTreeSet<i32> = versions.iter().map(|v| v.year).collect();
        assert!(
            years.contains(&(y - 2)) && years.contains(&(y - 1)),
            "{code}: {years:?}"
        );
        if code == HUANGGE {
            assert!(years.contains(&2020), "the real 2020 report");
            assert!(
                versions
                    .iter()
                    .any(|v| v.version == 2 && !v.reason.is_empty()),
                "a correction"
            );
            let r2020 = &latest[&2020];
            assert_eq!(r2020.format, gongkai_report::FormatVersion::V2019);
            // The published report of last year equals the counters.
            let generated = store.generate_report(body.id, y - 1).await.unwrap();
            assert_eq!(latest[&(y - 1)], generated);
            let last = &latest[&(y - 1)];
            assert!(last.count("t3", "new_received", "total") >= 30);
            let t4 = |r: &Report, col: &str| r.count("t4", "cases", col);
            assert!(t4(last, "review_total") >= 2, "reviews in {}", y - 1);
            assert!(t4(last, "lit_direct_total") >= 2, "litigation in {}", y - 1);
            assert!(t4(last, "lit_direct_pending") >= 1, "pending litigation");
            // A review open over the year end: pending before, concluded last year.
            assert!(t4(&latest[&(y - 2)], "review_pending") >= 1);
            assert!(t4(last, "review_maintained") >= 1);
        }
    }
    for s in ApplicationState::ALL {
        assert!(states.contains(s.as_str()), "state {s}");
    }
    for o in Outcome::ALL {
        assert!(outcomes.contains(o.code()), "outcome {o:?}");
    }
    for c in Channel::ALL {
        assert!(channels.contains(c.as_str()), "channel {c}");
    }
    for a in ApplicantType::ALL {
        assert!(applicants.contains(a.column_key()), "applicant {a:?}");
    }
    let mut kinds = BTreeSet::new();
    for code in DEMO_FULL_BODIES {
        let body = store.get_body_by_code(code).await.unwrap();
        for c in store.list_cases(body.id, None).await.unwrap() {
            kinds.insert((c.record.kind, c.record.outcome));
        }
    }
    for k in CaseKind::ALL {
        for o in CaseOutcome::ALL {
            assert!(kinds.contains(&(k, o)), "case {k:?} {o:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seeds_everything_once_and_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    // A fixed day whose open applications need next year's calendar: extended deadlines
    // run into 2027 and must stay "not computable" without breaking anything.
    let today = time::macros::date!(2026 - 12 - 02);
    let clock = gongkai_store::Clock::fixed_on(today);
    let started = Instant::now();
    assert!(seed(&store, clock).await.expect("seeding"));
    let took = started.elapsed();
    eprintln!("demo seeded in {took:?}");
    assert!(took < Duration::from_secs(30), "seeding took {took:?}");
    assert_demo(&store, today).await;

    // Idempotent: a seeded database is left alone.
    let apps = store.count_applications().await.unwrap();
    let outbox = store.outbox_after(0, 10_000).await.unwrap().len();
    assert!(!seed(&store, clock).await.unwrap());
    assert_eq!(store.count_applications().await.unwrap(), apps);
    assert_eq!(store.outbox_after(0, 10_000).await.unwrap().len(), outbox);
    store.close().await;

    // And across a restart.
    let store = open(&dir).await;
    assert!(!seed(&store, clock).await.unwrap());
    assert_eq!(store.count_applications().await.unwrap(), apps);
}

/// Seeding on the first working days of a year (little data in the current year, carried-over
/// applications still open) and determinism: the same day gives the same data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_at_the_start_of_a_year_is_complete_and_deterministic() {
    let today = time::macros::date!(2026 - 01 - 06);
    let mut snapshots = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir).await;
        assert!(seed_as_of(&store, today).await.expect("seeding"));
        if snapshots.is_empty() {
            assert_demo(&store, today).await;
        }
        let mut snap = Vec::new();
        for code in DEMO_FULL_BODIES {
            let body = store.get_body_by_code(code).await.unwrap();
            for a in applications(&store, body.id).await {
                snap.push(format!(
                    "{} {} {} {:?}",
                    a.request_text, a.status.state, a.status.received_on, a.status.closed_on
                ));
            }
            let (docs, _) = store
                .list_public_documents(&DocumentQuery {
                    body_id: body.id,
                    published_only: false,
                    catalog_item_id: None,
                    limit: MAX_LIST,
                    offset: 0,
                })
                .await
                .unwrap();
            snap.extend(docs.into_iter().map(|d| {
                format!(
                    "{} {} {} {}",
                    d.index_number, d.record.title, d.record.doc_number, d.record.text
                )
            }));
        }
        snap.sort();
        snapshots.push(snap);
    }
    assert_eq!(snapshots[0], snapshots[1]);
}

/// Any day gives a consistent data set: the first year of the 2021 format two years back,
/// and the last day of the calendar's years (due dates beyond it stay unknown).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seeds_on_other_days() {
    for today in [
        time::macros::date!(2023 - 07 - 03),
        time::macros::date!(2026 - 12 - 31),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir).await;
        assert!(seed_as_of(&store, today).await.expect("seeding"), "{today}");
        for code in DEMO_FULL_BODIES {
            let body = store.get_body_by_code(code).await.unwrap();
            let rc = store.recount(body.id, today.year() - 1).await.unwrap();
            assert!(rc.ok(), "{today} {code}: {:?}", rc.mismatches);
            let apps = applications(&store, body.id).await;
            assert!(apps.iter().all(|a| a.status.last_event_on <= today));
            let years: BTreeSet<i32> = store
                .report_versions(body.id, None)
                .await
                .unwrap()
                .iter()
                .map(|v| v.year)
                .collect();
            assert!(
                years.contains(&(today.year() - 1)),
                "{today} {code}: {years:?}"
            );
        }
    }
}
