//! SQL of 办事指南 (see `crate::service_items`).

use super::*;
use crate::service_items::{
    ServiceAttachment, ServiceImportReport, ServiceItem, ServiceItemQuery, ServiceStep,
};
use gongkai_ledger::service::{
    Audience, CheckContext, FieldChange, GuideAction, GuideRevision, GuideStatus, ItemKind,
    ServiceGuide, check_guide, guide_step, revise,
};

const ITEM_COLS: &str = "id, body_id, code, name, kind, audience, theme, main_code, status, version, editor, \
     published_version, published_at, reviewed_on, note, updated_at";

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("service item {what} {v:?}"))
}

fn row_item(r: &DbRow) -> Result<ServiceItem> {
    let kind: String = r.try_get("kind")?;
    let audience: String = r.try_get("audience")?;
    let status: String = r.try_get("status")?;
    let version: i64 = r.try_get("version")?;
    let published: Option<i64> = r.try_get("published_version")?;
    Ok(ServiceItem {
        id: r.try_get("id")?,
        body_id: r.try_get("body_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: ItemKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        audience: Audience::parse(&audience).ok_or_else(|| corrupt("audience", &audience))?,
        theme: r.try_get("theme")?,
        main_code: r.try_get("main_code")?,
        status: GuideStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        version: u32::try_from(version).map_err(|_| corrupt("version", &version.to_string()))?,
        editor: r.try_get("editor")?,
        published_version: published.and_then(|v| u32::try_from(v).ok()),
        published_at: r.try_get("published_at")?,
        reviewed_on: opt_date(r.try_get("reviewed_on")?)?,
        note: r.try_get("note")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn row_revision(r: &DbRow) -> Result<GuideRevision> {
    let guide: String = r.try_get("guide_json")?;
    let changes: String = r.try_get("changes_json")?;
    let version: i64 = r.try_get("version")?;
    Ok(GuideRevision {
        version: u32::try_from(version).map_err(|_| corrupt("version", &version.to_string()))?,
        guide: serde_json::from_str(&guide)
            .map_err(|e| StoreError::Corrupt(format!("guide JSON: {e}")))?,
        editor: r.try_get("editor")?,
        at: r.try_get("at")?,
        reason: r.try_get("reason")?,
        changes: serde_json::from_str::<Vec<FieldChange>>(&changes)
            .map_err(|e| StoreError::Corrupt(format!("changes JSON: {e}")))?,
    })
}

fn theme_of(g: &ServiceGuide) -> String {
    g.themes
        .iter()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .unwrap_or("")
        .to_string()
}

fn guide_error(e: gongkai_ledger::service::GuideError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

async fn item_in(conn: &mut Conn, id: i64) -> Result<ServiceItem> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLS} FROM service_items WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found("办事指南", "service item", id))?;
    row_item(&row)
}

async fn revision_in(conn: &mut Conn, id: i64, version: u32) -> Result<GuideRevision> {
    let row = sqlx::query(
        "SELECT version, guide_json, editor, at, reason, changes_json FROM service_item_versions \
         WHERE item_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(i64::from(version))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "办事指南版本",
        what_en: "service item version",
        key: format!("{id}/{version}"),
    })?;
    row_revision(&row)
}

async fn insert_version(conn: &mut Conn, item_id: i64, rev: &GuideRevision) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_item_versions (item_id, version, guide_json, editor, at, reason, changes_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(item_id)
    .bind(i64::from(rev.version))
    .bind(serde_json::to_string(&rev.guide).unwrap_or_default())
    .bind(&rev.editor)
    .bind(&rev.at)
    .bind(&rev.reason)
    .bind(serde_json::to_string(&rev.changes).unwrap_or_default())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn outbox_item(conn: &mut Conn, item: &ServiceItem, op: &str) -> Result<()> {
    outbox(
        conn,
        "service_item",
        item.id,
        Some(item.body_id),
        op,
        serde_json::json!({ "code": item.code, "status": item.status.label_zh() }),
    )
    .await
}

/// Insert an item with its first version; returns the item.
async fn insert_item(
    conn: &mut Conn,
    body_id: i64,
    guide: &ServiceGuide,
    editor: &str,
    at: &str,
    reason: &str,
) -> Result<ServiceItem> {
    let code = guide.impl_code.trim();
    if code.is_empty() || guide.name.trim().is_empty() {
        return Err(StoreError::Invalid(
            "办事指南须有事项名称和实施编码 (name and 实施编码 required)".into(),
        ));
    }
    let reason = if reason.trim().is_empty() {
        "新编"
    } else {
        reason
    };
    let rev = revise(None, guide.clone(), editor, at, reason).map_err(guide_error)?;
    let row = sqlx::query(
        "INSERT INTO service_items (body_id, code, name, kind, audience, theme, main_code, status, version, \
         editor, published_version, published_at, reviewed_on, note, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, NULL, NULL, NULL, '', $10) RETURNING id",
    )
    .bind(body_id)
    .bind(code)
    .bind(guide.name.trim())
    .bind(guide.kind.label_zh())
    .bind(guide.audience.label_zh())
    .bind(theme_of(guide))
    .bind(guide.main_item.as_deref().map(str::trim))
    .bind(GuideStatus::Draft.label_zh())
    .bind(&rev.editor)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Duplicate {
                what: "办事指南实施编码",
                what_en: "service item code",
                key: code.to_string(),
            }
        } else {
            e.into()
        }
    })?;
    let id: i64 = row.try_get("id")?;
    insert_version(conn, id, &rev).await?;
    item_in(conn, id).await
}

