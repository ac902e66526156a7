//! Application state, configuration, the router and the server.

use crate::security::{Limits, Secret, same_origin};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gongkai_search::SearchIndex;
use gongkai_store::{Clock, Store};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Largest request body (uploads of attachments and reply documents included).
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

/// Server settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Data directory (SQLite file, search index, session secret, calendar imports).
    pub data_dir: PathBuf,
    /// Site name shown in the header.
    pub site_name: String,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Extra origins allowed to post forms (e.g. the public https address behind a proxy).
    pub allowed_origins: Vec<String>,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy you run).
    pub trust_proxy: bool,
    /// Directory of CJK fonts for PDF downloads (default: Debian's Noto CJK).
    pub font_dir: Option<PathBuf>,
    /// Where "today" comes from (fixed in tests and with `--today`).
    pub clock: Clock,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            listen: ([127, 0, 0, 1], 8080).into(),
            data_dir: PathBuf::from("data"),
            site_name: "政府信息公开平台".into(),
            secure_cookies: false,
            allowed_origins: Vec::new(),
            trust_proxy: false,
            font_dir: None,
            clock: Clock::System,
        }
    }
}

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub search: Arc<SearchIndex>,
    pub secret: Secret,
    pub limits: Limits,
    pub config: Arc<WebConfig>,
    /// Rendered public fragments keyed by body content version.
    pub fragments: Arc<crate::cache::FragmentCache>,
}

impl AppState {
    pub fn new(store: Store, search: SearchIndex, secret: Secret, config: WebConfig) -> AppState {
        AppState {
            store,
            search: Arc::new(search),
            secret,
            limits: Limits::default(),
            config: Arc::new(config),
            fragments: Arc::new(crate::cache::FragmentCache::default()),
        }
    }

    /// Today in Beijing, from the configured clock.
    pub fn today(&self) -> time::Date {
        self.config.clock.today()
    }
}

const CSS: &str = include_str!("../static/gongkai.css");

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn healthz(State(st): State<AppState>) -> Response {
    match st.store.list_bodies().await {
        Ok(b) => axum::Json(serde_json::json!({
            "status": "ok",
            "database": st.store.backend_name(),
            "bodies": b.len(),
            "indexed_documents": st.search.num_docs(),
        }))
        .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "error", "error": e.to_string()})),
        )
            .into_response(),
    }
}

/// Reject state-changing requests from other sites (Fetch Metadata / Origin).
async fn origin_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let h = req.headers();
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok());
        if !same_origin(
            get("sec-fetch-site"),
            get("origin"),
            get("host"),
            &st.config.allowed_origins,
        ) {
            return crate::error::AppError::Forbidden(
                "跨站请求被拒绝 (cross-site request refused)".into(),
            )
            .into_response();
        }
    }
    next.run(req).await
}

/// Security headers on every response.
async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'none'; frame-ancestors 'none'; form-action 'self'",
    ));
    res
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/gongkai.css", get(css))
        .route("/a11y/large", post(crate::portal::toggle_large))
        .merge(crate::portal::routes())
        .merge(crate::staff::routes())
        .nest("/api/v1", crate::api::routes())
        .fallback(|| async { crate::error::AppError::NotFound("页面".into()) })
        .layer(middleware::from_fn_with_state(state.clone(), origin_guard))
        .layer(middleware::from_fn(crate::auth::browser_cookie))
        .layer(middleware::from_fn(headers))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(state)
}

/// Load or create the session secret in the data directory.
pub fn load_secret(data_dir: &std::path::Path) -> std::io::Result<Secret> {
    let path = data_dir.join("session.key");
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() >= 32 => Ok(Secret::new(&bytes)),
        _ => {
            std::fs::create_dir_all(data_dir)?;
            let bytes: [u8; 32] = rand::random();
            std::fs::write(&path, bytes)?;
            Ok(Secret::new(&bytes))
        }
    }
}

/// Serve until Ctrl-C: binds the listener, starts the search indexer, runs axum.
pub async fn serve(
    state: AppState,
    ready: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    let addr = listener.local_addr()?;
    crate::indexer::spawn(state.clone());
    if let Some(tx) = ready {
        let _ = tx.send(addr);
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
