//! Long staff lists on both backends: the application queue and the audit log page through
//! every row with a true total, keep their filters across pages, and show only what the user
//! may read.

mod common;

use axum::http::StatusCode;
use common::*;
use gongkai_ledger::{ApplicantType, Channel, NewApplication, PersonalData, Role};
use time::Duration;

/// Applications registered for town A on top of the fixture's one.
const EXTRA: i64 = 130;

async fn seed(fx: &Fixture) {
    let store = &fx.state.store;
    for i in 0..EXTRA {
        // Received from 200 days ago onwards: the oldest are long overdue.
        let received_on = today() - Duration::days(200 - i);
        store
            .receive_application(
                &NewApplication {
                    body_id: fx.body(TOWN_A),
                    applicant_type: ApplicantType::NaturalPerson,
                    channel: Channel::Post,
                    received_on,
                    request_text: format!("第{i}号测试申请"),
                    personal: PersonalData {
                        name: "测试申请人".into(),
                        ..PersonalData::default()
                    },
                },
                "lister",
                "",
            )
            .await
            .expect("application");
    }
}

async fn queue(fx: &Fixture) {
    let total = EXTRA + 1;
    // The page says how many there are and how many pages.
    let r = fx.get("/staff", User("clerk_a")).await;
    assert_eq!(r.status, StatusCode::OK);
    let page1 = r.text();
    assert!(page1.contains(&format!("（共{total}条）")), "{page1}");
    assert!(page1.contains("第1页 / 共3页"), "{page1}");
    // Least time left first: the oldest application (most overdue) heads page 1.
    assert!(page1.contains("第0号测试申请"), "oldest not on page 1");
    assert!(!page1.contains("第129号测试申请"));
    assert!(
        page1.contains("href=\"/staff?page=2\""),
        "no link to page 2"
    );

    // The API pages the same list; page 3 holds the rest, page 4 is empty.
    let v = fx
        .get("/api/v1/staff/applications?page=3", User("clerk_a"))
        .await
        .json();
    assert_eq!(v["pager"]["total"], total);
    assert_eq!(v["pager"]["page"], 3);
    assert_eq!(
        v["applications"].as_array().unwrap().len() as i64,
        total - 100
    );
    let v = fx
        .get("/api/v1/staff/applications?page=4", User("clerk_a"))
        .await
        .json();
    assert!(v["applications"].as_array().unwrap().is_empty());

    // Every row appears exactly once across the pages.
    let mut seen = std::collections::BTreeSet::new();
    for page in 1..=3 {
        let v = fx
            .get(
                &format!("/api/v1/staff/applications?page={page}"),
                User("clerk_a"),
            )
            .await
            .json();
        for a in v["applications"].as_array().unwrap() {
            assert!(seen.insert(a["id"].as_i64().unwrap()), "row twice");
        }
    }
    assert_eq!(seen.len() as i64, total);

    // Newest received first, the filter kept in the pager's links.
    let r = fx.get("/staff?sort=received", User("clerk_a")).await;
    let text = r.text();
    assert!(text.contains("第129号测试申请"));
    assert!(text.contains("sort=received"), "{text}");
    assert!(text.contains("page=2"));

    // Another town's clerk sees none of them; the district's oversight sees all, and both
    // towns when it filters by neither.
    let v = fx
        .get("/api/v1/staff/applications", User("clerk_b"))
        .await
        .json();
    assert_eq!(v["pager"]["total"], 1);
    let v = fx
        .get("/api/v1/staff/applications", User("oversight"))
        .await
        .json();
    assert_eq!(v["pager"]["total"], total + 1);
    let v = fx
        .get(
            &format!("/api/v1/staff/applications?body={TOWN_B}"),
            User("oversight"),
        )
        .await
        .json();
    assert_eq!(v["pager"]["total"], 1);

    // A wrong page number is not an error: it reads as the first page.
    let r = fx.get("/staff?page=abc", User("clerk_a")).await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn audit(fx: &Fixture) {
    let store = &fx.state.store;
    let get = |uri: String, who: &'static str| async move {
        let r = fx.get(&uri, User(who)).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        r.json()
    };

    // 130 receipts by `lister` and more: the log pages, 100 a page.
    let v = get("/api/v1/staff/audit".into(), "clerk_a").await;
    let total = v["pager"]["total"].as_i64().unwrap();
    assert!(total > EXTRA, "{total}");
    assert_eq!(v["entries"].as_array().unwrap().len(), 100);
    let v2 = get("/api/v1/staff/audit?page=2".into(), "clerk_a").await;
    assert_eq!(
        v2["entries"].as_array().unwrap().len() as i64,
        (total - 100).min(100)
    );

    // By user and by kind of action.
    let v = get("/api/v1/staff/audit?actor=lister".into(), "clerk_a").await;
    assert_eq!(v["pager"]["total"], EXTRA);
    assert!(
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "lister" && e["action_label"] == "收到申请")
    );
    let v = get("/api/v1/staff/audit?action=document.".into(), "clerk_a").await;
    let docs = v["entries"].as_array().unwrap();
    assert!(!docs.is_empty());
    assert!(
        docs.iter()
            .all(|e| e["action"].as_str().unwrap().starts_with("document."))
    );

    // By date: nothing before 2000, everything from then on.
    let v = get("/api/v1/staff/audit?to=2000-01-01".into(), "clerk_a").await;
    assert_eq!(v["pager"]["total"], 0);
    let v = get("/api/v1/staff/audit?from=2000-01-01".into(), "clerk_a").await;
    assert_eq!(v["pager"]["total"], total);
    let r = fx
        .get("/api/v1/staff/audit?from=2026-13-40", User("clerk_a"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("起始日期"), "{}", r.text());

    // The page shows the filter and the empty state.
    let r = fx
        .get("/staff/audit?actor=nobody-at-all", User("clerk_a"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    assert!(text.contains("value=\"nobody-at-all\""), "{text}");
    assert!(text.contains("没有符合条件的操作记录"), "{text}");

    // Town B's clerk reads none of town A's entries and may not filter by town A.
    let v = get("/api/v1/staff/audit?actor=lister".into(), "clerk_b").await;
    assert_eq!(v["pager"]["total"], 0);
    let r = fx
        .get(
            &format!("/api/v1/staff/audit?body={TOWN_A}"),
            User("clerk_b"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The district's oversight reads town A's.
    let v = get(
        format!("/api/v1/staff/audit?body={TOWN_A}&actor=lister"),
        "oversight",
    )
    .await;
    assert_eq!(v["pager"]["total"], EXTRA);

    // A user with no role left sees only their own entries without a body.
    let u = store
        .create_user("loner", "无角色用户", PASSWORD, "test")
        .await
        .unwrap();
    store
        .grant_role(u.id, fx.body(TOWN_A), Role::Clerk, "test")
        .await
        .unwrap();
    store
        .revoke_role(u.id, fx.body(TOWN_A), Role::Clerk, "test")
        .await
        .unwrap();
    let r = fx
        .post_form(
            "/staff/login",
            Anon,
            &[("login", "loner"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = r
        .headers
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("gk_session="))
        .expect("session cookie");
    let cookie = format!("gk_b={BROWSER}; {}", cookie.split(';').next().unwrap());
    let r = fx
        .send(
            fx.request(axum::http::Method::GET, "/api/v1/staff/audit", Anon)
                .header(axum::http::header::COOKIE, &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let entries = v["entries"].as_array().unwrap();
    assert!(!entries.is_empty(), "own sign-in missing");
    assert!(entries.iter().all(|e| e["actor"] == "loner"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_on_sqlite() {
    let (store, dir) = sqlite_store().await;
    let fx = fixture(store, dir).await;
    seed(&fx).await;
    queue(&fx).await;
    audit(&fx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("web lists_on_postgres").await else {
        return;
    };
    let store = db.store().await.expect("postgres store");
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture(store, dir).await;
    seed(&fx).await;
    queue(&fx).await;
    audit(&fx).await;
    fx.state.store.close().await;
    db.drop_db().await;
}
