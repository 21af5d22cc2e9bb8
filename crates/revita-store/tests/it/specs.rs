//! Saved specs on both back ends: versions under a name, the latest per
//! name in the list, a version never changed by the next.

use super::*;

both_backends!(saved_specs_keep_every_version_under_their_name, |store: DynStore| async move {
    let save = async |name: &str, spec: &str| {
        store
            .write(audit(), async |tx| {
                tx.save_spec("designation", name, spec, Some("why"), "planner", "2026-12-06").await
            })
            .await
            .unwrap()
    };
    assert_eq!(save("lagging", "{\"v\":1}").await.1, 1);
    let (second, version) = save("lagging", "{\"v\":2}").await;
    assert_eq!(version, 2);
    save("crowded", "{}").await;
    let _ = store
        .write(audit(), async |tx| tx.save_spec("allocation", "fund", "{}", None, "planner", "2026-12-06").await)
        .await
        .unwrap();
    // The list: one row per name, its latest version, by name; paged.
    let listed = store.saved_spec_page("designation", None, 10).await.unwrap();
    let names: Vec<(&str, i64)> = listed.iter().map(|s| (s.name.as_str(), s.version)).collect();
    assert_eq!(names, [("crowded", 1), ("lagging", 2)]);
    assert_eq!(store.count_saved_specs("designation").await.unwrap(), 2);
    let after = store.saved_spec_page("designation", Some("crowded"), 10).await.unwrap();
    assert_eq!(after.len(), 1);
    // Every version stays as it was saved.
    let versions = store.spec_versions("designation", "lagging").await.unwrap();
    assert_eq!(versions.iter().map(|s| s.spec.as_str()).collect::<Vec<_>>(), ["{\"v\":2}", "{\"v\":1}"]);
    let saved = store.saved_spec(second).await.unwrap().unwrap();
    assert_eq!((saved.note.as_deref(), saved.saved_by.as_str()), (Some("why"), "planner"));
    assert!(store.saved_spec(second + 100).await.unwrap().is_none());
});
