//! JSON API under `/api/v1` (same permissions as the pages) and its OpenAPI document.
//!
//! Every route is registered through [`ApiRoutes`], which records its method and path, so
//! [`api_paths`] is exactly the router's route table; a test checks it against
//! [`openapi_document`] in both directions. The document is generated (`utoipa`) from each
//! handler's `#[utoipa::path]` and the types it takes ([`input`]) and returns (the view
//! models). Errors are [`ErrorBody`]: `{"error": code, "message": …}`.
//!
//! State-changing requests (`POST`) carry the caller's CSRF token in the `X-CSRF-Token`
//! header: the anonymous token bound to the `gk_b` browser cookie, or the staff session's
//! token; both are returned by `GET /api/v1/csrf`.

mod doc;
pub mod input;

pub use doc::openapi_document;
pub use input::state_schema;

use crate::app::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, AppError, ErrorBody};
use crate::portal::{body_by_code, client_ip, published_report};
use crate::portal_views::{
    ApplicationStatusView, BodiesView, CatalogView, DocumentListView, DocumentView, ReceiptView,
    ReportsView, SearchView, Submitted,
};
use crate::staff::StaffCtx;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gongkai_ledger::ApplicationState;
use input::{
    ApplyInput, AuditQuery, EventInput, PageQuery, QueueQuery, SearchQuery, StatusInput,
    VersionQuery,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

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
        .get("/bodies/{code}/services", crate::service::api::services)
        .get(
            "/bodies/{code}/services/{item}",
            crate::service::api::service,
        )
        .get("/bodies/{code}/reports", reports)
        .get("/bodies/{code}/reports/{year}", report)
        .get("/documents/{id}", document)
        .get("/search", search)
        .get("/deadline", deadline)
        .post("/applications", submit_application)
        .post("/applications/status", application_status)
        .get("/staff/applications", staff_applications)
        .get("/staff/applications/{id}", staff_application)
        .post("/staff/applications/{id}/events", staff_event)
        .get("/staff/reports/{code}/{year}", staff_report)
        .get("/staff/audit", staff_audit)
        .get("/bodies/{code}/hall/display", crate::hall::api::display)
        .post("/bodies/{code}/hall/tickets", crate::hall::api::take)
        .post(
            "/staff/hall/{code}/windows/{n}/actions",
            crate::hall::api::window_action,
        )
        .get("/staff/hall/{code}/stats", crate::hall::api::stats)
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

// --- Extractors with JSON errors ----------------------------------------------------------

/// [`Viewer`] with JSON errors.
pub struct ApiViewer(pub Viewer);

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<ApiViewer, ApiError> {
        Ok(ApiViewer(Viewer::from_request_parts(parts, st).await?))
    }
}

fn csrf_token(parts: &Parts) -> &str {
    parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The viewer of a `POST`, its `X-CSRF-Token` header checked (before the body is read).
pub struct ApiViewerPost(pub Viewer);

impl FromRequestParts<AppState> for ApiViewerPost {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let v = Viewer::from_request_parts(parts, st).await?;
        v.check_csrf(csrf_token(parts))?;
        Ok(ApiViewerPost(v))
    }
}

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

/// [`ApiStaff`] of a `POST`, its `X-CSRF-Token` header checked (before the body is read).
pub struct ApiStaffPost(pub StaffCtx);

impl FromRequestParts<AppState> for ApiStaffPost {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let ApiStaff(ctx) = ApiStaff::from_request_parts(parts, st).await?;
        ctx.check_csrf(csrf_token(parts))?;
        Ok(ApiStaffPost(ctx))
    }
}

/// A JSON body (whatever its content type) as `T`; failures are JSON errors naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, st: &S) -> Result<ApiJson<T>, ApiError> {
        let bytes = Bytes::from_request(req, st)
            .await
            .map_err(|r: BytesRejection| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest(format!("无法读取请求体 (unreadable body): {r}"))
                }
            })?;
        decode_json(&bytes).map(ApiJson)
    }
}

