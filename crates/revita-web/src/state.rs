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
    pub maps: Arc<Cache<crate::maps::RenderedMap>>,
    /// Region profiles by data version and code.
    pub profiles: Arc<Cache<revita_app::profile::RegionProfile>>,
    /// Region details by data version and code.
    pub details: Arc<Cache<revita_app::query::RegionDetail>>,
    /// Pages published for anonymous reading.
    pub public: Arc<Vec<crate::auth::PublicPage>>,
}

impl WebState {
    /// A region's detail (breadcrumb, designations, pairings), computed once
    /// per data version.
    pub async fn detail(
        &self,
        code: &revita_methods::RegionCode,
    ) -> revita_app::AppResult<Arc<revita_app::query::RegionDetail>> {
        let version = self.app.store().data_version().await.map_err(revita_app::AppError::from)?;
        let key = format!("{version}|{code}");
        if let Some(detail) = self.details.get(&key) {
            return Ok(detail);
        }
        let detail = Arc::new(self.app.region_detail(code).await?);
        self.details.put(key, detail.clone());
        Ok(detail)
    }

    /// A region's profile, computed once per data version.
    pub async fn profile(
        &self,
        code: &revita_methods::RegionCode,
    ) -> revita_app::AppResult<Arc<revita_app::profile::RegionProfile>> {
        let version = self.app.store().data_version().await.map_err(revita_app::AppError::from)?;
        let key = format!("{version}|{code}");
        if let Some(profile) = self.profiles.get(&key) {
            return Ok(profile);
        }
        let profile = Arc::new(self.app.region_profile(code).await?);
        self.profiles.put(key, profile.clone());
        Ok(profile)
    }
}

impl FromRef<WebState> for App {
    fn from_ref(state: &WebState) -> App {
        state.app.clone()
    }
}

/// Derived output (rendered maps, region profiles) keyed by its parameters
/// and the store's data version: a write through any server changes the
/// version, so no server serves stale output. Bounded: cleared when it grows
/// past `MAX_ENTRIES`.
pub struct Cache<T> {
    entries: Mutex<HashMap<String, Arc<T>>>,
}

impl<T> Default for Cache<T> {
    fn default() -> Cache<T> {
        Cache { entries: Mutex::new(HashMap::new()) }
    }
}

impl<T> Cache<T> {
    const MAX_ENTRIES: usize = 1024;

    /// A cached value.
    pub fn get(&self, key: &str) -> Option<Arc<T>> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    /// Caches a value.
    pub fn put(&self, key: String, value: Arc<T>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, value);
        }
    }
}
