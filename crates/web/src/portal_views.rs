//! View models of the public portal's screens, one per screen, and the functions that build
//! them from the store. The pages (askama templates in `templates/portal/`) and the JSON API
//! (`/api/v1`, which serialises the same structs) share these builders, so a page and its
//! API answer cannot drift apart. Field names are the API's; presentation-only formatting
//! is in methods the templates call.

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use gongkai_ledger::content::{CatalogItem, DocumentSummary, Guide, PublicDocument, ReportVersion};
use gongkai_ledger::{
    ApplicantType, Application, ApplicationEvent, ApplicationState, Body, Channel, NewApplication,
    TrackingCredentials,
};
use gongkai_store::{DocumentQuery, Submission, SubmissionKey};
use serde::Serialize;
use std::collections::BTreeMap;

fn date(d: time::Date) -> String {
    gongkai_calendar::format_date(d)
}

/// A body named in a page (crumbs, headings, links).
#[derive(Debug, Clone, Serialize)]
pub struct BodyRef {
    pub code: String,
    pub name: String,
}

impl From<&Body> for BodyRef {
    fn from(b: &Body) -> BodyRef {
        BodyRef {
            code: b.code.clone(),
            name: b.name.clone(),
        }
    }
}

// --- Bodies (home page, `GET /bodies`) --------------------------------------------------

/// The disclosing bodies as a tree (pre-order, each with its depth).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BodiesView {
    pub bodies: Vec<BodyItem>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BodyItem {
    pub code: String,
    pub name: String,
    /// Stable kind code (`city`, `town`, …).
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// The parent body's code.
    pub parent: Option<String>,
    /// Depth in the tree (0 for a root).
    pub depth: usize,
}

impl BodyItem {
    /// Indentation of the home page's list, in em.
    pub fn indent_em(&self) -> f32 {
        self.depth as f32 * 1.5
    }
}

impl BodiesView {
    pub fn new(all: &[Body]) -> BodiesView {
        fn walk(all: &[Body], parent: Option<i64>, depth: usize, out: &mut Vec<(i64, usize)>) {
            for b in all.iter().filter(|b| b.parent_id == parent) {
                if out.iter().any(|(id, _)| *id == b.id) {
                    continue;
                }
                out.push((b.id, depth));
                walk(all, Some(b.id), depth + 1, out);
            }
        }
        // Pre-order from the roots; a body whose parent is missing is listed at the end.
        let mut order = Vec::new();
        walk(all, None, 0, &mut order);
        for b in all {
            if !order.iter().any(|(id, _)| *id == b.id) {
                order.push((b.id, 0));
            }
        }
        let bodies = order
            .iter()
            .filter_map(|(id, depth)| all.iter().find(|b| b.id == *id).map(|b| (b, *depth)))
            .map(|(b, depth)| BodyItem {
                code: b.code.clone(),
                name: b.name.clone(),
                kind: b.kind.as_str(),
                kind_label: b.kind.label_zh(),
                parent: b
                    .parent_id
                    .and_then(|p| all.iter().find(|x| x.id == p))
                    .map(|p| p.code.clone()),
                depth,
            })
            .collect();
        BodiesView { bodies }
    }
}

pub async fn bodies_view(st: &AppState) -> PageResult<BodiesView> {
    Ok(BodiesView::new(&st.store.list_bodies().await?))
}

// --- Documents ------------------------------------------------------------------------

/// A published document in a list (`GET /bodies/{code}/documents`, the body's home page).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentRow {
    pub id: i64,
    pub index_number: String,
    /// The body's code.
    pub body: String,
    pub catalog_item_id: Option<i64>,
    pub publisher: String,
    pub written_on: String,
    pub published_on: Option<String>,
    pub published: bool,
    pub doc_number: String,
    pub topic: String,
    pub title: String,
    pub url: String,
}

