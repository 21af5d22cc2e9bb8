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

both_backends!(region_pages_show_standing_charts_and_downloads, |store: DynStore| async move {
    let app = fixture(store).await;
    let (_, _, body) = get_text(&app, "/regions/520103", &[("accept-language", "en")]).await;
    assert!(body.contains("Rank 1 of 2"), "300 is the higher of the two counties");
    assert!(body.contains("class=\"line-chart\""));
    let (status, headers, csv) = get_text(&app, "/regions/520100/children.csv", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("520100-children.csv"));
    assert_eq!(csv, "code,name_zh,name_en,pop_total (2020)\n520102,南明区,Nanming,100\n520103,云岩区,Yunyan,300\n");
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
    assert!(
        bad.contains("method &#x27;magic&#x27; is not quantiles or jenks") || bad.contains("method 'magic'"),
        "{bad}"
    );
});

both_backends!(every_documented_endpoint_answers, |store: DynStore| async move {
    let app = fixture(store).await;
    for endpoint in revita_web::ENDPOINTS {
        let (status, _) = get(&app, endpoint.example).await;
        assert_eq!(status, StatusCode::OK, "{}", endpoint.example);
    }
    let doc = revita_web::openapi_document();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["paths"].as_object().unwrap().len(), revita_web::ENDPOINTS.len());
    let (_, map) = get(&app, "/api/v1/map?theme=indicator:pop_total&level=county&within=520000").await;
    assert_eq!(map["features"].as_array().unwrap().len(), 2);
    assert_eq!(map["features"][0]["properties"]["value"], 100.0);
});
