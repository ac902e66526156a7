use super::*;

pub(crate) async fn insert_event(
    conn: &mut Conn,
    app_id: i64,
    seq: u32,
    kind: &EventKind,
    on: Date,
    actor: &str,
    note: &str,
    recorded_at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO application_events (application_id, seq, kind, on_date, recorded_at, actor, note, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(app_id)
    .bind(i64::from(seq))
    .bind(kind.name())
    .bind(format_date(on))
    .bind(recorded_at)
    .bind(actor)
    .bind(note)
    .bind(serde_json::to_string(kind).expect("event serialises"))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Conflict(app_id.to_string())
        } else {
            e.into()
        }
    })?;
    Ok(())
}

pub(crate) async fn receive_application(
    pool: &Pool,
    cal: &Calendar,
    app: &NewApplication,
    creds: &TrackingCredentials,
    actor: &str,
    note: &str,
) -> Result<(Application, TrackingCredentials)> {
    let mut tx = begin_write(pool).await?;
    let application = receive_in(&mut tx, cal, app, creds, actor, note).await?;
    tx.commit().await?;
    Ok((application, creds.clone()))
}

/// Receive once per submission key: the first call files the application and remembers the
/// key in the same transaction; a later call with the same key and fields returns that
/// application and its credentials again, with other fields `KeyReused`.
pub(crate) async fn receive_application_once(
    pool: &Pool,
    cal: &Calendar,
    app: &NewApplication,
    creds: &TrackingCredentials,
    actor: &str,
    note: &str,
    key: &SubmissionKey,
) -> Result<Submission> {
    let mut tx = begin_write(pool).await?;
    if let Some(found) = submission_by_key(&mut tx, cal, key).await? {
        tx.rollback().await?;
        return Ok(found);
    }
    let cutoff = (time::OffsetDateTime::now_utc() - SUBMISSION_KEY_TTL)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    sqlx::query("DELETE FROM submission_keys WHERE created_at < $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
    let application = receive_in(&mut tx, cal, app, creds, actor, note).await?;
    let inserted = sqlx::query(
        "INSERT INTO submission_keys (token, application_id, request_hash, secret, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&key.token)
    .bind(application.id)
    .bind(&key.request_hash)
    .bind(&creds.secret)
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {
            tx.commit().await?;
            Ok(Submission::New(application, creds.clone()))
        }
        // A concurrent submission with the same key committed first (PostgreSQL): answer
        // with what it filed.
        Err(e) if unique_violation(&e) => {
            tx.rollback().await?;
            let mut conn = pool.acquire().await?;
            submission_by_key(&mut conn, cal, key)
                .await?
                .ok_or_else(|| StoreError::Conflict(key.token.clone()))
        }
        Err(e) => Err(e.into()),
    }
}

/// How long a submission key is remembered (and its receipt can be shown again).
pub const SUBMISSION_KEY_TTL: time::Duration = time::Duration::hours(24);

async fn submission_by_key(
    conn: &mut Conn,
    _cal: &Calendar,
    key: &SubmissionKey,
) -> Result<Option<Submission>> {
    let Some(row) = sqlx::query(
        "SELECT a.id, a.body_id, a.tracking_code, a.applicant_type, a.channel, a.request_text, a.status_json, \
         a.due_on, a.version, s.request_hash, s.secret FROM submission_keys s JOIN applications a ON a.id = s.application_id \
         WHERE s.token = $1",
    )
    .bind(&key.token)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let hash: String = row.try_get("request_hash")?;
    if hash != key.request_hash {
        return Ok(Some(Submission::KeyReused));
    }
    let application = row_application(&row)?;
    let creds = TrackingCredentials {
        code: application.tracking_code.clone(),
        secret: row.try_get("secret")?,
    };
    Ok(Some(Submission::Replayed(application, creds)))
}

/// The receipt of a remembered submission key (the page a form submission redirects to).
pub(crate) async fn submission_receipt(
    pool: &Pool,
    cal: &Calendar,
    token: &str,
) -> Result<Option<(Application, TrackingCredentials)>> {
    let mut conn = pool.acquire().await?;
    let cutoff = (time::OffsetDateTime::now_utc() - SUBMISSION_KEY_TTL)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let row = sqlx::query("SELECT request_hash, created_at FROM submission_keys WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let created: String = row.try_get("created_at")?;
    if created < cutoff {
        return Ok(None);
    }
    let key = SubmissionKey {
        token: token.to_string(),
        request_hash: row.try_get("request_hash")?,
    };
    Ok(match submission_by_key(&mut conn, cal, &key).await? {
        Some(Submission::Replayed(a, c)) => Some((a, c)),
        _ => None,
    })
}

async fn receive_in(
    tx: &mut Conn,
    cal: &Calendar,
    app: &NewApplication,
    creds: &TrackingCredentials,
    actor: &str,
    note: &str,
) -> Result<Application> {
    body_by_id(&mut *tx, app.body_id).await?;
    let status = Status::received(app.received_on);
    let due = due_of(&status, app.channel, cal);
    let now = now_rfc3339();
    let row = sqlx::query(
        "INSERT INTO applications (body_id, tracking_code, secret_hash, applicant_type, channel, request_text, \
         received_on, state, outcome, closed_on, due_on, status_json, version, created_at, due_missing_year) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9, $10, 1, $11, $12) RETURNING id",
    )
    .bind(app.body_id)
    .bind(&creds.code)
    .bind(creds.secret_hash())
    .bind(app.applicant_type.column_key())
    .bind(app.channel.as_str())
    .bind(&app.request_text)
    .bind(format_date(app.received_on))
    .bind(status.state.as_str())
    .bind(due.on.clone())
    .bind(status_json(&status))
    .bind(&now)
    .bind(due.missing_year)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    let p = &app.personal;
    sqlx::query(
        "INSERT INTO application_personal (application_id, name, id_number, phone, email, address) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(&p.name)
    .bind(p.id_number.as_deref())
    .bind(p.phone.as_deref())
    .bind(p.email.as_deref())
    .bind(p.address.as_deref())
    .execute(&mut *tx)
    .await?;
    insert_event(
        &mut *tx,
        id,
        1,
        &EventKind::Received,
        app.received_on,
        actor,
        note,
        &now,
    )
    .await?;
    add_counters(
        &mut *tx,
        app.body_id,
        &status.contributions(app.applicant_type),
    )
    .await?;
    outbox(
        &mut *tx,
        "application",
        id,
        Some(app.body_id),
        "created",
        serde_json::json!({"tracking_code": creds.code, "state": status.state.as_str()}),
    )
    .await?;
    audit_row(
        &mut *tx,
        actor,
        Some(app.body_id),
        "application.received",
        &format!("application:{id}"),
        &format!("{} {}", creds.code, note),
    )
    .await?;
    Ok(Application {
        id,
        body_id: app.body_id,
        tracking_code: creds.code.clone(),
        applicant_type: app.applicant_type,
        channel: app.channel,
        request_text: app.request_text.clone(),
        status,
        due_on: due.on.as_deref().map(parse_stored_date).transpose()?,
    })
}

pub(crate) async fn apply_event(
    pool: &Pool,
    cal: &Calendar,
    app_id: i64,
    event: &EventKind,
    on: Date,
    actor: &str,
    note: &str,
) -> Result<Application> {
    let mut tx = begin_write(pool).await?;
    let row = sqlx::query("SELECT id, body_id, tracking_code, applicant_type, channel, request_text, status_json, due_on, version FROM applications WHERE id = $1")
        .bind(app_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "申请",
            what_en: "application",
            key: app_id.to_string(),
        })?;
    let version: i64 = row.try_get("version")?;
    let mut app = row_application(&row)?;
    let next = gongkai_ledger::transition(&app.status, event, on).map_err(|error| {
        StoreError::Transition {
            application: app.tracking_code.clone(),
            error,
        }
    })?;
    let delta = counters::delta(
        &app.status.contributions(app.applicant_type),
        &next.contributions(app.applicant_type),
    );
    let due = due_of(&next, app.channel, cal);
    let now = now_rfc3339();
    insert_event(&mut tx, app_id, next.events, event, on, actor, note, &now).await?;
    let updated = sqlx::query(
        "UPDATE applications SET state = $1, outcome = $2, closed_on = $3, due_on = $4, status_json = $5, \
         version = version + 1, due_missing_year = $8 WHERE id = $6 AND version = $7",
    )
    .bind(next.state.as_str())
    .bind(next.outcome.map(|o| o.code()))
    .bind(next.closed_on.map(format_date))
    .bind(due.on.clone())
    .bind(status_json(&next))
    .bind(app_id)
    .bind(version)
    .bind(due.missing_year)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict(app.tracking_code));
    }
    add_counters(&mut tx, app.body_id, &delta).await?;
    outbox(
        &mut tx,
        "application",
        app_id,
        Some(app.body_id),
        "event",
        serde_json::json!({"tracking_code": app.tracking_code, "event": event.name(), "state": next.state.as_str()}),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(app.body_id),
        &format!("application.{}", event.name()),
        &format!("application:{app_id}"),
        &format!(
            "{} {} → {} {note}",
            app.tracking_code,
            app.status.state.as_str(),
            next.state.as_str()
        ),
    )
    .await?;
    tx.commit().await?;
    app.status = next;
    app.due_on = due.on.as_deref().map(parse_stored_date).transpose()?;
    Ok(app)
}

