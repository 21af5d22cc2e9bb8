//! The forms that change a plan: its header and status, goals and targets,
//! projects (one by one or from a file), their progress, milestones and
//! money paid out. Each checks the session's CSRF token, runs one use case
//! (which checks the role, the jurisdiction and the plan's version, and
//! audits) and returns to the plan.

use axum::extract::{Form, Multipart, Path};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use revita_app::auth::Actor;
use revita_app::auth::Origin;
use revita_app::{App, AppError, AppResult};
use revita_methods::IndicatorCode;
use revita_methods::plan::{FundingSource, PlanStatus, PlanTarget, Project, ProjectCategory, ProjectStatus, Target};

use super::pages::{FileProblem, plan_draft, plan_view};
use super::region;
use crate::kit::{Fields, Page, PageResult, date, field, number, required, today};

/// Who writes a plan, and from where: a form's session or an API caller.
/// The operations below are the one place a plan write's fields are read,
/// so that the forms and the API check the same things.
pub(crate) struct PlanWriter<'a> {
    pub app: &'a App,
    pub actor: &'a Actor,
    pub origin: &'a Origin,
}

/// A plan write by its name in a route: which fields it reads and what it
/// does, for the form and the API alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanWrite {
    /// `POST …/plans`: a new plan (`region` is the office's).
    Create,
    /// `…/plans/{id}/edit`: a drafted plan's header (`version`).
    Edit,
    /// `…/plans/{id}/status`: `to`, `version`, `comment`.
    Move,
    /// `…/plans/{id}/goals`: `title`, `parent`.
    Goal,
    /// `…/plans/{id}/targets`: `goal`, `indicator`, `region`, the values.
    Target,
    /// `…/plans/{id}/targets/{target}`: the values (while drafted).
    TargetEdit(i64),
    /// `…/plans/{id}/projects`: one project, added or replaced by code.
    Project,
    /// `…/projects/{id}/progress`: `status`, `percent`, `version`.
    Progress,
    /// `…/projects/{id}/milestones`: `name`, `due`; or `milestone`, `done`.
    Milestone,
    /// `…/projects/{id}/disbursements`: `on`, `amount`, `source`.
    Disbursement,
}

impl PlanWrite {
    /// Whether the write's path names a project rather than a plan.
    pub(crate) fn on_project(self) -> bool {
        matches!(self, PlanWrite::Progress | PlanWrite::Milestone | PlanWrite::Disbursement)
    }

    /// Runs the write on the plan or project `id` with the fields `form`;
    /// the number of what it made or changed (the plan, goal, target,
    /// project, milestone or disbursement), when it has one.
    pub(crate) async fn run(self, w: &PlanWriter<'_>, id: i64, form: &Fields) -> AppResult<Option<i64>> {
        let (app, actor, origin) = (w.app, w.actor, w.origin);
        match self {
            PlanWrite::Create => {
                let draft = plan_draft(form, region(required(form, "region")?)?)?;
                app.create_plan(actor, &draft, origin).await.map(Some)
            }
            PlanWrite::Edit => {
                let plan = app.plan_for(actor, id).await?;
                let draft = plan_draft(form, plan.region)?;
                app.update_plan(actor, id, &draft, number(form, "version")?, origin).await.map(Some)
            }
            PlanWrite::Move => {
                let to = PlanStatus::parse(required(form, "to")?)
                    .ok_or_else(|| AppError::Invalid("to: unknown status".into()))?;
                let comment = field(form, "comment").map(str::to_string);
                app.move_plan(actor, id, to, number(form, "version")?, comment, origin).await.map(|_| None)
            }
            PlanWrite::Goal => {
                let parent = field(form, "parent").map(|_| number::<i64>(form, "parent")).transpose()?;
                app.add_goal(actor, id, parent, required(form, "title")?, origin).await.map(Some)
            }
            PlanWrite::Target => {
                let indicator =
                    IndicatorCode::parse(required(form, "indicator")?).map_err(|e| AppError::Invalid(e.to_string()))?;
                let target = PlanTarget {
                    id: 0,
                    goal_id: number(form, "goal")?,
                    indicator,
                    region: field(form, "region").map(region).transpose()?,
                    target: target_values(form)?,
                };
                app.add_target(actor, id, &target, origin).await.map(Some)
            }
            PlanWrite::TargetEdit(target) => {
                app.update_target(actor, id, target, &target_values(form)?, origin).await.map(|_| Some(target))
            }
            PlanWrite::Project => {
                let project = project_of(form, id)?;
                Ok(app.save_projects(actor, id, &[project], origin).await?.first().copied())
            }
            PlanWrite::Progress => {
                let status = ProjectStatus::parse(required(form, "status")?)
                    .ok_or_else(|| AppError::Invalid("status: unknown".into()))?;
                let (percent, version) = (number(form, "percent")?, number(form, "version")?);
                app.record_project_progress(actor, id, status, percent, version, origin).await.map(|_| None)
            }
            PlanWrite::Milestone => match field(form, "milestone") {
                Some(_) => {
                    let milestone = number(form, "milestone")?;
                    app.complete_milestone(actor, id, milestone, date(form, "done")?, origin)
                        .await
                        .map(|_| Some(milestone))
                }
                None => {
                    let (name, due) = (required(form, "name")?, date(form, "due")?);
                    app.add_milestone(actor, id, name, due, origin).await.map(Some)
                }
            },
            PlanWrite::Disbursement => {
                let source = FundingSource::parse(required(form, "source")?)
                    .ok_or_else(|| AppError::Invalid("source: unknown funding source".into()))?;
                let (on, amount) = (date(form, "on")?, number(form, "amount")?);
                app.add_disbursement(actor, id, on, amount, source, origin).await.map(Some)
            }
        }
    }
}

