//! The staff pages of 办事指南: the list of a body's items (state filter, paging, flags for
//! blocking problems, 兜底 wording and guides not reviewed in 12 months), the editor (every
//! save a new version; from version 2 on with a required 修改原因; the `check_guide`
//! findings next to their fields), the workflow (提交审核 by a clerk; 审核发布 or 退回修改 with a
//! reason, and 停用, by a reviewer who is not the version's editor), the version history,
//! 空表/样表 uploads, and CSV/JSON import and export.
//!
//! Form fields are named by the Chinese CSV headers and read through the same
//! `guide_from_csv_record` as an import (list fields one item per line), so the form, the
//! file and the API accept exactly the same values.

use super::io::{self, Format};
use crate::error::{AppError, PageResult};
use crate::portal::{download, urlencode};
use crate::staff::{BodyQuery, BodySwitcher, CsrfForm, SelectOption, StaffCtx, StaffForm};
use crate::views::{Layout, Pager, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_ledger::Body;
use gongkai_ledger::service::{
    Audience, CSV_HEADER, CheckContext, ExerciseLevel, FindingSeverity, GuideAction, GuideFinding,
    GuideStatus, HandlingType, ItemKind, ServiceGuide, check_guide, guide_from_csv_record,
    guide_to_csv_record,
};
use gongkai_store::{ServiceItem, ServiceItemQuery, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

/// Items per page of the staff list.
const PAGE: i64 = 50;

/// Columns edited as one item per line.
const LIST_COLUMNS: &[&str] = &[
    "主题分类",
    "设定依据",
    "受理条件",
    "申请材料",
    "办理流程",
    "送达方式",
    "特殊环节",
];

/// The format hint of a column.
fn hint(column: &str) -> &'static str {
    match column {
        "设定依据" => {
            "每行一项：层级|依据名称|条款，如：法律|《中华人民共和国社会保险法》|第十六条（由高到低排列）"
        }
        "受理条件" => "每行一项，不写序号（页面自动编号）",
        "申请材料" => {
            "每行一项：名称|形式|份数|来源渠道|必需(是/否)，可再加|适用情形|空白表格文件名|示例样表文件名"
        }
        "办理流程" => "每行一个环节：环节名称|所需时限",
        "特殊环节" => "每行一项：环节名称|所需时限|是否计算在办结时限内(是/否)",
        "主题分类" | "送达方式" => "每行一项",
        "法定办结时限" | "承诺办结时限" => "工作日数，即办件的承诺办结时限留空",
        "收费标准" => "不收费的写“不收费”，不得写“无”或留空",
        "咨询电话" | "监督投诉电话" => "“区号-号码”，如020-84938888，或12345",
        "实施编码" => "事项的唯一编码（同一机关内不得重复，创建后不可修改）",
        "主项编码" => "本事项为子项时，填写所属主项的实施编码",
        _ => "",
    }
}

fn select_options(column: &str) -> Option<Vec<&'static str>> {
    let labels = |all: Vec<&'static str>| Some(all);
    match column {
        "事项类型" => labels(ItemKind::ALL.iter().map(|k| k.label_zh()).collect()),
        "行使层级" => labels(ExerciseLevel::ALL.iter().map(|k| k.label_zh()).collect()),
        "服务对象" => labels(Audience::ALL.iter().map(|k| k.label_zh()).collect()),
        "办件类型" => labels(HandlingType::ALL.iter().map(|k| k.label_zh()).collect()),
        "是否收费" => labels(vec!["否", "是"]),
        _ => None,
    }
}

