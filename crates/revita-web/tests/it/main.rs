//! API tests: the router runs in-process over a fresh store of each back end
//! loaded with a small Guizhou fixture.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use revita_app::import::{FileImport, ObservationImport};
use revita_app::{App, Profile};
use revita_testkit::both_backends;
use serde_json::Value;
use tower::ServiceExt;

use revita_store::DynStore;

const REGIONS: &str = "code,name_zh,name_en\n000000,全国,China\n520000,贵州省,Guizhou\n520100,贵阳市,Guiyang\n520102,南明区,Nanming\n520103,云岩区,Yunyan\n";
const BOUNDARIES: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"520000"},"geometry":{"type":"Polygon","coordinates":[[[104,25],[109,25],[109,29],[104,29],[104,25]]]}},
{"type":"Feature","properties":{"code":"520102"},"geometry":{"type":"Polygon","coordinates":[[[106.6,26.5],[106.8,26.5],[106.8,26.6],[106.6,26.6],[106.6,26.5]]]}},
{"type":"Feature","properties":{"code":"520103"},"geometry":{"type":"Polygon","coordinates":[[[106.6,26.6],[106.8,26.6],[106.8,26.7],[106.6,26.7],[106.6,26.6]]]}}]}"#;
const INDICATORS: &str = "code,name_zh,unit,aggregation\npop_total,常住人口,persons,sum\n";
const OBSERVATIONS: &str = "region_code,indicator,period,value,source\n520102,pop_total,2020,100,census\n520103,pop_total,2020,300,census\n520100,pop_total,2020,400,census\n520000,pop_total,2020,3000,census\n520000,pop_total,2010,2900,census\n000000,pop_total,2020,140000,census\n";
const DESIGNATIONS: &str = "region_code,category,basis_title,valid_from,valid_to,notes\n520102,poverty_county,832个贫困县名单,2012-01-01,2019-12-31,exited 2019\n520103,key_assistance_county,国家乡村振兴重点帮扶县名单,2021-08-27,,\n";

/// An app with a logged-in national administrator, as the tests' client.
struct Client {
    app: App,
    /// The server: one per client, so that what it keeps between requests
    /// (uploads waiting for confirmation) lasts from one request to the next.
    router: axum::Router,
    /// `revita_session=…`.
    cookie: String,
    /// The session's CSRF token.
    csrf: String,
}

