//! Shared fixture of the HTTP tests: a temp store seeded with bodies (a city → district →
//! two towns, plus an unrelated city), one user per role, documents (published and not), a
//! catalog item, applications with distinctive personal data and a published report; and
//! helpers to send in-process requests as a given user.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body as HttpBody;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use gongkai_ledger::content::{CatalogItemRecord, PublicDocumentRecord};
use gongkai_ledger::{
    ApplicantType, BodyKind, Channel, NewApplication, NewBody, PersonalData, Role,
};
use gongkai_store::Store;
use gongkai_web::security::{Limits, Secret, Session, anonymous_csrf_token};
use gongkai_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::HashMap;
use tower::ServiceExt;

pub mod html;
#[allow(unused_imports)]
pub use html::{assert_escaped_once, normalise, redact};

/// The applicant's personal data in the fixture: none of it may ever appear publicly.
pub const PD_NAME: &str = "欧阳测试人";
pub const PD_PHONE: &str = "13912345678";
pub const PD_ID: &str = "440115199001011231";
/// A valid 居民身份证号码 of the anonymous applicants of the tests.
pub const TEST_ID: &str = "110101199003074573";
pub const PD_EMAIL: &str = "ouyang.private@example.org";
pub const PD_ADDRESS: &str = "南沙区隐私路八十八号";
pub const PERSONAL: [&str; 5] = [PD_NAME, PD_PHONE, PD_ID, PD_EMAIL, PD_ADDRESS];

/// A fixed browser id (the `gk_b` cookie) for anonymous requests.
pub const BROWSER: &str = "testbrowser-0000000001";

pub const PROVINCE: &str = "440000";
pub const CITY: &str = "440100";
pub const DISTRICT: &str = "440115";
pub const TOWN_A: &str = "440115101";
pub const TOWN_B: &str = "440115102";
pub const OTHER_CITY: &str = "440200";

/// Users: (login, body code, role).
pub const USERS: [(&str, &str, Role); 6] = [
    ("clerk_a", TOWN_A, Role::Clerk),
    ("reviewer_a", TOWN_A, Role::Reviewer),
    ("clerk_b", TOWN_B, Role::Clerk),
    ("oversight", DISTRICT, Role::Oversight),
    ("admin_a", TOWN_A, Role::Admin),
    ("clerk_other", OTHER_CITY, Role::Clerk),
];
pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub state: AppState,
    pub app: Router,
    pub bodies: HashMap<&'static str, i64>,
    pub users: HashMap<&'static str, (i64, Session)>,
    pub catalog_a: i64,
    pub doc_pub_a: i64,
    pub doc_unpub_a: i64,
    pub doc_pub_b: i64,
    pub att_pub_a: i64,
    pub att_unpub_a: i64,
    pub app_a: i64,
    pub app_b: i64,
    pub report_year: i32,
    pub dir: tempfile::TempDir,
}

/// The suite's "today": a fixed date, so that no test depends on the machine's clock.
pub fn today() -> time::Date {
    time::macros::date!(2026 - 06 - 10)
}

pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("gongkai.db"))
        .await
        .expect("open sqlite");
    (store, dir)
}

fn doc(body_id: i64, catalog: Option<i64>, title: &str, text: &str) -> PublicDocumentRecord {
    PublicDocumentRecord {
        body_id,
        catalog_item_id: catalog,
        publisher: "测试机关".into(),
        written_on: today(),
        doc_number: "测试〔2026〕1号".into(),
        topic: "综合政务".into(),
        title: title.into(),
        text: text.into(),
    }
}

