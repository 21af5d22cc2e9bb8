//! The SQLite back end: the embedded default, one file, zero set-up.
//!
//! WAL journal so that readers never wait for the writer. Queries go through
//! the sqlx pool; bulk loads through a dedicated rusqlite connection that
//! steps one prepared `INSERT` per row inside one transaction, as SQLite's
//! own `.import` does (see `BulkConnection`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use revita_methods::Observation;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::{Backend, DatabaseUrl, LoadMode, ObservationLoad, StoreError, StoreResult, migrate, sql};

/// A store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The database file, for bulk-load connections.
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if missing) the SQLite file the URL names.
    pub async fn open(url: &DatabaseUrl) -> StoreResult<SqliteStore> {
        let path = url.sqlite_path().ok_or_else(|| StoreError::InvalidUrl(url.to_string()))?;
        let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))
            .map_err(|e| StoreError::InvalidUrl(format!("{url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            // 64 MiB of page cache keeps the primary-key B-tree of a large load in memory.
            .pragma("cache_size", "-65536")
            // Statement journals and sorts in memory rather than temporary files.
            .pragma("temp_store", "MEMORY");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(SqliteStore { pool, path: PathBuf::from(path) })
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(migrate::CREATE_LEDGER).execute(&mut *conn).await?;
        for m in migrate::SQLITE {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let applied = sqlx::query("SELECT 1 FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?;
            if applied.is_none() {
                sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
                    .bind(m.version)
                    .bind(m.name)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    async fn start_observation_load(&self, mode: LoadMode) -> StoreResult<Box<dyn ObservationLoad>> {
        let path = self.path.clone();
        let conn = blocking(move || BulkConnection::begin(&path, mode)).await?;
        Ok(Box::new(SqliteLoad { conn: Some(conn), rows: 0 }))
    }
}

crate::common::shared_store_impl!(SqliteStore, Backend::Sqlite, sqlx::Sqlite);
crate::plans::plan_store_impl!(SqliteStore, sqlx::Sqlite);

/// Runs blocking SQLite work off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Conflict(format!("bulk-load thread failed: {e}")))?
}

/// A dedicated connection for one bulk load, holding an open transaction.
///
/// Bulk loads bypass sqlx: its per-value argument handling cost several
/// times SQLite's own work on a large load (a 1,200-parameter multi-row
/// insert spent 60% of its time looking parameter names up), whereas a
/// prepared single-row `INSERT` stepped through rusqlite is what
/// `sqlite3 .import` itself does. A single-row statement also needs no
/// statement journal and names the exact row that breaks a key.
struct BulkConnection {
    conn: rusqlite::Connection,
    target: &'static str,
    mode: LoadMode,
}

fn bulk_error(e: rusqlite::Error) -> StoreError {
    StoreError::Conflict(format!("bulk load failed: {e}"))
}

impl BulkConnection {
    fn begin(path: &Path, mode: LoadMode) -> StoreResult<BulkConnection> {
        let conn = rusqlite::Connection::open(path).map_err(bulk_error)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(bulk_error)?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; BEGIN IMMEDIATE;",
        )
        .map_err(bulk_error)?;
        let target = match mode {
            LoadMode::InsertOnly => "observations",
            LoadMode::Replace => {
                conn.execute_batch(
                    "DROP TABLE IF EXISTS temp.observations_load; \
                     CREATE TEMP TABLE observations_load (indicator_code TEXT NOT NULL, region_code TEXT NOT NULL, \
                     period TEXT NOT NULL, value REAL NOT NULL, source TEXT, status TEXT NOT NULL, \
                     PRIMARY KEY (indicator_code, region_code, period)) WITHOUT ROWID;",
                )
                .map_err(bulk_error)?;
                "observations_load"
            }
        };
        Ok(BulkConnection { conn, target, mode })
    }

    fn insert(&self, batch: &[Observation]) -> StoreResult<()> {
        let sql = format!("INSERT INTO {} ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", self.target, sql::OBSERVATION_COLUMNS);
        let mut statement = self.conn.prepare(&sql).map_err(bulk_error)?;
        let mut period = String::with_capacity(8);
        for o in batch {
            period.clear();
            let _ = write!(period, "{}", o.period);
            let values = (
                o.indicator.as_str(),
                o.region.as_str(),
                period.as_str(),
                o.value,
                o.source.as_deref(),
                o.status.as_str(),
            );
            match statement.execute(values) {
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                    return Err(StoreError::DuplicateObservation {
                        indicator: o.indicator.to_string(),
                        region: o.region.to_string(),
                        period,
                    });
                }
                Err(e) => return Err(bulk_error(e)),
            }
        }
        Ok(())
    }

    fn commit(self) -> StoreResult<()> {
        if self.mode == LoadMode::Replace {
            self.conn.execute(sql::MERGE_STAGED_OBSERVATIONS, ()).map_err(bulk_error)?;
            self.conn.execute("DROP TABLE temp.observations_load", ()).map_err(bulk_error)?;
        }
        self.conn.execute(sql::BUMP_DATA_VERSION, ()).map_err(bulk_error)?;
        self.conn.execute_batch("COMMIT").map_err(bulk_error)
    }

    fn rollback(self) -> StoreResult<()> {
        self.conn.execute_batch("ROLLBACK").map_err(bulk_error)
    }
}

struct SqliteLoad {
    /// Moved into a blocking task for each call and back; `None` once a
    /// call failed so badly that the connection was lost.
    conn: Option<BulkConnection>,
    rows: u64,
}

impl SqliteLoad {
    fn take(&mut self) -> StoreResult<BulkConnection> {
        self.conn.take().ok_or_else(|| StoreError::Conflict("the bulk load already failed".into()))
    }
}

#[async_trait]
impl ObservationLoad for SqliteLoad {
    async fn write(&mut self, batch: Vec<Observation>) -> StoreResult<()> {
        let conn = self.take()?;
        let n = batch.len() as u64;
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = conn.insert(&batch);
            (conn, result)
        })
        .await
        .map_err(|e| StoreError::Conflict(format!("bulk-load thread failed: {e}")))?;
        self.conn = Some(conn);
        result?;
        self.rows += n;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<u64> {
        let conn = self.take()?;
        blocking(move || conn.commit()).await?;
        Ok(self.rows)
    }

    async fn rollback(mut self: Box<Self>) -> StoreResult<()> {
        let conn = self.take()?;
        blocking(move || conn.rollback()).await
    }
}
