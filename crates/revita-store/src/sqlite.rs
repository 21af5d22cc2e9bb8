//! The SQLite back end: the embedded default, one file, zero set-up.
//!
//! WAL journal so that readers never wait for the writer; bulk loads go
//! through multi-row prepared `INSERT`s (200 rows a statement) inside one
//! transaction, which is what makes SQLite fast at loading.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use revita_methods::Observation;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Sqlite, Transaction};

use crate::{Backend, DatabaseUrl, LoadMode, ObservationLoad, StoreError, StoreResult, migrate, sql};

/// Rows per multi-row `INSERT`: 200 × 6 parameters stays far below SQLite's
/// limit of 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 200;

/// A store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
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
            .pragma("cache_size", "-65536");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(SqliteStore { pool })
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let target = match mode {
            LoadMode::InsertOnly => "observations",
            LoadMode::Replace => {
                sqlx::query("DROP TABLE IF EXISTS temp.observations_load").execute(&mut *tx).await?;
                sqlx::query(
                    "CREATE TEMP TABLE observations_load (indicator_code TEXT NOT NULL, region_code TEXT NOT NULL, \
                     period TEXT NOT NULL, value REAL NOT NULL, source TEXT, status TEXT NOT NULL, \
                     PRIMARY KEY (indicator_code, region_code, period)) WITHOUT ROWID",
                )
                .execute(&mut *tx)
                .await?;
                "observations_load"
            }
        };
        Ok(Box::new(SqliteLoad { tx, target, mode, rows: 0 }))
    }
}

crate::common::shared_store_impl!(SqliteStore, Backend::Sqlite);

struct SqliteLoad {
    tx: Transaction<'static, Sqlite>,
    target: &'static str,
    mode: LoadMode,
    rows: u64,
}

/// `INSERT INTO target (…) VALUES ($1, …), (…)` for `n` rows.
fn insert_statement(target: &str, n: usize) -> String {
    let mut out = format!("INSERT INTO {target} ({}) VALUES ", sql::OBSERVATION_COLUMNS);
    for row in 0..n {
        let p = row * 6;
        if row > 0 {
            out.push(',');
        }
        out.push_str(&format!("(${},${},${},${},${},${})", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6));
    }
    out
}

fn full_statement(target: &str) -> &'static str {
    static INSERT: OnceLock<String> = OnceLock::new();
    static STAGE: OnceLock<String> = OnceLock::new();
    let cell = if target == "observations" { &INSERT } else { &STAGE };
    cell.get_or_init(|| insert_statement(target, ROWS_PER_STATEMENT))
}

impl SqliteLoad {
    async fn insert_chunk(&mut self, chunk: &[Observation]) -> Result<(), sqlx::Error> {
        let periods: Vec<String> = chunk.iter().map(|o| o.period.to_string()).collect();
        let mut query = if chunk.len() == ROWS_PER_STATEMENT {
            sqlx::query(full_statement(self.target))
        } else {
            sqlx::query(AssertSqlSafe(insert_statement(self.target, chunk.len())))
        };
        for (o, period) in chunk.iter().zip(&periods) {
            query = query
                .bind(o.indicator.as_str())
                .bind(o.region.as_str())
                .bind(period.as_str())
                .bind(o.value)
                .bind(o.source.as_deref())
                .bind(o.status.as_str());
        }
        query.execute(&mut *self.tx).await?;
        Ok(())
    }

    /// After a uniqueness failure, names the first key of `chunk` that is
    /// repeated within it or already in the target table.
    async fn find_duplicate(&mut self, chunk: &[Observation]) -> StoreResult<StoreError> {
        let mut seen = HashSet::new();
        let exists =
            format!("SELECT 1 FROM {} WHERE indicator_code = $1 AND region_code = $2 AND period = $3", self.target);
        for o in chunk {
            let period = o.period.to_string();
            let repeated = !seen.insert((o.indicator.as_str(), o.region.as_str(), period.clone()));
            let stored = sqlx::query(AssertSqlSafe(exists.clone()))
                .bind(o.indicator.as_str())
                .bind(o.region.as_str())
                .bind(&period)
                .fetch_optional(&mut *self.tx)
                .await?
                .is_some();
            if repeated || stored {
                return Ok(StoreError::DuplicateObservation {
                    indicator: o.indicator.to_string(),
                    region: o.region.to_string(),
                    period,
                });
            }
        }
        Ok(StoreError::Conflict("a uniqueness constraint failed".into()))
    }
}

#[async_trait]
impl ObservationLoad for SqliteLoad {
    async fn write(&mut self, batch: &[Observation]) -> StoreResult<()> {
        for chunk in batch.chunks(ROWS_PER_STATEMENT) {
            match self.insert_chunk(chunk).await {
                Ok(()) => self.rows += chunk.len() as u64,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(self.find_duplicate(chunk).await?);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<u64> {
        if self.mode == LoadMode::Replace {
            sqlx::query(sql::MERGE_STAGED_OBSERVATIONS).execute(&mut *self.tx).await?;
            sqlx::query("DROP TABLE temp.observations_load").execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        Ok(self.rows)
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_inserts_number_their_parameters_in_order() {
        let s = insert_statement("observations", 2);
        assert!(s.ends_with("VALUES ($1,$2,$3,$4,$5,$6),($7,$8,$9,$10,$11,$12)"), "{s}");
    }
}
