//! Persistence of the portal: the standard catalog, published documents with index numbers
//! and attachments, the disclosure guide, approved and published report versions (immutable;
//! a correction is a new version with a reason), and the append-only staff audit log.

use super::*;
use gongkai_ledger::content::{
    AttachmentMeta, AuditEntry, CatalogItem, CatalogItemRecord, DocumentSummary, Guide,
    PublicDocument, PublicDocumentRecord, ReportVersion,
};

/// Largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Which documents to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentQuery {
    /// The body.
    pub body_id: i64,
    /// Only published documents (the public view).
    pub published_only: bool,
    /// Only documents under this catalog item.
    pub catalog_item_id: Option<i64>,
    /// Page size.
    pub limit: i64,
    /// Offset.
    pub offset: i64,
}

/// What a document's page shows: the document, its body, its catalog item and attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentPage {
    /// The document.
    pub document: PublicDocument,
    /// Its body.
    pub body: Body,
    /// The catalog item it is published under.
    pub catalog_item: Option<CatalogItem>,
    /// Its attachments' metadata.
    pub attachments: Vec<AttachmentMeta>,
}

pub(crate) fn not_found(what: &'static str, what_en: &'static str, id: i64) -> StoreError {
    StoreError::NotFound {
        what,
        what_en,
        key: id.to_string(),
    }
}

macro_rules! portal {
    ($self:ident, $f:ident ( $($arg:expr),* )) => {
        crate::sql::$f(&$self.pool, $($arg),*).await
    };
}

/// `portal!` for a write, run again on a transient conflict (see `dispatch_write!`).
macro_rules! portal_write {
    ($self:ident, $f:ident ( $($arg:expr),* )) => {{
        let mut attempt = 0u32;
        loop {
            match portal!($self, $f($($arg),*)) {
                Err(e) if attempt < WRITE_RETRIES && e.is_transient() => {
                    attempt += 1;
                    tokio::time::sleep(retry_pause(attempt)).await;
                }
                r => break r,
            }
        }
    }};
}

impl Store {
    /// Add an item to a body's standard catalog.
    pub async fn create_catalog_item(
        &self,
        rec: &CatalogItemRecord,
        actor: &str,
    ) -> Result<CatalogItem> {
        rec.validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        portal_write!(self, create_catalog_item(rec, actor))
    }

    /// Change a catalog item (the body id in `rec` must be the item's).
    pub async fn update_catalog_item(
        &self,
        id: i64,
        rec: &CatalogItemRecord,
        actor: &str,
    ) -> Result<CatalogItem> {
        rec.validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        portal_write!(self, update_catalog_item(id, rec, actor))
    }

    /// One catalog item.
    pub async fn get_catalog_item(&self, id: i64) -> Result<CatalogItem> {
        portal!(self, get_catalog_item(id))
    }

    /// A body's catalog ordered by domain.
    pub async fn list_catalog(&self, body_id: i64) -> Result<Vec<CatalogItem>> {
        portal!(self, list_catalog(body_id))
    }

    /// Create an unpublished document; its index number (索引号) is assigned here.
    pub async fn create_public_document(
        &self,
        rec: &PublicDocumentRecord,
        actor: &str,
    ) -> Result<PublicDocument> {
        rec.validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        portal_write!(self, create_public_document(rec, actor))
    }

    /// Change a document's fields (published documents are re-indexed via the outbox).
    pub async fn update_public_document(
        &self,
        id: i64,
        rec: &PublicDocumentRecord,
        actor: &str,
    ) -> Result<PublicDocument> {
        rec.validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        portal_write!(self, update_public_document(id, rec, actor))
    }

    /// Publish (on `on`, if not published before) or unpublish a document; writes an outbox entry.
    pub async fn set_document_published(
        &self,
        id: i64,
        published: bool,
        on: Date,
        actor: &str,
    ) -> Result<PublicDocument> {
        portal_write!(self, set_document_published(id, published, on, actor))
    }

    /// One document.
    pub async fn get_public_document(&self, id: i64) -> Result<PublicDocument> {
        portal!(self, get_public_document(id))
    }

    /// A document with its body, catalog item and attachments (two queries).
    pub async fn document_page(&self, id: i64) -> Result<DocumentPage> {
        portal!(self, document_page(id))
    }

