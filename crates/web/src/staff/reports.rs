//! The annual report workspace (年度报告): live tables, rule results, approval, narrative and
//! publication. The page and `GET /api/v1/staff/reports/{code}/{year}` share
//! [`report_view`]; approval checks the rules exactly as the workspace shows them
//! ([`findings`]: with the previous year's published report when there is one).

use super::{BodySwitcher, StaffCtx, StaffForm, back_to, csrf_forms, year_of};
use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::views::{Layout, render};
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_calendar::format_date;
use gongkai_report::{Finding, HtmlOptions, Report};
use serde::{Deserialize, Serialize};

/// The report workspace of one body and year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    /// The body's code.
    pub body: String,
    pub body_name: String,
    pub year: i32,
    /// The report generated live, in the JSON contract.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    /// Rule results (with the previous year's published report when there is one).
    pub findings: Vec<Finding>,
    /// Findings that block approval.
    pub error_count: usize,
    pub approval: Option<ApprovalView>,
    pub published_versions: Vec<i32>,
    /// Why the report cannot be approved or published today (empty: it can).
    pub problems: Vec<String>,
    /// The last day to publish (31 January of the next year) and how far it is.
    pub statutory_date: Option<String>,
    pub statutory_countdown: Option<String>,
    /// Reviewer decisions: approval and publication.
    pub can_approve: bool,
    /// The publish button: a reviewer, an approval of the report as it is now, no problems.
    pub can_publish: bool,
    /// Clerk work: the narrative.
    pub can_edit: bool,
    /// The narrative sections being edited (clerks).
    pub narrative: Option<Vec<NarrativeSection>>,
    pub switcher: BodySwitcher,
}

/// The pending approval.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    pub approved_by: String,
    pub approved_at: String,
    /// Whether it approved the report as it is now.
    pub current: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NarrativeSection {
    pub key: String,
    pub label: String,
    pub text: String,
}

/// The rule results of `report`, with the previous year's newest published version when
/// there is one — what the workspace shows and what approval requires to be error-free.
pub async fn findings(
    st: &AppState,
    body_id: i64,
    year: i32,
    report: &Report,
) -> PageResult<Vec<Finding>> {
    let previous = st
        .store
        .report_versions(body_id, Some(year - 1))
        .await?
        .into_iter()
        .next()
        .and_then(|v| Report::from_json_str(&v.report_json).ok());
    Ok(gongkai_report::check(report, previous.as_ref()))
}

/// The workspace of the body `code` (empty: the user's first working body) for `year`, with
/// the live report itself.
pub async fn report_view(
    ctx: &StaffCtx,
    code: &str,
    year: i32,
) -> PageResult<(ReportView, Report)> {
    let st = &ctx.st;
    let (body, switcher) = ctx.chosen_body(code, "/staff/reports", Some(year)).await?;
    let report = st.store.generate_report(body.id, year).await?;
    let findings = findings(st, body.id, year, &report).await?;
    let json = report.to_json_string();
    let approval = st
        .store
        .report_approval(body.id, year)
        .await?
        .map(|(j, by, at)| ApprovalView {
            approved_by: by,
            approved_at: at,
            current: j == json,
        });
    let versions = st.store.report_versions(body.id, Some(year)).await?;
    let today = ctx.today();
    let problems = gongkai_ledger::publication::problems(&report, &findings, today);
    let statutory = gongkai_ledger::publication::statutory_date(year);
    let statutory_countdown = statutory.map(|d| {
        // Versions are newest first.
        if let Some(newest) = versions.first() {
            return format!("已发布，共{}版", newest.version);
        }
        match st.store.calendar().working_days_between(today, d) {
            Ok(n) if n > 0 => format!("距法定发布期限还有{n}个工作日"),
            Ok(0) => "今日为法定发布期限".to_string(),
            Ok(n) => format!("已超过法定发布期限{}个工作日", -n),
            Err(_) => format!("{}年节假日安排尚未导入，工作日倒计时暂无法计算", d.year()),
        }
    });
    let can_approve = ctx.s.require_reviewer(body.id).is_ok();
    let approved_now = approval.as_ref().is_some_and(|a| a.current);
    let can_edit = ctx.s.require_clerk(body.id).is_ok();
    let narrative = if can_edit {
        let texts = st.store.narrative(body.id, year).await?;
        Some(
            report
                .spec()
                .sections
                .iter()
                .map(|sec| NarrativeSection {
                    key: sec.key.clone(),
                    label: sec.label.clone(),
                    text: texts.get(&sec.key).cloned().unwrap_or_default(),
                })
                .collect(),
        )
    } else {
        None
    };
    let view = ReportView {
        body: body.code.clone(),
        body_name: body.name.clone(),
        year,
        report: report.to_json_value(),
        error_count: gongkai_report::error_count(&findings),
        findings,
        approval,
        published_versions: versions.iter().map(|v| v.version).collect(),
        can_publish: can_approve && approved_now && problems.is_empty(),
        problems,
        statutory_date: statutory.map(format_date),
        statutory_countdown,
        can_approve,
        can_edit,
        narrative,
        switcher,
    };
    Ok((view, report))
}

