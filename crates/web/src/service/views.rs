//! View models of the public 办事指南 pages, shared by the HTML pages and the JSON API: the
//! catalogue of a body ([`ServiceCatalogView`]) and one guide ([`ServiceGuideView`]).

use crate::app::AppState;
use crate::error::{AppError, PageResult};
use crate::portal::urlencode;
use crate::views::Pager;
use gongkai_ledger::Body;
use gongkai_ledger::service::{Audience, GuideRevision, HandlingType, ServiceGuide, visits_label};
use gongkai_store::{ServiceItem, ServiceItemQuery};
use serde::Serialize;
use utoipa::ToSchema;

/// Items per catalogue page.
pub const CATALOGUE_PAGE: i64 = 20;

/// The URL of an item's public guide page.
pub fn guide_href(body_code: &str, item_code: &str) -> String {
    format!(
        "/b/{}/services/{}",
        urlencode(body_code),
        urlencode(item_code)
    )
}

/// A filter link of the catalogue (服务对象 or 主题).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FilterLink {
    /// What is shown.
    pub label: String,
    /// The filter value ("" = all).
    pub value: String,
    /// Items it leads to (negative when not counted).
    pub count: i64,
    /// The catalogue URL with this filter.
    pub href: String,
    /// Whether it is the active filter.
    pub current: bool,
}

/// One row of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceItemRow {
    /// 实施编码.
    pub code: String,
    /// 事项名称.
    pub name: String,
    /// 事项类型.
    pub kind: String,
    /// 服务对象.
    pub audience: String,
    /// 主题分类 (the first).
    pub theme: String,
    /// 办件类型 and 承诺办结时限, e.g. "即办件" or "承诺件 5个工作日".
    pub time_limit: String,
    /// "不收费" or the 收费标准.
    pub fee: String,
    /// 主项编码 when it is a 子项.
    pub main_item: Option<String>,
    /// The guide page.
    pub href: String,
}

/// `GET /b/{code}/services` and `GET /api/v1/bodies/{code}/services`: one page of a body's
/// published items, filtered by 服务对象, theme and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceCatalogView {
    /// 机关代码.
    pub body_code: String,
    /// 机关名称.
    pub body_name: String,
    /// The name filter as given.
    pub q: String,
    /// The 服务对象 filter ("" = all).
    pub audience: String,
    /// The theme filter ("" = all).
    pub theme: String,
    /// Filter links by 服务对象.
    pub audiences: Vec<FilterLink>,
    /// Filter links by theme, with counts.
    pub themes: Vec<FilterLink>,
    /// Matching items on all pages.
    pub total: i64,
    /// The items of this page.
    pub items: Vec<ServiceItemRow>,
    /// Paging.
    pub pager: Pager,
    /// The full-text search of this body's guides for `q`.
    pub search_href: String,
    /// The catalogue without the theme filter.
    pub all_themes_href: String,
}

/// The query of the catalogue (page and API).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Name contains (事项名称).
    #[serde(default)]
    pub q: String,
    /// 服务对象: 个人 or 法人 (个人及法人 items are in both).
    #[serde(default)]
    pub audience: String,
    /// 主题分类.
    #[serde(default)]
    pub theme: String,
    /// Page, from 1 (20 items a page).
    #[serde(default)]
    pub page: Option<i64>,
}

fn time_limit_label(g: &ServiceGuide) -> String {
    match (g.handling_type, g.promised_limit_days) {
        (HandlingType::Promised, Some(d)) => format!("承诺件 {d}个工作日"),
        (t, _) => t.label_zh().to_string(),
    }
}

/// 收费 as published: "不收费" when not charged (never blank).
pub fn fee_label(g: &ServiceGuide) -> String {
    let s = g.fee.standard.trim();
    if !g.fee.charged {
        if s.is_empty() || matches!(s, "无" | "/" | "—" | "-" | "暂无") {
            "不收费".into()
        } else {
            s.to_string()
        }
    } else if s.is_empty() {
        "收费（标准见收费依据）".into()
    } else {
        s.to_string()
    }
}

