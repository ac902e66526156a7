use super::*;

pub(crate) fn row_catalog(r: &DbRow) -> Result<CatalogItem> {
    Ok(CatalogItem {
        id: r.try_get("id")?,
        record: CatalogItemRecord {
            body_id: r.try_get("body_id")?,
            domain: r.try_get("domain")?,
            name: r.try_get("name")?,
            basis: r.try_get("basis")?,
            time_limit: r.try_get("time_limit")?,
            channel: r.try_get("channel")?,
            subject: r.try_get("subject")?,
            audience: r.try_get("audience")?,
            manner: r.try_get("manner")?,
        },
    })
}

pub(crate) const DOC_COLS: &str = "id, body_id, catalog_item_id, index_number, publisher, written_on, doc_number, topic, title, text, published_on, published";

pub(crate) const SUMMARY_COLS: &str = "id, body_id, catalog_item_id, index_number, title, doc_number, written_on, published_on, published";

pub(crate) fn row_summary(r: &DbRow) -> Result<DocumentSummary> {
    let written: String = r.try_get("written_on")?;
    let published_on: Option<String> = r.try_get("published_on")?;
    let published: i64 = r.try_get("published")?;
    Ok(DocumentSummary {
        id: r.try_get("id")?,
        body_id: r.try_get("body_id")?,
        catalog_item_id: r.try_get("catalog_item_id")?,
        index_number: r.try_get("index_number")?,
        title: r.try_get("title")?,
        doc_number: r.try_get("doc_number")?,
        written_on: parse_stored_date(&written)?,
        published_on: published_on.as_deref().map(parse_stored_date).transpose()?,
        published: published != 0,
    })
}

pub(crate) fn row_doc(r: &DbRow) -> Result<PublicDocument> {
    let written: String = r.try_get("written_on")?;
    let published_on: Option<String> = r.try_get("published_on")?;
    let published: i64 = r.try_get("published")?;
    Ok(PublicDocument {
        id: r.try_get("id")?,
        index_number: r.try_get("index_number")?,
        record: PublicDocumentRecord {
            body_id: r.try_get("body_id")?,
            catalog_item_id: r.try_get("catalog_item_id")?,
            publisher: r.try_get("publisher")?,
            written_on: parse_stored_date(&written)?,
            doc_number: r.try_get("doc_number")?,
            topic: r.try_get("topic")?,
            title: r.try_get("title")?,
            text: r.try_get("text")?,
        },
        published_on: published_on.as_deref().map(parse_stored_date).transpose()?,
        published: published != 0,
    })
}

