//! The service hall over HTTP (in-process, SQLite): kiosk → window → display → rating →
//! statistics, the one-ID rule, concurrent windows, the live stream, a restart, the daily
//! reset, statistics checked against the tickets, and snapshots of the pages and the
//! display-state JSON.

mod common;

use axum::body::Body as HttpBody;
use axum::http::{Method, StatusCode, header};
use common::{Anon, Fixture, TOWN_A, User, fixture, sqlite_store};
use gongkai_ledger::queue::{PriorityClass, Rating, TicketChannel, TicketState};
use gongkai_store::queue::{HallAction, TakeTicket};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use time::OffsetDateTime;

const ID: &str = "11010519491231002X";

async fn hall_fixture() -> (Fixture, i64) {
    let (store, dir) = sqlite_store().await;
    let fx = fixture(store, dir).await;
    let hall = fx
        .state
        .store
        .hall_configure(
            fx.body(TOWN_A),
            &gongkai_web::hall::demo::huangge_hall(),
            "test",
        )
        .await
        .expect("hall");
    (fx, hall.id)
}

fn base() -> String {
    format!("/bodies/{TOWN_A}/hall")
}

async fn take(fx: &Fixture, service: &str, id: &str) -> common::Resp {
    fx.post_form(
        &format!("{}/kiosk", base()),
        Anon,
        &[
            ("service", service),
            ("class", "普通"),
            ("id_number", id),
            ("name", ""),
        ],
    )
    .await
}

async fn act(fx: &Fixture, window: &str, action: &str) -> common::Resp {
    fx.post_form(
        "/staff/hall/action",
        User("clerk_a"),
        &[
            ("body", TOWN_A),
            ("window", window),
            ("action", action),
            ("service", ""),
        ],
    )
    .await
}

