//! The monitoring registry: monitoring lines, registered households and
//! their members.

use std::collections::HashMap;

use revita_methods::monitoring::{MonitoringLine, RegisteredHousehold};
use revita_methods::registry::Member;

use crate::db::{on_pool, on_tx};
use crate::rows::RowExt;
use crate::{Store, StoreError, StoreResult, Tx};

const UPSERT_MONITORING_LINE: &str = "INSERT INTO monitoring_lines (region_code, year, amount, rule, multiple) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region_code, year) DO UPDATE SET amount = excluded.amount, \
     rule = excluded.rule, multiple = excluded.multiple";
const MONITORING_LINES: &str = "SELECT region_code, year, amount, rule, multiple FROM monitoring_lines \
     WHERE ($1 IS NULL OR year = $1) ORDER BY year, region_code";

/// The registry's columns, in the order writes bind them: the screening
/// record and identifiers, then the details (income by source, relocation).
const HOUSEHOLD_COLUMNS: &str = "id, village_code, county_code, size, labor, income_pc, income_pc_prev, \
     medical_exp, education_exp, disaster_loss, deprived, head_name, id_number, phone";
const HOUSEHOLD_DETAIL_COLUMNS: &str =
    ", income_wage, income_business, income_property, income_transfer, relocation_site";
/// Columns a write binds without details, and the details' columns.
const HOUSEHOLD_ARITY: usize = 14;
const HOUSEHOLD_DETAIL_ARITY: usize = 5;
const HOUSEHOLD_UPSERT_TAIL: &str = " ON CONFLICT (id) DO UPDATE SET village_code = excluded.village_code, \
     county_code = excluded.county_code, size = excluded.size, labor = excluded.labor, \
     income_pc = excluded.income_pc, income_pc_prev = excluded.income_pc_prev, medical_exp = excluded.medical_exp, \
     education_exp = excluded.education_exp, disaster_loss = excluded.disaster_loss, deprived = excluded.deprived, \
     head_name = excluded.head_name, id_number = excluded.id_number, phone = excluded.phone, \
     version = households.version + 1";
/// Details a file gives replace the stored ones; details it leaves empty keep them.
const HOUSEHOLD_DETAIL_UPSERT_TAIL: &str = ", \
     income_wage = COALESCE(excluded.income_wage, households.income_wage), \
     income_business = COALESCE(excluded.income_business, households.income_business), \
     income_property = COALESCE(excluded.income_property, households.income_property), \
     income_transfer = COALESCE(excluded.income_transfer, households.income_transfer), \
     relocation_site = COALESCE(excluded.relocation_site, households.relocation_site)";
const HOUSEHOLD_SELECT: &str = "SELECT id, village_code, county_code, size, labor, income_pc, income_pc_prev, \
     medical_exp, education_exp, disaster_loss, deprived, head_name, id_number, phone, income_wage, income_business, \
     income_property, income_transfer, relocation_site FROM households";

const HOUSEHOLD_VERSION: &str = "SELECT version FROM households WHERE id = $1";
/// An edit of a household's screening record and details, if still at the
/// version the form was read at.
const UPDATE_HOUSEHOLD: &str = "UPDATE households SET size = $1, labor = $2, income_pc = $3, \
     income_pc_prev = $4, medical_exp = $5, education_exp = $6, disaster_loss = $7, deprived = $8, \
     income_wage = $9, income_business = $10, income_property = $11, income_transfer = $12, relocation_site = $13, \
     version = version + 1 WHERE id = $14 AND version = $15";
const BUMP_HOUSEHOLD_VERSION_FROM: &str = "UPDATE households SET version = version + 1 WHERE id = $1 AND version = $2";
const DELETE_MEMBERS: &str = "DELETE FROM household_members WHERE household_id = $1";
const MEMBER_COLUMNS: &str =
    "household_id, seq, name, sex, birth_year, labour, disabled, chronically_ill, schooling, insured";
const MEMBERS: &str = "SELECT seq, name, sex, birth_year, labour, disabled, chronically_ill, schooling, \
     insured FROM household_members WHERE household_id = $1 ORDER BY seq";
/// Members' columns a write binds.
const MEMBER_ARITY: usize = 10;

