//! Indicators and their observations: definitions, paged reads, periods.
//! Bulk loads of observations are in `load.rs`.

use revita_methods::{Indicator, IndicatorCode, Observation, RegionCode};

use crate::db::{on_pool, on_tx};
use crate::rows::RowExt;
use crate::{ObservationKey, ObservationQuery, Store, StoreResult, Tx};

const INDICATOR_COLUMNS: &str =
    "code, name_zh, name_en, unit, direction, aggregation, weight_indicator, description, source, valid_min, valid_max";

const UPSERT_INDICATOR: &str = "INSERT INTO indicators \
     (code, name_zh, name_en, unit, direction, aggregation, weight_indicator, description, source, valid_min, valid_max) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
     unit = excluded.unit, direction = excluded.direction, aggregation = excluded.aggregation, \
     weight_indicator = excluded.weight_indicator, description = excluded.description, source = excluded.source, \
     valid_min = excluded.valid_min, valid_max = excluded.valid_max";

/// Columns of an observation row, in load order.
pub(crate) const OBSERVATION_COLUMNS: &str = "indicator_code, region_code, period, value, source, status";

impl Store {
    /// Every indicator, by code.
    pub async fn indicators(&self) -> StoreResult<Vec<Indicator>> {
        let sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicators ORDER BY code");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(crate::rows::indicator).collect()
        })
    }

    /// One indicator.
    pub async fn indicator(&self, code: &IndicatorCode) -> StoreResult<Option<Indicator>> {
        let sql = format!("SELECT {INDICATOR_COLUMNS} FROM indicators WHERE code = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code.as_str()).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::indicator).transpose()
        })
    }

    /// How many observations match `query` (every page of them).
    pub async fn count_observations(&self, query: &ObservationQuery) -> StoreResult<i64> {
        let (sql, binds) = observations_filtered("SELECT COUNT(*) FROM observations o", query, None);
        on_pool!(self, pool => {
            let mut statement = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for value in &binds {
                statement = statement.bind(value.as_str());
            }
            Ok(statement.fetch_one(pool).await?)
        })
    }

    /// Observations matching `query`, ordered by (indicator, region,
    /// period), after `after` and at most `limit` of them.
    pub async fn observations(
        &self,
        query: &ObservationQuery,
        after: Option<&ObservationKey>,
        limit: i64,
    ) -> StoreResult<Vec<Observation>> {
        let (sql, binds) = observations_sql(query, after);
        on_pool!(self, pool => {
            // The text holds only fixed column names and `$n` placeholders;
            // every value is bound.
            let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
            for value in &binds {
                statement = statement.bind(value.as_str());
            }
            let rows = statement.bind(limit).fetch_all(pool).await?;
            rows.iter().map(crate::rows::observation).collect()
        })
    }

    /// The stored values an import replaced, kept under its change id.
    pub async fn observation_revisions(&self, change_id: &str) -> StoreResult<Vec<Observation>> {
        const REVISIONS: &str = "SELECT indicator_code, region_code, period, value, source, status \
             FROM observation_revisions WHERE change_id = $1 ORDER BY indicator_code, region_code, period";
        on_pool!(self, pool => {
            let rows = sqlx::query(REVISIONS).bind(change_id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::observation).collect()
        })
    }

    /// The values of one indicator and period for every region at a level:
    /// the peers a region is ranked among. Served by the primary key's
    /// indicator prefix, not a scan of every observation of the period.
    pub async fn level_values(
        &self,
        indicator: &IndicatorCode,
        period: &str,
        level: &str,
    ) -> StoreResult<Vec<(revita_methods::RegionCode, f64)>> {
        const LEVEL_VALUES: &str = "SELECT o.region_code, o.value FROM observations o \
             JOIN regions r ON r.code = o.region_code \
             WHERE o.indicator_code = $1 AND o.period = $2 AND r.level = $3";
        on_pool!(self, pool => {
            let rows = sqlx::query(LEVEL_VALUES).bind(indicator.as_str()).bind(period).bind(level).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    let code = revita_methods::RegionCode::parse(&r.text("region_code")?)
                        .map_err(|e| crate::StoreError::Database(sqlx::Error::Decode(e.to_string().into())))?;
                    Ok((code, r.float("value")?))
                })
                .collect()
        })
    }

    /// Distinct periods with observations of an indicator, ascending.
    pub async fn periods(&self, indicator: &IndicatorCode) -> StoreResult<Vec<String>> {
        const PERIODS: &str = "SELECT DISTINCT period FROM observations WHERE indicator_code = $1 ORDER BY period";
        on_pool!(self, pool => {
            let rows = sqlx::query(PERIODS).bind(indicator.as_str()).fetch_all(pool).await?;
            rows.iter().map(|r| r.text("period")).collect()
        })
    }

    /// How many regions at `level` (below `within`, if given) have a value
    /// of the indicator, period by period (oldest first): what a map's
    /// default period is chosen from.
    pub async fn period_coverage(
        &self,
        indicator: &IndicatorCode,
        level: &str,
        within: Option<&RegionCode>,
    ) -> StoreResult<Vec<(String, i64)>> {
        let (condition, codes) = match within {
            Some(root) => crate::regions::within_condition("o.region_code", std::slice::from_ref(root), 2),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let sql = format!(
            "SELECT o.period, COUNT(*) AS regions FROM observations o \
             JOIN regions r ON r.code = o.region_code WHERE o.indicator_code = $1 AND r.level = $2 AND {condition} \
             GROUP BY o.period ORDER BY o.period"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(indicator.as_str()).bind(level);
            for code in &codes {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.text("period")?, r.int("regions")?))).collect()
        })
    }
}

