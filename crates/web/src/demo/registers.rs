//! Reconsideration and litigation cases (table 四) and the Art. 20 registers (table 二):
//! normative documents issued and repealed, and the yearly licensing, penalty, coercion and
//! fee figures.

use super::apps::Ledger;
use super::{Ctx, bug};
use gongkai_ledger::{
    CaseKind, CaseOutcome, CaseRecord, DocumentKind, DocumentRecord, FormatVersion, Outcome,
    YearlyFigure,
};
use gongkai_store::StoreError;
use time::{Date, Duration, Month};

/// When the disputed reply of a case was made.
#[derive(Debug, Clone, Copy)]
enum When {
    /// First half of the year before last.
    EarlyYearBeforeLast,
    /// Late in the year before last: the case is still open on 31 December.
    EndOfYearBeforeLast,
    /// First half of last year.
    EarlyLastYear,
    /// Autumn of last year (a litigation still before the court).
    LateLastYear,
    /// A few weeks ago.
    Recent,
}

/// The cases of each demo body (same order as `PROFILES`): together every kind with every
/// result, including cases open over a year end and cases still pending today.
const CASES: [&[(CaseKind, CaseOutcome, When)]; 3] = [
    &[
        (
            CaseKind::Review,
            CaseOutcome::Maintained,
            When::EndOfYearBeforeLast,
        ),
        (
            CaseKind::LitigationAfterReview,
            CaseOutcome::Other,
            When::EarlyYearBeforeLast,
        ),
        (
            CaseKind::Review,
            CaseOutcome::Corrected,
            When::EarlyLastYear,
        ),
        (
            CaseKind::LitigationDirect,
            CaseOutcome::Maintained,
            When::EarlyLastYear,
        ),
        (
            CaseKind::LitigationDirect,
            CaseOutcome::Pending,
            When::LateLastYear,
        ),
        (CaseKind::Review, CaseOutcome::Pending, When::Recent),
    ],
    &[
        (CaseKind::Review, CaseOutcome::Other, When::EarlyLastYear),
        (
            CaseKind::LitigationDirect,
            CaseOutcome::Corrected,
            When::EarlyYearBeforeLast,
        ),
        (
            CaseKind::LitigationAfterReview,
            CaseOutcome::Maintained,
            When::EndOfYearBeforeLast,
        ),
        (
            CaseKind::LitigationAfterReview,
            CaseOutcome::Pending,
            When::LateLastYear,
        ),
    ],
    &[
        (
            CaseKind::LitigationDirect,
            CaseOutcome::Other,
            When::EarlyLastYear,
        ),
        (
            CaseKind::LitigationAfterReview,
            CaseOutcome::Corrected,
            When::EarlyLastYear,
        ),
        (
            CaseKind::Review,
            CaseOutcome::Maintained,
            When::EarlyYearBeforeLast,
        ),
    ],
];

/// Days from filing to conclusion.
fn duration(kind: CaseKind) -> i64 {
    match kind {
        CaseKind::Review => 55,
        CaseKind::LitigationDirect | CaseKind::LitigationAfterReview => 150,
    }
}

/// Days from the reply to the filing.
const FILED_AFTER: i64 = 30;

fn disputed(o: Option<Outcome>) -> bool {
    !matches!(
        o,
        None | Some(Outcome::Granted | Outcome::OtherOther | Outcome::OtherFeeUnpaid)
    )
}

fn ymd(year: i32, month: Month, day: u8) -> Result<Date, StoreError> {
    Date::from_calendar_date(year, month, day).map_err(bug)
}

