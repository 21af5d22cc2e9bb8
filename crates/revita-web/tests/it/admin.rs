//! The security pages: users, tokens, audit log.

use super::*;

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

const FORM: &str = "application/x-www-form-urlencoded";

both_backends!(administrators_manage_users_with_optimistic_versions, |store: DynStore| async move {
    let admin = fixture(store).await;
    let body = form(&[
        ("csrf", &admin.csrf),
        ("name", "gz_viewer"),
        ("password", "a long enough phrase"),
        ("role", "viewer"),
        ("scope", "520000"),
    ]);
    let (status, page) = pages::post(&admin, "/admin/users", FORM, &admin.cookie, body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("查看人员 @ 520000"), "the role by its name in the page's language: {page}");
    let weak =
        form(&[("csrf", &admin.csrf), ("name", "x1"), ("password", "short"), ("role", "viewer"), ("scope", "520000")]);
    let (status, page) = pages::post(&admin, "/admin/users", FORM, &admin.cookie, weak).await;
    // Refused: the reason, and the form filled again but for the password.
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("name=\"name\" value=\"x1\"") && page.contains("<option value=\"viewer\" selected>"),
        "{page}"
    );
    assert!(!page.contains("value=\"short\""), "the password is not shown again");
    assert!(page.contains("at least 12 characters"), "{page}");

    let version = admin.test_store().user_by_name("gz_viewer").await.unwrap().unwrap().version.to_string();
    let disable = form(&[("csrf", &admin.csrf), ("version", &version), ("action", "disable")]);
    let (status, _) = pages::post(&admin, "/admin/users/gz_viewer", FORM, &admin.cookie, disable.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(admin.test_store().user_by_name("gz_viewer").await.unwrap().unwrap().disabled);
    // The same form again is stale: a clear conflict, nothing overwritten.
    let (_, page) = pages::post(&admin, "/admin/users/gz_viewer", FORM, &admin.cookie, disable).await;
    assert!(page.contains("changed by someone else"), "{page}");
    // A second role over another jurisdiction.
    let version = admin.test_store().user_by_name("gz_viewer").await.unwrap().unwrap().version.to_string();
    let grant = form(&[
        ("csrf", &admin.csrf),
        ("version", &version),
        ("action", "grant"),
        ("role", "planner"),
        ("scope", "520100"),
    ]);
    let (_, page) = pages::post(&admin, "/admin/users/gz_viewer", FORM, &admin.cookie, grant).await;
    assert!(
        page.contains("规划人员 @ 520100, 查看人员 @ 520000") || page.contains("查看人员 @ 520000, 规划人员 @ 520100"),
        "{page}"
    );
    let log = admin.test_store().audit_log(&Default::default(), 20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "user.grant"));
    let update = log.iter().find(|e| e.action == "user.update").unwrap();
    assert!(update.before.as_deref().unwrap().contains("\"disabled\":false"));
    assert!(update.after.as_deref().unwrap().contains("\"disabled\":true"));
});

both_backends!(a_county_administrator_manages_only_its_county, |store: DynStore| async move {
    let admin = fixture(store).await;
    let county_admin = log_in(&admin, "nm_admin", revita_methods::access::Role::Admin, "520102").await;
    let body = form(&[
        ("csrf", &county_admin.csrf),
        ("name", "yy_clerk"),
        ("password", "a long enough phrase"),
        ("role", "data_entry"),
        ("scope", "520103"),
    ]);
    let (status, _) = pages::post(&county_admin, "/admin/users", FORM, &county_admin.cookie, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, page) = get_text(&county_admin, "/admin/users", &[]).await;
    assert!(
        page.contains("<td>nm_admin</td>") && !page.contains("<td>admin</td>"),
        "the national admin is not its to manage: {page}"
    );
});

