//! Development plans (issue 6): creating a plan for a scope, moving it
//! through review and approval, its goals and indicator targets judged
//! against the observations (`revita_methods::plan`'s path and status
//! rule), projects with budgets, milestones and disbursements, and the
//! plan as one report for pages, workbooks and the PDF document.
//!
//! Who may do what: a plan belongs to the region of its responsible office.
//! Users who read that region see the whole plan; users whose jurisdiction
//! lies inside the plan's scope see the part within it (their regions'
//! targets and projects, not the whole-scope targets); planners and administrators
//! there change its content and submit it (`EditDecisions`), only
//! administrators approve, return and evaluate it
//! ([`revita_methods::plan::may_transition`]); data-entry users of a
//! project's region record its progress and disbursements. Every change
//! is audited; plan moves and project progress are guarded by versions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::access::Action;
use revita_methods::aggregate::{ChildValue, aggregate};
use revita_methods::observation::Period;
use revita_methods::plan::{
    Disbursement, Execution, Goal, Milestone, Plan, PlanScope, PlanStatus, PlanTarget, Project, ProjectStatus, Rollup,
    Status, Target, Tolerances, Transition, days_late, may_transition, roll_up,
};
use revita_methods::{Date, IndicatorCode, RegionCode};
use revita_store::ObservationQuery;

use crate::auth::{Actor, Origin};
use crate::{App, AppError, AppResult, ImportReport};

/// What a user gives to create a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDraft {
    /// Title.
    pub title: String,
    /// What it is for.
    pub kind: revita_methods::plan::PlanKind,
    /// The responsible office's region.
    pub region: RegionCode,
    /// What it covers.
    pub scope: PlanScope,
    /// First year.
    pub start_year: i32,
    /// Last year.
    pub end_year: i32,
    /// The responsible office.
    pub office: String,
}

/// A target with the value it is judged on.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetView {
    /// The target.
    pub target: PlanTarget,
    /// The latest annual value at or after the baseline year: (year, value).
    pub latest: Option<(i32, f64)>,
    /// Where the path stands in the latest value's year.
    pub path: Option<f64>,
    /// The share of the expected change made.
    pub progress: Option<f64>,
    /// Its status (none without a value).
    pub status: Option<Status>,
}

/// A chapter or goal with its targets and their roll-up (a chapter rolls up
/// its goals' targets too).
#[derive(Debug, Clone, PartialEq)]
pub struct GoalView {
    /// The goal.
    pub goal: Goal,
    /// Its own targets.
    pub targets: Vec<TargetView>,
    /// The roll-up of its targets (and, for a chapter, its goals').
    pub rollup: Rollup,
}

/// A project with its money and dates.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectView {
    /// The project.
    pub project: Project,
    /// Budget and disbursed.
    pub execution: Execution,
    /// Its milestones, by due day, each with the days it is late.
    pub milestones: Vec<(Milestone, Option<i64>)>,
    /// Whether the reader may record its progress, milestones done and
    /// disbursements now (see [`App::add_disbursement`]).
    pub may_record: bool,
}

impl ProjectView {
    /// Milestones late today.
    pub fn late(&self) -> usize {
        self.milestones.iter().filter(|(_, late)| late.is_some()).count()
    }
}

/// Everything about a plan, as pages, workbooks and documents show it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanReport {
    /// The plan.
    pub plan: Plan,
    /// Its status changes.
    pub transitions: Vec<Transition>,
    /// The regions its scope names (list members, the set, or the root).
    pub scope_regions: Vec<RegionCode>,
    /// Chapters and goals in order (chapters first, each followed by its goals).
    pub goals: Vec<GoalView>,
    /// The plan's roll-up over all targets.
    pub rollup: Rollup,
    /// Projects by code.
    pub projects: Vec<ProjectView>,
    /// Σ over projects.
    pub execution: Execution,
    /// Disbursements, by day.
    pub disbursements: Vec<Disbursement>,
    /// The worst status of the targets set for each region.
    pub region_status: BTreeMap<RegionCode, Status>,
    /// The day the report was made for.
    pub today: Date,
    /// Whether the reader sees only the part of the plan in their
    /// jurisdiction (no whole-scope targets, only their projects).
    pub partial: bool,
    /// Whether the reader may change the plan's content and move it
    /// (decisions over the whole plan).
    pub may_edit: bool,
}

fn forbidden(what: impl std::fmt::Display) -> AppError {
    AppError::Forbidden(format!("{what} is outside your jurisdiction"))
}

fn invalid(reason: impl ToString) -> AppError {
    AppError::Invalid(reason.to_string())
}

