//! Relocation and work-relief use cases on both back ends: a site import
//! refused whole with every row and column, a takeover of a stored site
//! outside the jurisdiction refused, relocations checked against the
//! registry, and the follow-up view and optimiser over what was stored.

use revita_app::auth::{Actor, Origin};
use revita_methods::access::{Access, Grant, Role};
use revita_methods::relocation::{Kpi, Targets};

use super::*;

fn actor(name: &str, role: Role, scope: &str) -> Actor {
    Actor {
        user_id: 1,
        name: name.into(),
        access: Access::new(vec![Grant { role, scope: code(scope) }]),
        must_change_password: false,
    }
}

const SITES: &str = "code,name,county_code,lon,lat,setting,subtype,capacity_people,capacity_units,certificates\n";

both_backends!(site_imports_are_all_or_nothing_and_never_take_over, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let origin = Origin::default();
    let nanming = actor("nanming_clerk", Role::DataEntry, "520102");
    let yunyan = actor("yunyan_clerk", Role::DataEntry, "520103");
    // A bad row and a row outside the jurisdiction: nothing is written, both named.
    let bad = files.write(
        "bad.csv",
        &format!("{SITES}S1,南明安置点,520102,106.7,26.6,urban,town_or_park,800,200,100\nS2,云岩,520103,106.7,26.6,rural,castle,8,2,0\nS3,云岩,520103,106.7,26.6,rural,infill,8,2,0\n"),
    );
    let problems = rejected(app.import_resettlement_sites(&nanming, &bad, false, &origin).await);
    assert_eq!(problems.len(), 1, "the reader's problem comes first: {problems:?}");
    assert!(problems[0].contains("row 3") && problems[0].contains("'subtype'"), "{problems:?}");
    let outside = files.write(
        "outside.csv",
        &format!("{SITES}S1,南明安置点,520102,106.7,26.6,urban,town_or_park,800,200,100\nS3,云岩,520103,106.7,26.6,rural,infill,8,2,0\n"),
    );
    let problems = rejected(app.import_resettlement_sites(&nanming, &outside, true, &origin).await);
    assert!(
        problems[0].contains("row 3")
            && problems[0].contains("'county_code'")
            && problems[0].contains("outside your jurisdiction")
    );
    assert!(app.test_store().resettlement_sites(None).await.unwrap().is_empty());
    // Yunyan stores S3; Nanming may not take it over by naming it in its own county.
    let ours = files.write("ours.csv", &format!("{SITES}S3,云岩,520103,106.7,26.6,rural,infill,8,2,0\n"));
    app.import_resettlement_sites(&yunyan, &ours, false, &origin).await.unwrap();
    let takeover = files.write("takeover.csv", &format!("{SITES}S3,南明的了,520102,106.7,26.6,rural,infill,8,2,0\n"));
    let problems = rejected(app.import_resettlement_sites(&nanming, &takeover, true, &origin).await);
    assert!(problems[0].contains("row 2") && problems[0].contains("kept by 520103"), "{problems:?}");
    assert_eq!(app.test_store().resettlement_site("S3").await.unwrap().unwrap().county, code("520103"));
    // A good file: the dry run writes nothing, the import writes everything.
    let good =
        files.write("good.csv", &format!("{SITES}S1,南明安置点,520102,106.7,26.6,urban,town_or_park,800,200,100\n"));
    let report = app.import_resettlement_sites(&nanming, &good, true, &origin).await.unwrap();
    assert!(report.dry_run);
    assert!(app.test_store().resettlement_site("S1").await.unwrap().is_none());
    app.import_resettlement_sites(&nanming, &good, false, &origin).await.unwrap();
    let s1 = app.test_store().resettlement_site("S1").await.unwrap().unwrap();
    assert_eq!((s1.category.as_str(), s1.subtype.as_str()), ("concentrated", "town_or_park"));
    // GeoJSON points import like the CSV: the second feature lies outside.
    let points = files.write(
        "sites.geojson",
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[106.71,26.58]},"properties":{"code":"S4",
           "name":"南明二号","county_code":"520102","setting":"rural","subtype":"new_village","capacity_people":40,
           "capacity_units":10,"school":true}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[106.7,26.6]},"properties":{"code":"S5",
           "name":"云岩","county_code":"520103","setting":"rural","subtype":"infill","capacity_people":8,"capacity_units":2}}]}"#,
    );
    let problems = rejected(app.import_resettlement_sites(&nanming, &points, true, &origin).await);
    assert!(problems[0].contains("row 2") && problems[0].contains("outside your jurisdiction"), "{problems:?}");
    let s4_only = std::fs::read_to_string(&points).unwrap().replace("\"520103\"", "\"520102\"");
    std::fs::write(&points, s4_only).unwrap();
    let report = app.import_resettlement_sites(&nanming, &points, false, &origin).await.unwrap();
    assert_eq!(report.records_written, 2);
    let s4 = app.test_store().resettlement_site("S4").await.unwrap().unwrap();
    assert_eq!((s4.lon, s4.lat, s4.school, s4.capacity_units), (106.71, 26.58, true, 10));

    // Relocations: the household must be in the registry within the jurisdiction.
    let households = files.write(
        "h.csv",
        "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
         d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins\n\
         H1,520102001001,4,2,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n\
         H2,520103001001,4,2,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n",
    );
    app.import_households(&households, &revita_app::import::FileImport::default()).await.unwrap();
    let moves = files.write(
        "r.csv",
        "household_id,site_code,registered_poor,persons,labour,employed,housing_area_pc\nH1,S1,1,4,2,0,20\nH2,S1,1,4,2,1,20\nH9,S3,1,4,2,1,20\n",
    );
    let problems = rejected(app.import_relocations(&nanming, &moves, true, &origin).await);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("row 3") && problems[0].contains("registered outside your jurisdiction"));
    assert!(problems[1].contains("row 4") && problems[1].contains("H9 is not a registry household"));
    assert!(problems[2].contains("row 4") && problems[2].contains("site S3 lies in 520103"));
    // 12,000 yuan from 4 persons: above the household cap, kept and flagged.
    let only_h1 = files.write(
        "r1.csv",
        "household_id,site_code,registered_poor,persons,labour,employed,housing_area_pc,self_contribution\n\
         H1,S1,1,4,2,0,20,12000\n",
    );
    let report = app.import_relocations(&nanming, &only_h1, false, &origin).await.unwrap();
    assert_eq!(report.flagged, 1);
    assert_eq!(
        report.notes,
        ["row 2, household H1: self-contribution of 12000 yuan is above 10000 a household (flagged)"]
    );

    let view = app.relocation_follow_up(&nanming, 2024, &Targets::default()).await.unwrap();
    assert_eq!(view.unemployed, ["H1"]);
    assert_eq!(view.flagged.len(), 1);
    assert_eq!(
        (view.flagged[0].household_id.as_str(), view.flagged[0].flag.key()),
        ("H1", "contribution_per_household")
    );
    // Rolled up by the sites' county and province.
    assert_eq!(view.counties.keys().map(|c| c.to_string()).collect::<Vec<_>>(), ["520102"]);
    assert_eq!(view.provinces.keys().map(|c| c.to_string()).collect::<Vec<_>>(), ["520000"]);
    assert_eq!((view.counties[&code("520102")].households, view.provinces[&code("520000")].households), (1, 1));
    assert!(view.county_alerts.iter().any(|a| a.group == code("520102") && a.kpi == Kpi::EmployedHouseholds));
    assert_eq!(view.sites["S1"].value(Kpi::EmployedHouseholds), Some(0.0));
    assert!(view.alerts.iter().any(|a| a.group == "S1" && a.kpi == Kpi::CertificateRate), "100 of 200 units");
    // Yunyan's reader sees only S3, with no households.
    let yunyan_view = app.relocation_follow_up(&yunyan, 2024, &Targets::default()).await.unwrap();
    assert_eq!(yunyan_view.sites.keys().collect::<Vec<_>>(), ["S3"]);
});