/// Deserialise a JSON body, with a Chinese message naming the failing field.
pub(crate) fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        json_error_message(&path, e.inner())
    })?;
    de.end().map_err(|e| json_error_message(".", &e))?;
    Ok(value)
}

fn json_error_message(path: &str, e: &serde_json::Error) -> ApiError {
    let full = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    let detail = full.strip_suffix(&at).unwrap_or(&full);
    let field = |prefix: &str| {
        detail
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    let message = if !e.is_data() {
        format!("请求体不是有效的 JSON (invalid JSON body): {full}")
    } else if let Some(f) = field("missing field `") {
        format!("缺少字段「{f}」 (missing field `{f}`)")
    } else if let Some(f) = field("unknown field `") {
        format!("不接受字段「{f}」 (unknown field `{f}`): {detail}")
    } else if path == "." && detail.starts_with("字段「") {
        detail.to_string()
    } else if path == "." {
        format!("请求体无效 (invalid body): {detail}")
    } else {
        format!("字段「{path}」无效 (invalid field `{path}`): {detail}")
    };
    ApiError(AppError::BadRequest(message))
}

/// A query string as `T`; failures are JSON errors naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &S) -> Result<ApiQuery<T>, ApiError> {
        let Query(q) = Query::<T>::from_request_parts(parts, st)
            .await
            .map_err(|r| {
                let detail = std::error::Error::source(&r)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| r.body_text());
                AppError::BadRequest(format!("查询参数无效 (invalid query): {detail}"))
            })?;
        Ok(ApiQuery(q))
    }
}

/// Path parameters as `T`, with JSON errors.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &S) -> Result<ApiPath<T>, ApiError> {
        let Path(p) = Path::<T>::from_request_parts(parts, st)
            .await
            .map_err(|r| AppError::BadRequest(format!("路径无效 (invalid path): {r}")))?;
        Ok(ApiPath(p))
    }
}

// --- Public -----------------------------------------------------------------------------

const TAG_META: &str = "接口";
const TAG_PUBLIC: &str = "政府信息公开";
const TAG_DESK: &str = "依申请公开";
const TAG_STAFF: &str = "工作人员";

/// The OpenAPI document (also [`openapi_document`]).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = TAG_META,
    summary = "本文档 (this OpenAPI document)",
    responses((status = 200, description = "OpenAPI 3.1", body = Object)))]
async fn openapi() -> Json<serde_json::Value> {
    Json(openapi_document())
}

/// `GET /csrf`: the caller's CSRF token.
#[derive(Debug, Serialize, ToSchema)]
pub struct CsrfView {
    /// The token to send in the header.
    pub token: String,
    /// The header's name.
    pub header: &'static str,
    /// Whether the caller has a staff session.
    pub staff: bool,
}

