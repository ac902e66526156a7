//! # gongkai-store
//!
//! Persistence for the disclosure ledger ([`gongkai_ledger`]) on SQLite (default: the file
//! `<data dir>/gongkai.db`, WAL, `busy_timeout`, `foreign_keys=ON`) or PostgreSQL (when the
//! URL starts with `postgres://` or `postgresql://`). Runtime `sqlx` queries only (no
//! compile-time macros, no `DATABASE_URL` at build); two embedded migration sets
//! (`migrations/sqlite`, `migrations/postgres`); one SQL text per query for both backends
//! (`$1`-style parameters work on both), compiled once over `sqlx::Any` in `src/sql/`, one
//! module per aggregate (applications, documents, cases, registers, reports, users, audit,
//! outbox, …) and one (`sql/dialect.rs`) for what differs between the two.
//!
//! Every change goes through the ledger (validation, state machine) and writes, in **one
//! transaction**, the record, its history, the changed report counters and an outbox entry.
//! Generating a report reads only counters, so it costs the same at ten or ten million
//! applications; [`Store::recount`] proves the counters equal a full recomputation.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gongkai_store::StoreError> {
//! use gongkai_store::Store;
//! let store = Store::open(&gongkai_store::StoreConfig::from_env(None)).await?;
//! let body = store.get_body_by_code("440115").await?;
//! let report = store.generate_report(body.id, 2024).await?;
//! assert!(gongkai_report::check(&report, None).is_empty());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod clock;
mod password;
pub mod testing;

use gongkai_calendar::Calendar;
use gongkai_ledger::{
    ApplicantType, Application, ApplicationEvent, ApplicationState, Body, Case, CaseRecord,
    Document, DocumentRecord, EventKind, NewApplication, NewBody, Outcome, PersonalData, Role,
    RoleGrant, TrackingCredentials, User, YearCounters, YearlyFigure,
};
use gongkai_report::Report;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use time::Date;

pub use clock::{BEIJING, Clock, beijing_time};
pub use password::{hash_password, verify_password};

/// Embedded SQLite migrations.
pub static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// Embedded PostgreSQL migrations.
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Most rows one CSV file may hold.
pub const MAX_IMPORT_ROWS: usize = 2_000_000;
/// Most records `explain` lists.
pub const MAX_EXPLAIN_ITEMS: i64 = 10_000;
/// Most rows one list call returns.
pub const MAX_LIST: i64 = 1_000;

