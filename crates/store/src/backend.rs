// The store's SQL, written once and compiled for each backend: this file is `include!`d
// by `lib.rs` into `sqlite_backend` (type DB = Sqlite) and `pg_backend` (type DB = Postgres).
// Every statement uses `$N` parameters, which both SQLite and PostgreSQL accept.

use super::*;
use gongkai_calendar::format_date;
use gongkai_ledger::counters::{self, Contributions};
use gongkai_ledger::{
    BodyKind, CaseKind, CaseOutcome, CellSource, DocumentColumn, DocumentKind, Status,
};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

type Pool = sqlx::Pool<DB>;
type Conn = <DB as sqlx::Database>::Connection;
type DbRow = <DB as sqlx::Database>::Row;

const CHUNK: usize = 500;

// --- helpers ---------------------------------------------------------------------------

async fn add_counters(conn: &mut Conn, body_id: i64, delta: &Contributions) -> Result<()> {
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

async fn add_counters_bulk(conn: &mut Conn, all: &BTreeMap<(i64, i32, String), i64>) -> Result<()> {
    let rows: Vec<(&(i64, i32, String), &i64)> = all.iter().filter(|(_, v)| **v != 0).collect();
    for chunk in rows.chunks(2000) {
        let mut qb = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO report_counters (body_id, year, key, value) ",
        );
        qb.push_values(chunk, |mut b, ((body, year, key), v)| {
            b.push_bind(*body)
                .push_bind(i64::from(*year))
                .push_bind(key.clone())
                .push_bind(**v);
        });
        qb.push(" ON CONFLICT (body_id, year, key) DO UPDATE SET value = report_counters.value + excluded.value");
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Begins a write transaction. On SQLite it takes the write lock first (`BEGIN IMMEDIATE`),
/// so that a writer waits for another (busy timeout) instead of failing on upgrade.
pub(crate) async fn begin_write(pool: &Pool) -> Result<sqlx::Transaction<'static, DB>> {
    Ok(match BEGIN_WRITE {
        Some(sql) => pool.begin_with(sql).await?,
        None => pool.begin().await?,
    })
}

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

async fn outbox(
    conn: &mut Conn,
    topic: &str,
    entity_id: i64,
    body_id: Option<i64>,
    op: &str,
    payload: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (topic, entity_id, body_id, op, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(topic)
    .bind(entity_id)
    .bind(body_id)
    .bind(op)
    .bind(payload.to_string())
    .bind(now_rfc3339())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn opt_date(s: Option<String>) -> Result<Option<Date>> {
    s.as_deref().map(parse_stored_date).transpose()
}

fn row_body(row: &DbRow) -> Result<Body> {
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

fn row_application(row: &DbRow) -> Result<Application> {
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

fn row_case(row: &DbRow) -> Result<Case> {
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

fn row_document(row: &DbRow) -> Result<Document> {
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

fn status_json(s: &Status) -> String {
    serde_json::to_string(s).expect("status serialises")
}

fn due_of(status: &Status, channel: gongkai_calendar::Channel, cal: &Calendar) -> Option<String> {
    // A missing calendar year leaves the due date unknown rather than guessed.
    status
        .due_date(channel, cal)
        .ok()
        .flatten()
        .map(format_date)
}

async fn body_by_code(conn: &mut Conn, code: &str) -> Result<Body> {
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

async fn body_by_id(conn: &mut Conn, id: i64) -> Result<Body> {
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

// --- bodies, users --------------------------------------------------------------------

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

pub(crate) async fn create_user(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
    display_name: &str,
    hash: &str,
    actor: &str,
) -> Result<User> {
    let mut tx = begin_write(pool).await?;
    let row = sqlx::query(
        "INSERT INTO users (login, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(login)
    .bind(display_name)
    .bind(hash)
    .bind(now_rfc3339())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Duplicate {
                what: "登录名",
                what_en: "login",
                key: login.to_string(),
            }
        } else {
            e.into()
        }
    })?;
    let id: i64 = row.try_get("id")?;
    audit_row(
        &mut tx,
        actor,
        None,
        "user.create",
        &format!("user:{id}"),
        &format!("{login} {display_name}"),
    )
    .await?;
    tx.commit().await?;
    Ok(User {
        id,
        login: login.to_string(),
        display_name: display_name.to_string(),
    })
}

pub(crate) async fn get_user_by_login(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
) -> Result<UserWithHash> {
    let row =
        sqlx::query("SELECT id, login, display_name, password_hash, disabled_at FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "用户",
                what_en: "user",
                key: login.to_string(),
            })?;
    Ok(UserWithHash {
        user: User {
            id: row.try_get("id")?,
            login: row.try_get("login")?,
            display_name: row.try_get("display_name")?,
        },
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
    })
}

pub(crate) async fn grant_role(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    body_id: i64,
    role: Role,
    actor: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query(
        "INSERT INTO user_roles (user_id, body_id, role) VALUES ($1, $2, $3) ON CONFLICT (user_id, body_id, role) DO NOTHING",
    )
    .bind(user_id)
    .bind(body_id)
    .bind(role.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() > 0 {
        audit_row(
            &mut tx,
            actor,
            Some(body_id),
            "user.grant",
            &format!("user:{user_id}"),
            role.as_str(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn user_roles(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
) -> Result<Vec<RoleGrant>> {
    let rows = sqlx::query(
        "SELECT r.body_id, b.code, r.role FROM user_roles r JOIN bodies b ON b.id = r.body_id \
         WHERE r.user_id = $1 ORDER BY b.code, r.role",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(RoleGrant {
                body_id: r.try_get("body_id")?,
                body_code: r.try_get("code")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
            })
        })
        .collect()
}

// --- applications ---------------------------------------------------------------------

async fn insert_event(
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
    body_by_id(&mut tx, app.body_id).await?;
    let status = Status::received(app.received_on);
    let due = due_of(&status, app.channel, cal);
    let now = now_rfc3339();
    let row = sqlx::query(
        "INSERT INTO applications (body_id, tracking_code, secret_hash, applicant_type, channel, request_text, \
         received_on, state, outcome, closed_on, due_on, status_json, version, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9, $10, 1, $11) RETURNING id",
    )
    .bind(app.body_id)
    .bind(&creds.code)
    .bind(creds.secret_hash())
    .bind(app.applicant_type.column_key())
    .bind(app.channel.as_str())
    .bind(&app.request_text)
    .bind(format_date(app.received_on))
    .bind(status.state.as_str())
    .bind(due.clone())
    .bind(status_json(&status))
    .bind(&now)
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
        &mut tx,
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
        &mut tx,
        app.body_id,
        &status.contributions(app.applicant_type),
    )
    .await?;
    outbox(
        &mut tx,
        "application",
        id,
        Some(app.body_id),
        "created",
        serde_json::json!({"tracking_code": creds.code, "state": status.state.as_str()}),
    )
    .await?;
    audit_row(
        &mut tx,
        actor,
        Some(app.body_id),
        "application.received",
        &format!("application:{id}"),
        &format!("{} {}", creds.code, note),
    )
    .await?;
    tx.commit().await?;
    let application = Application {
        id,
        body_id: app.body_id,
        tracking_code: creds.code.clone(),
        applicant_type: app.applicant_type,
        channel: app.channel,
        request_text: app.request_text.clone(),
        status,
        due_on: due.as_deref().map(parse_stored_date).transpose()?,
    };
    Ok((application, creds.clone()))
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
         version = version + 1 WHERE id = $6 AND version = $7",
    )
    .bind(next.state.as_str())
    .bind(next.outcome.map(|o| o.code()))
    .bind(next.closed_on.map(format_date))
    .bind(due.clone())
    .bind(status_json(&next))
    .bind(app_id)
    .bind(version)
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
        &format!("{} {} → {} {note}", app.tracking_code, app.status.state.as_str(), next.state.as_str()),
    )
    .await?;
    tx.commit().await?;
    app.status = next;
    app.due_on = due.as_deref().map(parse_stored_date).transpose()?;
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
struct AppQuery {
    body: i64,
    applicant: String,
    received_from: String,
    received_to: String,
    closed_from: String,
    closed_to: String,
    open_on: String,
    outcomes: String,
    state: String,
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

async fn query_apps(
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

async fn count_apps(pool: &Pool, q: &AppQuery) -> Result<i64> {
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
        // The least time left first: the due day orders as the working-day countdown does.
        "(due_on IS NULL), due_on ASC, id ASC"
    };
    let (l, o) = if q.state.is_some() { ("$2", "$3") } else { ("$1", "$2") };
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
    let apps = rows.iter().map(row_application).collect::<Result<Vec<_>>>()?;
    Ok((total, apps))
}

pub(crate) async fn count_applications(pool: &Pool, _cal: &Calendar) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM applications")
        .fetch_one(pool)
        .await?;
    Ok(row.try_get("n")?)
}

struct Prepared {
    item: BulkApplication,
    status: Status,
    creds: TrackingCredentials,
    due: Option<String>,
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
        let due = if status.state.is_closed() {
            None
        } else {
            due_of(&status, item.new.channel, cal)
        };
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
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "SELECT tracking_code FROM applications WHERE tracking_code IN (",
            );
            let mut sep = qb.separated(", ");
            for p in chunk {
                sep.push_bind(p.creds.code.clone());
            }
            qb.push(")");
            let taken = qb.build().fetch_all(&mut *tx).await?;
            if let Some(r) = taken.first() {
                let code: String = r.try_get("tracking_code")?;
                let index = codes.get(&code).copied().unwrap_or(ci * CHUNK);
                return Err(StoreError::Item {
                    index,
                    message: format!("跟踪码 {code} 已存在 (tracking code already exists)"),
                });
            }
        }
        let mut qb = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO applications (body_id, tracking_code, secret_hash, applicant_type, channel, request_text, \
             received_on, state, outcome, closed_on, due_on, status_json, version, created_at) ",
        );
        qb.push_values(chunk, |mut b, p| {
            let s = &p.status;
            b.push_bind(p.item.new.body_id)
                .push_bind(p.creds.code.clone())
                .push_bind(p.creds.secret_hash())
                .push_bind(p.item.new.applicant_type.column_key())
                .push_bind(p.item.new.channel.as_str())
                .push_bind(p.item.new.request_text.clone())
                .push_bind(format_date(s.received_on))
                .push_bind(s.state.as_str())
                .push_bind(s.outcome.map(|o| o.code()))
                .push_bind(s.closed_on.map(format_date))
                .push_bind(p.due.clone())
                .push_bind(status_json(s))
                .push_bind(1i64)
                .push_bind(now.clone());
        });
        qb.push(" RETURNING id, tracking_code");
        let rows = qb.build().fetch_all(&mut *tx).await?;
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        for r in &rows {
            ids.insert(r.try_get("tracking_code")?, r.try_get("id")?);
        }
        let id_of = |p: &Prepared| ids.get(&p.creds.code).copied().unwrap_or(0);

        let mut qb = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO application_personal (application_id, name, id_number, phone, email, address) ",
        );
        qb.push_values(chunk, |mut b, p| {
            let pd = &p.item.new.personal;
            b.push_bind(id_of(p))
                .push_bind(pd.name.clone())
                .push_bind(pd.id_number.clone())
                .push_bind(pd.phone.clone())
                .push_bind(pd.email.clone())
                .push_bind(pd.address.clone());
        });
        qb.build().execute(&mut *tx).await?;

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
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO application_events (application_id, seq, kind, on_date, recorded_at, actor, note, data) ",
            );
            qb.push_values(ev, |mut b, (id, seq, k, d, note)| {
                b.push_bind(*id)
                    .push_bind(i64::from(*seq))
                    .push_bind(k.name())
                    .push_bind(format_date(*d))
                    .push_bind(now.clone())
                    .push_bind(actor.to_string())
                    .push_bind(note.to_string())
                    .push_bind(serde_json::to_string(*k).expect("event serialises"));
            });
            qb.build().execute(&mut *tx).await?;
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

// --- cases, documents, figures, narrative ----------------------------------------------

async fn insert_case(conn: &mut Conn, c: &CaseRecord) -> Result<i64> {
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

async fn check_case_application(conn: &mut Conn, c: &CaseRecord) -> Result<()> {
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

async fn upsert_document_conn(conn: &mut Conn, d: &DocumentRecord) -> Result<Document> {
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

async fn upsert_figure_conn(
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

// --- reports --------------------------------------------------------------------------

/// Parse `key=value,key=value` (one aggregated row instead of one row per key keeps the
/// read cost independent of how many keys a body has used).
fn parse_key_values(s: Option<String>, into: &mut BTreeMap<String, i64>) -> Result<()> {
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
        key_value_agg!(),
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
        key_value_agg!(),
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
            mismatches.push(CounterMismatch {
                year: 0,
                key: format!("status.{code}"),
                stored: 0,
                recomputed: 1,
            });
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
    let keys: BTreeSet<(i32, String)> = stored.keys().chain(recomputed.keys()).cloned().collect();
    for k in &keys {
        let s = stored.get(k).copied().unwrap_or(0);
        let c = recomputed.get(k).copied().unwrap_or(0);
        if s != c {
            mismatches.push(CounterMismatch {
                year: k.0,
                key: k.1.clone(),
                stored: s,
                recomputed: c,
            });
        }
    }
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
            for ((k, a), (_, b)) in r.cells().zip(from_records.cells()) {
                if a != b && mismatches.is_empty() {
                    mismatches.push(CounterMismatch {
                        year,
                        key: k.to_string(),
                        stored: a.and_then(|v| v.as_count()).unwrap_or(0),
                        recomputed: b.and_then(|v| v.as_count()).unwrap_or(0),
                    });
                }
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
        counters_compared: keys.len(),
        cells_compared,
        mismatches,
    })
}

fn app_item(a: &Application) -> ExplainItem {
    let mut detail = format!(
        "{} · 收到 {} · {}",
        a.applicant_type.label(),
        format_date(a.status.received_on),
        a.status.state.label_zh()
    );
    if let (Some(o), Some(d)) = (a.status.outcome, a.status.closed_on) {
        detail.push_str(&format!(" · {} {}", o.label(), format_date(d)));
    }
    ExplainItem {
        kind: "application",
        id: a.id,
        reference: a.tracking_code.clone(),
        detail,
    }
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
    let (records, items, rule): (i64, Vec<ExplainItem>, String) = match source {
        CellSource::Received { applicant } => {
            q.applicant = col(applicant);
            (q.received_from, q.received_to) = (from.clone(), to.clone());
            let items = query_apps(pool, &q, limit, 0)
                .await?
                .iter()
                .map(app_item)
                .collect();
            (
                count_apps(pool, &q).await?,
                items,
                format!("{year}年内收到的申请"),
            )
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
            let items = query_apps(pool, &q, limit, 0)
                .await?
                .iter()
                .map(app_item)
                .collect();
            (
                count_apps(pool, &q).await?,
                items,
                format!("{year}年内办结且办理结果为 {} 的申请", q.outcomes),
            )
        }
        CellSource::CarriedOver { applicant } => {
            q.applicant = col(applicant);
            q.received_to = prev_end;
            q.open_on = from.clone();
            let items = query_apps(pool, &q, limit, 0)
                .await?
                .iter()
                .map(app_item)
                .collect();
            (
                count_apps(pool, &q).await?,
                items,
                format!("{year}年以前收到、{year}年1月1日仍未办结的申请"),
            )
        }
        CellSource::CarriedForward { applicant } => {
            q.applicant = col(applicant);
            q.received_to = to.clone();
            q.open_on = next_year;
            let items = query_apps(pool, &q, limit, 0)
                .await?
                .iter()
                .map(app_item)
                .collect();
            (
                count_apps(pool, &q).await?,
                items,
                format!("截至{year}年12月31日仍未办结的申请"),
            )
        }
        CellSource::Cases { kind, outcome } => {
            let cases = list_cases(pool, cal, body_id, Some(year)).await?;
            let matching: Vec<&Case> = cases
                .iter()
                .filter(|c| {
                    c.record.kind == *kind
                        && outcome.is_none_or(|o| c.record.reported_as(year) == Some(o))
                })
                .collect();
            let items = matching
                .iter()
                .take(limit as usize)
                .map(|c| ExplainItem {
                    kind: "case",
                    id: c.id,
                    reference: c.record.reference.clone(),
                    detail: format!(
                        "{} · 立案 {} · {}",
                        c.record.kind.label_zh(),
                        format_date(c.record.filed_on),
                        c.record.reported_as(year).map_or("", |o| o.label_zh())
                    ),
                })
                .collect();
            (
                matching.len() as i64,
                items,
                format!("{year}年内审结或截至年底尚未审结的{}案件", kind.label_zh()),
            )
        }
        CellSource::Documents { kind, column } => {
            let docs = list_documents(pool, cal, body_id).await?;
            let in_year = |d: Date| d.year() == year;
            let end = |d: Date| d.year() <= year;
            let matching: Vec<&Document> = docs
                .iter()
                .filter(|d| d.record.kind == *kind)
                .filter(|d| {
                    let r = &d.record;
                    let published = r.published_on.unwrap_or(r.issued_on);
                    match column {
                        DocumentColumn::Issued => in_year(r.issued_on),
                        DocumentColumn::Published => in_year(published),
                        DocumentColumn::Repealed => r.repealed_on.is_some_and(in_year),
                        DocumentColumn::InForce => {
                            end(r.issued_on) && !r.repealed_on.is_some_and(end)
                        }
                        DocumentColumn::PublishedTotal => end(published),
                    }
                })
                .collect();
            let items = matching
                .iter()
                .take(limit as usize)
                .map(|d| ExplainItem {
                    kind: "document",
                    id: d.id,
                    reference: d.record.doc_number.clone(),
                    detail: format!(
                        "{} · {} · 制发 {}",
                        d.record.kind.label_zh(),
                        d.record.title,
                        format_date(d.record.issued_on)
                    ),
                })
                .collect();
            (
                matching.len() as i64,
                items,
                format!("登记册中的{}", kind.label_zh()),
            )
        }
        CellSource::Figure { cell } => {
            let row = sqlx::query("SELECT value, updated_by, updated_at FROM yearly_figures WHERE body_id = $1 AND year = $2 AND cell = $3")
                .bind(body_id)
                .bind(i64::from(year))
                .bind(cell.as_str())
                .fetch_optional(pool)
                .await?;
            let items: Vec<ExplainItem> = match row {
                Some(r) => vec![ExplainItem {
                    kind: "figure",
                    id: 0,
                    reference: cell.clone(),
                    detail: format!(
                        "录入值 {} · {} · {}",
                        r.try_get::<String, _>("value")?,
                        r.try_get::<String, _>("updated_by")?,
                        r.try_get::<String, _>("updated_at")?
                    ),
                }],
                None => Vec::new(),
            };
            (
                items.len() as i64,
                items,
                "按年度录入或导入的数字（未录入为0）".to_string(),
            )
        }
    };
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

pub(crate) async fn outbox_after(
    pool: &Pool,
    _cal: &Calendar,
    after: i64,
    limit: i64,
) -> Result<Vec<OutboxEntry>> {
    let rows = sqlx::query("SELECT id, topic, entity_id, body_id, op, payload, created_at FROM outbox WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(OutboxEntry {
                id: r.try_get("id")?,
                topic: r.try_get("topic")?,
                entity_id: r.try_get("entity_id")?,
                body_id: r.try_get("body_id")?,
                op: r.try_get("op")?,
                payload: r.try_get("payload")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

// --- import / export ------------------------------------------------------------------

async fn record_import(
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

fn at_line(source: &str, line: u64, e: StoreError) -> StoreError {
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
) -> Result<Vec<csv_io::ApplicationRow>> {
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
            Ok(csv_io::ApplicationRow {
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

// --- staff sessions and user administration -------------------------------------------

pub(crate) async fn start_session(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    session_id: &str,
    expires_at: i64,
    actor: &str,
    detail: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO staff_sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(now_rfc3339())
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    audit_row(
        &mut tx,
        actor,
        None,
        "staff.login",
        &format!("user:{user_id}"),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn end_session(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    session_id: &str,
    actor: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "UPDATE staff_sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_rfc3339())
    .bind(session_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    audit_row(
        &mut tx,
        actor,
        None,
        "staff.logout",
        &format!("user:{user_id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn session_user(
    pool: &Pool,
    _cal: &Calendar,
    session_id: &str,
    now: i64,
) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT u.id, u.login, u.display_name FROM staff_sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL",
    )
    .bind(session_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(User {
            id: r.try_get("id")?,
            login: r.try_get("login")?,
            display_name: r.try_get("display_name")?,
        })
    })
    .transpose()
}

async fn user_id_of(conn: &mut Conn, login: &str) -> Result<i64> {
    let row = sqlx::query("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "用户",
            what_en: "user",
            key: login.to_string(),
        })?;
    Ok(row.try_get("id")?)
}

async fn revoke_sessions(conn: &mut Conn, user_id: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE staff_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_rfc3339())
    .bind(user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Disable (or re-enable) a user; disabling ends every session at once.
pub(crate) async fn set_user_disabled(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
    disabled: bool,
    actor: &str,
) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let id = user_id_of(&mut tx, login).await?;
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(disabled.then(now_rfc3339))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ended = if disabled {
        revoke_sessions(&mut tx, id).await?
    } else {
        0
    };
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit_row(&mut tx, actor, None, action, &format!("user:{id}"), login).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Replace a user's password hash and end every session.
pub(crate) async fn set_password(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
    hash: &str,
    actor: &str,
) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let id = user_id_of(&mut tx, login).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ended = revoke_sessions(&mut tx, id).await?;
    audit_row(&mut tx, actor, None, "user.passwd", &format!("user:{id}"), login).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Take a role away (roles are read on every request, so it applies at once).
pub(crate) async fn revoke_role(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    body_id: i64,
    role: Role,
    actor: &str,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND body_id = $2 AND role = $3")
        .bind(user_id)
        .bind(body_id)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
    let removed = done.rows_affected() > 0;
    if removed {
        audit_row(
            &mut tx,
            actor,
            Some(body_id),
            "user.revoke",
            &format!("user:{user_id}"),
            role.as_str(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(removed)
}
