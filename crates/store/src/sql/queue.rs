//! SQL of the service hall's window queue ([`crate::queue`]).

use super::*;
use crate::queue::{
    ActionOutcome, BookedAppointment, Hall, HallAction, HallConfig, HallService, HallWindow, RACE,
    StoredRating, StoredTicket, TakeTicket, Taken,
};
use gongkai_ledger::queue::{
    self as q, AppointmentRules, Evaluation, NewTicket, PriorityClass, Rating, SelectionHistory,
    Ticket, TicketAction, TicketChannel, TicketState,
};
use time::{OffsetDateTime, Time};

/// Places behind the head of its line a resumed (暂离) ticket goes back to.
const RESUME_PLACES: usize = 2;

const TICKET_COLS: &str = "id, hall_id, day, issue_service, seq, service, prefix, class, channel, state, \
    taken_at, queued_at, called_at, announced_at, started_at, ended_at, window_number, recalls, \
    transferred_from, redirected_from, id_hash, masked_name, token";

// --- Timestamps: UTC, fixed width (nanoseconds), so that text order is time order ----------

const TS: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
);

pub(crate) fn ts(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(TS)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000000000Z".into())
}

fn parse_ts(s: &str) -> Result<OffsetDateTime> {
    time::PrimitiveDateTime::parse(s, TS)
        .map(|p| p.assume_utc().to_offset(crate::BEIJING))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

fn opt_ts(s: Option<String>) -> Result<Option<OffsetDateTime>> {
    s.as_deref().map(parse_ts).transpose()
}

fn beijing_day(now: OffsetDateTime) -> Date {
    now.to_offset(crate::BEIJING).date()
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v:?}"))
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn race() -> StoreError {
    StoreError::Conflict(RACE.to_string())
}

fn random_token(bytes: usize) -> Result<String> {
    let mut b = vec![0u8; bytes];
    fill_random(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Compare tokens without an early exit on the first differing byte.
fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn one_char(s: &str) -> Result<char> {
    s.chars().next().ok_or_else(|| corrupt("prefix", s))
}

// --- Rows ------------------------------------------------------------------------------

fn row_ticket(row: &DbRow) -> Result<StoredTicket> {
    let text = |c: &str| -> Result<String> { Ok(row.try_get::<String, _>(c)?) };
    let class = text("class")?;
    let channel = text("channel")?;
    let state = text("state")?;
    let day = text("day")?;
    let window: Option<i64> = row.try_get("window_number")?;
    let ticket = Ticket {
        service: text("service")?,
        prefix: one_char(&text("prefix")?)?,
        seq: u32::try_from(row.try_get::<i64, _>("seq")?).map_err(|_| corrupt("seq", ""))?,
        day: parse_stored_date(&day)?,
        class: PriorityClass::parse(&class).ok_or_else(|| corrupt("class", &class))?,
        channel: TicketChannel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        state: TicketState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        taken_at: parse_ts(&text("taken_at")?)?,
        queued_at: parse_ts(&text("queued_at")?)?,
        called_at: opt_ts(row.try_get("called_at")?)?,
        started_at: opt_ts(row.try_get("started_at")?)?,
        ended_at: opt_ts(row.try_get("ended_at")?)?,
        window: window.and_then(|w| u32::try_from(w).ok()),
        recalls: u32::try_from(row.try_get::<i64, _>("recalls")?).unwrap_or(0),
        transferred_from: row.try_get("transferred_from")?,
        redirected_from: row.try_get("redirected_from")?,
        id_hash: row.try_get("id_hash")?,
        masked_name: row.try_get("masked_name")?,
    };
    Ok(StoredTicket {
        id: row.try_get("id")?,
        hall_id: row.try_get("hall_id")?,
        token: text("token")?,
        announced_at: opt_ts(row.try_get("announced_at")?)?,
        ticket,
    })
}

fn row_service(row: &DbRow) -> Result<HallService> {
    let policy: String = row.try_get("policy_json")?;
    Ok(HallService {
        code: row.try_get("code")?,
        prefix: one_char(&row.try_get::<String, _>("prefix")?)?,
        name: row.try_get("name")?,
        item_code: row.try_get("item_code")?,
        policy: serde_json::from_str(&policy).map_err(|_| corrupt("policy", &policy))?,
    })
}

fn row_window(row: &DbRow) -> Result<HallWindow> {
    let services: String = row.try_get("services_json")?;
    let dedicated: String = row.try_get("dedicated_json")?;
    Ok(HallWindow {
        number: u32::try_from(row.try_get::<i64, _>("number")?).unwrap_or(0),
        name: row.try_get("name")?,
        services: serde_json::from_str(&services).map_err(|_| corrupt("services", &services))?,
        dedicated_for: serde_json::from_str(&dedicated)
            .map_err(|_| corrupt("dedicated", &dedicated))?,
    })
}

async fn load_hall(conn: &mut Conn, hall_id: i64) -> Result<Hall> {
    let row = sqlx::query("SELECT id, body_id, name FROM hall_halls WHERE id = $1")
        .bind(hall_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found("服务大厅", "hall", hall_id))?;
    let services = sqlx::query(
        "SELECT code, prefix, name, item_code, policy_json FROM hall_services WHERE hall_id = $1 ORDER BY position, code",
    )
    .bind(hall_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(row_service)
    .collect::<Result<Vec<_>>>()?;
    let windows = sqlx::query(
        "SELECT number, name, services_json, dedicated_json FROM hall_windows WHERE hall_id = $1 ORDER BY number",
    )
    .bind(hall_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(row_window)
    .collect::<Result<Vec<_>>>()?;
    Ok(Hall {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        name: row.try_get("name")?,
        services,
        windows,
    })
}

async fn policies_of(conn: &mut Conn, hall_id: i64) -> Result<q::Policies> {
    let rows = sqlx::query("SELECT code, policy_json FROM hall_services WHERE hall_id = $1")
        .bind(hall_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut p = q::Policies::default();
    for r in rows {
        let json: String = r.try_get("policy_json")?;
        p.by_service.insert(
            r.try_get("code")?,
            serde_json::from_str(&json).map_err(|_| corrupt("policy", &json))?,
        );
    }
    Ok(p)
}

async fn service_of(conn: &mut Conn, hall_id: i64, code: &str) -> Result<HallService> {
    let row = sqlx::query(
        "SELECT code, prefix, name, item_code, policy_json FROM hall_services WHERE hall_id = $1 AND code = $2",
    )
    .bind(hall_id)
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "业务",
        what_en: "service",
        key: code.to_string(),
    })?;
    row_service(&row)
}

async fn window_of(conn: &mut Conn, hall_id: i64, number: u32) -> Result<HallWindow> {
    let row = sqlx::query(
        "SELECT number, name, services_json, dedicated_json FROM hall_windows WHERE hall_id = $1 AND number = $2",
    )
    .bind(hall_id)
    .bind(i64::from(number))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "窗口",
        what_en: "window",
        key: number.to_string(),
    })?;
    row_window(&row)
}

async fn ticket_by_id(conn: &mut Conn, id: i64) -> Result<StoredTicket> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found("号", "ticket", id))?;
    row_ticket(&row)
}

