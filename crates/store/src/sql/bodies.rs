use super::*;

pub(crate) async fn create_body(
    pool: &Pool,
    _cal: &Calendar,
    nb: &NewBody,
    actor: &str,
) -> Result<Body> {
    let mut tx = begin_write(pool).await?;
    let parent = match &nb.parent_code {
        Some(c) => Some(body_by_code(&mut tx, c).await?),
        None => None,
    };
    nb.validate(parent.as_ref().map(|p| p.kind))?;
    let row = sqlx::query(
        "INSERT INTO bodies (code, name, kind, parent_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&nb.code)
    .bind(nb.name.trim())
    .bind(nb.kind.as_str())
    .bind(parent.as_ref().map(|p| p.id))
    .bind(now_rfc3339())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Duplicate {
                what: "机关代码",
                what_en: "body code",
                key: nb.code.clone(),
            }
        } else {
            e.into()
        }
    })?;
    let id: i64 = row.try_get("id")?;
    let body = Body {
        id,
        code: nb.code.clone(),
        name: nb.name.trim().to_string(),
        kind: nb.kind,
        parent_id: parent.map(|p| p.id),
    };
    outbox(
        &mut tx,
        "body",
        id,
        Some(id),
        "created",
        serde_json::to_value(&body).unwrap_or_default(),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(id),
        "body.create",
        &format!("body:{id}"),
        &format!("{} {}", body.code, body.name),
    )
    .await?;
    tx.commit().await?;
    Ok(body)
}

pub(crate) async fn list_bodies(pool: &Pool, _cal: &Calendar) -> Result<Vec<Body>> {
    let rows = sqlx::query("SELECT id, code, name, kind, parent_id FROM bodies ORDER BY code")
        .fetch_all(pool)
        .await?;
    rows.iter().map(row_body).collect()
}

/// The bodies `roots` and every body below them, ordered by code: one recursive query (a
/// cycle in the parent links ends it, as `UNION` drops rows already found).
pub(crate) async fn bodies_under(pool: &Pool, _cal: &Calendar, roots: &[i64]) -> Result<Vec<Body>> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=roots.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "WITH RECURSIVE tree(id) AS (\
           SELECT id FROM bodies WHERE id IN ({}) \
           UNION SELECT b.id FROM bodies b JOIN tree t ON b.parent_id = t.id) \
         SELECT id, code, name, kind, parent_id FROM bodies WHERE id IN (SELECT id FROM tree) \
         ORDER BY code",
        marks.join(", ")
    );
    // Only `$N` placeholders are spliced in; the ids are bound.
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in roots {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(pool).await?;
    rows.iter().map(row_body).collect()
}

pub(crate) async fn get_body_by_code(pool: &Pool, _cal: &Calendar, code: &str) -> Result<Body> {
    let mut conn = pool.acquire().await?;
    body_by_code(&mut conn, code).await
}

pub(crate) async fn body_with_content_version(
    pool: &Pool,
    _cal: &Calendar,
    code: &str,
) -> Result<(Body, i64)> {
    let row = sqlx::query(
        "SELECT id, code, name, kind, parent_id, content_version FROM bodies WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "机关",
        what_en: "body",
        key: code.to_string(),
    })?;
    Ok((row_body(&row)?, row.try_get("content_version")?))
}

pub(crate) async fn get_body(pool: &Pool, _cal: &Calendar, id: i64) -> Result<Body> {
    let mut conn = pool.acquire().await?;
    body_by_id(&mut conn, id).await
}

pub(crate) async fn get_guide(pool: &Pool, body_id: i64) -> Result<Option<Guide>> {
    let row =
        sqlx::query("SELECT text, address, office_hours, phone FROM guides WHERE body_id = $1")
            .bind(body_id)
            .fetch_optional(pool)
            .await?;
    row.map(|r| {
        Ok(Guide {
            text: r.try_get("text")?,
            address: r.try_get("address")?,
            office_hours: r.try_get("office_hours")?,
            phone: r.try_get("phone")?,
        })
    })
    .transpose()
}

pub(crate) async fn set_guide(pool: &Pool, body_id: i64, g: &Guide, actor: &str) -> Result<()> {
    let mut tx = super::begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO guides (body_id, text, address, office_hours, phone, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (body_id) DO UPDATE SET text = excluded.text, address = excluded.address, \
         office_hours = excluded.office_hours, phone = excluded.phone, updated_at = excluded.updated_at",
    )
    .bind(body_id)
    .bind(&g.text)
    .bind(&g.address)
    .bind(&g.office_hours)
    .bind(&g.phone)
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    super::audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "guide.update",
        &format!("body:{body_id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
