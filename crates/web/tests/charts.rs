//! Trend charts on a body's report page and subordinate bodies side by side on an oversight
//! level's report list, from the demo's published reports.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gongkai_search::SearchIndex;
use gongkai_store::Store;
use gongkai_web::security::Secret;
use gongkai_web::{AppState, WebConfig, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn report_pages_show_trend_and_subordinate_charts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("gongkai.db"))
        .await
        .unwrap();
    let day = time::macros::date!(2026 - 11 - 25);
    assert!(gongkai_web::demo::seed_as_of(&store, day).await.unwrap());
    let state = AppState::new(
        store,
        SearchIndex::open_in_ram().unwrap(),
        Secret::random(),
        WebConfig::default(),
    );
    let app = router(state);

    // 黄阁镇 has published 2020, 2024 and 2025: the 2025 page carries the trend chart.
    let (status, html) = get(&app, "/b/440115101/reports/2025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"), "trend chart on the report page");
    assert!(html.contains("历年依申请公开情况"));

    // 南沙区 oversees the townships: its report list shows them side by side.
    let (status, html) = get(&app, "/b/440115/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("下级机关"), "{html}");
    assert!(html.contains("<svg"));
    assert!(html.contains("黄阁镇") && html.contains("横沥镇"));

    // A town without subordinates has no such chart.
    let (_, html) = get(&app, "/b/440115101/reports").await;
    assert!(!html.contains("下级机关"));
}
