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
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

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
    /// Proxies whose `X-Forwarded-For` is believed: the client is the rightmost address of
    /// the chain that is not one of them. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
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
            trusted_proxies: Vec::new(),
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
    /// Live updates of the service hall displays (one fan-out per hall).
    pub hall_hub: Arc<crate::hall::Hub>,
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
            hall_hub: Arc::new(crate::hall::Hub::default()),
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

/// The span of one request: method, path and its request id, on every log line inside it.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/gongkai.css", get(css))
        .route("/a11y/large", post(crate::portal::toggle_large))
        .merge(crate::portal::routes())
        .merge(crate::staff::routes())
        .merge(crate::service::routes())
        .merge(crate::hall::routes())
        .nest("/api/v1", crate::api::routes())
        .fallback(|| async { crate::error::AppError::NotFound("页面".into()) })
        .layer(middleware::from_fn_with_state(state.clone(), origin_guard))
        .layer(middleware::from_fn(crate::auth::browser_cookie))
        .layer(middleware::from_fn(headers))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(state)
}

/// Write a file readable by its owner only (mode 0600 on Unix).
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let mut f = opts.open(path)?;
        // An existing file keeps its mode on open: tighten it too.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut f = opts.open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    }
}

/// Load or create the session secret in the data directory.
pub fn load_secret(data_dir: &std::path::Path) -> std::io::Result<Secret> {
    let path = data_dir.join("session.key");
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() >= 32 => Ok(Secret::new(&bytes)),
        _ => {
            std::fs::create_dir_all(data_dir)?;
            let bytes: [u8; 32] = rand::random();
            write_private(&path, &bytes)?;
            Ok(Secret::new(&bytes))
        }
    }
}

/// How long a client may take to send a request's headers (slow-loris guard).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serve until Ctrl-C or SIGTERM: binds the listener, starts the search indexer, accepts
/// connections with a header-read timeout, and on shutdown lets requests in flight finish.
pub async fn serve(
    state: AppState,
    ready: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> std::io::Result<()> {
    serve_until(state, ready, shutdown_signal()).await
}

/// [`serve`] until `shutdown` resolves.
pub async fn serve_until(
    state: AppState,
    ready: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;
    use tower::ServiceExt;

    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    let addr = listener.local_addr()?;
    crate::indexer::spawn(state.clone());
    if let Some(tx) = ready {
        let _ = tx.send(addr);
    }
    let app = router(state);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tracing::info!(%addr, "listening");
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let svc =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    req
                });
        let svc = hyper_util::service::TowerToHyperService::new(svc);
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), svc)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection closed with an error");
            }
        });
    }
    tracing::info!("shutting down: waiting for requests in flight");
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still running after the grace period; exiting");
        }
    }
    Ok(())
}