/// The column a finding's field key is shown at.
fn column_of(field: &str) -> Option<&'static str> {
    let base = field.split(['[', '.']).next().unwrap_or(field);
    Some(match (base, field) {
        (_, "fee.charged") => "是否收费",
        (_, "fee.standard") => "收费标准",
        (_, "fee.basis") => "收费依据",
        ("name", _) => "事项名称",
        ("basic_code", _) => "基本编码",
        ("impl_code", _) => "实施编码",
        ("kind", _) => "事项类型",
        ("level", _) => "行使层级",
        ("audience", _) => "服务对象",
        ("themes", _) => "主题分类",
        ("bases", _) => "设定依据",
        ("implementing_body", _) => "实施主体",
        ("handling_unit", _) => "办理机构",
        ("conditions", _) => "受理条件",
        ("materials", _) => "申请材料",
        ("steps", _) => "办理流程",
        ("special_steps", _) => "特殊环节",
        ("handling_type", _) => "办件类型",
        ("legal_limit_days", _) => "法定办结时限",
        ("promised_limit_days", _) => "承诺办结时限",
        ("visits", _) => "到现场次数",
        ("location", _) => "办理地点",
        ("hours", _) => "办理时间",
        ("phone", _) => "咨询电话",
        ("complaint_phone", _) => "监督投诉电话",
        ("result_name", _) => "结果名称",
        ("delivery", _) => "送达方式",
        ("online_url", _) => "网上办理入口",
        ("main_item", _) => "主项编码",
        ("competent_department", _) => "主管部门",
        _ => return None,
    })
}

/// One field of the editor.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The form field's name: the CSV header.
    pub name: &'static str,
    /// `text`, `textarea` or `select`.
    pub input: &'static str,
    pub value: String,
    pub options: Vec<SelectOption>,
    pub hint: &'static str,
    /// Blocking findings and unreadable values.
    pub errors: Vec<String>,
    /// Warnings (兜底 wording, …).
    pub warnings: Vec<String>,
    /// The `id` of the input.
    pub id: String,
}

/// A workflow button of the editor.
#[derive(Debug, Clone)]
pub struct ActionButton {
    pub action: &'static str,
    pub label: &'static str,
    /// Whether the step needs a reason (退回修改, 停用).
    pub needs_note: bool,
}

/// The item being edited.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    pub id: i64,
    pub code: String,
    pub status: &'static str,
    pub version: u32,
    pub editor: String,
    pub published_version: Option<u32>,
    pub note: String,
    pub public_href: Option<String>,
}

/// The editor page (new or existing item).
pub struct EditView {
    pub body: Body,
    pub item: Option<ItemInfo>,
    pub fields: Vec<FieldView>,
    pub reason: String,
    pub reason_error: Option<String>,
    /// Findings not tied to a field (审核日期) and refused saves.
    pub general: Vec<String>,
    pub blocking: usize,
    pub warnings: usize,
    pub actions: Vec<ActionButton>,
    pub attachments: Vec<String>,
    pub upload_action: String,
    pub form_action: String,
    /// Whether the user may save (clerks); others see the fields read-only.
    pub can_edit: bool,
}

