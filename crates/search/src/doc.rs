//! The plain-data document handed to the index, its validation, and the
//! defensive masking of personal identity numbers.

use serde::{Deserialize, Serialize};

use crate::error::{Result, SearchError};

/// Longest `id` accepted, in bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Longest title accepted, in bytes (a long title is an error, not truncated).
pub const MAX_TITLE_BYTES: usize = 4 * 1024;
/// Longest short field (body code and name, domain, 文号, 索引号, url), in bytes.
pub const MAX_SHORT_FIELD_BYTES: usize = 2 * 1024;
/// Body text beyond this many bytes is not indexed (cut at a character
/// boundary); [`crate::Upserted::text_truncated`] reports it.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A published piece of government information (政府信息).
    Document,
    /// An entry of a body's standard catalog (标准目录).
    CatalogItem,
    /// An annual report (政府信息公开工作年度报告).
    Report,
    /// A published service-item guide (办事指南).
    ServiceItem,
}

impl DocKind {
    /// All kinds, in display order.
    pub const ALL: [DocKind; 4] = [
        DocKind::Document,
        DocKind::CatalogItem,
        DocKind::Report,
        DocKind::ServiceItem,
    ];

    /// Stable machine name, used in the index and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Document => "document",
            DocKind::CatalogItem => "catalog_item",
            DocKind::Report => "report",
            DocKind::ServiceItem => "service_item",
        }
    }

    /// Parses [`DocKind::as_str`] back.
    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese label for the portal.
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Document => "政府信息",
            DocKind::CatalogItem => "标准目录",
            DocKind::Report => "年度报告",
            DocKind::ServiceItem => "办事指南",
        }
    }
}

/// One searchable item: a document, a catalog item or a report.
///
/// Only publicly disclosed information belongs here. Applicants' personal
/// data (names, contacts, ID numbers of 申请人) must never be put in a
/// `SearchDoc`; as a last line of defence, 18-digit resident ID numbers with a
/// valid check digit are masked before anything is indexed or stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// Stable unique id (e.g. `doc:123`, `catalog:44`); upserts replace by id.
    pub id: String,
    pub kind: DocKind,
    /// Code of the publishing body (发布机构), used for filters.
    pub body_code: String,
    /// Name of the publishing body (发布机构), shown and searchable.
    pub body_name: String,
    /// Domain of the standard catalog (e.g. 养老服务, 社会救助).
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub year: Option<i32>,
    /// 成文日期 or publication date, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
    /// 标题.
    pub title: String,
    /// 正文 (plain text).
    #[serde(default)]
    pub text: String,
    /// 文号, e.g. 南府办〔2024〕12号.
    #[serde(default)]
    pub doc_number: Option<String>,
    /// 索引号.
    #[serde(default)]
    pub index_number: Option<String>,
    pub url: String,
}

/// A validated document, with masked and length-limited text, ready to index.
#[derive(Debug, Clone)]
pub(crate) struct PreparedDoc {
    pub title: String,
    pub text: String,
    pub date_key: Option<i64>,
    pub text_truncated: bool,
}

fn invalid(doc: &SearchDoc, field: &'static str, reason: impl Into<String>) -> SearchError {
    SearchError::InvalidDocument {
        id: doc.id.clone(),
        field,
        reason: reason.into(),
    }
}

fn check_short(doc: &SearchDoc, field: &'static str, value: &str, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(invalid(doc, field, "must not be empty"));
    }
    if value.len() > MAX_SHORT_FIELD_BYTES {
        return Err(invalid(
            doc,
            field,
            format!("{} bytes, limit {MAX_SHORT_FIELD_BYTES}", value.len()),
        ));
    }
    if value.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(invalid(doc, field, "contains control characters"));
    }
    Ok(())
}

/// Parses `YYYY-MM-DD` into the sortable key `YYYYMMDD`.
pub(crate) fn date_key(s: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &format).ok()?;
    Some(i64::from(d.year()) * 10_000 + i64::from(u8::from(d.month())) * 100 + i64::from(d.day()))
}

