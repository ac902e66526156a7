//! JSON API under `/api/v1` (same permissions as the pages) and its OpenAPI document.
//!
//! Every route is registered through [`ApiRoutes`], which records its method and path, so
//! [`api_paths`] is exactly the router's route table; a test checks it against
//! [`openapi_document`] in both directions. Errors are `{"error": code, "message": …}`.
//!
//! State-changing requests (`POST`) carry the caller's CSRF token in the `X-CSRF-Token`
//! header: the anonymous token bound to the `gk_b` browser cookie, or the staff session's
//! token; both are returned by `GET /api/v1/csrf`.

use crate::app::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, AppError};
use crate::portal::{ApplyForm, SearchParams, body_by_code, client_ip, published_report};
use crate::portal_views::{
    BodiesView, CatalogView, DocumentListView, DocumentView, ReportsView, SearchView,
};
use crate::staff::StaffCtx;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Largest JSON request body accepted by the API.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// Page size of document lists.
pub const PAGE_SIZE: i64 = 50;

/// The header carrying the CSRF token of API `POST`s.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A router that records the method and path of each route it registers.
struct ApiRoutes {
    router: Router<AppState>,
    paths: Vec<(&'static str, &'static str)>,
}

impl ApiRoutes {
    fn new() -> ApiRoutes {
        ApiRoutes {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    fn get<H, T>(mut self, path: &'static str, h: H) -> ApiRoutes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, get(h));
        self.paths.push(("get", path));
        self
    }

    fn post<H, T>(mut self, path: &'static str, h: H) -> ApiRoutes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, post(h));
        self.paths.push(("post", path));
        self
    }
}

fn table() -> ApiRoutes {
    ApiRoutes::new()
        .get("/openapi.json", openapi)
        .get("/csrf", csrf)
        .get("/bodies", bodies)
        .get("/bodies/{code}/documents", documents)
        .get("/bodies/{code}/catalog", catalog)
        .get("/bodies/{code}/reports", reports)
        .get("/bodies/{code}/reports/{year}", report)
        .get("/documents/{id}", document)
        .get("/search", search)
        .post("/applications", submit_application)
        .post("/applications/status", application_status)
        .get("/staff/applications", staff_applications)
        .get("/staff/applications/{id}", staff_application)
        .post("/staff/applications/{id}/events", staff_event)
        .get("/staff/reports/{code}/{year}", staff_report)
        .get("/staff/audit", staff_audit)
}

/// The API router (nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    table()
        .router
        .fallback(|| async { ApiError(AppError::NotFound("接口".into())) })
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
}

/// Every `(method, path)` of the API as registered in the router, paths prefixed `/api/v1`.
pub fn api_paths() -> Vec<(&'static str, String)> {
    table()
        .paths
        .into_iter()
        .map(|(m, p)| (m, format!("/api/v1{p}")))
        .collect()
}

/// A JSON error response with an explicit status (for body rejections).
fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": code, "message": message }))).into_response()
}

/// [`Viewer`] with JSON errors.
pub struct ApiViewer(pub Viewer);

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<ApiViewer, ApiError> {
        Ok(ApiViewer(Viewer::from_request_parts(parts, st).await?))
    }
}

impl ApiViewer {
    /// Check the `X-CSRF-Token` header.
    fn check_csrf(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let token = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(self.0.check_csrf(token)?)
    }
}

/// Parse a JSON body, mapping every failure to a JSON error.
#[allow(clippy::result_large_err)]
fn parse_json<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, Response> {
    let bytes = body.map_err(|r| {
        let status = r.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "payload_too_large"
        } else {
            "bad_request"
        };
        json_error(status, code, &r.body_text())
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        json_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            &format!("请求体不是有效的 JSON (invalid JSON body): {e}"),
        )
    })
}

macro_rules! json_body {
    ($b:expr) => {
        match parse_json($b) {
            Ok(v) => v,
            Err(r) => return Ok(r),
        }
    };
}

// --- Public -----------------------------------------------------------------------------

async fn csrf(ApiViewer(v): ApiViewer) -> Json<Value> {
    Json(json!({ "token": v.csrf, "header": "X-CSRF-Token", "staff": v.staff.is_some() }))
}

async fn bodies(State(st): State<AppState>) -> ApiResult<Json<BodiesView>> {
    Ok(Json(crate::portal_views::bodies_view(&st).await?))
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: Option<i64>,
}