async fn pepper_of(conn: &mut Conn, hall_id: i64) -> Result<String> {
    let row = sqlx::query("SELECT pepper FROM hall_halls WHERE id = $1")
        .bind(hall_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found("服务大厅", "hall", hall_id))?;
    Ok(row.try_get("pepper")?)
}

// --- History and writes ------------------------------------------------------------------

async fn event(
    conn: &mut Conn,
    t: &StoredTicket,
    at: OffsetDateTime,
    action: &str,
    actor: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO hall_ticket_events (ticket_id, at, action, actor, window_number, state, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.id)
    .bind(ts(at))
    .bind(action)
    .bind(actor)
    .bind(t.ticket.window.map(i64::from))
    .bind(t.ticket.state.label_zh())
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_ticket(
    conn: &mut Conn,
    hall_id: i64,
    t: &Ticket,
    now: OffsetDateTime,
) -> Result<StoredTicket> {
    let token = random_token(12)?;
    let row = sqlx::query(
        "INSERT INTO hall_tickets (hall_id, day, issue_service, seq, service, prefix, class, channel, state, \
         taken_at, queued_at, recalls, redirected_from, id_hash, masked_name, token, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(hall_id)
    .bind(format_date(t.day))
    .bind(t.service_of_issue())
    .bind(i64::from(t.seq))
    .bind(&t.service)
    .bind(t.prefix.to_string())
    .bind(t.class.label_zh())
    .bind(t.channel.label_zh())
    .bind(t.state.label_zh())
    .bind(ts(t.taken_at))
    .bind(ts(t.queued_at))
    .bind(t.redirected_from.as_deref())
    .bind(t.id_hash.as_deref())
    .bind(t.masked_name.as_deref())
    .bind(&token)
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Invalid(
                "今日已取过该业务的号，同一证件每天每项业务只能取一个号 (one ticket per ID per service per day)"
                    .to_string(),
            )
        } else {
            e.into()
        }
    })?;
    Ok(StoredTicket {
        id: row.try_get("id")?,
        hall_id,
        token,
        announced_at: None,
        ticket: t.clone(),
    })
}

