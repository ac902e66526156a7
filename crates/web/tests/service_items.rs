//! 办事指南 end to end over HTTP (in process, on the shared fixture): a clerk writes a guide
//! on the staff form and submits it, a reviewer publishes it, the public finds it on the
//! catalogue, its guide page, the print view, the JSON API and full-text search; validation
//! findings are shown next to their fields; unpublished items are invisible; an import with
//! a bad row names the line and writes nothing.

mod common;

use axum::body::Body as HttpBody;
use axum::http::{Method, StatusCode, header};
use common::*;
use gongkai_ledger::service::{
    Audience, BasisLevel, CSV_HEADER, Fee, GuideAction, HandlingType, ItemKind, LegalBasis,
    Material, MaterialForm, ServiceGuide, SpecialStep, Step, guide_to_csv_record,
};

const LIST_COLUMNS: &[&str] = &[
    "主题分类",
    "设定依据",
    "受理条件",
    "申请材料",
    "办理流程",
    "送达方式",
    "特殊环节",
];

fn guide(code: &str, name: &str) -> ServiceGuide {
    ServiceGuide {
        name: name.into(),
        basic_code: "511A0138000000".into(),
        impl_code: code.into(),
        kind: ItemKind::PublicService,
        audience: Audience::Person,
        themes: vec!["养老服务".into()],
        bases: vec![
            LegalBasis {
                level: BasisLevel::Law,
                title: "《中华人民共和国老年人权益保障法》".into(),
                article: "第五十七条".into(),
            },
            LegalBasis {
                level: BasisLevel::LocalRegulation,
                title: "《广东省老年人权益保障条例》".into(),
                article: "第三十条".into(),
            },
        ],
        competent_department: "广州市南沙区民政局".into(),
        implementing_body: "广州市南沙区黄阁镇人民政府".into(),
        handling_unit: "黄阁镇政务服务中心 民政窗口".into(),
        conditions: vec!["年满60周岁".into(), "具有本市户籍或持有本市居住证".into()],
        materials: vec![
            Material {
                name: "居民身份证".into(),
                form: MaterialForm::Original,
                copies: 1,
                source: "政府部门核发".into(),
                required: true,
                applies_when: None,
                blank_form: None,
                sample_form: None,
            },
            Material {
                name: "《长者优待卡申请表》".into(),
                form: MaterialForm::Paper,
                copies: 1,
                source: "申请人自备".into(),
                required: true,
                applies_when: None,
                blank_form: Some("优待卡申请表.docx".into()),
                sample_form: Some("优待卡申请表样表.pdf".into()),
            },
        ],
        steps: vec![
            Step {
                name: "受理".into(),
                time_limit: "当场".into(),
            },
            Step {
                name: "审核发证".into(),
                time_limit: "3个工作日".into(),
            },
        ],
        special_steps: vec![SpecialStep {
            name: "公示".into(),
            time_limit: "5个工作日".into(),
            counts_in_limit: false,
        }],
        handling_type: HandlingType::Promised,
        legal_limit_days: Some(20),
        promised_limit_days: Some(3),
        visits: 1,
        fee: Fee {
            charged: false,
            standard: "不收费".into(),
            basis: String::new(),
        },
        location: "广州市南沙区黄阁镇政务服务中心一楼".into(),
        hours: "周一至周五 上午9:00-12:00，下午14:00-17:30".into(),
        phone: "020-84938888".into(),
        complaint_phone: "12345".into(),
        result_name: "长者优待卡".into(),
        delivery: vec!["窗口领取".into(), "邮寄".into()],
        online_url: Some("https://www.gdzwfw.gov.cn/".into()),
        ..ServiceGuide::default()
    }
}

/// The staff form's fields for `g` (list columns one item per line).
fn form_of(g: &ServiceGuide) -> Vec<(String, String)> {
    CSV_HEADER
        .iter()
        .zip(guide_to_csv_record(g))
        .map(|(c, v)| {
            let v = if LIST_COLUMNS.contains(c) {
                v.replace('；', "\n")
            } else {
                v
            };
            (c.to_string(), v)
        })
        .collect()
}

