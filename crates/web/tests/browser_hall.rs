//! End-to-end test of the service hall in headless Chromium (over chromedriver): a ticket is
//! taken at the kiosk in one browser session, called from the window page in a second
//! (signed-in clerk), shown live on the hall display in a third without a reload (server-sent
//! events), finished, rated on the ticket page, and counted on the statistics page.
//!
//! Needs `/usr/bin/chromium` and `chromedriver` (override with `CHROMIUM` / `CHROMEDRIVER`).
//! Without them the test fails when `CI=true` and is skipped with a visible message otherwise.
//! The startup helpers are those of `browser.rs`.

mod chromium;

use chromium::*;
use fantoccini::{Client, Locator};
use std::process::{Command, Stdio};

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
