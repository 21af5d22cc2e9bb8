use super::*;

both_backends!(regions_round_trip, |store: DynStore| async move {
    assert_eq!(store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap(), 6);
    let yunyan = store.region(&code("520103")).await.unwrap().unwrap();
    assert_eq!(yunyan, guizhou()[4]);
    assert_eq!(store.region(&code("999999")).await.unwrap(), None);
    assert_eq!(store.regions().await.unwrap().len(), 6);
});

both_backends!(children_are_ordered_by_code, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let children = store.children(&code("520100")).await.unwrap();
    let codes: Vec<_> = children.iter().map(|r| r.code.to_string()).collect();
    assert_eq!(codes, ["520102", "520103"]);
    assert!(store.children(&code("520102")).await.unwrap().is_empty());
    let prefectures = store.regions_at_level("prefecture").await.unwrap();
    assert_eq!(prefectures.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["520100", "520300"]);
});

both_backends!(descendants_walk_the_whole_subtree, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let codes = |regions: Vec<Region>| regions.iter().map(|r| r.code.to_string()).collect::<Vec<_>>();
    assert_eq!(
        codes(store.descendants(&code("520000"), None).await.unwrap()),
        ["520100", "520102", "520103", "520300"]
    );
    assert_eq!(codes(store.descendants(&code("000000"), Some("county")).await.unwrap()), ["520102", "520103"]);
    assert!(store.descendants(&code("520102"), None).await.unwrap().is_empty());
});

both_backends!(ancestors_come_root_first, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let codes = |regions: Vec<Region>| regions.iter().map(|r| r.code.to_string()).collect::<Vec<_>>();
    assert_eq!(codes(store.ancestors(&code("520103")).await.unwrap()), ["000000", "520000", "520100"]);
    assert!(store.ancestors(&code("000000")).await.unwrap().is_empty());
    assert!(store.ancestors(&code("999999")).await.unwrap().is_empty());
});

both_backends!(upserting_a_region_updates_it, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let mut renamed = guizhou()[3].clone();
    renamed.name_en = Some("Nanming".into());
    store.write(audit(), async |tx| tx.upsert_regions(std::slice::from_ref(&renamed)).await).await.unwrap();
    assert_eq!(store.region(&code("520102")).await.unwrap(), Some(renamed));
    assert_eq!(store.regions().await.unwrap().len(), 6);
});

both_backends!(search_finds_codes_and_names_in_both_languages, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let found = |q: &'static str| {
        let store = store.clone();
        async move {
            store.search_regions(q, 10, None).await.unwrap().iter().map(|r| r.code.to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(found("520102").await, ["520102"]);
    assert_eq!(found("贵阳").await, ["520100"]);
    // Shorter codes (higher levels) come first.
    assert_eq!(found("贵").await, ["520000", "520100"]);
    assert_eq!(found("guiZHOU").await, ["520000"]);
    // Pinyin, whole or as initials.
    assert_eq!(found("guiyang").await, ["520100"]);
    assert_eq!(found("nmq").await, ["520102"]);
    // LIKE wildcards typed by a user match only themselves.
    assert!(found("%").await.is_empty());
    assert!(found("_").await.is_empty());
    // Within a jurisdiction the search finds only what lies in it.
    let within = store.search_regions("贵", 10, Some(&[code("520100")])).await.unwrap();
    assert_eq!(within.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["520100"]);
    assert!(store.search_regions("贵", 10, Some(&[])).await.unwrap().is_empty());
});

both_backends!(regions_under_roots_come_highest_first_and_bounded, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let codes = |regions: Vec<Region>| regions.into_iter().map(|r| r.code.to_string()).collect::<Vec<_>>();
    let under = store.regions_under(&[code("520000")], 10).await.unwrap();
    assert_eq!(codes(under), ["520000", "520100", "520300", "520102", "520103"]);
    assert_eq!(codes(store.regions_under(&[code("520000")], 2).await.unwrap()), ["520000", "520100"]);
    let two = store.regions_under(&[code("520102"), code("520300")], 10).await.unwrap();
    assert_eq!(codes(two), ["520300", "520102"]);
    assert!(store.regions_under(&[], 10).await.unwrap().is_empty());
});

