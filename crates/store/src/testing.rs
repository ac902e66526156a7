//! Test support: a fresh PostgreSQL database per test run (created on the server named by
//! `GONGKAI_TEST_PG`, default [`DEFAULT_PG`], dropped afterwards; kept when
//! `GONGKAI_TEST_KEEP_DB` is set), or a visible `SKIPPED` message when no server answers.

use crate::Store;
use sqlx::Connection;

/// Print past the test harness's output capture, so a skip is always visible.
fn skipped(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Default PostgreSQL server for tests (override with `GONGKAI_TEST_PG`).
pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database created for this test on the PostgreSQL server, dropped by [`PgDb::drop_db`].
pub struct PgDb {
    /// The server's URL the database was created on.
    pub admin_url: String,
    /// URL of the fresh database.
    pub url: String,
    /// Its name.
    pub name: String,
}

/// `url` with its database path replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{base}/{db}{query}")
}

/// Create a fresh database, or `None` (with a visible SKIPPED message) when no server answers.
pub async fn postgres(test: &str) -> Option<PgDb> {
    let admin_url = std::env::var("GONGKAI_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_string());
    let conn = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        sqlx::PgConnection::connect(&admin_url),
    )
    .await;
    let mut conn = match conn {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            skipped(&format!(
                "SKIPPED: PostgreSQL not reachable at {admin_url} ({e}); {test} ran on SQLite only"
            ));
            return None;
        }
        Err(_) => {
            skipped(&format!(
                "SKIPPED: PostgreSQL not reachable at {admin_url} (timeout); {test} ran on SQLite only"
            ));
            return None;
        }
    };
    let mut rnd = [0u8; 6];
    getrandom::fill(&mut rnd).ok()?;
    let name = format!(
        "gk_test_{}",
        rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .ok()?;
    conn.close().await.ok();
    Some(PgDb {
        url: with_database(&admin_url, &name),
        admin_url,
        name,
    })
}

impl PgDb {
    /// Open the store on the fresh database (runs the migrations).
    pub async fn store(&self) -> crate::Result<Store> {
        Store::connect_postgres(&self.url).await
    }

    /// Drop the database now (also done on drop, e.g. when the test panics).
    pub async fn drop_db(self) {
        drop(self);
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if std::env::var_os("GONGKAI_TEST_KEEP_DB").is_some() {
            eprintln!("kept test database {}", self.url);
            return;
        }
        let admin = self.admin_url.clone();
        let name = self.name.clone();
        // A separate thread with its own runtime: Drop may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
#[test]
fn database_url_rewrite() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/test?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