pub(crate) async fn seed_cases(ctx: &Ctx<'_>, ledger: &Ledger) -> Result<(), StoreError> {
    let idx = super::content::PROFILES
        .iter()
        .position(|p| p.code == ctx.profile.code)
        .ok_or_else(|| bug("unknown profile"))?;
    let mut rng = ctx.rng("cases");
    let today = ctx.today;
    let y = today.year();
    // Disputed replies, oldest first; each case is about a different one.
    let mut candidates: Vec<(i64, Date)> = ledger
        .apps
        .iter()
        .filter(|a| disputed(a.1))
        .filter_map(|a| a.2.map(|d| (a.0, d)))
        .collect();
    candidates.sort_by_key(|c| c.1);
    let mut used = Vec::new();
    let mut serial = 0;
    for (kind, outcome, when) in CASES[idx] {
        serial += rng.range(3, 40);
        // The window of the disputed reply.
        let (from, to) = match when {
            When::EarlyYearBeforeLast => {
                (ymd(y - 2, Month::January, 1)?, ymd(y - 2, Month::June, 30)?)
            }
            When::EndOfYearBeforeLast => (
                ymd(y - 2, Month::October, 15)?,
                ymd(y - 2, Month::November, 30)?,
            ),
            When::EarlyLastYear => (ymd(y - 1, Month::January, 1)?, ymd(y - 1, Month::June, 30)?),
            When::LateLastYear => (
                ymd(y - 1, Month::September, 1)?,
                ymd(y - 1, Month::October, 31)?,
            ),
            // Replied 50–80 days ago: filed 20–50 days ago, within the 60 days of a review.
            When::Recent => (
                today - Duration::days(50 + FILED_AFTER),
                today - Duration::days(20 + FILED_AFTER),
            ),
        };
        let in_window = |c: &&(i64, Date)| c.1 >= from && c.1 <= to && !used.contains(&c.0);
        // The latest reply for a recent case, the earliest otherwise.
        let app = match when {
            When::Recent => candidates.iter().rev().find(in_window),
            _ => candidates.iter().find(in_window),
        }
        .copied();
        let filed_on = match app {
            Some((id, replied)) => {
                used.push(id);
                replied + Duration::days(FILED_AFTER)
            }
            None => to + Duration::days(FILED_AFTER),
        };
        let closed_on =
            (*outcome != CaseOutcome::Pending).then(|| filed_on + Duration::days(duration(*kind)));
        if closed_on.is_some_and(|c| c > today) || filed_on > today {
            return Err(bug(format!(
                "case {kind:?} {outcome:?} {when:?} ends after today"
            )));
        }
        let year = filed_on.year();
        let reference = match kind {
            CaseKind::Review => format!("穗南府复〔{year}〕{serial}号"),
            _ => format!("（{year}）粤7101行初{}号", serial * 7),
        };
        let note = match (kind, outcome) {
            (CaseKind::Review, CaseOutcome::Pending) => {
                "申请人不服政府信息公开答复申请行政复议，复议机关已受理，正在审理".to_string()
            }
            (_, CaseOutcome::Pending) => {
                "申请人不服政府信息公开答复提起行政诉讼，法院已立案，尚未审结".to_string()
            }
            (_, CaseOutcome::Maintained) => "维持原政府信息公开答复".to_string(),
            (_, CaseOutcome::Corrected) => "责令重新作出答复，已在法定期限内重新答复".to_string(),
            (_, CaseOutcome::Other) => "申请人撤回复议申请（起诉），案件终止".to_string(),
        };
        ctx.store
            .create_case(
                &CaseRecord {
                    body_id: ctx.body_id,
                    application_id: app.map(|a| a.0),
                    kind: *kind,
                    outcome: *outcome,
                    filed_on,
                    closed_on,
                    reference,
                    note,
                },
                "demo",
            )
            .await?;
    }
    Ok(())
}

const NORMATIVE_TITLES: [&str; 6] = [
    "{镇}农村集体资产交易管理办法",
    "{镇}村级工程建设项目管理规定",
    "{镇}出租屋消防安全管理若干规定",
    "{镇}困难群众临时救助实施细则",
    "{镇}农村宅基地审批管理办法",
    "{镇}村级财务管理规定",
];

pub(crate) async fn seed_registers(ctx: &Ctx<'_>) -> Result<(), StoreError> {
    let y = ctx.today.year();
    let short = ctx.profile.short;
    // (years before this year, month, title, repealed last year)
    let plan: [(i32, u8, usize, bool); 6] = [
        (5, 6, 0, true),
        (3, 4, 1, false),
        (2, 9, 2, false),
        (1, 3, 3, false),
        (1, 11, 4, false),
        (0, 2, 5, false),
    ];
    let mut last_serial: Option<(i32, u32)> = None;
    for (back, month, t, repealed) in plan {
        let year = y - back;
        let issued = ctx.days.on_or_after(
            Date::from_calendar_date(year, Month::try_from(month).map_err(bug)?, 12)
                .map_err(bug)?,
        );
        if issued > ctx.today {
            continue;
        }
        let n = match last_serial {
            Some((ly, n)) if ly == year => n + 1,
            _ => 1,
        };
        last_serial = Some((year, n));
        let title = NORMATIVE_TITLES[t].replace("{镇}", short);
        let repealed_on = if repealed {
            Some(
                ctx.days
                    .on_or_after(Date::from_calendar_date(y - 1, Month::October, 20).map_err(bug)?),
            )
        } else {
            None
        };
        ctx.store
            .upsert_document(
                &DocumentRecord {
                    body_id: ctx.body_id,
                    kind: DocumentKind::NormativeDocument,
                    title,
                    doc_number: format!("{}〔{year}〕{n}号", ctx.profile.norm_prefix),
                    issued_on: issued,
                    published_on: Some(ctx.days.add(issued, 3)),
                    repealed_on,
                },
                "demo",
            )
            .await?;
    }

    // Yearly figures of the past years (2021 format only).
    let mut rng = ctx.rng("figures");
    let scale = ctx.profile.yearly_applications;
    for year in [y - 2, y - 1] {
        if FormatVersion::for_year(year) != FormatVersion::V2021 {
            continue;
        }
        let fee = if ctx.profile.code == super::HUANGGE {
            "0".to_string()
        } else {
            format!("{}.{:02}", rng.range(0, 3), rng.range(0, 99))
        };
        let values = [
            (
                "t2_5.admin_license.decisions",
                (scale * 9 + rng.range(0, 60)).to_string(),
            ),
            (
                "t2_6.admin_penalty.decisions",
                (scale + rng.range(5, 40)).to_string(),
            ),
            ("t2_6.admin_coercion.decisions", rng.range(0, 6).to_string()),
            ("t2_8.admin_fees.fee_amount", fee),
        ];
        for (cell, value) in values {
            let f = YearlyFigure::parse(year, cell, &value).map_err(bug)?;
            ctx.store
                .upsert_figure(ctx.body_id, &f, ctx.profile.clerk)
                .await?;
        }
    }
    Ok(())
}
