//! Post-disaster recovery through the pages and the API (issue 21), on both
//! back ends: an event recorded, its counties, unit costs and assessment
//! imported (a bad file refused by row and column), damage, losses and
//! needs by the worked example's arithmetic, a fund shared, counterparts
//! assigned into the pairing ledger, the plan made, the report downloaded.

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

both_backends!(an_event_is_assessed_funded_paired_and_planned, |store: DynStore| async move {
    let admin = fixture(store).await;
    let en = format!("{}; lang=en", admin.cookie);
    // Refused: a kind that is not one; what was typed is kept.
    let body = format!(
        "csrf={}&name=%E8%B4%B5%E9%98%B3%E5%9C%B0%E9%9C%87&kind=quake&occurred_on=2021-06-01&region=520100",
        admin.csrf
    );
    let (status, page) = post(&admin, "/disasters", FORM, &en, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("kind: &#x27;quake&#x27;") || page.contains("kind: 'quake'"), "{page}");
    assert!(page.contains("value=\"贵阳地震\""), "{page}");
    let needs = "%7B%22uplift%22%3A%7B%22housing%22%3A0.25%2C%22education%22%3A0.2%7D%2C%22default_uplift%22%3A0.1%2C%22recovery_share%22%3A0.5%7D";
    let body = format!(
        "csrf={}&name=%E8%B4%B5%E9%98%B3%E5%9C%B0%E9%9C%87&kind=earthquake&occurred_on=2021-06-01&region=520100&needs={needs}",
        admin.csrf
    );
    let (status, _) = post(&admin, "/disasters", FORM, &en, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = 3; // after the fixture's two
    let uri = format!("/disasters/{id}/import");
    // A county outside the event's region (520000 is above 520100): refused.
    let bad = "county_code,severity,affected\n520102,severe,1000\n520000,light,5\n520103,terrible,1\n";
    let (status, page) = post(&admin, &uri, MULTIPART, &en, upload(&admin.csrf, "counties", "c.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<td>4</td><td>severity</td>"), "{page}");
    let counties = "county_code,severity,affected\n520102,extreme,3000\n520103,severe,1000\n";
    let (status, page) = post(&admin, &uri, MULTIPART, &en, upload(&admin.csrf, "counties", "c.csv", counties)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let costs = "sector,asset,replacement_cost,repair_cost\nhousing,house,200000,30000\neducation,school,5000000,0\n";
    let (status, page) = post(&admin, &uri, MULTIPART, &en, upload(&admin.csrf, "unit_costs", "u.csv", costs)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The methods' worked example: damage 29 m + 10 m in 南明, 60 m of road
    // in 云岩 (its own cost); tourism losses 16 m.
    let lines = "county_code,sector,asset,ownership,kind,destroyed,damaged,replacement_cost,repair_cost,baseline,actual,additional_costs\n\
                 520102,housing,house,private,damage,100,300,,,,,\n\
                 520102,education,school,public,damage,2,,,,,,\n\
                 520103,transport,road_km,public,damage,40,,1500000,,,,\n\
                 520103,tourism,visitors,private,loss,,,,,30000000,15000000,1000000\n";
    let (status, page) = post(&admin, &uri, MULTIPART, &en, upload(&admin.csrf, "assessment", "a.csv", lines)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, event) = get(&admin, &format!("/api/v1/disasters/{id}")).await;
    assert_eq!((event["total"]["damage"].as_f64(), event["total"]["losses"].as_f64()), (Some(99e6), Some(16e6)));
    // Needs: 29 × 1.25 + 10 × 1.2 + 60 × 1.1 = 114.25 m, + 8 m recovery.
    assert!((event["total"]["needs"].as_f64().unwrap() - 122.25e6).abs() < 1e-3, "{event}");
    assert_eq!(event["by_group"]["social"]["damage"].as_f64(), Some(39e6));
    let (_, _, page) = get_text(&admin, &format!("/disasters/{id}"), &[("cookie", "lang=zh")]).await;
    assert!(page.contains("损毁") && page.contains("12,225.00"), "needs in 万元 in Chinese: {page}");
    // Households rebuilt: the registry's 南明 household completed; an
    // unknown household refused.
    let bad = "household_id,status,grant,completed_on\nNOPE,planned,,\n";
    let (status, page) = post(&admin, &uri, MULTIPART, &en, upload(&admin.csrf, "rebuilds", "r.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("NOPE is not a registry household"), "{page}");
    let good = "household_id,status,grant,completed_on\n520102,completed,30000,2022-05-01\n520103,under_way,30000,\n";
    let (status, page) = post(&admin, &uri, MULTIPART, &en, upload(&admin.csrf, "rebuilds", "r.csv", good)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Housing rebuilt, household by household"), "{page}");
    let (_, event) = get(&admin, &format!("/api/v1/disasters/{id}")).await;
    assert_eq!(event["rebuilds"].as_array().unwrap().len(), 2, "{event}");
    // A fund of 1,000 万元, all by needs.
    let (_, fund) = get(&admin, &format!("/api/v1/disasters/{id}/fund?total=10000000&needs_weight=1")).await;
    let shares = fund["shares"].as_array().unwrap();
    let nanming = shares.iter().find(|s| s["county"] == "520102").unwrap();
    // 南明's needs 48.25 m of 122.25 m.
    assert!((nanming["amount"].as_f64().unwrap() - 1e7 * 48.25 / 122.25).abs() < 1e-3, "{fund}");
    // Counterparts: one province per county; 贵阳 twice is refused.
    let body = format!("csrf={}&pairs=520000%2C520102%0A520000%2C520102&start_year=2021", admin.csrf);
    let (status, page) = post(&admin, &format!("/disasters/{id}/counterparts"), FORM, &en, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("has two counterparts"), "{page}");
    let body = format!("csrf={}&pairs=520000%2C520102%0A520000%2C520103&start_year=2021", admin.csrf);
    let (status, _) = post(&admin, &format!("/disasters/{id}/counterparts"), FORM, &en, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, ledger) = get(&admin, "/api/v1/pairing/ledger?year=2022&program=%E7%81%BE%E5%90%8E%E6%81%A2%E5%A4%8D%E9%87%8D%E5%BB%BA%EF%BC%9A%E8%B4%B5%E9%98%B3%E5%9C%B0%E9%9C%87").await;
    assert_eq!(ledger["total"].as_i64(), Some(2), "{ledger}");
    assert!(ledger["ledger"][0]["basis"].as_str().is_none(), "no revenue of 2021 is stored for 520000: {ledger}");
    // The reconstruction plan, made once.
    let body = format!("csrf={}&version=1", admin.csrf);
    let (status, _) = post(&admin, &format!("/disasters/{id}/plan"), FORM, &en, body.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, event) = get(&admin, &format!("/api/v1/disasters/{id}")).await;
    let plan = event["plan_id"].as_i64().unwrap();
    let (_, plan) = get(&admin, &format!("/api/v1/plans/{plan}")).await;
    assert_eq!(plan["goals"].as_array().unwrap().len(), 4, "{plan}");
    // The report.
    let (status, headers, _) = get_text(&admin, &format!("/disasters/{id}/report.pdf"), &[]).await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    let (status, _, _) = get_text(&admin, &format!("/disasters/{id}/report.xlsx"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    // A planner of 云岩 cannot read the event kept by 贵阳.
    let yunyan = log_in(&admin, "yunyan_planner", Role::Planner, "520103").await;
    assert_eq!(get_text(&yunyan, &format!("/disasters/{id}"), &[]).await.0, StatusCode::FORBIDDEN);
});
