//! Small-area estimation through the pages and the API (issue 22), on both
//! back ends: a Fay–Herriot run over ten counties of 贵阳市 (eight with a
//! direct estimate, two out of sample, one left out for a missing
//! covariate), a refused spec (422 page keeping the text, 400 JSON), the
//! CSV export, and storing the estimates: a dry run writes nothing, a store
//! writes three indicators with an audit entry, and a clerk whose data entry
//! covers one county cannot store estimates of the others.

use revita_methods::access::{Grant, Role};

use super::pages::post;
use super::*;

const FORM: &str = "application/x-www-form-urlencoded";

/// Eight more counties of 贵阳市 beside the fixture's two.
const MORE_REGIONS: &str = "code,name_zh,name_en\n520111,花溪区,Huaxi\n520112,乌当区,Wudang\n520113,白云区,Baiyun\n\
    520115,观山湖区,Guanshanhu\n520121,开阳县,Kaiyang\n520122,息烽县,Xifeng\n520123,修文县,Xiuwen\n520181,清镇市,Qingzhen\n";
const SAE_INDICATORS: &str = "code,name_zh,unit,aggregation\npov_direct,贫困率直接估计,%,none\n\
    pov_var,贫困率抽样方差,%²,none\nilliteracy,文盲率,%,none\n";

/// (county, illiteracy, direct, variance): direct ≈ 4 + 1.9 × illiteracy
/// with area effects of a few points; 520121 and 520122 unsurveyed; 520181 has no covariate.
/// A county, its covariate, its direct estimate with variance.
type Row = (&'static str, Option<f64>, Option<(f64, f64)>);

const DATA: [Row; 10] = [
    ("520102", Some(2.0), Some((11.0, 1.0))),
    ("520103", Some(3.0), Some((7.0, 2.0))),
    ("520111", Some(5.0), Some((15.5, 1.5))),
    ("520112", Some(6.0), Some((11.0, 4.0))),
    ("520113", Some(4.0), Some((13.5, 1.0))),
    ("520115", Some(1.0), Some((4.0, 0.8))),
    ("520123", Some(8.0), Some((20.5, 3.0))),
    ("520121", Some(7.0), None),
    ("520122", Some(9.0), None),
    ("520181", None, Some((12.0, 2.0))),
];

const SPEC: &str = r#"{"name": "test poverty", "level": "county", "within": "520100", "year": 2020,
  "direct": "pov_direct", "variance": "pov_var", "covariates": ["illiteracy"], "output": "pov_sae"}"#;

async fn with_sae_data(store: DynStore) -> Client {
    let admin = fixture(store).await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let plain = FileImport::default();
    admin.import_regions(&write("r.csv", MORE_REGIONS), &plain).await.unwrap();
    admin.import_indicators(&write("i.csv", SAE_INDICATORS), &plain).await.unwrap();
    let mut obs = String::from("region_code,indicator,period,value\n");
    for (code, x, direct) in DATA {
        if let Some(x) = x {
            obs.push_str(&format!("{code},illiteracy,2020,{x}\n"));
        }
        if let Some((d, v)) = direct {
            obs.push_str(&format!("{code},pov_direct,2020,{d}\n{code},pov_var,2020,{v}\n"));
        }
    }
    admin.import_observations(&write("o.csv", &obs), &ObservationImport::default(), &|_| {}).await.unwrap();
    admin
}

