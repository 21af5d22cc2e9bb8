//! revita's storage: one [`Store`] interface with two implementations,
//! SQLite (the embedded default) and PostgreSQL (production, many users and
//! stateless app servers). Each back end owns its migrations under
//! `migrations/{sqlite,postgres}/`; one conformance suite (`tests/it`) runs
//! every store test against both.
//!
//! Rows are mapped to `revita-methods` domain types here and nowhere else;
//! back-end error codes are translated into [`StoreError`] here and nowhere
//! else. Bulk paths are bulk: observations load through multi-row prepared
//! inserts in one transaction on SQLite and through `COPY` on PostgreSQL.

mod database_url;
mod migrate;
pub mod plans;
mod postgres;
mod rows;
pub mod security;
mod sql;

mod common;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use revita_methods::{
    CodeRecord, Designation, DesignationCategory, Indicator, IndicatorCode, Observation, Region, RegionCode,
};

pub use database_url::DatabaseUrl;
pub use plans::PlanStore;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// An observation with this key is already stored (or loaded twice).
    #[error("observation ({indicator}, {region}, {period}) already exists")]
    DuplicateObservation {
        /// Indicator code.
        indicator: String,
        /// Region code.
        region: String,
        /// Period.
        period: String,
    },
    /// Another write conflicts with this one.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL is not usable.
    #[error("invalid database url: {0}")]
    InvalidUrl(String),
    /// Anything else from the database driver.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// An optimistic-locking refusal: `what` changed after the caller read it
    /// at `version` (someone else's write won; the caller reloads).
    pub(crate) fn stale(what: impl std::fmt::Display, version: i64) -> StoreError {
        StoreError::Conflict(format!("{what} was changed since version {version}; reload it and try again"))
    }
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which back end a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// How a bulk load treats keys that are already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadMode {
    /// A stored key is an error; the whole load is rolled back.
    #[default]
    InsertOnly,
    /// Stored keys take the loaded values. Keys repeated within the load are
    /// still an error.
    Replace,
}

/// A region's boundary as GeoJSON geometry text (lon/lat, WGS 84).
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// The region.
    pub region: RegionCode,
    /// A GeoJSON `Polygon` or `MultiPolygon` geometry object.
    pub geojson: String,
    /// Where the geometry comes from.
    pub source: Option<String>,
}

/// Filters for reading observations; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ObservationQuery {
    /// One indicator.
    pub indicator: Option<IndicatorCode>,
    /// One region.
    pub region: Option<RegionCode>,
    /// Children of this region.
    pub parent: Option<RegionCode>,
    /// Regions at this level.
    pub level: Option<String>,
    /// One period, canonical text (`2020`, `2020Q1`, `2020-03`).
    pub period: Option<String>,
}

/// The sort key of observations, for keyset pagination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservationKey {
    /// Indicator code.
    pub indicator: String,
    /// Region code.
    pub region: String,
    /// Period.
    pub period: String,
}

/// Counts of what a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    /// Regions by level.
    pub regions_by_level: Vec<(String, i64)>,
    /// Regions with a boundary.
    pub boundaries: i64,
    /// Indicator definitions.
    pub indicators: i64,
    /// Observations.
    pub observations: i64,
    /// Designations, ended ones included.
    pub designations: i64,
    /// Codes in the code history.
    pub history_codes: i64,
}

/// A bulk load of observations in progress: one transaction that either
/// commits whole or leaves the store as it was.
#[async_trait]
pub trait ObservationLoad: Send {
    /// Writes a batch. On a key conflict the error names the key, and the
    /// load must be rolled back.
    async fn write(&mut self, batch: Vec<Observation>) -> StoreResult<()>;
    /// Commits everything written; returns the number of rows loaded.
    async fn commit(self: Box<Self>) -> StoreResult<u64>;
    /// Discards everything written.
    async fn rollback(self: Box<Self>) -> StoreResult<()>;
}

/// The storage interface every back end implements. All writes that take a
/// slice are atomic: all rows or none.
#[async_trait]
pub trait Store: plans::PlanStore + Send + Sync {
    /// Which back end this is.
    fn backend(&self) -> Backend;

