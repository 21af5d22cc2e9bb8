//! The small-area estimation example for the demo, clearly synthetic: a
//! survey's direct estimates of a county poverty rate (%) with their
//! sampling variances for Guizhou's counties, made up from the counties'
//! real census covariates (illiteracy, schooling) plus area effects and
//! sampling noise, with about one county in five left unsurveyed — so that
//! `data/specs/sae-fh-guizhou.json` has something to estimate.

use std::fmt::Write as _;
use std::path::Path;

use revita_ingest::records::ObservationOptions;
use revita_methods::{IndicatorCode, ObservationStatus, Period};

use super::synthetic::Sequence;
use crate::auth::{ChangeBy, Origin};
use crate::import::{FileImport, ObservationImport};
use crate::{App, AppResult, Jurisdiction};

/// What the made-up estimates say of themselves.
const SOURCE: &str = "合成示例数据 synthetic — not a real survey";

/// Stores the example as the national administrator; how many counties
/// got a direct estimate.
pub(super) async fn load(app: &App, dir: &Path, origin: &Origin) -> AppResult<usize> {
    let admin = app.actor_named("admin").await?;
    let write = |name: &str, text: &str| -> AppResult<std::path::PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        Ok(path)
    };
    let indicators = format!(
        "code,name_zh,name_en,unit,direction,aggregation,description,source\n\
         poverty_rate_direct,贫困发生率（抽样直接估计，示例）,Poverty rate (direct survey estimate; synthetic),%,lower_is_better,none,\
         \"A survey's direct estimate of the county poverty rate; in the demo made up for small-area estimation\",{SOURCE}\n\
         poverty_rate_direct_var,贫困发生率抽样方差（示例）,Poverty rate: sampling variance of the direct estimate (synthetic),%²,neutral,none,\
         \"The sampling variance of the direct estimate\",{SOURCE}\n"
    );
    let by = ChangeBy::new(&admin, origin);
    let plain = FileImport { by: by.clone(), within: Jurisdiction::everywhere(), ..Default::default() };
    app.import_indicators(&write("sae_indicators.csv", &indicators)?, &plain).await?;
    let code = |c: &str| IndicatorCode::parse(c).map_err(|e| anyhow::anyhow!("{c}: {e}"));
    let period = Period::Year(2020).to_string();
    let illiteracy: std::collections::HashMap<_, _> =
        app.store().level_values(&code("illiteracy_rate_15plus_pct")?, &period, "county").await?.into_iter().collect();
    let schooling: std::collections::HashMap<_, _> =
        app.store().level_values(&code("avg_years_schooling_15plus")?, &period, "county").await?.into_iter().collect();
    let guizhou = app
        .store()
        .descendants(&revita_methods::RegionCode::parse("520000").map_err(|e| anyhow::anyhow!("{e}"))?, Some("county"))
        .await?;
    let mut seq = Sequence(22);
    let mut values = String::from("region_code,indicator,period,value\n");
    let mut surveyed = 0;
    for county in &guizhou {
        let (Some(ill), Some(sch)) = (illiteracy.get(&county.code), schooling.get(&county.code)) else { continue };
        // The "true" rate: higher with illiteracy, lower with schooling,
        // plus an area effect (sd 2 points).
        let truth = (18.0 + 0.9 * ill - 1.2 * (sch - 8.0) + 2.0 * normal(&mut seq)).clamp(1.0, 60.0);
        if seq.unit() < 0.2 {
            continue;
        }
        // A survey of 40 to 400 households: variance p(100 − p)/n.
        let n = 40.0 + 360.0 * seq.unit();
        let var = truth * (100.0 - truth) / n;
        let direct = (truth + var.sqrt() * normal(&mut seq)).clamp(0.1, 99.0);
        let _ = writeln!(values, "{},poverty_rate_direct,2020,{direct:.2}", county.code);
        let _ = writeln!(values, "{},poverty_rate_direct_var,2020,{var:.4}", county.code);
        surveyed += 1;
    }
    let import = ObservationImport {
        options: ObservationOptions {
            source: Some(SOURCE.into()),
            status: ObservationStatus::Synthetic,
            ..Default::default()
        },
        by,
        within: Jurisdiction::everywhere(),
        ..Default::default()
    };
    app.import_observations(&write("sae_direct.csv", &values)?, &import, &|_| {}).await?;
    Ok(surveyed)
}

/// A standard normal draw (Box–Muller).
fn normal(seq: &mut Sequence) -> f64 {
    let u = seq.unit().max(1e-12);
    let v = seq.unit();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
