//! The store's SQL by aggregate, compiled once over `sqlx::Any` and run on SQLite or
//! PostgreSQL. Every statement uses `$N` parameters and SQL both dialects accept; what
//! differs (connecting, migrating, how a write transaction starts, maintenance) is in
//! [`dialect`].
//!
//! Each write function is one transaction: the change, its events, the report counters, the
//! outbox entry and the audit row commit together or not at all.

// Functions take the pool and the calendar besides the fields of an action.
#![allow(clippy::too_many_arguments)]

pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod bodies;
pub(crate) mod cases;
pub(crate) mod common;
pub(crate) mod dialect;
pub(crate) mod documents;
pub(crate) mod imports;
pub(crate) mod outbox;
pub(crate) mod queue;
pub(crate) mod registers;
pub(crate) mod reports;
pub(crate) mod service_items;
pub(crate) mod users;

pub(crate) use applications::*;
pub(crate) use audit::*;
pub(crate) use bodies::*;
pub(crate) use cases::*;
pub(crate) use common::*;
pub(crate) use documents::*;
pub(crate) use imports::*;
pub(crate) use outbox::*;
pub(crate) use queue::*;
pub(crate) use registers::*;
pub(crate) use reports::*;
pub(crate) use service_items::*;
pub(crate) use users::*;

pub(crate) use crate::portal::*;
pub(crate) use crate::*;
pub(crate) use gongkai_calendar::format_date;
pub(crate) use gongkai_ledger::content::{
    AttachmentMeta, AuditEntry, CatalogItem, CatalogItemRecord, DocumentSummary, Guide,
    PublicDocument, PublicDocumentRecord, ReportVersion,
};
pub(crate) use gongkai_ledger::counters::{self, Contributions};
pub(crate) use gongkai_ledger::{
    BodyKind, CaseKind, CaseOutcome, CellSource, DocumentKind, Status,
};
pub(crate) use sqlx::Row;
pub(crate) use std::collections::{BTreeSet, HashMap};

pub(crate) type DB = sqlx::Any;
pub(crate) type Pool = sqlx::AnyPool;
pub(crate) type Conn = sqlx::AnyConnection;
pub(crate) type DbRow = sqlx::any::AnyRow;
