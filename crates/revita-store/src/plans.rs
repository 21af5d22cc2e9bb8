//! Development plans in the store: plans and their status changes, goals,
//! targets, projects with budgets, milestones and disbursements
//! (migration 0011). A supertrait of [`Store`](crate::Store), so every
//! back end has it and `DynStore` reaches it; the SQL is shared as in
//! `common`.

use async_trait::async_trait;
use revita_methods::plan::{Disbursement, Goal, Milestone, Plan, PlanTarget, Project, Transition};

use crate::StoreResult;

/// Plans, as every back end stores them.
#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Creates a plan (its id and version are assigned); returns its number.
    async fn create_plan(&self, plan: &Plan) -> StoreResult<i64>;
    /// Every plan, by number.
    async fn plans(&self) -> StoreResult<Vec<Plan>>;
    /// One plan.
    async fn plan(&self, id: i64) -> StoreResult<Option<Plan>>;
    /// Moves a plan to `transition.to` if it is still at `version`
    /// (`Conflict` otherwise), recording the transition.
    async fn move_plan(&self, id: i64, version: i64, transition: &Transition) -> StoreResult<()>;
    /// Rewrites a plan's title, kind, scope, period and office if it is
    /// still at `version` (`Conflict` otherwise); returns the new version.
    async fn update_plan(&self, plan: &Plan, version: i64) -> StoreResult<i64>;
    /// A plan's status changes, oldest first.
    async fn plan_transitions(&self, id: i64) -> StoreResult<Vec<Transition>>;

    /// Adds a chapter or goal; returns its number.
    async fn add_goal(&self, goal: &Goal) -> StoreResult<i64>;
    /// A plan's chapters and goals, by position then number.
    async fn goals(&self, plan_id: i64) -> StoreResult<Vec<Goal>>;
    /// Adds a target to a goal; returns its number.
    async fn add_target(&self, target: &PlanTarget) -> StoreResult<i64>;
    /// Rewrites a target (its goal stays); `NotFound` for an unknown one.
    async fn update_target(&self, target: &PlanTarget) -> StoreResult<()>;
    /// A plan's targets, by goal then number.
    async fn targets(&self, plan_id: i64) -> StoreResult<Vec<PlanTarget>>;

    /// Writes projects of a plan in one transaction, replacing those with
    /// the same code (their budgets too); returns their numbers.
    async fn upsert_projects(&self, plan_id: i64, projects: &[Project]) -> StoreResult<Vec<i64>>;
    /// A plan's projects with their budgets, by code.
    async fn projects(&self, plan_id: i64) -> StoreResult<Vec<Project>>;
    /// One project.
    async fn project(&self, id: i64) -> StoreResult<Option<Project>>;
    /// Records a project's status and percent complete if it is still at
    /// `version` (`Conflict` otherwise); returns the new version.
    async fn update_project_progress(&self, project: &Project, version: i64) -> StoreResult<i64>;
    /// Adds a milestone; returns its number.
    async fn add_milestone(&self, milestone: &Milestone) -> StoreResult<i64>;
    /// Marks a milestone done on a day.
    async fn complete_milestone(&self, id: i64, done: revita_methods::Date) -> StoreResult<()>;
    /// The milestones of a plan's projects, by due day.
    async fn milestones(&self, plan_id: i64) -> StoreResult<Vec<Milestone>>;
    /// Records a disbursement; returns its number.
    async fn add_disbursement(&self, disbursement: &Disbursement) -> StoreResult<i64>;
    /// The disbursements of a plan's projects, by day.
    async fn disbursements(&self, plan_id: i64) -> StoreResult<Vec<Disbursement>>;
}

pub(crate) const INSERT_PLAN: &str = "INSERT INTO plans (title, kind, region_code, scope, start_year, end_year, office, \
     status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
pub(crate) const PLAN_COLUMNS_FROM: &str =
    "SELECT id, title, kind, region_code, scope, start_year, end_year, office, status, version FROM plans";
