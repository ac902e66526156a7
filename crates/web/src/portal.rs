//! The public portal and the online application desk. Nothing here shows applicants'
//! personal data: applications are only reachable with their tracking code and secret, and
//! their pages show state, dates and the public reply summary.
//!
//! Every page is an askama template (`templates/portal/`) over a view model of
//! [`crate::portal_views`], which the JSON API serves too.

use crate::app::AppState;
use crate::auth::{Viewer, cookie};
use crate::error::{AppError, PageResult};
use crate::portal_views::{
    ApplicationStatusView, ApplyFormView, BodiesView, BodyHomeView, BodyRef, CatalogView,
    DocumentListView, DocumentView, GuideView, ReceiptView, ReportsView, SearchPageView,
    StatusFormView, Submitted,
};
use crate::security::LARGE_TEXT_COOKIE;
use crate::views::{Layout, Pager, render};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_ledger::{ApplicantType, Body, PersonalData};
use gongkai_report::{HtmlOptions, Report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/b/{code}", get(body_home))
        .route("/b/{code}/guide", get(guide))
        .route("/b/{code}/catalog", get(catalog))
        .route("/b/{code}/docs", get(documents))
        .route("/docs/{id}", get(document))
        .route("/attachments/{id}", get(attachment))
        .route("/search", get(search))
        .route("/b/{code}/reports", get(reports))
        .route("/b/{code}/reports/{year}", get(report_page))
        .route("/b/{code}/apply", get(apply_form).post(apply_submit))
        .route("/b/{code}/apply/receipt/{token}", get(apply_receipt))
        .route("/status", get(status_form).post(status_lookup))
        .route("/deadline", get(crate::deadline::page))
}

pub async fn body_by_code(st: &AppState, code: &str) -> PageResult<Body> {
    st.store
        .get_body_by_code(code)
        .await
        .map_err(|e| body_error(code, e))
}

/// A body lookup's error: an unknown code is a 404 naming it.
fn body_error(code: &str, e: gongkai_store::StoreError) -> AppError {
    match e {
        gongkai_store::StoreError::NotFound { .. } => AppError::NotFound(format!("机关「{code}」")),
        e => e.into(),
    }
}

