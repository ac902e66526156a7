use super::*;

/// `key=value,…` of the rows `(key, v)`: `string_agg` is standard in PostgreSQL and in
/// SQLite since 3.44 (the bundled SQLite is newer).
macro_rules! KEY_VALUES {
    () => {
        "string_agg(key || '=' || CAST(v AS TEXT), ',')"
    };
}

pub(crate) async fn set_narrative(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    year: i32,
    section: &str,
    text: &str,
    actor: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    body_by_id(&mut tx, body_id).await?;
    sqlx::query(
        "INSERT INTO narratives (body_id, year, section, text, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (body_id, year, section) DO UPDATE SET text = excluded.text, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(body_id)
    .bind(i64::from(year))
    .bind(section)
    .bind(text)
    .bind(actor)
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    outbox(
        &mut tx,
        "narrative",
        body_id,
        Some(body_id),
        "updated",
        serde_json::json!({"year": year, "section": section}),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "report.narrative",
        &format!("report:{body_id}:{year}"),
        section,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn narrative(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    year: i32,
) -> Result<BTreeMap<String, String>> {
    let rows = sqlx::query("SELECT section, text FROM narratives WHERE body_id = $1 AND year = $2")
        .bind(body_id)
        .bind(i64::from(year))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("section")?, r.try_get("text")?)))
        .collect()
}

/// Parse `key=value,key=value` (one aggregated row instead of one row per key keeps the
/// read cost independent of how many keys a body has used).
pub(crate) fn parse_key_values(s: Option<String>, into: &mut BTreeMap<String, i64>) -> Result<()> {
    for pair in s
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| StoreError::Corrupt(format!("counter {pair:?}")))?;
        let v: i64 = v
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("counter {pair:?}")))?;
        into.insert(k.to_string(), v);
    }
    Ok(())
}

pub(crate) async fn year_counters(
    pool: &Pool,
    _cal: &Calendar,
    body_id: i64,
    year: i32,
) -> Result<YearCounters> {
    let mut out = YearCounters::default();
    let row = sqlx::query(concat!(
        "SELECT ",
        KEY_VALUES!(),
        " AS s FROM (SELECT key, CAST(SUM(value) AS BIGINT) AS v FROM report_counters \
         WHERE body_id = $1 AND year < $2 GROUP BY key) t"
    ))
    .bind(body_id)
    .bind(i64::from(year))
    .fetch_one(pool)
    .await?;
    parse_key_values(row.try_get("s")?, &mut out.before)?;
    let row = sqlx::query(concat!(
        "SELECT ",
        KEY_VALUES!(),
        " AS s FROM (SELECT key, value AS v FROM report_counters WHERE body_id = $1 AND year = $2) t"
    ))
    .bind(body_id)
    .bind(i64::from(year))
    .fetch_one(pool)
    .await?;
    parse_key_values(row.try_get("s")?, &mut out.this_year)?;
    Ok(out)
}

