//! What differs between SQLite and PostgreSQL: connecting (SQLite's pragmas), the migration
//! folders, how a write transaction starts, and maintenance after a large write.

use super::{Pool, Result};
use crate::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, Store, StoreError};
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// The database a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// SQLite waits this long for another writer before a write reports busy.
const SQLITE_BUSY: Duration = Duration::from_secs(20);

impl Dialect {
    /// The dialect of a pool, from its connection URL.
    pub fn of(pool: &Pool) -> Dialect {
        if pool.connect_options().database_url.scheme() == "sqlite" {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// The statement that starts a write transaction. SQLite takes the write lock first
    /// (`BEGIN IMMEDIATE`) so that a writer waits for another (busy timeout) instead of
    /// failing when it upgrades a read lock; PostgreSQL keeps READ COMMITTED and the store
    /// retries serialization failures and deadlocks.
    pub fn begin_write(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => Some("BEGIN IMMEDIATE"),
            Dialect::Postgres => None,
        }
    }
}

fn install_drivers() {
    sqlx::any::install_default_drivers();
}

/// Create (if missing) and migrate a SQLite file with WAL, then open the store's pool on it.
/// Every connection has `synchronous=FULL` (a receipt survives power loss), a busy timeout
/// and foreign keys on.
pub(crate) async fn open_sqlite(path: &Path) -> Result<Pool> {
    let path = std::path::absolute(path).map_err(|source| StoreError::DataDir {
        path: path.to_path_buf(),
        source,
    })?;
    // Create and migrate with the typed driver, which sets the journal mode on the file.
    let typed = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY)
                .foreign_keys(true),
        )
        .await?;
    SQLITE_MIGRATIONS.run(&typed).await?;
    typed.close().await;

    install_drivers();
    let url = sqlite_url(&path);
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                sqlx::raw_sql(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 20000;",
                )
                .execute(conn)
                .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    Ok(pool)
}

/// `sqlite:///abs/path?mode=rw`, the path percent-encoded (the driver decodes it).
fn sqlite_url(path: &Path) -> String {
    let mut url = String::from("sqlite://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url.push_str("?mode=rw");
    url
}

/// Connect to and migrate a PostgreSQL database.
pub(crate) async fn connect_postgres(url: &str) -> Result<Pool> {
    let typed = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    POSTGRES_MIGRATIONS.run(&typed).await?;
    typed.close().await;
    install_drivers();
    Ok(AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?)
}

/// After a large write: refresh planner statistics (and on SQLite fold the WAL back), so
/// that reads such as report generation keep their index plans.
pub(crate) async fn after_bulk_write(pool: &Pool) -> Result<()> {
    match Dialect::of(pool) {
        Dialect::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(pool)
                .await?;
            sqlx::query("PRAGMA optimize").execute(pool).await?;
        }
        Dialect::Postgres => {
            sqlx::query("ANALYZE report_counters, applications")
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

/// On SQLite, after a bulk write that held the write lock for `held`: sleep for as long (at
/// most [`BULK_YIELD_MAX`]), long enough for writers of other processes, whose busy handler
/// sleeps up to 100 ms between tries, to notice the free lock. A no-op on PostgreSQL.
pub(crate) async fn yield_after_bulk_write(pool: &Pool, held: Duration) {
    if Dialect::of(pool) == Dialect::Sqlite {
        tokio::time::sleep(held.clamp(BULK_YIELD_MIN, BULK_YIELD_MAX)).await;
    }
}

/// Shortest pause of [`yield_after_bulk_write`].
pub(crate) const BULK_YIELD_MIN: Duration = Duration::from_millis(60);
/// Longest pause of [`yield_after_bulk_write`].
pub(crate) const BULK_YIELD_MAX: Duration = Duration::from_millis(250);

impl Store {
    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        Dialect::of(&self.pool).name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_escape_what_a_url_would_misread() {
        assert_eq!(
            sqlite_url(Path::new("/data/gongkai.db")),
            "sqlite:///data/gongkai.db?mode=rw"
        );
        assert_eq!(
            sqlite_url(Path::new("/数据/a b?#%.db")),
            "sqlite:///%E6%95%B0%E6%8D%AE/a%20b%3F%23%25.db?mode=rw"
        );
    }
}
