use super::*;

pub(crate) async fn upsert_document_conn(conn: &mut Conn, d: &DocumentRecord) -> Result<Document> {
    let existing = sqlx::query("SELECT id, body_id, kind, title, doc_number, issued_on, published_on, repealed_on FROM documents WHERE body_id = $1 AND doc_number = $2")
        .bind(d.body_id)
        .bind(&d.doc_number)
        .fetch_optional(&mut *conn)
        .await?;
    let (id, before) = match existing {
        Some(row) => {
            let old = row_document(&row)?;
            sqlx::query("UPDATE documents SET kind = $1, title = $2, issued_on = $3, published_on = $4, repealed_on = $5 WHERE id = $6")
                .bind(d.kind.key())
                .bind(&d.title)
                .bind(format_date(d.issued_on))
                .bind(d.published_on.map(format_date))
                .bind(d.repealed_on.map(format_date))
                .bind(old.id)
                .execute(&mut *conn)
                .await?;
            (old.id, old.record.contributions())
        }
        None => {
            let row = sqlx::query(
                "INSERT INTO documents (body_id, kind, title, doc_number, issued_on, published_on, repealed_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(d.body_id)
            .bind(d.kind.key())
            .bind(&d.title)
            .bind(&d.doc_number)
            .bind(format_date(d.issued_on))
            .bind(d.published_on.map(format_date))
            .bind(d.repealed_on.map(format_date))
            .bind(now_rfc3339())
            .fetch_one(&mut *conn)
            .await?;
            (row.try_get("id")?, Contributions::new())
        }
    };
    add_counters(
        conn,
        d.body_id,
        &counters::delta(&before, &d.contributions()),
    )
    .await?;
    Ok(Document {
        id,
        record: d.clone(),
    })
}

pub(crate) async fn upsert_document(
    pool: &Pool,
    _cal: &Calendar,
    d: &DocumentRecord,
    actor: &str,
) -> Result<Document> {
    let mut tx = begin_write(pool).await?;
    body_by_id(&mut tx, d.body_id).await?;
    let doc = upsert_document_conn(&mut tx, d).await?;
    outbox(
        &mut tx,
        "document",
        doc.id,
        Some(d.body_id),
        "updated",
        serde_json::to_value(&doc).unwrap_or_default(),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(d.body_id),
        "register.document",
        &format!("regulation:{}", doc.id),
        &format!("{} {}", d.doc_number, d.title),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

pub(crate) async fn list_documents(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
) -> Result<Vec<Document>> {
    let rows = sqlx::query("SELECT id, body_id, kind, title, doc_number, issued_on, published_on, repealed_on FROM documents WHERE body_id = $1 ORDER BY issued_on, id")
        .bind(body_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(row_document).collect()
}

pub(crate) async fn upsert_figure_conn(
    conn: &mut Conn,
    body_id: i64,
    f: &YearlyFigure,
    actor: &str,
) -> Result<()> {
    // Re-validate: the figure may come from an API caller that built it by hand.
    let checked = YearlyFigure::parse(f.year, &f.cell, &f.value)?;
    sqlx::query(
        "INSERT INTO yearly_figures (body_id, year, cell, value, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (body_id, year, cell) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(body_id)
    .bind(i64::from(checked.year))
    .bind(&checked.cell)
    .bind(&checked.value)
    .bind(actor)
    .bind(now_rfc3339())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn upsert_figure(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    f: &YearlyFigure,
    actor: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    body_by_id(&mut tx, body_id).await?;
    upsert_figure_conn(&mut tx, body_id, f, actor).await?;
    outbox(
        &mut tx,
        "figure",
        body_id,
        Some(body_id),
        "updated",
        serde_json::json!({"year": f.year, "cell": f.cell}),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "register.figure",
        &format!("body:{body_id}:{}:{}", f.year, f.cell),
        &f.value,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn figures(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    year: i32,
) -> Result<Vec<YearlyFigure>> {
    let rows = sqlx::query("SELECT year, cell, value FROM yearly_figures WHERE body_id = $1 AND year = $2 ORDER BY cell")
        .bind(body_id)
        .bind(i64::from(year))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            let y: i64 = r.try_get("year")?;
            Ok(YearlyFigure {
                year: y as i32,
                cell: r.try_get("cell")?,
                value: r.try_get("value")?,
            })
        })
        .collect()
}
