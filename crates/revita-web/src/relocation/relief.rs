//! The work-relief page: the dashboard by province and county, projects
//! with their alerts, imports (projects, rosters, payments) and the
//! remuneration rules with the form that adds a version.

use axum::extract::{Form, Multipart};
use axum::http::StatusCode;
use revita_app::AppError;
use revita_methods::RegionCode;
use revita_methods::work_relief::{AlertOptions, ReliefAlert, ReliefTotals, RemunerationRule, WorkerCategory};
use serde::Serialize;
use std::collections::HashSet;

use crate::allocate::wan;
use crate::kit::{Fields, Page, PageResult, Refused, UploadResult, field, required};

/// A line of totals, formatted.
#[derive(Serialize)]
struct TotalsRow {
    label: String,
    name: String,
    projects: i64,
    central: String,
    planned_share: String,
    paid_share: String,
    workers: Vec<i64>,
    worker_count: i64,
    average_pay: String,
}

fn share(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.1}%", 100.0 * v))
}

fn totals_row(label: String, name: String, t: &ReliefTotals) -> TotalsRow {
    TotalsRow {
        label,
        name,
        projects: t.projects,
        central: wan(t.central),
        planned_share: share(t.planned_share()),
        paid_share: share(t.paid_share()),
        workers: WorkerCategory::ALL.iter().map(|c| t.workers.get(c).copied().unwrap_or(0)).collect(),
        worker_count: t.worker_count(),
        average_pay: t.average_pay().map_or("—".into(), |p| format!("{p:.0}")),
    }
}

/// A project, formatted.
#[derive(Serialize)]
struct ProjectRow {
    code: String,
    version: i64,
    status: String,
    may_accept: bool,
    name: String,
    county: String,
    year: i32,
    batch: String,
    central: String,
    alerts: Vec<String>,
}

/// A rule, formatted.
#[derive(Serialize)]
struct RuleRow {
    years: String,
    pattern: String,
    min_share: String,
    version: i64,
    note: String,
}

/// `work_relief.html`.
#[derive(Serialize)]
struct ReliefView {
    categories: Vec<&'static str>,
    total: TotalsRow,
    by_province: Vec<TotalsRow>,
    by_county: Vec<TotalsRow>,
    projects: Vec<ProjectRow>,
    rules: Vec<RuleRow>,
    map: Option<String>,
    may_enter: bool,
    may_set_rules: bool,
    csrf: String,
    upload: Option<UploadResult>,
    refused: Option<Refused>,
}

/// An alert in words.
pub(super) fn alert_text(page: &Page, a: &ReliefAlert) -> String {
    match a {
        ReliefAlert::ShareBelowRule(c) => {
            format!("{}: {} < {:.0}%", page.t("wr_alert_share"), share(c.share), 100.0 * c.required)
        }
        ReliefAlert::NoRule => page.t("wr_alert_no_rule").to_string(),
        ReliefAlert::WagesUnpaid { outstanding, days, since } => {
            format!("{}: {} 元, {days} d ({since})", page.t("wr_alert_unpaid"), outstanding.round())
        }
        ReliefAlert::NeverPaid(ids) => format!("{}: {}", page.t("wr_alert_never_paid"), ids.join(", ")),
        ReliefAlert::PaidOffRoster(ids) => format!("{}: {}", page.t("wr_alert_off_roster"), ids.join(", ")),
        ReliefAlert::BehindSchedule { end, days } => format!("{}: {end} (+{days} d)", page.t("wr_alert_behind")),
    }
}

/// `GET /work-relief`.
pub async fn page(page: Page) -> PageResult {
    show(page, None, None).await
}