pub(crate) async fn recount(
    pool: &Pool,
    cal: &Calendar,
    body_id: i64,
    year: i32,
) -> Result<RecountReport> {
    let body = get_body(pool, cal, body_id).await?;
    let mut recomputed = Contributions::new();
    let mut mismatches = Vec::new();

    let apps = sqlx::query("SELECT id, tracking_code, applicant_type, status_json FROM applications WHERE body_id = $1")
        .bind(body_id)
        .fetch_all(pool)
        .await?;
    let mut meta: HashMap<i64, (String, ApplicantType, String)> =
        HashMap::with_capacity(apps.len());
    for r in &apps {
        let at: String = r.try_get("applicant_type")?;
        meta.insert(
            r.try_get("id")?,
            (
                r.try_get("tracking_code")?,
                ApplicantType::from_column_key(&at)
                    .ok_or_else(|| StoreError::Corrupt(format!("applicant type {at:?}")))?,
                r.try_get("status_json")?,
            ),
        );
    }
    let events = sqlx::query(
        "SELECT e.application_id, e.on_date, e.data FROM application_events e JOIN applications a ON a.id = e.application_id \
         WHERE a.body_id = $1 ORDER BY e.application_id, e.seq",
    )
    .bind(body_id)
    .fetch_all(pool)
    .await?;
    let n_events = events.len() as i64;
    let mut replayed = 0i64;
    let mut finish = |app: i64,
                      hist: &mut Vec<(EventKind, Date)>,
                      recomputed: &mut Contributions,
                      mismatches: &mut Vec<CounterMismatch>|
     -> Result<()> {
        if hist.is_empty() {
            return Ok(());
        }
        let (code, at, stored_status) = meta
            .get(&app)
            .ok_or_else(|| StoreError::Corrupt(format!("events of unknown application {app}")))?;
        let status = gongkai_ledger::replay(hist)
            .map_err(|e| StoreError::Corrupt(format!("application {code}: {e}")))?;
        if status_json(&status) != *stored_status {
            mismatches.push(CounterMismatch::status_of(code));
        }
        counters::merge(recomputed, &status.contributions(*at));
        replayed += 1;
        hist.clear();
        Ok(())
    };
    let mut current = None;
    let mut hist: Vec<(EventKind, Date)> = Vec::new();
    for r in &events {
        let app: i64 = r.try_get("application_id")?;
        if current != Some(app) {
            if let Some(prev) = current {
                finish(prev, &mut hist, &mut recomputed, &mut mismatches)?;
            }
            current = Some(app);
        }
        let data: String = r.try_get("data")?;
        let on: String = r.try_get("on_date")?;
        hist.push((
            serde_json::from_str(&data)
                .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?,
            parse_stored_date(&on)?,
        ));
    }
    if let Some(prev) = current {
        finish(prev, &mut hist, &mut recomputed, &mut mismatches)?;
    }

    let cases = list_cases(pool, cal, body_id, None).await?;
    for c in &cases {
        counters::merge(&mut recomputed, &c.record.contributions());
    }
    let docs = list_documents(pool, cal, body_id).await?;
    for d in &docs {
        counters::merge(&mut recomputed, &d.record.contributions());
    }

    let rows = sqlx::query("SELECT year, key, value FROM report_counters WHERE body_id = $1")
        .bind(body_id)
        .fetch_all(pool)
        .await?;
    let mut stored = Contributions::new();
    for r in &rows {
        let y: i64 = r.try_get("year")?;
        counters::add(
            &mut stored,
            y as i32,
            r.try_get::<String, _>("key")?,
            r.try_get("value")?,
        );
    }
    let (counters_compared, differing) =
        gongkai_ledger::recount::compare_counters(&stored, &recomputed);
    mismatches.extend(differing);
    let figures = figures(pool, cal, body_id, year).await?;
    let narrative = narrative(pool, cal, body_id, year).await?;
    let from_stored = gongkai_ledger::assemble_report(
        &body.name,
        year,
        &YearCounters::from_contributions(&stored, year),
        &figures,
        &narrative,
    );
    let from_records = gongkai_ledger::assemble_report(
        &body.name,
        year,
        &YearCounters::from_contributions(&recomputed, year),
        &figures,
        &narrative,
    )?;
    let cells_compared = from_records.cells().count();
    match from_stored {
        Ok(r) => {
            if mismatches.is_empty() {
                mismatches.extend(gongkai_ledger::recount::first_cell_difference(
                    &r,
                    &from_records,
                    year,
                ));
            }
        }
        Err(e) if mismatches.is_empty() => {
            return Err(e.into());
        }
        Err(_) => {}
    }
    Ok(RecountReport {
        body: body.code,
        year,
        applications: replayed,
        events: n_events,
        cases: cases.len() as i64,
        documents: docs.len() as i64,
        counters_compared,
        cells_compared,
        mismatches,
    })
}

