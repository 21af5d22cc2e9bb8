use super::*;

both_backends!(loaded_observations_are_queried_by_every_filter, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let rows = [
        obs("pop_total", "520102", 2020, 1_000.0),
        obs("pop_total", "520103", 2020, 2_000.5),
        obs("pop_total", "520100", 2020, 3_000.5),
        obs("pop_total", "520103", 2010, 1_500.0),
        obs("illiteracy_rate_pct", "520103", 2020, 1.25),
    ];
    assert_eq!(load(&store, LoadMode::InsertOnly, &rows).await.unwrap(), 5);
    assert_eq!(all_observations(&store).await.len(), 5);

    let query = |q: ObservationQuery| {
        let store = store.clone();
        async move { store.observations(&q, None, 100).await.unwrap() }
    };
    let children_2020 = query(ObservationQuery {
        indicator: Some(indicator_code("pop_total")),
        parent: Some(code("520100")),
        period: Some("2020".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(children_2020, vec![rows[0].clone(), rows[1].clone()]);
    let yunyan = query(ObservationQuery { region: Some(code("520103")), ..Default::default() }).await;
    assert_eq!(yunyan.len(), 3);
    let prefectures = query(ObservationQuery { level: Some("prefecture".into()), ..Default::default() }).await;
    assert_eq!(prefectures, vec![rows[2].clone()]);
    // A parent with a level: the regions at that level anywhere below it
    // (the province's counties, not its children, the prefectures).
    let province_counties = query(ObservationQuery {
        indicator: Some(indicator_code("pop_total")),
        parent: Some(code("520000")),
        level: Some("county".into()),
        period: Some("2020".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(province_counties, vec![rows[0].clone(), rows[1].clone()]);
    assert_eq!(store.periods(&indicator_code("pop_total")).await.unwrap(), ["2010", "2020"]);
});

both_backends!(keyset_pages_cover_every_row_once, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let rows: Vec<_> = (2000..2025).map(|y| obs("pop_total", "520102", y, f64::from(y))).collect();
    load(&store, LoadMode::InsertOnly, &rows).await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<ObservationKey> = None;
    loop {
        let page = store.observations(&ObservationQuery::default(), after.as_ref(), 7).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(ObservationKey {
            indicator: last.indicator.to_string(),
            region: last.region.to_string(),
            period: last.period.to_string(),
        });
        seen.extend(page);
    }
    assert_eq!(seen, rows);
});

both_backends!(pages_within_a_jurisdiction_are_full_and_hold_nothing_outside, |store: DynStore| async move {
    // Issue 15: a county user's pages came back empty (filtered after the
    // fetch); the filter is in SQL now, so each page is full.
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let mut rows = Vec::new();
    for year in 2000..2025 {
        for region in ["520000", "520100", "520102", "520103", "520300"] {
            rows.push(obs("pop_total", region, year, f64::from(year)));
        }
    }
    load(&store, LoadMode::InsertOnly, &rows).await.unwrap();
    let guiyang = ObservationQuery { within: Some(vec![code("520100")]), ..Default::default() };
    let mut pages = Vec::new();
    let mut after: Option<ObservationKey> = None;
    loop {
        let page = store.observations(&guiyang, after.as_ref(), 10).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(ObservationKey {
            indicator: last.indicator.to_string(),
            region: last.region.to_string(),
            period: last.period.to_string(),
        });
        pages.push(page);
    }
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [10, 10, 10, 10, 10, 10, 10, 5], "75 rows in Guiyang, every page full but the last");
    let seen: Vec<&str> = pages.iter().flatten().map(|o| o.region.as_str()).collect();
    assert!(seen.iter().all(|r| ["520100", "520102", "520103"].contains(r)), "{seen:?}");
    let two = ObservationQuery { within: Some(vec![code("520102"), code("520300")]), ..Default::default() };
    assert_eq!(store.observations(&two, None, 1000).await.unwrap().len(), 50);
    let nowhere = ObservationQuery { within: Some(Vec::new()), ..Default::default() };
    assert!(store.observations(&nowhere, None, 1000).await.unwrap().is_empty());
});

both_backends!(a_key_repeated_within_a_load_names_the_key_and_writes_nothing, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let rows = [obs("pop_total", "520102", 2020, 1.0), obs("pop_total", "520102", 2020, 2.0)];
    match load(&store, LoadMode::InsertOnly, &rows).await {
        Err(StoreError::DuplicateObservation { indicator, region, period }) => {
            assert_eq!((indicator.as_str(), region.as_str(), period.as_str()), ("pop_total", "520102", "2020"));
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert!(all_observations(&store).await.is_empty());
});

both_backends!(a_stored_key_is_an_error_unless_replacing, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    load(&store, LoadMode::InsertOnly, &[obs("pop_total", "520102", 2020, 1.0)]).await.unwrap();
    let second = [obs("pop_total", "520103", 2020, 5.0), obs("pop_total", "520102", 2020, 2.0)];
    let err = load(&store, LoadMode::InsertOnly, &second).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateObservation { ref region, .. } if region == "520102"), "{err:?}");
    assert_eq!(all_observations(&store).await.len(), 1);

    assert_eq!(load(&store, LoadMode::Replace, &second).await.unwrap(), 2);
    let values: Vec<f64> = all_observations(&store).await.iter().map(|o| o.value).collect();
    assert_eq!(values, [2.0, 5.0]);
});

both_backends!(replacing_still_rejects_a_key_repeated_within_the_load, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let rows = [obs("pop_total", "520102", 2020, 1.0), obs("pop_total", "520102", 2020, 2.0)];
    let err = load(&store, LoadMode::Replace, &rows).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateObservation { .. }), "{err:?}");
    assert!(all_observations(&store).await.is_empty());
    // The staging table is gone with the rollback: a second replace works.
    assert_eq!(load(&store, LoadMode::Replace, &rows[..1]).await.unwrap(), 1);
});

