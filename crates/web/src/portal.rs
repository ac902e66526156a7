//! The public portal and the online application desk. Nothing here shows applicants'
//! personal data: applications are only reachable with their tracking code and secret, and
//! their pages show state, dates and the public reply summary.

use crate::app::AppState;
use crate::auth::{Viewer, cookie};
use crate::error::{AppError, PageResult};
use crate::security::LARGE_TEXT_COOKIE;
use crate::views::{csrf_field, esc, page, pager, paragraphs, portal_nav};
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_ledger::content::{CatalogItem, DocumentSummary};
use gongkai_ledger::{
    ApplicantType, Application, ApplicationState, Body, Channel, NewApplication, PersonalData,
};
use gongkai_report::{HtmlOptions, Report};
use gongkai_store::DocumentQuery;
use serde::Deserialize;
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
        .route("/status", get(status_form).post(status_lookup))
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

fn site(st: &AppState) -> &str {
    &st.config.site_name
}

/// Client address for rate limits and logs (see [`crate::security::client_addr`]).
pub fn client_ip(st: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> std::net::IpAddr {
    crate::security::client_addr(&st.config.trusted_proxies, headers, peer)
}

async fn home(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    let bodies = st.store.list_bodies().await?;
    let mut html = String::from(
        "<h2>政府信息公开</h2><p>本平台依据《中华人民共和国政府信息公开条例》主动公开政府信息，受理政府信息公开申请，发布政府信息公开工作年度报告。</p>\
         <form class=\"card\" method=\"get\" action=\"/search\" role=\"search\"><label for=\"q\">全文检索</label> \
         <input id=\"q\" type=\"text\" name=\"q\" placeholder=\"输入关键词，如：养老服务补贴\" style=\"width:60%\"> <button type=\"submit\">检索</button></form>\
         <h2>公开主体</h2><div class=\"card\"><ul>",
    );
    fn walk(all: &[Body], parent: Option<i64>, depth: usize, out: &mut String) {
        for b in all.iter().filter(|b| b.parent_id == parent) {
            out.push_str(&format!(
                "<li style=\"margin-left:{}em\"><a href=\"/b/{}\">{}</a> <span class=\"hint\">{}</span></li>",
                depth as f32 * 1.5,
                esc(&b.code),
                esc(&b.name),
                b.kind.label_zh()
            ));
            walk(all, Some(b.id), depth + 1, out);
        }
    }
    walk(&bodies, None, 0, &mut html);
    if bodies.is_empty() {
        html.push_str("<li>尚未登记公开主体。管理员可用 <code>gongkai body add</code> 登记。</li>");
    }
    html.push_str("</ul></div>");
    page(&v, site(&st), "首页", portal_nav(&v, None), html)
}

async fn body_home(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let (latest, total) = st
        .store
        .list_public_documents(&DocumentQuery {
            body_id: body.id,
            published_only: true,
            catalog_item_id: None,
            limit: 8,
            offset: 0,
        })
        .await?;
    let years = published_years(&st, body.id).await?;
    let c = esc(&body.code);
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › {name}</p><h2>{name}</h2><div class=\"grid2\">\
         <div class=\"card\"><h3><a href=\"/b/{c}/guide\">政府信息公开指南</a></h3><p>公开方式、申请渠道、办理时限与监督方式。</p></div>\
         <div class=\"card\"><h3><a href=\"/b/{c}/catalog\">标准目录</a></h3><p>按领域列出公开事项、依据、时限和渠道。</p></div>\
         <div class=\"card\"><h3><a href=\"/b/{c}/docs\">政府信息</a></h3><p>主动公开的政府信息，共 {total} 条。</p></div>\
         <div class=\"card\"><h3><a href=\"/b/{c}/reports\">政府信息公开工作年度报告</a></h3><p>{years}</p></div>\
         <div class=\"card\"><h3><a href=\"/b/{c}/apply\">依申请公开</a></h3><p>在线提交政府信息公开申请，凭查询码和密码查询办理进度。</p></div></div>",
        name = esc(&body.name),
        years = if years.is_empty() {
            "尚未发布年度报告。".to_string()
        } else {
            years
                .iter()
                .map(|y| format!("<a href=\"/b/{c}/reports/{y}\">{y}年度</a>"))
                .collect::<Vec<_>>()
                .join(" ")
        }
    );
    if !latest.is_empty() {
        html.push_str("<h2>最新公开</h2>");
        let latest: Vec<DocumentSummary> = latest.iter().map(DocumentSummary::from).collect();
        html.push_str(&doc_table(&latest));
    }
    page(
        &v,
        site(&st),
        &body.name,
        portal_nav(&v, Some(&body.code)),
        html,
    )
}