/// Write `new` over the stored ticket, only if it is still in the state `old` had (else
/// someone else changed it: [`RACE`], and the transaction runs again).
async fn update_ticket(
    conn: &mut Conn,
    old: &StoredTicket,
    new: &Ticket,
    announced: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<StoredTicket> {
    let announced_at = announced.or(old.announced_at);
    let r = sqlx::query(
        "UPDATE hall_tickets SET service = $1, state = $2, queued_at = $3, called_at = $4, announced_at = $5, \
         started_at = $6, ended_at = $7, window_number = $8, recalls = $9, transferred_from = $10, updated_at = $11 \
         WHERE id = $12 AND state = $13",
    )
    .bind(&new.service)
    .bind(new.state.label_zh())
    .bind(ts(new.queued_at))
    .bind(new.called_at.map(ts))
    .bind(announced_at.map(ts))
    .bind(new.started_at.map(ts))
    .bind(new.ended_at.map(ts))
    .bind(new.window.map(i64::from))
    .bind(i64::from(new.recalls))
    .bind(new.transferred_from.as_deref())
    .bind(ts(now))
    .bind(old.id)
    .bind(old.ticket.state.label_zh())
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() != 1 {
        return Err(race());
    }
    Ok(StoredTicket {
        id: old.id,
        hall_id: old.hall_id,
        token: old.token.clone(),
        announced_at,
        ticket: new.clone(),
    })
}

async fn next_seq(conn: &mut Conn, hall_id: i64, day: Date, service: &str) -> Result<u32> {
    let row = sqlx::query(
        "INSERT INTO hall_counters (hall_id, day, service, seq) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (hall_id, day, service) DO UPDATE SET seq = hall_counters.seq + 1 RETURNING seq",
    )
    .bind(hall_id)
    .bind(format_date(day))
    .bind(service)
    .fetch_one(&mut *conn)
    .await?;
    u32::try_from(row.try_get::<i64, _>("seq")?).map_err(|_| corrupt("seq", ""))
}

const LIVE: &str = "('等候中', '已呼叫', '办理中', '暂离')";

/// Close the tickets of days before `today` still open, as 过号 (未办理). `force`: even if
/// today's reset already ran.
async fn reset_if_new_day(
    conn: &mut Conn,
    hall_id: i64,
    now: OffsetDateTime,
    actor: &str,
    force: bool,
) -> Result<usize> {
    let today = format_date(beijing_day(now));
    let r = sqlx::query("UPDATE hall_halls SET reset_day = $2 WHERE id = $1 AND reset_day < $2")
        .bind(hall_id)
        .bind(&today)
        .execute(&mut *conn)
        .await?;
    if r.rows_affected() == 0 && !force {
        return Ok(0);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE hall_id = $1 AND day < $2 AND state IN {LIVE} ORDER BY id"
    )))
    .bind(hall_id)
    .bind(&today)
    .fetch_all(&mut *conn)
    .await?;
    let open = rows.iter().map(row_ticket).collect::<Result<Vec<_>>>()?;
    for t in &open {
        let mut closed = t.ticket.clone();
        closed.state = TicketState::NoShow;
        closed.ended_at = Some(now);
        let s = update_ticket(conn, t, &closed, None, now).await?;
        event(conn, &s, now, "reset", actor, "日终未办理，按过号关闭").await?;
    }
    let body_id = body_of_hall(conn, hall_id).await?;
    audit_row(
        conn,
        actor,
        Some(body_id),
        "hall.reset",
        &format!("hall:{hall_id}"),
        &format!("{today} 日终清理：{} 个未办理的号按过号关闭", open.len()),
    )
    .await?;
    Ok(open.len())
}

async fn body_of_hall(conn: &mut Conn, hall_id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT body_id FROM hall_halls WHERE id = $1")
        .bind(hall_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found("服务大厅", "hall", hall_id))?;
    Ok(row.try_get("body_id")?)
}

// --- Configuration -----------------------------------------------------------------------

