//! The service hall's window queue on SQLite and PostgreSQL: configuration, taking tickets
//! (concurrent kiosks, one ticket per ID), calling (concurrent windows never share a
//! ticket), the window actions, ratings, the daily reset and durability across a reopen.
//! PostgreSQL runs on the server of `GONGKAI_TEST_PG`; with `CI=true` a missing server fails.

use gongkai_ledger::queue::{OrderPolicy, PriorityClass, Rating, TicketChannel, TicketState};
use gongkai_ledger::{BodyKind, NewBody};
use gongkai_store::Store;
use gongkai_store::queue::{HallAction, HallConfig, HallService, HallWindow, TakeTicket};
use std::collections::BTreeSet;
use time::OffsetDateTime;
use time::macros::datetime;

const ID_A: &str = "11010519491231002X";

fn t0() -> OffsetDateTime {
    datetime!(2026-12-02 09:00 +8)
}

fn at(minutes: i64) -> OffsetDateTime {
    t0() + time::Duration::minutes(minutes)
}

fn config() -> HallConfig {
    let svc = |code: &str, prefix, name: &str, policy| HallService {
        code: code.into(),
        prefix,
        name: name.into(),
        item_code: String::new(),
        policy,
    };
    HallConfig {
        name: "测试镇政务服务中心".into(),
        services: vec![
            svc("SB", 'A', "社保业务", OrderPolicy::StrictPriority),
            svc("MZ", 'B', "民政业务", OrderPolicy::DedicatedWindowOnly),
        ],
        windows: (1..=4)
            .map(|n| HallWindow {
                number: n,
                name: format!("{n}号综合窗口"),
                services: vec!["SB".into(), "MZ".into()],
                dedicated_for: vec![],
            })
            .collect(),
    }
}

fn kiosk(service: &str) -> TakeTicket {
    TakeTicket {
        service: service.into(),
        class: PriorityClass::Normal,
        channel: TicketChannel::Kiosk,
        id_number: None,
        name: None,
    }
}

async fn hall(store: &Store) -> i64 {
    let body = store
        .create_body(
            &NewBody {
                code: "990000".into(),
                name: "测试省人民政府".into(),
                kind: BodyKind::Province,
                parent_code: None,
            },
            "test",
        )
        .await
        .expect("body");
    store
        .hall_configure(body.id, &config(), "test")
        .await
        .expect("hall")
        .id
}

fn waiting_order(live: &[gongkai_store::queue::StoredTicket]) -> Vec<String> {
    let mut w: Vec<_> = live
        .iter()
        .filter(|t| t.ticket.state == TicketState::Waiting)
        .collect();
    w.sort_by_key(|t| (t.ticket.queued_at, t.ticket.seq));
    w.iter().map(|t| t.ticket.number()).collect()
}