fn doc_table<'a>(docs: impl IntoIterator<Item = &'a DocumentSummary>) -> String {
    let mut html = String::from(
        "<table class=\"list\"><thead><tr><th scope=\"col\">标题</th><th scope=\"col\">文号</th><th scope=\"col\">发布日期</th></tr></thead><tbody>",
    );
    for d in docs {
        html.push_str(&format!(
            "<tr><td><a href=\"/docs/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            d.id,
            esc(&d.title),
            esc(&d.doc_number),
            d.published_on
                .map(gongkai_calendar::format_date)
                .unwrap_or_default()
        ));
    }
    html.push_str("</tbody></table>");
    html
}

async fn published_years(st: &AppState, body_id: i64) -> PageResult<Vec<i32>> {
    let mut years: Vec<i32> = st
        .store
        .report_versions(body_id, None)
        .await?
        .iter()
        .map(|v| v.year)
        .collect();
    years.dedup();
    Ok(years)
}

async fn guide(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let g = st.store.get_guide(body.id).await?.unwrap_or_default();
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/b/{c}\">{n}</a> › 政府信息公开指南</p><h2>{n}政府信息公开指南</h2><div class=\"card\">",
        c = esc(&body.code),
        n = esc(&body.name)
    );
    if g.text.trim().is_empty() {
        html.push_str(&format!(
            "<p>本机关依据《中华人民共和国政府信息公开条例》主动公开政府信息，并受理政府信息公开申请。\
             申请人可通过本平台<a href=\"/b/{}/apply\">在线提交申请</a>，本机关自收到申请之日起20个工作日内予以答复；\
             需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不超过20个工作日。</p>",
            esc(&body.code)
        ));
    } else {
        html.push_str(&paragraphs(&g.text));
    }
    html.push_str("<dl class=\"meta\">");
    for (k, val) in [
        ("办公地址", &g.address),
        ("办公时间", &g.office_hours),
        ("咨询电话", &g.phone),
    ] {
        if !val.trim().is_empty() {
            html.push_str(&format!("<dt>{k}</dt><dd>{}</dd>", esc(val)));
        }
    }
    html.push_str("</dl></div>");
    page(
        &v,
        site(&st),
        "政府信息公开指南",
        portal_nav(&v, Some(&body.code)),
        html,
    )
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
    let html = match st.fragments.get("catalog", &body, version) {
        Some(html) => html,
        None => {
            let html = catalog_html(&st, &body).await?;
            st.fragments.put("catalog", &body, version, html)
        }
    };
    page(
        &v,
        site(&st),
        "标准目录",
        portal_nav(&v, Some(&body.code)),
        html.to_string(),
    )
}

