//! The audit log (操作日志) of the bodies the user may read.

use super::StaffCtx;
use crate::error::PageResult;
use crate::views::{Layout, render};
use askama::Template;
use axum::response::Response;
use serde::Serialize;

/// Entries shown.
const AUDIT_ROWS: i64 = 200;

/// The latest audit entries of the readable bodies.
#[derive(Debug, Serialize)]
pub struct AuditView {
    pub entries: Vec<AuditRow>,
}

#[derive(Debug, Serialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: Layout,
    view: AuditView,
}

pub(super) async fn audit(ctx: StaffCtx) -> PageResult<Response> {
    let all = ctx.st.store.list_bodies().await?;
    let readable = ctx.s.readable_bodies(&all);
    let log = ctx.st.store.audit_log(&readable, AUDIT_ROWS).await?;
    let view = AuditView {
        entries: log
            .into_iter()
            .map(|e| AuditRow {
                at: e.at,
                actor: e.actor,
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect(),
    };
    render(&AuditPage {
        layout: ctx.layout("操作日志"),
        view,
    })
}
