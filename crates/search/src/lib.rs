//! Chinese full-text search over government information (政府信息), standard
//! catalog items (标准目录) and annual reports, for the Gongkai portal.
//!
//! Every text is indexed twice: by jieba (search mode, with a disclosure
//! user dictionary) for precise, boosted word matches, and by CJK bigrams
//! for recall on names, document numbers (文号) and words missing from the
//! dictionary. User text is cleaned, never parsed: no query is a syntax error.
//!
//! ```
//! use gongkai_search::{DocKind, Query, SearchDoc, SearchIndex};
//! let index = SearchIndex::open_in_ram().unwrap();
//! index.upsert(&SearchDoc {
//!     id: "doc:1".into(), kind: DocKind::Document,
//!     body_code: "nansha".into(), body_name: "广州市南沙区人民政府".into(),
//!     domain: Some("养老服务".into()), year: Some(2024), date: Some("2024-03-01".into()),
//!     title: "关于发放2024年养老服务补贴的通知".into(),
//!     text: "为做好高龄老人养老服务补贴发放工作……".into(),
//!     doc_number: Some("南府办〔2024〕12号".into()), index_number: None,
//!     url: "/doc/1".into(),
//! }).unwrap();
//! index.commit().unwrap();
//! let results = index.search(&Query::text("养老")).unwrap();
//! assert_eq!(results.hits[0].id, "doc:1");
//! assert!(results.hits[0].title_html.contains("<mark>养老</mark>"));
//! ```

mod doc;
mod error;
mod highlight;
mod index;
mod query;
pub mod synth;
pub mod tokenize;

pub use doc::{
    DocKind, MAX_ID_BYTES, MAX_SHORT_FIELD_BYTES, MAX_TEXT_BYTES, MAX_TITLE_BYTES, SearchDoc,
    mask_id_numbers,
};
pub use error::{Result, SearchError};
pub use index::{SearchIndex, Upserted};
pub use query::{
    Hit, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, MAX_QUERY_SEGMENTS, Query, SearchResults,
};
