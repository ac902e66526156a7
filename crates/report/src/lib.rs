//! # gongkai-report
//!
//! The statutory annual report on government information disclosure (政府信息公开工作年度报告)
//! in both official formats (2019: report years 2019–2020; 2021: from 2021): the typed model,
//! the JSON interchange contract, every reconciliation rule (勾稽关系) and the renderers.
//!
//! This crate is pure: no IO, no async. The format itself is data (`spec/report-format.json`).
//!
//! ```
//! use gongkai_report::{FormatVersion, Report, check};
//! let mut r = Report::zeroed(FormatVersion::V2021, 2024, "某某县人民政府");
//! r.set_count("t3.new_received.natural_person", 3).unwrap();
//! let findings = check(&r, None);
//! assert!(findings.iter().any(|f| f.rule == "T3-ROW-TOTAL"));
//! ```

pub mod json;
pub mod layout;
pub mod model;
pub mod outcome;
pub mod render;
pub mod rules;
pub mod spec;

pub use json::JsonError;
pub use model::{CellKey, ModelError, Report, SECTION_KEYS, Value};
pub use outcome::{ApplicantType, Outcome};
pub use render::{HtmlOptions, RenderFormat, render, render_html};
pub use rules::{
    Finding, RULES, RuleInfo, Severity, SourceRef, check, error_count, findings_text, rule_info,
    value_text,
};
pub use rust_decimal::Decimal;
pub use spec::{ColumnType, FormatSpec, FormatVersion, TableSpec};