fn list_cell_to_lines(cell: &str) -> String {
    // Items are separated by an unescaped "；".
    let mut out = String::with_capacity(cell.len() + 8);
    let mut escaped = false;
    for c in cell.chars() {
        if escaped {
            escaped = false;
            out.push(c);
        } else if c == '\\' {
            escaped = true;
            out.push(c);
        } else if c == '；' {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

fn fields_of(values: &HashMap<String, String>) -> Vec<FieldView> {
    CSV_HEADER
        .iter()
        .enumerate()
        .map(|(i, col)| {
            let value = values.get(*col).cloned().unwrap_or_default();
            let (input, options) = match select_options(col) {
                Some(opts) => (
                    "select",
                    opts.into_iter()
                        .map(|o| SelectOption::new(o, o, o == value.trim()))
                        .collect(),
                ),
                None if LIST_COLUMNS.contains(col) => ("textarea", Vec::new()),
                None => ("text", Vec::new()),
            };
            FieldView {
                name: col,
                input,
                value,
                options,
                hint: hint(col),
                errors: Vec::new(),
                warnings: Vec::new(),
                id: format!("f{i}"),
            }
        })
        .collect()
}

/// The form values of a guide (list cells one item per line).
fn values_of(g: &ServiceGuide) -> HashMap<String, String> {
    CSV_HEADER
        .iter()
        .zip(guide_to_csv_record(g))
        .map(|(col, cell)| {
            let v = if LIST_COLUMNS.contains(col) {
                list_cell_to_lines(&cell)
            } else {
                cell
            };
            (col.to_string(), v)
        })
        .collect()
}

/// Read a guide from the form; an unreadable value is returned with its column.
fn guide_of(form: &HashMap<String, String>) -> Result<ServiceGuide, (String, String)> {
    let header: Vec<String> = CSV_HEADER.iter().map(|s| s.to_string()).collect();
    let record: Vec<String> = CSV_HEADER
        .iter()
        .map(|col| {
            let v = form.get(*col).map(String::as_str).unwrap_or("");
            if LIST_COLUMNS.contains(col) {
                v.replace("\r\n", "\n").replace('\n', "；")
            } else {
                v.replace(['\r', '\n'], " ")
            }
        })
        .collect();
    guide_from_csv_record(&header, &record).map_err(|e| (e.column().to_string(), e.to_string()))
}

fn attach_findings(fields: &mut [FieldView], findings: &[GuideFinding], general: &mut Vec<String>) {
    for f in findings {
        let target = column_of(&f.field).and_then(|c| fields.iter_mut().find(|x| x.name == c));
        match (target, f.severity) {
            (Some(x), FindingSeverity::Blocking) => x.errors.push(f.message.clone()),
            (Some(x), FindingSeverity::Warning) => x.warnings.push(f.message.clone()),
            (None, s) => general.push(format!("{}：{}", s.label_zh(), f.message)),
        }
    }
}

fn check_ctx(ctx: &StaffCtx, item: Option<&ServiceItem>) -> CheckContext {
    let mut c = CheckContext::new(ctx.today());
    c.last_reviewed = item.and_then(|i| i.reviewed_on);
    c
}

fn now(ctx: &StaffCtx) -> String {
    ctx.st
        .config
        .clock
        .now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn actions_for(ctx: &StaffCtx, item: &ServiceItem) -> Vec<ActionButton> {
    let clerk = ctx.s.require_clerk(item.body_id).is_ok();
    let reviewer = ctx.s.require_reviewer(item.body_id).is_ok();
    let mut out = Vec::new();
    match item.status {
        GuideStatus::Draft | GuideStatus::Withdrawn if clerk => out.push(ActionButton {
            action: "submit",
            label: "提交审核",
            needs_note: false,
        }),
        GuideStatus::InReview if reviewer => {
            out.push(ActionButton {
                action: "publish",
                label: "审核通过并发布",
                needs_note: false,
            });
            out.push(ActionButton {
                action: "reject",
                label: "退回修改",
                needs_note: true,
            });
        }
        GuideStatus::Published if reviewer => out.push(ActionButton {
            action: "withdraw",
            label: "停用",
            needs_note: true,
        }),
        _ => {}
    }
    out
}

async fn edit_view(
    ctx: &StaffCtx,
    body: Body,
    item: Option<&ServiceItem>,
    guide: Option<&ServiceGuide>,
    values: HashMap<String, String>,
) -> PageResult<EditView> {
    let mut fields = fields_of(&values);
    let mut general = Vec::new();
    let (mut blocking, mut warnings) = (0, 0);
    if let Some(g) = guide {
        let findings = check_guide(g, &check_ctx(ctx, item));
        blocking = findings.iter().filter(|f| f.is_blocking()).count();
        warnings = findings.len() - blocking;
        attach_findings(&mut fields, &findings, &mut general);
    }
    let csrf = urlencode(&ctx.v.csrf);
    let (info, actions, attachments, upload_action, form_action) = match item {
        Some(i) => (
            Some(ItemInfo {
                id: i.id,
                code: i.code.clone(),
                status: i.status.label_zh(),
                version: i.version,
                editor: i.editor.clone(),
                published_version: i.published_version,
                note: i.note.clone(),
                public_href: i
                    .is_public()
                    .then(|| super::views::guide_href(&body.code, &i.code)),
            }),
            actions_for(ctx, i),
            ctx.st
                .store
                .list_service_attachments(i.id)
                .await?
                .into_iter()
                .map(|a| a.file_name)
                .collect(),
            format!("/staff/services/{}/files?csrf={csrf}", i.id),
            format!("/staff/services/{}", i.id),
        ),
        None => (
            None,
            Vec::new(),
            Vec::new(),
            String::new(),
            "/staff/services".to_string(),
        ),
    };
    Ok(EditView {
        can_edit: ctx.s.require_clerk(body.id).is_ok(),
        body,
        item: info,
        fields,
        reason: String::new(),
        reason_error: None,
        general,
        blocking,
        warnings,
        actions,
        attachments,
        upload_action,
        form_action,
    })
}

#[derive(Template)]
#[template(path = "service/staff_edit.html")]
struct EditPage {
    layout: Layout,
    view: EditView,
}

fn edit_page(ctx: &StaffCtx, view: EditView, status: StatusCode) -> PageResult<Response> {
    let title = match &view.item {
        Some(_) => "编辑办事指南",
        None => "新建办事指南",
    };
    let mut res = render(&EditPage {
        layout: ctx.layout(title),
        view,
    })?;
    *res.status_mut() = status;
    Ok(res)
}

// --- List ---------------------------------------------------------------------------------

/// One row of the staff list.
pub struct ListRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub version: u32,
    pub published_version: Option<u32>,
    pub editor: String,
    pub updated: String,
    /// Flags: (class, text).
    pub flags: Vec<(&'static str, String)>,
}

pub struct ListView {
    pub body: Body,
    pub switcher: BodySwitcher,
    pub statuses: Vec<SelectOption>,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub can_edit: bool,
    pub import_action: String,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "service/staff_list.html")]
struct ListPage {
    layout: Layout,
    view: ListView,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    imported: String,
}

fn flags_of(findings: &[GuideFinding]) -> Vec<(&'static str, String)> {
    let mut flags = Vec::new();
    let b = findings.iter().filter(|f| f.is_blocking()).count();
    if b > 0 {
        flags.push(("over", format!("{b}项不得发布")));
    }
    if findings.iter().any(|f| f.message.contains("兜底")) {
        flags.push(("risk", "含兜底表述".to_string()));
    }
    if findings
        .iter()
        .any(|f| f.field == "last_reviewed" && f.message.contains("超过"))
    {
        flags.push(("risk", "超过12个月未审核".to_string()));
    }
    if findings.iter().any(|f| f.message.contains("已废止")) {
        flags.push(("risk", "依据已废止".to_string()));
    }
    flags
}

pub(super) async fn list(ctx: StaffCtx, Query(q): Query<ListQuery>) -> PageResult<Response> {
    let (body, switcher) = ctx.chosen_body(&q.body, "/staff/services", None).await?;
    let status = match q.status.trim() {
        "" => None,
        s => Some(
            GuideStatus::parse(s)
                .ok_or_else(|| AppError::BadRequest(format!("状态「{s}」无效")))?,
        ),
    };
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (items, total) = ctx
        .st
        .store
        .list_service_items(&ServiceItemQuery {
            body_id: body.id,
            status,
            limit: PAGE,
            offset: (page - 1) * PAGE,
            ..ServiceItemQuery::default()
        })
        .await?;
    let mut rows = Vec::with_capacity(items.len());
    for i in items {
        let rev = ctx.st.store.service_item_version(i.id, i.version).await?;
        let findings = check_guide(&rev.guide, &check_ctx(&ctx, Some(&i)));
        rows.push(ListRow {
            flags: flags_of(&findings),
            id: i.id,
            code: i.code,
            name: i.name,
            status: i.status.label_zh(),
            version: i.version,
            published_version: i.published_version,
            editor: i.editor,
            updated: gongkai_store::beijing_time(&i.updated_at),
        });
    }
    let st_label = status.map(|s| s.label_zh()).unwrap_or("");
    let statuses = GuideStatus::ALL
        .iter()
        .map(|s| SelectOption::new(s.label_zh(), s.label_zh(), s.label_zh() == st_label))
        .collect();
    let message = (!q.imported.is_empty()).then(|| {
        let n: Vec<&str> = q.imported.split(',').collect();
        format!(
            "导入完成：新增{}项，更新{}项，未变{}项",
            n.first().unwrap_or(&"0"),
            n.get(1).unwrap_or(&"0"),
            n.get(2).unwrap_or(&"0")
        )
    });
    let view = ListView {
        can_edit: ctx.s.require_clerk(body.id).is_ok(),
        import_action: format!(
            "/staff/services/import?body={}&csrf={}",
            urlencode(&body.code),
            urlencode(&ctx.v.csrf)
        ),
        pager: Pager::new(
            format!(
                "/staff/services?body={}&status={}&page=",
                urlencode(&body.code),
                urlencode(st_label)
            ),
            page,
            PAGE,
            total,
        ),
        body,
        switcher,
        statuses,
        rows,
        message,
    };
    render(&ListPage {
        layout: ctx.layout("办事指南"),
        view,
    })
}

// --- Create and edit ------------------------------------------------------------------------

/// The editor's form: every CSV column by its header, plus `csrf`, `body` and `reason`.
#[derive(Deserialize)]
#[serde(transparent)]
pub(super) struct GuideForm(HashMap<String, String>);

impl CsrfForm for GuideForm {
    fn csrf(&self) -> &str {
        self.0.get("csrf").map(String::as_str).unwrap_or("")
    }
}

impl GuideForm {
    fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
}

pub(super) async fn new_form(ctx: StaffCtx, Query(q): Query<BodyQuery>) -> PageResult<Response> {
    let (body, _) = ctx.chosen_body(&q.body, "/staff/services", None).await?;
    ctx.s.require_clerk(body.id)?;
    let g = ServiceGuide {
        implementing_body: body.name.clone(),
        fee: gongkai_ledger::service::Fee {
            charged: false,
            standard: "不收费".into(),
            basis: String::new(),
        },
        ..ServiceGuide::default()
    };
    let view = edit_view(&ctx, body, None, None, values_of(&g)).await?;
    edit_page(&ctx, view, StatusCode::OK)
}

/// A refused save: the form again with the message at its field.
async fn refused(
    ctx: &StaffCtx,
    body: Body,
    item: Option<&ServiceItem>,
    f: &GuideForm,
    column: Option<&str>,
    message: String,
) -> PageResult<Response> {
    let mut view = edit_view(ctx, body, item, None, f.0.clone()).await?;
    view.reason = f.get("reason").to_string();
    match column.and_then(|c| view.fields.iter_mut().find(|x| x.name == c)) {
        Some(x) => x.errors.push(message),
        None if column == Some("reason") => view.reason_error = Some(message),
        None => view.general.push(message),
    }
    edit_page(ctx, view, StatusCode::UNPROCESSABLE_ENTITY)
}

fn store_refusal(e: StoreError) -> Result<String, AppError> {
    match e {
        StoreError::Invalid(m) => Ok(m),
        StoreError::Duplicate { .. } => Ok(e.to_string()),
        e => Err(e.into()),
    }
}

pub(super) async fn create(StaffForm(ctx, f): StaffForm<GuideForm>) -> PageResult<Response> {
    let body = ctx.clerk_body(f.get("body")).await?;
    let g = match guide_of(&f.0) {
        Ok(g) => g,
        Err((col, msg)) => return refused(&ctx, body, None, &f, Some(&col), msg).await,
    };
    for (col, v) in [("事项名称", &g.name), ("实施编码", &g.impl_code)] {
        if v.trim().is_empty() {
            return refused(&ctx, body, None, &f, Some(col), format!("缺少{col}")).await;
        }
    }
    let at = now(&ctx);
    match ctx
        .st
        .store
        .create_service_item(body.id, &g, &ctx.s.user.login, &at, f.get("reason"))
        .await
    {
        Ok(item) => Ok(Redirect::to(&format!("/staff/services/{}", item.id)).into_response()),
        Err(e) => {
            let m = store_refusal(e)?;
            refused(&ctx, body, None, &f, Some("实施编码"), m).await
        }
    }
}

async fn item_for(ctx: &StaffCtx, id: i64) -> PageResult<(ServiceItem, Body)> {
    let item = ctx.st.store.get_service_item(id).await?;
    let body = ctx.st.store.get_body(item.body_id).await?;
    if !ctx.s.can_read(&ctx.st.store, body.id).await? {
        return Err(crate::auth::forbidden());
    }
    Ok((item, body))
}

pub(super) async fn edit(ctx: StaffCtx, Path(id): Path<i64>) -> PageResult<Response> {
    let (item, body) = item_for(&ctx, id).await?;
    let rev = ctx.st.store.service_item_version(id, item.version).await?;
    let view = edit_view(
        &ctx,
        body,
        Some(&item),
        Some(&rev.guide),
        values_of(&rev.guide),
    )
    .await?;
    edit_page(&ctx, view, StatusCode::OK)
}

pub(super) async fn update(
    Path(id): Path<i64>,
    StaffForm(ctx, f): StaffForm<GuideForm>,
) -> PageResult<Response> {
    let (item, body) = item_for(&ctx, id).await?;
    ctx.s.require_clerk(body.id)?;
    let g = match guide_of(&f.0) {
        Ok(g) => g,
        Err((col, msg)) => return refused(&ctx, body, Some(&item), &f, Some(&col), msg).await,
    };
    if f.get("reason").trim().is_empty() {
        return refused(
            &ctx,
            body,
            Some(&item),
            &f,
            Some("reason"),
            "请填写修改原因（每次修改都生成新版本，须写明原因）".into(),
        )
        .await;
    }
    let at = now(&ctx);
    match ctx
        .st
        .store
        .update_service_item(id, &g, &ctx.s.user.login, &at, f.get("reason"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/staff/services/{id}")).into_response()),
        Err(e) => {
            let m = store_refusal(e)?;
            refused(&ctx, body, Some(&item), &f, None, m).await
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

impl CsrfForm for StepForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) async fn step(
    Path(id): Path<i64>,
    StaffForm(ctx, f): StaffForm<StepForm>,
) -> PageResult<Response> {
    let (item, body) = item_for(&ctx, id).await?;
    let action = match f.action.as_str() {
        "submit" => GuideAction::Submit,
        "reject" => GuideAction::Reject,
        "publish" => GuideAction::Publish,
        "withdraw" => GuideAction::Withdraw,
        a => return Err(AppError::BadRequest(format!("未知操作「{a}」"))),
    };
    match action {
        GuideAction::Submit => ctx.s.require_clerk(body.id)?,
        _ => ctx.s.require_reviewer(body.id)?,
    }
    if action == GuideAction::Withdraw && f.note.trim().is_empty() {
        return Err(AppError::BadRequest("停用须写明原因".into()));
    }
    let at = now(&ctx);
    ctx.st
        .store
        .service_item_step(
            item.id,
            action,
            &ctx.s.user.login,
            &at,
            ctx.today(),
            &f.note,
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/services/{id}")).into_response())
}

// --- History ----------------------------------------------------------------------------------

pub struct HistoryRow {
    pub version: u32,
    pub editor: String,
    pub at: String,
    pub reason: String,
    /// (label, old, new).
    pub changes: Vec<(String, String, String)>,
}

pub struct StepRow {
    pub version: u32,
    pub action: &'static str,
    pub actor: String,
    pub at: String,
    pub note: String,
}

pub struct HistoryView {
    pub body: Body,
    pub id: i64,
    pub name: String,
    pub code: String,
    pub published_version: Option<u32>,
    pub versions: Vec<HistoryRow>,
    pub steps: Vec<StepRow>,
}

#[derive(Template)]
#[template(path = "service/staff_history.html")]
struct HistoryPage {
    layout: Layout,
    view: HistoryView,
}

pub(super) async fn history(ctx: StaffCtx, Path(id): Path<i64>) -> PageResult<Response> {
    let (item, body) = item_for(&ctx, id).await?;
    let versions = ctx.st.store.service_item_versions(id).await?;
    let steps = ctx.st.store.service_item_steps(id).await?;
    let view = HistoryView {
        body,
        id,
        name: item.name.clone(),
        code: item.code.clone(),
        published_version: item.published_version,
        versions: versions
            .into_iter()
            .rev()
            .map(|v| HistoryRow {
                version: v.version,
                editor: v.editor,
                at: gongkai_store::beijing_time(&v.at),
                reason: v.reason,
                changes: v
                    .changes
                    .into_iter()
                    .map(|c| {
                        (
                            c.label_zh,
                            c.old.unwrap_or_else(|| "（无）".into()),
                            c.new.unwrap_or_else(|| "（无）".into()),
                        )
                    })
                    .collect(),
            })
            .collect(),
        steps: steps
            .into_iter()
            .rev()
            .map(|s| StepRow {
                version: s.version,
                action: s.action.label_zh(),
                actor: s.actor,
                at: gongkai_store::beijing_time(&s.at),
                note: s.note,
            })
            .collect(),
    };
    render(&HistoryPage {
        layout: ctx.layout("办事指南版本记录"),
        view,
    })
}

// --- Files, import, export ------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(super) struct UploadQuery {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// A 空表/样表 upload (multipart; the CSRF token is in the query).
pub(super) async fn upload(
    ctx: StaffCtx,
    Path(id): Path<i64>,
    Query(q): Query<UploadQuery>,
    mut mp: Multipart,
) -> PageResult<Response> {
    ctx.check_csrf(&q.csrf)?;
    let (item, body) = item_for(&ctx, id).await?;
    ctx.s.require_clerk(body.id)?;
    for (name, ct, data) in crate::staff::uploaded_files(&mut mp).await? {
        ctx.st
            .store
            .add_service_attachment(item.id, &name, &ct, &data, &ctx.s.user.login)
            .await?;
    }
    Ok(Redirect::to(&format!("/staff/services/{id}")).into_response())
}

/// A CSV or JSON import (multipart; the CSRF token and body code are in the query): the
/// whole file or nothing; a bad row is named by its line.
pub(super) async fn import(
    ctx: StaffCtx,
    Query(q): Query<UploadQuery>,
    mut mp: Multipart,
) -> PageResult<Response> {
    ctx.check_csrf(&q.csrf)?;
    let body = ctx.clerk_body(&q.body).await?;
    let files = crate::staff::uploaded_files(&mut mp).await?;
    let (name, _, data) = &files[0];
    let rows = io::parse(Format::of_file_name(name), data)
        .map_err(|e| AppError::Store(StoreError::Invalid(format!("{name} {e}"))))?;
    let at = now(&ctx);
    let r = ctx
        .st
        .store
        .import_service_items(body.id, rows, name, &ctx.s.user.login, &at, "")
        .await?;
    Ok(Redirect::to(&format!(
        "/staff/services?body={}&imported={},{},{}",
        urlencode(&body.code),
        r.created,
        r.updated,
        r.unchanged
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct ExportQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    format: String,
}

pub(super) async fn export(ctx: StaffCtx, Query(q): Query<ExportQuery>) -> PageResult<Response> {
    let (body, _) = ctx.chosen_body(&q.body, "/staff/services", None).await?;
    let format = match q.format.as_str() {
        "" => Format::Csv,
        f => Format::parse(f).ok_or_else(|| AppError::BadRequest(format!("格式「{f}」无效")))?,
    };
    let guides = ctx.st.store.export_service_items(body.id).await?;
    let data = io::write(format, &guides);
    Ok(download(
        format.content_type(),
        &format!("办事指南-{}.{}", body.code, format.extension()),
        data,
    ))
}