impl App {
    /// The plan a project belongs to (forms about a project return to it).
    pub async fn plan_of_project(&self, project_id: i64) -> AppResult<i64> {
        let project = self
            .store()
            .project(project_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("project {project_id}")))?;
        Ok(project.plan_id)
    }

    /// Creates a plan in draft. The office's region and every region of the
    /// scope must be within the actor's jurisdiction for decisions.
    pub async fn create_plan(&self, actor: &Actor, draft: &PlanDraft, origin: &Origin) -> AppResult<i64> {
        let plan = Plan {
            id: 0,
            title: draft.title.trim().to_string(),
            kind: draft.kind,
            region: draft.region.clone(),
            scope: draft.scope.clone(),
            start_year: draft.start_year,
            end_year: draft.end_year,
            office: draft.office.trim().to_string(),
            status: PlanStatus::Draft,
            version: 1,
        };
        plan.check().map_err(invalid)?;
        let scope = self.jurisdiction(actor, Action::EditDecisions).await?;
        if !scope.covers(&plan.region) {
            return Err(forbidden(format!("region {}", plan.region)));
        }
        if self.store().region(&plan.region).await?.is_none() {
            return Err(invalid(format!("region {} is not loaded", plan.region)));
        }
        for region in self.scope_regions(&plan.scope).await? {
            if !scope.covers(&region) {
                return Err(forbidden(format!("scope region {region}")));
            }
        }
        let mut tx = self.store().begin().await?;
        let id = tx.create_plan(&plan).await?;
        tx.audit(entry(actor, "plan.create", ("plan", id), &plan.region, (None, Some(plan.title.clone())), origin));
        tx.commit().await?;
        Ok(id)
    }

    /// The regions a scope names: a list's members, the set, or the root
    /// of a subtree; unknown regions and lists are refused.
    pub async fn scope_regions(&self, scope: &PlanScope) -> AppResult<Vec<RegionCode>> {
        let regions = match scope {
            PlanScope::List(id) => {
                let members = self.store().designation_list_members(*id).await?;
                if members.is_empty() {
                    return Err(invalid(format!("designation list {id} does not exist or is empty")));
                }
                members.into_iter().map(|(code, _)| code).collect()
            }
            PlanScope::Regions(codes) => codes.clone(),
            PlanScope::Subtree(root) => vec![root.clone()],
        };
        for region in &regions {
            if self.store().region(region).await?.is_none() {
                return Err(invalid(format!("scope region {region} is not loaded")));
            }
        }
        Ok(regions)
    }

    /// The regions projects of a plan may lie in: the scope's regions and
    /// everything under them.
    async fn coverage(&self, plan: &Plan) -> AppResult<HashSet<RegionCode>> {
        let mut covered = HashSet::new();
        for region in self.scope_regions(&plan.scope).await? {
            covered.extend(self.store().descendants(&region, None).await?.into_iter().map(|r| r.code));
            covered.insert(region);
        }
        Ok(covered)
    }

    /// The regions a plan's forms offer to pick from: its scope's regions
    /// and those under them, the highest levels first, at most `limit`
    /// (one query; any code of the scope may still be typed).
    pub async fn plan_region_choices(&self, report: &PlanReport, limit: i64) -> AppResult<Vec<revita_methods::Region>> {
        Ok(self.store().regions_under(&report.scope_regions, limit).await?)
    }

    /// The plans the actor may read (wholly or in part), by number.
    pub async fn plans_for(&self, actor: &Actor) -> AppResult<Vec<Plan>> {
        let readable = self.jurisdiction(actor, Action::Read).await?;
        let mut plans = Vec::new();
        for plan in self.store().plans().await? {
            if self.visibility(&plan, &readable).await?.is_some() {
                plans.push(plan);
            }
        }
        Ok(plans)
    }

    /// One page of the plans the actor may read, by number after `after`,
    /// and how many the actor may read in all. Plans are few (tens per
    /// office), so the page is filtered by visibility after reading, which
    /// a plan's scope decides.
    pub async fn plans_page(&self, actor: &Actor, after: i64, limit: usize) -> AppResult<(Vec<Plan>, usize)> {
        let mut plans = self.plans_for(actor).await?;
        let total = plans.len();
        plans.retain(|p| p.id > after);
        plans.sort_by_key(|p| p.id);
        plans.truncate(limit);
        Ok((plans, total))
    }

    /// How much of `plan` a reader with `readable` sees: `Some(None)` all of
    /// it, `Some(Some(regions))` the part in those regions, `None` nothing.
    async fn visibility(
        &self,
        plan: &Plan,
        readable: &crate::Jurisdiction,
    ) -> AppResult<Option<Option<HashSet<RegionCode>>>> {
        let Some(set) = readable.members() else { return Ok(Some(None)) };
        if set.contains(&plan.region) {
            return Ok(Some(None));
        }
        let inside: HashSet<RegionCode> = self.coverage(plan).await?.intersection(set).cloned().collect();
        Ok((!inside.is_empty()).then_some(Some(inside)))
    }

    /// One plan and the part of it the actor sees (`None`: all of it).
    pub async fn plan_view(&self, actor: &Actor, id: i64) -> AppResult<(Plan, Option<HashSet<RegionCode>>)> {
        let plan = self.store().plan(id).await?.ok_or_else(|| AppError::NotFound(format!("plan {id}")))?;
        let readable = self.jurisdiction(actor, Action::Read).await?;
        match self.visibility(&plan, &readable).await? {
            Some(part) => Ok((plan, part)),
            None => Err(forbidden(format!("plan {id}"))),
        }
    }

    /// One plan, if the actor may read all of it.
    pub async fn plan_for(&self, actor: &Actor, id: i64) -> AppResult<Plan> {
        match self.plan_view(actor, id).await? {
            (plan, None) => Ok(plan),
            (_, Some(_)) => Err(forbidden(format!("plan {id} as a whole"))),
        }
    }

    /// A plan the actor may change the content of.
    async fn plan_to_edit(&self, actor: &Actor, id: i64) -> AppResult<Plan> {
        let plan = self.plan_for(actor, id).await?;
        if !self.jurisdiction(actor, Action::EditDecisions).await?.covers(&plan.region) {
            return Err(AppError::Forbidden(format!("{} may not change plan {id}", actor.name)));
        }
        Ok(plan)
    }

    /// Moves a plan to `to` if one of the actor's roles over the plan's
    /// region allows it and the plan is still at `version`.
    pub async fn move_plan(
        &self,
        actor: &Actor,
        id: i64,
        to: PlanStatus,
        version: i64,
        comment: Option<String>,
        origin: &Origin,
    ) -> AppResult<()> {
        let plan = self.plan_for(actor, id).await?;
        if !plan.status.next().contains(&to) {
            return Err(invalid(format!("a plan {} cannot move to {}", plan.status.as_str(), to.as_str())));
        }
        let mut above: Vec<RegionCode> =
            self.store().ancestors(&plan.region).await?.into_iter().map(|r| r.code).collect();
        above.push(plan.region.clone());
        let allowed =
            actor.access.grants().iter().any(|g| above.contains(&g.scope) && may_transition(g.role, plan.status, to));
        if !allowed {
            return Err(AppError::Forbidden(format!(
                "{} may not move plan {id} from {} to {}",
                actor.name,
                plan.status.as_str(),
                to.as_str()
            )));
        }
        let transition = Transition { from: plan.status, to, actor: actor.name.clone(), at: origin.now, comment };
        let change = (Some(plan.status.as_str().to_string()), Some(to.as_str().to_string()));
        let entry = entry(actor, "plan.move", ("plan", id), &plan.region, change, origin);
        Ok(self.store().write(entry, async |tx| tx.move_plan(id, version, &transition).await).await?)
    }

    /// Adds a chapter (no parent) or a goal under a chapter, while the plan
    /// is drafted; returns its number.
    pub async fn add_goal(
        &self,
        actor: &Actor,
        plan_id: i64,
        parent: Option<i64>,
        title: &str,
        origin: &Origin,
    ) -> AppResult<i64> {
        let plan = self.plan_to_edit(actor, plan_id).await?;
        require_draft(&plan)?;
        let title = title.trim();
        if title.is_empty() {
            return Err(invalid("a goal needs a title"));
        }
        let goals = self.store().goals(plan_id).await?;
        if let Some(parent) = parent {
            match goals.iter().find(|g| g.id == parent) {
                Some(g) if g.parent.is_none() => {}
                Some(_) => return Err(invalid("goals sit under chapters, two levels deep")),
                None => return Err(invalid(format!("chapter {parent} is not in plan {plan_id}"))),
            }
        }
        let position = goals.iter().filter(|g| g.parent == parent).map(|g| g.position).max().unwrap_or(0) + 1;
        let goal = Goal { id: 0, plan_id, parent, title: title.to_string(), position };
        let entry =
            entry(actor, "plan.goal", ("plan", plan_id), &plan.region, (None, Some(goal.title.clone())), origin);
        Ok(self.store().write(entry, async |tx| tx.add_goal(&goal).await).await?)
    }

    /// Adds a target to a goal of a drafted plan; its region (if any) must
    /// be in the plan's scope and its indicator defined.
    pub async fn add_target(
        &self,
        actor: &Actor,
        plan_id: i64,
        target: &PlanTarget,
        origin: &Origin,
    ) -> AppResult<i64> {
        let plan = self.plan_to_edit(actor, plan_id).await?;
        require_draft(&plan)?;
        revita_methods::plan::check_target(&target.target).map_err(invalid)?;
        if !self.store().goals(plan_id).await?.iter().any(|g| g.id == target.goal_id) {
            return Err(invalid(format!("goal {} is not in plan {plan_id}", target.goal_id)));
        }
        if self.store().indicator(&target.indicator).await?.is_none() {
            return Err(invalid(format!("indicator {} is not defined", target.indicator)));
        }
        if let Some(region) = &target.region
            && !self.coverage(&plan).await?.contains(region)
        {
            return Err(invalid(format!("region {region} is not in the plan's scope")));
        }
        let what = format!("{} {}→{}", target.indicator, target.target.baseline, target.target.target);
        let region = target.region.as_ref().unwrap_or(&plan.region);
        let entry = entry(actor, "plan.target", ("plan", plan_id), region, (None, Some(what)), origin);
        Ok(self.store().write(entry, async |tx| tx.add_target(target).await).await?)
    }

    /// Rewrites a drafted plan's title, kind, scope, period and office (not
    /// its office's region) if it is still at `version`; returns the new
    /// version. The new scope must lie in the actor's jurisdiction as well.
    pub async fn update_plan(
        &self,
        actor: &Actor,
        id: i64,
        draft: &PlanDraft,
        version: i64,
        origin: &Origin,
    ) -> AppResult<i64> {
        let before = self.plan_to_edit(actor, id).await?;
        require_draft(&before)?;
        let plan = Plan {
            title: draft.title.trim().to_string(),
            kind: draft.kind,
            scope: draft.scope.clone(),
            start_year: draft.start_year,
            end_year: draft.end_year,
            office: draft.office.trim().to_string(),
            ..before.clone()
        };
        plan.check().map_err(invalid)?;
        let scope = self.jurisdiction(actor, Action::EditDecisions).await?;
        for region in self.scope_regions(&plan.scope).await? {
            if !scope.covers(&region) {
                return Err(forbidden(format!("scope region {region}")));
            }
        }
        let describe =
            |p: &Plan| format!("{} · {} · {}–{} · {}", p.title, p.scope.to_text(), p.start_year, p.end_year, p.office);
        let change = (Some(describe(&before)), Some(describe(&plan)));
        let entry = entry(actor, "plan.edit", ("plan", id), &plan.region, change, origin);
        Ok(self.store().write(entry, async |tx| tx.update_plan(&plan, version).await).await?)
    }

    /// Rewrites a target of a drafted plan: its values, yearly targets and
    /// kind (its goal, indicator and region stay).
    pub async fn update_target(
        &self,
        actor: &Actor,
        plan_id: i64,
        target_id: i64,
        values: &Target,
        origin: &Origin,
    ) -> AppResult<()> {
        let plan = self.plan_to_edit(actor, plan_id).await?;
        require_draft(&plan)?;
        revita_methods::plan::check_target(values).map_err(invalid)?;
        let stored = self.store().targets(plan_id).await?;
        let Some(before) = stored.iter().find(|t| t.id == target_id) else {
            return Err(AppError::NotFound(format!("target {target_id} of plan {plan_id}")));
        };
        let target = PlanTarget { target: values.clone(), ..before.clone() };
        let describe = |t: &PlanTarget| {
            format!(
                "{} {}→{} {:?} binding={}",
                t.indicator, t.target.baseline, t.target.target, t.target.intermediate, t.target.binding
            )
        };
        let change = (Some(describe(before)), Some(describe(&target)));
        let region = target.region.as_ref().unwrap_or(&plan.region);
        let entry = entry(actor, "plan.target_edit", ("plan", plan_id), region, change, origin);
        Ok(self.store().write(entry, async |tx| tx.update_target(&target).await).await?)
    }

    /// Adds or replaces (by code) projects of a plan whose project list is
    /// open: each project's region must lie in the scope and its goals be
    /// the plan's. All or nothing: the first problem refuses the lot.
    pub async fn save_projects(
        &self,
        actor: &Actor,
        plan_id: i64,
        projects: &[Project],
        origin: &Origin,
    ) -> AppResult<Vec<i64>> {
        let plan = self.plan_to_edit(actor, plan_id).await?;
        require_projects_open(&plan)?;
        let checker = ProjectChecker::new(self, &plan).await?;
        for p in projects {
            checker.check(p).map_err(invalid)?;
        }
        self.write_projects(actor, &plan, projects, origin).await
    }

    async fn write_projects(
        &self,
        actor: &Actor,
        plan: &Plan,
        projects: &[Project],
        origin: &Origin,
    ) -> AppResult<Vec<i64>> {
        let codes: Vec<&str> = projects.iter().map(|p| p.code.as_str()).collect();
        let entry =
            entry(actor, "plan.projects", ("plan", plan.id), &plan.region, (None, Some(codes.join(","))), origin);
        Ok(self.store().write(entry, async |tx| tx.upsert_projects(plan.id, projects).await).await?)
    }

    /// Imports a plan's projects from CSV or XLSX (the template of
    /// [`App::projects_template`]): every row checked, all or nothing.
    pub async fn import_projects(
        &self,
        actor: &Actor,
        plan_id: i64,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let plan = self.plan_to_edit(actor, plan_id).await?;
        require_projects_open(&plan)?;
        // Every problem of the file at once (issue 13): the rows that do not
        // parse, and the scope, goal and repeat problems of those that do.
        let (table, (parsed, mut problems)) =
            crate::import::read_table(path, None, revita_ingest::records::read_projects_with_problems).await?;
        let checker = ProjectChecker::new(self, &plan).await?;
        let mut seen: HashMap<&str, u64> = HashMap::new();
        for (row, project) in &parsed.rows {
            if let Some(first) = seen.insert(project.code.as_str(), *row) {
                problems.push(RowError::cell(
                    &table.file,
                    *row,
                    "code",
                    format!("project {} is already on row {first}", project.code),
                ));
                continue;
            }
            for (column, reason) in checker.problems(project) {
                problems.push(RowError::cell(&table.file, *row, column, reason));
            }
        }
        if !problems.is_empty() {
            problems.sort_by_row();
            return Err(problems.into());
        }
        let projects: Vec<Project> = parsed.rows.iter().map(|(_, p)| Project { plan_id, ..p.clone() }).collect();
        if !dry_run {
            self.write_projects(actor, &plan, &projects, origin).await?;
        }
        Ok(ImportReport {
            file: table.file.clone(),
            kind: "projects".into(),
            encoding: table.encoding.name().to_string(),
            dry_run,
            rows_read: projects.len() as u64,
            records_valid: projects.len() as u64,
            records_written: if dry_run { 0 } else { projects.len() as u64 },
            ignored_columns: parsed.ignored_columns.clone(),
            ..Default::default()
        })
    }

    /// A project the actor may record progress on: in a plan under way,
    /// and in a region where the actor enters data or decides.
    async fn project_to_record(&self, actor: &Actor, project_id: i64) -> AppResult<(Plan, Project)> {
        let project = self
            .store()
            .project(project_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("project {project_id}")))?;
        let plan = self
            .store()
            .plan(project.plan_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("plan {}", project.plan_id)))?;
        if !self.recorders(actor).await?.covers(&project.region) {
            return Err(forbidden(format!("project {}", project.code)));
        }
        if !plan.status.in_progress() {
            return Err(invalid(format!(
                "progress is recorded once the plan is approved; plan {} is {}",
                plan.id,
                plan.status.as_str()
            )));
        }
        Ok((plan, project))
    }

    /// Where the actor may record projects' progress: where it enters data
    /// or takes decisions.
    async fn recorders(&self, actor: &Actor) -> AppResult<Recorders> {
        Ok(Recorders {
            data: self.jurisdiction(actor, Action::EditData).await?,
            decisions: self.jurisdiction(actor, Action::EditDecisions).await?,
        })
    }

    /// Records a project's status and percent complete (guarded by its version).
    pub async fn record_project_progress(
        &self,
        actor: &Actor,
        project_id: i64,
        status: ProjectStatus,
        percent: f64,
        version: i64,
        origin: &Origin,
    ) -> AppResult<i64> {
        let (_, project) = self.project_to_record(actor, project_id).await?;
        let updated = Project { status, percent, ..project.clone() };
        updated.check().map_err(invalid)?;
        let change = (
            Some(format!("{} {}%", project.status.as_str(), project.percent)),
            Some(format!("{} {percent}%", status.as_str())),
        );
        let entry = entry(actor, "project.progress", ("project", project_id), &project.region, change, origin);
        Ok(self.store().write(entry, async |tx| tx.update_project_progress(&updated, version).await).await?)
    }

    /// Adds a milestone to a project (while its plan's project list is open).
    pub async fn add_milestone(
        &self,
        actor: &Actor,
        project_id: i64,
        name: &str,
        due: Date,
        origin: &Origin,
    ) -> AppResult<i64> {
        let project = self
            .store()
            .project(project_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("project {project_id}")))?;
        let plan = self.plan_to_edit(actor, project.plan_id).await?;
        require_projects_open(&plan)?;
        if name.trim().is_empty() {
            return Err(invalid("a milestone needs a name"));
        }
        let milestone = Milestone { id: 0, project_id, name: name.trim().to_string(), due, done: None };
        let what = format!("{} {due}", milestone.name);
        let entry =
            entry(actor, "project.milestone", ("project", project_id), &project.region, (None, Some(what)), origin);
        Ok(self.store().write(entry, async |tx| tx.add_milestone(&milestone).await).await?)
    }

    /// Marks a milestone of a project done.
    pub async fn complete_milestone(
        &self,
        actor: &Actor,
        project_id: i64,
        milestone_id: i64,
        done: Date,
        origin: &Origin,
    ) -> AppResult<()> {
        let (plan, project) = self.project_to_record(actor, project_id).await?;
        let milestones = self.store().milestones(plan.id).await?;
        if !milestones.iter().any(|m| m.id == milestone_id && m.project_id == project_id) {
            return Err(AppError::NotFound(format!("milestone {milestone_id} of project {project_id}")));
        }
        let what = format!("milestone {milestone_id} done {done}");
        let entry = entry(
            actor,
            "project.milestone_done",
            ("project", project_id),
            &project.region,
            (None, Some(what)),
            origin,
        );
        Ok(self.store().write(entry, async |tx| tx.complete_milestone(milestone_id, done).await).await?)
    }

    /// Records money paid out to a project from one of its budget sources.
    pub async fn add_disbursement(
        &self,
        actor: &Actor,
        project_id: i64,
        on: Date,
        amount: f64,
        source: revita_methods::plan::FundingSource,
        origin: &Origin,
    ) -> AppResult<i64> {
        let (_, project) = self.project_to_record(actor, project_id).await?;
        if !(amount.is_finite() && amount > 0.0) {
            return Err(invalid(format!("a disbursement of {amount} is not a positive amount")));
        }
        if !project.budget.iter().any(|(s, _)| *s == source) {
            return Err(invalid(format!("project {} has no {} budget", project.code, source.as_str())));
        }
        let d = Disbursement { id: 0, project_id, on, amount, source, actor: actor.name.clone() };
        let what = format!("{amount} {} {on}", source.as_str());
        let entry =
            entry(actor, "project.disbursement", ("project", project_id), &project.region, (None, Some(what)), origin);
        Ok(self.store().write(entry, async |tx| tx.add_disbursement(&d).await).await?)
    }

    /// The plan with its targets judged on today's observations, its
    /// projects' execution and late milestones: all of it, or for a reader
    /// inside the scope, the targets and projects of their regions.
    pub async fn plan_report(&self, actor: &Actor, id: i64, today: Date) -> AppResult<PlanReport> {
        let (plan, part) = self.plan_view(actor, id).await?;
        let shown = |region: Option<&RegionCode>| match (&part, region) {
            (None, _) => true,
            (Some(set), Some(region)) => set.contains(region),
            (Some(_), None) => false,
        };
        let scope_regions = self.scope_regions(&plan.scope).await?;
        let goals = self.store().goals(id).await?;
        let mut targets: Vec<TargetView> = Vec::new();
        for t in self.store().targets(id).await?.into_iter().filter(|t| shown(t.region.as_ref())) {
            let latest = match &t.region {
                Some(region) => self.latest_value(&t.indicator, region, t.target.baseline_year).await?,
                None => self.scope_value(&plan, &scope_regions, &t.indicator, t.target.baseline_year).await?,
            };
            targets.push(judge(t, latest));
        }
        let goals = goal_views(&goals, &targets);
        let statuses: Vec<(bool, Option<Status>)> =
            targets.iter().map(|t| (t.target.target.binding, t.status)).collect();
        let mut region_status: BTreeMap<RegionCode, Status> = BTreeMap::new();
        for t in &targets {
            if let (Some(region), Some(status)) = (&t.target.region, t.status) {
                let worst = region_status.entry(region.clone()).or_insert(status);
                *worst = (*worst).min(status);
            }
        }
        let projects = self.store().projects(id).await?;
        let projects: Vec<Project> = projects.into_iter().filter(|p| shown(Some(&p.region))).collect();
        let disbursements: Vec<Disbursement> = self
            .store()
            .disbursements(id)
            .await?
            .into_iter()
            .filter(|d| projects.iter().any(|p| p.id == d.project_id))
            .collect();
        let milestones = self.store().milestones(id).await?;
        let recorders = self.recorders(actor).await?;
        let may_edit = part.is_none() && recorders.decisions.covers(&plan.region);
        let mut execution = Execution::default();
        let projects: Vec<ProjectView> = projects
            .into_iter()
            .map(|project| {
                let disbursed = disbursements.iter().filter(|d| d.project_id == project.id).map(|d| d.amount).sum();
                let own = Execution { budget: project.total_budget(), disbursed };
                execution.add(own);
                let milestones = milestones
                    .iter()
                    .filter(|m| m.project_id == project.id)
                    .map(|m| (m.clone(), days_late(m.due, m.done, today)))
                    .collect();
                let may_record = plan.status.in_progress() && recorders.covers(&project.region);
                ProjectView { project, execution: own, milestones, may_record }
            })
            .collect();
        Ok(PlanReport {
            transitions: self.store().plan_transitions(id).await?,
            partial: part.is_some(),
            may_edit,
            plan,
            scope_regions,
            goals,
            rollup: roll_up(&statuses),
            projects,
            execution,
            disbursements,
            region_status,
            today,
        })
    }

    /// The latest annual value of an indicator in a region, from the
    /// baseline year on.
    async fn latest_value(
        &self,
        indicator: &IndicatorCode,
        region: &RegionCode,
        from: i32,
    ) -> AppResult<Option<(i32, f64)>> {
        Ok(self.annual_values(indicator, region).await?.into_iter().next_back().filter(|(y, _)| *y >= from))
    }

    /// Annual values of an indicator in a region, by year.
    async fn annual_values(&self, indicator: &IndicatorCode, region: &RegionCode) -> AppResult<BTreeMap<i32, f64>> {
        let query =
            ObservationQuery { indicator: Some(indicator.clone()), region: Some(region.clone()), ..Default::default() };
        let observations = self.store().observations(&query, None, 10_000).await?;
        Ok(observations
            .into_iter()
            .filter_map(|o| match o.period {
                Period::Year(y) => Some((y, o.value)),
                _ => None,
            })
            .collect())
    }

    /// A whole-scope value: the subtree root's own value; for a list or a
    /// set of regions, the indicator's roll-up (sum, mean or weighted mean)
    /// over them in the latest year every one of them reports.
    async fn scope_value(
        &self,
        plan: &Plan,
        regions: &[RegionCode],
        indicator: &IndicatorCode,
        from: i32,
    ) -> AppResult<Option<(i32, f64)>> {
        if let PlanScope::Subtree(root) = &plan.scope {
            return self.latest_value(indicator, root, from).await;
        }
        let Some(definition) = self.store().indicator(indicator).await? else { return Ok(None) };
        let mut series = Vec::with_capacity(regions.len());
        for region in regions {
            series.push(self.annual_values(indicator, region).await?);
        }
        let common = series
            .iter()
            .map(|s| s.keys().copied().filter(|y| *y >= from).collect::<HashSet<i32>>())
            .reduce(|a, b| a.intersection(&b).copied().collect())
            .unwrap_or_default();
        let Some(year) = common.into_iter().max() else { return Ok(None) };
        let mut children = Vec::with_capacity(regions.len());
        for (region, values) in regions.iter().zip(&series) {
            let weight = match &definition.aggregation {
                revita_methods::Aggregation::WeightedMean(w) => {
                    self.annual_values(w, region).await?.get(&year).copied()
                }
                _ => None,
            };
            children.push(ChildValue { value: values.get(&year).copied(), weight });
        }
        Ok(aggregate(&definition.aggregation, &children).value.map(|v| (year, v)))
    }
}

