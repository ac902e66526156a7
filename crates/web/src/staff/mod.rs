//! The staff console: login, the application queue with working-day countdown, every ledger
//! transition as a form, documents and catalog, cases and registers, the annual report
//! workspace (live tables, narrative, rule results, approval, immutable publication) and the
//! audit log. Every handler checks the user's role for the body it touches.

/// The signed-in staff member, or a redirect to the login page.
macro_rules! staff_or_login {
    ($v:expr) => {
        match $v.staff.as_ref() {
            Some(s) => s.clone(),
            None => return Ok(Redirect::to("/staff/login").into_response()),
        }
    };
}

mod applications;
mod audit;
mod cases;
mod catalog;
mod documents;
mod login;
mod registers;
mod reports;

pub(crate) use applications::{EventForm, event_from_form};

use crate::app::AppState;
use crate::auth::{Staff, Viewer, now_unix, set_cookie};
use crate::error::{AppError, PageResult};
use crate::portal::{body_by_code, client_ip};
use crate::security::{SESSION_COOKIE, SESSION_SECONDS, Session};
use crate::views::{csrf_field, esc, page, staff_nav};
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_calendar::{format_date, parse_date};
use gongkai_ledger::content::{CatalogItemRecord, PublicDocumentRecord, STANDARD_DOMAINS, TOPICS};
use gongkai_ledger::{
    ApplicantType, Application, ApplicationState, Body, CaseKind, CaseOutcome, CaseRecord, Channel,
    Consultee, EventKind, NewApplication, Outcome, PersonalData, ReplyDocument, YearlyFigure,
};
use gongkai_report::{HtmlOptions, check};
use gongkai_store::{ApplicationFilter, DocumentQuery};
use serde::Deserialize;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/login", get(login::login_form).post(login::login))
        .route("/staff/logout", post(login::logout))
        .route("/staff", get(applications::queue))
        .route(
            "/staff/applications",
            post(applications::register_application),
        )
        .route("/staff/applications/{id}", get(applications::application))
        .route(
            "/staff/applications/{id}/event",
            post(applications::application_event),
        )
        .route(
            "/staff/documents",
            get(documents::documents).post(documents::create_document),
        )
        .route(
            "/staff/documents/{id}",
            get(documents::edit_document).post(documents::update_document),
        )
        .route(
            "/staff/documents/{id}/publish",
            post(documents::publish_document),
        )
        .route(
            "/staff/documents/{id}/attachments",
            post(documents::upload_attachment),
        )
        .route(
            "/staff/catalog",
            get(catalog::catalog).post(catalog::create_catalog_item),
        )
        .route("/staff/guide", post(catalog::save_guide))
        .route("/staff/cases", get(cases::cases).post(cases::create_case))
        .route(
            "/staff/registers",
            get(registers::registers).post(registers::save_figure),
        )
        .route("/staff/reports", get(reports::report_workspace))
        .route("/staff/reports/narrative", post(reports::save_narrative))
        .route("/staff/reports/approve", post(reports::approve_report))
        .route("/staff/reports/publish", post(reports::publish_report))
        .route("/staff/audit", get(audit::audit))
}

pub(super) fn site(st: &AppState) -> &str {
    &st.config.site_name
}

pub(super) fn staff_page(
    st: &AppState,
    v: &Viewer,
    title: &str,
    html: String,
) -> PageResult<Response> {
    let who = v
        .staff
        .as_ref()
        .map(|s| {
            format!(
                "<p class=\"crumbs\">工作人员：{} · <form class=\"inline\" method=\"post\" action=\"/staff/logout\">{}<button class=\"secondary\" type=\"submit\">退出登录</button></form></p>",
                esc(&s.user.display_name),
                csrf_field(v)
            )
        })
        .unwrap_or_default();
    page(v, site(st), title, staff_nav(v), format!("{who}{html}"))
}

/// Redirect to a body's staff page (optionally for a year) after a form post.
pub(super) fn back_to(path: &str, body: &Body, year: Option<i32>) -> Response {
    let code = crate::portal::urlencode(&body.code);
    let target = match year {
        Some(y) => format!("{path}?body={code}&year={y}"),
        None => format!("{path}?body={code}"),
    };
    Redirect::to(&target).into_response()
}

pub(crate) fn parse_day(s: &str, field: &str) -> Result<Date, AppError> {
    parse_date(s.trim())
        .map_err(|_| AppError::BadRequest(format!("「{field}」日期格式应为 YYYY-MM-DD")))
}

pub(super) fn bodies_of(all: &[Body], ids: &[i64]) -> Vec<Body> {
    all.iter()
        .filter(|b| ids.contains(&b.id))
        .cloned()
        .collect()
}

// --- Documents and catalog ----------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(super) struct BodyQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    year: String,
    /// Page of a long list (from 1).
    #[serde(default)]
    page: Option<i64>,
}

/// Rows per page of the staff document list.
pub(super) const STAFF_PAGE_SIZE: i64 = 50;

/// The body a staff page works on: the `body` parameter, else the user's first working body.
pub(super) async fn chosen_body(
    st: &AppState,
    s: &Staff,
    code: &str,
) -> PageResult<(Body, Vec<Body>)> {
    let all = st.store.list_bodies().await?;
    let readable = s.readable_bodies(&all);
    let body = if code.trim().is_empty() {
        s.working_bodies()
            .first()
            .or(readable.first())
            .and_then(|id| all.iter().find(|b| b.id == *id))
            .cloned()
            .ok_or_else(|| AppError::Forbidden("您没有任何机关的权限 (no roles)".into()))?
    } else {
        body_by_code(st, code).await?
    };
    if !readable.contains(&body.id) {
        return Err(crate::auth::forbidden());
    }
    let choices = bodies_of(&all, &readable);
    Ok((body, choices))
}

pub(super) fn body_switcher(path: &str, bodies: &[Body], current: &Body, extra: &str) -> String {
    let mut html = format!(
        "<form class=\"card\" method=\"get\" action=\"{path}\"><label>机关 <select name=\"body\">"
    );
    for b in bodies {
        html.push_str(&format!(
            "<option value=\"{c}\"{s}>{n}</option>",
            c = esc(&b.code),
            n = esc(&b.name),
            s = if b.id == current.id { " selected" } else { "" }
        ));
    }
    html.push_str(&format!(
        "</select></label> {extra}<button type=\"submit\">切换</button></form>"
    ));
    html
}

// --- Cases and registers --------------------------------------------------------------------

pub(super) fn year_of(st: &AppState, q: &str) -> i32 {
    q.trim().parse().unwrap_or_else(|_| st.today().year())
}
