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

async fn post_form(
    app: &App,
    uri: &str,
    cookie: Option<&str>,
    body: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", "en");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let request = request.body(Body::from(body.to_string())).unwrap();
    let response = revita_web::router(app.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// Opens the login form as a browser would: its token, and the cookie
/// (`revita_login_csrf=…`) that must come back with it.
pub(crate) async fn login_form_token(app: &App) -> (String, String) {
    let (status, headers, page) = anonymous(app, vec![], "/login").await;
    assert_eq!(status, StatusCode::OK);
    let set_cookie = headers["set-cookie"].to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let token = cookie.strip_prefix("revita_login_csrf=").unwrap().to_string();
    assert!(page.contains(&format!("name=\"csrf\" value=\"{token}\"")), "{page}");
    (cookie, token)
}

/// GETs `uri` without a session, with `cookie`.
async fn get_text_anonymous(app: &App, uri: &str, cookie: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let request = Request::builder().uri(uri).header("cookie", cookie).body(Body::empty()).unwrap();
    let response = revita_web::router(app.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// Posts the login form (`body` without the token) as a browser would.
async fn post_login(app: &App, body: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let (cookie, token) = login_form_token(app).await;
    post_form(app, "/login", Some(&cookie), &format!("{body}&csrf={token}")).await
}

both_backends!(logging_in_sets_a_safe_session_cookie, |store: DynStore| async move {
    let client = fixture(store).await;
    let (status, _, page) = post_login(&client, "name=admin&password=wrong+password+123&next=/").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("wrong user name or password"));
    let (status, headers, _) = post_login(&client, "name=admin&password=correct+horse+battery&next=/regions").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/regions");
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("revita_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP on loopback");
    // `next` never leads off the site.
    let (_, headers, _) = post_login(&client, "name=admin&password=correct+horse+battery&next=//evil.example").await;
    assert_eq!(headers["location"], "/");
});

both_backends!(the_login_form_carries_its_own_csrf_token, |store: DynStore| async move {
    let client = fixture(store).await;
    let (_, headers, _) = anonymous(&client, vec![], "/login").await;
    let set_cookie = headers["set-cookie"].to_str().unwrap();
    for part in ["revita_login_csrf=", "Path=/login", "HttpOnly", "SameSite=Strict", "Max-Age=3600"] {
        assert!(set_cookie.contains(part), "{part}: {set_cookie}");
    }
    let (cookie, token) = login_form_token(&client).await;
    let (other_cookie, other_token) = login_form_token(&client).await;
    assert_ne!(token, other_token, "a fresh token for a browser without one");
    // A browser that holds a token keeps it (it may load the page twice for
    // one form: a favicon redirected to log in).
    let (_, headers, page) = get_text_anonymous(&client, "/login", &cookie).await;
    assert!(page.contains(&format!("name=\"csrf\" value=\"{token}\"")), "{page}");
    assert!(headers["set-cookie"].to_str().unwrap().starts_with(&format!("{cookie};")));
    let (_, _, page) = get_text_anonymous(&client, "/login", "revita_login_csrf=forged").await;
    assert!(!page.contains("value=\"forged\""), "only a well-formed token is kept");
    let login = "name=admin&password=correct+horse+battery&next=/regions";
    let audit = || async { client.test_store().audit_log(&Default::default(), 100).await.unwrap().len() };
    let before = audit().await;
    for (what, cookie, body) in [
        ("no token, no cookie", None, login.to_string()),
        ("a cookie but no token", Some(cookie.as_str()), login.to_string()),
        ("a token but no cookie", None, format!("{login}&csrf={token}")),
        ("another form's token", Some(cookie.as_str()), format!("{login}&csrf={other_token}")),
        ("an empty token and cookie", Some("revita_login_csrf="), format!("{login}&csrf=")),
    ] {
        let (status, headers, page) = post_form(&client, "/login", cookie, &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
        assert!(
            headers.get("location").is_none() && !headers["set-cookie"].to_str().unwrap().contains("revita_session")
        );
        assert!(
            page.contains("the login form has expired or did not come from this site; log in again"),
            "{what}: {page}"
        );
        assert!(page.contains("name=\"csrf\""), "{what}: the page offers a fresh form");
    }
    assert_eq!(audit().await, before, "refused forms never reach the login (or its throttle)");
    // In Chinese too.
    let request = Request::builder()
        .method("POST")
        .uri("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", "zh-CN")
        .body(Body::from(login))
        .unwrap();
    let response = revita_web::router(client.app.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    assert!(String::from_utf8_lossy(&page).contains("登录表单已过期或并非来自本站，请重新登录"));
    // The form's own token logs in, and the form cookie is cleared.
    let (status, headers, _) =
        post_form(&client, "/login", Some(&other_cookie), &format!("{login}&csrf={other_token}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookies: Vec<&str> = headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("revita_session=")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("revita_login_csrf=;") && c.contains("Max-Age=0")), "{cookies:?}");
});

both_backends!(logging_in_never_leads_off_the_site, |store: DynStore| async move {
    let client = fixture(store).await;
    for evil in super::pages::EVIL_TARGETS.iter().chain(&["/\\evil.example", "/%5C/evil.example"]) {
        let (status, headers, _) =
            post_login(&client, &format!("name=admin&password=correct+horse+battery&next={evil}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(headers["location"], "/", "{evil}");
    }
    // The login page does not carry an unsafe `next` into its form either.
    let (_, _, page) = anonymous(&client, vec![], "/login?next=/%5Cevil.example").await;
    assert!(page.contains("name=\"next\" value=\"&#x2f;\"") && !page.contains("evil"), "{page}");
});

both_backends!(api_clients_use_bearer_tokens, |store: DynStore| async move {
    let client = fixture(store).await;
    let admin = client.test_store().user_by_name("admin").await.unwrap().unwrap();
    let actor = revita_app::auth::Actor {
        user_id: admin.id,
        name: admin.name.clone(),
        access: revita_methods::access::Access::new(client.test_store().grants(admin.id).await.unwrap()),
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
    let (cookie, token) = login_form_token(&client).await;
    let request = Request::builder()
        .method("POST")
        .uri("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-revita-peer", "198.51.100.7")
        .body(Body::from(format!("name=admin&password=wrong+password+123&csrf={token}")))
        .unwrap();
    let response = revita_web::router(client.app.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let log = client.test_store().audit_log(&Default::default(), 10).await.unwrap();
    let failed = log.iter().find(|e| e.action == "session.login_failed").unwrap();
    assert_eq!(failed.client_addr, None, "no connection here, and nothing the client claimed");
});
