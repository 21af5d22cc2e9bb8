//! Coal-mining subsidence areas through the pages and the API (issue 20),
//! on both back ends: who lies inside an area (the fixture's village and
//! household points), houses graded and farmland classed from imported
//! files (a bad file refused by row and column), progress recorded by
//! version, the registry's map, and a county user who may not take over
//! another county's area by importing its code.

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

both_backends!(an_area_counts_who_lies_inside_and_grades_its_houses, |store: DynStore| async move {
    let admin = fixture(store).await;
    let en = format!("{}; lang=en", admin.cookie);
    // The fixture's 南明 area holds its village (800 people) and household.
    let (status, area) = get(&admin, "/api/v1/subsidence/1").await;
    assert_eq!(status, StatusCode::OK, "{area}");
    assert_eq!(area["inside"]["villages"].as_array().unwrap().len(), 1, "{area}");
    assert_eq!(area["inside"]["village_population"].as_i64(), Some(800));
    assert_eq!(area["inside"]["households"][0]["id"], "520102");
    // Houses: a row without any measure and a non-number are refused by row
    // and column; nothing is written.
    let bad = "house_id,household_id,strain,curvature,tilt\nF1,520102,2.0,,\nF2,,,,\nF3,,x,,\n";
    let (status, page) =
        post(&admin, "/subsidence/1/import", MULTIPART, &en, upload(&admin.csrf, "houses", "h.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<td>3</td><td>strain</td>") && page.contains("<td>4</td><td>strain</td>"), "{page}");
    assert_eq!(get(&admin, "/api/v1/subsidence/1").await.1["houses"].as_array().unwrap().len(), 0);
    // The table's boundaries (methods.md §7.3): ε 2.0 → I, 2.01 → II,
    // K 0.6 → III, i 10.01 → IV; the worst measure decides.
    let good =
        "house_id,household_id,strain,curvature,tilt\nF1,520102,2.0,,\nF2,,2.01,0.1,1\nF3,,,0.6,\nF4,,1,,10.01\n";
    let (status, page) =
        post(&admin, "/subsidence/1/import", MULTIPART, &en, upload(&admin.csrf, "houses", "h.csv", good)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, area) = get(&admin, "/api/v1/subsidence/1").await;
    assert_eq!(area["houses_by_grade"], serde_json::json!({"I": 1, "II": 1, "III": 1, "IV": 1}), "{area}");
    assert_eq!(area["houses"][3]["decided_by"], "tilt", "{area}");
    // Farmland: 8 mm/m is light, 16.5 severe… by the worst measure.
    let parcels = "parcel_id,hectares,deformation,depth\nP1,10,8,1\nP2,4,,6.5\nP3,2.5,12,\n";
    let (status, page) =
        post(&admin, "/subsidence/1/import", MULTIPART, &en, upload(&admin.csrf, "farmland", "f.csv", parcels)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, area) = get(&admin, "/api/v1/subsidence/1").await;
    assert_eq!(area["hectares_by_class"], serde_json::json!({"light": 10.0, "moderate": 2.5, "severe": 4.0}));
    // Progress by version: 30 of 120 households relocated; a stale version
    // is refused.
    let body = format!("csrf={}&version=1&households_to_relocate=120&households_relocated=30&plan_id=1", admin.csrf);
    let (status, page) = post(&admin, "/subsidence/1/progress", FORM, &en, body.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, page) = post(&admin, "/subsidence/1/progress", FORM, &en, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("changed by someone else"), "{page}");
    let (_, area) = get(&admin, "/api/v1/subsidence/1").await;
    assert_eq!(area["progress"][0]["share"].as_f64(), Some(0.25), "{area}");
    assert_eq!(area["plan_id"].as_i64(), Some(1));
    // The page in Chinese, with the grades and the plan linked.
    let (status, _, page) = get_text(&admin, "/subsidence/1", &[("cookie", "lang=zh")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("房屋损坏等级") && page.contains("治理进度") && page.contains("25.0%"), "{page}");
    assert!(page.contains("href=\"/plans/1\""), "{page}");
    let (_, _, list) = get_text(&admin, "/subsidence", &[("cookie", "lang=en")]).await;
    assert!(list.contains("<svg") && list.contains("NM-1") && list.contains("YY-1"), "{list}");
    // Places are paged by kind and id.
    let (_, places) = get(&admin, "/api/v1/places?limit=3").await;
    assert_eq!(places["places"].as_array().unwrap().len(), 3, "{places}");
    assert_eq!(places["next"], "village:520102001001", "{places}");
});

both_backends!(a_county_may_not_take_over_another_countys_area, |store: DynStore| async move {
    let admin = fixture(store).await;
    let clerk = log_in(&admin, "nanming_clerk", Role::DataEntry, "520102").await;
    let en = format!("{}; lang=en", clerk.cookie);
    // YY-1 is 云岩's; 南明's clerk imports a feature with its code placed in 南明.
    let takeover = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"code":"YY-1","name":"抢占","county_code":"520102"},
        "geometry":{"type":"Polygon","coordinates":[[[106.7,26.5],[106.8,26.5],[106.8,26.6],[106.7,26.5]]]}}]}"#;
    let (status, page) =
        post(&clerk, "/subsidence/areas", MULTIPART, &en, upload(&clerk.csrf, "", "a.geojson", takeover)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("outside your jurisdiction"), "{page}");
    assert_eq!(get(&admin, "/api/v1/subsidence/2").await.1["name"], "云岩沉陷区");
    // A self-intersecting outline is refused with its feature number.
    let bow_tie = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"code":"NM-2","name":"蝴蝶","county_code":"520102"},
        "geometry":{"type":"Polygon","coordinates":[[[106.7,26.5],[106.8,26.6],[106.8,26.5],[106.7,26.6],[106.7,26.5]]]}}]}"#;
    let (status, page) =
        post(&clerk, "/subsidence/areas", MULTIPART, &en, upload(&clerk.csrf, "", "a.geojson", bow_tie)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<td>1</td><td>feature 1</td>"), "{page}");
    // Nor may the clerk read 云岩's area, nor see its places.
    assert_eq!(get_text(&clerk, "/subsidence/2", &[]).await.0, StatusCode::FORBIDDEN);
    let (_, places) = get(&clerk, "/api/v1/places").await;
    assert!(places.to_string().contains("520102") && !places.to_string().contains("520103"), "{places}");
});