pub(crate) async fn explain(
    pool: &Pool,
    cal: &Calendar,
    body_id: i64,
    year: i32,
    cell: &str,
    value: Option<gongkai_report::Value>,
    source: &CellSource,
    limit: i64,
) -> Result<Explanation> {
    let body = get_body(pool, cal, body_id).await?;
    let (from, to) = year_bounds(year);
    let next_year = year_bounds(year + 1).0;
    let prev_end = year_bounds(year - 1).1;
    let col = |a: &Option<ApplicantType>| a.map(|a| a.column_key().to_string()).unwrap_or_default();
    let mut q = AppQuery {
        body: body_id,
        ..AppQuery::default()
    };
    use gongkai_ledger::recount::{application_item, rule_text};
    let (records, items): (i64, Vec<ExplainItem>) = match source {
        CellSource::Received { applicant } => {
            q.applicant = col(applicant);
            (q.received_from, q.received_to) = (from.clone(), to.clone());
            (0, Vec::new())
        }
        CellSource::Closed {
            outcomes,
            applicant,
        } => {
            q.applicant = col(applicant);
            (q.closed_from, q.closed_to) = (from.clone(), to.clone());
            q.outcomes = outcomes
                .iter()
                .map(|o| o.code())
                .collect::<Vec<_>>()
                .join(",");
            (0, Vec::new())
        }
        CellSource::CarriedOver { applicant } => {
            q.applicant = col(applicant);
            q.received_to = prev_end;
            q.open_on = from.clone();
            (0, Vec::new())
        }
        CellSource::CarriedForward { applicant } => {
            q.applicant = col(applicant);
            q.received_to = to.clone();
            q.open_on = next_year;
            (0, Vec::new())
        }
        CellSource::Cases { .. } => {
            let cases = list_cases(pool, cal, body_id, Some(year)).await?;
            let matching: Vec<&Case> = cases
                .iter()
                .filter(|c| gongkai_ledger::recount::case_counts(c, source, year))
                .collect();
            let items = matching
                .iter()
                .take(limit as usize)
                .map(|c| gongkai_ledger::recount::case_item(c, year))
                .collect();
            (matching.len() as i64, items)
        }
        CellSource::Documents { .. } => {
            let docs = list_documents(pool, cal, body_id).await?;
            let matching: Vec<&Document> = docs
                .iter()
                .filter(|d| gongkai_ledger::recount::document_counts(d, source, year))
                .collect();
            let items = matching
                .iter()
                .take(limit as usize)
                .map(|d| gongkai_ledger::recount::document_item(d))
                .collect();
            (matching.len() as i64, items)
        }
        CellSource::Figure { cell } => {
            let row = sqlx::query("SELECT value, updated_by, updated_at FROM yearly_figures WHERE body_id = $1 AND year = $2 AND cell = $3")
                .bind(body_id)
                .bind(i64::from(year))
                .bind(cell.as_str())
                .fetch_optional(pool)
                .await?;
            let items: Vec<ExplainItem> = match row {
                Some(r) => vec![gongkai_ledger::recount::figure_item(
                    cell,
                    &r.try_get::<String, _>("value")?,
                    &r.try_get::<String, _>("updated_by")?,
                    &r.try_get::<String, _>("updated_at")?,
                )],
                None => Vec::new(),
            };
            (items.len() as i64, items)
        }
    };
    // The application cells: their query is set above.
    let (records, items) = match source {
        CellSource::Received { .. }
        | CellSource::Closed { .. }
        | CellSource::CarriedOver { .. }
        | CellSource::CarriedForward { .. } => (
            count_apps(pool, &q).await?,
            query_apps(pool, &q, limit, 0)
                .await?
                .iter()
                .map(application_item)
                .collect(),
        ),
        _ => (records, items),
    };
    let rule = rule_text(source, year, &q.outcomes);
    let consistent = match source {
        CellSource::Figure { .. } => true,
        _ => value.and_then(|v| v.as_count()) == Some(records),
    };
    Ok(Explanation {
        body: body.code,
        year,
        cell: cell.to_string(),
        value: gongkai_ledger::assemble::value_text(value),
        records,
        consistent,
        rule,
        items,
    })
}