/// Client address for rate limits and logs (see [`crate::security::client_addr`]).
pub fn client_ip(st: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> std::net::IpAddr {
    crate::security::client_addr(&st.config.trusted_proxies, headers, peer)
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    layout: Layout,
    view: BodiesView,
}

async fn home(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    let view = crate::portal_views::bodies_view(&st).await?;
    render(&HomePage {
        layout: Layout::portal(&st, &v, "首页", None),
        view,
    })
}

#[derive(Template)]
#[template(path = "portal/body_home.html")]
struct BodyHomePage {
    layout: Layout,
    view: BodyHomeView,
}

async fn body_home(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let view = crate::portal_views::body_home_view(&st, &body).await?;
    render(&BodyHomePage {
        layout: Layout::portal(&st, &v, &body.name, Some(&body.code)),
        view,
    })
}

#[derive(Template)]
#[template(path = "portal/guide.html")]
struct GuidePage {
    layout: Layout,
    view: GuideView,
}

async fn guide(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let g = st.store.get_guide(body.id).await?.unwrap_or_default();
    render(&GuidePage {
        layout: Layout::portal(&st, &v, "政府信息公开指南", Some(&body.code)),
        view: GuideView::new(&body, g),
    })
}

/// The catalog's content, rendered once per content version into the fragment cache.
#[derive(Template)]
#[template(path = "portal/catalog_inner.html")]
struct CatalogFragment {
    view: CatalogView,
}

#[derive(Template)]
#[template(path = "portal/catalog.html")]
struct CatalogPage {
    layout: Layout,
    /// [`CatalogFragment`] rendered (auto-escaped by askama), from the fragment cache.
    catalog_html: std::sync::Arc<str>,
}

async fn catalog(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    // The version is read before the content, so a concurrent change only forces a re-render.
    let (body, version) = st
        .store
        .body_with_content_version(&code)
        .await
        .map_err(|e| body_error(&code, e))?;
    let catalog_html = match st.fragments.get("catalog", &body, version) {
        Some(html) => html,
        None => {
            let view = crate::portal_views::catalog_view(&st, &body).await?;
            let html = CatalogFragment { view }
                .render()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            st.fragments.put("catalog", &body, version, html)
        }
    };
    render(&CatalogPage {
        layout: Layout::portal(&st, &v, "标准目录", Some(&body.code)),
        catalog_html,
    })
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub page: Option<i64>,
    /// Only the documents of this catalog item.
    #[serde(default)]
    pub item: Option<i64>,
}

/// Documents per page of the public list.
const PAGE_SIZE: i64 = 20;

#[derive(Template)]
#[template(path = "portal/documents.html")]
struct DocumentsPage {
    layout: Layout,
    view: DocumentListView,
    pager: Pager,
}

async fn documents(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    // A catalog item's documents: the item must be this body's.
    let item = match q.item {
        Some(id) => match st.store.get_catalog_item(id).await {
            Ok(i) if i.record.body_id == body.id => Some(i),
            Ok(_) | Err(gongkai_store::StoreError::NotFound { .. }) => {
                return Err(AppError::NotFound("标准目录事项".into()));
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let view = crate::portal_views::document_list(
        &st,
        &body,
        item.as_ref(),
        q.page.unwrap_or(1),
        PAGE_SIZE,
    )
    .await?;
    let item_param = item.map(|i| format!("item={}&", i.id)).unwrap_or_default();
    let pager = Pager::new(
        format!("/b/{}/docs?{item_param}page=", body.code),
        view.page,
        PAGE_SIZE,
        view.total,
    );
    render(&DocumentsPage {
        layout: Layout::portal(&st, &v, "政府信息", Some(&body.code)),
        view,
        pager,
    })
}

#[derive(Template)]
#[template(path = "portal/document.html")]
struct DocumentPage {
    layout: Layout,
    view: DocumentView,
}

async fn document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let view = crate::portal_views::document_view(&st, &v, id).await?;
    render(&DocumentPage {
        layout: Layout::portal(&st, &v, &view.document.title, Some(&view.document.body)),
        view,
    })
}

async fn attachment(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let (meta, data) = st.store.get_attachment(id).await?;
    let d = st.store.get_public_document(meta.document_id).await?;
    if !d.published {
        let allowed = match &v.staff {
            Some(s) => s.can_read(&st.store, d.record.body_id).await?,
            None => false,
        };
        if !allowed {
            return Err(AppError::NotFound("附件".into()));
        }
    }
    Ok(download(&meta.content_type, &meta.file_name, data))
}

/// A file download response with a UTF-8 file name.
pub fn download(content_type: &str, file_name: &str, data: Vec<u8>) -> Response {
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let ct = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let cd = HeaderValue::from_str(&format!(
        "attachment; filename=\"download\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_DISPOSITION, cd),
        ],
        data,
    )
        .into_response()
}

pub use crate::api::input::SearchQuery;

/// Run a search for the portal or the API (rate-limited per client).
pub async fn run_search(
    st: &AppState,
    p: &SearchQuery,
    ip: std::net::IpAddr,
) -> PageResult<gongkai_search::SearchResults> {
    if st.limits.search.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let mut q = gongkai_search::Query::text(p.q.chars().take(200).collect::<String>());
    if !p.body.trim().is_empty() {
        let root = body_by_code(st, p.body.trim()).await?;
        q.body_codes = st
            .store
            .bodies_under(&[root.id])
            .await?
            .into_iter()
            .map(|b| b.code)
            .collect();
    }
    if !p.domain.trim().is_empty() {
        q.domain = Some(p.domain.trim().to_string());
    }
    q.year = p.year.trim().parse().ok();
    q.kind = gongkai_search::DocKind::parse(p.kind.trim());
    q.limit = 20;
    q.offset = (p.page.unwrap_or(1).clamp(1, 500) - 1) * 20;
    let search = st.search.clone();
    tokio::task::spawn_blocking(move || search.search(&q))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(e.to_string()))
}

#[derive(Template)]
#[template(path = "portal/search.html")]
struct SearchPage {
    layout: Layout,
    view: SearchPageView,
}

async fn search(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    Query(p): Query<SearchQuery>,
) -> PageResult<Response> {
    let bodies = st.store.list_bodies().await?;
    let results = if !p.q.trim().is_empty()
        || !p.body.is_empty()
        || !p.domain.is_empty()
        || !p.year.is_empty()
        || !p.kind.is_empty()
    {
        let ip = client_ip(&st, &headers, peer);
        Some(crate::portal_views::search_view(&st, &p, ip).await?)
    } else {
        None
    };
    let next_href = results.as_ref().filter(|r| r.has_next()).map(|r| {
        format!(
            "/search?q={}&body={}&domain={}&year={}&kind={}&page={}",
            urlencode(&p.q),
            urlencode(&p.body),
            urlencode(&p.domain),
            urlencode(&p.year),
            urlencode(&p.kind),
            r.page + 1
        )
    });
    render(&SearchPage {
        layout: Layout::portal(&st, &v, "全文检索", None),
        view: SearchPageView::new(&p, &bodies, results, next_href),
    })
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The subordinates' comparison on an oversight level's reports page.
struct SiblingsChart {
    year: i32,
    /// SVG drawn by `gongkai_export::charts` (every text in it escaped there).
    svg: String,
}

#[derive(Template)]
#[template(path = "portal/reports.html")]
struct ReportsPage {
    layout: Layout,
    view: ReportsView,
    chart: Option<SiblingsChart>,
}

async fn reports(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let view = crate::portal_views::reports_view(&st, &body).await?;
    let chart = subordinates_chart(&st, &body).await?;
    render(&ReportsPage {
        layout: Layout::portal(&st, &v, "年度报告", Some(&body.code)),
        view,
        chart,
    })
}

/// For an oversight level: its direct subordinate bodies side by side, on the latest year for
/// which at least two of them have published a report.
async fn subordinates_chart(st: &AppState, body: &Body) -> PageResult<Option<SiblingsChart>> {
    let children: Vec<Body> = st
        .store
        .bodies_under(&[body.id])
        .await?
        .into_iter()
        .filter(|b| b.parent_id == Some(body.id))
        .collect();
    if children.len() < 2 {
        return Ok(None);
    }
    let mut by_year: BTreeMap<i32, Vec<Report>> = BTreeMap::new();
    for child in &children {
        for ver in st.store.report_versions(child.id, None).await? {
            let list = by_year.entry(ver.year).or_default();
            // Versions come newest first: keep the latest version of each year.
            if !list.iter().any(|r| r.body == child.name)
                && let Ok(r) = Report::from_json_str(&ver.report_json)
            {
                list.push(r);
            }
        }
    }
    Ok(by_year
        .into_iter()
        .rev()
        .find(|(_, r)| r.len() >= 2)
        .map(|(year, reports)| SiblingsChart {
            year,
            svg: gongkai_export::charts::siblings_svg(&reports),
        }))
}

#[derive(Deserialize, Default)]
pub struct ReportParams {
    #[serde(default)]
    pub v: Option<i32>,
    #[serde(default, rename = "as")]
    pub as_: Option<String>,
}

/// The published version `v` (default: the latest) of a body's report for a year.
pub async fn published_report(
    st: &AppState,
    body: &Body,
    year: i32,
    v: Option<i32>,
) -> PageResult<(Report, gongkai_ledger::content::ReportVersion)> {
    let versions = st.store.report_versions(body.id, Some(year)).await?;
    let ver = match v {
        Some(n) => versions.into_iter().find(|x| x.version == n),
        None => versions.into_iter().next(),
    }
    .ok_or_else(|| AppError::NotFound(format!("{year}年度报告")))?;
    let report = Report::from_json_str(&ver.report_json)
        .map_err(|e| AppError::Internal(format!("stored report: {e}")))?;
    Ok((report, ver))
}

/// Trend charts over the body's published years up to `year`.
pub async fn trend_figures(
    st: &AppState,
    body: &Body,
    year: i32,
) -> PageResult<Vec<(String, String)>> {
    let mut series: BTreeMap<i32, Report> = BTreeMap::new();
    for ver in st.store.report_versions(body.id, None).await? {
        if ver.year <= year
            && !series.contains_key(&ver.year)
            && let Ok(r) = Report::from_json_str(&ver.report_json)
        {
            series.insert(ver.year, r);
        }
    }
    if series.len() < 2 {
        return Ok(Vec::new());
    }
    let reports: Vec<Report> = series.into_values().collect();
    Ok(vec![(
        format!("{}历年依申请公开情况", body.name),
        gongkai_export::charts::trend_svg(&reports),
    )])
}

async fn report_page(
    State(st): State<AppState>,
    Path((code, year)): Path<(String, String)>,
    Query(p): Query<ReportParams>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let year: i32 = year
        .trim_end_matches(".html")
        .parse()
        .map_err(|_| AppError::NotFound("年度报告".into()))?;
    let (report, ver) = published_report(&st, &body, year, p.v).await?;
    match p.as_.as_deref() {
        None | Some("html") => {
            let figures = trend_figures(&st, &body, year).await?;
            let mut html = gongkai_report::render_html(
                &report,
                &HtmlOptions {
                    figures,
                    fragment: false,
                },
            );
            let banner = ReportBanner {
                body: (&body).into(),
                version: ver.version,
                reason: ver.reason.clone(),
            }
            .render()
            .map_err(|e| AppError::Internal(e.to_string()))?;
            // The banner (a template) opens the page's body.
            const BODY_OPEN: &str = "<body>\n";
            if let Some(at) = html.find(BODY_OPEN) {
                html.insert_str(at + BODY_OPEN.len(), &banner);
            }
            Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
        }
        Some("json") => Ok((
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            report.to_json_string(),
        )
            .into_response()),
        Some(f) => {
            let fmt = gongkai_export::ExportFormat::parse(f)
                .ok_or_else(|| AppError::BadRequest(format!("未知的下载格式 `{f}`")))?;
            let font_dir = st.config.font_dir.clone();
            let r2 = report.clone();
            let bytes = tokio::task::spawn_blocking(move || {
                // Fonts are loaded once per process (about 100 MB of CJK faces).
                static CONFIGURED: std::sync::OnceLock<gongkai_export::pdf::FontSet> =
                    std::sync::OnceLock::new();
                let fonts = match (fmt, font_dir) {
                    (gongkai_export::ExportFormat::Pdf, Some(dir)) => {
                        Some(match CONFIGURED.get() {
                            Some(f) => f,
                            None => {
                                let f = gongkai_export::pdf::FontSet::load_dirs(&[dir])?;
                                CONFIGURED.get_or_init(|| f)
                            }
                        })
                    }
                    (gongkai_export::ExportFormat::Pdf, None) => {
                        Some(gongkai_export::pdf::FontSet::shared_default()?)
                    }
                    _ => None,
                };
                gongkai_export::export(&r2, fmt, fonts)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(download(fmt.mime(), &fmt.file_name(&report), bytes))
        }
    }
}

/// The navigation put above a report's own HTML page.
#[derive(Template)]
#[template(path = "portal/report_banner.html")]
struct ReportBanner {
    body: BodyRef,
    version: i32,
    reason: String,
}

// --- The application desk -------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct ApplyForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub applicant_type: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub request_text: String,
    #[serde(default)]
    pub delivery: String,
    /// 身份证明类型: `resident_id`, `uscc` or `other` (default by applicant type).
    #[serde(default)]
    pub id_kind: String,
    /// The form's single-use token: a refresh or a double click files one application.
    #[serde(default)]
    pub form_token: String,
}

#[derive(Template)]
#[template(path = "portal/apply.html")]
struct ApplyPage {
    layout: Layout,
    view: ApplyFormView,
}

#[derive(Template)]
#[template(path = "portal/receipt.html")]
struct ReceiptPage {
    layout: Layout,
    view: ReceiptView,
}

async fn apply_form(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    render(&ApplyPage {
        layout: Layout::portal(&st, &v, "依申请公开", Some(&body.code)),
        view: ApplyFormView::new(&body, &ApplyForm::default(), Vec::new()),
    })
}

/// A refused field of the application form: which field, and why (in Chinese).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn field_error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// A phone number as people write it: 7+ digits, with `-`, `+`, spaces, brackets or 转.
fn valid_phone(p: &str) -> bool {
    p.chars().filter(char::is_ascii_digit).count() >= 7
        && p.chars().count() <= 30
        && p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')' | '转'))
}

/// An e-mail address of the shape `name@domain.tld`, at most 100 characters.
fn valid_email(e: &str) -> bool {
    e.chars().count() <= 100
        && e.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        })
}

