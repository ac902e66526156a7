//! Keeps this node's search index in step with the database by tailing the outbox
//! (monotonic ids; the last applied id is committed with the index, so a restart resumes).

use crate::app::AppState;
use gongkai_ledger::content::PublicDocument;
use gongkai_search::{DocKind, SearchDoc};
use std::collections::HashMap;
use std::time::Duration;

/// The search document of a published government document.
pub fn search_doc(
    d: &PublicDocument,
    body_code: &str,
    body_name: &str,
    domain: Option<String>,
) -> SearchDoc {
    SearchDoc {
        id: format!("doc:{}", d.id),
        kind: DocKind::Document,
        body_code: body_code.to_string(),
        body_name: body_name.to_string(),
        domain,
        year: Some(d.published_on.unwrap_or(d.record.written_on).year()),
        date: Some(gongkai_calendar::format_date(
            d.published_on.unwrap_or(d.record.written_on),
        )),
        title: d.record.title.clone(),
        text: d.record.text.clone(),
        doc_number: (!d.record.doc_number.is_empty()).then(|| d.record.doc_number.clone()),
        index_number: Some(d.index_number.clone()),
        url: format!("/docs/{}", d.id),
    }
}

/// Changes applied in one catch-up after which the index is compacted.
const COMPACT_AFTER: usize = 5_000;
/// Segments left by compaction's trigger: more than this are merged into one.
const MAX_SEGMENTS: usize = 4;

/// Apply outbox entries after the index's checkpoint (compacting the index after a bulk
/// load); returns how many were applied.
pub async fn catch_up(st: &AppState) -> Result<usize, String> {
    let mut applied = 0;
    let mut after = st
        .search
        .checkpoint()
        .map_err(|e| e.to_string())?
        .unwrap_or(0);
    let mut bodies: HashMap<i64, (String, String)> = HashMap::new();
    loop {
        let batch = st
            .store
            .outbox_after(after, 500)
            .await
            .map_err(|e| e.to_string())?;
        if batch.is_empty() {
            if applied >= COMPACT_AFTER {
                // A bulk load leaves many small segments; every query pays for each one.
                // Only an optimisation: a failure (say, a background merge of the same
                // segments) is logged and the next bulk load tries again.
                let search = st.search.clone();
                match tokio::task::spawn_blocking(move || search.compact(MAX_SEGMENTS)).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "search index compaction failed"),
                    Err(e) => tracing::warn!(error = %e, "search index compaction panicked"),
                }
            }
            return Ok(applied);
        }
        for e in &batch {
            after = e.id;
            if e.topic == "service_item" {
                index_service_item(st, e.entity_id).await?;
                applied += 1;
                continue;
            }
            if e.topic != "public_document" {
                continue;
            }
            let id = format!("doc:{}", e.entity_id);
            // The payload is a snapshot; the current row decides (it may have changed since).
            let doc = match st.store.get_public_document(e.entity_id).await {
                Ok(d) if d.published => d,
                _ => {
                    st.search.delete(&id).map_err(|e| e.to_string())?;
                    applied += 1;
                    continue;
                }
            };
            if !bodies.contains_key(&doc.record.body_id) {
                let b = st
                    .store
                    .get_body(doc.record.body_id)
                    .await
                    .map_err(|e| e.to_string())?;
                bodies.insert(b.id, (b.code, b.name));
            }
            let (code, name) = &bodies[&doc.record.body_id];
            let domain = match doc.record.catalog_item_id {
                Some(c) => st
                    .store
                    .get_catalog_item(c)
                    .await
                    .ok()
                    .map(|i| i.record.domain),
                None => None,
            };
            st.search
                .upsert(&search_doc(&doc, code, name, domain))
                .map_err(|e| e.to_string())?;
            applied += 1;
        }
        st.search
            .commit_checkpoint(after)
            .map_err(|e| e.to_string())?;
    }
}

/// Index the published version of a service item, or drop it from the index when it has none.
async fn index_service_item(st: &AppState, item_id: i64) -> Result<(), String> {
    let id = format!("service:{item_id}");
    let item = match st.store.get_service_item(item_id).await {
        Ok(i) => i,
        Err(_) => return st.search.delete(&id).map_err(|e| e.to_string()),
    };
    let Some(version) = item.published_version else {
        return st.search.delete(&id).map_err(|e| e.to_string());
    };
    let rev = st
        .store
        .service_item_version(item_id, version)
        .await
        .map_err(|e| e.to_string())?;
    let body = st
        .store
        .get_body(item.body_id)
        .await
        .map_err(|e| e.to_string())?;
    st.search
        .upsert(&crate::service::search_doc(&body, &item, &rev))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Run [`catch_up`] now and then every second in the background.
pub fn spawn(st: AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = catch_up(&st).await {
                tracing::warn!(error = %e, "search indexing failed; retrying");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}