    /// Applies pending migrations; safe to call from several servers at once.
    async fn migrate(&self) -> StoreResult<()>;

    /// Checks the connection (for `/health`).
    async fn ping(&self) -> StoreResult<()>;

    /// Inserts or updates regions by code.
    async fn upsert_regions(&self, regions: &[Region]) -> StoreResult<u64>;
    /// One region.
    async fn region(&self, code: &RegionCode) -> StoreResult<Option<Region>>;
    /// Every region (to build the hierarchy).
    async fn regions(&self) -> StoreResult<Vec<Region>>;
    /// Every region at a level, ordered by code.
    async fn regions_at_level(&self, level: &str) -> StoreResult<Vec<Region>>;
    /// Children of a region, ordered by code.
    async fn children(&self, code: &RegionCode) -> StoreResult<Vec<Region>>;
    /// Ancestors of a region, root first (empty for a root or an unknown code).
    async fn ancestors(&self, code: &RegionCode) -> StoreResult<Vec<Region>>;
    /// Descendants of a region (all, or at one level), ordered by code.
    async fn descendants(&self, code: &RegionCode, level: Option<&str>) -> StoreResult<Vec<Region>>;
    /// Regions whose code equals or whose Chinese or English name contains
    /// `query`; exact codes first, then higher levels (shorter codes).
    async fn search_regions(&self, query: &str, limit: i64) -> StoreResult<Vec<Region>>;

    /// Inserts or replaces boundaries.
    async fn upsert_boundaries(&self, boundaries: &[Boundary]) -> StoreResult<u64>;
    /// Whether a region has a boundary (without reading it).
    async fn has_boundary(&self, code: &RegionCode) -> StoreResult<bool>;
    /// One region's boundary.
    async fn boundary(&self, code: &RegionCode) -> StoreResult<Option<Boundary>>;
    /// Boundaries of every region at a level.
    async fn boundaries_at_level(&self, level: &str) -> StoreResult<Vec<Boundary>>;

    /// Inserts or updates indicator definitions by code.
    async fn upsert_indicators(&self, indicators: &[Indicator]) -> StoreResult<u64>;
    /// Every indicator, ordered by code.
    async fn indicators(&self) -> StoreResult<Vec<Indicator>>;
    /// One indicator.
    async fn indicator(&self, code: &IndicatorCode) -> StoreResult<Option<Indicator>>;

    /// Starts a bulk load of observations.
    async fn begin_observation_load(&self, mode: LoadMode) -> StoreResult<Box<dyn ObservationLoad>>;
    /// Observations matching `query`, ordered by (indicator, region,
    /// period), after `after` and at most `limit` of them.
    async fn observations(
        &self,
        query: &ObservationQuery,
        after: Option<&ObservationKey>,
        limit: i64,
    ) -> StoreResult<Vec<Observation>>;
    /// Distinct periods with observations of an indicator, ascending.
    async fn periods(&self, indicator: &IndicatorCode) -> StoreResult<Vec<String>>;

    /// Adds designations; one with the same region, category and start
    /// replaces the stored one (a corrected list), others are kept as history.
    async fn upsert_designations(&self, designations: &[Designation]) -> StoreResult<u64>;
    /// Designations of a region, current and ended, latest start first.
    async fn designations_of(&self, region: &RegionCode) -> StoreResult<Vec<Designation>>;
    /// Designations of one category, or all, ordered by region.
    async fn designations(&self, category: Option<&DesignationCategory>) -> StoreResult<Vec<Designation>>;

    /// Adds pairings; one with the same programme, donor and recipient
    /// replaces the stored one.
    /// Commits an official list, its members (region and class) and the
    /// designations it makes or ends, in one transaction; returns the list's
    /// number.
    async fn commit_designation_list(
        &self,
        list: &revita_methods::DesignationList,
        members: &[(RegionCode, String)],
        designations: &[Designation],
    ) -> StoreResult<i64>;
    /// A committed list's members (region and class), by region code.
    async fn designation_list_members(&self, list: i64) -> StoreResult<Vec<(RegionCode, String)>>;
    /// Committed lists (of a category), oldest first.
    async fn designation_lists(
        &self,
        category: Option<&DesignationCategory>,
    ) -> StoreResult<Vec<revita_methods::DesignationList>>;

