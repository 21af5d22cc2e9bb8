//! The plan list and create form, a plan's dashboard and printable view,
//! and the downloads.

use axum::extract::{Form, Path};
use axum::http::header;
use axum::response::IntoResponse;
use revita_app::plans::{PlanDraft, PlanReport};
use revita_app::{AppError, AppResult};
use revita_methods::plan::{FundingSource, PlanKind, PlanScope, ProjectCategory, ProjectStatus, Rollup, Status};
use revita_methods::{Date, RegionCode};
use serde::Serialize;

use crate::kit::{Fields, Page, PageResult, field, number, required, today};
use crate::views::PageContext;

/// A plan in the list.
#[derive(Serialize)]
struct PlanRow {
    id: i64,
    title: String,
    kind: &'static str,
    region: String,
    period: String,
    office: String,
    status: &'static str,
}

/// `plans.html`.
#[derive(Serialize)]
struct PlansView {
    plans: Vec<PlanRow>,
    kinds: Vec<&'static str>,
    csrf: String,
    this_year: i32,
    /// Why the create form was refused, shown on the form.
    error: Option<String>,
    /// What the refused form held, to fill it again (nothing typed is lost).
    entered: std::collections::HashMap<String, String>,
}

/// `GET /plans`: the plans the user may read, and the create form.
pub async fn plans_page(page: Page) -> PageResult {
    plans_with_form(&page, None, Fields::default()).await
}

/// The plans page, the create form showing `error` and refilled with
/// `entered` when a submission was refused.
async fn plans_with_form(page: &Page, error: Option<String>, entered: Fields) -> PageResult {
    let plans = page
        .app()
        .plans_for(&page.viewer()?.actor)
        .await?
        .iter()
        .map(|p| PlanRow {
            id: p.id,
            title: p.title.clone(),
            kind: p.kind.as_str(),
            region: p.region.to_string(),
            period: format!("{}–{}", p.start_year, p.end_year),
            office: p.office.clone(),
            status: p.status.as_str(),
        })
        .collect();
    let view = PlansView {
        plans,
        kinds: PlanKind::ALL.iter().map(|k| k.as_str()).collect(),
        csrf: page.csrf(),
        this_year: today().year(),
        error,
        entered: entered.into_iter().filter(|(k, _)| k != "csrf").collect(),
    };
    page.render("plans.html", page.t("plans"), view)
}

