//! The pairing ledger and the evidence brief through the pages and the API
//! (issue 18), on both back ends: the fixture's 1% rule over 1 bn of 2020
//! revenue gives 10 m in 2021, 5 m to each county; 4 m delivered to each is
//! 80% fulfilment; forms refused keep what was typed; a file is refused by
//! row and column; IATI activities; the brief with its PDF.

use revita_methods::access::Role;

use super::pages::post;
use super::*;

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data; boundary=XBOUNDARYX";

fn upload(csrf: &str, name: &str, content: &str) -> String {
    let b = "XBOUNDARYX";
    format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2021\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{b}--\r\n"
    )
}

both_backends!(the_ledger_shows_obligations_fulfilment_and_norms, |store: DynStore| async move {
    let admin = fixture(store).await;
    let en = format!("{}; lang=en", admin.cookie);
    let (status, _, page) = get_text(&admin, "/pairing?year=2021", &[("cookie", "lang=en")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1% × 1000000000 (2020) ÷ 2"), "the basis of the obligation: {page}");
    assert!(page.contains("<td class=\"num\">500.00</td>"), "5 m yuan = 500.00 万元 due: {page}");
    assert!(page.contains("<td class=\"num\">80.0%</td>"), "fulfilment: {page}");
    // A delivery for a pair that does not exist: 422, the reason, the form kept.
    let body = format!(
        "csrf={}&program=%E4%B8%9C%E8%A5%BF%E9%83%A8%E5%8D%8F%E4%BD%9C&donor=520100&recipient=520000&year=2021&kind=funds&project=%E6%A1%A5&amount=9",
        admin.csrf
    );
    let (status, page) = post(&admin, "/pairing/flows", FORM, &en, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("520100 and 520000 are not paired") && page.contains("value=\"桥\""), "{page}");
    // A file with a bad kind and a year before the pairing: every problem, nothing written.
    let bad = "program,donor_code,recipient_code,year,kind,project,amount\n东西部协作,520100,520102,2021,money,a,1\n\
               东西部协作,520100,520102,2010,funds,b,1\n";
    let (status, page) = post(&admin, "/pairing/flows/import", MULTIPART, &en, upload(&admin.csrf, "f.csv", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<td>2</td><td>kind</td>") && page.contains("not in force in 2010"), "{page}");
    // Another 1 m of funds to 南明, at prefecture level: fulfilment 100%,
    // county share 4/5 = 80%, not above the norm.
    let good = "program,donor_code,recipient_code,year,kind,project,amount,sector,county_level,livelihood\n\
                东西部协作,520100,520102,2021,funds,产业园,1000000,industry,0,1\n";
    let (status, page) =
        post(&admin, "/pairing/flows/import", MULTIPART, &en, upload(&admin.csrf, "f.csv", good)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, ledger) = get(&admin, "/api/v1/pairing/ledger?year=2021").await;
    let nanming = ledger["ledger"].as_array().unwrap().iter().find(|r| r["recipient"] == "520102").unwrap().clone();
    assert_eq!((nanming["obligation"].as_f64(), nanming["funds"].as_f64()), (Some(5e6), Some(5e6)));
    assert_eq!((nanming["fulfilment"].as_f64(), nanming["county_share"].as_f64()), (Some(1.0), Some(0.8)));
    assert_eq!(nanming["meets_norms"].as_bool(), Some(false));
    assert_eq!(ledger["total"].as_i64(), Some(2));
    // The workbook: the ledger with its formulas.
    let (status, headers, _) = get_text(&admin, "/pairing/ledger.xlsx?year=2021", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    // The IATI file: one activity per project of funds.
    let (status, headers, xml) = get_text(&admin, "/pairing/iati.xml?from=2021&to=2021", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/xml"));
    assert_eq!(xml.matches("<iati-activity ").count(), 3, "{xml}");
    // A county clerk sees its own pairing only.
    let clerk = log_in(&admin, "nanming_clerk", Role::DataEntry, "520102").await;
    let (_, ledger) = get(&clerk, "/api/v1/pairing/ledger?year=2021").await;
    assert_eq!(ledger["total"].as_i64(), Some(1));
    // A rule refused: a share of 150%.
    let body = format!(
        "csrf={}&program=%E4%B8%9C%E8%A5%BF%E9%83%A8%E5%8D%8F%E4%BD%9C&donor=520100&kind=revenue_share&share=1.5&lag=1&start_year=2016",
        admin.csrf
    );
    let (status, page) = post(&admin, "/pairing/rules", FORM, &en, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("a revenue share is a number above 0 and below 1") && page.contains("value=\"1.5\""),
        "{page}"
    );
});

both_backends!(the_brief_shows_gaps_and_assistance, |store: DynStore| async move {
    let admin = fixture(store).await;
    // Schooling in 贵州 5.0 → 6.0 years (2010 → 2020) against 10 nationally:
    // standing 50% → 60%, ln(1.2)/10 a year; the remaining ln(1/0.6) takes
    // 28 years — more than 20, so "speed up".
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let indicator = "code,name_zh,name_en,unit,direction,aggregation\nschooling,受教育年限,Years of schooling,years,higher_is_better,mean\n";
    admin.import_indicators(&write("i.csv", indicator), &Default::default()).await.unwrap();
    let values = "region_code,indicator,period,value\n520000,schooling,2010,5\n520000,schooling,2020,6\n\
                  000000,schooling,2010,10\n000000,schooling,2020,10\n";
    admin.import_observations(&write("o.csv", values), &Default::default(), &|_| {}).await.unwrap();
    let uri = "/brief?region=520000&year=2021&indicators=schooling";
    let (status, _, page) = get_text(&admin, uri, &[("cookie", "lang=en")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Speed up: at the recent trend the gap closes in 28 years"), "{page}");
    assert!(page.contains("500.00") && page.contains("400.00"), "the assistance received, due and delivered: {page}");
    let (_, _, zh) = get_text(&admin, uri, &[("cookie", "lang=zh")]).await;
    assert!(zh.contains("加快追赶") && zh.contains("对口支援情况"), "{zh}");
    let (status, headers, _) = get_text(&admin, "/brief.pdf?region=520000&year=2021&indicators=schooling", &[]).await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    let (status, brief) = get(&admin, "/api/v1/brief?region=520000&year=2021&indicators=schooling").await;
    assert_eq!(status, StatusCode::OK, "{brief}");
    let years = brief["indicators"][0]["trend"]["years_to_close"].as_f64().unwrap();
    assert!(((1.0_f64 / 0.6).ln() / (1.2_f64.ln() / 10.0) - years).abs() < 1e-9, "{years}");
    assert_eq!(brief["assistance"]["due"].as_f64(), Some(1e7));
    // A neutral indicator (population) has its gap but no recommendation.
    let (_, brief) = get(&admin, "/api/v1/brief?region=520000&year=2021&indicators=pop_total").await;
    assert!(brief["indicators"][0]["recommendation"].is_null(), "{brief}");
    let (status, _) = get(&admin, "/api/v1/brief?region=520000&year=2021&indicators=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});