    /// Writes monitoring lines, replacing those of the same region and year.
    async fn upsert_monitoring_lines(&self, lines: &[revita_methods::monitoring::MonitoringLine]) -> StoreResult<u64>;
    /// Monitoring lines (of a year), by year and region.
    async fn monitoring_lines(&self, year: Option<i32>)
    -> StoreResult<Vec<revita_methods::monitoring::MonitoringLine>>;

    /// Writes households to the monitoring registry in one transaction,
    /// replacing those with the same id.
    async fn upsert_households(
        &self,
        households: &[revita_methods::monitoring::RegisteredHousehold],
    ) -> StoreResult<u64>;
    /// Every household of the registry, by id.
    async fn households(&self) -> StoreResult<Vec<revita_methods::monitoring::RegisteredHousehold>>;
    /// Streams every household of the registry through `visit`, row by row,
    /// so that screening a national registry holds no more than one row;
    /// returns how many there were.
    async fn for_each_household(
        &self,
        visit: &mut (dyn FnMut(revita_methods::monitoring::RegisteredHousehold) + Send),
    ) -> StoreResult<u64>;
    /// One household of the registry.
    async fn household(&self, id: &str) -> StoreResult<Option<revita_methods::monitoring::RegisteredHousehold>>;

    /// A household's version, which every change to it or its members
    /// raises (optimistic locking of edits).
    async fn household_version(&self, id: &str) -> StoreResult<Option<i64>>;
    /// Writes an edit of a household's record if it is still at `version`
    /// (`Conflict` otherwise); returns the new version. The village and the
    /// personal identifiers are not edited here.
    async fn update_household(
        &self,
        household: &revita_methods::monitoring::RegisteredHousehold,
        version: i64,
    ) -> StoreResult<i64>;
    /// Replaces the members of each listed household, in one transaction.
    async fn replace_members(&self, members: &[(String, Vec<revita_methods::registry::Member>)]) -> StoreResult<u64>;
    /// Replaces one household's members if the household is still at
    /// `version` (`Conflict` otherwise); returns the new version.
    async fn replace_household_members(
        &self,
        household_id: &str,
        members: &[revita_methods::registry::Member],
        version: i64,
    ) -> StoreResult<i64>;
    /// A household's members, by number.
    async fn members(&self, household_id: &str) -> StoreResult<Vec<revita_methods::registry::Member>>;

    /// Opens a case with its first event, in one transaction; returns its number.
    async fn open_case(
        &self,
        case: &revita_methods::monitoring::Case,
        first: &revita_methods::monitoring::CaseEvent,
    ) -> StoreResult<i64>;
    /// Moves a case to the event's step if it is still at `version`
    /// (`Conflict` otherwise: someone moved it meanwhile), recording the event.
    async fn move_case(&self, id: i64, version: i64, event: &revita_methods::monitoring::CaseEvent) -> StoreResult<()>;
    /// One case.
    async fn case(&self, id: i64) -> StoreResult<Option<revita_methods::monitoring::Case>>;
    /// Every case, by number.
    async fn cases(&self) -> StoreResult<Vec<revita_methods::monitoring::Case>>;
    /// The cases of one household, by number.
    async fn cases_of_household(&self, household_id: &str) -> StoreResult<Vec<revita_methods::monitoring::Case>>;
    /// A case's events, oldest first.
    async fn case_events(&self, id: i64) -> StoreResult<Vec<revita_methods::monitoring::CaseEvent>>;
    /// Records (or corrects) a case's income check for a day.
    async fn record_income_check(&self, id: i64, check: &revita_methods::monitoring::IncomeCheck) -> StoreResult<()>;
    /// Records an assistance measure of a case.
    async fn add_measure(&self, case_id: i64, measure: &revita_methods::monitoring::Measure) -> StoreResult<()>;
    /// A case's measures, in the order recorded.
    async fn measures(&self, case_id: i64) -> StoreResult<Vec<revita_methods::monitoring::Measure>>;
    /// A case's income checks, oldest first.
    async fn income_checks(&self, id: i64) -> StoreResult<Vec<revita_methods::monitoring::IncomeCheck>>;

