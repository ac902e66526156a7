//! 答复期限计算器 (`/deadline`, `GET /api/v1/deadline`): the page and the API compute the
//! same deadline as the clerk's queue and the CLI, explain it, and name a date that needs a
//! year whose 节假日安排 is not imported instead of giving up on the whole computation.

mod common;

use axum::http::StatusCode;
use common::*;

async fn fx() -> Fixture {
    let (store, dir) = sqlite_store().await;
    fixture(store, dir).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_form_defaults_to_today() {
    let fx = fx().await;
    let r = fx.get("/deadline", Anon).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    let today = gongkai_calendar::format_date(today());
    assert!(page.contains(&format!("name=\"received\" required value=\"{today}\"")));
    assert!(!page.contains("id=\"result\""), "no result before asking");
    assert!(
        page.contains("href=\"/deadline\""),
        "in the portal navigation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn december_deadline_inside_the_known_year() {
    let fx = fx().await;
    let r = fx
        .get(
            "/deadline?received=2026-12-01&channel=in-person&on=2026-12-04",
            Anon,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("答复期限届满日：2026-12-29（星期二）"),
        "{page}"
    );
    assert!(page.contains("已用3个工作日，剩余17个工作日"));
    let api = fx
        .get(
            "/api/v1/deadline?received=2026-12-01&channel=in-person&on=2026-12-04",
            Anon,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);
    insta::assert_json_snapshot!("deadline_api_december", api.json());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extension_into_a_missing_year_keeps_the_base_deadline() {
    let fx = fx().await;
    let q = "received=2026-12-01&channel=in-person&extension_days=20&on=2026-12-04";
    let page = fx.get(&format!("/deadline?{q}"), Anon).await.text();
    assert!(
        page.contains("2027年节假日安排尚未导入，延期后期限暂无法计算"),
        "{page}"
    );
    assert!(page.contains("原答复期限届满日（延长前）：2026-12-29（星期二）"));
    assert!(page.contains("2027年国务院办公厅节假日安排尚未导入本平台"));
    let api = fx.get(&format!("/api/v1/deadline?{q}"), Anon).await.json();
    assert_eq!(api["due_on"], serde_json::Value::Null);
    assert_eq!(api["original_due_on"], "2026-12-29");
    assert_eq!(api["missing_years"], serde_json::json!([2027]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_restarts_the_clock() {
    let fx = fx().await;
    let q = "received=2026-03-02&channel=in-person&correction_requested=2026-03-04&corrected=2026-03-10&on=2026-03-20";
    let api = fx.get(&format!("/api/v1/deadline?{q}"), Anon).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let v = api.json();
    // 20 working days from the day after the corrected application arrived (2026-03-11).
    assert_eq!(v["due_on"], "2026-04-08");
    assert!(
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().contains("补正")),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_input_is_named_and_kept() {
    let fx = fx().await;
    let r = fx
        .get(
            "/deadline?received=2026-02-30&extension_days=25&channel=pigeon",
            Anon,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(page.contains("「收到申请日期」不是有效日期，应为 YYYY-MM-DD（收到「2026-02-30」）"));
    assert!(page.contains("「延长工作日数」应为1至20的整数（收到「25」）"));
    assert!(page.contains("「提交方式」无效（收到「pigeon」）"));
    assert!(page.contains("value=\"2026-02-30\""), "the input is kept");
    let api = fx.get("/api/v1/deadline?received=2026-02-30", Anon).await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.json()["error"], "invalid");
}

/// The staff queue lists a deadline that needs 2027 first, flagged in Chinese, and tells the
/// administrators what to import; bodies the reader cannot see are not counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_announces_deadlines_that_need_a_missing_year() {
    use gongkai_ledger::{ApplicantType, Channel, NewApplication, PersonalData};
    let fx = fx().await;
    let (app, _) = fx
        .state
        .store
        .receive_application(
            &NewApplication {
                body_id: fx.bodies[TOWN_A],
                applicant_type: ApplicantType::NaturalPerson,
                channel: Channel::InPerson,
                received_on: time::macros::date!(2026 - 12 - 20),
                request_text: "申请公开某项跨年办理的政府信息".into(),
                personal: PersonalData {
                    name: "跨年申请人".into(),
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
    let page = fx
        .get(&format!("/staff?body={TOWN_A}"), User("clerk_a"))
        .await
        .text();
    assert!(
        page.contains("1件在办申请的答复期限需要2027年国务院办公厅节假日安排"),
        "{page}"
    );
    let first_row = page
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        first_row.contains(&app.tracking_code),
        "listed first: {first_row}"
    );
    assert!(first_row.contains("2027年节假日安排尚未导入，答复期限暂无法计算"));
    let api = fx
        .get(
            &format!("/api/v1/staff/applications?body={TOWN_A}"),
            User("clerk_a"),
        )
        .await
        .json();
    assert_eq!(
        api["applications"][0]["tracking_code"],
        app.tracking_code.as_str()
    );
    assert_eq!(api["calendar_notices"].as_array().unwrap().len(), 1);
    // 乙镇's clerk does not read 甲镇 and sees no notice.
    let other = fx.get("/staff", User("clerk_b")).await.text();
    assert!(!other.contains("2027年国务院办公厅节假日安排"));
}
