//! The standard catalog (标准目录) and the disclosure guide.

use super::{BodyQuery, BodyRef, BodySwitcher, StaffCtx, StaffForm, back_to, csrf_forms};
use crate::error::{AppError, PageResult};
use crate::views::{Layout, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use gongkai_ledger::content::{CatalogItemRecord, Guide, STANDARD_DOMAINS};
use serde::{Deserialize, Serialize};

/// A body's catalog items, with the forms adding one and editing the guide (clerks).
#[derive(Debug, Serialize)]
pub struct CatalogView {
    pub body: BodyRef,
    pub switcher: BodySwitcher,
    pub items: Vec<CatalogRow>,
    pub can_edit: bool,
    /// The guide being edited (clerks).
    pub guide: Option<GuideView>,
}

impl CatalogView {
    /// The standard domains offered for a new item.
    pub fn domains(&self) -> &'static [&'static str] {
        &STANDARD_DOMAINS
    }
}

#[derive(Debug, Serialize)]
pub struct CatalogRow {
    pub domain: String,
    pub name: String,
    pub time_limit: String,
    pub channel: String,
}

#[derive(Debug, Serialize)]
pub struct GuideView {
    pub text: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "staff/catalog.html")]
struct CatalogPage {
    layout: Layout,
    view: CatalogView,
}

pub(super) async fn catalog(ctx: StaffCtx, Query(q): Query<BodyQuery>) -> PageResult<Response> {
    let (body, switcher) = ctx.chosen_body(&q.body, "/staff/catalog", None).await?;
    let items = ctx.st.store.list_catalog(body.id).await?;
    let can_edit = ctx.s.require_clerk(body.id).is_ok();
    let guide = if can_edit {
        let g = ctx.st.store.get_guide(body.id).await?.unwrap_or_default();
        Some(GuideView {
            text: g.text,
            address: g.address,
            office_hours: g.office_hours,
            phone: g.phone,
        })
    } else {
        None
    };
    let view = CatalogView {
        body: BodyRef::from(&body),
        switcher,
        items: items
            .into_iter()
            .map(|i| CatalogRow {
                domain: i.record.domain,
                name: i.record.name,
                time_limit: i.record.time_limit,
                channel: i.record.channel,
            })
            .collect(),
        can_edit,
        guide,
    };
    render(&CatalogPage {
        layout: ctx.layout("标准目录"),
        view,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct CatalogForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    time_limit: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    manner: String,
}

#[derive(Deserialize, Default)]
pub(super) struct GuideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    office_hours: String,
    #[serde(default)]
    phone: String,
}

csrf_forms!(CatalogForm, GuideForm);

pub(super) async fn create_catalog_item(
    StaffForm(ctx, f): StaffForm<CatalogForm>,
) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    ctx.st
        .store
        .create_catalog_item(
            &CatalogItemRecord {
                body_id: body.id,
                domain: f.domain,
                name: f.name,
                basis: f.basis,
                time_limit: f.time_limit,
                channel: f.channel,
                subject: f.subject,
                audience: f.audience,
                manner: f.manner,
            },
            &ctx.s.user.login,
        )
        .await?;
    Ok(back_to("/staff/catalog", &body, None))
}

pub(super) async fn save_guide(StaffForm(ctx, f): StaffForm<GuideForm>) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    if f.text.chars().count() > 50_000 {
        return Err(AppError::BadRequest("指南过长".into()));
    }
    ctx.st
        .store
        .set_guide(
            body.id,
            &Guide {
                text: f.text,
                address: f.address,
                office_hours: f.office_hours,
                phone: f.phone,
            },
            &ctx.s.user.login,
        )
        .await?;
    Ok(back_to("/staff/catalog", &body, None))
}
