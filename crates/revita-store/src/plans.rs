//! Development plans in the store: plans and their status changes, goals,
//! targets, projects with budgets, milestones and disbursements
//! (migration 11).

use revita_methods::plan::{Disbursement, Goal, Milestone, Plan, PlanTarget, Project, Transition};

use crate::db::{on_pool, on_tx};
use crate::{Store, StoreError, StoreResult, Tx};

const INSERT_PLAN: &str = "INSERT INTO plans (title, kind, region_code, scope, start_year, end_year, office, \
     status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
const PLAN_COLUMNS_FROM: &str =
    "SELECT id, title, kind, region_code, scope, start_year, end_year, office, status, version FROM plans";
const MOVE_PLAN: &str = "UPDATE plans SET status = $1, version = version + 1 WHERE id = $2 AND version = $3";
const INSERT_TRANSITION: &str = "INSERT INTO plan_transitions (plan_id, from_status, to_status, actor, at, \
     comment) VALUES ($1, $2, $3, $4, $5, $6)";
const UPDATE_PLAN: &str = "UPDATE plans SET title = $1, kind = $2, scope = $3, start_year = $4, \
     end_year = $5, office = $6, version = version + 1 WHERE id = $7 AND version = $8";
const UPDATE_TARGET: &str = "UPDATE plan_targets SET indicator = $1, region_code = $2, baseline_year = $3, \
     baseline = $4, target_year = $5, target = $6, binding = $7, intermediate = $8 WHERE id = $9";
const TRANSITIONS: &str =
    "SELECT from_status, to_status, actor, at, comment FROM plan_transitions WHERE plan_id = $1 ORDER BY id";
const INSERT_GOAL: &str =
    "INSERT INTO plan_goals (plan_id, parent_id, title, position) VALUES ($1, $2, $3, $4) RETURNING id";
const GOALS: &str =
    "SELECT id, plan_id, parent_id, title, position FROM plan_goals WHERE plan_id = $1 ORDER BY position, id";
const INSERT_TARGET: &str = "INSERT INTO plan_targets (goal_id, indicator, region_code, baseline_year, \
     baseline, target_year, target, binding, intermediate) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
const TARGETS: &str = "SELECT t.id, t.goal_id, t.indicator, t.region_code, t.baseline_year, t.baseline, \
     t.target_year, t.target, t.binding, t.intermediate FROM plan_targets t JOIN plan_goals g ON g.id = t.goal_id \
     WHERE g.plan_id = $1 ORDER BY g.position, g.id, t.id";
const UPSERT_PROJECT: &str = "INSERT INTO projects (plan_id, code, name, category, region_code, lon, lat, \
     start_date, end_date, status, percent, goal_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (plan_id, code) DO UPDATE SET name = excluded.name, category = excluded.category, \
     region_code = excluded.region_code, lon = excluded.lon, lat = excluded.lat, start_date = excluded.start_date, \
     end_date = excluded.end_date, status = excluded.status, percent = excluded.percent, goal_ids = excluded.goal_ids, \
     version = projects.version + 1 RETURNING id";
const DELETE_BUDGETS: &str = "DELETE FROM project_budgets WHERE project_id = $1";
const INSERT_BUDGET: &str = "INSERT INTO project_budgets (project_id, source, amount) VALUES ($1, $2, $3)";
const PROJECT_COLUMNS_FROM: &str = "SELECT id, plan_id, code, name, category, region_code, lon, lat, \
     start_date, end_date, status, percent, goal_ids, version FROM projects";
const BUDGETS_OF_PLAN: &str = "SELECT b.project_id, b.source, b.amount FROM project_budgets b \
     JOIN projects p ON p.id = b.project_id WHERE p.plan_id = $1 ORDER BY b.project_id, b.source";
const BUDGETS_OF_PROJECT: &str =
    "SELECT project_id, source, amount FROM project_budgets WHERE project_id = $1 ORDER BY source";