/// A target judged on its latest value.
fn judge(target: PlanTarget, latest: Option<(i32, f64)>) -> TargetView {
    let t: &Target = &target.target;
    let (path, progress, status) = match latest {
        Some((year, value)) => {
            (Some(t.path(year)), t.progress(year, value), Some(t.status(year, value, Tolerances::default())))
        }
        None => (None, None, None),
    };
    TargetView { target, latest, path, progress, status }
}

/// Chapters and goals in reading order, each with its targets and roll-up.
fn goal_views(goals: &[Goal], targets: &[TargetView]) -> Vec<GoalView> {
    let own =
        |goal: &Goal| -> Vec<TargetView> { targets.iter().filter(|t| t.target.goal_id == goal.id).cloned().collect() };
    let statuses = |views: &[TargetView]| -> Vec<(bool, Option<Status>)> {
        views.iter().map(|t| (t.target.target.binding, t.status)).collect()
    };
    let mut out = Vec::new();
    let chapters: Vec<&Goal> = goals.iter().filter(|g| g.parent.is_none()).collect();
    for chapter in chapters {
        let children: Vec<&Goal> = goals.iter().filter(|g| g.parent == Some(chapter.id)).collect();
        let mut all = own(chapter);
        let chapter_targets = all.clone();
        for child in &children {
            all.extend(own(child));
        }
        out.push(GoalView { goal: chapter.clone(), targets: chapter_targets, rollup: roll_up(&statuses(&all)) });
        for child in children {
            let mine = own(child);
            out.push(GoalView { goal: child.clone(), rollup: roll_up(&statuses(&mine)), targets: mine });
        }
    }
    out
}