/// `POST /plans`: creates a plan, then opens it.
/// A refused form shows its reason on the form, with what was typed kept
/// (issue 16); anything else is an error page.
pub async fn plan_create(page: Page, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let origin = page.origin();
    let created = async {
        let writer = super::forms::PlanWriter { app: page.app(), actor: &page.viewer()?.actor, origin: &origin };
        super::forms::PlanWrite::Create.run(&writer, 0, &form).await
    };
    match created.await {
        Ok(plan) => page.see_other(&format!("/plans/{}", plan.unwrap_or_default())),
        Err(AppError::Invalid(reason) | AppError::Forbidden(reason) | AppError::Conflict(reason)) => {
            let page = page.at("/plans");
            let mut response = plans_with_form(&page, Some(reason), form).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// The plan fields of the create and edit forms.
pub(super) fn plan_draft(form: &Fields, office_region: RegionCode) -> AppResult<PlanDraft> {
    let kind = PlanKind::parse(required(form, "kind")?).ok_or_else(|| AppError::Invalid("kind: unknown".into()))?;
    let scope_kind = required(form, "scope_kind")?;
    let scope = PlanScope::parse(&format!("{scope_kind}:{}", required(form, "scope")?))
        .map_err(|e| AppError::Invalid(format!("scope: {e}")))?;
    Ok(PlanDraft {
        title: required(form, "title")?.to_string(),
        kind,
        region: office_region,
        scope,
        start_year: number(form, "start_year")?,
        end_year: number(form, "end_year")?,
        office: field(form, "office").unwrap_or("").to_string(),
    })
}

/// Targets by status.
#[derive(Serialize)]
struct RollupView {
    status: &'static str,
    achieved: usize,
    on_track: usize,
    at_risk: usize,
    off_track: usize,
    no_data: usize,
}

impl From<&Rollup> for RollupView {
    fn from(r: &Rollup) -> RollupView {
        RollupView {
            status: r.status.map_or("no_data", |s| s.as_str()),
            achieved: r.achieved,
            on_track: r.on_track,
            at_risk: r.at_risk,
            off_track: r.off_track,
            no_data: r.no_data,
        }
    }
}

/// A target's values as its edit form shows them.
#[derive(Serialize)]
struct TargetEdit {
    baseline_year: i32,
    baseline: f64,
    target_year: i32,
    target: f64,
    intermediate: String,
}

/// A target with its progress.
#[derive(Serialize)]
struct TargetView {
    id: i64,
    edit: TargetEdit,
    indicator: String,
    /// The indicator's name in the reader's language.
    indicator_name: String,
    region: String,
    binding: bool,
    baseline: String,
    target: String,
    latest: String,
    path: String,
    progress: String,
    status: &'static str,
}

/// A chapter or goal with its targets.
#[derive(Serialize)]
struct GoalView {
    id: i64,
    title: String,
    chapter: bool,
    rollup: RollupView,
    targets: Vec<TargetView>,
}

/// A milestone of a project.
#[derive(Serialize)]
struct MilestoneView {
    id: i64,
    name: String,
    due: String,
    done: String,
    /// Days late (0: on time or not yet due).
    late: i64,
}

/// A project with its execution.
#[derive(Serialize)]
struct ProjectView {
    id: i64,
    code: String,
    name: String,
    category: &'static str,
    region: String,
    start: String,
    end: String,
    status: &'static str,
    percent: f64,
    version: i64,
    budget: String,
    disbursed: String,
    rate: String,
    late: usize,
    sources: Vec<&'static str>,
    milestones: Vec<MilestoneView>,
    may_record: bool,
}

/// The plan's header.
#[derive(Serialize)]
struct PlanHeader {
    id: i64,
    title: String,
    kind: &'static str,
    region: String,
    scope: String,
    period: String,
    office: String,
    status: &'static str,
    version: i64,
    draft: bool,
    projects_open: bool,
    scope_kind: String,
    scope_value: String,
    start_year: i32,
    end_year: i32,
}

/// Budget and money paid out (yuan).
#[derive(Serialize)]
struct ExecutionView {
    budget: String,
    disbursed: String,
    rate: String,
}

/// A move of the plan's status.
#[derive(Serialize)]
struct TransitionView {
    from: &'static str,
    to: &'static str,
    actor: String,
    at: String,
    comment: String,
}

/// A goal to choose in a form.
#[derive(Serialize)]
struct GoalChoice {
    id: i64,
    title: String,
}

/// A problem of a refused project file.
#[derive(Serialize)]
pub(super) struct FileProblem {
    pub(super) row: u64,
    pub(super) column: String,
    pub(super) reason: String,
}

/// `plan.html` and `plan_print.html`.
#[derive(Serialize)]
pub(super) struct PlanView {
    plan: PlanHeader,
    kinds: Vec<&'static str>,
    partial: bool,
    rollup: RollupView,
    execution: ExecutionView,
    transitions: Vec<TransitionView>,
    goals: Vec<GoalView>,
    chapters: Vec<GoalChoice>,
    goal_ids: Vec<GoalChoice>,
    projects: Vec<ProjectView>,
    status_chart: String,
    timeline: Option<String>,
    map: Option<String>,
    moves: Vec<&'static str>,
    can_edit: bool,
    categories: Vec<&'static str>,
    project_statuses: Vec<&'static str>,
    sources: Vec<&'static str>,
    csrf: String,
    today: String,
    problems: Option<Vec<FileProblem>>,
    /// The indicators, to pick by name.
    indicator_options: Vec<Choice>,
    /// The scope's regions, to pick by name (a large scope lists its first
    /// few hundred; any code may still be typed).
    region_options: Vec<Choice>,
    /// The form that was refused: which, why, and what was typed in it.
    pub(super) refused: Option<crate::kit::Refused>,
}

/// A value a form offers, with its label.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// The most regions a form offers to pick from.
const REGION_OPTIONS: i64 = 300;

/// Money as whole yuan with thousands separators, and a rate as a
/// percentage.
fn yuan(amount: f64) -> String {
    revita_report::svg::format_number(amount, 0)
}

fn percent(rate: Option<f64>) -> String {
    // `+ 0.0` turns -0.0 into 0.0.
    rate.map(|r| format!("{:.1}", 100.0 * r + 0.0)).unwrap_or_default()
}

/// The view of a plan: the report, its charts and what the viewer may
/// change.
pub(super) async fn plan_view(
    page: &Page,
    report: &PlanReport,
    problems: Option<Vec<FileProblem>>,
) -> AppResult<PlanView> {
    let (plan, ctx) = (&report.plan, &page.ctx);
    let indicators: Vec<Choice> = page
        .app()
        .indicators()
        .await?
        .iter()
        .map(|i| Choice {
            value: i.code.to_string(),
            label: ctx.lang.name(&i.name_zh, i.name_en.as_deref()).to_string(),
        })
        .collect();
    let indicator_names: std::collections::HashMap<&str, &str> =
        indicators.iter().map(|c| (c.value.as_str(), c.label.as_str())).collect();
    let goals = report
        .goals
        .iter()
        .map(|g| GoalView {
            id: g.goal.id,
            title: g.goal.title.clone(),
            chapter: g.goal.parent.is_none(),
            rollup: RollupView::from(&g.rollup),
            targets: g
                .targets
                .iter()
                .map(|t| {
                    let target = &t.target.target;
                    TargetView {
                        id: t.target.id,
                        edit: TargetEdit {
                            baseline_year: target.baseline_year,
                            baseline: target.baseline,
                            target_year: target.target_year,
                            target: target.target,
                            intermediate: target
                                .intermediate
                                .iter()
                                .map(|(y, v)| format!("{y}={v}"))
                                .collect::<Vec<_>>()
                                .join("; "),
                        },
                        indicator: t.target.indicator.to_string(),
                        indicator_name: indicator_names
                            .get(t.target.indicator.as_str())
                            .map_or_else(|| t.target.indicator.to_string(), |name| name.to_string()),
                        region: t.target.region.as_ref().map(|r| r.to_string()).unwrap_or_default(),
                        binding: target.binding,
                        baseline: format!("{} ({})", target.baseline, target.baseline_year),
                        target: format!("{} ({})", target.target, target.target_year),
                        latest: t.latest.map(|(y, v)| format!("{v} ({y})")).unwrap_or_default(),
                        path: t.path.map(|v| format!("{v:.2}")).unwrap_or_default(),
                        progress: t.progress.map(|v| format!("{:.1}", 100.0 * v)).unwrap_or_default(),
                        status: t.status.map_or("no_data", |s| s.as_str()),
                    }
                })
                .collect(),
        })
        .collect();
    let projects = report
        .projects
        .iter()
        .map(|v| {
            let p = &v.project;
            ProjectView {
                id: p.id,
                code: p.code.clone(),
                name: p.name.clone(),
                category: p.category.as_str(),
                region: p.region.to_string(),
                start: p.start.to_string(),
                end: p.end.to_string(),
                status: p.status.as_str(),
                percent: p.percent,
                version: p.version,
                budget: yuan(v.execution.budget),
                disbursed: yuan(v.execution.disbursed),
                rate: percent(v.execution.rate()),
                late: v.late(),
                sources: p.budget.iter().map(|(s, _)| s.as_str()).collect(),
                milestones: v
                    .milestones
                    .iter()
                    .map(|(m, late)| MilestoneView {
                        id: m.id,
                        name: m.name.clone(),
                        due: m.due.to_string(),
                        done: m.done.map(|d| d.to_string()).unwrap_or_default(),
                        late: late.unwrap_or(0),
                    })
                    .collect(),
                may_record: v.may_record,
            }
        })
        .collect();
    let scope = plan.scope.to_text();
    let (scope_kind, scope_value) =
        scope.split_once(':').map_or((String::new(), String::new()), |(k, v)| (k.to_string(), v.to_string()));
    let choice = |g: &&revita_app::plans::GoalView| GoalChoice { id: g.goal.id, title: g.goal.title.clone() };
    Ok(PlanView {
        plan: PlanHeader {
            id: plan.id,
            title: plan.title.clone(),
            kind: plan.kind.as_str(),
            region: plan.region.to_string(),
            scope: scope.clone(),
            period: format!("{}–{}", plan.start_year, plan.end_year),
            office: plan.office.clone(),
            status: plan.status.as_str(),
            version: plan.version,
            draft: plan.status.content_editable(),
            projects_open: plan.status.projects_editable(),
            scope_kind,
            scope_value,
            start_year: plan.start_year,
            end_year: plan.end_year,
        },
        kinds: PlanKind::ALL.iter().map(|k| k.as_str()).collect(),
        partial: report.partial,
        rollup: RollupView::from(&report.rollup),
        execution: ExecutionView {
            budget: yuan(report.execution.budget),
            disbursed: yuan(report.execution.disbursed),
            rate: percent(report.execution.rate()),
        },
        transitions: report
            .transitions
            .iter()
            .map(|t| TransitionView {
                from: t.from.as_str(),
                to: t.to.as_str(),
                actor: t.actor.clone(),
                at: Date::from_days_since_epoch(t.at.div_euclid(86_400)).to_string(),
                comment: t.comment.clone().unwrap_or_default(),
            })
            .collect(),
        goals,
        chapters: report.goals.iter().filter(|g| g.goal.parent.is_none()).map(|g| choice(&g)).collect(),
        goal_ids: report.goals.iter().map(|g| choice(&g)).collect(),
        projects,
        status_chart: status_chart(ctx, report),
        timeline: timeline(ctx, report),
        map: status_map(page, report).await?,
        moves: plan.status.next().iter().map(|s| s.as_str()).collect(),
        can_edit: report.may_edit,
        categories: ProjectCategory::ALL.iter().map(|c| c.as_str()).collect(),
        project_statuses: ProjectStatus::ALL.iter().map(|c| c.as_str()).collect(),
        sources: FundingSource::ALL.iter().map(|c| c.as_str()).collect(),
        csrf: page.csrf(),
        today: report.today.to_string(),
        problems,
        refused: None,
        // Offered only to whom may edit: the forms are theirs.
        indicator_options: if report.may_edit { indicators } else { Vec::new() },
        region_options: if report.may_edit { region_choices(page, report).await? } else { Vec::new() },
    })
}

/// The scope's regions as choices, with their names in the reader's
/// language.
async fn region_choices(page: &Page, report: &PlanReport) -> AppResult<Vec<Choice>> {
    Ok(page
        .app()
        .plan_region_choices(report, REGION_OPTIONS)
        .await?
        .into_iter()
        .map(|r| Choice { value: r.code.to_string(), label: page.lang().region_name(&r.name_zh, r.name_en.as_deref()) })
        .collect())
}

/// Targets by status, as bars.
fn status_chart(ctx: &PageContext, report: &PlanReport) -> String {
    let counts = [
        (Some(Status::Achieved), report.rollup.achieved),
        (Some(Status::OnTrack), report.rollup.on_track),
        (Some(Status::AtRisk), report.rollup.at_risk),
        (Some(Status::OffTrack), report.rollup.off_track),
        (None, report.rollup.no_data),
    ];
    revita_report::chart::bar_chart(&revita_report::chart::BarChart {
        title: ctx.t("targets_by_status").to_string(),
        unit: String::new(),
        bars: counts
            .iter()
            .map(|(s, n)| (ctx.t(&format!("status_{}", s.map_or("no_data", |s| s.as_str()))).to_string(), *n as f64))
            .collect(),
    })
}

/// The projects' timeline, with their milestones (none without projects).
fn timeline(ctx: &PageContext, report: &PlanReport) -> Option<String> {
    use revita_report::chart::{Timeline, TimelineRow};
    let plan = &report.plan;
    (!report.projects.is_empty()).then(|| {
        revita_report::chart::timeline(&Timeline {
            title: ctx.t("timeline").to_string(),
            rows: report
                .projects
                .iter()
                .map(|v| TimelineRow {
                    label: format!("{} {}", v.project.code, v.project.name).chars().take(24).collect(),
                    start: v.project.start.days_since_epoch(),
                    end: v.project.end.days_since_epoch(),
                    done: v.project.percent / 100.0,
                    milestones: v
                        .milestones
                        .iter()
                        .map(|(m, late)| (m.due.days_since_epoch(), late.is_some()))
                        .collect(),
                })
                .collect(),
            today: report.today.days_since_epoch(),
            years: (plan.start_year..=plan.end_year + 1)
                .map(|y| (Date::first_of_year(y).days_since_epoch(), y.to_string()))
                .collect(),
        })
    })
}

/// The scope's regions coloured by the worst status of their own targets.
async fn status_map(page: &Page, report: &PlanReport) -> AppResult<Option<String>> {
    use revita_app::plan_document::{MapArea, status_colour};
    use revita_report::map::{Choropleth, Feature, LegendEntry, render};
    let ctx = &page.ctx;
    let areas = page.app().plan_map_areas(report, ctx.lang == crate::i18n::Lang::Zh).await?;
    let shaped: Vec<&MapArea> = areas.iter().filter(|a| !a.shape.is_empty()).collect();
    if shaped.is_empty() {
        return Ok(None);
    }
    let label = |s: Option<Status>| ctx.t(&format!("status_{}", s.map_or("no_data", |s| s.as_str()))).to_string();
    let features = shaped
        .iter()
        .map(|a| Feature {
            code: a.code.as_str(),
            shape: &a.shape,
            fill: status_colour(a.status),
            title: format!("{}: {}", a.name, label(a.status)),
            href: Some(format!("/regions/{}", a.code)),
        })
        .collect();
    let legend = [Some(Status::Achieved), Some(Status::OnTrack), Some(Status::AtRisk), Some(Status::OffTrack), None]
        .into_iter()
        .map(|s| LegendEntry { fill: status_colour(s).to_string(), label: label(s) })
        .collect();
    let (subtitle, legend_title) = (ctx.t("map_by_target_status").to_string(), ctx.t("status").to_string());
    let map = Choropleth::page(report.plan.title.clone(), subtitle, features, legend_title, legend);
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

/// `GET /plans/{id}`: the plan's dashboard.
pub async fn plan_page(page: Page, Path(plan_id): Path<i64>) -> PageResult {
    plan_rendered(page, plan_id, "plan.html").await
}

/// `GET /plans/{id}/print`: the plan as a printable page (no forms).
pub async fn plan_print(page: Page, Path(plan_id): Path<i64>) -> PageResult {
    plan_rendered(page, plan_id, "plan_print.html").await
}

/// A plan's report rendered with `template`.
async fn plan_rendered(page: Page, plan_id: i64, template: &str) -> PageResult {
    let page = page.at(&format!("/plans/{plan_id}"));
    let report = page.app().plan_report(&page.viewer()?.actor, plan_id, today()).await?;
    let view = plan_view(&page, &report, None).await?;
    page.render(template, &report.plan.title, view)
}

/// `GET /plans/{id}/document.pdf`: the plan document in the page's language.
pub async fn plan_pdf(page: Page, Path(plan_id): Path<i64>) -> PageResult {
    let zh = page.lang() == crate::i18n::Lang::Zh;
    let bytes = page.app().plan_pdf(&page.viewer()?.actor, plan_id, today(), zh).await?;
    let disposition = format!("attachment; filename=\"plan-{plan_id}.pdf\"");
    let headers = [(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, bytes).into_response())
}

/// `GET /plans/{id}/data.xlsx`: the plan's data as a workbook.
pub async fn plan_xlsx(page: Page, Path(plan_id): Path<i64>) -> PageResult {
    let report = page.app().plan_report(&page.viewer()?.actor, plan_id, today()).await?;
    let bytes = revita_app::plans::plan_workbook(&report)?;
    Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, &format!("plan-{plan_id}")))
}

/// `GET /plans/projects-template.xlsx`: the project file template.
pub async fn projects_template(_page: Page) -> PageResult {
    let bytes = revita_app::plans::projects_template_workbook()?;
    Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, "projects-template"))
}
