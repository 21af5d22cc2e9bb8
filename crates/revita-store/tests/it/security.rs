use revita_methods::access::{Grant, Role};
use revita_store::security::{AuditEntry, AuditFilter, Session};

use super::*;

both_backends!(users_are_created_once_and_updated_with_their_version, |store: DynStore| async move {
    let user = store
        .write(audit(), async |tx| {
            tx.create_user("gz_planner", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", 1_000).await
        })
        .await
        .unwrap();
    assert_eq!((user.name.as_str(), user.version, user.disabled), ("gz_planner", 1, false));
    assert!(matches!(
        store.write(audit(), async |tx| tx.create_user("gz_planner", "x", 1_001).await).await,
        Err(StoreError::Conflict(_))
    ));
    let mut edited = user.clone();
    edited.disabled = true;
    let saved = store.write(audit(), async |tx| tx.update_user(&edited).await).await.unwrap();
    assert_eq!((saved.version, saved.disabled), (2, true));
    // A second edit based on the version first read is stale.
    let mut stale = user.clone();
    stale.must_change_password = true;
    match store.write(audit(), async |tx| tx.update_user(&stale).await).await {
        Err(StoreError::Conflict(message)) => assert!(message.contains("changed by someone else"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.user_by_name("gz_planner").await.unwrap(), Some(saved.clone()));
    assert_eq!(store.user(saved.id).await.unwrap(), Some(saved));
    assert_eq!(store.users().await.unwrap().len(), 1);
});

both_backends!(grants_are_replaced_whole, |store: DynStore| async move {
    let user = store.write(audit(), async |tx| tx.create_user("u", "h", 0).await).await.unwrap();
    let grant = |role, scope: &str| Grant { role, scope: code(scope) };
    store
        .write(audit(), async |tx| {
            tx.set_grants(user.id, &[grant(Role::Viewer, "520000"), grant(Role::DataEntry, "520102")]).await
        })
        .await
        .unwrap();
    assert_eq!(
        store.grants(user.id).await.unwrap(),
        vec![grant(Role::DataEntry, "520102"), grant(Role::Viewer, "520000")]
    );
    store.write(audit(), async |tx| tx.set_grants(user.id, &[grant(Role::Admin, "000000")]).await).await.unwrap();
    assert_eq!(store.grants(user.id).await.unwrap(), vec![grant(Role::Admin, "000000")]);
});

both_backends!(sessions_and_tokens_are_found_by_hash, |store: DynStore| async move {
    let user = store.write(audit(), async |tx| tx.create_user("u", "h", 0).await).await.unwrap();
    let session = Session { user_id: user.id, csrf: "c".repeat(32), expires_at: 5_000 };
    store.write(audit(), async |tx| tx.create_session("hash-1", &session).await).await.unwrap();
    assert_eq!(store.session("hash-1").await.unwrap(), Some(session.clone()));
    assert_eq!(store.session_user("hash-1").await.unwrap(), Some((session, user.clone())));
    store.write(audit(), async |tx| tx.delete_sessions_of(user.id).await).await.unwrap();
    assert_eq!(store.session("hash-1").await.unwrap(), None);

    let token =
        store.write(audit(), async |tx| tx.create_api_token(user.id, "etl", "thash", 10, 20).await).await.unwrap();
    assert_eq!(store.api_token_by_hash("thash").await.unwrap(), Some(token.clone()));
    assert!(
        !store.write(audit(), async |tx| tx.revoke_api_token(user.id + 1, token.id).await).await.unwrap(),
        "only the owner revokes"
    );
    assert!(store.write(audit(), async |tx| tx.revoke_api_token(user.id, token.id).await).await.unwrap());
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
        store.append_audit(&[e]).await.unwrap();
    }
    let all = store.audit_log(&AuditFilter::default(), 10).await.unwrap();
    assert_eq!(all.iter().map(|e| e.at).collect::<Vec<_>>(), [300, 200, 100], "newest first");
    let admin_obs =
        AuditFilter { actor: Some("admin".into()), object_type: Some("observations".into()), ..Default::default() };
    assert_eq!(store.audit_log(&admin_obs, 10).await.unwrap().len(), 1);
    let window = AuditFilter { since: Some(150), until: Some(300), ..Default::default() };
    assert_eq!(store.audit_log(&window, 10).await.unwrap()[0].actor, "clerk");
    // Paging newest first: the page after the first entry starts below its id.
    let first = store.audit_log(&AuditFilter::default(), 1).await.unwrap();
    let next = AuditFilter { before_id: Some(first[0].id), ..Default::default() };
    assert_eq!(store.audit_log(&next, 10).await.unwrap().iter().map(|e| e.at).collect::<Vec<_>>(), [200, 100]);
});

both_backends!(login_attempts_are_counted_in_a_window, |store: DynStore| async move {
    for at in [100, 130, 170] {
        store.write(audit(), async |tx| tx.record_login_attempt("user:li", at).await).await.unwrap();
    }
    store.write(audit(), async |tx| tx.record_login_attempt("addr:10.0.0.1", 170).await).await.unwrap();
    assert_eq!(store.login_attempts_since("user:li", 110).await.unwrap(), 2);
    assert_eq!(store.login_attempts_since("user:li", 0).await.unwrap(), 3);
});

#[tokio::test]
async fn the_database_itself_refuses_to_change_the_audit_log() {
    let test = revita_testkit::TestStore::sqlite().await;
    test.store.append_audit(&[audit()]).await.unwrap();
    let path = test.url.sqlite_path().unwrap().to_string();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}")).await.unwrap();
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(&pool).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    pool.close().await;
    if let Some(pg) = revita_testkit::TestStore::postgres().await {
        pg.store.append_audit(&[audit()]).await.unwrap();
        let pool = sqlx::PgPool::connect(pg.url.expose()).await.unwrap();
        let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        pool.close().await;
        pg.finish().await;
    }
    test.finish().await;
}

both_backends!(the_audit_log_is_read_within_a_jurisdiction, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let at = |region: Option<&str>| AuditEntry { region: region.map(str::to_string), ..audit() };
    store.append_audit(&[at(Some("520102")), at(Some("520300")), at(None), at(Some("520000"))]).await.unwrap();
    let within =
        |roots: &[&str]| AuditFilter { within: Some(roots.iter().map(|r| code(r)).collect()), ..Default::default() };
    let regions =
        |entries: Vec<AuditEntry>| entries.into_iter().map(|e| e.region.unwrap_or_default()).collect::<Vec<_>>();
    assert_eq!(regions(store.audit_log(&within(&["520100"]), 10).await.unwrap()), ["520102"]);
    assert_eq!(regions(store.audit_log(&within(&["520000"]), 10).await.unwrap()), ["520000", "520300", "520102"]);
    assert_eq!(regions(store.audit_log(&within(&["520102", "520300"]), 10).await.unwrap()), ["520300", "520102"]);
    assert!(store.audit_log(&within(&[]), 10).await.unwrap().is_empty());
    // Everywhere: the entries of no region too.
    assert_eq!(store.audit_log(&AuditFilter::default(), 10).await.unwrap().len(), 5);
});