/// Add a version to an item (status back to 草稿); `None` when the guide is unchanged and
/// `allow_unchanged`.
async fn add_version(
    conn: &mut Conn,
    item: &ServiceItem,
    guide: &ServiceGuide,
    editor: &str,
    at: &str,
    reason: &str,
    allow_unchanged: bool,
) -> Result<Option<ServiceItem>> {
    if guide.impl_code.trim() != item.code {
        return Err(StoreError::Invalid(format!(
            "实施编码不能修改（{}） (the 实施编码 is the item's key)",
            item.code
        )));
    }
    let prev = revision_in(conn, item.id, item.version).await?;
    let rev = match revise(Some(&prev), guide.clone(), editor, at, reason) {
        Ok(r) => r,
        Err(gongkai_ledger::service::GuideError::Unchanged) if allow_unchanged => {
            return Ok(None);
        }
        Err(e) => return Err(guide_error(e)),
    };
    insert_version(conn, item.id, &rev).await?;
    sqlx::query(
        "UPDATE service_items SET name = $1, kind = $2, audience = $3, theme = $4, main_code = $5, \
         status = $6, version = $7, editor = $8, note = '', updated_at = $9 WHERE id = $10",
    )
    .bind(guide.name.trim())
    .bind(guide.kind.label_zh())
    .bind(guide.audience.label_zh())
    .bind(theme_of(guide))
    .bind(guide.main_item.as_deref().map(str::trim))
    .bind(GuideStatus::Draft.label_zh())
    .bind(i64::from(rev.version))
    .bind(&rev.editor)
    .bind(at)
    .bind(item.id)
    .execute(&mut *conn)
    .await?;
    Ok(Some(item_in(conn, item.id).await?))
}

