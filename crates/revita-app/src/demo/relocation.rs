//! Relocation and work-relief for the demo, clearly synthetic: resettlement
//! sites in 七星关区 and 威宁县 (Bijie, a former relocation heartland),
//! some of the demo registry's households relocated to them with incomes
//! over two years, made-up villages to move from (for the optimiser), and
//! work-relief projects with rosters and payments — one of them planning
//! 29.9% of its central funds as remuneration, under the 30% rule.

use std::fmt::Write as _;
use std::path::Path;

use super::synthetic::Sequence;
use crate::auth::Origin;
use crate::{App, AppResult};

/// A site: (code, name, county, lon, lat, setting, subtype, people, units,
/// certificates).
type SiteRow = (&'static str, &'static str, &'static str, f64, f64, &'static str, &'static str, i64, i64, i64);

/// The example sites.
const SITES: [SiteRow; 4] = [
    ("QXG-01", "柏杨林街道安置点（示例）", "520502", 105.32, 27.31, "urban", "town_or_park", 6000, 1500, 1400),
    ("QXG-02", "碧阳安置点（示例）", "520502", 105.26, 27.28, "urban", "town_or_park", 2400, 600, 480),
    ("WN-01", "五里岗安置点（示例）", "520526", 104.29, 26.86, "urban", "town_or_park", 8000, 2000, 1500),
    ("WN-02", "草海新村（示例）", "520526", 104.22, 26.90, "rural", "new_village", 1200, 300, 300),
];

/// Villages households would move from: (code, name, county, lon, lat, households).
const VILLAGES: [(&str, &str, &str, f64, f64, i64); 8] = [
    ("520502900001", "示例山村一", "520502", 105.10, 27.45, 420),
    ("520502900002", "示例山村二", "520502", 105.45, 27.10, 380),
    ("520502900003", "示例山村三", "520502", 105.05, 27.20, 500),
    ("520502900004", "示例山村四", "520502", 105.52, 27.42, 450),
    ("520526900001", "示例山村五", "520526", 104.05, 26.70, 900),
    ("520526900002", "示例山村六", "520526", 104.50, 27.05, 700),
    ("520526900003", "示例山村七", "520526", 103.95, 26.95, 650),
    ("520526900004", "示例山村八", "520526", 104.35, 26.60, 600),
];

/// Loads the examples as the national administrator; the number of sites.
pub(super) async fn load(app: &App, dir: &Path, origin: &Origin) -> AppResult<usize> {
    let admin = app.actor_named("admin").await?;
    let write = |name: &str, text: &str| -> AppResult<std::path::PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        Ok(path)
    };
    let mut sites = String::from(
        "code,name,county_code,lon,lat,setting,subtype,capacity_people,capacity_units,certificates,school,clinic,elder_care,community_centre,employment_workshops,party_branch,committee\n",
    );
    for (code, name, county, lon, lat, setting, subtype, people, units, certificates) in SITES {
        let _ = writeln!(
            sites,
            "{code},{name},{county},{lon},{lat},{setting},{subtype},{people},{units},{certificates},1,1,1,1,3,1,1"
        );
    }
    app.import_resettlement_sites(&admin, &write("sites.csv", &sites)?, false, origin).await?;
    let mut villages = String::from("kind,id,name,county_code,lon,lat,population,households\n");
    for (code, name, county, lon, lat, households) in VILLAGES {
        let _ = writeln!(villages, "village,{code},{name},{county},{lon},{lat},{},{households}", households * 4);
    }
    app.import_places(&admin, &write("villages.csv", &villages)?, false, origin).await?;
    let (moved, incomes) = relocations();
    app.import_relocations(&admin, &write("relocations.csv", &moved)?, false, origin).await?;
    app.import_relocation_incomes(&admin, &write("incomes.csv", &incomes)?, false, origin).await?;
    let projects = "code,name,county_code,fund_source,batch,year,works_type,total_investment,central_investment,\
remuneration_planned,remuneration_paid,start_on,end_on,accepted_on,status,training_sessions,maintenance_posts\n\
QXG-2024-01,示例组通公路硬化（合成数据）,520502,central,第一批,2024,roads,3200000,2500000,800000,620000,2024-03-01,2024-11-30,2024-12-20,accepted,3,6\n\
QXG-2024-02,示例小型水利（合成数据）,520502,central,第一批,2024,farmland_water,1800000,1500000,448500,300000,2024-04-01,2024-10-31,,underway,2,2\n\
WN-2025-01,示例产业路（合成数据）,520526,central,加力扩围,2025,roads,2000000,2000000,860000,500000,2025-05-01,2025-12-31,,underway,1,4\n";
    app.import_relief_projects(&admin, &write("projects.csv", projects)?, false, origin).await?;
    let mut workers = String::from("project_code,worker_id,name,category\n");
    let mut payments = String::from("project_code,worker_id,paid_on,amount,account\n");
    let categories = ["poverty_exited", "monitoring_object", "returning_migrant", "other_low_income"];
    for (p, n) in [("QXG-2024-01", 40), ("QXG-2024-02", 25), ("WN-2025-01", 30)] {
        for k in 1..=n {
            let _ = writeln!(workers, "{p},{p}-W{k:03},示例务工人员{k},{}", categories[k % 4]);
            // Everyone is paid but the last two on each roster.
            if k <= n - 2 {
                let day = if p.starts_with("WN") { "2025-07-31" } else { "2024-07-31" };
                let _ = writeln!(payments, "{p},{p}-W{k:03},{day},{},62220202{k:08}", 3000 + 100 * (k % 7));
            }
        }
    }
    app.import_relief_workers(&admin, &write("workers.csv", &workers)?, false, origin).await?;
    app.import_relief_payments(&admin, &write("payments.csv", &payments)?, false, origin).await?;
    Ok(SITES.len())
}

/// Sixty of the demo registry's households in each county relocated, with
/// incomes in 2023 and 2024.
fn relocations() -> (String, String) {
    let mut seq = Sequence(17);
    let mut moved = String::from(
        "household_id,site_code,registered_poor,same_time_mover,moved_on,persons,labour,employed,employment_place,\
housing_area_pc,self_contribution,demolished,reclaimed\n",
    );
    let mut incomes = String::from("household_id,year,income\n");
    for (county, sites) in [("520502", ["QXG-01", "QXG-02"]), ("520526", ["WN-01", "WN-02"])] {
        for i in 1..=60 {
            let id = format!("DEMO-{county}-{i:04}");
            let persons = 2 + (seq.unit() * 4.0) as i64;
            let labour = (persons - 1).max(1);
            // About one labour household in eight has nobody employed.
            let employed = if seq.unit() < 0.12 { 0 } else { 1 + (seq.unit() * labour as f64) as i64 }.min(labour);
            let place = ["local", "in_county", "in_province", "out_of_province"][i % 4];
            let area = 18.0 + 7.0 * seq.unit();
            let _ = writeln!(
                moved,
                "{id},{},1,0,2019-0{}-15,{persons},{labour},{employed},{place},{area:.1},{},{},{}",
                sites[i % 2],
                1 + i % 9,
                (2000.0 * seq.unit()).round() * persons as f64 / persons as f64,
                u8::from(seq.unit() < 0.9),
                u8::from(seq.unit() < 0.7)
            );
            let base = 9000.0 + 4000.0 * seq.unit();
            let _ = writeln!(incomes, "{id},2023,{base:.0}");
            let _ = writeln!(incomes, "{id},2024,{:.0}", base * (1.0 + 0.12 * seq.unit()));
        }
    }
    (moved, incomes)
}