const UPDATE_PROJECT_PROGRESS: &str =
    "UPDATE projects SET status = $1, percent = $2, version = version + 1 WHERE id = $3 AND version = $4";
const INSERT_MILESTONE: &str =
    "INSERT INTO project_milestones (project_id, name, due, done) VALUES ($1, $2, $3, $4) RETURNING id";
const COMPLETE_MILESTONE: &str = "UPDATE project_milestones SET done = $1 WHERE id = $2";
const MILESTONES: &str = "SELECT m.id, m.project_id, m.name, m.due, m.done FROM project_milestones m \
     JOIN projects p ON p.id = m.project_id WHERE p.plan_id = $1 ORDER BY m.due, m.id";
const INSERT_DISBURSEMENT: &str = "INSERT INTO project_disbursements (project_id, on_date, amount, source, \
     actor) VALUES ($1, $2, $3, $4, $5) RETURNING id";
const DISBURSEMENTS: &str = "SELECT d.id, d.project_id, d.on_date, d.amount, d.source, d.actor \
     FROM project_disbursements d JOIN projects p ON p.id = d.project_id WHERE p.plan_id = $1 ORDER BY d.on_date, d.id";

impl Store {
    /// Every plan, by number.
    pub async fn plans(&self) -> StoreResult<Vec<Plan>> {
        let sql = format!("{PLAN_COLUMNS_FROM} ORDER BY id");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(rows::plan).collect()
        })
    }

    /// One plan.
    pub async fn plan(&self, id: i64) -> StoreResult<Option<Plan>> {
        let sql = format!("{PLAN_COLUMNS_FROM} WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(rows::plan).transpose()
        })
    }

    /// A plan's status changes, oldest first.
    pub async fn plan_transitions(&self, id: i64) -> StoreResult<Vec<Transition>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(TRANSITIONS).bind(id).fetch_all(pool).await?;
            rows.iter().map(rows::transition).collect()
        })
    }

    /// A plan's chapters and goals, by position then number.
    pub async fn goals(&self, plan_id: i64) -> StoreResult<Vec<Goal>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(GOALS).bind(plan_id).fetch_all(pool).await?;
            rows.iter().map(rows::goal).collect()
        })
    }

    /// A plan's targets, by goal then number.
    pub async fn targets(&self, plan_id: i64) -> StoreResult<Vec<PlanTarget>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(TARGETS).bind(plan_id).fetch_all(pool).await?;
            rows.iter().map(rows::target).collect()
        })
    }

    /// A plan's projects with their budgets, by code.
    pub async fn projects(&self, plan_id: i64) -> StoreResult<Vec<Project>> {
        let sql = format!("{PROJECT_COLUMNS_FROM} WHERE plan_id = $1 ORDER BY code");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plan_id).fetch_all(pool).await?;
            let budgets = sqlx::query(BUDGETS_OF_PLAN).bind(plan_id).fetch_all(pool).await?;
            rows::projects(&rows, &budgets)
        })
    }

    /// One project.
    pub async fn project(&self, id: i64) -> StoreResult<Option<Project>> {
        let sql = format!("{PROJECT_COLUMNS_FROM} WHERE id = $1");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(pool).await?;
            let budgets = sqlx::query(BUDGETS_OF_PROJECT).bind(id).fetch_all(pool).await?;
            Ok(rows::projects(&rows, &budgets)?.into_iter().next())
        })
    }

    /// The milestones of a plan's projects, by due day.
    pub async fn milestones(&self, plan_id: i64) -> StoreResult<Vec<Milestone>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(MILESTONES).bind(plan_id).fetch_all(pool).await?;
            rows.iter().map(rows::milestone).collect()
        })
    }

    /// The disbursements of a plan's projects, by day.
    pub async fn disbursements(&self, plan_id: i64) -> StoreResult<Vec<Disbursement>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(DISBURSEMENTS).bind(plan_id).fetch_all(pool).await?;
            rows.iter().map(rows::disbursement).collect()
        })
    }
}

