//! `revita eco`: basin agreements stored and settled from their samples,
//! the payments ledger, land use and GEP imports, ecosystem-service value,
//! and the key ecological function zone transfer; settle and ESV also work
//! from files alone, with no database.

use anyhow::Context;
use revita_app::ImportReport;
use revita_app::auth::Origin;
use revita_app::eco::{BasinAgreement, EsvParameters, Settlement, TransferInputs, XIE_2015_DEFAULT};
use revita_methods::RegionCode;
use revita_methods::eco::SERVICES;

use super::{now, open};
use crate::cli::{EcoAction, EcoArgs};

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub(super) async fn run(args: EcoArgs) -> anyhow::Result<()> {
    let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    match args.action {
        EcoAction::Settle { id: None, agreement: Some(agreement), samples: Some(samples), year, json } => {
            let parsed =
                BasinAgreement::from_json(&read(&agreement)?).with_context(|| agreement.display().to_string())?;
            print_settlement(&revita_app::eco::settle_files(&parsed, &samples, year).await?, json)?;
        }
        EcoAction::Settle { id: Some(id), year, json, .. } => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            print_settlement(&app.settle_eco_year(&actor, id, year, &origin).await?, json)?;
        }
        EcoAction::Settle { .. } => anyhow::bail!("give --id, or --agreement with --samples"),
        EcoAction::Agreements => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            let (list, _) = app.eco_agreements(&actor, 0, i64::MAX).await?;
            for a in list {
                outln!("{}\tv{}\t{}\t{}", a.id, a.version, a.region, a.name);
            }
        }
        EcoAction::Agreement { file, region, id, at_version } => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            let region = RegionCode::parse(&region)?;
            let id = app.save_eco_agreement(&actor, id.zip(at_version), &region, &read(&file)?, &origin).await?;
            outln!("agreement {id} stored");
        }
        EcoAction::Samples { id, file, dry_run } => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            print_import(&app.import_eco_samples(&actor, id, &file, dry_run, &origin).await?)?;
        }
        EcoAction::Payments { id } => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            let ledger = app.eco_ledger(&actor, id, 0, i64::MAX).await?;
            for p in ledger.payments {
                outln!(
                    "{}\t{}\t{}\t{} → {}\t{:.2}\t{}\t{}",
                    p.id,
                    p.agreement_id,
                    p.year,
                    p.payer,
                    p.payee,
                    p.amount,
                    p.status,
                    p.reason
                );
            }
        }
        EcoAction::LandUse { file, dry_run } => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            print_import(&app.import_land_use(&actor, &file, dry_run, &origin).await?)?;
        }
        EcoAction::Gep { file, dry_run } => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            print_import(&app.import_gep(&actor, &file, dry_run, &origin).await?)?;
        }
        EcoAction::Esv { areas, parameters, json } => {
            let text = match &parameters {
                Some(path) => read(path)?,
                None => XIE_2015_DEFAULT.to_string(),
            };
            let parameters = EsvParameters::from_json(&text)?;
            let vc = parameters.standard_equivalent()?;
            let rows: Vec<(String, Option<i32>, [f64; 11], f64)> = match areas {
                Some(areas) => revita_app::eco::esv_file(&areas, &parameters)
                    .await?
                    .into_iter()
                    .map(|(region, t)| (region, None, std::array::from_fn(|s| t.by_service(s)), t.total()))
                    .collect(),
                None => {
                    let app = open(&args.db).await?;
                    let actor = super::plan::actor(&app, &args.db).await?;
                    let report = app.esv(&actor, parameters.clone()).await?;
                    report
                        .rows
                        .into_iter()
                        .map(|r| (r.region.to_string(), Some(r.year), r.by_service, r.total))
                        .collect()
                }
            };
            if json {
                let regions: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|(region, year, by_service, total)| {
                        let services: serde_json::Map<String, serde_json::Value> =
                            SERVICES.iter().zip(by_service).map(|(n, v)| (n.to_string(), (*v).into())).collect();
                        serde_json::json!({"region": region, "year": year, "total": total, "by_service": services})
                    })
                    .collect();
                let out =
                    serde_json::json!({"standard_equivalent": vc, "parameters": parameters.name, "regions": regions});
                outln!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            outln!(
                "one standard equivalent: {} kg/ha × {} yuan/kg ÷ 7 = {vc:.2} yuan/ha",
                parameters.grain_yield,
                parameters.grain_price
            );
            for (region, year, by_service, total) in &rows {
                let year = year.map(|y| format!(" {y}")).unwrap_or_default();
                outln!("{region}{year}: {total:.0} yuan/year");
                for (name, value) in SERVICES.iter().zip(by_service) {
                    outln!("  {name}: {value:.0}");
                }
            }
        }
        EcoAction::Transfer { counties, rule, json } => {
            let inputs: TransferInputs = serde_json::from_str(&read(&rule)?)
                .with_context(|| format!("{}: the transfer rule", rule.display()))?;
            let grants = revita_app::eco::transfer_file(&counties, &inputs).await?;
            if json {
                let list: Vec<serde_json::Value> = grants
                    .iter()
                    .map(|g| {
                        serde_json::json!({
                            "county": g.county, "gap": g.gap, "key_subsidy": g.key_subsidy,
                            "prohibited_subsidy": g.prohibited_subsidy, "ranger_subsidy": g.ranger_subsidy,
                            "base": g.base, "adjustment": g.adjustment, "formula": g.formula, "grant": g.grant,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(());
            }
            outln!("county\tkey\tprohibited\trangers\tadjustment\tformula\tgrant");
            for g in &grants {
                outln!(
                    "{}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{:.2}",
                    g.county,
                    g.key_subsidy,
                    g.prohibited_subsidy,
                    g.ranger_subsidy,
                    g.adjustment,
                    g.formula,
                    g.grant
                );
            }
        }
    }
    Ok(())
}

fn print_settlement(s: &Settlement, json: bool) -> anyhow::Result<()> {
    if json {
        outln!("{}", serde_json::to_string_pretty(s)?);
        return Ok(());
    }
    outln!("{} · {} · {}", s.agreement, s.year, s.round);
    for section in &s.sections {
        outln!("section {}", section.section);
        outln!("indicator  samples  mean  ratio  weighted");
        for (i, code) in section.indicators.iter().enumerate() {
            outln!(
                "{code}  {}  {:.4}  {:.4}  {:.4}",
                section.samples[i],
                section.means[i],
                section.ratios[i],
                section.weighted[i]
            );
        }
        let sum: f64 = section.weighted.iter().sum();
        let verdict = if section.met { "met (P ≤ 1)" } else { "not met (P > 1)" };
        outln!("P = k0 × Σ = {} × {sum:.4} = {:.4}: {verdict}", section.k0, section.p);
        if section.alert {
            outln!("alert: P is close to 1");
        }
    }
    for t in &s.transfers {
        outln!("{} pays {} {:.2} yuan ({})", t.payer, t.payee, t.amount, t.section);
    }
    outln!("counted by reserve: {}; void: {}", s.reserves, s.void);
    for d in &s.disputed {
        outln!("left out (disputed, no reserve): {d}");
    }
    Ok(())
}

fn print_import(report: &ImportReport) -> anyhow::Result<()> {
    let verb = if report.dry_run { "would write" } else { "wrote" };
    outln!(
        "{}: {} rows read; {verb} {} ({} replacing stored)",
        report.file,
        report.rows_read,
        report.records_valid,
        report.replaces
    );
    for note in &report.notes {
        outln!("note: {note}");
    }
    Ok(())
}
