//! Live updates of the hall displays: a `tokio::sync::broadcast` fan-out per hall inside
//! the node. A write (take, call, finish …) marks its hall dirty *after its transaction
//! committed*; one task per hall then reads the display state once and sends it to every
//! connected display, however many writes came in meanwhile (they are coalesced). New calls
//! are found by comparing the recent calls with the previous state, so the same task also
//! announces calls made on another node: it re-reads the state every [`POLL`] — the
//! multi-node fallback, a poll of the database. Writes within [`COALESCE`] of each other
//! cost one read.

use super::views::{DisplayState, RECENT_CALLS, display_state_with};
use crate::app::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};

/// How often a hall with displays re-reads its state without a local write (changes made by
/// other nodes appear within this time).
pub const POLL: Duration = Duration::from_secs(2);

/// Calls compared between two updates: more calls than this between two reads of the state
/// would go unannounced (eight windows calling a few times each between two reads).
const CALLS_COMPARED: i64 = 48;

/// After a write, how long the task waits for more writes before it reads the state once
/// for all of them (bounds the reads under load; adds at most this to the display latency).
pub const COALESCE: Duration = Duration::from_millis(40);

/// One update sent to the displays.
#[derive(Debug, Clone)]
pub struct HallEvent {
    /// Monotonic per hall and process (the SSE event id).
    pub id: u64,
    /// The state, with the calls made since the previous event.
    pub state: DisplayState,
    /// `state` as JSON, serialised once for every display.
    pub json: Arc<str>,
}

struct Channel {
    tx: broadcast::Sender<Arc<HallEvent>>,
    dirty: Arc<Notify>,
}

/// How long a hall's configuration (services, windows) is reused without reading it again
/// (a change by `gongkai hall` shows within this time).
pub const CONFIG_TTL: Duration = Duration::from_secs(2);

type Config = (
    std::time::Instant,
    gongkai_ledger::Body,
    gongkai_store::queue::Hall,
);

/// The per-hall fan-outs of this node, and a short-lived cache of hall configurations.
#[derive(Default)]
pub struct Hub {
    halls: Mutex<HashMap<i64, Channel>>,
    configs: Mutex<HashMap<String, Config>>,
}

impl Hub {
    /// The body and hall of `code` if read less than [`CONFIG_TTL`] ago.
    pub fn cached(&self, code: &str) -> Option<(gongkai_ledger::Body, gongkai_store::queue::Hall)> {
        let m = self.configs.lock().ok()?;
        m.get(code)
            .filter(|(at, _, _)| at.elapsed() < CONFIG_TTL)
            .map(|(_, b, h)| (b.clone(), h.clone()))
    }

    /// Remember the body and hall of `code`.
    pub fn remember(
        &self,
        code: &str,
        body: &gongkai_ledger::Body,
        hall: &gongkai_store::queue::Hall,
    ) {
        if let Ok(mut m) = self.configs.lock() {
            m.insert(
                code.to_string(),
                (std::time::Instant::now(), body.clone(), hall.clone()),
            );
        }
    }

    /// Mark a hall changed (after the transaction committed).
    pub fn notify(&self, hall_id: i64) {
        if let Ok(m) = self.halls.lock()
            && let Some(c) = m.get(&hall_id)
        {
            c.dirty.notify_one();
        }
    }

    /// Subscribe to a hall's updates, starting its task on first use (with the state read
    /// now, so that the first call after this is announced).
    pub async fn subscribe(
        &self,
        st: &AppState,
        body_code: &str,
        hall_id: i64,
    ) -> broadcast::Receiver<Arc<HallEvent>> {
        if let Some(rx) = self.existing(hall_id) {
            return rx;
        }
        let initial = display_state_with(st, body_code, hall_id, CALLS_COMPARED)
            .await
            .ok();
        let mut m = match self.halls.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if let Some(c) = m.get(&hall_id) {
            return c.tx.subscribe();
        }
        let (tx, rx) = broadcast::channel(256);
        let dirty = Arc::new(Notify::new());
        m.insert(
            hall_id,
            Channel {
                tx: tx.clone(),
                dirty: dirty.clone(),
            },
        );
        tokio::spawn(run(
            st.clone(),
            body_code.to_string(),
            hall_id,
            tx,
            dirty,
            initial,
        ));
        rx
    }

    fn existing(&self, hall_id: i64) -> Option<broadcast::Receiver<Arc<HallEvent>>> {
        let m = self.halls.lock().ok()?;
        m.get(&hall_id).map(|c| c.tx.subscribe())
    }
}

type CallKey = (String, u32, String, u32);

fn call_key(c: &super::views::CallLine) -> CallKey {
    (c.number.clone(), c.window, c.at.clone(), c.recalls)
}

async fn run(
    st: AppState,
    body_code: String,
    hall_id: i64,
    tx: broadcast::Sender<Arc<HallEvent>>,
    dirty: Arc<Notify>,
    initial: Option<DisplayState>,
) {
    let mut id = 0u64;
    // The state the displays have (read before the first subscriber got its receiver).
    let mut previous: Option<DisplayState> = initial;
    loop {
        let written = tokio::select! {
            _ = dirty.notified() => true,
            _ = tokio::time::sleep(POLL) => false,
        };
        // Without displays only writes are followed (so that a display connecting later is
        // not sent stale calls); the poll runs while someone watches.
        if !written && tx.receiver_count() == 0 {
            continue;
        }
        if written {
            tokio::time::sleep(COALESCE).await;
        }
        let mut state = match display_state_with(&st, &body_code, hall_id, CALLS_COMPARED).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, hall_id, "hall display state failed");
                continue;
            }
        };
        if let Some(prev) = &previous {
            let seen: std::collections::HashSet<CallKey> =
                prev.recent.iter().map(call_key).collect();
            state.calls = state
                .recent
                .iter()
                .filter(|c| !seen.contains(&call_key(c)))
                .rev()
                .cloned()
                .collect();
            if state.calls.is_empty() && prev.same_screen(&state) {
                continue;
            }
        }
        id += 1;
        previous = Some(state.clone());
        if tx.receiver_count() == 0 {
            continue;
        }
        state.recent.truncate(RECENT_CALLS as usize);
        let json: Arc<str> = match serde_json::to_string(&state) {
            Ok(j) => j.into(),
            Err(_) => continue,
        };
        let _ = tx.send(Arc::new(HallEvent { id, state, json }));
    }
}
