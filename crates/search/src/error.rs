//! Typed errors of the search crate.

use std::path::PathBuf;

/// Everything that can go wrong when opening, feeding or querying an index.
///
/// User query text is never a source of errors: it is cleaned, not parsed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Another process (or another `SearchIndex` in this process) holds the
    /// writer lock of this directory. Each node must own its own index directory.
    #[error(
        "search index {dir} is locked by another writer (each node needs its own index directory)"
    )]
    Locked { dir: PathBuf },

    /// The directory holds an index written with a different schema
    /// (older version of this crate). Rebuild it with `gongkai reindex`.
    #[error("search index {dir} was built with a different schema; rebuild it (gongkai reindex)")]
    SchemaMismatch { dir: PathBuf },

    /// The index directory could not be created or read.
    #[error("cannot use search index directory {dir}: {source}")]
    Io {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A document handed to [`crate::SearchIndex::upsert`] is invalid.
    #[error("document {id:?}: field {field}: {reason}")]
    InvalidDocument {
        id: String,
        field: &'static str,
        reason: String,
    },

    /// The checkpoint stored with the last commit is not a number
    /// (the index was committed by something else).
    #[error("search index checkpoint {payload:?} is not an outbox id")]
    BadCheckpoint { payload: String },

    /// An error of the underlying engine (tantivy).
    #[error("search engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// Result alias of this crate.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;
