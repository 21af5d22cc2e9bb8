//! Paging a table's rows within a jurisdiction, in SQL: the one query shape
//! every register (agreements, events, sites, areas, projects …) lists by.

/// A page of `$table`'s rows (columns `$columns`, mapped by `$map`) whose
/// `$region_column` lies within `$roots` (all rows when `None`), by `id`
/// after `$after`, at most `$limit`, with how many there are in all:
/// `StoreResult<(Vec<T>, i64)>`.
macro_rules! page_within {
    ($store:expr, $table:expr, $columns:expr, $region_column:expr, $roots:expr, $after:expr, $limit:expr, $map:path) => {{
        let roots: Option<&[revita_methods::RegionCode]> = $roots;
        let within = |offset| match roots {
            Some(roots) => crate::regions::within_condition($region_column, roots, offset),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let (condition, binds) = within(1);
        let (counted, _) = within(0);
        let limit: i64 = $limit;
        let sql = format!(
            "SELECT {} FROM {} WHERE id > $1 AND {condition} ORDER BY id LIMIT {}",
            $columns,
            $table,
            limit.max(0)
        );
        let count = format!("SELECT COUNT(*) FROM {} WHERE {counted}", $table);
        crate::db::on_pool!($store, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind($after);
            let mut counting = sqlx::query_scalar(sqlx::AssertSqlSafe(count));
            for code in &binds {
                query = query.bind(code.as_str());
                counting = counting.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            let total: i64 = counting.fetch_one(pool).await?;
            Ok((rows.iter().map($map).collect::<StoreResult<Vec<_>>>()?, total))
        })
    }};
}
pub(crate) use page_within;
