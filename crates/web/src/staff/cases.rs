//! Administrative review and litigation cases (行政复议、行政诉讼).

use super::{
    BodyQuery, BodyRef, BodySwitcher, SelectOption, StaffCtx, StaffForm, back_to, csrf_forms,
    parse_day,
};
use crate::error::{AppError, PageResult};
use crate::views::{Layout, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use gongkai_calendar::format_date;
use gongkai_ledger::{CaseKind, CaseOutcome, CaseRecord};
use serde::{Deserialize, Serialize};

/// A body's cases, with the form registering one (clerks).
#[derive(Debug, Serialize)]
pub struct CasesView {
    pub body: BodyRef,
    pub switcher: BodySwitcher,
    pub cases: Vec<CaseRow>,
    pub can_edit: bool,
}

impl CasesView {
    pub fn kinds(&self) -> Vec<SelectOption> {
        CaseKind::ALL
            .iter()
            .map(|k| SelectOption::new(k.key(), k.label_zh(), false))
            .collect()
    }

    pub fn outcomes(&self) -> Vec<SelectOption> {
        CaseOutcome::ALL
            .iter()
            .map(|k| SelectOption::new(k.key(), k.label_zh(), false))
            .collect()
    }
}

#[derive(Debug, Serialize)]
pub struct CaseRow {
    pub reference: String,
    pub kind: &'static str,
    pub outcome: &'static str,
    pub filed_on: String,
    pub closed_on: Option<String>,
}

impl CaseRow {
    pub fn closed_text(&self) -> &str {
        self.closed_on.as_deref().unwrap_or("—")
    }
}

#[derive(Template)]
#[template(path = "staff/cases.html")]
struct CasesPage {
    layout: Layout,
    view: CasesView,
}

pub(super) async fn cases(ctx: StaffCtx, Query(q): Query<BodyQuery>) -> PageResult<Response> {
    let (body, switcher) = ctx.chosen_body(&q.body, "/staff/cases", None).await?;
    let list = ctx.st.store.list_cases(body.id, None).await?;
    let view = CasesView {
        body: BodyRef::from(&body),
        switcher,
        cases: list
            .into_iter()
            .map(|c| CaseRow {
                kind: c.record.kind.label_zh(),
                outcome: c.record.outcome.label_zh(),
                filed_on: format_date(c.record.filed_on),
                closed_on: c.record.closed_on.map(format_date),
                reference: c.record.reference,
            })
            .collect(),
        can_edit: ctx.s.require_clerk(body.id).is_ok(),
    };
    render(&CasesPage {
        layout: ctx.layout("复议诉讼"),
        view,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct CaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    closed_on: String,
    #[serde(default)]
    application_id: String,
}

csrf_forms!(CaseForm);

pub(super) async fn create_case(StaffForm(ctx, f): StaffForm<CaseForm>) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    let rec = CaseRecord {
        body_id: body.id,
        application_id: f.application_id.trim().parse().ok(),
        kind: CaseKind::parse(&f.kind).ok_or_else(|| AppError::BadRequest("类别无效".into()))?,
        outcome: CaseOutcome::parse(&f.outcome)
            .ok_or_else(|| AppError::BadRequest("结果无效".into()))?,
        filed_on: parse_day(&f.filed_on, "立案日期")?,
        closed_on: if f.closed_on.trim().is_empty() {
            None
        } else {
            Some(parse_day(&f.closed_on, "审结日期")?)
        },
        reference: f.reference.trim().to_string(),
        note: String::new(),
    };
    ctx.st.store.create_case(&rec, &ctx.s.user.login).await?;
    Ok(back_to("/staff/cases", &body, None))
}
