//! Test harness: a fresh SQLite file; PostgreSQL databases come from `gongkai_store::testing`.

use gongkai_store::Store;

/// A store on a temporary SQLite file.
pub async fn sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("gongkai.db"))
        .await
        .unwrap();
    (store, dir)
}
