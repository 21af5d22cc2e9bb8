//! Ecological compensation examples for the demo, clearly synthetic: the
//! Xin'an and Chishui agreements (methods.md §5.1–5.2; parameters as the
//! user guide shows them, limits illustrative) with made-up samples twice a
//! month, settled years with payments (one paid), a running year whose P
//! approaches 1 (the alert), land use of the demo counties in two years,
//! a few GEP items, and the default ESV parameter set saved.

use std::fmt::Write as _;
use std::path::Path;

use revita_methods::RegionCode;

use super::synthetic::Sequence;
use crate::auth::Origin;
use crate::eco::{CHISHUI_EXAMPLE, XIE_2015_DEFAULT, XINAN_EXAMPLE};
use crate::{App, AppResult};

/// The laboratory the made-up samples name, so that nobody mistakes them.
const LAB: &str = "合成示例数据 synthetic";

/// Samples of `sections` in `year`, twice a month, each indicator at
/// `factor` × its limit (± 3%); one pair disagreeing beyond the tolerance
/// (with a reserve) and one void sample a year.
fn samples(out: &mut String, seq: &mut Sequence, sections: &[(&str, f64)], limits: &[(&str, f64)], year: i32) {
    for (section, factor) in sections {
        for month in 1..=12 {
            for day in [5, 20] {
                for (indicator, limit) in limits {
                    let base = limit * factor * (0.97 + 0.06 * seq.unit());
                    let round = |v: f64| (v * 10_000.0).round() / 10_000.0;
                    let (up, down, reserve, valid) = match (month, day) {
                        (3, 5) => (base * 0.9, base * 1.1, format!("{}", round(base)), 1),
                        (7, 20) => (base * 3.0, base * 3.0, String::new(), 0),
                        _ => (base, base * (0.99 + 0.02 * seq.unit()), String::new(), 1),
                    };
                    let _ = writeln!(
                        out,
                        "{section},{year}-{month:02}-{day:02},{indicator},{},{},{reserve},{LAB},{valid}",
                        round(up),
                        round(down)
                    );
                }
            }
        }
    }
}

/// Stores the examples as the national administrator; the number of
/// agreements stored.
pub(super) async fn load(app: &App, dir: &Path, origin: &Origin) -> AppResult<usize> {
    let admin = app.actor_named("admin").await?;
    let national = RegionCode::parse("000000").map_err(|e| anyhow::anyhow!("{e}"))?;
    let xinan = app.save_eco_agreement(&admin, None, &national, XINAN_EXAMPLE, origin).await?;
    let chishui = app.save_eco_agreement(&admin, None, &national, CHISHUI_EXAMPLE, origin).await?;
    let mut seq = Sequence(19);
    let header = "section,date,indicator,upstream,downstream,reserve,lab,valid\n";
    let write = |name: &str, text: &str| -> AppResult<std::path::PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        Ok(path)
    };
    // Round 3 (k0 0.9): P ≈ 0.9 × factor — 0.85 in 2018, 0.88 in 2019, and
    // 0.97 in 2020, the running year that raises the alert.
    let xinan_limits = [("codmn", 1.8), ("nh3n", 0.1), ("tn", 1.2), ("tp", 0.03)];
    let mut text = header.to_string();
    for (year, p) in [(2018, 0.85), (2019, 0.88), (2020, 0.97)] {
        samples(&mut text, &mut seq, &[("街口", p / 0.9)], &xinan_limits, year);
    }
    app.import_eco_samples(&admin, xinan, &write("xinan_samples.csv", &text)?, false, origin).await?;
    let chishui_limits = [("codmn", 4.0), ("nh3n", 0.5), ("tp", 0.1)];
    let mut text = header.to_string();
    samples(&mut text, &mut seq, &[("清水铺", 1.08), ("鲢鱼溪", 0.7)], &chishui_limits, 2019);
    app.import_eco_samples(&admin, chishui, &write("chishui_samples.csv", &text)?, false, origin).await?;
    for year in [2018, 2019] {
        app.settle_eco_year(&admin, xinan, year, origin).await?;
    }
    app.settle_eco_year(&admin, chishui, 2019, origin).await?;
    let first = app.eco_ledger(&admin, Some(xinan), 0, 1).await?;
    if let Some(p) = first.payments.first() {
        app.record_eco_payment(&admin, p.id, p.version, "paid", Some("2019-06-28"), Some("示例凭证 001"), origin)
            .await?;
    }
    // Land use of the demo counties in 2015 and 2020 (forest gained from
    // dry land), and GEP items of one county.
    let types = [
        ("paddy", 6_000.0),
        ("dry_land", 14_000.0),
        ("broadleaf_forest", 30_000.0),
        ("shrub_forest", 8_000.0),
        ("shrub_grassland", 9_000.0),
        ("water", 1_200.0),
    ];
    let mut land = String::from("region_code,year,type,hectares\n");
    for (k, county) in ["520102", "520502", "520521", "520526", "520527", "522622"].iter().enumerate() {
        let scale = 0.2 + 0.3 * k as f64;
        for year in [2015, 2020] {
            for (kind, hectares) in types {
                let shift = match (kind, year) {
                    ("dry_land", 2020) => -1_500.0,
                    ("broadleaf_forest", 2020) => 1_500.0,
                    _ => 0.0,
                };
                let _ = writeln!(land, "{county},{year},{kind},{:.1}", (hectares + shift) * scale);
            }
        }
    }
    let actor = admin.clone();
    app.import_land_use(&actor, &write("land_use.csv", &land)?, false, origin).await?;
    let gep = "region_code,year,service,quantity,unit,price,price_method\n\
               520502,2020,food,42000,t,3200,market\n\
               520502,2020,water_conservation,380000000,m³,6.1,shadow_project\n\
               520502,2020,soil_conservation,2100000,t,12.6,replacement_cost\n\
               520502,2020,carbon_sequestration,260000,t,120,market\n\
               520502,2020,recreation,1500000,visit,180,travel_cost\n";
    app.import_gep(&actor, &write("gep.csv", gep)?, false, origin).await?;
    let planner = app.actor_named("gz_planner").await?;
    let kind = crate::specs::SpecKind::Esv;
    app.save_spec(
        &planner,
        kind,
        "全国 1990–2015 均值（谢高地 2015）",
        XIE_2015_DEFAULT,
        Some("shipped default"),
        origin,
    )
    .await?;
    Ok(2)
}
