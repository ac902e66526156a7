//! Document lists on both backends: order (newest first), filters, paging, and the 标准目录
//! listing of each catalog item's newest documents.

mod common;

use gongkai_ledger::content::{CatalogItemRecord, PublicDocumentRecord};
use gongkai_ledger::{BodyKind, NewBody};
use gongkai_store::{DocumentQuery, Store};
use time::{Date, Month};

fn day(d: u8) -> Date {
    Date::from_calendar_date(2025, Month::March, d).unwrap()
}

fn item(body_id: i64, name: &str) -> CatalogItemRecord {
    CatalogItemRecord {
        body_id,
        domain: "社会救助".into(),
        name: name.into(),
        basis: "《社会救助暂行办法》".into(),
        time_limit: "20个工作日内".into(),
        channel: "政府网站".into(),
        subject: "测试镇人民政府".into(),
        audience: "全社会".into(),
        manner: "主动公开".into(),
    }
}

fn doc(body_id: i64, catalog: Option<i64>, title: &str, written: Date) -> PublicDocumentRecord {
    PublicDocumentRecord {
        body_id,
        catalog_item_id: catalog,
        publisher: "测试镇人民政府".into(),
        written_on: written,
        doc_number: String::new(),
        topic: "民政".into(),
        title: title.into(),
        text: "正文".into(),
    }
}

