//! Scenario tests of the statutory clock. Expected dates were computed independently
//! (hand counts checked with `tests/independent_expectations.py`).

use gongkai_calendar::{
    Calendar, CaseFacts, Channel, ClockError, ClockSettings, ClockState, Consultation,
    ConsultationKind, Correction, DateRange, Extension, FeeInterval, FeeNotice, evaluate,
    parse_date,
};
use time::Date;

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn cal() -> Calendar {
    Calendar::builtin()
}

fn has(steps: &[String], needle: &str) -> bool {
    steps.iter().any(|s| s.contains(needle))
}

fn third_party(from: &str, to: Option<&str>) -> Consultation {
    Consultation {
        kind: ConsultationKind::ThirdParty,
        start: d(from),
        end: to.map(d),
    }
}

#[test]
fn national_day_with_third_party_consultation() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.consultations
        .push(third_party("2024-10-10", Some("2024-10-15")));
    let s = ClockSettings::default();
    let r = evaluate(&cal(), &f, &s, d("2024-10-21")).unwrap();
    assert_eq!(r.due, Some(d("2024-11-08")));
    assert_eq!(r.working_days, 20);
    assert_eq!(r.used, 6); // 10-08, 10-09, 10-16, 10-17, 10-18, 10-21
    assert_eq!(r.remaining, 14);
    assert_eq!(r.state, ClockState::Running);
    assert_eq!(r.first_counted_day, Some(d("2024-10-08")));
    assert_eq!(r.consultation_reply_deadlines, vec![d("2024-10-30")]);
    for needle in [
        "2024-09-30 收到申请（当面提交",
        "自次一工作日（2024-10-08）起计算，20个工作日",
        "2024-10-01至2024-10-07为国庆节假期，不计入",
        "征求第三方意见期间2024-10-10至2024-10-15不计入（其中5个工作日）",
        "15个工作日",
        "答复期限届满日：2024-11-08",
    ] {
        assert!(
            has(&r.steps, needle),
            "missing {needle:?} in {:#?}",
            r.steps
        );
    }
    // 10-12 (make-up Saturday) lies inside the consultation: not announced as counted.
    assert!(!has(&r.steps, "2024-10-12（星期六）"));

    let r = evaluate(&cal(), &f, &s, d("2024-10-12")).unwrap();
    assert_eq!(r.state, ClockState::Paused);
    assert_eq!(r.used, 2);

    let r = evaluate(&cal(), &f, &s, d("2024-11-08")).unwrap();
    assert_eq!(r.state, ClockState::Running);
    assert_eq!((r.used, r.remaining), (20, 0));

    let r = evaluate(&cal(), &f, &s, d("2024-11-13")).unwrap();
    assert_eq!(r.state, ClockState::Overdue);
    assert_eq!((r.used, r.remaining), (20, 0));
    assert_eq!(r.overdue_working_days, Some(3));
}

#[test]
fn make_up_day_is_announced() {
    let f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-09-30")).unwrap();
    assert_eq!(r.due, Some(d("2024-11-01")));
    assert!(
        has(&r.steps, "2024-10-12（星期六）为调休上班日，计为工作日"),
        "{:#?}",
        r.steps
    );
    assert_eq!((r.used, r.remaining, r.state), (0, 20, ClockState::Running));
}

#[test]
fn spring_festival_2020_named_in_steps() {
    let f = CaseFacts::new(Channel::InPerson, d("2020-01-20"));
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2020-01-20")).unwrap();
    assert_eq!(r.due, Some(d("2020-02-25")));
    assert!(has(
        &r.steps,
        "2020-01-24至2020-02-02为春节（含延长至2月2日）假期，不计入"
    ));
}

