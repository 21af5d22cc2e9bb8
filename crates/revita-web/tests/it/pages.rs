//! Every page answers, in both languages, with its key content; errors are
//! pages with a request id; the API description matches the API.

use super::*;

both_backends!(every_page_answers_with_its_content, |store: DynStore| async move {
    let app = fixture(store).await;
    let cases: &[(&str, &str)] = &[
        ("/", "常住人口 · 2020 · 省级"),
        ("/?level=county&within=520000&method=jenks&classes=3", "data-code=\"520102\""),
        ("/?theme=designation:poverty_county&level=county", "曾认定（已退出） (1)"),
        ("/maps/map.svg?level=county", "<svg"),
        ("/regions", "贵州省"),
        ("/regions?q=%E5%8C%BA", "云岩区"),
        ("/regions/520102", "贫困县"),
        ("/regions/520100", "children-table"),
        ("/regions/520103", "东西部协作"),
        ("/indicators", "pop_total"),
        ("/indicators/pop_total", "<svg"),
        ("/import", "name=\"csrf\""),
        ("/api", "/api/v1/openapi.json"),
        ("/static/app.css", "--accent"),
        ("/static/app.js", "sortable"),
    ];
    for (uri, needle) in cases {
        let (status, _, body) = get_text(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(body.contains(needle), "{uri} lacks {needle}");
    }
});

both_backends!(the_language_follows_cookie_then_browser, |store: DynStore| async move {
    let app = fixture(store).await;
    let (_, _, zh) = get_text(&app, "/regions/520102", &[]).await;
    assert!(zh.contains("认定情况") && zh.contains("lang=\"zh-CN\""));
    let (_, _, en) = get_text(&app, "/regions/520102", &[("accept-language", "en-US,en;q=0.9")]).await;
    assert!(en.contains("Designations") && en.contains("Nanming") && en.contains("Poverty county"), "{en}");
    let (_, _, cookie) = get_text(&app, "/", &[("accept-language", "en"), ("cookie", "lang=zh")]).await;
    assert!(cookie.contains("地图"));
    let (status, headers, _) = get_text(&app, "/lang/en?back=/regions/520102", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/regions/520102");
    assert!(headers["set-cookie"].to_str().unwrap().starts_with("lang=en;"));
    // No open redirect through the switch.
    let (_, headers, _) = get_text(&app, "/lang/en?back=//evil.example", &[]).await;
    assert_eq!(headers["location"], "/");
});

/// `back` values that a browser, or whatever decodes them once more, would
/// follow to another site (each as it appears in a query string).
pub(crate) const EVIL_TARGETS: &[&str] = &[
    "//evil.example",
    "/%5Cevil.example/x",
    "%5C%5Cevil.example",
    "/%255Cevil.example",
    "/%252F%252Fevil.example",
    "/%2F%2Fevil.example",
    "https://evil.example",
    "https:%2F%2Fevil.example",
    "%09/evil.example",
    "/%09/evil.example",
    "/%0D%0ASet-Cookie:%20x=1",
    "javascript:alert(1)",
    "evil.example",
];

both_backends!(the_language_switch_never_leads_off_the_site, |store: DynStore| async move {
    let app = fixture(store).await;
    for evil in EVIL_TARGETS {
        let (status, headers, _) = get_text(&app, &format!("/lang/en?back={evil}"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(headers["location"], "/", "{evil}");
    }
    let (_, headers, _) = get_text(&app, "/lang/en?back=/regions%3Fq%3D%25E5%258C%25BA", &[]).await;
    assert_eq!(headers["location"], "/regions?q=%E5%8C%BA", "a local path with an encoded query stays");
});

both_backends!(region_pages_show_standing_charts_and_downloads, |store: DynStore| async move {
    let app = fixture(store).await;
    let (_, _, body) = get_text(&app, "/regions/520103", &[("accept-language", "en")]).await;
    assert!(
        body.contains("Rank 1 of 2 county regions nationwide by value · higher than 100% of them"),
        "300 is the higher of the two counties"
    );
    // Issue 16: a county user ranks the county among all counties of the
    // nation (a published aggregate), not among the one county it may read.
    let clerk = log_in(&app, "nanming_reader", revita_methods::access::Role::Viewer, "520102").await;
    let (_, _, body) = get_text(&clerk, "/regions/520102", &[("accept-language", "zh")]).await;
    assert!(body.contains("在全国 2 个县级地区中按数值排第 2 · 高于 0% 的地区"), "{body}");
    assert!(!body.contains("云岩区"), "another county's name or value is not shown");
    assert!(body.contains("class=\"line-chart\""));
    let (status, headers, csv) = get_text(&app, "/regions/520100/children.csv", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("520100-children.csv"));
    // Issue 16: headings in the reader's language, with period and unit.
    assert_eq!(
        csv,
        "\u{feff}代码,名称,英文名称,常住人口（2020，人）\n520102,南明区,Nanming,100\n520103,云岩区,Yunyan,300\n"
    );
    let (_, _, csv) = get_text(&app, "/regions/520100/children.csv", &[("accept-language", "en")]).await;
    assert!(csv.starts_with("\u{feff}Code,Name (Chinese),Name (English),常住人口 2020 (persons)\n"), "{csv}");
    let (status, headers, _) = get_text(&app, "/regions/520100/children.xlsx", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
});

both_backends!(error_pages_show_a_request_id_in_both_languages, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, headers, zh) = get_text(&app, "/regions/529999", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let id = headers["x-request-id"].to_str().unwrap();
    assert!(zh.contains("页面不存在") && zh.contains(id), "{zh}");
    let (status, _, en) = get_text(&app, "/no/such/page", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(en.contains("Page not found") && en.contains("Request id"));
    let (status, _, bad) = get_text(&app, "/?method=magic", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("method &#x27;magic&#x27; is not quantiles or jenks"), "{bad}");
});

both_backends!(every_documented_endpoint_answers, |store: DynStore| async move {
    let app = fixture(store).await;
    // The reads answer their examples (the write has its own test).
    for endpoint in revita_web::ENDPOINTS.iter().filter(|e| e.method == "GET") {
        let (status, _, _) = get_text(&app, endpoint.example, &[]).await;
        assert_eq!(status, StatusCode::OK, "{}", endpoint.example);
    }
    let doc = revita_web::openapi_document();
    assert_eq!(doc["openapi"], "3.0.3");
    let operations: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(operations, revita_web::ENDPOINTS.len(), "one operation per endpoint, a path's methods together");
    let (_, headers, _) = get_text(&app, "/api/v1/map?theme=indicator:pop_total&level=county", &[]).await;
    assert_eq!(headers["content-type"], "application/geo+json", "GeoJSON by its own media type");
    // Issue 16: a national map carries the dashed boundary line beside its
    // regions; a map within a region does not.
    let (_, national) = get(&app, "/api/v1/map?theme=indicator:pop_total&level=county").await;
    let line = &national["boundary_lines"][0];
    assert_eq!(line["geometry"]["type"], "MultiLineString");
    assert_eq!(line["geometry"]["coordinates"].as_array().unwrap().len(), 10, "ten dashes");
    let (_, map) = get(&app, "/api/v1/map?theme=indicator:pop_total&level=county&within=520000").await;
    assert_eq!(map["features"].as_array().unwrap().len(), 2);
    assert_eq!(map["features"][0]["properties"]["value"], 100.0);
    assert!(map.get("boundary_lines").is_none());
});

pub(crate) async fn post(
    app: &Client,
    uri: &str,
    content_type: &str,
    cookie: &str,
    body: String,
) -> (StatusCode, String) {
    let request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", content_type)
        .header("cookie", cookie)
        .body(Body::from(body))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) fn multipart(csrf: &str, kind: &str, file_name: &str, content: &str) -> String {
    let b = "XBOUNDARYX";
    format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{b}--\r\n"
    )
}

/// The value of `name="…" value="…"` in a page.
pub(crate) fn input_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no input {name}")) + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

both_backends!(an_upload_is_checked_then_imported_on_confirmation, |store: DynStore| async move {
    let app = fixture(store).await;
    let (_, _, form) = get_text(&app, "/import", &[]).await;
    let csrf = input_value(&form, "csrf");
    assert_eq!(csrf, app.csrf, "the form carries the session's CSRF token");
    let cookie = app.cookie.clone();
    let multipart_type = "multipart/form-data; boundary=XBOUNDARYX";

    // A file with an error: the report names row and column, nothing is written.
    let bad =
        multipart(&csrf, "observations", "bad.csv", "region_code,indicator,period,value\n520102,pop_total,2021,x\n");
    let (status, page) = post(&app, "/import", multipart_type, &cookie, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<td>2</td><td>value</td><td>&#x27;x&#x27; is not a number</td>"), "{page}");

    // A good file: checked, then imported on confirmation.
    let good =
        multipart(&csrf, "observations", "good.csv", "region_code,indicator,period,value\n520102,pop_total,2021,110\n");
    let (status, page) = post(&app, "/import", multipart_type, &cookie, good).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let upload = input_value(&page, "upload");
    let query = revita_app::ObservationQuery { period: Some("2021".into()), ..Default::default() };
    assert!(
        app.test_store().observations(&query, None, 10).await.unwrap().is_empty(),
        "nothing is written before confirmation"
    );
    let form = format!("csrf={csrf}&upload={upload}&kind=observations");
    let (status, page) =
        post(&app, "/import/confirm", "application/x-www-form-urlencoded", &cookie, form.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(app.test_store().observations(&query, None, 10).await.unwrap().len(), 1);
    let log = app.test_store().audit_log(&Default::default(), 10).await.unwrap();
    let entry = log.iter().find(|e| e.action == "import.observations").expect("the import is audited");
    assert_eq!((entry.actor.as_str(), entry.object_id.as_str()), ("admin", "good.csv"));
    assert!(entry.after.as_deref().unwrap().contains("\"records_written\":1"));
    // The upload is gone: confirming twice does not import twice.
    let (status, _) = post(&app, "/import/confirm", "application/x-www-form-urlencoded", &cookie, form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});

both_backends!(a_forged_cross_site_post_is_refused, |store: DynStore| async move {
    let app = fixture(store).await;
    // Another site can make the browser send the session cookie, but cannot
    // know the session's CSRF token.
    let body =
        multipart("forged", "observations", "o.csv", "region_code,indicator,period,value\n520102,pop_total,2021,1\n");
    let (status, page) = post(&app, "/import", "multipart/form-data; boundary=XBOUNDARYX", &app.cookie, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("did not come from this site"), "{page}");
    let (status, _) =
        post(&app, "/logout", "application/x-www-form-urlencoded", &app.cookie, "csrf=forged".into()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = get_text(&app, "/", &[]).await;
    assert_eq!(status, StatusCode::OK, "the session survived the forged logout");
});

both_backends!(every_response_carries_the_security_headers, |store: DynStore| async move {
    let app = fixture(store).await;
    for uri in ["/", "/api/v1/inventory", "/no/such/page", "/static/app.js"] {
        let (_, headers, _) = get_text(&app, uri, &[]).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(headers["x-frame-options"], "DENY", "{uri}");
        assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{uri}");
    }
});

both_backends!(a_designation_runs_in_the_page_with_table_map_and_histogram, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, _, form) = get_text(&app, "/designate", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("Designation runs") && form.contains("Education-lagging counties"),
        "the example spec is offered"
    );
    let uri = "/designate?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D";
    let (status, _, page) = get_text(&app, uri, &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // 云岩 (300 people against a mean of 200) is the more crowded: lagging.
    assert!(page.contains("<td><a href=\"/regions/520103\">520103</a></td><td>云岩区</td><td>150.00</td>"), "{page}");
    // Issue 16: each indicator's part of the index is in the table (one
    // indicator: the whole index).
    assert!(page.contains("<td>150.00</td><td class=\"num\">150.00</td>"), "{page}");
    assert!(page.contains("class=\"choropleth\"") && page.contains("histogram"), "map and histogram");
    assert!(page.contains("pop_total 300.000000 → 100.000000"), "the explanation is shown");
    let (status, _, csv) = get_text(&app, &uri.replace("/designate?", "/designate.csv?"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}code,name,pop_total,pop_total_ratio,index"), "{csv}");
    // Compared with the opposite view (fewer people is worse): 云岩 moves to
    // a better class, 南明 to a worse one.
    let (status, _, compared) =
        get_text(&app, &format!("{uri}&against_spec=%7B%22name%22%3A%22Sparse%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22higher_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D"), &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(compared.contains("<tr><th scope=\"row\">lagging</th><td>0</td><td>1</td></tr>"), "{compared}");
    assert!(compared.contains("Moved to a worse class (1)") && compared.contains("change-map"), "{compared}");
    assert!(compared.contains("520102 南明区: other → lagging"), "{compared}");
    // Empty comparison fields, as the form sends them, mean no comparison.
    let (status, _, plain) = get_text(&app, &format!("{uri}&against_spec=&against_year="), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!plain.contains("compare-heading"));
    // A spec that cannot run comes back in the form with the reason.
    let (status, _, bad) =
        get_text(&app, "/designate?year=2020&spec=%7B%22name%22%3A1%7D", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bad.contains("role=\"alert\"") && bad.contains("designation spec"), "{bad}");
});

both_backends!(a_fund_is_allocated_in_the_page_with_its_workbook, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, _, form) = get_text(&app, "/allocate", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Fund allocation") && form.contains("rural population"), "the example spec is offered");
    // 100 : 300 people share a million.
    let uri = "/allocate?year=2020&spec=%7B%22name%22%3A%22Fund%22%2C%22total%22%3A1000000%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22rounding%22%3A10000%2C%22factors%22%3A%5B%7B%22name%22%3A%22population%22%2C%22weight%22%3A1%2C%22indicator%22%3A%22pop_total%22%7D%5D%7D";
    let (status, _, page) = get_text(&app, uri, &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Amounts in 万元, the fund's total in both units, a row of totals.
    assert!(page.contains("<td class=\"num\"><strong>75.00</strong></td>"), "{page}");
    assert!(page.contains("<td class=\"num\"><strong>25.00</strong></td>"), "{page}");
    assert!(page.contains("<strong>100.00 万元</strong> (1,000,000 yuan)"), "{page}");
    let totals = page.split("<tr class=\"totals\">").nth(1).expect("a row of totals");
    assert!(totals.contains("<strong>100.00</strong>"), "{totals}");
    // The factor is named with its indicator in the reader's language and its weight.
    assert!(page.contains("population · 常住人口 100%"), "the fixture's indicator has no English name: {page}");
    // The allocation form builds the same allocation from fields in 万元.
    let built = "/allocate?build=1&year=2020&a_name=Fund&a_total_wan=100&a_level=county&a_years=1&a_missing=exclude\
        &a_rounding_wan=1&a_0_name=population&a_0_indicator=pop_total&a_0_weight=1";
    let (status, _, page) = get_text(&app, built, &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<td class=\"num\"><strong>75.00</strong></td>"), "{page}");
    assert!(page.contains("&quot;total&quot;: 1000000.0"), "the spec it made, in yuan: {page}");
    let (status, headers, _) = get_text(&app, &uri.replace("/allocate?", "/allocate.xlsx?"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
    let (status, _, bad) = get_text(&app, "/allocate?year=2020&spec=%7B%7D", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bad.contains("allocation spec"), "{bad}");
});

both_backends!(a_run_is_committed_from_the_page_as_an_official_list, |store: DynStore| async move {
    let app = fixture(store).await;
    let (_, _, page) = get_text(&app, "/designate?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D", &[("accept-language", "en")]).await;
    assert!(page.contains("id=\"commit-form\""), "the administrator may decide");
    let body = format!(
        "csrf={}&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D&year=2020&category=custom%3Acrowded&classes=lagging&basis_title=%E9%80%9A%E7%9F%A5&basis_number=&effective=2021-01-01&transition_until=",
        app.csrf
    );
    // Issue 13: the first post only shows what the list would change.
    let (status, preview) =
        post(&app, "/designate/commit", "application/x-www-form-urlencoded", &app.cookie, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert!(
        preview.contains("id=\"list-preview\"") && preview.contains("<span class=\"joining\">520103</span>"),
        "{preview}"
    );
    assert!(app.test_store().designation_lists(None).await.unwrap().is_empty(), "nothing is written before confirming");
    let fingerprint = preview.split("name=\"confirm\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let confirmed = format!("{body}&confirm={fingerprint}");
    let (status, done) =
        post(&app, "/designate/commit", "application/x-www-form-urlencoded", &app.cookie, confirmed.clone()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done.contains("id=\"committed\"") && done.contains("520103"), "{done}");
    let held = app.test_store().designations_of(&revita_methods::RegionCode::parse("520103").unwrap()).await.unwrap();
    assert!(held.iter().any(|d| d.category.as_str() == "custom:crowded"));
    let audit = app.test_store().audit_log(&revita_app::AuditFilter::default(), 10).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "designation.commit"));
    // Without the session's CSRF token nothing is committed.
    let forged = confirmed.replace(&app.csrf, "forged");
    let (status, _) = post(&app, "/designate/commit", "application/x-www-form-urlencoded", &app.cookie, forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.test_store().designation_lists(None).await.unwrap().len(), 1);
});

both_backends!(a_household_is_followed_from_the_monitoring_page, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, _, page) = get_text(&app, "/monitoring", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("MPI by indicator (k = 1&#x2f;3 = 6&#x2f;18)") && page.contains("class=\"bar-chart\""),
        "{page}"
    );
    // The fixture's counties have boundaries: M0 is mapped.
    assert!(page.contains("m0-map") && page.contains("class=\"choropleth\""), "{page}");
    let (status, _, severe) = get_text(&app, "/monitoring?k=1/2", &[("accept-language", "en")]).await;
    assert!(status == StatusCode::OK && severe.contains("(k = 1&#x2f;2 = 9&#x2f;18)"));
    // Equal weights: ten parts of ten, k = 1/3 needs four.
    let (status, _, equal) =
        get_text(&app, "/monitoring?weights=1,1,1,1,1,1,1,1,1,1", &[("accept-language", "en")]).await;
    assert!(
        status == StatusCode::OK
            && equal.contains("(k = 1&#x2f;3 = 4&#x2f;10)")
            && equal.contains("<td>1&#x2f;10</td>"),
        "{equal}"
    );
    for bad in ["/monitoring?k=19", "/monitoring?k=0", "/monitoring?weights=1,2,3"] {
        let (status, _, _) = get_text(&app, bad, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // Drill down: the province's one row leads to its prefectures, a county
    // to its townships and villages.
    let (_, _, provinces) = get_text(&app, "/monitoring?level=province", &[("accept-language", "en")]).await;
    assert!(
        provinces.contains("regions&#x2f;520000\">520000</a>")
            && provinces.contains("level=prefecture&amp;under=520000&amp;under_level=province"),
        "{provinces}"
    );
    let (_, _, villages) =
        get_text(&app, "/monitoring?level=village&under=520102&under_level=county", &[("accept-language", "en")]).await;
    let table = villages.split("registry-table").nth(1).unwrap();
    assert!(table.contains("<td>520102001001</td>"), "{villages}");
    assert!(!table.contains("520103001001"), "only villages under 南明");
    // Both households are below the line (5,000 and 6,000 < 7,600).
    assert!(
        page.contains("Flagged households without a case (2)") && page.contains("href=\"/households/520102\""),
        "{page}"
    );
    // The administrator sees the identifiers, and the view is audited.
    let (_, _, household) = get_text(&app, "/households/520102", &[("accept-language", "en")]).await;
    assert!(household.contains("520102199001011234") && household.contains("id=\"open-case-form\""), "{household}");
    let audit = app.test_store().audit_log(&revita_app::AuditFilter::default(), 20).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "household.view_personal"));
    // Open a case and verify it.
    let form = format!("csrf={}&category=marginal&channel=data_screening&on=2024-03-01&evidence=screening", app.csrf);
    let (status, _) =
        post(&app, "/households/520102/cases", "application/x-www-form-urlencoded", &app.cookie, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let form = format!("csrf={}&to=verified&on=2024-03-04&version=1&evidence=visit&notice_end=", app.csrf);
    let (status, body) =
        post(&app, "/cases/1/move", "application/x-www-form-urlencoded", &app.cookie, form.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, household) = get_text(&app, "/households/520102", &[("accept-language", "en")]).await;
    assert!(household.contains("<span class=\"step\" data-step=\"verified\">verified</span>"), "{household}");
    // A move from the version seen before is refused: someone moved it since.
    // Issue 16: the household is shown again with the reason on the move
    // form and what was typed in it.
    let stale = form.replace("to=verified", "to=consented").replace("evidence=visit", "evidence=signed+form");
    let (status, body) = post(&app, "/cases/1/move", "application/x-www-form-urlencoded", &app.cookie, stale).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let case = body.split("id=\"case-1\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(case.contains("role=\"alert\">case 1 was changed since version 1"), "{case}");
    let move_form = case.split("action=\"/cases/1/move\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(move_form.contains("value=\"signed form\""), "{move_form}");
    // The verified case's consent is long overdue: the home page says so.
    let (_, _, home) = get_text(&app, "/", &[("accept-language", "en")]).await;
    let alerts = home.split("id=\"home-alerts\"").nth(1).expect("alerts on the home page");
    assert!(alerts.contains("Overdue case steps") && alerts.contains("href=\"/households/520102\""), "{home}");
    // Measures come after the county's approval.
    let measure = format!("csrf={}&kind=employment&description=post&amount=3000&start=2024-03-10", app.csrf);
    let (status, body) =
        post(&app, "/cases/1/measures", "application/x-www-form-urlencoded", &app.cookie, measure).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let case = body.split("id=\"case-1\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(case.contains("role=\"alert\">") && case.contains("once the county has approved"), "{case}");
    // The household's figures, refused: the form open, the reason, what was typed.
    let figures = format!(
        "csrf={}&version=99&size=4&labor=2&income_pc=lots&income_pc_prev=6000&medical_exp=0&education_exp=0&disaster_loss=0",
        app.csrf
    );
    let (status, body) =
        post(&app, "/households/520102", "application/x-www-form-urlencoded", &app.cookie, figures).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let household_form = body.split("id=\"household-form\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(
        household_form.contains("role=\"alert\">income_pc") && household_form.contains("value=\"lots\""),
        "{household_form}"
    );
    assert!(household_form.contains("name=\"size\" type=\"number\" min=\"1\" value=\"4\""), "{household_form}");
    let (_, alerts) = get(&app, "/api/v1/alerts").await;
    assert_eq!(alerts["flagged_without_case"], 1, "only 云岩's household is left: {alerts}");
    // Stored screenings of two years: 南明's flagged share rose 10 → 50%.
    let stored = "code,name_zh,unit,aggregation\nhh_flagged_rate,预警户占比,%,none\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.csv");
    std::fs::write(&path, stored).unwrap();
    app.import_indicators(&path, &FileImport::default()).await.unwrap();
    let rates = "region_code,indicator,period,value\n520102,hh_flagged_rate,2023,10\n520102,hh_flagged_rate,2024,50\n\
        520103,hh_flagged_rate,2023,10\n520103,hh_flagged_rate,2024,12\n";
    let path = dir.path().join("o.csv");
    std::fs::write(&path, rates).unwrap();
    app.import_observations(&path, &ObservationImport::default(), &|_| {}).await.unwrap();
    let (_, alerts) = get(&app, "/api/v1/alerts").await;
    assert_eq!(alerts["rising"].as_array().unwrap().len(), 1, "{alerts}");
    assert_eq!(alerts["rising"][0]["region"], "520102");

    // A viewer sees the household masked, in the page and the export.
    let viewer = log_in(&app, "gz_viewer", revita_methods::access::Role::Viewer, "520000").await;
    let (status, _, csv) = get_text(&viewer, "/monitoring/households.csv", &[]).await;
    assert!(
        status == StatusCode::OK && csv.contains("520102********1234") && !csv.contains("520102199001011234"),
        "{csv}"
    );
    assert!(csv.starts_with("\u{feff}hh_id,village_code") && csv.lines().count() == 3, "{csv}");
    let exports = |log: &[revita_store::security::AuditEntry]| {
        log.iter().filter(|e| e.action == "household.export_personal").count()
    };
    assert_eq!(exports(&app.test_store().audit_log(&revita_app::AuditFilter::default(), 100).await.unwrap()), 0);
    let (_, _, full) = get_text(&app, "/monitoring/households.csv", &[]).await;
    assert!(full.contains("520102199001011234"), "the administrator's export is unmasked");
    assert_eq!(
        exports(&app.test_store().audit_log(&revita_app::AuditFilter::default(), 100).await.unwrap()),
        1,
        "and audited"
    );
    let (_, _, masked) = get_text(&viewer, "/households/520102", &[("accept-language", "en")]).await;
    assert!(
        masked.contains("520102********1234") && masked.contains("张*") && !masked.contains("open-case-form"),
        "{masked}"
    );
});

both_backends!(monitoring_lines_are_set_in_a_form_within_the_jurisdiction, |store: DynStore| async move {
    let app = fixture(store).await;
    let form = format!("csrf={}&region=000000&year=2021&amount=6000&rule=poverty_standard&multiple=1.5", app.csrf);
    let (status, body) = post(&app, "/monitoring/lines", "application/x-www-form-urlencoded", &app.cookie, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = get_text(&app, "/monitoring/lines", &[("accept-language", "en")]).await;
    assert!(page.contains("<td>2021</td><td><a href=\"/regions/000000\">000000</a></td><td class=\"num\">6,000</td><td>poverty_standard</td><td>1.5</td>"), "{page}");
    // A county clerk may set its county's line but not the nation's.
    let clerk = log_in(&app, "nanming_clerk", revita_methods::access::Role::DataEntry, "520102").await;
    let national = format!("csrf={}&region=000000&year=2022&amount=6600&rule=fixed&multiple=", clerk.csrf);
    let (status, _) =
        post(&clerk, "/monitoring/lines", "application/x-www-form-urlencoded", &clerk.cookie, national).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let own = format!("csrf={}&region=520102&year=2022&amount=7200&rule=dibao&multiple=2", clerk.csrf);
    let (status, _) = post(&clerk, "/monitoring/lines", "application/x-www-form-urlencoded", &clerk.cookie, own).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.test_store().monitoring_lines(Some(2022)).await.unwrap().len(), 1);
});

both_backends!(a_household_is_edited_and_its_members_imported_within_the_county, |store: DynStore| async move {
    let app = fixture(store).await;
    let form_type = "application/x-www-form-urlencoded";
    let edit = |csrf: &str, version: i64, size: i32| {
        format!(
            "csrf={csrf}&version={version}&size={size}&labor=2&income_pc=8000&income_pc_prev=6000&medical_exp=0\
             &education_exp=0&disaster_loss=0&income_wage=12000&income_business=6000&income_property=0\
             &income_transfer=6000&relocation_site=%E5%B9%B8%E7%A6%8F%E7%A4%BE%E5%8C%BA&d_health_ins=1"
        )
    };
    assert_eq!(app.test_store().household_version("520102").await.unwrap(), Some(1));
    let (status, body) = post(&app, "/households/520102", form_type, &app.cookie, edit(&app.csrf, 1, 3)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = get_text(&app, "/households/520102", &[("accept-language", "zh")]).await;
    assert!(page.contains("幸福社区") && page.contains("8000.00") && page.contains("25.0"), "{page}");
    let audit = app.test_store().audit_log(&revita_app::AuditFilter::default(), 20).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "household.edit" && e.after.as_deref().is_some_and(|a| a.contains("6000")))
    );
    // The same form again is stale: the edit in between is kept.
    let (status, body) = post(&app, "/households/520102", form_type, &app.cookie, edit(&app.csrf, 1, 4)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "shown again with the reason: {body}");
    assert_eq!(app.test_store().household("520102").await.unwrap().unwrap().household.size, 3);
    // Bad numbers and partial income sources are refused with the field named.
    let bad = edit(&app.csrf, 2, 3).replace("income_pc=8000", "income_pc=abc");
    let (status, body) = post(&app, "/households/520102", form_type, &app.cookie, bad).await;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY && body.contains("income_pc"), "{body}");
    let partial = edit(&app.csrf, 2, 3).replace("income_business=6000", "income_business=");
    let (status, body) = post(&app, "/households/520102", form_type, &app.cookie, partial).await;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY && body.contains("all four"), "{body}");
    // Forged (no CSRF token) and out-of-county edits are refused.
    let (status, _) = post(&app, "/households/520102", form_type, &app.cookie, edit("forged", 2, 3)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let clerk = log_in(&app, "nanming_clerk", revita_methods::access::Role::DataEntry, "520102").await;
    let (status, _) = post(&clerk, "/households/520103", form_type, &clerk.cookie, edit(&clerk.csrf, 1, 3)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let viewer = log_in(&app, "gz_viewer", revita_methods::access::Role::Viewer, "520000").await;
    let (status, _) = post(&viewer, "/households/520102", form_type, &viewer.cookie, edit(&viewer.csrf, 2, 3)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Members: the clerk's file for the other county is refused as a whole.
    let multipart_type = "multipart/form-data; boundary=XBOUNDARYX";
    let members = "hh_id,seq,name,sex,birth_year,labour,disabled,chronically_ill,schooling,insured\n\
        520102,1,张三,男,1970,full,0,1,not_in_school,1\n\
        520102,2,王芳,女,1972,partial,0,0,not_in_school,1\n\
        520102,3,张小明,男,2014,none,0,0,out_of_school,1\n\
        520103,1,李四,男,1985,full,0,0,not_in_school,1\n";
    let body = multipart(&clerk.csrf, "household_members", "m.csv", members);
    let (status, page) = post(&clerk, "/import", multipart_type, &clerk.cookie, body).await;
    assert!(
        page.contains("<td>5</td><td>hh_id</td><td>household 520103 is not in the registry of your jurisdiction"),
        "{status}: {page}"
    );
    assert!(app.test_store().members("520102").await.unwrap().is_empty(), "nothing is written");
    // Its own county's members load; the page lists them and the child out of
    // school shows as a guarantee gap the flags do not record.
    let own: String = members.lines().take(4).map(|l| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    std::fs::write(&path, own).unwrap();
    let report = app.import_household_members(&path, &FileImport::default(), 2026).await.unwrap();
    assert_eq!(report.records_written, 3);
    let (_, _, page) = get_text(&clerk, "/households/520102", &[("accept-language", "en")]).await;
    let table = page.split("class=\"data members\"").nth(1).unwrap();
    assert!(table.contains("王芳") && table.contains("out of school") && table.contains("partly able"), "{page}");
    assert!(page.contains("A member has a guarantee gap the household flags do not show; member: 3"), "{page}");
    let (_, _, masked) = get_text(&viewer, "/households/520102", &[("accept-language", "en")]).await;
    assert!(masked.contains("王*") && !masked.contains("王芳"), "member names are masked too");

    // One member at a time, in forms guarded by the household's version.
    let version = app.test_store().household_version("520102").await.unwrap().unwrap();
    let add = |csrf: &str, version: i64| {
        format!(
            "csrf={csrf}&version={version}&seq=4&name=%E5%BC%A0%E5%A5%B6%E5%A5%B6&sex=female&birth_year=1948&labour=none&schooling=not_in_school&chronically_ill=1&insured=1"
        )
    };
    let (status, body) =
        post(&clerk, "/households/520102/members", form_type, &clerk.cookie, add(&clerk.csrf, version)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) =
        post(&clerk, "/households/520102/members", form_type, &clerk.cookie, add(&clerk.csrf, version)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a stale form");
    let member_form = body.split("id=\"member-form\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(member_form.contains("role=\"alert\">"), "the reason on the form: {member_form}");
    assert!(body.contains("<details class=\"add-member\" open>"), "{body}");
    let remove = format!("csrf={}&version={}&seq=3&remove=1", clerk.csrf, version + 1);
    let (status, body) = post(&clerk, "/households/520102/members", form_type, &clerk.cookie, remove).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let seqs: Vec<i32> = app.test_store().members("520102").await.unwrap().iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 4]);
    let other = add(&clerk.csrf, 1);
    let (status, _) = post(&clerk, "/households/520103/members", form_type, &clerk.cookie, other).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

both_backends!(a_plan_is_built_and_followed_from_its_pages, |store: DynStore| async move {
    let app = fixture(store).await;
    let form_type = "application/x-www-form-urlencoded";
    let (status, _, list) = get_text(&app, "/plans", &[("accept-language", "zh")]).await;
    assert!(status == StatusCode::OK && list.contains("南明振兴规划") && list.contains("id=\"plan-form\""), "{list}");
    let create = format!(
        "csrf={}&title=%E8%B4%B5%E9%98%B3%E8%A7%84%E5%88%92&kind=five_year&region=520000&scope_kind=regions&scope=520102,520103&start_year=2021&end_year=2025&office=x",
        app.csrf
    );
    // Issue 16: a refused form says why on the form and keeps what was typed.
    let backwards =
        create.replace("end_year=2025", "end_year=2019").replace("office=x", "office=%E5%8F%91%E6%94%B9%E5%A7%94");
    let (status, body) = post(&app, "/plans", form_type, &app.cookie, backwards).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("id=\"plan-form-error\"") && body.contains("2021–2019"), "{body}");
    assert!(body.contains("value=\"贵阳规划\"") && body.contains("value=\"发改委\""), "input kept: {body}");
    assert!(body.contains("<option value=\"regions\" selected>"), "{body}");
    let (status, body) = post(&app, "/plans", form_type, &app.cookie, create).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let plan = 3;
    let form = |fields: &str| format!("csrf={}&{fields}", app.csrf);
    let (status, _) = post(&app, &format!("/plans/{plan}/goals"), form_type, &app.cookie, form("title=growth")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let goal = app.test_store().goals(plan).await.unwrap()[0].id;
    let target = form(&format!(
        "goal={goal}&indicator=pop_total&region=520102&baseline_year=2010&baseline=90&target_year=2025&target=120&binding=1"
    ));
    let (status, body) = post(&app, &format!("/plans/{plan}/targets"), form_type, &app.cookie, target).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let project = form(&format!(
        "code=P1&name=water&category=infrastructure&region=520102&start=2022-01-01&end=2024-12-31&budget_central_budget=1000&goal_{goal}=1"
    ));
    let (status, body) = post(&app, &format!("/plans/{plan}/projects"), form_type, &app.cookie, project).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // 南明 had 100 people in 2020: from 90 (2010) to 120 (2025) the path
    // expects 110 by 2020, so 10 / 20 = 50% of the change: off track.
    let (_, _, page) = get_text(&app, &format!("/plans/{plan}"), &[("accept-language", "en")]).await;
    assert!(page.contains("<td class=\"status off_track\">off track</td>"), "{page}");
    // Issue 16: indicators and the scope's regions are picked by name.
    assert!(page.contains("<option value=\"pop_total\">"), "{page}");
    assert!(page.contains("<option value=\"520102\">Nanming</option>"), "{page}");
    // A yearly target of 100 for 2020 puts the path through the census
    // value: 10 of the 10 expected, progress 100%, on track.
    let target_id = app.test_store().targets(plan).await.unwrap()[0].id;
    let edit = form("baseline_year=2010&baseline=90&target_year=2025&target=120&binding=1&intermediate=2020%3D100");
    let (status, body) = post(&app, &format!("/plans/{plan}/targets/{target_id}"), form_type, &app.cookie, edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = get_text(&app, &format!("/plans/{plan}"), &[("accept-language", "en")]).await;
    assert!(page.contains("<td class=\"status on_track\">on track</td>"), "{page}");
    let rename = form(
        "title=Guiyang&kind=five_year&scope_kind=regions&scope=520102,520103&start_year=2021&end_year=2026&office=x&version=1",
    );
    let (status, body) = post(&app, &format!("/plans/{plan}/edit"), form_type, &app.cookie, rename.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // The same form twice: the plan moved on since version 1, so the form
    // is shown again with the reason and what was typed (issue 16).
    let (status, body) = post(&app, &format!("/plans/{plan}/edit"), form_type, &app.cookie, rename).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the same form twice");
    let edit_form = body.split("id=\"plan-edit-form\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(edit_form.contains("changed since version 1") && edit_form.contains("value=\"Guiyang\""), "{edit_form}");
    assert!(body.contains("<details class=\"edit-plan\" open>"), "{body}");
    assert!(page.contains("class=\"timeline\"") && page.contains("class=\"choropleth\""), "{page}");

    // A bad project file: every row's problem is listed, nothing is written.
    let header = "code,name,category,region_code,lon,lat,start,end,status,percent,goals,budget_central_budget";
    let bad = format!(
        "{header}\nP2,road,infrastructure,999999,,,2022-01-01,2023-12-31,,,,10\nP3,road,roads,520102,,,2022-01-01,2023-12-31,,,,x\n"
    );
    let b = "XBOUNDARYX";
    let upload = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"projects.csv\"\r\nContent-Type: text/csv\r\n\r\n{bad}\r\n--{b}--\r\n",
        app.csrf
    );
    let (status, page) = post(
        &app,
        &format!("/plans/{plan}/projects/import"),
        "multipart/form-data; boundary=XBOUNDARYX",
        &app.cookie,
        upload,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"problems\"") && page.contains("<td>3</td><td>category</td>"), "{page}");
    assert_eq!(app.test_store().projects(plan).await.unwrap().len(), 1, "nothing written");

    // Submit, approve (the fixture's user administers everything), start;
    // then record a disbursement.
    for (to, version) in [("under_review", 2), ("approved", 3), ("in_implementation", 4)] {
        let (status, body) = post(
            &app,
            &format!("/plans/{plan}/status"),
            form_type,
            &app.cookie,
            form(&format!("to={to}&version={version}")),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}: {body}");
    }
    let (status, body) =
        post(&app, &format!("/plans/{plan}/status"), form_type, &app.cookie, form("to=completed&version=1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a stale form: {body}");
    let move_form = body.split("id=\"move-form\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(move_form.contains("role=\"alert\">"), "the reason on the form: {move_form}");
    let p1 = app.test_store().projects(plan).await.unwrap()[0].id;
    let pay = form("on=2024-03-01&amount=250&source=central_budget");
    let (status, body) = post(&app, &format!("/projects/{p1}/disbursements"), form_type, &app.cookie, pay).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, api) = get(&app, &format!("/api/v1/plans/{plan}")).await;
    assert_eq!(api["status"], "in_implementation");
    assert_eq!(api["projects"][0]["execution_rate"], 0.25);
    assert_eq!(api["goals"][0]["targets"][0]["status"], "on_track");
    assert_eq!(api["title"], "Guiyang");

    // The downloads.
    for (uri, kind) in [
        (format!("/plans/{plan}/data.xlsx"), "spreadsheetml"),
        ("/plans/projects-template.xlsx".to_string(), "spreadsheetml"),
        (format!("/plans/{plan}/document.pdf"), "application/pdf"),
    ] {
        let (status, headers, _) = get_text(&app, &uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(headers["content-type"].to_str().unwrap().contains(kind), "{uri}");
    }
    let (status, _, print) = get_text(&app, &format!("/plans/{plan}/print"), &[("accept-language", "zh")]).await;
    assert!(status == StatusCode::OK && print.contains("Guiyang") && !print.contains("<form"), "{print}");
});

both_backends!(exports_with_personal_data_are_never_stored_by_caches, |store: DynStore| async move {
    let app = fixture(store).await;
    for uri in [
        "/monitoring/households.csv",
        "/audit.csv",
        "/api/v1/alerts",
        "/regions/520100/children.csv",
        "/regions/520100/children.xlsx",
        "/plans/1/data.xlsx",
        "/plans/1/document.pdf",
        "/households/520102",
        "/api/v1/regions/520102",
    ] {
        let (status, headers, _) = get_text(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers["cache-control"], "no-store", "{uri}");
    }
    // What is the same for everyone may still be cached.
    let (_, headers, _) = get_text(&app, "/static/app.css", &[]).await;
    assert_eq!(headers["cache-control"], "public, max-age=3600");
});

both_backends!(no_csv_download_carries_a_formula, |store: DynStore| async move {
    // Issue 13: cells starting with = + - @ tab or CR become formulas when a
    // spreadsheet opens the file; an anonymous failed login writes whatever
    // name was typed into the audit log.
    let app = fixture(store).await;
    let dir = tempfile::tempdir().unwrap();
    let evil = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let regions = dir.path().join("evil.csv");
    std::fs::write(&regions, "code,name_zh,level,parent_code\n520199,@SUM(1+1),county,520100\n").unwrap();
    app.app.import_regions(&regions, &revita_app::import::FileImport::default()).await.unwrap();
    let households = dir.path().join("h.csv");
    std::fs::write(
        &households,
        "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
         d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins,head_name,phone\n\
         H-EVIL,520102001001,3,1,5000,6000,0,0,0,0,0,0,0,0,0,0,0,1,0,0,+cmd|calc,-1+2\n",
    )
    .unwrap();
    app.app.import_households(&households, &revita_app::import::FileImport::default()).await.unwrap();
    let origin = revita_app::auth::Origin { now: 1, ..Default::default() };
    let _ = app.app.login(evil, "a wrong password here", &origin).await;
    let designate = "/designate.csv?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D";
    for (uri, cell) in [
        ("/audit.csv", "'=HYPERLINK"),
        ("/regions/520100/children.csv", "'@SUM(1+1)"),
        (designate, "'@SUM(1+1)"),
        ("/monitoring/households.csv", "'+cmd|calc"),
        ("/monitoring/households.csv", "'-1+2"),
    ] {
        let (status, _, csv) = get_text(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {csv}");
        assert!(csv.starts_with('\u{feff}'), "{uri}: a byte-order mark for spreadsheets");
        assert!(csv.contains(cell), "{uri}: {cell} in {csv}");
        // No cell starts a formula: every field after a separator or a line start is checked.
        for line in csv.trim_start_matches('\u{feff}').lines() {
            for field in line.split(',') {
                let field = field.trim_start_matches('"');
                assert!(!field.starts_with(['=', '+', '@']), "{uri}: {field} in {line}");
            }
        }
    }
});

#[tokio::test]
async fn a_busy_database_answers_503_with_retry_after_and_keeps_nothing_half_done() {
    // Issue 14: a write that found the database held by another writer
    // failed with 500 "database is locked".
    let test = revita_testkit::TestStore::sqlite().await;
    let admin = fixture(test.store.clone()).await;
    // A second server over the same file, whose writes wait at most 100 ms.
    let options =
        revita_store::StoreOptions { busy_timeout: Some(std::time::Duration::from_millis(100)), ..Default::default() };
    let store = revita_store::open_with(&test.url, &options).await.unwrap();
    let app = App::new(store, &Profile::China);
    let client = Client { app: app.clone(), router: revita_web::router(app), ..admin };
    let form = format!("csrf={}&region=000000&year=2031&amount=6000&rule=fixed&multiple=", client.csrf);
    let send = |form: String| {
        let request = Request::builder()
            .method("POST")
            .uri("/monitoring/lines")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &client.cookie)
            .header("accept-language", "zh")
            .body(Body::from(form))
            .unwrap();
        client.router.clone().oneshot(request)
    };
    // Someone else holds the write lock (a unit of work left open).
    let held = test.store.begin().await.unwrap();
    let response = send(form.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[axum::http::header::RETRY_AFTER], "2");
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("请稍后重试"), "the reason in Chinese");
    drop(held);
    assert!(client.test_store().monitoring_lines(Some(2031)).await.unwrap().is_empty(), "nothing was written");
    let response = send(form).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "once the lock is free, the same form goes through");
    test.finish().await;
}

// Issue 16: the navigation offers what the user's roles reach.
both_backends!(the_navigation_offers_what_the_roles_reach, |store: DynStore| async move {
    let app = fixture(store).await;
    let (_, _, admin) = get_text(&app, "/", &[]).await;
    for link in ["href=\"/import\"", "href=\"/admin/users\"", "href=\"/audit\""] {
        assert!(admin.contains(link), "the administrator is offered {link}");
    }
    let viewer = log_in(&app, "gz_viewer", revita_methods::access::Role::Viewer, "520000").await;
    let (_, _, page) = get_text(&viewer, "/", &[]).await;
    for link in ["href=\"/import\"", "href=\"/admin/users\"", "href=\"/audit\""] {
        assert!(!page.contains(link), "a viewer is not offered {link}");
    }
    let clerk = log_in(&app, "nanming_clerk", revita_methods::access::Role::DataEntry, "520102").await;
    let (_, _, page) = get_text(&clerk, "/", &[]).await;
    assert!(page.contains("href=\"/import\"") && !page.contains("href=\"/audit\""));
});

// Issue 16: a spec is built with a form (no JSON by hand), run, saved under
// a name with versions, opened by its link; a refused save keeps what was
// typed and says why on the form.
both_backends!(a_spec_is_built_with_the_form_saved_and_shared, |store: DynStore| async move {
    let app = fixture(store).await;
    let (status, _, page) = get_text(&app, "/designate", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"spec-form\"") && page.contains("<option value=\"pop_total\">"), "indicators to pick");
    // A rule of one strict condition on the population, as a clerk fills it in.
    let built = "/designate?build=1&year=2020&b_name=Crowded+rule&b_level=county&b_years=1&b_missing=exclude\
        &b_method=rule&b_combine=all&b_0_code=pop_total&b_0_direction=catalogue&b_0_reference=mean&b_0_op=greater_than&b_0_share=1.0";
    let (status, _, page) = get_text(&app, built, &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("&quot;greater_than&quot;"), "the spec it made is shown as JSON: {page}");
    assert!(page.contains("sortable run-table"), "and run: {page}");
    assert!(
        page.contains("name=\"b_0_code\" list=\"indicator-options\" value=\"pop_total\""),
        "the form keeps its values"
    );
    // A field the form cannot take is named, the form kept open with it.
    let bad = built.replace("b_0_share=1.0", "b_0_share=lots");
    let (_, _, page) = get_text(&app, &bad, &[("accept-language", "en")]).await;
    assert!(
        page.contains("indicator 1 share: &#x27;lots&#x27; is not a number")
            || page.contains("indicator 1 share: 'lots' is not a number"),
        "{page}"
    );
    assert!(page.contains("<details id=\"spec-form\" open>") && page.contains("value=\"lots\""));

    // Saved twice under one name: versions 1 and 2, the list shows the latest.
    let spec = r#"{"name":"Crowded","universe":{"level":"county"},"indicators":[{"code":"pop_total","direction":"lower_is_better"}],"method":{"kind":"index","bands":[{"upper":0.5,"label":"lagging"},{"upper":1.0,"label":"other"}]}}"#;
    let form = |name: &str, spec: &str| {
        let encode = |t: &str| t.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
        format!("csrf={}&name={}&note=first&spec={}&year=2020", app.csrf, encode(name), encode(spec))
    };
    let form_type = "application/x-www-form-urlencoded";
    let mut ids = Vec::new();
    for _ in 0..2 {
        let request = Request::builder()
            .method("POST")
            .uri("/designate/specs")
            .header("content-type", form_type)
            .header("cookie", &app.cookie)
            .body(Body::from(form("Lagging counties", spec)))
            .unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let to = response.headers()["location"].to_str().unwrap().to_string();
        assert!(to.starts_with("/designate?saved="), "{to}");
        ids.push(to);
    }
    let (_, _, page) = get_text(&app, &ids[1], &[("accept-language", "en")]).await;
    assert!(
        page.contains("id=\"saved-spec\"") && page.contains("<strong>Lagging counties</strong> · Version 2"),
        "{page}"
    );
    assert!(page.contains("sortable run-table"), "a saved spec's link runs it");
    let audit = app.test_store().audit_log(&revita_app::AuditFilter::default(), 100).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "spec.save").count(), 3, "the fixture's and these two");
    // A spec that could never run is refused: 422, the reason and the name kept.
    let (status, page) =
        post(&app, "/designate/specs", form_type, &app.cookie, form("Broken one", r#"{"name":1}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<details id=\"save-spec\" open>") && page.contains("value=\"Broken one\""), "{page}");
    // A viewer may open saved specs but not save one.
    let viewer = log_in(&app, "gz_viewer", revita_methods::access::Role::Viewer, "520000").await;
    let (status, _) = post(
        &viewer,
        "/designate/specs",
        form_type,
        &viewer.cookie,
        form("Mine", spec).replace(&app.csrf, &viewer.csrf),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, listed) = get_text(&viewer, "/api/v1/specs", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed.contains("\"Lagging counties\"") && !listed.contains("\"Mine\""), "{listed}");
});

// Issue 16: a plan form the data refuse shows the plan again with the reason
// on that form and what was typed in it; nothing is written.
both_backends!(a_refused_plan_form_keeps_what_was_typed, |store: DynStore| async move {
    let app = fixture(store).await;
    let form_type = "application/x-www-form-urlencoded";
    let csrf = app.csrf.clone();
    let (status, _) = post(&app, "/plans/1/goals", form_type, &app.cookie, format!("csrf={csrf}&title=Grow")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let goal = app.test_store().goals(1).await.unwrap()[0].id;
    let target = format!(
        "csrf={csrf}&goal={goal}&indicator=pop_total&region=&baseline_year=2020&baseline=lots&target_year=2025&target=120&intermediate=2023%3D110"
    );
    let before = app.test_store().audit_log(&revita_app::AuditFilter::default(), 1000).await.unwrap().len();
    let (status, page) = post(&app, "/plans/1/targets", form_type, &app.cookie, target).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<details class=\"add-target\" open>"), "the form is open: {page}");
    let form = page.split("id=\"target-form\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(
        form.contains("role=\"alert\">baseline: &#x27;lots&#x27; is not a number")
            || form.contains("role=\"alert\">baseline: 'lots' is not a number"),
        "{form}"
    );
    assert!(
        form.contains("value=\"lots\"") && form.contains("value=\"2023=110\"") && form.contains("value=\"120\""),
        "{form}"
    );
    let after = app.test_store().audit_log(&revita_app::AuditFilter::default(), 1000).await.unwrap().len();
    assert_eq!(before, after, "nothing written");
    // Other forms on the page are not filled with it.
    let goal_form = page.split("id=\"goal-form\"").nth(1).unwrap().split("</form>").next().unwrap();
    assert!(!goal_form.contains("role=\"alert\"") && !goal_form.contains("lots"), "{goal_form}");
});
