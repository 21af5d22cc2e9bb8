//! The two back ends behind one type, and the unit of work.
//!
//! A [`Store`](crate::Store) holds a connection pool of either back end; a
//! query is written once and expanded for both by [`on_pool!`] (reads) or
//! [`on_tx!`] (inside a transaction), so that the SQL of the common dialect
//! (`$n` parameters, `ON CONFLICT … DO UPDATE`, row values) and the row
//! mapping exist once, type-checked against each driver.
//!
//! Every change goes through a [`Tx`]: the domain modules add write methods
//! to it (`tx.upsert_regions(…)`, `tx.move_case(…)`), the caller adds the
//! audit entries that describe the change, and [`Tx::commit`] writes them —
//! chained to the log's previous row — in the same transaction as the change.
//! A transaction that changed something and carries no audit entry refuses
//! to commit: an unaudited change cannot reach the database.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::security::AuditEntry;
use crate::{Backend, DatabaseUrl, StoreError, StoreResult};

/// A connection pool of one back end.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    /// A SQLite file, with its path for the bulk loader's own connection.
    Sqlite { pool: SqlitePool, path: PathBuf },
    /// A PostgreSQL server.
    Postgres { pool: PgPool },
}

/// An open transaction of one back end.
pub(crate) enum Conn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$pool` bound to the store's pool, whichever back end
/// it is: the body is compiled once per back end.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            crate::db::Pool::Sqlite { pool: $pool, .. } => $body,
            crate::db::Pool::Postgres { pool: $pool } => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` with `$conn` bound to the transaction's connection (a
/// `&mut` connection of either back end).
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx.conn {
            crate::db::Conn::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut **t;
                $body
            }
            crate::db::Conn::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// Connections a pool keeps unless configured: SQLite has one writer at a
/// time, so a few connections serve its readers; PostgreSQL gets two per
/// core of this machine (the server's cores are not known here).
pub(crate) fn default_pool_size(backend: Backend) -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    match backend {
        Backend::Sqlite => cores.clamp(2, 8),
        Backend::Postgres => (cores * 2).clamp(4, 32),
    }
}

/// Opens the pool a URL names; `size` overrides the default pool size.
pub(crate) async fn connect(url: &DatabaseUrl, options: &crate::StoreOptions) -> StoreResult<Pool> {
    let size = options.pool_size;
    if url.is_postgres() {
        let size = size.unwrap_or_else(|| default_pool_size(Backend::Postgres));
        let pool = PgPoolOptions::new().max_connections(size).connect(url.expose()).await?;
        return Ok(Pool::Postgres { pool });
    }
    let path = url.sqlite_path().ok_or_else(|| StoreError::InvalidUrl(url.to_string()))?;
    let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))
        .map_err(|e| StoreError::InvalidUrl(format!("{url}: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(options.busy_timeout.unwrap_or(SQLITE_BUSY_TIMEOUT))
        // 64 MiB of page cache keeps the primary-key B-tree of a large load in memory.
        .pragma("cache_size", "-65536")
        // Statement journals and sorts in memory rather than temporary files.
        .pragma("temp_store", "MEMORY");
    let size = size.unwrap_or_else(|| default_pool_size(Backend::Sqlite));
    let pool = SqlitePoolOptions::new().max_connections(size).connect_with(options).await?;
    Ok(Pool::Sqlite { pool, path: PathBuf::from(path) })
}

/// How long a SQLite writer waits for another to finish before the store
/// reports the database busy.
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What a change touched, so that caches of derived output are dropped only
/// when something they are made from changed (issue 14: one household edit
/// emptied every cache, and 64 readers then recomputed the same page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    /// Regions, their boundaries and the code history.
    Regions,
    /// Indicator definitions.
    Indicators,
    /// Observations.
    Observations,
    /// Designations, official lists and pairings.
    Designations,
    /// Monitoring lines, registry households and their members.
    Registry,
    /// Monitoring cases.
    Cases,
    /// Plans and their projects.
    Plans,
    /// Users and their grants (who sees what).
    Access,
    /// Ecological compensation: basin agreements, samples, settlements,
    /// payments, land use and GEP items.
    Eco,
    /// Disaster events, the counties they hit, assessments, unit costs.
    Disasters,
    /// Village and household points, subsidence areas, their houses and
    /// farmland.
    Places,
    /// Resettlement sites, relocated households, work-relief projects,
    /// their rosters, payments and remuneration rules.
    Relocation,
}

impl Topic {
    /// Every topic.
    pub const ALL: [Topic; 12] = [
        Topic::Regions,
        Topic::Indicators,
        Topic::Observations,
        Topic::Designations,
        Topic::Registry,
        Topic::Cases,
        Topic::Plans,
        Topic::Access,
        Topic::Eco,
        Topic::Disasters,
        Topic::Places,
        Topic::Relocation,
    ];

    /// The name stored in `data_versions`.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Regions => "regions",
            Topic::Indicators => "indicators",
            Topic::Observations => "observations",
            Topic::Designations => "designations",
            Topic::Registry => "registry",
            Topic::Cases => "cases",
            Topic::Plans => "plans",
            Topic::Access => "access",
            Topic::Eco => "eco",
            Topic::Disasters => "disasters",
            Topic::Places => "places",
            Topic::Relocation => "relocation",
        }
    }
}