/// Kinds of identity document (`id_kind`); the first is the default of a natural person.
pub const ID_KINDS: [(&str, &str); 3] = [
    ("resident_id", "居民身份证"),
    ("uscc", "统一社会信用代码"),
    ("other", "其他身份证明（护照、港澳台居民证件等）"),
];

/// Validate an online application against 条例第二十九条: name, identity document (an
/// 18-digit 居民身份证号码 or 统一社会信用代码 is checked with its check character), a phone
/// number or an address, an e-mail address when the information is to be sent by e-mail, and
/// a description of the information asked for. One message per refused field.
pub fn validate_apply(
    f: &ApplyForm,
) -> Result<(ApplicantType, PersonalData, String), Vec<FieldError>> {
    use gongkai_ledger::identity::{normalize_id_number, normalize_uscc};
    let mut errors = Vec::new();
    let at = ApplicantType::from_column_key(f.applicant_type.trim());
    if at.is_none() {
        errors.push(field_error("applicant_type", "请选择申请人类型"));
    }
    let name = f.name.trim();
    if name.is_empty() {
        errors.push(field_error("name", "请填写姓名或名称"));
    } else if name.chars().count() > 100 {
        errors.push(field_error("name", "姓名或名称不能超过100个字"));
    }
    let organisation = at.is_some_and(ApplicantType::is_organisation);
    let id_kind = match f.id_kind.trim() {
        "" if organisation => "uscc",
        "" => "resident_id",
        k => k,
    };
    let raw_id = f.id_number.trim();
    let id_number = if raw_id.is_empty() {
        errors.push(field_error(
            "id_number",
            if organisation {
                "请填写统一社会信用代码或其他身份证明号码"
            } else {
                "请填写身份证件号码"
            },
        ));
        None
    } else {
        match id_kind {
            "resident_id" => normalize_id_number(raw_id).or_else(|| {
                errors.push(field_error(
                    "id_number",
                    "居民身份证号码应为18位且校验码正确，请核对（其他证件请选择「其他身份证明」）",
                ));
                None
            }),
            "uscc" => normalize_uscc(raw_id).or_else(|| {
                errors.push(field_error(
                    "id_number",
                    "统一社会信用代码应为18位且校验码正确，请核对",
                ));
                None
            }),
            "other" if raw_id.chars().count() <= 40 => Some(raw_id.to_string()),
            "other" => {
                errors.push(field_error("id_number", "证件号码不能超过40个字符"));
                None
            }
            _ => {
                errors.push(field_error("id_kind", "请选择身份证明类型"));
                None
            }
        }
    };
    let phone = f.phone.trim();
    if !phone.is_empty() && !valid_phone(phone) {
        errors.push(field_error(
            "phone",
            "联系电话格式不正确（如 13800138000 或 020-12345678）",
        ));
    }
    if phone.is_empty() && f.address.trim().is_empty() {
        errors.push(field_error("phone", "请填写联系电话或通信地址（至少一项）"));
    } else if f.address.trim().is_empty() && f.delivery.trim() == "邮寄纸质件" {
        errors.push(field_error(
            "address",
            "选择邮寄纸质件获取信息的，请填写通信地址",
        ));
    }
    let email = f.email.trim();
    let by_email = f.delivery.trim() == "电子邮件";
    if email.is_empty() && by_email {
        errors.push(field_error(
            "email",
            "选择以电子邮件获取信息的，请填写电子邮箱",
        ));
    } else if !email.is_empty() && !valid_email(email) {
        errors.push(field_error("email", "电子邮箱格式不正确"));
    }
    let req = f.request_text.trim();
    if req.chars().count() < 5 {
        errors.push(field_error(
            "request_text",
            "请描述所需政府信息的名称、文号或特征（至少5个字）",
        ));
    } else if req.chars().count() > 5000 {
        errors.push(field_error("request_text", "申请内容不能超过5000字"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let opt = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let text = if f.delivery.trim().is_empty() {
        req.to_string()
    } else {
        format!("{req}\n（获取方式：{}）", f.delivery.trim())
    };
    Ok((
        at.expect("checked"),
        PersonalData {
            name: name.to_string(),
            id_number,
            phone: opt(phone),
            email: opt(email),
            address: opt(&f.address),
        },
        text,
    ))
}

async fn apply_submit(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    Path(code): Path<String>,
    Form(mut f): Form<ApplyForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &code).await?;
    let ip = client_ip(&st, &headers, peer);
    // A form without a token (an old page, a script) still gets post/redirect/get.
    let token = match f.form_token.trim() {
        t if crate::portal_views::valid_form_token(t) => t.to_string(),
        _ => crate::portal_views::new_form_token(),
    };
    f.form_token = token.clone();
    let key = format!("form:{token}");
    match crate::portal_views::submit_online(&st, &body, ip, &f, "网上申请", &key).await? {
        Submitted::Received { .. } => Ok(axum::response::Redirect::to(&format!(
            "/b/{}/apply/receipt/{}",
            urlencode(&body.code),
            token
        ))
        .into_response()),
        Submitted::KeyReused => Err(AppError::Unprocessable(
            "此申请表已提交过。如需再提交一份申请，请重新打开申请页面填写。".into(),
        )),
        Submitted::Invalid(errors) => {
            let mut res = render(&ApplyPage {
                layout: Layout::portal(&st, &v, "依申请公开", Some(&body.code)),
                view: ApplyFormView::new(&body, &f, errors),
            })?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

/// `GET /b/{code}/apply/receipt/{token}`: the receipt a submission redirected to; a refresh
/// shows it again and files nothing. Kept for 24 hours.
async fn apply_receipt(
    State(st): State<AppState>,
    v: Viewer,
    Path((code, token)): Path<(String, String)>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let found = if crate::portal_views::valid_form_token(&token) {
        st.store
            .submission_receipt(&format!("form:{token}"))
            .await?
    } else {
        None
    };
    let Some((app, creds)) = found.filter(|(a, _)| a.body_id == body.id) else {
        return Err(AppError::Gone(
            "该申请回执不存在或已超过24小时，不再显示。请凭查询码和查询密码查询办理进度。".into(),
        ));
    };
    let mut res = render(&ReceiptPage {
        layout: Layout::portal(&st, &v, "申请已提交", Some(&body.code)),
        view: ReceiptView::new(&app, &creds, &body),
    })?;
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub secret: String,
}

#[derive(Template)]
#[template(path = "portal/status_form.html")]
struct StatusFormPage {
    layout: Layout,
    view: StatusFormView,
}

#[derive(Template)]
#[template(path = "portal/status.html")]
struct StatusPage {
    layout: Layout,
    view: ApplicationStatusView,
}

async fn status_form(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    render(&StatusFormPage {
        layout: Layout::portal(&st, &v, "办理进度查询", None),
        view: StatusFormView { error: None },
    })
}

async fn status_lookup(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    Form(f): Form<StatusForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let ip = client_ip(&st, &headers, peer);
    match crate::portal_views::application_status(&st, ip, &f.code, &f.secret).await? {
        Some(view) => render(&StatusPage {
            layout: Layout::portal(&st, &v, "申请办理进度", None),
            view,
        }),
        None => {
            let mut res = render(&StatusFormPage {
                layout: Layout::portal(&st, &v, "办理进度查询", None),
                view: StatusFormView {
                    error: Some("查询码或密码不正确".into()),
                },
            })?;
            *res.status_mut() = StatusCode::NOT_FOUND;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct LargeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    back: String,
}

/// Toggle the large-text (适老化) mode; a form post so it works without JavaScript.
pub async fn toggle_large(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    Form(f): Form<LargeForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let on = cookie(&headers, LARGE_TEXT_COOKIE) != Some("1");
    // Only a local path of visible ASCII (percent-encoded) is followed.
    let back = if f.back.starts_with('/')
        && !f.back.starts_with("//")
        && f.back.bytes().all(|b| b.is_ascii_graphic())
    {
        f.back
    } else {
        "/".into()
    };
    let mut res = Redirect::to(&back).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        crate::auth::set_cookie(
            LARGE_TEXT_COOKIE,
            if on { "1" } else { "0" },
            365 * 24 * 3600,
            st.config.secure_cookies,
        ),
    );
    Ok(res)
}
