//! Persistence of 办事指南 (service items): one row per item of a body (its 实施编码 unique
//! within the body), every change a new version with who, when, why and the full guide as
//! JSON (append-only), the workflow steps 提交审核 → 审核发布 / 退回修改 → 停用, and the 空表/样表
//! files stored in the database. The public sees the version last published, never a draft.
//!
//! Every write is one transaction with its audit row (`service.*`) and an outbox entry
//! (topic `service_item`) for the search indexer. A bulk import is one transaction: all rows
//! or none.

use super::*;
use gongkai_ledger::service::{
    Audience, GuideAction, GuideRevision, GuideStatus, ItemKind, ServiceGuide,
};

/// Largest 空表/样表 file accepted.
pub const MAX_SERVICE_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// A service item as listed: the latest version's key facts and where it is in the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    /// Row id.
    pub id: i64,
    /// The body offering it.
    pub body_id: i64,
    /// 实施编码 (unique within the body; the key of the public URL).
    pub code: String,
    /// 事项名称 of the latest version.
    pub name: String,
    /// 事项类型 of the latest version.
    pub kind: ItemKind,
    /// 服务对象 of the latest version.
    pub audience: Audience,
    /// First 主题分类 of the latest version ("" when none).
    pub theme: String,
    /// 主项编码 when this is a 子项.
    pub main_code: Option<String>,
    /// Workflow state of the latest version.
    pub status: GuideStatus,
    /// Latest version number.
    pub version: u32,
    /// Editor of the latest version.
    pub editor: String,
    /// The version the public sees (`None`: not public).
    pub published_version: Option<u32>,
    /// When that version was published (RFC 3339).
    pub published_at: Option<String>,
    /// Day of the last 审核发布 (Beijing date).
    pub reviewed_on: Option<Date>,
    /// The note of the last workflow step (e.g. why it was returned).
    pub note: String,
    /// Time of the last change (RFC 3339).
    pub updated_at: String,
}

impl ServiceItem {
    /// Whether the public sees a version of it.
    pub fn is_public(&self) -> bool {
        self.published_version.is_some()
    }
}

/// Which service items to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceItemQuery {
    /// The body.
    pub body_id: i64,
    /// Only items in this workflow state.
    pub status: Option<GuideStatus>,
    /// Only items with a published version (the public view).
    pub published_only: bool,
    /// Only items for this 服务对象 (个人 also matches 个人及法人, and so does 法人).
    pub audience: Option<Audience>,
    /// Only items with this first 主题分类.
    pub theme: Option<String>,
    /// Only items whose name contains this text.
    pub name: Option<String>,
    /// Only the 子项 of this 主项 (its 实施编码).
    pub main_code: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Offset.
    pub offset: i64,
}

/// One workflow step taken on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStep {
    /// The version it was taken on.
    pub version: u32,
    /// 提交审核, 退回修改, 审核发布 or 停用.
    pub action: GuideAction,
    /// Login of who took it.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// Reason or remark.
    pub note: String,
}

/// A 空表/样表 file of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAttachment {
    /// Row id.
    pub id: i64,
    /// The item.
    pub item_id: i64,
    /// File name (what a material's `blank_form`/`sample_form` names).
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceImportReport {
    /// New items.
    pub created: usize,
    /// Items that got a new version.
    pub updated: usize,
    /// Rows equal to the item's latest version (nothing written).
    pub unchanged: usize,
}

impl Store {
    /// Create a service item from its first version (草稿). `at` is the time of the change
    /// (RFC 3339, from the caller's clock); `reason` may be empty ("新编").
    pub async fn create_service_item(
        &self,
        body_id: i64,
        guide: &ServiceGuide,
        editor: &str,
        at: &str,
        reason: &str,
    ) -> Result<ServiceItem> {
        dispatch_write!(
            self,
            create_service_item(body_id, guide, editor, at, reason)
        )
    }

    /// A new version of an item (back to 草稿; the public keeps the published version until
    /// the new one is published). Refuses an unchanged guide, a missing reason or editor.
    pub async fn update_service_item(
        &self,
        id: i64,
        guide: &ServiceGuide,
        editor: &str,
        at: &str,
        reason: &str,
    ) -> Result<ServiceItem> {
        dispatch_write!(self, update_service_item(id, guide, editor, at, reason))
    }

    /// Take a workflow step on the latest version (see `gongkai_ledger::service::guide_step`):
    /// 提交审核 and 审核发布 are refused while `check_guide` finds a blocking problem, 审核发布 is
    /// refused to the editor of the version when another user may review for the body
    /// (reviewer or admin: four eyes whenever there is a second person), 审核发布 makes it the
    /// public version (reviewed on `today`), 停用 takes it off the public pages.
    pub async fn service_item_step(
        &self,
        id: i64,
        action: GuideAction,
        actor: &str,
        at: &str,
        today: Date,
        note: &str,
    ) -> Result<ServiceItem> {
        dispatch_write!(self, service_item_step(id, action, actor, at, today, note))
    }