fn catalogue_href(body: &Body, q: &str, audience: &str, theme: &str) -> String {
    format!(
        "/b/{}/services?q={}&audience={}&theme={}&page=",
        urlencode(&body.code),
        urlencode(q),
        urlencode(audience),
        urlencode(theme)
    )
}

/// Build the catalogue page of `body` for `q`.
pub async fn catalogue_view(
    st: &AppState,
    body: &Body,
    q: &CatalogueQuery,
) -> PageResult<ServiceCatalogView> {
    let audience =
        match q.audience.trim() {
            "" => None,
            a => Some(Audience::parse(a).ok_or_else(|| {
                AppError::BadRequest(format!("服务对象「{a}」无效，应为个人或法人"))
            })?),
        };
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let name = q.q.trim().chars().take(50).collect::<String>();
    let theme = q.theme.trim().to_string();
    let query = ServiceItemQuery {
        body_id: body.id,
        status: None,
        published_only: true,
        audience,
        theme: (!theme.is_empty()).then(|| theme.clone()),
        name: (!name.is_empty()).then(|| name.clone()),
        main_code: None,
        limit: CATALOGUE_PAGE,
        offset: (page - 1) * CATALOGUE_PAGE,
    };
    let (items, total) = st.store.list_service_items(&query).await?;
    let mut rows = Vec::with_capacity(items.len());
    for i in &items {
        rows.push(row_of(st, body, i).await?);
    }
    let aud = audience.map(|a| a.label_zh()).unwrap_or("");
    let audiences = std::iter::once(("全部", ""))
        .chain([("个人办事", "个人"), ("法人办事", "法人")])
        .map(|(label, value)| FilterLink {
            label: label.into(),
            value: value.into(),
            count: -1,
            href: format!("{}1", catalogue_href(body, &name, value, &theme)),
            current: value == aud,
        })
        .collect();
    let themes = st
        .store
        .service_themes(body.id, true)
        .await?
        .into_iter()
        .map(|(t, n)| FilterLink {
            href: format!("{}1", catalogue_href(body, &name, aud, &t)),
            current: t == theme,
            label: t.clone(),
            value: t,
            count: n,
        })
        .collect();
    Ok(ServiceCatalogView {
        body_code: body.code.clone(),
        body_name: body.name.clone(),
        q: name.clone(),
        audience: aud.to_string(),
        theme: theme.clone(),
        audiences,
        themes,
        total,
        items: rows,
        search_href: format!(
            "/search?q={}&body={}&kind=service_item",
            urlencode(&name),
            urlencode(&body.code)
        ),
        all_themes_href: format!("{}1", catalogue_href(body, &name, aud, "")),
        pager: Pager::new(
            catalogue_href(body, &name, aud, &theme),
            page,
            CATALOGUE_PAGE,
            total,
        ),
    })
}

async fn row_of(st: &AppState, body: &Body, i: &ServiceItem) -> PageResult<ServiceItemRow> {
    let version = i.published_version.unwrap_or(i.version);
    let g = st.store.service_item_version(i.id, version).await?.guide;
    Ok(ServiceItemRow {
        code: i.code.clone(),
        name: g.name.clone(),
        kind: g.kind.label_zh().into(),
        audience: g.audience.label_zh().into(),
        theme: i.theme.clone(),
        time_limit: time_limit_label(&g),
        fee: fee_label(&g),
        main_item: g.main_item.clone(),
        href: guide_href(&body.code, &i.code),
    })
}

/// One 申请材料 as shown in the materials table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaterialRow {
    /// 序号 (from 1).
    pub no: usize,
    /// 材料名称.
    pub name: String,
    /// 材料形式.
    pub form: String,
    /// 份数.
    pub copies: u32,
    /// 来源渠道.
    pub source: String,
    /// "必需" or "非必需（适用情形）".
    pub required: String,
    /// 空白表格: file name and download URL.
    pub blank_form: Option<FileLink>,
    /// 示例样表: file name and download URL.
    pub sample_form: Option<FileLink>,
}

