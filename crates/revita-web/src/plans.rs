//! Plan pages: the list and the create form, a plan's dashboard (status and
//! its moves, goals and targets with their status, a map of the scope by
//! status, projects with execution and a timeline, the forms that change
//! them), the printable view, the PDF and XLSX downloads, the project
//! template and import.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use revita_app::plans::{PlanDraft, PlanReport};
use revita_app::{AppError, AppResult};
use revita_methods::plan::{
    FundingSource, PlanKind, PlanScope, PlanStatus, PlanTarget, Project, ProjectCategory, ProjectStatus, Status, Target,
};
use revita_methods::{Date, IndicatorCode, RegionCode};

use crate::request_id::RequestId;
use crate::staging::Refusal;
use crate::state::WebState;
use crate::views::PageContext;

type Fields = HashMap<String, String>;

fn today() -> Date {
    Date::from_days_since_epoch(crate::auth::now().div_euclid(86_400))
}

fn field<'a>(form: &'a Fields, name: &str) -> Option<&'a str> {
    form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn required<'a>(form: &'a Fields, name: &str) -> AppResult<&'a str> {
    field(form, name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")))
}

fn number<T: std::str::FromStr>(form: &Fields, name: &str) -> AppResult<T> {
    let text = required(form, name)?;
    text.parse().map_err(|_| AppError::Invalid(format!("{name}: '{text}' is not a number")))
}

fn date(form: &Fields, name: &str) -> AppResult<Date> {
    let text = required(form, name)?;
    Date::parse(text).map_err(|e| AppError::Invalid(format!("{name}: '{text}': {e}")))
}

fn region(text: &str) -> AppResult<RegionCode> {
    RegionCode::parse(text).map_err(|e| AppError::Invalid(e.to_string()))
}

