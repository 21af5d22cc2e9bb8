//! Bulk loads of observations: one transaction, written batch by batch,
//! committed with its audit entry or not at all.
//!
//! - SQLite: a dedicated rusqlite connection steps one prepared `INSERT`
//!   per row, as SQLite's own `.import` does. sqlx's per-value argument
//!   handling cost several times SQLite's own work on a large load (a
//!   1,200-parameter multi-row insert spent 60% of its time looking
//!   parameter names up); a single-row statement also needs no statement
//!   journal and names the exact row that breaks a key.
//! - PostgreSQL: `COPY … FROM STDIN` in text format.
//!
//! In replace mode both stage rows in a temporary table with the same
//! primary key (so keys repeated in the load are still refused) and merge
//! them at commit.

use std::time::Duration;

use revita_methods::Observation;
use sqlx::postgres::PgDatabaseError;
use sqlx::{Postgres, Transaction};

use crate::db::Pool;
use crate::observations::OBSERVATION_COLUMNS;
use crate::security::AuditEntry;
use crate::sqlite_load::{ExclusiveLoad, SqliteLoad};
use crate::{LoadMode, Store, StoreError, StoreResult};

/// Moves a replace-mode staging table into `observations`. The `WHERE true`
/// resolves SQLite's parsing ambiguity between a join and `ON CONFLICT`.
const MERGE_STAGED: &str = "INSERT INTO observations \
     (indicator_code, region_code, period, value, source, status) \
     SELECT indicator_code, region_code, period, value, source, status FROM observations_load WHERE true \
     ON CONFLICT (indicator_code, region_code, period) DO UPDATE SET \
     value = excluded.value, source = excluded.source, status = excluded.status";

/// A bulk load of observations in progress.
pub struct ObservationLoad {
    inner: Inner,
    rows: u64,
}

impl std::fmt::Debug for ObservationLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObservationLoad").field("rows", &self.rows).finish()
    }
}

enum Inner {
    /// Moved into a blocking task for each call and back; `None` once a
    /// call failed so badly that the connection was lost.
    Sqlite(Option<SqliteLoad>),
    /// A SQLite load holding the write lock throughout.
    Exclusive(Option<ExclusiveLoad>),
    Postgres(PgLoad),
}

/// How a bulk load goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadOptions {
    /// Stored keys: an error, or replaced.
    pub mode: LoadMode,
    /// SQLite: hold the write lock from the first row to the commit, in one
    /// transaction (fastest, for a first load into a database no one else
    /// is writing to); otherwise rows are staged and merged a chunk a
    /// transaction, so other writers wait no longer than a chunk.
    /// PostgreSQL loads in one transaction either way (it holds no one up).
    pub exclusive: bool,
}

/// Saves the stored values a replace-mode load overwrites, under a change
/// id, before the merge (nothing a user entered is lost).
const SAVE_REVISIONS: &str = "INSERT INTO observation_revisions \
     (change_id, indicator_code, region_code, period, value, source, status, replaced_at) \
     SELECT $1, o.indicator_code, o.region_code, o.period, o.value, o.source, o.status, $2 \
     FROM observations o JOIN observations_load s ON s.indicator_code = o.indicator_code \
     AND s.region_code = o.region_code AND s.period = o.period";
const COUNT_REPLACED: &str = "SELECT COUNT(*) FROM observations o JOIN observations_load s \
     ON s.indicator_code = o.indicator_code AND s.region_code = o.region_code AND s.period = o.period";

/// A load changes observations (see [`crate::Topic`]).
pub(crate) const BUMP_OBSERVATIONS: &str =
    "UPDATE data_versions SET version = version + 1 WHERE topic = 'observations'";

/// Where a replace-mode load keeps the values it overwrites.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The change's id (named in its audit entry).
    pub change_id: String,
    /// When, Unix seconds.
    pub at: i64,
}

