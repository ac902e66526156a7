//! 办事指南 persistence on SQLite and PostgreSQL: create, versions with who/when/why, the
//! workflow (提交审核 refused while blocking, the reviewer not the editor, 审核发布, 停用),
//! the public version, lists and filters, attachments, audit rows, outbox entries, and a
//! bulk import that is all or nothing.

mod common;

use gongkai_ledger::service::{
    Audience, BasisLevel, Fee, GuideAction, GuideStatus, HandlingType, ItemKind, LegalBasis,
    Material, MaterialForm, ServiceGuide, Step,
};
use gongkai_ledger::{BodyKind, NewBody, Role};
use gongkai_store::{ServiceItemQuery, Store, StoreError};
use time::macros::date;

const AT: &str = "2026-06-10T02:00:00Z";

fn guide(code: &str, name: &str) -> ServiceGuide {
    ServiceGuide {
        name: name.into(),
        basic_code: "511A0138000000".into(),
        impl_code: code.into(),
        kind: ItemKind::PublicService,
        audience: Audience::Person,
        themes: vec!["社会保障".into()],
        bases: vec![LegalBasis {
            level: BasisLevel::Law,
            title: "《中华人民共和国老年人权益保障法》".into(),
            article: "第五十七条".into(),
        }],
        competent_department: "广州市南沙区民政局".into(),
        implementing_body: "广州市南沙区黄阁镇人民政府".into(),
        handling_unit: "黄阁镇政务服务中心 社会事务窗口".into(),
        conditions: vec!["年满60周岁".into()],
        materials: vec![Material {
            name: "居民身份证".into(),
            form: MaterialForm::Original,
            copies: 1,
            source: "政府部门核发".into(),
            required: true,
            applies_when: None,
            blank_form: None,
            sample_form: None,
        }],
        steps: vec![Step {
            name: "受理".into(),
            time_limit: "当场".into(),
        }],
        handling_type: HandlingType::Immediate,
        fee: Fee {
            charged: false,
            standard: "不收费".into(),
            basis: String::new(),
        },
        location: "黄阁镇政务服务中心一楼".into(),
        hours: "周一至周五 9:00-17:30".into(),
        phone: "020-84938888".into(),
        complaint_phone: "12345".into(),
        result_name: "老年人优待证".into(),
        delivery: vec!["窗口领取".into()],
        ..ServiceGuide::default()
    }
}

