//! One backend-conformance story, run on SQLite always and on PostgreSQL when a server is
//! reachable (`GONGKAI_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/test`).

mod common;

use gongkai_ledger::{
    ApplicantType, ApplicationState, BodyKind, CaseKind, CaseOutcome, CaseRecord, Channel,
    Consultee, DocumentKind, DocumentRecord, EventKind, NewApplication, NewBody, Outcome,
    PersonalData, ReplyDocument, Role, YearlyFigure,
};
use gongkai_report::check;
use gongkai_store::{ApplicationFilter, Store, StoreError};
use time::Date;
use time::macros::date;

fn person(name: &str) -> PersonalData {
    PersonalData {
        name: name.into(),
        id_number: Some("440101199001011234".into()),
        phone: Some("13800138000".into()),
        email: Some("applicant@example.invalid".into()),
        address: Some("广州市南沙区某路1号".into()),
    }
}

fn reply(s: &str) -> ReplyDocument {
    ReplyDocument {
        reference: format!("黄府依申〔2024〕{s}号"),
        summary: s.into(),
    }
}

async fn receive(store: &Store, body: i64, at: ApplicantType, on: Date) -> i64 {
    let (app, creds) = store
        .receive_application(
            &NewApplication {
                body_id: body,
                applicant_type: at,
                channel: Channel::Online,
                received_on: on,
                request_text: "请公开本镇2023年度财政预算执行情况".into(),
                personal: person("张三"),
            },
            "clerk",
            "",
        )
        .await
        .unwrap();
    assert_eq!(app.status.state, ApplicationState::Processing);
    assert_eq!(creds.code, app.tracking_code);
    app.id
}

async fn ev(store: &Store, id: i64, e: EventKind, on: Date) {
    store.apply_event(id, &e, on, "clerk", "").await.unwrap();
}

