//! Resource-based cities and coal-mining subsidence for the demo, clearly
//! synthetic where it is not official: yearly transformation indicators
//! (methods.md §6.3) for the designated resource-based cities (the demo's
//! partial list, data/demo/resource_cities.csv) with 大同's transformation
//! plan and its targets; two subsidence areas drawn as examples in
//! 大同's 云冈区 and 左云县 (coal-mining districts) with made-up villages,
//! houses and farmland.

use std::fmt::Write as _;
use std::path::Path;

use revita_methods::plan::{PlanKind, PlanScope, PlanTarget, Target};

use super::synthetic::Sequence;
use crate::auth::Origin;
use crate::plans::PlanDraft;
use crate::{App, AppError, AppResult};

/// The demo's resource-based cities and the level each synthetic series
/// starts from: (code, reserve years, extraction share %, non-resource
/// share %, unemployment %). Declining cities start with few reserves and
/// heavy dependence; regenerating ones with a broad economy.
const CITIES: [(&str, f64, f64, f64, f64); 24] = [
    ("140200", 60.0, 45.0, 48.0, 3.4),
    ("140300", 55.0, 48.0, 45.0, 3.6),
    ("140400", 70.0, 42.0, 50.0, 3.2),
    ("140500", 65.0, 44.0, 49.0, 3.3),
    ("140600", 110.0, 52.0, 38.0, 3.0),
    ("150600", 140.0, 50.0, 40.0, 2.8),
    ("610800", 130.0, 55.0, 36.0, 3.1),
    ("520200", 95.0, 47.0, 42.0, 3.5),
    ("520500", 100.0, 40.0, 44.0, 3.4),
    ("210900", 12.0, 38.0, 52.0, 4.4),
    ("210400", 15.0, 35.0, 56.0, 4.2),
    ("230400", 14.0, 46.0, 44.0, 4.5),
    ("230700", 10.0, 30.0, 58.0, 4.3),
    ("340600", 18.0, 40.0, 54.0, 3.9),
    ("370400", 16.0, 33.0, 60.0, 3.7),
    ("410800", 13.0, 30.0, 62.0, 3.8),
    ("610200", 17.0, 41.0, 50.0, 4.0),
    ("620400", 11.0, 43.0, 47.0, 4.1),
    ("640200", 12.0, 45.0, 46.0, 4.2),
    ("130200", 25.0, 18.0, 75.0, 3.0),
    ("150200", 30.0, 20.0, 72.0, 3.1),
    ("320300", 20.0, 12.0, 82.0, 2.9),
    ("370300", 22.0, 15.0, 78.0, 3.0),
    ("410300", 24.0, 14.0, 80.0, 3.0),
];

/// Loads the examples as the national administrator; the number of areas.
pub(super) async fn load(app: &App, dir: &Path, origin: &Origin) -> AppResult<usize> {
    let admin = app.actor_named("admin").await?;
    let write = |name: &str, text: &str| -> AppResult<std::path::PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        Ok(path)
    };
    transformation_series(app, &write("transformation.csv", &series())?).await?;
    datong_plan(app, origin).await?;
    app.import_subsidence_areas(&admin, &write("areas.geojson", AREAS)?, false, origin).await?;
    app.import_places(&admin, &write("places.csv", &places())?, false, origin).await?;
    let (houses, farmland) = measures();
    app.import_subsidence_file(&admin, 1, "houses", &write("houses.csv", &houses)?, false, origin).await?;
    app.import_subsidence_file(&admin, 1, "farmland", &write("farmland.csv", &farmland)?, false, origin).await?;
    Ok(2)
}

/// Yearly 2015–2022 series drifting from each city's starting level.
fn series() -> String {
    let mut seq = Sequence(2013);
    let mut text = String::from("region_code,indicator,period,value,source,status\n");
    let source = "synthetic example (revita demo)";
    for (code, reserves, extraction, non_resource, unemployment) in CITIES {
        for (k, year) in (2015..=2022).enumerate() {
            let t = k as f64;
            let noise = |seq: &mut Sequence, scale: f64| (seq.unit() - 0.5) * scale;
            let rows = [
                ("reserve_years", (reserves - 1.5 * t + noise(&mut seq, 2.0)).max(1.0)),
                ("extraction_share_industry", (extraction - 0.8 * t + noise(&mut seq, 1.0)).clamp(1.0, 99.0)),
                ("non_resource_share_gdp", (non_resource + 0.9 * t + noise(&mut seq, 1.0)).clamp(1.0, 99.0)),
                ("urban_unemployment_rate", (unemployment - 0.05 * t + noise(&mut seq, 0.2)).clamp(0.5, 20.0)),
                ("mine_land_reclamation_rate", (35.0 + 3.0 * t + noise(&mut seq, 4.0)).clamp(0.0, 100.0)),
                ("resident_population_change", -0.6 + noise(&mut seq, 1.2)),
            ];
            for (indicator, value) in rows {
                let _ = writeln!(text, "{code},{indicator},{year},{value:.2},{source},synthetic");
            }
        }
    }
    text
}

