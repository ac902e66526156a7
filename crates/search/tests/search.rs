//! End-to-end behaviour of the index: Chinese queries, filters, highlighting,
//! tolerant parsing, deletes, persistence.

use gongkai_search::{DocKind, Query, SearchDoc, SearchError, SearchIndex};

fn doc(id: &str, title: &str, text: &str) -> SearchDoc {
    SearchDoc {
        id: id.to_string(),
        kind: DocKind::Document,
        body_code: "440115-mzj".to_string(),
        body_name: "广州市南沙区民政局".to_string(),
        domain: None,
        year: Some(2024),
        date: Some("2024-03-01".to_string()),
        title: title.to_string(),
        text: text.to_string(),
        doc_number: None,
        index_number: None,
        url: format!("/xxgk/{id}"),
    }
}

fn corpus() -> Vec<SearchDoc> {
    vec![
        SearchDoc {
            domain: Some("养老服务".into()),
            doc_number: Some("南府办〔2024〕12号".into()),
            index_number: Some("11440115MB2C0001/2024-00012".into()),
            ..doc(
                "pension",
                "关于发放2024年养老服务补贴的通知",
                "各镇人民政府、各街道办事处：为做好高龄老人养老服务补贴发放工作，现将有关事项通知如下。\
                 联系人：冼锦豪，联系电话：020-84981234。",
            )
        },
        SearchDoc {
            domain: Some("养老服务".into()),
            year: Some(2023),
            date: Some("2023-06-15".into()),
            ..doc(
                "elderly-canteen",
                "南沙区长者饭堂建设管理办法",
                "推进居家养老，规范长者饭堂运营，资金由区财政统筹安排。",
            )
        },
        SearchDoc {
            domain: Some("社会救助".into()),
            doc_number: Some("南民〔2024〕3号".into()),
            ..doc(
                "dibao",
                "关于调整最低生活保障标准的通知",
                "根据上级部署，本区最低生活保障标准调整为每人每月1500元。",
            )
        },
        SearchDoc {
            kind: DocKind::Report,
            body_code: "440115-town-0".into(),
            body_name: "广州市南沙区黄阁镇人民政府".into(),
            domain: None,
            year: Some(2023),
            date: Some("2024-01-20".into()),
            ..doc(
                "report-huangge",
                "黄阁镇2023年政府信息公开工作年度报告",
                "本年度共收到依申请公开申请12件，行政复议0件，行政诉讼0件。",
            )
        },
        SearchDoc {
            kind: DocKind::CatalogItem,
            body_code: "440115-rsj".into(),
            body_name: "广州市南沙区人力资源和社会保障局".into(),
            domain: Some("就业".into()),
            year: None,
            date: Some("2022-09-01".into()),
            ..doc(
                "catalog-jobs",
                "就业：创业担保贷款",
                "创业担保贷款的申请条件、办理流程和贴息标准。",
            )
        },
        SearchDoc {
            domain: Some("安全生产".into()),
            body_code: "440113-yjj".into(),
            body_name: "广州市番禺区应急管理局".into(),
            year: Some(2022),
            date: Some("2022-05-05".into()),
            ..doc(
                "safety",
                "关于开展危险化学品安全检查的通知",
                "请各单位于5月底前完成隐患排查，落实<安全生产>责任 & 应急预案。",
            )
        },
    ]
}

fn index() -> SearchIndex {
    let index = SearchIndex::open_in_ram().unwrap();
    for d in corpus() {
        index.upsert(&d).unwrap();
    }
    index.commit().unwrap();
    index
}