pub(crate) async fn create_service_item(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    guide: &ServiceGuide,
    editor: &str,
    at: &str,
    reason: &str,
) -> Result<ServiceItem> {
    let mut tx = begin_write(pool).await?;
    body_by_id(&mut tx, body_id).await?;
    let item = insert_item(&mut tx, body_id, guide, editor, at, reason).await?;
    outbox_item(&mut tx, &item, "upsert").await?;
    audit_row(
        &mut tx,
        editor,
        Some(body_id),
        "service.create",
        &format!("service:{}", item.id),
        &format!("{} {}", item.code, item.name),
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}

pub(crate) async fn update_service_item(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
    guide: &ServiceGuide,
    editor: &str,
    at: &str,
    reason: &str,
) -> Result<ServiceItem> {
    let mut tx = begin_write(pool).await?;
    let item = item_in(&mut tx, id).await?;
    let item = add_version(&mut tx, &item, guide, editor, at, reason, false)
        .await?
        .ok_or_else(|| StoreError::Invalid("办事指南没有变化".into()))?;
    outbox_item(&mut tx, &item, "upsert").await?;
    audit_row(
        &mut tx,
        editor,
        Some(item.body_id),
        "service.update",
        &format!("service:{id}"),
        &format!("{} 第{}版：{}", item.name, item.version, reason.trim()),
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}

pub(crate) async fn service_item_step(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
    action: GuideAction,
    actor: &str,
    at: &str,
    today: Date,
    note: &str,
) -> Result<ServiceItem> {
    let mut tx = begin_write(pool).await?;
    let item = item_in(&mut tx, id).await?;
    let rev = revision_in(&mut tx, id, item.version).await?;
    let mut ctx = CheckContext::new(today);
    ctx.last_reviewed = item.reviewed_on;
    let findings = check_guide(&rev.guide, &ctx);
    let to = guide_step(item.status, action, &findings).map_err(guide_error)?;
    if action == GuideAction::Publish && rev.editor == actor.trim() {
        // Four eyes whenever the body has a second person who may review.
        let others: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM user_roles r JOIN users u ON u.id = r.user_id \
             WHERE r.body_id = $1 AND r.role IN ('reviewer', 'admin') AND u.login <> $2 \
             AND u.disabled_at IS NULL",
        )
        .bind(item.body_id)
        .bind(actor.trim())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if others > 0 {
            return Err(StoreError::Invalid(
                "审核发布须由编辑人以外的审核人进行 (the reviewer must not be the version's editor)"
                    .into(),
            ));
        }
    }
    if action == GuideAction::Reject && note.trim().is_empty() {
        return Err(StoreError::Invalid(
            "退回修改须写明理由 (a return needs a reason)".into(),
        ));
    }
    let (published_version, published_at, reviewed_on) = match action {
        GuideAction::Publish => (
            Some(i64::from(item.version)),
            Some(at.to_string()),
            Some(format_date(today)),
        ),
        GuideAction::Withdraw => (None, None, item.reviewed_on.map(format_date)),
        _ => (
            item.published_version.map(i64::from),
            item.published_at.clone(),
            item.reviewed_on.map(format_date),
        ),
    };
    sqlx::query(
        "UPDATE service_items SET status = $1, published_version = $2, published_at = $3, reviewed_on = $4, \
         note = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(to.label_zh())
    .bind(published_version)
    .bind(published_at)
    .bind(reviewed_on)
    .bind(note.trim())
    .bind(at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO service_item_steps (item_id, version, action, actor, at, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(i64::from(item.version))
    .bind(action.label_zh())
    .bind(actor)
    .bind(at)
    .bind(note.trim())
    .execute(&mut *tx)
    .await?;
    let item = item_in(&mut tx, id).await?;
    outbox_item(
        &mut tx,
        &item,
        if item.is_public() { "upsert" } else { "delete" },
    )
    .await?;
    let audit_action = match action {
        GuideAction::Submit => "service.submit",
        GuideAction::Reject => "service.return",
        GuideAction::Publish => "service.publish",
        GuideAction::Withdraw => "service.withdraw",
    };
    audit_row(
        &mut tx,
        actor,
        Some(item.body_id),
        audit_action,
        &format!("service:{id}"),
        &format!("{} 第{}版 {}", item.name, item.version, note.trim()),
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}

pub(crate) async fn get_service_item(pool: &Pool, _cal: &Calendar, id: i64) -> Result<ServiceItem> {
    let mut conn = pool.acquire().await?;
    item_in(&mut conn, id).await
}

pub(crate) async fn service_item_by_code(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    code: &str,
) -> Result<ServiceItem> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLS} FROM service_items WHERE body_id = $1 AND code = $2"
    )))
    .bind(body_id)
    .bind(code)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "办事指南",
        what_en: "service item",
        key: code.to_string(),
    })?;
    row_item(&row)
}

