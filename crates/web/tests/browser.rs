//! End-to-end test in headless Chromium (over chromedriver, with `fantoccini`): a citizen files
//! an application on the 依申请公开 form and reads the tracking code from the receipt; the
//! clerk signs in, opens it and answers 予以公开; the reviewer opens the report workspace and
//! sees the generated table 三 count it. A second flow pages the clerk's queue through more
//! applications than a page holds (every one once, sorted as chosen) and filters the audit
//! log by action, user and date, with the empty state and a wrong date.
//!
//! Needs `/usr/bin/chromium` and `chromedriver` (Debian `chromium`, `chromium-driver`; override
//! with `CHROMIUM` / `CHROMEDRIVER`). Without them the test fails when `CI=true` and is skipped
//! with a visible message otherwise.

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

async fn text_of(c: &Client, css: &str) -> Result<String, String> {
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

/// Waits for the `<select>` at `css` and chooses the option `value`.
async fn select(c: &Client, css: &str, value: &str) -> Result<(), String> {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no `{css}`: {e}"))?
        .select_by_value(value)
        .await
        .map_err(|e| format!("cannot choose `{value}` in `{css}`: {e}"))
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

/// Waits until the browser has navigated to `path` (a form submit returns before it lands).
async fn wait_for_path(c: &Client, path: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(url) = c.current_url().await
            && url.path() == path
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "expected to reach {path}, still at {}",
                at(c).await
            ));
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
async fn sign_out(c: &Client) -> Result<(), String> {
    click(c, "form[action='/staff/logout'] button").await?;
    wait_for_path(c, "/staff/login").await
}

async fn cell(c: &Client, key: &str) -> Result<i64, String> {
    let t = text_of(c, &format!("[data-cell='{key}']")).await?;
    t.trim()
        .parse()
        .map_err(|_| format!("cell {key} is not a count: `{t}`"))
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

/// Runs `flow` in a fresh Chromium session against `base`, up to three times: a loaded CI
/// machine can make a page action race the page load, and each flow reads its "before"
/// state itself.
async fn in_chromium<F, Fut>(base: &str, flow: F)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_clerk_and_reviewer_in_chromium() {
    if browser_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (addr, _store) = start_server(dir.path()).await;
    in_chromium(&format!("http://{addr}"), |c, base| async move {
        let r = flow(&c, &base).await;
        (c, r)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_pages_and_audit_filters_in_chromium() {
    if browser_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (addr, store) = start_server(dir.path()).await;
    // More open applications than one queue page holds (50), received over two months.
    let town = store.get_body_by_code(TOWN).await.unwrap();
    let today = CLOCK.today();
    for i in 0..75i64 {
        store
            .receive_application(
                &gongkai_ledger::NewApplication {
                    body_id: town.id,
                    applicant_type: gongkai_ledger::ApplicantType::NaturalPerson,
                    channel: gongkai_ledger::Channel::Online,
                    received_on: today - time::Duration::days(i % 60),
                    request_text: format!("分页测试申请第{i}号"),
                    personal: gongkai_ledger::PersonalData {
                        name: format!("分页测试{i}"),
                        ..Default::default()
                    },
                },
                "clerk",
                "",
            )
            .await
            .unwrap();
    }
    let open = store
        .queue_page(&gongkai_store::QueueQuery {
            bodies: vec![town.id],
            state: None,
            open_only: true,
            by_received: false,
            limit: 1,
            offset: 0,
        })
        .await
        .unwrap()
        .0;
    in_chromium(&format!("http://{addr}"), move |c, base| async move {
        let r = paging_flow(&c, &base, open).await;
        (c, r)
    })
    .await;
}

/// The pager's `第N页 / 共M页（共T条）`, as (N, M, T).
async fn pager(c: &Client) -> Result<(i64, i64, i64), String> {
    let t = text_of(c, "p.pager span").await?;
    let nums: Vec<i64> = t
        .split(|ch: char| !ch.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match nums[..] {
        [n, m, total] => Ok((n, m, total)),
        _ => Err(format!("pager reads `{t}`")),
    }
}

/// The texts of column `col` (1-based) of table `#id`'s body rows.
async fn column(c: &Client, id: &str, col: usize) -> Result<Vec<String>, String> {
    let cells = c
        .find_all(Locator::Css(&format!("#{id} tbody tr td:nth-child({col})")))
        .await
        .map_err(cmd("table cells"))?;
    let mut out = Vec::new();
    for td in cells {
        out.push(td.text().await.map_err(cmd("cell text"))?);
    }
    Ok(out)
}

async fn paging_flow(c: &Client, base: &str, open: i64) -> Result<(), String> {
    sign_in(c, base, "clerk").await?;
    // The queue pages through every open application; nothing is cut off.
    c.goto(&format!("{base}/staff?body={TOWN}"))
        .await
        .map_err(cmd("queue"))?;
    let (page, pages, total) = pager(c).await?;
    if page != 1 || total != open || pages != (open + 49) / 50 || pages < 2 {
        return Err(format!(
            "queue pager: page {page} of {pages}, {total} rows; the store has {open} open"
        ));
    }
    let mut codes = std::collections::BTreeSet::new();
    let mut dues: Vec<String> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    for expected in 1..=pages {
        let (p, _, _) = pager(c).await?;
        if p != expected {
            return Err(format!("expected page {expected}, at page {p}"));
        }
        codes.extend(column(c, "queue", 1).await?);
        dues.extend(column(c, "queue", 6).await?);
        flags.extend(column(c, "queue", 7).await?);
        if expected < pages {
            click_xpath(c, "//p[@class='pager']/a[text()='下一页']").await?;
            wait_text(c, "p.pager span", &format!("第{}页", expected + 1)).await?;
        }
    }
    if codes.len() as i64 != open {
        return Err(format!(
            "{} distinct applications over the pages, {open} open",
            codes.len()
        ));
    }
    // Sorted across the page boundaries: deadlines that need a year not imported yet first,
    // then by the reply deadline, the nearest first, then the stopped clocks (—).
    let keys: Vec<(bool, bool, String)> = dues
        .iter()
        .zip(&flags)
        .map(|(d, f)| (!f.contains("尚未导入"), d == "—", d.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    if keys != sorted {
        return Err(format!("the queue is not sorted by deadline: {dues:?}"));
    }
    // The user's choice of order survives paging: by date received, newest first.
    c.goto(&format!("{base}/staff?body={TOWN}&sort=received&page=2"))
        .await
        .map_err(cmd("queue by received"))?;
    wait_text(c, "p.pager span", "第2页").await?;
    let received = column(c, "queue", 3).await?;
    let mut newest_first = received.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    if received.is_empty() || received != newest_first {
        return Err(format!("page 2 by date received: {received:?}"));
    }
    // A body the clerk may not read: the error page says so, in Chinese.
    c.goto(&format!("{base}/staff?body=NOPE"))
        .await
        .map_err(cmd("unknown body"))?;
    wait_text(c, "p.err", "机关「NOPE」不存在").await?;

    // The audit log filtered by action and user, then by a day range.
    let day = gongkai_calendar::format_date(CLOCK.today());
    c.goto(&format!("{base}/staff/audit"))
        .await
        .map_err(cmd("audit"))?;
    select(c, "select[name=action]", "staff.").await?;
    fill(c, "input[name=actor]", "clerk").await?;
    click(c, "form[action='/staff/audit'] button[type=submit]").await?;
    wait_for_path(c, "/staff/audit").await?;
    wait_text(c, "#audit tbody", "登录").await?;
    let actors = column(c, "audit", 2).await?;
    let actions = column(c, "audit", 4).await?;
    if actors.is_empty() || actors.iter().any(|a| a != "clerk") {
        return Err(format!("audit filtered by user clerk shows {actors:?}"));
    }
    if actions
        .iter()
        .any(|a| !a.contains("登录") && !a.contains("退出"))
    {
        return Err(format!("audit filtered by 登录、退出 shows {actions:?}"));
    }
    // Sign-ins happen on the real clock, so a range ending before the demo's history holds
    // none of them: the empty state is said, not left blank.
    c.goto(&format!(
        "{base}/staff/audit?action=staff.&actor=clerk&from=2000-01-01&to=2000-01-31"
    ))
    .await
    .map_err(cmd("audit empty range"))?;
    wait_text(c, "#audit tbody", "没有符合条件的操作记录").await?;
    // A day that does not exist is refused with the field and the value named.
    c.goto(&format!("{base}/staff/audit?from=2026-02-30&to={day}"))
        .await
        .map_err(cmd("audit bad date"))?;
    wait_text(c, "p.err", "「起始日期」不是有效日期").await?;
    wait_text(c, "p.err", "2026-02-30").await?;
    Ok(())
}

fn cmd(what: &str) -> impl FnOnce(fantoccini::error::CmdError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

async fn flow(c: &Client, base: &str) -> Result<(), String> {
    let year = CLOCK.today().year();
    // Before: the live table 三 of this year.
    sign_in(c, base, "reviewer").await?;
    c.goto(&format!("{base}/staff/reports?body={TOWN}&year={year}"))
        .await
        .map_err(cmd("report workspace"))?;
    let granted_before = cell(c, "t3.granted.total").await?;
    let received_before = cell(c, "t3.new_received.total").await?;
    sign_out(c).await?;

    // 1. The citizen files an application.
    c.goto(&format!("{base}/b/{TOWN}/apply"))
        .await
        .map_err(cmd("apply page"))?;
    select(c, "#applicant_type", "natural_person").await?;
    fill(c, "#name", "浏览器测试申请人").await?;
    // A wrong check digit is refused next to the field, and the input is kept.
    fill(c, "#id_number", "110101199003074578").await?;
    fill(c, "#phone", "13700000000").await?;
    fill(
        c,
        "#request_text",
        "申请公开黄阁镇2026年道路养护经费使用情况",
    )
    .await?;
    click(c, "form[action$='/apply'] button[type=submit]").await?;
    wait_text(c, "#id_number-err", "校验码").await?;
    let kept = c
        .find(Locator::Css("#name"))
        .await
        .map_err(cmd("name field"))?
        .prop("value")
        .await
        .map_err(cmd("name value"))?;
    if kept.as_deref() != Some("浏览器测试申请人") {
        return Err(format!("the refused form lost the name: {kept:?}"));
    }
    fill(c, "#id_number", "110101199003074573").await?;
    click(c, "form[action$='/apply'] button[type=submit]").await?;
    let code = text_of(c, "#tracking-code").await?;
    let secret = text_of(c, "#tracking-secret").await?;
    if code.trim().is_empty() || secret.trim().is_empty() {
        return Err("the receipt shows no tracking code or secret".into());
    }
    // Refreshing the receipt shows the same receipt and files nothing new.
    c.refresh().await.map_err(cmd("refresh the receipt"))?;
    let again = text_of(c, "#tracking-code").await?;
    if again.trim() != code.trim() {
        return Err(format!("the refreshed receipt shows {again}, not {code}"));
    }

    // 2. The clerk answers it.
    sign_in(c, base, "clerk").await?;
    c.goto(&format!("{base}/staff?body={TOWN}"))
        .await
        .map_err(cmd("queue"))?;
    click_xpath(
        c,
        &format!("//a[contains(normalize-space(.), '{}')]", code.trim()),
    )
    .await?;
    wait_text(c, "h2", code.trim()).await?;
    let form = c
        .find(Locator::Css("form:has(input[name=kind][value=decided])"))
        .await
        .map_err(cmd("decide form"))?;
    form.find(Locator::Css("select[name=outcome]"))
        .await
        .map_err(cmd("outcome"))?
        .select_by_value("granted")
        .await
        .map_err(cmd("select outcome"))?;
    form.find(Locator::Css("input[name=reference]"))
        .await
        .map_err(cmd("reference"))?
        .send_keys("黄府信复〔2026〕99号")
        .await
        .map_err(cmd("type reference"))?;
    form.find(Locator::Css("textarea[name=summary]"))
        .await
        .map_err(cmd("summary"))?
        .send_keys("予以公开，相关信息见附件。")
        .await
        .map_err(cmd("type summary"))?;
    form.find(Locator::Css("button[type=submit]"))
        .await
        .map_err(cmd("decide button"))?
        .click()
        .await
        .map_err(cmd("decide"))?;
    // The decision redirects back to the application page; wait for the new state.
    wait_text(c, "#state", "已答复").await?;
    sign_out(c).await?;

    // 3. The citizen sees the answer on the status page.
    c.goto(&format!("{base}/status"))
        .await
        .map_err(cmd("status page"))?;
    fill(c, "#code", code.trim()).await?;
    fill(c, "#secret", secret.trim()).await?;
    click(c, "form[action='/status'] button[type=submit]").await?;
    wait_text(c, "#outcome", "予以公开").await?;

    // 4. The reviewer's report workspace counts it in table 三.
    sign_in(c, base, "reviewer").await?;
    c.goto(&format!("{base}/staff/reports?body={TOWN}&year={year}"))
        .await
        .map_err(cmd("report workspace"))?;
    let granted = cell(c, "t3.granted.total").await?;
    let received = cell(c, "t3.new_received.total").await?;
    if granted < 1 || granted != granted_before + 1 || received != received_before + 1 {
        return Err(format!(
            "table 三: granted {granted_before} -> {granted}, received {received_before} -> {received}"
        ));
    }
    Ok(())
}

async fn click_xpath(c: &Client, xpath: &str) -> Result<(), String> {
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
