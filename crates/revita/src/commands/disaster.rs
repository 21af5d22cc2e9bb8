//! `revita disaster`: post-disaster events, their data files and their
//! damage, losses and needs, within the acting user's jurisdiction.

use anyhow::Context;
use revita_app::auth::Origin;
use revita_app::disasters::{EventDraft, NeedsParameters};
use revita_methods::{Date, RegionCode};

use super::{now, open};
use crate::cli::{DisasterAction, DisasterArgs};

pub(super) async fn run(args: DisasterArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = super::plan::actor(&app, &args.db).await?;
    let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    match args.action {
        DisasterAction::List => {
            for e in app.disasters(&actor, 0, i64::MAX).await?.0 {
                outln!("{}\t{}\t{}\t{}\t{}", e.id, e.occurred_on, e.kind, e.region, e.name);
            }
        }
        DisasterAction::Create { name, kind, date, magnitude, region, needs } => {
            let draft = EventDraft {
                name,
                kind,
                occurred_on: Date::parse(&date).with_context(|| format!("--date: '{date}'"))?,
                magnitude,
                region: RegionCode::parse(&region).context("--region")?,
                needs: match needs {
                    Some(text) => NeedsParameters::from_json(&text)?,
                    None => NeedsParameters::default(),
                },
            };
            let id = app.create_disaster(&actor, &draft, &origin).await?;
            outln!("event {id} recorded");
        }
        DisasterAction::Import { id, kind, file, dry_run } => {
            let report = app.import_disaster_file(&actor, id, &kind, &file, dry_run, &origin).await?;
            let verb = if dry_run { "would write" } else { "wrote" };
            outln!("{}: {} rows read; {verb} {}", report.file, report.rows_read, report.records_valid);
            for note in &report.notes {
                outln!("note: {note}");
            }
        }
        DisasterAction::Report { id, out, lang } => {
            let view = app.disaster(&actor, id).await?;
            match out {
                Some(path) => {
                    let bytes = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
                        revita_app::disaster_report::report_workbook(&view)?
                    } else {
                        revita_app::disaster_report::report_pdf(&view, lang == "zh")?
                    };
                    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
                    outln!("wrote {}", path.display());
                }
                None => {
                    let t = &view.assessment.total;
                    let groups: serde_json::Map<String, serde_json::Value> = view
                        .assessment
                        .by_group
                        .iter()
                        .map(|(g, x)| {
                            (
                                g.as_str().to_string(),
                                serde_json::json!({"damage": x.damage, "losses": x.losses, "needs": x.needs()}),
                            )
                        })
                        .collect();
                    let out = serde_json::json!({
                        "event": view.event.name, "damage": t.damage, "losses": t.losses,
                        "reconstruction": t.reconstruction, "recovery": t.recovery, "needs": t.needs(),
                        "by_group": groups, "uncosted": view.uncosted,
                    });
                    outln!("{}", serde_json::to_string_pretty(&out)?);
                }
            }
        }
    }
    Ok(())
}
