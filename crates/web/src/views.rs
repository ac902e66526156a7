//! The view layer's shared parts: the page layout (askama `base.html`), the pager, and
//! rendering a template into a response. Every page is an askama template over a typed view
//! model; askama escapes every value, so handlers never escape by hand.

use crate::app::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub site_name: String,
    pub nav: Vec<NavItem>,
    pub large: bool,
    pub csrf: String,
    pub path: String,
    /// The signed-in staff member's name (staff pages show it with a logout button).
    pub staff_name: Option<String>,
}

impl Layout {
    /// A public portal page, with the body's navigation when one is being viewed.
    pub fn portal(st: &AppState, v: &Viewer, title: &str, body_code: Option<&str>) -> Layout {
        Layout::with_nav(st, v, title, portal_nav(v, body_code), None)
    }

    /// A staff console page: staff navigation and the signed-in member's name.
    pub fn staff(st: &AppState, v: &Viewer, title: &str) -> Layout {
        let name = v.staff.as_ref().map(|s| s.user.display_name.clone());
        Layout::with_nav(st, v, title, staff_nav(v), name)
    }

    fn with_nav(
        st: &AppState,
        v: &Viewer,
        title: &str,
        nav: Vec<NavItem>,
        staff_name: Option<String>,
    ) -> Layout {
        Layout {
            title: title.to_string(),
            site_name: st.config.site_name.clone(),
            nav,
            large: v.large,
            csrf: v.csrf.clone(),
            path: v.path.clone(),
            staff_name,
        }
    }

    /// The layout of an error page rendered without request context.
    pub fn bare(title: &str) -> Layout {
        Layout {
            title: title.to_string(),
            site_name: crate::app::WebConfig::default().site_name,
            nav: Vec::new(),
            large: false,
            csrf: String::new(),
            path: String::new(),
            staff_name: None,
        }
    }
}

/// Render a template into an HTML response.
pub fn render<T: Template>(t: &T) -> Result<Response, AppError> {
    let html = t.render().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Html(html).into_response())
}

/// A list's pager (`partials/pager.html`): previous / 第N页 / 共M页 / next.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Pager {
    /// The list's URL up to the page number, unescaped, e.g. `/b/440115101/docs?page=`.
    pub base: String,
    pub page: i64,
    pub per_page: i64,
    /// Items in the whole list (negative when unknown).
    pub total: i64,
}

impl Pager {
    pub fn new(base: impl Into<String>, page: i64, per_page: i64, total: i64) -> Pager {
        Pager {
            base: base.into(),
            page: page.max(1),
            per_page: per_page.max(1),
            total,
        }
    }

    pub fn pages(&self) -> i64 {
        ((self.total.max(0) + self.per_page - 1) / self.per_page).max(1)
    }

    /// Offset of the first item of the current page.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn prev_href(&self) -> Option<String> {
        (self.page > 1).then(|| format!("{}{}", self.base, self.page - 1))
    }

    pub fn next_href(&self) -> Option<String> {
        (self.page < self.pages()).then(|| format!("{}{}", self.base, self.page + 1))
    }
}

/// Navigation of the public portal, scoped to a body when one is being viewed.
pub fn portal_nav(viewer: &Viewer, body_code: Option<&str>) -> Vec<NavItem> {
    let mut items = vec![("/".to_string(), "首页".to_string())];
    if let Some(c) = body_code {
        items.extend([
            (format!("/b/{c}"), "机关首页".to_string()),
            (format!("/b/{c}/guide"), "政府信息公开指南".to_string()),
            (format!("/b/{c}/catalog"), "标准目录".to_string()),
            (format!("/b/{c}/docs"), "政府信息".to_string()),
            (format!("/b/{c}/reports"), "年度报告".to_string()),
            (format!("/b/{c}/services"), "办事指南".to_string()),
            (format!("/b/{c}/apply"), "依申请公开".to_string()),
        ]);
    }
    items.push(("/search".into(), "全文检索".into()));
    items.push(("/status".into(), "办理进度查询".into()));
    items.push(("/deadline".into(), "答复期限计算器".into()));
    to_nav(items, &viewer.path)
}

/// Navigation of the staff console.
pub fn staff_nav(viewer: &Viewer) -> Vec<NavItem> {
    let items = vec![
        ("/staff".to_string(), "申请办理".to_string()),
        ("/staff/documents".into(), "政府信息".into()),
        ("/staff/catalog".into(), "标准目录".into()),
        ("/staff/cases".into(), "复议诉讼".into()),
        ("/staff/registers".into(), "第二十条登记".into()),
        ("/staff/reports".into(), "年度报告".into()),
        ("/staff/services".into(), "办事指南".into()),
        ("/staff/audit".into(), "操作日志".into()),
        ("/".into(), "门户".into()),
    ];
    to_nav(items, &viewer.path)
}

fn to_nav(items: Vec<(String, String)>, path: &str) -> Vec<NavItem> {
    // The longest matching prefix is the current item.
    let best = items
        .iter()
        .filter(|(h, _)| path == h || (h != "/" && path.starts_with(&format!("{h}/"))))
        .map(|(h, _)| h.len())
        .max();
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            current: Some(href.len()) == best
                && (path == href || path.starts_with(&format!("{href}/"))),
            href,
            label,
        })
        .collect()
}
