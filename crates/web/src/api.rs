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
use crate::auth::{Staff, Viewer};
use crate::error::{ApiError, ApiResult, AppError};
use crate::portal::{
    ApplyForm, SearchParams, body_by_code, client_ip, published_report, run_search, validate_apply,
};
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
use gongkai_ledger::{Channel, NewApplication};
use gongkai_store::{ApplicationFilter, DocumentQuery};
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

    fn staff(&self) -> Result<&Staff, ApiError> {
        Ok(self.0.staff()?)
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

async fn bodies(State(st): State<AppState>) -> ApiResult<Json<Value>> {
    let list = st.store.list_bodies().await?;
    Ok(Json(json!({ "bodies": list.iter().map(|b| json!({
        "code": b.code, "name": b.name, "kind": b.kind.as_str(),
        "parent": b.parent_id.and_then(|p| list.iter().find(|x| x.id == p)).map(|p| p.code.clone()),
    })).collect::<Vec<_>>() })))
}

fn document_json(d: &gongkai_ledger::content::PublicDocument, body_code: &str) -> Value {
    let r = &d.record;
    json!({
        "id": d.id,
        "index_number": d.index_number,
        "body": body_code,
        "catalog_item_id": r.catalog_item_id,
        "publisher": r.publisher,
        "written_on": gongkai_calendar::format_date(r.written_on),
        "published_on": d.published_on.map(gongkai_calendar::format_date),
        "published": d.published,
        "doc_number": r.doc_number,
        "topic": r.topic,
        "title": r.title,
        "url": format!("/docs/{}", d.id),
    })
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
) -> ApiResult<Json<Value>> {
    let body = body_by_code(&st, &code).await?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (docs, total) = st
        .store
        .list_public_documents(&DocumentQuery {
            body_id: body.id,
            published_only: true,
            catalog_item_id: None,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
        .await?;
    Ok(Json(json!({
        "body": body.code,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "documents": docs.iter().map(|d| document_json(d, &body.code)).collect::<Vec<_>>(),
    })))
}

async fn document(
    State(st): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let not_found = || ApiError(AppError::NotFound("政府信息".into()));
    let d = match st.store.get_public_document(id).await {
        Ok(d) => d,
        Err(gongkai_store::StoreError::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    if !d.published {
        let allowed = match &v.staff {
            Some(s) => s.can_read(&st.store.list_bodies().await?, d.record.body_id),
            None => false,
        };
        if !allowed {
            return Err(not_found());
        }
    }
    let body = st.store.get_body(d.record.body_id).await?;
    let attachments = st.store.list_attachments(d.id).await?;
    let mut out = document_json(&d, &body.code);
    out["text"] = json!(d.record.text);
    out["attachments"] = json!(
        attachments
            .iter()
            .map(|a| json!({ "id": a.id, "file_name": a.file_name, "url": format!("/attachments/{}", a.id) }))
            .collect::<Vec<_>>()
    );
    Ok(Json(out))
}

async fn catalog(State(st): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Value>> {
    let body = body_by_code(&st, &code).await?;
    let items = st.store.list_catalog(body.id).await?;
    Ok(Json(json!({
        "body": body.code,
        "items": items.iter().map(|i| {
            let r = &i.record;
            json!({
                "id": i.id, "domain": r.domain, "name": r.name, "basis": r.basis,
                "time_limit": r.time_limit, "channel": r.channel, "subject": r.subject,
                "audience": r.audience, "manner": r.manner,
            })
        }).collect::<Vec<_>>(),
    })))
}

async fn reports(State(st): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Value>> {
    let body = body_by_code(&st, &code).await?;
    let versions = st.store.report_versions(body.id, None).await?;
    Ok(Json(json!({
        "body": body.code,
        "versions": versions.iter().map(|v| json!({
            "year": v.year, "version": v.version, "published_at": v.published_at,
            "reason": v.reason,
            "url": format!("/api/v1/bodies/{}/reports/{}?v={}", body.code, v.year, v.version),
        })).collect::<Vec<_>>(),
    })))
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
) -> ApiResult<Json<Value>> {
    let ip = client_ip(&st, &headers, peer);
    let res = run_search(&st, &p, ip).await.map_err(ApiError::from)?;
    Ok(Json(json!({
        "total": res.total,
        "took_ms": res.took_ms,
        "hits": res.hits.iter().map(|h| json!({
            "id": h.id, "title_html": h.title_html, "snippet_html": h.snippet_html,
            "body_code": h.body_code, "body_name": h.body_name, "domain": h.domain,
            "date": h.date, "doc_number": h.doc_number, "url": h.url,
        })).collect::<Vec<_>>(),
    })))
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
    if st.limits.submit.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests.into());
    }
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
    let (applicant_type, personal, text) = match validate_apply(&form) {
        Ok(x) => x,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({
                    "error": "invalid",
                    "message": errors.join("；"),
                    "errors": errors,
                })),
            )
                .into_response());
        }
    };
    let (app, creds) = st
        .store
        .receive_application(
            &NewApplication {
                body_id: target.id,
                applicant_type,
                channel: Channel::Online,
                received_on: st.today(),
                request_text: text,
                personal,
            },
            "online",
            "网上申请 (API)",
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "tracking_code": creds.code,
            "secret": creds.secret,
            "body": target.code,
            "received_on": gongkai_calendar::format_date(app.status.received_on),
            "due_on": app.due_on.map(gongkai_calendar::format_date),
        })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct StatusJson {
    code: String,
    secret: String,
}

/// The public-safe view of an application (never personal data or the request text).
pub fn public_status(
    app: &gongkai_ledger::Application,
    body: &gongkai_ledger::Body,
    events: &[gongkai_ledger::ApplicationEvent],
) -> Value {
    let s = &app.status;
    json!({
        "tracking_code": app.tracking_code,
        "body": body.code,
        "body_name": body.name,
        "received_on": gongkai_calendar::format_date(s.received_on),
        "state": s.state,
        "state_label": s.state.label_zh(),
        "due_on": app.due_on.map(gongkai_calendar::format_date),
        "closed_on": s.closed_on.map(gongkai_calendar::format_date),
        "outcome": s.outcome.map(|o| o.code()),
        "outcome_label": s.outcome.map(|o| o.label()),
        "reply": s.reply.as_ref().map(|r| json!({ "reference": r.reference, "summary": r.summary })),
        "events": events.iter().map(|e| json!({
            "on": gongkai_calendar::format_date(e.on),
            "kind": e.kind.name(),
            "label": e.kind.label_zh(),
        })).collect::<Vec<_>>(),
    })
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
    if st.limits.login.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests.into());
    }
    let Some(app) = st
        .store
        .find_by_tracking(q.code.trim(), q.secret.trim())
        .await?
    else {
        return Err(AppError::NotFound("查询码或密码不正确；申请".into()).into());
    };
    let body = st.store.get_body(app.body_id).await?;
    let events = st.store.application_events(app.id).await?;
    Ok(Json(public_status(&app, &body, &events)).into_response())
}