/// Errors of the store. Messages are Chinese first, English in parentheses.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("数据库错误 (database error): {0}")]
    Db(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("数据库迁移失败 (migration failed): {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The data directory cannot be created.
    #[error("无法创建数据目录 {path} (cannot create the data directory): {source}")]
    DataDir {
        /// Directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A record does not exist.
    #[error("{what}「{key}」不存在 ({what_en} `{key}` not found)")]
    NotFound {
        /// What (Chinese).
        what: &'static str,
        /// What.
        what_en: &'static str,
        /// Which.
        key: String,
    },
    /// A unique key is taken.
    #[error("{what}「{key}」已存在 ({what_en} `{key}` already exists)")]
    Duplicate {
        /// What (Chinese).
        what: &'static str,
        /// What.
        what_en: &'static str,
        /// Which.
        key: String,
    },
    /// Someone else changed the application at the same time.
    #[error(
        "申请 {0} 已被他人同时修改，请刷新后重试 (application {0} was changed concurrently; reload and retry)"
    )]
    Conflict(String),
    /// Invalid body or user.
    #[error(transparent)]
    Identity(#[from] gongkai_ledger::IdentityError),
    /// Invalid application.
    #[error(transparent)]
    Application(#[from] gongkai_ledger::ApplicationError),
    /// Illegal transition.
    #[error("申请 {application}: {error}")]
    Transition {
        /// Tracking code.
        application: String,
        /// Why.
        error: gongkai_ledger::TransitionError,
    },
    /// Invalid case.
    #[error(transparent)]
    Case(#[from] gongkai_ledger::CaseError),
    /// Invalid register entry.
    #[error(transparent)]
    Register(#[from] gongkai_ledger::RegisterError),
    /// The report cannot be assembled.
    #[error(transparent)]
    Assemble(#[from] gongkai_ledger::AssembleError),
    /// Unknown report cell.
    #[error(transparent)]
    Model(#[from] gongkai_report::ModelError),
    /// A bad CSV row (nothing of the file was imported).
    #[error(
        "{file} 第{line}行: {message}（整个文件未导入 / line {line}: nothing of the file was imported)"
    )]
    Csv {
        /// File name as given.
        file: String,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// One item of a bulk ingest is invalid (0-based index; nothing was written).
    #[error("第{}项无效 (item {} is invalid): {message}", .index + 1, .index + 1)]
    Item {
        /// 0-based position in the batch.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// Stored data that cannot be read back.
    #[error("存储的数据已损坏 (stored data is corrupt): {0}")]
    Corrupt(String),
    /// A size limit.
    #[error("超过限制 (limit exceeded): {0}")]
    Limit(String),
    /// Writing an export failed.
    #[error("写出失败 (write failed): {0}")]
    Io(#[from] std::io::Error),
    /// Password hashing failed.
    #[error("密码处理失败 (password hashing failed): {0}")]
    Password(String),
    /// Unknown narrative section or role, bad argument.
    #[error("参数无效 (invalid argument): {0}")]
    Invalid(String),
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// SQLite file (created if missing).
    Sqlite(PathBuf),
    /// PostgreSQL URL.
    Postgres(String),
}

impl StoreConfig {
    /// PostgreSQL when `DATABASE_URL` is a `postgres://` / `postgresql://` URL; otherwise
    /// SQLite at `<data>/gongkai.db` where `data` is the argument, else `GONGKAI_DATA`,
    /// else `./data`.
    pub fn from_env(data: Option<&Path>) -> StoreConfig {
        if let Ok(url) = std::env::var("DATABASE_URL")
            && is_postgres_url(&url)
        {
            return StoreConfig::Postgres(url);
        }
        let dir = data
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("GONGKAI_DATA").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("data"));
        StoreConfig::Sqlite(dir.join("gongkai.db"))
    }

    /// A short description for messages (no password).
    pub fn describe(&self) -> String {
        match self {
            StoreConfig::Sqlite(p) => format!("SQLite {}", p.display()),
            StoreConfig::Postgres(url) => {
                let host = url.rsplit('@').next().unwrap_or(url);
                format!("PostgreSQL {}", host.trim_start_matches("postgres://"))
            }
        }
    }
}

/// Whether a URL selects PostgreSQL.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The ledger's persistence. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Store {
    pool: sql::Pool,
    calendar: Arc<Calendar>,
    /// SQLite only: the process's writers take this (first come, first served) before they
    /// ask SQLite for its write lock, so that they queue in order instead of polling in the
    /// busy handler, where the longest waiter is not the one that wins.
    write_gate: Option<Arc<tokio::sync::Mutex<()>>>,
}

/// One application as a flat row (the columns of `applications.csv`, personal data unmasked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRow {
    /// Tracking code.
    pub tracking_code: String,
    /// Body code.
    pub body_code: String,
    /// Applicant column key.
    pub applicant_type: String,
    /// Channel name.
    pub channel: String,
    /// Receipt date.
    pub received_on: String,
    /// Request.
    pub request_text: String,
    /// Personal data.
    pub applicant_name: String,
    /// Personal data.
    pub id_number: String,
    /// Personal data.
    pub phone: String,
    /// Personal data.
    pub email: String,
    /// Personal data.
    pub address: String,
    /// Outcome code when closed.
    pub outcome: String,
    /// Closing date.
    pub closed_on: String,
    /// Reply letter number.
    pub reply_reference: String,
}

/// Which applications to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    /// Only this body.
    pub body_id: Option<i64>,
    /// Only this state.
    pub state: Option<ApplicationState>,
    /// Only received in this year.
    pub received_year: Option<i32>,
    /// Only closed in this year.
    pub closed_year: Option<i32>,
    /// Only this applicant column.
    pub applicant_type: Option<ApplicantType>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
    /// Page size (default 100, at most [`MAX_LIST`]).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: i64,
}

/// A page of the audit log (操作日志).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// The bodies whose entries the viewer may see, or `None` for every entry. Entries without
    /// a body (sign-ins, CLI user administration) are visible to `viewer` when they are theirs.
    pub visible_bodies: Option<Vec<i64>>,
    /// The viewer's login.
    pub viewer: String,
    /// Only this body.
    pub body: Option<i64>,
    /// Only this actor (login); empty for all.
    pub actor: String,
    /// Only actions starting with this (`application.`, `staff.login`); empty for all.
    pub action_prefix: String,
    /// Only entries at or after this RFC 3339 UTC instant (a prefix such as
    /// `2026-12-01T16:00:00` works); empty for no bound.
    pub at_from: String,
    /// Only entries before this instant; empty for no bound.
    pub at_before: String,
    /// Rows of the page.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// A page of the staff queue (申请办理).
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    /// The bodies to list (none: an empty page).
    pub bodies: Vec<i64>,
    /// Only this state.
    pub state: Option<ApplicationState>,
    /// Leave out decided, withdrawn and lapsed applications.
    pub open_only: bool,
    /// Newest received first instead of the nearest due day first.
    pub by_received: bool,
    /// Rows of the page.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

pub use gongkai_ledger::recount::{CounterMismatch, ExplainItem};

/// The records behind one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Body code.
    pub body: String,
    /// Report year.
    pub year: i32,
    /// Cell key.
    pub cell: String,
    /// The cell's value in the generated report.
    pub value: String,
    /// How many records stand behind it (all, not only those listed).
    pub records: i64,
    /// Whether the record count equals the value (always for count cells of tables 三, 四,
    /// 二（一）; figures are entered values).
    pub consistent: bool,
    /// What the cell counts (Chinese).
    pub rule: String,
    /// The records (up to the limit).
    pub items: Vec<ExplainItem>,
}

/// Result of [`Store::recount`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecountReport {
    /// Body code.
    pub body: String,
    /// Report year checked cell by cell.
    pub year: i32,
    /// Applications replayed.
    pub applications: i64,
    /// Events replayed.
    pub events: i64,
    /// Cases read.
    pub cases: i64,
    /// Documents read.
    pub documents: i64,
    /// Counter entries compared (all years of the body).
    pub counters_compared: usize,
    /// Report cells compared for `year`.
    pub cells_compared: usize,
    /// Differences (empty when the counters are right).
    pub mismatches: Vec<CounterMismatch>,
}

impl RecountReport {
    /// Whether counters equal the recomputation.
    pub fn ok(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// One change-log entry for the search indexer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    /// Monotonic id.
    pub id: i64,
    /// `body`, `application`, `case`, `document`, `figure`, `narrative`, `import`.
    pub topic: String,
    /// The entity's id.
    pub entity_id: i64,
    /// Owning body.
    pub body_id: Option<i64>,
    /// `created`, `updated`, `event`, `imported`.
    pub op: String,
    /// Public-safe JSON payload (never personal data).
    pub payload: String,
    /// When.
    pub created_at: String,
}

/// An application with its whole history, for bulk ingest (CSV import, benchmark).
#[derive(Debug, Clone)]
pub struct BulkApplication {
    /// The application; its `received_on` is the date of the implicit `received` event.
    pub new: NewApplication,
    /// Tracking code to keep (from another system); generated when `None`.
    pub tracking_code: Option<String>,
    /// Events after the receipt: kind, date, note.
    pub events: Vec<(EventKind, Date, String)>,
}

/// Progress of a long import (called between chunks, inside the transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Rows written so far.
    pub done: usize,
    /// Rows in total.
    pub total: usize,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// `applications`, `cases`, `documents`, `figures`.
    pub kind: &'static str,
    /// Rows imported.
    pub rows: usize,
    /// Events written (applications).
    pub events: usize,
}

/// A staff user with the password hash (for the web crate's login).
#[derive(Debug, Clone)]
pub struct UserWithHash {
    /// The user.
    pub user: User,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Disabled users cannot sign in.
    pub disabled: bool,
}

/// One deadline changed by [`Store::recompute_deadlines`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineChange {
    /// The application.
    pub application_id: i64,
    /// Its tracking code.
    pub tracking_code: String,
    /// Its body.
    pub body_id: i64,
    /// The deadline before, as staff read it (a date, 期限暂停, or why it was not computable).
    pub old: String,
    /// The deadline now.
    pub new: String,
}