fn ids(index: &SearchIndex, q: &Query) -> Vec<String> {
    index
        .search(q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn word_query_finds_the_pension_documents() {
    let index = index();
    let found = ids(&index, &Query::text("养老"));
    assert_eq!(sorted(found.clone()), ["elderly-canteen", "pension"]);
    // The title match ranks first.
    assert_eq!(found[0], "pension");
    assert_eq!(ids(&index, &Query::text("养老服务补贴")), ["pension"]);
}

#[test]
fn doc_number_finds_its_document_in_any_bracket_style() {
    let index = index();
    for q in [
        "南府办〔2024〕12号",
        "南府办[2024]12号",
        "南府办（2024）12号",
        "南府办2024 12号",
    ] {
        let found = ids(&index, &Query::text(q));
        assert_eq!(
            found.first().map(String::as_str),
            Some("pension"),
            "{q}: {found:?}"
        );
    }
    // A different number does not match.
    assert!(ids(&index, &Query::text("南府办〔2024〕13号")).is_empty());
    let results = index.search(&Query::text("南府办〔2024〕12号")).unwrap();
    assert_eq!(
        results.hits[0].doc_number.as_deref(),
        Some("南府办〔2024〕12号")
    );
}

#[test]
fn index_number_and_body_name_are_searchable() {
    let index = index();
    assert_eq!(
        ids(&index, &Query::text("11440115MB2C0001/2024-00012")),
        ["pension"]
    );
    assert!(
        ids(&index, &Query::text("人力资源和社会保障局")).contains(&"catalog-jobs".to_string())
    );
}

#[test]
fn out_of_dictionary_name_is_found_through_bigrams() {
    let index = index();
    let results = index.search(&Query::text("冼锦豪")).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(results.hits[0].id, "pension");
    assert!(
        results.hits[0].snippet_html.contains("<mark>冼锦豪</mark>"),
        "{}",
        results.hits[0].snippet_html
    );
}

#[test]
fn user_dictionary_terms_match() {
    let index = index();
    assert_eq!(ids(&index, &Query::text("依申请公开")), ["report-huangge"]);
    assert_eq!(ids(&index, &Query::text("行政复议")), ["report-huangge"]);
    assert_eq!(ids(&index, &Query::text("黄阁镇")), ["report-huangge"]);
}

#[test]
fn every_segment_is_required() {
    let index = index();
    assert_eq!(
        ids(&index, &Query::text("养老 长者饭堂")),
        ["elderly-canteen"]
    );
    assert!(ids(&index, &Query::text("养老 危险化学品")).is_empty());
    // Jieba words need not be adjacent: 南沙区 … 养老 … 补贴.
    assert!(ids(&index, &Query::text("南沙区养老补贴")).contains(&"pension".to_string()));
}

#[test]
fn single_character_queries_match() {
    let index = index();
    let found = sorted(ids(&index, &Query::text("饭")));
    assert_eq!(found, ["elderly-canteen"]);
}

#[test]
fn filters_narrow_the_results() {
    let index = index();
    let q = |f: &dyn Fn(&mut Query)| {
        let mut q = Query::text("通知");
        f(&mut q);
        sorted(ids(&index, &q))
    };
    assert_eq!(q(&|_| {}), ["dibao", "pension", "safety"]);
    assert_eq!(q(&|q| q.year = Some(2022)), ["safety"]);
    assert_eq!(q(&|q| q.domain = Some("社会救助".into())), ["dibao"]);
    assert_eq!(q(&|q| q.body_codes = vec!["440113-yjj".into()]), ["safety"]);
    assert_eq!(
        q(&|q| q.body_codes = vec!["440115-mzj".into(), "440113-yjj".into()]),
        ["dibao", "pension", "safety"]
    );
    assert_eq!(q(&|q| q.kind = Some(DocKind::Report)), Vec::<String>::new());
    let reports = Query {
        kind: Some(DocKind::Report),
        ..Query::default()
    };
    assert_eq!(ids(&index, &reports), ["report-huangge"]);
}

#[test]
fn empty_query_browses_newest_first() {
    let index = index();
    let all = index.search(&Query::default()).unwrap();
    assert_eq!(all.total, 6);
    let dates: Vec<_> = all.hits.iter().map(|h| h.date.clone().unwrap()).collect();
    let mut expected = dates.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, expected);
    // "pension" and "dibao" share the newest date (2024-03-01); their order is a tie.
    assert!(["pension", "dibao"].contains(&all.hits[0].id.as_str()));
    assert_eq!(all.hits[0].date.as_deref(), Some("2024-03-01"));
    assert!(all.hits.iter().all(|h| !h.snippet_html.contains("<mark>")));

    let filtered = index
        .search(&Query {
            domain: Some("养老服务".into()),
            ..Query::default()
        })
        .unwrap();
    let ids: Vec<_> = filtered.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["pension", "elderly-canteen"]);
    // Punctuation only is the same as empty.
    assert_eq!(index.search(&Query::text(" ，。！？ ")).unwrap().total, 6);
}

