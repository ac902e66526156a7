//! The staff console: login, the application queue with working-day countdown, every ledger
//! transition as a form, documents and catalog, cases and registers, the annual report
//! workspace (live tables, narrative, rule results, approval, immutable publication) and the
//! audit log.
//!
//! Every page is an askama template (`templates/staff/`) over a typed, serialisable view
//! model built in the area's module; the JSON API builds the same view models for the
//! screens it serves (queue, application, report workspace). Every staff handler starts
//! with the [`StaffCtx`] extractor (signed-in staff or a redirect to the login page), form
//! posts with [`StaffForm`] (the same, plus the form's CSRF token checked), and checks the
//! user's role for the body it touches with the [`Staff`] permission methods.

mod applications;
mod audit;
mod cases;
mod catalog;
mod documents;
mod login;
mod registers;
mod reports;

pub(crate) use applications::{
    ApplicationView, QueueFilter, QueueView, Transition, application_view, fen_of_yuan, queue_view,
    record_event, reply_document,
};
pub(crate) use audit::{AuditParams, AuditView, audit_view};
pub(crate) use reports::{ReportView, report_view};

use crate::app::AppState;
use crate::auth::{Staff, Viewer};
use crate::error::{AppError, PageResult};
use crate::portal::body_by_code;
use crate::views::Layout;
use axum::Form;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_calendar::parse_date;
use gongkai_ledger::Body;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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

// --- The staff preamble ---------------------------------------------------------------------

/// The preamble of every staff handler: the request's viewer signed in as staff, with the
/// app state. As an extractor it rejects a request without a staff session with a redirect
/// to the login page (the API wraps it with a JSON 401 instead, see `api::ApiStaff`).
#[derive(Clone)]
pub struct StaffCtx {
    pub st: AppState,
    pub v: Viewer,
    pub s: Staff,
}

impl FromRequestParts<AppState> for StaffCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<StaffCtx, Response> {
        let v = Viewer::from_request_parts(parts, st)
            .await
            .map_err(IntoResponse::into_response)?;
        StaffCtx::of(st, v).ok_or_else(|| Redirect::to("/staff/login").into_response())
    }
}

impl StaffCtx {
    /// The context of a viewer signed in as staff (`None` for anyone else).
    pub fn of(st: &AppState, v: Viewer) -> Option<StaffCtx> {
        let s = v.staff.clone()?;
        Some(StaffCtx {
            st: st.clone(),
            v,
            s,
        })
    }

    /// Check a submitted CSRF token against the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        self.v.check_csrf(token)
    }

    /// The staff layout of a page titled `title`.
    pub fn layout(&self, title: &str) -> Layout {
        Layout::staff(&self.st, &self.v, title)
    }

    pub fn today(&self) -> Date {
        self.st.today()
    }

    /// The body a form acts on, with the clerk role checked.
    pub async fn clerk_body(&self, code: &str) -> PageResult<Body> {
        let body = body_by_code(&self.st, code).await?;
        self.s.require_clerk(body.id)?;
        Ok(body)
    }

    /// The body a form acts on, with the reviewer role checked.
    pub async fn reviewer_body(&self, code: &str) -> PageResult<Body> {
        let body = body_by_code(&self.st, code).await?;
        self.s.require_reviewer(body.id)?;
        Ok(body)
    }

    /// The body a page works on — the `body` parameter, else the user's first working body —
    /// checked readable, and the switcher over every readable body for the page at `action`.
    pub async fn chosen_body(
        &self,
        code: &str,
        action: &'static str,
        year: Option<i32>,
    ) -> PageResult<(Body, BodySwitcher)> {
        let all = self.s.readable_bodies(&self.st.store).await?;
        let body = if code.trim().is_empty() {
            self.s
                .working_bodies()
                .first()
                .and_then(|id| all.iter().find(|b| b.id == *id))
                .or(all.first())
                .cloned()
                .ok_or_else(|| AppError::Forbidden("您没有任何机关的权限 (no roles)".into()))?
        } else {
            body_by_code(&self.st, code).await?
        };
        if !all.iter().any(|b| b.id == body.id) {
            return Err(crate::auth::forbidden());
        }
        let switcher = BodySwitcher {
            action,
            bodies: body_options(&all, |b| b.id == body.id),
            year,
        };
        Ok((body, switcher))
    }
}

