//! The forms that change a plan: its header and status, goals and targets,
//! projects (one by one or from a file), their progress, milestones and
//! money paid out. Each checks the session's CSRF token, runs one use case
//! (which checks the role, the jurisdiction and the plan's version, and
//! audits) and returns to the plan.

use axum::extract::{Form, Multipart, Path};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use revita_app::auth::Origin;
use revita_app::{AppError, AppResult};
use revita_methods::IndicatorCode;
use revita_methods::plan::{FundingSource, PlanStatus, PlanTarget, Project, ProjectCategory, ProjectStatus, Target};

use super::pages::{FileProblem, plan_draft, plan_view};
use super::region;
use crate::kit::{Fields, Page, PageResult, date, field, number, required, today};

/// Runs a plan form's change, then returns to the plan.
async fn change(
    page: Page,
    plan_id: i64,
    form: &Fields,
    apply: impl AsyncFnOnce(&Page, &Origin) -> AppResult<()>,
) -> PageResult {
    page.check_csrf(field(form, "csrf").unwrap_or(""))?;
    let page = page.at(&format!("/plans/{plan_id}"));
    apply(&page, &page.origin()).await?;
    page.see_other(&format!("/plans/{plan_id}"))
}

/// A project form's change, then back to the project's plan.
async fn project_change(
    page: Page,
    project_id: i64,
    form: &Fields,
    apply: impl AsyncFnOnce(&Page, &Origin) -> AppResult<()>,
) -> PageResult {
    let plan_id = page.app().plan_of_project(project_id).await?;
    change(page, plan_id, form, apply).await
}

/// `POST /plans/{id}/edit`: rewrites a drafted plan's header (`version`).
pub async fn plan_edit(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, plan_id, &form, async |page, origin| {
        let actor = &page.viewer()?.actor;
        let plan = page.app().plan_for(actor, plan_id).await?;
        let draft = plan_draft(&form, plan.region)?;
        page.app().update_plan(actor, plan_id, &draft, number(&form, "version")?, origin).await.map(|_| ())
    })
    .await
}

/// `POST /plans/{id}/status`: moves the plan (`to`, `version`, `comment`).
pub async fn plan_move(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, plan_id, &form, async |page, origin| {
        let to =
            PlanStatus::parse(required(&form, "to")?).ok_or_else(|| AppError::Invalid("to: unknown status".into()))?;
        let comment = field(&form, "comment").map(str::to_string);
        page.app().move_plan(&page.viewer()?.actor, plan_id, to, number(&form, "version")?, comment, origin).await
    })
    .await
}

/// `POST /plans/{id}/goals`: adds a chapter (no `parent`) or a goal.
pub async fn goal_add(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, plan_id, &form, async |page, origin| {
        let parent = field(&form, "parent").map(|_| number::<i64>(&form, "parent")).transpose()?;
        let title = required(&form, "title")?;
        page.app().add_goal(&page.viewer()?.actor, plan_id, parent, title, origin).await.map(|_| ())
    })
    .await
}

/// The values of a target form.
fn target_values(form: &Fields) -> AppResult<Target> {
    Ok(Target {
        baseline_year: number(form, "baseline_year")?,
        baseline: number(form, "baseline")?,
        target_year: number(form, "target_year")?,
        target: number(form, "target")?,
        binding: field(form, "binding").is_some(),
        intermediate: revita_methods::plan::parse_intermediate(field(form, "intermediate").unwrap_or(""))
            .map_err(|e| AppError::Invalid(format!("intermediate: {e}")))?,
    })
}

/// `POST /plans/{id}/targets`: adds a target to a goal.
pub async fn target_add(page: Page, Path(plan_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    change(page, plan_id, &form, async |page, origin| {
        let indicator =
            IndicatorCode::parse(required(&form, "indicator")?).map_err(|e| AppError::Invalid(e.to_string()))?;
        let target = PlanTarget {
            id: 0,
            goal_id: number(&form, "goal")?,
            indicator,
            region: field(&form, "region").map(region).transpose()?,
            target: target_values(&form)?,
        };
        page.app().add_target(&page.viewer()?.actor, plan_id, &target, origin).await.map(|_| ())
    })
    .await
}

/// `POST /plans/{id}/targets/{target}`: rewrites a target's values, yearly
/// targets and kind while the plan is drafted (its goal, indicator and
/// region stay).
pub async fn target_edit(
    page: Page,
    Path((plan_id, target_id)): Path<(i64, i64)>,
    Form(form): Form<Fields>,
) -> PageResult {
    change(page, plan_id, &form, async |page, origin| {
        page.app().update_target(&page.viewer()?.actor, plan_id, target_id, &target_values(&form)?, origin).await
    })
    .await
}

/// The project of a project form.
fn project_of(form: &Fields, plan_id: i64) -> AppResult<Project> {
    let category = ProjectCategory::parse(required(form, "category")?)
        .ok_or_else(|| AppError::Invalid("category: unknown".into()))?;
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
        .filter(|(k, v)| k.starts_with("goal_") && v.as_str() == "1")
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
    change(page, plan_id, &form, async |page, origin| {
        let project = project_of(&form, plan_id)?;
        page.app().save_projects(&page.viewer()?.actor, plan_id, &[project], origin).await.map(|_| ())
    })
    .await
}

/// `POST /projects/{id}/progress`: status and percent complete (`version`).
pub async fn project_progress(page: Page, Path(project_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    project_change(page, project_id, &form, async |page, origin| {
        let status = ProjectStatus::parse(required(&form, "status")?)
            .ok_or_else(|| AppError::Invalid("status: unknown".into()))?;
        let (percent, version) = (number(&form, "percent")?, number(&form, "version")?);
        let actor = &page.viewer()?.actor;
        page.app().record_project_progress(actor, project_id, status, percent, version, origin).await.map(|_| ())
    })
    .await
}

/// `POST /projects/{id}/milestones`: adds a milestone (`name`, `due`), or
/// with `milestone` and `done`, marks one done.
pub async fn project_milestone(page: Page, Path(project_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    project_change(page, project_id, &form, async |page, origin| {
        let actor = &page.viewer()?.actor;
        match field(&form, "milestone") {
            Some(_) => {
                let milestone = number(&form, "milestone")?;
                page.app().complete_milestone(actor, project_id, milestone, date(&form, "done")?, origin).await
            }
            None => {
                let (name, due) = (required(&form, "name")?, date(&form, "due")?);
                page.app().add_milestone(actor, project_id, name, due, origin).await.map(|_| ())
            }
        }
    })
    .await
}

/// `POST /projects/{id}/disbursements`: records money paid out.
pub async fn project_disbursement(page: Page, Path(project_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    project_change(page, project_id, &form, async |page, origin| {
        let source = FundingSource::parse(required(&form, "source")?)
            .ok_or_else(|| AppError::Invalid("source: unknown funding source".into()))?;
        let (on, amount) = (date(&form, "on")?, number(&form, "amount")?);
        page.app().add_disbursement(&page.viewer()?.actor, project_id, on, amount, source, origin).await.map(|_| ())
    })
    .await
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
