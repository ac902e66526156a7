//! What the browser tests share: finding Chromium and chromedriver (skipped with a message
//! outside CI when missing, failing on CI), the demo server on a fixed clock, a Chromium
//! session, and page actions that wait for the page (a loaded machine makes actions race
//! page loads), with errors that say where the browser was.
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use gongkai_store::Store;
use gongkai_web::{AppState, WebConfig};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOWN: &str = "440115101";

pub fn tool(env: &str, default: &str) -> Option<PathBuf> {
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
pub struct Driver(pub Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The day the browser test runs on: a fixed date, never the machine's.
pub const CLOCK: gongkai_store::Clock =
    gongkai_store::Clock::Fixed(time::macros::datetime!(2026-12-02 10:00 +8));

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub async fn start_server(dir: &std::path::Path) -> (SocketAddr, Store) {
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

pub async fn connect(port: u16, chromium: &std::path::Path, profile: &std::path::Path) -> Client {
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
pub async fn at(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_else(|e| format!("(no url: {e})"))
}

pub async fn text_of(c: &Client, css: &str) -> Result<String, String> {
    // Retry while the page is being replaced (stale elements) on a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await,
            Err(e) => Err(e),
        };
        match r {
            Ok(t) => return Ok(t),
            Err(e) if Instant::now() > deadline => {
                return Err(format!("no `{css}` on {}: {e}", at(c).await));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// Waits until the element's text contains `needle` (the page may still be the previous one).
pub async fn wait_text(c: &Client, css: &str, needle: &str) -> Result<(), String> {
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

pub async fn fill(c: &Client, css: &str, value: &str) -> Result<(), String> {
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

/// Waits for the `<select>` at `css` and chooses the option `value`.
pub async fn select(c: &Client, css: &str, value: &str) -> Result<(), String> {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no `{css}`: {e}"))?
        .select_by_value(value)
        .await
        .map_err(|e| format!("cannot choose `{value}` in `{css}`: {e}"))
}

pub async fn click(c: &Client, css: &str) -> Result<(), String> {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no `{css}`: {e}"))?
        .click()
        .await
        .map_err(|e| format!("cannot click `{css}`: {e}"))
}

/// Waits until the browser has navigated to `path` (a form submit returns before it lands).
pub async fn wait_for_path(c: &Client, path: &str) -> Result<(), String> {
    wait_for_path_where(c, |p| p == path)
        .await
        .map(|_| ())
        .map_err(|e| format!("expected to reach {path}: {e}"))
}

/// Waits until the browser's path satisfies `pred`; returns the path.
pub async fn wait_for_path_where(
    c: &Client,
    pred: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(url) = c.current_url().await
            && pred(url.path())
        {
            return Ok(url.path().to_string());
        }
        if Instant::now() > deadline {
            return Err(format!("still at {}", at(c).await));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn sign_in(c: &Client, base: &str, login: &str) -> Result<(), String> {
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

/// Signs out and waits for the redirect to the login page, so that the next `goto` cannot
/// race the logout navigation.
pub async fn sign_out(c: &Client) -> Result<(), String> {
    click(c, "form[action='/staff/logout'] button").await?;
    wait_for_path(c, "/staff/login").await
}

pub async fn cell(c: &Client, key: &str) -> Result<i64, String> {
    let t = text_of(c, &format!("[data-cell='{key}']")).await?;
    t.trim()
        .parse()
        .map_err(|_| format!("cell {key} is not a count: `{t}`"))
}

/// Chromium and chromedriver, or `None` (skip) outside CI when they are missing.
pub fn browser_tools() -> Option<(PathBuf, PathBuf)> {
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

/// Runs `flow` in a fresh Chromium session against `base`, up to three times: a loaded CI
/// machine can make a page action race the page load, and each flow reads its "before"
/// state itself.
pub async fn in_chromium<F, Fut>(base: &str, flow: F)
where
    F: Fn(Client, String) -> Fut,
    Fut: std::future::Future<Output = (Client, Result<(), String>)>,
{
    let Some((chromium, driver)) = browser_tools() else {
        return;
    };
    let port = free_port();
    let _driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let mut last = None;
    for attempt in 1..=3 {
        let profile = tempfile::tempdir().unwrap();
        let c = connect(port, &chromium, profile.path()).await;
        let (c, result) = flow(c, base.to_string()).await;
        c.close().await.ok();
        match result {
            Ok(()) => return,
            Err(e) => {
                eprintln!("browser flow attempt {attempt} failed: {e}");
                last = Some(e);
            }
        }
    }
    panic!(
        "browser flow failed three times; last: {}",
        last.unwrap_or_default()
    );
}

pub fn cmd(what: &str) -> impl FnOnce(fantoccini::error::CmdError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

pub async fn click_xpath(c: &Client, xpath: &str) -> Result<(), String> {
    let found = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(xpath))
        .await;
    let el = match found {
        Ok(el) => el,
        Err(e) => return Err(format!("no `{xpath}` on {}: {e}", at(c).await)),
    };
    el.click()
        .await
        .map_err(|e| format!("cannot click `{xpath}`: {e}"))
}