async fn flow(store: &Store) {
    let h = hall(store).await;
    // Numbering per service, priority first under strict priority.
    let a1 = store
        .hall_take(h, &kiosk("SB"), at(0), "kiosk")
        .await
        .unwrap();
    assert_eq!(a1.ticket.ticket.number(), "A001");
    assert_eq!(a1.ahead, 0);
    let a2 = store
        .hall_take(h, &kiosk("SB"), at(1), "kiosk")
        .await
        .unwrap();
    assert_eq!((a2.ticket.ticket.number().as_str(), a2.ahead), ("A002", 1));
    let b1 = store
        .hall_take(h, &kiosk("MZ"), at(2), "kiosk")
        .await
        .unwrap();
    assert_eq!(b1.ticket.ticket.number(), "B001");
    let elder = TakeTicket {
        class: PriorityClass::Elderly,
        channel: TicketChannel::IdCard,
        id_number: Some(ID_A.into()),
        name: Some("张小三".into()),
        ..kiosk("SB")
    };
    let a3 = store.hall_take(h, &elder, at(3), "kiosk").await.unwrap();
    assert_eq!(a3.ticket.ticket.masked_name.as_deref(), Some("张*三"));
    assert!(
        a3.ticket
            .ticket
            .id_hash
            .as_deref()
            .is_some_and(|x| !x.contains(ID_A))
    );
    // One ticket per ID per service per day.
    let again = store
        .hall_take(h, &elder, at(4), "kiosk")
        .await
        .unwrap_err();
    assert!(
        again.to_string().contains("今日已取过该业务的号"),
        "{again}"
    );
    // Another service with the same ID is fine; an invalid ID is refused.
    store
        .hall_take(
            h,
            &TakeTicket {
                service: "MZ".into(),
                ..elder.clone()
            },
            at(4),
            "kiosk",
        )
        .await
        .unwrap();
    let bad = TakeTicket {
        id_number: Some("440115199003071235".into()),
        ..kiosk("SB")
    };
    assert!(
        store
            .hall_take(h, &bad, at(4), "kiosk")
            .await
            .unwrap_err()
            .to_string()
            .contains("无效")
    );

    // Window 1 calls: the elderly ticket first (strict priority), then in order.
    let c = store
        .hall_action(h, 1, &HallAction::CallNext, None, at(10), "clerk")
        .await
        .unwrap();
    let called = c.ticket.unwrap();
    assert_eq!(called.ticket.number(), "A003");
    assert_eq!(called.ticket.state, TicketState::Called);
    // Calling again before finishing is refused.
    assert!(
        store
            .hall_action(h, 1, &HallAction::CallNext, None, at(11), "clerk")
            .await
            .is_err()
    );
    store
        .hall_action(h, 1, &HallAction::Recall, None, at(11), "clerk")
        .await
        .unwrap();
    let f = store
        .hall_action(h, 1, &HallAction::Finish, None, at(15), "clerk")
        .await
        .unwrap();
    let finished = f.ticket.unwrap();
    assert_eq!(finished.ticket.state, TicketState::Finished);
    assert_eq!(finished.ticket.recalls, 1);
    // Rating: a reason is needed for a 差评; the token is checked; once only.
    assert!(
        store
            .hall_rate(
                finished.id,
                &finished.token,
                Rating::Dissatisfied,
                None,
                at(16),
                "public"
            )
            .await
            .is_err()
    );
    assert!(
        store
            .hall_rate(
                finished.id,
                "wrong",
                Rating::Satisfied,
                None,
                at(16),
                "public"
            )
            .await
            .is_err()
    );
    store
        .hall_rate(
            finished.id,
            &finished.token,
            Rating::Satisfied,
            None,
            at(16),
            "public",
        )
        .await
        .unwrap();
    assert!(
        store
            .hall_rate(
                finished.id,
                &finished.token,
                Rating::Satisfied,
                None,
                at(16),
                "public"
            )
            .await
            .is_err()
    );
    // Transfer keeps the number; finish-and-redirect issues a follow-up.
    let n = store
        .hall_action(h, 2, &HallAction::CallNext, None, at(20), "clerk")
        .await
        .unwrap();
    assert_eq!(n.ticket.unwrap().ticket.number(), "A001");
    let tr = store
        .hall_action(
            h,
            2,
            &HallAction::Transfer {
                service: "MZ".into(),
            },
            None,
            at(21),
            "clerk",
        )
        .await
        .unwrap();
    assert_eq!(tr.ticket.as_ref().unwrap().ticket.service, "MZ");
    assert_eq!(tr.ticket.unwrap().ticket.number(), "A001");
    let n = store
        .hall_action(h, 2, &HallAction::CallNext, None, at(22), "clerk")
        .await
        .unwrap();
    let n = n.ticket.unwrap();
    assert_eq!(
        n.ticket.number(),
        "A001",
        "transferred ticket keeps its place"
    );
    let r = store
        .hall_action(
            h,
            2,
            &HallAction::FinishAndRedirect {
                service: "SB".into(),
            },
            None,
            at(25),
            "clerk",
        )
        .await
        .unwrap();
    assert_eq!(r.follow_up.unwrap().ticket.number(), "A004");
    // No-show and suspend/resume.
    let n = store
        .hall_action(h, 3, &HallAction::CallNext, None, at(26), "clerk")
        .await
        .unwrap();
    assert_eq!(n.ticket.unwrap().ticket.number(), "A002");
    store
        .hall_action(h, 3, &HallAction::NoShow, None, at(27), "clerk")
        .await
        .unwrap();
    let n = store
        .hall_action(h, 3, &HallAction::CallNext, None, at(28), "clerk")
        .await
        .unwrap();
    let b = n.ticket.unwrap();
    store
        .hall_action(h, 3, &HallAction::Suspend, None, at(29), "clerk")
        .await
        .unwrap();
    let back = store
        .hall_action(h, 3, &HallAction::Resume, Some(b.id), at(30), "clerk")
        .await
        .unwrap();
    assert_eq!(back.ticket.unwrap().ticket.state, TicketState::Waiting);

    // Statistics inputs.
    let day = t0().date();
    let all = store.hall_tickets(h, day, day).await.unwrap();
    let ratings = store.hall_ratings(h, day, day).await.unwrap();
    let s = gongkai_ledger::queue::summarize(
        all.iter().map(|t| &t.ticket),
        ratings.iter().map(|r| &r.evaluation),
    );
    assert_eq!(s.served, 2);
    assert_eq!(s.no_shows, 1);
    assert_eq!(s.ratings.get(&Rating::Satisfied), Some(&1));
    let w = s.waiting.unwrap();
    assert_eq!(w.count, 4);

    // The daily reset: the next day's first take closes yesterday's open tickets and
    // numbering restarts.
    let next = at(24 * 60);
    let t = store
        .hall_take(h, &kiosk("SB"), next, "kiosk")
        .await
        .unwrap();
    assert_eq!(t.ticket.ticket.number(), "A001");
    let old = store.hall_tickets(h, day, day).await.unwrap();
    assert!(
        old.iter().all(|t| !t.ticket.state.is_live()),
        "yesterday closed"
    );
    assert!(old.iter().any(|t| t.ticket.state == TicketState::NoShow));
    assert_eq!(store.hall_reset(h, next, "cli").await.unwrap(), 0);
}