    async fn upsert_pairings(&self, pairings: &[revita_methods::Pairing]) -> StoreResult<u64>;
    /// Pairings in which a region is donor or recipient.
    async fn pairings_of(&self, region: &RegionCode) -> StoreResult<Vec<revita_methods::Pairing>>;

    /// Replaces the whole code history.
    async fn replace_code_history(&self, records: &[CodeRecord]) -> StoreResult<u64>;
    /// The whole code history.
    async fn code_history(&self) -> StoreResult<Vec<CodeRecord>>;

    /// Counts of what the store holds.
    async fn inventory(&self) -> StoreResult<Inventory>;

    /// A number that changes with every committed write, for cache keys.
    async fn data_version(&self) -> StoreResult<i64>;

    /// Creates a user; a taken name is a conflict.
    async fn create_user(&self, name: &str, password_hash: &str, now: i64) -> StoreResult<security::User>;
    /// A user by login name.
    async fn user_by_name(&self, name: &str) -> StoreResult<Option<security::User>>;
    /// A user by id.
    async fn user(&self, id: i64) -> StoreResult<Option<security::User>>;
    /// Every user, by name.
    async fn users(&self) -> StoreResult<Vec<security::User>>;
    /// Saves a user's password hash and flags if `user.version` is still the
    /// stored version (else a conflict: someone changed it meanwhile);
    /// returns the user as stored, with its new version.
    async fn update_user(&self, user: &security::User) -> StoreResult<security::User>;
    /// Replaces a user's grants.
    async fn set_grants(&self, user_id: i64, grants: &[revita_methods::access::Grant]) -> StoreResult<()>;
    /// A user's grants.
    async fn grants(&self, user_id: i64) -> StoreResult<Vec<revita_methods::access::Grant>>;

    /// Records a session under the hash of its token.
    async fn create_session(&self, token_hash: &str, session: &security::Session) -> StoreResult<()>;
    /// A session and its user by the hash of the session's token.
    async fn session_user(&self, token_hash: &str) -> StoreResult<Option<(security::Session, security::User)>>;
    /// A session by the hash of its token.
    async fn session(&self, token_hash: &str) -> StoreResult<Option<security::Session>>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of a user (password change, disabling).
    async fn delete_sessions_of(&self, user_id: i64) -> StoreResult<()>;

    /// Records an API token under the hash of its secret.
    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<security::ApiToken>;
    /// A user's API tokens.
    async fn api_tokens(&self, user_id: i64) -> StoreResult<Vec<security::ApiToken>>;
    /// An API token by the hash of its secret.
    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<security::ApiToken>>;
    /// Revokes one of a user's tokens; false if it has no such token.
    async fn revoke_api_token(&self, user_id: i64, token_id: i64) -> StoreResult<bool>;

    /// Appends to the audit log (which cannot be changed afterwards: the
    /// database refuses updates and deletes of its rows).
    async fn append_audit(&self, entry: &security::AuditEntry) -> StoreResult<()>;
    /// Audit entries, newest first.
    async fn audit_log(&self, filter: &security::AuditFilter, limit: i64) -> StoreResult<Vec<security::AuditEntry>>;

    /// Records a failed login attempt under a key (an account or an address).
    async fn record_login_attempt(&self, key: &str, at: i64) -> StoreResult<()>;
    /// Failed attempts under a key since a time; older ones are pruned.
    async fn login_attempts_since(&self, key: &str, since: i64) -> StoreResult<i64>;
}

/// A shared handle to any store.
pub type DynStore = Arc<dyn Store>;

/// Opens the store a URL names (`sqlite:PATH` or a plain file path, or
/// `postgres://…`) and applies migrations.
pub async fn open(url: &DatabaseUrl) -> StoreResult<DynStore> {
    let store: DynStore = if url.is_postgres() {
        Arc::new(PgStore::connect(url).await?)
    } else {
        Arc::new(SqliteStore::open(url).await?)
    };
    store.migrate().await?;
    Ok(store)
}
