//! Snapshots of every staff console page's HTML (insta), rendered in process against the
//! shared fixture. Random values (CSRF tokens, tracking codes and secrets, timestamps of
//! "now") are redacted; the HTML is normalised (line breaks and indentation removed, one
//! line per block element) so that snapshots compare what users see, not the template's
//! whitespace.

mod common;

use axum::http::StatusCode;
use common::*;

/// Snapshot a page that must answer `status`.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pages() {
    let (store, dir) = sqlite_store().await;
    let fx = fixture(store, dir).await;
    let clerk = User("clerk_a");
    let reviewer = User("reviewer_a");
    let oversight = User("oversight");
    let year = fx.report_year;

    // Login.
    snap(&fx, "login", "/staff/login", Anon).await;
    let r = fx
        .post_form(
            "/staff/login",
            Anon,
            &[("login", "clerk_a"), ("password", "wrong")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    snap_html("login_failed", &r.text());

    // Queue.
    snap(&fx, "queue_clerk", "/staff", clerk).await;
    snap(
        &fx,
        "queue_oversight_filtered",
        &format!("/staff?body={TOWN_B}&state=processing&sort=received&closed=1"),
        oversight,
    )
    .await;

    // One application: the clerk's forms, the reviewer's extension form, oversight masked.
    let app = format!("/staff/applications/{}", fx.app_a);
    snap(&fx, "application_clerk", &app, clerk).await;
    snap(&fx, "application_reviewer", &app, reviewer).await;
    snap(&fx, "application_oversight", &app, oversight).await;

    // Register a paper application: the receipt.
    let r = fx
        .post_form(
            "/staff/applications",
            clerk,
            &[
                ("body", TOWN_A),
                ("channel", "post"),
                ("received_on", "2026-06-08"),
                ("applicant_type", "natural_person"),
                ("name", "张<三>"),
                ("phone", "020-1234"),
                ("request_text", "申请公开\"道路\"养护 & 经费"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    snap_html("registered", &r.text());
    // The registered application, closed (decided) with a history.
    let t = "2026-06-10";
    let id = fx.app_b;
    for fields in [
        vec![
            ("kind", "consultation_started"),
            ("consultee", "other_agency"),
            ("on", t),
            ("note", "征求<其他>机关意见"),
        ],
        vec![("kind", "consultation_ended"), ("on", t)],
        vec![
            ("kind", "decided"),
            ("outcome", "granted"),
            ("reference", "横府信复〔2026〕1号"),
            ("summary", "予以公开"),
            ("on", t),
        ],
    ] {
        let r = fx
            .post_form(
                &format!("/staff/applications/{id}/event"),
                User("clerk_b"),
                &fields,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    snap(
        &fx,
        "application_closed",
        &format!("/staff/applications/{id}"),
        User("clerk_b"),
    )
    .await;
    snap(&fx, "queue_clerk_after_register", "/staff?closed=1", clerk).await;

    // Documents.
    snap(
        &fx,
        "documents_clerk",
        &format!("/staff/documents?body={TOWN_A}"),
        clerk,
    )
    .await;
    snap(
        &fx,
        "documents_oversight",
        &format!("/staff/documents?body={TOWN_A}"),
        oversight,
    )
    .await;
    snap(
        &fx,
        "document_edit_clerk",
        &format!("/staff/documents/{}", fx.doc_pub_a),
        clerk,
    )
    .await;
    snap(
        &fx,
        "document_edit_oversight",
        &format!("/staff/documents/{}", fx.doc_unpub_a),
        oversight,
    )
    .await;
    // A long list pages.
    for i in 0..50 {
        let title = format!("乙镇草稿{i}");
        let r = fx
            .post_form(
                "/staff/documents",
                User("clerk_b"),
                &[
                    ("body", TOWN_B),
                    ("title", &title),
                    ("publisher", "横沥镇"),
                    ("written_on", "2026-01-05"),
                    ("topic", "综合政务"),
                    ("text", "正文"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    snap(
        &fx,
        "documents_page2",
        &format!("/staff/documents?body={TOWN_B}&page=2"),
        User("clerk_b"),
    )
    .await;

    // Catalog and guide.
    let r = fx
        .post_form(
            "/staff/guide",
            clerk,
            &[
                ("body", TOWN_A),
                ("text", "第一段 <指南>\n第二段 & \"引号\""),
                ("address", "黄阁镇政府大楼\"1\"楼"),
                ("office_hours", "工作日 9:00-12:00"),
                ("phone", "020-8888"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    snap(
        &fx,
        "catalog_clerk",
        &format!("/staff/catalog?body={TOWN_A}"),
        clerk,
    )
    .await;
    snap(
        &fx,
        "catalog_oversight",
        &format!("/staff/catalog?body={TOWN_A}"),
        oversight,
    )
    .await;

    // Cases.
    let r = fx
        .post_form(
            "/staff/cases",
            clerk,
            &[
                ("body", TOWN_A),
                ("reference", "<穗>复〔2026〕1号 & 2"),
                ("kind", "review"),
                ("outcome", "pending"),
                ("filed_on", "2026-03-02"),
                ("closed_on", ""),
            ],
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.text());
    snap(
        &fx,
        "cases_clerk",
        &format!("/staff/cases?body={TOWN_A}"),
        clerk,
    )
    .await;
    snap(
        &fx,
        "cases_oversight",
        &format!("/staff/cases?body={TOWN_A}"),
        oversight,
    )
    .await;

    // Registers.
    let r = fx
        .post_form(
            "/staff/registers",
            clerk,
            &[
                ("body", TOWN_A),
                ("year", "2026"),
                ("cell", "t2_5.admin_license.decisions"),
                ("value", "12"),
            ],
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.text());
    snap(
        &fx,
        "registers_clerk",
        &format!("/staff/registers?body={TOWN_A}&year=2026"),
        clerk,
    )
    .await;
    snap(
        &fx,
        "registers_oversight",
        &format!("/staff/registers?body={TOWN_A}&year=2026"),
        oversight,
    )
    .await;

    // Annual report workspace: approved and published last year, this year unapproved.
    snap(
        &fx,
        "report_clerk",
        &format!("/staff/reports?body={TOWN_A}&year={year}"),
        clerk,
    )
    .await;
    snap(
        &fx,
        "report_reviewer",
        &format!("/staff/reports?body={TOWN_A}&year={year}"),
        reviewer,
    )
    .await;
    let next = (year + 1).to_string();
    let r = fx
        .post_form(
            "/staff/reports/approve",
            reviewer,
            &[("body", TOWN_A), ("year", &next)],
        )
        .await;
    // The year is not over: approval is refused, naming why (and the page offers no button).
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains(&format!("{next}年度尚未结束")),
        "{}",
        r.text()
    );
    snap(
        &fx,
        "report_oversight_this_year",
        &format!("/staff/reports?body={TOWN_A}&year={}", year + 1),
        oversight,
    )
    .await;

    // Audit log.
    snap(&fx, "audit_reviewer", "/staff/audit", reviewer).await;
}

/// Snapshot a page's HTML, normalised and redacted (snapshots stay beside this file).
fn snap_html(name: &str, html: &str) {
    assert_escaped_once(name, html);
    insta::assert_snapshot!(name, redact(&normalise(html)));
}