pub(crate) async fn approve_report(
    pool: &Pool,
    body_id: i64,
    year: i32,
    report_json: &str,
    approver: &str,
) -> Result<()> {
    let mut tx = super::begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO report_approvals (body_id, year, report_json, approved_by, approved_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (body_id, year) DO UPDATE SET report_json = excluded.report_json, approved_by = excluded.approved_by, approved_at = excluded.approved_at",
    )
    .bind(body_id)
    .bind(i64::from(year))
    .bind(report_json)
    .bind(approver)
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    super::audit_row(
        &mut tx,
        approver,
        Some(body_id),
        "report.approve",
        &format!("report:{body_id}:{year}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn approval(
    pool: &Pool,
    body_id: i64,
    year: i32,
) -> Result<Option<(String, String, String)>> {
    let row = sqlx::query("SELECT report_json, approved_by, approved_at FROM report_approvals WHERE body_id = $1 AND year = $2")
        .bind(body_id)
        .bind(i64::from(year))
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok((
            r.try_get("report_json")?,
            r.try_get("approved_by")?,
            r.try_get("approved_at")?,
        ))
    })
    .transpose()
}

pub(crate) fn row_version(r: &DbRow) -> Result<ReportVersion> {
    let year: i64 = r.try_get("year")?;
    let version: i64 = r.try_get("version")?;
    Ok(ReportVersion {
        body_id: r.try_get("body_id")?,
        year: year as i32,
        version: version as i32,
        report_json: r.try_get("report_json")?,
        reason: r.try_get("reason")?,
        approved_by: r.try_get("approved_by")?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
    })
}

pub(crate) async fn publish_approved(
    pool: &Pool,
    body_id: i64,
    year: i32,
    reason: &str,
    publisher: &str,
) -> Result<ReportVersion> {
    let mut tx = super::begin_write(pool).await?;
    let row = sqlx::query(
        "SELECT report_json, approved_by FROM report_approvals WHERE body_id = $1 AND year = $2",
    )
    .bind(body_id)
    .bind(i64::from(year))
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::Invalid(
            "报告尚未经审核人批准，不能发布 (the report has not been approved)".into(),
        )
    })?;
    let json: String = row.try_get("report_json")?;
    let approver: String = row.try_get("approved_by")?;
    let last: Option<i64> = sqlx::query(
        "SELECT MAX(version) AS v FROM report_versions WHERE body_id = $1 AND year = $2",
    )
    .bind(body_id)
    .bind(i64::from(year))
    .fetch_one(&mut *tx)
    .await?
    .try_get("v")?;
    let version = last.unwrap_or(0) + 1;
    if version > 1 && reason.trim().is_empty() {
        return Err(StoreError::Invalid(
            "更正已发布的报告须说明理由 (a correction needs a reason)".into(),
        ));
    }
    let published_at = now_rfc3339();
    sqlx::query(
        "INSERT INTO report_versions (body_id, year, version, report_json, reason, approved_by, published_by, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(body_id)
    .bind(i64::from(year))
    .bind(version)
    .bind(&json)
    .bind(reason.trim())
    .bind(&approver)
    .bind(publisher)
    .bind(&published_at)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM report_approvals WHERE body_id = $1 AND year = $2")
        .bind(body_id)
        .bind(i64::from(year))
        .execute(&mut *tx)
        .await?;
    super::audit_row(
        &mut tx,
        publisher,
        Some(body_id),
        "report.publish",
        &format!("report:{body_id}:{year}:v{version}"),
        reason.trim(),
    )
    .await?;
    tx.commit().await?;
    Ok(ReportVersion {
        body_id,
        year,
        version: version as i32,
        report_json: json,
        reason: reason.trim().to_string(),
        approved_by: approver,
        published_by: publisher.to_string(),
        published_at,
    })
}

pub(crate) async fn report_versions(
    pool: &Pool,
    body_id: i64,
    year: Option<i32>,
) -> Result<Vec<ReportVersion>> {
    let rows = sqlx::query(
        "SELECT * FROM report_versions WHERE body_id = $1 AND ($2 = 0 OR year = $2) ORDER BY year DESC, version DESC",
    )
    .bind(body_id)
    .bind(i64::from(year.unwrap_or(0)))
    .fetch_all(pool)
    .await?;
    rows.iter().map(row_version).collect()
}
