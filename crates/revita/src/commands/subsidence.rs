//! `revita subsidence`: the spatial join of points in zones (files, no
//! database), and the registry of coal-mining subsidence areas within the
//! acting user's jurisdiction.

use std::time::Instant;

use revita_app::auth::Origin;

use super::{now, open};
use crate::cli::{SubsidenceAction, SubsidenceArgs};

pub(super) async fn run(args: SubsidenceArgs) -> anyhow::Result<()> {
    let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    match args.action {
        SubsidenceAction::Join { zones, points, out, id_property, weight } => {
            let started = Instant::now();
            let summary = tokio::task::spawn_blocking(move || {
                revita_app::batch::join_files(&zones, &points, &out, &id_property, &weight)
            })
            .await??;
            errln!(
                "{} zones, {} points, {} inside a zone ({:.3} s)",
                summary.zones,
                summary.points,
                summary.inside,
                started.elapsed().as_secs_f64()
            );
        }
        SubsidenceAction::List { db } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            for a in app.subsidence_areas(&actor, 0, i64::MAX).await?.0 {
                outln!("{}\t{}\t{}\t{}", a.id, a.code, a.county, a.name);
            }
        }
        SubsidenceAction::ImportAreas { db, file, dry_run } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            let report = app.import_subsidence_areas(&actor, &file, dry_run, &origin).await?;
            let verb = if dry_run { "would write" } else { "wrote" };
            outln!(
                "{}: {} areas read; {verb} {} ({} replace stored ones)",
                report.file,
                report.rows_read,
                report.records_valid,
                report.replaces
            );
        }
        SubsidenceAction::ImportPlaces { db, file, dry_run } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            let report = app.import_places(&actor, &file, dry_run, &origin).await?;
            let verb = if dry_run { "would write" } else { "wrote" };
            outln!(
                "{}: {} places read; {verb} {} ({} replace stored ones)",
                report.file,
                report.rows_read,
                report.records_valid,
                report.replaces
            );
        }
        SubsidenceAction::Import { db, id, kind, file, dry_run } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            let report = app.import_subsidence_file(&actor, id, &kind, &file, dry_run, &origin).await?;
            let verb = if dry_run { "would write" } else { "wrote" };
            outln!("{}: {} rows read; {verb} {}", report.file, report.rows_read, report.records_valid);
        }
        SubsidenceAction::Area { db, id } => {
            let app = open(&db).await?;
            let actor = super::plan::actor(&app, &db).await?;
            let v = app.subsidence_area(&actor, id).await?;
            let [i, ii, iii, iv] = v.houses_by_grade;
            let [light, moderate, severe] = v.hectares_by_class;
            let json = serde_json::json!({
                "id": v.area.id, "code": v.area.code, "name": v.area.name, "county": v.area.county.as_str(),
                "profile": v.profile, "inside": v.inside,
                "houses_by_grade": {"I": i, "II": ii, "III": iii, "IV": iv},
                "hectares_by_class": {"light": light, "moderate": moderate, "severe": severe},
                "progress": v.progress,
            });
            outln!("{}", serde_json::to_string_pretty(&json)?);
        }
    }
    Ok(())
}