impl std::ops::Deref for Client {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

const PASSWORD: &str = "correct horse battery";

/// Creates a user with one grant and logs it in.
async fn log_in(app: &App, name: &str, role: revita_methods::access::Role, scope: &str) -> Client {
    let grant = revita_methods::access::Grant { role, scope: revita_methods::RegionCode::parse(scope).unwrap() };
    app.create_user(None, name, PASSWORD, &[grant], &revita_app::auth::Origin::default()).await.unwrap();
    let session = app
        .login(name, PASSWORD, &revita_app::auth::Origin { now: revita_web::auth::now(), ..Default::default() })
        .await
        .unwrap();
    Client {
        app: app.clone(),
        router: revita_web::router(app.clone()),
        cookie: format!("{}={}", revita_web::auth::SESSION_COOKIE, session.token),
        csrf: session.csrf,
    }
}

impl Client {
    /// The same user on another server of the same app.
    fn on(self, router: &axum::Router) -> Client {
        Client { router: router.clone(), ..self }
    }
}

async fn fixture(store: DynStore) -> Client {
    let app = App::new(store, &Profile::China);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let plain = FileImport::default();
    app.import_regions(&write("r.csv", REGIONS), &plain).await.unwrap();
    app.import_indicators(&write("i.csv", INDICATORS), &plain).await.unwrap();
    app.import_observations(&write("o.csv", OBSERVATIONS), &ObservationImport::default(), &|_| {}).await.unwrap();
    app.import_designations(&write("d.csv", DESIGNATIONS), &plain).await.unwrap();
    app.import_boundaries(&write("b.geojson", BOUNDARIES), "code", Some("test"), &plain).await.unwrap();
    // Registry households whose ids are their county codes, so that the
    // access table can address each county's household by `{code}`.
    let households = "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
        d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins,head_name,id_number\n\
        520102,520102001001,3,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,1,0,0,张三,520102199001011234\n\
        520103,520103001001,2,1,6000,9000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,李四,520103198512120021\n";
    app.import_households(&write("h.csv", households), &plain).await.unwrap();
    let pairings =
        "program,donor_code,recipient_code,start_year\n东西部协作,520100,520103,2016\n东西部协作,520100,520102,2016\n";
    app.import_pairings(&write("p.csv", pairings), &plain).await.unwrap();
    // One plan per county (numbers 1 and 2), for the access table.
    let planner = revita_app::auth::Actor {
        user_id: 0,
        name: "fixture".into(),
        access: revita_methods::access::Access::new(vec![revita_methods::access::Grant {
            role: revita_methods::access::Role::Admin,
            scope: revita_methods::RegionCode::parse("000000").unwrap(),
        }]),
        must_change_password: false,
    };
    for (county, title) in [("520102", "南明振兴规划"), ("520103", "云岩振兴规划")] {
        let code = revita_methods::RegionCode::parse(county).unwrap();
        let draft = revita_app::plans::PlanDraft {
            title: title.into(),
            kind: revita_methods::plan::PlanKind::FiveYear,
            region: code.clone(),
            scope: revita_methods::plan::PlanScope::Subtree(code),
            start_year: 2021,
            end_year: 2025,
            office: format!("{county} office"),
        };
        app.create_plan(&planner, &draft, &revita_app::auth::Origin::default()).await.unwrap();
    }
    // A saved spec (number 1), for the access table and the API's examples.
    let spec = r#"{"name":"Crowded","universe":{"level":"county"},"indicators":[{"code":"pop_total","direction":"lower_is_better"}],"method":{"kind":"index","bands":[{"upper":0.5,"label":"lagging"},{"upper":1.0,"label":"other"}]}}"#;
    let kind = revita_app::specs::SpecKind::Designation;
    app.save_spec(&planner, kind, "Crowded", spec, None, &revita_app::auth::Origin::default()).await.unwrap();
    // Pairing assistance (issue 18): 贵阳市 gives 1% of its previous year's
    // revenue (1 bn in 2020: 10 m in 2021, 5 m to each county), and
    // delivered 4 m of funds and 12 cadre-months to each in 2021.
    let fiscal = "code,name_zh,unit,aggregation\nfiscal_revenue,一般公共预算收入,yuan,sum\n";
    app.import_indicators(&write("f.csv", fiscal), &plain).await.unwrap();
    let revenue = "region_code,indicator,period,value,source\n520100,fiscal_revenue,2020,1000000000,budget\n";
    app.import_observations(&write("fr.csv", revenue), &ObservationImport::default(), &|_| {}).await.unwrap();
    let rule = revita_app::ledger::PairingRule {
        program: "东西部协作".into(),
        donor: revita_methods::RegionCode::parse("520100").unwrap(),
        kind: "revenue_share".into(),
        share: Some(0.01),
        lag: Some(1),
        base: None,
        growth: None,
        start_year: 2016,
        revenue_indicator: "fiscal_revenue".into(),
        note: None,
    };
    app.set_pairing_rule(&planner, &rule, &revita_app::auth::Origin::default()).await.unwrap();
    let flows = "program,donor_code,recipient_code,year,kind,project,amount,sector,county_level,livelihood\n\
        东西部协作,520100,520102,2021,funds,南明小学,4000000,education,1,1\n\
        东西部协作,520100,520102,2021,cadres,第一批,12,,,\n\
        东西部协作,520100,520103,2021,funds,云岩卫生院,4000000,health,1,1\n\
        东西部协作,520100,520103,2021,cadres,第一批,12,,,\n";
    app.import_pairing_flows(&planner, &write("fl.csv", flows), false, &revita_app::auth::Origin::default())
        .await
        .unwrap();
    // One disaster event per county (numbers 1 and 2), hitting it, with a
    // damage line (issue 21).
    for (county, name) in [("520102", "南明洪涝"), ("520103", "云岩洪涝")] {
        let draft = revita_app::disasters::EventDraft {
            name: name.into(),
            kind: "flood".into(),
            occurred_on: revita_methods::Date::parse("2020-07-01").unwrap(),
            magnitude: None,
            region: revita_methods::RegionCode::parse(county).unwrap(),
            needs: revita_app::disasters::NeedsParameters::from_json(
                r#"{"default_uplift": 0.2, "recovery_share": 0.5}"#,
            )
            .unwrap(),
        };
        let id = app.create_disaster(&planner, &draft, &revita_app::auth::Origin::default()).await.unwrap();
        let origin = revita_app::auth::Origin::default();
        let hit = format!("county_code,severity,affected\n{county},severe,1000\n");
        app.import_disaster_file(&planner, id, "counties", &write("h.csv", &hit), false, &origin).await.unwrap();
        let lines = format!(
            "county_code,sector,asset,ownership,kind,destroyed,replacement_cost\n{county},housing,house,private,damage,10,100000\n"
        );
        app.import_disaster_file(&planner, id, "assessment", &write("d.csv", &lines), false, &origin).await.unwrap();
    }
    // One basin agreement per county (numbers 1 and 2) with a settled 2020
    // (payments 1 and 2), land use and GEP of both counties (issue 19).
    let origin = revita_app::auth::Origin::default();
    for (county, river) in [("520102", "南明河"), ("520103", "云岩河")] {
        let code = revita_methods::RegionCode::parse(county).unwrap();
        let agreement = format!(
            r#"{{"name": "{river}补偿", "upstream": "{river}上游", "downstream": "{river}下游", "section": "{river}断面",
               "rounds": [{{"name": "1", "from": 2019, "to": 2022, "k0": 0.9, "amount": 1000000,
               "indicators": [{{"code": "tp", "weight": 1, "limit": 0.1}}]}}]}}"#
        );
        let id = app.save_eco_agreement(&planner, None, &code, &agreement, &origin).await.unwrap();
        let samples = format!(
            "section,date,indicator,upstream,downstream\n{river}断面,2020-05-01,tp,0.1,0.1\n{river}断面,2021-05-01,tp,0.1,0.1\n"
        );
        app.import_eco_samples(&planner, id, &write("s.csv", &samples), false, &origin).await.unwrap();
        app.settle_eco_year(&planner, id, 2020, &origin).await.unwrap();
    }
    let land = "region_code,year,type,hectares\n520102,2020,paddy,100\n520103,2020,paddy,300\n";
    app.import_land_use(&planner, &write("l.csv", land), false, &origin).await.unwrap();
    let gep = "region_code,year,service,quantity,unit,price,price_method\n520102,2020,food,10,t,3000,market\n520103,2020,food,30,t,3000,market\n";
    app.import_gep(&planner, &write("g.csv", gep), false, &origin).await.unwrap();
    // One subsidence area per county (numbers 1 and 2), a village inside
    // each and each county's registry household as a point (issue 20).
    let areas = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"NM-1","name":"南明沉陷区","county_code":"520102","stability":"subsiding"},
         "geometry":{"type":"Polygon","coordinates":[[[106.70,26.50],[106.80,26.50],[106.80,26.60],[106.70,26.60],[106.70,26.50]]]}},
        {"type":"Feature","properties":{"code":"YY-1","name":"云岩沉陷区","county_code":"520103","stability":"stable"},
         "geometry":{"type":"Polygon","coordinates":[[[106.60,26.60],[106.70,26.60],[106.70,26.70],[106.60,26.70],[106.60,26.60]]]}}]}"#;
    app.import_subsidence_areas(&planner, &write("a.geojson", areas), false, &origin).await.unwrap();
    let places = "kind,id,name,county_code,lon,lat,population,households\n\
        village,520102001001,南明一村,520102,106.75,26.55,800,250\n\
        village,520103001001,云岩一村,520103,106.65,26.65,600,200\n\
        household,520102,,520102,106.76,26.56,3,1\n\
        household,520103,,520103,106.66,26.66,2,1\n";
    app.import_places(&planner, &write("pl.csv", places), false, &origin).await.unwrap();
    // One resettlement site and one work-relief project per county
    // (numbers 1 and 2), each county's registry household relocated to its
    // site, and a roster with a payment (issue 17).
    let sites = "code,name,county_code,lon,lat,setting,subtype,capacity_people,capacity_units,certificates\n\
        NM-S1,南明安置点,520102,106.74,26.54,urban,town_or_park,400,100,80\n\
        YY-S1,云岩安置点,520103,106.64,26.64,rural,new_village,200,50,50\n";
    app.import_resettlement_sites(&planner, &write("s.csv", sites), false, &origin).await.unwrap();
    let moved = "household_id,site_code,registered_poor,same_time_mover,persons,labour,employed,housing_area_pc\n\
        520102,NM-S1,1,0,3,1,0,20\n520103,YY-S1,1,0,2,1,1,22\n";
    app.import_relocations(&planner, &write("m.csv", moved), false, &origin).await.unwrap();
    let projects = "code,name,county_code,village_code,fund_source,batch,year,works_type,total_investment,\
        central_investment,remuneration_planned,remuneration_paid,end_on,accepted_on,status\n\
        NM-P1,南明村道,520102,520102001001,central,第一批,2024,roads,2000000,1000000,299000,100000,2024-10-31,,underway\n\
        YY-P1,云岩水渠,520103,,central,第一批,2024,farmland_water,1000000,500000,200000,200000,2024-10-31,2024-11-30,accepted\n";
    app.import_relief_projects(&planner, &write("rp.csv", projects), false, &origin).await.unwrap();
    let workers = "project_code,worker_id,name,category\nNM-P1,W1,甲,poverty_exited\nNM-P1,W2,乙,returning_migrant\nYY-P1,W3,丙,monitoring_object\nYY-P1,W4,丁,other_low_income\n";
    app.import_relief_workers(&planner, &write("rw.csv", workers), false, &origin).await.unwrap();
    let payments = "project_code,worker_id,paid_on,amount,account\nNM-P1,W1,2024-06-30,5000,6222020200001234\nYY-P1,W3,2024-06-30,4000,6222020200005678\n";
    app.import_relief_payments(&planner, &write("pay.csv", payments), false, &origin).await.unwrap();
    log_in(&app, "admin", revita_methods::access::Role::Admin, "000000").await
}