pub(crate) async fn hall_configure(
    pool: &Pool,
    body_id: i64,
    cfg: &HallConfig,
    actor: &str,
) -> Result<Hall> {
    let mut tx = begin_write(pool).await?;
    let pepper = random_token(32)?;
    let row = sqlx::query(
        "INSERT INTO hall_halls (body_id, name, pepper, reset_day, created_at) VALUES ($1, $2, $3, '', $4) \
         ON CONFLICT (body_id) DO UPDATE SET name = excluded.name RETURNING id",
    )
    .bind(body_id)
    .bind(cfg.name.trim())
    .bind(&pepper)
    .bind(now_rfc3339())
    .fetch_one(&mut *tx)
    .await?;
    let hall_id: i64 = row.try_get("id")?;
    sqlx::query("DELETE FROM hall_windows WHERE hall_id = $1")
        .bind(hall_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM hall_services WHERE hall_id = $1")
        .bind(hall_id)
        .execute(&mut *tx)
        .await?;
    for (i, s) in cfg.services.iter().enumerate() {
        sqlx::query(
            "INSERT INTO hall_services (hall_id, code, prefix, name, item_code, policy_json, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hall_id)
        .bind(s.code.trim())
        .bind(s.prefix.to_string())
        .bind(s.name.trim())
        .bind(s.item_code.trim())
        .bind(serde_json::to_string(&s.policy).unwrap_or_default())
        .bind(i as i64)
        .execute(&mut *tx)
        .await?;
    }
    for w in &cfg.windows {
        sqlx::query(
            "INSERT INTO hall_windows (hall_id, number, name, services_json, dedicated_json, paused) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(hall_id)
        .bind(i64::from(w.number))
        .bind(w.name.trim())
        .bind(serde_json::to_string(&w.services).unwrap_or_default())
        .bind(serde_json::to_string(&w.dedicated_for).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
    }
    audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "hall.config",
        &format!("hall:{hall_id}"),
        &format!(
            "{}：{} 项业务，{} 个窗口",
            cfg.name.trim(),
            cfg.services.len(),
            cfg.windows.len()
        ),
    )
    .await?;
    let hall = load_hall(&mut tx, hall_id).await?;
    tx.commit().await?;
    Ok(hall)
}

pub(crate) async fn hall_of_body(pool: &Pool, body_id: i64) -> Result<Option<Hall>> {
    let mut conn = pool.acquire().await?;
    let row = sqlx::query("SELECT id FROM hall_halls WHERE body_id = $1")
        .bind(body_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Some(load_hall(&mut conn, r.try_get("id")?).await?)),
        None => Ok(None),
    }
}

// --- Taking a ticket ---------------------------------------------------------------------

async fn take_in(
    conn: &mut Conn,
    hall_id: i64,
    take: &TakeTicket,
    now: OffsetDateTime,
    actor: &str,
) -> Result<Taken> {
    reset_if_new_day(conn, hall_id, now, actor, false).await?;
    let day = beijing_day(now);
    let service = service_of(conn, hall_id, &take.service).await?;
    let id_hash = match take.id_number.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => {
            if !q::valid_id_number(id) {
                return Err(invalid("居民身份证号码无效，请核对后重新输入"));
            }
            let pepper = pepper_of(conn, hall_id).await?;
            Some(q::id_hash(&pepper, id).map_err(invalid)?)
        }
        _ => None,
    };
    // The counter row serialises concurrent takes of the service (PostgreSQL row lock), so
    // the check below sees every earlier ticket; the unique index is the backstop.
    let seq = next_seq(conn, hall_id, day, &service.code).await?;
    if let Some(h) = &id_hash {
        let held = sqlx::query(
            "SELECT prefix, seq FROM hall_tickets WHERE hall_id = $1 AND day = $2 AND issue_service = $3 \
             AND id_hash = $4 AND state <> '已取消'",
        )
        .bind(hall_id)
        .bind(format_date(day))
        .bind(&service.code)
        .bind(h)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = held {
            let number = q::ticket_number(
                one_char(&r.try_get::<String, _>("prefix")?)?,
                u32::try_from(r.try_get::<i64, _>("seq")?).unwrap_or(0),
            );
            return Err(invalid(format!(
                "今日已取过该业务的号（{number}），同一证件每天每项业务只能取一个号"
            )));
        }
    }
    let masked = take
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(q::mask_name);
    let ticket = Ticket::new(NewTicket {
        service: service.code.clone(),
        prefix: service.prefix,
        seq,
        day,
        class: take.class,
        channel: take.channel,
        taken_at: now,
        id_hash,
        masked_name: masked,
    })
    .map_err(invalid)?;
    let stored = insert_ticket(conn, hall_id, &ticket, now).await?;
    event(conn, &stored, now, "take", actor, take.channel.label_zh()).await?;
    let ahead = sqlx::query(
        "SELECT COUNT(*) AS n FROM hall_tickets WHERE hall_id = $1 AND state = '等候中' AND day = $2 \
         AND service = $3 AND queued_at < $4",
    )
    .bind(hall_id)
    .bind(format_date(day))
    .bind(&service.code)
    .bind(ts(ticket.queued_at))
    .fetch_one(&mut *conn)
    .await?
    .try_get::<i64, _>("n")?;
    let body_id = body_of_hall(conn, hall_id).await?;
    audit_row(
        conn,
        actor,
        Some(body_id),
        "hall.ticket.take",
        &format!("hall_ticket:{}", stored.id),
        &format!(
            "{} {} {}",
            ticket.number(),
            service.name,
            ticket.class.label_zh()
        ),
    )
    .await?;
    Ok(Taken {
        ticket: stored,
        ahead: usize::try_from(ahead).unwrap_or(0),
    })
}

pub(crate) async fn hall_take(
    pool: &Pool,
    hall_id: i64,
    take: &TakeTicket,
    _appointment: Option<i64>,
    now: OffsetDateTime,
    actor: &str,
) -> Result<Taken> {
    let mut tx = begin_write(pool).await?;
    let taken = take_in(&mut tx, hall_id, take, now, actor).await?;
    tx.commit().await?;
    Ok(taken)
}

// --- Window actions ----------------------------------------------------------------------

async fn waiting_of_day(conn: &mut Conn, hall_id: i64, day: Date) -> Result<Vec<StoredTicket>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE hall_id = $1 AND state = '等候中' AND day = $2"
    )))
    .bind(hall_id)
    .bind(format_date(day))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(row_ticket).collect()
}

async fn current_of_window(
    conn: &mut Conn,
    hall_id: i64,
    day: Date,
    window: u32,
) -> Result<Option<StoredTicket>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE hall_id = $1 AND day = $2 AND window_number = $3 \
         AND state IN ('已呼叫', '办理中') ORDER BY announced_at DESC LIMIT 1"
    )))
    .bind(hall_id)
    .bind(format_date(day))
    .bind(i64::from(window))
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(row_ticket).transpose()
}