/// A downloadable file of a guide.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileLink {
    /// File name.
    pub name: String,
    /// Download URL (absent when the file was named but not uploaded).
    pub href: Option<String>,
}

/// One 办理流程 step or 特殊环节 as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepRow {
    /// 序号 (from 1).
    pub no: usize,
    /// 环节名称.
    pub name: String,
    /// 所需时限.
    pub time_limit: String,
    /// For a 特殊环节: "计入办结时限" or "不计入办结时限".
    pub counting: Option<String>,
}

/// A link to another item (the 主项 of a 子项, or the 子项 of a 主项).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemLink {
    /// 实施编码.
    pub code: String,
    /// 事项名称 (the code when the item is not public).
    pub name: String,
    /// Its guide page, when public.
    pub href: Option<String>,
}

/// `GET /b/{code}/services/{item}` and `GET /api/v1/bodies/{code}/services/{item}`: the
/// published version of a guide with its display forms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceGuideView {
    /// 机关代码.
    pub body_code: String,
    /// 机关名称.
    pub body_name: String,
    /// 实施编码 (the URL key).
    pub code: String,
    /// The published version number.
    pub version: u32,
    /// The day it was published (Beijing date, `YYYY-MM-DD`).
    pub published_on: String,
    /// The guide as published.
    pub guide: ServiceGuide,
    /// 受理条件, numbered.
    pub conditions: Vec<String>,
    /// 申请材料.
    pub materials: Vec<MaterialRow>,
    /// 办理流程.
    pub steps: Vec<StepRow>,
    /// 特殊环节.
    pub special_steps: Vec<StepRow>,
    /// 法定办结时限 as shown ("—" when the law sets none).
    pub legal_limit: String,
    /// 承诺办结时限 as shown ("当场办结" for 即办件).
    pub promised_limit: String,
    /// 到现场次数 as shown.
    pub visits: String,
    /// 收费标准 as shown ("不收费", never blank).
    pub fee: String,
    /// 是否收费: 是 / 否.
    pub charged: String,
    /// 设定依据, one line each: "《title》第N条（层级）".
    pub bases: Vec<String>,
    /// 送达方式, joined.
    pub delivery: String,
    /// The 主项 when this is a 子项.
    pub main_item: Option<ItemLink>,
    /// The 子项 when this is a 主项.
    pub sub_items: Vec<ItemLink>,
    /// 网上办理入口 as a link (only an http(s) address).
    pub online_href: Option<String>,
    /// The printable A4 page.
    pub print_href: String,
    /// The catalogue.
    pub catalogue_href: String,
}

impl ServiceGuideView {
    /// 办理机构 with 主管部门 when given, for the basic-information table.
    pub fn has_department(&self) -> bool {
        !self.guide.competent_department.trim().is_empty()
    }
}

/// The public view of `code` of `body`: 404 (in Chinese) when unknown or not published.
pub async fn guide_view(st: &AppState, body: &Body, code: &str) -> PageResult<ServiceGuideView> {
    let (item, rev) = st
        .store
        .published_service_item(body.id, code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("办事指南「{code}」")))?;
    build_guide_view(st, body, &item, &rev).await
}

