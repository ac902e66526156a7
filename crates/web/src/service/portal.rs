//! The public 办事指南 pages of a body: the catalogue, a guide, its printable A4 view and
//! its 空表/样表 downloads. Only published versions are shown; anything else is a 404.

use super::views::{
    CatalogueQuery, ServiceCatalogView, ServiceGuideView, catalogue_view, guide_view,
};
use crate::app::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, PageResult};
use crate::portal::{body_by_code, download};
use crate::views::{Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "service/catalogue.html")]
struct CataloguePage {
    layout: Layout,
    view: ServiceCatalogView,
}

pub(super) async fn catalogue(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<CatalogueQuery>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let view = catalogue_view(&st, &body, &q).await?;
    render(&CataloguePage {
        layout: Layout::portal(&st, &v, "办事指南", Some(&body.code)),
        view,
    })
}

#[derive(Template)]
#[template(path = "service/guide.html")]
struct GuidePage {
    layout: Layout,
    view: ServiceGuideView,
}

#[derive(Template)]
#[template(path = "service/print.html")]
struct PrintPage {
    view: ServiceGuideView,
}

#[derive(Deserialize, Default)]
pub(super) struct GuideQuery {
    #[serde(default)]
    print: String,
}

pub(super) async fn guide(
    State(st): State<AppState>,
    v: Viewer,
    Path((code, item)): Path<(String, String)>,
    Query(q): Query<GuideQuery>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let view = guide_view(&st, &body, &item).await?;
    if matches!(q.print.as_str(), "1" | "true") {
        return render(&PrintPage { view });
    }
    let title = view.guide.name.clone();
    render(&GuidePage {
        layout: Layout::portal(&st, &v, &title, Some(&body.code)),
        view,
    })
}

pub(super) async fn print(
    State(st): State<AppState>,
    Path((code, item)): Path<(String, String)>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let view = guide_view(&st, &body, &item).await?;
    render(&PrintPage { view })
}

/// A 空表/样表 of a published item (staff who may read the body also get unpublished ones).
pub(super) async fn file(
    State(st): State<AppState>,
    v: Viewer,
    Path((code, item, name)): Path<(String, String, String)>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let not_found = || AppError::NotFound(format!("附件「{name}」"));
    let it = st
        .store
        .service_item_by_code(body.id, &item)
        .await
        .map_err(|_| not_found())?;
    if !it.is_public() {
        let allowed = match &v.staff {
            Some(s) => s.can_read(&st.store, body.id).await?,
            None => false,
        };
        if !allowed {
            return Err(not_found());
        }
    }
    let (meta, data) = st
        .store
        .service_attachment(it.id, &name)
        .await
        .map_err(|_| not_found())?;
    Ok(download(&meta.content_type, &meta.file_name, data))
}

/// `/bodies/{code}/services…` (the API's spelling) leads to the page.
pub(super) async fn redirect_catalogue(Path(code): Path<String>) -> Response {
    Redirect::permanent(&format!("/b/{}/services", crate::portal::urlencode(&code))).into_response()
}

pub(super) async fn redirect_guide(Path((code, item)): Path<(String, String)>) -> Response {
    Redirect::permanent(&super::views::guide_href(&code, &item)).into_response()
}
