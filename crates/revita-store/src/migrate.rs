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
];

/// Creates the bookkeeping table (same SQL for both back ends).
pub(crate) const CREATE_LEDGER: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)";

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