// Issue 16: polyphonic characters read as in place names; higher levels
// come first whatever their codes.
both_backends!(search_reads_place_names_and_lists_higher_levels_first, |store: DynStore| async move {
    let mut regions = vec![region("000000", "全国", "country", None)];
    regions.extend([
        region("140000", "山西省", "province", Some("000000")),
        region("140400", "长治市", "prefecture", Some("140000")),
        region("140428", "长子县", "county", Some("140400")),
        region("430000", "湖南省", "province", Some("000000")),
        region("430100", "长沙市", "prefecture", Some("430000")),
        region("430121", "长沙县", "county", Some("430100")),
        region("540000", "西藏自治区", "province", Some("000000")),
    ]);
    store.write(audit(), async |tx| tx.upsert_regions(&regions).await).await.unwrap();
    let found = async |q: &str| {
        store.search_regions(q, 10, None).await.unwrap().iter().map(|r| r.code.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(found("changsha").await, ["430100", "430121"]);
    assert_eq!(found("zhangsha").await, ["430100", "430121"], "the common reading still finds it");
    assert_eq!(found("xizang").await, ["540000"]);
    // Prefectures before counties, though 140428 < 430100.
    assert_eq!(found("chang").await, ["140400", "430100", "140428", "430121"]);
});

both_backends!(boundaries_round_trip_by_level, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let square = r#"{"type":"Polygon","coordinates":[[[106,26],[107,26],[107,27],[106,26]]]}"#;
    let b = Boundary { region: code("520102"), geojson: square.into(), source: Some("test".into()) };
    store.write(audit(), async |tx| tx.upsert_boundaries(std::slice::from_ref(&b)).await).await.unwrap();
    assert_eq!(store.boundary(&code("520102")).await.unwrap(), Some(b.clone()));
    assert!(store.has_boundary(&code("520102")).await.unwrap());
    assert!(!store.has_boundary(&code("520103")).await.unwrap());
    assert_eq!(store.boundaries_at_level("county").await.unwrap(), vec![b]);
    assert!(store.boundaries_at_level("province").await.unwrap().is_empty());
});

both_backends!(indicators_round_trip_with_their_weights, |store: DynStore| async move {
    let rate = Indicator {
        code: indicator_code("urbanization_rate_pct"),
        name_zh: "城镇化率".into(),
        name_en: Some("Urbanization rate".into()),
        unit: "%".into(),
        direction: Direction::HigherIsBetter,
        aggregation: Aggregation::WeightedMean(indicator_code("pop_total")),
        description: None,
        source: Some("census 2020".into()),
        range: revita_methods::ValueRange { min: Some(0.0), max: Some(100.0) },
    };
    let pop = Indicator {
        code: indicator_code("pop_total"),
        name_zh: "常住人口".into(),
        name_en: None,
        unit: "persons".into(),
        direction: Direction::Neutral,
        aggregation: Aggregation::Sum,
        description: Some("resident population".into()),
        source: None,
        range: revita_methods::ValueRange { min: Some(0.0), max: None },
    };
    store.write(audit(), async |tx| tx.upsert_indicators(&[rate.clone(), pop.clone()]).await).await.unwrap();
    assert_eq!(store.indicators().await.unwrap(), vec![pop, rate.clone()]);
    assert_eq!(store.indicator(&rate.code).await.unwrap(), Some(rate));
});

both_backends!(every_write_moves_the_data_version, |store: DynStore| async move {
    let v0 = store.data_version().await.unwrap();
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let v1 = store.data_version().await.unwrap();
    assert!(v1 > v0);
    load(&store, revita_store::LoadMode::InsertOnly, &[obs("pop_total", "520102", 2020, 1.0)]).await.unwrap();
    assert!(store.data_version().await.unwrap() > v1);
    // A rolled-back load changes nothing.
    let v2 = store.data_version().await.unwrap();
    let mut failed = store.begin_observation_load(revita_store::LoadMode::InsertOnly).await.unwrap();
    failed.write(vec![obs("pop_total", "520103", 2020, 1.0)]).await.unwrap();
    failed.rollback().await.unwrap();
    assert_eq!(store.data_version().await.unwrap(), v2);
});

both_backends!(migrating_twice_changes_nothing, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.regions().await.unwrap().len(), 6);
    store.ping().await.unwrap();
});

both_backends!(the_code_history_is_replaced_whole, |store: DynStore| async move {
    let record = |c: &str, status, end: Option<i32>, successors: Vec<RegionCode>| CodeRecord {
        code: code(c),
        name: "崇文区".into(),
        level: "county".into(),
        status,
        first_year: 1981,
        end_year: end,
        successors,
    };
    let first = vec![record("110103", CodeStatus::Retired, Some(2010), vec![code("110101")])];
    store.write(audit(), async |tx| tx.replace_code_history(&first).await).await.unwrap();
    store.write(audit(), async |tx| tx.replace_code_history(&first).await).await.unwrap();
    assert_eq!(store.code_history().await.unwrap(), first);
    let second = vec![record("110101", CodeStatus::InUse, None, vec![code("110101"), code("110102")])];
    store.write(audit(), async |tx| tx.replace_code_history(&second).await).await.unwrap();
    assert_eq!(store.code_history().await.unwrap(), second);
    assert_eq!(store.inventory().await.unwrap().history_codes, 1);
});