pub(crate) async fn service_item_version(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
    version: u32,
) -> Result<GuideRevision> {
    let mut conn = pool.acquire().await?;
    revision_in(&mut conn, id, version).await
}

pub(crate) async fn service_item_versions(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
) -> Result<Vec<GuideRevision>> {
    let rows = sqlx::query(
        "SELECT version, guide_json, editor, at, reason, changes_json FROM service_item_versions \
         WHERE item_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(row_revision).collect()
}

pub(crate) async fn service_item_steps(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
) -> Result<Vec<ServiceStep>> {
    let rows = sqlx::query(
        "SELECT version, action, actor, at, note FROM service_item_steps WHERE item_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let action: String = r.try_get("action")?;
            let version: i64 = r.try_get("version")?;
            Ok(ServiceStep {
                version: u32::try_from(version).unwrap_or(0),
                action: GuideAction::parse(&action).ok_or_else(|| corrupt("step", &action))?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

pub(crate) async fn list_service_items(
    pool: &Pool,
    _cal: &Calendar,
    q: &ServiceItemQuery,
) -> Result<(Vec<ServiceItem>, i64)> {
    // Every filter is always bound; an unused one is neutralised by its flag.
    let where_ = "body_id = $1 \
         AND ($2 = '' OR status = $2) \
         AND ($3 = 0 OR published_version IS NOT NULL) \
         AND ($4 = '' OR audience = $4 OR audience = $5) \
         AND ($6 = '' OR theme = $6) \
         AND ($7 = '' OR name LIKE $8) \
         AND ($9 = '' OR main_code = $9)";
    let status = q.status.map(|s| s.label_zh()).unwrap_or("");
    let audience = q.audience.map(|a| a.label_zh()).unwrap_or("");
    let theme = q.theme.clone().unwrap_or_default();
    let name = q.name.clone().unwrap_or_default();
    let like = format!("%{}%", name.replace(['\\', '%', '_'], ""));
    let both = Audience::Both.label_zh();
    let main = q.main_code.clone().unwrap_or_default();
    let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM service_items WHERE {where_}"
    )))
    .bind(q.body_id)
    .bind(status)
    .bind(i64::from(q.published_only))
    .bind(audience)
    .bind(both)
    .bind(&theme)
    .bind(&name)
    .bind(&like)
    .bind(&main)
    .fetch_one(pool)
    .await?
    .try_get("n")?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLS} FROM service_items WHERE {where_} ORDER BY theme, name, id LIMIT $10 OFFSET $11"
    )))
    .bind(q.body_id)
    .bind(status)
    .bind(i64::from(q.published_only))
    .bind(audience)
    .bind(both)
    .bind(&theme)
    .bind(&name)
    .bind(&like)
    .bind(&main)
    .bind(q.limit.clamp(1, MAX_LIST))
    .bind(q.offset.max(0))
    .fetch_all(pool)
    .await?;
    Ok((rows.iter().map(row_item).collect::<Result<_>>()?, total))
}

pub(crate) async fn service_themes(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    published_only: bool,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT theme, COUNT(*) AS n FROM service_items WHERE body_id = $1 \
         AND ($2 = 0 OR published_version IS NOT NULL) AND theme <> '' GROUP BY theme ORDER BY theme",
    )
    .bind(body_id)
    .bind(i64::from(published_only))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("theme")?, r.try_get("n")?)))
        .collect()
}

pub(crate) async fn export_service_items(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
) -> Result<Vec<ServiceGuide>> {
    let rows = sqlx::query(
        "SELECT v.version, v.guide_json, v.editor, v.at, v.reason, v.changes_json \
         FROM service_items i JOIN service_item_versions v ON v.item_id = i.id AND v.version = i.version \
         WHERE i.body_id = $1 ORDER BY i.code",
    )
    .bind(body_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| row_revision(r).map(|rev| rev.guide))
        .collect()
}