/// Many kiosks at once: every take gets its own number.
async fn concurrent_takes(store: &Store, h: i64) {
    let mut tasks = Vec::new();
    for i in 0..24 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.hall_take(
                h,
                &kiosk(if i % 3 == 0 { "MZ" } else { "SB" }),
                at(60),
                "kiosk",
            )
            .await
            .map(|t| t.ticket.ticket.number())
        }));
    }
    let mut numbers = BTreeSet::new();
    for t in tasks {
        assert!(numbers.insert(t.await.unwrap().expect("take")));
    }
    assert_eq!(numbers.len(), 24);
    assert!(numbers.contains("A016") && numbers.contains("B008"));
}

/// Four windows calling at once never get the same ticket.
async fn concurrent_calls(store: &Store, h: i64) {
    let mut got = Vec::new();
    for round in 0..6 {
        let mut tasks = Vec::new();
        for w in 1..=4u32 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                let now = at(61 + round * 2);
                let r = s
                    .hall_action(h, w, &HallAction::CallNext, None, now, "clerk")
                    .await;
                let t = r.expect("call").ticket.map(|t| t.id);
                s.hall_action(
                    h,
                    w,
                    &HallAction::Finish,
                    None,
                    now + time::Duration::minutes(1),
                    "clerk",
                )
                .await
                .ok();
                t
            }));
        }
        for t in tasks {
            if let Some(id) = t.await.unwrap() {
                got.push(id);
            }
        }
    }
    let distinct: BTreeSet<_> = got.iter().collect();
    assert_eq!(
        distinct.len(),
        got.len(),
        "a ticket was called twice: {got:?}"
    );
    assert_eq!(got.len(), 24);
}

async fn durable_setup(store: &Store) -> (i64, Vec<String>) {
    let h = hall(store).await;
    for (i, class) in [
        PriorityClass::Normal,
        PriorityClass::Normal,
        PriorityClass::Military,
        PriorityClass::Normal,
    ]
    .into_iter()
    .enumerate()
    {
        store
            .hall_take(
                h,
                &TakeTicket {
                    class,
                    ..kiosk("SB")
                },
                at(i as i64),
                "kiosk",
            )
            .await
            .unwrap();
    }
    store
        .hall_action(h, 1, &HallAction::CallNext, None, at(5), "clerk")
        .await
        .unwrap();
    let (live, _) = store.hall_live(h, t0().date(), 10).await.unwrap();
    (h, waiting_order(&live))
}

async fn durable_check(store: &Store, h: i64, before: &[String]) {
    let (live, calls) = store.hall_live(h, t0().date(), 10).await.unwrap();
    assert_eq!(waiting_order(&live), before);
    assert_eq!(calls[0].ticket.number(), "A003");
    let n = store
        .hall_action(h, 2, &HallAction::CallNext, None, at(6), "clerk")
        .await
        .unwrap();
    assert_eq!(n.ticket.unwrap().ticket.number(), before[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queue_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gongkai.db");
    let store = Store::open_sqlite(&path).await.unwrap();
    flow(&store).await;
    let h = store
        .hall_of_body(store.get_body_by_code("990000").await.unwrap().id)
        .await
        .unwrap()
        .unwrap()
        .id;
    concurrent_takes(&store, h).await;
    concurrent_calls(&store, h).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_durable_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gongkai.db");
    let store = Store::open_sqlite(&path).await.unwrap();
    let (h, before) = durable_setup(&store).await;
    assert_eq!(before, ["A001", "A002", "A004"]);
    store.close().await;
    drop(store);
    let store = Store::open_sqlite(&path).await.unwrap();
    durable_check(&store, h, &before).await;
}

async fn pg(name: &str) -> Option<gongkai_store::testing::PgDb> {
    let db = gongkai_store::testing::postgres(name).await;
    if db.is_none() && std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("CI=true: PostgreSQL is required for {name}");
    }
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queue_on_postgres() {
    let Some(db) = pg("queue_on_postgres").await else {
        return;
    };
    let store = db.store().await.unwrap();
    flow(&store).await;
    let h = store
        .hall_of_body(store.get_body_by_code("990000").await.unwrap().id)
        .await
        .unwrap()
        .unwrap()
        .id;
    concurrent_takes(&store, h).await;
    concurrent_calls(&store, h).await;
    store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_durable_on_postgres() {
    let Some(db) = pg("queue_durable_on_postgres").await else {
        return;
    };
    let store = db.store().await.unwrap();
    let (h, before) = durable_setup(&store).await;
    store.close().await;
    drop(store);
    let store = db.store().await.unwrap();
    durable_check(&store, h, &before).await;
    store.close().await;
    db.drop_db().await;
}

#[test]
fn ids_are_valid() {
    assert!(gongkai_ledger::queue::valid_id_number(ID_A));
}