    /// One item.
    pub async fn get_service_item(&self, id: i64) -> Result<ServiceItem> {
        dispatch!(self, get_service_item(id))
    }

    /// The item of a body by its 实施编码.
    pub async fn service_item_by_code(&self, body_id: i64, code: &str) -> Result<ServiceItem> {
        dispatch!(self, service_item_by_code(body_id, code))
    }

    /// One version of an item.
    pub async fn service_item_version(&self, id: i64, version: u32) -> Result<GuideRevision> {
        dispatch!(self, service_item_version(id, version))
    }

    /// Every version of an item, oldest first.
    pub async fn service_item_versions(&self, id: i64) -> Result<Vec<GuideRevision>> {
        dispatch!(self, service_item_versions(id))
    }

    /// The workflow steps taken on an item, oldest first.
    pub async fn service_item_steps(&self, id: i64) -> Result<Vec<ServiceStep>> {
        dispatch!(self, service_item_steps(id))
    }

    /// The public view of an item: the item and its published version (`None` when the item
    /// is unknown or not public).
    pub async fn published_service_item(
        &self,
        body_id: i64,
        code: &str,
    ) -> Result<Option<(ServiceItem, GuideRevision)>> {
        let item = match self.service_item_by_code(body_id, code).await {
            Ok(i) => i,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        match item.published_version {
            Some(v) => {
                let rev = self.service_item_version(item.id, v).await?;
                Ok(Some((item, rev)))
            }
            None => Ok(None),
        }
    }

    /// A page of a body's items (ordered by theme, then name) and the total.
    pub async fn list_service_items(
        &self,
        q: &ServiceItemQuery,
    ) -> Result<(Vec<ServiceItem>, i64)> {
        dispatch!(self, list_service_items(q))
    }

    /// The first 主题分类 of a body's items with how many items each has (public items only
    /// when `published_only`), by theme.
    pub async fn service_themes(
        &self,
        body_id: i64,
        published_only: bool,
    ) -> Result<Vec<(String, i64)>> {
        dispatch!(self, service_themes(body_id, published_only))
    }

    /// The latest version of every item of a body, ordered by code (for export).
    pub async fn export_service_items(&self, body_id: i64) -> Result<Vec<ServiceGuide>> {
        dispatch!(self, export_service_items(body_id))
    }

    /// Import guides into a body in one transaction: a new code creates an item, a known one
    /// gets a new version when it differs (reason `reason`), an equal one is left alone. Rows
    /// carry their line number; a row without 事项名称 or 实施编码, or a code twice in the file,
    /// fails the whole file with [`StoreError::Csv`] naming the line.
    pub async fn import_service_items(
        &self,
        body_id: i64,
        rows: Vec<(u64, ServiceGuide)>,
        source: &str,
        actor: &str,
        at: &str,
        reason: &str,
    ) -> Result<ServiceImportReport> {
        let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        for (line, g) in &rows {
            let csv = |message: String| StoreError::Csv {
                file: source.to_string(),
                line: *line,
                message,
            };
            if g.name.trim().is_empty() {
                return Err(csv("缺少“事项名称”".into()));
            }
            let code = g.impl_code.trim();
            if code.is_empty() {
                return Err(csv("缺少“实施编码”".into()));
            }
            if code.chars().count() > 200 {
                return Err(csv("“实施编码”超过200个字符".into()));
            }
            if let Some(first) = seen.insert(code.to_string(), *line) {
                return Err(csv(format!("“实施编码”{code}与第{first}行重复")));
            }
        }
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(StoreError::Limit(format!("{} rows", rows.len())));
        }
        let _gate = self.write_turn().await;
        dispatch!(
            self,
            import_service_items(body_id, &rows, source, actor, at, reason)
        )
    }

    /// Store a 空表/样表 file of an item (a file of the same name is replaced).
    pub async fn add_service_attachment(
        &self,
        item_id: i64,
        file_name: &str,
        content_type: &str,
        data: &[u8],
        actor: &str,
    ) -> Result<ServiceAttachment> {
        if data.len() > MAX_SERVICE_ATTACHMENT_BYTES {
            return Err(StoreError::Limit(format!(
                "附件超过 {} 字节",
                MAX_SERVICE_ATTACHMENT_BYTES
            )));
        }
        let name = file_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Invalid("附件文件名为空或过长".into()));
        }
        dispatch_write!(
            self,
            add_service_attachment(item_id, name, content_type, data, actor)
        )
    }

    /// The files of an item, by name.
    pub async fn list_service_attachments(&self, item_id: i64) -> Result<Vec<ServiceAttachment>> {
        dispatch!(self, list_service_attachments(item_id))
    }

    /// One file of an item by name, with its bytes.
    pub async fn service_attachment(
        &self,
        item_id: i64,
        file_name: &str,
    ) -> Result<(ServiceAttachment, Vec<u8>)> {
        dispatch!(self, service_attachment(item_id, file_name))
    }
}