impl PlanWrite {
    /// The form that makes the write on `id`, as the plan page names it.
    fn form_name(self, id: i64) -> String {
        match self {
            PlanWrite::Create => "create".into(),
            PlanWrite::Edit => "edit".into(),
            PlanWrite::Move => "move".into(),
            PlanWrite::Goal => "goal".into(),
            PlanWrite::Target => "target".into(),
            PlanWrite::TargetEdit(target) => format!("target-{target}"),
            PlanWrite::Project => "project".into(),
            PlanWrite::Progress => format!("progress-{id}"),
            PlanWrite::Milestone => format!("milestone-{id}"),
            PlanWrite::Disbursement => format!("disbursement-{id}"),
        }
    }
}

/// Runs a plan form's write on the plan or project `id`, then returns to
/// the plan. A write the data refuse (a bad value, a stale version) shows
/// the plan again with the reason on the form and what was typed in it
/// (422): nothing a user entered is lost.
async fn change(page: Page, write: PlanWrite, id: i64, form: Fields) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let plan_id = if write.on_project() { page.app().plan_of_project(id).await? } else { id };
    let page = page.at(&format!("/plans/{plan_id}"));
    let origin = page.origin();
    let actor = &page.viewer()?.actor;
    let writer = PlanWriter { app: page.app(), actor, origin: &origin };
    match write.run(&writer, id, &form).await {
        Ok(_) => page.see_other(&format!("/plans/{plan_id}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            let report = page.app().plan_report(actor, plan_id, today()).await?;
            let mut view = plan_view(&page, &report, None).await?;
            let project = write.on_project().then_some(id);
            view.refused = Some(crate::kit::Refused::new(write.form_name(id), reason, form, project));
            let shown = page.render_with(StatusCode::UNPROCESSABLE_ENTITY, "plan.html", &report.plan.title, view)?;
            Ok(shown.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /plans/{id}/edit`: rewrites a drafted plan's header (`version`).
pub async fn plan_edit(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Edit, plan_id, form).await
}

/// `POST /plans/{id}/status`: moves the plan (`to`, `version`, `comment`).
pub async fn plan_move(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Move, plan_id, form).await
}

/// `POST /plans/{id}/goals`: adds a chapter (no `parent`) or a goal.
pub async fn goal_add(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Goal, plan_id, form).await
}

/// The values of a target form.
fn target_values(form: &Fields) -> AppResult<Target> {
    Ok(Target {
        baseline_year: number(form, "baseline_year")?,
        baseline: number(form, "baseline")?,
        target_year: number(form, "target_year")?,
        target: number(form, "target")?,
        binding: field(form, "binding").is_some_and(|b| b != "false" && b != "0"),
        intermediate: revita_methods::plan::parse_intermediate(field(form, "intermediate").unwrap_or(""))
            .map_err(|e| AppError::Invalid(format!("intermediate: {e}")))?,
    })
}

/// `POST /plans/{id}/targets`: adds a target to a goal.
pub async fn target_add(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Target, plan_id, form).await
}

/// `POST /plans/{id}/targets/{target}`: rewrites a target's values, yearly
/// targets and kind while the plan is drafted (its goal, indicator and
/// region stay).
pub async fn target_edit(
    page: Page,
    Path((plan_id, target_id)): Path<(i64, i64)>,
    Form(form): Form<Fields>,
) -> PageResult {
    change(page, PlanWrite::TargetEdit(target_id), plan_id, form).await
}

/// The project of a project form.
fn project_of(form: &Fields, plan_id: i64) -> AppResult<Project> {
    let category = ProjectCategory::parse(required(form, "category")?)
        .ok_or_else(|| AppError::Invalid("category: unknown".into()))?;
    if let Some(unknown) = form
        .keys()
        .filter_map(|k| k.strip_prefix("budget_"))
        .find(|source| FundingSource::parse(source).is_none_or(|s| s.as_str() != *source))
    {
        return Err(AppError::Invalid(format!("budget: '{unknown}' is not a funding source")));
    }
    let mut budget = Vec::new();
    for source in FundingSource::ALL {
        let name = format!("budget_{}", source.as_str());
        if field(form, &name).is_some() {
            budget.push((*source, number::<f64>(form, &name)?));
        }
    }
    let point = match (field(form, "lon"), field(form, "lat")) {
        (Some(_), Some(_)) => Some((number(form, "lon")?, number(form, "lat")?)),
        (None, None) => None,
        _ => return Err(AppError::Invalid("give both lon and lat or neither".into())),
    };
    let goals = form
        .iter()
        .filter(|(k, v)| k.starts_with("goal_") && matches!(v.as_str(), "1" | "true"))
        .map(|(k, _)| k["goal_".len()..].parse().map_err(|_| AppError::Invalid(format!("{k}: not a goal"))))
        .collect::<AppResult<Vec<i64>>>()?;
    Ok(Project {
        id: 0,
        plan_id,
        code: required(form, "code")?.to_string(),
        name: required(form, "name")?.to_string(),
        category,
        region: region(required(form, "region")?)?,
        point,
        start: date(form, "start")?,
        end: date(form, "end")?,
        status: ProjectStatus::Planned,
        percent: 0.0,
        goals,
        budget,
        version: 1,
    })
}

/// `POST /plans/{id}/projects`: adds or replaces (by code) one project.
pub async fn project_add(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Project, plan_id, form).await
}

/// `POST /projects/{id}/progress`: status and percent complete (`version`).
pub async fn project_progress(page: Page, Path(project_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Progress, project_id, form).await
}

/// `POST /projects/{id}/milestones`: adds a milestone (`name`, `due`), or
/// with `milestone` and `done`, marks one done.
pub async fn project_milestone(page: Page, Path(project_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Milestone, project_id, form).await
}

/// `POST /projects/{id}/disbursements`: records money paid out.
pub async fn project_disbursement(page: Page, Path(project_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, PlanWrite::Disbursement, project_id, form).await
}

/// `POST /plans/{id}/projects/import`: a project file (CSV or XLSX); all or
/// nothing, the plan page listing every problem by row and column. The file
/// is streamed to the upload directory and removed once imported or refused.
pub async fn projects_import(page: Page, Path(plan_id): Path<i64>, multipart: Multipart) -> PageResult {
    let page = page.at(&format!("/plans/{plan_id}"));
    let viewer = page.viewer()?;
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx project file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a project file to upload".into()))?;
    match page.app().import_projects(&viewer.actor, plan_id, &staged.path, false, &page.origin()).await {
        Ok(_) => page.see_other(&format!("/plans/{plan_id}")),
        Err(AppError::Rejected { problems, .. }) => {
            // Problems name the file the user chose, not where it waited.
            let stored = staged.path.display().to_string();
            let rows = problems
                .errors
                .iter()
                .map(|e| FileProblem {
                    row: e.row,
                    column: e.column.clone().unwrap_or_default(),
                    reason: e.reason.replace(&stored, &staged.name),
                })
                .collect();
            let report = page.app().plan_report(&viewer.actor, plan_id, today()).await?;
            let view = plan_view(&page, &report, Some(rows)).await?;
            let shown = page.render_with(StatusCode::UNPROCESSABLE_ENTITY, "plan.html", &report.plan.title, view)?;
            Ok(shown.into_response())
        }
        Err(e) => Err(e.into()),
    }
}