async fn post_fields(fx: &Fixture, uri: &str, who: Who, fields: &[(String, String)]) -> Resp {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fx.post_form(uri, who, &refs).await
}

/// Create `g` on the staff form as clerk_a of TOWN_A; returns the item id.
async fn create(fx: &Fixture, g: &ServiceGuide) -> i64 {
    let mut f = form_of(g);
    f.push(("body".into(), TOWN_A.into()));
    let r = post_fields(fx, "/staff/services", User("clerk_a"), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.location().unwrap();
    loc.rsplit('/').next().unwrap().parse().unwrap()
}

async fn step(fx: &Fixture, id: i64, who: &'static str, action: &str, note: &str) -> Resp {
    fx.post_form(
        &format!("/staff/services/{id}/step"),
        User(who),
        &[("action", action), ("note", note)],
    )
    .await
}

async fn publish(fx: &Fixture, id: i64) {
    let r = step(fx, id, "clerk_a", "submit", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = step(fx, id, "reviewer_a", "publish", "同意发布").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    gongkai_web::indexer::catch_up(&fx.state).await.unwrap();
}

async fn fx() -> Fixture {
    let (store, dir) = sqlite_store().await;
    fixture(store, dir).await
}

fn multipart(file_name: &str, content_type: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "gongkaiboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(fx: &Fixture, uri: &str, file_name: &str, data: &[u8]) -> Resp {
    let (ct, body) = multipart(file_name, "application/octet-stream", data);
    fx.send(
        fx.request(Method::POST, uri, User("clerk_a"))
            .header(header::CONTENT_TYPE, ct)
            .body(HttpBody::from(body))
            .unwrap(),
    )
    .await
}

/// The `<main>` of a page.
fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("main");
    let end = html.find("</main>").expect("/main") + "</main>".len();
    html[start..end].to_string()
}

fn urlenc(s: &str) -> String {
    gongkai_web::portal::urlencode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_publish_flow() {
    publish_flow(&fx().await).await;
}

async fn publish_flow(fx: &Fixture) {
    let g = guide("C-LYYD-001", "长者优待卡办理");
    let id = create(fx, &g).await;
    let edit = fx
        .get(&format!("/staff/services/{id}"), User("clerk_a"))
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.text().contains("草稿"));
    assert!(edit.text().contains("重点要素齐全"), "{}", edit.text());

    // Not public while a draft.
    let page = format!("/b/{TOWN_A}/services/C-LYYD-001");
    assert_eq!(fx.get(&page, Anon).await.status, StatusCode::NOT_FOUND);

    // The clerk submits; a clerk cannot publish; the reviewer publishes.
    assert_eq!(
        step(fx, id, "clerk_a", "submit", "").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(fx, id, "clerk_a", "publish", "").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(fx, id, "reviewer_a", "publish", "").await.status,
        StatusCode::SEE_OTHER
    );
    let r = fx.get(&page, Anon).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("长者优待卡办理"));
    assert!(html.contains("第1版"));
    assert!(html.contains("发布日期：2026-06-10"));
    assert!(html.contains("不收费"));

    // On the catalogue, by 服务对象 and theme.
    let cat = fx.get(&format!("/b/{TOWN_A}/services"), Anon).await;
    assert_eq!(cat.status, StatusCode::OK);
    assert!(cat.text().contains("长者优待卡办理"));
    assert!(cat.text().contains("养老服务（1）"));
    let legal = fx
        .get(
            &format!("/b/{TOWN_A}/services?audience={}", urlenc("法人")),
            Anon,
        )
        .await;
    assert!(!legal.text().contains("长者优待卡办理"));
    let themed = fx
        .get(
            &format!("/b/{TOWN_A}/services?theme={}", urlenc("养老服务")),
            Anon,
        )
        .await;
    assert!(themed.text().contains("长者优待卡办理"));
    // The body home page links the catalogue.
    let home = fx.get(&format!("/b/{TOWN_A}"), Anon).await;
    assert!(home.text().contains(&format!("/b/{TOWN_A}/services")));

    // An edit needs a 修改原因, then makes version 2; the public keeps version 1.
    let mut g2 = g.clone();
    g2.hours = "周一至周六 上午9:00-12:00".into();
    let mut f = form_of(&g2);
    f.push(("body".into(), TOWN_A.into()));
    let r = post_fields(fx, &format!("/staff/services/{id}"), User("clerk_a"), &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写修改原因"));
    f.push(("reason".into(), "增加周六办理时间".into()));
    let r = post_fields(fx, &format!("/staff/services/{id}"), User("clerk_a"), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(fx.get(&page, Anon).await.text().contains("第1版"));
    // The version history shows who, when and why.
    let h = fx
        .get(&format!("/staff/services/{id}/history"), User("clerk_a"))
        .await;
    assert_eq!(h.status, StatusCode::OK);
    assert!(h.text().contains("增加周六办理时间"));
    assert!(h.text().contains("办理时间"));
    assert!(h.text().contains("审核发布"));
    // Version 2 goes through review again (a return needs a reason).
    assert_eq!(
        step(fx, id, "clerk_a", "submit", "").await.status,
        StatusCode::SEE_OTHER
    );
    let r = step(fx, id, "reviewer_a", "reject", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("退回修改须写明理由"));
    assert_eq!(
        step(fx, id, "reviewer_a", "publish", "").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(fx.get(&page, Anon).await.text().contains("第2版"));

    // The staff list filters by state; the audit log names the actions in Chinese.
    let list = fx
        .get(
            &format!("/staff/services?body={TOWN_A}&status={}", urlenc("已发布")),
            User("clerk_a"),
        )
        .await;
    assert!(list.text().contains("长者优待卡办理"));
    let drafts = fx
        .get(
            &format!("/staff/services?body={TOWN_A}&status={}", urlenc("草稿")),
            User("clerk_a"),
        )
        .await;
    assert!(!drafts.text().contains("长者优待卡办理"));
    let audit = fx.get("/staff/audit", User("reviewer_a")).await;
    assert!(audit.text().contains("发布办事指南"), "{}", audit.text());

    // Withdraw (停用) needs a reason and hides it again.
    assert_eq!(
        step(fx, id, "reviewer_a", "withdraw", "事项调整")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(fx.get(&page, Anon).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_validation_error() {
    validation_error(&fx().await).await;
}

async fn validation_error(fx: &Fixture) {
    let mut g = guide("C-BAD-001", "高龄津贴申领");
    g.fee.standard = "无".into();
    g.materials[0].name = "其他材料".into();
    let id = create(fx, &g).await;
    let r = fx
        .get(&format!("/staff/services/{id}"), User("clerk_a"))
        .await;
    let html = r.text();
    // The blocking finding sits at 收费标准, the 兜底 warning at 申请材料.
    let fee_at = html.find("name=\"收费标准\"").unwrap();
    let msg_at = html.find("收费标准不得写“无”").expect("fee finding shown");
    let next_field = html[fee_at..].find("<label").map(|i| fee_at + i).unwrap();
    assert!(
        msg_at > fee_at && msg_at < next_field,
        "message next to its field"
    );
    assert!(html.contains("含兜底表述“其他材料”"));
    assert!(html.contains("1项不得发布"));
    // Submission is refused while blocking.
    let r = step(fx, id, "clerk_a", "submit", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不得发布"));
    // The list flags it.
    let list = fx
        .get(&format!("/staff/services?body={TOWN_A}"), User("clerk_a"))
        .await;
    assert!(list.text().contains("1项不得发布"));
    assert!(list.text().contains("含兜底表述"));

    // A guide last reviewed more than 12 months ago is flagged stale.
    let store = &fx.state.store;
    let old = store
        .create_service_item(
            fx.body(TOWN_A),
            &guide("C-OLD-001", "陈旧指南事项"),
            "clerk_a",
            "2025-01-02T02:00:00Z",
            "",
        )
        .await
        .unwrap();
    let old_day = time::macros::date!(2025 - 01 - 02);
    let at = "2025-01-02T02:00:00Z";
    store
        .service_item_step(old.id, GuideAction::Submit, "clerk_a", at, old_day, "")
        .await
        .unwrap();
    store
        .service_item_step(old.id, GuideAction::Publish, "reviewer_a", at, old_day, "")
        .await
        .unwrap();
    let list = fx
        .get(
            &format!("/staff/services?body={TOWN_A}&status={}", urlenc("已发布")),
            User("clerk_a"),
        )
        .await;
    assert!(list.text().contains("超过12个月未审核"), "{}", list.text());
    let r = fx
        .get(&format!("/staff/services/{}", old.id), User("clerk_a"))
        .await;
    assert!(
        r.text()
            .contains("办事指南自2025-01-02起已超过12个月未审核")
    );

    // An unreadable value is refused at its field and nothing is saved.
    let mut f = form_of(&guide("C-BAD-002", "另一事项"));
    for (k, v) in f.iter_mut() {
        if k == "事项类型" {
            *v = "行政许可证".into();
        }
    }
    f.push(("body".into(), TOWN_A.into()));
    let r = post_fields(fx, "/staff/services", User("clerk_a"), &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("“事项类型”列的值“行政许可证”无效"));
    let list = fx
        .get(&format!("/staff/services?body={TOWN_A}"), User("clerk_a"))
        .await;
    assert!(!list.text().contains("另一事项"));
    // A duplicate 实施编码 is refused.
    let mut f = form_of(&g);
    f.push(("body".into(), TOWN_A.into()));
    let r = post_fields(fx, "/staff/services", User("clerk_a"), &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("已存在"));
    // CSRF is checked.
    let r = fx
        .post_form_raw(
            "/staff/services",
            User("clerk_a"),
            &[("csrf", "forged"), ("body", TOWN_A)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_unpublished_invisible() {
    unpublished_invisible(&fx().await).await;
}

async fn unpublished_invisible(fx: &Fixture) {
    let id = create(fx, &guide("C-HID-001", "隐藏草稿事项")).await;
    let r = upload(
        fx,
        &format!(
            "/staff/services/{id}/files?csrf={}",
            urlenc(&fx.csrf(User("clerk_a")))
        ),
        "优待卡申请表.docx",
        b"blank",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    gongkai_web::indexer::catch_up(&fx.state).await.unwrap();
    let page = fx
        .get(&format!("/b/{TOWN_A}/services/C-HID-001"), Anon)
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let html = page.text();
    assert!(html.contains("页面不存在") && html.contains("办事指南「C-HID-001」不存在"));
    assert!(
        html.contains("<nav") || html.contains("class=\"site\""),
        "site layout"
    );
    assert_eq!(
        fx.get(&format!("/b/{TOWN_A}/services/NOPE"), Anon)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let api = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/services/C-HID-001"), Anon)
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["error"], "not_found");
    let cat = fx.get(&format!("/b/{TOWN_A}/services"), Anon).await;
    assert!(!cat.text().contains("隐藏草稿事项"));
    let s = fx
        .get(&format!("/search?q={}", urlenc("隐藏草稿事项")), Anon)
        .await;
    assert!(!s.text().contains("C-HID-001"));
    let file = format!(
        "/b/{TOWN_A}/services/C-HID-001/files/{}",
        urlenc("优待卡申请表.docx")
    );
    assert_eq!(fx.get(&file, Anon).await.status, StatusCode::NOT_FOUND);
    // Staff of the body may download it.
    assert_eq!(fx.get(&file, User("clerk_a")).await.status, StatusCode::OK);
    // Another body's clerk cannot open the editor.
    assert_eq!(
        fx.get(&format!("/staff/services/{id}"), User("clerk_other"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_search_finds_it() {
    search_finds_it(&fx().await).await;
}

async fn search_finds_it(fx: &Fixture) {
    let id = create(fx, &guide("C-SRCH-001", "长者优待卡办理")).await;
    publish(fx, id).await;
    // By a material's name, with the kind filter, scoped to the body.
    let q = format!(
        "/search?q={}&kind=service_item&body={TOWN_A}",
        urlenc("长者优待卡申请表")
    );
    let r = fx.get(&q, Anon).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text()
            .contains(&format!("/b/{TOWN_A}/services/C-SRCH-001")),
        "{}",
        r.text()
    );
    assert!(
        r.text()
            .contains("<option value=\"service_item\" selected>办事指南</option>")
    );
    assert!(
        r.text()
            .contains("<span class=\"flag info\">办事指南</span>")
    );
    // By a condition.
    let r = fx
        .get(&format!("/search?q={}", urlenc("居住证")), Anon)
        .await;
    assert!(r.text().contains("C-SRCH-001"));
    // Not under another body, not under another kind.
    let r = fx
        .get(
            &format!("/search?q={}&body={TOWN_B}", urlenc("长者优待卡")),
            Anon,
        )
        .await;
    assert!(!r.text().contains("C-SRCH-001"));
    let r = fx
        .get(
            &format!("/search?q={}&kind=document", urlenc("长者优待卡")),
            Anon,
        )
        .await;
    assert!(!r.text().contains("C-SRCH-001"));
    // The API's search too.
    let r = fx
        .get(
            &format!(
                "/api/v1/search?q={}&kind=service_item",
                urlenc("长者优待卡")
            ),
            Anon,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("C-SRCH-001"));
    // The catalogue's name filter.
    let r = fx
        .get(
            &format!("/b/{TOWN_A}/services?q={}", urlenc("优待卡")),
            Anon,
        )
        .await;
    assert!(r.text().contains("长者优待卡办理"));
    let r = fx
        .get(
            &format!("/b/{TOWN_A}/services?q={}", urlenc("宅基地")),
            Anon,
        )
        .await;
    assert!(r.text().contains("没有符合条件的事项"));
    // Withdrawn: gone from the index.
    step(fx, id, "reviewer_a", "withdraw", "事项调整").await;
    gongkai_web::indexer::catch_up(&fx.state).await.unwrap();
    let r = fx.get(&q, Anon).await;
    assert!(!r.text().contains("C-SRCH-001"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_api_shape() {
    api_shape(&fx().await).await;
}

async fn api_shape(fx: &Fixture) {
    let id = create(fx, &guide("C-API-001", "长者优待卡办理")).await;
    let mut sub = guide("C-API-002", "长者优待卡补办");
    sub.main_item = Some("C-API-001".into());
    let sub_id = create(fx, &sub).await;
    publish(fx, id).await;
    publish(fx, sub_id).await;
    let list = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/services?page=1"), Anon)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    insta::assert_json_snapshot!("api_services", list.json());
    let one = fx
        .get(&format!("/api/v1/bodies/{TOWN_A}/services/C-API-001"), Anon)
        .await;
    assert_eq!(one.status, StatusCode::OK);
    insta::assert_json_snapshot!("api_service", one.json());
    // A bad filter is a JSON 400; an unknown body a JSON 404.
    let r = fx
        .get(
            &format!("/api/v1/bodies/{TOWN_A}/services?audience=x"),
            Anon,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "bad_request");
    let r = fx.get("/api/v1/bodies/999/services", Anon).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // In the OpenAPI document.
    let doc = fx.get("/api/v1/openapi.json", Anon).await.json();
    assert!(doc["paths"]["/api/v1/bodies/{code}/services"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/bodies/{code}/services/{item}"]["get"].is_object());
    assert!(doc["components"]["schemas"]["ServiceGuideView"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_import_with_bad_row() {
    import_with_bad_row(&fx().await).await;
}

async fn import_with_bad_row(fx: &Fixture) {
    let header = CSV_HEADER.join(",");
    let line = |g: &ServiceGuide| {
        guide_to_csv_record(g)
            .into_iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let good1 = line(&guide("C-IMP-001", "导入事项一"));
    let mut bad = guide_to_csv_record(&guide("C-IMP-002", "导入事项二"));
    bad[3] = "行政许可证".into();
    let bad = bad
        .into_iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(",");
    let csv = format!("{header}\n{good1}\n{bad}\n");
    let action = format!(
        "/staff/services/import?body={TOWN_A}&csrf={}",
        urlenc(&fx.csrf(User("clerk_a")))
    );
    let r = upload(fx, &action, "items.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("第3行"), "{}", r.text());
    assert!(r.text().contains("“事项类型”列的值“行政许可证”无效"));
    assert!(r.text().contains("整个文件未导入"));
    let list = fx
        .get(&format!("/staff/services?body={TOWN_A}"), User("clerk_a"))
        .await;
    assert!(!list.text().contains("导入事项一"), "nothing half-imported");

    // A duplicate code inside the file names its line too.
    let dup = format!("{header}\n{good1}\n{good1}\n");
    let r = upload(fx, &action, "items.csv", dup.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("第3行"));

    // A good file: both items, as drafts.
    let good2 = line(&guide("C-IMP-002", "导入事项二"));
    let ok = format!("{header}\n{good1}\n{good2}\n");
    let r = upload(fx, &action, "items.csv", ok.as_bytes()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = fx.get(r.location().unwrap(), User("clerk_a")).await.text();
    assert!(
        list.contains("导入完成：新增2项，更新0项，未变0项"),
        "{list}"
    );
    assert!(list.contains("导入事项一") && list.contains("导入事项二"));

    // Export as CSV and JSON, and import the JSON again: nothing changes.
    let csv = fx
        .get(
            &format!("/staff/services/export?body={TOWN_A}&format=csv"),
            User("clerk_a"),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(csv.text().contains("事项名称,基本编码,实施编码"));
    let json = fx
        .get(
            &format!("/staff/services/export?body={TOWN_A}&format=json"),
            User("clerk_a"),
        )
        .await;
    let r = upload(fx, &action, "items.json", &json.bytes).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().unwrap().contains("imported=0,0,"),
        "nothing changed"
    );
    // Only clerks of the body may import.
    let action_b = format!(
        "/staff/services/import?body={TOWN_B}&csrf={}",
        urlenc(&fx.csrf(User("clerk_a")))
    );
    let r = upload(fx, &action_b, "items.csv", ok.as_bytes()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_print_view() {
    print_view(&fx().await).await;
}

async fn print_view(fx: &Fixture) {
    let id = create(fx, &guide("C-PRN-001", "长者优待卡办理")).await;
    let r = upload(
        fx,
        &format!(
            "/staff/services/{id}/files?csrf={}",
            urlenc(&fx.csrf(User("clerk_a")))
        ),
        "优待卡申请表.docx",
        b"blank form",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    publish(fx, id).await;
    let page = fx
        .get(&format!("/b/{TOWN_A}/services/C-PRN-001"), Anon)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    insta::assert_snapshot!("guide_page", main_of(&page.text()));
    let cat = fx.get(&format!("/b/{TOWN_A}/services"), Anon).await;
    insta::assert_snapshot!("catalogue_page", main_of(&cat.text()));

    for uri in [
        format!("/b/{TOWN_A}/services/C-PRN-001/print"),
        format!("/b/{TOWN_A}/services/C-PRN-001?print=1"),
    ] {
        let r = fx.get(&uri, Anon).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        let html = r.text();
        assert!(html.contains("size: A4"));
        assert!(html.contains("长者优待卡办理") && html.contains("四、申请材料"));
        assert!(!html.contains("主导航"), "no site navigation in print");
    }
    // The blank form downloads with its type and Chinese name (RFC 5987).
    let f = fx
        .get(
            &format!(
                "/b/{TOWN_A}/services/C-PRN-001/files/{}",
                urlenc("优待卡申请表.docx")
            ),
            Anon,
        )
        .await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.bytes, b"blank form");
    let cd = f.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        cd.contains(&format!("filename*=UTF-8''{}", urlenc("优待卡申请表.docx"))),
        "{cd}"
    );
    // The sample form was named but not uploaded: shown by name, no link.
    assert!(page.text().contains("优待卡申请表样表.pdf"));
    // `/bodies/{code}/services/{item}` leads to the page.
    let r = fx
        .get(&format!("/bodies/{TOWN_A}/services/C-PRN-001"), Anon)
        .await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
}

/// The demo's catalogue of 黄阁镇: 284 items, all but five published, with their themes; a
/// detailed guide shows its own materials; the staff list shows every state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_demo_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let store = gongkai_store::Store::open_sqlite(&dir.path().join("gongkai.db"))
        .await
        .unwrap();
    let today = time::macros::date!(2026 - 06 - 10);
    gongkai_web::demo::seed_as_of(&store, today).await.unwrap();
    let town = store.get_body_by_code(TOWN_A).await.unwrap();
    let (_, total) = store
        .list_service_items(&gongkai_store::ServiceItemQuery {
            body_id: town.id,
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 284);
    let search = gongkai_search::SearchIndex::open(dir.path().join("search-index")).unwrap();
    let state = gongkai_web::AppState::new(
        store,
        search,
        gongkai_web::security::Secret::new(b"demo catalogue test"),
        gongkai_web::WebConfig {
            data_dir: dir.path().to_path_buf(),
            clock: gongkai_store::Clock::fixed_on(today),
            ..gongkai_web::WebConfig::default()
        },
    );
    gongkai_web::indexer::catch_up(&state).await.unwrap();
    let app = gongkai_web::router(state);
    let get = |uri: String| {
        let app = app.clone();
        async move {
            Fixture::send_to(
                &app,
                axum::http::Request::builder()
                    .uri(uri)
                    .header(header::HOST, "gongkai.test")
                    .body(HttpBody::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let list = get(format!("/api/v1/bodies/{TOWN_A}/services"))
        .await
        .json();
    assert_eq!(list["total"], 279);
    let themes = list["themes"].as_array().unwrap();
    assert!(themes.len() >= 16, "{themes:?}");
    assert!(themes.iter().any(|t| t["label"] == "退役军人服务"));
    // A detailed guide: 最低生活保障申请 with its own materials and special steps.
    let hit = get(format!(
        "/api/v1/bodies/{TOWN_A}/services?q={}",
        urlenc("最低生活保障申请")
    ))
    .await
    .json();
    let href = hit["items"][0]["href"].as_str().unwrap().to_string();
    let page = get(href).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("《家庭经济状况核对授权书》"));
    assert!(html.contains("家庭经济状况核对"));
    assert!(html.contains("《社会救助暂行办法》第九条（行政法规）"));
    // Found by full-text search.
    let s = get(format!(
        "/search?q={}&kind=service_item&body={TOWN_A}",
        urlenc("退役士兵")
    ))
    .await;
    // Titles carry <mark> around the matched words.
    assert!(
        s.text().contains("<mark>退役士兵</mark>报到"),
        "{}",
        s.text()
    );
}

/// The scenarios that write (workflow, refusals, all-or-nothing import, visibility, search)
/// on PostgreSQL; with `CI=true` a missing server fails the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_on_postgres_web() {
    let Some(db) = gongkai_store::testing::postgres("web service_items_on_postgres").await else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "PostgreSQL is required when CI=true"
        );
        return;
    };
    let store = db.store().await.expect("postgres store");
    assert_eq!(store.backend_name(), "postgres");
    let fx = fixture(store, tempfile::tempdir().unwrap()).await;
    publish_flow(&fx).await;
    validation_error(&fx).await;
    unpublished_invisible(&fx).await;
    search_finds_it(&fx).await;
    import_with_bad_row(&fx).await;
    fx.state.store.close().await;
    db.drop_db().await;
}