async fn documents(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<DocumentListView>> {
    let body = body_by_code(&st, &code).await?;
    let page = q.page.unwrap_or(1);
    Ok(Json(
        crate::portal_views::document_list(&st, &body, None, page, PAGE_SIZE).await?,
    ))
}

async fn document(
    State(st): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<i64>,
) -> ApiResult<Json<DocumentView>> {
    Ok(Json(crate::portal_views::document_view(&st, &v, id).await?))
}

async fn catalog(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<CatalogView>> {
    let body = body_by_code(&st, &code).await?;
    Ok(Json(crate::portal_views::catalog_view(&st, &body).await?))
}

async fn reports(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReportsView>> {
    let body = body_by_code(&st, &code).await?;
    Ok(Json(crate::portal_views::reports_view(&st, &body).await?))
}

#[derive(Deserialize, Default)]
struct VersionQuery {
    #[serde(default)]
    v: Option<i32>,
}

async fn report(
    State(st): State<AppState>,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let year: i32 = year
        .parse()
        .map_err(|_| AppError::BadRequest(format!("年度「{year}」无效 (invalid year)")))?;
    let (r, _) = published_report(&st, &body, year, q.v).await?;
    Ok(Json(r.to_json_value()).into_response())
}

async fn search(
    State(st): State<AppState>,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<SearchView>> {
    let ip = client_ip(&st, &headers, peer);
    Ok(Json(crate::portal_views::search_view(&st, &p, ip).await?))
}

// --- Application desk -------------------------------------------------------------------

/// `POST /applications`: the online form as JSON (`body` is the body's code).
#[derive(Deserialize)]
struct ApplyJson {
    body: String,
    applicant_type: String,
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    request_text: String,
    #[serde(default)]
    delivery: String,
}

async fn submit_application(
    State(st): State<AppState>,
    v: ApiViewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    v.check_csrf(&headers)?;
    let a: ApplyJson = json_body!(body);
    let target = body_by_code(&st, a.body.trim()).await?;
    let ip = client_ip(&st, &headers, peer);
    let form = ApplyForm {
        csrf: String::new(),
        applicant_type: a.applicant_type,
        name: a.name,
        id_number: a.id_number,
        phone: a.phone,
        email: a.email,
        address: a.address,
        request_text: a.request_text,
        delivery: a.delivery,
    };
    match crate::portal_views::submit_online(&st, &target, ip, &form, "网上申请 (API)").await? {
        Ok(receipt) => Ok((StatusCode::CREATED, Json(receipt)).into_response()),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": "invalid",
                "message": errors.join("；"),
                "errors": errors,
            })),
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
struct StatusJson {
    code: String,
    secret: String,
}

async fn application_status(
    State(st): State<AppState>,
    v: ApiViewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    v.check_csrf(&headers)?;
    let q: StatusJson = json_body!(body);
    let ip = client_ip(&st, &headers, peer);
    // The public-safe view of an application (never personal data or the request text).
    match crate::portal_views::application_status(&st, ip, &q.code, &q.secret).await? {
        Some(view) => Ok(Json(view).into_response()),
        None => Err(AppError::NotFound("查询码或密码不正确；申请".into()).into()),
    }
}

// --- Staff ------------------------------------------------------------------------------
//
// The staff routes build the same view models as the staff pages (`crate::staff`), so the
// API and the console cannot drift; only the input parsing and the error shape differ.

/// The staff preamble of the API: a staff session, else a JSON 401.
pub struct ApiStaff(pub StaffCtx);

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<ApiStaff, ApiError> {
        let v = Viewer::from_request_parts(parts, st).await?;
        Ok(ApiStaff(
            StaffCtx::of(st, v).ok_or(ApiError(AppError::Unauthorized))?,
        ))
    }
}

impl ApiStaff {
    /// Check the `X-CSRF-Token` header.
    fn check_csrf(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let token = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(self.0.check_csrf(token)?)
    }
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    closed: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<i64>,
}

async fn staff_applications(
    ApiStaff(ctx): ApiStaff,
    Query(q): Query<QueueQuery>,
) -> ApiResult<Json<crate::staff::QueueView>> {
    let state = match q.state.trim() {
        "" => None,
        other => Some(
            gongkai_ledger::ApplicationState::parse(other).ok_or_else(|| {
                AppError::BadRequest(format!("未知的状态 `{other}` (unknown state)"))
            })?,
        ),
    };
    let filter = crate::staff::QueueFilter {
        body: q.body.trim().to_string(),
        state,
        by_received: q.sort == "received",
        show_closed: q.closed == "1" || q.closed == "true",
        page: q.page.unwrap_or(1),
    };
    Ok(Json(crate::staff::queue_view(&ctx, &filter).await?))
}

async fn staff_audit(
    ApiStaff(ctx): ApiStaff,
    Query(p): Query<crate::staff::AuditParams>,
) -> ApiResult<Json<crate::staff::AuditView>> {
    Ok(Json(crate::staff::audit_view(&ctx, &p).await?))
}

async fn staff_application(
    ApiStaff(ctx): ApiStaff,
    Path(id): Path<i64>,
) -> ApiResult<Json<crate::staff::ApplicationView>> {
    Ok(Json(crate::staff::application_view(&ctx, id).await?))
}

/// A string or a number of an event's JSON (`"days": 20` or `"days": "20"`).
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum StrOrNum {
    Str(String),
    Num(serde_json::Number),
}

impl StrOrNum {
    fn text(v: &Option<StrOrNum>) -> String {
        match v {
            Some(StrOrNum::Str(s)) => s.clone(),
            Some(StrOrNum::Num(n)) => n.to_string(),
            None => String::new(),
        }
    }
}

/// The JSON body of `POST /staff/applications/{id}/events`.
#[derive(Deserialize, Debug)]
struct EventInput {
    kind: String,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    deadline: Option<String>,
    #[serde(default)]
    consultee: Option<String>,
    #[serde(default)]
    days: Option<StrOrNum>,
    #[serde(default)]
    amount: Option<StrOrNum>,
}

fn parse_event_input(raw: Value) -> Result<EventInput, AppError> {
    serde_json::from_value(raw)
        .map_err(|e| AppError::BadRequest(format!("事项字段无效 (invalid event): {e}")))
}

async fn staff_event(
    v: ApiStaff,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    v.check_csrf(&headers)?;
    let ctx = &v.0;
    let raw: Value = json_body!(body);
    let input = parse_event_input(raw)?;
    let days = StrOrNum::text(&input.days);
    let amount = StrOrNum::text(&input.amount);
    let params = crate::staff::EventParams {
        kind: &input.kind,
        outcome: input.outcome.as_deref().unwrap_or(""),
        reference: input.reference.as_deref().unwrap_or(""),
        summary: input.summary.as_deref().unwrap_or(""),
        deadline: input.deadline.as_deref().unwrap_or(""),
        consultee: input.consultee.as_deref().unwrap_or(""),
        days: &days,
        amount: &amount,
    };
    let (app, updated) = crate::staff::record_event(
        ctx,
        id,
        &params,
        input.on.as_deref().unwrap_or(""),
        input.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": app.id,
            "tracking_code": app.tracking_code,
            "state": updated.status.state,
            "state_label": updated.status.state.label_zh(),
            "due_on": updated.due_on.map(gongkai_calendar::format_date),
        })),
    )
        .into_response())
}