impl Tx {
    /// Inserts or updates indicator definitions by code.
    pub async fn upsert_indicators(&mut self, indicators: &[Indicator]) -> StoreResult<u64> {
        on_tx!(self, conn => {
            for i in indicators {
                sqlx::query(UPSERT_INDICATOR)
                    .bind(i.code.as_str())
                    .bind(&i.name_zh)
                    .bind(i.name_en.as_deref())
                    .bind(&i.unit)
                    .bind(i.direction.as_str())
                    .bind(i.aggregation.as_str())
                    .bind(i.aggregation.weight().map(|w| w.as_str()))
                    .bind(i.description.as_deref())
                    .bind(i.source.as_deref())
                    .bind(i.range.min)
                    .bind(i.range.max)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), crate::StoreError>(())
        })?;
        self.changed(crate::db::Topic::Indicators);
        Ok(indicators.len() as u64)
    }

    /// Inserts or replaces a few observations inside this transaction (a
    /// model's estimates stored with the indicators they need and one audit
    /// entry). A stored value it overwrites is kept first in
    /// `observation_revisions` under `revision`, as a replace-mode load does.
    /// Returns how many stored values were replaced. Bulk files go through
    /// [`crate::ObservationLoad`] instead.
    pub async fn upsert_observations(
        &mut self,
        observations: &[Observation],
        revision: &crate::Revision,
    ) -> StoreResult<u64> {
        const SAVE: &str = "INSERT INTO observation_revisions \
             (change_id, indicator_code, region_code, period, value, source, status, replaced_at) \
             SELECT $1, indicator_code, region_code, period, value, source, status, $2 FROM observations \
             WHERE indicator_code = $3 AND region_code = $4 AND period = $5";
        const UPSERT: &str = "INSERT INTO observations (indicator_code, region_code, period, value, source, status) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (indicator_code, region_code, period) DO UPDATE SET \
             value = excluded.value, source = excluded.source, status = excluded.status";
        let replaced = on_tx!(self, conn => {
            let mut replaced = 0u64;
            for o in observations {
                let period = o.period.to_string();
                replaced += sqlx::query(SAVE)
                    .bind(&revision.change_id)
                    .bind(revision.at)
                    .bind(o.indicator.as_str())
                    .bind(o.region.as_str())
                    .bind(&period)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                sqlx::query(UPSERT)
                    .bind(o.indicator.as_str())
                    .bind(o.region.as_str())
                    .bind(&period)
                    .bind(o.value)
                    .bind(o.source.as_deref())
                    .bind(o.status.as_str())
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<u64, crate::StoreError>(replaced)
        })?;
        self.changed(crate::db::Topic::Observations);
        Ok(replaced)
    }
}

/// The observations query for the filters `query` sets, with keyset
/// pagination after the last key seen when `after` is given, and the text
/// parameters to bind in order (the limit is bound last). Only the filters
/// in use appear in the SQL: a generic `($1 IS NULL OR col = $1)` form keeps
/// SQLite's planner from using the primary key and turns every page into a
/// full table scan.
fn observations_sql(query: &ObservationQuery, after: Option<&ObservationKey>) -> (String, Vec<String>) {
    let (mut sql, binds) = observations_filtered(
        "SELECT o.indicator_code, o.region_code, o.period, o.value, o.source, o.status FROM observations o",
        query,
        after,
    );
    sql.push_str(&format!(" ORDER BY o.indicator_code, o.region_code, o.period LIMIT ${}", binds.len() + 1));
    (sql, binds)
}

/// `select` with the joins and conditions of `query` (and of the keyset
/// position `after`), the values to bind in order.
fn observations_filtered(
    select: &str,
    query: &ObservationQuery,
    after: Option<&ObservationKey>,
) -> (String, Vec<String>) {
    let mut sql = String::from(select);
    if query.parent.is_some() || query.level.is_some() {
        sql.push_str(" JOIN regions r ON r.code = o.region_code");
    }
    let mut binds: Vec<String> = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let filters = [
        ("o.indicator_code", query.indicator.as_ref().map(|c| c.as_str().to_string())),
        ("o.region_code", query.region.as_ref().map(|c| c.as_str().to_string())),
        // With a level, a parent stands for its subtree (below).
        ("r.parent_code", query.parent.as_ref().filter(|_| query.level.is_none()).map(|c| c.as_str().to_string())),
        ("r.level", query.level.clone()),
        ("o.period", query.period.clone()),
    ];
    for (column, value) in filters {
        if let Some(value) = value {
            binds.push(value);
            conditions.push(format!("{column} = ${}", binds.len()));
        }
    }
    if let (Some(parent), Some(_)) = (&query.parent, &query.level) {
        let (condition, codes) =
            crate::regions::within_condition("o.region_code", std::slice::from_ref(parent), binds.len());
        binds.extend(codes);
        conditions.push(condition);
    }
    if let Some(roots) = &query.within {
        let (condition, codes) = crate::regions::within_condition("o.region_code", roots, binds.len());
        binds.extend(codes);
        conditions.push(condition);
    }
    if let Some(key) = after {
        binds.extend([key.indicator.clone(), key.region.clone(), key.period.clone()]);
        let n = binds.len();
        conditions.push(format!("(o.indicator_code, o.region_code, o.period) > (${}, ${}, ${n})", n - 2, n - 1));
    }
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    (sql, binds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_observations_query_names_only_the_filters_in_use_and_numbers_them_in_order() {
        let query =
            ObservationQuery { level: Some("county".into()), period: Some("2020".into()), ..Default::default() };
        let after = ObservationKey { indicator: "a".into(), region: "b".into(), period: "c".into() };
        let (sql, binds) = observations_sql(&query, Some(&after));
        assert!(sql.contains(" JOIN regions r "), "{sql}");
        assert!(
            sql.ends_with(
                "WHERE r.level = $1 AND o.period = $2 AND (o.indicator_code, o.region_code, o.period) > ($3, $4, $5) \
                 ORDER BY o.indicator_code, o.region_code, o.period LIMIT $6"
            ),
            "{sql}"
        );
        assert_eq!(binds, ["county", "2020", "a", "b", "c"]);
        let (sql, binds) = observations_sql(&ObservationQuery::default(), None);
        assert!(!sql.contains("JOIN") && !sql.contains("WHERE") && sql.ends_with("LIMIT $1"), "{sql}");
        assert!(binds.is_empty());
    }

    #[test]
    fn a_jurisdiction_is_a_condition_on_the_region_numbered_before_the_cursor() {
        let root = revita_methods::RegionCode::parse("520102").unwrap();
        let query = ObservationQuery { period: Some("2020".into()), within: Some(vec![root]), ..Default::default() };
        let after = ObservationKey { indicator: "a".into(), region: "b".into(), period: "c".into() };
        let (sql, binds) = observations_sql(&query, Some(&after));
        assert!(sql.contains("o.region_code IN (SELECT d.code FROM regions root"), "{sql}");
        assert!(sql.contains("WHERE root.code IN ($2))") && sql.contains("> ($3, $4, $5)"), "{sql}");
        assert_eq!(binds, ["2020", "520102", "a", "b", "c"]);
        let nowhere = ObservationQuery { within: Some(Vec::new()), ..Default::default() };
        assert!(observations_sql(&nowhere, None).0.contains("WHERE 1 = 0"));
    }
}