async fn story(store: &Store) {
    let body = store
        .create_body(
            &NewBody {
                code: "440115101".into(),
                name: "广州市南沙区黄阁镇人民政府".into(),
                kind: BodyKind::Province,
                parent_code: None,
            },
            "test",
        )
        .await
        .unwrap();
    let today = date!(2026 - 06 - 10);
    for (login, role) in [("clerk", Role::Clerk), ("reviewer", Role::Reviewer)] {
        let u = store
            .create_user(login, login, "a long enough password", "test")
            .await
            .unwrap();
        store.grant_role(u.id, body.id, role, "test").await.unwrap();
    }
    let g = guide("C-001", "老年人优待证办理");
    let item = store
        .create_service_item(body.id, &g, "clerk", AT, "")
        .await
        .unwrap();
    assert_eq!(item.status, GuideStatus::Draft);
    assert_eq!(item.version, 1);
    assert!(!item.is_public());
    // Code unique per body.
    let dup = store
        .create_service_item(body.id, &g, "clerk", AT, "")
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Duplicate { .. }), "{dup}");

    // A second version needs a reason; an unchanged guide is refused.
    let mut g2 = g.clone();
    g2.conditions.push("具有本市户籍".into());
    let e = store
        .update_service_item(item.id, &g2, "clerk", AT, " ")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("修订原因"), "{e}");
    let e = store
        .update_service_item(item.id, &g, "clerk", AT, "无变化")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("没有变化"), "{e}");
    let item = store
        .update_service_item(item.id, &g2, "clerk", AT, "补充受理条件")
        .await
        .unwrap();
    assert_eq!(item.version, 2);
    let versions = store.service_item_versions(item.id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].reason, "补充受理条件");
    assert_eq!(versions[1].editor, "clerk");
    assert_eq!(versions[1].changes[0].key, "conditions[1]");

    // Not public yet.
    assert!(
        store
            .published_service_item(body.id, "C-001")
            .await
            .unwrap()
            .is_none()
    );
    // Publishing straight from draft is an invalid step.
    assert!(
        store
            .service_item_step(item.id, GuideAction::Publish, "reviewer", AT, today, "")
            .await
            .is_err()
    );
    store
        .service_item_step(item.id, GuideAction::Submit, "clerk", AT, today, "")
        .await
        .unwrap();
    // The editor may not review their own version.
    let e = store
        .service_item_step(item.id, GuideAction::Publish, "clerk", AT, today, "")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("审核人"), "{e}");
    // A return needs a reason.
    assert!(
        store
            .service_item_step(item.id, GuideAction::Reject, "reviewer", AT, today, "")
            .await
            .is_err()
    );
    let item = store
        .service_item_step(item.id, GuideAction::Publish, "reviewer", AT, today, "同意")
        .await
        .unwrap();
    assert_eq!(item.status, GuideStatus::Published);
    assert_eq!(item.published_version, Some(2));
    assert_eq!(item.reviewed_on, Some(today));
    let (_, rev) = store
        .published_service_item(body.id, "C-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rev.version, 2);

    // A new draft keeps the published version public.
    let mut g3 = g2.clone();
    g3.fee.standard = "无".into();
    let item = store
        .update_service_item(item.id, &g3, "clerk", AT, "改收费")
        .await
        .unwrap();
    assert_eq!(item.status, GuideStatus::Draft);
    assert_eq!(item.published_version, Some(2));
    // 提交审核 is refused while a finding is blocking ("无" as 收费标准).
    let e = store
        .service_item_step(item.id, GuideAction::Submit, "clerk", AT, today, "")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("不得发布"), "{e}");

    // Withdraw: back to draft → fix → submit → publish → withdraw.
    let item = store
        .update_service_item(item.id, &g2, "clerk", AT, "恢复")
        .await
        .unwrap();
    store
        .service_item_step(item.id, GuideAction::Submit, "clerk", AT, today, "")
        .await
        .unwrap();
    let item = store
        .service_item_step(
            item.id,
            GuideAction::Reject,
            "reviewer",
            AT,
            today,
            "请补充材料",
        )
        .await
        .unwrap();
    assert_eq!(item.status, GuideStatus::Draft);
    assert_eq!(item.note, "请补充材料");
    store
        .service_item_step(item.id, GuideAction::Submit, "clerk", AT, today, "")
        .await
        .unwrap();
    store
        .service_item_step(item.id, GuideAction::Publish, "reviewer", AT, today, "")
        .await
        .unwrap();
    let item = store
        .service_item_step(
            item.id,
            GuideAction::Withdraw,
            "reviewer",
            AT,
            today,
            "事项取消",
        )
        .await
        .unwrap();
    assert_eq!(item.status, GuideStatus::Withdrawn);
    assert!(!item.is_public());
    let steps = store.service_item_steps(item.id).await.unwrap();
    assert_eq!(steps.last().unwrap().action, GuideAction::Withdraw);

    // Lists and filters.
    let mut g4 = guide("C-002", "法人登记备案");
    g4.audience = Audience::LegalPerson;
    g4.themes = vec!["市场监管".into()];
    store
        .create_service_item(body.id, &g4, "clerk", AT, "")
        .await
        .unwrap();
    let q = |f: &dyn Fn(&mut ServiceItemQuery)| {
        let mut q = ServiceItemQuery {
            body_id: body.id,
            limit: 50,
            ..ServiceItemQuery::default()
        };
        f(&mut q);
        q
    };
    let (all, total) = store.list_service_items(&q(&|_| {})).await.unwrap();
    assert_eq!((all.len(), total), (2, 2));
    let (_, n) = store
        .list_service_items(&q(&|q| q.audience = Some(Audience::LegalPerson)))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (_, n) = store
        .list_service_items(&q(&|q| q.status = Some(GuideStatus::Withdrawn)))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (_, n) = store
        .list_service_items(&q(&|q| q.published_only = true))
        .await
        .unwrap();
    assert_eq!(n, 0);
    let (found, _) = store
        .list_service_items(&q(&|q| q.name = Some("登记".into())))
        .await
        .unwrap();
    assert_eq!(found[0].code, "C-002");
    let (none, _) = store
        .list_service_items(&q(&|q| q.main_code = Some("C-001".into())))
        .await
        .unwrap();
    assert!(none.is_empty());
    let themes = store.service_themes(body.id, false).await.unwrap();
    assert_eq!(themes.len(), 2);

    // Attachments.
    store
        .add_service_attachment(item.id, "申请表.docx", "application/msword", b"x", "clerk")
        .await
        .unwrap();
    store
        .add_service_attachment(item.id, "申请表.docx", "application/msword", b"yy", "clerk")
        .await
        .unwrap();
    let (meta, data) = store
        .service_attachment(item.id, "申请表.docx")
        .await
        .unwrap();
    assert_eq!((meta.size, data), (2, b"yy".to_vec()));
    assert_eq!(
        store.list_service_attachments(item.id).await.unwrap().len(),
        1
    );

    // Import: a duplicate code names its line and nothing is written.
    let before = store.export_service_items(body.id).await.unwrap();
    let rows = vec![
        (2, guide("C-003", "新事项")),
        (3, guide("C-004", "另一事项")),
        (4, guide("C-003", "重复")),
    ];
    let e = store
        .import_service_items(body.id, rows, "items.csv", "clerk", AT, "")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("第4行"), "{e}");
    assert_eq!(store.export_service_items(body.id).await.unwrap(), before);
    // A row that would change a code's key fails inside the transaction: nothing written.
    let mut bad = guide("C-005", "x");
    bad.name = " ".into();
    let e = store
        .import_service_items(
            body.id,
            vec![(2, guide("C-006", "好")), (3, bad)],
            "items.csv",
            "clerk",
            AT,
            "",
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("第3行"), "{e}");
    assert_eq!(store.export_service_items(body.id).await.unwrap().len(), 2);
    let mut changed = guide("C-002", "法人登记备案");
    changed.hours = "周一至周五".into();
    let r = store
        .import_service_items(
            body.id,
            vec![(2, guide("C-003", "新事项")), (3, changed), (4, g2.clone())],
            "items.csv",
            "clerk",
            AT,
            "",
        )
        .await
        .unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (1, 1, 1));
    assert_eq!(store.export_service_items(body.id).await.unwrap().len(), 3);

    // A body whose only reviewer edited the version may publish it (no second person).
    let solo = store
        .create_body(
            &NewBody {
                code: "450000".into(),
                name: "广西壮族自治区人民政府".into(),
                kind: BodyKind::Province,
                parent_code: None,
            },
            "test",
        )
        .await
        .unwrap();
    let u = store
        .create_user("solo", "solo", "a long enough password", "test")
        .await
        .unwrap();
    store
        .grant_role(u.id, solo.id, Role::Admin, "test")
        .await
        .unwrap();
    let s = store
        .create_service_item(solo.id, &guide("S-1", "单人机关事项"), "solo", AT, "")
        .await
        .unwrap();
    store
        .service_item_step(s.id, GuideAction::Submit, "solo", AT, today, "")
        .await
        .unwrap();
    store
        .service_item_step(s.id, GuideAction::Publish, "solo", AT, today, "")
        .await
        .unwrap();

    // Audit rows and outbox entries.
    let audit = store.audit_log(&[body.id], 200).await.unwrap();
    for a in [
        "service.create",
        "service.update",
        "service.submit",
        "service.return",
        "service.publish",
        "service.withdraw",
        "service.import",
        "service.attach",
    ] {
        assert!(audit.iter().any(|e| e.action == a), "no audit row {a}");
    }
    let outbox = store.outbox_after(0, 1000).await.unwrap();
    assert!(
        outbox
            .iter()
            .any(|e| e.topic == "service_item" && e.op == "delete")
    );
    assert!(
        outbox
            .iter()
            .any(|e| e.topic == "service_item" && e.op == "upsert")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_on_sqlite() {
    let (store, _dir) = common::sqlite().await;
    story(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("service_items_on_postgres").await else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "PostgreSQL is required when CI=true"
        );
        return;
    };
    let store = db.store().await.unwrap();
    story(&store).await;
    store.close().await;
    db.drop_db().await;
}