/// The 标准目录 of a body by domain, each item with its newest documents.
async fn catalog_html(st: &AppState, body: &Body) -> PageResult<String> {
    let items = st.store.list_catalog(body.id).await?;
    // One more than shown tells whether an item has more documents than the page lists.
    let docs = st
        .store
        .catalog_documents(body.id, CATALOG_DOCS_PER_ITEM + 1)
        .await?;
    let mut docs_of: BTreeMap<i64, Vec<&DocumentSummary>> = BTreeMap::new();
    for d in &docs {
        if let Some(item) = d.catalog_item_id {
            docs_of.entry(item).or_default().push(d);
        }
    }
    let mut by_domain: BTreeMap<&str, Vec<&CatalogItem>> = BTreeMap::new();
    for i in &items {
        by_domain
            .entry(i.record.domain.as_str())
            .or_default()
            .push(i);
    }
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/b/{c}\">{n}</a> › 标准目录</p><h2>{n}政务公开标准目录</h2>",
        c = esc(&body.code),
        n = esc(&body.name)
    );
    if items.is_empty() {
        html.push_str("<p>尚未编制标准目录。</p>");
    }
    html.push_str("<nav aria-label=\"领域\" class=\"card\"><p>");
    for d in by_domain.keys() {
        html.push_str(&format!("<a href=\"#d-{0}\">{0}</a>　", esc(d)));
    }
    html.push_str("</p></nav>");
    for (domain, list) in &by_domain {
        html.push_str(&format!("<section id=\"d-{0}\"><h3>{0}</h3>", esc(domain)));
        for i in list {
            let r = &i.record;
            html.push_str(&format!(
                "<div class=\"card\" id=\"item-{}\"><h3>{}</h3><dl class=\"meta\"><dt>公开依据</dt><dd>{}</dd><dt>公开时限</dt><dd>{}</dd>\
                 <dt>公开主体</dt><dd>{}</dd><dt>公开渠道</dt><dd>{}</dd><dt>公开对象</dt><dd>{}</dd><dt>公开方式</dt><dd>{}</dd></dl>",
                i.id,
                esc(&r.name),
                esc(&r.basis),
                esc(&r.time_limit),
                esc(&r.subject),
                esc(&r.channel),
                esc(&r.audience),
                esc(&r.manner)
            ));
            if let Some(mine) = docs_of.get(&i.id) {
                let shown = mine.len().min(CATALOG_DOCS_PER_ITEM as usize);
                html.push_str("<h4>公开的政府信息</h4>");
                html.push_str(&doc_table(mine[..shown].iter().copied()));
                if mine.len() > shown {
                    html.push_str(&format!(
                        "<p><a href=\"/b/{}/docs?item={}\">查看本事项全部政府信息</a></p>",
                        esc(&body.code),
                        i.id
                    ));
                }
            }
            html.push_str("</div>");
        }
        html.push_str("</section>");
    }
    Ok(html)
}

/// Documents listed under each item of the 标准目录 page (the rest are a link away).
const CATALOG_DOCS_PER_ITEM: i64 = 10;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub page: Option<i64>,
    /// Only the documents of this catalog item.
    #[serde(default)]
    pub item: Option<i64>,
}

const PAGE_SIZE: i64 = 20;

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
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let (docs, total) = st
        .store
        .list_public_documents(&DocumentQuery {
            body_id: body.id,
            published_only: true,
            catalog_item_id: item.as_ref().map(|i| i.id),
            limit: PAGE_SIZE,
            offset: (page_no - 1) * PAGE_SIZE,
        })
        .await?;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let c = esc(&body.code);
    let (heading, item_param) = match &item {
        Some(i) => (
            format!(
                " · <a href=\"/b/{c}/catalog#item-{}\">{}·{}</a>",
                i.id,
                esc(&i.record.domain),
                esc(&i.record.name)
            ),
            format!("item={}&amp;", i.id),
        ),
        None => (String::new(), String::new()),
    };
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/b/{c}\">{n}</a> › 政府信息</p><h2>政府信息{heading}（共{total}条）</h2>",
        n = esc(&body.name)
    );
    let docs: Vec<DocumentSummary> = docs.iter().map(DocumentSummary::from).collect();
    html.push_str(&doc_table(&docs));
    html.push_str(&pager(
        &format!("/b/{c}/docs?{item_param}page="),
        page_no,
        pages,
    ));
    page(
        &v,
        site(&st),
        "政府信息",
        portal_nav(&v, Some(&body.code)),
        html,
    )
}