both_backends!(the_audit_chain_verifies_until_someone_edits_the_file, |store: DynStore| async move {
    for i in 0..5 {
        store.append_audit(&[AuditEntry { at: i, ..audit() }]).await.unwrap();
    }
    let chain = store.verify_audit_chain().await.unwrap();
    assert_eq!((chain.rows, chain.unchained, chain.broken_at.clone()), (5, 0, None));
    let head = chain.head.clone().unwrap();
    assert_eq!(store.audit_log(&AuditFilter::default(), 1).await.unwrap()[0].hash.as_deref(), Some(head.as_str()));
});

/// Opens a second, raw connection to a test store, as someone with access
/// to the database itself would.
async fn tamper(test: &revita_testkit::TestStore, statements: &[&str]) {
    if let Some(path) = test.url.sqlite_path() {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}")).await.unwrap();
        for s in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_string())).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(test.url.expose()).await.unwrap();
        for s in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_string())).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

async fn tampering_is_found(test: revita_testkit::TestStore) {
    let store = test.store.clone();
    for i in 0..4 {
        store.append_audit(&[AuditEntry { at: i, actor: format!("user{i}"), ..audit() }]).await.unwrap();
    }
    let ids: Vec<i64> =
        store.audit_log(&AuditFilter::default(), 10).await.unwrap().iter().map(|e| e.id).rev().collect();
    let drop_triggers: &[&str] = if test.url.is_postgres() {
        &["DROP TRIGGER audit_log_no_change ON audit_log"]
    } else {
        &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    };
    tamper(&test, drop_triggers).await;
    let edit = format!("UPDATE audit_log SET actor = 'someone else' WHERE id = {}", ids[1]);
    tamper(&test, &[&edit]).await;
    let chain = store.verify_audit_chain().await.unwrap();
    assert_eq!(chain.broken_at.map(|(id, _)| id), Some(ids[1]), "an edited row");
    let restore = format!("UPDATE audit_log SET actor = 'user1' WHERE id = {}", ids[1]);
    let delete = format!("DELETE FROM audit_log WHERE id = {}", ids[2]);
    tamper(&test, &[&restore, &delete]).await;
    let chain = store.verify_audit_chain().await.unwrap();
    assert_eq!(chain.broken_at.map(|(id, _)| id), Some(ids[3]), "the row after a deleted one");
    test.finish().await;
}

#[tokio::test]
async fn tampering_with_the_audit_log_is_found_by_its_chain() {
    tampering_is_found(revita_testkit::TestStore::sqlite().await).await;
    if let Some(pg) = revita_testkit::TestStore::postgres().await {
        tampering_is_found(pg).await;
    }
}

#[tokio::test]
async fn postgres_refuses_to_truncate_the_audit_log() {
    let Some(pg) = revita_testkit::TestStore::postgres().await else { return };
    pg.store.append_audit(&[audit()]).await.unwrap();
    let pool = sqlx::PgPool::connect(pg.url.expose()).await.unwrap();
    let truncate = sqlx::query("TRUNCATE audit_log").execute(&pool).await;
    assert!(truncate.unwrap_err().to_string().contains("append-only"));
    pool.close().await;
    pg.finish().await;
}