both_backends!(a_rolled_back_load_leaves_nothing, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let mut load = store.begin_observation_load(LoadMode::InsertOnly).await.unwrap();
    load.write(vec![obs("pop_total", "520102", 2020, 1.0)]).await.unwrap();
    load.rollback().await.unwrap();
    assert!(all_observations(&store).await.is_empty());
    assert_eq!(store.inventory().await.unwrap().observations, 0);
});

both_backends!(text_with_copy_specials_survives_a_load, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let mut row = obs("pop_total", "520102", 2020, -0.000_123_456_789);
    row.source = Some("统计年鉴\t2021 \\ p.3\nrev".into());
    row.status = ObservationStatus::Synthetic;
    let mut quarterly = obs("pop_total", "520102", 2020, 1e15);
    quarterly.period = Period::Quarter(2021, 2);
    quarterly.source = None;
    load(&store, LoadMode::InsertOnly, &[row.clone(), quarterly.clone()]).await.unwrap();
    assert_eq!(all_observations(&store).await, vec![row, quarterly]);
});

both_backends!(a_dry_run_finds_every_repeated_and_stored_key_and_locks_nothing, |store: DynStore| async move {
    // Issue 13: a dry run must find what the write would refuse.
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    load(&store, LoadMode::InsertOnly, &[obs("pop_total", "520102", 2020, 1.0)]).await.unwrap();
    let mut check = store.begin_observation_check().await.unwrap();
    let rows = vec![
        (2, obs("pop_total", "520102", 2020, 5.0)),
        (3, obs("pop_total", "520103", 2020, 6.0)),
        (4, obs("pop_total", "520103", 2020, 7.0)),
        (5, obs("pop_total", "520103", 2020, 8.0)),
        (6, obs("pop_total", "520100", 2020, 9.0)),
        (7, obs("pop_total", "520100", 2020, 9.0)),
    ];
    check.write(rows).await.unwrap();
    // Another writer is not held up by the check.
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()[..1]).await).await.unwrap();
    let findings = check.finish(10).await.unwrap();
    let key = |r: &str| ObservationKey { indicator: "pop_total".into(), region: r.into(), period: "2020".into() };
    assert_eq!(findings.repeated, [(key("520103"), 3, 3, 5), (key("520100"), 2, 6, 7)]);
    assert_eq!(findings.repeated_keys, 2);
    assert_eq!(findings.stored, [(2, key("520102"), 1.0, 5.0)]);
    assert_eq!(findings.stored_keys, 1);
    // Nothing was written.
    assert_eq!(all_observations(&store).await.len(), 1);
});

both_backends!(replaced_values_are_kept_under_the_change, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    load(&store, LoadMode::InsertOnly, &[obs("pop_total", "520102", 2020, 1.0)]).await.unwrap();
    let mut load = store.begin_observation_load(LoadMode::Replace).await.unwrap();
    load.write(vec![obs("pop_total", "520102", 2020, 2.0), obs("pop_total", "520103", 2020, 3.0)]).await.unwrap();
    assert_eq!(load.replaced().await.unwrap(), 1);
    let revision = revita_store::Revision { change_id: "c1".into(), at: 99 };
    load.commit(&[audit()], Some(&revision)).await.unwrap();
    assert_eq!(all_observations(&store).await.iter().map(|o| o.value).collect::<Vec<_>>(), [2.0, 3.0]);
    let kept = store.observation_revisions("c1").await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].region.as_str(), kept[0].value), ("520102", 1.0));
});