/// What names one submission: its token and a hash of the submitted fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionKey {
    /// `form:<token>` for a form, `api:<Idempotency-Key>` for the API.
    pub token: String,
    /// SHA-256 (hex) of the submitted fields.
    pub request_hash: String,
}

/// The answer to [`Store::receive_application_once`].
#[derive(Debug, Clone)]
pub enum Submission {
    /// Filed now.
    New(Application, TrackingCredentials),
    /// Filed earlier under the same key, with the same fields.
    Replayed(Application, TrackingCredentials),
    /// The key was used for a submission with other fields.
    KeyReused,
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))
}

fn new_credentials() -> Result<TrackingCredentials> {
    let mut e = [0u8; gongkai_ledger::tracking::ENTROPY_BYTES];
    fill_random(&mut e)?;
    Ok(TrackingCredentials::from_entropy(&e))
}

fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn year_bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

fn parse_stored_date(s: &str) -> Result<Date> {
    gongkai_calendar::parse_date(s).map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

/// Chinese label of a narrative section key.
fn check_section(section: &str) -> Result<()> {
    if gongkai_report::SECTION_KEYS.contains(&section) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "未知的报告部分 `{section}`（应为 s1–s6）(unknown section)"
        )))
    }
}

mod sql;

macro_rules! dispatch {
    ($self:ident, $f:ident ( $($arg:expr),* )) => {
        sql::$f(&$self.pool, &$self.calendar, $($arg),*).await
    };
}

