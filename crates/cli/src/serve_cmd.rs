//! `gongkai serve`: the web platform on SQLite in the data dir (or PostgreSQL via DATABASE_URL).

use anyhow::{Context, Result};
use clap::Args;
use gongkai_store::{Clock, Store, StoreConfig};
use gongkai_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Data directory (SQLite database, search index, session key).
    #[arg(long, env = "GONGKAI_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// Load the demo data set (广州市 → 南沙区 → 黄阁镇 …) into an empty database.
    #[arg(long)]
    pub demo: bool,
    /// Site name shown in the header.
    #[arg(long, default_value = "政府信息公开平台")]
    pub site_name: String,
    /// Mark cookies Secure (when served behind TLS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Reverse proxies whose X-Forwarded-For is believed (comma-separated CIDRs or
    /// addresses, e.g. 127.0.0.1,10.0.0.0/8): the client is the rightmost untrusted hop.
    #[arg(long, env = "GONGKAI_TRUSTED_PROXIES", value_delimiter = ',', value_parser = trusted_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Extra allowed origin for form posts (repeatable), e.g. https://gk.example.gov.cn
    #[arg(long = "allow-origin")]
    pub allowed_origins: Vec<String>,
    /// Run as if today were this date (Beijing), for trainings and reproducible demos.
    #[arg(long, env = "GONGKAI_TODAY", value_parser = crate::calendar_cmd::date_arg)]
    pub today: Option<time::Date>,
}

fn trusted_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let mut v = gongkai_web::security::parse_trusted_proxies(s)?;
    v.pop()
        .ok_or_else(|| "空的代理地址 (empty proxy address)".to_string())
}

pub fn run(a: ServeArgs) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(serve(a))
}

async fn serve(a: ServeArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&a.data).with_context(|| {
        format!(
            "无法创建数据目录 {} (cannot create the data dir)",
            a.data.display()
        )
    })?;
    let config = StoreConfig::from_env(Some(&a.data));
    let store = Store::open(&config)
        .await
        .with_context(|| format!("无法打开数据库 {}", config.describe()))?;
    let store = store.with_calendar(crate::calendar_cmd::load_calendar(&a.data)?);
    let clock = a.today.map_or(Clock::System, Clock::fixed_on);
    if a.demo {
        eprintln!("正在载入演示数据 (loading the demo data) …");
        if gongkai_web::demo::seed(&store, clock)
            .await
            .context("演示数据载入失败 (demo seeding failed)")?
        {
            eprintln!(
                "演示数据已载入。工作人员账号：clerk / reviewer / nansha / admin，密码 gongkai-demo"
            );
        } else {
            eprintln!("数据库已有数据，未重复载入演示数据。");
        }
    }
    // A notice imported while the server was down changes deadlines: bring them up to date.
    let changed = store
        .recompute_deadlines(clock.today(), "system", "启动时按当前节假日安排核对")
        .await
        .context("答复期限重新计算失败 (cannot recompute deadlines)")?;
    if !changed.is_empty() {
        eprintln!(
            "已按当前节假日安排重新计算{}件在办申请的答复期限 (deadlines recomputed)",
            changed.len()
        );
    }
    let index_dir = a.data.join("search-index");
    let search = gongkai_search::SearchIndex::open(&index_dir)
        .with_context(|| format!("无法打开检索索引 {}", index_dir.display()))?;
    let secret =
        gongkai_web::app::load_secret(&a.data).context("无法读取会话密钥 (session key)")?;
    let web = WebConfig {
        listen: a.listen,
        data_dir: a.data.clone(),
        site_name: a.site_name,
        secure_cookies: a.secure_cookies,
        allowed_origins: a.allowed_origins,
        trusted_proxies: a.trusted_proxies,
        font_dir: std::env::var_os("GONGKAI_FONT_DIRS").map(PathBuf::from),
        clock,
    };
    let state = AppState::new(store, search, secret, web);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(gongkai_web::serve(state, Some(tx)));
    if let Ok(addr) = rx.await {
        eprintln!("Gongkai 已启动：http://{addr}  ({})", config.describe());
    }
    server
        .await
        .context("server task failed")?
        .context("server error")?;
    Ok(ExitCode::SUCCESS)
}