#[test]
fn extension_adds_twenty_working_days() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.extension = Some(Extension {
        days: 20,
        approved: Some(d("2024-10-30")),
    });
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-11-04")).unwrap();
    assert_eq!(r.original_due, Some(d("2024-11-01")));
    assert_eq!(r.due, Some(d("2024-11-29")));
    assert_eq!((r.working_days, r.extension_days), (40, 20));
    assert_eq!(r.used, 21);
    assert_eq!(r.state, ClockState::Running);
    assert!(has(&r.steps, "经批准延长答复期限20个工作日，共40个工作日"));
    assert!(r.warnings.is_empty());

    // A shorter extension is allowed; more than 20 or zero is not.
    f.extension = Some(Extension {
        days: 10,
        approved: None,
    });
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-11-04")).unwrap();
    assert_eq!(r.working_days, 30);
    assert_eq!(r.due, Some(d("2024-11-15")));
    f.extension = Some(Extension {
        days: 21,
        approved: None,
    });
    assert_eq!(
        evaluate(&cal(), &f, &ClockSettings::default(), d("2024-11-04")),
        Err(ClockError::ExtensionTooLong { days: 21 })
    );
    f.extension = Some(Extension {
        days: 0,
        approved: None,
    });
    assert_eq!(
        evaluate(&cal(), &f, &ClockSettings::default(), d("2024-11-04")),
        Err(ClockError::ExtensionZero)
    );
}

#[test]
fn late_extension_approval_is_flagged() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.extension = Some(Extension {
        days: 20,
        approved: Some(d("2024-11-05")),
    });
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-11-05")).unwrap();
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(has(
        &r.steps,
        "注意：延长答复期限应在原答复期限（2024-11-01）届满前批准"
    ));
}

#[test]
fn correction_restarts_the_clock() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-03-01"));
    f.correction = Some(Correction {
        requested: Some(d("2024-03-08")),
        deadline: Some(d("2024-03-22")),
        corrected: Some(d("2024-03-20")),
    });
    let s = ClockSettings::default();
    let r = evaluate(&cal(), &f, &s, d("2024-03-25")).unwrap();
    assert_eq!(r.correction_notice_deadline, Some(d("2024-03-12")));
    assert_eq!(r.clock_start, d("2024-03-20"));
    assert_eq!(r.received, d("2024-03-01"));
    // 03-21..04-18, with 清明 04-04..06 off and 04-07 (Sun) a make-up day.
    assert_eq!(r.due, Some(d("2024-04-18")));
    assert_eq!(r.first_counted_day, Some(d("2024-03-21")));
    assert_eq!(r.used, 3); // 03-21, 03-22, 03-25
    assert!(r.warnings.is_empty());
    assert!(has(
        &r.steps,
        "2024-03-20 收到补正后的申请，答复期限自收到补正申请之日起重新计算"
    ));
    assert!(has(&r.steps, "2024-04-07（星期日）为调休上班日"));

    // While waiting for the correction the clock is stopped.
    let r = evaluate(&cal(), &f, &s, d("2024-03-15")).unwrap();
    assert_eq!((r.state, r.used), (ClockState::Paused, 0));
    // Before the request the original clock runs.
    let r = evaluate(&cal(), &f, &s, d("2024-03-05")).unwrap();
    assert_eq!((r.state, r.used), (ClockState::Running, 2));
}

#[test]
fn late_correction_request_is_flagged() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-03-01"));
    f.correction = Some(Correction {
        requested: Some(d("2024-03-13")),
        deadline: None,
        corrected: Some(d("2024-03-20")),
    });
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-03-25")).unwrap();
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].contains("2024-03-12"), "{:?}", r.warnings);
    assert_eq!(r.due, Some(d("2024-04-18")));
}

#[test]
fn no_correction_in_time_lapses() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-03-01"));
    f.correction = Some(Correction {
        requested: Some(d("2024-03-08")),
        deadline: Some(d("2024-03-22")),
        corrected: None,
    });
    let s = ClockSettings::default();
    let r = evaluate(&cal(), &f, &s, d("2024-03-22")).unwrap();
    assert_eq!((r.state, r.due), (ClockState::Paused, None));
    assert_eq!(r.lapsed_on, Some(d("2024-03-23")));
    let r = evaluate(&cal(), &f, &s, d("2024-03-25")).unwrap();
    assert_eq!(r.state, ClockState::Lapsed);
    assert!(has(
        &r.steps,
        "申请人逾期未补正，自2024-03-23起视为放弃申请"
    ));
}