async fn history_of_day(conn: &mut Conn, hall_id: i64, day: Date) -> Result<SelectionHistory> {
    let rows =
        sqlx::query("SELECT service, normals FROM hall_selection WHERE hall_id = $1 AND day = $2")
            .bind(hall_id)
            .bind(format_date(day))
            .fetch_all(&mut *conn)
            .await?;
    let mut h = SelectionHistory::default();
    for r in rows {
        h.normals_since_priority.insert(
            r.try_get("service")?,
            u32::try_from(r.try_get::<i64, _>("normals")?).unwrap_or(0),
        );
    }
    Ok(h)
}

async fn record_selection(
    conn: &mut Conn,
    hall_id: i64,
    day: Date,
    mut h: SelectionHistory,
    t: &Ticket,
) -> Result<()> {
    h.record(t);
    let n = h.normals_since_priority(&t.service);
    sqlx::query(
        "INSERT INTO hall_selection (hall_id, day, service, normals) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (hall_id, day, service) DO UPDATE SET normals = excluded.normals",
    )
    .bind(hall_id)
    .bind(format_date(day))
    .bind(&t.service)
    .bind(i64::from(n))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `now`, or the ticket's last recorded time when that is later: the handler read the clock
/// before its transaction waited for the lock, and a ticket taken meanwhile is newer.
fn not_before(t: &Ticket, now: OffsetDateTime) -> OffsetDateTime {
    [
        Some(t.taken_at),
        Some(t.queued_at),
        t.called_at,
        t.started_at,
        t.ended_at,
    ]
    .into_iter()
    .flatten()
    .fold(now, OffsetDateTime::max)
}

fn no_current(window: u32) -> StoreError {
    invalid(format!("{window}号窗口当前没有正在呼叫或办理的号"))
}

pub(crate) async fn hall_action(
    pool: &Pool,
    hall_id: i64,
    window: u32,
    action: &HallAction,
    ticket_id: Option<i64>,
    now: OffsetDateTime,
    actor: &str,
) -> Result<ActionOutcome> {
    let mut tx = begin_write(pool).await?;
    // Window actions of a hall queue up on its row (PostgreSQL row lock; SQLite writes are
    // serial anyway): concurrent windows then never pick the same waiting ticket and run
    // again, they wait their turn. The conditional update below stays the safety net.
    sqlx::query("UPDATE hall_halls SET name = name WHERE id = $1")
        .bind(hall_id)
        .execute(&mut *tx)
        .await?;
    reset_if_new_day(&mut tx, hall_id, now, actor, false).await?;
    let day = beijing_day(now);
    let win = window_of(&mut tx, hall_id, window).await?;
    let current = current_of_window(&mut tx, hall_id, day, window).await?;
    let mut follow_up = None;
    let mut detail = String::new();
    let acted: Option<StoredTicket> = match action {
        HallAction::CallNext => {
            if let Some(c) = &current {
                return Err(invalid(format!(
                    "{window}号窗口的{}号尚未办结，请先办结、过号或暂离",
                    c.ticket.number()
                )));
            }
            let policies = policies_of(&mut tx, hall_id).await?;
            let waiting = waiting_of_day(&mut tx, hall_id, day).await?;
            let tickets: Vec<Ticket> = waiting.iter().map(|t| t.ticket.clone()).collect();
            let history = history_of_day(&mut tx, hall_id, day).await?;
            match q::next_ticket(&policies, &tickets, &win.queue_window(), &history) {
                None => None,
                Some(i) => {
                    let old = &waiting[i];
                    let at = not_before(&old.ticket, now);
                    let applied = q::apply(&old.ticket, TicketAction::Call { window }, at)
                        .map_err(invalid)?;
                    let s = update_ticket(&mut tx, old, &applied.ticket, Some(at), at).await?;
                    record_selection(&mut tx, hall_id, day, history, &s.ticket).await?;
                    detail = q::announcement(&s.ticket.number(), window);
                    Some(s)
                }
            }
        }
        HallAction::Resume | HallAction::Cancel => {
            let id = ticket_id
                .or(current.as_ref().map(|c| c.id))
                .ok_or_else(|| no_current(window))?;
            let old = ticket_by_id(&mut tx, id).await?;
            if old.hall_id != hall_id {
                return Err(not_found("号", "ticket", id));
            }
            let step = if *action == HallAction::Cancel {
                TicketAction::Cancel
            } else {
                let waiting = waiting_of_day(&mut tx, hall_id, day).await?;
                let tickets: Vec<Ticket> = waiting.into_iter().map(|t| t.ticket).collect();
                TicketAction::Requeue {
                    queued_at: q::requeue_time(&tickets, &old.ticket.service, RESUME_PLACES, now),
                }
            };
            let applied =
                q::apply(&old.ticket, step, not_before(&old.ticket, now)).map_err(invalid)?;
            Some(update_ticket(&mut tx, &old, &applied.ticket, None, now).await?)
        }
        _ => {
            let old = current.ok_or_else(|| no_current(window))?;
            let steps: Vec<TicketAction> = match action {
                HallAction::Recall => vec![TicketAction::Recall],
                HallAction::Start => vec![TicketAction::Start],
                HallAction::NoShow => vec![TicketAction::NoShow],
                HallAction::Suspend => vec![TicketAction::Suspend],
                HallAction::Finish if old.ticket.state == TicketState::Called => {
                    vec![TicketAction::Start, TicketAction::Finish]
                }
                HallAction::Finish => vec![TicketAction::Finish],
                HallAction::Transfer { service } => {
                    service_of(&mut tx, hall_id, service).await?;
                    detail = format!("转移到 {service}");
                    vec![TicketAction::Transfer {
                        service: service.clone(),
                    }]
                }
                HallAction::FinishAndRedirect { service } => {
                    let target = service_of(&mut tx, hall_id, service).await?;
                    let seq = next_seq(&mut tx, hall_id, day, &target.code).await?;
                    let redirect = TicketAction::FinishAndRedirect {
                        service: target.code.clone(),
                        prefix: target.prefix,
                        seq,
                    };
                    if old.ticket.state == TicketState::Called {
                        vec![TicketAction::Start, redirect]
                    } else {
                        vec![redirect]
                    }
                }
                _ => unreachable!("handled above"),
            };
            let mut t = old.ticket.clone();
            for step in steps {
                let applied = q::apply(&t, step, not_before(&t, now)).map_err(invalid)?;
                t = applied.ticket;
                if let Some(mut f) = applied.follow_up {
                    // The follow-up is issued by the window, not by the citizen's ID: the
                    // one-ID rule applies to kiosk tickets.
                    f.id_hash = None;
                    let s = insert_ticket(&mut tx, hall_id, &f, now).await?;
                    event(&mut tx, &s, now, "redirect_issue", actor, &t.number()).await?;
                    detail = format!("转办为 {}", f.number());
                    follow_up = Some(s);
                }
            }
            let announced = (*action == HallAction::Recall).then_some(now);
            if *action == HallAction::Recall {
                detail = q::announcement(&t.number(), window);
            }
            Some(update_ticket(&mut tx, &old, &t, announced, now).await?)
        }
    };
    if let Some(s) = &acted {
        let name = action.audit_action().trim_start_matches("hall.");
        event(&mut tx, s, now, name, actor, &detail).await?;
        let body_id = body_of_hall(&mut tx, hall_id).await?;
        audit_row(
            &mut tx,
            actor,
            Some(body_id),
            action.audit_action(),
            &format!("hall_ticket:{}", s.id),
            &format!("{}号窗口 {} {detail}", window, s.ticket.number()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ActionOutcome {
        ticket: acted,
        follow_up,
    })
}

// --- Reads -------------------------------------------------------------------------------

pub(crate) async fn hall_ticket(pool: &Pool, id: i64) -> Result<StoredTicket> {
    let mut conn = pool.acquire().await?;
    ticket_by_id(&mut conn, id).await
}

pub(crate) async fn hall_ticket_by_number(
    pool: &Pool,
    hall_id: i64,
    day: Date,
    number: &str,
) -> Result<Option<StoredTicket>> {
    let Some((prefix, seq)) = q::parse_ticket_number(number) else {
        return Ok(None);
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE hall_id = $1 AND day = $2 AND prefix = $3 AND seq = $4 \
         ORDER BY id DESC LIMIT 1"
    )))
    .bind(hall_id)
    .bind(format_date(day))
    .bind(prefix.to_string())
    .bind(i64::from(seq))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(row_ticket).transpose()
}

pub(crate) async fn hall_live(
    pool: &Pool,
    hall_id: i64,
    day: Date,
    recent: i64,
) -> Result<(Vec<StoredTicket>, Vec<StoredTicket>)> {
    let live = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE hall_id = $1 AND state IN {LIVE} AND day = $2 ORDER BY queued_at"
    )))
    .bind(hall_id)
    .bind(format_date(day))
    .fetch_all(pool)
    .await?
    .iter()
    .map(row_ticket)
    .collect::<Result<Vec<_>>>()?;
    let calls = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE hall_id = $1 AND day = $2 AND announced_at IS NOT NULL \
         ORDER BY announced_at DESC LIMIT $3"
    )))
    .bind(hall_id)
    .bind(format_date(day))
    .bind(recent)
    .fetch_all(pool)
    .await?
    .iter()
    .map(row_ticket)
    .collect::<Result<Vec<_>>>()?;
    Ok((live, calls))
}