impl Store {
    /// Starts a bulk load of observations, staged and merged in chunks on
    /// SQLite (see [`LoadOptions`]).
    pub async fn begin_observation_load(&self, mode: LoadMode) -> StoreResult<ObservationLoad> {
        self.begin_observation_load_with(LoadOptions { mode, exclusive: false }).await
    }

    /// Starts a bulk load of observations.
    pub async fn begin_observation_load_with(&self, options: LoadOptions) -> StoreResult<ObservationLoad> {
        let LoadOptions { mode, exclusive } = options;
        let inner = match &self.pool {
            Pool::Sqlite { path, .. } if exclusive => {
                let path = path.clone();
                Inner::Exclusive(Some(blocking(move || ExclusiveLoad::begin(&path, mode)).await?))
            }
            Pool::Sqlite { path, .. } => {
                let path = path.clone();
                Inner::Sqlite(Some(blocking(move || SqliteLoad::begin(&path, mode)).await?))
            }
            Pool::Postgres { pool } => Inner::Postgres(PgLoad::begin(pool, mode).await?),
        };
        Ok(ObservationLoad { inner, rows: 0 })
    }
}

impl ObservationLoad {
    /// Writes a batch. On a key conflict the error names the key, and the
    /// load must be rolled back.
    pub async fn write(&mut self, batch: Vec<Observation>) -> StoreResult<()> {
        let n = batch.len() as u64;
        match &mut self.inner {
            Inner::Sqlite(slot) => on_thread(slot, move |load| load.insert(&batch)).await?,
            Inner::Exclusive(slot) => on_thread(slot, move |load| load.insert(&batch)).await?,
            Inner::Postgres(load) => load.write(&batch).await?,
        }
        self.rows += n;
        Ok(())
    }

    /// How many stored values the load would overwrite (replace mode; 0
    /// otherwise).
    pub async fn replaced(&mut self) -> StoreResult<u64> {
        match &mut self.inner {
            Inner::Sqlite(slot) => on_thread(slot, |load| load.replaced()).await,
            Inner::Exclusive(slot) => on_thread(slot, |load| load.replaced()).await,
            Inner::Postgres(load) => load.replaced().await,
        }
    }

    /// Commits everything written with the audit entries that describe it;
    /// in replace mode the values overwritten are kept under `revision`
    /// first. Returns the number of rows loaded. A load without an audit
    /// entry is refused.
    pub async fn commit(self, audit: &[AuditEntry], revision: Option<&Revision>) -> StoreResult<u64> {
        if audit.is_empty() {
            return Err(StoreError::Unaudited);
        }
        let (entries, kept) = (audit.to_vec(), revision.cloned());
        match self.inner {
            Inner::Sqlite(mut slot) => {
                let load = take(&mut slot)?;
                blocking(move || load.commit(&entries, kept.as_ref())).await?;
            }
            Inner::Exclusive(mut slot) => {
                let load = take(&mut slot)?;
                blocking(move || load.commit(&entries, kept.as_ref())).await?;
            }
            Inner::Postgres(load) => load.commit(audit, revision).await?,
        }
        Ok(self.rows)
    }

    /// Discards everything written.
    pub async fn rollback(self) -> StoreResult<()> {
        match self.inner {
            Inner::Sqlite(mut slot) => {
                let load = take(&mut slot)?;
                blocking(move || load.rollback()).await
            }
            Inner::Exclusive(mut slot) => {
                let load = take(&mut slot)?;
                blocking(move || load.rollback()).await
            }
            Inner::Postgres(load) => {
                load.tx.rollback().await?;
                Ok(())
            }
        }
    }
}

