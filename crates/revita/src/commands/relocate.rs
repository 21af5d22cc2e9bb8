//! `revita relocate assign`: the site-assignment optimiser over files (no
//! database): the exact minimum-cost transportation problem, its total cost,
//! and who could not be placed and why.

use std::time::Instant;

use revita_methods::assignment::{Options, UnplacedReason};

use revita_app::auth::Origin;

use super::{now, open};
use crate::cli::{RelocateAction, RelocateArgs, WorkReliefAction, WorkReliefArgs};

pub(super) async fn run(args: RelocateArgs) -> anyhow::Result<()> {
    match args.action {
        RelocateAction::Assign { origins, sites, arcs, out, max_cost, keep_together } => {
            let started = Instant::now();
            let options = Options { max_cost, keep_together };
            let result = revita_app::batch::assign_files(&origins, &sites, &arcs, &out, &options)?;
            outln!("total_cost={}", result.total_cost);
            let used: i64 = result.site_use.iter().map(|s| s.used).sum();
            let capacity: i64 = result.site_use.iter().map(|s| s.capacity).sum();
            errln!(
                "{} households placed in {} moves; sites {} of {} places used ({:.1}%)",
                result.placed(),
                result.flows.len(),
                used,
                capacity,
                if capacity > 0 { 100.0 * used as f64 / capacity as f64 } else { 0.0 }
            );
            if result.links_beyond_max_cost > 0 {
                errln!("{} moves beyond the maximum cost were left out", result.links_beyond_max_cost);
            }
            for u in &result.unplaced {
                let why = match &u.reason {
                    UnplacedReason::NoLink { beyond_max_cost } => {
                        format!("no site within reach ({beyond_max_cost} beyond the maximum cost)")
                    }
                    UnplacedReason::CapacityExhausted => "every site within reach is full".to_string(),
                };
                errln!("origin {}: {} households not placed: {why}", u.origin, u.households);
            }
            if let Some(k) = &result.keep_together {
                errln!(
                    "kept together: cost {} against the exact lower bound {} (gap {}, {:.2}%); {} origins moved, {} left split",
                    k.cost,
                    k.lower_bound,
                    k.gap(),
                    100.0 * k.relative_gap(),
                    k.moved,
                    k.left_split.len()
                );
            }
            errln!("{:.3} s", started.elapsed().as_secs_f64());
        }
        RelocateAction::Import { db, kind, file, dry_run } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
            let report = match kind.as_str() {
                "sites" => app.import_resettlement_sites(&actor, &file, dry_run, &origin).await?,
                "relocations" => app.import_relocations(&actor, &file, dry_run, &origin).await?,
                "incomes" => app.import_relocation_incomes(&actor, &file, dry_run, &origin).await?,
                other => anyhow::bail!("--kind: '{other}' is not sites, relocations or incomes"),
            };
            let verb = if dry_run { "would write" } else { "wrote" };
            outln!(
                "{}: {} rows read; {verb} {} ({} replace stored ones)",
                report.file,
                report.rows_read,
                report.records_valid,
                report.replaces
            );
        }
        RelocateAction::FollowUp { db, year } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            let view = app.relocation_follow_up(&actor, year, &revita_methods::relocation::Targets::default()).await?;
            let json = view.to_json();
            outln!("{}", serde_json::to_string_pretty(&json)?);
        }
        RelocateAction::AssignStored { db, county, origins, k, max_km, keep_together } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            let county = county.map(|c| revita_methods::RegionCode::parse(&c)).transpose()?;
            let max = max_km.map(|km| (km * 1000.0).round() as i64);
            let r = app.assign_to_sites(&actor, county.as_ref(), &origins, k, max, keep_together).await?;
            let name = |id: &str| r.names.get(id).cloned().unwrap_or_else(|| id.to_string());
            outln!("total_km={:.1}", r.assignment.total_cost as f64 / 1000.0);
            for f in &r.assignment.flows {
                outln!("{}\t{}\t{}\t{:.1} km", name(&f.origin), name(&f.site), f.households, f.cost as f64 / 1000.0);
            }
            for u in &r.assignment.unplaced {
                let why = match &u.reason {
                    UnplacedReason::NoLink { .. } => "no site within reach",
                    UnplacedReason::CapacityExhausted => "every site within reach is full",
                };
                errln!("{}: {} households not placed: {why}", name(&u.origin), u.households);
            }
        }
    }
    Ok(())
}

/// `revita work-relief …`.
pub(super) async fn work_relief(args: WorkReliefArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = super::plan::actor(&app, &args.db).await?;
    let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    match args.action {
        WorkReliefAction::Import { kind, file, dry_run } => {
            let report = match kind.as_str() {
                "projects" => app.import_relief_projects(&actor, &file, dry_run, &origin).await?,
                "workers" => app.import_relief_workers(&actor, &file, dry_run, &origin).await?,
                "payments" => app.import_relief_payments(&actor, &file, dry_run, &origin).await?,
                other => anyhow::bail!("--kind: '{other}' is not projects, workers or payments"),
            };
            let verb = if dry_run { "would write" } else { "wrote" };
            outln!("{}: {} rows read; {verb} {}", report.file, report.rows_read, report.records_valid);
        }
        WorkReliefAction::Alerts { unpaid_days } => {
            let today = revita_app::clock::today();
            let options = revita_methods::work_relief::AlertOptions { unpaid_days };
            for p in app.relief_alerts(&actor, today, &options).await? {
                for a in &p.alerts {
                    outln!("{}\t{a:?}", p.code);
                }
            }
        }
        WorkReliefAction::Dashboard => {
            let d = app.relief_dashboard(&actor).await?;
            let row = |t: &revita_methods::work_relief::ReliefTotals| {
                serde_json::json!({"projects": t.projects, "central": t.central, "remuneration_paid": t.remuneration_paid,
                    "planned_share": t.planned_share(), "paid_share": t.paid_share(), "workers": t.worker_count(),
                    "average_pay": t.average_pay()})
            };
            let by = |m: &std::collections::BTreeMap<String, revita_methods::work_relief::ReliefTotals>| {
                m.iter().map(|(k, t)| (k.clone(), row(t))).collect::<serde_json::Map<_, _>>()
            };
            let json = serde_json::json!({"total": row(&d.total), "by_province": by(&d.by_province), "by_county": by(&d.by_county)});
            outln!("{}", serde_json::to_string_pretty(&json)?);
        }
        WorkReliefAction::Rules => {
            for r in app.relief_rules().await? {
                let to = r.rule.to_year.map_or(String::new(), |y| y.to_string());
                outln!(
                    "{}-{to}\t{}\t{}\tv{}",
                    r.rule.from_year,
                    r.rule.batch_pattern,
                    r.rule.min_share,
                    r.rule.version
                );
            }
        }
        WorkReliefAction::AddRule { from_year, to_year, batch, min_share, note } => {
            let rule = revita_methods::work_relief::RemunerationRule {
                from_year,
                to_year,
                batch_pattern: batch,
                min_share,
                version: 0,
            };
            let version = app.add_relief_rule(&actor, &rule, note.as_deref(), &origin).await?;
            outln!("rule version {version} added");
        }
    }
    Ok(())
}
