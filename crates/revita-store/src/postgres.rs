//! The PostgreSQL back end: production, many users, stateless app servers.
//!
//! Bulk loads stream observations with `COPY … FROM STDIN` (text format)
//! inside one transaction; migrations take an advisory lock so that several
//! app servers starting together apply them once.

use async_trait::async_trait;
use revita_methods::Observation;
use sqlx::postgres::{PgDatabaseError, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use crate::{Backend, DatabaseUrl, LoadMode, ObservationLoad, StoreError, StoreResult, migrate, sql};

/// Arbitrary key of the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x7265_7669_7461; // "revita"

/// A store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database the URL names.
    pub async fn connect(url: &DatabaseUrl) -> StoreResult<PgStore> {
        let pool = PgPoolOptions::new().max_connections(10).connect(url.expose()).await?;
        Ok(PgStore { pool })
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
        sqlx::query(migrate::CREATE_LEDGER).execute(&mut *tx).await?;
        for m in migrate::POSTGRES {
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
        }
        tx.commit().await?;
        Ok(())
    }

    async fn start_observation_load(&self, mode: LoadMode) -> StoreResult<Box<dyn ObservationLoad>> {
        let mut tx = self.pool.begin().await?;
        let target = match mode {
            LoadMode::InsertOnly => "observations",
            LoadMode::Replace => {
                sqlx::query("CREATE TEMP TABLE observations_load (LIKE observations INCLUDING ALL) ON COMMIT DROP")
                    .execute(&mut *tx)
                    .await?;
                "observations_load"
            }
        };
        Ok(Box::new(PgLoad { tx, target, mode, rows: 0, buffer: Vec::new() }))
    }
}

crate::common::shared_store_impl!(PgStore, Backend::Postgres, sqlx::Postgres);
crate::plans::plan_store_impl!(PgStore, sqlx::Postgres);

struct PgLoad {
    tx: Transaction<'static, Postgres>,
    target: &'static str,
    mode: LoadMode,
    rows: u64,
    buffer: Vec<u8>,
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

#[async_trait]
impl ObservationLoad for PgLoad {
    async fn write(&mut self, batch: Vec<Observation>) -> StoreResult<()> {
        self.buffer.clear();
        for o in &batch {
            push_row(&mut self.buffer, o);
        }
        let statement = format!("COPY {} ({}) FROM STDIN", self.target, sql::OBSERVATION_COLUMNS);
        let mut copy = self.tx.copy_in_raw(&statement).await.map_err(map_copy_error)?;
        copy.send(self.buffer.as_slice()).await.map_err(map_copy_error)?;
        self.rows += copy.finish().await.map_err(map_copy_error)?;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<u64> {
        if self.mode == LoadMode::Replace {
            sqlx::query(sql::MERGE_STAGED_OBSERVATIONS).execute(&mut *self.tx).await?;
        }
        sqlx::query(sql::BUMP_DATA_VERSION).execute(&mut *self.tx).await?;
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
