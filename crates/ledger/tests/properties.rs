//! Properties: whatever happens to any number of applications, cases and documents, the
//! reports assembled from their counters pass every rule (including the cross-year ones), and
//! each cell equals a direct count over the records.

use gongkai_ledger::counters::{self, Contributions};
use gongkai_ledger::{
    ApplicantType, ApplicationState, CaseKind, CaseOutcome, CaseRecord, Consultee, DocumentKind,
    DocumentRecord, EventKind, Outcome, ReplyDocument, Status, YearCounters, assemble_report,
    transition,
};
use gongkai_report::{Severity, check};
use proptest::prelude::*;
use std::collections::BTreeMap;
use time::{Date, Duration};

fn base() -> Date {
    Date::from_ordinal_date(2019, 1).unwrap()
}

fn event(code: u8, arg: u16) -> EventKind {
    match code % 13 {
        0 => EventKind::CorrectionRequested {
            deadline: base() + Duration::days(3000),
        },
        1 => EventKind::Corrected,
        2 => EventKind::CorrectionLapsed,
        3 => EventKind::ConsultationStarted {
            consultee: if arg.is_multiple_of(2) {
                Consultee::ThirdParty
            } else {
                Consultee::OtherAgency
            },
        },
        4 => EventKind::ConsultationEnded,
        5 => EventKind::ExtensionApproved {
            days: u32::from(arg % 25),
        },
        6 => EventKind::FeeNoticed {
            amount_fen: i64::from(arg) - 100,
        },
        7 => EventKind::FeePaid,
        8 => EventKind::FeeLapsed,
        9 | 10 => EventKind::Decided {
            outcome: Outcome::ALL[usize::from(arg) % Outcome::ALL.len()],
            reply: ReplyDocument {
                reference: "x".into(),
                summary: String::new(),
            },
        },
        11 => EventKind::Withdrawn,
        _ => EventKind::Note,
    }
}

#[derive(Debug, Clone)]
struct AppPlan {
    applicant: usize,
    received: u16,
    steps: Vec<(u8, u16, u16)>,
}

fn app_plan() -> impl Strategy<Value = AppPlan> {
    (
        0usize..6,
        0u16..2500,
        prop::collection::vec((any::<u8>(), any::<u16>(), 0u16..120), 0..8),
    )
        .prop_map(|(applicant, received, steps)| AppPlan {
            applicant,
            received,
            steps,
        })
}