async fn show(page: Page, upload: Option<(StatusCode, UploadResult)>, refused: Option<Refused>) -> PageResult {
    let actor = page.viewer()?.actor.clone();
    let app = page.app();
    let dashboard = app.relief_dashboard(&actor).await?;
    let alerts = app.relief_alerts(&actor, crate::kit::today(), &AlertOptions::default()).await?;
    let (projects, _) = app.relief_project_page(&actor, 0, 1_000).await?;
    let rules = app.relief_rules().await?;
    let decide = app.jurisdiction(&actor, revita_methods::access::Action::EditDecisions).await?;
    let codes: Vec<RegionCode> = dashboard
        .by_province
        .keys()
        .chain(dashboard.by_county.keys())
        .filter_map(|c| RegionCode::parse(c).ok())
        .collect();
    let names = app.region_names(&codes).await?;
    let row = |code: &String, t: &ReliefTotals| {
        let name = RegionCode::parse(code).ok().and_then(|c| names.get(&c).cloned()).unwrap_or_default();
        totals_row(code.clone(), name, t)
    };
    let alerted: HashSet<&str> = alerts.iter().filter(|a| !a.alerts.is_empty()).map(|a| a.code.as_str()).collect();
    let body = ReliefView {
        categories: WorkerCategory::ALL.iter().map(|c| c.as_str()).collect(),
        total: totals_row("∑".into(), String::new(), &dashboard.total),
        by_province: dashboard.by_province.iter().map(|(c, t)| row(c, t)).collect(),
        by_county: dashboard.by_county.iter().map(|(c, t)| row(c, t)).collect(),
        map: project_map(&page, &alerted).await?,
        projects: projects
            .iter()
            .map(|p| ProjectRow {
                code: p.code.clone(),
                version: p.version,
                status: p.status.clone(),
                may_accept: p.status != "accepted" && decide.covers(&p.county),
                name: p.name.clone(),
                county: p.county.to_string(),
                year: p.year,
                batch: p.batch.clone(),
                central: wan(p.central_investment),
                alerts: alerts
                    .iter()
                    .find(|a| a.code == p.code)
                    .map(|a| a.alerts.iter().map(|x| alert_text(&page, x)).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        rules: rules
            .iter()
            .map(|r| RuleRow {
                years: format!("{}–{}", r.rule.from_year, r.rule.to_year.map_or(String::new(), |y| y.to_string())),
                pattern: r.rule.batch_pattern.clone(),
                min_share: format!("{:.0}%", 100.0 * r.rule.min_share),
                version: r.rule.version,
                note: r.note.clone().unwrap_or_default(),
            })
            .collect(),
        may_enter: actor.access.may_anywhere(revita_methods::access::Action::EditData),
        may_set_rules: actor.access.permits(
            revita_methods::access::Action::EditDecisions,
            &[revita_methods::RegionCode::parse("000000").map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?],
        ),
        csrf: page.csrf(),
        upload: upload.as_ref().map(|(_, u)| u.clone()),
        refused,
    };
    let status = match (&upload, &body.refused) {
        (Some((s, _)), _) => *s,
        (None, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    page.render_with(status, "work_relief.html", page.t("wr_title"), body)
}

/// The projects on their counties: at the village's stored point (a
/// filled dot) or the county's centre, red where an alert is open.
async fn project_map(page: &Page, alerted: &HashSet<&str>) -> Result<Option<String>, AppError> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, Marker, render};
    let points = page.app().relief_project_points(&page.viewer()?.actor).await?;
    if points.is_empty() {
        return Ok(None);
    }
    let counties: Vec<RegionCode> = points.iter().map(|p| p.project.county.clone()).collect();
    let shapes = page.app().region_shapes(&counties).await?;
    let frame = super::pages::frame_around(points.iter().map(|p| p.at));
    let mut features: Vec<Feature<'_>> = shapes
        .iter()
        .map(|(code, shape)| Feature {
            code: code.as_str(),
            shape,
            fill: super::pages::COUNTY_FILL,
            title: code.to_string(),
            href: Some(format!("/regions/{code}")),
        })
        .collect();
    if features.is_empty() {
        features.push(Feature {
            code: "frame",
            shape: &frame,
            fill: super::pages::COUNTY_FILL,
            title: String::new(),
            href: None,
        });
    }
    let legend = vec![
        LegendEntry { fill: PROJECT_OK.into(), label: page.t("wr_map_ok").into() },
        LegendEntry { fill: PROJECT_ALERT.into(), label: page.t("wr_map_alert").into() },
    ];
    let mut map = Choropleth::page(
        page.t("wr_map").into(),
        page.t("wr_map_note").into(),
        features,
        page.t("wr_map_legend").into(),
        legend,
    );
    map.markers = points
        .iter()
        .map(|p| {
            let where_ = if p.at_village { page.t("wr_map_village") } else { page.t("wr_map_county") };
            Marker {
                at: p.at,
                label: p.project.name.clone(),
                fill: if alerted.contains(p.project.code.as_str()) { PROJECT_ALERT } else { PROJECT_OK }.into(),
                title: format!(
                    "{} {}: {} {} ({where_})",
                    p.project.code,
                    p.project.name,
                    wan(p.project.central_investment),
                    page.t("wr_wan")
                ),
            }
        })
        .collect();
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

const PROJECT_OK: &str = "#009E73";
const PROJECT_ALERT: &str = "#D55E00";

/// `POST /work-relief/import`: `projects`, `workers` or `payments`.
pub async fn import(page: Page, multipart: Multipart) -> PageResult {
    let page = page.at("/work-relief");
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let kind = received.fields.get("kind").cloned().unwrap_or_default();
    let actor = page.viewer()?.actor.clone();
    let (app, origin) = (page.app(), page.origin());
    let result = match kind.as_str() {
        "projects" => app.import_relief_projects(&actor, &staged.path, dry_run, &origin).await,
        "workers" => app.import_relief_workers(&actor, &staged.path, dry_run, &origin).await,
        "payments" => app.import_relief_payments(&actor, &staged.path, dry_run, &origin).await,
        other => Err(AppError::Invalid(format!("kind: '{other}' is not projects, workers or payments"))),
    };
    let key = if dry_run { "rl_checked" } else { "rl_imported" };
    let shown = UploadResult::of(result, &staged, page.t("rl_nothing"), |report| {
        page.t(key).replace("{rows}", &report.rows_read.to_string()).replace("{file}", &staged.name)
    })?;
    show(page, Some(shown), None).await
}

/// `POST /work-relief/accept`: `code`, `version`, `accepted_on`.
pub async fn accept(page: Page, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at("/work-relief");
    let result = async {
        let version: i64 = crate::kit::number(&form, "version")?;
        let day = crate::kit::date(&form, "accepted_on")?;
        let code = required(&form, "code")?;
        page.app().accept_relief_project(&page.viewer()?.actor, code, version, day, &page.origin()).await
    }
    .await;
    match result {
        Ok(()) => page.see_other("/work-relief"),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            show(page, None, Some(Refused::new("accept".into(), reason, form, None))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A rule from a form's (or the API's) fields.
pub(super) fn rule_from(form: &Fields) -> Result<RemunerationRule, AppError> {
    let year = |name: &str, text: &str| -> Result<i32, AppError> {
        text.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| AppError::Invalid(format!("{name}: '{text}' is not a year from 1900 to 2100")))
    };
    let from_year = year("from_year", required(form, "from_year")?)?;
    let to_year = field(form, "to_year").map(|t| year("to_year", t)).transpose()?;
    let share_text = required(form, "min_share")?;
    let min_share: f64 = share_text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| AppError::Invalid(format!("min_share: '{share_text}' is not a number")))?;
    // A share typed as a percentage (30 or 30%) is read as one.
    let min_share = if share_text.trim().ends_with('%') || min_share > 1.0 { min_share / 100.0 } else { min_share };
    let pattern = field(form, "batch_pattern").unwrap_or("*").trim().to_string();
    if pattern.chars().count() > 100 || pattern.chars().any(char::is_control) {
        return Err(AppError::Invalid("batch_pattern: at most 100 characters".into()));
    }
    Ok(RemunerationRule { from_year, to_year, batch_pattern: pattern, min_share, version: 0 })
}

/// `POST /work-relief/rules`: a new version of a rule.
pub async fn add_rule(page: Page, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at("/work-relief");
    let result = async {
        let rule = rule_from(&form)?;
        page.app().add_relief_rule(&page.viewer()?.actor, &rule, field(&form, "note"), &page.origin()).await
    }
    .await;
    match result {
        Ok(_) => page.see_other("/work-relief"),
        Err(AppError::Invalid(reason)) => show(page, None, Some(Refused::new("rule".into(), reason, form, None))).await,
        Err(e) => Err(e.into()),
    }
}
