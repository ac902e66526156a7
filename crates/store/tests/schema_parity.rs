//! The SQLite and PostgreSQL migration folders build the same schema: every table has the
//! same columns on both backends (types differ by dialect and are not compared).

use sqlx::{Connection, Row};
use std::collections::BTreeMap;

type Schema = BTreeMap<String, Vec<String>>;

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gongkai.db");
    let store = gongkai_store::Store::open_sqlite(&path).await.unwrap();
    store.close().await;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx_%'",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get("name"))
    .collect();
    let mut out = Schema::new();
    for t in tables {
        let cols = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info(\"{t}\")")))
            .fetch_all(&mut c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect::<Vec<_>>();
        out.insert(t, sorted(cols));
    }
    out
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

async fn postgres_schema(url: &str) -> Schema {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT c.table_name::text AS t, c.column_name::text AS c FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE '\\_sqlx\\_%'",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut out = Schema::new();
    for r in rows {
        out.entry(r.get("t")).or_default().push(r.get("c"));
    }
    out.into_iter().map(|(k, v)| (k, sorted(v))).collect()
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let lite = sqlite_schema().await;
    assert!(lite.contains_key("applications") && lite.contains_key("audit_log"));
    let Some(db) = gongkai_store::testing::postgres("schema parity").await else {
        return;
    };
    let store = db.store().await.unwrap();
    store.close().await;
    let pg = postgres_schema(&db.url).await;
    db.drop_db().await;
    let only = |a: &Schema, b: &Schema| -> Vec<String> {
        a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
    };
    assert!(
        only(&lite, &pg).is_empty(),
        "only on SQLite: {:?}",
        only(&lite, &pg)
    );
    assert!(
        only(&pg, &lite).is_empty(),
        "only on PostgreSQL: {:?}",
        only(&pg, &lite)
    );
    for (table, cols) in &lite {
        assert_eq!(cols, &pg[table], "columns of {table}");
    }
}
