//! The hall's JSON API (under `/api/v1`, in the OpenAPI document): the display state,
//! taking a ticket, a window's action and the statistics.

use super::public::{refusal, take_request};
use super::views::{
    DisplayState, StatsView, TicketView, display_state, hall_of, stats_view, ticket_view,
};
use crate::api::{ApiJson, ApiPath, ApiQuery, ApiStaff, ApiStaffPost, ApiViewerPost};
use crate::app::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gongkai_store::queue::HallAction;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const TAG_HALL: &str = "政务服务大厅";

/// `POST /bodies/{code}/hall/tickets`: take a ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeInput {
    /// Service code (see the display state's `services`).
    pub service: String,
    /// 优先类别: 普通 (default), 老年人, 残疾人, 军人.
    #[serde(default)]
    pub class: String,
    /// 居民身份证号码 for the one-ID-one-ticket rule (hashed, never stored).
    #[serde(default)]
    pub id_number: String,
    /// Holder's name (only its masked form is stored).
    #[serde(default)]
    pub name: String,
}

/// `POST /staff/hall/{code}/windows/{n}/actions`: a window's action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// `call`, `recall`, `start`, `no_show`, `suspend`, `resume`, `finish`, `redirect`,
    /// `transfer`, `cancel`.
    pub action: String,
    /// Target service of `redirect` and `transfer`.
    #[serde(default)]
    pub service: String,
    /// Ticket id for `resume` and `cancel` (default: the window's current ticket).
    #[serde(default)]
    pub ticket: Option<i64>,
}

/// What a window's action did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionView {
    /// The ticket acted on (`null`: nobody waiting for `call`).
    pub ticket: Option<TicketView>,
    /// The follow-up ticket of a `redirect`.
    pub follow_up: Option<TicketView>,
    /// The announcement of a call.
    pub announcement: Option<String>,
}

/// Date range of the statistics (default: the last 30 days).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    #[serde(default)]
    pub to: String,
}

#[utoipa::path(get, path = "/api/v1/bodies/{code}/hall/display", tag = TAG_HALL,
    summary = "叫号显示屏状态 (the hall display's state)",
    params(("code" = String, Path, description = "机关代码 (body code)")),
    responses(
        (status = 200, description = "waiting per service, windows, recent calls", body = DisplayState),
        (status = 404, description = "no such body or hall", body = ErrorBody)))]
pub(crate) async fn display(
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<DisplayState>> {
    let (body, hall) = hall_of(&st, &code).await?;
    Ok(Json(display_state(&st, &body.code, hall.id).await?))
}

#[utoipa::path(post, path = "/api/v1/bodies/{code}/hall/tickets", tag = TAG_HALL,
    summary = "取号 (take a ticket)",
    params(("code" = String, Path, description = "机关代码 (body code)"),
        ("X-CSRF-Token" = String, Header, description = "CSRF 令牌 (GET /api/v1/csrf)")),
    request_body = TakeInput,
    responses(
        (status = 201, description = "the ticket", body = TicketView),
        (status = 403, description = "missing or wrong X-CSRF-Token", body = ErrorBody),
        (status = 422, description = "refused (e.g. 今日已取过该业务的号)", body = ErrorBody)))]
pub(crate) async fn take(
    State(st): State<AppState>,
    _v: ApiViewerPost,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<TakeInput>,
) -> ApiResult<Response> {
    let (body, hall) = hall_of(&st, &code).await?;
    let req = match take_request(&input.service, &input.class, &input.id_number, &input.name) {
        Ok(r) => r,
        Err(m) => return Ok(refused(m)),
    };
    let t = match st
        .store
        .hall_take(hall.id, &req, st.config.clock.now(), "kiosk")
        .await
    {
        Ok(t) => t,
        Err(e) => return Ok(refused(refusal(e)?)),
    };
    st.hall_hub.notify(hall.id);
    let view = ticket_view(&body.code, &hall, &t.ticket, Some(t.ahead), None);
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

fn refused(m: String) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(ErrorBody {
            error: "invalid".into(),
            message: m,
            errors: None,
            fields: None,
        }),
    )
        .into_response()
}

#[utoipa::path(post, path = "/api/v1/staff/hall/{code}/windows/{n}/actions", tag = TAG_HALL,
    summary = "窗口操作：叫号、重呼、过号、暂离、转移、办结 (a window's action)",
    params(("code" = String, Path, description = "机关代码 (body code)"),
        ("n" = u32, Path, description = "窗口号 (window number)"),
        ("X-CSRF-Token" = String, Header, description = "CSRF 令牌 (GET /api/v1/csrf)")),
    request_body = ActionInput,
    security(("session" = [])),
    responses(
        (status = 200, description = "what the action did", body = ActionView),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "no clerk role for the body, or wrong X-CSRF-Token", body = ErrorBody),
        (status = 422, description = "refused (e.g. the current ticket is not finished)", body = ErrorBody)))]
pub(crate) async fn window_action(
    ApiStaffPost(ctx): ApiStaffPost,
    ApiPath((code, n)): ApiPath<(String, u32)>,
    ApiJson(input): ApiJson<ActionInput>,
) -> ApiResult<Response> {
    let body = ctx.clerk_body(&code).await?;
    let (_, hall) = hall_of(&ctx.st, &body.code).await?;
    let act = HallAction::parse(&input.action, &input.service)
        .ok_or_else(|| AppError::BadRequest(format!("未知操作「{}」", input.action)))?;
    let r = ctx
        .st
        .store
        .hall_action(
            hall.id,
            n,
            &act,
            input.ticket,
            ctx.st.config.clock.now(),
            &ctx.s.user.login,
        )
        .await;
    let out = match r {
        Ok(o) => o,
        Err(e) => return Ok(refused(refusal(e)?)),
    };
    ctx.st.hall_hub.notify(hall.id);
    let view =
        |t: &gongkai_store::queue::StoredTicket| ticket_view(&body.code, &hall, t, None, None);
    let announcement = match act {
        HallAction::CallNext | HallAction::Recall => out
            .ticket
            .as_ref()
            .map(|t| gongkai_ledger::queue::announcement(&t.ticket.number(), n)),
        _ => None,
    };
    Ok(Json(ActionView {
        ticket: out.ticket.as_ref().map(view),
        follow_up: out.follow_up.as_ref().map(view),
        announcement,
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/staff/hall/{code}/stats", tag = TAG_HALL,
    summary = "取号叫号统计 (statistics per service, window and day)",
    params(("code" = String, Path, description = "机关代码 (body code)"), StatsQuery),
    security(("session" = [])),
    responses(
        (status = 200, description = "waiting and service time (median, p90), served, no-shows, ratings", body = StatsView),
        (status = 400, description = "invalid date range", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "no access to the body", body = ErrorBody)))]
pub(crate) async fn stats(
    ApiStaff(ctx): ApiStaff,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsView>> {
    let (body, hall) = hall_of(&ctx.st, &code).await?;
    if !ctx.s.can_read(&ctx.st.store, body.id).await? {
        return Err(crate::auth::forbidden().into());
    }
    let (from, to) = super::staff::range(ctx.today(), &q.from, &q.to)?;
    Ok(Json(stats_view(&ctx.st, &body, &hall, from, to).await?))
}