/// Runs `work` on a SQLite load off the async runtime, handing the load
/// there and back (it is `None` meanwhile, and stays so if the thread died).
async fn on_thread<L: Send + 'static, T: Send + 'static>(
    slot: &mut Option<L>,
    work: impl FnOnce(&L) -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    let load = take(slot)?;
    let (load, result) = tokio::task::spawn_blocking(move || {
        let result = work(&load);
        (load, result)
    })
    .await
    .map_err(|e| StoreError::Conflict(format!("bulk-load thread failed: {e}")))?;
    *slot = Some(load);
    result
}

fn bulk_error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, _) = &e
        && matches!(failure.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    {
        return StoreError::Busy;
    }
    StoreError::Conflict(format!("bulk load check failed: {e}"))
}

fn take<L>(slot: &mut Option<L>) -> StoreResult<L> {
    slot.take().ok_or_else(|| StoreError::Conflict("the bulk load already failed".into()))
}

/// Runs blocking SQLite work off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Conflict(format!("bulk-load thread failed: {e}")))?
}

/// A PostgreSQL bulk load: a transaction fed by `COPY`.
struct PgLoad {
    tx: Transaction<'static, Postgres>,
    target: &'static str,
    mode: LoadMode,
    buffer: Vec<u8>,
}

impl PgLoad {
    async fn begin(pool: &sqlx::PgPool, mode: LoadMode) -> StoreResult<PgLoad> {
        let mut tx = pool.begin().await?;
        let target = match mode {
            LoadMode::InsertOnly => "observations",
            LoadMode::Replace => {
                sqlx::query("CREATE TEMP TABLE observations_load (LIKE observations INCLUDING ALL) ON COMMIT DROP")
                    .execute(&mut *tx)
                    .await?;
                "observations_load"
            }
        };
        Ok(PgLoad { tx, target, mode, buffer: Vec::new() })
    }

    async fn write(&mut self, batch: &[Observation]) -> StoreResult<()> {
        self.buffer.clear();
        for o in batch {
            push_row(&mut self.buffer, o);
        }
        let statement = format!("COPY {} ({OBSERVATION_COLUMNS}) FROM STDIN", self.target);
        let mut copy = self.tx.copy_in_raw(&statement).await.map_err(map_copy_error)?;
        copy.send(self.buffer.as_slice()).await.map_err(map_copy_error)?;
        copy.finish().await.map_err(map_copy_error)?;
        Ok(())
    }

    async fn replaced(&mut self) -> StoreResult<u64> {
        if self.mode != LoadMode::Replace {
            return Ok(0);
        }
        let n: i64 = sqlx::query_scalar(COUNT_REPLACED).fetch_one(&mut *self.tx).await?;
        Ok(n as u64)
    }

    async fn commit(mut self, audit: &[AuditEntry], revision: Option<&Revision>) -> StoreResult<()> {
        if self.mode == LoadMode::Replace {
            if let Some(r) = revision {
                sqlx::query(SAVE_REVISIONS).bind(&r.change_id).bind(r.at).execute(&mut *self.tx).await?;
            }
            sqlx::query(MERGE_STAGED).execute(&mut *self.tx).await?;
        }
        sqlx::query(crate::BUMP_DATA_VERSION).execute(&mut *self.tx).await?;
        sqlx::query(BUMP_OBSERVATIONS).execute(&mut *self.tx).await?;
        crate::audit::append_chained_pg(&mut self.tx, audit).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// What checking a load without writing it found: keys the file repeats
/// and keys already stored (with the values on both sides), the first of
/// each up to a limit, and how many in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadFindings {
    /// Keys the file gives more than once: the key, how many times, and the
    /// first and last row.
    pub repeated: Vec<(crate::ObservationKey, u64, u64, u64)>,
    /// How many keys the file repeats in all.
    pub repeated_keys: u64,
    /// Keys already stored: the row, the key, the stored and the new value.
    pub stored: Vec<(u64, crate::ObservationKey, f64, f64)>,
    /// How many of the file's keys are already stored in all.
    pub stored_keys: u64,
}

const CHECK_REPEATED: &str = "SELECT indicator_code, region_code, period, COUNT(*) AS n, MIN(row_no) AS first_row, \
     MAX(row_no) AS last_row FROM observations_check GROUP BY indicator_code, region_code, period \
     HAVING COUNT(*) > 1 ORDER BY MIN(row_no) LIMIT $1";
const COUNT_REPEATED: &str = "SELECT COUNT(*) FROM (SELECT 1 AS k FROM observations_check \
     GROUP BY indicator_code, region_code, period HAVING COUNT(*) > 1) t";
const CHECK_STORED: &str = "SELECT c.row_no, c.indicator_code, c.region_code, c.period, o.value AS stored, \
     c.value AS new_value FROM observations_check c JOIN observations o ON o.indicator_code = c.indicator_code \
     AND o.region_code = c.region_code AND o.period = c.period ORDER BY c.row_no LIMIT $1";
const COUNT_STORED: &str = "SELECT COUNT(*) FROM observations_check c JOIN observations o \
     ON o.indicator_code = c.indicator_code AND o.region_code = c.region_code AND o.period = c.period";

/// A dry run of a bulk load: the rows go to a temporary table of this
/// connection only (no lock on the stored observations, so other writers
/// are not held up), which is then compared with itself and with what is
/// stored, and dropped. It finds every key the load would refuse.
pub struct ObservationCheck {
    inner: CheckInner,
}

impl std::fmt::Debug for ObservationCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ObservationCheck")
    }
}

