//! The public application desk files each submission once: post/redirect/get with a
//! single-use form token (a refresh, a double click, a replayed POST — also two at the same
//! instant — file one application and show the first receipt again), `Idempotency-Key` on the
//! API, and the fields 条例第二十九条 requires checked with their check digits. On SQLite
//! and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_on_sqlite() {
    let (store, dir) = sqlite_store().await;
    let fx = fixture(store, dir).await;
    suite(&fx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("web submissions").await else {
        eprintln!("SKIPPED: PostgreSQL not reachable; submissions ran on SQLite only");
        return;
    };
    let store = db.store().await.expect("postgres store");
    let fx = fixture(store, tempfile::tempdir().unwrap()).await;
    suite(&fx).await;
    fx.state.store.close().await;
    db.drop_db().await;
}

async fn suite(fx: &Fixture) {
    form_refresh_and_double_click(fx).await;
    token_reused_with_other_fields(fx).await;
    api_idempotency_key(fx).await;
    unknown_receipt(fx).await;
    fields_checked(fx).await;
}

const FIELDS: [(&str, &str); 5] = [
    ("applicant_type", "natural_person"),
    ("name", "重复提交测试人"),
    ("id_number", TEST_ID),
    ("phone", "13900000000"),
    ("request_text", "申请公开本镇2026年度防汛物资采购清单"),
];

fn with_token<'a>(token: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = vec![("form_token", token)];
    f.extend_from_slice(&FIELDS);
    f.extend_from_slice(extra);
    f
}

/// The form's token, as the page renders it.
async fn form_token(fx: &Fixture) -> String {
    let page = fx.get(&format!("/b/{TOWN_A}/apply"), Anon).await.text();
    let marker = "name=\"form_token\" value=\"";
    let start = page.find(marker).expect("token field") + marker.len();
    page[start..start + 32].to_string()
}

async fn form_refresh_and_double_click(fx: &Fixture) {
    let before = fx.state.store.count_applications().await.unwrap();
    let token = form_token(fx).await;
    let fields = with_token(&token, &[]);
    let uri = format!("/b/{TOWN_A}/apply");
    // Two at once (a double click), then the same POST again (a refresh of the POST).
    let (a, b) = tokio::join!(
        fx.post_form(&uri, Anon, &fields),
        fx.post_form(&uri, Anon, &fields)
    );
    let c = fx.post_form(&uri, Anon, &fields).await;
    for r in [&a, &b, &c] {
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    let to = a.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, format!("/b/{TOWN_A}/apply/receipt/{token}"));
    for r in [&b, &c] {
        assert_eq!(r.headers[header::LOCATION].to_str().unwrap(), to);
    }
    assert_eq!(
        fx.state.store.count_applications().await.unwrap(),
        before + 1,
        "one application for one form"
    );
    // The receipt, and the same receipt on refresh.
    let first = fx.get(&to, Anon).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.headers[header::CACHE_CONTROL], "no-store");
    let again = fx.get(&to, Anon).await;
    assert_eq!(first.text(), again.text());
    assert!(first.text().contains("id=\"tracking-secret\""));
    // Not under another body.
    let other = fx
        .get(&format!("/b/{TOWN_B}/apply/receipt/{token}"), Anon)
        .await;
    assert_eq!(other.status, StatusCode::GONE);
}

async fn token_reused_with_other_fields(fx: &Fixture) {
    let token = form_token(fx).await;
    let uri = format!("/b/{TOWN_A}/apply");
    let r = fx.post_form(&uri, Anon, &with_token(&token, &[])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let before = fx.state.store.count_applications().await.unwrap();
    // Back, change the text, submit the same form again.
    let changed = with_token(&token, &[("address", "广州市南沙区黄阁镇某路1号")]);
    let r = fx.post_form(&uri, Anon, &changed).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("此申请表已提交过"), "{}", r.text());
    assert_eq!(fx.state.store.count_applications().await.unwrap(), before);
    // A fresh form files a second application.
    let fresh = form_token(fx).await;
    assert_ne!(fresh, token);
    let r = fx.post_form(&uri, Anon, &with_token(&fresh, &[])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        fx.state.store.count_applications().await.unwrap(),
        before + 1
    );
}

