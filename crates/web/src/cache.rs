//! Rendered page fragments of a body, valid while the body's content version (bumped by
//! database triggers on every change to its documents and catalog, whoever writes) and its
//! name are unchanged. Bounded: the least recently used fragment goes first.

use gongkai_ledger::Body;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Fragments kept at most (a few tens of KiB each).
pub const DEFAULT_CAPACITY: usize = 2_048;

struct Entry {
    version: i64,
    code: String,
    name: String,
    html: Arc<str>,
    used: AtomicU64,
}

/// See the module docs.
pub struct FragmentCache {
    entries: Mutex<HashMap<(&'static str, i64), Entry>>,
    capacity: usize,
    tick: AtomicU64,
}

impl Default for FragmentCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl FragmentCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            tick: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(&'static str, i64), Entry>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `kind` fragment of `body` rendered at `version`, if still valid.
    pub fn get(&self, kind: &'static str, body: &Body, version: i64) -> Option<Arc<str>> {
        let map = self.lock();
        let e = map.get(&(kind, body.id))?;
        if e.version != version || e.code != body.code || e.name != body.name {
            return None;
        }
        e.used
            .store(self.tick.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Some(e.html.clone())
    }

    /// Keep `html` as the `kind` fragment of `body` at `version` (read before the data it
    /// was rendered from, so a concurrent change can only make it re-render).
    pub fn put(&self, kind: &'static str, body: &Body, version: i64, html: String) -> Arc<str> {
        let html: Arc<str> = html.into();
        let mut map = self.lock();
        if map.len() >= self.capacity && !map.contains_key(&(kind, body.id)) {
            let oldest = map
                .iter()
                .min_by_key(|(_, e)| e.used.load(Ordering::Relaxed))
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        map.insert(
            (kind, body.id),
            Entry {
                version,
                code: body.code.clone(),
                name: body.name.clone(),
                html: html.clone(),
                used: AtomicU64::new(self.tick.fetch_add(1, Ordering::Relaxed)),
            },
        );
        html
    }

    /// Fragments held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_ledger::BodyKind;

    fn body(id: i64, name: &str) -> Body {
        Body {
            id,
            code: format!("b{id}"),
            name: name.into(),
            kind: BodyKind::Town,
            parent_id: None,
        }
    }

    #[test]
    fn valid_only_at_the_same_version_and_name() {
        let c = FragmentCache::new(8);
        let b = body(1, "甲镇");
        assert!(c.get("catalog", &b, 3).is_none());
        c.put("catalog", &b, 3, "<p>x</p>".into());
        assert_eq!(c.get("catalog", &b, 3).as_deref(), Some("<p>x</p>"));
        assert!(c.get("catalog", &b, 4).is_none(), "content changed");
        assert!(c.get("catalog", &body(1, "乙镇"), 3).is_none(), "renamed");
        assert!(c.get("home", &b, 3).is_none(), "another kind");
    }

    #[test]
    fn bounded_least_recently_used_goes_first() {
        let c = FragmentCache::new(2);
        let (a, b, d) = (body(1, "a"), body(2, "b"), body(3, "d"));
        c.put("catalog", &a, 1, "a".into());
        c.put("catalog", &b, 1, "b".into());
        assert!(c.get("catalog", &a, 1).is_some());
        c.put("catalog", &d, 1, "d".into());
        assert_eq!(c.len(), 2);
        assert!(
            c.get("catalog", &b, 1).is_none(),
            "b was least recently used"
        );
        assert!(c.get("catalog", &a, 1).is_some() && c.get("catalog", &d, 1).is_some());
    }
}
