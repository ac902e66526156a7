//! End-to-end test of the service hall in headless Chromium (over chromedriver): a ticket is
//! taken at the kiosk in one browser session, called from the window page in a second
//! (signed-in clerk), shown live on the hall display in a third without a reload (server-sent
//! events), finished, rated on the ticket page, and counted on the statistics page.
//!
//! Needs `/usr/bin/chromium` and `chromedriver` (override with `CHROMIUM` / `CHROMEDRIVER`).
//! Without them the test fails when `CI=true` and is skipped with a visible message otherwise.
//! The startup helpers are those of `browser.rs`.

use fantoccini::{Client, ClientBuilder, Locator};
use gongkai_store::Store;
use gongkai_web::{AppState, WebConfig};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOWN: &str = "440115101";

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    let p = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    if p.exists() {
        return Some(p);
    }
    // Look it up on PATH.
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join(default.rsplit('/').next().unwrap_or(default)))
            .find(|c| c.exists())
    })
}

/// Kills chromedriver (and with it the browser) when the test ends, even on panic.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The day the browser test runs on: a fixed date, never the machine's.
const CLOCK: gongkai_store::Clock =
    gongkai_store::Clock::Fixed(time::macros::datetime!(2026-12-02 10:00 +8));

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_server(dir: &std::path::Path) -> (SocketAddr, Store) {
    let store = Store::open_sqlite(&dir.join("gongkai.db"))
        .await
        .expect("store");
    gongkai_web::demo::seed(&store, CLOCK)
        .await
        .expect("demo seed");
    let handle = store.clone();
    let search = gongkai_search::SearchIndex::open(dir.join("search-index")).expect("index");
    let config = WebConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: dir.to_path_buf(),
        clock: CLOCK,
        ..WebConfig::default()
    };
    let state = AppState::new(
        store,
        search,
        gongkai_web::security::Secret::random(),
        config,
    );
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        if let Err(e) = gongkai_web::serve(state, Some(tx)).await {
            panic!("server failed: {e}");
        }
    });
    (rx.await.expect("server ready"), handle)
}

async fn connect(port: u16, chromium: &std::path::Path, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return c,
            Err(e) if Instant::now() < deadline => {
                eprintln!("waiting for chromedriver: {e}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Err(e) => panic!("cannot start a Chromium session: {e}"),
        }
    }
}

/// Where the browser is, for error messages.
async fn at(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_else(|e| format!("(no url: {e})"))
}