async fn api_idempotency_key(fx: &Fixture) {
    let body = json!({"body": TOWN_A, "applicant_type": "natural_person", "name": "接口测试人",
                      "id_number": TEST_ID, "phone": "13900000001",
                      "request_text": "申请公开本镇2026年度河涌整治验收材料"});
    let send = |key: Option<&'static str>, v: serde_json::Value| {
        let mut req = fx
            .request(Method::POST, "/api/v1/applications", Anon)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", fx.csrf(Anon));
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        fx.send(req.body(axum::body::Body::from(v.to_string())).unwrap())
    };
    let before = fx.state.store.count_applications().await.unwrap();
    let first = send(Some("retry-7f3a"), body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let replay = send(Some("retry-7f3a"), body.clone()).await;
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(first.json(), replay.json(), "the first receipt again");
    let mut other = body.clone();
    other["request_text"] = json!("申请公开另一项完全不同的政府信息");
    let reused = send(Some("retry-7f3a"), other).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.json()["error"], "invalid");
    assert_eq!(
        fx.state.store.count_applications().await.unwrap(),
        before + 1
    );
    // Without a key, each request is its own application.
    let a = send(None, body.clone()).await;
    let b = send(None, body.clone()).await;
    assert_eq!(
        (a.status, b.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_ne!(a.json()["tracking_code"], b.json()["tracking_code"]);
    assert_eq!(
        fx.state.store.count_applications().await.unwrap(),
        before + 3
    );
}

async fn unknown_receipt(fx: &Fixture) {
    for token in ["0123456789abcdef0123456789abcdef", "not-a-token"] {
        let r = fx
            .get(&format!("/b/{TOWN_A}/apply/receipt/{token}"), Anon)
            .await;
        assert_eq!(r.status, StatusCode::GONE, "{token}");
        assert!(r.text().contains("查询码和查询密码"));
    }
}

/// Fields changed from `FIELDS`, the field refused and a word of its message.
type Case = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

/// Each refused field has its message next to it; the input is kept.
async fn fields_checked(fx: &Fixture) {
    let uri = format!("/b/{TOWN_A}/apply");
    let cases: [Case; 6] = [
        (
            &[
                ("applicant_type", "natural_person"),
                ("id_number", "110101199003074578"),
            ],
            "id_number",
            "校验码",
        ),
        (
            &[
                ("applicant_type", "commercial"),
                ("id_number", "914403001922038217"),
            ],
            "id_number",
            "统一社会信用代码",
        ),
        (
            &[("applicant_type", "natural_person"), ("id_number", "")],
            "id_number",
            "身份证件号码",
        ),
        (
            &[("delivery", "电子邮件"), ("email", "")],
            "email",
            "电子邮箱",
        ),
        (
            &[("delivery", "邮寄纸质件"), ("address", "")],
            "address",
            "通信地址",
        ),
        (&[("phone", "12")], "phone", "联系电话格式"),
    ];
    let before = fx.state.store.count_applications().await.unwrap();
    for (changes, field, needle) in cases {
        let mut fields: Vec<(&str, &str)> = FIELDS
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .copied()
            .collect();
        fields.extend_from_slice(changes);
        let r = fx.post_form(&uri, Anon, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.text()
        );
        let page = r.text();
        let marker = format!("id=\"{field}-err\">");
        let at = page
            .find(&marker)
            .unwrap_or_else(|| panic!("{field}: no message: {page}"));
        assert!(
            page[at..].split('<').next().unwrap().contains(needle),
            "{field}"
        );
        assert!(
            page.contains("value=\"重复提交测试人\""),
            "the name is kept"
        );
    }
    // A valid 统一社会信用代码 of an organisation passes.
    let mut org: Vec<(&str, &str)> = FIELDS
        .iter()
        .filter(|(k, _)| !["applicant_type", "id_number"].contains(k))
        .copied()
        .collect();
    org.extend_from_slice(&[
        ("applicant_type", "commercial"),
        ("id_number", "91440300708461136T"),
    ]);
    let r = fx.submit_application(&uri, Anon, &org).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        fx.state.store.count_applications().await.unwrap(),
        before + 1
    );
}
