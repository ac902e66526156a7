//! 办事指南 in headless Chromium (chromedriver + `fantoccini`, started as in `browser.rs`), on
//! the demo data: the clerk opens a draft guide, adds a 受理条件, saves it as a new version
//! with a 修改原因 and submits it; the reviewer publishes it; a citizen finds it by full-text
//! search (kind 办事指南) and on the body's catalogue, and opens the guide page and its A4
//! print view.
//!
//! Needs `/usr/bin/chromium` and `chromedriver` (override with `CHROMIUM` / `CHROMEDRIVER`);
//! without them the test fails when `CI=true` and is skipped with a visible message otherwise.

mod chromium;

use chromium::*;
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

/// A word no demo guide contains: the clerk adds it to a 受理条件.
const MARK: &str = "黄阁镇长者服务登记卡";

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
    let edit = wait_for_path_where(c, |p| {
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
    wait_for_path_where(c, |p| p == edit).await?;
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