enum CheckInner {
    Sqlite(Option<rusqlite::Connection>),
    Postgres(Transaction<'static, Postgres>),
}

const CHECK_TABLE_SQLITE: &str = "CREATE TEMP TABLE observations_check (row_no INTEGER NOT NULL, \
     indicator_code TEXT NOT NULL, region_code TEXT NOT NULL, period TEXT NOT NULL, value REAL NOT NULL, \
     source TEXT, status TEXT NOT NULL)";
const CHECK_TABLE_PG: &str = "CREATE TEMP TABLE observations_check (row_no BIGINT NOT NULL, \
     indicator_code TEXT NOT NULL, region_code TEXT NOT NULL, period TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, \
     source TEXT, status TEXT NOT NULL) ON COMMIT DROP";

impl Store {
    /// Starts a dry run of a bulk load (see [`ObservationCheck`]).
    pub async fn begin_observation_check(&self) -> StoreResult<ObservationCheck> {
        let inner = match &self.pool {
            Pool::Sqlite { path, .. } => {
                let path = path.clone();
                let conn = blocking(move || {
                    let conn = rusqlite::Connection::open(&path).map_err(bulk_error)?;
                    conn.busy_timeout(Duration::from_secs(30)).map_err(bulk_error)?;
                    conn.execute_batch(&format!(
                        "PRAGMA temp_store = MEMORY; DROP TABLE IF EXISTS temp.observations_check; {CHECK_TABLE_SQLITE}; BEGIN;"
                    ))
                    .map_err(bulk_error)?;
                    Ok(conn)
                })
                .await?;
                CheckInner::Sqlite(Some(conn))
            }
            Pool::Postgres { pool } => {
                let mut tx = pool.begin().await?;
                sqlx::query(CHECK_TABLE_PG).execute(&mut *tx).await?;
                CheckInner::Postgres(tx)
            }
        };
        Ok(ObservationCheck { inner })
    }
}

impl ObservationCheck {
    /// Adds a batch of rows (each with its row number in the file).
    pub async fn write(&mut self, batch: Vec<(u64, Observation)>) -> StoreResult<()> {
        match &mut self.inner {
            CheckInner::Sqlite(slot) => {
                let conn = slot.take().ok_or_else(|| StoreError::Conflict("the check already failed".into()))?;
                let (conn, result) = tokio::task::spawn_blocking(move || {
                    let result = check_insert(&conn, &batch);
                    (conn, result)
                })
                .await
                .map_err(|e| StoreError::Conflict(format!("bulk-load thread failed: {e}")))?;
                *slot = Some(conn);
                result
            }
            CheckInner::Postgres(tx) => {
                let mut buffer = Vec::new();
                for (row, o) in &batch {
                    buffer.extend_from_slice(row.to_string().as_bytes());
                    buffer.push(b'\t');
                    push_row(&mut buffer, o);
                }
                let statement = format!("COPY observations_check (row_no, {OBSERVATION_COLUMNS}) FROM STDIN");
                let mut copy = tx.copy_in_raw(&statement).await?;
                copy.send(buffer.as_slice()).await?;
                copy.finish().await?;
                Ok(())
            }
        }
    }

