//! 20 concurrent writers (applicants, clerks) against the real server, with a bulk import
//! running beside them, on SQLite and PostgreSQL: no 5xx, no rejected or lost write, counters
//! that recount equal. Runs `gongkai bench load` as users would, for a few seconds (the
//! benchmark's default is 60 s; `GONGKAI_LOAD_SECONDS` overrides the test's duration).

use serde_json::Value;
use std::process::Command;

fn seconds() -> String {
    std::env::var("GONGKAI_LOAD_SECONDS").unwrap_or_else(|_| "4".into())
}

fn run_load(database_url: Option<&str>) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(["bench", "load", "--clients", "20", "--import", "--json"])
        .args(["--seconds", &seconds()])
        .env_remove("DATABASE_URL");
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.output().expect("run gongkai bench load");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "bench load printed no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(out.status.success(), "bench load failed: {v:#}");
    v
}

fn assert_clean(v: &Value, backend: &str) {
    assert_eq!(v["backend"], backend);
    for zero in [
        "server_errors",
        "rejected",
        "transport_errors",
        "lost_writes",
        "counter_mismatches",
    ] {
        assert_eq!(v[zero], 0, "{zero} in {v:#}");
    }
    // How many writes fit in the run depends on the machine and its load (the benchmark
    // reports it); the test asserts that writes went through and none failed or got lost.
    assert!(
        v["writes_ok"].as_u64().unwrap() > 0,
        "no write went through: {v:#}"
    );
    assert!(
        v["imported"].as_u64().unwrap() > 0,
        "the import wrote nothing: {v:#}"
    );
    assert_eq!(v["bodies_recounted"], 4);
}

#[test]
fn twenty_writers_and_an_import_on_sqlite() {
    let v = run_load(None);
    assert_clean(&v, "sqlite");
}

#[test]
fn twenty_writers_and_an_import_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(gongkai_store::testing::postgres(
        "twenty_writers_and_an_import_on_postgres",
    )) else {
        return;
    };
    let v = run_load(Some(&db.url));
    rt.block_on(db.drop_db());
    assert_clean(&v, "postgres");
}