/// A form that carries the CSRF token in its `csrf` field.
pub trait CsrfForm {
    fn csrf(&self) -> &str;
}

/// Implement [`CsrfForm`] for forms with a `csrf: String` field.
macro_rules! csrf_forms {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::staff::CsrfForm for $t {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
use csrf_forms;

/// A staff form post: the [`StaffCtx`] preamble, then the url-encoded form with its CSRF
/// token checked (a forged or stale token is refused with 403 before the handler runs).
pub struct StaffForm<T>(pub StaffCtx, pub T);

impl<T> FromRequest<AppState> for StaffForm<T>
where
    T: DeserializeOwned + CsrfForm + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<StaffForm<T>, Response> {
        let (mut parts, body) = req.into_parts();
        let ctx = StaffCtx::from_request_parts(&mut parts, st).await?;
        let Form(f) = Form::<T>::from_request(Request::from_parts(parts, body), st)
            .await
            .map_err(IntoResponse::into_response)?;
        ctx.check_csrf(f.csrf())
            .map_err(IntoResponse::into_response)?;
        Ok(StaffForm(ctx, f))
    }
}

// --- Shared parts of the view models --------------------------------------------------------

pub use crate::portal_views::SelectOption;

/// Options of a body select, by code.
fn body_options(bodies: &[Body], selected: impl Fn(&Body) -> bool) -> Vec<SelectOption> {
    bodies
        .iter()
        .map(|b| SelectOption::new(&b.code, &b.name, selected(b)))
        .collect()
}

/// The body (and year) switcher of the per-body pages (`staff/switcher.html`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BodySwitcher {
    pub action: &'static str,
    pub bodies: Vec<SelectOption>,
    /// The year field, on pages of one year.
    pub year: Option<i32>,
}

pub use crate::portal_views::BodyRef;

/// The query of the per-body pages.
#[derive(Deserialize, Default)]
pub(super) struct BodyQuery {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub year: String,
    /// Page of a long list (from 1).
    #[serde(default)]
    pub page: Option<i64>,
}

fn bodies_of(all: &[Body], ids: &[i64]) -> Vec<Body> {
    all.iter()
        .filter(|b| ids.contains(&b.id))
        .cloned()
        .collect()
}

/// Redirect to a body's staff page (optionally for a year) after a form post.
fn back_to(path: &str, body: &Body, year: Option<i32>) -> Response {
    let code = crate::portal::urlencode(&body.code);
    let target = match year {
        Some(y) => format!("{path}?body={code}&year={y}"),
        None => format!("{path}?body={code}"),
    };
    Redirect::to(&target).into_response()
}

pub(crate) fn parse_day(s: &str, field: &str) -> Result<Date, AppError> {
    parse_date(s.trim()).map_err(|_| {
        AppError::BadRequest(format!(
            "「{field}」不是有效日期，应为 YYYY-MM-DD（收到「{}」）",
            s.trim().chars().take(40).collect::<String>()
        ))
    })
}

/// A year parameter, defaulting to this year.
fn year_of(st: &AppState, q: &str) -> i32 {
    q.trim().parse().unwrap_or_else(|_| st.today().year())
}

/// The files of a multipart upload's `file` fields: (name, content type, bytes); empty
/// files are skipped, none at all is refused.
pub(crate) async fn uploaded_files(
    mp: &mut axum::extract::Multipart,
) -> PageResult<Vec<(String, String, Vec<u8>)>> {
    let mut out = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("附件").to_string();
        let ct = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let data = field
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?;
        if !data.is_empty() {
            out.push((name, ct, data.to_vec()));
        }
    }
    if out.is_empty() {
        return Err(AppError::BadRequest("没有收到文件 (no file)".into()));
    }
    Ok(out)
}
