//! Ecological compensation through the pages and the API (issue 19), on
//! both back ends: an agreement stored by form (a refused one shown again
//! with its reason and text), samples checked then imported (a bad file
//! refused by row and column), a year settled with every step, the
//! statement downloads, a payment recorded by version; another county's
//! planner refused; the API's lists paged; ESV, GEP and the transfer.

use revita_methods::access::Role;

use super::pages::{input_value, post};
use super::*;

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data; boundary=XBOUNDARYX";

/// `text` percent-encoded for a form body.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A multipart form of `fields` and a file.
fn upload(csrf: &str, fields: &[(&str, &str)], name: &str, content: &str) -> String {
    let b = "XBOUNDARYX";
    let mut body = format!("--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
    for (k, v) in fields {
        body.push_str(&format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    body.push_str(&format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{b}--\r\n"
    ));
    body
}

const AGREEMENT: &str = r#"{"name": "南明河新协议", "upstream": "上游县", "downstream": "下游县", "section": "甲断面",
  "sections": [{"name": "甲断面", "lon": 106.7, "lat": 26.57}],
  "rounds": [{"name": "1", "from": 2020, "to": 2025, "k0": 0.85, "amount": 5000000,
    "indicators": [{"code": "codmn", "weight": 0.5, "limit": 2.0}, {"code": "tp", "weight": 0.5, "limit": 0.02}]}]}"#;

both_backends!(an_agreement_is_stored_sampled_settled_and_paid_through_the_pages, |store: DynStore| async move {
    let admin = fixture(store).await;
    let planner = log_in(&admin, "nanming_planner", Role::Planner, "520102").await;
    let form = |fields: &str| fields.replace("{csrf}", &planner.csrf);
    // A refused agreement: 422, the reason, and what was typed kept.
    let bad = AGREEMENT.replace("0.85", "-1");
    let body = form(&format!("csrf={{csrf}}&region=520102&spec={}", encode(&bad)));
    let (status, page) = post(&planner, "/eco/agreements", FORM, &planner.cookie, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("k0 must be above 0") && page.contains("&quot;k0&quot;: -1"), "{page}");
    // Outside the planner's county: refused.
    let body = form(&format!("csrf={{csrf}}&region=520103&spec={}", encode(AGREEMENT)));
    let (status, _) = post(&planner, "/eco/agreements", FORM, &planner.cookie, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = form(&format!("csrf={{csrf}}&region=520102&spec={}", encode(AGREEMENT)));
    let (status, _) = post(&planner, "/eco/agreements", FORM, &planner.cookie, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = 3; // after the fixture's two
    let (status, _, page) = get_text(&planner, &format!("/eco/agreements/{id}"), &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("南明河新协议") && page.contains("甲断面"), "{page}");

    // Samples are entered by the county's data-entry clerk.
    let clerk = log_in(&admin, "nanming_clerk2", Role::DataEntry, "520102").await;
    // A sample file with an unknown section and a repeated sample: 422,
    // every problem by row and column, nothing written.
    let bad = "section,date,indicator,upstream,downstream\n乙断面,2021-01-05,tp,0.02,0.02\n\
               甲断面,2021-01-05,tp,0.02,0.02\n甲断面,2021-01-05,tp,0.02,0.02\n";
    let uri = format!("/eco/agreements/{id}/samples");
    let english = format!("{}; lang=en", clerk.cookie);
    let (status, page) = post(&clerk, &uri, MULTIPART, &english, upload(&clerk.csrf, &[], "s.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<td>2</td><td>section</td>") && page.contains("this sample is already on row 3"), "{page}");
    // Checked first (a dry run), then imported: codmn 1.6 and 1.7/1.5 (12.5%
    // apart, reserve 1.6); tp 0.02 — P = 0.85 × (0.5 × 0.8 + 0.5 × 1) = 0.765.
    let good = "section,date,indicator,upstream,downstream,reserve\n甲断面,2021-01-05,codmn,1.6,1.6,\n\
                甲断面,2021-02-05,codmn,1.7,1.5,1.6\n甲断面,2021-01-05,tp,0.02,0.02,\n";
    let body = upload(&clerk.csrf, &[("dry_run", "1")], "s.csv", good);
    let (status, page) = post(&clerk, &uri, MULTIPART, &english, body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Checked: 3 samples"), "{page}");
    let (status, page) = post(&clerk, &uri, MULTIPART, &english, upload(&clerk.csrf, &[], "s.csv", good)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Imported 3 samples"), "{page}");
    // The running index before settling, then the year settled.
    assert!(page.contains("0.7650"), "the running P: {page}");
    let body = form("csrf={csrf}&year=2021");
    let (status, _) = post(&planner, &format!("/eco/agreements/{id}/settle"), FORM, &planner.cookie, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = get_text(&planner, &format!("/eco/agreements/{id}"), &[]).await;
    assert!(page.contains("P = k0 × Σ = 0.85 × 0.9000 = <strong class=\"p-value\">0.7650</strong>"), "{page}");
    assert!(page.contains("下游县 → 上游县: <strong>500.00 万元</strong>"), "{page}");
    // A year no round covers is refused with the form kept.
    let (status, page) =
        post(&planner, &format!("/eco/agreements/{id}/settle"), FORM, &planner.cookie, form("csrf={csrf}&year=2030"))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("no round of the agreement covers 2030") && page.contains("value=\"2030\""), "{page}");

    // The statement: a workbook and a PDF.
    let (status, headers, _) = get_text(&planner, &format!("/eco/agreements/{id}/statements/2021.xlsx"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let (status, headers, _) = get_text(&planner, &format!("/eco/agreements/{id}/statements/2021.pdf"), &[]).await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    let (status, _, _) = get_text(&planner, &format!("/eco/agreements/{id}/statements/2019.pdf"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a year not settled has no statement");

    // The payment: paid needs its day; then recorded; a stale version is refused.
    let (_, _, page) = get_text(&planner, &format!("/eco/agreements/{id}"), &[]).await;
    let payment = page.split("id=\"payment-form-").nth(1).unwrap().split('"').next().unwrap().to_string();
    let uri = format!("/eco/payments/{payment}");
    let en = format!("{}; lang=en", planner.cookie);
    let (status, page) = post(&planner, &uri, FORM, &en, form("csrf={csrf}&version=1&status=paid")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("paid_on: give the day it was paid"), "{page}");
    let paid = form("csrf={csrf}&version=1&status=paid&paid_on=2022-03-01&reference=V-7");
    let (status, _) = post(&planner, &uri, FORM, &planner.cookie, paid.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = post(&planner, &uri, FORM, &en, paid).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("changed by someone else"), "{page}");
    // Once paid, the year is not settled again.
    let (status, page) =
        post(&planner, &format!("/eco/agreements/{id}/settle"), FORM, &planner.cookie, form("csrf={csrf}&year=2021"))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("is paid: it is not settled again"), "{page}");
    // The ledger shows it, in Chinese too.
    let (_, _, page) = get_text(&planner, "/eco/ledger", &[("cookie", "lang=zh")]).await;
    assert!(page.contains("补偿资金台账") && page.contains("已支付") && page.contains("V-7"), "{page}");

    // Another county's planner: refused the page, the settlement and the payment.
    let yunyan = log_in(&admin, "yunyan_planner", Role::Planner, "520103").await;
    assert_eq!(get_text(&yunyan, &format!("/eco/agreements/{id}"), &[]).await.0, StatusCode::FORBIDDEN);
    let body = format!("csrf={}&year=2021", yunyan.csrf);
    let (status, _) = post(&yunyan, &format!("/eco/agreements/{id}/settle"), FORM, &yunyan.cookie, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = format!("csrf={}&version=2&status=due", yunyan.csrf);
    let (status, _) = post(&yunyan, &uri, FORM, &yunyan.cookie, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Moving an agreement into another county is refused even to its keeper.
    let body = form(&format!("csrf={{csrf}}&version=1&region=520103&spec={}", encode(AGREEMENT)));
    let (status, _) = post(&planner, &format!("/eco/agreements/{id}/edit"), FORM, &planner.cookie, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

both_backends!(the_eco_api_pages_its_lists_and_settles, |store: DynStore| async move {
    let admin = fixture(store).await;
    let origin = revita_app::auth::Origin { now: revita_web::auth::now(), ..Default::default() };
    let actor = admin.actor_named("admin").await.unwrap();
    let (token, _) = admin.create_api_token(&actor, "etl", 30, &origin).await.unwrap();
    let (status, page) = get(&admin, "/api/v1/eco/agreements?limit=1").await;
    assert_eq!((status, page["total"].as_i64(), page["next"].as_str()), (StatusCode::OK, Some(2), Some("1")));
    let (_, page) = get(&admin, "/api/v1/eco/agreements?limit=1&after=1").await;
    assert_eq!(page["agreements"][0]["id"].as_i64(), Some(2));
    let (status, _) = get(&admin, "/api/v1/eco/agreements?after=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, one) = get(&admin, "/api/v1/eco/agreements/1").await;
    assert_eq!(status, StatusCode::OK);
    // Settled in the fixture: P = 0.9 × 0.1/0.1 = 0.9, met.
    assert_eq!(one["settlements"][0]["settlement"]["sections"][0]["p"].as_f64(), Some(0.9));
    assert_eq!(one["sample_years"][0]["year"].as_i64(), Some(2021));
    // The 2021 samples run at P = 0.9, below the 0.95 alert.
    assert_eq!(one["running"]["alert"].as_bool(), Some(false));
    let (status, s) =
        post_json(&admin, "/api/v1/eco/agreements/1/settle", &token, "application/json", r#"{"year":2021}"#).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["transfers"][0]["payer"].as_str(), Some("南明河下游"));
    let (_, ledger) = get(&admin, "/api/v1/eco/payments?agreement=1").await;
    assert_eq!(ledger["total"].as_i64(), Some(2));
    let (status, headers, csv) = get_text(&admin, "/api/v1/eco/payments.csv", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv") && csv.starts_with('\u{feff}'));
    let body = r#"{"status":"waived","version":1}"#;
    let (status, p) = post_json(&admin, "/api/v1/eco/payments/1", &token, "application/json", body).await;
    assert_eq!((status, p["version"].as_i64()), (StatusCode::OK, Some(2)), "{p}");
    let (status, e) = post_json(&admin, "/api/v1/eco/payments/1", &token, "application/json", body).await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    // ESV: 100 ha of paddy × 3.89 equivalents × 1,498.5756 = 582,946 yuan.
    let (status, esv) = get(&admin, "/api/v1/eco/esv").await;
    assert_eq!((status, esv["total"].as_i64()), (StatusCode::OK, Some(2)));
    assert_eq!(esv["esv"][0]["total"].as_f64().unwrap().round(), 582_946.0);
    let (_, gep) = get(&admin, "/api/v1/eco/gep?limit=1").await;
    assert_eq!((gep["gep"][0]["total"].as_f64(), gep["next"].as_str()), (Some(30_000.0), Some("520102:2020")));
    let (_, gep) = get(&admin, "/api/v1/eco/gep?after=520102:2020").await;
    assert_eq!(gep["gep"][0]["region"].as_str(), Some("520103"));
    // The transfer: 500 × 0.5 + 10 × 1,000 + 2 × 10,000 = 30,250.
    let body = r#"{"coefficient":0.5,"prohibited_rate":1000,"ranger_standard":10000,
                   "counties":[{"county":"A","standard_expenditure":800,"standard_revenue":300,"prohibited_area":10,"rangers":2}]}"#;
    let (status, t) = post_json(&admin, "/api/v1/eco/transfer", &token, "application/json", body).await;
    assert_eq!((status, t["grants"][0]["grant"].as_f64()), (StatusCode::OK, Some(30_250.0)), "{t}");
});

both_backends!(esv_gep_and_the_transfer_have_pages, |store: DynStore| async move {
    let admin = fixture(store).await;
    let (status, _, page) = get_text(&admin, "/eco/esv", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"standard-equivalent\">1498.58</strong>"), "{page}");
    assert!(page.contains("<svg") && page.contains("58.29"), "a map and the value in 万元: {page}");
    let (_, _, zh) = get_text(&admin, "/eco/esv", &[("cookie", "lang=zh")]).await;
    assert!(zh.contains("生态系统服务价值") && zh.contains("水文调节") && zh.contains("物质产品"), "{zh}");
    assert!(zh.contains("水田 58.29"), "ESV by ecosystem type, named in Chinese: {zh}");
    // A land-use file with a type Xie's table does not name: refused by row.
    let csrf = input_value(&page, "csrf");
    let bad = "region_code,year,type,hectares\n520102,2021,orchard,5\n";
    let (status, page) =
        post(&admin, "/eco/land-use", MULTIPART, &admin.cookie, upload(&csrf, &[], "l.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("&#x27;orchard&#x27; is not one of") || page.contains("'orchard' is not one of"), "{page}");
    // A parameter set saved under a name opens by its link.
    let spec = r#"{"name":"贵州修正","grain_yield":4600.89,"grain_price":2.28,"corrections":{"520000":1.2}}"#;
    let body = format!("csrf={csrf}&name={}&spec={}", encode("贵州修正"), encode(spec));
    let (status, _) = post(&admin, "/eco/esv/specs", FORM, &admin.cookie, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The transfer form with a county file: each component in 万元, totals.
    let (status, _, page) = get_text(&admin, "/eco/transfer", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let fields = [
        ("coefficient", "0.5"),
        ("prohibited_rate", "1000"),
        ("ranger_standard", "10000"),
        ("reward_rate", "0.01"),
        ("penalty_rate", "0.02"),
        ("budget_wan", "10"),
        ("unit_wan", "0.1"),
    ];
    let counties = "county,standard_expenditure,standard_revenue,prohibited_area,rangers,quality_change\n\
                    A,800,300,100,20,2\nB,100,400,50,0,-3\n";
    let csrf = input_value(&page, "csrf");
    let (status, page) =
        post(&admin, "/eco/transfer", MULTIPART, &admin.cookie, upload(&csrf, &fields, "c.csv", counties)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The methods' hand-checked example: 100,000 yuan shared 87,000 / 13,000.
    assert!(page.contains("<strong>8.70</strong>") && page.contains("<strong>1.30</strong>"), "{page}");
    let bad = "county,standard_expenditure,standard_revenue\nA,x,1\n";
    let (status, page) =
        post(&admin, "/eco/transfer", MULTIPART, &admin.cookie, upload(&csrf, &fields, "c.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("standard_expenditure") && page.contains("is not a number"), "{page}");
});