async fn lists(store: &Store) {
    let mut ids = Vec::new();
    for (code, name, kind, parent) in [
        ("440000", "广东省人民政府", BodyKind::Province, None),
        ("440100", "广州市人民政府", BodyKind::City, Some("440000")),
        (
            "440115",
            "广州市南沙区人民政府",
            BodyKind::District,
            Some("440100"),
        ),
        ("440001", "甲镇人民政府", BodyKind::Town, Some("440115")),
        ("440002", "乙镇人民政府", BodyKind::Town, Some("440115")),
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
            .unwrap();
        ids.push(b.id);
    }
    let (a, b) = (ids[3], ids[4]);
    let low = store
        .create_catalog_item(&item(a, "最低生活保障"), "test")
        .await
        .unwrap();
    let help = store
        .create_catalog_item(&item(a, "临时救助"), "test")
        .await
        .unwrap();
    let empty = store
        .create_catalog_item(&item(a, "特困供养"), "test")
        .await
        .unwrap();
    let other = store
        .create_catalog_item(&item(b, "最低生活保障"), "test")
        .await
        .unwrap();

    // Body A: 12 documents under 低保 published on days 1..=12, 3 under 临时救助 of which one
    // stays a draft, 2 without catalog item. Body B: one under its own item.
    let mut low_ids = Vec::new();
    for d in 1..=12u8 {
        let x = store
            .create_public_document(
                &doc(a, Some(low.id), &format!("低保公示{d}"), day(1)),
                "test",
            )
            .await
            .unwrap();
        store
            .set_document_published(x.id, true, day(d), "test")
            .await
            .unwrap();
        low_ids.push(x.id);
    }
    let mut help_ids = Vec::new();
    for d in [3u8, 5, 7] {
        let x = store
            .create_public_document(
                &doc(a, Some(help.id), &format!("临时救助{d}"), day(d)),
                "test",
            )
            .await
            .unwrap();
        help_ids.push(x.id);
        if d != 7 {
            store
                .set_document_published(x.id, true, day(d), "test")
                .await
                .unwrap();
        }
    }
    for d in [2u8, 20] {
        let x = store
            .create_public_document(&doc(a, None, &format!("其他{d}"), day(d)), "test")
            .await
            .unwrap();
        store
            .set_document_published(x.id, true, day(d), "test")
            .await
            .unwrap();
    }
    let xb = store
        .create_public_document(&doc(b, Some(other.id), "乙镇低保", day(9)), "test")
        .await
        .unwrap();
    store
        .set_document_published(xb.id, true, day(9), "test")
        .await
        .unwrap();

    // The catalog listing: at most 4 per item, newest first, published only, this body only.
    let listing = store.catalog_documents(a, 4).await.unwrap();
    let titles: Vec<&str> = listing.iter().map(|d| d.title.as_str()).collect();
    let (first, second) = if low.id < help.id {
        (
            vec!["低保公示12", "低保公示11", "低保公示10", "低保公示9"],
            vec!["临时救助5", "临时救助3"],
        )
    } else {
        (
            vec!["临时救助5", "临时救助3"],
            vec!["低保公示12", "低保公示11", "低保公示10", "低保公示9"],
        )
    };
    assert_eq!(titles, [first, second].concat());
    assert!(listing.iter().all(|d| d.published && d.body_id == a));
    assert!(listing.iter().all(|d| d.catalog_item_id != Some(empty.id)));
    assert_eq!(store.catalog_documents(b, 10).await.unwrap().len(), 1);

    // Public list of body A: newest first, drafts hidden, totals right, pages consistent.
    let q = |published_only, catalog_item_id, limit, offset| DocumentQuery {
        body_id: a,
        published_only,
        catalog_item_id,
        limit,
        offset,
    };
    let (page1, total) = store
        .list_public_documents(&q(true, None, 5, 0))
        .await
        .unwrap();
    assert_eq!(total, 16);
    let t: Vec<&str> = page1.iter().map(|d| d.record.title.as_str()).collect();
    assert_eq!(
        t,
        [
            "其他20",
            "低保公示12",
            "低保公示11",
            "低保公示10",
            "低保公示9"
        ]
    );
    let (all, _) = store
        .list_public_documents(&q(true, None, 100, 0))
        .await
        .unwrap();
    let (page2, _) = store
        .list_public_documents(&q(true, None, 5, 5))
        .await
        .unwrap();
    assert_eq!(
        page2.iter().map(|d| d.id).collect::<Vec<_>>(),
        all[5..10].iter().map(|d| d.id).collect::<Vec<_>>()
    );
    // Staff view includes the draft (ordered by its written date).
    let (staff, total) = store
        .list_public_documents(&q(false, None, 100, 0))
        .await
        .unwrap();
    assert_eq!(total, 17);
    assert!(staff.iter().any(|d| d.id == help_ids[2] && !d.published));
    // One catalog item.
    let (helps, total) = store
        .list_public_documents(&q(true, Some(help.id), 100, 0))
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        helps.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![help_ids[1], help_ids[0]]
    );
    let (lows, total) = store
        .list_public_documents(&q(true, Some(low.id), 3, 0))
        .await
        .unwrap();
    assert_eq!(total, 12);
    assert_eq!(lows[0].id, low_ids[11]);

    // A document's page in one call: body, catalog item, attachments.
    store
        .add_attachment(
            low_ids[0],
            "名单.xlsx",
            "application/octet-stream",
            b"PK",
            "test",
        )
        .await
        .unwrap();
    let page = store.document_page(low_ids[0]).await.unwrap();
    assert_eq!(
        page.document,
        store.get_public_document(low_ids[0]).await.unwrap()
    );
    assert_eq!(page.body, store.get_body(a).await.unwrap());
    assert_eq!(page.catalog_item, Some(low.clone()));
    assert_eq!(page.attachments.len(), 1);
    assert_eq!(page.attachments[0].file_name, "名单.xlsx");
    let (others, _) = store
        .list_public_documents(&q(true, None, 1, 0))
        .await
        .unwrap();
    let bare = store.document_page(others[0].id).await.unwrap();
    assert_eq!(bare.catalog_item, None);
    assert!(bare.attachments.is_empty());
    assert!(matches!(
        store.document_page(9_999_999).await,
        Err(gongkai_store::StoreError::NotFound { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_on_sqlite() {
    let (store, _dir) = common::sqlite().await;
    lists(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("lists_on_postgres").await else {
        return;
    };
    let store = db.store().await.unwrap();
    lists(&store).await;
    store.close().await;
    db.drop_db().await;
}