fn require_draft(plan: &Plan) -> AppResult<()> {
    if plan.status.content_editable() {
        Ok(())
    } else {
        Err(invalid(format!(
            "plan {} is {}: goals and targets change only in draft (return it for revision first)",
            plan.id,
            plan.status.as_str()
        )))
    }
}

fn require_projects_open(plan: &Plan) -> AppResult<()> {
    if plan.status.projects_editable() {
        Ok(())
    } else {
        Err(invalid(format!("plan {} is {}: its projects are closed", plan.id, plan.status.as_str())))
    }
}

/// The jurisdictions in which a user may record project progress.
struct Recorders {
    data: crate::Jurisdiction,
    decisions: crate::Jurisdiction,
}

impl Recorders {
    fn covers(&self, region: &RegionCode) -> bool {
        self.data.covers(region) || self.decisions.covers(region)
    }
}

/// Checks projects against their plan: region in scope, goals of the plan.
struct ProjectChecker {
    coverage: HashSet<RegionCode>,
    goals: HashSet<i64>,
}

impl ProjectChecker {
    async fn new(app: &App, plan: &Plan) -> AppResult<ProjectChecker> {
        Ok(ProjectChecker {
            coverage: app.coverage(plan).await?,
            goals: app.store().goals(plan.id).await?.into_iter().map(|g| g.id).collect(),
        })
    }