impl DocumentRow {
    pub fn new(d: &PublicDocument, body_code: &str) -> DocumentRow {
        let r = &d.record;
        DocumentRow {
            id: d.id,
            index_number: d.index_number.clone(),
            body: body_code.to_string(),
            catalog_item_id: r.catalog_item_id,
            publisher: r.publisher.clone(),
            written_on: date(r.written_on),
            published_on: d.published_on.map(date),
            published: d.published,
            doc_number: r.doc_number.clone(),
            topic: r.topic.clone(),
            title: r.title.clone(),
            url: format!("/docs/{}", d.id),
        }
    }
}

/// A document listed under a catalog item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentLink {
    pub id: i64,
    pub title: String,
    pub doc_number: String,
    pub published_on: Option<String>,
    pub url: String,
}

impl From<&DocumentSummary> for DocumentLink {
    fn from(d: &DocumentSummary) -> DocumentLink {
        DocumentLink {
            id: d.id,
            title: d.title.clone(),
            doc_number: d.doc_number.clone(),
            published_on: d.published_on.map(date),
            url: format!("/docs/{}", d.id),
        }
    }
}

/// A catalog item named in a document list or a document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogItemRef {
    pub id: i64,
    pub domain: String,
    pub name: String,
}

impl From<&CatalogItem> for CatalogItemRef {
    fn from(i: &CatalogItem) -> CatalogItemRef {
        CatalogItemRef {
            id: i.id,
            domain: i.record.domain.clone(),
            name: i.record.name.clone(),
        }
    }
}

/// One page of a body's published documents (`/b/{code}/docs`,
/// `GET /bodies/{code}/documents`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentListView {
    /// The body's code.
    pub body: String,
    pub body_name: String,
    /// Documents in the whole list.
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    /// Only the documents of this catalog item.
    pub item: Option<CatalogItemRef>,
    pub documents: Vec<DocumentRow>,
}

/// The published documents of `body` (of one of its catalog items), page `page`.
pub async fn document_list(
    st: &AppState,
    body: &Body,
    item: Option<&CatalogItem>,
    page: i64,
    page_size: i64,
) -> PageResult<DocumentListView> {
    let page = page.clamp(1, 100_000);
    let (docs, total) = st
        .store
        .list_public_documents(&DocumentQuery {
            body_id: body.id,
            published_only: true,
            catalog_item_id: item.map(|i| i.id),
            limit: page_size,
            offset: (page - 1) * page_size,
        })
        .await?;
    Ok(DocumentListView {
        body: body.code.clone(),
        body_name: body.name.clone(),
        total,
        page,
        page_size,
        item: item.map(CatalogItemRef::from),
        documents: docs
            .iter()
            .map(|d| DocumentRow::new(d, &body.code))
            .collect(),
    })
}

/// An attachment of a document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentRow {
    pub id: i64,
    pub file_name: String,
    pub url: String,
    /// Bytes.
    pub size: i64,
}

impl AttachmentRow {
    /// Size in KB, rounded up.
    pub fn kb(&self) -> i64 {
        (self.size + 1023) / 1024
    }
}

/// One document with its text and attachments (`/docs/{id}`, `GET /documents/{id}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    #[serde(flatten)]
    pub document: DocumentRow,
    pub text: String,
    pub attachments: Vec<AttachmentRow>,
    pub body_name: String,
    pub catalog_item: Option<CatalogItemRef>,
}

impl DocumentView {
    pub fn paragraphs(&self) -> Vec<&str> {
        paragraphs(&self.text)
    }

    pub fn published_on_text(&self) -> &str {
        self.document.published_on.as_deref().unwrap_or("未发布")
    }

    pub fn doc_number_text(&self) -> &str {
        match self.document.doc_number.as_str() {
            "" => "无",
            n => n,
        }
    }
}