impl Tx {
    /// Creates a plan (its id and version are assigned); returns its number.
    pub async fn create_plan(&mut self, plan: &Plan) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(INSERT_PLAN)
                .bind(&plan.title)
                .bind(plan.kind.as_str())
                .bind(plan.region.as_str())
                .bind(plan.scope.to_text())
                .bind(i64::from(plan.start_year))
                .bind(i64::from(plan.end_year))
                .bind(&plan.office)
                .bind(plan.status.as_str())
                .fetch_one(&mut *conn)
                .await?
        });
        self.changed(crate::db::Topic::Plans);
        Ok(id)
    }

    /// Moves a plan to `transition.to` if it is still at `version`
    /// (`Conflict` otherwise), recording the transition.
    pub async fn move_plan(&mut self, id: i64, version: i64, transition: &Transition) -> StoreResult<()> {
        let moved = on_tx!(self, conn => {
            sqlx::query(MOVE_PLAN).bind(transition.to.as_str()).bind(id).bind(version).execute(&mut *conn).await?.rows_affected()
        });
        StoreError::unless_one(moved, || format!("plan {id}"), version)?;
        on_tx!(self, conn => {
            sqlx::query(INSERT_TRANSITION)
                .bind(id)
                .bind(transition.from.as_str())
                .bind(transition.to.as_str())
                .bind(&transition.actor)
                .bind(transition.at)
                .bind(transition.comment.as_deref())
                .execute(&mut *conn)
                .await?;
        });
        self.changed(crate::db::Topic::Plans);
        Ok(())
    }

    /// Rewrites a plan's title, kind, scope, period and office if it is
    /// still at `version` (`Conflict` otherwise); returns the new version.
    pub async fn update_plan(&mut self, plan: &Plan, version: i64) -> StoreResult<i64> {
        let updated = on_tx!(self, conn => {
            sqlx::query(UPDATE_PLAN)
                .bind(&plan.title)
                .bind(plan.kind.as_str())
                .bind(plan.scope.to_text())
                .bind(i64::from(plan.start_year))
                .bind(i64::from(plan.end_year))
                .bind(&plan.office)
                .bind(plan.id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        StoreError::unless_one(updated, || format!("plan {}", plan.id), version)?;
        self.changed(crate::db::Topic::Plans);
        Ok(version + 1)
    }

    /// Adds a chapter or goal; returns its number.
    pub async fn add_goal(&mut self, goal: &Goal) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(INSERT_GOAL)
                .bind(goal.plan_id)
                .bind(goal.parent)
                .bind(&goal.title)
                .bind(goal.position)
                .fetch_one(&mut *conn)
                .await?
        });
        self.changed(crate::db::Topic::Plans);
        Ok(id)
    }

    /// Adds a target to a goal; returns its number.
    pub async fn add_target(&mut self, target: &PlanTarget) -> StoreResult<i64> {
        let t = &target.target;
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(INSERT_TARGET)
                .bind(target.goal_id)
                .bind(target.indicator.as_str())
                .bind(target.region.as_ref().map(|r| r.as_str().to_string()))
                .bind(i64::from(t.baseline_year))
                .bind(t.baseline)
                .bind(i64::from(t.target_year))
                .bind(t.target)
                .bind(i64::from(t.binding))
                .bind(rows::intermediate_text(&t.intermediate))
                .fetch_one(&mut *conn)
                .await?
        });
        self.changed(crate::db::Topic::Plans);
        Ok(id)
    }

    /// Rewrites a target (its goal stays); `NotFound` for an unknown one.
    pub async fn update_target(&mut self, target: &PlanTarget) -> StoreResult<()> {
        let t = &target.target;
        let updated = on_tx!(self, conn => {
            sqlx::query(UPDATE_TARGET)
                .bind(target.indicator.as_str())
                .bind(target.region.as_ref().map(|r| r.as_str().to_string()))
                .bind(i64::from(t.baseline_year))
                .bind(t.baseline)
                .bind(i64::from(t.target_year))
                .bind(t.target)
                .bind(i64::from(t.binding))
                .bind(rows::intermediate_text(&t.intermediate))
                .bind(target.id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if updated != 1 {
            return Err(StoreError::NotFound(format!("target {}", target.id)));
        }
        self.changed(crate::db::Topic::Plans);
        Ok(())
    }

    /// Writes projects of a plan, replacing those with the same code (their
    /// budgets too); returns their numbers.
    pub async fn upsert_projects(&mut self, plan_id: i64, projects: &[Project]) -> StoreResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(projects.len());
        for p in projects {
            let id: i64 = on_tx!(self, conn => {
                let id: i64 = sqlx::query_scalar(UPSERT_PROJECT)
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
                    .bind(rows::ids_text(&p.goals))
                    .fetch_one(&mut *conn)
                    .await?;
                sqlx::query(DELETE_BUDGETS).bind(id).execute(&mut *conn).await?;
                for (source, amount) in &p.budget {
                    sqlx::query(INSERT_BUDGET).bind(id).bind(source.as_str()).bind(*amount).execute(&mut *conn).await?;
                }
                id
            });
            ids.push(id);
        }
        self.changed(crate::db::Topic::Plans);
        Ok(ids)
    }

    /// Records a project's status and percent complete if it is still at
    /// `version` (`Conflict` otherwise); returns the new version.
    pub async fn update_project_progress(&mut self, project: &Project, version: i64) -> StoreResult<i64> {
        let updated = on_tx!(self, conn => {
            sqlx::query(UPDATE_PROJECT_PROGRESS)
                .bind(project.status.as_str())
                .bind(project.percent)
                .bind(project.id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        StoreError::unless_one(updated, || format!("project {}", project.code), version)?;
        self.changed(crate::db::Topic::Plans);
        Ok(version + 1)
    }

    /// Adds a milestone; returns its number.
    pub async fn add_milestone(&mut self, m: &Milestone) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(INSERT_MILESTONE)
                .bind(m.project_id)
                .bind(&m.name)
                .bind(m.due.to_string())
                .bind(crate::rows::date_text(m.done))
                .fetch_one(&mut *conn)
                .await?
        });
        self.changed(crate::db::Topic::Plans);
        Ok(id)
    }

    /// Marks a milestone done on a day.
    pub async fn complete_milestone(&mut self, id: i64, done: revita_methods::Date) -> StoreResult<()> {
        let updated = on_tx!(self, conn => {
            sqlx::query(COMPLETE_MILESTONE).bind(done.to_string()).bind(id).execute(&mut *conn).await?.rows_affected()
        });
        if updated != 1 {
            return Err(StoreError::NotFound(format!("milestone {id}")));
        }
        self.changed(crate::db::Topic::Plans);
        Ok(())
    }

    /// Records a disbursement; returns its number.
    pub async fn add_disbursement(&mut self, d: &Disbursement) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(INSERT_DISBURSEMENT)
                .bind(d.project_id)
                .bind(d.on.to_string())
                .bind(d.amount)
                .bind(d.source.as_str())
                .bind(&d.actor)
                .fetch_one(&mut *conn)
                .await?
        });
        self.changed(crate::db::Topic::Plans);
        Ok(id)
    }
}

/// Rows of the plan tables as domain values.
mod rows {
    use revita_methods::plan::{
        Disbursement, FundingSource, Goal, Milestone, Plan, PlanKind, PlanScope, PlanStatus, PlanTarget, Project,
        ProjectCategory, ProjectStatus, Target, Transition,
    };
    use revita_methods::{Date, IndicatorCode, RegionCode};

    use crate::StoreResult;
    use crate::rows::{RowExt, corrupt};

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