pub(crate) async fn create_catalog_item(
    pool: &Pool,
    rec: &CatalogItemRecord,
    actor: &str,
) -> Result<CatalogItem> {
    let mut tx = super::begin_write(pool).await?;
    let row = sqlx::query(
        "INSERT INTO catalog_items (body_id, domain, name, basis, time_limit, channel, subject, audience, manner) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(rec.body_id)
    .bind(rec.domain.trim())
    .bind(rec.name.trim())
    .bind(rec.basis.trim())
    .bind(rec.time_limit.trim())
    .bind(rec.channel.trim())
    .bind(rec.subject.trim())
    .bind(rec.audience.trim())
    .bind(rec.manner.trim())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    super::audit_row(
        &mut tx,
        actor,
        Some(rec.body_id),
        "catalog.create",
        &format!("catalog:{id}"),
        &format!("{} {}", rec.domain.trim(), rec.name.trim()),
    )
    .await?;
    tx.commit().await?;
    Ok(CatalogItem {
        id,
        record: rec.clone(),
    })
}

pub(crate) async fn update_catalog_item(
    pool: &Pool,
    id: i64,
    rec: &CatalogItemRecord,
    actor: &str,
) -> Result<CatalogItem> {
    let mut tx = super::begin_write(pool).await?;
    let n = sqlx::query(
        "UPDATE catalog_items SET domain = $1, name = $2, basis = $3, time_limit = $4, channel = $5, \
         subject = $6, audience = $7, manner = $8 WHERE id = $9 AND body_id = $10",
    )
    .bind(rec.domain.trim())
    .bind(rec.name.trim())
    .bind(rec.basis.trim())
    .bind(rec.time_limit.trim())
    .bind(rec.channel.trim())
    .bind(rec.subject.trim())
    .bind(rec.audience.trim())
    .bind(rec.manner.trim())
    .bind(id)
    .bind(rec.body_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(not_found("标准目录事项", "catalog item", id));
    }
    super::audit_row(
        &mut tx,
        actor,
        Some(rec.body_id),
        "catalog.update",
        &format!("catalog:{id}"),
        &format!("{} {}", rec.domain.trim(), rec.name.trim()),
    )
    .await?;
    tx.commit().await?;
    Ok(CatalogItem {
        id,
        record: rec.clone(),
    })
}

pub(crate) async fn get_catalog_item(pool: &Pool, id: i64) -> Result<CatalogItem> {
    let row = sqlx::query("SELECT * FROM catalog_items WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found("标准目录事项", "catalog item", id))?;
    row_catalog(&row)
}

pub(crate) async fn list_catalog(pool: &Pool, body_id: i64) -> Result<Vec<CatalogItem>> {
    let rows = sqlx::query("SELECT * FROM catalog_items WHERE body_id = $1 ORDER BY domain, id")
        .bind(body_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(row_catalog).collect()
}

pub(crate) async fn create_public_document(
    pool: &Pool,
    rec: &PublicDocumentRecord,
    actor: &str,
) -> Result<PublicDocument> {
    let mut tx = super::begin_write(pool).await?;
    let code: String = sqlx::query("SELECT code FROM bodies WHERE id = $1")
        .bind(rec.body_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| not_found("机关", "body", rec.body_id))?
        .try_get("code")?;
    let year = i64::from(rec.written_on.year());
    let serial: i64 = sqlx::query(
        "INSERT INTO document_serials (body_id, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (body_id, year) DO UPDATE SET last = document_serials.last + 1 RETURNING last",
    )
    .bind(rec.body_id)
    .bind(year)
    .fetch_one(&mut *tx)
    .await?
    .try_get("last")?;
    let index = gongkai_ledger::content::index_number(&code, rec.written_on.year(), serial);
    let row = sqlx::query(
        "INSERT INTO public_documents (body_id, catalog_item_id, index_number, publisher, written_on, doc_number, topic, title, text, published_on, published, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, 0, $10) RETURNING id",
    )
    .bind(rec.body_id)
    .bind(rec.catalog_item_id)
    .bind(&index)
    .bind(rec.publisher.trim())
    .bind(format_date(rec.written_on))
    .bind(rec.doc_number.trim())
    .bind(rec.topic.trim())
    .bind(rec.title.trim())
    .bind(rec.text.trim())
    .bind(now_rfc3339())
    .fetch_one(&mut *tx)
    .await?;
    let doc = PublicDocument {
        id: row.try_get("id")?,
        index_number: index,
        record: rec.clone(),
        published_on: None,
        published: false,
    };
    super::audit_row(
        &mut tx,
        actor,
        Some(rec.body_id),
        "document.create",
        &format!("document:{}", doc.id),
        &format!("{} {}", doc.index_number, rec.title.trim()),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

pub(crate) async fn update_public_document(
    pool: &Pool,
    id: i64,
    rec: &PublicDocumentRecord,
    actor: &str,
) -> Result<PublicDocument> {
    let mut tx = super::begin_write(pool).await?;
    let n = sqlx::query(
        "UPDATE public_documents SET catalog_item_id = $1, publisher = $2, written_on = $3, doc_number = $4, \
         topic = $5, title = $6, text = $7, updated_at = $8 WHERE id = $9 AND body_id = $10",
    )
    .bind(rec.catalog_item_id)
    .bind(rec.publisher.trim())
    .bind(format_date(rec.written_on))
    .bind(rec.doc_number.trim())
    .bind(rec.topic.trim())
    .bind(rec.title.trim())
    .bind(rec.text.trim())
    .bind(now_rfc3339())
    .bind(id)
    .bind(rec.body_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(not_found("政府信息", "document", id));
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLS} FROM public_documents WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let doc = row_doc(&row)?;
    if doc.published {
        outbox_doc(&mut tx, &doc, "upsert").await?;
    }
    super::audit_row(
        &mut tx,
        actor,
        Some(rec.body_id),
        "document.update",
        &format!("document:{id}"),
        &format!("{} {}", doc.index_number, rec.title.trim()),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

pub(crate) async fn set_document_published(
    pool: &Pool,
    id: i64,
    published: bool,
    on: Date,
    actor: &str,
) -> Result<PublicDocument> {
    let mut tx = super::begin_write(pool).await?;
    let n = sqlx::query(
        "UPDATE public_documents SET published = $1, published_on = CASE WHEN $1 = 1 THEN COALESCE(published_on, $2) ELSE published_on END, updated_at = $3 WHERE id = $4",
    )
    .bind(i64::from(published))
    .bind(format_date(on))
    .bind(now_rfc3339())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(not_found("政府信息", "document", id));
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLS} FROM public_documents WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let doc = row_doc(&row)?;
    outbox_doc(&mut tx, &doc, if published { "upsert" } else { "delete" }).await?;
    super::audit_row(
        &mut tx,
        actor,
        Some(doc.record.body_id),
        if published {
            "document.publish"
        } else {
            "document.unpublish"
        },
        &format!("document:{id}"),
        &format!("{} {}", doc.index_number, doc.record.title),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

pub(crate) async fn get_public_document(pool: &Pool, id: i64) -> Result<PublicDocument> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLS} FROM public_documents WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| not_found("政府信息", "document", id))?;
    row_doc(&row)
}

/// `WHERE` of a document list, with only the conditions that apply (so that the
/// `public_documents_list*` indexes serve both the filter and the order).
pub(crate) fn document_filter(f: &DocumentQuery) -> String {
    let mut w = String::from("body_id = $1");
    if f.published_only {
        w.push_str(" AND published = 1");
    }
    if f.catalog_item_id.is_some() {
        w.push_str(" AND catalog_item_id = $2");
    } else {
        w.push_str(" AND $2 = 0");
    }
    w
}

/// Newest first; the expression matches the `public_documents_list*` indexes.
pub(crate) const DOC_ORDER: &str = "COALESCE(published_on, written_on) DESC, id DESC";

pub(crate) async fn document_page(pool: &Pool, id: i64) -> Result<DocumentPage> {
    let cols = DOC_COLS
        .split(", ")
        .map(|c| format!("d.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {cols}, b.code AS b_code, b.name AS b_name, b.kind AS b_kind, b.parent_id AS b_parent_id, \
         c.id AS c_id, c.domain AS c_domain, c.name AS c_name, c.basis AS c_basis, c.time_limit AS c_time_limit, \
         c.channel AS c_channel, c.subject AS c_subject, c.audience AS c_audience, c.manner AS c_manner \
         FROM public_documents d JOIN bodies b ON b.id = d.body_id \
         LEFT JOIN catalog_items c ON c.id = d.catalog_item_id WHERE d.id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| not_found("政府信息", "document", id))?;
    let document = row_doc(&row)?;
    let kind: String = row.try_get("b_kind")?;
    let body = Body {
        id: document.record.body_id,
        code: row.try_get("b_code")?,
        name: row.try_get("b_name")?,
        kind: gongkai_ledger::BodyKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("body kind {kind:?}")))?,
        parent_id: row.try_get("b_parent_id")?,
    };
    let catalog_item = match row.try_get::<Option<i64>, _>("c_id")? {
        Some(cid) => Some(CatalogItem {
            id: cid,
            record: CatalogItemRecord {
                body_id: document.record.body_id,
                domain: row.try_get("c_domain")?,
                name: row.try_get("c_name")?,
                basis: row.try_get("c_basis")?,
                time_limit: row.try_get("c_time_limit")?,
                channel: row.try_get("c_channel")?,
                subject: row.try_get("c_subject")?,
                audience: row.try_get("c_audience")?,
                manner: row.try_get("c_manner")?,
            },
        }),
        None => None,
    };
    let attachments = list_attachments(pool, id).await?;
    Ok(DocumentPage {
        document,
        body,
        catalog_item,
        attachments,
    })
}

pub(crate) async fn list_public_documents(
    pool: &Pool,
    f: &DocumentQuery,
) -> Result<(Vec<PublicDocument>, i64)> {
    let where_ = document_filter(f);
    let cat = f.catalog_item_id.unwrap_or(0);
    let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM public_documents WHERE {where_}"
    )))
    .bind(f.body_id)
    .bind(cat)
    .fetch_one(pool)
    .await?
    .try_get("n")?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLS} FROM public_documents WHERE {where_} \
         ORDER BY {DOC_ORDER} LIMIT $3 OFFSET $4"
    )))
    .bind(f.body_id)
    .bind(cat)
    .bind(f.limit.clamp(1, MAX_LIST))
    .bind(f.offset.max(0))
    .fetch_all(pool)
    .await?;
    Ok((rows.iter().map(row_doc).collect::<Result<_>>()?, total))
}

