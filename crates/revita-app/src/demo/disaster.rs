//! A post-disaster example for the demo, clearly synthetic: an earthquake
//! named as an example over six Sichuan counties that the 2008 Wenchuan
//! earthquake hit, with made-up people affected, unit costs and assessment
//! lines; the counterpart provinces of 国办发〔2008〕53号 (methods.md §4.4)
//! for these counties; and its reconstruction plan.

use std::fmt::Write as _;
use std::path::Path;

use revita_methods::{Date, RegionCode};

use crate::auth::Origin;
use crate::disasters::{EventDraft, NeedsParameters};
use crate::{App, AppResult};

/// The counties, their severity and (made-up) people affected, and their
/// counterpart province in 2008.
const COUNTIES: [(&str, &str, f64, &str); 6] = [
    ("513221", "extreme", 105_000.0, "440000"),
    ("510726", "extreme", 160_000.0, "370000"),
    ("510822", "extreme", 240_000.0, "330000"),
    ("510683", "extreme", 510_000.0, "320000"),
    ("510682", "extreme", 430_000.0, "110000"),
    ("510181", "extreme", 600_000.0, "310000"),
];

/// Stores the example as the national administrator; the event's number.
pub(super) async fn load(app: &App, dir: &Path, origin: &Origin) -> AppResult<i64> {
    let admin = app.actor_named("admin").await?;
    let parse = |c: &str| RegionCode::parse(c).map_err(|e| anyhow::anyhow!("{e}"));
    let draft = EventDraft {
        name: "示例地震（合成数据）".into(),
        kind: "earthquake".into(),
        occurred_on: Date::parse("2008-05-12").map_err(|e| anyhow::anyhow!("{e}"))?,
        magnitude: Some("Ms 8.0 (synthetic example)".into()),
        region: parse("510000")?,
        needs: NeedsParameters::from_json(
            r#"{"uplift": {"housing": 0.3, "education": 0.25, "health": 0.25}, "default_uplift": 0.1, "recovery_share": 0.5}"#,
        )?,
    };
    let id = app.create_disaster(&admin, &draft, origin).await?;
    let write = |name: &str, text: &str| -> AppResult<std::path::PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        Ok(path)
    };
    let mut counties = String::from("county_code,severity,affected,displaced,shelters\n");
    for (code, severity, affected, _) in COUNTIES {
        let _ = writeln!(counties, "{code},{severity},{affected},{},{}", affected * 0.3, affected * 0.2);
    }
    app.import_disaster_file(&admin, id, "counties", &write("hit.csv", &counties)?, false, origin).await?;
    let costs = "sector,asset,replacement_cost,repair_cost\n\
                 housing,rural_house,120000,20000\nhousing,urban_flat,300000,40000\n\
                 education,school,8000000,1500000\nhealth,township_hospital,6000000,1000000\n\
                 transport,county_road_km,2500000,400000\nwater_sanitation,water_plant,15000000,3000000\n";
    app.import_disaster_file(&admin, id, "unit_costs", &write("costs.csv", costs)?, false, origin).await?;
    let mut lines = String::from(
        "county_code,sector,asset,ownership,kind,destroyed,damaged,replacement_cost,repair_cost,baseline,actual,additional_costs\n",
    );
    for (k, (code, _, affected, _)) in COUNTIES.iter().enumerate() {
        let houses = (affected / 3.0 * 0.4).round();
        let _ = writeln!(lines, "{code},housing,rural_house,private,damage,{houses},{},,,,,", (houses * 1.5).round());
        let _ = writeln!(lines, "{code},education,school,public,damage,{},{},,,,,", 3 + k, 5 + 2 * k);
        let _ = writeln!(lines, "{code},health,township_hospital,public,damage,{},{},,,,,", 1 + k % 3, 4);
        let _ = writeln!(lines, "{code},transport,county_road_km,public,damage,{},{},,,,,", 40 + 15 * k, 80);
        let _ = writeln!(
            lines,
            "{code},agriculture,crops_and_livestock,private,loss,,,,,{},{},{}",
            affected * 2_000.0,
            affected * 1_100.0,
            affected * 100.0
        );
        let _ = writeln!(
            lines,
            "{code},tourism,visitor_spending,private,loss,,,,,{},{},0",
            affected * 1_500.0,
            affected * 300.0
        );
    }
    app.import_disaster_file(&admin, id, "assessment", &write("lines.csv", &lines)?, false, origin).await?;
    let pairs: Vec<(RegionCode, RegionCode)> =
        COUNTIES.iter().map(|(county, _, _, donor)| Ok((parse(donor)?, parse(county)?))).collect::<AppResult<_>>()?;
    app.assign_counterparts(&admin, id, &pairs, 2008, origin).await?;
    let version = app.disaster(&admin, id).await?.event.version;
    app.create_reconstruction_plan(&admin, id, version, origin).await?;
    Ok(id)
}
