use super::*;

pub(crate) async fn insert_case(conn: &mut Conn, c: &CaseRecord) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO cases (body_id, application_id, kind, outcome, filed_on, closed_on, reference, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(c.body_id)
    .bind(c.application_id)
    .bind(c.kind.key())
    .bind(c.outcome.key())
    .bind(format_date(c.filed_on))
    .bind(c.closed_on.map(format_date))
    .bind(&c.reference)
    .bind(&c.note)
    .bind(now_rfc3339())
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    add_counters(conn, c.body_id, &c.contributions()).await?;
    Ok(id)
}

pub(crate) async fn check_case_application(conn: &mut Conn, c: &CaseRecord) -> Result<()> {
    if let Some(app) = c.application_id {
        let row = sqlx::query("SELECT body_id FROM applications WHERE id = $1")
            .bind(app)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "申请",
                what_en: "application",
                key: app.to_string(),
            })?;
        let body: i64 = row.try_get("body_id")?;
        if body != c.body_id {
            return Err(StoreError::Invalid(format!(
                "案件所涉申请 {app} 不属于该机关 (the linked application belongs to another body)"
            )));
        }
    }
    Ok(())
}

pub(crate) async fn create_case(
    pool: &Pool,
    _cal: &Calendar,
    c: &CaseRecord,
    actor: &str,
) -> Result<Case> {
    let mut tx = begin_write(pool).await?;
    body_by_id(&mut tx, c.body_id).await?;
    check_case_application(&mut tx, c).await?;
    let id = insert_case(&mut tx, c).await?;
    outbox(
        &mut tx,
        "case",
        id,
        Some(c.body_id),
        "created",
        serde_json::json!({"kind": c.kind.key(), "outcome": c.outcome.key()}),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(c.body_id),
        "case.create",
        &format!("case:{id}"),
        &format!("{} {} {}", c.reference, c.kind.key(), c.outcome.key()),
    )
    .await?;
    tx.commit().await?;
    Ok(Case {
        id,
        record: c.clone(),
    })
}

pub(crate) async fn update_case(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
    c: &CaseRecord,
    actor: &str,
) -> Result<Case> {
    let mut tx = begin_write(pool).await?;
    let row = sqlx::query("SELECT id, body_id, application_id, kind, outcome, filed_on, closed_on, reference, note FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "案件",
            what_en: "case",
            key: id.to_string(),
        })?;
    let old = row_case(&row)?;
    if old.record.body_id != c.body_id {
        return Err(StoreError::Invalid(
            "案件不能改到其他机关 (a case cannot move to another body)".into(),
        ));
    }
    check_case_application(&mut tx, c).await?;
    sqlx::query(
        "UPDATE cases SET application_id = $1, kind = $2, outcome = $3, filed_on = $4, closed_on = $5, reference = $6, note = $7 WHERE id = $8",
    )
    .bind(c.application_id)
    .bind(c.kind.key())
    .bind(c.outcome.key())
    .bind(format_date(c.filed_on))
    .bind(c.closed_on.map(format_date))
    .bind(&c.reference)
    .bind(&c.note)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    add_counters(
        &mut tx,
        c.body_id,
        &counters::delta(&old.record.contributions(), &c.contributions()),
    )
    .await?;
    outbox(
        &mut tx,
        "case",
        id,
        Some(c.body_id),
        "updated",
        serde_json::json!({"kind": c.kind.key(), "outcome": c.outcome.key()}),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(c.body_id),
        "case.update",
        &format!("case:{id}"),
        &format!(
            "{} → {} {}",
            old.record.outcome.key(),
            c.outcome.key(),
            c.closed_on.map(format_date).unwrap_or_default()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Case {
        id,
        record: c.clone(),
    })
}

pub(crate) async fn list_cases(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    year: Option<i32>,
) -> Result<Vec<Case>> {
    let rows = sqlx::query("SELECT id, body_id, application_id, kind, outcome, filed_on, closed_on, reference, note FROM cases WHERE body_id = $1 ORDER BY filed_on, id")
        .bind(body_id)
        .fetch_all(pool)
        .await?;
    let all: Vec<Case> = rows.iter().map(row_case).collect::<Result<_>>()?;
    Ok(match year {
        Some(y) => all
            .into_iter()
            .filter(|c| c.record.reported_as(y).is_some())
            .collect(),
        None => all,
    })
}