pub(crate) async fn import_service_items(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    rows: &[(u64, ServiceGuide)],
    source: &str,
    actor: &str,
    at: &str,
    reason: &str,
) -> Result<ServiceImportReport> {
    let mut tx = begin_write(pool).await?;
    body_by_id(&mut tx, body_id).await?;
    let mut report = ServiceImportReport::default();
    let reason = if reason.trim().is_empty() {
        "批量导入"
    } else {
        reason
    };
    for (line, g) in rows {
        let at_line = |e: StoreError| StoreError::Csv {
            file: source.to_string(),
            line: *line,
            message: e.to_string(),
        };
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLS} FROM service_items WHERE body_id = $1 AND code = $2"
        )))
        .bind(body_id)
        .bind(g.impl_code.trim())
        .fetch_optional(&mut *tx)
        .await?;
        let item = match existing {
            None => {
                let item = insert_item(&mut tx, body_id, g, actor, at, reason)
                    .await
                    .map_err(at_line)?;
                report.created += 1;
                item
            }
            Some(row) => {
                let item = row_item(&row)?;
                match add_version(&mut tx, &item, g, actor, at, reason, true)
                    .await
                    .map_err(at_line)?
                {
                    Some(i) => {
                        report.updated += 1;
                        i
                    }
                    None => {
                        report.unchanged += 1;
                        continue;
                    }
                }
            }
        };
        outbox_item(&mut tx, &item, "upsert").await?;
    }
    audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "service.import",
        &format!("body:{body_id}"),
        &format!(
            "{source}：新增{}项，更新{}项，未变{}项",
            report.created, report.updated, report.unchanged
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

pub(crate) async fn add_service_attachment(
    pool: &Pool,
    _cal: &Calendar,
    item_id: i64,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    actor: &str,
) -> Result<ServiceAttachment> {
    let mut tx = begin_write(pool).await?;
    let item = item_in(&mut tx, item_id).await?;
    sqlx::query("DELETE FROM service_attachments WHERE item_id = $1 AND file_name = $2")
        .bind(item_id)
        .bind(file_name)
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query(
        "INSERT INTO service_attachments (item_id, file_name, content_type, size, data) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(item_id)
    .bind(file_name)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(data)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    outbox_item(
        &mut tx,
        &item,
        if item.is_public() { "upsert" } else { "delete" },
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(item.body_id),
        "service.attach",
        &format!("service:{item_id}"),
        &format!("{file_name}（{} 字节）", data.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(ServiceAttachment {
        id,
        item_id,
        file_name: file_name.to_string(),
        content_type: content_type.to_string(),
        size: data.len() as i64,
    })
}

fn row_service_attachment(r: &DbRow) -> Result<ServiceAttachment> {
    Ok(ServiceAttachment {
        id: r.try_get("id")?,
        item_id: r.try_get("item_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
    })
}

pub(crate) async fn list_service_attachments(
    pool: &Pool,
    _cal: &Calendar,
    item_id: i64,
) -> Result<Vec<ServiceAttachment>> {
    let rows = sqlx::query(
        "SELECT id, item_id, file_name, content_type, size FROM service_attachments WHERE item_id = $1 ORDER BY file_name",
    )
    .bind(item_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(row_service_attachment).collect()
}

pub(crate) async fn service_attachment(
    pool: &Pool,
    _cal: &Calendar,
    item_id: i64,
    file_name: &str,
) -> Result<(ServiceAttachment, Vec<u8>)> {
    let row = sqlx::query(
        "SELECT id, item_id, file_name, content_type, size, data FROM service_attachments WHERE item_id = $1 AND file_name = $2",
    )
    .bind(item_id)
    .bind(file_name)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "附件",
        what_en: "attachment",
        key: file_name.to_string(),
    })?;
    Ok((row_service_attachment(&row)?, row.try_get("data")?))
}