#[derive(Deserialize, Default)]
pub(super) struct ReportQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
}

#[derive(Template)]
#[template(path = "staff/report.html")]
struct ReportPage {
    layout: Layout,
    view: ReportView,
    /// The report's tables, rendered by the report crate's renderer (the same HTML as the
    /// published report; it escapes every value).
    tables: String,
    tables_css: &'static str,
}

pub(super) async fn report_workspace(
    ctx: StaffCtx,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    // The workspace opens on last year's report, the one due this year.
    let year = q
        .year
        .trim()
        .parse()
        .unwrap_or_else(|_| ctx.today().year() - 1);
    let (view, report) = report_view(&ctx, &q.body, year).await?;
    let tables = gongkai_report::render_html(
        &report,
        &HtmlOptions {
            figures: Vec::new(),
            fragment: true,
        },
    );
    render(&ReportPage {
        layout: ctx.layout("年度报告"),
        view,
        tables,
        tables_css: gongkai_report::render::REPORT_CSS,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct NarrativeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    s1: String,
    #[serde(default)]
    s2: String,
    #[serde(default)]
    s3: String,
    #[serde(default)]
    s4: String,
    #[serde(default)]
    s5: String,
    #[serde(default)]
    s6: String,
}

#[derive(Deserialize, Default)]
pub(super) struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    reason: String,
}

csrf_forms!(NarrativeForm, ReportForm);

pub(super) async fn save_narrative(
    StaffForm(ctx, f): StaffForm<NarrativeForm>,
) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    let year = year_of(&ctx.st, &f.year);
    for (k, t) in [
        ("s1", &f.s1),
        ("s2", &f.s2),
        ("s3", &f.s3),
        ("s4", &f.s4),
        ("s5", &f.s5),
        ("s6", &f.s6),
    ] {
        ctx.st
            .store
            .set_narrative(body.id, year, k, t.trim(), &ctx.s.user.login)
            .await?;
    }
    Ok(back_to("/staff/reports", &body, Some(year)))
}

pub(super) async fn approve_report(
    StaffForm(ctx, f): StaffForm<ReportForm>,
) -> PageResult<Response> {
    let body = ctx.reviewer_body(&f.body).await?;
    let year = year_of(&ctx.st, &f.year);
    let report = ctx.st.store.generate_report(body.id, year).await?;
    ready(&ctx, body.id, year, &report, "审核通过").await?;
    ctx.st
        .store
        .approve_report(
            body.id,
            year,
            &report.to_json_string(),
            &ctx.s.user.display_name,
        )
        .await?;
    Ok(back_to("/staff/reports", &body, Some(year)))
}

pub(super) async fn publish_report(
    StaffForm(ctx, f): StaffForm<ReportForm>,
) -> PageResult<Response> {
    let body = ctx.reviewer_body(&f.body).await?;
    let year = year_of(&ctx.st, &f.year);
    let report = ctx.st.store.generate_report(body.id, year).await?;
    ready(&ctx, body.id, year, &report, "发布").await?;
    let ver = ctx
        .st
        .store
        .publish_report(body.id, year, &f.reason, &ctx.s.user.display_name)
        .await?;
    Ok(Redirect::to(&format!(
        "/b/{}/reports/{year}?v={}",
        crate::portal::urlencode(&body.code),
        ver.version
    ))
    .into_response())
}

/// Refuses `action` (审核通过 / 发布) with every problem named, exactly as the workspace
/// lists them.
async fn ready(
    ctx: &StaffCtx,
    body_id: i64,
    year: i32,
    report: &Report,
    action: &str,
) -> PageResult<()> {
    let found = findings(&ctx.st, body_id, year, report).await?;
    let problems = gongkai_ledger::publication::problems(report, &found, ctx.today());
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Unprocessable(format!(
            "不能{action}：{}",
            problems.join("；")
        )))
    }
}
