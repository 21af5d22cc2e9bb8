//! Dev-only fixtures: a fresh, empty store of either back end for every test.
//!
//! SQLite stores live in a temporary directory removed when the fixture
//! drops. PostgreSQL stores live in a freshly created database named
//! `revita_t_…` on the server given by `REVITA_TEST_PG_URL` (default: the
//! local server, `postgres://postgres@127.0.0.1:5432/postgres`), dropped by
//! [`TestStore::finish`]. When the server is unreachable the PostgreSQL half
//! of a test is skipped with a message — except under CI (`CI` set), where
//! it fails, so that a missing service can never turn a run green.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use revita_store::{DatabaseUrl, DynStore};

/// The default administrative URL of the local test server.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// An empty database made for one test, with what it needs to clean up:
/// for tests that build a schema themselves (an upgrade from an old one).
pub struct TestDatabase {
    /// Its URL.
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, database: String },
}

impl TestDatabase {
    /// An empty SQLite file in a temporary directory.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory can be created");
        let url = DatabaseUrl::sqlite_file(&dir.path().join("revita.sqlite"));
        TestDatabase { url, cleanup: Cleanup::Sqlite(dir) }
    }

    /// A new, empty PostgreSQL database, or `None` (with a message) when no
    /// server is reachable outside CI.
    pub async fn postgres() -> Option<TestDatabase> {
        let admin_url = std::env::var("REVITA_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string());
        let admin = match sqlx::PgPool::connect(&admin_url).await {
            Ok(pool) => pool,
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("CI is set but PostgreSQL at {} is unreachable: {e}", DatabaseUrl::new(&admin_url))
            }
            Err(e) => {
                eprintln!("skipping the PostgreSQL half: {} unreachable: {e}", DatabaseUrl::new(&admin_url));
                return None;
            }
        };
        let database = unique_database_name();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&admin)
            .await
            .expect("the test role may create databases");
        admin.close().await;
        let url = DatabaseUrl::new(replace_database(&admin_url, &database));
        Some(TestDatabase { url, cleanup: Cleanup::Postgres { admin_url, database } })
    }

    /// Drops the PostgreSQL test database (SQLite cleans up on drop).
    pub async fn finish(self) {
        if let Cleanup::Postgres { admin_url, database } = self.cleanup
            && let Ok(admin) = sqlx::PgPool::connect(&admin_url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }
}

/// A store made for one test, with what it needs to clean up.
pub struct TestStore {
    /// The store.
    pub store: DynStore,
    /// The URL the store was opened with.
    pub url: DatabaseUrl,
    database: TestDatabase,
}

impl TestStore {
    /// A fresh SQLite store in a temporary directory.
    pub async fn sqlite() -> TestStore {
        TestStore::open(TestDatabase::sqlite()).await
    }

    /// A fresh PostgreSQL store in a new database, or `None` (with a message)
    /// when no server is reachable outside CI.
    pub async fn postgres() -> Option<TestStore> {
        Some(TestStore::open(TestDatabase::postgres().await?).await)
    }

    async fn open(database: TestDatabase) -> TestStore {
        let store = revita_store::open(&database.url).await.expect("a fresh store opens");
        TestStore { store, url: database.url.clone(), database }
    }

    /// Drops the PostgreSQL test database (SQLite cleans up on drop).
    pub async fn finish(self) {
        let TestStore { store, database, .. } = self;
        drop(store);
        database.finish().await;
    }
}

fn unique_database_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("revita_t_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos)
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/new?x`.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{database}?{q}"),
        None => format!("{root}/{database}"),
    }
}

/// Runs an async test body against a fresh store of each back end:
/// `both_backends!(name, |store| async move { … })` defines `name_sqlite`
/// and `name_postgres` tests.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let test = $crate::TestStore::sqlite().await;
                ($body)(test.store.clone()).await;
                test.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(test) = $crate::TestStore::postgres().await else { return };
                ($body)(test.store.clone()).await;
                test.finish().await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_swapped_and_the_query_kept() {
        assert_eq!(replace_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(
            replace_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
