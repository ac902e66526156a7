//! `gongkai hall`: configure a body's service hall (政务服务大厅) — create it, add services
//! and windows or import the whole configuration from a JSON file — show it, and run the
//! daily reset by hand.

use crate::ledger_cmd::DataArgs;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use gongkai_ledger::queue::{OrderPolicy, PriorityClass};
use gongkai_store::queue::{HallConfig, HallService, HallWindow};
use gongkai_store::{Store, StoreConfig};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum HallCmd {
    /// Create a body's hall, or rename it (services and windows are kept).
    Create {
        /// Body code.
        #[arg(long)]
        body: String,
        /// Name of the hall (e.g. 黄阁镇政务服务中心).
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Replace the hall's configuration by a JSON file: {"name", "services": [{"code",
    /// "prefix", "name", "item_code", "policy": {"kind": "strict_priority"}}], "windows":
    /// [{"number", "name", "services": ["SB"], "dedicated_for": ["老年人"]}]}.
    Import {
        /// Body code.
        #[arg(long)]
        body: String,
        /// The JSON file (as printed by `gongkai hall show`).
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the hall's configuration as JSON (the format `import` reads).
    Show {
        /// Body code.
        #[arg(long)]
        body: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Add a service (业务类型) or replace the one with the same code.
    Service {
        /// Body code.
        #[arg(long)]
        body: String,
        /// Short code, unique in the hall (SB).
        #[arg(long)]
        code: String,
        /// Ticket prefix letter A–Z.
        #[arg(long)]
        prefix: char,
        /// Name on the kiosk (社会保险).
        #[arg(long)]
        name: String,
        /// Code of the service item (办事指南) it handles.
        #[arg(long, default_value = "")]
        item: String,
        /// Ordering: strict, interleave:N (N normal per priority), weighted:M (priority counts
        /// M minutes more waiting), dedicated (priority at the 专责 window).
        #[arg(long, default_value = "strict")]
        policy: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Add a window or replace the one with the same number.
    Window {
        /// Body code.
        #[arg(long)]
        body: String,
        /// Window number.
        #[arg(long)]
        number: u32,
        /// Name (老人社保优待卡专责窗口).
        #[arg(long)]
        name: String,
        /// Service codes it serves, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        services: Vec<String>,
        /// Priority classes it is the 专责 window for (老年人, 残疾人, 军人, 预约), comma-separated.
        #[arg(long, value_delimiter = ',')]
        dedicated: Vec<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Close the tickets left open from earlier days as 过号 (未办理); also happens by itself
    /// on the first operation of a day.
    Reset {
        /// Body code.
        #[arg(long)]
        body: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Parse `strict`, `interleave:N`, `weighted:M`, `dedicated`.
pub fn parse_policy(s: &str) -> Result<OrderPolicy> {
    let s = s.trim();
    let (kind, n) = match s.split_once(':') {
        Some((k, n)) => (k, Some(n.trim().parse::<u32>().context("policy number")?)),
        None => (s, None),
    };
    Ok(match (kind, n) {
        ("strict", None) => OrderPolicy::StrictPriority,
        ("interleave", Some(n)) => OrderPolicy::Interleave {
            normal_per_priority: n,
        },
        ("weighted", Some(m)) => OrderPolicy::WeightedWait {
            priority_bonus_minutes: m,
        },
        ("dedicated", None) => OrderPolicy::DedicatedWindowOnly,
        _ => bail!("unknown policy `{s}` (strict, interleave:N, weighted:M, dedicated)"),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("无法启动异步运行时 (cannot start the async runtime)")
}

async fn open(data: &DataArgs) -> Result<Store> {
    let config = StoreConfig::from_env(data.data.as_deref());
    Store::open(&config)
        .await
        .with_context(|| format!("cannot open {}", config.describe()))
}

async fn current(store: &Store, body_id: i64, code: &str) -> Result<HallConfig> {
    let hall = store.hall_of_body(body_id).await?.with_context(|| {
        format!("机关 {code} 还没有服务大厅，请先 gongkai hall create (no hall yet)")
    })?;
    Ok(HallConfig {
        name: hall.name,
        services: hall.services,
        windows: hall.windows,
    })
}

/// Run `gongkai hall`.
pub fn run(cmd: HallCmd) -> Result<ExitCode> {
    runtime()?.block_on(async move {
        let actor = crate::cli_actor();
        match cmd {
            HallCmd::Create { body, name, data } => {
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let mut cfg = match store.hall_of_body(b.id).await? {
                    Some(_) => current(&store, b.id, &body).await?,
                    None => HallConfig {
                        name: String::new(),
                        services: Vec::new(),
                        windows: Vec::new(),
                    },
                };
                cfg.name = name;
                let h = store.hall_configure(b.id, &cfg, &actor).await?;
                println!(
                    "服务大厅 (hall) {}：{} 项业务，{} 个窗口",
                    h.name,
                    h.services.len(),
                    h.windows.len()
                );
            }
            HallCmd::Import { body, file, data } => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let cfg: HallConfig = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a hall configuration", file.display()))?;
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let h = store.hall_configure(b.id, &cfg, &actor).await?;
                println!(
                    "已导入 (imported) {}：{} 项业务，{} 个窗口",
                    h.name,
                    h.services.len(),
                    h.windows.len()
                );
            }
            HallCmd::Show { body, data } => {
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let cfg = current(&store, b.id, &body).await?;
                println!("{}", serde_json::to_string_pretty(&cfg)?);
            }
            HallCmd::Service {
                body,
                code,
                prefix,
                name,
                item,
                policy,
                data,
            } => {
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let mut cfg = current(&store, b.id, &body).await?;
                let s = HallService {
                    code: code.trim().to_string(),
                    prefix,
                    name,
                    item_code: item,
                    policy: parse_policy(&policy)?,
                };
                match cfg.services.iter_mut().find(|x| x.code == s.code) {
                    Some(x) => *x = s,
                    None => cfg.services.push(s),
                }
                let h = store.hall_configure(b.id, &cfg, &actor).await?;
                println!(
                    "业务 (service) {code} 已保存；共 {} 项业务",
                    h.services.len()
                );
            }
            HallCmd::Window {
                body,
                number,
                name,
                services,
                dedicated,
                data,
            } => {
                let dedicated_for = dedicated
                    .iter()
                    .map(|c| {
                        PriorityClass::parse(c)
                            .filter(|c| c.is_priority())
                            .with_context(|| {
                                format!("unknown priority class `{c}` (老年人, 残疾人, 军人, 预约)")
                            })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let mut cfg = current(&store, b.id, &body).await?;
                let w = HallWindow {
                    number,
                    name,
                    services: services.iter().map(|s| s.trim().to_string()).collect(),
                    dedicated_for,
                };
                match cfg.windows.iter_mut().find(|x| x.number == number) {
                    Some(x) => *x = w,
                    None => cfg.windows.push(w),
                }
                cfg.windows.sort_by_key(|w| w.number);
                let h = store.hall_configure(b.id, &cfg, &actor).await?;
                println!("{number}号窗口已保存；共 {} 个窗口", h.windows.len());
            }
            HallCmd::Reset { body, data } => {
                let store = open(&data).await?;
                let b = store.get_body_by_code(&body).await?;
                let hall = store
                    .hall_of_body(b.id)
                    .await?
                    .with_context(|| format!("机关 {body} 没有服务大厅 (no hall)"))?;
                let now = gongkai_store::Clock::System.now();
                let n = store.hall_reset(hall.id, now, &actor).await?;
                println!("日终清理 (daily reset)：{n} 个未办理的号按过号关闭");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse() {
        assert_eq!(parse_policy("strict").unwrap(), OrderPolicy::StrictPriority);
        assert_eq!(
            parse_policy("interleave:2").unwrap(),
            OrderPolicy::Interleave {
                normal_per_priority: 2
            }
        );
        assert_eq!(
            parse_policy("weighted:15").unwrap(),
            OrderPolicy::WeightedWait {
                priority_bonus_minutes: 15
            }
        );
        assert!(parse_policy("fifo").is_err());
    }
}