#[utoipa::path(get, path = "/api/v1/csrf", tag = TAG_META,
    summary = "CSRF 令牌 (token for the caller's browser cookie or session)",
    responses(
        (status = 200, description = "the token", body = CsrfView),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn csrf(ApiViewer(v): ApiViewer) -> Json<CsrfView> {
    Json(CsrfView {
        token: v.csrf,
        header: "X-CSRF-Token",
        staff: v.staff.is_some(),
    })
}

#[utoipa::path(get, path = "/api/v1/bodies", tag = TAG_PUBLIC,
    summary = "公开主体列表 (bodies)",
    responses(
        (status = 200, description = "every body, as a tree in pre-order", body = BodiesView),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn bodies(State(st): State<AppState>) -> ApiResult<Json<BodiesView>> {
    Ok(Json(crate::portal_views::bodies_view(&st).await?))
}

#[utoipa::path(get, path = "/api/v1/bodies/{code}/documents", tag = TAG_PUBLIC,
    summary = "已发布的政府信息 (published documents)",
    params(("code" = String, Path, description = "机关代码 (body code)"), PageQuery),
    responses(
        (status = 200, description = "one page of the body's published documents", body = DocumentListView),
        (status = 400, description = "invalid page", body = ErrorBody),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn documents(
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<DocumentListView>> {
    let body = body_by_code(&st, &code).await?;
    let page = q.page.unwrap_or(1);
    Ok(Json(
        crate::portal_views::document_list(&st, &body, None, page, PAGE_SIZE).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = TAG_PUBLIC,
    summary = "政府信息 (a document; unpublished ones only for staff of a readable body)",
    params(("id" = i64, Path, description = "document id")),
    responses(
        (status = 200, description = "the document with its text and attachments", body = DocumentView),
        (status = 400, description = "invalid id", body = ErrorBody),
        (status = 404, description = "no such published document", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn document(
    State(st): State<AppState>,
    ApiViewer(v): ApiViewer,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DocumentView>> {
    Ok(Json(crate::portal_views::document_view(&st, &v, id).await?))
}

#[utoipa::path(get, path = "/api/v1/bodies/{code}/catalog", tag = TAG_PUBLIC,
    summary = "政务公开标准目录 (standard catalog)",
    params(("code" = String, Path, description = "机关代码 (body code)")),
    responses(
        (status = 200, description = "the catalog items with their newest documents", body = CatalogView),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn catalog(
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<CatalogView>> {
    let body = body_by_code(&st, &code).await?;
    Ok(Json(crate::portal_views::catalog_view(&st, &body).await?))
}

#[utoipa::path(get, path = "/api/v1/bodies/{code}/reports", tag = TAG_PUBLIC,
    summary = "已发布的年度报告版本 (published report versions)",
    params(("code" = String, Path, description = "机关代码 (body code)")),
    responses(
        (status = 200, description = "the published versions, newest first", body = ReportsView),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn reports(
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<ReportsView>> {
    let body = body_by_code(&st, &code).await?;
    Ok(Json(crate::portal_views::reports_view(&st, &body).await?))
}

/// A published annual report in the JSON contract (`shared/spec/report-json.md`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ReportJson(pub serde_json::Value);

/// A year of the path (the handlers check it, so a bad one is a JSON 400).
fn path_year(year: &str) -> Result<i32, AppError> {
    year.parse()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| AppError::BadRequest(format!("年度「{year}」无效 (invalid year)")))
}

#[utoipa::path(get, path = "/api/v1/bodies/{code}/reports/{year}", tag = TAG_PUBLIC,
    summary = "已发布的年度报告 (published annual report, JSON contract)",
    params(
        ("code" = String, Path, description = "机关代码 (body code)"),
        ("year" = i32, Path, description = "年度 (year)"),
        VersionQuery),
    responses(
        (status = 200, description = "the report (shared/spec/report-json.md)", body = ReportJson),
        (status = 400, description = "invalid year or version", body = ErrorBody),
        (status = 404, description = "not published", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn report(
    State(st): State<AppState>,
    ApiPath((code, year)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<Json<ReportJson>> {
    let body = body_by_code(&st, &code).await?;
    let year = path_year(&year)?;
    let (r, _) = published_report(&st, &body, year, q.v).await?;
    Ok(Json(ReportJson(r.to_json_value())))
}

#[utoipa::path(get, path = "/api/v1/search", tag = TAG_PUBLIC,
    summary = "全文检索 (full-text search; rate-limited per IP)",
    params(SearchQuery),
    responses(
        (status = 200, description = "one page of hits", body = SearchView),
        (status = 400, description = "invalid parameter", body = ErrorBody),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 429, description = "rate limited", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn search(
    State(st): State<AppState>,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchView>> {
    let ip = client_ip(&st, &headers, peer);
    Ok(Json(crate::portal_views::search_view(&st, &q, ip).await?))
}

#[utoipa::path(get, path = "/api/v1/deadline", tag = TAG_DESK,
    summary = "答复期限计算器 (the statutory reply deadline, explained step by step)",
    params(crate::deadline::DeadlineQuery),
    responses(
        (status = 200, description = "the deadline, the days used and left, each step", body = crate::deadline::DeadlineResult),
        (status = 422, description = "a refused field (every message in `message`)", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn deadline(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<crate::deadline::DeadlineQuery>,
) -> ApiResult<Json<crate::deadline::DeadlineResult>> {
    Ok(Json(crate::deadline::api_result(&st, &q)?))
}

// --- Application desk -------------------------------------------------------------------

#[utoipa::path(post, path = "/api/v1/applications", tag = TAG_DESK,
    summary = "提交依申请公开申请 (submit an application; rate-limited per IP)",
    params(("X-CSRF-Token" = String, Header, description = "CSRF 令牌 (GET /api/v1/csrf)"),
        ("Idempotency-Key" = Option<String>, Header, description = "同一键的重复请求只受理一次，返回首次的回执 (a retried request with the same key files one application; kept 24 hours)")),
    request_body = ApplyInput,
    responses(
        (status = 201, description = "received: the credentials to look the application up", body = ReceiptView),
        (status = 200, description = "replayed: the same Idempotency-Key and fields were received before; the first receipt (header Idempotent-Replayed: true)", body = ReceiptView),
        (status = 400, description = "invalid JSON", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 422, description = "invalid fields (every message in `errors`, by field in `fields`), or an Idempotency-Key reused with other fields", body = ErrorBody),
        (status = 429, description = "rate limited", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn submit_application(
    State(st): State<AppState>,
    _v: ApiViewerPost,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    ApiJson(a): ApiJson<ApplyInput>,
) -> ApiResult<Response> {
    let target = body_by_code(&st, a.body.trim()).await?;
    let ip = client_ip(&st, &headers, peer);
    let form = a.into_form();
    // Without an Idempotency-Key every request is its own submission.
    let key = match headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::trim))
    {
        None => format!("once:{}", crate::portal_views::new_form_token()),
        Some(Ok(k)) if !k.is_empty() && k.len() <= 200 => format!("api:{k}"),
        Some(_) => {
            return Err(AppError::BadRequest(
                "Idempotency-Key 应为1至200个可见字符 (invalid Idempotency-Key)".into(),
            )
            .into());
        }
    };
    match crate::portal_views::submit_online(&st, &target, ip, &form, "网上申请 (API)", &key)
        .await?
    {
        Submitted::Received {
            receipt,
            replayed: false,
        } => Ok((StatusCode::CREATED, Json(receipt)).into_response()),
        Submitted::Received {
            receipt,
            replayed: true,
        } => Ok((
            StatusCode::OK,
            [("idempotent-replayed", "true")],
            Json(receipt),
        )
            .into_response()),
        Submitted::KeyReused => Err(AppError::Unprocessable(
            "该 Idempotency-Key 已用于另一份内容不同的申请 (Idempotency-Key reused with other fields)"
                .into(),
        )
        .into()),
        Submitted::Invalid(errors) => {
            let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(ErrorBody {
                    error: "invalid".into(),
                    message: messages.join("；"),
                    errors: Some(messages),
                    fields: Some(errors),
                }),
            )
                .into_response())
        }
    }
}

#[utoipa::path(post, path = "/api/v1/applications/status", tag = TAG_DESK,
    summary = "办理进度查询 (status by tracking code and secret; never personal data)",
    params(("X-CSRF-Token" = String, Header, description = "CSRF 令牌 (GET /api/v1/csrf)")),
    request_body = StatusInput,
    responses(
        (status = 200, description = "the public status", body = ApplicationStatusView),
        (status = 400, description = "invalid JSON", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "wrong code or secret", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 429, description = "rate limited", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn application_status(
    State(st): State<AppState>,
    _v: ApiViewerPost,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    ApiJson(q): ApiJson<StatusInput>,
) -> ApiResult<Json<ApplicationStatusView>> {
    let ip = client_ip(&st, &headers, peer);
    // The public-safe view of an application (never personal data or the request text).
    match crate::portal_views::application_status(&st, ip, &q.code, &q.secret).await? {
        Some(view) => Ok(Json(view)),
        None => Err(AppError::NotFound("查询码或密码不正确；申请".into()).into()),
    }
}

// --- Staff ------------------------------------------------------------------------------
//
// The staff routes build the same view models as the staff pages (`crate::staff`), so the
// API and the console cannot drift; only the input parsing and the error shape differ.

#[utoipa::path(get, path = "/api/v1/staff/applications", tag = TAG_STAFF,
    summary = "申请办理队列 (applications of readable bodies, with due date and remaining working days)",
    security(("session" = [])),
    params(QueueQuery),
    responses(
        (status = 200, description = "one page of the queue", body = crate::staff::QueueView),
        (status = 400, description = "invalid filter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "body not readable", body = ErrorBody),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn staff_applications(
    ApiStaff(ctx): ApiStaff,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<crate::staff::QueueView>> {
    Ok(Json(crate::staff::queue_view(&ctx, &q.into()).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/audit", tag = TAG_STAFF,
    summary = "操作日志 (audit log of readable bodies and the user's own sign-ins, newest first)",
    security(("session" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "one page of the log", body = crate::staff::AuditView),
        (status = 400, description = "invalid date or page", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "body not readable", body = ErrorBody),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn staff_audit(
    ApiStaff(ctx): ApiStaff,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<crate::staff::AuditView>> {
    Ok(Json(crate::staff::audit_view(&ctx, &q.into()).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/applications/{id}", tag = TAG_STAFF,
    summary = "申请详情，含个人信息 (application incl. personal data; the read is audited)",
    security(("session" = [])),
    params(("id" = i64, Path, description = "application id")),
    responses(
        (status = 200, description = "the application", body = crate::staff::ApplicationView),
        (status = 400, description = "invalid id", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "body not readable", body = ErrorBody),
        (status = 404, description = "no such application", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn staff_application(
    ApiStaff(ctx): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<crate::staff::ApplicationView>> {
    Ok(Json(crate::staff::application_view(&ctx, id).await?))
}

/// `POST /staff/applications/{id}/events`: the application after the transition.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventRecorded {
    pub id: i64,
    pub tracking_code: String,
    #[schema(schema_with = state_schema)]
    pub state: ApplicationState,
    pub state_label: &'static str,
    /// The statutory due date after the transition.
    pub due_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/staff/applications/{id}/events", tag = TAG_STAFF,
    summary = "办理事项 (record an event; clerk; extension_approved needs a reviewer)",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = "application id"),
        ("X-CSRF-Token" = String, Header, description = "CSRF 令牌 (GET /api/v1/csrf)")),
    request_body = EventInput,
    responses(
        (status = 201, description = "recorded: the new state", body = EventRecorded),
        (status = 400, description = "invalid event", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "role or CSRF token", body = ErrorBody),
        (status = 404, description = "no such application", body = ErrorBody),
        (status = 409, description = "changed concurrently", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 422, description = "transition not allowed in the application's state", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn staff_event(
    ApiStaffPost(ctx): ApiStaffPost,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Response> {
    let transition = input.into_transition()?;
    let (app, updated) = crate::staff::record_event(&ctx, id, &transition).await?;
    let recorded = EventRecorded {
        id: app.id,
        tracking_code: app.tracking_code,
        state: updated.status.state,
        state_label: updated.status.state.label_zh(),
        due_on: updated.due_on.map(gongkai_calendar::format_date),
    };
    Ok((StatusCode::CREATED, Json(recorded)).into_response())
}

#[utoipa::path(get, path = "/api/v1/staff/reports/{code}/{year}", tag = TAG_STAFF,
    summary = "年度报告工作区 (report generated live, with rule findings and approval)",
    security(("session" = [])),
    params(
        ("code" = String, Path, description = "机关代码 (body code)"),
        ("year" = i32, Path, description = "年度 (year)")),
    responses(
        (status = 200, description = "the workspace", body = crate::staff::ReportView),
        (status = 400, description = "invalid year", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "body not readable", body = ErrorBody),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
async fn staff_report(
    ApiStaff(ctx): ApiStaff,
    ApiPath((code, year)): ApiPath<(String, String)>,
) -> ApiResult<Json<crate::staff::ReportView>> {
    let (view, _) = crate::staff::report_view(&ctx, &code, path_year(&year)?).await?;
    Ok(Json(view))
}
