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
    /// Read scopes by data version and user.
    pub scopes: Arc<Cache<Option<std::collections::HashSet<revita_methods::RegionCode>>>>,
    /// Home-page alerts by data version, day and scope.
    pub alerts: Arc<Cache<minijinja::Value>>,
    /// Pages published for anonymous reading.
    pub public: Arc<Vec<crate::auth::PublicPage>>,
    /// Where uploads wait between their check and their confirmation.
    pub uploads: crate::staging::Uploads,
}

impl WebState {
    /// The regions a viewer may read (`None`: everywhere), computed once per
    /// data version and user.
    pub async fn visible(
        &self,
        viewer: Option<&crate::auth::Viewer>,
    ) -> revita_app::AppResult<Arc<Option<std::collections::HashSet<revita_methods::RegionCode>>>> {
        let Some(viewer) = viewer else { return Ok(Arc::new(Some(Default::default()))) };
        let version = self.app.store().data_version().await.map_err(revita_app::AppError::from)?;
        let key = format!("{version}|{}|{}", viewer.actor.user_id, viewer.actor.name);
        if let Some(scope) = self.scopes.get(&key) {
            return Ok(scope);
        }
        let scope = Arc::new(self.app.scope_set(&viewer.actor, revita_methods::access::Action::Read).await?);
        self.scopes.put(key, scope.clone());
        Ok(scope)
    }

    /// Fails unless the viewer may read the region: 403 for a region outside
    /// the jurisdiction, 404 for one that does not exist.
    pub async fn readable(
        &self,
        viewer: Option<&crate::auth::Viewer>,
        code: &revita_methods::RegionCode,
    ) -> revita_app::AppResult<Arc<Option<std::collections::HashSet<revita_methods::RegionCode>>>> {
        let visible = self.visible(viewer).await?;
        if revita_app::auth::sees(&visible, code) {
            return Ok(visible);
        }
        // Region codes are public (GB/T 2260); the data behind them is not.
        self.app.region(code).await?;
        Err(revita_app::AppError::Forbidden(format!("region {code} is outside your jurisdiction")))
    }

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

    /// A region's profile as seen within `visible`, computed once per data
    /// version and scope.
    pub async fn profile(
        &self,
        code: &revita_methods::RegionCode,
        visible: &Option<std::collections::HashSet<revita_methods::RegionCode>>,
    ) -> revita_app::AppResult<Arc<revita_app::profile::RegionProfile>> {
        let version = self.app.store().data_version().await.map_err(revita_app::AppError::from)?;
        let key = format!("{version}|{code}|{}", revita_app::auth::scope_key(visible));
        if let Some(profile) = self.profiles.get(&key) {
            return Ok(profile);
        }
        let profile = Arc::new(self.app.region_profile(code, visible).await?);
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