#[tokio::test]
async fn search_keys_are_filled_in_for_rows_loaded_before_they_existed() {
    let test = revita_testkit::TestStore::sqlite().await;
    test.store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    // As a database written before migration 0003 would be.
    let path = test.url.sqlite_path().unwrap().to_string();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}")).await.unwrap();
    sqlx::query("UPDATE regions SET search_key = NULL").execute(&pool).await.unwrap();
    pool.close().await;
    assert!(test.store.search_regions("guiyang", 5, None).await.unwrap().is_empty());
    test.store.migrate().await.unwrap();
    let found = test.store.search_regions("guiyang", 5, None).await.unwrap();
    assert_eq!(found.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["520100"]);
    test.finish().await;
}

both_backends!(a_region_that_moves_takes_its_subtree_with_it, |store: DynStore| async move {
    // Issue 13: a region import may re-parent (an administrator's change);
    // every read by subtree must follow the move at once.
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let mut village = region("520102001", "某街道", "township", Some("520102"));
    village.valid_from = None;
    store.write(audit(), async |tx| tx.upsert_regions(std::slice::from_ref(&village)).await).await.unwrap();
    let codes = |regions: Vec<Region>| regions.iter().map(|r| r.code.to_string()).collect::<Vec<_>>();
    // Nanming (with its township) moves from Guiyang to Zunyi.
    let moved = region("520102", "南明区", "county", Some("520300"));
    store.write(audit(), async |tx| tx.upsert_regions(std::slice::from_ref(&moved)).await).await.unwrap();
    assert_eq!(codes(store.descendants(&code("520100"), None).await.unwrap()), ["520103"]);
    assert_eq!(codes(store.descendants(&code("520300"), None).await.unwrap()), ["520102", "520102001"]);
    assert_eq!(codes(store.descendants(&code("000000"), Some("township")).await.unwrap()), ["520102001"]);
    // A file that lists a child before its parent places both.
    let batch = [
        region("530102", "五华区", "county", Some("530100")),
        region("530100", "昆明市", "prefecture", Some("530000")),
        region("530000", "云南省", "province", Some("000000")),
    ];
    store.write(audit(), async |tx| tx.upsert_regions(&batch).await).await.unwrap();
    assert_eq!(codes(store.descendants(&code("530000"), None).await.unwrap()), ["530100", "530102"]);
});

both_backends!(a_change_without_an_audit_entry_is_refused_and_leaves_nothing, |store: DynStore| async move {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_regions(&guizhou()).await.unwrap();
    assert!(matches!(tx.commit().await, Err(StoreError::Unaudited)));
    assert!(store.regions().await.unwrap().is_empty());
    let mut load = store.begin_observation_load(LoadMode::InsertOnly).await.unwrap();
    load.write(vec![]).await.unwrap();
    assert!(matches!(load.commit(&[], None).await, Err(StoreError::Unaudited)));
    // The change and its entry commit together.
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let log = store.audit_log(&revita_store::security::AuditFilter::default(), 10).await.unwrap();
    assert_eq!(log.len(), 1);
    // A failing change rolls back its entry too.
    let failed = store
        .write(audit(), async |tx| {
            tx.upsert_regions(&guizhou()).await?;
            Err::<(), _>(StoreError::Conflict("stop".into()))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(store.audit_log(&revita_store::security::AuditFilter::default(), 10).await.unwrap().len(), 1);
});

both_backends!(a_change_moves_the_versions_of_what_it_touched_only, |store: DynStore| async move {
    // Issue 14: one household edit emptied every cache.
    use revita_store::Topic;
    let v0 = store.versions().await.unwrap();
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let v1 = store.versions().await.unwrap();
    assert!(v1.of(Topic::Regions) > v0.of(Topic::Regions));
    assert_eq!(v1.of(Topic::Observations), v0.of(Topic::Observations));
    assert_eq!(v1.of(Topic::Registry), v0.of(Topic::Registry));
    load(&store, LoadMode::InsertOnly, &[obs("pop_total", "520102", 2020, 1.0)]).await.unwrap();
    let v2 = store.versions().await.unwrap();
    assert!(v2.of(Topic::Observations) > v1.of(Topic::Observations));
    assert_eq!(v2.of(Topic::Regions), v1.of(Topic::Regions));
    assert_eq!(
        v2.key(&[Topic::Regions, Topic::Observations]),
        format!("regions={},observations={}", v2.of(Topic::Regions), v2.of(Topic::Observations))
    );
    // Grants change who sees what, not the data.
    let data = store.data_version().await.unwrap();
    store.write(audit(), async |tx| tx.create_user("u", "h", 0).await).await.unwrap();
    assert!(store.versions().await.unwrap().of(Topic::Access) > v2.of(Topic::Access));
    assert_eq!(store.data_version().await.unwrap(), data);
});
