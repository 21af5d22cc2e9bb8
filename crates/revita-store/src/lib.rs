//! revita's storage: one [`Store`] over SQLite (the embedded default) or
//! PostgreSQL (production, many users and stateless app servers), each
//! with its own migrations under `migrations/{sqlite,postgres}/`; one
//! conformance suite (`tests/it`) runs every store test against both.
//!
//! The store is laid out by domain — `regions`, `observations` (and `load`
//! for bulk loads), `designations`, `registry`, `cases`, `plans`,
//! `security`, `audit` — each module holding its SQL, its reads as methods
//! of [`Store`] and its writes as methods of [`Tx`], the unit of work that
//! commits a change together with its audit entries (`db.rs`). A query is
//! written once in the common dialect and expanded for both drivers.
//!
//! Rows are mapped to `revita-methods` domain types here and nowhere else;
//! back-end error codes are translated into [`StoreError`] here and nowhere
//! else. Bulk paths are bulk: observations load through prepared inserts on
//! SQLite and `COPY` on PostgreSQL, in one transaction.

pub mod audit;
mod cases;
mod database_url;
mod db;
mod designations;
pub mod disasters;
pub mod eco;
pub mod ledger;
mod load;
mod migrate;
mod observations;
mod paging;
pub mod places;
pub mod plans;
mod regions;
mod registry;
pub mod relocation;
mod rows;
pub mod security;
mod settings;
mod specs;
mod sqlite_load;

use revita_methods::{IndicatorCode, RegionCode};

pub use audit::AuditChain;
pub use database_url::DatabaseUrl;
pub use db::{Topic, Tx, Versions};
pub use load::{LoadFindings, LoadOptions, ObservationCheck, ObservationLoad, Revision};
pub use regions::RegionSet;
pub use specs::SavedSpec;
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
    /// The database is busy with another writer; try again shortly.
    #[error("the database is busy with another change; try again in a moment")]
    Busy,
    /// A change was about to be committed without an audit entry (a defect
    /// of the caller: every change goes to the audit log).
    #[error("refused to commit a change without an audit entry")]
    Unaudited,
    /// Anything else from the database driver.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        if is_busy(&e) { StoreError::Busy } else { StoreError::Database(e) }
    }
}

/// Whether the driver reports that another writer holds the database:
/// SQLite's `SQLITE_BUSY`/`SQLITE_LOCKED` after its busy timeout, or
/// PostgreSQL's lock timeout (55P03) and serialization failures (40001,
/// 40P01).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLite: BUSY, LOCKED and their extended codes (BUSY_RECOVERY,
            // LOCKED_SHAREDCACHE, BUSY_SNAPSHOT, BUSY_TIMEOUT); PostgreSQL:
            // lock_not_available, serialization_failure, deadlock_detected.
            matches!(code.as_ref(), "5" | "6" | "261" | "262" | "517" | "773" | "55P03" | "40001" | "40P01")
                || db.message().contains("database is locked")
        }
        sqlx::Error::PoolTimedOut => true,
        _ => false,
    }
}

impl StoreError {
    /// An optimistic-locking refusal: `what` changed after the caller read it
    /// at `version` (someone else's write won; the caller reloads).
    pub(crate) fn stale(what: impl std::fmt::Display, version: i64) -> StoreError {
        StoreError::Conflict(format!("{what} was changed since version {version}; reload it and try again"))
    }

    /// Fails with a conflict unless the update guarded by `version` (`…
    /// WHERE version = $n`) changed its one row: someone changed it since.
    pub(crate) fn unless_one(affected: u64, what: impl FnOnce() -> String, version: i64) -> StoreResult<()> {
        if affected == 1 { Ok(()) } else { Err(StoreError::stale(what(), version)) }
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
    /// Children of this region; with `level`, the regions at that level
    /// anywhere below it (a province's counties).
    pub parent: Option<RegionCode>,
    /// Regions at this level.
    pub level: Option<String>,
    /// One period, canonical text (`2020`, `2020Q1`, `2020-03`).
    pub period: Option<String>,
    /// Only regions in the subtrees under these roots (a jurisdiction),
    /// filtered in SQL so that every page comes back full.
    pub within: Option<Vec<RegionCode>>,
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

/// Bumped inside every transaction that changes data (see migration 2).
pub(crate) const BUMP_DATA_VERSION: &str = "UPDATE data_version SET version = version + 1 WHERE id = 1";
/// Bumps the versions of the topics a transaction changed (migration 14).
pub(crate) const BUMP_TOPICS: &str = "UPDATE data_versions SET version = version + 1";

/// The store: a connection pool of either back end. Cloning is cheap (the
/// pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: db::Pool,
}

/// A shared handle to the store (the store is itself a cheap handle).
pub type DynStore = Store;

/// Options for opening a store.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Connections in the pool (default: sized to the machine, see
    /// [`default_pool_size`]).
    pub pool_size: Option<u32>,
    /// How long a SQLite write waits for another writer before the store
    /// reports the database busy (default 5 s).
    pub busy_timeout: Option<std::time::Duration>,
}

