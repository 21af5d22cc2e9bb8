//! Bulk loads into SQLite that do not hold up other writers (issue 14: a
//! ten-million-row import held the database's one write lock for its whole
//! length, and a household edit failed with "database is locked").
//!
//! A load goes in three steps:
//! 1. **Staging.** Rows go to a table of a staging file beside the
//!    database (attached to the load's own connection), which locks only
//!    that file: other writers carry on. Rows are appended as they come
//!    (no index), through one prepared `INSERT` stepped per row, as
//!    `sqlite3 .import` does.
//! 2. **Registration.** Once every row is staged, the file is synced, the
//!    load's audit entries are written into it, and the load is recorded in
//!    `pending_imports` of the database, in one short transaction.
//! 3. **Merging.** The rows move into `observations` a chunk at a time,
//!    each chunk its own short transaction, which also records how far the
//!    merge has come; the last one appends the audit entries and bumps the
//!    versions. Between chunks other writers get the lock, so none waits
//!    longer than a chunk (about a tenth of a second).
//!
//! All or nothing is kept by the staging file: a chunk that fails (a key
//! stored meanwhile) undoes the chunks merged before it, and a load cut
//! short by a crash is finished from its staging file when the store is
//! next opened ([`recover`]). While a merge runs, readers may see part of
//! it for a few seconds; no one sees a load that will not complete.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use revita_methods::Observation;

use crate::load::{BUMP_OBSERVATIONS, Revision};
use crate::observations::OBSERVATION_COLUMNS;
use crate::security::AuditEntry;
use crate::{LoadMode, StoreError, StoreResult};

/// Rows merged in the first transaction; later chunks are sized so that
/// each takes about [`CHUNK_TARGET`].
const CHUNK_ROWS: i64 = 50_000;
/// How long one merge transaction should hold the write lock: other writers
/// wait at most about this long (the fewer chunks, the less the merge costs
/// in all; issue 14 asks that a web edit succeed within 2 s).
const CHUNK_TARGET: Duration = Duration::from_millis(600);

/// How long a load waits for the write lock before giving up.
const BUSY_WAIT: Duration = Duration::from_secs(30);

const STAGING_TABLE: &str = "CREATE TABLE staging.rows (indicator_code TEXT NOT NULL, region_code TEXT NOT NULL, \
     period TEXT NOT NULL, value REAL NOT NULL, source TEXT, status TEXT NOT NULL)";
const STAGING_AUDIT: &str = "CREATE TABLE staging.audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, \
     actor TEXT NOT NULL, action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL, region_code TEXT, \
     before_value TEXT, after_value TEXT, request_id TEXT, client_addr TEXT)";
const KEY_MATCH: &str = "o.indicator_code = s.indicator_code AND o.region_code = s.region_code AND o.period = s.period";

fn bulk_error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, _) = &e
        && matches!(failure.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    {
        return StoreError::Busy;
    }
    StoreError::Conflict(format!("bulk load failed: {e}"))
}

fn io_error(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Conflict(format!("bulk load failed: {what}: {e}"))
}

/// A fresh staging file name beside the database.
fn staging_path(database: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut name = database.as_os_str().to_owned();
    name.push(format!(".import-{}-{nanos}-{n}", std::process::id()));
    PathBuf::from(name)
}

fn open(database: &Path) -> StoreResult<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(database).map_err(bulk_error)?;
    conn.busy_timeout(BUSY_WAIT).map_err(bulk_error)?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;")
        .map_err(bulk_error)?;
    Ok(conn)
}

fn attach(conn: &rusqlite::Connection, staging: &Path) -> StoreResult<()> {
    let path = staging.to_str().ok_or_else(|| StoreError::InvalidUrl(staging.display().to_string()))?;
    conn.execute("ATTACH DATABASE ?1 AS staging", [path]).map_err(bulk_error)?;
    Ok(())
}

