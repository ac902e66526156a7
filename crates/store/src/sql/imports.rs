use super::*;

pub(crate) async fn record_import(
    conn: &mut Conn,
    kind: &str,
    source: &str,
    rows: usize,
    actor: &str,
) -> Result<()> {
    let row = sqlx::query("INSERT INTO imports (kind, source, rows, actor, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(kind)
        .bind(source)
        .bind(rows as i64)
        .bind(actor)
        .bind(now_rfc3339())
        .fetch_one(&mut *conn)
        .await?;
    let id: i64 = row.try_get("id")?;
    outbox(
        &mut *conn,
        "import",
        id,
        None,
        "imported",
        serde_json::json!({"kind": kind, "rows": rows}),
    )
    .await?;
    audit_row(
        conn,
        actor,
        None,
        &format!("import.{kind}"),
        &format!("import:{id}"),
        &format!("{source}：{rows}"),
    )
    .await
}

pub(crate) fn at_line(source: &str, line: u64, e: StoreError) -> StoreError {
    StoreError::Csv {
        file: source.to_string(),
        line,
        message: e.to_string(),
    }
}

pub(crate) async fn import_cases(
    pool: &Pool,
    _cal: &Calendar,
    cases: Vec<(u64, CaseRecord)>,
    source: &str,
    actor: &str,
) -> Result<ImportReport> {
    let mut tx = begin_write(pool).await?;
    for (line, c) in &cases {
        check_case_application(&mut tx, c)
            .await
            .map_err(|e| at_line(source, *line, e))?;
        insert_case(&mut tx, c)
            .await
            .map_err(|e| at_line(source, *line, e))?;
    }
    record_import(&mut tx, "cases", source, cases.len(), actor).await?;
    tx.commit().await?;
    Ok(ImportReport {
        kind: "cases",
        rows: cases.len(),
        events: 0,
    })
}

pub(crate) async fn import_documents(
    pool: &Pool,
    _cal: &Calendar,
    docs: Vec<(u64, DocumentRecord)>,
    source: &str,
    actor: &str,
) -> Result<ImportReport> {
    let mut tx = begin_write(pool).await?;
    for (line, d) in &docs {
        upsert_document_conn(&mut tx, d)
            .await
            .map_err(|e| at_line(source, *line, e))?;
    }
    record_import(&mut tx, "documents", source, docs.len(), actor).await?;
    tx.commit().await?;
    Ok(ImportReport {
        kind: "documents",
        rows: docs.len(),
        events: 0,
    })
}

pub(crate) async fn import_figures(
    pool: &Pool,
    _cal: &Calendar,
    figures: Vec<(u64, i64, YearlyFigure)>,
    source: &str,
    actor: &str,
) -> Result<ImportReport> {
    let mut tx = begin_write(pool).await?;
    for (line, body, f) in &figures {
        upsert_figure_conn(&mut tx, *body, f, actor)
            .await
            .map_err(|e| at_line(source, *line, e))?;
    }
    record_import(&mut tx, "figures", source, figures.len(), actor).await?;
    tx.commit().await?;
    Ok(ImportReport {
        kind: "figures",
        rows: figures.len(),
        events: 0,
    })
}

pub(crate) async fn export_application_rows(
    pool: &Pool,
    _cal: &Calendar,
    body_id: Option<i64>,
    year: Option<i32>,
) -> Result<Vec<crate::ApplicationRow>> {
    let (from, to) = year.map(year_bounds).unwrap_or_default();
    let rows = sqlx::query(
        "SELECT a.tracking_code, b.code AS body_code, a.applicant_type, a.channel, a.received_on, a.request_text, \
         a.status_json, p.name, p.id_number, p.phone, p.email, p.address \
         FROM applications a JOIN bodies b ON b.id = a.body_id LEFT JOIN application_personal p ON p.application_id = a.id \
         WHERE ($1 = 0 OR a.body_id = $1) AND ($2 = '' OR a.received_on >= $2) AND ($3 = '' OR a.received_on <= $3) \
         ORDER BY a.id",
    )
    .bind(body_id.unwrap_or(0))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let status_json: String = r.try_get("status_json")?;
            let status: Status = serde_json::from_str(&status_json)
                .map_err(|e| StoreError::Corrupt(format!("status: {e}")))?;
            Ok(crate::ApplicationRow {
                tracking_code: r.try_get("tracking_code")?,
                body_code: r.try_get("body_code")?,
                applicant_type: r.try_get("applicant_type")?,
                channel: r.try_get("channel")?,
                received_on: r.try_get("received_on")?,
                request_text: r.try_get("request_text")?,
                applicant_name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                id_number: r
                    .try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
                phone: r.try_get::<Option<String>, _>("phone")?.unwrap_or_default(),
                email: r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
                address: r
                    .try_get::<Option<String>, _>("address")?
                    .unwrap_or_default(),
                outcome: status
                    .outcome
                    .map(|o| o.code().to_string())
                    .unwrap_or_default(),
                closed_on: status.closed_on.map(format_date).unwrap_or_default(),
                reply_reference: status.reply.map(|r| r.reference).unwrap_or_default(),
            })
        })
        .collect()
}
