//! The audit log (操作日志) of the bodies the user may read: filtered by body, user, kind of
//! action and date (Asia/Shanghai), paged through everything, newest first.

use super::{SelectOption, StaffCtx, body_options, parse_day};
use crate::error::PageResult;
use crate::views::{Layout, Pager, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use gongkai_store::{AuditQuery, BEIJING, beijing_time};
use serde::{Deserialize, Serialize};
use time::{Duration, UtcOffset};

/// Entries of one page.
pub const AUDIT_PAGE: i64 = 100;

/// Kinds of action the filter offers (a prefix of the action code).
const ACTION_KINDS: [(&str, &str); 14] = [
    ("application.", "依申请公开办理"),
    ("document.", "政府信息"),
    ("catalog.", "标准目录"),
    ("case.", "行政复议、行政诉讼"),
    ("guide.", "政府信息公开指南"),
    ("service.", "办事指南"),
    ("register.", "第二十条登记"),
    ("report.", "年度报告"),
    ("staff.", "登录、退出"),
    ("user.", "用户管理"),
    ("body.", "机关管理"),
    ("import.", "数据导入"),
    ("calendar.", "节假日安排"),
    ("hall.", "取号叫号"),
];

/// The Chinese name of an action code.
pub fn action_label(code: &str) -> String {
    let fixed = match code {
        "staff.login" => "登录",
        "staff.login_failed" => "登录失败",
        "staff.logout" => "退出登录",
        "user.create" => "新增用户",
        "user.grant" => "授予角色",
        "user.revoke" => "撤销角色",
        "user.disable" => "停用用户",
        "user.enable" => "启用用户",
        "user.passwd" => "修改密码",
        "body.create" => "新增机关",
        "calendar.recompute" => "按节假日安排重新计算答复期限",
        "session.key" => "生成会话密钥",
        "import.applications" => "导入申请数据",
        "document.create" => "新增政府信息",
        "document.update" => "修改政府信息",
        "document.publish" => "发布政府信息",
        "document.unpublish" => "撤回政府信息",
        "document.attach" => "上传附件",
        "catalog.create" => "新增目录项",
        "catalog.update" => "修改目录项",
        "case.create" => "登记复议诉讼",
        "case.update" => "修改复议诉讼",
        "register.figure" => "登记第二十条数据",
        "register.document" => "登记规章规范性文件",
        "report.approve" => "审核年度报告",
        "report.publish" => "发布年度报告",
        "report.narrative" => "修改报告文字部分",
        "report.withdraw" => "撤回年度报告",
        "guide.update" => "修改政府信息公开指南",
        "service.create" => "新建办事指南",
        "service.update" => "修改办事指南",
        "service.submit" => "提交办事指南审核",
        "service.return" => "退回办事指南",
        "service.publish" => "发布办事指南",
        "service.withdraw" => "停用办事指南",
        "service.import" => "导入办事指南",
        "service.attach" => "上传办事指南表格",
        "hall.config" => "配置服务大厅",
        "hall.ticket.take" => "取号",
        "hall.call" => "叫号",
        "hall.recall" => "重呼",
        "hall.start" => "开始办理",
        "hall.finish" => "办结",
        "hall.redirect" => "办结并转办",
        "hall.no_show" => "过号",
        "hall.suspend" => "暂离",
        "hall.resume" => "恢复排队",
        "hall.transfer" => "转移业务",
        "hall.cancel" => "取消排队号",
        "hall.rate" => "办事评价",
        "hall.reset" => "日终清理",
        "hall.appointment.book" => "预约",
        "hall.appointment.checkin" => "预约签到",
        "application.received" => "收到申请",
        "application.personal_read" => "查看申请人信息",
        "application.reissue_secret" => "重置查询密码",
        "application.correction_requested" => "告知补正",
        "application.corrected" => "收到补正",
        "application.correction_lapsed" => "逾期未补正",
        "application.consultation_started" => "开始征求意见",
        "application.consultation_ended" => "征求意见结束",
        "application.extension_approved" => "批准延期答复",
        "application.fee_noticed" => "发出收费通知",
        "application.fee_paid" => "已缴费",
        "application.fee_lapsed" => "逾期未缴费",
        "application.decided" => "作出答复",
        "application.withdrawn" => "申请人撤回申请",
        "application.imported" => "历史数据导入",
        "application.note" => "备注",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    // An action without a name of its own reads as its kind.
    match ACTION_KINDS.iter().find(|(p, _)| code.starts_with(p)) {
        Some((_, kind)) => format!("{kind}（{code}）"),
        None => code.to_string(),
    }
}

/// The UTC instant (a comparable RFC 3339 prefix) at which a Beijing day begins.
fn day_start_utc(day: time::Date) -> String {
    let t = day
        .midnight()
        .assume_offset(BEIJING)
        .to_offset(UtcOffset::UTC);
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    t.format(&format).unwrap_or_default()
}

/// The audit log page and its JSON twin.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    pub entries: Vec<AuditRow>,
    pub bodies: Vec<SelectOption>,
    pub actions: Vec<SelectOption>,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub pager: Pager,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    /// Beijing time.
    pub at: String,
    pub actor: String,
    pub body: String,
    pub action: String,
    pub action_label: String,
    pub target: String,
    pub detail: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: Layout,
    view: AuditView,
}

/// The entries the user may see under the filter: the readable bodies' entries and the user's
/// own entries without a body. A user without roles sees only their own sign-ins.
pub async fn audit_view(ctx: &StaffCtx, p: &AuditParams) -> PageResult<AuditView> {
    let all = ctx.s.readable_bodies(&ctx.st.store).await?;
    let readable: Vec<i64> = all.iter().map(|b| b.id).collect();
    let body = match p.body.trim() {
        "" => None,
        code => {
            let b = crate::portal::body_by_code(&ctx.st, code).await?;
            if !readable.contains(&b.id) {
                return Err(crate::auth::forbidden());
            }
            Some(b.id)
        }
    };
    let from = match p.from.trim() {
        "" => None,
        d => Some(parse_day(d, "起始日期")?),
    };
    let to = match p.to.trim() {
        "" => None,
        d => Some(parse_day(d, "截止日期")?),
    };
    let action = ACTION_KINDS
        .iter()
        .find(|(k, _)| *k == p.action.trim())
        .map(|(k, _)| *k)
        .unwrap_or("");
    let page = p
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let (total, entries) = ctx
        .st
        .store
        .audit_page(&AuditQuery {
            visible_bodies: Some(readable.clone()),
            viewer: ctx.s.user.login.clone(),
            body,
            actor: p.actor.trim().to_string(),
            action_prefix: action.to_string(),
            at_from: from.map(day_start_utc).unwrap_or_default(),
            at_before: to
                .and_then(|d| d.checked_add(Duration::days(1)))
                .map(day_start_utc)
                .unwrap_or_default(),
            limit: AUDIT_PAGE,
            offset: (page - 1) * AUDIT_PAGE,
        })
        .await?;
    let mut base = String::from("/staff/audit?");
    for (k, v) in [
        ("body", p.body.trim()),
        ("actor", p.actor.trim()),
        ("action", action),
        ("from", p.from.trim()),
        ("to", p.to.trim()),
    ] {
        if !v.is_empty() {
            base.push_str(&format!("{k}={}&", crate::portal::urlencode(v)));
        }
    }
    base.push_str("page=");
    Ok(AuditView {
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: beijing_time(&e.at),
                body: e
                    .body_id
                    .and_then(|id| all.iter().find(|b| b.id == id))
                    .map(|b| b.name.clone())
                    .unwrap_or_default(),
                action_label: action_label(&e.action),
                action: e.action,
                actor: e.actor,
                target: e.target,
                detail: e.detail,
            })
            .collect(),
        bodies: body_options(&all, |b| b.code == p.body.trim()),
        actions: ACTION_KINDS
            .iter()
            .map(|(k, l)| SelectOption::new(*k, *l, *k == action))
            .collect(),
        actor: p.actor.trim().to_string(),
        from: p.from.trim().to_string(),
        to: p.to.trim().to_string(),
        pager: Pager::new(base, page, AUDIT_PAGE, total),
    })
}

pub(super) async fn audit(ctx: StaffCtx, Query(p): Query<AuditParams>) -> PageResult<Response> {
    let view = audit_view(&ctx, &p).await?;
    render(&AuditPage {
        layout: ctx.layout("操作日志"),
        view,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_beijing() {
        assert_eq!(beijing_time("2026-12-01T16:30:05Z"), "2026-12-02 00:30:05");
        assert_eq!(
            beijing_time("2026-12-01T16:30:05.123456Z"),
            "2026-12-02 00:30:05"
        );
        assert_eq!(beijing_time("not a time"), "not a time");
    }

    #[test]
    fn a_beijing_day_starts_at_16_utc() {
        let d = time::macros::date!(2026 - 12 - 02);
        assert_eq!(day_start_utc(d), "2026-12-01T16:00:00");
    }

    #[test]
    fn every_action_reads_in_chinese() {
        assert_eq!(
            action_label("application.extension_approved"),
            "批准延期答复"
        );
        assert_eq!(
            action_label("report.something_new"),
            "年度报告（report.something_new）"
        );
        assert_eq!(action_label("report.withdraw"), "撤回年度报告");
        assert_eq!(action_label("x"), "x");
    }
}
