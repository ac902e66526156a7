//! Proactive disclosure (主动公开) content: the standard catalog (标准目录), published
//! government documents with index numbers (索引号), the disclosure guide (政府信息公开指南),
//! immutable published report versions and the staff audit log.

use serde::{Deserialize, Serialize};
use time::Date;

/// Catalog domains every township catalog carries (基层政务公开标准目录 领域).
pub const STANDARD_DOMAINS: [&str; 12] = [
    "户籍管理",
    "社会救助",
    "养老服务",
    "财政预决算",
    "就业",
    "社会保险",
    "市政服务",
    "城市综合执法",
    "涉农补贴",
    "安全生产",
    "义务教育",
    "公共文化服务",
];

/// Topic classes (主题分类) offered for documents.
pub const TOPICS: [&str; 10] = [
    "综合政务",
    "国民经济管理",
    "财政、金融、审计",
    "城乡建设、环境保护",
    "农业、林业、水利",
    "劳动、人事、监察",
    "民政、扶贫、救灾",
    "卫生、体育",
    "公安、安全、司法",
    "科技、教育",
];

/// Validation failures of content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContentError {
    /// A required field is empty.
    #[error("「{field}」不能为空 ({field_en} is required)")]
    Required {
        /// Chinese field name.
        field: &'static str,
        /// English field name.
        field_en: &'static str,
    },
    /// A field is longer than allowed.
    #[error("「{field}」过长：最多{max}个字符 ({field_en} longer than {max} characters)")]
    TooLong {
        /// Chinese field name.
        field: &'static str,
        /// English field name.
        field_en: &'static str,
        /// Limit in characters.
        max: usize,
    },
    /// The publication date precedes the written date.
    #[error("发布日期不能早于成文日期 (published before written)")]
    PublishedBeforeWritten,
}

fn need(
    value: &str,
    field: &'static str,
    field_en: &'static str,
    max: usize,
) -> Result<(), ContentError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ContentError::Required { field, field_en });
    }
    if v.chars().count() > max {
        return Err(ContentError::TooLong {
            field,
            field_en,
            max,
        });
    }
    Ok(())
}

/// One entry of a body's standard catalog (标准目录事项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItemRecord {
    /// Owning body.
    pub body_id: i64,
    /// 领域, e.g. 养老服务.
    pub domain: String,
    /// 公开事项.
    pub name: String,
    /// 公开依据.
    pub basis: String,
    /// 公开时限.
    pub time_limit: String,
    /// 公开渠道和载体.
    pub channel: String,
    /// 公开主体.
    pub subject: String,
    /// 公开对象 (全社会 / 特定群体).
    pub audience: String,
    /// 公开方式 (主动公开 / 依申请公开).
    pub manner: String,
}

impl CatalogItemRecord {
    /// Check the required fields and lengths.
    pub fn validate(&self) -> Result<(), ContentError> {
        need(&self.domain, "领域", "domain", 50)?;
        need(&self.name, "公开事项", "name", 200)?;
        need(&self.basis, "公开依据", "basis", 2000)?;
        need(&self.time_limit, "公开时限", "time limit", 200)?;
        need(&self.channel, "公开渠道", "channel", 500)?;
        need(&self.subject, "公开主体", "subject", 200)?;
        need(&self.audience, "公开对象", "audience", 50)?;
        need(&self.manner, "公开方式", "manner", 50)
    }
}

/// A stored catalog item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItem {
    /// Id.
    pub id: i64,
    /// Fields.
    #[serde(flatten)]
    pub record: CatalogItemRecord,
}

/// A government document for proactive disclosure (政府信息).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDocumentRecord {
    /// Owning body.
    pub body_id: i64,
    /// Catalog item it is published under.
    pub catalog_item_id: Option<i64>,
    /// 发布机构.
    pub publisher: String,
    /// 成文日期.
    #[serde(with = "gongkai_calendar::serde_date")]
    pub written_on: Date,
    /// 文号 (may be empty).
    pub doc_number: String,
    /// 主题分类.
    pub topic: String,
    /// 标题.
    pub title: String,
    /// 正文 (plain text, paragraphs separated by newlines).
    pub text: String,
}