    /// What the load would refuse (at most `limit` of each kind listed);
    /// the rows are dropped.
    pub async fn finish(self, limit: i64) -> StoreResult<LoadFindings> {
        match self.inner {
            CheckInner::Sqlite(slot) => {
                let conn = slot.ok_or_else(|| StoreError::Conflict("the check already failed".into()))?;
                blocking(move || {
                    let findings = check_findings_sqlite(&conn, limit).map_err(bulk_error);
                    conn.execute_batch("ROLLBACK; DROP TABLE IF EXISTS temp.observations_check;")
                        .map_err(bulk_error)?;
                    findings
                })
                .await
            }
            CheckInner::Postgres(mut tx) => {
                use crate::rows::RowExt;
                let key = |r: &sqlx::postgres::PgRow| -> StoreResult<crate::ObservationKey> {
                    Ok(crate::ObservationKey {
                        indicator: r.text("indicator_code")?,
                        region: r.text("region_code")?,
                        period: r.text("period")?,
                    })
                };
                let mut findings = LoadFindings::default();
                for r in sqlx::query(CHECK_REPEATED).bind(limit).fetch_all(&mut *tx).await? {
                    findings.repeated.push((
                        key(&r)?,
                        r.int("n")? as u64,
                        r.int("first_row")? as u64,
                        r.int("last_row")? as u64,
                    ));
                }
                let n: i64 = sqlx::query_scalar(COUNT_REPEATED).fetch_one(&mut *tx).await?;
                findings.repeated_keys = n as u64;
                for r in sqlx::query(CHECK_STORED).bind(limit).fetch_all(&mut *tx).await? {
                    findings.stored.push((
                        r.int("row_no")? as u64,
                        key(&r)?,
                        r.float("stored")?,
                        r.float("new_value")?,
                    ));
                }
                let n: i64 = sqlx::query_scalar(COUNT_STORED).fetch_one(&mut *tx).await?;
                findings.stored_keys = n as u64;
                tx.rollback().await?;
                Ok(findings)
            }
        }
    }
}

fn check_insert(conn: &rusqlite::Connection, batch: &[(u64, Observation)]) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO temp.observations_check (row_no, {OBSERVATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    );
    let mut statement = conn.prepare(&sql).map_err(bulk_error)?;
    for (row, o) in batch {
        let period = o.period.to_string();
        statement
            .execute((
                *row as i64,
                o.indicator.as_str(),
                o.region.as_str(),
                period.as_str(),
                o.value,
                o.source.as_deref(),
                o.status.as_str(),
            ))
            .map_err(bulk_error)?;
    }
    Ok(())
}

fn check_findings_sqlite(conn: &rusqlite::Connection, limit: i64) -> rusqlite::Result<LoadFindings> {
    let key = |r: &rusqlite::Row<'_>, first: usize| -> rusqlite::Result<crate::ObservationKey> {
        Ok(crate::ObservationKey { indicator: r.get(first)?, region: r.get(first + 1)?, period: r.get(first + 2)? })
    };
    let mut findings = LoadFindings::default();
    let mut statement = conn.prepare(&CHECK_REPEATED.replace('$', "?"))?;
    let rows = statement.query_map([limit], |r| {
        Ok((key(r, 0)?, r.get::<_, i64>(3)? as u64, r.get::<_, i64>(4)? as u64, r.get::<_, i64>(5)? as u64))
    })?;
    findings.repeated = rows.collect::<rusqlite::Result<_>>()?;
    findings.repeated_keys = conn.query_row(COUNT_REPEATED, (), |r| r.get::<_, i64>(0))? as u64;
    let mut statement = conn.prepare(&CHECK_STORED.replace('$', "?"))?;
    let rows = statement.query_map([limit], |r| Ok((r.get::<_, i64>(0)? as u64, key(r, 1)?, r.get(4)?, r.get(5)?)))?;
    findings.stored = rows.collect::<rusqlite::Result<_>>()?;
    findings.stored_keys = conn.query_row(COUNT_STORED, (), |r| r.get::<_, i64>(0))? as u64;
    Ok(findings)
}

