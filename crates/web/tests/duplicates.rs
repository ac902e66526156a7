//! Possible 重复申请: the clerk's application page (and its JSON) lists other applications of
//! the same applicant to the same body within 30 days with a near-identical request; a
//! different applicant, a different request, another body or a later month is not listed,
//! and nothing is merged. Readers without access to personal data see no hint. On SQLite
//! and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;
use gongkai_ledger::{ApplicantType, Channel, NewApplication, PersonalData};
use time::macros::date;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_on_sqlite() {
    let (store, dir) = sqlite_store().await;
    let fx = fixture(store, dir).await;
    scenario(&fx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("web duplicates").await else {
        eprintln!("SKIPPED: PostgreSQL not reachable; duplicates ran on SQLite only");
        return;
    };
    let store = db.store().await.expect("postgres store");
    let fx = fixture(store, tempfile::tempdir().unwrap()).await;
    scenario(&fx).await;
    fx.state.store.close().await;
    db.drop_db().await;
}

fn person(name: &str, id: Option<&str>, phone: &str) -> PersonalData {
    PersonalData {
        name: name.into(),
        id_number: id.map(Into::into),
        phone: Some(phone.into()),
        email: None,
        address: None,
    }
}

async fn file(
    fx: &Fixture,
    body: &str,
    on: time::Date,
    p: PersonalData,
    text: &str,
) -> (i64, String) {
    let (app, _) = fx
        .state
        .store
        .receive_application(
            &NewApplication {
                body_id: fx.bodies[body],
                applicant_type: ApplicantType::NaturalPerson,
                channel: Channel::Online,
                received_on: on,
                request_text: text.into(),
                personal: p,
            },
            "test",
            "",
        )
        .await
        .unwrap();
    (app.id, app.tracking_code)
}

async fn scenario(fx: &Fixture) {
    const TEXT: &str = "申请公开黄阁镇2026年防汛物资采购合同及验收记录";
    let me = || person("陈重复", Some(TEST_ID), "13900000009");
    let (first, first_code) = file(fx, TOWN_A, date!(2026 - 05 - 20), me(), TEXT).await;
    // The same request again 12 days later, in slightly other words.
    let (second, second_code) = file(
        fx,
        TOWN_A,
        date!(2026 - 06 - 01),
        me(),
        "申请公开黄阁镇2026年防汛物资采购合同和验收记录。",
    )
    .await;
    // Same person, other request; same request, other person; same request, other body;
    // same request, two months later.
    let (_, other_text) = file(
        fx,
        TOWN_A,
        date!(2026 - 05 - 25),
        me(),
        "申请公开黄阁镇2025年低保发放名单",
    )
    .await;
    let (_, other_person) = file(
        fx,
        TOWN_A,
        date!(2026 - 05 - 21),
        person("李另一", Some("440115199001011231"), "13900000010"),
        TEXT,
    )
    .await;
    let (_, other_body) = file(fx, TOWN_B, date!(2026 - 05 - 22), me(), TEXT).await;
    let (_, later) = file(fx, TOWN_A, date!(2026 - 07 - 30), me(), TEXT).await;
    let before = fx.state.store.count_applications().await.unwrap();

    let page = fx
        .get(&format!("/staff/applications/{first}"), User("clerk_a"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("可能为重复申请"), "{html}");
    assert!(html.contains(&second_code));
    for code in [&other_text, &other_person, &other_body, &later] {
        assert!(
            !html.contains(code.as_str()),
            "{code} is not a repeat of {first_code}"
        );
    }
    // The other direction, and the JSON the API shares with the page.
    let api = fx
        .get(
            &format!("/api/v1/staff/applications/{second}"),
            User("clerk_a"),
        )
        .await
        .json();
    let hints = api["possible_duplicates"].as_array().unwrap();
    assert_eq!(hints.len(), 1, "{api}");
    assert_eq!(hints[0]["tracking_code"], first_code.as_str());
    assert!(hints[0]["similarity"].as_u64().unwrap() >= 80);
    // Oversight reads the application with personal data masked, and sees no hint.
    let masked = fx
        .get(
            &format!("/api/v1/staff/applications/{first}"),
            User("oversight"),
        )
        .await
        .json();
    assert_eq!(masked["possible_duplicates"], serde_json::json!([]));
    // Nothing was merged.
    assert_eq!(fx.state.store.count_applications().await.unwrap(), before);
}
