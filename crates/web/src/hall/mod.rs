//! The service hall's window queue (取号、叫号、评价) on the web: the kiosk
//! (`/bodies/{code}/hall/kiosk`: take a ticket by service, by ID number or by appointment
//! code; rate a finished ticket), the printable ticket page, appointments, the hall display
//! and the window displays (live over server-sent events, with speech), the staff window
//! page (`/staff/hall`) and statistics (`/staff/hall/stats`, CSV). The JSON API is in
//! [`api`]; the live fan-out in [`hub`].
//!
//! Every write goes through the store (one transaction with its history and audit row);
//! after it committed, the handler marks the hall dirty in the [`hub::Hub`], whose task sends
//! the new display state to every connected display.

pub mod api;
pub mod demo;
pub mod hub;
mod public;
mod staff;
pub mod views;

use crate::app::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use hub::Hub;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/hall.js", get(script))
        .route(
            "/bodies/{code}/hall/kiosk",
            get(public::kiosk).post(public::take),
        )
        .route("/bodies/{code}/hall/kiosk/checkin", post(public::check_in))
        .route("/bodies/{code}/hall/kiosk/rate", post(public::kiosk_rate))
        .route("/bodies/{code}/hall/tickets/{id}", get(public::ticket))
        .route(
            "/bodies/{code}/hall/tickets/{id}/rate",
            get(public::rate_form).post(public::rate),
        )
        .route(
            "/bodies/{code}/hall/appointments",
            get(public::appointments).post(public::book),
        )
        .route("/bodies/{code}/hall/appointments/done", get(public::booked))
        .route("/bodies/{code}/hall/display", get(public::display))
        .route("/bodies/{code}/hall/events", get(public::events))
        .route(
            "/bodies/{code}/hall/windows/{n}/display",
            get(public::window_display),
        )
        .route("/staff/hall", get(staff::window_page))
        .route("/staff/hall/action", post(staff::action))
        .route("/staff/hall/stats", get(staff::stats))
        .route("/staff/hall/stats.csv", get(staff::stats_csv))
}

const SCRIPT: &str = include_str!("../../static/hall.js");

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The displays run one script of this site (live updates and speech); every other page
/// keeps `script-src 'none'`.
pub(crate) fn with_script_csp(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    res
}
