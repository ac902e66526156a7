//! Snapshots of every staff console page's HTML (insta), rendered in process against the
//! shared fixture. Random values (CSRF tokens, tracking codes and secrets, timestamps of
//! "now") are redacted; the HTML is normalised (line breaks and indentation removed, one
//! line per block element) so that snapshots compare what users see, not the template's
//! whitespace.

mod common;

use axum::http::StatusCode;
use common::*;

/// Remove template line breaks, then start each block element on its own line.
fn normalise(html: &str) -> String {
    let mut flat = String::with_capacity(html.len());
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' || c == '\r' {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            flat.push(c);
        }
    }
    const BLOCKS: [&str; 24] = [
        "<tr",
        "<form",
        "<h1",
        "<h2",
        "<h3",
        "<li",
        "<label",
        "<option",
        "<p>",
        "<p ",
        "<div",
        "<table",
        "<thead",
        "<tbody",
        "<dt",
        "<ul",
        "<ol",
        "<nav",
        "<header",
        "<main",
        "<footer",
        "<select",
        "<textarea",
        "<style",
    ];
    let mut out = String::with_capacity(flat.len() + flat.len() / 20);
    let mut rest = flat.as_str();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if BLOCKS.iter().any(|b| rest.starts_with(b)) && !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('<');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Replace what follows each `prefix` up to (not including) the first `end` char.
fn redact_after(s: &str, prefix: &str, end: &[char], with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(prefix) {
        out.push_str(&rest[..i + prefix.len()]);
        rest = &rest[i + prefix.len()..];
        let j = rest.find(|c| end.contains(&c)).unwrap_or(rest.len());
        out.push_str(with);
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

/// `GK` + 12 Crockford base-32 characters.
fn redact_tracking_codes(s: &str) -> String {
    let b32 = |c: char| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c));
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("GK") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let tail: Vec<char> = rest[2..].chars().take(13).collect();
        if tail.len() >= 12
            && tail[..12].iter().all(|c| b32(*c))
            && !tail.get(12).is_some_and(|c| b32(*c))
        {
            out.push_str("[code]");
            rest = &rest[14..];
        } else {
            out.push_str("GK");
            rest = &rest[2..];
        }
    }
    out.push_str(rest);
    out
}

/// RFC 3339 timestamps (`2026-06-10T08:00:00Z`, `…+00:00`, with fractions).
fn redact_timestamps(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    let pat = |b: &[u8]| {
        b.len() >= 19
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b'T' || b[10] == b' ')
            && b[13] == b':'
            && b[16] == b':'
            && b[11..13].iter().all(u8::is_ascii_digit)
    };
    while i < bytes.len() {
        if pat(&bytes[i..]) {
            out.push_str(&s[copied..i]);
            let mut j = i + 19;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || b".:+-Z".contains(&bytes[j])) {
                j += 1;
            }
            out.push_str("[time]");
            i = j;
            copied = j;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    out
}

fn redact(html: &str) -> String {
    let s = redact_after(html, "name=\"csrf\" value=\"", &['"'], "[csrf]");
    let s = redact_after(&s, "?csrf=", &['"', '&'], "[csrf]");
    let s = redact_after(&s, "查询密码</dt><dd><code>", &['<'], "[secret]");
    let s = redact_tracking_codes(&s);
    redact_timestamps(&s)
}

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

fn snap_html(name: &str, html: &str) {
    assert!(!html.contains("&amp;amp;"), "{name}: double escaping");
    assert!(!html.contains("&amp;lt;"), "{name}: double escaping");
    assert!(!html.contains("&#38;#"), "{name}: double escaping");
    assert!(!html.contains("&#38;amp;"), "{name}: double escaping");
    insta::assert_snapshot!(name, redact(&normalise(html)));
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
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.text());
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