/// Like `dispatch!` for a write: the whole transaction is run again (a bounded number of
/// times, with a growing pause) when the database reports a transient conflict.
macro_rules! dispatch_write {
    ($self:ident, $f:ident ( $($arg:expr),* )) => {{
        let mut attempt = 0u32;
        loop {
            let gate = $self.write_turn().await;
            let r = dispatch!($self, $f($($arg),*));
            drop(gate);
            match r {
                Err(e) if attempt < WRITE_RETRIES && e.is_transient() => {
                    attempt += 1;
                    tokio::time::sleep(retry_pause(attempt)).await;
                }
                r => break r,
            }
        }
    }};
}

/// How often a write that met a transient conflict is tried again.
pub const WRITE_RETRIES: u32 = 6;

/// The pause before retry `attempt` (1-based): 10 ms, 20 ms, 40 ms … with jitter.
pub(crate) fn retry_pause(attempt: u32) -> Duration {
    let base = 10u64 << attempt.min(8);
    let mut b = [0u8; 1];
    let jitter = getrandom::fill(&mut b).map_or(0, |_| u64::from(b[0]) % base.max(1));
    Duration::from_millis(base + jitter)
}

impl StoreError {
    /// A conflict that goes away when the transaction is run again: SQLite busy or locked
    /// (after the busy timeout), PostgreSQL serialization failure or deadlock.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(d)) => matches!(
                d.code().as_deref(),
                Some("5" | "6" | "261" | "262" | "517" | "773" | "40001" | "40P01")
            ),
            _ => false,
        }
    }
}

impl Store {
    /// Open (and migrate) the store described by `config`.
    pub async fn open(config: &StoreConfig) -> Result<Store> {
        match config {
            StoreConfig::Sqlite(path) => Store::open_sqlite(path).await,
            StoreConfig::Postgres(url) => Store::connect_postgres(url).await,
        }
    }

    /// Open (creating if missing) and migrate a SQLite file with WAL, `busy_timeout` and
    /// foreign keys on.
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        create_private(path).map_err(|source| StoreError::DataDir {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Store {
            pool: sql::dialect::open_sqlite(path).await?,
            calendar: Arc::new(Calendar::builtin()),
            write_gate: Some(Arc::new(tokio::sync::Mutex::new(()))),
        })
    }

    /// Connect to and migrate a PostgreSQL database.
    pub async fn connect_postgres(url: &str) -> Result<Store> {
        Ok(Store {
            pool: sql::dialect::connect_postgres(url).await?,
            calendar: Arc::new(Calendar::builtin()),
            write_gate: None,
        })
    }

    /// Use another working-day calendar (e.g. with an imported later year).
    pub fn with_calendar(mut self, calendar: Calendar) -> Store {
        self.calendar = Arc::new(calendar);
        self
    }

