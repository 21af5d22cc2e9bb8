//! Monitoring cases: the procedure a flagged household goes through, step
//! by step (events are only ever added), with income checks and measures.

use revita_methods::monitoring::{Case, CaseEvent, IncomeCheck, Measure};

use crate::db::{on_pool, on_tx};
use crate::{Store, StoreError, StoreResult, Tx};

const INSERT_CASE: &str = "INSERT INTO cases (household_id, county_code, category, channel, step, step_since) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
const INSERT_CASE_EVENT: &str = "INSERT INTO case_events (case_id, step, on_date, actor, evidence, notice_end, at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const MOVE_CASE: &str =
    "UPDATE cases SET step = $1, step_since = $2, version = version + 1 WHERE id = $3 AND version = $4";
const CASE_COLUMNS_FROM: &str =
    "SELECT id, household_id, county_code, category, channel, step, step_since, version FROM cases";
const CASE_EVENTS: &str =
    "SELECT step, on_date, actor, evidence, notice_end, at FROM case_events WHERE case_id = $1 ORDER BY id";
const UPSERT_INCOME_CHECK: &str = "INSERT INTO case_income_checks (case_id, on_date, income_pc) \
     VALUES ($1, $2, $3) ON CONFLICT (case_id, on_date) DO UPDATE SET income_pc = excluded.income_pc";
const INCOME_CHECKS: &str = "SELECT on_date, income_pc FROM case_income_checks WHERE case_id = $1 ORDER BY on_date";
const INSERT_MEASURE: &str = "INSERT INTO case_measures (case_id, kind, description, amount, start_date, \
     end_date, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const MEASURES: &str = "SELECT kind, description, amount, start_date, end_date, actor, at FROM case_measures WHERE case_id = $1 ORDER BY id";

impl Store {
    /// One case.
    pub async fn case(&self, id: i64) -> StoreResult<Option<Case>> {
        let sql = format!("{CASE_COLUMNS_FROM} WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::case).transpose()
        })
    }

    /// Every case, by number.
    pub async fn cases(&self, within: Option<&[revita_methods::RegionCode]>) -> StoreResult<Vec<Case>> {
        let (condition, binds) = match within {
            Some(roots) => crate::regions::within_condition("county_code", roots, 0),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let sql = format!("{CASE_COLUMNS_FROM} WHERE {condition} ORDER BY id");
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in &binds {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(crate::rows::case).collect()
        })
    }

    /// The cases of one household, by number.
    pub async fn cases_of_household(&self, household_id: &str) -> StoreResult<Vec<Case>> {
        let sql = format!("{CASE_COLUMNS_FROM} WHERE household_id = $1 ORDER BY id");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(household_id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::case).collect()
        })
    }

    /// A case's events, oldest first.
    pub async fn case_events(&self, id: i64) -> StoreResult<Vec<CaseEvent>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(CASE_EVENTS).bind(id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::case_event).collect()
        })
    }

    /// A case's income checks, oldest first.
    pub async fn income_checks(&self, id: i64) -> StoreResult<Vec<IncomeCheck>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(INCOME_CHECKS).bind(id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::income_check).collect()
        })
    }

    /// A case's measures, in the order recorded.
    pub async fn measures(&self, case_id: i64) -> StoreResult<Vec<Measure>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(MEASURES).bind(case_id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::measure).collect()
        })
    }
}

impl Tx {
    /// Opens a case with its first event; returns its number.
    pub async fn open_case(&mut self, case: &Case, first: &CaseEvent) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(INSERT_CASE)
                .bind(&case.household_id)
                .bind(case.county.as_str())
                .bind(case.category.as_str())
                .bind(case.channel.as_str())
                .bind(case.step.as_str())
                .bind(case.step_since.to_string())
                .fetch_one(&mut *conn)
                .await?
        });
        self.write_case_event(id, first).await?;
        self.changed(crate::db::Topic::Cases);
        Ok(id)
    }

    /// Moves a case to the event's step if it is still at `version`
    /// (`Conflict` otherwise: someone moved it meanwhile), recording the event.
    pub async fn move_case(&mut self, id: i64, version: i64, event: &CaseEvent) -> StoreResult<()> {
        let moved = on_tx!(self, conn => {
            sqlx::query(MOVE_CASE)
                .bind(event.step.as_str())
                .bind(event.on.to_string())
                .bind(id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        StoreError::unless_one(moved, || format!("case {id}"), version)?;
        self.write_case_event(id, event).await?;
        self.changed(crate::db::Topic::Cases);
        Ok(())
    }

    async fn write_case_event(&mut self, case: i64, event: &CaseEvent) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(INSERT_CASE_EVENT)
                .bind(case)
                .bind(event.step.as_str())
                .bind(event.on.to_string())
                .bind(&event.actor)
                .bind(event.evidence.as_deref())
                .bind(crate::rows::date_text(event.notice_end))
                .bind(event.at)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Records (or corrects) a case's income check for a day.
    pub async fn record_income_check(&mut self, id: i64, check: &IncomeCheck) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(UPSERT_INCOME_CHECK)
                .bind(id)
                .bind(check.on.to_string())
                .bind(check.income_pc)
                .execute(&mut *conn)
                .await?;
        });
        self.changed(crate::db::Topic::Cases);
        Ok(())
    }

    /// Records an assistance measure of a case.
    pub async fn add_measure(&mut self, case_id: i64, m: &Measure) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(INSERT_MEASURE)
                .bind(case_id)
                .bind(m.kind.as_str())
                .bind(&m.description)
                .bind(m.amount)
                .bind(m.start.to_string())
                .bind(crate::rows::date_text(m.end))
                .bind(&m.actor)
                .bind(m.at)
                .execute(&mut *conn)
                .await?;
        });
        self.changed(crate::db::Topic::Cases);
        Ok(())
    }
}