/// Seed `store` and build the app state (generous rate limits; see [`Fixture::with_limits`]).
pub async fn fixture(store: Store, dir: tempfile::TempDir) -> Fixture {
    let mut bodies = HashMap::new();
    for (code, name, kind, parent) in [
        (PROVINCE, "广东省人民政府", BodyKind::Province, None),
        (CITY, "广州市人民政府", BodyKind::City, Some(PROVINCE)),
        (
            DISTRICT,
            "广州市南沙区人民政府",
            BodyKind::District,
            Some(CITY),
        ),
        (
            TOWN_A,
            "广州市南沙区黄阁镇人民政府",
            BodyKind::Town,
            Some(DISTRICT),
        ),
        (
            TOWN_B,
            "广州市南沙区横沥镇人民政府",
            BodyKind::Town,
            Some(DISTRICT),
        ),
        (OTHER_CITY, "韶关市人民政府", BodyKind::City, Some(PROVINCE)),
    ] {
        let b = store
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
            .expect("body");
        bodies.insert(code, b.id);
    }
    let mut users = HashMap::new();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for (login, body, role) in USERS {
        let u = store
            .create_user(login, &format!("{login}用户"), PASSWORD, "test")
            .await
            .expect("user");
        store
            .grant_role(u.id, bodies[body], role, "test")
            .await
            .expect("grant");
        let session = Session::new(u.id, now);
        store
            .start_session(u.id, &session.id(), session.expires, login, "test")
            .await
            .expect("session");
        users.insert(login, (u.id, session));
    }
    let catalog_a = store
        .create_catalog_item(
            &CatalogItemRecord {
                body_id: bodies[TOWN_A],
                domain: "养老服务".into(),
                name: "高龄老人津贴发放".into(),
                basis: "《广东省老年人权益保障条例》".into(),
                time_limit: "信息形成或变更之日起20个工作日内".into(),
                channel: "政府网站".into(),
                subject: "黄阁镇人民政府".into(),
                audience: "全社会".into(),
                manner: "主动公开".into(),
            },
            "test",
        )
        .await
        .expect("catalog")
        .id;
    let t = today();
    let d = store
        .create_public_document(
            &doc(
                bodies[TOWN_A],
                Some(catalog_a),
                "黄阁镇高龄老人津贴发放公示",
                "根据有关规定，现将本镇高龄老人津贴发放情况公示如下。",
            ),
            "test",
        )
        .await
        .expect("doc");
    store
        .set_document_published(d.id, true, t, "test")
        .await
        .expect("publish");
    let doc_pub_a = d.id;
    let doc_unpub_a = store
        .create_public_document(
            &doc(
                bodies[TOWN_A],
                None,
                "未发布的内部草稿机密标题",
                "草稿正文机密内容不得公开。",
            ),
            "test",
        )
        .await
        .expect("doc")
        .id;
    let d = store
        .create_public_document(
            &doc(
                bodies[TOWN_B],
                None,
                "横沥镇河道整治工程公告",
                "横沥镇河道整治工程已经完成验收。",
            ),
            "test",
        )
        .await
        .expect("doc");
    store
        .set_document_published(d.id, true, t, "test")
        .await
        .expect("publish");
    let doc_pub_b = d.id;
    let att_pub_a = store
        .add_attachment(
            doc_pub_a,
            "公示名单.txt",
            "text/plain",
            "名单".as_bytes(),
            "test",
        )
        .await
        .expect("attachment")
        .id;
    let att_unpub_a = store
        .add_attachment(
            doc_unpub_a,
            "草稿.txt",
            "text/plain",
            "草稿".as_bytes(),
            "test",
        )
        .await
        .expect("attachment")
        .id;
    let personal = PersonalData {
        name: PD_NAME.into(),
        id_number: Some(PD_ID.into()),
        phone: Some(PD_PHONE.into()),
        email: Some(PD_EMAIL.into()),
        address: Some(PD_ADDRESS.into()),
    };
    let mut apps = Vec::new();
    for code in [TOWN_A, TOWN_B] {
        let (a, _) = store
            .receive_application(
                &NewApplication {
                    body_id: bodies[code],
                    applicant_type: ApplicantType::NaturalPerson,
                    channel: Channel::Online,
                    received_on: t,
                    request_text: "申请公开本镇2025年度财政预算执行情况".into(),
                    personal: personal.clone(),
                },
                "fixture",
                "",
            )
            .await
            .expect("application");
        apps.push(a.id);
    }
    // A published report of last year for town A.
    let report_year = t.year() - 1;
    for (key, text) in [
        ("s1", "本年度依法做好政府信息公开工作。"),
        ("s5", "存在的主要问题是公开内容不够全面，下一步将加强培训。"),
        ("s6", "本年度未收取信息处理费。"),
    ] {
        store
            .set_narrative(bodies[TOWN_A], report_year, key, text, "fixture")
            .await
            .expect("narrative");
    }
    let r = store
        .generate_report(bodies[TOWN_A], report_year)
        .await
        .expect("generate");
    store
        .approve_report(
            bodies[TOWN_A],
            report_year,
            &r.to_json_string(),
            "reviewer_a",
        )
        .await
        .expect("approve");
    store
        .publish_report(bodies[TOWN_A], report_year, "", "reviewer_a")
        .await
        .expect("publish report");

    let search_dir = dir.path().join("search-index");
    let search = gongkai_search::SearchIndex::open(&search_dir).expect("search index");
    let config = WebConfig {
        data_dir: dir.path().to_path_buf(),
        clock: gongkai_store::Clock::fixed_on(today()),
        ..WebConfig::default()
    };
    let mut state = AppState::new(
        store,
        search,
        Secret::new(b"test secret of the suite"),
        config,
    );
    state.limits = Limits::new(10_000, 100_000, 10_000);
    gongkai_web::indexer::catch_up(&state).await.expect("index");
    let app = gongkai_web::router(state.clone());
    Fixture {
        app,
        state,
        bodies,
        users,
        catalog_a,
        doc_pub_a,
        doc_unpub_a,
        doc_pub_b,
        att_pub_a,
        att_unpub_a,
        app_a: apps[0],
        app_b: apps[1],
        report_year,
        dir,
    }
}

