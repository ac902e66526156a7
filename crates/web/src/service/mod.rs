//! 办事指南 (service-item guides) on the web: the public catalogue and guide pages of a body
//! (with a printable A4 view and the 空表/样表 downloads), the JSON API handlers (registered
//! in `crate::api`), the staff pages (list, create, edit with a reason, 提交审核, 审核发布 or
//! 退回修改, 停用, version history, CSV/JSON import and export) and the search document the
//! indexer makes of a published guide.

pub mod api;
pub mod io;
mod portal;
mod staff;
pub mod views;

use crate::app::AppState;
use axum::Router;
use axum::routing::{get, post};
use gongkai_ledger::Body;
use gongkai_ledger::service::GuideRevision;
use gongkai_search::{DocKind, SearchDoc};
use gongkai_store::ServiceItem;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/b/{code}/services", get(portal::catalogue))
        .route("/b/{code}/services/{item}", get(portal::guide))
        .route("/b/{code}/services/{item}/print", get(portal::print))
        .route("/b/{code}/services/{item}/files/{name}", get(portal::file))
        .route("/bodies/{code}/services", get(portal::redirect_catalogue))
        .route(
            "/bodies/{code}/services/{item}",
            get(portal::redirect_guide),
        )
        .route("/staff/services", get(staff::list).post(staff::create))
        .route("/staff/services/new", get(staff::new_form))
        .route("/staff/services/import", post(staff::import))
        .route("/staff/services/export", get(staff::export))
        .route("/staff/services/{id}", get(staff::edit).post(staff::update))
        .route("/staff/services/{id}/step", post(staff::step))
        .route("/staff/services/{id}/history", get(staff::history))
        .route("/staff/services/{id}/files", post(staff::upload))
}

/// The search document of an item's published version.
pub fn search_doc(body: &Body, item: &ServiceItem, rev: &GuideRevision) -> SearchDoc {
    let p = rev.guide.search_projection();
    let date: Option<String> = item
        .published_at
        .as_deref()
        .map(|t| gongkai_store::beijing_time(t).chars().take(10).collect());
    SearchDoc {
        id: format!("service:{}", item.id),
        kind: DocKind::ServiceItem,
        body_code: body.code.clone(),
        body_name: body.name.clone(),
        domain: p.domain,
        year: date
            .as_deref()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse().ok()),
        date,
        title: p.title,
        text: p.text,
        doc_number: None,
        index_number: Some(p.code),
        url: views::guide_href(&body.code, &item.code),
    }
}