/// The non-empty lines of a text, trimmed.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Document `id` as `viewer` may see it: unpublished documents exist only for staff of
/// bodies that may read them.
pub async fn document_view(
    st: &AppState,
    viewer: &crate::auth::Viewer,
    id: i64,
) -> PageResult<DocumentView> {
    let not_found = || AppError::NotFound("政府信息".into());
    let gongkai_store::DocumentPage {
        document: d,
        body,
        catalog_item,
        attachments,
    } = match st.store.document_page(id).await {
        Ok(p) => p,
        Err(gongkai_store::StoreError::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    if !d.published {
        let allowed = match &viewer.staff {
            Some(s) => s.can_read(&st.store, d.record.body_id).await?,
            None => false,
        };
        if !allowed {
            return Err(not_found());
        }
    }
    Ok(DocumentView {
        document: DocumentRow::new(&d, &body.code),
        text: d.record.text.clone(),
        attachments: attachments
            .iter()
            .map(|a| AttachmentRow {
                id: a.id,
                file_name: a.file_name.clone(),
                url: format!("/attachments/{}", a.id),
                size: a.size,
            })
            .collect(),
        body_name: body.name.clone(),
        catalog_item: catalog_item.as_ref().map(CatalogItemRef::from),
    })
}

// --- A body's home and guide ----------------------------------------------------------

/// Documents on a body's home page.
pub const LATEST_DOCUMENTS: i64 = 8;

/// `/b/{code}`: the body's sections, published report years and newest documents.
#[derive(Debug, Clone, Serialize)]
pub struct BodyHomeView {
    pub body: BodyRef,
    /// Published documents.
    pub total: i64,
    /// Years with a published report, newest first.
    pub report_years: Vec<i32>,
    pub latest: Vec<DocumentRow>,
    /// The name of the body's 政务服务大厅, when it has one (kiosk, displays, appointments).
    pub hall: Option<String>,
}

pub async fn body_home_view(st: &AppState, body: &Body) -> PageResult<BodyHomeView> {
    let latest = document_list(st, body, None, 1, LATEST_DOCUMENTS).await?;
    Ok(BodyHomeView {
        body: body.into(),
        total: latest.total,
        report_years: published_years(st, body.id).await?,
        latest: latest.documents,
        hall: st.store.hall_of_body(body.id).await?.map(|h| h.name),
    })
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

/// `/b/{code}/guide`: the 政府信息公开指南.
#[derive(Debug, Clone, Serialize)]
pub struct GuideView {
    pub body: BodyRef,
    pub text: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
}

impl GuideView {
    pub fn new(body: &Body, g: Guide) -> GuideView {
        GuideView {
            body: body.into(),
            text: g.text,
            address: g.address,
            office_hours: g.office_hours,
            phone: g.phone,
        }
    }

    /// The body's own text, by paragraph (empty: the default text is shown).
    pub fn paragraphs(&self) -> Vec<&str> {
        paragraphs(&self.text)
    }

    /// The contact details that are filled in: (label, value).
    pub fn contacts(&self) -> Vec<(&'static str, &str)> {
        [
            ("办公地址", &self.address),
            ("办公时间", &self.office_hours),
            ("咨询电话", &self.phone),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect()
    }
}

// --- Catalog --------------------------------------------------------------------------

/// Documents listed under each item of the 标准目录 page (the rest are a link away).
pub const CATALOG_DOCS_PER_ITEM: i64 = 10;

/// `/b/{code}/catalog`, `GET /bodies/{code}/catalog`: the 政务公开标准目录.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogView {
    /// The body's code.
    pub body: String,
    pub body_name: String,
    pub items: Vec<CatalogEntry>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogEntry {
    pub id: i64,
    pub domain: String,
    pub name: String,
    pub basis: String,
    pub time_limit: String,
    pub channel: String,
    pub subject: String,
    pub audience: String,
    pub manner: String,
    /// The item's newest published documents.
    pub documents: Vec<DocumentLink>,
    /// Whether the item has more documents than listed.
    pub more_documents: bool,
}

impl CatalogView {
    /// The items by domain, domains in order, items in catalog order within each.
    pub fn domains(&self) -> Vec<(&str, Vec<&CatalogEntry>)> {
        let mut by_domain: BTreeMap<&str, Vec<&CatalogEntry>> = BTreeMap::new();
        for i in &self.items {
            by_domain.entry(i.domain.as_str()).or_default().push(i);
        }
        by_domain.into_iter().collect()
    }
}

pub async fn catalog_view(st: &AppState, body: &Body) -> PageResult<CatalogView> {
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
    let items = items
        .iter()
        .map(|i| {
            let r = &i.record;
            let mine = docs_of.get(&i.id).map(Vec::as_slice).unwrap_or_default();
            let shown = mine.len().min(CATALOG_DOCS_PER_ITEM as usize);
            CatalogEntry {
                id: i.id,
                domain: r.domain.clone(),
                name: r.name.clone(),
                basis: r.basis.clone(),
                time_limit: r.time_limit.clone(),
                channel: r.channel.clone(),
                subject: r.subject.clone(),
                audience: r.audience.clone(),
                manner: r.manner.clone(),
                documents: mine[..shown]
                    .iter()
                    .map(|d| DocumentLink::from(*d))
                    .collect(),
                more_documents: mine.len() > shown,
            }
        })
        .collect();
    Ok(CatalogView {
        body: body.code.clone(),
        body_name: body.name.clone(),
        items,
    })
}

// --- Reports --------------------------------------------------------------------------

/// `/b/{code}/reports`, `GET /bodies/{code}/reports`: the published report versions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportsView {
    /// The body's code.
    pub body: String,
    pub body_name: String,
    /// Newest first.
    pub versions: Vec<ReportVersionRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportVersionRow {
    pub year: i32,
    pub version: i32,
    /// RFC 3339.
    pub published_at: String,
    /// Reason of a correction (empty for version 1).
    pub reason: String,
    /// The version in the JSON contract.
    pub url: String,
    /// The version's page.
    pub page_url: String,
}

impl ReportVersionRow {
    fn new(body_code: &str, v: &ReportVersion) -> ReportVersionRow {
        ReportVersionRow {
            year: v.year,
            version: v.version,
            published_at: v.published_at.clone(),
            reason: v.reason.clone(),
            url: format!(
                "/api/v1/bodies/{body_code}/reports/{}?v={}",
                v.year, v.version
            ),
            page_url: format!("/b/{body_code}/reports/{}?v={}", v.year, v.version),
        }
    }

    /// The day of publication.
    pub fn published_day(&self) -> &str {
        self.published_at.get(..10).unwrap_or(&self.published_at)
    }

    pub fn reason_text(&self) -> String {
        if self.reason.is_empty() {
            "—".into()
        } else {
            format!("更正：{}", self.reason)
        }
    }
}

pub async fn reports_view(st: &AppState, body: &Body) -> PageResult<ReportsView> {
    let versions = st.store.report_versions(body.id, None).await?;
    Ok(ReportsView {
        body: body.code.clone(),
        body_name: body.name.clone(),
        versions: versions
            .iter()
            .map(|v| ReportVersionRow::new(&body.code, v))
            .collect(),
    })
}

// --- Search ---------------------------------------------------------------------------

/// Hits per page of the search.
pub const SEARCH_PAGE_SIZE: usize = 20;

/// `/search` results, `GET /search`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchView {
    /// Matches in all pages.
    pub total: usize,
    pub took_ms: f64,
    pub page: usize,
    pub hits: Vec<SearchHit>,
}

impl SearchView {
    /// The search time as people read it: 「0.8」, 「12」 (milliseconds, at most one decimal).
    pub fn took_text(&self) -> String {
        if self.took_ms < 10.0 {
            format!("{:.1}", self.took_ms)
        } else {
            format!("{:.0}", self.took_ms)
        }
    }
}

/// One hit. `title_html` and `snippet_html` are escaped by the search crate, with the
/// matched words in `<mark>`: trusted HTML.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub id: String,
    /// What the hit is, in Chinese: 政府信息, 标准目录, 年度报告 or 办事指南.
    pub kind: String,
    pub title_html: String,
    pub snippet_html: String,
    pub body_code: String,
    pub body_name: String,
    pub domain: Option<String>,
    pub date: Option<String>,
    pub doc_number: Option<String>,
    pub url: String,
}

impl SearchView {
    pub fn new(res: gongkai_search::SearchResults, page: usize) -> SearchView {
        SearchView {
            total: res.total,
            took_ms: res.took_ms,
            page,
            hits: res
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    id: h.id,
                    kind: h.kind.label().to_string(),
                    title_html: h.title_html,
                    snippet_html: h.snippet_html,
                    body_code: h.body_code,
                    body_name: h.body_name,
                    domain: h.domain,
                    date: h.date,
                    doc_number: h.doc_number,
                    url: h.url,
                })
                .collect(),
        }
    }

    /// Whether a next page has hits.
    pub fn has_next(&self) -> bool {
        self.total > self.page * SEARCH_PAGE_SIZE
    }
}