fn remove_staging(staging: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = staging.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// A load into SQLite in progress: rows staged so far.
pub(crate) struct SqliteLoad {
    conn: rusqlite::Connection,
    staging: PathBuf,
    mode: LoadMode,
}

impl SqliteLoad {
    /// Starts a load: a staging file, attached, with its table, in an open
    /// transaction of the staging file only.
    pub(crate) fn begin(database: &Path, mode: LoadMode) -> StoreResult<SqliteLoad> {
        let conn = open(database)?;
        let staging = staging_path(database);
        attach(&conn, &staging)?;
        // The staging file is disposable until the load is registered:
        // no journal, no syncing while it fills.
        let created = conn.execute_batch(&format!(
            "PRAGMA staging.journal_mode = OFF; PRAGMA staging.synchronous = OFF; {STAGING_TABLE}; {STAGING_AUDIT}; BEGIN;"
        ));
        if let Err(e) = created {
            remove_staging(&staging);
            return Err(bulk_error(e));
        }
        Ok(SqliteLoad { conn, staging, mode })
    }

    /// Appends a batch to the staging table.
    pub(crate) fn insert(&self, batch: &[Observation]) -> StoreResult<()> {
        let sql = format!("INSERT INTO staging.rows ({OBSERVATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        let mut statement = self.conn.prepare(&sql).map_err(bulk_error)?;
        let mut period = String::with_capacity(8);
        for o in batch {
            period.clear();
            let _ = write!(period, "{}", o.period);
            statement
                .execute((
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

    /// How many stored values the load would overwrite (replace mode).
    pub(crate) fn replaced(&self) -> StoreResult<u64> {
        replaced(&self.conn, self.mode, "staging.rows")
    }

    /// Registers the staged load and merges it (see the module's docs).
    pub(crate) fn commit(self, audit: &[AuditEntry], revision: Option<&Revision>) -> StoreResult<()> {
        let result = self.stage_for_merge(audit);
        if let Err(e) = result {
            let _ = self.conn.execute_batch("ROLLBACK");
            let _ = self.conn.execute_batch("DETACH DATABASE staging");
            remove_staging(&self.staging);
            return Err(e);
        }
        let job = Job {
            staging: self.staging.clone(),
            mode: self.mode,
            revision: revision.cloned(),
            merged: 0,
            total: self
                .conn
                .query_row("SELECT COALESCE(MAX(rowid), 0) FROM staging.rows", (), |r| r.get(0))
                .map_err(bulk_error)?,
        };
        if let Err(e) = register(&self.conn, &job) {
            let _ = self.conn.execute_batch("DETACH DATABASE staging");
            remove_staging(&self.staging);
            return Err(e);
        }
        merge(&self.conn, job)
    }

    /// Ends staging: commits and syncs the staging file with the audit
    /// entries, and (replace mode) refuses a key the file gives twice.
    fn stage_for_merge(&self, audit: &[AuditEntry]) -> StoreResult<()> {
        let mut insert = self
            .conn
            .prepare(
                "INSERT INTO staging.audit (at, actor, action, object_type, object_id, region_code, before_value, \
                 after_value, request_id, client_addr) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(bulk_error)?;
        for e in audit {
            insert.execute(crate::audit::rusqlite_fields(e)).map_err(bulk_error)?;
        }
        drop(insert);
        self.conn.execute_batch("COMMIT").map_err(bulk_error)?;
        if self.mode == LoadMode::Replace {
            // A key given twice would silently keep its last value.
            let unique = "CREATE UNIQUE INDEX staging.rows_key ON rows (indicator_code, region_code, period)";
            if let Err(e) = self.conn.execute(unique, ()) {
                return Err(first_repeat(&self.conn).unwrap_or_else(|| bulk_error(e)));
            }
        }
        std::fs::File::open(&self.staging).and_then(|f| f.sync_all()).map_err(|e| io_error("cannot sync", e))
    }

    /// Discards the load.
    pub(crate) fn rollback(self) -> StoreResult<()> {
        let _ = self.conn.execute_batch("ROLLBACK");
        let _ = self.conn.execute_batch("DETACH DATABASE staging");
        remove_staging(&self.staging);
        Ok(())
    }
}

/// A load that holds the write lock from its first row to its commit, in
/// one transaction (the fastest way in: for a first load, or a database no
/// one else is writing to). Rows go straight into `observations`, or in
/// replace mode through a temporary table with the same primary key.
pub(crate) struct ExclusiveLoad {
    conn: rusqlite::Connection,
    target: &'static str,
    mode: LoadMode,
}

impl ExclusiveLoad {
    pub(crate) fn begin(database: &Path, mode: LoadMode) -> StoreResult<ExclusiveLoad> {
        let conn = open(database)?;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(bulk_error)?;
        let target = match mode {
            LoadMode::InsertOnly => "main.observations",
            LoadMode::Replace => {
                conn.execute_batch(
                    "DROP TABLE IF EXISTS temp.observations_load; \
                     CREATE TEMP TABLE observations_load (indicator_code TEXT NOT NULL, region_code TEXT NOT NULL, \
                     period TEXT NOT NULL, value REAL NOT NULL, source TEXT, status TEXT NOT NULL, \
                     PRIMARY KEY (indicator_code, region_code, period)) WITHOUT ROWID;",
                )
                .map_err(bulk_error)?;
                "temp.observations_load"
            }
        };
        Ok(ExclusiveLoad { conn, target, mode })
    }

    pub(crate) fn insert(&self, batch: &[Observation]) -> StoreResult<()> {
        let sql = format!("INSERT INTO {} ({OBSERVATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", self.target);
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

    pub(crate) fn replaced(&self) -> StoreResult<u64> {
        replaced(&self.conn, self.mode, "temp.observations_load")
    }

    pub(crate) fn commit(self, audit: &[AuditEntry], revision: Option<&Revision>) -> StoreResult<()> {
        let done = (|| -> rusqlite::Result<()> {
            if self.mode == LoadMode::Replace {
                if let Some(r) = revision {
                    let save = format!(
                        "INSERT INTO main.observation_revisions \
                         (change_id, indicator_code, region_code, period, value, source, status, replaced_at) \
                         SELECT ?1, o.indicator_code, o.region_code, o.period, o.value, o.source, o.status, ?2 \
                         FROM main.observations o JOIN temp.observations_load s ON {KEY_MATCH}"
                    );
                    self.conn.execute(&save, rusqlite::params![r.change_id, r.at])?;
                }
                self.conn.execute(
                    &format!(
                        "INSERT INTO main.observations ({OBSERVATION_COLUMNS}) SELECT {OBSERVATION_COLUMNS} \
                         FROM temp.observations_load WHERE true ON CONFLICT (indicator_code, region_code, period) \
                         DO UPDATE SET value = excluded.value, source = excluded.source, status = excluded.status"
                    ),
                    (),
                )?;
                self.conn.execute("DROP TABLE temp.observations_load", ())?;
            }
            crate::audit::append_chained_rusqlite(&self.conn, audit)?;
            self.conn.execute(crate::BUMP_DATA_VERSION, ())?;
            self.conn.execute(BUMP_OBSERVATIONS, ())?;
            self.conn.execute_batch("COMMIT")
        })();
        done.map_err(bulk_error)
    }

    pub(crate) fn rollback(self) -> StoreResult<()> {
        self.conn.execute_batch("ROLLBACK").map_err(bulk_error)
    }
}

/// The first key the staging table gives twice, as the error to report.
fn first_repeat(conn: &rusqlite::Connection) -> Option<StoreError> {
    let sql = "SELECT indicator_code, region_code, period FROM staging.rows \
               GROUP BY indicator_code, region_code, period HAVING COUNT(*) > 1 LIMIT 1";
    conn.query_row(sql, (), |r| {
        Ok(StoreError::DuplicateObservation { indicator: r.get(0)?, region: r.get(1)?, period: r.get(2)? })
    })
    .ok()
}

/// The first staged key of rows `(lo, hi]` that is stored already.
fn first_stored(conn: &rusqlite::Connection, lo: i64, hi: i64) -> Option<StoreError> {
    let sql = format!(
        "SELECT s.indicator_code, s.region_code, s.period FROM staging.rows s WHERE s.rowid > ?1 AND s.rowid <= ?2 \
         AND EXISTS (SELECT 1 FROM main.observations o WHERE {KEY_MATCH}) LIMIT 1"
    );
    conn.query_row(&sql, (lo, hi), |r| {
        Ok(StoreError::DuplicateObservation { indicator: r.get(0)?, region: r.get(1)?, period: r.get(2)? })
    })
    .ok()
}

/// A registered load being merged.
struct Job {
    staging: PathBuf,
    mode: LoadMode,
    revision: Option<Revision>,
    /// Staged rows (by rowid) merged so far.
    merged: i64,
    /// The last staged rowid.
    total: i64,
}

/// How many stored values the rows loaded into `table` would overwrite (in
/// replace mode; none otherwise).
fn replaced(conn: &rusqlite::Connection, mode: LoadMode, table: &str) -> StoreResult<u64> {
    if mode != LoadMode::Replace {
        return Ok(0);
    }
    let sql = format!("SELECT COUNT(*) FROM main.observations o JOIN {table} s ON {KEY_MATCH}");
    let n: i64 = conn.query_row(&sql, (), |row| row.get(0)).map_err(bulk_error)?;
    Ok(n as u64)
}

fn mode_text(mode: LoadMode) -> &'static str {
    match mode {
        LoadMode::InsertOnly => "insert",
        LoadMode::Replace => "replace",
    }
}

fn register(conn: &rusqlite::Connection, job: &Job) -> StoreResult<()> {
    let path = job.staging.display().to_string();
    let (change, at) = job.revision.as_ref().map_or((None, 0), |r| (Some(r.change_id.clone()), r.at));
    conn.execute_batch("BEGIN IMMEDIATE").map_err(bulk_error)?;
    // The versions move now as well as at the end, so that nothing cached
    // from a part of the merge outlives it (it ends whole, or undone).
    let inserted = conn
        .execute(
            "INSERT INTO main.pending_imports (staging_path, mode, change_id, revision_at, merged, total) \
             VALUES (?1, ?2, ?3, ?4, 0, ?5)",
            rusqlite::params![path, mode_text(job.mode), change, at, job.total],
        )
        .and_then(|_| conn.execute(crate::BUMP_DATA_VERSION, ()))
        .and_then(|_| conn.execute(BUMP_OBSERVATIONS, ()));
    match inserted {
        Ok(_) => conn.execute_batch("COMMIT").map_err(bulk_error),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(bulk_error(e))
        }
    }
}

/// Merges a registered load chunk by chunk; on a failure undoes what was
/// merged and forgets the load.
fn merge(conn: &rusqlite::Connection, mut job: Job) -> StoreResult<()> {
    let mut chunk = CHUNK_ROWS;
    loop {
        let lo = job.merged;
        let hi = (lo + chunk).min(job.total);
        let last = hi >= job.total;
        let started = std::time::Instant::now();
        match merge_chunk(conn, &job, lo, hi, last) {
            Ok(()) => {
                job.merged = hi;
                let took = started.elapsed().as_secs_f64().max(1e-3);
                let scaled = (chunk as f64 * CHUNK_TARGET.as_secs_f64() / took) as i64;
                chunk = scaled.clamp(chunk / 2, chunk * 2).clamp(10_000, 1_000_000);
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                let error = match e {
                    StoreError::Conflict(_) if job.mode == LoadMode::InsertOnly => {
                        first_stored(conn, lo, hi).or_else(|| first_repeat(conn)).unwrap_or(e)
                    }
                    other => other,
                };
                undo(conn, &job)?;
                finish(conn, &job);
                return Err(error);
            }
        }
        if last {
            finish(conn, &job);
            return Ok(());
        }
    }
}

/// One chunk in its own transaction: the values it overwrites kept (replace
/// mode), its rows merged, the progress recorded; the last chunk also
/// writes the audit entries and bumps the versions.
fn merge_chunk(conn: &rusqlite::Connection, job: &Job, lo: i64, hi: i64, last: bool) -> StoreResult<()> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(bulk_error)?;
    if let Some(r) = job.revision.as_ref().filter(|_| job.mode == LoadMode::Replace) {
        let save = format!(
            "INSERT INTO main.observation_revisions \
             (change_id, indicator_code, region_code, period, value, source, status, replaced_at) \
             SELECT ?1, o.indicator_code, o.region_code, o.period, o.value, o.source, o.status, ?2 \
             FROM main.observations o JOIN staging.rows s ON {KEY_MATCH} WHERE s.rowid > ?3 AND s.rowid <= ?4"
        );
        conn.execute(&save, rusqlite::params![r.change_id, r.at, lo, hi]).map_err(bulk_error)?;
    }
    // `WHERE` before `ON CONFLICT` settles SQLite's reading of the upsert.
    let upsert = match job.mode {
        LoadMode::InsertOnly => "",
        LoadMode::Replace => {
            " ON CONFLICT (indicator_code, region_code, period) DO UPDATE SET \
             value = excluded.value, source = excluded.source, status = excluded.status"
        }
    };
    let insert = format!(
        "INSERT INTO main.observations ({OBSERVATION_COLUMNS}) SELECT {OBSERVATION_COLUMNS} FROM staging.rows \
         WHERE rowid > ?1 AND rowid <= ?2{upsert}"
    );
    conn.execute(&insert, (lo, hi)).map_err(bulk_error)?;
    let path = job.staging.display().to_string();
    conn.execute("UPDATE main.pending_imports SET merged = ?1 WHERE staging_path = ?2", rusqlite::params![hi, path])
        .map_err(bulk_error)?;
    if last {
        let audit = staged_audit(conn)?;
        crate::audit::append_chained_rusqlite(conn, &audit).map_err(bulk_error)?;
        conn.execute(crate::BUMP_DATA_VERSION, ()).map_err(bulk_error)?;
        conn.execute(BUMP_OBSERVATIONS, ()).map_err(bulk_error)?;
        conn.execute("DELETE FROM main.pending_imports WHERE staging_path = ?1", [path]).map_err(bulk_error)?;
    }
    conn.execute_batch("COMMIT").map_err(bulk_error)
}

fn staged_audit(conn: &rusqlite::Connection) -> StoreResult<Vec<AuditEntry>> {
    let mut statement = conn
        .prepare(
            "SELECT at, actor, action, object_type, object_id, region_code, before_value, after_value, request_id, \
             client_addr FROM staging.audit ORDER BY seq",
        )
        .map_err(bulk_error)?;
    let rows = statement
        .query_map((), |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                object_type: r.get(3)?,
                object_id: r.get(4)?,
                region: r.get(5)?,
                before: r.get(6)?,
                after: r.get(7)?,
                request_id: r.get(8)?,
                client_addr: r.get(9)?,
                ..Default::default()
            })
        })
        .map_err(bulk_error)?;
    let entries = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(bulk_error)?;
    if entries.is_empty() { Err(StoreError::Unaudited) } else { Ok(entries) }
}

/// Undoes the chunks merged so far, a chunk a transaction: the rows added
/// are deleted and (replace mode) the values they overwrote put back.
fn undo(conn: &rusqlite::Connection, job: &Job) -> StoreResult<()> {
    let change = job.revision.as_ref().map(|r| r.change_id.clone()).unwrap_or_default();
    let mut lo = 0;
    while lo < job.merged {
        let hi = (lo + CHUNK_ROWS).min(job.merged);
        conn.execute_batch("BEGIN IMMEDIATE").map_err(bulk_error)?;
        let undone = (|| -> rusqlite::Result<()> {
            // By the primary key, a staged row at a time.
            let delete = "DELETE FROM main.observations WHERE (indicator_code, region_code, period) IN \
                 (SELECT indicator_code, region_code, period FROM staging.rows WHERE rowid > ?1 AND rowid <= ?2)";
            conn.execute(delete, (lo, hi))?;
            if job.mode == LoadMode::Replace {
                let restore = format!(
                    "INSERT INTO main.observations ({OBSERVATION_COLUMNS}) SELECT o.indicator_code, o.region_code, \
                     o.period, o.value, o.source, o.status FROM main.observation_revisions o JOIN staging.rows s \
                     ON {KEY_MATCH} WHERE o.change_id = ?1 AND s.rowid > ?2 AND s.rowid <= ?3"
                );
                conn.execute(&restore, rusqlite::params![change, lo, hi])?;
            }
            Ok(())
        })();
        match undone {
            Ok(()) => conn.execute_batch("COMMIT").map_err(bulk_error)?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(bulk_error(e));
            }
        }
        lo = hi;
    }
    if job.mode == LoadMode::Replace && !change.is_empty() {
        conn.execute("DELETE FROM main.observation_revisions WHERE change_id = ?1", [change]).map_err(bulk_error)?;
    }
    // Whatever was cached while part of the load showed is dropped.
    conn.execute(crate::BUMP_DATA_VERSION, ()).map_err(bulk_error)?;
    conn.execute(BUMP_OBSERVATIONS, ()).map_err(bulk_error)?;
    Ok(())
}

/// Forgets a load: its registration and its staging file.
fn finish(conn: &rusqlite::Connection, job: &Job) {
    let path = job.staging.display().to_string();
    let _ = conn.execute("DELETE FROM main.pending_imports WHERE staging_path = ?1", [path]);
    let _ = conn.execute_batch("DETACH DATABASE staging");
    remove_staging(&job.staging);
}

/// Finishes the loads a crash cut short in their merge (their staging
/// files hold every row and the audit entries), and removes staging files
/// of loads that were never registered. Returns how many loads it finished.
pub(crate) fn recover(database: &Path) -> StoreResult<usize> {
    let conn = open(database)?;
    let pending: Vec<(String, String, Option<String>, i64, i64, i64)> = {
        let mut statement = conn
            .prepare("SELECT staging_path, mode, change_id, revision_at, merged, total FROM pending_imports")
            .map_err(bulk_error)?;
        let rows = statement
            .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .map_err(bulk_error)?;
        rows.collect::<rusqlite::Result<_>>().map_err(bulk_error)?
    };
    let mut finished = 0;
    for (path, mode, change, at, merged, total) in pending {
        let staging = PathBuf::from(&path);
        if !staging.exists() {
            tracing::error!(staging = %path, "an import's staging file is gone: the part merged before the crash stays");
            conn.execute("DELETE FROM pending_imports WHERE staging_path = ?1", [&path]).map_err(bulk_error)?;
            continue;
        }
        attach(&conn, &staging)?;
        let mode = if mode == "replace" { LoadMode::Replace } else { LoadMode::InsertOnly };
        let revision = change.map(|change_id| Revision { change_id, at });
        tracing::warn!(staging = %path, merged, total, "finishing an import cut short");
        merge(&conn, Job { staging, mode, revision, merged, total })?;
        finished += 1;
    }
    sweep_unregistered(database);
    Ok(finished)
}

/// Removes staging files beside the database that no pending import names
/// (a load that died while staging, before it was registered), if older
/// than a day (a load of another process may be staging now).
fn sweep_unregistered(database: &Path) {
    let (Some(dir), Some(name)) = (database.parent(), database.file_name().and_then(|n| n.to_str())) else { return };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let prefix = format!("{name}.import-");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(86_400));
        if file.to_str().is_some_and(|f| f.starts_with(&prefix)) && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit() -> AuditEntry {
        AuditEntry {
            at: 1,
            actor: "t".into(),
            action: "import.observations".into(),
            object_type: "t".into(),
            ..Default::default()
        }
    }

    fn obs(year: i32) -> Observation {
        Observation {
            indicator: revita_methods::IndicatorCode::parse("pop_total").unwrap(),
            region: revita_methods::RegionCode::parse("520102").unwrap(),
            period: revita_methods::Period::Year(year),
            value: 1.0,
            source: None,
            status: revita_methods::ObservationStatus::Final,
        }
    }

    #[tokio::test]
    async fn a_merge_cut_short_by_a_crash_is_finished_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        let url = crate::DatabaseUrl::sqlite_file(&path);
        crate::open(&url).await.unwrap();
        // Stage and register 120,000 rows, merge one chunk, then "crash".
        let load = SqliteLoad::begin(&path, LoadMode::InsertOnly).unwrap();
        load.insert(&(0..120_000).map(|i| obs(100_000 + i)).collect::<Vec<_>>()).unwrap();
        load.stage_for_merge(&[audit()]).unwrap();
        let total = load.conn.query_row("SELECT MAX(rowid) FROM staging.rows", (), |r| r.get(0)).unwrap();
        let job = Job { staging: load.staging.clone(), mode: LoadMode::InsertOnly, revision: None, merged: 0, total };
        register(&load.conn, &job).unwrap();
        merge_chunk(&load.conn, &job, 0, CHUNK_ROWS, false).unwrap();
        let staging = load.staging.clone();
        drop(load);
        assert!(staging.exists());
        let store = crate::open(&url).await.unwrap();
        assert_eq!(store.inventory().await.unwrap().observations, 120_000, "finished, not half done");
        assert!(!staging.exists(), "the staging file is gone");
        let log = store.audit_log(&Default::default(), 10).await.unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "import.observations").count(), 1);
        assert!(store.verify_audit_chain().await.unwrap().broken_at.is_none());
    }
}
