//! `revita plan`: development plans from the command line, with the same
//! rules as the pages (the API token's user, or everywhere on a local
//! database without one).

use std::io::Write;

use anyhow::Context;
use revita_app::App;
use revita_app::auth::{Actor, Origin};
use revita_methods::access::{Access, Grant, Role};
use revita_methods::plan::{PlanKind, PlanScope, PlanStatus};
use revita_methods::{Date, RegionCode};

use super::{acting, now, open};
use crate::cli::{PlanAction, PlanArgs};

/// Writes a line to stdout (a closed pipe ends the command quietly).
fn out(text: std::fmt::Arguments) -> anyhow::Result<()> {
    writeln!(std::io::stdout(), "{text}")?;
    Ok(())
}

/// The acting user: the token's, or on a local database without a token an
/// administrator of the whole country (as every other verb acts everywhere).
pub(crate) async fn actor(app: &App, db: &crate::cli::DatabaseArgs) -> anyhow::Result<Actor> {
    if let Some(actor) = acting(app, db).await? {
        return Ok(actor);
    }
    Ok(Actor {
        user_id: 0,
        name: "cli".into(),
        access: Access::new(vec![Grant { role: Role::Admin, scope: RegionCode::parse("000000")? }]),
        must_change_password: false,
    })
}

fn day(text: Option<&str>) -> anyhow::Result<Date> {
    match text {
        Some(t) => Date::parse(t).with_context(|| format!("'{t}' is not a date (YYYY-MM-DD)")),
        None => Ok(Date::from_days_since_epoch(now().div_euclid(86_400))),
    }
}

pub async fn run(args: PlanArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = actor(&app, &args.db).await?;
    let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    match args.action {
        PlanAction::List => {
            for p in app.plans_for(&actor).await? {
                out(format_args!(
                    "{}\t{}\t{}\t{}–{}\t{}\t{}",
                    p.id,
                    p.status.as_str(),
                    p.kind.as_str(),
                    p.start_year,
                    p.end_year,
                    p.region,
                    p.title
                ))?;
            }
        }
        PlanAction::Show { id, ref date, json } => {
            let report = app.plan_report(&actor, id, day(date.as_deref())?).await?;
            if json {
                out(format_args!("{}", show_json(&report)))?;
            } else {
                show_text(&report)?;
            }
        }
        PlanAction::Create { ref title, ref kind, ref region, ref scope, start, end, ref office } => {
            let draft = revita_app::plans::PlanDraft {
                title: title.clone(),
                kind: PlanKind::parse(kind).with_context(|| format!("'{kind}' is not a plan kind"))?,
                region: RegionCode::parse(region)?,
                scope: PlanScope::parse(scope)?,
                start_year: start,
                end_year: end,
                office: office.clone(),
            };
            let id = app.create_plan(&actor, &draft, &origin).await?;
            out(format_args!("plan {id} created (draft)"))?;
        }
        PlanAction::Move { id, ref to, plan_version, ref comment } => {
            let to = PlanStatus::parse(to).with_context(|| format!("'{to}' is not a plan status"))?;
            app.move_plan(&actor, id, to, plan_version, comment.clone(), &origin).await?;
            out(format_args!("plan {id} is {} (version {})", to.as_str(), plan_version + 1))?;
        }
        PlanAction::ImportProjects { id, ref file, dry_run } => {
            let report = app.import_projects(&actor, id, file, dry_run, &origin).await?;
            write!(std::io::stdout(), "{report}")?;
        }
        PlanAction::Template { out: ref path } => {
            std::fs::write(path, revita_app::plans::projects_template_workbook()?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            out(format_args!("wrote {}", path.display()))?;
        }
        PlanAction::Pdf { id, out: ref path, ref lang, ref date } => {
            let zh = match lang.as_str() {
                "zh" => true,
                "en" => false,
                other => anyhow::bail!("--lang is zh or en, not '{other}'"),
            };
            let bytes = app.plan_pdf(&actor, id, day(date.as_deref())?, zh).await?;
            write_file(path, &bytes)?;
            out(format_args!("wrote {} ({} bytes)", path.display(), bytes.len()))?;
        }
        PlanAction::Export { id, out: ref path } => {
            let report = app.plan_report(&actor, id, day(None)?).await?;
            write_file(path, &revita_app::plans::plan_workbook(&report)?)?;
            out(format_args!("wrote {}", path.display()))?;
        }
    }
    Ok(())
}

/// Writes a file whole: to a temporary name, then renamed into place.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn show_text(r: &revita_app::plans::PlanReport) -> anyhow::Result<()> {
    let p = &r.plan;
    out(format_args!("{} (plan {}, version {})", p.title, p.id, p.version))?;
    out(format_args!(
        "{} · {}–{} · {} · {} · scope {}",
        p.kind.as_str(),
        p.start_year,
        p.end_year,
        p.region,
        p.status.as_str(),
        p.scope.to_text()
    ))?;
    let status = |s: Option<revita_methods::plan::Status>| s.map_or("no_data", |s| s.as_str());
    out(format_args!(
        "targets: {} (achieved {}, on track {}, at risk {}, off track {}, no data {})",
        status(r.rollup.status),
        r.rollup.achieved,
        r.rollup.on_track,
        r.rollup.at_risk,
        r.rollup.off_track,
        r.rollup.no_data
    ))?;
    for g in &r.goals {
        out(format_args!("G{} {} [{}]", g.goal.id, g.goal.title, status(g.rollup.status)))?;
        for t in &g.targets {
            let target = &t.target.target;
            out(format_args!(
                "  {} {}: {} ({}) → {} ({}); latest {}; progress {}; {}",
                t.target.indicator,
                t.target.region.as_ref().map_or("whole scope".to_string(), |c| c.to_string()),
                target.baseline,
                target.baseline_year,
                target.target,
                target.target_year,
                t.latest.map_or("—".into(), |(y, v)| format!("{v} ({y})")),
                t.progress.map_or("—".into(), |v| format!("{:.1}%", 100.0 * v)),
                status(t.status)
            ))?;
        }
    }
    out(format_args!(
        "projects: {}; budget {:.0}, disbursed {:.0}, execution {}",
        r.projects.len(),
        r.execution.budget,
        r.execution.disbursed,
        r.execution.rate().map_or("—".into(), |v| format!("{:.1}%", 100.0 * v + 0.0))
    ))?;
    Ok(())
}

fn show_json(r: &revita_app::plans::PlanReport) -> serde_json::Value {
    let status = |s: Option<revita_methods::plan::Status>| s.map(|s| s.as_str());
    serde_json::json!({
        "id": r.plan.id, "title": r.plan.title, "status": r.plan.status.as_str(), "version": r.plan.version,
        "targets_status": status(r.rollup.status),
        "targets": r.goals.iter().flat_map(|g| g.targets.iter().map(move |t| serde_json::json!({
            "goal": g.goal.id, "indicator": t.target.indicator.as_str(),
            "region": t.target.region.as_ref().map(|c| c.as_str()),
            "latest": t.latest.map(|(_, v)| v), "latest_year": t.latest.map(|(y, _)| y),
            "path": t.path, "progress": t.progress, "status": status(t.status),
        }))).collect::<Vec<_>>(),
        "projects": r.projects.len(), "budget": r.execution.budget, "disbursed": r.execution.disbursed,
        "execution_rate": r.execution.rate(),
    })
}