/// Appends a field in COPY text format: backslash, tab, newline and carriage
/// return escaped; `None` as `\N`.
fn push_field(buffer: &mut Vec<u8>, field: Option<&str>) {
    let Some(text) = field else {
        buffer.extend_from_slice(b"\\N");
        return;
    };
    for b in text.bytes() {
        match b {
            b'\\' => buffer.extend_from_slice(b"\\\\"),
            b'\t' => buffer.extend_from_slice(b"\\t"),
            b'\n' => buffer.extend_from_slice(b"\\n"),
            b'\r' => buffer.extend_from_slice(b"\\r"),
            _ => buffer.push(b),
        }
    }
}

/// One observation as a COPY text line.
fn push_row(buffer: &mut Vec<u8>, o: &Observation) {
    push_field(buffer, Some(o.indicator.as_str()));
    buffer.push(b'\t');
    push_field(buffer, Some(o.region.as_str()));
    buffer.push(b'\t');
    push_field(buffer, Some(&o.period.to_string()));
    buffer.push(b'\t');
    // Rust prints the shortest text that reads back as the same f64.
    push_field(buffer, Some(&o.value.to_string()));
    buffer.push(b'\t');
    push_field(buffer, o.source.as_deref());
    buffer.push(b'\t');
    push_field(buffer, Some(o.status.as_str()));
    buffer.push(b'\n');
}

/// Reads the key out of PostgreSQL's unique-violation detail,
/// `Key (indicator_code, region_code, period)=(a, b, c) already exists.`
fn duplicate_from_detail(detail: &str) -> Option<StoreError> {
    let values = detail.split(")=(").nth(1)?.split(')').next()?;
    let mut parts = values.split(", ");
    Some(StoreError::DuplicateObservation {
        indicator: parts.next()?.to_string(),
        region: parts.next()?.to_string(),
        period: parts.next()?.to_string(),
    })
}

fn map_copy_error(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error
        && let Some(pg) = db.try_downcast_ref::<PgDatabaseError>()
        && pg.code() == "23505"
        && let Some(duplicate) = pg.detail().and_then(duplicate_from_detail)
    {
        return duplicate;
    }
    error.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_escape_the_text_format_specials() {
        let mut buffer = Vec::new();
        push_field(&mut buffer, Some("a\tb\\c\nd"));
        buffer.push(b'|');
        push_field(&mut buffer, None);
        assert_eq!(String::from_utf8(buffer).unwrap(), "a\\tb\\\\c\\nd|\\N");
    }

    #[test]
    fn the_duplicate_key_is_read_from_the_detail() {
        let detail = "Key (indicator_code, region_code, period)=(pop_total, 520102, 2020) already exists.";
        match duplicate_from_detail(detail) {
            Some(StoreError::DuplicateObservation { indicator, region, period }) => {
                assert_eq!((indicator.as_str(), region.as_str(), period.as_str()), ("pop_total", "520102", "2020"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(duplicate_from_detail("something else").is_none());
    }
}