pub(crate) async fn hall_tickets(
    pool: &Pool,
    hall_id: i64,
    from: Date,
    to: Date,
) -> Result<Vec<StoredTicket>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TICKET_COLS} FROM hall_tickets WHERE hall_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, id"
    )))
    .bind(hall_id)
    .bind(format_date(from))
    .bind(format_date(to))
    .fetch_all(pool)
    .await?;
    rows.iter().map(row_ticket).collect()
}

pub(crate) async fn hall_ratings(
    pool: &Pool,
    hall_id: i64,
    from: Date,
    to: Date,
) -> Result<Vec<StoredRating>> {
    let rows = sqlx::query(
        "SELECT r.ticket_id, r.rating, r.reason, t.prefix, t.seq, t.service, t.window_number, t.day \
         FROM hall_ratings r JOIN hall_tickets t ON t.id = r.ticket_id \
         WHERE t.hall_id = $1 AND t.day >= $2 AND t.day <= $3 ORDER BY r.id",
    )
    .bind(hall_id)
    .bind(format_date(from))
    .bind(format_date(to))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let rating: String = r.try_get("rating")?;
            let day: String = r.try_get("day")?;
            let window: Option<i64> = r.try_get("window_number")?;
            Ok(StoredRating {
                ticket_id: r.try_get("ticket_id")?,
                evaluation: Evaluation {
                    ticket: q::ticket_number(
                        one_char(&r.try_get::<String, _>("prefix")?)?,
                        u32::try_from(r.try_get::<i64, _>("seq")?).unwrap_or(0),
                    ),
                    service: r.try_get("service")?,
                    window: window.and_then(|w| u32::try_from(w).ok()),
                    day: parse_stored_date(&day)?,
                    rating: Rating::parse(&rating).ok_or_else(|| corrupt("rating", &rating))?,
                    reason: r.try_get("reason")?,
                },
            })
        })
        .collect()
}