/// `$1, …, $n` for an `IN (…)` list.
pub(crate) fn in_list(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `VALUES (…), (…)` for `rows` rows of `arity` parameters, numbered in order.
fn values(rows: usize, arity: usize) -> String {
    let mut sql = String::from("VALUES ");
    for r in 0..rows {
        let params: Vec<String> = (1..=arity).map(|c| format!("${}", r * arity + c)).collect();
        sql.push_str(if r == 0 { "(" } else { ", (" });
        sql.push_str(&params.join(", "));
        sql.push(')');
    }
    sql
}

/// A multi-row upsert of `rows` households: `$1 … $(14·rows)`, or with the
/// details `$1 … $(19·rows)`. Chunks without details use the narrower
/// statement: a fifth fewer parameters to bind, and the same result, since
/// absent details keep the stored ones either way.
fn upsert_households_sql(rows: usize, details: bool) -> String {
    let arity = HOUSEHOLD_ARITY + if details { HOUSEHOLD_DETAIL_ARITY } else { 0 };
    let columns = if details { HOUSEHOLD_DETAIL_COLUMNS } else { "" };
    let mut sql = format!("INSERT INTO households ({HOUSEHOLD_COLUMNS}{columns}) {}", values(rows, arity));
    sql.push_str(HOUSEHOLD_UPSERT_TAIL);
    if details {
        sql.push_str(HOUSEHOLD_DETAIL_UPSERT_TAIL);
    }
    sql
}

/// A multi-row insert of `rows` members: `$1 … $(10·rows)`.
fn insert_members_sql(rows: usize) -> String {
    format!("INSERT INTO household_members ({MEMBER_COLUMNS}) {}", values(rows, MEMBER_ARITY))
}

/// Members an insert: 500 parameters, inside both back ends' limits.
const MEMBERS_PER_INSERT: usize = 50;

impl Store {
    /// Monitoring lines (of a year), by year and region.
    pub async fn monitoring_lines(&self, year: Option<i32>) -> StoreResult<Vec<MonitoringLine>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(MONITORING_LINES).bind(year.map(i64::from)).fetch_all(pool).await?;
            rows.iter().map(crate::rows::monitoring_line).collect()
        })
    }

    /// Every household of the registry, by id.
    pub async fn households(&self) -> StoreResult<Vec<RegisteredHousehold>> {
        let sql = format!("{HOUSEHOLD_SELECT} ORDER BY id");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(crate::rows::household).collect()
        })
    }

    /// Streams the households of the registry (of the counties in the
    /// subtrees under `within`'s roots, if given: the county index serves
    /// it, so a county's screen reads its county only) through `visit`, row
    /// by row, so that screening a national registry holds no more than one
    /// row; returns how many there were.
    pub async fn for_each_household(
        &self,
        within: Option<&[revita_methods::RegionCode]>,
        visit: &mut (dyn FnMut(RegisteredHousehold) + Send),
    ) -> StoreResult<u64> {
        use futures_util::TryStreamExt;
        let (condition, codes) = match within {
            Some(roots) => crate::regions::within_condition("county_code", roots, 0),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let sql = format!("{HOUSEHOLD_SELECT} WHERE {condition} ORDER BY id");
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in &codes {
                query = query.bind(code.as_str());
            }
            let mut rows = query.fetch(pool);
            let mut n = 0;
            while let Some(row) = rows.try_next().await? {
                visit(crate::rows::household(&row)?);
                n += 1;
            }
            Ok(n)
        })
    }

    /// One household of the registry.
    pub async fn household(&self, id: &str) -> StoreResult<Option<RegisteredHousehold>> {
        let sql = format!("{HOUSEHOLD_SELECT} WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::household).transpose()
        })
    }

    /// A household's version, which every change to it or its members
    /// raises (optimistic locking of edits).
    pub async fn household_version(&self, id: &str) -> StoreResult<Option<i64>> {
        on_pool!(self, pool => Ok(sqlx::query_scalar(HOUSEHOLD_VERSION).bind(id).fetch_optional(pool).await?))
    }

    /// A household's members, by number.
    pub async fn members(&self, household_id: &str) -> StoreResult<Vec<Member>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(MEMBERS).bind(household_id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::member).collect()
        })
    }

    /// How many households the registry holds.
    pub async fn household_count(&self) -> StoreResult<i64> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM households").fetch_one(pool).await?)
        })
    }

    /// The stored county of each of the named households that is stored, by id.
    pub async fn household_counties(&self, ids: &[&str]) -> StoreResult<HashMap<String, String>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT id, county_code FROM households WHERE id IN ({})", in_list(chunk.len()));
            on_pool!(self, pool => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(pool).await? {
                    found.insert(row.text("id")?, row.text("county_code")?);
                }
            });
        }
        Ok(found)
    }
}