async fn api_act(fx: &Fixture, window: u32, action: &str) -> common::Resp {
    fx.post_json(
        &format!("/api/v1/staff/hall/{TOWN_A}/windows/{window}/actions"),
        User("clerk_a"),
        &json!({"action": action}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_take_call_finish_rate_flow() {
    let (fx, _) = hall_fixture().await;
    let kiosk = fx.get(&format!("{}/kiosk", base()), Anon).await;
    assert_eq!(kiosk.status, StatusCode::OK);
    assert!(kiosk.text().contains("社会保险（社保）"));
    let r = take(&fx, "SB", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let ticket_url = r.location().unwrap().to_string();
    let page = fx.get(&ticket_url, Anon).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("A001"));
    assert!(page.text().contains("您前面还有 0 人等候"));
    // A wrong token is not the holder's page.
    let wrong = ticket_url.split("?t=").next().unwrap().to_string() + "?t=nope";
    assert_eq!(fx.get(&wrong, Anon).await.status, StatusCode::NOT_FOUND);

    // The window calls it.
    let w = fx
        .get(
            &format!("/staff/hall?body={TOWN_A}&window=1"),
            User("clerk_a"),
        )
        .await;
    assert_eq!(w.status, StatusCode::OK);
    assert!(w.text().contains("呼叫下一位"));
    assert_eq!(act(&fx, "1", "call").await.status, StatusCode::SEE_OTHER);
    let page = fx.get(&ticket_url, Anon).await.text();
    assert!(page.contains("请A001号到1号窗口办理"), "{page}");
    let w = fx
        .get(
            &format!("/staff/hall?body={TOWN_A}&window=1"),
            User("clerk_a"),
        )
        .await
        .text();
    assert!(w.contains("当前：<strong>A001</strong>"), "{w}");
    // Calling again before finishing is refused with a message.
    let again = act(&fx, "1", "call").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("尚未办结"));
    // The display shows it.
    let d: Value = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/hall/display"), Anon)
        .await
        .json();
    assert_eq!(d["recent"][0]["text"], "请A001号到1号窗口办理");
    assert_eq!(d["windows"][0]["current"], "A001");
    // Finish, then rate: a 差评 needs its reason.
    assert_eq!(act(&fx, "1", "finish").await.status, StatusCode::SEE_OTHER);
    let page = fx.get(&ticket_url, Anon).await.text();
    let rate_href = page
        .split("id=\"rate-link\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("rate link")
        .replace("&amp;", "&");
    let token = ticket_url.split("?t=").nth(1).unwrap().to_string();
    let form = fx.get(&rate_href, Anon).await;
    assert_eq!(form.status, StatusCode::OK);
    let post_to = rate_href.split('?').next().unwrap().to_string();
    let bad = fx
        .post_form(
            &post_to,
            Anon,
            &[("t", &token), ("rating", "不满意"), ("reason", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("须填写原因"), "{}", bad.text());
    let ok = fx
        .post_form(
            &post_to,
            Anon,
            &[("t", &token), ("rating", "非常满意"), ("reason", "")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = fx.get(&ticket_url, Anon).await.text();
    assert!(page.contains("您的评价：非常满意"));
    // The statistics show it.
    let stats = fx
        .get(&format!("/staff/hall/stats?body={TOWN_A}"), User("clerk_a"))
        .await;
    assert_eq!(stats.status, StatusCode::OK);
    assert!(
        stats.text().contains("<td class=\"served\">1</td>"),
        "{}",
        stats.text()
    );
    // Audited.
    let audit = fx.get("/staff/audit", User("admin_a")).await.text();
    assert!(
        audit.contains("叫号") && audit.contains("办事评价"),
        "audit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_one_ticket_per_id() {
    let (fx, _) = hall_fixture().await;
    assert_eq!(take(&fx, "SB", ID).await.status, StatusCode::SEE_OTHER);
    let again = take(&fx, "SB", ID).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.text().contains("今日已取过该业务的号（A001）"),
        "{}",
        again.text()
    );
    // Another service is fine; an invalid number is refused; the number is never shown.
    assert_eq!(take(&fx, "YB", ID).await.status, StatusCode::SEE_OTHER);
    let bad = take(&fx, "SB", "110105194912310021").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("居民身份证号码无效"));
    let api = fx
        .post_json(
            &format!("/api/v1/bodies/{TOWN_A}/hall/tickets"),
            Anon,
            &json!({"service": "SB", "id_number": ID}),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        api.json()["message"]
            .as_str()
            .unwrap()
            .contains("今日已取过该业务的号")
    );
    let audit = fx.get("/staff/audit", User("admin_a")).await.text();
    assert!(!audit.contains(ID));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hall_concurrent_calls_never_share_a_ticket() {
    let (fx, _) = hall_fixture().await;
    for _ in 0..16 {
        let r = fx
            .post_json(
                &format!("/api/v1/bodies/{TOWN_A}/hall/tickets"),
                Anon,
                &json!({"service": "SB"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let fx = std::sync::Arc::new(fx);
    let mut called = Vec::new();
    for _round in 0..6 {
        let mut tasks = Vec::new();
        for w in [1u32, 2, 3] {
            let fx = fx.clone();
            tasks.push(tokio::spawn(async move {
                let r = api_act(&fx, w, "call").await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                let number = r.json()["ticket"]["number"].as_str().map(str::to_string);
                if number.is_some() {
                    assert_eq!(api_act(&fx, w, "finish").await.status, StatusCode::OK);
                }
                number
            }));
        }
        for t in tasks {
            if let Some(n) = t.await.unwrap() {
                called.push(n);
            }
        }
    }
    let distinct: BTreeSet<_> = called.iter().collect();
    assert_eq!(distinct.len(), called.len(), "{called:?}");
    assert_eq!(called.len(), 16);
}

/// Read SSE frames until one satisfies `want` (or time out).
async fn next_event(body: &mut HttpBody, buf: &mut String, want: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(i) = buf.find("\n\n") {
            let chunk: String = buf.drain(..i + 2).collect();
            if let Some(data) = chunk.lines().find_map(|l| l.strip_prefix("data: ")) {
                let v: Value = serde_json::from_str(data).expect("json event");
                if want(&v) {
                    return v;
                }
            }
        }
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .expect("an event in time")
            .expect("stream open")
            .expect("frame");
        if let Ok(data) = frame.into_data() {
            buf.push_str(&String::from_utf8_lossy(&data));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_sse_receives_the_call() {
    let (fx, _) = hall_fixture().await;
    assert_eq!(take(&fx, "YB", "").await.status, StatusCode::SEE_OTHER);
    let req = fx
        .request(Method::GET, &format!("{}/events", base()), Anon)
        .body(HttpBody::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(fx.app.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE].to_str().unwrap(),
        "text/event-stream"
    );
    let mut body = res.into_body();
    let mut buf = String::new();
    // First the current state (also what a reconnect gets).
    let first = next_event(&mut body, &mut buf, |_| true).await;
    assert_eq!(first["services"][1]["waiting"], 1);
    assert_eq!(first["calls"], json!([]));
    assert_eq!(api_act(&fx, 2, "call").await.status, StatusCode::OK);
    let ev = next_event(&mut body, &mut buf, |v| {
        !v["calls"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(ev["calls"][0]["text"], "请B001号到2号窗口办理");
    assert_eq!(ev["services"][1]["waiting"], 0);
    // A recall is announced again.
    assert_eq!(api_act(&fx, 2, "recall").await.status, StatusCode::OK);
    let ev = next_event(&mut body, &mut buf, |v| {
        !v["calls"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(ev["calls"][0]["recalls"], 1);
    // The display pages allow their script and nothing else.
    let page = fx.get(&format!("{}/display", base()), Anon).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'"));
    let w = fx.get(&format!("{}/windows/2/display", base()), Anon).await;
    assert!(w.text().contains("id=\"window-current\""));
    assert!(w.text().contains("B001"));
    assert_eq!(
        fx.get(&format!("{}/windows/99/display", base()), Anon)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_restart_keeps_the_queue() {
    let (fx, _) = hall_fixture().await;
    for s in ["SB", "SB", "HJ", "SB"] {
        assert_eq!(take(&fx, s, "").await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(api_act(&fx, 1, "call").await.status, StatusCode::OK);
    let before: Value = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/hall/display"), Anon)
        .await
        .json();
    // Restart: close the store, open the file again, a new server state on it.
    fx.state.store.close().await;
    let store = gongkai_store::Store::open_sqlite(&fx.dir.path().join("gongkai.db"))
        .await
        .unwrap();
    let search = gongkai_search::SearchIndex::open(fx.dir.path().join("search-index-2")).unwrap();
    let state = gongkai_web::AppState::new(
        store,
        search,
        fx.state.secret.clone(),
        (*fx.state.config).clone(),
    );
    let app = gongkai_web::router(state);
    let mut fx2 = fx;
    fx2.app = app;
    let after: Value = fx2
        .get(&format!("/api/v1/bodies/{TOWN_A}/hall/display"), Anon)
        .await
        .json();
    assert_eq!(before, after);
    let n = api_act(&fx2, 2, "call").await.json();
    assert_eq!(n["ticket"]["number"], "A002", "the order is kept");
    let n = api_act(&fx2, 5, "call").await.json();
    assert_eq!(n["ticket"]["number"], "D001");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_daily_reset() {
    let (fx, hall) = hall_fixture().await;
    assert_eq!(take(&fx, "SB", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(take(&fx, "SB", ID).await.status, StatusCode::SEE_OTHER);
    // The next morning (a new clock on the same data).
    let tomorrow = common::today() + time::Duration::days(1);
    let config = gongkai_web::WebConfig {
        clock: gongkai_store::Clock::fixed_on(tomorrow),
        ..(*fx.state.config).clone()
    };
    let search = gongkai_search::SearchIndex::open(fx.dir.path().join("search-index-3")).unwrap();
    let state = gongkai_web::AppState::new(
        fx.state.store.clone(),
        search,
        fx.state.secret.clone(),
        config,
    );
    let app = gongkai_web::router(state);
    let mut fx2 = fx;
    fx2.app = app;
    let r = take(&fx2, "SB", ID).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the same ID may take a number again the next day"
    );
    let page = fx2.get(r.location().unwrap(), Anon).await.text();
    assert!(page.contains("A001"), "numbering restarts");
    let day = common::today();
    let old = fx2.state.store.hall_tickets(hall, day, day).await.unwrap();
    assert_eq!(old.len(), 2, "history is kept");
    assert!(old.iter().all(|t| t.ticket.state == TicketState::NoShow));
    let audit = fx2.get("/staff/audit", User("admin_a")).await.text();
    assert!(audit.contains("日终清理"));
}

fn at(minutes: i64) -> OffsetDateTime {
    common::today()
        .with_time(time::macros::time!(9:00))
        .assume_offset(gongkai_store::BEIJING)
        + time::Duration::minutes(minutes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_statistics_match_the_tickets() {
    let (fx, hall) = hall_fixture().await;
    let st = &fx.state.store;
    let kiosk = |service: &str| TakeTicket {
        service: service.into(),
        class: PriorityClass::Normal,
        channel: TicketChannel::Kiosk,
        id_number: None,
        name: None,
    };
    // Three SB tickets at 9:00, 9:01, 9:02; waits 10, 14, 20 minutes; services 5, 7 minutes
    // and one no-show. One HJ ticket served at window 5 after 3 minutes, for 4 minutes.
    for m in 0..3 {
        st.hall_take(hall, &kiosk("SB"), at(m), "kiosk")
            .await
            .unwrap();
    }
    st.hall_take(hall, &kiosk("HJ"), at(0), "kiosk")
        .await
        .unwrap();
    let call = |w: u32, m: i64| async move {
        st.hall_action(hall, w, &HallAction::CallNext, None, at(m), "t")
            .await
            .unwrap()
            .ticket
            .unwrap()
    };
    let a1 = call(1, 10).await;
    st.hall_action(hall, 1, &HallAction::Start, None, at(10), "t")
        .await
        .unwrap();
    st.hall_action(hall, 1, &HallAction::Finish, None, at(15), "t")
        .await
        .unwrap();
    let _a2 = call(2, 15).await;
    st.hall_action(hall, 2, &HallAction::Start, None, at(15), "t")
        .await
        .unwrap();
    st.hall_action(hall, 2, &HallAction::Finish, None, at(22), "t")
        .await
        .unwrap();
    call(1, 22).await;
    st.hall_action(hall, 1, &HallAction::NoShow, None, at(24), "t")
        .await
        .unwrap();
    let d1 = call(5, 3).await;
    st.hall_action(hall, 5, &HallAction::Start, None, at(3), "t")
        .await
        .unwrap();
    st.hall_action(hall, 5, &HallAction::Finish, None, at(7), "t")
        .await
        .unwrap();
    st.hall_rate(
        a1.id,
        &a1.token,
        Rating::VerySatisfied,
        None,
        at(16),
        "public",
    )
    .await
    .unwrap();
    st.hall_rate(
        d1.id,
        &d1.token,
        Rating::VeryDissatisfied,
        Some("等太久"),
        at(8),
        "public",
    )
    .await
    .unwrap();

    let day = gongkai_calendar::format_date(common::today());
    let r = fx
        .get(
            &format!("/api/v1/staff/hall/{TOWN_A}/stats?from={day}&to={day}"),
            User("clerk_a"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let total = &v["total"];
    assert_eq!(total["issued"], 4);
    assert_eq!(total["served"], 3);
    assert_eq!(total["no_shows"], 1);
    // Waits (s): 180, 600, 840, 1200 → median (nearest rank) 600, p90 1200.
    assert_eq!(total["wait_median_s"], 600);
    assert_eq!(total["wait_p90_s"], 1200);
    // Service (s): 240, 300, 420 → median 300, p90 420.
    assert_eq!(total["service_median_s"], 300);
    assert_eq!(total["service_p90_s"], 420);
    assert_eq!(total["ratings"], json!([1, 0, 0, 0, 1]));
    assert_eq!(total["satisfaction"], "50.0%");
    let sb = v["by_service"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "SB")
        .unwrap();
    assert_eq!(
        (sb["issued"].as_u64(), sb["served"].as_u64()),
        (Some(3), Some(2))
    );
    let w5 = v["by_window"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "5")
        .unwrap();
    assert_eq!(w5["served"], 1);
    assert_eq!(v["by_day"][0]["key"], day.as_str());
    // CSV export.
    let csv = fx
        .get(
            &format!("/staff/hall/stats.csv?body={TOWN_A}&from={day}&to={day}"),
            User("clerk_a"),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(text.contains("分组,键,名称,取号数"));
    assert!(
        text.contains("合计,total,合计,4,3,1,0,600,1200,300,420,1,0,0,0,1,50.0%"),
        "{text}"
    );
    // Other bodies' staff may not read them; a bad range is refused.
    assert_eq!(
        fx.get(
            &format!("/api/v1/staff/hall/{TOWN_A}/stats"),
            User("clerk_b")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        fx.get(
            &format!("/api/v1/staff/hall/{TOWN_A}/stats?from=2026-06-10&to=2026-06-01"),
            User("clerk_a")
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_appointment_booked_and_checked_in() {
    let (fx, _) = hall_fixture().await;
    let page = fx
        .get(&format!("{}/appointments?service=SB", base()), Anon)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // 2026-06-10 10:00: today's 10:00 slot has started; 11:00 is bookable.
    assert!(page.text().contains("11:00–12:00"), "{}", page.text());
    let r = fx
        .post_form(
            &format!("{}/appointments", base()),
            Anon,
            &[
                ("service", "SB"),
                ("day", "2026-06-10"),
                ("start", "10:00"),
                ("id_number", ID),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a started slot");
    let r = fx
        .post_form(
            &format!("{}/appointments", base()),
            Anon,
            &[
                ("service", "SB"),
                ("day", "2026-06-10"),
                ("start", "11:00"),
                ("id_number", ID),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let done = fx.get(r.location().unwrap(), Anon).await.text();
    let code = done
        .split("id=\"appointment-code\" style=\"font-size:2em\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    // Too early to check in at 10:00 for 11:00 (from 10:30).
    let early = fx
        .post_form(
            &format!("{}/kiosk/checkin", base()),
            Anon,
            &[("code", &code)],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.text().contains("尚未到签到时间"));
}

fn redact(html: &str, token: Option<&str>) -> String {
    let s = match token {
        Some(t) => html.replace(t, "[token]"),
        None => html.to_string(),
    };
    // CSRF tokens are bound to the suite's fixed secret and browser, but keep them out.
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(i) = rest.find("name=\"csrf\" value=\"") {
        let j = i + "name=\"csrf\" value=\"".len();
        out.push_str(&rest[..j]);
        out.push_str("[csrf]");
        rest = &rest[j..];
        rest = &rest[rest.find('"').unwrap_or(0)..];
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_snapshots() {
    let (fx, _) = hall_fixture().await;
    let r = take(&fx, "SB", "").await;
    let url = r.location().unwrap().to_string();
    let token = url.split("?t=").nth(1).unwrap().to_string();
    take(&fx, "MZ", "").await;
    assert_eq!(api_act(&fx, 3, "call").await.status, StatusCode::OK);
    let kiosk = fx.get(&format!("{}/kiosk", base()), Anon).await.text();
    insta::assert_snapshot!("hall_kiosk", redact(&kiosk, None));
    let ticket = fx.get(&url, Anon).await.text();
    insta::assert_snapshot!("hall_ticket", redact(&ticket, Some(&token)));
    let display = fx.get(&format!("{}/display", base()), Anon).await.text();
    insta::assert_snapshot!("hall_display", redact(&display, None));
    let state: Value = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/hall/display"), Anon)
        .await
        .json();
    insta::assert_json_snapshot!("hall_display_state", state);
}