// --- Staff ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    closed: String,
}

fn remaining_days(st: &AppState, due: Option<time::Date>) -> Option<i64> {
    st.store
        .calendar()
        .working_days_between(st.today(), due?)
        .ok()
}

async fn staff_applications(
    State(st): State<AppState>,
    v: ApiViewer,
    Query(q): Query<QueueQuery>,
) -> ApiResult<Json<Value>> {
    let s = v.staff()?;
    let all = st.store.list_bodies().await?;
    let readable = s.readable_bodies(&all);
    let chosen: Vec<i64> = if q.body.trim().is_empty() {
        readable.clone()
    } else {
        let b = body_by_code(&st, q.body.trim()).await?;
        if !readable.contains(&b.id) {
            return Err(crate::auth::forbidden().into());
        }
        vec![b.id]
    };
    let state = match q.state.trim() {
        "" => None,
        other => Some(
            gongkai_ledger::ApplicationState::parse(other).ok_or_else(|| {
                AppError::BadRequest(format!("未知的状态 `{other}` (unknown state)"))
            })?,
        ),
    };
    let show_closed = q.closed == "1" || q.closed == "true";
    let mut out = Vec::new();
    for id in &chosen {
        let code = all
            .iter()
            .find(|b| b.id == *id)
            .map(|b| b.code.as_str())
            .unwrap_or("");
        for a in st
            .store
            .list_applications(&ApplicationFilter {
                body_id: Some(*id),
                state,
                limit: Some(gongkai_store::MAX_LIST),
                ..Default::default()
            })
            .await?
        {
            let closed = a.status.state.is_closed();
            if closed && !show_closed {
                continue;
            }
            out.push(json!({
                "id": a.id,
                "tracking_code": a.tracking_code,
                "body": code,
                "applicant_type": a.applicant_type.column_key(),
                "channel": a.channel.as_str(),
                "received_on": gongkai_calendar::format_date(a.status.received_on),
                "state": a.status.state,
                "state_label": a.status.state.label_zh(),
                "due_on": a.due_on.map(gongkai_calendar::format_date),
                "remaining_working_days": if closed { None } else { remaining_days(&st, a.due_on) },
                "url": format!("/api/v1/staff/applications/{}", a.id),
            }));
        }
    }
    Ok(Json(json!({ "applications": out })))
}

async fn load_app(
    st: &AppState,
    s: &Staff,
    id: i64,
) -> ApiResult<(gongkai_ledger::Application, Vec<gongkai_ledger::Body>)> {
    let app = match st.store.get_application(id).await {
        Ok(a) => a,
        Err(gongkai_store::StoreError::NotFound { .. }) => {
            return Err(AppError::NotFound("申请".into()).into());
        }
        Err(e) => return Err(e.into()),
    };
    let all = st.store.list_bodies().await?;
    if !s.can_read(&all, app.body_id) {
        return Err(crate::auth::forbidden().into());
    }
    Ok((app, all))
}