/// The version of each topic: a number that changes with every committed
/// change of it. Read once per request; caches key on the topics they use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Versions(pub(crate) std::collections::BTreeMap<Topic, i64>);

impl Versions {
    /// The version of one topic.
    pub fn of(&self, topic: Topic) -> i64 {
        self.0.get(&topic).copied().unwrap_or(0)
    }

    /// A cache key part for the topics derived output is made from, e.g.
    /// `regions=4,observations=17`.
    pub fn key(&self, topics: &[Topic]) -> String {
        topics.iter().map(|t| format!("{}={}", t.as_str(), self.of(*t))).collect::<Vec<_>>().join(",")
    }
}

/// A unit of work: one database transaction, the changes made in it and
/// the audit entries that describe them, committed together or not at all.
///
/// Dropping a `Tx` without committing rolls it back.
pub struct Tx {
    pub(crate) conn: Conn,
    audit: Vec<AuditEntry>,
    /// Something was written.
    wrote: bool,
    /// What changed, so that those topics' versions are bumped at commit.
    changed: std::collections::BTreeSet<Topic>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").field("audit", &self.audit.len()).field("wrote", &self.wrote).finish()
    }
}

impl Tx {
    /// Starts a transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that reads made in it to check the stored
    /// rows cannot be invalidated before the write.
    pub(crate) async fn begin(pool: &Pool) -> StoreResult<Tx> {
        let conn = match pool {
            Pool::Sqlite { pool, .. } => Conn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres { pool } => Conn::Postgres(pool.begin().await?),
        };
        Ok(Tx { conn, audit: Vec::new(), wrote: false, changed: Default::default() })
    }

    /// Which back end the transaction runs on.
    pub fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Adds an entry to the audit log, written when the transaction commits
    /// (so that the log's lock is held only for the commit itself).
    pub fn audit(&mut self, entry: AuditEntry) {
        self.audit.push(entry);
    }

    /// Notes a change of `topic`.
    pub(crate) fn changed(&mut self, topic: Topic) {
        self.wrote = true;
        self.changed.insert(topic);
    }

    /// Notes a change that no derived output depends on (sessions, tokens,
    /// login attempts).
    pub(crate) fn wrote(&mut self) {
        self.wrote = true;
    }

    /// Writes the audit entries and commits. A transaction that changed
    /// something without an audit entry is rolled back and refused.
    pub async fn commit(mut self) -> StoreResult<()> {
        if self.wrote && self.audit.is_empty() {
            return Err(StoreError::Unaudited);
        }
        let entries = std::mem::take(&mut self.audit);
        crate::audit::append_chained(&mut self.conn, &entries).await?;
        if !self.changed.is_empty() {
            let topics: Vec<&str> = self.changed.iter().map(|t| t.as_str()).collect();
            let data = self.changed.iter().any(|t| *t != Topic::Access);
            let sql = format!("{} WHERE topic IN ({})", crate::BUMP_TOPICS, crate::registry::in_list(topics.len()));
            on_tx!(self, conn => {
                if data {
                    sqlx::query(crate::BUMP_DATA_VERSION).execute(&mut *conn).await?;
                }
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for topic in &topics {
                    query = query.bind(*topic);
                }
                query.execute(&mut *conn).await?;
            });
        }
        match self.conn {
            Conn::Sqlite(t) => t.commit().await?,
            Conn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Runs `change` in this unit of work and commits it with `audit`, or
    /// rolls everything back if `change` fails.
    pub async fn run<T>(
        mut self,
        audit: AuditEntry,
        change: impl AsyncFnOnce(&mut Tx) -> StoreResult<T>,
    ) -> StoreResult<T> {
        match change(&mut self).await {
            Ok(value) => {
                self.audit(audit);
                self.commit().await?;
                Ok(value)
            }
            Err(e) => {
                // The change's error is the one worth reporting; the
                // rollback happens on drop if it fails here.
                let _ = self.rollback().await;
                Err(e)
            }
        }
    }

    /// Discards everything done in the transaction.
    pub async fn rollback(self) -> StoreResult<()> {
        match self.conn {
            Conn::Sqlite(t) => t.rollback().await?,
            Conn::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}