// --- Ratings, reset ----------------------------------------------------------------------

pub(crate) async fn hall_rate(
    pool: &Pool,
    ticket_id: i64,
    token: &str,
    rating: Rating,
    reason: Option<&str>,
    now: OffsetDateTime,
    actor: &str,
) -> Result<StoredRating> {
    let mut tx = begin_write(pool).await?;
    let t = ticket_by_id(&mut tx, ticket_id).await?;
    if !tokens_match(&t.token, token) {
        return Err(not_found("号", "ticket", ticket_id));
    }
    let existing = sqlx::query("SELECT id FROM hall_ratings WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_optional(&mut *tx)
        .await?;
    let prior: Vec<Evaluation> = match existing {
        Some(_) => vec![Evaluation {
            ticket: t.ticket.number(),
            service: t.ticket.service.clone(),
            window: t.ticket.window,
            day: t.ticket.day,
            rating,
            reason: None,
        }],
        None => Vec::new(),
    };
    let e = Evaluation::for_ticket(&t.ticket, rating, reason, &prior).map_err(invalid)?;
    sqlx::query("INSERT INTO hall_ratings (ticket_id, rating, reason, at) VALUES ($1, $2, $3, $4)")
        .bind(ticket_id)
        .bind(e.rating.label_zh())
        .bind(e.reason.as_deref())
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(|err| {
            if unique_violation(&err) {
                invalid("该号已评价")
            } else {
                err.into()
            }
        })?;
    event(&mut tx, &t, now, "rate", actor, e.rating.label_zh()).await?;
    let body_id = body_of_hall(&mut tx, t.hall_id).await?;
    audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "hall.rate",
        &format!("hall_ticket:{ticket_id}"),
        &format!("{} {}", e.ticket, e.rating.label_zh()),
    )
    .await?;
    tx.commit().await?;
    Ok(StoredRating {
        ticket_id,
        evaluation: e,
    })
}

pub(crate) async fn hall_reset(
    pool: &Pool,
    hall_id: i64,
    now: OffsetDateTime,
    actor: &str,
) -> Result<usize> {
    let mut tx = begin_write(pool).await?;
    let n = reset_if_new_day(&mut tx, hall_id, now, actor, true).await?;
    tx.commit().await?;
    Ok(n)
}

// --- Appointments ------------------------------------------------------------------------

async fn booked_of(
    conn: &mut Conn,
    hall_id: i64,
    service: &str,
    day: Date,
) -> Result<Vec<q::Appointment>> {
    let rows = sqlx::query(
        "SELECT start_time, id_hash, cancelled FROM hall_appointments WHERE hall_id = $1 AND service = $2 AND day = $3",
    )
    .bind(hall_id)
    .bind(service)
    .bind(format_date(day))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let start: String = r.try_get("start_time")?;
            Ok(q::Appointment {
                service: service.to_string(),
                day,
                start: parse_hm(&start).ok_or_else(|| corrupt("slot", &start))?,
                id_hash: r.try_get("id_hash")?,
                cancelled: r.try_get::<i64, _>("cancelled")? != 0,
            })
        })
        .collect()
}

