//! HTTP tests of every route and permission boundary, in process (`tower::ServiceExt::oneshot`
//! on `gongkai_web::router`), against SQLite and — when reachable — PostgreSQL
//! (`GONGKAI_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/test`; a fresh database
//! per run, dropped afterwards).

mod common;

use axum::body::Body as HttpBody;
use axum::http::{Method, StatusCode, header};
use common::*;
use serde_json::{Value, json};

/// Raw SQL on the same database (for the audit-log trigger test).
enum Raw {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Raw {
    async fn exec(&self, sql: &str) -> Result<u64, sqlx::Error> {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Raw::Sqlite(p) => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", p.display())).await?;
                sqlx::raw_sql(sql)
                    .execute(&mut c)
                    .await
                    .map(|r| r.rows_affected())
            }
            Raw::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await?;
                sqlx::raw_sql(sql)
                    .execute(&mut c)
                    .await
                    .map(|r| r.rows_affected())
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_on_sqlite() {
    let (store, dir) = sqlite_store().await;
    let path = dir.path().join("gongkai.db");
    let fx = fixture(store, dir).await;
    suite(&fx, Raw::Sqlite(path)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("web suite_on_postgres").await else {
        eprintln!("SKIPPED: PostgreSQL not reachable; the web suite ran on SQLite only");
        return;
    };
    let store = db.store().await.expect("postgres store");
    assert_eq!(store.backend_name(), "postgres");
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture(store, dir).await;
    suite(&fx, Raw::Postgres(db.url.clone())).await;
    fx.state.store.close().await;
    db.drop_db().await;
}

async fn suite(fx: &Fixture, raw: Raw) {
    public_pages(fx).await;
    public_api(fx).await;
    staff_requires_sign_in(fx).await;
    login_flow(fx).await;
    clerk_of_other_body_is_refused(fx).await;
    oversight_reads_but_cannot_change(fx).await;
    reviewer_only_decisions(fx).await;
    csrf_and_origin(fx).await;
    rate_limits(fx).await;
    size_limits(fx).await;
    application_desk_round_trip(fx).await;
    personal_data_never_public(fx).await;
    audit_log(fx, &raw).await;
    catalog_lists(fx).await;
}

/// A document of 乙镇 (town B) for the list tests.
fn town_b_doc(
    b: i64,
    catalog_item_id: Option<i64>,
    written_on: time::Date,
    title: &str,
    text: &str,
) -> gongkai_ledger::content::PublicDocumentRecord {
    gongkai_ledger::content::PublicDocumentRecord {
        body_id: b,
        catalog_item_id,
        publisher: "乙镇人民政府".into(),
        written_on,
        doc_number: String::new(),
        topic: "民政".into(),
        title: title.into(),
        text: text.into(),
    }
}

/// The 标准目录 page lists each item's newest documents and links to the rest; a catalog
/// item's document list is filtered and paged, and another body's item is not found.
async fn catalog_lists(fx: &Fixture) {
    let store = &fx.state.store;
    let b = fx.bodies[TOWN_B];
    let item = store
        .create_catalog_item(
            &gongkai_ledger::content::CatalogItemRecord {
                body_id: b,
                domain: "社会救助".into(),
                name: "临时救助".into(),
                basis: "《社会救助暂行办法》".into(),
                time_limit: "20个工作日内".into(),
                channel: "政府网站".into(),
                subject: "乙镇人民政府".into(),
                audience: "全社会".into(),
                manner: "主动公开".into(),
            },
            "test",
        )
        .await
        .unwrap();
    let first = time::Date::from_calendar_date(2025, time::Month::January, 1).unwrap();
    let mut ids = Vec::new();
    for i in 0..25i64 {
        let d = store
            .create_public_document(
                &town_b_doc(
                    b,
                    Some(item.id),
                    first,
                    &format!("临时救助公示第{i:02}期"),
                    "临时救助对象名单。",
                ),
                "test",
            )
            .await
            .unwrap();
        store
            .set_document_published(d.id, true, first + time::Duration::days(i), "test")
            .await
            .unwrap();
        ids.push(d.id);
    }
    let page = fx.get(&format!("/b/{TOWN_B}/catalog"), Anon).await.text();
    // The ten newest, not the older ones, and a link to all of them.
    assert!(page.contains("临时救助公示第24期") && page.contains("临时救助公示第15期"));
    assert!(!page.contains("临时救助公示第14期"));
    assert!(page.contains(&format!("/b/{TOWN_B}/docs?item={}", item.id)));
    let list = fx
        .get(&format!("/b/{TOWN_B}/docs?item={}", item.id), Anon)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.text();
    assert!(list.contains("（共25条）") && list.contains("临时救助公示第05期"));
    assert!(list.contains(&format!("docs?item={}&#38;page=2", item.id)));
    let p2 = fx
        .get(&format!("/b/{TOWN_B}/docs?item={}&page=2", item.id), Anon)
        .await
        .text();
    assert!(p2.contains("临时救助公示第04期") && !p2.contains("临时救助公示第05期"));
    // The page is cached per content version: any change through the store shows at once.
    let newest = store
        .create_public_document(
            &town_b_doc(
                b,
                Some(item.id),
                first,
                "临时救助公示最新一期",
                "临时救助对象名单。",
            ),
            "test",
        )
        .await
        .unwrap();
    let page = fx.get(&format!("/b/{TOWN_B}/catalog"), Anon).await.text();
    assert!(
        !page.contains("临时救助公示最新一期"),
        "a draft is not listed"
    );
    store
        .set_document_published(newest.id, true, first + time::Duration::days(40), "test")
        .await
        .unwrap();
    let page = fx.get(&format!("/b/{TOWN_B}/catalog"), Anon).await.text();
    assert!(page.contains("临时救助公示最新一期") && !page.contains("临时救助公示第15期"));
    store
        .set_document_published(newest.id, false, first, "test")
        .await
        .unwrap();
    let page = fx.get(&format!("/b/{TOWN_B}/catalog"), Anon).await.text();
    assert!(!page.contains("临时救助公示最新一期") && page.contains("临时救助公示第15期"));
    // The staff list pages at 50 rows (drafts included).
    for i in 0..30 {
        store
            .create_public_document(
                &town_b_doc(
                    b,
                    None,
                    first - time::Duration::days(400 + i),
                    &format!("乙镇旧草稿{i:02}"),
                    "草稿。",
                ),
                "test",
            )
            .await
            .unwrap();
    }
    let staff1 = fx
        .get(&format!("/staff/documents?body={TOWN_B}"), User("clerk_b"))
        .await
        .text();
    assert!(staff1.contains("第1页 / 共2页"), "{staff1}");
    assert!(staff1.contains(&format!("/staff/documents?body={TOWN_B}&#38;page=2")));
    assert!(!staff1.contains("乙镇旧草稿29"), "the oldest is on page 2");
    let staff2 = fx
        .get(
            &format!("/staff/documents?body={TOWN_B}&page=2"),
            User("clerk_b"),
        )
        .await
        .text();
    assert!(staff2.contains("乙镇旧草稿29") && staff2.contains("第2页 / 共2页"));
    for uri in [
        format!("/b/{TOWN_A}/docs?item={}", item.id),
        format!("/b/{TOWN_B}/docs?item=99999999"),
    ] {
        assert_eq!(
            fx.get(&uri, Anon).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
}

async fn public_pages(fx: &Fixture) {
    let y = fx.report_year;
    for uri in [
        "/".to_string(),
        "/healthz".into(),
        "/static/gongkai.css".into(),
        format!("/b/{TOWN_A}"),
        format!("/b/{TOWN_A}/guide"),
        format!("/b/{TOWN_A}/catalog"),
        format!("/b/{TOWN_A}/docs"),
        format!("/b/{TOWN_A}/docs?page=2"),
        format!("/docs/{}", fx.doc_pub_a),
        format!("/attachments/{}", fx.att_pub_a),
        "/search?q=高龄老人".into(),
        format!("/search?q=津贴&body={DISTRICT}"),
        format!("/b/{TOWN_A}/reports"),
        format!("/b/{TOWN_A}/reports/{y}"),
        format!("/b/{TOWN_A}/reports/{y}?v=1"),
        format!("/b/{TOWN_A}/reports/{y}?as=json"),
        format!("/b/{TOWN_A}/apply"),
        "/status".into(),
        "/staff/login".into(),
    ] {
        let r = fx.get(&uri, Anon).await;
        assert_eq!(r.status, StatusCode::OK, "GET {uri}: {}", r.text());
        assert_eq!(
            r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff",
            "{uri}"
        );
    }
    let home = fx.get(&format!("/b/{TOWN_A}/docs"), Anon).await.text();
    assert!(home.contains("黄阁镇高龄老人津贴发放公示"));
    assert!(!home.contains("未发布的内部草稿机密标题"));
    let search = fx.get("/search?q=津贴", Anon).await.text();
    assert!(
        search.contains(&format!("/docs/{}", fx.doc_pub_a)),
        "search finds the published document"
    );
    for uri in [
        "/b/999999".to_string(),
        "/b/999999/catalog".into(),
        "/b/999999/apply".into(),
        format!("/docs/{}", fx.doc_unpub_a),
        format!("/attachments/{}", fx.att_unpub_a),
        "/docs/99999999".into(),
        "/attachments/99999999".into(),
        format!("/b/{TOWN_A}/reports/{}", y - 5),
        format!("/b/{TOWN_A}/reports/{y}?v=9"),
        format!("/b/{TOWN_B}/reports/{y}"),
        "/no/such/page".into(),
    ] {
        let r = fx.get(&uri, Anon).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {uri}");
    }
    // Unpublished: invisible to the public and in search, visible to the body's staff.
    let s = fx.get("/search?q=机密", Anon).await.text();
    assert!(!s.contains("未发布的内部草稿机密标题"));
    let r = fx
        .get(&format!("/docs/{}", fx.doc_unpub_a), User("clerk_a"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = fx
        .get(&format!("/docs/{}", fx.doc_unpub_a), User("clerk_b"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn public_api(fx: &Fixture) {
    let y = fx.report_year;
    let r = fx.get("/api/v1/bodies", Anon).await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    let codes: Vec<&str> = b["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&TOWN_A) && codes.contains(&OTHER_CITY));
    let town = b["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == TOWN_A)
        .unwrap();
    assert_eq!(town["parent"], DISTRICT);

    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/documents"), Anon)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let docs = r.json();
    assert_eq!(docs["total"], 1, "published only: {docs}");
    assert_eq!(docs["documents"][0]["id"], fx.doc_pub_a);
    // Even staff get only published documents from the public list.
    let r = fx
        .get(
            &format!("/api/v1/bodies/{TOWN_A}/documents"),
            User("clerk_a"),
        )
        .await;
    assert_eq!(r.json()["total"], 1);

    let r = fx
        .get(&format!("/api/v1/documents/{}", fx.doc_pub_a), Anon)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let d = r.json();
    assert_eq!(d["title"], "黄阁镇高龄老人津贴发放公示");
    assert_eq!(d["attachments"][0]["id"], fx.att_pub_a);
    for who in [Anon, User("clerk_b"), User("clerk_other")] {
        let r = fx
            .get(&format!("/api/v1/documents/{}", fx.doc_unpub_a), who)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who:?}");
        assert_eq!(r.json()["error"], "not_found");
    }
    for who in [User("clerk_a"), User("oversight"), User("reviewer_a")] {
        let r = fx
            .get(&format!("/api/v1/documents/{}", fx.doc_unpub_a), who)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{who:?}");
        assert_eq!(r.json()["published"], false);
    }

    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/catalog"), Anon)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"][0]["name"], "高龄老人津贴发放");

    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/reports"), Anon)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["versions"][0]["year"], y);
    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_B}/reports"), Anon)
        .await;
    assert_eq!(r.json()["versions"], json!([]));

    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/reports/{y}"), Anon)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The JSON contract: it parses back into a report of the right body and year.
    let rep = gongkai_report::Report::from_json_str(&r.text()).expect("report-json contract");
    assert_eq!(rep.year, y);
    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/reports/{y}?v=1"), Anon)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for uri in [
        format!("/api/v1/bodies/{TOWN_A}/reports/{y}?v=2"),
        format!("/api/v1/bodies/{TOWN_B}/reports/{y}"),
        "/api/v1/bodies/999999/reports".into(),
        "/api/v1/bodies/999999/documents".into(),
        "/api/v1/bodies/999999/catalog".into(),
        "/api/v1/documents/99999999".into(),
        "/api/v1/no/such/route".into(),
    ] {
        let r = fx.get(&uri, Anon).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {uri}");
        assert_eq!(r.json()["error"], "not_found", "{uri}");
    }
    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/reports/abc"), Anon)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "bad_request");
    // Bad parameters are JSON errors naming the parameter.
    for uri in [
        format!("/api/v1/bodies/{TOWN_A}/documents?page=abc"),
        "/api/v1/documents/abc".into(),
        "/api/v1/search?q=x&page=-1".into(),
    ] {
        let r = fx.get(&uri, Anon).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(r.json()["error"], "bad_request", "{uri}");
    }
    let r = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/documents?page=abc"), Anon)
        .await;
    assert!(r.json()["message"].as_str().unwrap().contains("page"));

    let r = fx.get("/api/v1/search?q=津贴", Anon).await;
    assert_eq!(r.status, StatusCode::OK);
    let s = r.json();
    assert!(s["total"].as_u64().unwrap() >= 1, "{s}");
    assert_eq!(s["hits"][0]["url"], format!("/docs/{}", fx.doc_pub_a));
    let r = fx
        .get(&format!("/api/v1/search?q=河道&body={TOWN_A}"), Anon)
        .await;
    assert_eq!(r.json()["total"], 0, "body filter");

    let r = fx.get("/api/v1/openapi.json", Anon).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["openapi"], "3.1.0");

    let r = fx.get("/api/v1/csrf", Anon).await;
    assert_eq!(r.json()["token"], fx.csrf(Anon));
    let r = fx.get("/api/v1/csrf", User("clerk_a")).await;
    assert_eq!(r.json()["token"], fx.csrf(User("clerk_a")));
    assert_eq!(r.json()["staff"], true);

    // Every documented route answers (no route fallback, no 405) for a staff admin.
    let doc = gongkai_web::api::openapi_document();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let uri = path
            .replace("{code}", TOWN_A)
            .replace("{year}", &y.to_string())
            .replace("{id}", &fx.app_a.to_string());
        for method in ops.as_object().unwrap().keys() {
            let r = if method == "get" {
                fx.get(&uri, User("admin_a")).await
            } else {
                fx.post_json(&uri, User("admin_a"), &json!({})).await
            };
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            if r.status == StatusCode::NOT_FOUND {
                assert_ne!(
                    r.json()["message"],
                    "接口不存在 (not found)",
                    "{method} {uri}"
                );
            }
        }
    }
}

async fn staff_requires_sign_in(fx: &Fixture) {
    for uri in [
        "/staff".to_string(),
        format!("/staff/applications/{}", fx.app_a),
        format!("/staff/documents?body={TOWN_A}"),
        format!("/staff/documents/{}", fx.doc_pub_a),
        format!("/staff/catalog?body={TOWN_A}"),
        format!("/staff/cases?body={TOWN_A}"),
        format!("/staff/registers?body={TOWN_A}"),
        format!("/staff/reports?body={TOWN_A}"),
        "/staff/audit".into(),
    ] {
        let r = fx.get(&uri, Anon).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "GET {uri}");
        assert_eq!(r.location(), Some("/staff/login"), "{uri}");
    }
    let r = fx
        .post_form(
            &format!("/staff/applications/{}/event", fx.app_a),
            Anon,
            &[("kind", "withdrawn"), ("on", "2026-01-05")],
        )
        .await;
    assert!(r.status == StatusCode::SEE_OTHER, "{}", r.status);
    // A forged session cookie is ignored.
    let r = fx
        .send(
            fx.request(Method::GET, "/staff", Anon)
                .header(header::COOKIE, "gk_session=eyJ4Ijoi.Zm9yZ2Vk")
                .body(HttpBody::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for uri in [
        "/api/v1/staff/applications".to_string(),
        format!("/api/v1/staff/applications/{}", fx.app_a),
        format!("/api/v1/staff/reports/{TOWN_A}/{}", fx.report_year),
    ] {
        let r = fx.get(&uri, Anon).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "GET {uri}");
        assert_eq!(r.json()["error"], "unauthorized");
    }
    let r = fx
        .post_json(
            &format!("/api/v1/staff/applications/{}/events", fx.app_a),
            Anon,
            &json!({"kind": "withdrawn", "on": "2026-01-05"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn login_flow(fx: &Fixture) {
    let r = fx
        .post_form(
            "/staff/login",
            Anon,
            &[("login", "clerk_a"), ("password", "wrong")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = fx
        .post_form(
            "/staff/login",
            Anon,
            &[("login", "clerk_a"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("gk_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let value = cookie.split(';').next().unwrap();
    let r = fx
        .send(
            fx.request(Method::GET, "/staff", Anon)
                .header(header::COOKIE, value)
                .body(HttpBody::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("clerk_a用户"));
}

async fn clerk_of_other_body_is_refused(fx: &Fixture) {
    let b = User("clerk_b");
    let y = fx.report_year.to_string();
    for uri in [
        format!("/staff/applications/{}", fx.app_a),
        format!("/staff/documents?body={TOWN_A}"),
        format!("/staff/documents/{}", fx.doc_unpub_a),
        format!("/staff/catalog?body={TOWN_A}"),
        format!("/staff/cases?body={TOWN_A}"),
        format!("/staff/registers?body={TOWN_A}"),
        format!("/staff/reports?body={TOWN_A}&year={y}"),
        format!("/staff?body={TOWN_A}"),
    ] {
        let r = fx.get(&uri, b).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "clerk_b GET {uri}");
    }
    // Own body works.
    for uri in [
        format!("/staff/applications/{}", fx.app_b),
        format!("/staff/documents?body={TOWN_B}"),
        format!("/staff/catalog?body={TOWN_B}"),
        format!("/staff/cases?body={TOWN_B}"),
        format!("/staff/registers?body={TOWN_B}"),
        format!("/staff/reports?body={TOWN_B}&year={y}"),
        "/staff".into(),
        "/staff/audit".into(),
    ] {
        let r = fx.get(&uri, b).await;
        assert_eq!(r.status, StatusCode::OK, "clerk_b GET {uri}: {}", r.text());
    }
    let queue = fx.get("/staff", b).await.text();
    assert!(!queue.contains(PD_NAME));
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/staff/applications/{}/event", fx.app_a),
            vec![("kind", "withdrawn"), ("on", "2026-01-05")],
        ),
        (
            "/staff/applications".into(),
            vec![
                ("body", TOWN_A),
                ("channel", "letter"),
                ("received_on", "2026-01-05"),
                ("applicant_type", "natural_person"),
                ("name", "某某"),
                ("phone", "1"),
                ("request_text", "申请公开某某信息"),
            ],
        ),
        (
            "/staff/documents".into(),
            vec![("body", TOWN_A), ("title", "越权文件")],
        ),
        (
            format!("/staff/documents/{}", fx.doc_unpub_a),
            vec![("title", "越权修改")],
        ),
        (
            format!("/staff/documents/{}/publish", fx.doc_unpub_a),
            vec![("publish", "1")],
        ),
        (
            "/staff/catalog".into(),
            vec![("body", TOWN_A), ("domain", "越权")],
        ),
        (
            "/staff/guide".into(),
            vec![("body", TOWN_A), ("text", "越权指南")],
        ),
        (
            "/staff/cases".into(),
            vec![("body", TOWN_A), ("reference", "越权")],
        ),
        (
            "/staff/registers".into(),
            vec![
                ("body", TOWN_A),
                ("year", "2025"),
                ("cell", "t2.a"),
                ("value", "1"),
            ],
        ),
        (
            "/staff/reports/narrative".into(),
            vec![("body", TOWN_A), ("year", "2025")],
        ),
        (
            "/staff/reports/approve".into(),
            vec![("body", TOWN_A), ("year", "2025")],
        ),
        (
            "/staff/reports/publish".into(),
            vec![("body", TOWN_A), ("year", "2025")],
        ),
    ];
    for (uri, fields) in &posts {
        let r = fx.post_form(uri, b, fields).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "clerk_b POST {uri}: {}",
            r.text()
        );
    }
    // The attachment upload (multipart, token in the query).
    let r = fx
        .send(
            fx.request(
                Method::POST,
                &format!(
                    "/staff/documents/{}/attachments?csrf={}",
                    fx.doc_unpub_a,
                    fx.csrf(b)
                ),
                b,
            )
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
            .body(HttpBody::from(
                "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX--\r\n",
            ))
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "upload: {}", r.text());
    // Nothing changed.
    let d = fx
        .state
        .store
        .get_public_document(fx.doc_unpub_a)
        .await
        .unwrap();
    assert!(!d.published);
    assert_eq!(d.record.title, "未发布的内部草稿机密标题");
    assert!(
        fx.state
            .store
            .list_catalog(fx.body(TOWN_A))
            .await
            .unwrap()
            .len()
            == 1
    );
    let app = fx.state.store.get_application(fx.app_a).await.unwrap();
    assert!(!app.status.state.is_closed());

    // The API gives the same answers.
    let r = fx
        .get(&format!("/api/v1/staff/applications/{}", fx.app_a), b)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "forbidden");
    let r = fx
        .get(&format!("/api/v1/staff/applications?body={TOWN_A}"), b)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = fx
        .get(&format!("/api/v1/staff/reports/{TOWN_A}/{y}"), b)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = fx
        .post_json(
            &format!("/api/v1/staff/applications/{}/events", fx.app_a),
            b,
            &json!({"kind": "withdrawn", "on": "2026-01-05"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = fx.get("/api/v1/staff/applications", b).await;
    assert_eq!(r.status, StatusCode::OK);
    let ids: Vec<i64> = r.json()["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![fx.app_b]);
    let other = User("clerk_other");
    let r = fx
        .get(&format!("/api/v1/staff/applications/{}", fx.app_b), other)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn oversight_reads_but_cannot_change(fx: &Fixture) {
    let o = User("oversight");
    let y = fx.report_year.to_string();
    for uri in [
        format!("/staff/applications/{}", fx.app_a),
        format!("/staff/applications/{}", fx.app_b),
        format!("/staff/documents?body={TOWN_A}"),
        format!("/staff/catalog?body={TOWN_A}"),
        format!("/staff/cases?body={TOWN_A}"),
        format!("/staff/registers?body={TOWN_A}"),
        format!("/staff/reports?body={TOWN_A}&year={y}"),
        "/staff".into(),
    ] {
        let r = fx.get(&uri, o).await;
        assert_eq!(r.status, StatusCode::OK, "oversight GET {uri}");
    }
    let page = fx
        .get(&format!("/staff/applications/{}", fx.app_a), o)
        .await
        .text();
    assert!(!page.contains("作出答复"), "no action forms for oversight");
    // Not above its own subtree.
    let r = fx.get(&format!("/staff/catalog?body={CITY}"), o).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = fx
        .get(&format!("/staff/catalog?body={OTHER_CITY}"), o)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (uri, fields) in [
        (
            format!("/staff/applications/{}/event", fx.app_a),
            vec![("kind", "withdrawn"), ("on", "2026-01-05")],
        ),
        (
            "/staff/documents".into(),
            vec![("body", TOWN_A), ("title", "x")],
        ),
        (
            "/staff/catalog".into(),
            vec![("body", TOWN_A), ("domain", "x")],
        ),
        (
            "/staff/cases".into(),
            vec![("body", TOWN_A), ("reference", "x")],
        ),
        (
            "/staff/reports/approve".into(),
            vec![("body", TOWN_A), ("year", "2025")],
        ),
        (
            "/staff/reports/publish".into(),
            vec![("body", TOWN_A), ("year", "2025")],
        ),
    ] {
        let r = fx.post_form(&uri, o, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "oversight POST {uri}");
    }
    let r = fx
        .get(&format!("/api/v1/staff/applications/{}", fx.app_a), o)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let a = r.json();
    // Oversight reads the record, but the applicant's personal data is masked.
    assert_ne!(
        a["personal"]["name"], PD_NAME,
        "oversight sees personal data"
    );
    assert_eq!(a["personal"]["name"], "欧**");
    assert_eq!(a["personal_masked"], true);
    assert_eq!(a["can_act"], false);
    let r = fx.get("/api/v1/staff/applications", o).await;
    let n = r.json()["applications"].as_array().unwrap().len();
    assert!(n >= 2, "both towns' applications");
    let r = fx
        .get(&format!("/api/v1/staff/reports/{TOWN_A}/{y}"), o)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["can_approve"], false);
    let r = fx
        .post_json(
            &format!("/api/v1/staff/applications/{}/events", fx.app_a),
            o,
            &json!({"kind": "withdrawn", "on": "2026-01-05"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn reviewer_only_decisions(fx: &Fixture) {
    let year = fx.report_year.to_string();
    let t = gongkai_calendar::format_date(today());
    // Report approval and publication.
    for uri in ["/staff/reports/approve", "/staff/reports/publish"] {
        let r = fx
            .post_form(uri, User("clerk_a"), &[("body", TOWN_A), ("year", &year)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "clerk POST {uri}");
    }
    let r = fx
        .post_form(
            "/staff/reports/approve",
            User("reviewer_a"),
            &[("body", TOWN_A), ("year", &year)],
        )
        .await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{}: {}",
        r.status,
        r.text()
    );
    let r = fx
        .post_form(
            "/staff/reports/publish",
            User("reviewer_a"),
            &[("body", TOWN_A), ("year", &year), ("reason", "更正测试")],
        )
        .await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{}: {}",
        r.status,
        r.text()
    );
    let versions = fx
        .state
        .store
        .report_versions(fx.body(TOWN_A), Some(fx.report_year))
        .await
        .unwrap();
    assert_eq!(
        versions.len(),
        2,
        "second version published by the reviewer"
    );

    // Extension approval: clerk refused (form and API), reviewer allowed.
    let ev = format!("/staff/applications/{}/event", fx.app_a);
    let r = fx
        .post_form(
            &ev,
            User("clerk_a"),
            &[("kind", "extension_approved"), ("days", "20"), ("on", &t)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let api = format!("/api/v1/staff/applications/{}/events", fx.app_a);
    let r = fx
        .post_json(
            &api,
            User("clerk_a"),
            &json!({"kind": "extension_approved", "days": 20, "on": t}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "forbidden");
    // Validation as in the form.
    let r = fx
        .post_json(&api, User("reviewer_a"), &json!({"kind": "bogus", "on": t}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = fx
        .post_json(
            &api,
            User("reviewer_a"),
            &json!({"kind": "extension_approved", "days": 20, "on": "not a date"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = fx
        .post_json(&api, User("reviewer_a"), &json!({"kind": ["x"]}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = fx
        .send(
            fx.request(Method::POST, &api, User("reviewer_a"))
                .header("x-csrf-token", fx.csrf(User("reviewer_a")))
                .body(HttpBody::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "bad_request");
    // Typed input: unknown fields and bad values are refused naming the field.
    for (body, field) in [
        (json!({"kind": "withdrawn", "on": t, "days": 3}), "days"),
        (
            json!({"kind": "extension_approved", "days": "many", "on": t}),
            "days",
        ),
        (
            json!({"kind": "fee_noticed", "amount": [1], "on": t}),
            "amount",
        ),
        (
            json!({"kind": "decided", "outcome": "maybe", "on": t}),
            "outcome",
        ),
        (json!({"kind": "withdrawn"}), "on"),
        (json!({"on": t}), "kind"),
    ] {
        let r = fx.post_json(&api, User("reviewer_a"), &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        let e = r.json();
        assert_eq!(e["error"], "bad_request", "{body}");
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(&format!("「{field}")), "{body}: {message}");
    }
    let queue = "/api/v1/staff/applications";
    let r = fx
        .get(&format!("{queue}?state=bogus"), User("reviewer_a"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"].as_str().unwrap().contains("state"));
    let r = fx
        .get(
            &format!("{queue}?state=processing&closed=true&sort=received"),
            User("reviewer_a"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["sort"], "received");
    assert_eq!(r.json()["closed"], true);
    let r = fx
        .post_json(
            &api,
            User("reviewer_a"),
            &json!({"kind": "extension_approved", "days": 20, "on": t, "note": "案情复杂"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let app = fx.state.store.get_application(fx.app_a).await.unwrap();
    assert!(app.status.extension.is_some());
    // The one extension cannot be granted twice (ledger rule, JSON error).
    let r = fx
        .post_json(
            &api,
            User("reviewer_a"),
            &json!({"kind": "extension_approved", "days": 5, "on": t}),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.json()["error"].is_string());
}

async fn csrf_and_origin(fx: &Fixture) {
    let apply = format!("/b/{TOWN_A}/apply");
    let fields = [
        ("applicant_type", "natural_person"),
        ("name", "某申请人"),
        ("id_number", TEST_ID),
        ("phone", "020-1234"),
        ("request_text", "申请公开某项政府信息"),
    ];
    let r = fx.post_form_raw(&apply, Anon, &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no token");
    let mut wrong = vec![("csrf", "AAAA")];
    wrong.extend_from_slice(&fields);
    let r = fx.post_form_raw(&apply, Anon, &wrong).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong token");
    // A staff token does not work for another browser/session and vice versa.
    let staff_token = fx.csrf(User("clerk_a"));
    let mut other = vec![("csrf", staff_token.as_str())];
    other.extend_from_slice(&fields);
    let r = fx.post_form_raw(&apply, Anon, &other).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "token of another session");
    let anon_token = fx.csrf(Anon);
    let r = fx
        .post_form_raw(
            &format!("/staff/applications/{}/event", fx.app_b),
            User("clerk_b"),
            &[
                ("csrf", &anon_token),
                ("kind", "withdrawn"),
                ("on", "2026-01-05"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "anonymous token on a staff form"
    );
    // Cross-site requests are refused even with the right token.
    let mut good = vec![("csrf", anon_token.as_str())];
    good.extend_from_slice(&fields);
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ] {
        let r = fx
            .send(
                fx.request(Method::POST, &apply, Anon)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(name, value)
                    .body(HttpBody::from(form_encode(&good)))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {value}");
    }
    // Same origin is accepted.
    let r = fx
        .send(
            fx.request(Method::POST, &apply, Anon)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("origin", "http://gongkai.test")
                .header("sec-fetch-site", "same-origin")
                .body(HttpBody::from(form_encode(&good)))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // API: header token.
    let body = json!({"body": TOWN_A, "applicant_type": "natural_person", "name": "某申请人",
                      "id_number": TEST_ID, "phone": "020-1234", "request_text": "申请公开某项政府信息"});
    for token in [None, Some("wrong")] {
        let mut req = fx
            .request(Method::POST, "/api/v1/applications", Anon)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        let r = fx
            .send(req.body(HttpBody::from(body.to_string())).unwrap())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "API token {token:?}");
        assert_eq!(r.json()["error"], "forbidden");
    }
    let r = fx
        .send(
            fx.request(Method::POST, "/api/v1/applications", Anon)
                .header("x-csrf-token", fx.csrf(Anon))
                .header("sec-fetch-site", "cross-site")
                .body(HttpBody::from(body.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = fx
        .post_json(
            "/api/v1/staff/applications/1/events",
            User("clerk_a"),
            &json!({}),
        )
        .await;
    assert_ne!(
        r.status,
        StatusCode::FORBIDDEN,
        "a valid staff token passes CSRF"
    );
}

async fn rate_limits(fx: &Fixture) {
    let app = fx.with_limits(2, 3, 2);
    let body = json!({"body": TOWN_A, "applicant_type": "natural_person", "name": "某申请人",
                      "id_number": TEST_ID, "phone": "020-1234", "request_text": "申请公开某项政府信息"});
    let post = |uri: &str, v: &Value| {
        fx.request(Method::POST, uri, Anon)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", fx.csrf(Anon))
            .body(HttpBody::from(v.to_string()))
            .unwrap()
    };
    for i in 0..2 {
        let r = Fixture::send_to(&app, post("/api/v1/applications", &body)).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "submission {i}: {}",
            r.text()
        );
    }
    let r = Fixture::send_to(&app, post("/api/v1/applications", &body)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"], "too_many_requests");
    // The HTML form shares the quota.
    let csrf = fx.csrf(Anon);
    let r = Fixture::send_to(
        &app,
        fx.request(Method::POST, &format!("/b/{TOWN_A}/apply"), Anon)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(HttpBody::from(form_encode(&[
                ("csrf", &csrf),
                ("applicant_type", "natural_person"),
                ("name", "某申请人"),
                ("phone", "1"),
                ("request_text", "申请公开某项政府信息"),
            ])))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Search: 3 per minute, page and API together.
    let get = |uri: &str| {
        fx.request(Method::GET, uri, Anon)
            .body(HttpBody::empty())
            .unwrap()
    };
    for uri in ["/search?q=津贴", "/api/v1/search?q=津贴", "/search?q=公示"] {
        assert_eq!(
            Fixture::send_to(&app, get(uri)).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        Fixture::send_to(&app, get("/api/v1/search?q=津贴"))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        Fixture::send_to(&app, get("/search?q=津贴")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Login and status lookups: 2 per minute.
    let login = |pw: &str| {
        fx.request(Method::POST, "/staff/login", Anon)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(HttpBody::from(form_encode(&[
                ("csrf", &csrf),
                ("login", "clerk_a"),
                ("password", pw),
            ])))
            .unwrap()
    };
    assert_eq!(
        Fixture::send_to(&app, login("x")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = Fixture::send_to(
        &app,
        post(
            "/api/v1/applications/status",
            &json!({"code": "X", "secret": "Y"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        Fixture::send_to(&app, login(PASSWORD)).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password is refused once over the quota"
    );
}

async fn size_limits(fx: &Fixture) {
    let big = "x".repeat(gongkai_web::app::MAX_BODY_BYTES + 1024);
    let r = fx
        .send(
            fx.request(Method::POST, &format!("/b/{TOWN_A}/apply"), Anon)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(HttpBody::from(format!("csrf={}&name={big}", fx.csrf(Anon))))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "form");
    let big = json!({"body": TOWN_A, "request_text": "x".repeat(gongkai_web::api::MAX_JSON_BYTES)});
    let r = fx.post_json("/api/v1/applications", Anon, &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "json");
    assert_eq!(r.json()["error"], "payload_too_large");
    // Field limits give a 422 with every message.
    let r = fx
        .post_json(
            "/api/v1/applications",
            Anon,
            &json!({"body": TOWN_A, "applicant_type": "nobody", "name": "", "request_text": "短"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["errors"].as_array().unwrap().len() >= 3);
    let r = fx
        .post_json(
            "/api/v1/applications",
            Anon,
            &json!({"body": "999999", "applicant_type": "natural_person", "name": "某",
                    "phone": "1", "request_text": "申请公开某项政府信息"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Submit by the API, look up the status, decide by the API, look up again.
async fn application_desk_round_trip(fx: &Fixture) {
    let r = fx
        .post_json(
            "/api/v1/applications",
            Anon,
            &json!({"body": TOWN_B, "applicant_type": "natural_person", "name": PD_NAME,
                    "id_number": PD_ID, "phone": PD_PHONE, "email": PD_EMAIL,
                    "address": PD_ADDRESS, "request_text": "申请公开横沥镇河道整治工程验收报告",
                    "delivery": "电子邮件"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let receipt = r.json();
    assert_no_personal_data("API receipt", &r.text());
    let code = receipt["tracking_code"].as_str().unwrap().to_string();
    let secret = receipt["secret"].as_str().unwrap().to_string();
    let r = fx
        .post_json(
            "/api/v1/applications/status",
            Anon,
            &json!({"code": code, "secret": "wrong-secret"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = fx
        .post_json(
            "/api/v1/applications/status",
            Anon,
            &json!({"code": code, "secret": secret}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["state"], "processing");
    assert_no_personal_data("API status", &r.text());

    let list = fx
        .get("/api/v1/staff/applications", User("clerk_b"))
        .await
        .json();
    let entry = list["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["tracking_code"] == code.as_str())
        .expect("in the queue")
        .clone();
    assert!(entry["due_on"].is_string());
    assert!(entry["remaining_working_days"].as_i64().unwrap() > 0);
    let id = entry["id"].as_i64().unwrap();
    let detail = fx
        .get(&format!("/api/v1/staff/applications/{id}"), User("clerk_b"))
        .await
        .json();
    assert_eq!(detail["personal"]["phone"], PD_PHONE);
    assert_eq!(detail["can_act"], true);
    let t = gongkai_calendar::format_date(today());
    let r = fx
        .post_json(
            &format!("/api/v1/staff/applications/{id}/events"),
            User("clerk_b"),
            &json!({"kind": "decided", "outcome": "granted", "reference": "横府信复〔2026〕1号",
                    "summary": "予以公开，验收报告见附件", "on": t}),
        )
        .await;
    if r.status != StatusCode::CREATED {
        // The outcome code of 予以公开 may be spelled differently; find it in the form.
        let page = fx
            .get(&format!("/staff/applications/{id}"), User("clerk_b"))
            .await
            .text();
        panic!(
            "decide failed: {} {}\n{}",
            r.status,
            r.text(),
            &page[..page.len().min(300)]
        );
    }
    assert_eq!(r.json()["state"], "decided");
    let r = fx
        .post_json(
            "/api/v1/applications/status",
            Anon,
            &json!({"code": code, "secret": secret}),
        )
        .await;
    let s = r.json();
    assert!(
        s["outcome_label"].as_str().unwrap().contains("予以公开"),
        "{s}"
    );
    assert_eq!(s["reply"]["reference"], "横府信复〔2026〕1号");
    assert_no_personal_data("API status after decision", &r.text());
    // The HTML status page too.
    let r = fx
        .post_form("/status", Anon, &[("code", &code), ("secret", &secret)])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("予以公开"));
    assert_no_personal_data("status page", &r.text());
    // The live report of the year counts it.
    let r = fx
        .get(
            &format!("/api/v1/staff/reports/{TOWN_B}/{}", today().year()),
            User("clerk_b"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let rep = r.json();
    assert!(rep["findings"].is_array());
    assert_no_personal_data("staff report", &r.text());
    let report = gongkai_report::Report::from_json_str(&rep["report"].to_string()).unwrap();
    assert!(report.count("t3", "granted", "total") >= 1);
}

async fn personal_data_never_public(fx: &Fixture) {
    // Also submit through the HTML form.
    let r = fx
        .submit_application(
            &format!("/b/{TOWN_A}/apply"),
            Anon,
            &[
                ("applicant_type", "natural_person"),
                ("name", PD_NAME),
                ("id_number", PD_ID),
                ("phone", PD_PHONE),
                ("email", PD_EMAIL),
                ("address", PD_ADDRESS),
                ("request_text", "申请公开黄阁镇2025年度道路维修经费"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("tracking-code"));
    assert_no_personal_data("receipt page", &r.text());
    gongkai_web::indexer::catch_up(&fx.state).await.unwrap();
    let y = fx.report_year;
    let mut uris = vec!["/".to_string(), "/healthz".into(), "/api/v1/bodies".into()];
    for q in PERSONAL.iter().chain(["津贴", "申请", "黄阁镇"].iter()) {
        // The search page echoes the visitor's own query: only the rest must be clean.
        let r = fx.get(&format!("/search?q={}", enc(q)), Anon).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_no_personal_data(&format!("search page for {q}"), &r.text().replace(q, ""));
        uris.push(format!("/api/v1/search?q={}", enc(q)));
    }
    for code in [CITY, DISTRICT, TOWN_A, TOWN_B] {
        for p in ["", "/guide", "/catalog", "/docs", "/reports", "/apply"] {
            uris.push(format!("/b/{code}{p}"));
        }
        for p in ["documents", "catalog", "reports"] {
            uris.push(format!("/api/v1/bodies/{code}/{p}"));
        }
    }
    for v in ["", "?v=1", "?v=2", "?as=json", "?as=xlsx"] {
        uris.push(format!("/b/{TOWN_A}/reports/{y}{v}"));
    }
    uris.push(format!("/api/v1/bodies/{TOWN_A}/reports/{y}"));
    uris.push(format!("/docs/{}", fx.doc_pub_a));
    uris.push(format!("/docs/{}", fx.doc_pub_b));
    uris.push(format!("/api/v1/documents/{}", fx.doc_pub_a));
    for uri in &uris {
        let r = fx.get(uri, Anon).await;
        assert!(
            r.status.is_success() || r.status == StatusCode::NOT_FOUND,
            "{uri}: {}",
            r.status
        );
        assert_no_personal_data(uri, &r.text());
    }
    // Search results never come from applications.
    let r = fx
        .get(&format!("/api/v1/search?q={}", enc(PD_NAME)), Anon)
        .await;
    assert_eq!(r.json()["total"], 0);
    // Staff of the body do see it.
    let r = fx
        .get(
            &format!("/staff/applications/{}", fx.app_a),
            User("clerk_a"),
        )
        .await;
    assert!(r.text().contains(PD_NAME));
}

fn enc(s: &str) -> String {
    form_encode(&[("q", s)])[2..].to_string()
}

async fn audit_log(fx: &Fixture, raw: &Raw) {
    let log = fx.state.store.audit_log(&[], 500).await.unwrap();
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    for (actor, action) in [
        ("clerk_a", "staff.login"),
        ("reviewer_a", "application.extension_approved"),
        ("clerk_b", "application.decided"),
    ] {
        assert!(
            actions.contains(&(actor, action)),
            "audit has {actor} {action}: {actions:?}"
        );
    }
    assert!(
        actions
            .iter()
            .any(|(a, x)| *a == "reviewer_a" && x.starts_with("report."))
    );
    // Refused actions leave no trace (the fixture's own sign-in is the oversight user's only row).
    assert!(
        !actions
            .iter()
            .any(|(a, x)| *a == "oversight" && *x != "staff.login")
    );
    let page = fx.get("/staff/audit", User("reviewer_a")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("extension_approved"));
    // Append-only at the database level.
    let up = raw.exec("UPDATE audit_log SET actor = 'intruder'").await;
    assert!(up.is_err(), "UPDATE must fail: {up:?}");
    let del = raw.exec("DELETE FROM audit_log").await;
    assert!(del.is_err(), "DELETE must fail: {del:?}");
    let after = fx.state.store.audit_log(&[], 500).await.unwrap();
    assert_eq!(after.len(), log.len());
}