pub(crate) const MOVE_PLAN: &str = "UPDATE plans SET status = $1, version = version + 1 WHERE id = $2 AND version = $3";
pub(crate) const INSERT_TRANSITION: &str = "INSERT INTO plan_transitions (plan_id, from_status, to_status, actor, at, \
     comment) VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const UPDATE_PLAN: &str = "UPDATE plans SET title = $1, kind = $2, scope = $3, start_year = $4, \
     end_year = $5, office = $6, version = version + 1 WHERE id = $7 AND version = $8";
pub(crate) const UPDATE_TARGET: &str = "UPDATE plan_targets SET indicator = $1, region_code = $2, baseline_year = $3, \
     baseline = $4, target_year = $5, target = $6, binding = $7, intermediate = $8 WHERE id = $9";
pub(crate) const TRANSITIONS: &str =
    "SELECT from_status, to_status, actor, at, comment FROM plan_transitions WHERE plan_id = $1 ORDER BY id";
pub(crate) const INSERT_GOAL: &str =
    "INSERT INTO plan_goals (plan_id, parent_id, title, position) VALUES ($1, $2, $3, $4) RETURNING id";
pub(crate) const GOALS: &str =
    "SELECT id, plan_id, parent_id, title, position FROM plan_goals WHERE plan_id = $1 ORDER BY position, id";
pub(crate) const INSERT_TARGET: &str = "INSERT INTO plan_targets (goal_id, indicator, region_code, baseline_year, \
     baseline, target_year, target, binding, intermediate) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
pub(crate) const TARGETS: &str = "SELECT t.id, t.goal_id, t.indicator, t.region_code, t.baseline_year, t.baseline, \
     t.target_year, t.target, t.binding, t.intermediate FROM plan_targets t JOIN plan_goals g ON g.id = t.goal_id \
     WHERE g.plan_id = $1 ORDER BY g.position, g.id, t.id";
pub(crate) const UPSERT_PROJECT: &str = "INSERT INTO projects (plan_id, code, name, category, region_code, lon, lat, \
     start_date, end_date, status, percent, goal_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (plan_id, code) DO UPDATE SET name = excluded.name, category = excluded.category, \
     region_code = excluded.region_code, lon = excluded.lon, lat = excluded.lat, start_date = excluded.start_date, \
     end_date = excluded.end_date, status = excluded.status, percent = excluded.percent, goal_ids = excluded.goal_ids, \
     version = projects.version + 1 RETURNING id";
pub(crate) const DELETE_BUDGETS: &str = "DELETE FROM project_budgets WHERE project_id = $1";
pub(crate) const INSERT_BUDGET: &str = "INSERT INTO project_budgets (project_id, source, amount) VALUES ($1, $2, $3)";
pub(crate) const PROJECT_COLUMNS_FROM: &str = "SELECT id, plan_id, code, name, category, region_code, lon, lat, \
     start_date, end_date, status, percent, goal_ids, version FROM projects";
pub(crate) const BUDGETS_OF_PLAN: &str = "SELECT b.project_id, b.source, b.amount FROM project_budgets b \
     JOIN projects p ON p.id = b.project_id WHERE p.plan_id = $1 ORDER BY b.project_id, b.source";
pub(crate) const BUDGETS_OF_PROJECT: &str =
    "SELECT project_id, source, amount FROM project_budgets WHERE project_id = $1 ORDER BY source";
pub(crate) const UPDATE_PROJECT_PROGRESS: &str =
    "UPDATE projects SET status = $1, percent = $2, version = version + 1 WHERE id = $3 AND version = $4";
pub(crate) const INSERT_MILESTONE: &str =
    "INSERT INTO project_milestones (project_id, name, due, done) VALUES ($1, $2, $3, $4) RETURNING id";
pub(crate) const COMPLETE_MILESTONE: &str = "UPDATE project_milestones SET done = $1 WHERE id = $2";
pub(crate) const MILESTONES: &str = "SELECT m.id, m.project_id, m.name, m.due, m.done FROM project_milestones m \
     JOIN projects p ON p.id = m.project_id WHERE p.plan_id = $1 ORDER BY m.due, m.id";