/// Percent-encodes a form value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// POSTs JSON as the session's caller, with its CSRF token.
async fn post_json(client: &Client, uri: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .header("cookie", &client.cookie)
        .header("x-csrf-token", &client.csrf)
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = client.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

both_backends!(fay_herriot_runs_through_the_api_and_the_page, |store: DynStore| async move {
    let admin = with_sae_data(store).await;
    let (status, run) = post_json(&admin, "/api/v1/sae/fh", SPEC).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let areas = run["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 9);
    assert_eq!(run["excluded"][0]["code"], "520181");
    assert!(run["excluded"][0]["reason"].as_str().unwrap().contains("illiteracy"));
    assert_eq!(run["unit"], "%");
    let beta = run["fit"]["beta"].as_array().unwrap();
    assert_eq!(beta[1][0], "illiteracy");
    assert!((1.0..3.0).contains(&beta[1][1].as_f64().unwrap()), "slope near 1.9: {beta:?}");
    assert!(run["fit"]["sigma_u2"].as_f64().unwrap() > 0.0, "{run}");
    for a in areas {
        let est = a["estimate"].as_f64().unwrap();
        let mse = a["mse"].as_f64().unwrap();
        assert!(mse > 0.0);
        assert!((a["cv"].as_f64().unwrap() - 100.0 * mse.sqrt() / est).abs() < 1e-9);
        if a["in_sample"] == true {
            // The EBLUP lies between the direct and the synthetic estimate,
            // with γ = σu²/(σu² + ψ).
            let (d, v) = (a["direct"].as_f64().unwrap(), a["variance"].as_f64().unwrap());
            let g = a["gamma"].as_f64().unwrap();
            assert!(
                g > 0.0
                    && g < 1.0
                    && (g - run["fit"]["sigma_u2"].as_f64().unwrap() / (run["fit"]["sigma_u2"].as_f64().unwrap() + v))
                        .abs()
                        < 1e-9
            );
            let synthetic = (est - g * d) / (1.0 - g);
            assert!((est - d) * (est - synthetic) <= 1e-9, "{a}");
        } else {
            assert!(a["gamma"].is_null() && a["direct"].is_null());
        }
    }
    // The same through the page, in both languages.
    let body = format!("csrf={}&spec={}", admin.csrf, encode(SPEC));
    let en = format!("{}; lang=en", admin.cookie);
    let (status, page) = post(&admin, "/sae", FORM, &en, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for needle in ["sae-results", "id=\"sae-map\"", "id=\"sae-residuals\"", "Huaxi", "out of sample", "Shrinkage γ"] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    let zh = format!("{}; lang=zh", admin.cookie);
    let (_, page) = post(&admin, "/sae", FORM, &zh, body).await;
    assert!(page.contains("花溪区") && page.contains("收缩因子"), "{page}");
    // The CSV export: a byte-order mark, then the header.
    let body = format!("csrf={}&spec={}", admin.csrf, encode(SPEC));
    let (status, csv) = post(&admin, "/sae.csv", FORM, &admin.cookie, body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}code,name,in_sample,direct"), "{csv}");
    assert!(csv.contains("520111,花溪区,1,") && csv.contains("520181,清镇市,excluded"), "{csv}");
});

both_backends!(a_bad_spec_is_refused_keeping_what_was_typed, |store: DynStore| async move {
    let admin = with_sae_data(store).await;
    let typed = SPEC.replace("\"reml\"", "\"x\"").replace("illiteracy\"]", "illiteracy\"], \"method\": \"bayes\"");
    let body = format!("csrf={}&spec={}", admin.csrf, encode(&typed));
    let (status, page) = post(&admin, "/sae", FORM, &format!("{}; lang=en", admin.cookie), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("sae-refused") && page.contains("bayes"), "{page}");
    assert!(page.contains("&quot;bayes&quot;") || page.contains("\"bayes\""), "the text typed is kept: {page}");
    // An undefined indicator, through the API: 400 with the reason as JSON.
    let (status, error) = post_json(&admin, "/api/v1/sae/fh", &SPEC.replace("pov_var", "nothing_here")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
    assert!(error["message"].as_str().unwrap().contains("nothing_here"), "{error}");
    let (status, error) = post_json(&admin, "/api/v1/sae/fh", r#"{"name": "x"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["code"], "invalid_request", "{error}");
    // Too few areas: one county.
    let (status, error) = post_json(&admin, "/api/v1/sae/fh", &SPEC.replace("520100", "520102")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
});

both_backends!(estimates_are_stored_within_the_data_entry_jurisdiction, |store: DynStore| async move {
    let admin = with_sae_data(store).await;
    let audit_rows = |csv: &str| csv.lines().filter(|l| l.contains("sae.store")).count();
    // A dry run says what would be written, and writes nothing.
    let body = format!(r#"{{"spec": {SPEC}, "dry_run": true}}"#);
    let (status, dry) = post_json(&admin, "/api/v1/sae/fh/store", &body).await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(dry["observations"].as_array().unwrap().len(), 27);
    assert_eq!(dry["indicators_created"], serde_json::json!(["pov_sae", "pov_sae_mse", "pov_sae_cv"]));
    let (_, observations) = get(&admin, "/api/v1/observations?indicator=pov_sae").await;
    assert!(observations["observations"].as_array().is_none_or(|o| o.is_empty()), "{observations}");
    assert_eq!(audit_rows(&get_text(&admin, "/audit.csv", &[]).await.2), 0);

    // A clerk who reads the prefecture but enters data for 南明区 only.
    let grants = [
        Grant { role: Role::Viewer, scope: revita_methods::RegionCode::parse("520100").unwrap() },
        Grant { role: Role::DataEntry, scope: revita_methods::RegionCode::parse("520102").unwrap() },
    ];
    admin.create_user(None, "nanming_sae", PASSWORD, &grants, &revita_app::auth::Origin::default()).await.unwrap();
    let session = admin
        .login(
            "nanming_sae",
            PASSWORD,
            &revita_app::auth::Origin { now: revita_web::auth::now(), ..Default::default() },
        )
        .await
        .unwrap();
    let clerk = Client {
        app: admin.app.clone(),
        router: admin.router.clone(),
        cookie: format!("{}={}", revita_web::auth::SESSION_COOKIE, session.token),
        csrf: session.csrf,
    };
    let (status, run) = post_json(&clerk, "/api/v1/sae/fh", SPEC).await;
    assert_eq!(status, StatusCode::OK, "the clerk may estimate what it reads: {run}");
    let (status, error) = post_json(&clerk, "/api/v1/sae/fh/store", &format!(r#"{{"spec": {SPEC}}}"#)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert!(error["message"].as_str().unwrap().contains("520103"), "{error}");
    let body = format!("csrf={}&spec={}", clerk.csrf, encode(SPEC));
    let (status, page) = post(&clerk, "/sae/store", FORM, &format!("{}; lang=en", clerk.cookie), body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("data-entry jurisdiction") && page.contains("pov_sae"), "refused, spec kept: {page}");

    // The administrator stores through the page: 27 values, one audit row.
    let body = format!("csrf={}&spec={}", admin.csrf, encode(SPEC));
    let (status, page) = post(&admin, "/sae/store", FORM, &format!("{}; lang=en", admin.cookie), body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"sae-stored\""), "{page}");
    let (_, stored) = get(&admin, "/api/v1/observations?indicator=pov_sae_cv&limit=100").await;
    let rows = stored["observations"].as_array().unwrap();
    assert_eq!(rows.len(), 9, "{stored}");
    assert!(rows.iter().all(|o| o["status"] == "estimated" && o["period"] == "2020"), "{stored}");
    assert_eq!(audit_rows(&get_text(&admin, "/audit.csv", &[]).await.2), 1);
    let (_, indicator) = get(&admin, "/api/v1/indicators/pov_sae_cv").await;
    assert_eq!(indicator["unit"], "%");
    // Stored again: the values replaced are counted (kept as revisions).
    let (status, again) = post_json(&admin, "/api/v1/sae/fh/store", &format!(r#"{{"spec": {SPEC}}}"#)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replaced"], 27);
    assert_eq!(again["indicators_created"], serde_json::json!([]));
});

/// A multipart body of fields and two CSV files, `sample` and `population`.
fn ebp_body(fields: &[(&str, &str)], sample: &str, census: &str) -> String {
    let b = "XBOUNDARYX";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    for (name, file, text) in [("sample", "sample.csv", sample), ("population", "census.csv", census)] {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n"
        ));
    }
    body.push_str(&format!("--{b}--\r\n"));
    body
}

/// A survey and a census over six counties of 贵阳市 (five surveyed):
/// log income = 9 + 0.5 x1 + a county effect + noise, drawn by a fixed
/// recipe so that every run sees the same files.
fn ebp_files(domains: &[&str]) -> (String, String) {
    let (mut sample, mut census) = (String::from("domain,y,x1\n"), String::from("domain,x1\n"));
    let mut state: u64 = 42;
    let mut uniform = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    for (d, code) in domains.iter().enumerate() {
        let effect = [0.3, -0.2, 0.1, -0.4, 0.25, 0.0][d % 6];
        for unit in 0..200 {
            let x = uniform() * 2.0;
            census.push_str(&format!("{code},{x:.4}\n"));
            if d < domains.len() - 1 && unit % 5 == 0 {
                let noise = (uniform() - 0.5) * 1.6;
                let y = (9.0 + 0.5 * x + effect + noise).exp();
                sample.push_str(&format!("{code},{y:.2},{x:.4}\n"));
            }
        }
    }
    (sample, census)
}

const COUNTIES: [&str; 6] = ["520102", "520103", "520111", "520112", "520113", "520121"];

both_backends!(the_census_ebp_runs_through_the_page_and_the_api, |store: DynStore| async move {
    let admin = with_sae_data(store).await;
    let (sample, census) = ebp_files(&COUNTIES);
    let multipart = "multipart/form-data; boundary=XBOUNDARYX";
    let zh = format!("{}; lang=zh", admin.cookie);
    // The page: the fit, every county named, the out-of-sample one marked, the map.
    let fields = [("csrf", admin.csrf.as_str()), ("z", "6000"), ("L", "20"), ("B", "5"), ("action", "run")];
    let (status, page) = post(&admin, "/sae/ebp", multipart, &zh, ebp_body(&fields, &sample, &census)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("贫困发生率") && page.contains("南明区") && page.contains("开阳县"), "{page}");
    assert!(page.contains("id=\"ebp-map\"") && page.contains("<svg"), "{page}");
    // The API: six domains sorted by code, shares within [0, 1], the
    // unsurveyed one with no sample, the slope near its 0.5.
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/sae/ebp")
        .header("content-type", multipart)
        .header("cookie", &admin.cookie)
        .header("x-csrf-token", &admin.csrf)
        .body(Body::from(ebp_body(&[("z", "6000"), ("L", "20"), ("B", "5")], &sample, &census)))
        .unwrap();
    let response = admin.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, StatusCode::OK, "{json}");
    let domains = json["run"]["domains"].as_array().unwrap();
    assert_eq!(domains.iter().map(|d| d["region"].as_str().unwrap()).collect::<Vec<_>>(), COUNTIES);
    assert_eq!((domains[5]["n_sample"].as_u64(), domains[5]["n_pop"].as_u64()), (Some(0), Some(200)));
    assert!(domains.iter().all(|d| (0.0..=1.0).contains(&d["fgt0"].as_f64().unwrap())), "{json}");
    assert!(domains.iter().all(|d| d["mse"]["fgt0"].as_f64().unwrap() >= 0.0), "{json}");
    let slope = json["run"]["fit"]["beta"][1][1].as_f64().unwrap();
    assert!((slope - 0.5).abs() < 0.2, "{slope}");
    assert!(json["run"]["fit"]["lambda"].is_null(), "the log: {json}");
    assert!(domains.iter().all(|d| d["gini"].as_f64().is_some_and(|g| (0.0..1.0).contains(&g))), "{json}");
    assert!(domains[0]["direct"]["fgt0"]["variance"].as_f64().is_some_and(|v| v > 0.0), "{json}");
    // Box–Cox: λ chosen by the restricted likelihood (the data are log-normal:
    // near 0); a power outside 0..2 is refused naming the field.
    let api_post = |body: String| {
        let request = Request::builder()
            .method("POST")
            .uri("/api/v1/sae/ebp")
            .header("content-type", multipart)
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .body(Body::from(body))
            .unwrap();
        let router = admin.router.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let fields = [("z", "6000"), ("L", "20"), ("transformation", "box_cox")];
    let (status, boxcox) = api_post(ebp_body(&fields, &sample, &census)).await;
    assert_eq!(status, StatusCode::OK, "{boxcox}");
    let lambda = boxcox["run"]["fit"]["lambda"].as_f64().unwrap();
    assert!((0.0..0.4).contains(&lambda), "{lambda}");
    let fields = [("z", "6000"), ("L", "20"), ("transformation", "box_cox"), ("lambda", "3")];
    let (status, error) = api_post(ebp_body(&fields, &sample, &census)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert!(error["message"].as_str().unwrap().starts_with("lambda:"), "{error}");
    // Bad settings and a missing file are 400 naming the field.
    let bad = ebp_body(&[("z", "-1"), ("L", "20")], &sample, &census);
    let (status, page) = post(&admin, "/sae/ebp", multipart, &zh, bad).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF in the form: {page}");
    let with_csrf = [("csrf", admin.csrf.as_str()), ("z", "-1"), ("L", "20")];
    let (status, page) = post(&admin, "/sae/ebp", multipart, &zh, ebp_body(&with_csrf, &sample, &census)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("z: the poverty line must be a positive number"), "{page}");
    let broken = [("csrf", admin.csrf.as_str()), ("z", "6000"), ("L", "20")];
    let (status, page) = post(
        &admin,
        "/sae/ebp",
        multipart,
        &zh,
        ebp_body(&broken, &sample.replace("domain,y", "domain,income"), &census),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("sample.csv: no column y"), "the file as the user named it: {page}");
    // The CSV: UTF-8 with a byte-order mark, shares in %.
    let csv_fields = [("csrf", admin.csrf.as_str()), ("z", "6000"), ("L", "20"), ("action", "csv")];
    let (status, csv) = post(&admin, "/sae/ebp", multipart, &zh, ebp_body(&csv_fields, &sample, &census)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with('\u{feff}') && csv.contains("domain,name,n_sample,N_pop,mean,fgt0_pct"), "{csv}");
    assert!(csv.contains("520121,开阳县,0,200"), "{csv}");
    // Storing: a dry run writes nothing; the store writes 3 × 3 indicators'
    // values for each county in one audited change.
    let store = |action: &'static str| {
        let fields = [
            ("csrf", admin.csrf.as_str()),
            ("z", "6000"),
            ("L", "20"),
            ("B", "5"),
            ("output", "pov_ebp"),
            ("year", "2020"),
            ("action", action),
        ];
        ebp_body(&fields, &sample, &census)
    };
    let (status, page) = post(&admin, "/sae/ebp", multipart, &zh, store("check")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, observations) = get(&admin, "/api/v1/observations?indicator=pov_ebp_fgt0").await;
    assert!(observations["observations"].as_array().is_none_or(|o| o.is_empty()), "{observations}");
    let (status, page) = post(&admin, "/sae/ebp", multipart, &zh, store("store")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"sae-stored\""), "{page}");
    let (_, observations) = get(&admin, "/api/v1/observations?indicator=pov_ebp_fgt0_cv").await;
    assert_eq!(observations["observations"].as_array().unwrap().len(), 6, "{observations}");
    let audit = get_text(&admin, "/audit.csv", &[]).await.2;
    assert_eq!(audit.lines().filter(|l| l.contains("sae.ebp.store")).count(), 1, "{audit}");
    // A census with a domain that is no region cannot be stored.
    let (sample, census) = ebp_files(&["520102", "520103", "520111", "520112", "520113", "77"]);
    let fields = [
        ("csrf", admin.csrf.as_str()),
        ("z", "6000"),
        ("L", "20"),
        ("output", "pov_ebp"),
        ("year", "2021"),
        ("action", "store"),
    ];
    let (status, page) = post(&admin, "/sae/ebp", multipart, &zh, ebp_body(&fields, &sample, &census)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("1 domains are not region codes (77)"), "{page}");
});

both_backends!(the_spatial_model_runs_over_touching_boundaries, |store: DynStore| async move {
    let admin = with_sae_data(store).await;
    let spatial = SPEC.replace(r#""output": "pov_sae"}"#, r#""output": "pov_sae", "spatial": true}"#);
    // Only 南明 and 云岩 have boundaries: one neighbouring pair.
    let (status, first) = post_json(&admin, "/api/v1/sae/fh", &spatial).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["fit"]["neighbour_pairs"].as_u64(), Some(1), "{first}");
    // The other counties as a chain of squares north of 云岩, each touching the last.
    let mut features = Vec::new();
    for (i, (code, _, _)) in DATA.iter().enumerate().skip(2) {
        let (south, north) = (26.5 + 0.1 * i as f64, 26.6 + 0.1 * i as f64);
        features.push(format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[106.6,{south:.1}],[106.8,{south:.1}],[106.8,{north:.1}],[106.6,{north:.1}],[106.6,{south:.1}]]]}}}}"#
        ));
    }
    let geojson = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.geojson");
    std::fs::write(&path, geojson).unwrap();
    admin.import_boundaries(&path, "code", Some("test"), &FileImport::default()).await.unwrap();
    let (status, run) = post_json(&admin, "/api/v1/sae/fh", &spatial).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    // Seven in-sample counties in a chain: six neighbouring pairs.
    assert_eq!(run["fit"]["neighbour_pairs"].as_u64(), Some(6), "{run}");
    let rho = run["fit"]["rho"].as_f64().unwrap();
    assert!((-1.0..1.0).contains(&rho), "{run}");
    let (_, plain) = post_json(&admin, "/api/v1/sae/fh", SPEC).await;
    assert!(plain["fit"]["rho"].is_null(), "{plain}");
    let areas = run["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 9, "{run}");
    assert!(areas.iter().all(|a| a["mse"].as_f64().unwrap() > 0.0), "{run}");
    // The page shows ρ.
    let body = format!("csrf={}&spec={}", admin.csrf, encode(&spatial));
    let (status, page) = post(&admin, "/sae", FORM, &format!("{}; lang=zh", admin.cookie), body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("空间自相关系数 ρ"), "{page}");
    // A transformed spatial run is refused naming the field.
    let logged = spatial.replace(r#""spatial": true"#, r#""spatial": true, "transform": "log""#);
    let (status, error) = post_json(&admin, "/api/v1/sae/fh", &logged).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert!(error["message"].as_str().unwrap().starts_with("spatial:"), "{error}");
});