/// The pool size used when none is configured: for SQLite, one
/// connection per core (2 to 8), since only one writes at a time; for
/// PostgreSQL two per core (4 to 32).
pub fn default_pool_size(backend: Backend) -> u32 {
    db::default_pool_size(backend)
}

/// Opens the store a URL names (`sqlite:PATH` or a plain file path, or
/// `postgres://…`) and applies migrations.
pub async fn open(url: &DatabaseUrl) -> StoreResult<Store> {
    open_with(url, &StoreOptions::default()).await
}

/// Opens the store a URL names with options, and applies migrations.
pub async fn open_with(url: &DatabaseUrl, options: &StoreOptions) -> StoreResult<Store> {
    let store = Store { pool: db::connect(url, options).await? };
    store.migrate().await?;
    Ok(store)
}

/// Creates the schema of an empty database as it was at migration
/// `version`, and nothing more: for tests that upgrade an old database.
#[doc(hidden)]
pub async fn create_schema_at(url: &DatabaseUrl, version: i64) -> StoreResult<()> {
    match db::connect(url, &StoreOptions::default()).await? {
        db::Pool::Sqlite { pool, .. } => migrate::run_sqlite(&pool, version).await,
        db::Pool::Postgres { pool } => migrate::run_postgres(&pool, version).await,
    }
}

impl Store {
    /// Which back end this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            db::Pool::Sqlite { .. } => Backend::Sqlite,
            db::Pool::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Applies pending migrations (safe to call from several servers at
    /// once), and on SQLite finishes imports a crash cut short.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            db::Pool::Sqlite { pool, path } => {
                migrate::run_sqlite(pool, i64::MAX).await?;
                let path = path.clone();
                tokio::task::spawn_blocking(move || sqlite_load::recover(&path))
                    .await
                    .map_err(|e| StoreError::Conflict(format!("recovering imports failed: {e}")))??;
            }
            db::Pool::Postgres { pool } => migrate::run_postgres(pool, i64::MAX).await?,
        }
        self.backfill_regions().await
    }

    /// Checks the connection (for `/health`).
    pub async fn ping(&self) -> StoreResult<()> {
        db::on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Starts a unit of work: the changes made through it and their audit
    /// entries commit together ([`Tx::commit`]) or not at all.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Tx::begin(&self.pool).await
    }

    /// Runs one change in its own unit of work, committed with its audit
    /// entry or not at all: `store.write(entry, async |tx| tx.upsert_regions(&rows).await)`.
    pub async fn write<T>(
        &self,
        audit: security::AuditEntry,
        change: impl AsyncFnOnce(&mut Tx) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.begin().await?.run(audit, change).await
    }

    /// Appends entries to the audit log that record no change of stored
    /// data (a view of personal data, a failed login), in their own
    /// transaction.
    pub async fn append_audit(&self, entries: &[security::AuditEntry]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for e in entries {
            tx.audit(e.clone());
        }
        tx.commit().await
    }

    /// A number that changes with every committed change of data, for
    /// cache keys.
    pub async fn data_version(&self) -> StoreResult<i64> {
        db::on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1").fetch_one(pool).await?)
        })
    }

    /// The version of every topic, in one query (see [`Topic`]).
    pub async fn versions(&self) -> StoreResult<Versions> {
        use rows::RowExt;
        let rows = db::on_pool!(self, pool => {
            let rows = sqlx::query("SELECT topic, version FROM data_versions").fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.text("topic")?, r.int("version")?))).collect::<StoreResult<Vec<_>>>()?
        });
        Ok(Versions(
            rows.into_iter()
                .filter_map(|(name, v)| Topic::ALL.into_iter().find(|t| t.as_str() == name).map(|t| (t, v)))
                .collect(),
        ))
    }

    /// Counts of what the store holds.
    pub async fn inventory(&self) -> StoreResult<Inventory> {
        use rows::RowExt;
        const BY_LEVEL: &str = "SELECT level, COUNT(*) AS n FROM regions GROUP BY level ORDER BY COUNT(*), level";
        let counts = [
            "SELECT COUNT(*) AS n FROM boundaries",
            "SELECT COUNT(*) AS n FROM indicators",
            "SELECT COUNT(*) AS n FROM observations",
            "SELECT COUNT(*) AS n FROM designations",
            "SELECT COUNT(DISTINCT code) AS n FROM code_history",
        ];
        db::on_pool!(self, pool => {
            let levels = sqlx::query(BY_LEVEL).fetch_all(pool).await?;
            let mut n = [0i64; 5];
            for (slot, sql) in n.iter_mut().zip(counts) {
                *slot = sqlx::query(sql).fetch_one(pool).await?.int("n")?;
            }
            Ok(Inventory {
                regions_by_level: levels.iter().map(|r| Ok((r.text("level")?, r.int("n")?))).collect::<StoreResult<_>>()?,
                boundaries: n[0],
                indicators: n[1],
                observations: n[2],
                designations: n[3],
                history_codes: n[4],
            })
        })
    }
}
