//! Logging in, sessions, tokens, and what anonymous requests get.

use super::*;

async fn anonymous(
    app: &App,
    public: Vec<revita_web::auth::PublicPage>,
    uri: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let response = revita_web::router_with(app.clone(), public).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

both_backends!(anonymous_requests_are_sent_to_log_in, |store: DynStore| async move {
    let client = fixture(store).await;
    let (status, headers, _) = anonymous(&client, vec![], "/regions/520102?x=1").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/login?next=/regions/520102%3Fx%3D1");
    let (status, _, body) = anonymous(&client, vec![], "/api/v1/regions/520102").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("\"code\":\"unauthorized\""), "{body}");
    for open in ["/login", "/health", "/static/app.css"] {
        assert_eq!(anonymous(&client, vec![], open).await.0, StatusCode::OK, "{open}");
    }
});

both_backends!(published_pages_are_readable_without_logging_in, |store: DynStore| async move {
    let client = fixture(store).await;
    let public = vec![revita_web::auth::PublicPage::Map];
    let (status, _, body) = anonymous(&client, public.clone(), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<svg") && !body.contains("id=\"log-out\""));
    assert_eq!(anonymous(&client, public, "/regions").await.0, StatusCode::SEE_OTHER, "only what was published");
});

async fn post_form(app: &App, uri: &str, body: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = revita_web::router(app.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

both_backends!(logging_in_sets_a_safe_session_cookie, |store: DynStore| async move {
    let client = fixture(store).await;
    let (status, _, page) = post_form(&client, "/login", "name=admin&password=wrong+password+123&next=/").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("wrong user name or password"));
    let (status, headers, _) =
        post_form(&client, "/login", "name=admin&password=correct+horse+battery&next=/regions").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/regions");
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("revita_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP on loopback");
    // `next` never leads off the site.
    let (_, headers, _) =
        post_form(&client, "/login", "name=admin&password=correct+horse+battery&next=//evil.example").await;
    assert_eq!(headers["location"], "/");
});

both_backends!(logging_in_never_leads_off_the_site, |store: DynStore| async move {
    let client = fixture(store).await;
    for evil in super::pages::EVIL_TARGETS.iter().chain(&["/\\evil.example", "/%5C/evil.example"]) {
        let (status, headers, _) =
            post_form(&client, "/login", &format!("name=admin&password=correct+horse+battery&next={evil}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(headers["location"], "/", "{evil}");
    }
    // The login page does not carry an unsafe `next` into its form either.
    let (_, _, page) = anonymous(&client, vec![], "/login?next=/%5Cevil.example").await;
    assert!(page.contains("name=\"next\" value=\"&#x2f;\"") && !page.contains("evil"), "{page}");
});

both_backends!(api_clients_use_bearer_tokens, |store: DynStore| async move {
    let client = fixture(store).await;
    let admin = client.store().user_by_name("admin").await.unwrap().unwrap();
    let actor = revita_app::auth::Actor {
        user_id: admin.id,
        name: admin.name.clone(),
        access: revita_methods::access::Access::new(client.store().grants(admin.id).await.unwrap()),
        must_change_password: false,
    };
    let (secret, _) = client
        .create_api_token(
            &actor,
            "etl",
            30,
            &revita_app::auth::Origin { now: revita_web::auth::now(), ..Default::default() },
        )
        .await
        .unwrap();
    let request = Request::builder()
        .uri("/api/v1/inventory")
        .header("authorization", format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    let response = revita_web::router(client.app.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let request = Request::builder()
        .uri("/api/v1/inventory")
        .header("authorization", "Bearer rvt_nonsense")
        .body(Body::empty())
        .unwrap();
    let response = revita_web::router(client.app.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
});

both_backends!(clients_cannot_choose_the_address_the_log_and_throttle_see, |store: DynStore| async move {
    let client = fixture(store).await;
    let request = Request::builder()
        .method("POST")
        .uri("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-revita-peer", "198.51.100.7")
        .body(Body::from("name=admin&password=wrong+password+123"))
        .unwrap();
    let response = revita_web::router(client.app.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let log = client.store().audit_log(&Default::default(), 10).await.unwrap();
    let failed = log.iter().find(|e| e.action == "session.login_failed").unwrap();
    assert_eq!(failed.client_addr, None, "no connection here, and nothing the client claimed");
});