impl SearchHit {
    /// The hit's source line: body, domain, 文号 and date.
    pub fn source(&self) -> String {
        [
            self.body_name.as_str(),
            self.domain.as_deref().unwrap_or(""),
            self.doc_number.as_deref().unwrap_or(""),
            self.date.as_deref().unwrap_or(""),
        ]
        .join(" ")
    }
}

/// An `<option>` of a select.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl SelectOption {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        SelectOption {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// `/search`: the form with the request's values, and the results when there is a query.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPageView {
    pub q: String,
    pub body: String,
    pub domain: String,
    pub year: String,
    /// Bodies to search in (with their subordinates).
    pub bodies: Vec<SelectOption>,
    /// The standard domains (领域).
    pub domains: Vec<SelectOption>,
    /// The kinds of item (政府信息, 标准目录, 年度报告, 办事指南).
    pub kinds: Vec<SelectOption>,
    pub results: Option<SearchView>,
    /// The next page of results.
    pub next_href: Option<String>,
}

impl SearchPageView {
    pub fn new(
        p: &crate::portal::SearchQuery,
        all: &[Body],
        results: Option<SearchView>,
        next_href: Option<String>,
    ) -> SearchPageView {
        SearchPageView {
            q: p.q.clone(),
            body: p.body.clone(),
            domain: p.domain.clone(),
            year: p.year.clone(),
            bodies: all
                .iter()
                .map(|b| SelectOption {
                    value: b.code.clone(),
                    label: b.name.clone(),
                    selected: b.code == p.body,
                })
                .collect(),
            domains: gongkai_ledger::content::STANDARD_DOMAINS
                .iter()
                .map(|d| SelectOption {
                    value: d.to_string(),
                    label: d.to_string(),
                    selected: *d == p.domain,
                })
                .collect(),
            kinds: gongkai_search::DocKind::ALL
                .iter()
                .map(|k| SelectOption {
                    value: k.as_str().to_string(),
                    label: k.label().to_string(),
                    selected: k.as_str() == p.kind,
                })
                .collect(),
            results,
            next_href,
        }
    }
}