    /// Wait for this process's turn to write (SQLite; PostgreSQL locks rows itself).
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_gate {
            Some(g) => Some(g.lock().await),
            None => None,
        }
    }

    /// Close the pool.
    pub async fn close(&self) {
        self.pool.close().await
    }

    // --- Bodies, users, roles ------------------------------------------------------------

    /// Create a body under its parent (hierarchy checked).
    pub async fn create_body(&self, body: &NewBody, actor: &str) -> Result<Body> {
        dispatch_write!(self, create_body(body, actor))
    }

    /// All bodies ordered by code.
    pub async fn list_bodies(&self) -> Result<Vec<Body>> {
        dispatch!(self, list_bodies())
    }

    /// The bodies `roots` and all bodies below them, ordered by code, in one query (what a
    /// user's grants can reach, without loading every body of a province).
    pub async fn bodies_under(&self, roots: &[i64]) -> Result<Vec<Body>> {
        dispatch!(self, bodies_under(roots))
    }

    /// A body by code, with the version of its public content: a counter that every change
    /// to its documents or catalog items (by any writer) increases, for caching pages.
    pub async fn body_with_content_version(&self, code: &str) -> Result<(Body, i64)> {
        dispatch!(self, body_with_content_version(code))
    }

    /// A body by code.
    pub async fn get_body_by_code(&self, code: &str) -> Result<Body> {
        dispatch!(self, get_body_by_code(code))
    }

    /// A body by id.
    pub async fn get_body(&self, id: i64) -> Result<Body> {
        dispatch!(self, get_body(id))
    }

    /// Create a staff user; the password is stored as an argon2id hash.
    pub async fn create_user(
        &self,
        login: &str,
        display_name: &str,
        password: &str,
        actor: &str,
    ) -> Result<User> {
        gongkai_ledger::body::validate_login(login)?;
        gongkai_ledger::body::validate_password(password)?;
        let hash = hash_password(password)?;
        dispatch_write!(self, create_user(login, display_name, &hash, actor))
    }

    /// A user with the password hash, for login.
    pub async fn get_user_by_login(&self, login: &str) -> Result<UserWithHash> {
        dispatch!(self, get_user_by_login(login))
    }

    /// Check a login and password; `Ok(None)` when they do not match.
    pub async fn verify_login(&self, login: &str, password: &str) -> Result<Option<User>> {
        match self.get_user_by_login(login).await {
            // A disabled user's password is not even checked.
            Ok(u) if !u.disabled && verify_password(password, &u.password_hash) => Ok(Some(u.user)),
            Ok(_) | Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Give a user a role for a body (idempotent).
    pub async fn grant_role(
        &self,
        user_id: i64,
        body_id: i64,
        role: Role,
        actor: &str,
    ) -> Result<()> {
        dispatch_write!(self, grant_role(user_id, body_id, role, actor))
    }

    /// Take a role away from a user (idempotent); true when one was removed.
    pub async fn revoke_role(
        &self,
        user_id: i64,
        body_id: i64,
        role: Role,
        actor: &str,
    ) -> Result<bool> {
        dispatch_write!(self, revoke_role(user_id, body_id, role, actor))
    }

    /// Disable or re-enable a user; disabling ends every session at once. Returns the
    /// sessions ended.
    pub async fn set_user_disabled(&self, login: &str, disabled: bool, actor: &str) -> Result<u64> {
        dispatch_write!(self, set_user_disabled(login, disabled, actor))
    }

    /// Change a user's password and end every session. Returns the sessions ended.
    pub async fn set_password(&self, login: &str, password: &str, actor: &str) -> Result<u64> {
        gongkai_ledger::body::validate_password(password)?;
        let hash = hash_password(password)?;
        dispatch_write!(self, set_password(login, &hash, actor))
    }

    /// Record a signed-in session (its id is a hash of the cookie's nonce) with the login's
    /// audit row, in one transaction.
    pub async fn start_session(
        &self,
        user_id: i64,
        session_id: &str,
        expires_at: i64,
        actor: &str,
        detail: &str,
    ) -> Result<()> {
        dispatch_write!(
            self,
            start_session(user_id, session_id, expires_at, actor, detail)
        )
    }

    /// End a session (logout) with its audit row.
    pub async fn end_session(&self, user_id: i64, session_id: &str, actor: &str) -> Result<()> {
        dispatch_write!(self, end_session(user_id, session_id, actor))
    }

    /// The user of a live session: not ended, not expired at `now` (Unix seconds), user not
    /// disabled.
    pub async fn session_user(&self, session_id: &str, now: i64) -> Result<Option<User>> {
        dispatch!(self, session_user(session_id, now))
    }

    /// The roles a user holds.
    pub async fn user_roles(&self, user_id: i64) -> Result<Vec<RoleGrant>> {
        dispatch!(self, user_roles(user_id))
    }

    // --- Applications ----------------------------------------------------------------

    /// Register a new application. Returns it with the tracking credentials to give to the
    /// applicant (the secret is not stored and cannot be shown again).
    pub async fn receive_application(
        &self,
        app: &NewApplication,
        actor: &str,
        note: &str,
    ) -> Result<(Application, TrackingCredentials)> {
        app.validate()?;
        let creds = new_credentials()?;
        dispatch_write!(self, receive_application(app, &creds, actor, note))
    }

    /// Receive an application at most once per submission key (a form's single-use token or
    /// an API `Idempotency-Key`): a repeated submission with the same key and fields returns
    /// the first application and its credentials (`Replayed`), with other fields `KeyReused`.
    pub async fn receive_application_once(
        &self,
        app: &NewApplication,
        actor: &str,
        note: &str,
        key: &SubmissionKey,
    ) -> Result<Submission> {
        app.validate()?;
        let creds = new_credentials()?;
        dispatch_write!(
            self,
            receive_application_once(app, &creds, actor, note, key)
        )
    }

    /// Other applications of the same applicant to the same body within `days` days (for
    /// the possible-重复申请 hint; see `gongkai_ledger::duplicate`).
    pub async fn same_applicant_nearby(&self, id: i64, days: i64) -> Result<Vec<Application>> {
        dispatch!(self, same_applicant_nearby(id, days))
    }

    /// Recompute the deadline of every open application with this store's calendar (after a
    /// year's 节假日安排 was imported): one transaction, each change a 备注 event with the old
    /// and the new deadline, one audit row `calendar.recompute` with `reason` as its target.
    pub async fn recompute_deadlines(
        &self,
        today: Date,
        actor: &str,
        reason: &str,
    ) -> Result<Vec<DeadlineChange>> {
        dispatch_write!(self, recompute_deadlines(today, actor, reason))
    }

    /// `(year, open applications)` whose deadline needs that year's 节假日安排, among
    /// `bodies` (every body when `None`).
    pub async fn deadlines_not_computable(
        &self,
        bodies: Option<&[i64]>,
    ) -> Result<Vec<(i32, i64)>> {
        dispatch!(self, deadlines_not_computable(bodies))
    }

    /// The receipt a submission key filed, while it is remembered (24 hours).
    pub async fn submission_receipt(
        &self,
        token: &str,
    ) -> Result<Option<(Application, TrackingCredentials)>> {
        dispatch!(self, submission_receipt(token))
    }

    /// Record an event: the ledger checks the transition, the store writes the event, the new
    /// state, the counter deltas and an outbox entry in one transaction.
    pub async fn apply_event(
        &self,
        application_id: i64,
        event: &EventKind,
        on: Date,
        actor: &str,
        note: &str,
    ) -> Result<Application> {
        if note.chars().count() > gongkai_ledger::application::MAX_NOTE_CHARS {
            return Err(gongkai_ledger::ApplicationError::TooLong { field: "note" }.into());
        }
        dispatch_write!(self, apply_event(application_id, event, on, actor, note))
    }

    /// An application (public-safe: no personal data).
    pub async fn get_application(&self, id: i64) -> Result<Application> {
        dispatch!(self, get_application(id))
    }

    /// An application by tracking code (staff use; applicants use [`Store::find_by_tracking`]).
    pub async fn get_application_by_code(&self, code: &str) -> Result<Application> {
        dispatch!(self, get_application_by_code(code))
    }

    /// The history of an application, oldest first.
    pub async fn application_events(&self, id: i64) -> Result<Vec<ApplicationEvent>> {
        dispatch!(self, application_events(id))
    }

    /// The applicant's personal data. For authorised staff of the application's body only:
    /// the caller checks the role.
    pub async fn personal_data(&self, id: i64) -> Result<PersonalData> {
        dispatch!(self, personal_data(id))
    }

    /// The applicant's view: the application when code and secret match, else `None`.
    pub async fn find_by_tracking(&self, code: &str, secret: &str) -> Result<Option<Application>> {
        let code = gongkai_ledger::tracking::normalise_code(code);
        if code.len() > 64 || secret.len() > 64 {
            return Ok(None);
        }
        dispatch!(self, find_by_tracking(&code, secret))
    }

    /// Issue a new secret for an application (e.g. one imported from another system).
    pub async fn reissue_secret(&self, id: i64, actor: &str) -> Result<TrackingCredentials> {
        let mut e = [0u8; gongkai_ledger::tracking::ENTROPY_BYTES];
        fill_random(&mut e)?;
        dispatch_write!(self, reissue_secret(id, &e, actor))
    }

    /// Applications matching a filter, newest receipt first.
    pub async fn list_applications(&self, filter: &ApplicationFilter) -> Result<Vec<Application>> {
        dispatch!(self, list_applications(filter))
    }

    /// One page of the staff queue of `q.bodies`, with the number of all matching applications.
    pub async fn queue_page(&self, q: &QueueQuery) -> Result<(i64, Vec<Application>)> {
        dispatch!(self, queue_page(q))
    }

    /// Bulk ingest in one transaction (all or nothing): every history is replayed through the
    /// state machine first; counters are applied once for the whole batch.
    pub async fn ingest_applications(
        &self,
        items: Vec<BulkApplication>,
        actor: &str,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<ImportReport> {
        if items.len() > MAX_IMPORT_ROWS {
            return Err(StoreError::Limit(format!(
                "一次最多导入{MAX_IMPORT_ROWS}个申请 (at most {MAX_IMPORT_ROWS} applications per import)"
            )));
        }
        let mut entropy = vec![0u8; items.len() * gongkai_ledger::tracking::ENTROPY_BYTES];
        fill_random(&mut entropy)?;
        let gate = self.write_turn().await;
        let started = std::time::Instant::now();
        let report = dispatch!(self, ingest_applications(items, &entropy, actor, progress))?;
        drop(gate);
        // Writers of other processes wait in SQLite's busy handler, which polls; give them
        // the lock for a while before this process's next bulk write can take it again.
        sql::dialect::yield_after_bulk_write(&self.pool, started.elapsed()).await;
        // After a large write: refresh planner statistics (and on SQLite fold the WAL back), so
        // reads such as report generation keep their index plans.
        sql::dialect::after_bulk_write(&self.pool).await?;
        Ok(report)
    }

    // --- Cases and registers ------------------------------------------------------------

    /// Record a reconsideration or litigation case.
    pub async fn create_case(&self, case: &CaseRecord, actor: &str) -> Result<Case> {
        case.validate()?;
        dispatch_write!(self, create_case(case, actor))
    }

    /// Update a case (e.g. its conclusion); counters move with it.
    pub async fn update_case(&self, id: i64, case: &CaseRecord, actor: &str) -> Result<Case> {
        case.validate()?;
        dispatch_write!(self, update_case(id, case, actor))
    }

    /// Cases of a body, optionally only those reported in `year`.
    pub async fn list_cases(&self, body_id: i64, year: Option<i32>) -> Result<Vec<Case>> {
        dispatch!(self, list_cases(body_id, year))
    }

    /// Insert or update (by body and document number) a regulation or normative document.
    pub async fn upsert_document(&self, doc: &DocumentRecord, actor: &str) -> Result<Document> {
        doc.validate()?;
        dispatch_write!(self, upsert_document(doc, actor))
    }

    /// Documents of a body.
    pub async fn list_documents(&self, body_id: i64) -> Result<Vec<Document>> {
        dispatch!(self, list_documents(body_id))
    }

    /// Enter a yearly figure (Art. 20 （五）（六）（八）（九）), replacing an earlier value.
    pub async fn upsert_figure(
        &self,
        body_id: i64,
        figure: &YearlyFigure,
        actor: &str,
    ) -> Result<()> {
        dispatch_write!(self, upsert_figure(body_id, figure, actor))
    }

    /// Figures of (body, year).
    pub async fn figures(&self, body_id: i64, year: i32) -> Result<Vec<YearlyFigure>> {
        dispatch!(self, figures(body_id, year))
    }

    /// Write a narrative section (`s1`…`s6`) of the report of (body, year).
    pub async fn set_narrative(
        &self,
        body_id: i64,
        year: i32,
        section: &str,
        text: &str,
        actor: &str,
    ) -> Result<()> {
        check_section(section)?;
        if text.chars().count() > 200_000 {
            return Err(StoreError::Limit(
                "报告部分超过20万字 (section longer than 200,000 characters)".into(),
            ));
        }
        dispatch_write!(self, set_narrative(body_id, year, section, text, actor))
    }

    /// The narrative of (body, year) by section key.
    pub async fn narrative(&self, body_id: i64, year: i32) -> Result<BTreeMap<String, String>> {
        dispatch!(self, narrative(body_id, year))
    }

    // --- Reports ------------------------------------------------------------------------

    /// The counters of (body, year): two indexed aggregate reads, independent of volume.
    pub async fn year_counters(&self, body_id: i64, year: i32) -> Result<YearCounters> {
        dispatch!(self, year_counters(body_id, year))
    }

    /// The annual report of (body, year) from counters, figures and narrative.
    pub async fn generate_report(&self, body_id: i64, year: i32) -> Result<Report> {
        let body = self.get_body(body_id).await?;
        let counters = self.year_counters(body_id, year).await?;
        let figures = self.figures(body_id, year).await?;
        let narrative = self.narrative(body_id, year).await?;
        Ok(gongkai_ledger::assemble_report(
            &body.name, year, &counters, &figures, &narrative,
        )?)
    }

    /// Recompute every counter of the body from its records (replaying every application's
    /// history) and compare with the stored counters, and the report cells of `year`.
    pub async fn recount(&self, body_id: i64, year: i32) -> Result<RecountReport> {
        dispatch!(self, recount(body_id, year))
    }

    /// The records behind a cell of the report of (body, year), up to `limit` of them.
    pub async fn explain(
        &self,
        body_id: i64,
        year: i32,
        cell: &str,
        limit: i64,
    ) -> Result<Explanation> {
        let report = self.generate_report(body_id, year).await?;
        let value = report.get(cell)?;
        let source = gongkai_ledger::cell_source(year, cell)?;
        let limit = limit.clamp(0, MAX_EXPLAIN_ITEMS);
        dispatch!(self, explain(body_id, year, cell, value, &source, limit))
    }

    // --- Outbox -------------------------------------------------------------------------

    /// Change-log entries after `after_id`, oldest first.
    pub async fn outbox_after(&self, after_id: i64, limit: i64) -> Result<Vec<OutboxEntry>> {
        dispatch!(self, outbox_after(after_id, limit.clamp(1, 10_000)))
    }

    // --- Raw access for import/export ----------------------------------------------------

    /// Insert cases in one transaction (all or nothing).
    pub async fn import_cases(
        &self,
        cases: Vec<(u64, CaseRecord)>,
        source: &str,
        actor: &str,
    ) -> Result<ImportReport> {
        let _gate = self.write_turn().await;
        dispatch!(self, import_cases(cases, source, actor))
    }

    /// Upsert documents in one transaction (all or nothing).
    pub async fn import_documents(
        &self,
        docs: Vec<(u64, DocumentRecord)>,
        source: &str,
        actor: &str,
    ) -> Result<ImportReport> {
        let _gate = self.write_turn().await;
        dispatch!(self, import_documents(docs, source, actor))
    }

    /// Upsert figures in one transaction (all or nothing).
    pub async fn import_figures(
        &self,
        figures: Vec<(u64, i64, YearlyFigure)>,
        source: &str,
        actor: &str,
    ) -> Result<ImportReport> {
        let _gate = self.write_turn().await;
        dispatch!(self, import_figures(figures, source, actor))
    }

    /// Rows for the applications export (with personal data; the exporter masks it).
    pub async fn export_application_rows(
        &self,
        body_id: Option<i64>,
        year: Option<i32>,
    ) -> Result<Vec<ApplicationRow>> {
        dispatch!(self, export_application_rows(body_id, year))
    }

    /// Count of stored applications (all bodies).
    pub async fn count_applications(&self) -> Result<i64> {
        dispatch!(self, count_applications())
    }
}

// Portal content (catalog, documents, guide, report versions, audit log) for the web platform.
pub mod portal;
pub use portal::{DocumentPage, DocumentQuery, MAX_ATTACHMENT_BYTES};
pub mod queue;

// 办事指南 (service items): items, versions, workflow steps, 空表/样表 files.
pub mod service_items;
pub use service_items::{
    MAX_SERVICE_ATTACHMENT_BYTES, ServiceAttachment, ServiceImportReport, ServiceItem,
    ServiceItemQuery, ServiceStep,
};

/// Create the database file readable by its owner only (SQLite gives its `-wal` and `-shm`
/// files the same mode). An existing file is left as it is.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod private_file_tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_database_file_is_owner_only_and_existing_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gongkai.db");
        super::create_private(&p).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::write(&p, b"x").unwrap();
        super::create_private(&p).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"x");
    }
}
