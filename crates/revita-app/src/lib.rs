//! revita's use cases, shared by the web server and the CLI: imports that
//! are all-or-nothing, region and indicator queries, roll-ups with coverage,
//! exports, and the demo dataset. Each use case loads through the
//! [`Store`](revita_store::Store), calls `revita-methods`, and saves.

pub mod allocate;
pub mod auth;
pub mod batch;
pub mod brief;
pub mod brief_document;
pub mod cache;
pub mod cases;
pub mod clock;
pub mod demo;
pub mod designate;
pub mod disaster_report;
pub mod disasters;
pub mod eco;
pub mod error;
pub mod export;
pub mod iati;
pub mod import;
pub mod jurisdiction;
pub mod ledger;
pub mod maps;
pub mod plan_document;
pub mod plans;
pub mod profile;
pub mod query;
pub mod registry;
pub mod relief;
pub mod relocation;
pub mod report;
pub mod resource_cities;
pub mod sae;
pub mod scheme;
pub mod scratch;
pub mod screen;
pub mod specs;
pub mod subsidence;

use std::sync::Arc;

use revita_methods::region::CodeScheme;
use revita_store::DynStore;

pub use error::{AppError, AppResult};
pub use jurisdiction::Jurisdiction;
pub use report::ImportReport;
pub use revita_store::SavedSpec;
/// Store types that cross into the web and CLI layers, so they need not
/// depend on the store crate.
pub use revita_store::security::AuditFilter;
pub use revita_store::{Backend, DatabaseUrl, ObservationKey, ObservationQuery, RegionSet, Topic, Versions};
pub use scheme::Profile;

/// The application: a store and the code scheme its regions follow.
#[derive(Clone)]
pub struct App {
    store: DynStore,
    scheme: Arc<dyn CodeScheme + Send + Sync>,
    /// Peer distributions (an indicator's values across a level for a
    /// period), shared by every region page at that level: computed once per
    /// change of observations or regions.
    peers: Arc<cache::Cache<Vec<f64>>>,
}

impl App {
    /// An app over `store` whose regions follow `profile`.
    pub fn new(store: DynStore, profile: &Profile) -> App {
        App { store, scheme: profile.scheme(), peers: Arc::default() }
    }

    /// The store: private to the use cases, which check who may read and
    /// change what (issue 15). Callers above go through `App`'s methods.
    pub(crate) fn store(&self) -> &DynStore {
        &self.store
    }

    /// The store, for tests that look behind the use cases at what was
    /// written (built only with the `test-support` feature).
    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn test_store(&self) -> &DynStore {
        &self.store
    }

    /// The version of every topic of stored data, in one query: caches of
    /// derived output key on the topics they are made from.
    pub async fn versions(&self) -> AppResult<Versions> {
        Ok(self.store.versions().await?)
    }

    /// The code scheme.
    pub fn scheme(&self) -> &(dyn CodeScheme + Send + Sync) {
        self.scheme.as_ref()
    }
}