/// Waits until the element's text contains `needle` (the page may still be the previous one).
async fn wait_text(c: &Client, css: &str, needle: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if t.contains(needle) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "`{css}` on {} reads `{t}`, expected `{needle}`",
                at(c).await
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn fill(c: &Client, css: &str, value: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = match c.find(Locator::Css(css)).await {
            Ok(e) => {
                e.clear().await.ok();
                e.send_keys(value).await
            }
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() > deadline => {
                return Err(format!("no field `{css}` on {}: {e}", at(c).await));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

async fn click(c: &Client, css: &str) -> Result<(), String> {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no `{css}`: {e}"))?
        .click()
        .await
        .map_err(|e| format!("cannot click `{css}`: {e}"))
}

async fn sign_in(c: &Client, base: &str, login: &str) -> Result<(), String> {
    c.goto(&format!("{base}/staff/login"))
        .await
        .map_err(|e| format!("login page: {e}"))?;
    fill(c, "input[name=login]", login).await?;
    fill(c, "input[name=password]", "gongkai-demo").await?;
    click(c, "form[action='/staff/login'] button[type=submit]").await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = c.current_url().await.map_err(|e| e.to_string())?;
        if url.path().starts_with("/staff") && !url.path().starts_with("/staff/login") {
            return Ok(());
        }
        if Instant::now() > deadline {
            let src = c.source().await.unwrap_or_default();
            let err = src
                .split("class=\"err\"")
                .nth(1)
                .map(|s| s.chars().take(200).collect::<String>())
                .unwrap_or_default();
            return Err(format!("login failed as {login} (at {url}): {err}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Chromium and chromedriver, or `None` (skip) outside CI when they are missing.
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    match (
        tool("CHROMIUM", "/usr/bin/chromium"),
        tool("CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) {
        (Some(c), Some(d)) => Some((c, d)),
        _ if ci => panic!(
            "Chromium or chromedriver missing on CI (apt-get install chromium chromium-driver)"
        ),
        _ => {
            eprintln!(
                "SKIPPED: Chromium or chromedriver not installed (apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

async fn hall_flow(
    kiosk: &Client,
    window: &Client,
    display: &Client,
    base: &str,
) -> Result<(), String> {
    let hall = format!("{base}/bodies/{TOWN}/hall");
    // The hall display, connected to the live stream.
    display
        .goto(&format!("{hall}/display"))
        .await
        .map_err(|e| format!("display: {e}"))?;
    wait_text(display, "#live-status", "实时更新中").await?;
    // The kiosk: 计划生育 (served at window 6 only).
    kiosk
        .goto(&format!("{hall}/kiosk"))
        .await
        .map_err(|e| format!("kiosk: {e}"))?;
    click(kiosk, "input[name=service][value=JS]").await?;
    click(kiosk, "#take-button").await?;
    wait_text(kiosk, "#ticket-number", "E001").await?;
    let ticket_url = kiosk.current_url().await.map_err(|e| e.to_string())?;
    // The window calls it.
    sign_in(window, base, "clerk").await?;
    window
        .goto(&format!("{base}/staff/hall?body={TOWN}&window=6"))
        .await
        .map_err(|e| format!("window page: {e}"))?;
    click(window, "#call-next").await?;
    wait_text(window, "#current-ticket", "E001").await?;
    // The display shows it without a reload.
    wait_text(display, "#latest-call", "请E001号到6号窗口办理").await?;
    wait_text(display, "#windows tr[data-window='6'] .current", "E001").await?;
    let spoken = display
        .find(Locator::Css("#hall-display"))
        .await
        .map_err(|e| e.to_string())?
        .attr("data-last-call")
        .await
        .map_err(|e| e.to_string())?;
    if spoken.as_deref() != Some("请E001号到6号窗口办理") {
        return Err(format!("announced {spoken:?}"));
    }
    // Finish and rate.
    click(window, "#action-finish").await?;
    wait_text(window, "#current-ticket", "当前没有").await?;
    kiosk
        .goto(ticket_url.as_str())
        .await
        .map_err(|e| format!("ticket page: {e}"))?;
    wait_text(kiosk, "#ticket-state", "已办结").await?;
    click(kiosk, "#rate-link").await?;
    click(kiosk, "input[name=rating][value='非常满意']").await?;
    click(kiosk, "#rate-button").await?;
    wait_text(kiosk, "#ticket-rating", "非常满意").await?;
    // The statistics of today count it (the demo's previous day has its own tickets).
    let today = gongkai_calendar::format_date(CLOCK.today());
    window
        .goto(&format!(
            "{base}/staff/hall/stats?body={TOWN}&from={today}&to={today}"
        ))
        .await
        .map_err(|e| format!("stats: {e}"))?;
    wait_text(window, "tr[data-key='JS'] .served", "1").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_window_display_rating_in_chromium() {
    let Some((chromium, driver)) = browser_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (addr, _store) = start_server(dir.path()).await;
    let port = free_port();
    let _driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profiles: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let kiosk = connect(port, &chromium, profiles[0].path()).await;
    let window = connect(port, &chromium, profiles[1].path()).await;
    let display = connect(port, &chromium, profiles[2].path()).await;
    let r = hall_flow(&kiosk, &window, &display, &format!("http://{addr}")).await;
    for c in [kiosk, window, display] {
        c.close().await.ok();
    }
    if let Err(e) = r {
        panic!("hall flow in Chromium failed: {e}");
    }
}
