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

/// SQLite migrations, oldest first.
pub(crate) const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../migrations/sqlite/0001_foundation.sql") },
    Migration { version: 2, name: "data_version", sql: include_str!("../migrations/sqlite/0002_data_version.sql") },
    Migration { version: 3, name: "search_key", sql: include_str!("../migrations/sqlite/0003_search_key.sql") },
    Migration { version: 4, name: "pairings", sql: include_str!("../migrations/sqlite/0004_pairings.sql") },
    Migration { version: 5, name: "security", sql: include_str!("../migrations/sqlite/0005_security.sql") },
    Migration {
        version: 6,
        name: "designation_lists",
        sql: include_str!("../migrations/sqlite/0006_designation_lists.sql"),
    },
    Migration {
        version: 7,
        name: "monitoring_lines",
        sql: include_str!("../migrations/sqlite/0007_monitoring_lines.sql"),
    },
    Migration { version: 8, name: "households", sql: include_str!("../migrations/sqlite/0008_households.sql") },
    Migration { version: 9, name: "cases", sql: include_str!("../migrations/sqlite/0009_cases.sql") },
    Migration {
        version: 10,
        name: "household_details",
        sql: include_str!("../migrations/sqlite/0010_household_details.sql"),
    },
    Migration { version: 11, name: "plans", sql: include_str!("../migrations/sqlite/0011_plans.sql") },
    Migration { version: 12, name: "case_measures", sql: include_str!("../migrations/sqlite/0012_case_measures.sql") },
    Migration { version: 13, name: "trust", sql: include_str!("../migrations/sqlite/0013_trust.sql") },
    Migration { version: 14, name: "versions", sql: include_str!("../migrations/sqlite/0014_versions.sql") },
];

/// PostgreSQL migrations, oldest first; same versions and names as SQLite.
pub(crate) const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../migrations/postgres/0001_foundation.sql") },
    Migration { version: 2, name: "data_version", sql: include_str!("../migrations/postgres/0002_data_version.sql") },
    Migration { version: 3, name: "search_key", sql: include_str!("../migrations/postgres/0003_search_key.sql") },
    Migration { version: 4, name: "pairings", sql: include_str!("../migrations/postgres/0004_pairings.sql") },
    Migration { version: 5, name: "security", sql: include_str!("../migrations/postgres/0005_security.sql") },
    Migration {
        version: 6,
        name: "designation_lists",
        sql: include_str!("../migrations/postgres/0006_designation_lists.sql"),
    },
    Migration {
        version: 7,
        name: "monitoring_lines",
        sql: include_str!("../migrations/postgres/0007_monitoring_lines.sql"),
    },
    Migration { version: 8, name: "households", sql: include_str!("../migrations/postgres/0008_households.sql") },
    Migration { version: 9, name: "cases", sql: include_str!("../migrations/postgres/0009_cases.sql") },
    Migration {
        version: 10,
        name: "household_details",
        sql: include_str!("../migrations/postgres/0010_household_details.sql"),
    },
    Migration { version: 11, name: "plans", sql: include_str!("../migrations/postgres/0011_plans.sql") },
    Migration {
        version: 12,
        name: "case_measures",
        sql: include_str!("../migrations/postgres/0012_case_measures.sql"),
    },
    Migration { version: 13, name: "trust", sql: include_str!("../migrations/postgres/0013_trust.sql") },
    Migration { version: 14, name: "versions", sql: include_str!("../migrations/postgres/0014_versions.sql") },
];

/// Creates the bookkeeping table (same SQL for both back ends).
pub(crate) const CREATE_LEDGER: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)";

/// Applies pending SQLite migrations, each in its own `BEGIN IMMEDIATE`
/// transaction (so that two processes starting at once apply each once).
pub(crate) async fn run_sqlite(pool: &sqlx::SqlitePool) -> crate::StoreResult<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query(CREATE_LEDGER).execute(&mut *conn).await?;
    drop(conn);
    for m in SQLITE {
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

/// Applies pending PostgreSQL migrations in one transaction under an
/// advisory lock, so that several app servers starting together apply
/// them once.
pub(crate) async fn run_postgres(pool: &sqlx::PgPool) -> crate::StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
    sqlx::query(CREATE_LEDGER).execute(&mut *tx).await?;
    for m in POSTGRES {
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