pub(crate) async fn get_application(pool: &Pool, _cal: &Calendar, id: i64) -> Result<Application> {
    let row = sqlx::query("SELECT id, body_id, tracking_code, applicant_type, channel, request_text, status_json, due_on, version FROM applications WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "申请",
            what_en: "application",
            key: id.to_string(),
        })?;
    row_application(&row)
}

pub(crate) async fn get_application_by_code(
    pool: &Pool,
    _cal: &Calendar,
    code: &str,
) -> Result<Application> {
    let code = gongkai_ledger::tracking::normalise_code(code);
    let row = sqlx::query("SELECT id, body_id, tracking_code, applicant_type, channel, request_text, status_json, due_on, version FROM applications WHERE tracking_code = $1 OR tracking_code = $2 ORDER BY id LIMIT 1")
        .bind(&code)
        .bind(gongkai_ledger::tracking::normalise(&code))
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "申请",
            what_en: "application",
            key: code.clone(),
        })?;
    row_application(&row)
}

pub(crate) async fn application_events(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
) -> Result<Vec<ApplicationEvent>> {
    let rows = sqlx::query(
        "SELECT seq, on_date, recorded_at, actor, note, data FROM application_events WHERE application_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let data: String = r.try_get("data")?;
            let on: String = r.try_get("on_date")?;
            let seq: i64 = r.try_get("seq")?;
            Ok(ApplicationEvent {
                seq: u32::try_from(seq)
                    .map_err(|_| StoreError::Corrupt(format!("event seq {seq}")))?,
                kind: serde_json::from_str(&data)
                    .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?,
                on: parse_stored_date(&on)?,
                recorded_at: r.try_get("recorded_at")?,
                actor: r.try_get("actor")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

pub(crate) async fn personal_data(pool: &Pool, _cal: &Calendar, id: i64) -> Result<PersonalData> {
    let r = sqlx::query("SELECT name, id_number, phone, email, address FROM application_personal WHERE application_id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "申请人信息",
            what_en: "personal data of application",
            key: id.to_string(),
        })?;
    Ok(PersonalData {
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        address: r.try_get("address")?,
    })
}

/// Other applications of the same applicant (same identity document number, or same name
/// and phone or e-mail) to the same body received within `days` days of `id`'s receipt;
/// at most 50, nearest first. Only the applications are returned, no personal data.
pub(crate) async fn same_applicant_nearby(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
    days: i64,
) -> Result<Vec<Application>> {
    let row = sqlx::query("SELECT body_id, received_on FROM applications WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "申请",
            what_en: "application",
            key: id.to_string(),
        })?;
    let body_id: i64 = row.try_get("body_id")?;
    let received = parse_stored_date(&row.try_get::<String, _>("received_on")?)?;
    let from = received
        .checked_sub(time::Duration::days(days))
        .unwrap_or(received);
    let to = received
        .checked_add(time::Duration::days(days))
        .unwrap_or(received);
    let rows = sqlx::query(
        "SELECT a.id, a.body_id, a.tracking_code, a.applicant_type, a.channel, a.request_text, a.status_json, \
         a.due_on, a.version FROM applications a \
         JOIN application_personal p ON p.application_id = a.id \
         JOIN application_personal me ON me.application_id = $1 \
         WHERE a.body_id = $2 AND a.id <> $1 AND a.received_on >= $3 AND a.received_on <= $4 \
         AND ((me.id_number IS NOT NULL AND p.id_number = me.id_number) \
              OR (p.name = me.name AND ((me.phone IS NOT NULL AND p.phone = me.phone) \
                                       OR (me.email IS NOT NULL AND p.email = me.email)))) \
         ORDER BY a.received_on, a.id LIMIT 50",
    )
    .bind(id)
    .bind(body_id)
    .bind(format_date(from))
    .bind(format_date(to))
    .fetch_all(pool)
    .await?;
    rows.iter().map(row_application).collect()
}

pub(crate) async fn find_by_tracking(
    pool: &Pool,
    _cal: &Calendar,
    code: &str,
    secret: &str,
) -> Result<Option<Application>> {
    let row = sqlx::query("SELECT id, body_id, tracking_code, applicant_type, channel, request_text, status_json, due_on, version, secret_hash FROM applications WHERE tracking_code = $1 OR tracking_code = $2 ORDER BY id LIMIT 1")
        .bind(code)
        .bind(gongkai_ledger::tracking::normalise(code))
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let hash: String = row.try_get("secret_hash")?;
    let stored_code: String = row.try_get("tracking_code")?;
    if !gongkai_ledger::tracking::verify_secret(&stored_code, secret, &hash) {
        return Ok(None);
    }
    row_application(&row).map(Some)
}

pub(crate) async fn reissue_secret(
    pool: &Pool,
    _cal: &Calendar,
    id: i64,
    entropy: &[u8; gongkai_ledger::tracking::ENTROPY_BYTES],
    actor: &str,
) -> Result<TrackingCredentials> {
    let app = get_application(pool, _cal, id).await?;
    let fresh = TrackingCredentials::from_entropy(entropy);
    let creds = TrackingCredentials {
        code: app.tracking_code.clone(),
        secret: fresh.secret,
    };
    let mut tx = begin_write(pool).await?;
    sqlx::query("UPDATE applications SET secret_hash = $1 WHERE id = $2")
        .bind(creds.secret_hash())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit_row(
        &mut tx,
        actor,
        Some(app.body_id),
        "application.reissue_secret",
        &format!("application:{id}"),
        &app.tracking_code,
    )
    .await?;
    tx.commit().await?;
    Ok(creds)
}

/// Shared WHERE clause of application queries. Parameters:
/// $1 body (0 = any), $2 applicant column ('' = any), $3/$4 received from/to, $5/$6 closed
/// from/to, $7 still open on this date, $8 comma list of outcome codes, $9 state.
macro_rules! app_where {
    () => {
        " WHERE ($1 = 0 OR body_id = $1) \
          AND ($2 = '' OR applicant_type = $2) \
          AND ($3 = '' OR received_on >= $3) \
          AND ($4 = '' OR received_on <= $4) \
          AND ($5 = '' OR (closed_on IS NOT NULL AND closed_on >= $5)) \
          AND ($6 = '' OR (closed_on IS NOT NULL AND closed_on <= $6)) \
          AND ($7 = '' OR closed_on IS NULL OR closed_on >= $7) \
          AND ($8 = '' OR (',' || $8 || ',') LIKE ('%,' || outcome || ',%')) \
          AND ($9 = '' OR state = $9) "
    };
}

#[derive(Default)]
pub(crate) struct AppQuery {
    pub(crate) body: i64,
    pub(crate) applicant: String,
    pub(crate) received_from: String,
    pub(crate) received_to: String,
    pub(crate) closed_from: String,
    pub(crate) closed_to: String,
    pub(crate) open_on: String,
    pub(crate) outcomes: String,
    pub(crate) state: String,
}

impl AppQuery {
    fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    ) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments> {
        q.bind(self.body)
            .bind(self.applicant.as_str())
            .bind(self.received_from.as_str())
            .bind(self.received_to.as_str())
            .bind(self.closed_from.as_str())
            .bind(self.closed_to.as_str())
            .bind(self.open_on.as_str())
            .bind(self.outcomes.as_str())
            .bind(self.state.as_str())
    }
}

pub(crate) async fn query_apps(
    pool: &Pool,
    q: &AppQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<Application>> {
    let sql = sqlx::query(concat!(
        "SELECT id, body_id, tracking_code, applicant_type, channel, request_text, status_json, due_on, version FROM applications",
        app_where!(),
        " ORDER BY received_on DESC, id DESC LIMIT $10 OFFSET $11"
    ));
    let rows = q.bind(sql).bind(limit).bind(offset).fetch_all(pool).await?;
    rows.iter().map(row_application).collect()
}

pub(crate) async fn count_apps(pool: &Pool, q: &AppQuery) -> Result<i64> {
    let sql = sqlx::query(concat!(
        "SELECT COUNT(*) AS n FROM applications",
        app_where!()
    ));
    let row = q.bind(sql).fetch_one(pool).await?;
    Ok(row.try_get("n")?)
}

pub(crate) async fn list_applications(
    pool: &Pool,
    _cal: &Calendar,
    f: &ApplicationFilter,
) -> Result<Vec<Application>> {
    let mut q = AppQuery {
        body: f.body_id.unwrap_or(0),
        applicant: f
            .applicant_type
            .map(|a| a.column_key().to_string())
            .unwrap_or_default(),
        outcomes: f.outcome.map(|o| o.code().to_string()).unwrap_or_default(),
        state: f.state.map(|s| s.as_str().to_string()).unwrap_or_default(),
        ..AppQuery::default()
    };
    if let Some(y) = f.received_year {
        (q.received_from, q.received_to) = year_bounds(y);
    }
    if let Some(y) = f.closed_year {
        (q.closed_from, q.closed_to) = year_bounds(y);
    }
    let limit = f.limit.unwrap_or(100).clamp(0, MAX_LIST);
    query_apps(pool, &q, limit, f.offset.max(0)).await
}

/// One page of the staff queue over a set of bodies, with the count of all matches.
pub(crate) async fn queue_page(
    pool: &Pool,
    _cal: &Calendar,
    q: &QueueQuery,
) -> Result<(i64, Vec<Application>)> {
    if q.bodies.is_empty() {
        return Ok((0, Vec::new()));
    }
    // Ids are integers from the caller's policy, never user text.
    let ids: Vec<String> = q.bodies.iter().map(i64::to_string).collect();
    let mut cond = format!(" WHERE body_id IN ({})", ids.join(","));
    if q.open_only {
        cond.push_str(" AND state NOT IN ('decided', 'withdrawn', 'lapsed')");
    }
    if q.state.is_some() {
        cond.push_str(" AND state = $1");
    }
    let state = q.state.map(|s| s.as_str()).unwrap_or("");
    let count_sql = format!("SELECT COUNT(*) AS n FROM applications{cond}");
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    if q.state.is_some() {
        count = count.bind(state);
    }
    let total: i64 = count.fetch_one(pool).await?.try_get("n")?;
    let order = if q.by_received {
        "received_on DESC, id DESC"
    } else {
        // Deadlines that cannot be computed yet (a year's 节假日安排 is missing) first, then the
        // least time left (the due day orders as the working-day countdown does), then the
        // stopped clocks.
        "(due_missing_year IS NULL), (due_on IS NULL), due_on ASC, id ASC"
    };
    let (l, o) = if q.state.is_some() {
        ("$2", "$3")
    } else {
        ("$1", "$2")
    };
    let sql = format!(
        "SELECT id, body_id, tracking_code, applicant_type, channel, request_text, status_json, due_on, version \
         FROM applications{cond} ORDER BY {order} LIMIT {l} OFFSET {o}"
    );
    let mut page = sqlx::query(sqlx::AssertSqlSafe(sql));
    if q.state.is_some() {
        page = page.bind(state);
    }
    let rows = page
        .bind(q.limit.clamp(1, MAX_LIST))
        .bind(q.offset.max(0))
        .fetch_all(pool)
        .await?;
    let apps = rows
        .iter()
        .map(row_application)
        .collect::<Result<Vec<_>>>()?;
    Ok((total, apps))
}

pub(crate) async fn count_applications(pool: &Pool, _cal: &Calendar) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM applications")
        .fetch_one(pool)
        .await?;
    Ok(row.try_get("n")?)
}

pub(crate) struct Prepared {
    item: BulkApplication,
    status: Status,
    creds: TrackingCredentials,
    due: Due,
    history: Vec<(EventKind, Date, String)>,
}

pub(crate) async fn ingest_applications(
    pool: &Pool,
    cal: &Calendar,
    items: Vec<BulkApplication>,
    entropy: &[u8],
    actor: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ImportReport> {
    // 1. Validate and replay everything before touching the database.
    let total = items.len();
    let mut prepared = Vec::with_capacity(total);
    let mut counters_all: BTreeMap<(i64, i32, String), i64> = BTreeMap::new();
    let mut codes = HashMap::with_capacity(total);
    let mut events_total = 0usize;
    for (index, item) in items.into_iter().enumerate() {
        item.new.validate().map_err(|e| StoreError::Item {
            index,
            message: e.to_string(),
        })?;
        let mut history = Vec::with_capacity(item.events.len() + 1);
        history.push((EventKind::Received, item.new.received_on, String::new()));
        history.extend(item.events.iter().cloned());
        let replay_input: Vec<(EventKind, Date)> =
            history.iter().map(|(k, d, _)| (k.clone(), *d)).collect();
        let status = gongkai_ledger::replay(&replay_input).map_err(|e| StoreError::Item {
            index,
            message: e.to_string(),
        })?;
        let chunk: &[u8; gongkai_ledger::tracking::ENTROPY_BYTES] = entropy[index
            * gongkai_ledger::tracking::ENTROPY_BYTES
            ..(index + 1) * gongkai_ledger::tracking::ENTROPY_BYTES]
            .try_into()
            .expect("entropy sized by caller");
        let mut creds = TrackingCredentials::from_entropy(chunk);
        if let Some(code) = &item.tracking_code {
            creds.code = gongkai_ledger::tracking::normalise_code(code);
        }
        if codes.insert(creds.code.clone(), index).is_some() {
            return Err(StoreError::Item {
                index,
                message: format!(
                    "跟踪码 {} 在本批中重复 (duplicate tracking code in this batch)",
                    creds.code
                ),
            });
        }
        for ((y, k), v) in status.contributions(item.new.applicant_type) {
            *counters_all.entry((item.new.body_id, y, k)).or_insert(0) += v;
        }
        let due = due_of(&status, item.new.channel, cal);
        events_total += history.len();
        prepared.push(Prepared {
            item,
            status,
            creds,
            due,
            history,
        });
    }

    // 2. One transaction for everything.
    let mut tx = begin_write(pool).await?;
    let bodies: BTreeSet<i64> = prepared.iter().map(|p| p.item.new.body_id).collect();
    for b in &bodies {
        body_by_id(&mut tx, *b).await?;
    }
    let now = now_rfc3339();
    let mut done = 0usize;
    for (ci, chunk) in prepared.chunks(CHUNK).enumerate() {
        // Tracking codes already in the database.
        if chunk.iter().any(|p| p.item.tracking_code.is_some()) {
            let sql = format!(
                "SELECT tracking_code FROM applications WHERE tracking_code IN {}",
                values_list(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q.bind(p.creds.code.clone());
            }
            let taken = q.fetch_all(&mut *tx).await?;
            if let Some(r) = taken.first() {
                let code: String = r.try_get("tracking_code")?;
                let index = codes.get(&code).copied().unwrap_or(ci * CHUNK);
                return Err(StoreError::Item {
                    index,
                    message: format!("跟踪码 {code} 已存在 (tracking code already exists)"),
                });
            }
        }
        let sql = format!(
            "INSERT INTO applications (body_id, tracking_code, secret_hash, applicant_type, channel, request_text, \
             received_on, state, outcome, closed_on, due_on, status_json, version, created_at, due_missing_year) VALUES {} \
             RETURNING id, tracking_code",
            values_list(chunk.len(), 15)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in chunk {
            let s = &p.status;
            q = q
                .bind(p.item.new.body_id)
                .bind(p.creds.code.clone())
                .bind(p.creds.secret_hash())
                .bind(p.item.new.applicant_type.column_key())
                .bind(p.item.new.channel.as_str())
                .bind(p.item.new.request_text.clone())
                .bind(format_date(s.received_on))
                .bind(s.state.as_str())
                .bind(s.outcome.map(|o| o.code()))
                .bind(s.closed_on.map(format_date))
                .bind(p.due.on.clone())
                .bind(status_json(s))
                .bind(1i64)
                .bind(now.clone())
                .bind(p.due.missing_year);
        }
        let rows = q.fetch_all(&mut *tx).await?;
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        for r in &rows {
            ids.insert(r.try_get("tracking_code")?, r.try_get("id")?);
        }
        let id_of = |p: &Prepared| ids.get(&p.creds.code).copied().unwrap_or(0);

        let sql = format!(
            "INSERT INTO application_personal (application_id, name, id_number, phone, email, address) VALUES {}",
            values_list(chunk.len(), 6)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in chunk {
            let pd = &p.item.new.personal;
            q = q
                .bind(id_of(p))
                .bind(pd.name.clone())
                .bind(pd.id_number.clone())
                .bind(pd.phone.clone())
                .bind(pd.email.clone())
                .bind(pd.address.clone());
        }
        q.execute(&mut *tx).await?;

        let events: Vec<(i64, u32, &EventKind, Date, &str)> = chunk
            .iter()
            .flat_map(|p| {
                let id = id_of(p);
                p.history
                    .iter()
                    .enumerate()
                    .map(move |(i, (k, d, note))| (id, i as u32 + 1, k, *d, note.as_str()))
            })
            .collect();
        for ev in events.chunks(2000) {
            let sql = format!(
                "INSERT INTO application_events (application_id, seq, kind, on_date, recorded_at, actor, note, data) VALUES {}",
                values_list(ev.len(), 8)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, seq, k, d, note) in ev {
                q = q
                    .bind(*id)
                    .bind(i64::from(*seq))
                    .bind(k.name())
                    .bind(format_date(*d))
                    .bind(now.clone())
                    .bind(actor.to_string())
                    .bind(note.to_string())
                    .bind(serde_json::to_string(*k).expect("event serialises"));
            }
            q.execute(&mut *tx).await?;
        }
        done += chunk.len();
        progress(Progress { done, total });
    }
    add_counters_bulk(&mut tx, &counters_all).await?;
    let row = sqlx::query("INSERT INTO imports (kind, source, rows, actor, created_at) VALUES ('applications', $1, $2, $3, $4) RETURNING id")
        .bind(actor)
        .bind(total as i64)
        .bind(actor)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
    let import_id: i64 = row.try_get("id")?;
    outbox(
        &mut tx,
        "import",
        import_id,
        None,
        "imported",
        serde_json::json!({"kind": "applications", "rows": total, "bodies": bodies.len()}),
    )
    .await?;
    for b in &bodies {
        let rows = prepared.iter().filter(|p| p.item.new.body_id == *b).count();
        audit_row(
            &mut tx,
            actor,
            Some(*b),
            "import.applications",
            &format!("import:{import_id}"),
            &format!("{rows}"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ImportReport {
        kind: "applications",
        rows: total,
        events: events_total,
    })
}

/// Recompute the stored deadline of every open application with the store's calendar, in
/// one transaction: each change gets a 备注 event with the old and the new deadline, an
/// outbox entry, and the whole run one audit row. Returns what changed.
pub(crate) async fn recompute_deadlines(
    pool: &Pool,
    cal: &Calendar,
    today: Date,
    actor: &str,
    reason: &str,
) -> Result<Vec<DeadlineChange>> {
    let mut tx = begin_write(pool).await?;
    let rows = sqlx::query(
        "SELECT id, body_id, tracking_code, applicant_type, channel, request_text, status_json, due_on, version, \
         due_missing_year FROM applications WHERE closed_on IS NULL ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let now = now_rfc3339();
    let mut changes = Vec::new();
    for row in &rows {
        let app = row_application(row)?;
        if app.status.state.is_closed() {
            continue;
        }
        let old = Due {
            on: row.try_get("due_on")?,
            missing_year: row.try_get("due_missing_year")?,
        };
        let new = due_of(&app.status, app.channel, cal);
        if new == old {
            continue;
        }
        let text = |d: &Due| match (&d.on, d.missing_year) {
            (Some(on), _) => on.clone(),
            (None, Some(y)) => format!("{y}年节假日安排尚未导入，暂无法计算"),
            (None, None) => "期限暂停".to_string(),
        };
        let note = format!(
            "答复期限重新计算（节假日安排已更新）：{} → {}",
            text(&old),
            text(&new)
        );
        let on = today.max(app.status.last_event_on);
        let next =
            gongkai_ledger::transition(&app.status, &EventKind::Note, on).map_err(|error| {
                StoreError::Transition {
                    application: app.tracking_code.clone(),
                    error,
                }
            })?;
        insert_event(
            &mut tx,
            app.id,
            next.events,
            &EventKind::Note,
            on,
            actor,
            &note,
            &now,
        )
        .await?;
        let version: i64 = row.try_get("version")?;
        let updated = sqlx::query(
            "UPDATE applications SET due_on = $1, due_missing_year = $2, status_json = $3, version = version + 1 \
             WHERE id = $4 AND version = $5",
        )
        .bind(new.on.clone())
        .bind(new.missing_year)
        .bind(status_json(&next))
        .bind(app.id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(app.tracking_code));
        }
        outbox(
            &mut tx,
            "application",
            app.id,
            Some(app.body_id),
            "deadline",
            serde_json::json!({"tracking_code": app.tracking_code, "due_on": new.on}),
        )
        .await?;
        changes.push(DeadlineChange {
            application_id: app.id,
            tracking_code: app.tracking_code.clone(),
            body_id: app.body_id,
            old: text(&old),
            new: text(&new),
        });
    }
    audit_row(
        &mut tx,
        actor,
        None,
        "calendar.recompute",
        reason,
        &format!(
            "{} 件在办申请，{} 件答复期限变更",
            rows.len(),
            changes.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(changes)
}

/// Open applications whose deadline needs a missing year, by that year, among `bodies`
/// (all bodies when `None`).
pub(crate) async fn deadlines_not_computable(
    pool: &Pool,
    _cal: &Calendar,
    bodies: Option<&[i64]>,
) -> Result<Vec<(i32, i64)>> {
    let (cond, ids): (String, &[i64]) = match bodies {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => (
            format!(" AND body_id IN {}", values_list(1, ids.len())),
            ids,
        ),
        None => (String::new(), &[]),
    };
    let sql = format!(
        "SELECT due_missing_year AS y, COUNT(*) AS n FROM applications WHERE due_missing_year IS NOT NULL{cond} \
         GROUP BY due_missing_year ORDER BY due_missing_year"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>("y")? as i32, r.try_get("n")?)))
        .collect()
}
