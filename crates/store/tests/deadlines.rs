//! Deadlines that need a year whose 节假日安排 is not imported: stored as not computable
//! (with the year), listed first in the queue, counted for the staff home, and recomputed in
//! one transaction when the year is imported — each change a 备注 event with the old and the
//! new deadline, the counters still equal to a recount. On SQLite and PostgreSQL.

mod common;

use gongkai_calendar::Calendar;
use gongkai_ledger::{
    ApplicantType, ApplicationState, BodyKind, Channel, EventKind, NewApplication, NewBody,
    PersonalData,
};
use gongkai_store::{QueueQuery, Store};
use time::Date;
use time::macros::date;

const NOTICE_2027: &str = r#"{"year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": ["2027-01-10"],
    "ranges": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "days": 3}],
    "notices": ["国务院办公厅关于2027年部分节假日安排的通知"]}"#;

async fn receive(store: &Store, body: i64, on: Date, text: &str) -> i64 {
    let (app, _) = store
        .receive_application(
            &NewApplication {
                body_id: body,
                applicant_type: ApplicantType::NaturalPerson,
                channel: Channel::InPerson,
                received_on: on,
                request_text: text.into(),
                personal: PersonalData {
                    name: "期限测试人".into(),
                    id_number: None,
                    phone: Some("13900000000".into()),
                    email: None,
                    address: None,
                },
            },
            "test",
            "",
        )
        .await
        .unwrap();
    app.id
}

async fn story(store: &Store) {
    for (code, name, kind, parent) in [
        ("44", "广东省人民政府", BodyKind::Province, None),
        (
            "440115",
            "广州市南沙区人民政府",
            BodyKind::District,
            Some("44"),
        ),
    ] {
        store
            .create_body(
                &NewBody {
                    code: code.into(),
                    name: name.into(),
                    kind,
                    parent_code: parent.map(Into::into),
                },
                "test",
            )
            .await
            .unwrap();
    }
    let body = store.get_body_by_code("440115").await.unwrap().id;
    // Due 2026-12-29, inside the known year.
    let known = receive(
        store,
        body,
        date!(2026 - 12 - 01),
        "申请公开某项已知期限的信息",
    )
    .await;
    // 20 working days from 2026-12-20 need 2027.
    let late = receive(
        store,
        body,
        date!(2026 - 12 - 20),
        "申请公开某项跨年期限的信息",
    )
    .await;
    // Extended by 20 working days: the 40th needs 2027.
    let extended = receive(store, body, date!(2026 - 12 - 01), "申请公开某项延期的信息").await;
    store
        .apply_event(
            extended,
            &EventKind::ExtensionApproved { days: 20 },
            date!(2026 - 12 - 03),
            "test",
            "",
        )
        .await
        .unwrap();
    // Awaiting a correction: the clock is stopped, not "not computable".
    let stopped = receive(
        store,
        body,
        date!(2026 - 12 - 02),
        "申请公开某项待补正的信息",
    )
    .await;
    store
        .apply_event(
            stopped,
            &EventKind::CorrectionRequested {
                deadline: date!(2026 - 12 - 18),
            },
            date!(2026 - 12 - 03),
            "test",
            "",
        )
        .await
        .unwrap();

    assert_eq!(
        store.deadlines_not_computable(Some(&[body])).await.unwrap(),
        vec![(2027, 2)]
    );
    assert_eq!(
        store.deadlines_not_computable(Some(&[])).await.unwrap(),
        vec![]
    );
    let (total, page) = store
        .queue_page(&QueueQuery {
            bodies: vec![body],
            state: None,
            open_only: true,
            by_received: false,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(total, 4);
    let order: Vec<i64> = page.iter().map(|a| a.id).collect();
    assert_eq!(
        order,
        vec![late, extended, known, stopped],
        "not computable first, stopped last"
    );
    let app = store.get_application(known).await.unwrap();
    assert_eq!(app.due_on, Some(date!(2026 - 12 - 29)));
    assert_eq!(app.status.state, ApplicationState::Processing);

    // Nothing changes with the same calendar.
    let none = store
        .recompute_deadlines(date!(2026 - 12 - 04), "test", "核对")
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");

    // The 2027 notice is imported: both deadlines are computed, in one run.
    let mut cal = Calendar::builtin();
    cal.import_bytes("2027.json", NOTICE_2027.as_bytes())
        .unwrap();
    let store = store.clone().with_calendar(cal);
    let changes = store
        .recompute_deadlines(date!(2026 - 12 - 04), "admin", "导入节假日安排 2027.json")
        .await
        .unwrap();
    let mut changed: Vec<i64> = changes.iter().map(|c| c.application_id).collect();
    changed.sort_unstable();
    assert_eq!(changed, vec![late, extended]);
    for c in &changes {
        assert!(c.old.contains("2027年节假日安排尚未导入"), "{c:?}");
        assert!(c.new.starts_with("2027-"), "{c:?}");
        let events = store.application_events(c.application_id).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.kind, EventKind::Note);
        assert!(
            last.note.contains(&c.old) && last.note.contains(&c.new),
            "{}",
            last.note
        );
        let app = store.get_application(c.application_id).await.unwrap();
        assert_eq!(
            app.due_on.map(gongkai_calendar::format_date),
            Some(c.new.clone())
        );
    }
    assert_eq!(store.deadlines_not_computable(None).await.unwrap(), vec![]);
    // Again: nothing left to change; and the counters still recount equal.
    assert!(
        store
            .recompute_deadlines(date!(2026 - 12 - 04), "admin", "再次核对")
            .await
            .unwrap()
            .is_empty()
    );
    let r = store.recount(body, 2026).await.unwrap();
    assert!(r.ok(), "{:?}", r.mismatches);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_on_sqlite() {
    let (store, _dir) = common::sqlite().await;
    story(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("deadlines_on_postgres").await else {
        return;
    };
    let store = db.store().await.unwrap();
    story(&store).await;
    store.close().await;
    db.drop_db().await;
}