async fn story(store: &Store, raw: RawDb<'_>) {
    // --- Bodies and users -------------------------------------------------------------
    let prov = store
        .create_body(
            &NewBody {
                code: "44".into(),
                name: "广东省人民政府".into(),
                kind: BodyKind::Province,
                parent_code: None,
            },
            "test",
        )
        .await
        .unwrap();
    store
        .create_body(
            &NewBody {
                code: "4401".into(),
                name: "广州市人民政府".into(),
                kind: BodyKind::City,
                parent_code: Some("44".into()),
            },
            "test",
        )
        .await
        .unwrap();
    store
        .create_body(
            &NewBody {
                code: "440115".into(),
                name: "广州市南沙区人民政府".into(),
                kind: BodyKind::District,
                parent_code: Some("4401".into()),
            },
            "test",
        )
        .await
        .unwrap();
    let town = store
        .create_body(
            &NewBody {
                code: "440115-HG".into(),
                name: "广州市南沙区黄阁镇人民政府".into(),
                kind: BodyKind::Town,
                parent_code: Some("440115".into()),
            },
            "test",
        )
        .await
        .unwrap();
    assert!(town.parent_id.is_some());
    let err = store
        .create_body(
            &NewBody {
                code: "bad-town".into(),
                name: "某镇".into(),
                kind: BodyKind::Town,
                parent_code: Some("44".into()),
            },
            "test",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("不能隶属于"), "{err}");
    let dup = store
        .create_body(
            &NewBody {
                code: "44".into(),
                name: "x".into(),
                kind: BodyKind::Province,
                parent_code: None,
            },
            "test",
        )
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Duplicate { .. }), "{dup}");
    assert_eq!(store.list_bodies().await.unwrap().len(), 4);
    let codes = |v: Vec<gongkai_ledger::Body>| v.into_iter().map(|b| b.code).collect::<Vec<_>>();
    let city = store.get_body_by_code("4401").await.unwrap();
    assert_eq!(
        codes(store.bodies_under(&[city.id]).await.unwrap()),
        ["4401", "440115", "440115-HG"]
    );
    assert_eq!(
        codes(store.bodies_under(&[town.id, prov.id]).await.unwrap()).len(),
        4
    );
    assert!(store.bodies_under(&[]).await.unwrap().is_empty());

    let user = store
        .create_user("li.clerk", "李承办", "a long enough password", "test")
        .await
        .unwrap();
    store
        .grant_role(user.id, town.id, Role::Clerk, "test")
        .await
        .unwrap();
    store
        .grant_role(user.id, town.id, Role::Clerk, "test")
        .await
        .unwrap();
    store
        .grant_role(user.id, prov.id, Role::Oversight, "test")
        .await
        .unwrap();
    let roles = store.user_roles(user.id).await.unwrap();
    assert_eq!(roles.len(), 2);
    assert!(
        store
            .verify_login("li.clerk", "a long enough password")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .verify_login("li.clerk", "wrong password!!")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .verify_login("nobody", "a long enough password")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.create_user("x", "x", "short", "test").await.is_err());

    // --- Applications over two years (2023 → 2024) -------------------------------------
    let b = town.id;
    use ApplicantType::*;
    // 2023: five received; one granted, one lapsed correction, two open at year end.
    let a1 = receive(store, b, NaturalPerson, date!(2023 - 03 - 01)).await;
    ev(
        store,
        a1,
        EventKind::Decided {
            outcome: Outcome::Granted,
            reply: reply("1"),
        },
        date!(2023 - 03 - 20),
    )
    .await;
    let a2 = receive(store, b, Commercial, date!(2023 - 05 - 08)).await;
    ev(
        store,
        a2,
        EventKind::CorrectionRequested {
            deadline: date!(2023 - 05 - 31),
        },
        date!(2023 - 05 - 10),
    )
    .await;
    ev(
        store,
        a2,
        EventKind::CorrectionLapsed,
        date!(2023 - 06 - 01),
    )
    .await;
    let a3 = receive(store, b, Research, date!(2023 - 12 - 20)).await;
    ev(
        store,
        a3,
        EventKind::ConsultationStarted {
            consultee: Consultee::ThirdParty,
        },
        date!(2023 - 12 - 22),
    )
    .await;
    let a4 = receive(store, b, NaturalPerson, date!(2023 - 12 - 28)).await;
    let a5 = receive(store, b, LegalService, date!(2023 - 07 - 03)).await;
    ev(
        store,
        a5,
        EventKind::FeeNoticed { amount_fen: 10_000 },
        date!(2023 - 07 - 10),
    )
    .await;
    ev(store, a5, EventKind::FeePaid, date!(2023 - 07 - 12)).await;
    ev(
        store,
        a5,
        EventKind::Decided {
            outcome: Outcome::Partial,
            reply: reply("2"),
        },
        date!(2023 - 07 - 20),
    )
    .await;

    // Illegal transitions are rejected and change nothing.
    let e = store
        .apply_event(
            a3,
            &EventKind::Decided {
                outcome: Outcome::Granted,
                reply: reply("x"),
            },
            date!(2023 - 12 - 29),
            "clerk",
            "",
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("征求意见中"), "{e}");
    let e = store
        .apply_event(
            a1,
            &EventKind::Withdrawn,
            date!(2023 - 12 - 29),
            "clerk",
            "",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Transition { .. }), "{e}");
    let e = store
        .apply_event(a4, &EventKind::Note, date!(2023 - 01 - 01), "clerk", "")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("早于"), "{e}");

    // 2024: the open ones close; new ones with more outcomes and paths.
    ev(
        store,
        a3,
        EventKind::ConsultationEnded,
        date!(2024 - 01 - 10),
    )
    .await;
    ev(
        store,
        a3,
        EventKind::ExtensionApproved { days: 20 },
        date!(2024 - 01 - 12),
    )
    .await;
    ev(
        store,
        a3,
        EventKind::Decided {
            outcome: Outcome::DeniedThirdPartyRights,
            reply: reply("3"),
        },
        date!(2024 - 01 - 20),
    )
    .await;
    ev(store, a4, EventKind::Withdrawn, date!(2024 - 01 - 03)).await;
    let a6 = receive(store, b, SocialWelfare, date!(2024 - 02 - 01)).await;
    ev(
        store,
        a6,
        EventKind::FeeNoticed { amount_fen: 5_000 },
        date!(2024 - 02 - 05),
    )
    .await;
    ev(store, a6, EventKind::FeeLapsed, date!(2024 - 03 - 10)).await;
    let a7 = receive(store, b, OtherOrg, date!(2024 - 04 - 01)).await;
    ev(
        store,
        a7,
        EventKind::CorrectionRequested {
            deadline: date!(2024 - 04 - 15),
        },
        date!(2024 - 04 - 02),
    )
    .await;
    ev(store, a7, EventKind::Corrected, date!(2024 - 04 - 10)).await;
    ev(
        store,
        a7,
        EventKind::Decided {
            outcome: Outcome::UnableUnclearAfterCorrection,
            reply: reply("4"),
        },
        date!(2024 - 04 - 30),
    )
    .await;
    let a8 = receive(store, b, NaturalPerson, date!(2024 - 12 - 27)).await; // open at the end of 2024
    let a9 = receive(store, b, NaturalPerson, date!(2024 - 06 - 03)).await;
    ev(
        store,
        a9,
        EventKind::Decided {
            outcome: Outcome::NpDuplicate,
            reply: reply("5"),
        },
        date!(2024 - 06 - 05),
    )
    .await;

    // Deadlines come from the calendar.
    let app8 = store.get_application(a8).await.unwrap();
    // 20 working days; 2025-01-01 is a holiday and Sunday 2025-01-26 a make-up working day.
    assert_eq!(app8.due_on, Some(date!(2025 - 01 - 26)));
    assert!(store.get_application(a9).await.unwrap().due_on.is_none());

    // Tracking: code + secret, never personal data.
    let (app, creds) = store
        .receive_application(
            &NewApplication {
                body_id: b,
                applicant_type: NaturalPerson,
                channel: Channel::InPerson,
                received_on: date!(2024 - 05 - 06),
                request_text: "请公开某道路工程立项批复".into(),
                personal: person("王五"),
            },
            "applicant",
            "",
        )
        .await
        .unwrap();
    let found = store
        .find_by_tracking(&creds.code.to_lowercase(), &creds.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, app.id);
    assert!(
        store
            .find_by_tracking(&creds.code, "WRONGSECRET")
            .await
            .unwrap()
            .is_none()
    );
    let public = serde_json::to_string(&found).unwrap();
    assert!(
        !public.contains("王五") && !public.contains("13800138000"),
        "{public}"
    );
    assert_eq!(store.personal_data(app.id).await.unwrap().name, "王五");
    ev(
        store,
        app.id,
        EventKind::Decided {
            outcome: Outcome::UnableNotHeld,
            reply: reply("6"),
        },
        date!(2024 - 05 - 20),
    )
    .await;
    let history = store.application_events(a3).await.unwrap();
    assert_eq!(
        history.iter().map(|e| e.kind.name()).collect::<Vec<_>>(),
        [
            "received",
            "consultation_started",
            "consultation_ended",
            "extension_approved",
            "decided"
        ]
    );
    assert!(history.iter().all(|e| e.actor == "clerk"));

    // Lists.
    let open = store
        .list_applications(&ApplicationFilter {
            body_id: Some(b),
            state: Some(ApplicationState::Processing),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), vec![a8]);
    let granted23 = store
        .list_applications(&ApplicationFilter {
            body_id: Some(b),
            closed_year: Some(2023),
            outcome: Some(Outcome::Granted),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(granted23.len(), 1);

    // --- Cases, registers, narrative -----------------------------------------------------
    let case = store
        .create_case(
            &CaseRecord {
                body_id: b,
                application_id: Some(a2),
                kind: CaseKind::Review,
                outcome: CaseOutcome::Pending,
                filed_on: date!(2023 - 08 - 01),
                closed_on: None,
                reference: "穗南府复〔2023〕8号".into(),
                note: String::new(),
            },
            "test",
        )
        .await
        .unwrap();
    let mut closed = case.record.clone();
    closed.outcome = CaseOutcome::Corrected;
    closed.closed_on = Some(date!(2024 - 02 - 01));
    store.update_case(case.id, &closed, "test").await.unwrap();
    store
        .create_case(
            &CaseRecord {
                body_id: b,
                application_id: None,
                kind: CaseKind::LitigationDirect,
                outcome: CaseOutcome::Maintained,
                filed_on: date!(2024 - 03 - 01),
                closed_on: Some(date!(2024 - 09 - 01)),
                reference: "（2024）粤0115行初12号".into(),
                note: String::new(),
            },
            "test",
        )
        .await
        .unwrap();
    let bad_case = CaseRecord {
        outcome: CaseOutcome::Pending,
        ..closed.clone()
    };
    assert!(store.create_case(&bad_case, "test").await.is_err());
    for (num, issued, repealed) in [
        (
            "黄府规〔2021〕1号",
            date!(2021 - 05 - 01),
            Some(date!(2024 - 03 - 01)),
        ),
        ("黄府规〔2023〕1号", date!(2023 - 05 - 01), None),
        ("黄府规〔2024〕1号", date!(2024 - 05 - 01), None),
    ] {
        store
            .upsert_document(
                &DocumentRecord {
                    body_id: b,
                    kind: DocumentKind::NormativeDocument,
                    title: "关于……的通知".into(),
                    doc_number: num.into(),
                    issued_on: issued,
                    published_on: None,
                    repealed_on: repealed,
                },
                "test",
            )
            .await
            .unwrap();
    }
    store
        .upsert_figure(
            b,
            &YearlyFigure::parse(2024, "t2_5.admin_license.decisions", "37").unwrap(),
            "clerk",
        )
        .await
        .unwrap();
    store
        .upsert_figure(
            b,
            &YearlyFigure::parse(2024, "t2_8.admin_fees.fee_amount", "1.25").unwrap(),
            "clerk",
        )
        .await
        .unwrap();
    store
        .set_narrative(
            b,
            2024,
            "s1",
            "2024年，黄阁镇认真贯彻落实《中华人民共和国政府信息公开条例》。",
            "clerk",
        )
        .await
        .unwrap();
    assert!(
        store
            .set_narrative(b, 2024, "s9", "x", "clerk")
            .await
            .is_err()
    );

    // --- Reports -------------------------------------------------------------------------
    let r23 = store.generate_report(b, 2023).await.unwrap();
    let r24 = store.generate_report(b, 2024).await.unwrap();
    assert_eq!(r23.count("t3", "new_received", "total"), 5);
    assert_eq!(r23.count("t3", "granted", "total"), 1);
    assert_eq!(r23.count("t3", "partial", "legal_service"), 1);
    assert_eq!(r23.count("t3", "other_no_correction", "commercial"), 1);
    assert_eq!(r23.count("t3", "carried_forward", "total"), 2);
    assert_eq!(r23.count("t4", "cases", "review_pending"), 1);
    assert_eq!(r24.count("t3", "carried_over", "total"), 2);
    assert_eq!(r24.count("t3", "carried_over", "research"), 1);
    assert_eq!(r24.count("t3", "new_received", "total"), 5);
    assert_eq!(r24.count("t3", "other_fee_unpaid", "social_welfare"), 1);
    assert_eq!(r24.count("t3", "other_other", "natural_person"), 1);
    assert_eq!(r24.count("t3", "carried_forward", "total"), 1);
    assert_eq!(r24.count("t4", "cases", "review_corrected"), 1);
    assert_eq!(r24.count("t4", "cases", "review_pending"), 0);
    assert_eq!(r24.count("t4", "cases", "lit_direct_maintained"), 1);
    assert_eq!(r24.count("t2_1", "normative_docs", "issued"), 1);
    assert_eq!(r24.count("t2_1", "normative_docs", "repealed"), 1);
    assert_eq!(r24.count("t2_1", "normative_docs", "in_force"), 2);
    assert_eq!(r24.count("t2_5", "admin_license", "decisions"), 37);
    assert_eq!(
        r24.get("t2_8.admin_fees.fee_amount")
            .unwrap()
            .unwrap()
            .to_string(),
        "1.25"
    );
    assert!(r24.sections["s1"].contains("黄阁镇"));
    assert_eq!(r24.body, "广州市南沙区黄阁镇人民政府");
    let findings = check(&r24, Some(&r23));
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(check(&r23, None).is_empty());

    // --- Recount and explain ----------------------------------------------------------------
    let rc = store.recount(b, 2024).await.unwrap();
    assert!(rc.ok(), "{:?}", rc.mismatches);
    assert_eq!(rc.applications, 10);
    assert!(rc.counters_compared > 10 && rc.cells_compared == r24.cells().count());

    let x = store
        .explain(b, 2024, "t3.carried_over.total", 100)
        .await
        .unwrap();
    assert_eq!(x.records, 2);
    assert!(x.consistent);
    let mut refs: Vec<i64> = x.items.iter().map(|i| i.id).collect();
    refs.sort();
    assert_eq!(refs, vec![a3, a4]);
    for cell in [
        "t3.new_received.total",
        "t3.granted.total",
        "t3.total_processed.natural_person",
        "t3.carried_forward.total",
        "t3.other_fee_unpaid.total",
        "t4.cases.review_corrected",
        "t4.cases.lit_direct_total",
        "t2_1.normative_docs.in_force",
        "t2_1.normative_docs.repealed",
    ] {
        let x = store.explain(b, 2024, cell, 100).await.unwrap();
        assert!(x.consistent, "{cell}: {x:?}");
    }
    let x = store
        .explain(b, 2024, "t2_5.admin_license.decisions", 10)
        .await
        .unwrap();
    assert_eq!(x.items.len(), 1);
    assert!(store.explain(b, 2024, "t3.nope.total", 10).await.is_err());
    // 2019-format year: （六）其他处理 folds three outcomes.
    let x = store.explain(b, 2020, "t3.other.total", 10).await.unwrap();
    assert_eq!(x.records, 0);

    // A tampered counter is caught by recount; the event history is append-only.
    raw.exec("UPDATE report_counters SET value = value + 1 WHERE key = 'app.received.natural_person' AND year = 2024").await.unwrap();
    let rc = store.recount(b, 2024).await.unwrap();
    assert_eq!(rc.mismatches.len(), 1, "{:?}", rc.mismatches);
    assert_eq!(rc.mismatches[0].key, "app.received.natural_person");
    raw.exec("UPDATE report_counters SET value = value - 1 WHERE key = 'app.received.natural_person' AND year = 2024").await.unwrap();
    assert!(
        raw.exec("UPDATE application_events SET note = 'x'")
            .await
            .is_err()
    );
    assert!(raw.exec("DELETE FROM application_events").await.is_err());

    // --- Bulk imports (the CLI reads the files; crates/cli/src/csv_io.rs tests that) ------
    let before = store.count_applications().await.unwrap();
    let bulk = |code: Option<&str>, received: Date, closed: Option<Date>, name: &str| {
        gongkai_store::BulkApplication {
            new: NewApplication {
                body_id: b,
                applicant_type: ApplicantType::NaturalPerson,
                channel: Channel::Online,
                received_on: received,
                request_text: "公开A".into(),
                personal: PersonalData {
                    name: name.into(),
                    phone: Some("13900000000".into()),
                    ..PersonalData::default()
                },
            },
            tracking_code: code.map(str::to_string),
            events: closed
                .map(|d| {
                    vec![(
                        EventKind::Imported {
                            outcome: Some(Outcome::Granted),
                        },
                        d,
                        "导入".to_string(),
                    )]
                })
                .unwrap_or_default(),
        }
    };
    // A transition error in the second item (closed before received): nothing is written.
    let e = store
        .ingest_applications(
            vec![
                bulk(
                    None,
                    date!(2024 - 01 - 05),
                    Some(date!(2024 - 01 - 20)),
                    "赵一",
                ),
                bulk(
                    None,
                    date!(2024 - 03 - 05),
                    Some(date!(2024 - 01 - 20)),
                    "赵一",
                ),
            ],
            "clerk",
            &mut |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Item { index: 1, .. }), "{e}");
    assert_eq!(store.count_applications().await.unwrap(), before);
    let good = || {
        vec![
            bulk(
                Some("GKIMPORT000001"),
                date!(2024 - 01 - 05),
                Some(date!(2024 - 01 - 20)),
                "赵一",
            ),
            bulk(None, date!(2024 - 02 - 05), None, "某公司"),
        ]
    };
    let mut seen = Vec::new();
    let rep = store
        .ingest_applications(good(), "clerk", &mut |p| seen.push(p))
        .await
        .unwrap();
    assert_eq!((rep.rows, rep.events), (2, 3));
    assert_eq!(seen.last().unwrap().done, 2);
    assert_eq!(store.count_applications().await.unwrap(), before + 2);
    let imp = store
        .get_application_by_code("GKIMPORT000001")
        .await
        .unwrap();
    assert_eq!(imp.status.outcome, Some(Outcome::Granted));
    // The same tracking code again: refused as a whole.
    let dup = store
        .ingest_applications(good(), "clerk", &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Item { index: 0, .. }), "{dup}");
    assert_eq!(store.count_applications().await.unwrap(), before + 2);
    let rc = store.recount(b, 2024).await.unwrap();
    assert!(rc.ok(), "{:?}", rc.mismatches);
    let rows = store
        .export_application_rows(Some(b), Some(2024))
        .await
        .unwrap();
    assert!(
        rows.iter()
            .any(|r| r.tracking_code == "GKIMPORT000001" && r.outcome == "granted")
    );

    let case = |application_id, outcome, closed_on| CaseRecord {
        body_id: b,
        application_id,
        kind: CaseKind::LitigationAfterReview,
        outcome,
        filed_on: date!(2024 - 10 - 01),
        closed_on,
        reference: "（2024）粤0115行初30号".into(),
        note: String::new(),
    };
    store
        .import_cases(
            vec![(2, case(Some(imp.id), CaseOutcome::Pending, None))],
            "cases.csv",
            "clerk",
        )
        .await
        .unwrap();
    // An unknown application in line 3: the line is named and nothing is written.
    let e = store
        .import_cases(
            vec![
                (2, case(None, CaseOutcome::Pending, None)),
                (3, case(Some(i64::MAX), CaseOutcome::Pending, None)),
            ],
            "c.csv",
            "clerk",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Csv { line: 3, .. }), "{e}");
    assert!(e.to_string().contains("第3行"), "{e}");
    store
        .import_documents(
            vec![(
                2,
                DocumentRecord {
                    body_id: b,
                    kind: DocumentKind::NormativeDocument,
                    title: "关于……的通知".into(),
                    doc_number: "黄府规〔2023〕1号".into(),
                    issued_on: date!(2023 - 05 - 01),
                    published_on: None,
                    repealed_on: Some(date!(2024 - 12 - 01)),
                },
            )],
            "docs.csv",
            "clerk",
        )
        .await
        .unwrap();
    let fig = |cell: &str, v: &str| YearlyFigure::parse(2024, cell, v).unwrap();
    store
        .import_figures(
            vec![
                (2, b, fig("t2_6.admin_penalty.decisions", "12")),
                (3, b, fig("t2_6.admin_coercion.decisions", "3")),
            ],
            "fig.csv",
            "clerk",
        )
        .await
        .unwrap();
    let r24 = store.generate_report(b, 2024).await.unwrap();
    assert_eq!(r24.count("t2_1", "normative_docs", "in_force"), 1);
    assert_eq!(r24.count("t4", "cases", "lit_after_review_pending"), 1);
    assert_eq!(r24.count("t2_6", "admin_penalty", "decisions"), 12);
    let r23 = store.generate_report(b, 2023).await.unwrap();
    assert!(check(&r24, Some(&r23)).is_empty());
    assert!(store.recount(b, 2024).await.unwrap().ok());
    assert_eq!(store.list_documents(b).await.unwrap().len(), 3);
    // Two cells set one by one earlier, two imported.
    assert_eq!(store.figures(b, 2024).await.unwrap().len(), 4);

    // --- Outbox ---------------------------------------------------------------------------
    let entries = store.outbox_after(0, 10_000).await.unwrap();
    assert!(entries.windows(2).all(|w| w[0].id < w[1].id));
    assert!(
        entries
            .iter()
            .any(|e| e.topic == "application" && e.op == "event")
    );
    assert!(entries.iter().any(|e| e.topic == "import"));
    assert!(
        entries
            .iter()
            .all(|e| !e.payload.contains("张三") && !e.payload.contains("1380013"))
    );
    let last = entries.last().unwrap().id;
    assert!(store.outbox_after(last, 10).await.unwrap().is_empty());
}

/// Raw SQL access to the same database (for tampering tests).
enum RawDb<'a> {
    Sqlite(&'a std::path::Path),
    Postgres(&'a str),
}

impl RawDb<'_> {
    async fn exec(&self, sql: &str) -> Result<(), sqlx::Error> {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            RawDb::Sqlite(p) => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", p.display())).await?;
                sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ())
            }
            RawDb::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await?;
                sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ())
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story_on_sqlite() {
    let (store, dir) = common::sqlite().await;
    assert_eq!(store.backend_name(), "sqlite");
    let path = dir.path().join("gongkai.db");
    story(&store, RawDb::Sqlite(&path)).await;
    store.close().await;
    // WAL mode is on.
    assert!(dir.path().join("gongkai.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("story_on_postgres").await else {
        return;
    };
    let store = db.store().await.unwrap();
    assert_eq!(store.backend_name(), "postgres");
    story(&store, RawDb::Postgres(&db.url)).await;
    store.close().await;
    db.drop_db().await;
}