mod access;
mod admin;
mod auth;
mod disasters;
mod eco;
mod pages;
mod pairing;
mod relocation;
mod sae;
mod server;
mod subsidence;
mod uploads;

/// GETs `uri` with extra headers; returns the status, headers and body text.
async fn get_text(app: &Client, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::builder().uri(uri);
    // The session cookie goes with any cookie a test sends.
    let mut cookies = vec![app.cookie.clone()];
    for (k, v) in headers {
        if *k == "cookie" {
            cookies.push(v.to_string());
        } else {
            request = request.header(*k, *v);
        }
    }
    request = request.header("cookie", cookies.join("; "));
    let response = app.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.unwrap();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// GETs `uri`; returns the status and the JSON body.
async fn get(app: &Client, uri: &str) -> (StatusCode, Value) {
    let request = Request::builder().uri(uri).header("cookie", &app.cookie).body(Body::empty()).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    assert!(response.headers().contains_key("x-request-id"));
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

both_backends!(health_answers_ok_with_the_backend, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, body) = get(&app, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert!(body["backend"] == "sqlite" || body["backend"] == "postgres");
});

both_backends!(a_region_comes_with_breadcrumb_and_designations, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, body) = get(&app, "/api/v1/regions/520102").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name_zh"], "南明区");
    let crumbs: Vec<_> = body["ancestors"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(crumbs, ["000000", "520000", "520100"]);
    assert_eq!(body["designations"][0]["category"], "poverty_county");
    assert_eq!(body["designations"][0]["valid_to"], "2019-12-31");
});

