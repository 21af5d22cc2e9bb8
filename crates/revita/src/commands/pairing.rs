//! `revita pairing`: the pairing-assistance ledger, deliveries imported,
//! donors' rules and the IATI activity file, within the acting user's
//! jurisdiction.

use anyhow::Context;
use revita_app::auth::Origin;
use revita_app::ledger::{PairingRule, REVENUE_INDICATOR};
use revita_methods::RegionCode;

use super::{now, open};
use crate::cli::{PairingAction, PairingArgs};

pub(super) async fn run(args: PairingArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = super::plan::actor(&app, &args.db).await?;
    let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    match args.action {
        PairingAction::Ledger { year, program, json } => {
            let ledger = app.pairing_ledger(&actor, year, program.as_deref()).await?;
            if json {
                let rows: Vec<serde_json::Value> = ledger
                    .rows
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "program": r.pairing.program, "donor": r.pairing.donor.as_str(),
                            "recipient": r.pairing.recipient.as_str(), "obligation": r.obligation, "basis": r.basis,
                            "funds": r.delivered.funds, "fulfilment": r.fulfilment,
                            "livelihood_share": r.delivered.livelihood_share(), "county_share": r.delivered.county_share(),
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&serde_json::json!({"year": year, "ledger": rows}))?);
                return Ok(());
            }
            outln!("programme\tdonor\trecipient\tdue (yuan)\tfunds (yuan)\tfulfilment\tlivelihood\tcounty");
            let pct = |v: Option<f64>| v.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_else(|| "-".into());
            for r in &ledger.rows {
                outln!(
                    "{}\t{} {}\t{} {}\t{}\t{:.0}\t{}\t{}\t{}",
                    r.pairing.program,
                    r.pairing.donor,
                    r.donor_name,
                    r.pairing.recipient,
                    r.recipient_name,
                    r.obligation.map(|o| format!("{o:.0}")).unwrap_or_else(|| "-".into()),
                    r.delivered.funds,
                    pct(r.fulfilment),
                    pct(r.delivered.livelihood_share()),
                    pct(r.delivered.county_share())
                );
            }
            outln!(
                "total due {:.0}, delivered {:.0}, fulfilment {}",
                ledger.due,
                ledger.total.funds,
                pct(ledger.fulfilment())
            );
        }
        PairingAction::Flows { file, dry_run } => {
            let report = app.import_pairing_flows(&actor, &file, dry_run, &origin).await?;
            let verb = if dry_run { "would write" } else { "wrote" };
            outln!(
                "{}: {} rows read; {verb} {} ({} replacing stored)",
                report.file,
                report.rows_read,
                report.records_valid,
                report.replaces
            );
        }
        PairingAction::Rule { program, donor, share, lag, base, growth, start_year, revenue_indicator } => {
            let kind = if share.is_some() { "revenue_share" } else { "growing" };
            let rule = PairingRule {
                program,
                donor: RegionCode::parse(&donor).context("--donor")?,
                kind: kind.into(),
                share,
                lag: share.map(|_| lag),
                base,
                growth,
                start_year,
                revenue_indicator: if revenue_indicator.is_empty() {
                    REVENUE_INDICATOR.into()
                } else {
                    revenue_indicator
                },
                note: None,
            };
            app.set_pairing_rule(&actor, &rule, &origin).await?;
            outln!("rule set for {} in {}", rule.donor, rule.program);
        }
        PairingAction::Iati { from, to, out } => {
            let xml = app.pairing_iati(&actor, from, to, now()).await?;
            std::fs::write(&out, xml).with_context(|| format!("writing {}", out.display()))?;
            outln!("wrote {}", out.display());
        }
    }
    Ok(())
}