pub async fn search_view(
    st: &AppState,
    p: &crate::portal::SearchQuery,
    ip: std::net::IpAddr,
) -> PageResult<SearchView> {
    let res = crate::portal::run_search(st, p, ip).await?;
    Ok(SearchView::new(res, p.page.unwrap_or(1)))
}

// --- The application desk -------------------------------------------------------------

/// An option of the applicant type select.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicantOption {
    pub key: &'static str,
    pub label: String,
    pub selected: bool,
}

pub fn applicant_options(selected: &str) -> Vec<ApplicantOption> {
    ApplicantType::ALL
        .iter()
        .map(|a| ApplicantOption {
            key: a.column_key(),
            label: if a.is_organisation() {
                format!("法人或其他组织·{}", a.label())
            } else {
                a.label().to_string()
            },
            selected: a.column_key() == selected,
        })
        .collect()
}

/// `/b/{code}/apply`: the online application form, with the values and errors of a
/// refused submission.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyFormView {
    pub body: BodyRef,
    pub errors: Vec<crate::portal::FieldError>,
    pub applicant_types: Vec<ApplicantOption>,
    pub id_kinds: Vec<SelectOption>,
    pub deliveries: Vec<SelectOption>,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub request_text: String,
    /// Single-use token of this form (kept when the form comes back with errors).
    pub form_token: String,
}