both_backends!(children_descendants_and_search, |store: DynStore| async move {
    let app = fixture(store).await;
    let codes = |v: &Value| {
        v["regions"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let (_, children) = get(&app, "/api/v1/regions/520100/children").await;
    assert_eq!((codes(&children), children["total"].as_i64()), (vec!["520102".to_string(), "520103".into()], Some(2)));
    assert_eq!(codes(&get(&app, "/api/v1/regions/520000/descendants?level=county").await.1), ["520102", "520103"]);
    let (_, found) = get(&app, "/api/v1/search?q=%E4%BA%91%E5%B2%A9").await; // 云岩
    assert_eq!((codes(&found), found["total"].as_i64()), (vec!["520103".to_string()], Some(1)));
    assert_eq!(codes(&get(&app, "/api/v1/search?q=guizhou").await.1), ["520000"]);
});

both_backends!(every_list_pages_by_cursor_and_downloads_as_csv, |store: DynStore| async move {
    let app = fixture(store).await;
    // Descendants one at a time: the cursor walks the whole list, the
    // total is on the first page only.
    let mut seen = Vec::new();
    let mut uri = "/api/v1/regions/520000/descendants?limit=1".to_string();
    loop {
        let (status, page) = get(&app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {page}");
        if seen.is_empty() {
            assert_eq!(page["total"].as_i64(), Some(3), "{page}");
        } else {
            assert!(page.get("total").is_none(), "{page}");
        }
        seen.extend(page["regions"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/regions/520000/descendants?limit=1&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ["520100", "520102", "520103"]);
    // Designations page by region and id.
    let (_, first) = get(&app, "/api/v1/designations?limit=1").await;
    let next = first["next"].as_str().unwrap().to_string();
    assert_eq!(first["total"].as_i64(), Some(2), "{first}");
    let (_, second) = get(&app, &format!("/api/v1/designations?limit=1&after={next}")).await;
    assert_ne!(first["designations"][0]["id"], second["designations"][0]["id"]);
    for bad in ["/api/v1/designations?after=nonsense", "/api/v1/plans?after=%2B5", "/api/v1/search?q=a&limit=501"] {
        assert_eq!(get(&app, bad).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }
    // Each list's `.csv` twin: every row, a byte-order mark, named columns.
    for (uri, header, rows) in [
        ("/api/v1/regions/520100/children.csv", "code,name_zh,name_en,level,parent,valid_from,valid_to", 2),
        ("/api/v1/regions/520000/descendants.csv?level=county", "code,name_zh", 2),
        ("/api/v1/regions/520102/designations.csv", "region,category,class", 1),
        ("/api/v1/designations.csv", "region,category,class", 2),
        ("/api/v1/search.csv?q=%E5%8C%BA", "code,name_zh", 2),
        ("/api/v1/plans.csv", "id,title,kind,region", 2),
        ("/api/v1/indicators.csv", "code,name_zh,name_en,unit", 2),
    ] {
        let (status, headers, body) = get_text(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"), "{uri}");
        let text = body.strip_prefix('\u{feff}').unwrap_or_else(|| panic!("{uri}: no byte-order mark"));
        assert!(text.starts_with(header), "{uri}: {text}");
        assert_eq!(text.lines().count(), rows + 1, "{uri}: {text}");
    }
});

both_backends!(observations_page_with_a_cursor, |store: DynStore| async move {
    let app = fixture(store).await;
    let (_, first) = get(&app, "/api/v1/observations?indicator=pop_total&limit=4").await;
    assert_eq!(first["observations"].as_array().unwrap().len(), 4);
    let next = first["next"].as_str().unwrap().to_string();
    let (_, second) = get(&app, &format!("/api/v1/observations?indicator=pop_total&limit=4&after={next}")).await;
    assert_eq!(second["observations"].as_array().unwrap().len(), 2);
    assert_eq!(second["next"], Value::Null);
    // The first page says how many there are over every page.
    assert_eq!((first["total"].as_i64(), second.get("total")), (Some(6), None));
    let (_, children) = get(&app, "/api/v1/observations?parent=520100&period=2020").await;
    assert_eq!(children["observations"].as_array().unwrap().len(), 2);
});

both_backends!(a_county_users_observation_pages_are_full, |store: DynStore| async move {
    // Issue 15: pages were filtered after the fetch, so a county user's
    // came back short or empty and the cursor named foreign regions.
    let admin = fixture(store).await;
    let clerk = log_in(&admin, "nanming_viewer", revita_methods::access::Role::Viewer, "520102").await;
    let mut rows = String::from("region_code,indicator,period,value,source\n");
    for year in 1990..2010 {
        for region in ["520103", "520102", "520000"] {
            rows.push_str(&format!("{region},pop_total,{year},{year},test\n"));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("more.csv");
    std::fs::write(&path, rows).unwrap();
    admin.import_observations(&path, &ObservationImport::default(), &|_| {}).await.unwrap();
    let mut sizes = Vec::new();
    let mut uri = "/api/v1/observations?limit=6".to_string();
    loop {
        let (status, page) = get(&clerk, &uri).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["observations"].as_array().unwrap();
        assert!(rows.iter().all(|o| o["region"] == "520102"), "{page}");
        sizes.push(rows.len());
        match page["next"].as_str() {
            Some(next) => {
                assert!(next.contains("|520102|"), "the cursor names only what the reader may see: {next}");
                uri = format!("/api/v1/observations?limit=6&after={next}");
            }
            None => break,
        }
    }
    // 南明: 2020 from the fixture and 1990–2009 here, 21 rows.
    assert_eq!(sizes, [6, 6, 6, 3]);
    // The total counts what the reader may see, no more.
    let (_, first) = get(&clerk, "/api/v1/observations?limit=6").await;
    assert_eq!(first["total"], 21);
    // So does the list as one CSV file, which imports again.
    let (status, headers, csv) = get_text(&clerk, "/api/v1/observations.csv?indicator=pop_total", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.starts_with("\u{feff}region_code,indicator,period,value,source,status\n"), "{csv}");
    assert_eq!(csv.lines().count(), 22, "a header and 南明's 21 rows");
    assert!(csv.lines().skip(1).all(|l| l.starts_with("520102,")), "{csv}");
});

both_backends!(rollups_and_indicators, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, body) = get(&app, "/api/v1/rollup?region=520100&indicator=pop_total&period=2020").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["value"].as_f64(), body["complete"].as_bool()), (Some(400.0), Some(true)));
    let (_, indicator) = get(&app, "/api/v1/indicators/pop_total").await;
    assert_eq!(indicator["periods"], serde_json::json!(["2010", "2020"]));
    let (_, inventory) = get(&app, "/api/v1/inventory").await;
    assert_eq!(inventory["observations"], 7, "six populations and the donor's revenue");
});

both_backends!(errors_have_a_status_a_code_and_a_request_id, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, body) = get(&app, "/api/v1/regions/529999").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert_eq!(body["message"], "region 529999 not found");
    assert!(!body["request_id"].as_str().unwrap().is_empty());
    let (status, body) = get(&app, "/api/v1/observations?period=20x").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    let (status, _) = get(&app, "/api/v1/designations?category=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Issue 16: what the framework refuses before a handler runs is JSON too.
    let (status, headers, text) = get_text(&app, "/api/v1/observations?limit=many", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers["content-type"], "application/json");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], "invalid_request");
    assert!(body["message"].as_str().unwrap().contains("limit"), "{body}");
    assert!(!body["request_id"].as_str().unwrap().is_empty());
    let request = Request::builder()
        .method("DELETE")
        .uri("/api/v1/regions/520102")
        .header("cookie", &app.cookie)
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.headers().contains_key("allow"));
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["code"], "method_not_allowed");
    // Values the API's description rules out are refused, not answered
    // with an empty list.
    for uri in [
        "/api/v1/observations?level=planet",
        "/api/v1/observations?limit=0",
        "/api/v1/observations?region=52x",
        "/api/v1/search?q=",
        "/api/v1/search?q=%E8%B4%B5&limit=10001",
        "/api/v1/regions/520000/descendants?level=null",
        "/api/v1/map?level=village",
        "/api/v1/alerts?line=0",
    ] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{uri}: {body}"
        );
    }
    // A designation map of a year shows the status at its end.
    let (status, _) = get(&app, "/api/v1/map?theme=designation:poverty_county&period=2019").await;
    assert_eq!(status, StatusCode::OK);
});

