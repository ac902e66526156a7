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

/// The cases of each demo body (same order as `PROFILES`): together every kind with every
/// result, including cases still pending today.
const CASES: [&[(CaseKind, CaseOutcome)]; 3] = [
    &[
        (CaseKind::Review, CaseOutcome::Maintained),
        (CaseKind::Review, CaseOutcome::Corrected),
        (CaseKind::LitigationDirect, CaseOutcome::Maintained),
        (CaseKind::LitigationAfterReview, CaseOutcome::Other),
        (CaseKind::Review, CaseOutcome::Pending),
        (CaseKind::LitigationDirect, CaseOutcome::Pending),
    ],
    &[
        (CaseKind::Review, CaseOutcome::Other),
        (CaseKind::LitigationDirect, CaseOutcome::Corrected),
        (CaseKind::LitigationAfterReview, CaseOutcome::Maintained),
        (CaseKind::LitigationAfterReview, CaseOutcome::Pending),
    ],
    &[
        (CaseKind::LitigationDirect, CaseOutcome::Other),
        (CaseKind::LitigationAfterReview, CaseOutcome::Corrected),
        (CaseKind::Review, CaseOutcome::Maintained),
    ],
];

/// Days from filing to conclusion.
fn duration(kind: CaseKind) -> i64 {
    match kind {
        CaseKind::Review => 55,
        CaseKind::LitigationDirect | CaseKind::LitigationAfterReview => 150,
    }
}

fn disputed(o: Option<Outcome>) -> bool {
    !matches!(
        o,
        None | Some(Outcome::Granted | Outcome::OtherOther | Outcome::OtherFeeUnpaid)
    )
}

pub(crate) async fn seed_cases(ctx: &Ctx<'_>, ledger: &Ledger) -> Result<(), StoreError> {
    let idx = super::content::PROFILES
        .iter()
        .position(|p| p.code == ctx.profile.code)
        .ok_or_else(|| bug("unknown profile"))?;
    let mut rng = ctx.rng("cases");
    let today = ctx.today;
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
    for (kind, outcome) in CASES[idx] {
        let dur = duration(*kind);
        serial += rng.range(3, 40);
        let (application_id, filed_on, closed_on) = if *outcome == CaseOutcome::Pending {
            // Filed recently; a litigation is still before the court.
            let back = match kind {
                CaseKind::Review => 20,
                _ => 100,
            };
            let filed = today - Duration::days(back);
            let app = candidates
                .iter()
                .rev()
                .find(|c| c.1 + Duration::days(15) <= filed && !used.contains(&c.0))
                .copied();
            (app.map(|a| a.0), filed, None)
        } else {
            let app = candidates
                .iter()
                .find(|c| {
                    !used.contains(&c.0)
                        && c.1 + Duration::days(30 + dur) <= today - Duration::days(7)
                })
                .copied();
            let filed = match app {
                Some((_, closed)) => closed + Duration::days(30),
                None => {
                    Date::from_calendar_date(today.year() - 1, Month::March, 10).map_err(bug)?
                }
            };
            (app.map(|a| a.0), filed, Some(filed + Duration::days(dur)))
        };
        if let Some(id) = application_id {
            used.push(id);
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
            .create_case(&CaseRecord {
                body_id: ctx.body_id,
                application_id,
                kind: *kind,
                outcome: *outcome,
                filed_on,
                closed_on,
                reference,
                note,
            })
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
    let mut repealed_title = String::new();
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
            repealed_title = title.clone();
            Some(
                ctx.days
                    .on_or_after(Date::from_calendar_date(y - 1, Month::October, 20).map_err(bug)?),
            )
        } else {
            None
        };
        ctx.store
            .upsert_document(&DocumentRecord {
                body_id: ctx.body_id,
                kind: DocumentKind::NormativeDocument,
                title,
                doc_number: format!("{}〔{year}〕{n}号", ctx.profile.norm_prefix),
                issued_on: issued,
                published_on: Some(ctx.days.add(issued, 3)),
                repealed_on,
            })
            .await?;
    }
    debug_assert!(!repealed_title.is_empty());

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