/// Ways to obtain the information (条例第二十九条: 获取信息的方式).
pub const DELIVERIES: [&str; 4] = ["电子邮件", "邮寄纸质件", "当面领取", "在线查看"];

impl ApplyFormView {
    pub fn new(
        body: &Body,
        f: &crate::portal::ApplyForm,
        errors: Vec<crate::portal::FieldError>,
    ) -> ApplyFormView {
        let token = if crate::portal_views::valid_form_token(&f.form_token) {
            f.form_token.clone()
        } else {
            new_form_token()
        };
        ApplyFormView {
            body: body.into(),
            errors,
            applicant_types: applicant_options(&f.applicant_type),
            id_kinds: crate::portal::ID_KINDS
                .iter()
                .map(|&(k, label)| SelectOption::new(k, label, f.id_kind == k))
                .collect(),
            deliveries: DELIVERIES
                .iter()
                .map(|&d| SelectOption::new(d, d, f.delivery == d))
                .collect(),
            name: f.name.clone(),
            id_number: f.id_number.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            address: f.address.clone(),
            request_text: f.request_text.clone(),
            form_token: token,
        }
    }

    /// The message of a refused field, or "" (for the line under the field).
    pub fn err(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map_or("", |e| e.message.as_str())
    }
}

/// The receipt of an online application (`POST /b/{code}/apply`, `POST /applications`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiptView {
    pub tracking_code: String,
    pub secret: String,
    /// The body's code.
    pub body: String,
    pub body_name: String,
    pub received_on: String,
    pub due_on: Option<String>,
}

impl ReceiptView {
    pub fn new(app: &Application, creds: &TrackingCredentials, body: &Body) -> ReceiptView {
        ReceiptView {
            tracking_code: creds.code.clone(),
            secret: creds.secret.clone(),
            body: body.code.clone(),
            body_name: body.name.clone(),
            received_on: date(app.status.received_on),
            due_on: app.due_on.map(date),
        }
    }

    pub fn due_on_text(&self) -> &str {
        self.due_on.as_deref().unwrap_or("以办理机关确认为准")
    }
}

/// Validate and receive an online application to `body` (rate-limited per client);
/// `Err` carries the form's Chinese messages. `note` goes to the audit log.
pub async fn submit_online(
    st: &AppState,
    body: &Body,
    ip: std::net::IpAddr,
    form: &crate::portal::ApplyForm,
    note: &str,
    key: &str,
) -> PageResult<Submitted> {
    if st.limits.submit.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let (applicant_type, personal, text) = match crate::portal::validate_apply(form) {
        Ok(x) => x,
        Err(errors) => return Ok(Submitted::Invalid(errors)),
    };
    let request_hash = request_hash(&body.code, applicant_type, &personal, &text);
    let submission = st
        .store
        .receive_application_once(
            &NewApplication {
                body_id: body.id,
                applicant_type,
                channel: Channel::Online,
                received_on: st.today(),
                request_text: text,
                personal,
            },
            "online",
            note,
            &SubmissionKey {
                token: key.to_string(),
                request_hash,
            },
        )
        .await?;
    Ok(match submission {
        Submission::New(app, creds) => Submitted::Received {
            receipt: ReceiptView::new(&app, &creds, body),
            replayed: false,
        },
        Submission::Replayed(app, creds) => Submitted::Received {
            receipt: ReceiptView::new(&app, &creds, body),
            replayed: true,
        },
        Submission::KeyReused => Submitted::KeyReused,
    })
}