both_backends!(a_load_in_progress_holds_up_no_other_writer, |store: DynStore| async move {
    // Issue 14: a long SQLite import held the write lock from its first row
    // to its commit, and web edits failed with "database is locked".
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let mut load = store.begin_observation_load(LoadMode::InsertOnly).await.unwrap();
    load.write((2000..2100).map(|y| obs("pop_total", "520102", y, 1.0)).collect()).await.unwrap();
    let started = std::time::Instant::now();
    let edit = store.write(audit(), async |tx| tx.upsert_regions(&guizhou()[..1]).await);
    tokio::time::timeout(std::time::Duration::from_secs(2), edit).await.expect("the edit waited").unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    load.commit(&[audit()], None).await.unwrap();
    assert_eq!(all_observations(&store).await.len(), 100);
});

both_backends!(a_load_refused_in_a_later_chunk_leaves_nothing, |store: DynStore| async move {
    // The merge goes a chunk a transaction; a key stored already in a later
    // chunk undoes the chunks merged before it.
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    load(&store, LoadMode::InsertOnly, &[obs("stored", "520103", 9999, 5.0)]).await.unwrap();
    let v = store.versions().await.unwrap();
    let mut rows: Vec<Observation> = (0..60_000).map(|i| obs("many", "520102", 100_000 + i, 1.0)).collect();
    rows.push(obs("stored", "520103", 9999, 6.0));
    let err = load(&store, LoadMode::InsertOnly, &rows).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateObservation { ref region, .. } if region == "520103"), "{err:?}");
    assert_eq!(all_observations(&store).await.len(), 1, "the merged chunk was undone");
    // (On SQLite the observations' version moves anyway, so that nothing
    // cached from the part merged for a moment outlives its undoing.)
    let after = store.versions().await.unwrap();
    assert_eq!(after.of(revita_store::Topic::Regions), v.of(revita_store::Topic::Regions));
    assert!(after.of(revita_store::Topic::Observations) >= v.of(revita_store::Topic::Observations));
    // A key the file gives twice, in different chunks, is found the same way.
    let mut twice: Vec<Observation> = (0..60_000).map(|i| obs("many", "520102", 100_000 + i, 1.0)).collect();
    twice.push(obs("many", "520102", 100_000, 2.0));
    assert!(matches!(load(&store, LoadMode::InsertOnly, &twice).await, Err(StoreError::DuplicateObservation { .. })));
    assert_eq!(all_observations(&store).await.len(), 1);
    // And a clean load of the same size commits whole, with one audit entry.
    let entries = store.audit_log(&revita_store::security::AuditFilter::default(), 100).await.unwrap().len();
    rows.pop();
    assert_eq!(load(&store, LoadMode::InsertOnly, &rows).await.unwrap(), 60_000);
    assert_eq!(store.inventory().await.unwrap().observations, 60_001);
    assert_eq!(store.audit_log(&revita_store::security::AuditFilter::default(), 100).await.unwrap().len(), entries + 1);
});

both_backends!(an_exclusive_load_is_one_transaction_and_refuses_the_same_keys, |store: DynStore| async move {
    use revita_store::LoadOptions;
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    for replace in [false, true] {
        let mode = if replace { LoadMode::Replace } else { LoadMode::InsertOnly };
        let mut load = store.begin_observation_load_with(LoadOptions { mode, exclusive: true }).await.unwrap();
        load.write(vec![obs("pop_total", "520102", 2020, if replace { 2.0 } else { 1.0 })]).await.unwrap();
        assert_eq!(load.replaced().await.unwrap(), u64::from(replace));
        load.commit(&[audit()], None).await.unwrap();
    }
    assert_eq!(all_observations(&store).await[0].value, 2.0);
    let mut load =
        store.begin_observation_load_with(LoadOptions { mode: LoadMode::InsertOnly, exclusive: true }).await.unwrap();
    let err = load.write(vec![obs("pop_total", "520102", 2020, 3.0)]).await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateObservation { .. }), "{err:?}");
    load.rollback().await.unwrap();
    assert_eq!(all_observations(&store).await.len(), 1);
});
