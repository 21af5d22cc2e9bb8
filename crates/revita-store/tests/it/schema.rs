//! The two back ends' schemas, as the migrations leave them: the same
//! tables, columns, column types, nullability and indexes (issue 15); and a
//! database made by the first migration upgrades with its data.

use std::collections::BTreeSet;

use revita_testkit::{TestDatabase, TestStore};
use sqlx::Row;

/// A column as both back ends can describe it: table, column, type family,
/// whether it may hold NULL.
type Column = (String, String, &'static str, bool);

/// The family of a declared type: what the store's code reads and writes.
fn family(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "integer"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("real") || t.contains("double") || t.contains("float") || t.contains("numeric") {
        "real"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("bool") {
        "boolean"
    } else {
        "other"
    }
}

async fn sqlite_schema(test: &TestStore) -> (BTreeSet<Column>, BTreeSet<(String, String)>) {
    let pool = sqlx::SqlitePool::connect(test.url.expose()).await.unwrap();
    let rows = sqlx::query(
        "SELECT m.name AS t, p.name AS c, p.type AS ty, p.\"notnull\" AS nn, p.pk AS pk \
         FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // A primary-key column never holds NULL in revita (SQLite would allow it
    // in a non-integer key; PostgreSQL never does).
    let columns = rows
        .iter()
        .map(|r| {
            let nullable = r.get::<i64, _>("nn") == 0 && r.get::<i64, _>("pk") == 0;
            (r.get("t"), r.get("c"), family(r.get("ty")), nullable)
        })
        .collect();
    let indexes = sqlx::query(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("tbl_name"), r.get("name")))
    .collect();
    pool.close().await;
    (columns, indexes)
}

async fn postgres_schema(test: &TestStore) -> (BTreeSet<Column>, BTreeSet<(String, String)>) {
    let pool = sqlx::PgPool::connect(test.url.expose()).await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, is_nullable::text AS nn \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let columns = rows
        .iter()
        .map(|r| (r.get("t"), r.get("c"), family(r.get::<String, _>("ty").as_str()), r.get::<String, _>("nn") == "YES"))
        .collect();
    // Indexes made by primary keys and UNIQUE constraints are SQLite's
    // autoindexes: compare only those created by name.
    let indexes = sqlx::query(
        "SELECT i.tablename::text AS t, i.indexname::text AS n FROM pg_indexes i \
         WHERE i.schemaname = 'public' AND NOT EXISTS \
           (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("t"), r.get("n")))
    .collect();
    pool.close().await;
    (columns, indexes)
}

#[tokio::test]
async fn both_back_ends_migrate_to_the_same_schema() {
    let sqlite = TestStore::sqlite().await;
    let Some(postgres) = TestStore::postgres().await else { return };
    let (lite_columns, lite_indexes) = sqlite_schema(&sqlite).await;
    let (pg_columns, pg_indexes) = postgres_schema(&postgres).await;
    let only = |a: &BTreeSet<Column>, b: &BTreeSet<Column>| a.difference(b).cloned().collect::<Vec<_>>();
    assert!(lite_columns.len() > 100, "the schema was read: {} columns", lite_columns.len());
    assert_eq!(
        (only(&lite_columns, &pg_columns), only(&pg_columns, &lite_columns)),
        (vec![], vec![]),
        "columns only in SQLite, only in PostgreSQL (table, column, type, nullable)"
    );
    let only =
        |a: &BTreeSet<(String, String)>, b: &BTreeSet<(String, String)>| a.difference(b).cloned().collect::<Vec<_>>();
    assert_eq!(
        (only(&lite_indexes, &pg_indexes), only(&pg_indexes, &lite_indexes)),
        (vec![], vec![]),
        "indexes only in SQLite, only in PostgreSQL"
    );
    sqlite.finish().await;
    postgres.finish().await;
}

/// What the first schema held: a region tree, an indicator, observations.
const FIRST_SCHEMA_DATA: &[&str] = &[
    "INSERT INTO regions (code, name_zh, name_en, level, parent_code) VALUES \
     ('000000', '全国', 'China', 'country', NULL), ('520000', '贵州省', 'Guizhou', 'province', '000000'), \
     ('520100', '贵阳市', NULL, 'prefecture', '520000'), ('520102', '南明区', NULL, 'county', '520100')",
    "INSERT INTO indicators (code, name_zh, unit, direction, aggregation) VALUES \
     ('pop_total', '常住人口', 'persons', 'neutral', 'sum')",
    "INSERT INTO observations (indicator_code, region_code, period, value, source) VALUES \
     ('pop_total', '520102', '2020', 1000.0, 'census'), ('pop_total', '520100', '2020', 5000.0, 'census')",
    "INSERT INTO designations (region_code, category, basis_title, valid_from) VALUES \
     ('520102', 'poverty_county', '832个贫困县名单', '2012-01-01')",
];

async fn upgrade_from_the_first_schema(database: TestDatabase) {
    revita_store::create_schema_at(&database.url, 1).await.unwrap();
    raw_pool_exec(&database, FIRST_SCHEMA_DATA).await;
    let store = revita_store::open(&database.url).await.expect("every later migration applies to it");
    let nanming = revita_methods::RegionCode::parse("520102").unwrap();
    let region = store.region(&nanming).await.unwrap().expect("the region survived");
    assert_eq!((region.name_zh.as_str(), region.level.as_str()), ("南明区", "county"));
    // Columns added later are filled: search finds the region by pinyin.
    let found = store.search_regions("nanming", 10, None).await.unwrap();
    assert_eq!(found.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["520102"]);
    let query = revita_store::ObservationQuery { region: Some(nanming.clone()), ..Default::default() };
    let observations = store.observations(&query, None, 10).await.unwrap();
    assert_eq!(observations.iter().map(|o| o.value).collect::<Vec<_>>(), [1000.0]);
    assert_eq!(store.designations(None, None).await.unwrap().len(), 1);
    // The newest tables exist and are empty.
    assert_eq!(store.setting("code_scheme").await.unwrap(), None);
    assert!(store.verify_audit_chain().await.is_ok());
    drop(store);
    database.finish().await;
}

/// Runs statements on the database with a pool of its own back end.
async fn raw_pool_exec(database: &TestDatabase, statements: &[&str]) {
    if database.url.is_postgres() {
        let pool = sqlx::PgPool::connect(database.url.expose()).await.unwrap();
        for s in statements {
            sqlx::query(sqlx::AssertSqlSafe(*s)).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(database.url.expose()).await.unwrap();
        for s in statements {
            sqlx::query(sqlx::AssertSqlSafe(*s)).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

#[tokio::test]
async fn a_sqlite_database_of_the_first_schema_upgrades_with_its_data() {
    upgrade_from_the_first_schema(TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn a_postgres_database_of_the_first_schema_upgrades_with_its_data() {
    let Some(database) = TestDatabase::postgres().await else { return };
    upgrade_from_the_first_schema(database).await;
}