#[test]
fn pages_are_consistent() {
    let index = index();
    let all = ids(&index, &Query::default());
    let mut paged = Vec::new();
    for offset in (0..6).step_by(2) {
        let page = index
            .search(&Query {
                offset,
                limit: 2,
                ..Query::default()
            })
            .unwrap();
        assert_eq!(page.total, 6);
        paged.extend(page.hits.into_iter().map(|h| h.id));
    }
    assert_eq!(paged, all);
    let deep = index
        .search(&Query {
            offset: 1_000_000,
            ..Query::default()
        })
        .unwrap();
    assert_eq!((deep.total, deep.hits.len()), (6, 0));
}

#[test]
fn snippets_and_titles_are_escaped_and_marked() {
    let index = index();
    let results = index.search(&Query::text("安全生产")).unwrap();
    let hit = &results.hits[0];
    assert_eq!(hit.id, "safety");
    assert!(
        hit.snippet_html
            .contains("&lt;<mark>安全生产</mark>&gt;责任 &amp; 应急预案"),
        "{}",
        hit.snippet_html
    );
    let results = index.search(&Query::text("养老服务补贴")).unwrap();
    assert_eq!(
        results.hits[0].title_html,
        "关于发放2024年<mark>养老服务补贴</mark>的通知"
    );
    assert_eq!(results.hits[0].body_name, "广州市南沙区民政局");
    assert_eq!(results.hits[0].url, "/xxgk/pension");
    assert!(results.hits[0].score > 0.0);
}