pub(crate) async fn catalog_documents(
    pool: &Pool,
    body_id: i64,
    per_item: i64,
) -> Result<Vec<DocumentSummary>> {
    // One index seek per catalog item (correlated LIMIT), not a sort of the body's documents.
    let cols = SUMMARY_COLS
        .split(", ")
        .map(|c| format!("d.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {cols} FROM catalog_items c JOIN public_documents d ON d.id IN (\
           SELECT x.id FROM public_documents x \
           WHERE x.body_id = c.body_id AND x.catalog_item_id = c.id AND x.published = 1 \
           ORDER BY COALESCE(x.published_on, x.written_on) DESC, x.id DESC LIMIT $2) \
         WHERE c.body_id = $1 \
         ORDER BY d.catalog_item_id, COALESCE(d.published_on, d.written_on) DESC, d.id DESC"
    )))
    .bind(body_id)
    .bind(per_item.clamp(1, MAX_LIST))
    .fetch_all(pool)
    .await?;
    rows.iter().map(row_summary).collect()
}

pub(crate) async fn published_documents_after(
    pool: &Pool,
    after_id: i64,
    limit: i64,
) -> Result<Vec<PublicDocument>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLS} FROM public_documents WHERE published = 1 AND id > $1 ORDER BY id LIMIT $2"
    )))
    .bind(after_id)
    .bind(limit.clamp(1, 10_000))
    .fetch_all(pool)
    .await?;
    rows.iter().map(row_doc).collect()
}

