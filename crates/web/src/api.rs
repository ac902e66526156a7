//! JSON API under `/api/v1` (same permissions as the pages) and its OpenAPI document.

use crate::app::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::portal::{SearchParams, body_by_code, client_ip, published_report, run_search};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/bodies", get(bodies))
        .route("/bodies/{code}/reports/{year}", get(report))
        .route("/search", get(search))
}

async fn bodies(State(st): State<AppState>) -> ApiResult<Json<Value>> {
    let list = st.store.list_bodies().await?;
    Ok(Json(json!({ "bodies": list.iter().map(|b| json!({
        "code": b.code, "name": b.name, "kind": b.kind.as_str(),
        "parent": b.parent_id.and_then(|p| list.iter().find(|x| x.id == p)).map(|p| p.code.clone()),
    })).collect::<Vec<_>>() })))
}

#[derive(serde::Deserialize, Default)]
struct VersionQuery {
    #[serde(default)]
    v: Option<i32>,
}

async fn report(
    State(st): State<AppState>,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let (r, _) = published_report(&st, &body, year, q.v).await?;
    Ok(Json(r.to_json_value()).into_response())
}

async fn search(
    State(st): State<AppState>,
    _v: Viewer,
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

/// The OpenAPI 3.1 document of this API.
pub fn openapi_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Gongkai API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "政府信息公开平台 JSON API. Reports use the JSON contract of shared/spec/report-json.md." },
        "paths": {
            "/api/v1/bodies": { "get": { "summary": "公开主体列表 (bodies)", "responses": { "200": { "description": "bodies" } } } },
            "/api/v1/bodies/{code}/reports/{year}": { "get": {
                "summary": "已发布的年度报告 (published annual report, JSON contract)",
                "parameters": [
                    { "name": "code", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "v", "in": "query", "required": false, "schema": { "type": "integer" } } ],
                "responses": { "200": { "description": "report" }, "404": { "description": "not published" } } } },
            "/api/v1/search": { "get": {
                "summary": "全文检索 (full-text search)",
                "parameters": [
                    { "name": "q", "in": "query", "schema": { "type": "string" } },
                    { "name": "body", "in": "query", "schema": { "type": "string" } },
                    { "name": "domain", "in": "query", "schema": { "type": "string" } },
                    { "name": "year", "in": "query", "schema": { "type": "string" } },
                    { "name": "page", "in": "query", "schema": { "type": "integer" } } ],
                "responses": { "200": { "description": "hits" }, "429": { "description": "rate limited" } } } }
        }
    })
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}