#[test]
fn fee_interval_excluded_by_default() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-05-06"));
    f.fee = Some(FeeNotice {
        sent: d("2024-05-10"),
        received: None,
        paid: Some(d("2024-05-20")),
    });
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-05-21")).unwrap();
    assert_eq!(r.fee_payment_deadline, Some(d("2024-06-06")));
    assert_eq!(r.due, Some(d("2024-06-13")));
    assert_eq!(r.used, 4); // 05-07, 05-08, 05-09, 05-21
    assert!(has(
        &r.steps,
        "收费通知发出至缴费期间2024-05-10至2024-05-20不计入"
    ));

    let counted = ClockSettings {
        fee_interval: FeeInterval::Counted,
        ..ClockSettings::default()
    };
    let r = evaluate(&cal(), &f, &counted, d("2024-05-21")).unwrap();
    assert_eq!(r.due, Some(d("2024-05-31")));
    assert!(has(&r.steps, "计入答复期限"));
}

#[test]
fn unpaid_fee_pauses_then_lapses() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-05-06"));
    f.fee = Some(FeeNotice {
        sent: d("2024-05-10"),
        received: Some(d("2024-05-13")),
        paid: None,
    });
    let s = ClockSettings::default();
    let r = evaluate(&cal(), &f, &s, d("2024-05-15")).unwrap();
    assert_eq!(r.fee_payment_deadline, Some(d("2024-06-11")));
    assert_eq!((r.state, r.due, r.used), (ClockState::Paused, None, 3));
    let r = evaluate(&cal(), &f, &s, d("2024-06-11")).unwrap();
    assert_eq!(r.state, ClockState::Paused);
    let r = evaluate(&cal(), &f, &s, d("2024-06-12")).unwrap();
    assert_eq!(r.state, ClockState::Lapsed);
    assert_eq!(r.lapsed_on, Some(d("2024-06-12")));
    assert!(has(&r.steps, "申请人逾期未缴纳信息处理费"));
}

#[test]
fn fee_before_the_measures_is_flagged() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2020-11-02"));
    f.fee = Some(FeeNotice {
        sent: d("2020-11-05"),
        received: None,
        paid: Some(d("2020-11-06")),
    });
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2020-11-06")).unwrap();
    assert!(r.warnings.iter().any(|w| w.contains("2021年1月1日")));
}

#[test]
fn receipt_by_channel() {
    let s = ClockSettings::default();
    // Ordinary mail: the confirmation day (a make-up Sunday here) is the receipt date.
    let mut f = CaseFacts::new(Channel::Mail, d("2024-09-27"));
    f.confirmed = Some(d("2024-09-29"));
    let r = evaluate(&cal(), &f, &s, d("2024-09-29")).unwrap();
    assert_eq!(r.received, d("2024-09-29"));
    assert_eq!(r.due, Some(d("2024-10-31")));
    assert!(has(
        &r.steps,
        "2024-09-27 收到平常信函，2024-09-29 与申请人确认"
    ));
    // Online without a recorded confirmation: the arrival day, said so in the steps.
    let f = CaseFacts::new(Channel::Online, d("2024-09-27"));
    let r = evaluate(&cal(), &f, &s, d("2024-09-29")).unwrap();
    assert_eq!(r.due, Some(d("2024-10-30")));
    assert!(has(&r.steps, "互联网渠道"));
    let f = CaseFacts::new(Channel::Post, d("2024-09-27"));
    let r = evaluate(&cal(), &f, &s, d("2024-09-29")).unwrap();
    assert!(has(&r.steps, "2024-09-27 签收申请"));
    let mut f = CaseFacts::new(Channel::Fax, d("2024-09-27"));
    f.confirmed = Some(d("2024-09-26"));
    assert!(matches!(
        evaluate(&cal(), &f, &s, d("2024-09-29")),
        Err(ClockError::Reversed { .. })
    ));
    assert_eq!("in-person".parse::<Channel>(), Ok(Channel::InPerson));
    assert!("email".parse::<Channel>().is_err());
}