#[test]
fn hostile_input_is_never_an_error() {
    let index = index();
    let long = "养老".repeat(5000);
    let nasty = [
        "",
        " ",
        "\"",
        "\"养老",
        "养老\"",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "*",
        "?",
        "~",
        "^2",
        ":",
        "title:养老",
        "AND",
        "OR NOT",
        "+-",
        "\\",
        "/",
        "//",
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "养老~2",
        "养老^10",
        "a*b?c",
        "\u{0}\u{1}\u{7f}",
        "\u{200b}",
        "🙂🙂",
        "ｔｉｔｌｅ：（养老）",
        &long,
        "〔〕",
        "--",
        "..",
        "#",
        "养老 OR 补贴",
    ];
    for q in nasty {
        let r = index.search(&Query::text(q));
        assert!(r.is_ok(), "{q:?}: {r:?}");
        for hit in r.unwrap().hits {
            assert!(!hit.title_html.contains("<script"), "{q:?}");
            assert!(!hit.snippet_html.contains("<script"), "{q:?}");
        }
    }
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let index = index();
    index
        .upsert(&doc("dibao", "关于公布临时救助标准的通知", "临时救助。"))
        .unwrap();
    index.commit().unwrap();
    assert!(ids(&index, &Query::text("最低生活保障")).is_empty());
    assert_eq!(ids(&index, &Query::text("临时救助")), ["dibao"]);
    assert_eq!(index.num_docs(), 6);

    index.delete("dibao").unwrap();
    // Not visible before the commit.
    assert_eq!(ids(&index, &Query::text("临时救助")), ["dibao"]);
    index.commit().unwrap();
    assert!(ids(&index, &Query::text("临时救助")).is_empty());
    assert_eq!(index.num_docs(), 5);
    index.delete("no-such-id").unwrap();
    index.commit().unwrap();
    assert_eq!(index.num_docs(), 5);

    index.delete_all().unwrap();
    index.rollback().unwrap();
    assert_eq!(index.num_docs(), 5);
    index.delete_all().unwrap();
    index.commit().unwrap();
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn invalid_documents_are_rejected_with_the_field() {
    let index = SearchIndex::open_in_ram().unwrap();
    let cases: Vec<(SearchDoc, &str)> = vec![
        (doc("", "标题", ""), "id"),
        (doc("a", "  ", ""), "title"),
        (
            SearchDoc {
                date: Some("2024-02-30".into()),
                ..doc("a", "标题", "")
            },
            "date",
        ),
        (
            SearchDoc {
                year: Some(20240),
                ..doc("a", "标题", "")
            },
            "year",
        ),
        (
            SearchDoc {
                body_code: String::new(),
                ..doc("a", "标题", "")
            },
            "body_code",
        ),
    ];
    for (d, expected) in cases {
        match index.upsert(&d) {
            Err(SearchError::InvalidDocument { field, .. }) => assert_eq!(field, expected),
            other => panic!("{expected}: {other:?}"),
        }
    }
}

#[test]
fn oversized_text_is_cut_and_reported() {
    let index = SearchIndex::open_in_ram().unwrap();
    let big = "甲".repeat(gongkai_search::MAX_TEXT_BYTES / 3 + 10) + "尾巴词";
    let out = index.upsert(&doc("big", "大文件", &big)).unwrap();
    assert!(out.text_truncated);
    let out = index.upsert(&doc("small", "小文件", "正文")).unwrap();
    assert!(!out.text_truncated);
    index.commit().unwrap();
    assert_eq!(ids(&index, &Query::text("大文件")), ["big"]);
    assert!(ids(&index, &Query::text("尾巴词")).is_empty());
}

#[test]
fn identity_numbers_are_never_indexed() {
    let index = SearchIndex::open_in_ram().unwrap();
    index
        .upsert(&doc(
            "leak",
            "答复书",
            "申请人身份证号码11010519491231002X。",
        ))
        .unwrap();
    index.commit().unwrap();
    assert!(ids(&index, &Query::text("11010519491231002X")).is_empty());
    assert!(ids(&index, &Query::text("19491231")).is_empty());
    let r = index.search(&Query::text("答复书")).unwrap();
    assert!(r.hits[0].snippet_html.contains("110105********002X"));
}

#[test]
fn index_persists_across_reopen_with_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.checkpoint().unwrap(), None);
        for d in corpus() {
            index.upsert(&d).unwrap();
        }
        index.commit_checkpoint(42).unwrap();
        // A second writer on the same directory is refused.
        match SearchIndex::open(dir.path()) {
            Err(SearchError::Locked { dir: d }) => assert_eq!(d, dir.path()),
            other => panic!("expected Locked, got {other:?}"),
        }
        // Uncommitted changes are lost when the index is dropped.
        index.delete("pension").unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.num_docs(), 6);
    assert_eq!(index.checkpoint().unwrap(), Some(42));
    assert_eq!(ids(&index, &Query::text("南府办〔2024〕12号")), ["pension"]);
    index.delete("pension").unwrap();
    index.commit_checkpoint(43).unwrap();
    drop(index);
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.checkpoint().unwrap(), Some(43));
    assert!(ids(&index, &Query::text("养老服务补贴")).is_empty());
}

#[test]
fn a_foreign_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // An index with another schema (plain tantivy) in the directory.
    let mut b = tantivy::schema::Schema::builder();
    b.add_text_field("other", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
    match SearchIndex::open(dir.path()) {
        Err(SearchError::SchemaMismatch { .. }) => {}
        other => panic!("expected SchemaMismatch, got {other:?}"),
    }
}

#[test]
fn results_serialise_to_json() {
    let index = index();
    let r = index.search(&Query::text("养老")).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["hits"][0]["kind"], "document");
    let q: Query = serde_json::from_str(r#"{"text":"养老","kind":"catalog_item"}"#).unwrap();
    assert_eq!(q.kind, Some(DocKind::CatalogItem));
}

#[test]
fn compaction_merges_segments_and_keeps_every_document() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    for i in 0..6 {
        index
            .upsert(&doc(
                &format!("d{i}"),
                &format!("第{i}批临时救助名单"),
                "临时救助对象名单公示。",
            ))
            .unwrap();
        index.commit().unwrap();
    }
    let before = index.segment_count();
    assert!(before > 1, "one segment per commit: {before}");
    assert!(
        !index.compact(before).unwrap(),
        "few enough segments: nothing to do"
    );
    assert!(index.compact(1).unwrap());
    assert_eq!(index.segment_count(), 1);
    assert_eq!(ids(&index, &Query::text("临时救助")).len(), 6);
    assert_eq!(index.num_docs(), 6);
    assert!(!index.compact(1).unwrap());
}
