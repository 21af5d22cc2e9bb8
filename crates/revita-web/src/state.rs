//! What every handler shares: the app, the templates and the map cache.

use std::sync::Arc;

use axum::extract::FromRef;
use minijinja::Environment;
use revita_app::cache::Cache;
use revita_app::{App, Topic};

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
    pub scopes: Arc<Cache<revita_app::Jurisdiction>>,
    /// Home-page alerts by data version, day and scope.
    pub(crate) alerts: Arc<Cache<crate::monitoring::HomeAlerts>>,
    /// The monitoring page's figures, map and tables, by the versions they
    /// are made from, the page's parameters, scope, language and day.
    pub(crate) monitoring_pages: Arc<Cache<crate::monitoring::MonitoringView>>,
    /// Pages published for anonymous reading.
    pub public: Arc<Vec<crate::auth::PublicPage>>,
    /// The time zone times are shown in.
    pub time_zone: revita_methods::UtcOffset,
    /// The approval number (审图号) national maps carry, when published.
    pub map_approval: Option<Arc<str>>,
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
    /// Where a viewer may read (nowhere without a viewer), computed once per
    /// change of the tree or of grants, per user.
    pub async fn visible(
        &self,
        viewer: Option<&crate::auth::Viewer>,
    ) -> revita_app::AppResult<revita_app::Jurisdiction> {
        let Some(viewer) = viewer else { return Ok(revita_app::Jurisdiction::nowhere()) };
        let versions = self.app.versions().await?;
        let key = format!("{}|{}|{}", versions.key(&SCOPE_TOPICS), viewer.actor.user_id, viewer.actor.name);
        let jurisdiction = self
            .scopes
            .get_or_compute(key, async || {
                self.app.jurisdiction(&viewer.actor, revita_methods::access::Action::Read).await
            })
            .await?;
        Ok((*jurisdiction).clone())
    }

    /// Fails unless the viewer may read the region: 403 for a region outside
    /// the jurisdiction, 404 for one that does not exist.
    pub async fn readable(
        &self,
        viewer: Option<&crate::auth::Viewer>,
        code: &revita_methods::RegionCode,
    ) -> revita_app::AppResult<revita_app::Jurisdiction> {
        let visible = self.visible(viewer).await?;
        if visible.covers(code) {
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
        visible: &revita_app::Jurisdiction,
    ) -> revita_app::AppResult<Arc<revita_app::profile::RegionProfile>> {
        let versions = self.app.versions().await?;
        let key = format!("{}|{code}|{}", versions.key(&PROFILE_TOPICS), visible.key());
        self.profiles.get_or_compute(key, async || self.app.region_profile(code, visible).await).await
    }
}

impl FromRef<WebState> for App {
    fn from_ref(state: &WebState) -> App {
        state.app.clone()
    }
}
