use super::*;

/// The audit row of a change, written in the change's transaction.
pub(crate) async fn audit_row(
    conn: &mut Conn,
    actor: &str,
    body_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, body_id, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(now_rfc3339())
        .bind(actor)
        .bind(body_id)
        .bind(action)
        .bind(target)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn audit(
    pool: &Pool,
    actor: &str,
    body_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    let mut conn = pool.acquire().await?;
    super::audit_row(&mut conn, actor, body_id, action, target, detail).await
}

pub(crate) async fn audit_log(
    pool: &Pool,
    body_ids: &[i64],
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let mut out = Vec::new();
    let rows = sqlx::query("SELECT id, at, actor, body_id, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1")
        .bind(limit.clamp(1, 10_000) * 4)
        .fetch_all(pool)
        .await?;
    for r in rows {
        let body_id: Option<i64> = r.try_get("body_id")?;
        if !body_ids.is_empty() && !body_id.is_some_and(|b| body_ids.contains(&b)) {
            continue;
        }
        out.push(AuditEntry {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            body_id,
            action: r.try_get("action")?,
            target: r.try_get("target")?,
            detail: r.try_get("detail")?,
        });
        if out.len() as i64 >= limit {
            break;
        }
    }
    Ok(out)
}

/// One page of the audit log under a filter, with the count of all matching entries.
pub(crate) async fn audit_page(pool: &Pool, q: &AuditQuery) -> Result<(i64, Vec<AuditEntry>)> {
    // Ids and page bounds are integers; every text value is a bound parameter.
    let mut binds: Vec<&str> = Vec::new();
    fn param<'a>(binds: &mut Vec<&'a str>, v: &'a str) -> String {
        binds.push(v);
        format!("${}", binds.len())
    }
    let mut cond = Vec::new();
    if let Some(bodies) = &q.visible_bodies {
        let own = param(&mut binds, q.viewer.as_str());
        let ids: Vec<String> = bodies.iter().map(i64::to_string).collect();
        cond.push(if ids.is_empty() {
            format!("(body_id IS NULL AND actor = {own})")
        } else {
            format!(
                "(body_id IN ({}) OR (body_id IS NULL AND actor = {own}))",
                ids.join(",")
            )
        });
    }
    if let Some(b) = q.body {
        cond.push(format!("body_id = {b}"));
    }
    if !q.actor.is_empty() {
        cond.push(format!("actor = {}", param(&mut binds, q.actor.as_str())));
    }
    if !q.action_prefix.is_empty() {
        let p = param(&mut binds, q.action_prefix.as_str());
        cond.push(format!("substr(action, 1, length({p})) = {p}"));
    }
    if !q.at_from.is_empty() {
        cond.push(format!("at >= {}", param(&mut binds, q.at_from.as_str())));
    }
    if !q.at_before.is_empty() {
        cond.push(format!("at < {}", param(&mut binds, q.at_before.as_str())));
    }
    let filter = if cond.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", cond.join(" AND "))
    };
    let mut count = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM audit_log{filter}"
    )));
    for b in &binds {
        count = count.bind(*b);
    }
    let total: i64 = count.fetch_one(pool).await?.try_get("n")?;
    let mut page = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, at, actor, body_id, action, target, detail FROM audit_log{filter} \
         ORDER BY id DESC LIMIT {} OFFSET {}",
        q.limit.clamp(1, 1000),
        q.offset.max(0)
    )));
    for b in &binds {
        page = page.bind(*b);
    }
    let mut out = Vec::new();
    for r in page.fetch_all(pool).await? {
        out.push(AuditEntry {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            body_id: r.try_get("body_id")?,
            action: r.try_get("action")?,
            target: r.try_get("target")?,
            detail: r.try_get("detail")?,
        });
    }
    Ok((total, out))
}
