//! The Article 20 registers (第二十条登记): yearly figures and normative documents.

use super::{
    BodyQuery, BodyRef, BodySwitcher, SelectOption, StaffCtx, StaffForm, back_to, csrf_forms,
    year_of,
};
use crate::error::{AppError, PageResult};
use crate::views::{Layout, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use gongkai_calendar::format_date;
use gongkai_ledger::YearlyFigure;
use serde::{Deserialize, Serialize};

const FIGURE_CELLS: [(&str, &str); 6] = [
    ("t2_5.admin_license.decisions", "行政许可·本年处理决定数量"),
    ("t2_6.admin_penalty.decisions", "行政处罚·本年处理决定数量"),
    ("t2_6.admin_coercion.decisions", "行政强制·本年处理决定数量"),
    (
        "t2_8.admin_fees.fee_amount",
        "行政事业性收费·本年收费金额（万元）",
    ),
    (
        "t2_5.other_external_mgmt_services.decisions",
        "其他对外管理服务事项·处理决定数量（2019年格式）",
    ),
    (
        "t2_9.central_procurement.procurement_items",
        "政府集中采购·采购项目数量（2019年格式）",
    ),
];

/// A body's registers of one year: the yearly figures (with the form entering one, for
/// clerks) and the regulations and normative documents.
#[derive(Debug, Serialize)]
pub struct RegistersView {
    pub body: BodyRef,
    pub year: i32,
    pub switcher: BodySwitcher,
    pub figures: Vec<FigureRow>,
    pub can_edit: bool,
    pub documents: Vec<RegisterDocumentRow>,
}

impl RegistersView {
    /// The cells a clerk may enter.
    pub fn cells(&self) -> Vec<SelectOption> {
        FIGURE_CELLS
            .iter()
            .map(|(c, l)| SelectOption::new(*c, *l, false))
            .collect()
    }
}

#[derive(Debug, Serialize)]
pub struct FigureRow {
    pub cell: &'static str,
    pub label: &'static str,
    /// The value entered, `—` when none.
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct RegisterDocumentRow {
    pub doc_number: String,
    pub title: String,
    pub kind: &'static str,
    pub issued_on: String,
    /// The repeal date, or 现行有效.
    pub repealed_on: String,
}

#[derive(Template)]
#[template(path = "staff/registers.html")]
struct RegistersPage {
    layout: Layout,
    view: RegistersView,
}

pub(super) async fn registers(ctx: StaffCtx, Query(q): Query<BodyQuery>) -> PageResult<Response> {
    let year = year_of(&ctx.st, &q.year);
    let (body, switcher) = ctx
        .chosen_body(&q.body, "/staff/registers", Some(year))
        .await?;
    let figures = ctx.st.store.figures(body.id, year).await?;
    let docs = ctx.st.store.list_documents(body.id).await?;
    let view = RegistersView {
        body: BodyRef::from(&body),
        year,
        switcher,
        figures: FIGURE_CELLS
            .iter()
            .map(|(cell, label)| FigureRow {
                cell,
                label,
                value: figures
                    .iter()
                    .find(|f| f.cell == *cell)
                    .map(|f| f.value.clone())
                    .unwrap_or_else(|| "—".into()),
            })
            .collect(),
        can_edit: ctx.s.require_clerk(body.id).is_ok(),
        documents: docs
            .into_iter()
            .map(|d| RegisterDocumentRow {
                kind: d.record.kind.label_zh(),
                issued_on: format_date(d.record.issued_on),
                repealed_on: d
                    .record
                    .repealed_on
                    .map(format_date)
                    .unwrap_or_else(|| "现行有效".into()),
                doc_number: d.record.doc_number,
                title: d.record.title,
            })
            .collect(),
    };
    render(&RegistersPage {
        layout: ctx.layout("第二十条登记"),
        view,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct FigureForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    cell: String,
    #[serde(default)]
    value: String,
}

csrf_forms!(FigureForm);

pub(super) async fn save_figure(StaffForm(ctx, f): StaffForm<FigureForm>) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    let year = year_of(&ctx.st, &f.year);
    let fig = YearlyFigure::parse(year, f.cell.trim(), f.value.trim())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    ctx.st
        .store
        .upsert_figure(body.id, &fig, &ctx.s.user.login)
        .await?;
    Ok(back_to("/staff/registers", &body, Some(year)))
}
