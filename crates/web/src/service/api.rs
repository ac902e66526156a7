//! JSON API of the public 办事指南 (registered in `crate::api`'s route table and OpenAPI
//! document): the same view models as the pages.

use super::views::{
    CatalogueQuery, ServiceCatalogView, ServiceGuideView, catalogue_view, guide_view,
};
use crate::api::{ApiPath, ApiQuery};
use crate::app::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::portal::body_by_code;
use axum::Json;
use axum::extract::State;

/// The OpenAPI tag of these routes.
pub const TAG_SERVICE: &str = "办事指南";

#[utoipa::path(get, path = "/api/v1/bodies/{code}/services", tag = TAG_SERVICE,
    summary = "办事指南目录 (a page of the body's published service items)",
    params(("code" = String, Path, description = "机关代码 (body code)"), CatalogueQuery),
    responses(
        (status = 200, description = "one page of published items, with the filters", body = ServiceCatalogView),
        (status = 400, description = "invalid filter", body = ErrorBody),
        (status = 404, description = "no such body", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
pub async fn services(
    State(st): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<CatalogueQuery>,
) -> ApiResult<Json<ServiceCatalogView>> {
    let body = body_by_code(&st, &code).await?;
    Ok(Json(catalogue_view(&st, &body, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/bodies/{code}/services/{item}", tag = TAG_SERVICE,
    summary = "办事指南 (the published version of a guide)",
    params(
        ("code" = String, Path, description = "机关代码 (body code)"),
        ("item" = String, Path, description = "实施编码 (the item's code)")),
    responses(
        (status = 200, description = "the guide as published, with its display forms", body = ServiceGuideView),
        (status = 404, description = "no such body or published item", body = ErrorBody),
        (status = 500, description = "服务器内部错误 (internal error)", body = ErrorBody)))]
pub async fn service(
    State(st): State<AppState>,
    ApiPath((code, item)): ApiPath<(String, String)>,
) -> ApiResult<Json<ServiceGuideView>> {
    let body = body_by_code(&st, &code).await?;
    Ok(Json(guide_view(&st, &body, &item).await?))
}
