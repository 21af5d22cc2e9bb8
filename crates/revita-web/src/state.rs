//! What every handler shares: the app, the templates and the map cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use revita_app::Topic;
use tokio::sync::OnceCell;

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

/// The topics a region's detail (breadcrumb, designations, pairings) is made from.
const DETAIL_TOPICS: [Topic; 2] = [Topic::Regions, Topic::Designations];
/// The topics a region's profile is made from.
pub(crate) const PROFILE_TOPICS: [Topic; 4] =
    [Topic::Regions, Topic::Indicators, Topic::Observations, Topic::Designations];
/// The topics a read scope is made from (the tree and the user's grants).
const SCOPE_TOPICS: [Topic; 2] = [Topic::Regions, Topic::Access];

impl WebState {
    /// The regions a viewer may read (`None`: everywhere), computed once per
    /// change of the tree or of grants, per user.
    pub async fn visible(
        &self,
        viewer: Option<&crate::auth::Viewer>,
    ) -> revita_app::AppResult<Arc<Option<std::collections::HashSet<revita_methods::RegionCode>>>> {
        let Some(viewer) = viewer else { return Ok(Arc::new(Some(Default::default()))) };
        let versions = self.app.versions().await?;
        let key = format!("{}|{}|{}", versions.key(&SCOPE_TOPICS), viewer.actor.user_id, viewer.actor.name);
        self.scopes
            .get_or_compute(key, async || self.app.scope_set(&viewer.actor, revita_methods::access::Action::Read).await)
            .await
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
    /// per change of regions or designations.
    pub async fn detail(
        &self,
        code: &revita_methods::RegionCode,
    ) -> revita_app::AppResult<Arc<revita_app::query::RegionDetail>> {
        let versions = self.app.versions().await?;
        let key = format!("{}|{code}", versions.key(&DETAIL_TOPICS));
        self.details.get_or_compute(key, async || self.app.region_detail(code).await).await
    }

    /// A region's profile as seen within `visible`, computed once per change
    /// of what it is made from and per scope, however many ask at once.
    pub async fn profile(
        &self,
        code: &revita_methods::RegionCode,
        visible: &Option<std::collections::HashSet<revita_methods::RegionCode>>,
    ) -> revita_app::AppResult<Arc<revita_app::profile::RegionProfile>> {
        let versions = self.app.versions().await?;
        let key = format!("{}|{code}|{}", versions.key(&PROFILE_TOPICS), revita_app::auth::scope_key(visible));
        self.profiles.get_or_compute(key, async || self.app.region_profile(code, visible).await).await
    }
}

impl FromRef<WebState> for App {
    fn from_ref(state: &WebState) -> App {
        state.app.clone()
    }
}

/// Derived output (rendered maps, region profiles) keyed by its parameters
/// and the versions of the topics it is made from: a write through any
/// server changes the versions, so no server serves stale output.
///
/// Single-flight (issue 14): concurrent requests for the same key wait for
/// one computation instead of each running it — after a write, 64 readers
/// of one page used to recompute it 64 times. Bounded: the oldest entries
/// go first once it holds `MAX_ENTRIES`, and a failed computation is not
/// kept, so the next request tries again.
pub struct Cache<T> {
    entries: Mutex<Entries<T>>,
}

struct Entries<T> {
    cells: HashMap<String, Arc<OnceCell<Arc<T>>>>,
    /// Keys in the order they were first asked for.
    order: std::collections::VecDeque<String>,
}

impl<T> Default for Cache<T> {
    fn default() -> Cache<T> {
        Cache { entries: Mutex::new(Entries { cells: HashMap::new(), order: std::collections::VecDeque::new() }) }
    }
}

impl<T> Cache<T> {
    const MAX_ENTRIES: usize = 512;

    /// The cell of a key, made if new (evicting the oldest past the bound).
    fn cell(&self, key: &str) -> Arc<OnceCell<Arc<T>>> {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(cell) = entries.cells.get(key) {
            return cell.clone();
        }
        while entries.order.len() >= Self::MAX_ENTRIES {
            if let Some(oldest) = entries.order.pop_front() {
                entries.cells.remove(&oldest);
            }
        }
        let cell = Arc::new(OnceCell::new());
        entries.cells.insert(key.to_string(), cell.clone());
        entries.order.push_back(key.to_string());
        cell
    }

    /// Forgets a key whose computation failed (unless another request has
    /// filled it meanwhile).
    fn forget_failed(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.cells.get(key).is_some_and(|cell| !cell.initialized()) {
            entries.cells.remove(key);
            entries.order.retain(|k| k != key);
        }
    }

    /// The value of `key`, computed by `compute` if no one has yet; requests
    /// that arrive while it is being computed wait for that computation.
    pub async fn get_or_compute(
        &self,
        key: String,
        compute: impl AsyncFnOnce() -> revita_app::AppResult<T>,
    ) -> revita_app::AppResult<Arc<T>> {
        let cell = self.cell(&key);
        match cell.get_or_try_init(async || compute().await.map(Arc::new)).await {
            Ok(value) => Ok(value.clone()),
            Err(e) => {
                self.forget_failed(&key);
                Err(e)
            }
        }
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.cells.len())
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_requests_compute_once() {
        let cache: Cache<usize> = Cache::default();
        let runs = AtomicUsize::new(0);
        let compute = async || {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(7)
        };
        let all = futures_util::future::join_all((0..64).map(|_| cache.get_or_compute("k".into(), compute))).await;
        assert!(all.iter().all(|v| **v.as_ref().unwrap() == 7));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_computation_is_tried_again_and_the_oldest_entries_go_first() {
        let cache: Cache<usize> = Cache::default();
        let failed = cache.get_or_compute("k".into(), async || Err(revita_app::AppError::Invalid("no".into()))).await;
        assert!(failed.is_err());
        assert_eq!(*cache.get_or_compute("k".into(), async || Ok(1)).await.unwrap(), 1);
        for i in 0..Cache::<usize>::MAX_ENTRIES + 10 {
            cache.get_or_compute(format!("e{i}"), async || Ok(i)).await.unwrap();
        }
        assert_eq!(cache.len(), Cache::<usize>::MAX_ENTRIES);
        assert_eq!(*cache.get_or_compute("k".into(), async || Ok(2)).await.unwrap(), 2, "k was evicted");
    }
}