/// `GET /plans`: the plans the user may read, and the create form.
pub async fn plans_page(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
) -> Response {
    let ctx = PageContext::new(&headers, "/plans".into()).viewer(Some(&viewer));
    let result = async {
        let plans: Vec<Value> = state
            .app
            .plans_for(&viewer.actor)
            .await?
            .iter()
            .map(|p| {
                context! {
                    id => p.id, title => p.title.clone(), kind => p.kind.as_str(), region => p.region.to_string(),
                    period => format!("{}–{}", p.start_year, p.end_year), office => p.office.clone(),
                    status => p.status.as_str(),
                }
            })
            .collect();
        let values = context! {
            plans => plans,
            kinds => PlanKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            csrf => viewer.csrf.clone().unwrap_or_default(),
            this_year => today().year(),
        };
        crate::kit::rendered(&state, &ctx, "plans.html", ctx.t("plans"), values)
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `POST /plans`: creates a plan, then opens it.
pub async fn plan_create(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    let ctx = PageContext::new(&headers, "/plans".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(field(&form, "csrf").unwrap_or(""))?;
        let draft = plan_draft(&form, region(required(&form, "region")?)?)?;
        let plan = state.app.create_plan(&viewer.actor, &draft, &crate::auth::origin(&headers, &id)).await?;
        Ok(Redirect::to(&format!("/plans/{plan}")).into_response())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// The plan fields of the create and edit forms.
fn plan_draft(form: &Fields, office_region: RegionCode) -> AppResult<PlanDraft> {
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

/// `POST /plans/{id}/edit`: rewrites a drafted plan's header (`version`).
pub async fn plan_edit(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    change(&state, &id, &viewer, &headers, plan_id, &form, async |origin| {
        let plan = state.app.plan_for(&viewer.actor, plan_id).await?;
        let draft = plan_draft(&form, plan.region)?;
        state.app.update_plan(&viewer.actor, plan_id, &draft, number(&form, "version")?, origin).await.map(|_| ())
    })
    .await
}

/// `POST /plans/{id}/targets/{target}`: rewrites a target's values, yearly
/// targets and kind while the plan is drafted (its goal, indicator and
/// region stay).
pub async fn target_edit(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path((plan_id, target_id)): Path<(i64, i64)>,
    Form(form): Form<Fields>,
) -> Response {
    change(&state, &id, &viewer, &headers, plan_id, &form, async |origin| {
        state.app.update_target(&viewer.actor, plan_id, target_id, &target_values(&form)?, origin).await
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

/// The page values of a plan: the report, its charts and what the viewer
/// may change.
async fn plan_values(
    state: &WebState,
    ctx: &PageContext,
    viewer: &crate::auth::Viewer,
    report: &PlanReport,
    problems: Option<Vec<Value>>,
) -> AppResult<Value> {
    let plan = &report.plan;
    let can_edit = report.may_edit;
    let rollup = |r: &revita_methods::plan::Rollup| {
        context! {
            status => r.status.map_or("no_data", |s| s.as_str()), achieved => r.achieved, on_track => r.on_track,
            at_risk => r.at_risk, off_track => r.off_track, no_data => r.no_data,
        }
    };
    let goals: Vec<Value> = report
        .goals
        .iter()
        .map(|g| {
            context! {
                id => g.goal.id, title => g.goal.title.clone(), chapter => g.goal.parent.is_none(),
                rollup => rollup(&g.rollup),
                targets => g.targets.iter().map(|t| {
                    let target = &t.target.target;
                    context! {
                        id => t.target.id,
                        edit => context! {
                            baseline_year => target.baseline_year, baseline => target.baseline,
                            target_year => target.target_year, target => target.target,
                            intermediate => target.intermediate.iter().map(|(y, v)| format!("{y}={v}")).collect::<Vec<_>>().join("; "),
                        },
                        indicator => t.target.indicator.to_string(),
                        region => t.target.region.as_ref().map(|r| r.to_string()).unwrap_or_default(),
                        binding => target.binding,
                        baseline => format!("{} ({})", target.baseline, target.baseline_year),
                        target => format!("{} ({})", target.target, target.target_year),
                        latest => t.latest.map(|(y, v)| format!("{v} ({y})")).unwrap_or_default(),
                        path => t.path.map(|v| format!("{v:.2}")).unwrap_or_default(),
                        progress => t.progress.map(|v| format!("{:.1}", 100.0 * v)).unwrap_or_default(),
                        status => t.status.map_or("no_data", |s| s.as_str()),
                    }
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let projects: Vec<Value> = report
        .projects
        .iter()
        .map(|v| {
            let p = &v.project;
            context! {
                id => p.id, code => p.code.clone(), name => p.name.clone(), category => p.category.as_str(),
                region => p.region.to_string(), start => p.start.to_string(), end => p.end.to_string(),
                status => p.status.as_str(), percent => p.percent, version => p.version,
                budget => format!("{:.0}", v.execution.budget), disbursed => format!("{:.0}", v.execution.disbursed),
                rate => v.execution.rate().map(|r| format!("{:.1}", 100.0 * r + 0.0)).unwrap_or_default(),
                late => v.late(),
                sources => p.budget.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
                milestones => v.milestones.iter().map(|(m, late)| context! {
                    id => m.id, name => m.name.clone(), due => m.due.to_string(),
                    done => m.done.map(|d| d.to_string()).unwrap_or_default(), late => late.unwrap_or(0),
                }).collect::<Vec<_>>(),
                may_record => v.may_record,
            }
        })
        .collect();
    let counts = [
        (Some(Status::Achieved), report.rollup.achieved),
        (Some(Status::OnTrack), report.rollup.on_track),
        (Some(Status::AtRisk), report.rollup.at_risk),
        (Some(Status::OffTrack), report.rollup.off_track),
        (None, report.rollup.no_data),
    ];
    let status_chart = revita_report::chart::bar_chart(&revita_report::chart::BarChart {
        title: ctx.t("targets_by_status").to_string(),
        unit: String::new(),
        bars: counts
            .iter()
            .map(|(s, n)| (ctx.t(&format!("status_{}", s.map_or("no_data", |s| s.as_str()))).to_string(), *n as f64))
            .collect(),
    });
    let timeline = (!report.projects.is_empty()).then(|| {
        revita_report::chart::timeline(&revita_report::chart::Timeline {
            title: ctx.t("timeline").to_string(),
            rows: report
                .projects
                .iter()
                .map(|v| revita_report::chart::TimelineRow {
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
    });
    let map = status_map(state, ctx, report).await?;
    let moves: Vec<&str> = plan.status.next().iter().map(|s| s.as_str()).collect();
    let chapters: Vec<Value> = report
        .goals
        .iter()
        .filter(|g| g.goal.parent.is_none())
        .map(|g| context! { id => g.goal.id, title => g.goal.title.clone() })
        .collect();
    Ok(context! {
        plan => context! {
            id => plan.id, title => plan.title.clone(), kind => plan.kind.as_str(), region => plan.region.to_string(),
            scope => plan.scope.to_text(), period => format!("{}–{}", plan.start_year, plan.end_year),
            office => plan.office.clone(), status => plan.status.as_str(), version => plan.version,
            draft => plan.status.content_editable(), projects_open => plan.status.projects_editable(),
            scope_kind => plan.scope.to_text().split_once(':').map(|(k, _)| k.to_string()).unwrap_or_default(),
            scope_value => plan.scope.to_text().split_once(':').map(|(_, v)| v.to_string()).unwrap_or_default(),
            start_year => plan.start_year, end_year => plan.end_year,
        },
        kinds => PlanKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        partial => report.partial,
        rollup => rollup(&report.rollup),
        execution => context! {
            budget => format!("{:.0}", report.execution.budget), disbursed => format!("{:.0}", report.execution.disbursed),
            rate => report.execution.rate().map(|r| format!("{:.1}", 100.0 * r + 0.0)).unwrap_or_default(),
        },
        transitions => report.transitions.iter().map(|t| context! {
            from => t.from.as_str(), to => t.to.as_str(), actor => t.actor.clone(),
            at => Date::from_days_since_epoch(t.at.div_euclid(86_400)).to_string(),
            comment => t.comment.clone().unwrap_or_default(),
        }).collect::<Vec<_>>(),
        goals => goals,
        chapters => chapters,
        goal_ids => report.goals.iter().map(|g| context! { id => g.goal.id, title => g.goal.title.clone() }).collect::<Vec<_>>(),
        projects => projects,
        status_chart => status_chart,
        timeline => timeline,
        map => map,
        moves => moves,
        can_edit => can_edit,
        categories => ProjectCategory::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        project_statuses => ProjectStatus::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        sources => FundingSource::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        csrf => viewer.csrf.clone().unwrap_or_default(),
        today => report.today.to_string(),
        problems => problems,
    })
}

/// The scope's regions coloured by the worst status of their own targets.
async fn status_map(state: &WebState, ctx: &PageContext, report: &PlanReport) -> AppResult<Option<String>> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, render};
    let areas = state.app.plan_map_areas(report, ctx.lang == crate::i18n::Lang::Zh).await?;
    let shaped: Vec<&revita_app::plan_document::MapArea> = areas.iter().filter(|a| !a.shape.is_empty()).collect();
    if shaped.is_empty() {
        return Ok(None);
    }
    let label = |s: Option<Status>| ctx.t(&format!("status_{}", s.map_or("no_data", |s| s.as_str()))).to_string();
    let features = shaped
        .iter()
        .map(|a| Feature {
            code: a.code.as_str(),
            shape: &a.shape,
            fill: revita_app::plan_document::status_colour(a.status),
            title: format!("{}: {}", a.name, label(a.status)),
            href: Some(format!("/regions/{}", a.code)),
        })
        .collect();
    let legend = [Some(Status::Achieved), Some(Status::OnTrack), Some(Status::AtRisk), Some(Status::OffTrack), None]
        .into_iter()
        .map(|s| LegendEntry { fill: revita_app::plan_document::status_colour(s).to_string(), label: label(s) })
        .collect();
    let map = Choropleth {
        title: report.plan.title.clone(),
        subtitle: ctx.t("map_by_target_status").to_string(),
        features,
        legend_title: ctx.t("status").to_string(),
        legend,
        width: 760.0,
        tolerance_px: 0.6,
    };
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

/// `GET /plans/{id}`: the plan's dashboard.
pub async fn plan_page(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
) -> Response {
    plan_rendered(&state, &id, &viewer, &headers, plan_id, "plan.html").await
}

/// `GET /plans/{id}/print`: the plan as a printable page (no forms).
pub async fn plan_print(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
) -> Response {
    plan_rendered(&state, &id, &viewer, &headers, plan_id, "plan_print.html").await
}

/// A plan's report rendered with `template`.
async fn plan_rendered(
    state: &WebState,
    id: &RequestId,
    viewer: &crate::auth::Viewer,
    headers: &HeaderMap,
    plan_id: i64,
    template: &str,
) -> Response {
    let ctx = PageContext::new(headers, format!("/plans/{plan_id}")).viewer(Some(viewer));
    let result = async {
        let report = state.app.plan_report(&viewer.actor, plan_id, today()).await?;
        let values = plan_values(state, &ctx, viewer, &report, None).await?;
        crate::kit::rendered(state, &ctx, template, &report.plan.title, values)
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(state, &ctx, e, id))
}

/// `GET /plans/{id}/document.pdf`: the plan document in the page's language.
pub async fn plan_pdf(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/plans/{plan_id}")).viewer(Some(&viewer));
    let zh = ctx.lang == crate::i18n::Lang::Zh;
    match state.app.plan_pdf(&viewer.actor, plan_id, today(), zh).await {
        Ok(bytes) => {
            let disposition = format!("attachment; filename=\"plan-{plan_id}.pdf\"");
            ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
                .into_response()
        }
        Err(e) => crate::kit::error_page(&state, &ctx, e, &id),
    }
}

/// `GET /plans/{id}/data.xlsx`: the plan's data as a workbook.
pub async fn plan_xlsx(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/plans/{plan_id}")).viewer(Some(&viewer));
    let result = async {
        let report = state.app.plan_report(&viewer.actor, plan_id, today()).await?;
        let bytes = revita_app::plans::plan_workbook(&report)?;
        Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, &format!("plan-{plan_id}")))
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `GET /plans/projects-template.xlsx`: the project file template.
pub async fn projects_template(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
) -> Response {
    let ctx = PageContext::new(&headers, "/plans".into());
    match revita_app::plans::projects_template_workbook() {
        Ok(bytes) => crate::kit::attachment(bytes, revita_app::export::ExportFormat::Xlsx, "projects-template"),
        Err(e) => crate::kit::error_page(&state, &ctx, e, &id),
    }
}

/// Runs a plan form's change, then returns to the plan.
async fn change(
    state: &WebState,
    id: &RequestId,
    viewer: &crate::auth::Viewer,
    headers: &HeaderMap,
    plan_id: i64,
    form: &Fields,
    apply: impl AsyncFnOnce(&revita_app::auth::Origin) -> AppResult<()>,
) -> Response {
    let ctx = PageContext::new(headers, format!("/plans/{plan_id}")).viewer(Some(viewer));
    let result = async {
        viewer.check_csrf(field(form, "csrf").unwrap_or(""))?;
        apply(&crate::auth::origin(headers, id)).await?;
        Ok(Redirect::to(&format!("/plans/{plan_id}")).into_response())
    };
    result.await.unwrap_or_else(|e: AppError| crate::kit::error_page(state, &ctx, e, id))
}

/// `POST /plans/{id}/status`: moves the plan (`to`, `version`, `comment`).
pub async fn plan_move(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    change(&state, &id, &viewer, &headers, plan_id, &form, async |origin| {
        let to =
            PlanStatus::parse(required(&form, "to")?).ok_or_else(|| AppError::Invalid("to: unknown status".into()))?;
        let comment = field(&form, "comment").map(str::to_string);
        state.app.move_plan(&viewer.actor, plan_id, to, number(&form, "version")?, comment, origin).await
    })
    .await
}

/// `POST /plans/{id}/goals`: adds a chapter (no `parent`) or a goal.
pub async fn goal_add(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    change(&state, &id, &viewer, &headers, plan_id, &form, async |origin| {
        let parent = field(&form, "parent").map(|_| number::<i64>(&form, "parent")).transpose()?;
        state.app.add_goal(&viewer.actor, plan_id, parent, required(&form, "title")?, origin).await.map(|_| ())
    })
    .await
}

/// `POST /plans/{id}/targets`: adds a target to a goal.
pub async fn target_add(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    change(&state, &id, &viewer, &headers, plan_id, &form, async |origin| {
        let indicator =
            IndicatorCode::parse(required(&form, "indicator")?).map_err(|e| AppError::Invalid(e.to_string()))?;
        let target = PlanTarget {
            id: 0,
            goal_id: number(&form, "goal")?,
            indicator,
            region: field(&form, "region").map(region).transpose()?,
            target: target_values(&form)?,
        };
        state.app.add_target(&viewer.actor, plan_id, &target, origin).await.map(|_| ())
    })
    .await
}

/// `POST /plans/{id}/projects`: adds or replaces (by code) one project.
pub async fn project_add(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    change(&state, &id, &viewer, &headers, plan_id, &form, async |origin| {
        let category = ProjectCategory::parse(required(&form, "category")?)
            .ok_or_else(|| AppError::Invalid("category: unknown".into()))?;
        let mut budget = Vec::new();
        for source in FundingSource::ALL {
            let name = format!("budget_{}", source.as_str());
            if field(&form, &name).is_some() {
                budget.push((*source, number::<f64>(&form, &name)?));
            }
        }
        let point = match (field(&form, "lon"), field(&form, "lat")) {
            (Some(_), Some(_)) => Some((number(&form, "lon")?, number(&form, "lat")?)),
            (None, None) => None,
            _ => return Err(AppError::Invalid("give both lon and lat or neither".into())),
        };
        let goals = form
            .iter()
            .filter(|(k, v)| k.starts_with("goal_") && v.as_str() == "1")
            .map(|(k, _)| k["goal_".len()..].parse().map_err(|_| AppError::Invalid(format!("{k}: not a goal"))))
            .collect::<AppResult<Vec<i64>>>()?;
        let project = Project {
            id: 0,
            plan_id,
            code: required(&form, "code")?.to_string(),
            name: required(&form, "name")?.to_string(),
            category,
            region: region(required(&form, "region")?)?,
            point,
            start: date(&form, "start")?,
            end: date(&form, "end")?,
            status: ProjectStatus::Planned,
            percent: 0.0,
            goals,
            budget,
            version: 1,
        };
        state.app.save_projects(&viewer.actor, plan_id, &[project], origin).await.map(|_| ())
    })
    .await
}

/// The project a project form is about, and its plan (to return to).
async fn project_plan(state: &WebState, project_id: i64) -> AppResult<i64> {
    state.app.plan_of_project(project_id).await
}

/// A project form's change, then back to its plan.
async fn project_change(
    state: &WebState,
    id: &RequestId,
    viewer: &crate::auth::Viewer,
    headers: &HeaderMap,
    project_id: i64,
    form: &Fields,
    apply: impl AsyncFnOnce(&revita_app::auth::Origin) -> AppResult<()>,
) -> Response {
    match project_plan(state, project_id).await {
        Ok(plan_id) => change(state, id, viewer, headers, plan_id, form, apply).await,
        Err(e) => {
            let ctx = PageContext::new(headers, "/plans".into()).viewer(Some(viewer));
            crate::kit::error_page(state, &ctx, e, id)
        }
    }
}

/// `POST /projects/{id}/progress`: status and percent complete (`version`).
pub async fn project_progress(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(project_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    project_change(&state, &id, &viewer, &headers, project_id, &form, async |origin| {
        let status = ProjectStatus::parse(required(&form, "status")?)
            .ok_or_else(|| AppError::Invalid("status: unknown".into()))?;
        let (percent, version) = (number(&form, "percent")?, number(&form, "version")?);
        state.app.record_project_progress(&viewer.actor, project_id, status, percent, version, origin).await.map(|_| ())
    })
    .await
}

/// `POST /projects/{id}/milestones`: adds a milestone (`name`, `due`), or
/// with `milestone` and `done`, marks one done.
pub async fn project_milestone(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(project_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    project_change(&state, &id, &viewer, &headers, project_id, &form, async |origin| match field(&form, "milestone") {
        Some(_) => {
            let milestone = number(&form, "milestone")?;
            state.app.complete_milestone(&viewer.actor, project_id, milestone, date(&form, "done")?, origin).await
        }
        None => state
            .app
            .add_milestone(&viewer.actor, project_id, required(&form, "name")?, date(&form, "due")?, origin)
            .await
            .map(|_| ()),
    })
    .await
}

/// `POST /projects/{id}/disbursements`: records money paid out.
pub async fn project_disbursement(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(project_id): Path<i64>,
    Form(form): Form<Fields>,
) -> Response {
    project_change(&state, &id, &viewer, &headers, project_id, &form, async |origin| {
        let source = FundingSource::parse(required(&form, "source")?)
            .ok_or_else(|| AppError::Invalid("source: unknown funding source".into()))?;
        let (on, amount) = (date(&form, "on")?, number(&form, "amount")?);
        state.app.add_disbursement(&viewer.actor, project_id, on, amount, source, origin).await.map(|_| ())
    })
    .await
}

/// `POST /plans/{id}/projects/import`: a project file (CSV or XLSX); all or
/// nothing, the plan page listing every problem by row and column. The file
/// is streamed to the upload directory and removed once imported or refused.
pub async fn projects_import(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(plan_id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/plans/{plan_id}")).viewer(Some(&viewer));
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx project file");
    let received =
        match crate::upload::receive(&state, &viewer, &headers, multipart, &["csv", "xlsx"], unsupported).await {
            Ok(received) => received,
            Err(Refusal::TooLarge) => return crate::upload::too_large_page(&state, &ctx, &id),
            Err(Refusal::Error(e)) => return crate::kit::error_page(&state, &ctx, e, &id),
        };
    let result = async {
        let staged = received.file.ok_or_else(|| AppError::Invalid("choose a project file to upload".into()))?;
        let origin = crate::auth::origin(&headers, &id);
        match state.app.import_projects(&viewer.actor, plan_id, &staged.path, false, &origin).await {
            Ok(_) => Ok(Redirect::to(&format!("/plans/{plan_id}")).into_response()),
            Err(AppError::Rejected { problems, .. }) => {
                // Problems name the file the user chose, not where it waited.
                let stored = staged.path.display().to_string();
                let rows: Vec<Value> = problems
                    .errors
                    .iter()
                    .map(|e| context! { row => e.row, column => e.column.clone().unwrap_or_default(), reason => e.reason.replace(&stored, &staged.name) })
                    .collect();
                let report = state.app.plan_report(&viewer.actor, plan_id, today()).await?;
                let values = plan_values(&state, &ctx, &viewer, &report, Some(rows)).await?;
                let page = crate::kit::rendered(&state, &ctx, "plan.html", &report.plan.title, values)?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            Err(e) => Err(e),
        }
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `GET /api/v1/plans`: the plans the caller may read.
pub async fn plans_api(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
) -> Result<axum::Json<serde_json::Value>, crate::error::ApiError> {
    let result = async {
        let plans = state.app.plans_for(&viewer.actor).await?;
        Ok::<_, AppError>(serde_json::json!(
            plans
                .iter()
                .map(|p| serde_json::json!({
                    "id": p.id, "title": p.title, "kind": p.kind.as_str(), "region": p.region.as_str(),
                    "scope": p.scope.to_text(), "start_year": p.start_year, "end_year": p.end_year,
                    "office": p.office, "status": p.status.as_str(), "version": p.version,
                }))
                .collect::<Vec<_>>()
        ))
    };
    result.await.map(axum::Json).map_err(|e| crate::error::ApiError::new(e, &id.0))
}

/// `GET /api/v1/plans/{id}`: a plan's progress: targets with their values
/// and status, roll-ups, projects with execution.
pub async fn plan_api(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Path(plan_id): Path<i64>,
) -> Result<axum::Json<serde_json::Value>, crate::error::ApiError> {
    let result = async {
        let r = state.app.plan_report(&viewer.actor, plan_id, today()).await?;
        let rollup = |r: &revita_methods::plan::Rollup| {
            serde_json::json!({
                "status": r.status.map(|s| s.as_str()), "achieved": r.achieved, "on_track": r.on_track,
                "at_risk": r.at_risk, "off_track": r.off_track, "no_data": r.no_data,
            })
        };
        Ok::<_, AppError>(serde_json::json!({
            "id": r.plan.id, "title": r.plan.title, "status": r.plan.status.as_str(), "version": r.plan.version,
            "partial": r.partial, "rollup": rollup(&r.rollup),
            "budget": r.execution.budget, "disbursed": r.execution.disbursed, "execution_rate": r.execution.rate(),
            "goals": r.goals.iter().map(|g| serde_json::json!({
                "id": g.goal.id, "parent": g.goal.parent, "title": g.goal.title, "rollup": rollup(&g.rollup),
                "targets": g.targets.iter().map(|t| serde_json::json!({
                    "indicator": t.target.indicator.as_str(), "region": t.target.region.as_ref().map(|c| c.as_str()),
                    "binding": t.target.target.binding,
                    "baseline_year": t.target.target.baseline_year, "baseline": t.target.target.baseline,
                    "target_year": t.target.target.target_year, "target": t.target.target.target,
                    "latest_year": t.latest.map(|(y, _)| y), "latest": t.latest.map(|(_, v)| v),
                    "path": t.path, "progress": t.progress, "status": t.status.map(|s| s.as_str()),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "projects": r.projects.iter().map(|v| serde_json::json!({
                "id": v.project.id, "code": v.project.code, "name": v.project.name,
                "category": v.project.category.as_str(), "region": v.project.region.as_str(),
                "start": v.project.start.to_string(), "end": v.project.end.to_string(),
                "status": v.project.status.as_str(), "percent": v.project.percent,
                "budget": v.execution.budget, "disbursed": v.execution.disbursed,
                "execution_rate": v.execution.rate(), "late_milestones": v.late(),
            })).collect::<Vec<_>>(),
        }))
    };
    result.await.map(axum::Json).map_err(|e| crate::error::ApiError::new(e, &id.0))
}