async fn staff_application(
    State(st): State<AppState>,
    v: ApiViewer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let s = v.staff()?;
    let (app, all) = load_app(&st, s, id).await?;
    let body = all
        .iter()
        .find(|b| b.id == app.body_id)
        .ok_or_else(|| AppError::NotFound("机关".into()))?;
    let personal = crate::auth::personal_data_for(&st, s, &app).await?;
    let events = st.store.application_events(app.id).await?;
    let clock = app
        .status
        .clock(app.channel, st.store.calendar(), st.today());
    Ok(Json(json!({
        "id": app.id,
        "tracking_code": app.tracking_code,
        "body": body.code,
        "applicant_type": app.applicant_type.column_key(),
        "channel": app.channel.as_str(),
        "request_text": app.request_text,
        "personal_masked": !s.can_read_personal(app.body_id),
        "personal": {
            "name": personal.name, "id_number": personal.id_number, "phone": personal.phone,
            "email": personal.email, "address": personal.address,
        },
        "status": app.status,
        "due_on": app.due_on.map(gongkai_calendar::format_date),
        "clock": match clock {
            Ok(c) => json!({ "working_days": c.working_days, "used": c.used,
                             "remaining": c.remaining, "due": c.due.map(gongkai_calendar::format_date),
                             "steps": c.steps, "warnings": c.warnings }),
            Err(e) => json!({ "error": e.to_string() }),
        },
        "events": events,
        "can_act": s.require_clerk(app.body_id).is_ok(),
        "can_approve_extension": s.require_reviewer(app.body_id).is_ok(),
    })))
}

/// Turn a JSON object of strings and numbers into the form's all-string fields.
fn form_fields(v: Value) -> Result<Value, AppError> {
    let Value::Object(map) = v else {
        return Err(AppError::BadRequest(
            "请求体应为 JSON 对象 (object expected)".into(),
        ));
    };
    let mut out = serde_json::Map::new();
    for (k, v) in map {
        let s = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Null => continue,
            _ => {
                return Err(AppError::BadRequest(format!(
                    "字段「{k}」应为字符串或数字 (field `{k}` must be a string or number)"
                )));
            }
        };
        out.insert(k, Value::String(s));
    }
    Ok(Value::Object(out))
}

async fn staff_event(
    State(st): State<AppState>,
    v: ApiViewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let s = v.staff()?.clone();
    v.check_csrf(&headers)?;
    let raw: Value = json_body!(body);
    let f: crate::staff::EventForm = serde_json::from_value(form_fields(raw)?)
        .map_err(|e| AppError::BadRequest(format!("事项字段无效 (invalid event): {e}")))?;
    let (app, _) = load_app(&st, &s, id).await?;
    s.require_clerk(app.body_id)?;
    let event = crate::staff::event_from_form(&f)?;
    if matches!(event, gongkai_ledger::EventKind::ExtensionApproved { .. }) {
        s.require_reviewer(app.body_id)?;
    }
    let on = crate::staff::parse_day(&f.on, "日期")?;
    let updated = st
        .store
        .apply_event(app.id, &event, on, &s.user.login, f.note.trim())
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
    State(st): State<AppState>,
    v: ApiViewer,
    Path((code, year)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let s = v.staff()?;
    let body = body_by_code(&st, &code).await?;
    let all = st.store.list_bodies().await?;
    if !s.can_read(&all, body.id) {
        return Err(crate::auth::forbidden().into());
    }
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| AppError::BadRequest(format!("年度「{year}」无效 (invalid year)")))?;
    let report = st.store.generate_report(body.id, year).await?;
    let previous = st
        .store
        .report_versions(body.id, Some(year - 1))
        .await?
        .into_iter()
        .next()
        .and_then(|v| gongkai_report::Report::from_json_str(&v.report_json).ok());
    let findings = gongkai_report::check(&report, previous.as_ref());
    let approval = st.store.report_approval(body.id, year).await?;
    let json_text = report.to_json_string();
    let versions = st.store.report_versions(body.id, Some(year)).await?;
    Ok(Json(json!({
        "body": body.code,
        "year": year,
        "report": report.to_json_value(),
        "findings": findings,
        "approval": approval.map(|(j, by, at)| json!({
            "approved_by": by, "approved_at": at, "current": j == json_text,
        })),
        "published_versions": versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        "can_approve": s.require_reviewer(body.id).is_ok(),
    })))
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
                    param("closed", "query", "string", false, "1 to include closed applications") ],
                "responses": { "200": ok("{applications}"), "401": err("not signed in"), "403": err("body not readable") } } },
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
    fn form_fields_stringify_numbers_and_reject_nesting() {
        let v = form_fields(json!({"kind": "extension_approved", "days": 20, "x": null})).unwrap();
        assert_eq!(v, json!({"kind": "extension_approved", "days": "20"}));
        assert!(form_fields(json!({"kind": ["a"]})).is_err());
        assert!(form_fields(json!([1])).is_err());
    }
}
