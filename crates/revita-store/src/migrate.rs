//! A minimal migration runner: numbered SQL files embedded in the binary,
//! one list per back end, applied in order inside a transaction and recorded
//! in `schema_migrations`. sqlx's own migrator needs its proc macros; this
//! needs twenty lines.

/// One migration: version, name and SQL text.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Declares the migrations once for both back ends: each version's file
/// (`NNNN_name.sql`) exists under `migrations/sqlite` and
/// `migrations/postgres`, so the two lists cannot drift apart.
macro_rules! migrations {
    ($($version:literal $file:literal;)*) => {
        /// SQLite migrations, oldest first.
        pub(crate) const SQLITE: &[Migration] = &[$(Migration {
            version: $version,
            name: name_of($file),
            sql: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
        }),*];
        /// PostgreSQL migrations, oldest first; the same versions and names.
        pub(crate) const POSTGRES: &[Migration] = &[$(Migration {
            version: $version,
            name: name_of($file),
            sql: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        }),*];
    };
}

/// A migration's name: its file name after `NNNN_`.
const fn name_of(file: &'static str) -> &'static str {
    file.split_at(5).1
}

migrations! {
    1 "0001_foundation";
    2 "0002_data_version";
    3 "0003_search_key";
    4 "0004_pairings";
    5 "0005_security";
    6 "0006_designation_lists";
    7 "0007_monitoring_lines";
    8 "0008_households";
    9 "0009_cases";
    10 "0010_household_details";
    11 "0011_plans";
    12 "0012_case_measures";
    13 "0013_trust";
    14 "0014_versions";
    15 "0015_settings";
    16 "0016_place_name_readings";
    17 "0017_indicator_ranges";
    18 "0018_saved_specs";
    19 "0019_eco";
    20 "0020_pairing_ledger";
    21 "0021_disasters";
    22 "0022_disaster_rebuilds";
    23 "0023_subsidence";
    24 "0024_relocation";
}

/// Creates the bookkeeping table (same SQL for both back ends).
pub(crate) const CREATE_LEDGER: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)";

/// Applies pending SQLite migrations up to version `until`, each in its own
/// `BEGIN IMMEDIATE` transaction (so that two processes starting at once
/// apply each once).
pub(crate) async fn run_sqlite(pool: &sqlx::SqlitePool, until: i64) -> crate::StoreResult<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query(CREATE_LEDGER).execute(&mut *conn).await?;
    drop(conn);
    for m in SQLITE.iter().filter(|m| m.version <= until) {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
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

/// Arbitrary key of the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x7265_7669_7461; // "revita"

/// Applies pending PostgreSQL migrations up to version `until` in one
/// transaction under an advisory lock, so that several app servers starting
/// together apply them once.
pub(crate) async fn run_postgres(pool: &sqlx::PgPool, until: i64) -> crate::StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
    sqlx::query(CREATE_LEDGER).execute(&mut *tx).await?;
    for m in POSTGRES.iter().filter(|m| m.version <= until) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_back_ends_have_the_same_migrations() {
        let versions = |ms: &[Migration]| ms.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
        assert!(SQLITE.windows(2).all(|w| w[0].version < w[1].version));
    }
}