/// POSTs `body` as `content_type` to `uri` with a bearer token; the status
/// and the JSON answer.
async fn post_json(app: &Client, uri: &str, token: &str, content_type: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

// Issue 16: observations are written through the API as CSV or a JSON data
// value set, checked as an import: a dry run writes nothing, a bad row is
// 422 with row and column, another county's row is refused.
both_backends!(observations_are_written_through_the_api, |store: DynStore| async move {
    let app = fixture(store).await;
    let clerk = log_in(&app, "nanming_clerk", revita_methods::access::Role::DataEntry, "520102").await;
    let origin = revita_app::auth::Origin { now: revita_web::auth::now(), ..Default::default() };
    let actor = clerk.actor_named("nanming_clerk").await.unwrap();
    let (token, _) = clerk.create_api_token(&actor, "etl", 30, &origin).await.unwrap();
    let count = |app: &Client| {
        let store = app.test_store().clone();
        async move { store.observations(&Default::default(), None, 100_000).await.unwrap().len() }
    };
    let before = count(&app).await;
    let csv = "region_code,indicator,period,value\n520102,pop_total,2021,110\n";
    let (status, report) = post_json(&clerk, "/api/v1/observations?dryRun=true", &token, "text/csv", csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["dry_run"].as_bool(), report["records_valid"].as_u64()), (Some(true), Some(1)));
    assert_eq!(count(&app).await, before, "a dry run writes nothing");
    let (status, report) = post_json(&clerk, "/api/v1/observations", &token, "text/csv", csv).await;
    assert_eq!((status, report["records_written"].as_u64()), (StatusCode::OK, Some(1)), "{report}");
    let json = r#"{"dataValues": [{"dataElement": "pop_total", "orgUnit": "520102", "period": 2022, "value": 120}]}"#;
    let (status, report) = post_json(&clerk, "/api/v1/observations", &token, "application/json", json).await;
    assert_eq!((status, report["records_written"].as_u64()), (StatusCode::OK, Some(1)), "{report}");
    assert_eq!(count(&app).await, before + 2);
    // Another county's value and a bad number: 422, both named, nothing written.
    let bad = r#"{"dataValues": [{"indicator": "pop_total", "region": "520103", "period": "2022", "value": 5},
                                 {"indicator": "pop_total", "region": "520102", "period": "2023", "value": "many"}]}"#;
    let (status, body) = post_json(&clerk, "/api/v1/observations", &token, "application/json", bad).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected_file")), "{body}");
    let problems: Vec<&str> = body["problems"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(problems[0].contains("row 2") && problems[0].contains("520103"), "{problems:?}");
    assert!(problems[1].contains("row 3") && problems[1].contains("'value'"), "{problems:?}");
    assert_eq!(count(&app).await, before + 2);
    let (status, _) = post_json(&clerk, "/api/v1/observations", &token, "application/json", "{").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});

