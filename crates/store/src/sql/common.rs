use super::*;

pub(crate) const CHUNK: usize = 500;

pub(crate) async fn add_counters(
    conn: &mut Conn,
    body_id: i64,
    delta: &Contributions,
) -> Result<()> {
    for ((year, key), v) in delta {
        if *v == 0 {
            continue;
        }
        sqlx::query(
            "INSERT INTO report_counters (body_id, year, key, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (body_id, year, key) DO UPDATE SET value = report_counters.value + excluded.value",
        )
        .bind(body_id)
        .bind(i64::from(*year))
        .bind(key.as_str())
        .bind(*v)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn add_counters_bulk(
    conn: &mut Conn,
    all: &BTreeMap<(i64, i32, String), i64>,
) -> Result<()> {
    let rows: Vec<(&(i64, i32, String), &i64)> = all.iter().filter(|(_, v)| **v != 0).collect();
    for chunk in rows.chunks(2000) {
        let sql = format!(
            "INSERT INTO report_counters (body_id, year, key, value) VALUES {} \
             ON CONFLICT (body_id, year, key) DO UPDATE SET value = report_counters.value + excluded.value",
            values_list(chunk.len(), 4)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((body, year, key), v) in chunk {
            q = q
                .bind(*body)
                .bind(i64::from(*year))
                .bind(key.clone())
                .bind(**v);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Begins a write transaction. On SQLite it takes the write lock first (`BEGIN IMMEDIATE`),
/// so that a writer waits for another (busy timeout) instead of failing on upgrade.
pub(crate) async fn begin_write(pool: &Pool) -> Result<sqlx::Transaction<'static, DB>> {
    Ok(match dialect::Dialect::of(pool).begin_write() {
        Some(sql) => pool.begin_with(sql).await?,
        None => pool.begin().await?,
    })
}

pub(crate) fn opt_date(s: Option<String>) -> Result<Option<Date>> {
    s.as_deref().map(parse_stored_date).transpose()
}

pub(crate) fn row_body(row: &DbRow) -> Result<Body> {
    let kind: String = row.try_get("kind")?;
    Ok(Body {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: BodyKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("body kind {kind:?}")))?,
        parent_id: row.try_get("parent_id")?,
    })
}

pub(crate) fn row_application(row: &DbRow) -> Result<Application> {
    let at: String = row.try_get("applicant_type")?;
    let ch: String = row.try_get("channel")?;
    let status_json: String = row.try_get("status_json")?;
    let status: Status = serde_json::from_str(&status_json)
        .map_err(|e| StoreError::Corrupt(format!("status of application: {e}")))?;
    Ok(Application {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        tracking_code: row.try_get("tracking_code")?,
        applicant_type: ApplicantType::from_column_key(&at)
            .ok_or_else(|| StoreError::Corrupt(format!("applicant type {at:?}")))?,
        channel: ch
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("channel {ch:?}")))?,
        request_text: row.try_get("request_text")?,
        status,
        due_on: opt_date(row.try_get("due_on")?)?,
    })
}

pub(crate) fn row_case(row: &DbRow) -> Result<Case> {
    let kind: String = row.try_get("kind")?;
    let outcome: String = row.try_get("outcome")?;
    let filed: String = row.try_get("filed_on")?;
    Ok(Case {
        id: row.try_get("id")?,
        record: CaseRecord {
            body_id: row.try_get("body_id")?,
            application_id: row.try_get("application_id")?,
            kind: CaseKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("case kind {kind:?}")))?,
            outcome: CaseOutcome::parse(&outcome)
                .ok_or_else(|| StoreError::Corrupt(format!("case outcome {outcome:?}")))?,
            filed_on: parse_stored_date(&filed)?,
            closed_on: opt_date(row.try_get("closed_on")?)?,
            reference: row.try_get("reference")?,
            note: row.try_get("note")?,
        },
    })
}

pub(crate) fn row_document(row: &DbRow) -> Result<Document> {
    let kind: String = row.try_get("kind")?;
    let issued: String = row.try_get("issued_on")?;
    Ok(Document {
        id: row.try_get("id")?,
        record: DocumentRecord {
            body_id: row.try_get("body_id")?,
            kind: DocumentKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("document kind {kind:?}")))?,
            title: row.try_get("title")?,
            doc_number: row.try_get("doc_number")?,
            issued_on: parse_stored_date(&issued)?,
            published_on: opt_date(row.try_get("published_on")?)?,
            repealed_on: opt_date(row.try_get("repealed_on")?)?,
        },
    })
}

pub(crate) fn status_json(s: &Status) -> String {
    serde_json::to_string(s).expect("status serialises")
}

/// The stored form of an open application's deadline: the date, or the year it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Due {
    pub on: Option<String>,
    pub missing_year: Option<i64>,
}

pub(crate) fn due_of(status: &Status, channel: gongkai_calendar::Channel, cal: &Calendar) -> Due {
    match status.due_status(channel, cal) {
        Ok(d) => Due {
            on: d.date().map(format_date),
            missing_year: d.missing_year().map(i64::from),
        },
        // An impossible history (refused before it is stored) has no deadline.
        Err(_) => Due::default(),
    }
}

pub(crate) async fn body_by_code(conn: &mut Conn, code: &str) -> Result<Body> {
    let row = sqlx::query("SELECT id, code, name, kind, parent_id FROM bodies WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "机关",
            what_en: "body",
            key: code.to_string(),
        })?;
    row_body(&row)
}

pub(crate) async fn body_by_id(conn: &mut Conn, id: i64) -> Result<Body> {
    let row = sqlx::query("SELECT id, code, name, kind, parent_id FROM bodies WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "机关",
            what_en: "body",
            key: id.to_string(),
        })?;
    row_body(&row)
}

/// `($1, $2), ($3, $4), …`: the VALUES of `rows` rows of `cols` parameters each. (Built here
/// rather than with `QueryBuilder`, whose `Any` placeholders are `?`, which PostgreSQL
/// does not read.)
pub(crate) fn values_list(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("${}", r * cols + c + 1));
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_number_every_parameter() {
        assert_eq!(values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_list(1, 1), "($1)");
    }
}