/// What became of an online submission.
#[derive(Debug)]
pub enum Submitted {
    /// Filed; `replayed` when the same submission had been filed before (refresh, double
    /// click, a retried request): the receipt is the first one.
    Received {
        receipt: ReceiptView,
        replayed: bool,
    },
    /// The token or key was used for a submission with other fields.
    KeyReused,
    /// Refused fields, each with its message.
    Invalid(Vec<crate::portal::FieldError>),
}

/// SHA-256 over what was submitted, so that a key reused with other fields is told apart.
fn request_hash(
    body: &str,
    applicant_type: ApplicantType,
    p: &gongkai_ledger::PersonalData,
    text: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let fields = [
        body,
        applicant_type.column_key(),
        &p.name,
        p.id_number.as_deref().unwrap_or(""),
        p.phone.as_deref().unwrap_or(""),
        p.email.as_deref().unwrap_or(""),
        p.address.as_deref().unwrap_or(""),
        text,
    ];
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh single-use form token (128 random bits, hex).
pub fn new_form_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `t` has the shape of a form token (32 lower-case hex digits).
pub fn valid_form_token(t: &str) -> bool {
    t.len() == 32 && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `/status`: the form, with the error of a failed lookup.
#[derive(Debug, Clone, Serialize)]
pub struct StatusFormView {
    pub error: Option<String>,
}

/// The public view of an application (`POST /status`, `POST /applications/status`): state,
/// dates, events and the reply summary; never personal data or the request text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationStatusView {
    pub tracking_code: String,
    /// The body's code.
    pub body: String,
    pub body_name: String,
    pub received_on: String,
    #[schema(schema_with = crate::api::state_schema)]
    pub state: ApplicationState,
    pub state_label: &'static str,
    pub due_on: Option<String>,
    pub closed_on: Option<String>,
    pub outcome: Option<&'static str>,
    pub outcome_label: Option<String>,
    pub reply: Option<ReplyView>,
    pub events: Vec<EventRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplyView {
    pub reference: String,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventRow {
    pub on: String,
    pub kind: &'static str,
    pub label: &'static str,
}

impl ApplicationStatusView {
    pub fn new(app: &Application, body: &Body, events: &[ApplicationEvent]) -> Self {
        let s = &app.status;
        ApplicationStatusView {
            tracking_code: app.tracking_code.clone(),
            body: body.code.clone(),
            body_name: body.name.clone(),
            received_on: date(s.received_on),
            state: s.state,
            state_label: s.state.label_zh(),
            due_on: app.due_on.map(date),
            closed_on: s.closed_on.map(date),
            outcome: s.outcome.map(|o| o.code()),
            outcome_label: s.outcome.map(|o| o.label()),
            reply: s.reply.as_ref().map(|r| ReplyView {
                reference: r.reference.clone(),
                summary: r.summary.clone(),
            }),
            events: events
                .iter()
                .map(|e| EventRow {
                    on: date(e.on),
                    kind: e.kind.name(),
                    label: e.kind.label_zh(),
                })
                .collect(),
        }
    }

    pub fn due_on_text(&self) -> &str {
        self.due_on.as_deref().unwrap_or("—")
    }
}

/// The application with this tracking code and secret (rate-limited per client like a
/// sign-in); `None` when they do not match.
pub async fn application_status(
    st: &AppState,
    ip: std::net::IpAddr,
    code: &str,
    secret: &str,
) -> PageResult<Option<ApplicationStatusView>> {
    if st.limits.login.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    let Some(app) = st
        .store
        .find_by_tracking(code.trim(), secret.trim())
        .await?
    else {
        return Ok(None);
    };
    let body = st.store.get_body(app.body_id).await?;
    let events = st.store.application_events(app.id).await?;
    Ok(Some(ApplicationStatusView::new(&app, &body, &events)))
}
