//! A change and its audit row are one transaction: `gongkai bench load` (20 writers against
//! the real server, on SQLite) is killed with SIGKILL in the middle of its writes, and the
//! database it leaves has, for every application, exactly one audit row per recorded event
//! (both or neither), no audit row of an application that does not exist, and counters that
//! recount equal.

use gongkai_store::{ApplicationFilter, Store};
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn killed_writers_leave_changes_and_audit_rows_together() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "bench",
            "load",
            "--clients",
            "20",
            "--seconds",
            "120",
            "--json",
        ])
        .arg("--data")
        .arg(&data)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run gongkai bench load");
    let db = data.join("gongkai.db");
    let rt = tokio::runtime::Runtime::new().unwrap();

    // Wait until writes are flowing (at least 40 applications), then kill mid-stream.
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the load never wrote 40 applications"
        );
        std::thread::sleep(Duration::from_millis(300));
        if let Some(status) = child.try_wait().unwrap() {
            panic!("bench load ended before it was killed: {status}");
        }
        if !db.exists() {
            continue;
        }
        let n = rt.block_on(async {
            let s = Store::open_sqlite(&db).await.ok()?;
            let n = s.count_applications().await.ok();
            s.close().await;
            n
        });
        if n.is_some_and(|n| n >= 40) {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();

    rt.block_on(async {
        let store = Store::open_sqlite(&db)
            .await
            .expect("reopen after the kill");
        // Every application, page by page (a list call returns at most one page).
        let mut apps = Vec::new();
        loop {
            let page = store
                .list_applications(&ApplicationFilter {
                    limit: Some(500),
                    offset: apps.len() as i64,
                    ..ApplicationFilter::default()
                })
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            apps.extend(page);
        }
        assert_eq!(apps.len() as i64, store.count_applications().await.unwrap());
        assert!(apps.len() >= 40);
        let log = store.audit_log(&[], 10_000_000).await.unwrap();
        let mut audited: HashMap<i64, usize> = HashMap::new();
        for e in &log {
            let Some(id) = e.target.strip_prefix("application:") else {
                continue;
            };
            if matches!(
                e.action.as_str(),
                "application.personal_read" | "application.reissue_secret"
            ) {
                continue;
            }
            *audited.entry(id.parse().unwrap()).or_default() += 1;
        }
        for a in &apps {
            let events = store.application_events(a.id).await.unwrap().len();
            assert_eq!(
                audited.remove(&a.id).unwrap_or(0),
                events,
                "application {} has {events} events but not as many audit rows",
                a.tracking_code
            );
        }
        assert!(
            audited.is_empty(),
            "audit rows of applications that do not exist: {audited:?}"
        );
        for b in store.list_bodies().await.unwrap() {
            let r = store.recount(b.id, 2026).await.unwrap();
            assert!(r.mismatches.is_empty(), "{}: {:?}", b.code, r.mismatches);
        }
        store.close().await;
    });
}
