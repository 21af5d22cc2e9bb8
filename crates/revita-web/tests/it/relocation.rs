//! Relocation, the site-assignment optimiser and work-relief through the
//! pages and the API (issue 17), on both back ends: the follow-up KPIs of
//! the fixture's sites (南明's labour household has nobody employed), the
//! optimiser placing each county's village at its site, a relocated
//! household over the 25 m² red line refused by row and column, the 30%
//! rule flagging a 29.9% project, a masked account, rules added in
//! versions by a national decider only.

use revita_methods::access::Role;

use super::pages::post;
use super::*;

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data; boundary=XBOUNDARYX";

fn upload(csrf: &str, kind: &str, name: &str, content: &str) -> String {
    let b = "XBOUNDARYX";
    format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{b}--\r\n"
    )
}

both_backends!(follow_up_assignment_and_work_relief, |store: DynStore| async move {
    let admin = fixture(store).await;
    let en = format!("{}; lang=en", admin.cookie);
    // Follow-up: 南明's labour household has nobody employed (0%, below
    // the 100% target); 云岩's has (100%).
    let (status, f) = get(&admin, "/api/v1/relocation/follow-up?year=2024").await;
    assert_eq!(status, StatusCode::OK, "{f}");
    assert_eq!(f["sites"]["NM-S1"]["kpis"]["employed_households"].as_f64(), Some(0.0), "{f}");
    assert_eq!(f["sites"]["YY-S1"]["kpis"]["employed_households"].as_f64(), Some(1.0), "{f}");
    assert_eq!(f["unemployed_labour_households"], serde_json::json!(["520102"]));
    assert!(f["alerts"].as_array().unwrap().iter().any(|a| a["site"] == "NM-S1" && a["kpi"] == "employed_households"));
    // Rolled up by the sites' county and province; counties below target named.
    assert_eq!(f["counties"]["520102"]["households"].as_i64(), Some(1), "{f}");
    assert_eq!(f["provinces"]["520000"]["households"].as_i64(), Some(2), "{f}");
    assert_eq!(f["provinces"]["520000"]["kpis"]["employed_households"].as_f64(), Some(0.5), "{f}");
    assert!(f["county_alerts"].as_array().unwrap().iter().any(|a| a["county"] == "520102"), "{f}");
    // The follow-up page: the sites' map, the tables by province and county, in Chinese.
    let (status, _, page) = get_text(&admin, "/relocation?year=2024", &[("cookie", "lang=zh")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("安置点分布图") && page.contains("<svg") && page.contains("有指标未达标"), "{page}");
    assert!(
        page.contains("按省汇总") && page.contains("relocation-counties") && page.contains("未达目标的县"),
        "{page}"
    );
    // A site's page: its profile, numbers and households, in Chinese.
    let (status, _, page) = get_text(&admin, "/relocation/sites/1?year=2024", &[("cookie", "lang=zh")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("南明安置点") && page.contains("县城、小城镇或工业园区安置") && page.contains("520102"),
        "{page}"
    );
    // A registered-poor household over the red line without a reason is
    // refused by row and column; nothing is written.
    let bad =
        "household_id,site_code,registered_poor,persons,labour,employed,housing_area_pc\n520102,NM-S1,1,3,1,1,26\n";
    let (status, page) =
        post(&admin, "/relocation/import", MULTIPART, &en, upload(&admin.csrf, "relocations", "r.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<td>2</td><td>housing_area_pc</td>"), "{page}");
    // Over the household cap of self-contribution: written, flagged, listed.
    let flagged = "household_id,site_code,registered_poor,persons,labour,employed,housing_area_pc,self_contribution\n\
        520102,NM-S1,1,4,1,0,20,10500\n";
    let (status, page) =
        post(&admin, "/relocation/import", MULTIPART, &en, upload(&admin.csrf, "relocations", "r.csv", flagged)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1 record(s) flagged for review"), "{page}");
    assert!(
        page.contains("Self-contribution above 10,000 yuan per household") && page.contains("10500.00 yuan"),
        "{page}"
    );
    let (_, f) = get(&admin, "/api/v1/relocation/follow-up?year=2024").await;
    assert_eq!(f["flagged"][0]["flag"], "contribution_per_household", "{f}");
    assert_eq!(f["flagged"][0]["value"].as_f64(), Some(10_500.0), "{f}");
    assert_eq!(
        get(&admin, "/api/v1/relocation/follow-up?year=2024").await.1["unemployed_labour_households"],
        serde_json::json!(["520102"])
    );
    // The optimiser: the two villages (250 and 200 households) and the two
    // sites' 100 and 50 units: 150 placed, 300 not, every site full.
    assert_eq!(get(&admin, "/api/v1/relocation/assign?county=null").await.0, StatusCode::NOT_FOUND);
    let (status, a) = get(&admin, "/api/v1/relocation/assign?k=2").await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["placed"].as_i64(), Some(150), "{a}");
    let unplaced = a["unplaced"].as_array().unwrap();
    assert_eq!(unplaced.iter().map(|u| u["households"].as_i64().unwrap()).sum::<i64>(), 300, "{a}");
    assert!(unplaced.iter().all(|u| u["reason"] == "capacity_exhausted"), "{a}");
    // Within 1 km, no village reaches a site: all 450 unplaced, for want of a site within reach.
    let (_, near) = get(&admin, "/api/v1/relocation/assign?k=2&max_km=0.5").await;
    assert_eq!(near["placed"].as_i64(), Some(0), "{near}");
    assert!(near["unplaced"].as_array().unwrap().iter().all(|u| u["reason"] == "no_site_within_reach"), "{near}");
    let (status, _, page) = get_text(&admin, "/relocation/assign?run=1&k=2&max_km=50", &[("cookie", "lang=zh")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("总距离") && page.contains("南明安置点"), "{page}");
    let (status, _, page) = get_text(&admin, "/relocation/assign?run=1&k=0", &[("cookie", "lang=en")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // Work-relief: 南明's project planned 299,000 of 1,000,000 central
    // funds, 29.9% < 30% (the 2022-on rule): flagged; 云岩's 40% is not.
    let (_, alerts) = get(&admin, "/api/v1/work-relief/alerts").await;
    let projects = alerts["projects"].as_array().unwrap();
    let nanming = projects.iter().find(|p| p["project"] == "NM-P1").expect("南明 flagged");
    assert!(nanming["alerts"].as_array().unwrap().iter().any(|a| a["kind"] == "share_below_rule"), "{alerts}");
    assert!(nanming["alerts"].as_array().unwrap().iter().any(|a| a["kind"] == "never_paid"), "W2 never paid: {alerts}");
    assert!(
        !projects.iter().any(|p| p["project"] == "YY-P1"
            && p["alerts"].as_array().unwrap().iter().any(|a| a["kind"] == "share_below_rule"))
    );
    let (_, d) = get(&admin, "/api/v1/work-relief/dashboard").await;
    assert_eq!(d["total"]["projects"].as_i64(), Some(2));
    assert_eq!(d["by_county"]["520102"]["workers"]["poverty_exited"].as_i64(), Some(1), "{d}");
    assert_eq!(d["by_province"]["520000"]["central"].as_f64(), Some(1_500_000.0), "{d}");
    // A planner accepts 南明's project by its version; a stale version is refused.
    let body = format!("csrf={}&code=NM-P1&version=1&accepted_on=2024-12-01", admin.csrf);
    let (status, page) = post(&admin, "/work-relief/accept", FORM, &en, body.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, page) = post(&admin, "/work-relief/accept", FORM, &en, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("changed by someone else"), "{page}");
    let (_, projects) = get(&admin, "/api/v1/work-relief/projects").await;
    assert!(projects.to_string().contains("accepted"), "{projects}");
    // Rules: a national decider adds a version; the page shows it in Chinese.
    let body = format!("csrf={}&from_year=2026&batch_pattern=*&min_share=35%25&note=test", admin.csrf);
    let (status, page) = post(&admin, "/work-relief/rules", FORM, &en, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, _, page) = get_text(&admin, "/work-relief", &[("cookie", "lang=zh")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("劳务报酬比例低于批次要求") && page.contains("35%"), "{page}");
    // The projects' map: 南明's at its village (with an alert), 云岩's at its county's centre.
    assert!(page.contains("以工代赈项目分布图") && page.contains("村庄点位") && page.contains("县中心"), "{page}");
    assert!(page.contains("#D55E00") && page.contains("南明区"), "{page}");
    let bad = format!("csrf={}&from_year=2026&min_share=abc", admin.csrf);
    let (status, page) = post(&admin, "/work-relief/rules", FORM, &en, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("value=\"abc\""), "what was typed is kept: {page}");
    // Sites as GeoJSON points through the page.
    let points = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point",
        "coordinates":[106.745,26.545]},"properties":{"code":"NM-S2","name":"南明二号","county_code":"520102",
        "setting":"rural","subtype":"new_village","capacity_people":40,"capacity_units":10}}]}"#;
    let (status, page) =
        post(&admin, "/relocation/import", MULTIPART, &en, upload(&admin.csrf, "sites", "s.geojson", points)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("s.geojson: 1 records imported") && page.contains("南明二号"), "{page}");
});

both_backends!(a_county_may_not_set_rules_nor_import_outside, |store: DynStore| async move {
    let admin = fixture(store).await;
    let planner = log_in(&admin, "nanming_planner", Role::Planner, "520102").await;
    let en = format!("{}; lang=en", planner.cookie);
    let body = format!("csrf={}&from_year=2026&min_share=0.1", planner.csrf);
    let (status, _) = post(&planner, "/work-relief/rules", FORM, &en, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A roster line for 云岩's project is refused to 南明's planner.
    let roster = "project_code,worker_id,category\nYY-P1,W9,other_low_income\n";
    let (status, page) =
        post(&planner, "/work-relief/import", MULTIPART, &en, upload(&planner.csrf, "workers", "w.csv", roster)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("outside your jurisdiction"), "{page}");
    // 南明's planner sees only 南明's site and project.
    let (_, sites) = get(&planner, "/api/v1/relocation/sites").await;
    assert_eq!(sites["total"].as_i64(), Some(1), "{sites}");
    let (_, projects) = get(&planner, "/api/v1/work-relief/projects").await;
    assert!(projects.to_string().contains("NM-P1") && !projects.to_string().contains("YY-P1"), "{projects}");
});