async fn staff_report(
    ApiStaff(ctx): ApiStaff,
    Path((code, year)): Path<(String, String)>,
) -> ApiResult<Json<crate::staff::ReportView>> {
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| AppError::BadRequest(format!("年度「{year}」无效 (invalid year)")))?;
    let (view, _) = crate::staff::report_view(&ctx, &code, year).await?;
    Ok(Json(view))
}

// --- OpenAPI ----------------------------------------------------------------------------

fn param(name: &str, location: &str, ty: &str, required: bool, desc: &str) -> Value {
    json!({ "name": name, "in": location, "required": required,
            "schema": { "type": ty }, "description": desc })
}

fn err(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": {
        "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn ok(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "type": "object" } } } })
}

fn csrf_param() -> Value {
    param(
        "X-CSRF-Token",
        "header",
        "string",
        true,
        "CSRF token from GET /api/v1/csrf",
    )
}

fn json_body(required: &[&str], props: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": {
        "type": "object", "required": required, "properties": props } } } })
}

/// The OpenAPI 3.1 document of this API.
pub fn openapi_document() -> Value {
    let code = param("code", "path", "string", true, "机关代码 (body code)");
    let year = param("year", "path", "integer", true, "年度 (year)");
    let id = param("id", "path", "integer", true, "id");
    let staff_note = "工作人员 (staff session cookie `gk_session` required)";
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Gongkai API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "政府信息公开平台 JSON API. Same permissions as the pages: public routes are anonymous; /staff routes need a staff session and a role for the body. Reports use the JSON contract of shared/spec/report-json.md. POST requests need the X-CSRF-Token header (GET /api/v1/csrf). Errors are {\"error\": code, \"message\": text}."
        },
        "components": {
            "schemas": {
                "Error": { "type": "object", "required": ["error", "message"], "properties": {
                    "error": { "type": "string", "description": "stable code: not_found, unauthorized, forbidden, bad_request, invalid, too_many_requests, payload_too_large, conflict, illegal_transition, internal" },
                    "message": { "type": "string" } } }
            },
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": "gk_session" }
            }
        },
        "paths": {
            "/api/v1/openapi.json": { "get": { "summary": "本文档 (this OpenAPI document)",
                "responses": { "200": ok("OpenAPI 3.1") } } },
            "/api/v1/csrf": { "get": { "summary": "CSRF 令牌 (token for the caller's browser cookie or session)",
                "responses": { "200": ok("{token, header, staff}") } } },
            "/api/v1/bodies": { "get": { "summary": "公开主体列表 (bodies)",
                "responses": { "200": ok("{bodies: [{code, name, kind, parent}]}") } } },
            "/api/v1/bodies/{code}/documents": { "get": { "summary": "已发布的政府信息 (published documents)",
                "parameters": [code, param("page", "query", "integer", false, "page, 50 per page")],
                "responses": { "200": ok("{total, page, documents}"), "404": err("no such body") } } },
            "/api/v1/bodies/{code}/catalog": { "get": { "summary": "政务公开标准目录 (standard catalog)",
                "parameters": [code],
                "responses": { "200": ok("{items}"), "404": err("no such body") } } },
            "/api/v1/bodies/{code}/reports": { "get": { "summary": "已发布的年度报告版本 (published report versions)",
                "parameters": [code],
                "responses": { "200": ok("{versions}"), "404": err("no such body") } } },
            "/api/v1/bodies/{code}/reports/{year}": { "get": {
                "summary": "已发布的年度报告 (published annual report, JSON contract)",
                "parameters": [code, year, param("v", "query", "integer", false, "version (default: latest)")],
                "responses": { "200": ok("report (shared/spec/report-json.md)"), "404": err("not published") } } },
            "/api/v1/documents/{id}": { "get": { "summary": "政府信息 (a document; unpublished ones only for staff of a readable body)",
                "parameters": [id],
                "responses": { "200": ok("document with text and attachments"), "404": err("no such published document") } } },
            "/api/v1/search": { "get": {
                "summary": "全文检索 (full-text search)",
                "parameters": [
                    param("q", "query", "string", false, "query text"),
                    param("body", "query", "string", false, "body code (and its subordinates)"),
                    param("domain", "query", "string", false, "领域"),
                    param("year", "query", "string", false, "year"),
                    param("page", "query", "integer", false, "page, 20 hits per page") ],
                "responses": { "200": ok("{total, took_ms, hits}"), "429": err("rate limited") } } },
            "/api/v1/applications": { "post": {
                "summary": "提交依申请公开申请 (submit an application; rate-limited per IP)",
                "parameters": [csrf_param()],
                "requestBody": json_body(&["body", "applicant_type", "name", "request_text"], json!({
                    "body": { "type": "string", "description": "机关代码" },
                    "applicant_type": { "type": "string", "description": "natural_person, commercial, research, social_welfare, legal_service, other_org" },
                    "name": { "type": "string" }, "id_number": { "type": "string" },
                    "phone": { "type": "string" }, "email": { "type": "string" },
                    "address": { "type": "string" }, "request_text": { "type": "string" },
                    "delivery": { "type": "string" } })),
                "responses": { "201": ok("{tracking_code, secret, received_on, due_on}"),
                               "403": err("missing or wrong CSRF token"), "404": err("no such body"),
                               "413": err("body too large"), "422": err("invalid fields"), "429": err("rate limited") } } },
            "/api/v1/applications/status": { "post": {
                "summary": "办理进度查询 (status by tracking code and secret; never personal data)",
                "parameters": [csrf_param()],
                "requestBody": json_body(&["code", "secret"], json!({
                    "code": { "type": "string" }, "secret": { "type": "string" } })),
                "responses": { "200": ok("public status"), "403": err("CSRF"), "404": err("wrong code or secret"), "429": err("rate limited") } } },
            "/api/v1/staff/applications": { "get": {
                "summary": format!("申请办理队列 (applications of readable bodies, with due date and remaining working days) — {staff_note}"),
                "security": [{ "session": [] }],
                "parameters": [
                    param("body", "query", "string", false, "body code"),
                    param("state", "query", "string", false, "state"),
                    param("closed", "query", "string", false, "1 to include closed applications"),
                    param("sort", "query", "string", false, "due (default: least time left first) or received (newest first)"),
                    param("page", "query", "integer", false, "page, 50 per page") ],
                "responses": { "200": ok("{applications, pager: {page, per_page, total}}"), "401": err("not signed in"), "403": err("body not readable") } } },
            "/api/v1/staff/applications/{id}": { "get": {
                "summary": format!("申请详情，含个人信息 (application incl. personal data) — {staff_note}"),
                "security": [{ "session": [] }],
                "parameters": [id],
                "responses": { "200": ok("application"), "401": err("not signed in"), "403": err("body not readable"), "404": err("no such application") } } },
            "/api/v1/staff/applications/{id}/events": { "post": {
                "summary": format!("办理事项 (record an event; clerk; extension_approved needs reviewer) — {staff_note}"),
                "security": [{ "session": [] }],
                "parameters": [id, csrf_param()],
                "requestBody": json_body(&["kind", "on"], json!({
                    "kind": { "type": "string", "description": "decided, correction_requested, corrected, correction_lapsed, consultation_started, consultation_ended, extension_approved, fee_noticed, fee_paid, fee_lapsed, withdrawn" },
                    "on": { "type": "string", "format": "date" }, "note": { "type": "string" },
                    "outcome": { "type": "string", "description": "outcome code (decided)" },
                    "reference": { "type": "string" }, "summary": { "type": "string" },
                    "deadline": { "type": "string", "format": "date" },
                    "consultee": { "type": "string", "description": "third_party or other_agency" },
                    "days": { "type": ["integer", "string"] }, "amount": { "type": ["number", "string"], "description": "元" } })),
                "responses": { "201": ok("new state"), "400": err("invalid event"), "401": err("not signed in"),
                               "403": err("role or CSRF"), "422": err("transition not allowed") } } },
            "/api/v1/staff/audit": { "get": {
                "summary": format!("操作日志 (audit log of readable bodies and the user's own sign-ins, newest first) — {staff_note}"),
                "security": [{ "session": [] }],
                "parameters": [
                    param("body", "query", "string", false, "body code"),
                    param("actor", "query", "string", false, "login"),
                    param("action", "query", "string", false, "kind: application., document., catalog., case., register., report., staff., user., body., import., calendar."),
                    param("from", "query", "string", false, "first day (YYYY-MM-DD, Beijing time)"),
                    param("to", "query", "string", false, "last day (YYYY-MM-DD, Beijing time)"),
                    param("page", "query", "integer", false, "page, 100 per page") ],
                "responses": { "200": ok("{entries, pager: {page, per_page, total}}"), "400": err("bad date"), "401": err("not signed in"), "403": err("body not readable") } } },
            "/api/v1/staff/reports/{code}/{year}": { "get": {
                "summary": format!("年度报告工作区 (report generated live, with rule findings and approval) — {staff_note}"),
                "security": [{ "session": [] }],
                "parameters": [code, year],
                "responses": { "200": ok("{report, findings, approval, published_versions}"), "401": err("not signed in"), "403": err("body not readable") } } }
        }
    })
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_input_takes_strings_or_numbers_and_rejects_nesting() {
        let e = parse_event_input(json!({"kind": "extension_approved", "days": 20, "on": null}))
            .unwrap();
        assert_eq!(StrOrNum::text(&e.days), "20");
        assert!(e.on.is_none());
        let e = parse_event_input(json!({"kind": "fee_noticed", "amount": "12.50"})).unwrap();
        assert_eq!(StrOrNum::text(&e.amount), "12.50");
        assert!(parse_event_input(json!({"kind": ["a"]})).is_err());
        assert!(parse_event_input(json!({"kind": "x", "days": {"n": 1}})).is_err());
        assert!(parse_event_input(json!([1])).is_err());
    }
}
