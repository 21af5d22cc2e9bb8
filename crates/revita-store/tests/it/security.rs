use revita_methods::access::{Grant, Role};
use revita_store::security::{AuditEntry, AuditFilter, Session};

use super::*;

both_backends!(users_are_created_once_and_updated_with_their_version, |store: DynStore| async move {
    let user = store.create_user("gz_planner", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", 1_000).await.unwrap();
    assert_eq!((user.name.as_str(), user.version, user.disabled), ("gz_planner", 1, false));
    assert!(matches!(store.create_user("gz_planner", "x", 1_001).await, Err(StoreError::Conflict(_))));
    let mut edited = user.clone();
    edited.disabled = true;
    let saved = store.update_user(&edited).await.unwrap();
    assert_eq!((saved.version, saved.disabled), (2, true));
    // A second edit based on the version first read is stale.
    let mut stale = user.clone();
    stale.must_change_password = true;
    match store.update_user(&stale).await {
        Err(StoreError::Conflict(message)) => assert!(message.contains("changed by someone else"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.user_by_name("gz_planner").await.unwrap(), Some(saved.clone()));
    assert_eq!(store.user(saved.id).await.unwrap(), Some(saved));
    assert_eq!(store.users().await.unwrap().len(), 1);
});

both_backends!(grants_are_replaced_whole, |store: DynStore| async move {
    let user = store.create_user("u", "h", 0).await.unwrap();
    let grant = |role, scope: &str| Grant { role, scope: code(scope) };
    store.set_grants(user.id, &[grant(Role::Viewer, "520000"), grant(Role::DataEntry, "520102")]).await.unwrap();
    assert_eq!(
        store.grants(user.id).await.unwrap(),
        vec![grant(Role::DataEntry, "520102"), grant(Role::Viewer, "520000")]
    );
    store.set_grants(user.id, &[grant(Role::Admin, "000000")]).await.unwrap();
    assert_eq!(store.grants(user.id).await.unwrap(), vec![grant(Role::Admin, "000000")]);
});

both_backends!(sessions_and_tokens_are_found_by_hash, |store: DynStore| async move {
    let user = store.create_user("u", "h", 0).await.unwrap();
    let session = Session { user_id: user.id, csrf: "c".repeat(32), expires_at: 5_000 };
    store.create_session("hash-1", &session).await.unwrap();
    assert_eq!(store.session("hash-1").await.unwrap(), Some(session.clone()));
    assert_eq!(store.session_user("hash-1").await.unwrap(), Some((session, user.clone())));
    store.delete_sessions_of(user.id).await.unwrap();
    assert_eq!(store.session("hash-1").await.unwrap(), None);

    let token = store.create_api_token(user.id, "etl", "thash", 10, 20).await.unwrap();
    assert_eq!(store.api_token_by_hash("thash").await.unwrap(), Some(token.clone()));
    assert!(!store.revoke_api_token(user.id + 1, token.id).await.unwrap(), "only the owner revokes");
    assert!(store.revoke_api_token(user.id, token.id).await.unwrap());
    assert!(store.api_tokens(user.id).await.unwrap()[0].revoked);
});

both_backends!(the_audit_log_is_append_only_and_filtered, |store: DynStore| async move {
    let entry = |at: i64, actor: &str, object_type: &str| AuditEntry {
        at,
        actor: actor.into(),
        action: format!("{object_type}.change"),
        object_type: object_type.into(),
        object_id: "520102".into(),
        before: Some("{\"v\":1}".into()),
        after: Some("{\"v\":2}".into()),
        request_id: Some("r-1".into()),
        client_addr: Some("127.0.0.1".into()),
        ..Default::default()
    };
    for e in [entry(100, "admin", "user"), entry(200, "clerk", "observations"), entry(300, "admin", "observations")] {
        store.append_audit(&e).await.unwrap();
    }
    let all = store.audit_log(&AuditFilter::default(), 10).await.unwrap();
    assert_eq!(all.iter().map(|e| e.at).collect::<Vec<_>>(), [300, 200, 100], "newest first");
    let admin_obs =
        AuditFilter { actor: Some("admin".into()), object_type: Some("observations".into()), ..Default::default() };
    assert_eq!(store.audit_log(&admin_obs, 10).await.unwrap().len(), 1);
    let window = AuditFilter { since: Some(150), until: Some(300), ..Default::default() };
    assert_eq!(store.audit_log(&window, 10).await.unwrap()[0].actor, "clerk");
});

both_backends!(login_attempts_are_counted_in_a_window, |store: DynStore| async move {
    for at in [100, 130, 170] {
        store.record_login_attempt("user:li", at).await.unwrap();
    }
    store.record_login_attempt("addr:10.0.0.1", 170).await.unwrap();
    assert_eq!(store.login_attempts_since("user:li", 110).await.unwrap(), 2);
    assert_eq!(store.login_attempts_since("user:li", 0).await.unwrap(), 3);
});

#[tokio::test]
async fn the_database_itself_refuses_to_change_the_audit_log() {
    let test = revita_testkit::TestStore::sqlite().await;
    test.store
        .append_audit(&AuditEntry { at: 1, actor: "a".into(), action: "x".into(), ..Default::default() })
        .await
        .unwrap();
    let path = test.url.sqlite_path().unwrap().to_string();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}")).await.unwrap();
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(&pool).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    pool.close().await;
    if let Some(pg) = revita_testkit::TestStore::postgres().await {
        pg.store
            .append_audit(&AuditEntry { at: 1, actor: "a".into(), action: "x".into(), ..Default::default() })
            .await
            .unwrap();
        let pool = sqlx::PgPool::connect(pg.url.expose()).await.unwrap();
        let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        pool.close().await;
        pg.finish().await;
    }
    test.finish().await;
}