    /// A page of a body's documents (newest first) and the total.
    pub async fn list_public_documents(
        &self,
        q: &DocumentQuery,
    ) -> Result<(Vec<PublicDocument>, i64)> {
        portal!(self, list_public_documents(q))
    }

    /// The newest `per_item` published documents of each of a body's catalog items (without
    /// their text), ordered by catalog item and then newest first: what the 标准目录 page lists.
    pub async fn catalog_documents(
        &self,
        body_id: i64,
        per_item: i64,
    ) -> Result<Vec<DocumentSummary>> {
        portal!(self, catalog_documents(body_id, per_item))
    }

    /// Published documents with id above `after_id`, for (re)indexing.
    pub async fn published_documents_after(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<PublicDocument>> {
        portal!(self, published_documents_after(after_id, limit))
    }

    /// Attach a file to a document.
    pub async fn add_attachment(
        &self,
        document_id: i64,
        file_name: &str,
        content_type: &str,
        data: &[u8],
        actor: &str,
    ) -> Result<AttachmentMeta> {
        if data.len() > MAX_ATTACHMENT_BYTES {
            return Err(StoreError::Limit(format!(
                "附件不能超过{} MiB (attachment larger than {} MiB)",
                MAX_ATTACHMENT_BYTES >> 20,
                MAX_ATTACHMENT_BYTES >> 20
            )));
        }
        let name = file_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Invalid(
                "附件文件名无效 (invalid file name)".into(),
            ));
        }
        portal_write!(
            self,
            add_attachment(document_id, name, content_type, data, actor)
        )
    }

    /// A document's attachments.
    pub async fn list_attachments(&self, document_id: i64) -> Result<Vec<AttachmentMeta>> {
        portal!(self, list_attachments(document_id))
    }

    /// An attachment with its bytes.
    pub async fn get_attachment(&self, id: i64) -> Result<(AttachmentMeta, Vec<u8>)> {
        portal!(self, get_attachment(id))
    }

    /// A body's disclosure guide, if written.
    pub async fn get_guide(&self, body_id: i64) -> Result<Option<Guide>> {
        portal!(self, get_guide(body_id))
    }

    /// Write a body's disclosure guide.
    pub async fn set_guide(&self, body_id: i64, guide: &Guide, actor: &str) -> Result<()> {
        portal_write!(self, set_guide(body_id, guide, actor))
    }

    /// Record a reviewer's approval of exactly this report JSON for (body, year).
    pub async fn approve_report(
        &self,
        body_id: i64,
        year: i32,
        report_json: &str,
        approver: &str,
    ) -> Result<()> {
        portal_write!(self, approve_report(body_id, year, report_json, approver))
    }

    /// The pending approval of (body, year): `(report_json, approved_by, approved_at)`.
    pub async fn report_approval(
        &self,
        body_id: i64,
        year: i32,
    ) -> Result<Option<(String, String, String)>> {
        portal!(self, approval(body_id, year))
    }

    /// Publish the approved report as a new immutable version (a correction needs a reason).
    pub async fn publish_report(
        &self,
        body_id: i64,
        year: i32,
        reason: &str,
        publisher: &str,
    ) -> Result<ReportVersion> {
        portal_write!(self, publish_approved(body_id, year, reason, publisher))
    }

    /// Published versions of a body's reports (all years, or one), newest first.
    pub async fn report_versions(
        &self,
        body_id: i64,
        year: Option<i32>,
    ) -> Result<Vec<ReportVersion>> {
        portal!(self, report_versions(body_id, year))
    }

    /// The working-day calendar deadlines are computed on.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// A user by id (sessions carry the id).
    pub async fn get_user(&self, id: i64) -> Result<gongkai_ledger::User> {
        portal!(self, get_user(id))
    }

    /// Append a staff action to the audit log.
    pub async fn audit(
        &self,
        actor: &str,
        body_id: Option<i64>,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        portal!(self, audit(actor, body_id, action, target, detail))
    }

    /// One page of the audit log, newest first, with the number of all matching entries.
    pub async fn audit_page(&self, q: &AuditQuery) -> Result<(i64, Vec<AuditEntry>)> {
        portal!(self, audit_page(q))
    }

    /// The newest audit entries of the given bodies (all bodies when empty).
    pub async fn audit_log(&self, body_ids: &[i64], limit: i64) -> Result<Vec<AuditEntry>> {
        portal!(self, audit_log(body_ids, limit))
    }
}