async fn document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let gongkai_store::DocumentPage {
        document: d,
        body,
        catalog_item: topic_item,
        attachments,
    } = st.store.document_page(id).await?;
    // Unpublished documents exist only for staff of bodies that may read them.
    if !d.published {
        let allowed = match &v.staff {
            Some(s) => s.can_read(&st.store.list_bodies().await?, d.record.body_id),
            None => false,
        };
        if !allowed {
            return Err(AppError::NotFound("政府信息".into()));
        }
    }
    let r = &d.record;
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/b/{c}\">{n}</a> › <a href=\"/b/{c}/docs\">政府信息</a></p>\
         <article class=\"card\"><h2>{t}</h2><dl class=\"meta\"><dt>索引号</dt><dd>{idx}</dd><dt>发布机构</dt><dd>{p}</dd>\
         <dt>成文日期</dt><dd>{w}</dd><dt>发布日期</dt><dd>{pub_}</dd><dt>文号</dt><dd>{dn}</dd><dt>主题分类</dt><dd>{topic}</dd>{dom}</dl><hr>{body}",
        c = esc(&body.code),
        n = esc(&body.name),
        t = esc(&r.title),
        idx = esc(&d.index_number),
        p = esc(&r.publisher),
        w = gongkai_calendar::format_date(r.written_on),
        pub_ = d
            .published_on
            .map(gongkai_calendar::format_date)
            .unwrap_or_else(|| "未发布".into()),
        dn = if r.doc_number.is_empty() {
            "无".to_string()
        } else {
            esc(&r.doc_number)
        },
        topic = esc(&r.topic),
        dom = topic_item
            .map(|i| format!(
                "<dt>目录领域</dt><dd><a href=\"/b/{}/catalog#item-{}\">{}·{}</a></dd>",
                esc(&body.code),
                i.id,
                esc(&i.record.domain),
                esc(&i.record.name)
            ))
            .unwrap_or_default(),
        body = paragraphs(&r.text),
    );
    if !attachments.is_empty() {
        html.push_str("<h3>附件</h3><ul>");
        for a in &attachments {
            html.push_str(&format!(
                "<li><a href=\"/attachments/{}\">{}</a>（{} KB）</li>",
                a.id,
                esc(&a.file_name),
                (a.size + 1023) / 1024
            ));
        }
        html.push_str("</ul>");
    }
    html.push_str("</article>");
    page(
        &v,
        site(&st),
        &r.title,
        portal_nav(&v, Some(&body.code)),
        html,
    )
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
            Some(s) => s.can_read(&st.store.list_bodies().await?, d.record.body_id),
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

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub page: Option<usize>,
}

/// Run a search for the portal or the API (rate-limited per client).
pub async fn run_search(
    st: &AppState,
    p: &SearchParams,
    ip: std::net::IpAddr,
) -> PageResult<gongkai_search::SearchResults> {
    if st.limits.search.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let mut q = gongkai_search::Query::text(p.q.chars().take(200).collect::<String>());
    if !p.body.trim().is_empty() {
        let all = st.store.list_bodies().await?;
        let root = body_by_code(st, p.body.trim()).await?;
        q.body_codes = crate::auth::descendants(&all, root.id)
            .into_iter()
            .filter_map(|id| all.iter().find(|b| b.id == id).map(|b| b.code.clone()))
            .collect();
    }
    if !p.domain.trim().is_empty() {
        q.domain = Some(p.domain.trim().to_string());
    }
    q.year = p.year.trim().parse().ok();
    q.limit = 20;
    q.offset = (p.page.unwrap_or(1).clamp(1, 500) - 1) * 20;
    let search = st.search.clone();
    tokio::task::spawn_blocking(move || search.search(&q))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(e.to_string()))
}

