//! The real server: request ids on every response, connect info for the client address,
//! graceful shutdown that lets a request in flight finish, and an owner-only session key.

use gongkai_store::{Clock, Store};
use gongkai_web::{AppState, WebConfig};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

async fn start(
    dir: &std::path::Path,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let store = Store::open_sqlite(&dir.join("gongkai.db")).await.unwrap();
    let search = gongkai_search::SearchIndex::open(dir.join("search-index")).unwrap();
    let config = WebConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: dir.to_path_buf(),
        clock: Clock::fixed_on(time::macros::date!(2026 - 06 - 10)),
        ..WebConfig::default()
    };
    let secret = gongkai_web::app::load_secret(dir).unwrap();
    let state = AppState::new(store, search, secret, config);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(gongkai_web::app::serve_until(
        state,
        Some(ready_tx),
        async {
            let _ = stop_rx.await;
        },
    ));
    (ready_rx.await.unwrap(), stop_tx, server)
}

fn get(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_a_request_id_and_shutdown_is_graceful() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, stop, server) = start(dir.path()).await;
    let res = tokio::task::spawn_blocking(move || get(addr, "/healthz"))
        .await
        .unwrap();
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let id = res
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .unwrap_or_else(|| panic!("no request id: {res}"));
    assert_eq!(id.trim().len(), 36, "a UUID: {id}");
    // Two requests get two ids.
    let res2 = tokio::task::spawn_blocking(move || get(addr, "/healthz"))
        .await
        .unwrap();
    assert!(!res2.contains(id.trim()));
    // An unknown page is a 404 in the site's layout, in Chinese.
    let nf = tokio::task::spawn_blocking(move || get(addr, "/no/such/page"))
        .await
        .unwrap();
    assert!(nf.starts_with("HTTP/1.1 404"), "{nf}");
    assert!(
        nf.contains("页面不存在") && nf.contains("<header class=\"site\">"),
        "{nf}"
    );

    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    assert!(TcpStream::connect(addr).is_err(), "no longer listening");
}

#[cfg(unix)]
#[tokio::test]
async fn session_key_and_database_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (_, stop, server) = start(dir.path()).await;
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    for f in ["session.key", "gongkai.db"] {
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
}