impl SearchDoc {
    /// Validates the document and prepares the text that will be indexed.
    pub(crate) fn prepare(&self) -> Result<PreparedDoc> {
        if self.id.is_empty() || self.id.len() > MAX_ID_BYTES {
            return Err(invalid(
                self,
                "id",
                format!("must be 1..={MAX_ID_BYTES} bytes"),
            ));
        }
        if self.id.chars().any(char::is_control) {
            return Err(invalid(self, "id", "contains control characters"));
        }
        check_short(self, "body_code", &self.body_code, true)?;
        check_short(self, "body_name", &self.body_name, false)?;
        check_short(self, "url", &self.url, false)?;
        for (field, value) in [
            ("domain", &self.domain),
            ("doc_number", &self.doc_number),
            ("index_number", &self.index_number),
        ] {
            if let Some(v) = value {
                check_short(self, field, v, false)?;
            }
        }
        if self.title.trim().is_empty() {
            return Err(invalid(self, "title", "must not be empty"));
        }
        if self.title.len() > MAX_TITLE_BYTES {
            return Err(invalid(
                self,
                "title",
                format!("{} bytes, limit {MAX_TITLE_BYTES}", self.title.len()),
            ));
        }
        if let Some(year) = self.year
            && !(1900..=2200).contains(&year)
        {
            return Err(invalid(
                self,
                "year",
                format!("{year} is out of 1900..=2200"),
            ));
        }
        let date_key = match &self.date {
            None => None,
            Some(d) => Some(date_key(d).ok_or_else(|| {
                invalid(
                    self,
                    "date",
                    format!("{d:?} is not a valid YYYY-MM-DD date"),
                )
            })?),
        };
        let (text, text_truncated) = if self.text.len() > MAX_TEXT_BYTES {
            let mut cut = MAX_TEXT_BYTES;
            while !self.text.is_char_boundary(cut) {
                cut -= 1;
            }
            (&self.text[..cut], true)
        } else {
            (self.text.as_str(), false)
        };
        Ok(PreparedDoc {
            title: mask_id_numbers(&self.title),
            text: mask_id_numbers(text),
            date_key,
            text_truncated,
        })
    }
}

/// Masks 18-digit PRC resident identity numbers (GB 11643) that carry a valid
/// check digit: the first 6 and last 4 characters stay, the 8 in between
/// become `*`. Digits that are part of a longer digit run are left alone.
pub fn mask_id_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_run = i == 0 || !chars[i - 1].is_ascii_digit();
        if starts_run && i + 18 <= chars.len() && is_id_number(&chars[i..i + 18]) {
            let next_is_digit = chars.get(i + 18).is_some_and(|c| c.is_ascii_alphanumeric());
            if !next_is_digit {
                out.extend(&chars[i..i + 6]);
                out.push_str("********");
                out.extend(&chars[i + 14..i + 18]);
                i += 18;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn is_id_number(c: &[char]) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let mut sum = 0;
    for (ch, w) in c[..17].iter().zip(WEIGHTS) {
        match ch.to_digit(10) {
            Some(d) => sum += d * w,
            None => return false,
        }
    }
    // Birth date sanity (YYYYMMDD at positions 6..14): month 01-12, day 01-31.
    let num = |r: std::ops::Range<usize>| {
        c[r].iter()
            .fold(0, |acc, ch| acc * 10 + ch.to_digit(10).unwrap_or(0))
    };
    let (month, day) = (num(10..12), num(12..14));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    c[17].to_ascii_uppercase() == CHECK[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_valid_id_numbers_only() {
        // 11010519491231002X is the well-known GB 11643 example.
        assert_eq!(
            mask_id_numbers("申请人身份证11010519491231002X已核验"),
            "申请人身份证110105********002X已核验"
        );
        // Wrong check digit: not an ID number, left alone.
        assert_eq!(mask_id_numbers("110105194912310021"), "110105194912310021");
        // Part of a longer digit run: left alone.
        assert_eq!(
            mask_id_numbers("911010519491231002X"),
            "911010519491231002X"
        );
        assert_eq!(mask_id_numbers("没有号码"), "没有号码");
    }

    #[test]
    fn date_keys() {
        assert_eq!(date_key("2024-03-05"), Some(20240305));
        assert_eq!(date_key("2024-02-30"), None);
        assert_eq!(date_key("2024/03/05"), None);
        assert_eq!(date_key(""), None);
    }
}