async fn search(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    Query(p): Query<SearchParams>,
) -> PageResult<Response> {
    let bodies = st.store.list_bodies().await?;
    let mut html = format!(
        "<h2>全文检索</h2><form class=\"card stack\" method=\"get\" action=\"/search\" role=\"search\">\
         <label for=\"q\">关键词</label><input id=\"q\" type=\"text\" name=\"q\" value=\"{}\">\
         <label for=\"body\">公开主体（含下级）</label><select id=\"body\" name=\"body\"><option value=\"\">全部</option>",
        esc(&p.q)
    );
    for b in &bodies {
        html.push_str(&format!(
            "<option value=\"{c}\"{sel}>{n}</option>",
            c = esc(&b.code),
            n = esc(&b.name),
            sel = if b.code == p.body { " selected" } else { "" }
        ));
    }
    html.push_str("</select><label for=\"domain\">领域</label><select id=\"domain\" name=\"domain\"><option value=\"\">全部</option>");
    for d in gongkai_ledger::content::STANDARD_DOMAINS {
        html.push_str(&format!(
            "<option{}>{d}</option>",
            if d == p.domain { " selected" } else { "" }
        ));
    }
    html.push_str(&format!(
        "</select><label for=\"year\">年份</label><input id=\"year\" type=\"text\" name=\"year\" inputmode=\"numeric\" value=\"{}\" style=\"max-width:8em\"> \
         <p><button type=\"submit\">检索</button></p></form>",
        esc(&p.year)
    ));
    if !p.q.trim().is_empty() || !p.body.is_empty() || !p.domain.is_empty() || !p.year.is_empty() {
        let ip = client_ip(&st, &headers, peer);
        let res = run_search(&st, &p, ip).await?;
        html.push_str(&format!(
            "<p>共找到 {} 条结果（用时 {} 毫秒）</p>",
            res.total, res.took_ms
        ));
        for h in &res.hits {
            // title_html and snippet_html are escaped by the search crate, with <mark> added.
            html.push_str(&format!(
                "<div class=\"hit\"><h3><a href=\"{}\">{}</a></h3><p>{}</p><p class=\"src\">{} {} {} {}</p></div>",
                esc(&h.url),
                h.title_html,
                h.snippet_html,
                esc(&h.body_name),
                esc(h.domain.as_deref().unwrap_or("")),
                esc(h.doc_number.as_deref().unwrap_or("")),
                esc(h.date.as_deref().unwrap_or(""))
            ));
        }
        let page_no = p.page.unwrap_or(1);
        if res.total > page_no * 20 {
            let next = format!(
                "/search?q={}&body={}&domain={}&year={}&page={}",
                urlencode(&p.q),
                urlencode(&p.body),
                urlencode(&p.domain),
                urlencode(&p.year),
                page_no + 1
            );
            html.push_str(&format!(
                "<p class=\"pager\"><a href=\"{}\">下一页</a></p>",
                esc(&next)
            ));
        }
    }
    page(&v, site(&st), "全文检索", portal_nav(&v, None), html)
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

async fn reports(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let versions = st.store.report_versions(body.id, None).await?;
    let c = esc(&body.code);
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/b/{c}\">{n}</a> › 年度报告</p><h2>政府信息公开工作年度报告</h2>",
        n = esc(&body.name)
    );
    if versions.is_empty() {
        html.push_str("<p>尚未发布年度报告。</p>");
    } else {
        html.push_str("<table class=\"list\"><thead><tr><th scope=\"col\">年度</th><th scope=\"col\">版本</th><th scope=\"col\">发布时间</th><th scope=\"col\">说明</th><th scope=\"col\">下载</th></tr></thead><tbody>");
        for ver in &versions {
            let y = ver.year;
            let n = ver.version;
            html.push_str(&format!(
                "<tr><td><a href=\"/b/{c}/reports/{y}?v={n}\">{y}年度</a></td><td>第{n}版</td><td>{}</td><td>{}</td>\
                 <td><a href=\"/b/{c}/reports/{y}?v={n}&amp;as=docx\">Word</a> <a href=\"/b/{c}/reports/{y}?v={n}&amp;as=pdf\">PDF</a> \
                 <a href=\"/b/{c}/reports/{y}?v={n}&amp;as=xlsx\">Excel</a> <a href=\"/b/{c}/reports/{y}?v={n}&amp;as=json\">JSON</a></td></tr>",
                esc(&ver.published_at[..ver.published_at.len().min(10)]),
                if ver.reason.is_empty() { "—".to_string() } else { format!("更正：{}", esc(&ver.reason)) }
            ));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str(&subordinates_chart(&st, &body).await?);
    page(
        &v,
        site(&st),
        "年度报告",
        portal_nav(&v, Some(&body.code)),
        html,
    )
}

/// For an oversight level: its direct subordinate bodies side by side, on the latest year for
/// which at least two of them have published a report.
async fn subordinates_chart(st: &AppState, body: &Body) -> PageResult<String> {
    let children: Vec<Body> = st
        .store
        .list_bodies()
        .await?
        .into_iter()
        .filter(|b| b.parent_id == Some(body.id))
        .collect();
    if children.len() < 2 {
        return Ok(String::new());
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
    let Some((year, reports)) = by_year.into_iter().rev().find(|(_, r)| r.len() >= 2) else {
        return Ok(String::new());
    };
    Ok(format!(
        "<h2>下级机关{year}年度依申请公开情况</h2><figure class=\"card\">{}</figure>",
        gongkai_export::charts::siblings_svg(&reports)
    ))
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
            let banner = format!(
                "<nav class=\"noprint\" style=\"max-width:210mm;margin:0 auto;padding:8px 28px;font-size:14px\"><a href=\"/b/{c}/reports\">← {n}年度报告</a> · 第{v}版 · \
                 下载：<a href=\"?v={v}&amp;as=docx\">Word</a> <a href=\"?v={v}&amp;as=pdf\">PDF</a> <a href=\"?v={v}&amp;as=xlsx\">Excel</a> <a href=\"?v={v}&amp;as=json\">JSON</a>{r}</nav>\
                 <style>@media print{{.noprint{{display:none}}}}</style>",
                c = esc(&body.code),
                n = esc(&body.name),
                v = ver.version,
                r = if ver.reason.is_empty() {
                    String::new()
                } else {
                    format!(" · 更正说明：{}", esc(&ver.reason))
                }
            );
            html = html.replacen("<body>\n", &format!("<body>\n{banner}"), 1);
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

// --- The application desk -------------------------------------------------------------

fn applicant_options(selected: &str) -> String {
    ApplicantType::ALL
        .iter()
        .map(|a| {
            let label = if a.is_organisation() {
                format!("法人或其他组织·{}", a.label())
            } else {
                a.label().to_string()
            };
            format!(
                "<option value=\"{k}\"{s}>{label}</option>",
                k = a.column_key(),
                s = if a.column_key() == selected {
                    " selected"
                } else {
                    ""
                }
            )
        })
        .collect()
}

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
}

fn apply_html(v: &Viewer, body: &Body, f: &ApplyForm, errors: &[String]) -> String {
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/b/{c}\">{n}</a> › 依申请公开</p><h2>向{n}申请政府信息公开</h2>\
         <p class=\"hint\">依据《中华人民共和国政府信息公开条例》第二十九条，申请应包括申请人的姓名或者名称、身份证明、联系方式，所需政府信息的名称、文号或者便于查询的其他特征性描述，以及获取信息的方式。您的个人信息仅用于办理本申请，不会公开。</p>",
        c = esc(&body.code),
        n = esc(&body.name)
    );
    if !errors.is_empty() {
        html.push_str(
            "<div class=\"card\" role=\"alert\"><p class=\"err\">请修改以下内容：</p><ul>",
        );
        for e in errors {
            html.push_str(&format!("<li class=\"err\">{}</li>", esc(e)));
        }
        html.push_str("</ul></div>");
    }
    html.push_str(&format!(
        "<form class=\"card stack\" method=\"post\" action=\"/b/{c}/apply\">{csrf}\
         <label for=\"applicant_type\">申请人类型</label><select id=\"applicant_type\" name=\"applicant_type\" required>{opts}</select>\
         <label for=\"name\">姓名或名称</label><input id=\"name\" type=\"text\" name=\"name\" required maxlength=\"100\" value=\"{name}\" autocomplete=\"name\">\
         <label for=\"id_number\">身份证件号码或统一社会信用代码</label><input id=\"id_number\" type=\"text\" name=\"id_number\" maxlength=\"40\" value=\"{idn}\">\
         <label for=\"phone\">联系电话</label><input id=\"phone\" type=\"tel\" name=\"phone\" maxlength=\"30\" value=\"{phone}\" autocomplete=\"tel\">\
         <label for=\"email\">电子邮箱</label><input id=\"email\" type=\"email\" name=\"email\" maxlength=\"100\" value=\"{email}\" autocomplete=\"email\">\
         <label for=\"address\">通信地址</label><input id=\"address\" type=\"text\" name=\"address\" maxlength=\"200\" value=\"{addr}\" autocomplete=\"street-address\">\
         <label for=\"request_text\">所需政府信息的名称、文号或特征性描述</label><textarea id=\"request_text\" name=\"request_text\" rows=\"6\" required maxlength=\"5000\">{req}</textarea>\
         <label for=\"delivery\">获取信息的方式</label><select id=\"delivery\" name=\"delivery\"><option>电子邮件</option><option>邮寄纸质件</option><option>当面领取</option><option>在线查看</option></select>\
         <p><button type=\"submit\">提交申请</button></p></form>",
        c = esc(&body.code),
        csrf = csrf_field(v),
        opts = applicant_options(&f.applicant_type),
        name = esc(&f.name),
        idn = esc(&f.id_number),
        phone = esc(&f.phone),
        email = esc(&f.email),
        addr = esc(&f.address),
        req = esc(&f.request_text),
    ));
    html
}

async fn apply_form(
    State(st): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let body = body_by_code(&st, &code).await?;
    let html = apply_html(&v, &body, &ApplyForm::default(), &[]);
    page(
        &v,
        site(&st),
        "依申请公开",
        portal_nav(&v, Some(&body.code)),
        html,
    )
}

/// Validate an online application; Chinese messages per field.
pub fn validate_apply(f: &ApplyForm) -> Result<(ApplicantType, PersonalData, String), Vec<String>> {
    let mut errors = Vec::new();
    let at = ApplicantType::from_column_key(f.applicant_type.trim());
    if at.is_none() {
        errors.push("请选择申请人类型".to_string());
    }
    let name = f.name.trim();
    if name.is_empty() {
        errors.push("请填写姓名或名称".into());
    } else if name.chars().count() > 100 {
        errors.push("姓名或名称不能超过100个字".into());
    }
    if f.phone.trim().is_empty() && f.email.trim().is_empty() && f.address.trim().is_empty() {
        errors.push("请至少填写一种联系方式（电话、电子邮箱或通信地址）".into());
    }
    if !f.email.trim().is_empty() && !f.email.contains('@') {
        errors.push("电子邮箱格式不正确".into());
    }
    let req = f.request_text.trim();
    if req.chars().count() < 5 {
        errors.push("请描述所需政府信息（至少5个字）".into());
    } else if req.chars().count() > 5000 {
        errors.push("申请内容不能超过5000字".into());
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
            id_number: opt(&f.id_number),
            phone: opt(&f.phone),
            email: opt(&f.email),
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
    Form(f): Form<ApplyForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &code).await?;
    let ip = client_ip(&st, &headers, peer);
    if st.limits.submit.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let (applicant_type, personal, text) = match validate_apply(&f) {
        Ok(x) => x,
        Err(errors) => {
            let html = apply_html(&v, &body, &f, &errors);
            let mut res = page(
                &v,
                site(&st),
                "依申请公开",
                portal_nav(&v, Some(&body.code)),
                html,
            )?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
    };
    let (app, creds) = st
        .store
        .receive_application(
            &NewApplication {
                body_id: body.id,
                applicant_type,
                channel: Channel::Online,
                received_on: st.today(),
                request_text: text,
                personal,
            },
            "online",
            "网上申请",
        )
        .await?;
    let html = format!(
        "<h2>申请已提交</h2><div class=\"receipt\" role=\"status\"><p>{n}已收到您的政府信息公开申请。请妥善保存以下查询码和密码，凭其查询办理进度和答复结果。</p>\
         <dl class=\"meta\"><dt>查询码</dt><dd><code id=\"tracking-code\">{code}</code></dd><dt>查询密码</dt><dd><code id=\"tracking-secret\">{secret}</code></dd>\
         <dt>提交日期</dt><dd>{d}</dd><dt>答复期限</dt><dd>{due}</dd></dl>\
         <p class=\"hint\">网上提交的申请，以双方确认之日为收到申请之日；本机关自收到申请之日起20个工作日内答复（《条例》第三十一条、第三十三条）。</p>\
         <p><a href=\"/status\">查询办理进度</a></p></div>",
        n = esc(&body.name),
        code = esc(&creds.code),
        secret = esc(&creds.secret),
        d = gongkai_calendar::format_date(app.status.received_on),
        due = app
            .due_on
            .map(gongkai_calendar::format_date)
            .unwrap_or_else(|| "以办理机关确认为准".into()),
    );
    page(
        &v,
        site(&st),
        "申请已提交",
        portal_nav(&v, Some(&body.code)),
        html,
    )
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

fn status_form_html(v: &Viewer, err: Option<&str>) -> String {
    format!(
        "<h2>办理进度查询</h2>{e}<form class=\"card stack\" method=\"post\" action=\"/status\">{csrf}\
         <label for=\"code\">查询码</label><input id=\"code\" type=\"text\" name=\"code\" required maxlength=\"40\" autocomplete=\"off\">\
         <label for=\"secret\">查询密码</label><input id=\"secret\" type=\"password\" name=\"secret\" required maxlength=\"40\" autocomplete=\"off\">\
         <p><button type=\"submit\">查询</button></p></form>",
        e = err
            .map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e)))
            .unwrap_or_default(),
        csrf = csrf_field(v)
    )
}

async fn status_form(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    let html = status_form_html(&v, None);
    page(&v, site(&st), "办理进度查询", portal_nav(&v, None), html)
}

/// The public view of an application: state, dates, events and the reply summary.
pub fn status_html(
    app: &Application,
    body: &Body,
    events: &[gongkai_ledger::ApplicationEvent],
) -> String {
    let s = &app.status;
    let mut html = format!(
        "<h2>申请办理进度</h2><div class=\"card\"><dl class=\"meta\"><dt>查询码</dt><dd>{code}</dd><dt>受理机关</dt><dd>{b}</dd>\
         <dt>收到日期</dt><dd>{r}</dd><dt>当前状态</dt><dd><strong id=\"state\">{state}</strong></dd><dt>答复期限</dt><dd>{due}</dd>",
        code = esc(&app.tracking_code),
        b = esc(&body.name),
        r = gongkai_calendar::format_date(s.received_on),
        state = s.state.label_zh(),
        due = app
            .due_on
            .map(gongkai_calendar::format_date)
            .unwrap_or_else(|| "—".into()),
    );
    if let Some(o) = s.outcome {
        html.push_str(&format!(
            "<dt>办理结果</dt><dd id=\"outcome\">{}</dd>",
            esc(&o.label())
        ));
    }
    if let Some(reply) = &s.reply {
        html.push_str(&format!(
            "<dt>答复文书</dt><dd>{}</dd><dt>答复内容</dt><dd>{}</dd>",
            esc(&reply.reference),
            esc(&reply.summary)
        ));
    }
    html.push_str("</dl><h3>办理记录</h3><ol>");
    for e in events {
        html.push_str(&format!(
            "<li>{} {}</li>",
            gongkai_calendar::format_date(e.on),
            e.kind.label_zh()
        ));
    }
    html.push_str("</ol></div>");
    html
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
    if st.limits.login.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let Some(app) = st
        .store
        .find_by_tracking(f.code.trim(), f.secret.trim())
        .await?
    else {
        let html = status_form_html(&v, Some("查询码或密码不正确"));
        let mut res = page(&v, site(&st), "办理进度查询", portal_nav(&v, None), html)?;
        *res.status_mut() = StatusCode::NOT_FOUND;
        return Ok(res);
    };
    let body = st.store.get_body(app.body_id).await?;
    let events = st.store.application_events(app.id).await?;
    let html = status_html(&app, &body, &events);
    let _ = ApplicationState::Decided;
    page(&v, site(&st), "申请办理进度", portal_nav(&v, None), html)
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
