//! Narrative and published annual reports of the demo: for every past year with ledger data,
//! the report generated from the counters, checked, approved by the reviewer and published;
//! one correction (version 2 with its reason); and the real 2020 report of 黄阁镇.

use super::apps::Ledger;
use super::{Ctx, HUANGGE, HUANGGE_2020_JSON, bug};
use gongkai_report::{Report, check};
use gongkai_store::{DocumentQuery, Store, StoreError};

/// Reason of the demo's correction.
pub const CORRECTION_REASON: &str =
    "更正“六、其他需要报告的事项”中信息处理费收取情况的表述（原稿漏记已收取的信息处理费）";

struct Facts {
    published_docs: i64,
    fee_count: u32,
    fee_yuan: i64,
}

fn s1(ctx: &Ctx<'_>, year: i32, r: &Report, f: &Facts) -> String {
    let short = ctx.profile.short;
    let t3 = |row: &str| r.count("t3", row, "total");
    let cases = |k: &str| r.count("t4", "cases", &format!("{k}_total"));
    format!(
        "{year}年，{short}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，\
按照区委、区政府关于政务公开工作的部署，以基层政务公开标准化规范化为抓手，不断提升政务公开质量和实效。\n\
（一）主动公开。全年通过本平台和区政府门户网站“{short}”专栏主动公开政府信息{docs}条，覆盖户籍管理、社会救助、养老服务、\
财政预决算、就业、社会保险、市政服务、城市综合执法、涉农补贴、安全生产等领域，并按照《{short}基层政务公开标准目录》动态更新。\n\
（二）依申请公开。全年新收政府信息公开申请{new}件，上年结转{over}件，办结{done}件，结转下年度继续办理{fwd}件，\
均在法定期限内答复。\n\
（三）政府信息管理。严格落实公开前保密审查，对拟公开的政府信息逐条进行审查，规范政策文件的制发、登记和公开程序。\n\
（四）平台建设。优化政府信息公开平台栏目设置，完善政府信息公开指南，在镇政务服务中心设置政务公开专区。\n\
（五）监督保障。本年度因政府信息公开引发行政复议{rv}件、行政诉讼{lit}件（含尚未审结的案件）。",
        docs = f.published_docs,
        new = t3("new_received"),
        over = t3("carried_over"),
        done = t3("total_processed"),
        fwd = t3("carried_forward"),
        rv = cases("review"),
        lit = cases("lit_direct") + cases("lit_after_review"),
    )
}

fn s5(ctx: &Ctx<'_>, year: i32) -> String {
    format!(
        "{year}年，{short}政府信息公开工作取得了一定成效，但仍存在一些不足：一是部分领域信息公开的及时性有待提高；\
二是政策解读形式较为单一；三是村（社区）公开栏更新不够及时。\n\
{next}年，{short}将从以下方面加以改进：（一）加强督促检查，落实信息发布时限要求；（二）丰富政策解读形式，\
运用图解、问答等方式增强可读性；（三）加强业务培训，提升工作人员依法依规办理政府信息公开申请的能力。",
        short = ctx.profile.short,
        next = year + 1
    )
}

fn s6(f: &Facts, report_fee: bool) -> String {
    let fee = if !report_fee || f.fee_count == 0 {
        "（一）信息处理费收取情况：本年度未收取信息处理费。".to_string()
    } else {
        format!(
            "（一）信息处理费收取情况：本年度依照《政府信息公开信息处理费管理办法》向{n}件申请收取信息处理费，共计{y}元。",
            n = f.fee_count,
            y = f.fee_yuan
        )
    };
    format!(
        "{fee}\n（二）落实上级年度政务公开工作要点情况：按照区政务公开工作要点逐项落实。\n\
（三）人大代表建议和政协提案办理结果公开情况：本机关无承办的人大代表建议和政协提案。\n\
（四）年度政务公开工作创新情况：推进基层政务公开标准化规范化，在政务服务中心设置政务公开专区。"
    )
}

