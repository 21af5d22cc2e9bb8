use revita_app::auth::{MAX_FAILURES, Origin};
use revita_methods::access::{Action, Grant, Role};
use revita_store::security::AuditFilter;

use super::*;

fn at(now: i64) -> Origin {
    Origin { now, request_id: Some("req-1".into()), client_addr: Some("10.1.2.3".into()) }
}

fn grant(role: Role, scope: &str) -> Grant {
    Grant { role, scope: code(scope) }
}

const PASSWORD: &str = "correct horse battery";

/// An admin for all of China and a data-entry clerk for 南明区.
async fn users(app: &App) -> (revita_app::auth::Actor, revita_app::auth::Actor) {
    app.create_user(None, "admin", PASSWORD, &[grant(Role::Admin, "000000")], &at(0)).await.unwrap();
    let session = app.login("admin", PASSWORD, &at(1)).await.unwrap();
    let (admin, _) = app.session_actor(&session.token, 2).await.unwrap().unwrap();
    app.create_user(Some(&admin), "clerk", PASSWORD, &[grant(Role::DataEntry, "520102")], &at(3)).await.unwrap();
    let session = app.login("clerk", PASSWORD, &at(4)).await.unwrap();
    let (clerk, _) = app.session_actor(&session.token, 5).await.unwrap().unwrap();
    (admin, clerk)
}

both_backends!(users_log_in_and_act_within_their_jurisdiction, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let (admin, clerk) = users(&app).await;
    assert!(app.require(&clerk, Action::EditData, &code("520102")).await.is_ok());
    assert!(matches!(app.require(&clerk, Action::EditData, &code("520103")).await, Err(AppError::Forbidden(_))));
    assert!(matches!(app.require(&clerk, Action::Read, &code("520000")).await, Err(AppError::Forbidden(_))));
    assert!(app.require(&admin, Action::ManageUsers, &code("520103")).await.is_ok());
    // A clerk cannot create users, not even in its own county.
    let attempt = app.create_user(Some(&clerk), "other", PASSWORD, &[grant(Role::Viewer, "520102")], &at(6)).await;
    assert!(matches!(attempt, Err(AppError::Forbidden(_))));
});

both_backends!(weak_passwords_and_wrong_ones_are_refused, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let weak = app.create_user(None, "li", "short", &[], &at(0)).await;
    assert!(matches!(weak, Err(AppError::Invalid(ref m)) if m.contains("at least 12")), "{weak:?}");
    app.create_user(None, "li", PASSWORD, &[grant(Role::Viewer, "520000")], &at(0)).await.unwrap();
    let wrong = app.login("li", "not the password", &at(1)).await;
    assert!(matches!(wrong, Err(AppError::Unauthorized(_))));
    let unknown = app.login("nobody", PASSWORD, &at(1)).await.unwrap_err();
    assert_eq!(unknown.to_string(), wrong.unwrap_err().to_string(), "the same message either way");
});

both_backends!(the_eleventh_wrong_password_in_a_minute_blocks_even_the_right_one, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    app.create_user(None, "li", PASSWORD, &[grant(Role::Viewer, "520000")], &at(0)).await.unwrap();
    for i in 0..MAX_FAILURES {
        assert!(app.login("li", "wrong password!", &at(100 + i)).await.is_err());
    }
    let blocked = app.login("li", PASSWORD, &at(120)).await;
    assert!(matches!(blocked, Err(AppError::Unauthorized(ref m)) if m.contains("too many")), "{blocked:?}");
    // A minute after the failures, the right password works again.
    assert!(app.login("li", PASSWORD, &at(100 + MAX_FAILURES + 61)).await.is_ok());
});

both_backends!(sessions_end_and_passwords_change, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let (_, clerk) = users(&app).await;
    let session = app.login("clerk", PASSWORD, &at(10)).await.unwrap();
    assert!(app.session_actor(&session.token, 11).await.unwrap().is_some());
    assert!(app.session_actor(&session.token, session.expires_at).await.unwrap().is_none(), "expired");
    let session = app.login("clerk", PASSWORD, &at(20)).await.unwrap();
    app.change_password(&clerk, PASSWORD, "a much better passphrase", &at(21)).await.unwrap();
    assert!(app.session_actor(&session.token, 22).await.unwrap().is_none(), "a password change ends sessions");
    assert!(app.login("clerk", PASSWORD, &at(23)).await.is_err());
    let session = app.login("clerk", "a much better passphrase", &at(24)).await.unwrap();
    app.logout(&clerk, &session.token, &at(25)).await.unwrap();
    assert!(app.session_actor(&session.token, 25).await.unwrap().is_none());
});

both_backends!(a_stale_edit_of_a_user_is_a_conflict, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let (admin, _) = users(&app).await;
    let clerk = app.test_store().user_by_name("clerk").await.unwrap().unwrap();
    let disabled = app.set_user_flags(&admin, "clerk", clerk.version, true, false, &at(30)).await.unwrap();
    assert!(app.login("clerk", PASSWORD, &at(31)).await.is_err(), "a disabled user cannot log in");
    let stale = app.set_user_flags(&admin, "clerk", clerk.version, false, true, &at(32)).await;
    assert!(matches!(stale, Err(AppError::Conflict(ref m)) if m.contains("changed by someone else")), "{stale:?}");
    app.set_user_flags(&admin, "clerk", disabled.version, false, true, &at(33)).await.unwrap();
    let session = app.login("clerk", PASSWORD, &at(34)).await.unwrap();
    let (actor, _) = app.session_actor(&session.token, 35).await.unwrap().unwrap();
    assert!(actor.must_change_password);
});