impl PublicDocumentRecord {
    /// Check the required fields and lengths.
    pub fn validate(&self) -> Result<(), ContentError> {
        need(&self.publisher, "发布机构", "publisher", 200)?;
        need(&self.topic, "主题分类", "topic", 50)?;
        need(&self.title, "标题", "title", 300)?;
        need(&self.text, "正文", "text", 200_000)?;
        if self.doc_number.chars().count() > 100 {
            return Err(ContentError::TooLong {
                field: "文号",
                field_en: "document number",
                max: 100,
            });
        }
        Ok(())
    }
}

/// A stored document with its index number and publication state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDocument {
    /// Id.
    pub id: i64,
    /// 索引号: `<body code>/<year>-<serial>`.
    pub index_number: String,
    /// Fields.
    #[serde(flatten)]
    pub record: PublicDocumentRecord,
    /// 发布日期 when published.
    #[serde(with = "gongkai_calendar::serde_date::option")]
    pub published_on: Option<Date>,
    /// Whether the public can see it.
    pub published: bool,
}

/// A document as lists show it: everything but the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummary {
    /// Id.
    pub id: i64,
    /// Owning body.
    pub body_id: i64,
    /// Catalog item it is published under.
    pub catalog_item_id: Option<i64>,
    /// 索引号.
    pub index_number: String,
    /// 标题.
    pub title: String,
    /// 文号 (may be empty).
    pub doc_number: String,
    /// 成文日期.
    #[serde(with = "gongkai_calendar::serde_date")]
    pub written_on: Date,
    /// 发布日期 when published.
    #[serde(with = "gongkai_calendar::serde_date::option")]
    pub published_on: Option<Date>,
    /// Whether the public can see it.
    pub published: bool,
}

impl From<&PublicDocument> for DocumentSummary {
    fn from(d: &PublicDocument) -> Self {
        Self {
            id: d.id,
            body_id: d.record.body_id,
            catalog_item_id: d.record.catalog_item_id,
            index_number: d.index_number.clone(),
            title: d.record.title.clone(),
            doc_number: d.record.doc_number.clone(),
            written_on: d.record.written_on,
            published_on: d.published_on,
            published: d.published,
        }
    }
}

/// The index number (索引号) of a body's `serial`-th document of a year.
pub fn index_number(body_code: &str, year: i32, serial: i64) -> String {
    format!("{body_code}/{year}-{serial:05}")
}

/// An attachment's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// Id.
    pub id: i64,
    /// Document it belongs to.
    pub document_id: i64,
    /// File name as uploaded.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
}

/// The disclosure guide of a body (政府信息公开指南) and its contact facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// 指南正文.
    pub text: String,
    /// 办公地址.
    pub address: String,
    /// 办公时间.
    pub office_hours: String,
    /// 咨询电话.
    pub phone: String,
}

/// One immutable published version of an annual report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportVersion {
    /// Body.
    pub body_id: i64,
    /// Report year.
    pub year: i32,
    /// 1, 2, … (a correction is a new version).
    pub version: i32,
    /// The report in the JSON contract.
    pub report_json: String,
    /// Reason of a correction (empty for version 1).
    pub reason: String,
    /// Reviewer who approved.
    pub approved_by: String,
    /// Who published.
    pub published_by: String,
    /// RFC 3339 time of publication.
    pub published_at: String,
}

/// One staff action in the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Monotonic id.
    pub id: i64,
    /// RFC 3339 time.
    pub at: String,
    /// Login of the actor.
    pub actor: String,
    /// Body acted for.
    pub body_id: Option<i64>,
    /// What was done (`application.decide`, `document.publish`, …).
    pub action: String,
    /// What it was done to (`application:12`).
    pub target: String,
    /// Free detail.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn validation() {
        let mut d = PublicDocumentRecord {
            body_id: 1,
            catalog_item_id: None,
            publisher: "黄阁镇人民政府".into(),
            written_on: date!(2024 - 03 - 01),
            doc_number: "黄府〔2024〕3号".into(),
            topic: "综合政务".into(),
            title: "关于养老服务补贴的通知".into(),
            text: "正文".into(),
        };
        assert_eq!(d.validate(), Ok(()));
        d.title = " ".into();
        assert!(matches!(
            d.validate(),
            Err(ContentError::Required {
                field: "标题", ..
            })
        ));
        assert_eq!(index_number("440115101", 2024, 7), "440115101/2024-00007");
    }
}