// Issue 16: every change the plan, case and designation forms make is in the
// API too, with the same checks: the role, the jurisdiction (a county clerk
// writes only its county), the version (409), and audit.
both_backends!(plans_cases_and_lists_are_written_through_the_api, |store: DynStore| async move {
    let app = fixture(store).await;
    let origin = revita_app::auth::Origin { now: revita_web::auth::now(), ..Default::default() };
    let token_of = async |name: &str, role, scope| {
        let client = log_in(&app, name, role, scope).await;
        let actor = client.actor_named(name).await.unwrap();
        client.create_api_token(&actor, "etl", 30, &origin).await.unwrap().0
    };
    let admin = token_of("api_admin", revita_methods::access::Role::Admin, "000000").await;
    let clerk = token_of("api_clerk", revita_methods::access::Role::DataEntry, "520102").await;
    let json = "application/json";
    let audit = async || app.test_store().audit_log(&Default::default(), 100_000).await.unwrap().len();

    // A plan, a goal, a target and a project, each answering its number.
    let plan = r#"{"title":"API plan","kind":"special","region":"520102","scope_kind":"subtree","scope":"520102","start_year":2021,"end_year":2025}"#;
    let before = audit().await;
    let (status, made) = post_json(&app, "/api/v1/plans", &admin, json, plan).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let plan_id = made["id"].as_i64().unwrap();
    assert_eq!(audit().await, before + 1, "the plan is audited");
    let (status, goal) =
        post_json(&app, &format!("/api/v1/plans/{plan_id}/goals"), &admin, json, r#"{"title":"Grow"}"#).await;
    assert_eq!(status, StatusCode::OK, "{goal}");
    let target = format!(
        r#"{{"goal":{},"indicator":"pop_total","baseline_year":2020,"baseline":100,"target_year":2025,"target":120,"binding":true}}"#,
        goal["id"]
    );
    let (status, body) = post_json(&app, &format!("/api/v1/plans/{plan_id}/targets"), &admin, json, &target).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let project = format!(
        r#"{{"code":"W1","name":"water","category":"infrastructure","region":"520102","start":"2022-01-01","end":"2024-12-31","goals":[{}],"budget":{{"central_budget":1000}}}}"#,
        goal["id"]
    );
    let (status, body) = post_json(&app, &format!("/api/v1/plans/{plan_id}/projects"), &admin, json, &project).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, report) = get(&app, &format!("/api/v1/plans/{plan_id}")).await;
    assert_eq!(report["goals"][0]["targets"][0]["target"], 120.0, "{report}");
    assert_eq!((report["projects"][0]["code"].as_str(), report["budget"].as_f64()), (Some("W1"), Some(1000.0)));
    // A funding source that does not exist is refused, not dropped.
    let odd = project.replace("central_budget", "lottery");
    let (status, body) = post_json(&app, &format!("/api/v1/plans/{plan_id}/projects"), &admin, json, &odd).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{body}");
    // A stale version is a conflict; a wrong type is refused before any check.
    let stale = r#"{"to":"under_review","version":99}"#;
    let (status, body) = post_json(&app, &format!("/api/v1/plans/{plan_id}/status"), &admin, json, stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = post_json(&app, &format!("/api/v1/plans/{plan_id}/goals"), &admin, json, r#"{"title":5}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The clerk may not make plans, nor open a case on another county's household.
    let (status, _) = post_json(&app, "/api/v1/plans", &clerk, json, plan).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let case = r#"{"category":"marginal","channel":"data_screening","on":"2024-03-01","evidence":"screening"}"#;
    let before = audit().await;
    let (status, _) = post_json(&app, "/api/v1/households/520103/cases", &clerk, json, case).await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
    assert_eq!(audit().await, before, "a refused write writes nothing");
    // Its own county's: opened, then moved a step with the case's version.
    let (status, opened) = post_json(&app, "/api/v1/households/520102/cases", &clerk, json, case).await;
    assert_eq!((status, opened["household"].as_str()), (StatusCode::OK, Some("520102")), "{opened}");
    let step = r#"{"to":"verified","on":"2024-03-05","version":1}"#;
    let (status, body) = post_json(&app, &format!("/api/v1/cases/{}/move", opened["case"]), &clerk, json, step).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stale = step.replace("verified", "consented");
    let (status, _) = post_json(&app, &format!("/api/v1/cases/{}/move", opened["case"]), &clerk, json, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "the case's version moved on");

    // A designation list: previewed (nothing written), then committed by
    // the preview's fingerprint.
    let commit = r#"{"spec":{"name":"Crowded","universe":{"level":"county"},"indicators":[{"code":"pop_total","direction":"lower_is_better"}],"method":{"kind":"index","bands":[{"upper":0.5,"label":"lagging"},{"upper":1.0,"label":"other"}]}},"year":2020,"category":"custom:crowded","classes":["lagging","other"],"basis_title":"API list","effective":"2024-01-01"}"#;
    let before = audit().await;
    let (status, preview) = post_json(&app, "/api/v1/designate/commit", &admin, json, commit).await;
    assert_eq!((status, preview["outcome"].as_str()), (StatusCode::OK, Some("preview")), "{preview}");
    assert_eq!((preview["members"].as_u64(), audit().await), (Some(2), before), "{preview}");
    let fingerprint = preview["fingerprint"].as_str().unwrap();
    let confirmed = commit.replace(r#""effective""#, &format!(r#""confirm":"{fingerprint}","effective""#));
    let (status, committed) = post_json(&app, "/api/v1/designate/commit", &admin, json, &confirmed).await;
    assert_eq!((status, committed["outcome"].as_str()), (StatusCode::OK, Some("committed")), "{committed}");
    assert_eq!(committed["joining"].as_array().unwrap().len(), 2, "{committed}");
    let (_, listed) = get(&app, "/api/v1/designations?category=custom:crowded").await;
    assert_eq!(listed["total"].as_i64(), Some(2), "{listed}");
});