pub(crate) const INSERT_DISBURSEMENT: &str = "INSERT INTO project_disbursements (project_id, on_date, amount, source, \
     actor) VALUES ($1, $2, $3, $4, $5) RETURNING id";
pub(crate) const DISBURSEMENTS: &str = "SELECT d.id, d.project_id, d.on_date, d.amount, d.source, d.actor \
     FROM project_disbursements d JOIN projects p ON p.id = d.project_id WHERE p.plan_id = $1 ORDER BY d.on_date, d.id";

/// Implements [`PlanStore`] for a back end's store over its sqlx database.
macro_rules! plan_store_impl {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl crate::plans::PlanStore for $store {
            async fn create_plan(&self, plan: &revita_methods::plan::Plan) -> crate::StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let id: i64 = sqlx::query_scalar(crate::plans::INSERT_PLAN)
                    .bind(&plan.title)
                    .bind(plan.kind.as_str())
                    .bind(plan.region.as_str())
                    .bind(plan.scope.to_text())
                    .bind(i64::from(plan.start_year))
                    .bind(i64::from(plan.end_year))
                    .bind(&plan.office)
                    .bind(plan.status.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn plans(&self) -> crate::StoreResult<Vec<revita_methods::plan::Plan>> {
                let sql = format!("{} ORDER BY id", crate::plans::PLAN_COLUMNS_FROM);
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.iter().map(crate::plans::rows::plan).collect()
            }

            async fn plan(&self, id: i64) -> crate::StoreResult<Option<revita_methods::plan::Plan>> {
                let sql = format!("{} WHERE id = $1", crate::plans::PLAN_COLUMNS_FROM);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::plans::rows::plan).transpose()
            }

            async fn move_plan(
                &self,
                id: i64,
                version: i64,
                transition: &revita_methods::plan::Transition,
            ) -> crate::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                let moved = sqlx::query(crate::plans::MOVE_PLAN)
                    .bind(transition.to.as_str())
                    .bind(id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved != 1 {
                    return Err(crate::StoreError::stale(format!("plan {id}"), version));
                }
                sqlx::query(crate::plans::INSERT_TRANSITION)
                    .bind(id)
                    .bind(transition.from.as_str())
                    .bind(transition.to.as_str())
                    .bind(&transition.actor)
                    .bind(transition.at)
                    .bind(transition.comment.as_deref())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_plan(&self, plan: &revita_methods::plan::Plan, version: i64) -> crate::StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let updated = sqlx::query(crate::plans::UPDATE_PLAN)
                    .bind(&plan.title)
                    .bind(plan.kind.as_str())
                    .bind(plan.scope.to_text())
                    .bind(i64::from(plan.start_year))
                    .bind(i64::from(plan.end_year))
                    .bind(&plan.office)
                    .bind(plan.id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if updated != 1 {
                    return Err(crate::StoreError::stale(format!("plan {}", plan.id), version));
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(version + 1)
            }

            async fn update_target(&self, target: &revita_methods::plan::PlanTarget) -> crate::StoreResult<()> {
                let t = &target.target;
                let updated = sqlx::query(crate::plans::UPDATE_TARGET)
                    .bind(target.indicator.as_str())
                    .bind(target.region.as_ref().map(|r| r.as_str().to_string()))
                    .bind(i64::from(t.baseline_year))
                    .bind(t.baseline)
                    .bind(i64::from(t.target_year))
                    .bind(t.target)
                    .bind(i64::from(t.binding))
                    .bind(crate::plans::rows::intermediate_text(&t.intermediate))
                    .bind(target.id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                if updated == 1 { Ok(()) } else { Err(crate::StoreError::NotFound(format!("target {}", target.id))) }
            }

            async fn plan_transitions(&self, id: i64) -> crate::StoreResult<Vec<revita_methods::plan::Transition>> {
                let rows = sqlx::query(crate::plans::TRANSITIONS).bind(id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::plans::rows::transition).collect()
            }

            async fn add_goal(&self, goal: &revita_methods::plan::Goal) -> crate::StoreResult<i64> {
                Ok(sqlx::query_scalar(crate::plans::INSERT_GOAL)
                    .bind(goal.plan_id)
                    .bind(goal.parent)
                    .bind(&goal.title)
                    .bind(goal.position)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn goals(&self, plan_id: i64) -> crate::StoreResult<Vec<revita_methods::plan::Goal>> {
                let rows = sqlx::query(crate::plans::GOALS).bind(plan_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::plans::rows::goal).collect()
            }

            async fn add_target(&self, target: &revita_methods::plan::PlanTarget) -> crate::StoreResult<i64> {
                let t = &target.target;
                Ok(sqlx::query_scalar(crate::plans::INSERT_TARGET)
                    .bind(target.goal_id)
                    .bind(target.indicator.as_str())
                    .bind(target.region.as_ref().map(|r| r.as_str().to_string()))
                    .bind(i64::from(t.baseline_year))
                    .bind(t.baseline)
                    .bind(i64::from(t.target_year))
                    .bind(t.target)
                    .bind(i64::from(t.binding))
                    .bind(crate::plans::rows::intermediate_text(&t.intermediate))
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn targets(&self, plan_id: i64) -> crate::StoreResult<Vec<revita_methods::plan::PlanTarget>> {
                let rows = sqlx::query(crate::plans::TARGETS).bind(plan_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::plans::rows::target).collect()
            }

            async fn upsert_projects(
                &self,
                plan_id: i64,
                projects: &[revita_methods::plan::Project],
            ) -> crate::StoreResult<Vec<i64>> {
                let mut tx = self.pool.begin().await?;
                let mut ids = Vec::with_capacity(projects.len());
                for p in projects {
                    let id: i64 = sqlx::query_scalar(crate::plans::UPSERT_PROJECT)
                        .bind(plan_id)
                        .bind(&p.code)
                        .bind(&p.name)
                        .bind(p.category.as_str())
                        .bind(p.region.as_str())
                        .bind(p.point.map(|(lon, _)| lon))
                        .bind(p.point.map(|(_, lat)| lat))
                        .bind(p.start.to_string())
                        .bind(p.end.to_string())
                        .bind(p.status.as_str())
                        .bind(p.percent)
                        .bind(crate::plans::rows::ids_text(&p.goals))
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(crate::plans::DELETE_BUDGETS).bind(id).execute(&mut *tx).await?;
                    for (source, amount) in &p.budget {
                        sqlx::query(crate::plans::INSERT_BUDGET)
                            .bind(id)
                            .bind(source.as_str())
                            .bind(*amount)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ids.push(id);
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(ids)
            }

            async fn projects(&self, plan_id: i64) -> crate::StoreResult<Vec<revita_methods::plan::Project>> {
                let sql = format!("{} WHERE plan_id = $1 ORDER BY code", crate::plans::PROJECT_COLUMNS_FROM);
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plan_id).fetch_all(&self.pool).await?;
                let budgets = sqlx::query(crate::plans::BUDGETS_OF_PLAN).bind(plan_id).fetch_all(&self.pool).await?;
                crate::plans::rows::projects(&rows, &budgets)
            }

            async fn project(&self, id: i64) -> crate::StoreResult<Option<revita_methods::plan::Project>> {
                let sql = format!("{} WHERE id = $1", crate::plans::PROJECT_COLUMNS_FROM);
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await?;
                let budgets = sqlx::query(crate::plans::BUDGETS_OF_PROJECT).bind(id).fetch_all(&self.pool).await?;
                Ok(crate::plans::rows::projects(&rows, &budgets)?.into_iter().next())
            }

            async fn update_project_progress(
                &self,
                project: &revita_methods::plan::Project,
                version: i64,
            ) -> crate::StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let updated = sqlx::query(crate::plans::UPDATE_PROJECT_PROGRESS)
                    .bind(project.status.as_str())
                    .bind(project.percent)
                    .bind(project.id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if updated != 1 {
                    return Err(crate::StoreError::stale(format!("project {}", project.code), version));
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(version + 1)
            }

            async fn add_milestone(&self, m: &revita_methods::plan::Milestone) -> crate::StoreResult<i64> {
                Ok(sqlx::query_scalar(crate::plans::INSERT_MILESTONE)
                    .bind(m.project_id)
                    .bind(&m.name)
                    .bind(m.due.to_string())
                    .bind(crate::rows::date_text(m.done))
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn complete_milestone(&self, id: i64, done: revita_methods::Date) -> crate::StoreResult<()> {
                let updated = sqlx::query(crate::plans::COMPLETE_MILESTONE)
                    .bind(done.to_string())
                    .bind(id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                if updated == 1 { Ok(()) } else { Err(crate::StoreError::NotFound(format!("milestone {id}"))) }
            }

            async fn milestones(&self, plan_id: i64) -> crate::StoreResult<Vec<revita_methods::plan::Milestone>> {
                let rows = sqlx::query(crate::plans::MILESTONES).bind(plan_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::plans::rows::milestone).collect()
            }

            async fn add_disbursement(&self, d: &revita_methods::plan::Disbursement) -> crate::StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let id: i64 = sqlx::query_scalar(crate::plans::INSERT_DISBURSEMENT)
                    .bind(d.project_id)
                    .bind(d.on.to_string())
                    .bind(d.amount)
                    .bind(d.source.as_str())
                    .bind(&d.actor)
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn disbursements(&self, plan_id: i64) -> crate::StoreResult<Vec<revita_methods::plan::Disbursement>> {
                let rows = sqlx::query(crate::plans::DISBURSEMENTS).bind(plan_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::plans::rows::disbursement).collect()
            }
        }
    };
}
pub(crate) use plan_store_impl;

/// Rows of the plan tables as domain values.
pub(crate) mod rows {
    use revita_methods::plan::{
        Disbursement, FundingSource, Goal, Milestone, Plan, PlanKind, PlanScope, PlanStatus, PlanTarget, Project,
        ProjectCategory, ProjectStatus, Target, Transition,
    };
    use revita_methods::{Date, IndicatorCode, RegionCode};

    use crate::StoreResult;
    use crate::rows::RowExt;

    fn corrupt(what: impl std::fmt::Display) -> crate::StoreError {
        crate::StoreError::Database(sqlx::Error::Decode(format!("stored value is invalid: {what}").into()))
    }

    fn keyword<T>(row: &impl RowExt, column: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
        let text = row.text(column)?;
        parse(&text).ok_or_else(|| corrupt(format!("{column} '{text}'")))
    }

    fn year(row: &impl RowExt, column: &str) -> StoreResult<i32> {
        i32::try_from(row.int(column)?).map_err(corrupt)
    }

    fn date(row: &impl RowExt, column: &str) -> StoreResult<Date> {
        Date::parse(&row.text(column)?).map_err(corrupt)
    }

    fn region(text: &str) -> StoreResult<RegionCode> {
        RegionCode::parse(text).map_err(corrupt)
    }

    /// Intermediate targets as stored: `2022=14000;2023=15500`.
    pub(crate) fn intermediate_text(intermediate: &[(i32, f64)]) -> String {
        intermediate.iter().map(|(y, v)| format!("{y}={v}")).collect::<Vec<_>>().join(";")
    }

    /// Goal numbers as stored: `3,5`.
    pub(crate) fn ids_text(ids: &[i64]) -> String {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }

    pub(crate) fn plan(row: &impl RowExt) -> StoreResult<Plan> {
        Ok(Plan {
            id: row.int("id")?,
            title: row.text("title")?,
            kind: keyword(row, "kind", PlanKind::parse)?,
            region: region(&row.text("region_code")?)?,
            scope: PlanScope::parse(&row.text("scope")?).map_err(corrupt)?,
            start_year: year(row, "start_year")?,
            end_year: year(row, "end_year")?,
            office: row.text("office")?,
            status: keyword(row, "status", PlanStatus::parse)?,
            version: row.int("version")?,
        })
    }

    pub(crate) fn transition(row: &impl RowExt) -> StoreResult<Transition> {
        Ok(Transition {
            from: keyword(row, "from_status", PlanStatus::parse)?,
            to: keyword(row, "to_status", PlanStatus::parse)?,
            actor: row.text("actor")?,
            at: row.int("at")?,
            comment: row.opt_text("comment")?,
        })
    }

    pub(crate) fn goal(row: &impl RowExt) -> StoreResult<Goal> {
        Ok(Goal {
            id: row.int("id")?,
            plan_id: row.int("plan_id")?,
            parent: row.opt_int("parent_id")?,
            title: row.text("title")?,
            position: row.int("position")?,
        })
    }

    pub(crate) fn target(row: &impl RowExt) -> StoreResult<PlanTarget> {
        Ok(PlanTarget {
            id: row.int("id")?,
            goal_id: row.int("goal_id")?,
            indicator: IndicatorCode::parse(&row.text("indicator")?).map_err(corrupt)?,
            region: row.opt_text("region_code")?.map(|r| region(&r)).transpose()?,
            target: Target {
                baseline_year: year(row, "baseline_year")?,
                baseline: row.float("baseline")?,
                target_year: year(row, "target_year")?,
                target: row.float("target")?,
                binding: row.int("binding")? != 0,
                intermediate: revita_methods::plan::parse_intermediate(&row.text("intermediate")?).map_err(corrupt)?,
            },
        })
    }

    /// Projects with their budgets (budget rows of any of them, in any order).
    pub(crate) fn projects<R: RowExt>(rows: &[R], budgets: &[R]) -> StoreResult<Vec<Project>> {
        let mut projects = rows.iter().map(project).collect::<StoreResult<Vec<Project>>>()?;
        for b in budgets {
            let id = b.int("project_id")?;
            let source = keyword(b, "source", FundingSource::parse)?;
            if let Some(p) = projects.iter_mut().find(|p| p.id == id) {
                p.budget.push((source, b.float("amount")?));
            }
        }
        projects.iter_mut().for_each(|p| p.budget.sort_by_key(|(source, _)| *source));
        Ok(projects)
    }

    fn project(row: &impl RowExt) -> StoreResult<Project> {
        let goals = row.text("goal_ids")?;
        Ok(Project {
            id: row.int("id")?,
            plan_id: row.int("plan_id")?,
            code: row.text("code")?,
            name: row.text("name")?,
            category: keyword(row, "category", ProjectCategory::parse)?,
            region: region(&row.text("region_code")?)?,
            point: match (row.opt_float("lon")?, row.opt_float("lat")?) {
                (Some(lon), Some(lat)) => Some((lon, lat)),
                _ => None,
            },
            start: date(row, "start_date")?,
            end: date(row, "end_date")?,
            status: keyword(row, "status", ProjectStatus::parse)?,
            percent: row.float("percent")?,
            goals: goals
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| t.parse().map_err(corrupt))
                .collect::<StoreResult<_>>()?,
            budget: Vec::new(),
            version: row.int("version")?,
        })
    }

    pub(crate) fn milestone(row: &impl RowExt) -> StoreResult<Milestone> {
        Ok(Milestone {
            id: row.int("id")?,
            project_id: row.int("project_id")?,
            name: row.text("name")?,
            due: date(row, "due")?,
            done: row.opt_text("done")?.map(|d| Date::parse(&d).map_err(corrupt)).transpose()?,
        })
    }

    pub(crate) fn disbursement(row: &impl RowExt) -> StoreResult<Disbursement> {
        Ok(Disbursement {
            id: row.int("id")?,
            project_id: row.int("project_id")?,
            on: date(row, "on_date")?,
            amount: row.float("amount")?,
            source: keyword(row, "source", FundingSource::parse)?,
            actor: row.text("actor")?,
        })
    }
}