pub(crate) async fn add_attachment(
    pool: &Pool,
    document_id: i64,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    actor: &str,
) -> Result<AttachmentMeta> {
    let mut tx = super::begin_write(pool).await?;
    let body_id: i64 = sqlx::query("SELECT body_id FROM public_documents WHERE id = $1")
        .bind(document_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| not_found("政府信息", "document", document_id))?
        .try_get("body_id")?;
    let row = sqlx::query(
        "INSERT INTO attachments (document_id, file_name, content_type, size, data) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(document_id)
    .bind(file_name)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(data)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    super::audit_row(
        &mut tx,
        actor,
        Some(body_id),
        "document.attach",
        &format!("document:{document_id}"),
        &format!("{file_name}（{} 字节）", data.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(AttachmentMeta {
        id,
        document_id,
        file_name: file_name.to_string(),
        content_type: content_type.to_string(),
        size: data.len() as i64,
    })
}

pub(crate) fn row_attachment(r: &DbRow) -> Result<AttachmentMeta> {
    Ok(AttachmentMeta {
        id: r.try_get("id")?,
        document_id: r.try_get("document_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
    })
}

pub(crate) async fn list_attachments(pool: &Pool, document_id: i64) -> Result<Vec<AttachmentMeta>> {
    let rows = sqlx::query("SELECT id, document_id, file_name, content_type, size FROM attachments WHERE document_id = $1 ORDER BY id")
        .bind(document_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(row_attachment).collect()
}

pub(crate) async fn get_attachment(pool: &Pool, id: i64) -> Result<(AttachmentMeta, Vec<u8>)> {
    let row = sqlx::query("SELECT id, document_id, file_name, content_type, size, data FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found("附件", "attachment", id))?;
    Ok((row_attachment(&row)?, row.try_get("data")?))
}
