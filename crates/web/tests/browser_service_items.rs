//! 办事指南 in headless Chromium (chromedriver + `fantoccini`, started as in `browser.rs`), on
//! the demo data: the clerk opens a draft guide, adds a 受理条件, saves it as a new version
//! with a 修改原因 and submits it; the reviewer publishes it; a citizen finds it by full-text
//! search (kind 办事指南) and on the body's catalogue, and opens the guide page and its A4
//! print view.
//!
//! Needs `/usr/bin/chromium` and `chromedriver` (override with `CHROMIUM` / `CHROMEDRIVER`);
//! without them the test fails when `CI=true` and is skipped with a visible message otherwise.

use fantoccini::{Client, ClientBuilder, Locator};
use gongkai_web::{AppState, WebConfig};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOWN: &str = "440115101";
/// A word no demo guide contains: the clerk adds it to a 受理条件.
const MARK: &str = "黄阁镇长者服务登记卡";

const CLOCK: gongkai_store::Clock =
    gongkai_store::Clock::Fixed(time::macros::datetime!(2026-12-02 10:00 +8));

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    let p = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    if p.exists() {
        return Some(p);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join(default.rsplit('/').next().unwrap_or(default)))
            .find(|c| c.exists())
    })
}

fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    match (
        tool("CHROMIUM", "/usr/bin/chromium"),
        tool("CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) {
        (Some(c), Some(d)) => Some((c, d)),
        _ if ci => panic!("Chromium or chromedriver missing on CI"),
        _ => {
            eprintln!("SKIPPED: Chromium or chromedriver not installed");
            None
        }
    }
}

/// Kills chromedriver (and with it the browser) when the test ends, even on panic.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_server(dir: &std::path::Path) -> SocketAddr {
    let store = gongkai_store::Store::open_sqlite(&dir.join("gongkai.db"))
        .await
        .expect("store");
    gongkai_web::demo::seed(&store, CLOCK)
        .await
        .expect("demo seed");
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
    rx.await.expect("server ready")
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

async fn at(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_else(|e| format!("(no url: {e})"))
}

async fn text_of(c: &Client, css: &str) -> Result<String, String> {
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

/// Loads `url` again until `css` contains `needle` (the search index follows the database
/// within about a second).
async fn reload_until(c: &Client, url: &str, css: &str, needle: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        c.goto(url).await.map_err(|e| format!("{url}: {e}"))?;
        let t = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if t.contains(needle) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{url}: `{css}` never showed `{needle}`"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn fill(c: &Client, css: &str, value: &str) -> Result<(), String> {
    let e = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no field `{css}`: {e}"))?;
    e.clear().await.map_err(|e| format!("clear `{css}`: {e}"))?;
    e.send_keys(value)
        .await
        .map_err(|e| format!("type into `{css}`: {e}"))
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

async fn wait_for_path(c: &Client, pred: impl Fn(&str) -> bool) -> Result<String, String> {
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

async fn sign_in(c: &Client, base: &str, login: &str) -> Result<(), String> {
    c.goto(&format!("{base}/staff/login"))
        .await
        .map_err(|e| format!("login page: {e}"))?;
    fill(c, "input[name=login]", login).await?;
    fill(c, "input[name=password]", "gongkai-demo").await?;
    click(c, "form[action='/staff/login'] button[type=submit]").await?;
    wait_for_path(c, |p| {
        p.starts_with("/staff") && !p.starts_with("/staff/login")
    })
    .await?;
    Ok(())
}

async fn sign_out(c: &Client) -> Result<(), String> {
    click(c, "form[action='/staff/logout'] button").await?;
    wait_for_path(c, |p| p == "/staff/login").await?;
    Ok(())
}

async fn flow(c: &Client, base: &str) -> Result<(), String> {
    // The clerk: the drafts of the town, the first one opened.
    sign_in(c, base, "clerk").await?;
    c.goto(&format!(
        "{base}/staff/services?body={TOWN}&status=%E8%8D%89%E7%A8%BF"
    ))
    .await
    .map_err(|e| e.to_string())?;
    let name = text_of(c, "table.list tbody tr td a").await?;
    click(c, "table.list tbody tr td a").await?;
    let edit = wait_for_path(c, |p| {
        p.starts_with("/staff/services/") && p[16..].bytes().all(|b| b.is_ascii_digit())
    })
    .await?;
    wait_text(c, "#status", "草稿").await?;
    // Add a 受理条件 (field 11 of the form: CSV column 受理条件) and save with a reason.
    let area = c
        .find(Locator::Css("textarea[name='受理条件']"))
        .await
        .map_err(|e| format!("no 受理条件: {e}"))?;
    let old = area
        .prop("value")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    fill(
        c,
        "textarea[name='受理条件']",
        &format!("{old}\n持有{MARK}"),
    )
    .await?;
    fill(c, "#reason", "增加登记卡受理条件").await?;
    click(c, &format!("form[action='{edit}'] button[type=submit]")).await?;
    wait_for_path(c, |p| p == edit).await?;
    wait_text(c, "main", "第2版").await?;
    click(c, "button[value=submit]").await?;
    wait_text(c, "#status", "待审核").await?;
    sign_out(c).await?;

    // The reviewer publishes it.
    sign_in(c, base, "reviewer").await?;
    c.goto(&format!("{base}{edit}"))
        .await
        .map_err(|e| e.to_string())?;
    wait_text(c, "#status", "待审核").await?;
    click(c, "button[value=publish]").await?;
    wait_text(c, "#status", "已发布").await?;
    sign_out(c).await?;

    // The citizen: full-text search by the new condition, kind 办事指南.
    let q = format!(
        "{base}/search?q={}&kind=service_item",
        gongkai_web::portal::urlencode(MARK)
    );
    reload_until(c, &q, "main", &name).await?;
    // On the catalogue, by name.
    c.goto(&format!(
        "{base}/b/{TOWN}/services?q={}",
        gongkai_web::portal::urlencode(&name)
    ))
    .await
    .map_err(|e| e.to_string())?;
    wait_text(c, "table.list", &name).await?;
    click(c, "table.list tbody tr td a").await?;
    wait_text(c, "main", MARK).await?;
    wait_text(c, "main", "第2版").await?;
    click(c, "a[href$='/print']").await?;
    wait_text(c, "body", "四、申请材料").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_items_in_chromium() {
    let Some((chromium, driver)) = browser_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let base = format!("http://{addr}");
    let port = free_port();
    let _driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap();
    let c = connect(port, &chromium, profile.path()).await;
    let r = flow(&c, &base).await;
    c.close().await.ok();
    if let Err(e) = r {
        panic!("browser flow failed: {e}");
    }
}