    fn check(&self, project: &Project) -> Result<(), String> {
        match self.problems(project).into_iter().next() {
            Some((_, reason)) => Err(reason),
            None => Ok(()),
        }
    }

    /// Every problem of a project, with the column it concerns.
    fn problems(&self, project: &Project) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if let Err(reason) = project.check() {
            problems.push(("code", reason.to_string()));
        }
        if !self.coverage.contains(&project.region) {
            problems.push(("region_code", format!("region {} is not in the plan's scope", project.region)));
        }
        for goal in project.goals.iter().filter(|g| !self.goals.contains(g)) {
            problems.push(("goals", format!("goal {goal} is not a goal of this plan")));
        }
        problems
    }
}

/// The project template: the columns of a project file with one example
/// row, and a sheet of the keywords each column accepts.
pub fn projects_template() -> Vec<revita_ingest::export::Sheet> {
    use revita_ingest::export::{Cell, Sheet};
    use revita_methods::plan::{FundingSource, ProjectCategory, ProjectStatus};
    let text = |t: &str| Cell::Text(t.to_string());
    let mut example = vec![
        text("P001"),
        text("县城供水管网改造"),
        text("infrastructure"),
        text("520102"),
        Cell::Number(106.71),
        Cell::Number(26.57),
        text("2025-03-01"),
        text("2026-12-31"),
        text("planned"),
        Cell::Number(0.0),
        text(""),
    ];
    example.extend(FundingSource::ALL.iter().map(|s| match s {
        FundingSource::CentralBudget => Cell::Number(3_000_000.0),
        FundingSource::LocalBudget => Cell::Number(1_000_000.0),
        _ => text(""),
    }));
    let keywords = |name: &str, all: Vec<(&'static str, &'static str)>| -> Vec<Vec<Cell>> {
        all.into_iter().map(|(en, zh)| vec![text(name), text(en), text(zh)]).collect()
    };
    let mut rows = keywords("category", ProjectCategory::ALL.iter().map(|k| (k.as_str(), k.zh())).collect());
    rows.extend(keywords("status", ProjectStatus::ALL.iter().map(|k| (k.as_str(), k.zh())).collect()));
    rows.extend(keywords("budget_<source>", FundingSource::ALL.iter().map(|k| (k.as_str(), k.zh())).collect()));
    vec![
        Sheet { name: "projects".into(), header: revita_ingest::records::project_columns(), rows: vec![example] },
        Sheet { name: "keywords".into(), header: vec!["column".into(), "keyword".into(), "中文".into()], rows },
    ]
}