fn parse_hm(s: &str) -> Option<Time> {
    let (h, m) = s.split_once(':')?;
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

fn hm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

pub(crate) async fn hall_slots(
    pool: &Pool,
    cal: &Calendar,
    hall_id: i64,
    service: &str,
    day: Date,
    now: OffsetDateTime,
) -> Result<Vec<q::Slot>> {
    let mut conn = pool.acquire().await?;
    service_of(&mut conn, hall_id, service).await?;
    let booked = booked_of(&mut conn, hall_id, service, day).await?;
    let local = now.to_offset(crate::BEIJING);
    q::available_slots(
        cal,
        &AppointmentRules::default(),
        service,
        &booked,
        local.date(),
        local.time(),
        day,
    )
    .map_err(invalid)
}

pub(crate) async fn hall_book(
    pool: &Pool,
    cal: &Calendar,
    hall_id: i64,
    service: &str,
    id_number: &str,
    day: Date,
    start: Time,
    now: OffsetDateTime,
    actor: &str,
) -> Result<BookedAppointment> {
    let mut tx = begin_write(pool).await?;
    let svc = service_of(&mut tx, hall_id, service).await?;
    if !q::valid_id_number(id_number) {
        return Err(invalid("居民身份证号码无效，请核对后重新输入"));
    }
    let pepper = pepper_of(&mut tx, hall_id).await?;
    let hash = q::id_hash(&pepper, id_number).map_err(invalid)?;
    let booked = booked_of(&mut tx, hall_id, &svc.code, day).await?;
    let local = now.to_offset(crate::BEIJING);
    let a = q::book(
        cal,
        &AppointmentRules::default(),
        &svc.code,
        &booked,
        local.date(),
        local.time(),
        day,
        start,
        &hash,
    )
    .map_err(invalid)?;
    let code = random_token(4)?.to_uppercase();
    sqlx::query(
        "INSERT INTO hall_appointments (hall_id, service, day, start_time, id_hash, code, cancelled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
    )
    .bind(hall_id)
    .bind(&svc.code)
    .bind(format_date(a.day))
    .bind(hm(a.start))
    .bind(&a.id_hash)
    .bind(&code)
    .bind(ts(now))
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            invalid("同一证件当天已预约该业务")
        } else {
            e.into()
        }
    })?;
    let body_id = body_of_hall(&mut tx, hall_id).await?;
    audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "hall.appointment.book",
        &format!("hall:{hall_id}"),
        &format!("{} {} {}", svc.name, format_date(a.day), hm(a.start)),
    )
    .await?;
    tx.commit().await?;
    Ok(BookedAppointment {
        code,
        service: svc.code,
        day: a.day,
        start: a.start,
        ticket_id: None,
    })
}

pub(crate) async fn hall_check_in(
    pool: &Pool,
    hall_id: i64,
    code: &str,
    now: OffsetDateTime,
    actor: &str,
) -> Result<Taken> {
    let mut tx = begin_write(pool).await?;
    let code = code.trim().to_uppercase();
    let row = sqlx::query(
        "SELECT id, service, day, start_time, id_hash, cancelled, ticket_id FROM hall_appointments \
         WHERE hall_id = $1 AND code = $2",
    )
    .bind(hall_id)
    .bind(&code)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| invalid("预约码不存在，请核对后重新输入"))?;
    if row.try_get::<Option<i64>, _>("ticket_id")?.is_some() {
        return Err(invalid("该预约已签到取号"));
    }
    let start: String = row.try_get("start_time")?;
    let day: String = row.try_get("day")?;
    let appointment = q::Appointment {
        service: row.try_get("service")?,
        day: parse_stored_date(&day)?,
        start: parse_hm(&start).ok_or_else(|| corrupt("slot", &start))?,
        id_hash: row.try_get("id_hash")?,
        cancelled: row.try_get::<i64, _>("cancelled")? != 0,
    };
    let local = now.to_offset(crate::BEIJING);
    q::check_in(
        &AppointmentRules::default(),
        &appointment,
        local.date(),
        local.time(),
    )
    .map_err(invalid)?;
    let mut taken = take_in(
        &mut tx,
        hall_id,
        &TakeTicket {
            service: appointment.service.clone(),
            class: PriorityClass::Appointment,
            channel: TicketChannel::Appointment,
            id_number: None,
            name: None,
        },
        now,
        actor,
    )
    .await?;
    // The appointment's ID hash holds the ticket for the one-ID rule.
    sqlx::query("UPDATE hall_tickets SET id_hash = $1 WHERE id = $2")
        .bind(&appointment.id_hash)
        .bind(taken.ticket.id)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                invalid("今日已取过该业务的号，同一证件每天每项业务只能取一个号")
            } else {
                e.into()
            }
        })?;
    taken.ticket.ticket.id_hash = Some(appointment.id_hash.clone());
    let appointment_id: i64 = row.try_get("id")?;
    sqlx::query("UPDATE hall_appointments SET ticket_id = $1 WHERE id = $2")
        .bind(taken.ticket.id)
        .bind(appointment_id)
        .execute(&mut *tx)
        .await?;
    let body_id = body_of_hall(&mut tx, hall_id).await?;
    audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "hall.appointment.checkin",
        &format!("hall_ticket:{}", taken.ticket.id),
        &taken.ticket.ticket.number(),
    )
    .await?;
    tx.commit().await?;
    Ok(taken)
}