impl Tx {
    /// The stored county of each of the named households that is stored, by
    /// id, read inside the transaction (so that a write can check the rows
    /// it is about to replace).
    pub async fn household_counties(&mut self, ids: &[&str]) -> StoreResult<HashMap<String, String>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT id, county_code FROM households WHERE id IN ({})", in_list(chunk.len()));
            on_tx!(self, conn => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(&mut *conn).await? {
                    found.insert(row.text("id")?, row.text("county_code")?);
                }
            });
        }
        Ok(found)
    }

    /// Writes monitoring lines, replacing those of the same region and year.
    pub async fn upsert_monitoring_lines(&mut self, lines: &[MonitoringLine]) -> StoreResult<u64> {
        on_tx!(self, conn => {
            for line in lines {
                let (rule, multiple) = line.rule.parts();
                sqlx::query(UPSERT_MONITORING_LINE)
                    .bind(line.region.as_str())
                    .bind(i64::from(line.year))
                    .bind(line.amount)
                    .bind(rule)
                    .bind(multiple)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(crate::db::Topic::Registry);
        Ok(lines.len() as u64)
    }

    /// Writes households to the registry, replacing those with the same id.
    pub async fn upsert_households(&mut self, households: &[RegisteredHousehold]) -> StoreResult<u64> {
        // Fifty rows a statement: 700 parameters, well inside both back
        // ends' limits, and a tenth of the statements of single-row inserts.
        const ROWS: usize = 50;
        let full = [upsert_households_sql(ROWS, false), upsert_households_sql(ROWS, true)];
        for chunk in households.chunks(ROWS) {
            let details = chunk.iter().any(|h| h.income_sources.is_some() || h.relocation_site.is_some());
            let sql = if chunk.len() == ROWS {
                full[usize::from(details)].clone()
            } else {
                upsert_households_sql(chunk.len(), details)
            };
            on_tx!(self, conn => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for h in chunk {
                    let r = &h.household;
                    let village = r.village_code.to_string();
                    let county = village.get(..6).unwrap_or(&village).to_string();
                    query = query
                        .bind(h.id.clone())
                        .bind(village)
                        .bind(county)
                        .bind(i64::from(r.size))
                        .bind(i64::from(r.labor))
                        .bind(r.income_pc)
                        .bind(r.income_pc_prev)
                        .bind(r.medical_exp)
                        .bind(r.education_exp)
                        .bind(r.disaster_loss)
                        .bind(i64::from(r.deprived))
                        .bind(h.head_name.clone())
                        .bind(h.id_number.clone())
                        .bind(h.phone.clone());
                    if details {
                        query = query
                            .bind(h.income_sources.map(|s| s.wage))
                            .bind(h.income_sources.map(|s| s.business))
                            .bind(h.income_sources.map(|s| s.property))
                            .bind(h.income_sources.map(|s| s.transfer))
                            .bind(h.relocation_site.clone());
                    }
                }
                query.execute(&mut *conn).await?;
            });
        }
        self.changed(crate::db::Topic::Registry);
        Ok(households.len() as u64)
    }

    /// Writes an edit of a household's record if it is still at `version`
    /// (`Conflict` otherwise); returns the new version. The village and the
    /// personal identifiers are not edited here.
    pub async fn update_household(&mut self, household: &RegisteredHousehold, version: i64) -> StoreResult<i64> {
        let h = &household.household;
        let sources = household.income_sources;
        let updated = on_tx!(self, conn => {
            sqlx::query(UPDATE_HOUSEHOLD)
                .bind(i64::from(h.size))
                .bind(i64::from(h.labor))
                .bind(h.income_pc)
                .bind(h.income_pc_prev)
                .bind(h.medical_exp)
                .bind(h.education_exp)
                .bind(h.disaster_loss)
                .bind(i64::from(h.deprived))
                .bind(sources.map(|s| s.wage))
                .bind(sources.map(|s| s.business))
                .bind(sources.map(|s| s.property))
                .bind(sources.map(|s| s.transfer))
                .bind(household.relocation_site.clone())
                .bind(&household.id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        StoreError::unless_one(updated, || format!("household {}", household.id), version)?;
        self.changed(crate::db::Topic::Registry);
        Ok(version + 1)
    }

    /// Replaces the members of each listed household.
    pub async fn replace_members(&mut self, members: &[(String, Vec<Member>)]) -> StoreResult<u64> {
        // Bulk statements: 500 households a delete and a version bump, and
        // `MEMBERS_PER_INSERT` members an insert, so a national file is not
        // millions of round trips.
        const HOUSEHOLDS: usize = 500;
        for chunk in members.chunks(HOUSEHOLDS) {
            let list = in_list(chunk.len());
            for sql in [
                format!("DELETE FROM household_members WHERE household_id IN ({list})"),
                format!("UPDATE households SET version = version + 1 WHERE id IN ({list})"),
            ] {
                on_tx!(self, conn => {
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for (household, _) in chunk {
                        query = query.bind(household);
                    }
                    query.execute(&mut *conn).await?;
                });
            }
        }
        let rows: Vec<(&str, &Member)> =
            members.iter().flat_map(|(household, list)| list.iter().map(move |m| (household.as_str(), m))).collect();
        self.insert_members(&rows).await?;
        self.changed(crate::db::Topic::Registry);
        Ok(rows.len() as u64)
    }

    /// Inserts member rows, a bounded number a statement.
    async fn insert_members(&mut self, rows: &[(&str, &Member)]) -> StoreResult<()> {
        for chunk in rows.chunks(MEMBERS_PER_INSERT) {
            on_tx!(self, conn => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_members_sql(chunk.len())));
                for (household, m) in chunk {
                    query = query
                        .bind(*household)
                        .bind(i64::from(m.seq))
                        .bind(m.name.clone())
                        .bind(m.sex.as_str())
                        .bind(i64::from(m.birth_year))
                        .bind(m.labour.as_str())
                        .bind(i64::from(m.disabled))
                        .bind(i64::from(m.chronically_ill))
                        .bind(m.schooling.as_str())
                        .bind(i64::from(m.insured));
                }
                query.execute(&mut *conn).await?;
            });
        }
        Ok(())
    }

    /// Replaces one household's members if the household is still at
    /// `version` (`Conflict` otherwise); returns the new version.
    pub async fn replace_household_members(
        &mut self,
        household_id: &str,
        members: &[Member],
        version: i64,
    ) -> StoreResult<i64> {
        let bumped = on_tx!(self, conn => {
            sqlx::query(BUMP_HOUSEHOLD_VERSION_FROM)
                .bind(household_id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        StoreError::unless_one(bumped, || format!("household {household_id}"), version)?;
        on_tx!(self, conn => {
            sqlx::query(DELETE_MEMBERS).bind(household_id).execute(&mut *conn).await?;
        });
        let rows: Vec<(&str, &Member)> = members.iter().map(|m| (household_id, m)).collect();
        self.insert_members(&rows).await?;
        self.changed(crate::db::Topic::Registry);
        Ok(version + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_writes_number_every_parameter() {
        assert!(insert_members_sql(2).ends_with(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
        ));
        assert_eq!(in_list(3), "$1, $2, $3");
    }

    #[test]
    fn household_upserts_number_every_parameter() {
        let sql = upsert_households_sql(2, false);
        assert!(sql.contains("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14), ($15, "));
        assert!(sql.contains("$28) ON CONFLICT (id) DO UPDATE") && !sql.contains("income_wage"));
        let sql = upsert_households_sql(2, true);
        assert!(sql.contains(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19), ($20, "
        ));
        assert!(sql.contains("$38) ON CONFLICT (id) DO UPDATE") && sql.contains("COALESCE(excluded.income_wage"));
    }
}