/// A plan's data as worksheets: the plan, goals and targets with their
/// status, projects with budgets by source and execution, milestones and
/// disbursements.
pub fn plan_sheets(report: &PlanReport) -> Vec<revita_ingest::export::Sheet> {
    use revita_ingest::export::{Cell, Sheet};
    use revita_methods::plan::FundingSource;
    let text = |t: &str| Cell::Text(t.to_string());
    let number = |v: Option<f64>| v.map_or(Cell::Text(String::new()), Cell::Number);
    let p = &report.plan;
    let plan = Sheet {
        name: "plan".into(),
        header: vec!["field".into(), "value".into()],
        rows: vec![
            vec![text("id"), Cell::Number(p.id as f64)],
            vec![text("title"), text(&p.title)],
            vec![text("kind"), text(p.kind.as_str())],
            vec![text("region_code"), text(p.region.as_str())],
            vec![text("scope"), text(&p.scope.to_text())],
            vec![text("period"), text(&format!("{}-{}", p.start_year, p.end_year))],
            vec![text("office"), text(&p.office)],
            vec![text("status"), text(p.status.as_str())],
            vec![text("targets_status"), text(report.rollup.status.map_or("", |s| s.as_str()))],
            vec![text("budget"), Cell::Number(report.execution.budget)],
            vec![text("disbursed"), Cell::Number(report.execution.disbursed)],
        ],
    };
    let mut target_rows = Vec::new();
    for g in &report.goals {
        for t in &g.targets {
            let target = &t.target.target;
            target_rows.push(vec![
                Cell::Number(g.goal.id as f64),
                text(&g.goal.title),
                text(t.target.indicator.as_str()),
                text(t.target.region.as_ref().map_or("", |r| r.as_str())),
                text(if target.binding { "binding" } else { "expected" }),
                Cell::Number(f64::from(target.baseline_year)),
                Cell::Number(target.baseline),
                Cell::Number(f64::from(target.target_year)),
                Cell::Number(target.target),
                number(t.latest.map(|(y, _)| f64::from(y))),
                number(t.latest.map(|(_, v)| v)),
                number(t.path),
                number(t.progress),
                text(t.status.map_or("no_data", |s| s.as_str())),
            ]);
        }
    }
    let targets = Sheet {
        name: "targets".into(),
        header: [
            "goal",
            "goal_title",
            "indicator",
            "region_code",
            "kind",
            "baseline_year",
            "baseline",
            "target_year",
            "target",
            "latest_year",
            "latest",
            "path",
            "progress",
            "status",
        ]
        .map(String::from)
        .to_vec(),
        rows: target_rows,
    };
    let mut header: Vec<String> =
        ["code", "name", "category", "region_code", "start", "end", "status", "percent", "goals"]
            .map(String::from)
            .to_vec();
    header.extend(FundingSource::ALL.iter().map(|s| format!("budget_{}", s.as_str())));
    header.extend(["budget", "disbursed", "execution_rate", "late_milestones"].map(String::from));
    let projects = Sheet {
        name: "projects".into(),
        header,
        rows: report
            .projects
            .iter()
            .map(|v| {
                let p = &v.project;
                let mut row = vec![
                    text(&p.code),
                    text(&p.name),
                    text(p.category.as_str()),
                    text(p.region.as_str()),
                    text(&p.start.to_string()),
                    text(&p.end.to_string()),
                    text(p.status.as_str()),
                    Cell::Number(p.percent),
                    text(&p.goals.iter().map(i64::to_string).collect::<Vec<_>>().join(";")),
                ];
                row.extend(
                    FundingSource::ALL
                        .iter()
                        .map(|s| number(p.budget.iter().find(|(source, _)| source == s).map(|(_, a)| *a))),
                );
                row.extend([
                    Cell::Number(v.execution.budget),
                    Cell::Number(v.execution.disbursed),
                    number(v.execution.rate()),
                    Cell::Number(v.late() as f64),
                ]);
                row
            })
            .collect(),
    };
    let code_of =
        |id: i64| report.projects.iter().find(|v| v.project.id == id).map_or(String::new(), |v| v.project.code.clone());
    let milestones = Sheet {
        name: "milestones".into(),
        header: ["project", "milestone", "due", "done", "days_late"].map(String::from).to_vec(),
        rows: report
            .projects
            .iter()
            .flat_map(|v| v.milestones.iter().map(move |(m, late)| (v, m, late)))
            .map(|(v, m, late)| {
                vec![
                    text(&v.project.code),
                    text(&m.name),
                    text(&m.due.to_string()),
                    text(&m.done.map(|d| d.to_string()).unwrap_or_default()),
                    number(late.map(|d| d as f64)),
                ]
            })
            .collect(),
    };
    let disbursements = Sheet {
        name: "disbursements".into(),
        header: ["project", "date", "amount", "source", "recorded_by"].map(String::from).to_vec(),
        rows: report
            .disbursements
            .iter()
            .map(|d| {
                vec![
                    text(&code_of(d.project_id)),
                    text(&d.on.to_string()),
                    Cell::Number(d.amount),
                    text(d.source.as_str()),
                    text(&d.actor),
                ]
            })
            .collect(),
    };
    vec![plan, targets, projects, milestones, disbursements]
}

/// The plan's sheets as an XLSX workbook.
pub fn plan_workbook(report: &PlanReport) -> AppResult<Vec<u8>> {
    revita_ingest::export::workbook_bytes(&plan_sheets(report)).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

/// The project template as an XLSX workbook.
pub fn projects_template_workbook() -> AppResult<Vec<u8>> {
    revita_ingest::export::workbook_bytes(&projects_template()).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

/// The audit entry of a change to a plan or project.
fn entry(
    actor: &Actor,
    action: &str,
    object: (&str, i64),
    region: &RegionCode,
    change: (Option<String>, Option<String>),
    origin: &Origin,
) -> revita_store::security::AuditEntry {
    crate::auth::audit_entry(&actor.name, action, (object.0, &object.1.to_string()), Some(region), change, origin)
}