/// The view of one version of an item (the public page's, or a staff preview).
pub async fn build_guide_view(
    st: &AppState,
    body: &Body,
    item: &ServiceItem,
    rev: &GuideRevision,
) -> PageResult<ServiceGuideView> {
    let g = &rev.guide;
    let files: Vec<String> = st
        .store
        .list_service_attachments(item.id)
        .await?
        .into_iter()
        .map(|a| a.file_name)
        .collect();
    let href = guide_href(&body.code, &item.code);
    let link = |name: &Option<String>| {
        name.as_ref()
            .filter(|n| !n.trim().is_empty())
            .map(|n| FileLink {
                name: n.clone(),
                href: files
                    .iter()
                    .any(|f| f == n)
                    .then(|| format!("{href}/files/{}", urlencode(n))),
            })
    };
    let materials = g
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| MaterialRow {
            no: i + 1,
            name: m.name.clone(),
            form: m.form.label_zh().into(),
            copies: m.copies,
            source: m.source.clone(),
            required: if m.required {
                match &m.applies_when {
                    Some(w) if !w.trim().is_empty() => format!("必需（{}）", w.trim()),
                    _ => "必需".into(),
                }
            } else {
                format!(
                    "非必需（{}）",
                    m.applies_when.as_deref().unwrap_or("按情形")
                )
            },
            blank_form: link(&m.blank_form),
            sample_form: link(&m.sample_form),
        })
        .collect();
    let steps = g
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            no: i + 1,
            name: s.name.clone(),
            time_limit: s.time_limit.clone(),
            counting: None,
        })
        .collect();
    let special_steps = g
        .special_steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            no: i + 1,
            name: s.name.clone(),
            time_limit: s.time_limit.clone(),
            counting: Some(
                if s.counts_in_limit {
                    "计入办结时限"
                } else {
                    "不计入办结时限"
                }
                .into(),
            ),
        })
        .collect();
    let main_item = match g.main_item.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => Some(item_link(st, body, c).await?),
        _ => None,
    };
    let (subs, _) = st
        .store
        .list_service_items(&ServiceItemQuery {
            body_id: body.id,
            published_only: true,
            main_code: Some(item.code.clone()),
            limit: 200,
            ..ServiceItemQuery::default()
        })
        .await?;
    let sub_items = subs
        .into_iter()
        .map(|s| ItemLink {
            href: Some(guide_href(&body.code, &s.code)),
            code: s.code,
            name: s.name,
        })
        .collect();
    let published_on = item
        .published_at
        .as_deref()
        .map(|t| gongkai_store::beijing_time(t).chars().take(10).collect())
        .unwrap_or_else(|| rev.at.chars().take(10).collect());
    Ok(ServiceGuideView {
        body_code: body.code.clone(),
        body_name: body.name.clone(),
        code: item.code.clone(),
        version: rev.version,
        published_on,
        conditions: g.numbered_conditions(),
        materials,
        steps,
        special_steps,
        legal_limit: g
            .legal_limit_days
            .map(|d| format!("{d}个工作日"))
            .unwrap_or_else(|| "—".into()),
        promised_limit: match (g.handling_type, g.promised_limit_days) {
            (HandlingType::Immediate, _) => "当场办结".into(),
            (HandlingType::Promised, Some(d)) => format!("{d}个工作日"),
            (HandlingType::Promised, None) => "—".into(),
        },
        visits: visits_label(g.visits),
        fee: fee_label(g),
        charged: if g.fee.charged { "是" } else { "否" }.into(),
        bases: g
            .bases
            .iter()
            .map(|b| {
                format!(
                    "{}{}（{}）",
                    b.title.trim(),
                    b.article.trim(),
                    b.level.label_zh()
                )
            })
            .collect(),
        delivery: g.delivery.join("、"),
        main_item,
        sub_items,
        online_href: g
            .online_url
            .as_deref()
            .map(str::trim)
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map(str::to_string),
        print_href: format!("{href}/print"),
        catalogue_href: format!("/b/{}/services", urlencode(&body.code)),
        guide: g.clone(),
    })
}

async fn item_link(st: &AppState, body: &Body, code: &str) -> PageResult<ItemLink> {
    Ok(
        match st.store.published_service_item(body.id, code).await? {
            Some((i, rev)) => ItemLink {
                code: i.code.clone(),
                name: rev.guide.name,
                href: Some(guide_href(&body.code, &i.code)),
            },
            None => ItemLink {
                code: code.to_string(),
                name: code.to_string(),
                href: None,
            },
        },
    )
}