both_backends!(tokens_are_shown_once_then_listed_and_revoked, |store: DynStore| async move {
    let admin = fixture(store).await;
    let (status, page) = pages::post(
        &admin,
        "/account/tokens",
        FORM,
        &admin.cookie,
        form(&[("csrf", &admin.csrf), ("name", "etl"), ("days", "30")]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let secret = page.split("<code id=\"token-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(secret.starts_with("rvt_"));
    let (_, _, listed) = get_text(&admin, "/account/tokens", &[]).await;
    assert!(listed.contains("etl") && !listed.contains(&secret), "the secret is never shown again");
    let token = admin
        .test_store()
        .api_tokens(admin.test_store().user_by_name("admin").await.unwrap().unwrap().id)
        .await
        .unwrap()[0]
        .id;
    let (status, _) = pages::post(
        &admin,
        &format!("/account/tokens/{token}/revoke"),
        FORM,
        &admin.cookie,
        form(&[("csrf", &admin.csrf)]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(admin.token_actor(&secret, revita_web::auth::now()).await.unwrap().is_none());
});

both_backends!(auditors_browse_and_export_the_log, |store: DynStore| async move {
    let admin = fixture(store).await;
    let auditor = log_in(&admin, "auditor", revita_methods::access::Role::Auditor, "520102").await;
    let (status, _, page) = get_text(&auditor, "/audit?actor=admin", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("session.login") && !page.contains("<td>auditor</td>"), "filtered by actor: {page}");
    let (status, headers, csv) = get_text(&auditor, "/audit.csv?object_type=user", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("audit.csv"));
    // A byte-order mark, so that spreadsheets read the text as UTF-8.
    assert!(
        csv.starts_with("\u{feff}at,actor,action,object_type,object_id,region,before,after,request_id,client_addr\n"),
        "{csv}"
    );
    assert!(csv.contains(",user.create,"), "{csv}");
    // Issue 16: actions named in the reader's language, times in Beijing
    // time, changes field by field, a page at a time, a date range.
    let (_, _, zh) = get_text(&auditor, "/audit?actor=admin", &[("accept-language", "zh")]).await;
    assert!(zh.contains("(UTC+08:00)") && zh.contains(">登录<"), "{zh}");
    assert!(zh.contains("title=\"session.login\""), "the code stays at hand: {zh}");
    let entries = auditor.test_store().audit_log(&Default::default(), 1000).await.unwrap();
    let newest = &entries[0];
    let (_, _, today) = get_text(&auditor, "/audit", &[]).await;
    assert!(today.contains(&revita_methods::UtcOffset::CHINA.format(newest.at)), "{today}");
    let tomorrow = revita_methods::Date::from_days_since_epoch(newest.at / 86_400 + 2);
    let (_, _, none) = get_text(&auditor, &format!("/audit?from={tomorrow}"), &[]).await;
    assert!(!none.contains("<td>admin</td>"), "nothing from {tomorrow} on: {none}");
    let (status, _, bad) = get_text(&auditor, "/audit?from=yesterday", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    // More than a page: the next page starts below the last id shown.
    for k in 0..120 {
        admin
            .test_store()
            .append_audit(&[revita_store::security::AuditEntry {
                at: 1_000 + k,
                actor: "admin".into(),
                action: "region.update".into(),
                object_type: "region".into(),
                object_id: format!("52{k:04}"),
                before: Some(r#"{"name_zh":"旧名","level":"county"}"#.into()),
                after: Some(r#"{"name_zh":"新名","level":"county"}"#.into()),
                ..Default::default()
            }])
            .await
            .unwrap();
    }
    let (_, _, first) = get_text(&auditor, "/audit?object_type=region", &[("accept-language", "zh")]).await;
    assert_eq!(first.matches("<td>admin</td>").count(), 100);
    assert!(first.contains("<b>name_zh</b>: 旧名 → 新名") && !first.contains("<b>level</b>"), "{first}");
    let older = first.split("before=").nth(1).unwrap().split('"').next().unwrap();
    let (_, _, second) = get_text(&auditor, &format!("/audit?object_type=region&before={older}"), &[]).await;
    assert_eq!(second.matches("<td>admin</td>").count(), 20);
});