#[test]
fn open_consultation_pauses_without_a_due_date() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.consultations.push(Consultation {
        kind: ConsultationKind::OtherAgency,
        start: d("2024-10-10"),
        end: None,
    });
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-10-21")).unwrap();
    assert_eq!(
        (r.state, r.due, r.used, r.remaining),
        (ClockState::Paused, None, 2, 18)
    );
    assert!(has(&r.steps, "征求其他机关意见期间自2024-10-10起尚未结束"));
    // Far in the future (a year with no data) it still answers: paused days are not classified.
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2027-06-01")).unwrap();
    assert_eq!((r.state, r.used), (ClockState::Paused, 2));
}

#[test]
fn decisions() {
    let s = ClockSettings::default();
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.decided = Some(d("2024-10-25"));
    let r = evaluate(&cal(), &f, &s, d("2024-12-01")).unwrap();
    assert_eq!(
        (r.state, r.decided_on_time),
        (ClockState::Decided, Some(true))
    );
    assert_eq!(r.used, 15); // 10-08..10-25 counting 10-12
    assert!(has(&r.steps, "2024-10-25 作出答复，在答复期限内"));
    f.decided = Some(d("2024-11-06"));
    let r = evaluate(&cal(), &f, &s, d("2024-12-01")).unwrap();
    assert_eq!(
        (r.state, r.decided_on_time),
        (ClockState::Decided, Some(false))
    );
    assert!(has(&r.steps, "超过答复期限3个工作日"));
    // A decision ends an open consultation.
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.consultations.push(third_party("2024-10-10", None));
    f.decided = Some(d("2024-10-20"));
    let r = evaluate(&cal(), &f, &s, d("2024-10-21")).unwrap();
    assert_eq!(r.state, ClockState::Decided);
    assert_eq!(r.due, Some(d("2024-11-13"))); // 10-10..10-20 excluded: 8 working days (10-12 make-up)
    // Decisions dated after `on` are not yet made.
    let r = evaluate(&cal(), &f, &s, d("2024-10-18")).unwrap();
    assert_eq!(r.state, ClockState::Paused);
}

#[test]
fn invalid_facts_are_errors() {
    let s = ClockSettings::default();
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.decided = Some(d("2024-09-01"));
    assert!(matches!(
        evaluate(&cal(), &f, &s, d("2024-10-01")),
        Err(ClockError::BeforeReceipt { .. })
    ));
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.correction = Some(Correction {
        requested: Some(d("2024-10-09")),
        deadline: None,
        corrected: Some(d("2024-10-08")),
    });
    assert!(matches!(
        evaluate(&cal(), &f, &s, d("2024-10-10")),
        Err(ClockError::Reversed { .. })
    ));
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.consultations
        .push(third_party("2024-10-10", Some("2024-10-09")));
    assert!(matches!(
        evaluate(&cal(), &f, &s, d("2024-10-10")),
        Err(ClockError::Reversed { .. })
    ));
}

#[test]
fn json_shape() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-09-30"));
    f.pauses
        .push(DateRange::new(d("2024-10-10"), d("2024-10-15")).unwrap());
    let r = evaluate(&cal(), &f, &ClockSettings::default(), d("2024-10-21")).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["due"], "2024-11-08");
    assert_eq!(v["working_days"], 20);
    assert_eq!(v["used"], 6);
    assert_eq!(v["remaining"], 14);
    assert_eq!(v["state"], "running");
    assert_eq!(v["channel"], "in-person");
    assert_eq!(v["excluded"][0]["kind"], "pause");
    assert_eq!(v["excluded"][0]["from"], "2024-10-10");
    assert!(
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "暂停计算期间2024-10-10至2024-10-15不计入（其中5个工作日）")
    );
}

#[test]
fn correction_without_a_recorded_request_date() {
    let mut f = CaseFacts::new(Channel::InPerson, d("2024-03-01"));
    f.correction = Some(Correction {
        requested: None,
        deadline: None,
        corrected: Some(d("2024-03-20")),
    });
    let s = ClockSettings::default();
    let r = evaluate(&cal(), &f, &s, d("2024-03-25")).unwrap();
    assert_eq!(r.due, Some(d("2024-04-18")));
    assert!(r.warnings.is_empty());
    let r = evaluate(&cal(), &f, &s, d("2024-03-05")).unwrap();
    assert_eq!((r.state, r.used), (ClockState::Paused, 0));
}
