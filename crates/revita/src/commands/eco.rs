//! `revita eco`: a basin agreement settled from its water samples, and
//! ecosystem-service value from land use — from files, no database needed.

use anyhow::Context;
use revita_methods::eco::SERVICES;

use crate::cli::{EcoAction, EcoArgs};

pub(super) async fn run(args: EcoArgs) -> anyhow::Result<()> {
    match args.action {
        EcoAction::Settle { agreement, samples, year, json } => {
            let text =
                std::fs::read_to_string(&agreement).with_context(|| format!("reading {}", agreement.display()))?;
            let agreement =
                revita_app::eco::BasinAgreement::from_json(&text).with_context(|| agreement.display().to_string())?;
            let s = revita_app::eco::settle_files(&agreement, &samples, year).await?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&s)?);
                return Ok(());
            }
            outln!("{} · {}", s.agreement, s.year);
            outln!("indicator  samples  mean  ratio  weighted");
            for (i, code) in s.indicators.iter().enumerate() {
                outln!("{code}  {}  {:.4}  {:.4}  {:.4}", s.samples[i], s.means[i], s.ratios[i], s.weighted[i]);
            }
            let sum: f64 = s.weighted.iter().sum();
            outln!("P = k0 × Σ = {} × {sum:.4} = {:.4}", s.k0, s.p);
            let verdict = if s.met { "met (P ≤ 1)" } else { "not met (P > 1)" };
            outln!("basic standard {verdict}: {} pays {} {}", s.payer, s.payee, s.amount);
            if s.alert {
                outln!("alert: P is close to 1");
            }
            for d in &s.disputed {
                outln!("left out: {d}");
            }
        }
        EcoAction::Esv { areas, grain_yield, grain_price, correction, json } => {
            let (vc, tables) = revita_app::eco::esv_file(&areas, grain_yield, grain_price, correction).await?;
            if json {
                let regions: Vec<serde_json::Value> = tables
                    .iter()
                    .map(|(region, t)| {
                        let by_service: serde_json::Map<String, serde_json::Value> =
                            SERVICES.iter().enumerate().map(|(s, name)| (name.to_string(), t.by_service(s).into())).collect();
                        let by_type: serde_json::Map<String, serde_json::Value> =
                            t.types.iter().enumerate().map(|(i, k)| (k.clone(), t.by_type(i).into())).collect();
                        serde_json::json!({"region": region, "total": t.total(), "by_service": by_service, "by_type": by_type})
                    })
                    .collect();
                let out = serde_json::json!({"standard_equivalent": vc, "correction": correction, "regions": regions});
                outln!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            outln!("one standard equivalent: {grain_yield} kg/ha × {grain_price} yuan/kg ÷ 7 = {vc:.2} yuan/ha");
            for (region, t) in &tables {
                outln!("{region}: {:.0} yuan/year", t.total());
                for (s, name) in SERVICES.iter().enumerate() {
                    outln!("  {name}: {:.0}", t.by_service(s));
                }
            }
        }
    }
    Ok(())
}
