use super::*;

pub(crate) async fn outbox(
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

pub(crate) async fn outbox_doc(
    conn: &mut <DB as sqlx::Database>::Connection,
    doc: &PublicDocument,
    op: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (topic, entity_id, body_id, op, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind("public_document")
    .bind(doc.id)
    .bind(doc.record.body_id)
    .bind(op)
    .bind(serde_json::to_string(doc).unwrap_or_default())
    .bind(now_rfc3339())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