/// Set the narrative of `year`, generate the report and require that it passes every rule.
async fn generate_checked(
    ctx: &Ctx<'_>,
    year: i32,
    facts: &Facts,
    report_fee: bool,
    previous: Option<&Report>,
) -> Result<Report, StoreError> {
    let store = ctx.store;
    let draft = store.generate_report(ctx.body_id, year).await?;
    let actor = ctx.profile.clerk;
    store
        .set_narrative(
            ctx.body_id,
            year,
            "s1",
            &ctx.profile.localise(&s1(ctx, year, &draft, facts)),
            actor,
        )
        .await?;
    store
        .set_narrative(ctx.body_id, year, "s5", &s5(ctx, year), actor)
        .await?;
    store
        .set_narrative(
            ctx.body_id,
            year,
            "s6",
            &ctx.profile.localise(&s6(facts, report_fee)),
            actor,
        )
        .await?;
    let report = store.generate_report(ctx.body_id, year).await?;
    let findings = check(&report, previous);
    if !findings.is_empty() {
        let list: Vec<String> = findings
            .iter()
            .map(|f| format!("{} {:?}: {}", f.rule, f.cells, f.message))
            .collect();
        return Err(bug(format!(
            "the generated {year} report of {} fails the checks: {}",
            ctx.profile.code,
            list.join("; ")
        )));
    }
    Ok(report)
}

async fn approve_and_publish(
    ctx: &Ctx<'_>,
    year: i32,
    report: &Report,
    reason: &str,
) -> Result<(), StoreError> {
    let reviewer = ctx.profile.reviewer;
    ctx.store
        .approve_report(ctx.body_id, year, &report.to_json_string(), reviewer)
        .await?;
    ctx.store
        .publish_report(ctx.body_id, year, reason, reviewer)
        .await?;
    Ok(())
}

pub(crate) async fn seed_reports(ctx: &Ctx<'_>, ledger: &Ledger) -> Result<(), StoreError> {
    let y = ctx.today.year();
    let (docs, _) = ctx
        .store
        .list_public_documents(&DocumentQuery {
            body_id: ctx.body_id,
            published_only: true,
            catalog_item_id: None,
            limit: gongkai_store::MAX_LIST,
            offset: 0,
        })
        .await?;
    let mut previous: Option<Report> = None;
    for year in [y - 2, y - 1] {
        let (fee_count, fee_fen) = ledger.fees_paid.get(&year).copied().unwrap_or((0, 0));
        let facts = Facts {
            published_docs: docs
                .iter()
                .filter(|d| d.published_on.is_some_and(|p| p.year() == year))
                .count() as i64,
            fee_count,
            fee_yuan: fee_fen / 100,
        };
        // The first version of last year's report of 黄阁镇 omits the information processing
        // fees it collected; version 2 corrects that.
        let correct_later = ctx.profile.code == HUANGGE && year == y - 1 && fee_count > 0;
        let report = generate_checked(ctx, year, &facts, !correct_later, previous.as_ref()).await?;
        approve_and_publish(ctx, year, &report, "").await?;
        let report = if correct_later {
            let r = generate_checked(ctx, year, &facts, true, previous.as_ref()).await?;
            approve_and_publish(ctx, year, &r, CORRECTION_REASON).await?;
            r
        } else {
            report
        };
        previous = Some(report);
    }
    Ok(())
}

/// Publish the real 2020 report of 黄阁镇 (2019 format).
pub(crate) async fn publish_huangge_2020(store: &Store) -> Result<(), StoreError> {
    let body = store.get_body_by_code(HUANGGE).await?;
    let report = Report::from_json_str(HUANGGE_2020_JSON).map_err(bug)?;
    // Seeded as of 2021 or 2022, the ledger's own 2020 report is already published.
    if !store
        .report_versions(body.id, Some(report.year))
        .await?
        .is_empty()
    {
        return Ok(());
    }
    store
        .approve_report(body.id, report.year, &report.to_json_string(), "reviewer")
        .await?;
    store
        .publish_report(body.id, report.year, "", "reviewer")
        .await?;
    Ok(())
}