async fn transformation_series(app: &App, path: &Path) -> AppResult<()> {
    app.import_observations(path, &crate::import::ObservationImport::default(), &|_| {}).await?;
    Ok(())
}

/// 大同's transformation plan with targets on two indicators, so that its
/// dashboard shows progress against them.
async fn datong_plan(app: &App, origin: &Origin) -> AppResult<i64> {
    let admin = app.actor_named("admin").await?;
    let city = app.parse_region_code("140200")?;
    let draft = PlanDraft {
        title: "大同市资源型城市转型发展规划（示例）".into(),
        kind: PlanKind::ALL[0],
        region: city.clone(),
        scope: PlanScope::Subtree(city.clone()),
        start_year: 2021,
        end_year: 2025,
        office: "大同市发展和改革委员会（示例）".into(),
    };
    let plan = app.create_plan(&admin, &draft, origin).await?;
    let goal = app.add_goal(&admin, plan, None, "摆脱资源依赖", origin).await?;
    for (indicator, baseline, target) in
        [("extraction_share_industry", 40.0, 30.0), ("non_resource_share_gdp", 53.0, 65.0)]
    {
        let target = PlanTarget {
            id: 0,
            goal_id: goal,
            indicator: revita_methods::IndicatorCode::parse(indicator).map_err(|e| AppError::Invalid(e.to_string()))?,
            region: Some(city.clone()),
            target: Target {
                baseline_year: 2020,
                baseline,
                target_year: 2025,
                target,
                binding: false,
                intermediate: Vec::new(),
            },
        };
        app.add_target(&admin, plan, &target, origin).await?;
    }
    Ok(plan)
}

/// Two example outlines (synthetic), with their profiles.
const AREAS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"SX-YG-01","name":"云冈区示例沉陷区（合成数据）","county_code":"140214",
  "mines":"示例一矿;示例二矿","ownership":"state_key","responsible_entity":"exists","area_km2":18.6,"subsided_km2":12.4,
  "goaf_km2":15.2,"max_depth_m":6.8,"mean_depth_m":2.9,"stability":"subsiding","residual_subsidence_m":0.4,"waterlogged_ha":85,
  "households_to_relocate":420,"households_relocated":260,"houses_to_reinforce":310,"houses_reinforced":120,
  "hectares_to_reclaim":640,"hectares_reclaimed":210,"funds_planned":386000000,"funds_disbursed":164000000},
 "geometry":{"type":"Polygon","coordinates":[[[113.02,39.98],[113.12,39.97],[113.16,40.03],[113.10,40.08],[113.03,40.06],[113.02,39.98]]]}},
{"type":"Feature","properties":{"code":"SX-ZY-01","name":"左云县示例沉陷区（合成数据）","county_code":"140226",
  "mines":"示例三矿","ownership":"closed","responsible_entity":"extinct","area_km2":9.3,"subsided_km2":7.1,
  "max_depth_m":4.2,"stability":"stable","waterlogged_ha":12,
  "households_to_relocate":150,"households_relocated":150,"hectares_to_reclaim":300,"hectares_reclaimed":95},
 "geometry":{"type":"Polygon","coordinates":[[[112.72,39.96],[112.80,39.96],[112.82,40.02],[112.74,40.04],[112.72,39.96]]]}}]}"#;

/// Made-up villages in and around the areas.
fn places() -> String {
    let mut text = String::from("kind,id,name,county_code,lon,lat,population,households\n");
    let villages = [
        ("140214100201", "示例甲村", "140214", 113.07, 40.01, 1260, 410),
        ("140214100202", "示例乙村", "140214", 113.11, 40.03, 860, 290),
        ("140214100203", "示例丙村", "140214", 113.20, 40.10, 990, 330),
        ("140226100101", "示例丁村", "140226", 112.77, 39.99, 540, 170),
        ("140226100102", "示例戊村", "140226", 112.90, 40.10, 700, 240),
    ];
    for (id, name, county, lon, lat, people, households) in villages {
        let _ = writeln!(text, "village,{id},{name},{county},{lon},{lat},{people},{households}");
    }
    text
}

/// Houses with surface deformation and farmland parcels of the first area.
fn measures() -> (String, String) {
    let mut seq = Sequence(7);
    let mut houses = String::from("house_id,strain,curvature,tilt\n");
    for k in 1..=60 {
        let severity = seq.unit();
        let _ = writeln!(
            houses,
            "YG-H{k:03},{:.2},{:.3},{:.2}",
            8.0 * severity,
            0.8 * severity * seq.unit(),
            12.0 * severity * seq.unit()
        );
    }
    let mut farmland = String::from("parcel_id,hectares,deformation,slope,depth,water_table,yield_loss\n");
    for k in 1..=20 {
        let severity = seq.unit();
        let _ = writeln!(
            farmland,
            "YG-P{k:02},{:.1},{:.1},{:.1},{:.2},{:.2},{:.0}",
            5.0 + 30.0 * seq.unit(),
            20.0 * severity,
            50.0 * severity * seq.unit(),
            7.0 * severity,
            2.5 - 2.2 * severity,
            70.0 * severity * seq.unit()
        );
    }
    (houses, farmland)
}
