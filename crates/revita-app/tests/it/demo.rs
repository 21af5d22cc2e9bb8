use super::*;

both_backends!(the_demo_loads_real_regions_designations_and_census, |store: DynStore| async move {
    let app = app(store);
    let reports = revita_app::demo::load(&app).await.unwrap();
    let written = |file: &str| reports.iter().find(|r| r.file == file).map(|r| r.records_written).unwrap();
    assert_eq!(written("data/demo/regions.csv"), 3214);
    let inventory = app.test_store().inventory().await.unwrap();
    let counties = inventory.regions_by_level.iter().find(|(l, _)| l == "county").unwrap().1;
    assert!((2800..2900).contains(&counties), "{counties} counties");
    assert!(inventory.boundaries > 3000, "{inventory:?}");
    // The census file keeps some 2020 codes on purpose: they go through the crosswalk.
    let census = reports.iter().find(|r| r.file == "data/demo/census2020_wide.csv").unwrap();
    assert!(!census.remapped_codes.is_empty());
    // A wide row holds many values of one region but counts as one row.
    assert!(census.remapped_codes.iter().all(|r| r.rows == 1), "{:?}", census.remapped_codes);
    // Guizhou's 2020 population, rolled up from its counties, is the census figure.
    let guizhou =
        app.rollup(&code("520000"), "pop_total", "2020", Some("county"), &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(guizhou.stored_value, Some(38_562_148.0));
    assert_eq!(guizhou.value, guizhou.stored_value, "{:?}", (guizhou.reported, guizhou.expected));
    let key = app
        .test_store()
        .designations(Some(&revita_methods::DesignationCategory::KeyAssistanceCounty), None)
        .await
        .unwrap();
    assert!(key.len() >= 90);
    // Shufu county, Kashgar, is paired with Guangdong (对口援疆, 2010 round).
    let shufu = app.region_detail(&code("653121")).await.unwrap();
    assert!(shufu.pairings.iter().any(|p| p.donor.as_str() == "440000"), "{:?}", shufu.pairings);
});

// Issue 16: the demo ships synthetic examples for every page, loaded through
// the use cases as the demo users, once.
both_backends!(the_demo_examples_fill_the_registry_cases_and_a_plan, |store: DynStore| async move {
    let app = app(store);
    revita_app::demo::load(&app).await.unwrap();
    revita_app::demo::create_users(&app, 1).await.unwrap();
    let today = revita_methods::Date::parse("2026-12-06").unwrap();
    let added = revita_app::demo::load_examples(&app, today, 1).await.unwrap();
    assert_eq!((added.households, added.cases), (3000, 36));
    assert!(added.members > 6000, "{added:?}");
    let admin = app.actor_named("admin").await.unwrap();
    let plan = app.plan_report(&admin, added.plan.unwrap(), today).await.unwrap();
    assert_eq!(plan.projects.len(), 4);
    // The Nanming clerk sees the county's six cases and no other.
    let clerk = app.actor_named("nanming_clerk").await.unwrap();
    let within = app.jurisdiction(&clerk, revita_methods::access::Action::Read).await.unwrap();
    let cases = app.test_store().cases(Some(within.roots().unwrap())).await.unwrap();
    assert_eq!(cases.len(), 6);
    // Loading again adds nothing.
    assert_eq!(revita_app::demo::load_examples(&app, today, 2).await.unwrap(), revita_app::demo::Examples::default());
});