both_backends!(api_tokens_are_shown_once_and_can_be_revoked, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let (_, clerk) = users(&app).await;
    let (secret, token) = app.create_api_token(&clerk, "etl", 30, &at(40)).await.unwrap();
    assert!(secret.starts_with("rvt_"));
    assert_eq!(app.token_actor(&secret, 41).await.unwrap().unwrap().name, "clerk");
    assert!(app.token_actor(&secret, token.expires_at).await.unwrap().is_none(), "expired");
    assert!(app.token_actor("rvt_guess", 41).await.unwrap().is_none());
    app.revoke_api_token(&clerk, token.id, &at(42)).await.unwrap();
    assert!(app.token_actor(&secret, 43).await.unwrap().is_none());
    let stored = app.test_store().api_tokens(clerk.user_id).await.unwrap();
    assert!(stored.iter().all(|t| t.name == "etl"), "the secret itself is stored nowhere");
});

both_backends!(changes_are_audited_and_only_auditors_read_the_log, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let (admin, clerk) = users(&app).await;
    app.create_user(Some(&admin), "auditor", PASSWORD, &[grant(Role::Auditor, "520102")], &at(50)).await.unwrap();
    let session = app.login("auditor", PASSWORD, &at(51)).await.unwrap();
    let (auditor, _) = app.session_actor(&session.token, 52).await.unwrap().unwrap();
    let log = app.audit_entries(&auditor, &AuditFilter::default(), 100).await.unwrap();
    let created = log.iter().find(|e| e.action == "user.create" && e.object_id == "clerk").unwrap();
    assert_eq!(
        (created.actor.as_str(), created.request_id.as_deref(), created.client_addr.as_deref()),
        ("admin", Some("req-1"), Some("10.1.2.3"))
    );
    assert!(created.after.as_deref().unwrap().contains("\"data_entry@520102\""));
    assert!(matches!(app.audit_entries(&clerk, &AuditFilter::default(), 10).await, Err(AppError::Forbidden(_))));
});

both_backends!(a_provincial_admin_cannot_reach_beyond_its_province, |store: DynStore| async move {
    // Issue 13: a provincial admin created an auditor (a role that reads the
    // nation), or granted itself one, and so read everything.
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let (admin, _) = users(&app).await;
    app.create_user(Some(&admin), "gz_admin", PASSWORD, &[grant(Role::Admin, "520000")], &at(10)).await.unwrap();
    let gz = app.actor_named("gz_admin").await.unwrap();
    let auditor = app.create_user(Some(&gz), "spy", PASSWORD, &[grant(Role::Auditor, "520102")], &at(11)).await;
    assert!(matches!(auditor, Err(AppError::Forbidden(ref m)) if m.contains("national administrator")), "{auditor:?}");
    let version = app.test_store().user_by_name("gz_admin").await.unwrap().unwrap().version;
    let itself = app.add_grant(&gz, "gz_admin", version, grant(Role::Auditor, "520000"), &at(12)).await;
    assert!(matches!(itself, Err(AppError::Forbidden(_))), "{itself:?}");
    let above = app.add_grant(&gz, "gz_admin", version, grant(Role::Admin, "000000"), &at(12)).await;
    assert!(matches!(above, Err(AppError::Forbidden(_))), "{above:?}");
    // No one edits an account above them: not the national admin, not an auditor.
    app.create_user(Some(&admin), "checker", PASSWORD, &[grant(Role::Auditor, "000000")], &at(13)).await.unwrap();
    for name in ["admin", "checker"] {
        let user = app.test_store().user_by_name(name).await.unwrap().unwrap();
        let disabled = app.set_user_flags(&gz, name, user.version, true, false, &at(14)).await;
        assert!(matches!(disabled, Err(AppError::Forbidden(_))), "{name}: {disabled:?}");
    }
    let managed: Vec<String> = app.managed_users(&gz).await.unwrap().into_iter().map(|(u, _)| u.name).collect();
    assert_eq!(managed, ["clerk", "gz_admin"]);
    // Within its province it administers as before.
    app.create_user(Some(&gz), "gz_viewer", PASSWORD, &[grant(Role::Viewer, "520100")], &at(15)).await.unwrap();
    // It reads the audit entries of its province only.
    let entries = app.audit_entries(&gz, &AuditFilter::default(), 100).await.unwrap();
    assert!(entries.iter().any(|e| e.object_id == "gz_viewer"));
    assert!(entries.iter().all(|e| e.region.as_deref().is_some_and(|r| r.starts_with("52"))), "{entries:?}");
    assert!(!entries.iter().any(|e| e.object_id == "checker"), "a national change is not the province's");
    let all = app.audit_entries(&admin, &AuditFilter::default(), 100).await.unwrap();
    assert!(all.iter().any(|e| e.object_id == "checker"));
});
