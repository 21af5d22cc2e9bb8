//! What every handler shares: the app, the templates and the map cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use minijinja::Environment;
use revita_app::App;

/// Shared state of the web server. Cheap to clone.
#[derive(Clone)]
pub struct WebState {
    /// The use cases.
    pub app: App,
    /// The compiled templates.
    pub templates: Arc<Environment<'static>>,
    /// Rendered maps by key (see `maps.rs`).
    pub maps: Arc<MapCache>,
}

impl FromRef<WebState> for App {
    fn from_ref(state: &WebState) -> App {
        state.app.clone()
    }
}

/// Rendered map SVGs keyed by their parameters and the store's data version:
/// a write through any server changes the version, so no server serves a
/// stale map. Bounded: it is cleared when it grows past `MAX_ENTRIES`.
#[derive(Default)]
pub struct MapCache {
    entries: Mutex<HashMap<String, Arc<crate::maps::RenderedMap>>>,
}

impl MapCache {
    const MAX_ENTRIES: usize = 512;

    /// A cached map.
    pub fn get(&self, key: &str) -> Option<Arc<crate::maps::RenderedMap>> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    /// Caches a map.
    pub fn put(&self, key: String, map: Arc<crate::maps::RenderedMap>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, map);
        }
    }
}
