//! Snapshots of every public portal page's HTML (insta), rendered in process against the
//! shared fixture. Random values (CSRF tokens, tracking codes and secrets, search timings,
//! times of publication) are redacted; the HTML is normalised (line breaks and indentation
//! removed, one line per block element) so that snapshots compare what users see, not the
//! template's whitespace.

mod common;

use axum::body::Body as HttpBody;
use axum::http::{Method, StatusCode, header};
use common::*;
use gongkai_ledger::content::{CatalogItemRecord, Guide, PublicDocumentRecord};
use gongkai_ledger::{EventKind, Outcome, ReplyDocument};

/// Snapshot a page that must answer 200.
async fn snap(fx: &Fixture, name: &str, uri: &str, who: Who) {
    let r = fx.get(uri, who).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "GET {uri} as {who:?}: {}",
        r.text()
    );
    snap_html(name, &r.text());
}

/// The text between `start` and the next `<` (a value shown in the page).
fn value_after(html: &str, start: &str) -> String {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` in {html}"))
        + start.len();
    html[i..].split('<').next().unwrap_or("").to_string()
}

fn doc_record(
    body_id: i64,
    item: Option<i64>,
    title: &str,
    day: time::Date,
) -> PublicDocumentRecord {
    PublicDocumentRecord {
        body_id,
        catalog_item_id: item,
        publisher: "横沥镇人民政府".into(),
        written_on: day,
        doc_number: String::new(),
        topic: "民政".into(),
        title: title.into(),
        text: "临时救助对象名单 <第一批> & 说明。\n\n第二段：\"名单\"见附件。".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_portal() {
    let (store, dir) = sqlite_store().await;
    let fx = fixture(store, dir).await;
    let st = &fx.state.store;
    let year = fx.report_year;

    // Home and a body's home (with and without published reports).
    snap(&fx, "home", "/", Anon).await;
    snap(&fx, "body_home_a", &format!("/b/{TOWN_A}"), Anon).await;
    snap(&fx, "body_home_b", &format!("/b/{TOWN_B}"), Anon).await;
    // The large-text (适老化) mode.
    let r = fx
        .send(
            fx.request(Method::GET, &format!("/b/{TOWN_A}"), Anon)
                .header(header::COOKIE, "gk_large=1")
                .body(HttpBody::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("class=\"large\""));
    snap_html("body_home_large", &r.text());

    // The guide: the default text, and a body's own text with characters to escape.
    snap(&fx, "guide_default", &format!("/b/{TOWN_A}/guide"), Anon).await;
    st.set_guide(
        fx.body(TOWN_B),
        &Guide {
            text: "第一段 <指南>\n\n第二段 & \"引号\"".into(),
            address: "横沥镇政府大楼\"1\"楼".into(),
            office_hours: "工作日 9:00-12:00".into(),
            phone: String::new(),
        },
        "test",
    )
    .await
    .unwrap();
    snap(&fx, "guide_text", &format!("/b/{TOWN_B}/guide"), Anon).await;

    // The catalog, with and without items.
    snap(&fx, "catalog_a", &format!("/b/{TOWN_A}/catalog"), Anon).await;
    snap(
        &fx,
        "catalog_empty",
        &format!("/b/{OTHER_CITY}/catalog"),
        Anon,
    )
    .await;

    // Documents: the list, an item's list, one document (with and without attachments,
    // unpublished for the body's staff).
    snap(&fx, "documents_a", &format!("/b/{TOWN_A}/docs"), Anon).await;
    snap(
        &fx,
        "documents_item",
        &format!("/b/{TOWN_A}/docs?item={}", fx.catalog_a),
        Anon,
    )
    .await;
    snap(
        &fx,
        "documents_empty",
        &format!("/b/{OTHER_CITY}/docs"),
        Anon,
    )
    .await;
    snap(&fx, "document_a", &format!("/docs/{}", fx.doc_pub_a), Anon).await;
    snap(&fx, "document_b", &format!("/docs/{}", fx.doc_pub_b), Anon).await;
    snap(
        &fx,
        "document_unpublished_staff",
        &format!("/docs/{}", fx.doc_unpub_a),
        User("clerk_a"),
    )
    .await;

    // Search: the empty form, hits, filters.
    snap(&fx, "search_form", "/search", Anon).await;
    snap(&fx, "search_hits", "/search?q=津贴", Anon).await;
    snap(
        &fx,
        "search_filtered",
        &format!("/search?q=%E6%B4%A5%E8%B4%B4%22%3C&body={DISTRICT}&domain=养老服务&year=2026"),
        Anon,
    )
    .await;
    snap(&fx, "search_none", "/search?q=不存在的词语", Anon).await;

    // Reports: the list, none, the report page.
    snap(&fx, "reports_a", &format!("/b/{TOWN_A}/reports"), Anon).await;
    snap(&fx, "reports_empty", &format!("/b/{TOWN_B}/reports"), Anon).await;
    snap(
        &fx,
        "report_a",
        &format!("/b/{TOWN_A}/reports/{year}"),
        Anon,
    )
    .await;

    // The application desk: the form, a refused form keeping its values, the receipt.
    snap(&fx, "apply_form", &format!("/b/{TOWN_A}/apply"), Anon).await;
    let apply = format!("/b/{TOWN_A}/apply");
    let r = fx
        .post_form(
            &apply,
            Anon,
            &[
                ("applicant_type", "commercial"),
                ("name", "张<三>&\"李\""),
                ("email", "not-an-email"),
                ("address", "广州 & <南沙>"),
                ("request_text", "短"),
                ("delivery", "电子邮件"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    snap_html("apply_invalid", &r.text());
    let r = fx
        .submit_application(
            &apply,
            Anon,
            &[
                ("applicant_type", "natural_person"),
                ("name", "公开测试人"),
                ("id_number", TEST_ID),
                ("email", "gongkai@example.cn"),
                ("phone", "020-0000"),
                (
                    "request_text",
                    "申请公开本镇2025年度\"道路养护\"经费 & 明细",
                ),
                ("delivery", "电子邮件"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let receipt = r.text();
    snap_html("apply_receipt", &receipt);
    let code = value_after(&receipt, "id=\"tracking-code\">");
    let secret = value_after(&receipt, "id=\"tracking-secret\">");

    // Status: the form, a wrong code, an open application, a decided one.
    snap(&fx, "status_form", "/status", Anon).await;
    let r = fx
        .post_form("/status", Anon, &[("code", "GK0000"), ("secret", "x")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    snap_html("status_wrong", &r.text());
    let creds = [("code", code.as_str()), ("secret", secret.as_str())];
    let r = fx.post_form("/status", Anon, &creds).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    snap_html("status_received", &r.text());
    let app = st
        .find_by_tracking(&code, &secret)
        .await
        .unwrap()
        .expect("the application");
    st.apply_event(
        app.id,
        &EventKind::Decided {
            outcome: Outcome::Granted,
            reply: ReplyDocument {
                reference: "黄府信复〔2026〕<1>号".into(),
                summary: "予以公开 & 已邮寄\"全文\"".into(),
            },
        },
        today(),
        "clerk_a",
        "",
    )
    .await
    .unwrap();
    let r = fx.post_form("/status", Anon, &creds).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    snap_html("status_decided", &r.text());

    // More content: an item of town B with more documents than its catalog entry lists,
    // a second page, a correction of town A's report and a report of town B (so that the
    // district compares its towns).
    let item = st
        .create_catalog_item(
            &CatalogItemRecord {
                body_id: fx.body(TOWN_B),
                domain: "社会救助".into(),
                name: "临时救助 & <特困>".into(),
                basis: "《社会救助暂行办法》".into(),
                time_limit: "20个工作日内".into(),
                channel: "政府网站".into(),
                subject: "横沥镇人民政府".into(),
                audience: "全社会".into(),
                manner: "主动公开".into(),
            },
            "test",
        )
        .await
        .unwrap();
    let first = time::macros::date!(2025 - 01 - 01);
    for i in 0..25i64 {
        let d = st
            .create_public_document(
                &doc_record(
                    fx.body(TOWN_B),
                    Some(item.id),
                    &format!("临时救助公示第{i:02}期"),
                    first,
                ),
                "test",
            )
            .await
            .unwrap();
        st.set_document_published(d.id, true, first + time::Duration::days(i), "test")
            .await
            .unwrap();
    }
    gongkai_web::indexer::catch_up(&fx.state)
        .await
        .expect("index");
    snap(&fx, "catalog_b_more", &format!("/b/{TOWN_B}/catalog"), Anon).await;
    snap(
        &fx,
        "documents_item_page1",
        &format!("/b/{TOWN_B}/docs?item={}", item.id),
        Anon,
    )
    .await;
    snap(
        &fx,
        "documents_item_page2",
        &format!("/b/{TOWN_B}/docs?item={}&page=2", item.id),
        Anon,
    )
    .await;
    snap(
        &fx,
        "documents_page2",
        &format!("/b/{TOWN_B}/docs?page=2"),
        Anon,
    )
    .await;
    snap(&fx, "search_paged", "/search?q=临时救助", Anon).await;
    snap(&fx, "search_page2", "/search?q=临时救助&page=2", Anon).await;

    let b = fx.body(TOWN_B);
    let r = st.generate_report(b, year).await.unwrap();
    st.approve_report(b, year, &r.to_json_string(), "reviewer_b")
        .await
        .unwrap();
    st.publish_report(b, year, "", "reviewer_b").await.unwrap();
    let a = fx.body(TOWN_A);
    let r = st.generate_report(a, year).await.unwrap();
    st.approve_report(a, year, &r.to_json_string(), "reviewer_a")
        .await
        .unwrap();
    st.publish_report(a, year, "更正第三部分 <数据> & 说明", "reviewer_a")
        .await
        .unwrap();
    snap(&fx, "body_home_b_report", &format!("/b/{TOWN_B}"), Anon).await;
    snap(
        &fx,
        "reports_a_corrected",
        &format!("/b/{TOWN_A}/reports"),
        Anon,
    )
    .await;
    snap(
        &fx,
        "reports_district",
        &format!("/b/{DISTRICT}/reports"),
        Anon,
    )
    .await;
    snap(
        &fx,
        "report_a_v2",
        &format!("/b/{TOWN_A}/reports/{year}?v=2"),
        Anon,
    )
    .await;
}

/// Snapshot a page's HTML, normalised and redacted (snapshots stay beside this file).
fn snap_html(name: &str, html: &str) {
    assert_escaped_once(name, html);
    insta::assert_snapshot!(name, redact(&normalise(html)));
}