/// Run a plan through the state machine, skipping rejected events. The deadline of a
/// correction request is moved close to its date so that lapses can happen.
fn run(plan: &AppPlan) -> Status {
    let mut s = Status::received(base() + Duration::days(i64::from(plan.received)));
    for (code, arg, gap) in &plan.steps {
        let on = s.last_event_on + Duration::days(i64::from(*gap));
        let mut ev = event(*code, *arg);
        if let EventKind::CorrectionRequested { deadline } = &mut ev {
            *deadline = on + Duration::days(i64::from(*arg % 30));
        }
        if let Ok(next) = transition(&s, &ev, on) {
            assert!(next.events == s.events + 1);
            assert_eq!(next.state.is_closed(), next.outcome.is_some());
            assert_eq!(next.outcome.is_some(), next.closed_on.is_some());
            if let Some(c) = next.closed_on {
                assert!(c >= next.received_on);
            }
            s = next;
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn assembled_reports_pass_every_rule(
        apps in prop::collection::vec(app_plan(), 0..60),
        cases in prop::collection::vec((0usize..3, 0usize..4, 0u16..2500, 0u16..900), 0..12),
        docs in prop::collection::vec((any::<bool>(), 0u16..2500, prop::option::of(0u16..2000)), 0..10),
    ) {
        let mut all = Contributions::new();
        let mut statuses = Vec::new();
        for plan in &apps {
            let s = run(plan);
            let at = ApplicantType::ALL[plan.applicant];
            counters::merge(&mut all, &s.contributions(at));
            statuses.push((at, s));
        }
        let mut case_records = Vec::new();
        for (k, o, filed, dur) in &cases {
            let outcome = CaseOutcome::ALL[*o];
            let filed_on = base() + Duration::days(i64::from(*filed));
            let c = CaseRecord {
                body_id: 1,
                application_id: None,
                kind: CaseKind::ALL[*k],
                outcome,
                filed_on,
                closed_on: (outcome != CaseOutcome::Pending).then(|| filed_on + Duration::days(i64::from(*dur))),
                reference: "r".into(),
                note: String::new(),
            };
            c.validate().unwrap();
            counters::merge(&mut all, &c.contributions());
            case_records.push(c);
        }
        let mut doc_records = Vec::new();
        for (reg, issued, repeal) in &docs {
            let issued_on = base() + Duration::days(i64::from(*issued));
            let d = DocumentRecord {
                body_id: 1,
                kind: if *reg { DocumentKind::Regulation } else { DocumentKind::NormativeDocument },
                title: "t".into(),
                doc_number: "n".into(),
                issued_on,
                published_on: None,
                repealed_on: repeal.map(|r| issued_on + Duration::days(i64::from(r))),
            };
            d.validate().unwrap();
            counters::merge(&mut all, &d.contributions());
            doc_records.push(d);
        }
        let mut previous = None;
        for year in 2019..=2027 {
            let yc = YearCounters::from_contributions(&all, year);
            let r = assemble_report("某某镇人民政府", year, &yc, &[], &BTreeMap::new()).unwrap();
            let findings = check(&r, previous.as_ref());
            let errors: Vec<_> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
            prop_assert!(errors.is_empty(), "{year}: {errors:#?}");
            // Only the soft plausibility rule on documents may warn (a repeal counted
            // against a document issued the same year is exact, so none is expected).
            prop_assert!(findings.is_empty(), "{year}: {findings:#?}");

            // Direct counts over the records.
            let open_at_end = statuses.iter().filter(|(_, s)| {
                s.received_on.year() <= year && s.closed_on.is_none_or(|c| c.year() > year)
            }).count() as i64;
            prop_assert_eq!(r.count("t3", "carried_forward", "total"), open_at_end);
            let received = statuses.iter().filter(|(_, s)| s.received_on.year() == year).count() as i64;
            prop_assert_eq!(r.count("t3", "new_received", "total"), received);
            for o in Outcome::ALL {
                let n = statuses.iter().filter(|(at, s)| {
                    *at == ApplicantType::NaturalPerson && s.outcome == Some(o) && s.closed_on.map(|d| d.year()) == Some(year)
                }).count() as i64;
                let cell: i64 = Outcome::ALL.iter().filter(|x| x.row_key(r.format) == o.row_key(r.format))
                    .map(|x| statuses.iter().filter(|(at, s)| *at == ApplicantType::NaturalPerson && s.outcome == Some(*x) && s.closed_on.map(|d| d.year()) == Some(year)).count() as i64)
                    .sum();
                prop_assert!(n <= cell);
                prop_assert_eq!(r.count("t3", o.row_key(r.format), "natural_person"), cell);
            }
            for k in CaseKind::ALL {
                for o in CaseOutcome::ALL {
                    let n = case_records.iter().filter(|c| c.kind == k && c.reported_as(year) == Some(o)).count() as i64;
                    prop_assert_eq!(r.count("t4", "cases", &format!("{}_{}", k.key(), o.key())), n);
                }
            }
            previous = Some(r);
        }
        // Withdrawn and lapsed applications carry their 其他处理 outcome.
        for (_, s) in &statuses {
            match s.state {
                ApplicationState::Withdrawn => prop_assert_eq!(s.outcome, Some(Outcome::OtherOther)),
                ApplicationState::Lapsed => prop_assert!(matches!(s.outcome, Some(Outcome::OtherNoCorrection | Outcome::OtherFeeUnpaid))),
                _ => {}
            }
        }
    }

    #[test]
    fn counter_deltas_compose(plan in app_plan()) {
        // Applying each step's delta to the counters of the receipt gives the final counters.
        let at = ApplicantType::ALL[plan.applicant];
        let mut s = Status::received(base() + Duration::days(i64::from(plan.received)));
        let mut acc = s.contributions(at);
        for (code, arg, gap) in &plan.steps {
            let on = s.last_event_on + Duration::days(i64::from(*gap));
            if let Ok(next) = transition(&s, &event(*code, *arg), on) {
                counters::merge(&mut acc, &counters::delta(&s.contributions(at), &next.contributions(at)));
                s = next;
            }
        }
        prop_assert_eq!(acc, s.contributions(at));
    }
}