/// A response read to the end.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text()))
    }

    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }
}

/// Who sends a request.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    Anon,
    User(&'static str),
}

pub use Who::{Anon, User};

impl Fixture {
    /// A copy of the app whose rate limits are `submit`/h, `search`/min, `login`/min.
    pub fn with_limits(&self, submit: u32, search: u32, login: u32) -> Router {
        let mut st = self.state.clone();
        st.limits = Limits::new(submit, search, login);
        gongkai_web::router(st)
    }

    pub fn cookie(&self, who: Who) -> String {
        match who {
            Anon => format!("gk_b={BROWSER}"),
            User(login) => format!(
                "gk_b={BROWSER}; gk_session={}",
                self.users[login].1.encode(&self.state.secret)
            ),
        }
    }

    pub fn csrf(&self, who: Who) -> String {
        match who {
            Anon => anonymous_csrf_token(&self.state.secret, BROWSER),
            User(login) => self.users[login].1.csrf_token(&self.state.secret),
        }
    }

    pub fn body(&self, code: &str) -> i64 {
        self.bodies[code]
    }

    pub async fn send_to(app: &Router, req: Request<HttpBody>) -> Resp {
        let res = app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        Resp {
            status,
            headers,
            bytes,
        }
    }

    pub async fn send(&self, req: Request<HttpBody>) -> Resp {
        Self::send_to(&self.app, req).await
    }

    pub fn request(&self, method: Method, uri: &str, who: Who) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "gongkai.test")
            .header(header::COOKIE, self.cookie(who))
    }

    pub async fn get(&self, uri: &str, who: Who) -> Resp {
        self.send(
            self.request(Method::GET, uri, who)
                .body(HttpBody::empty())
                .unwrap(),
        )
        .await
    }

    /// A form POST with the right CSRF token added.
    pub async fn post_form(&self, uri: &str, who: Who, fields: &[(&str, &str)]) -> Resp {
        let csrf = self.csrf(who);
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(uri, who, &all).await
    }

    /// Submit the public application form (token added) and follow its redirect to the
    /// receipt: the receipt page, or the refused form.
    pub async fn submit_application(&self, uri: &str, who: Who, fields: &[(&str, &str)]) -> Resp {
        let r = self.post_form(uri, who, fields).await;
        if r.status != StatusCode::SEE_OTHER {
            return r;
        }
        let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
        self.get(&to, who).await
    }

    /// A form POST exactly as given (no token added).
    pub async fn post_form_raw(&self, uri: &str, who: Who, fields: &[(&str, &str)]) -> Resp {
        self.send(
            self.request(Method::POST, uri, who)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(HttpBody::from(form_encode(fields)))
                .unwrap(),
        )
        .await
    }

    /// A JSON POST with the right `X-CSRF-Token`.
    pub async fn post_json(&self, uri: &str, who: Who, body: &Value) -> Resp {
        self.send(
            self.request(Method::POST, uri, who)
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-csrf-token", self.csrf(who))
                .body(HttpBody::from(body.to_string()))
                .unwrap(),
        )
        .await
    }
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Assert that none of the fixture's personal data appears in `text` (named `what`).
pub fn assert_no_personal_data(what: &str, text: &str) {
    for pd in PERSONAL {
        assert!(!text.contains(pd), "personal data `{pd}` leaked in {what}");
    }
}
