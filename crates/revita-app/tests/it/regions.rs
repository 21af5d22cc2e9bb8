use std::collections::HashSet;

use super::*;

both_backends!(china_codes_give_level_and_parent, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    let text =
        "code,name_zh\n000000,全国\n520000,贵州省\n520100,贵阳市\n520102000000,南明区\n429004,仙桃市\n420000,湖北省\n";
    let report = app.import_regions(&files.write("r.csv", text), &FileImport::default()).await.unwrap();
    assert_eq!((report.rows_read, report.records_written), (6, 6));
    let nanming = app.region(&code("520102")).await.unwrap();
    assert_eq!((nanming.level.as_str(), nanming.parent.unwrap().as_str()), ("county", "520100"));
    // A county without a prefecture hangs under its province.
    assert_eq!(app.region(&code("429004")).await.unwrap().parent, Some(code("420000")));
});

both_backends!(townships_and_villages_load_on_demand_from_nbs_files, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let towns = "code9,code12,name,county_code6\n520102001,520102001000,遵义路街道,520102\n";
    app.import_regions(&files.write("t.csv", towns), &FileImport::default()).await.unwrap();
    let villages = "code12,name\n520102001001,黔灵社区居委会\n520102001002,中华社区居委会\n";
    app.import_regions(&files.write("v.csv", villages), &FileImport::default()).await.unwrap();
    let village = app.region(&code("520102001002")).await.unwrap();
    assert_eq!((village.level.as_str(), village.parent.unwrap().as_str()), ("village", "520102001"));
    let in_province = app.descendants(&code("520000"), Some("village")).await.unwrap();
    assert_eq!(in_province.len(), 2);
});

both_backends!(keep_existing_adds_only_new_regions, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    // NBS 2022 counties beside the MCA list: a development zone is new, 南明区 is not.
    let text = "code6,code12,name\n520102,520102000000,南明区(NBS)\n520171,520171000000,贵阳经济技术开发区\n";
    let options = FileImport { keep_existing: true, ..Default::default() };
    let report = app.import_regions(&files.write("nbs.csv", text), &options).await.unwrap();
    assert_eq!(report.records_written, 1);
    assert_eq!(report.notes, ["1 region(s) already loaded were left unchanged (--keep-existing)"]);
    assert_eq!(app.region(&code("520102")).await.unwrap().name_zh, "南明区");
    assert_eq!(app.region(&code("520171")).await.unwrap().parent, Some(code("520100")));
});

both_backends!(region_files_with_problems_write_nothing, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    let text = "code,name_zh,level,parent_code\n\
        520000,贵州省,province,\n\
        520100,贵阳市,county,520000\n\
        520102,南明区,,529900\n\
        5201X3,云岩区,,\n\
        520000,贵州,province,\n";
    let problems = rejected(app.import_regions(&files.write("bad.csv", text), &FileImport::default()).await);
    assert_eq!(
        problems,
        [
            "bad.csv, row 3, column 'level': region code '520100' is not a valid GB/T 2260 code: its digits make it a prefecture, not a county",
            "bad.csv, row 5, column 'code': region code '5201X3' is not a valid GB/T 2260 code: it must consist of digits only",
            "bad.csv, row 6, column 'code': region 520000 already appears in row 2",
            "bad.csv, row 2, column 'parent_code': is empty and no parent exists (000000); import the parent first or give parent_code",
            "bad.csv, row 4, column 'parent_code': parent 529900 does not exist",
        ]
    );
    assert!(app.test_store().regions().await.unwrap().is_empty());
});

both_backends!(a_generic_profile_loads_fips_codes, |store: DynStore| async move {
    let owner = revita_app::auth::ChangeBy::default();
    let us = Profile::Generic(vec!["country".into(), "state".into(), "county".into()]);
    let app = App::open(store.clone(), Some(&us), &owner).await.unwrap();
    let files = Files::new();
    let text = "code,name_zh,name_en,level,parent_code\nUS,美国,United States,country,\n01,阿拉巴马州,Alabama,state,US\n01001,奥陶加县,Autauga County,county,01\n";
    app.import_regions(&files.write("fips.csv", text), &FileImport::default()).await.unwrap();
    let counties = app.descendants(&code("US"), Some("county")).await.unwrap();
    assert_eq!(counties[0].name_en.as_deref(), Some("Autauga County"));
    let missing_level = "code,name_zh\n02,阿拉斯加州\n";
    let problems = rejected(app.import_regions(&files.write("ak.csv", missing_level), &FileImport::default()).await);
    assert_eq!(problems, ["ak.csv, row 2, column 'level': is empty and cannot be inferred from the code"]);

    // The scheme is the database's: a later command without a profile reads
    // FIPS codes, and one naming China's is refused (the codes do not follow
    // it) rather than reading them wrongly.
    let later = App::open(store.clone(), None, &owner).await.unwrap();
    let more = "code,name_zh,name_en,level,parent_code\n01003,鲍德温县,Baldwin County,county,01\n";
    later.import_regions(&files.write("more.csv", more), &FileImport::default()).await.unwrap();
    let refused = App::open(store.clone(), Some(&Profile::China), &owner).await.err().unwrap().to_string();
    assert!(refused.contains("follow the code scheme 'country,state,county', not 'china'"), "{refused}");
    let set: Vec<_> = app.test_store().audit_log(&Default::default(), 100).await.unwrap();
    let set: Vec<_> = set.iter().filter(|e| e.action == "settings.code_scheme").collect();
    assert_eq!(set.len(), 1, "set once, audited");
    assert_eq!(set[0].after.as_deref(), Some(r#"{"code_scheme":"country,state,county"}"#));
});

both_backends!(an_empty_database_takes_any_scheme_and_china_by_default, |store: DynStore| async move {
    let owner = revita_app::auth::ChangeBy::default();
    let files = Files::new();
    // Nothing stored, nothing asked: China's codes.
    let app = App::open(store.clone(), None, &owner).await.unwrap();
    assert_eq!(app.scheme().name(), "GB/T 2260");
    // Without regions, a scheme may be set and set again.
    let states = Profile::Generic(vec!["country".into(), "state".into()]);
    App::open(store.clone(), Some(&states), &owner).await.unwrap();
    let china = App::open(store.clone(), Some(&Profile::China), &owner).await.unwrap();
    china.import_regions(&files.write("r.csv", REGIONS), &FileImport::default()).await.unwrap();
    assert_eq!(App::open(store.clone(), None, &owner).await.unwrap().scheme().name(), "GB/T 2260");
    let refused = App::open(store.clone(), Some(&states), &owner).await.err().unwrap().to_string();
    assert!(refused.contains("follow the code scheme 'china', not 'country,state'"), "{refused}");
    assert!(Profile::parse(" , ").is_err());
    assert_eq!(Profile::parse("country, state").unwrap().to_text(), "country,state");
});

both_backends!(designations_follow_retired_codes_to_their_successors, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,category,basis_title,valid_from,valid_to,notes\n\
        522401,poverty_county,832个贫困县名单,2012-01-01,2018-12-31,exited 2018\n\
        520199,custom:flood_zone,示例文件,2020-01-01,,\n";
    let report = app.import_designations(&files.write("d.csv", text), &FileImport::default()).await.unwrap();
    assert_eq!(report.records_written, 3);
    let remapped: Vec<_> =
        report.remapped_codes.iter().map(|r| (r.from.as_str(), r.to.join(";"), r.retired_in)).collect();
    assert_eq!(
        remapped,
        [("520199", "520102;520103".to_string(), Some(1990)), ("522401", "520502".to_string(), Some(2011))]
    );
    let held = app.region_detail(&code("520502")).await.unwrap().designations;
    assert_eq!(held[0].notes.as_deref(), Some("exited 2018"));
    let unknown = "region_code,category,basis_title\n529999,poverty_county,x\n";
    let problems = rejected(app.import_designations(&files.write("u.csv", unknown), &FileImport::default()).await);
    assert_eq!(problems, ["u.csv, row 2, column 'region_code': unknown region code 529999"]);
});

both_backends!(boundaries_must_name_loaded_regions, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let square = r#"{"type":"Polygon","coordinates":[[[106,26],[107,26],[107,27],[106,26]]]}"#;
    let collection = |codes: &[&str]| {
        let features: Vec<String> = codes
            .iter()
            .map(|c| format!(r#"{{"type":"Feature","properties":{{"adcode":"{c}"}},"geometry":{square}}}"#))
            .collect();
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
    };
    let ok = files.write("ok.geojson", &collection(&["520102", "520103"]));
    let report = app.import_boundaries(&ok, "adcode", Some("test"), &FileImport::default()).await.unwrap();
    assert_eq!(report.records_written, 2);
    assert!(app.region_detail(&code("520102")).await.unwrap().has_boundary);
    let bad = files.write("bad.geojson", &collection(&["520502", "529999", "520502"]));
    let problems = rejected(app.import_boundaries(&bad, "adcode", None, &FileImport::default()).await);
    assert_eq!(
        problems,
        [
            "bad.geojson, row 2, column 'feature 2': region 529999 is not loaded",
            "bad.geojson, row 3, column 'feature 3': region 520502 already has a boundary in feature 1",
        ]
    );
    assert!(!app.region_detail(&code("520502")).await.unwrap().has_boundary);
});

both_backends!(indicator_weights_must_be_defined, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    let text = "code,name_zh,unit,aggregation,weight_indicator\nrate,比率,%,weighted_mean,households\n";
    let problems = rejected(app.import_indicators(&files.write("i.csv", text), &FileImport::default()).await);
    assert_eq!(problems, ["i.csv, row 2, column 'weight_indicator': indicator households is not defined"]);
});

both_backends!(search_and_breadcrumbs, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let found: Vec<_> = app
        .search("七星关", 10, &Jurisdiction::everywhere())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.code.to_string())
        .collect();
    assert_eq!(found, ["520502"]);
    let detail = app.region_detail(&app.parse_region_code("520502000000").unwrap()).await.unwrap();
    let crumbs: Vec<_> = detail.ancestors.iter().map(|r| r.name_zh.as_str()).collect();
    assert_eq!(crumbs, ["全国", "贵州省", "毕节市"]);
    assert!(matches!(app.region_detail(&code("529999")).await, Err(AppError::NotFound(_))));
});

both_backends!(pairings_map_retired_codes_and_reject_unknown_ones, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "program,donor_code,recipient_code,start_year\n东西部协作,520100,522401,2016\n";
    let report = app.import_pairings(&files.write("p.csv", text), &FileImport::default()).await.unwrap();
    assert_eq!(report.remapped_codes[0].to, ["520502"]);
    let held = app.region_detail(&code("520502")).await.unwrap().pairings;
    assert_eq!((held[0].donor.as_str(), held[0].start_year), ("520100", Some(2016)));
    let bad = "program,donor_code,recipient_code\n东西部协作,520100,520199\n东西部协作,529999,520102\n";
    let problems = rejected(app.import_pairings(&files.write("bad.csv", bad), &FileImport::default()).await);
    assert_eq!(
        problems,
        [
            "bad.csv, row 2, column 'recipient_code': retired code 520199 was split into 520102, 520103; give the current code",
            "bad.csv, row 3, column 'donor_code': unknown region code 529999",
        ]
    );
    // Issue 13: a pair given twice is refused rather than its first row silently lost.
    let twice = "program,donor_code,recipient_code,start_year
东西部协作,520100,520502,2016
东西部协作,520100,520502,2017
";
    let problems = rejected(app.import_pairings(&files.write("twice.csv", twice), &FileImport::default()).await);
    assert_eq!(problems, ["twice.csv, row 3: the pair 520100 → 520502 of 东西部协作 is already on row 2"]);
});

both_backends!(monitoring_lines_import_and_the_nearest_applies, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    // 2021: 6,000 nationally (1.5 × the 4,000 standard); 2022: Guizhou 6,900,
    // 南明 7,200 (2 × a 300-yuan monthly dibao).
    let text = "region_code,year,amount,rule,multiple\n\
        000000,2021,6000,poverty_standard,1.5\n520000,2022,6900,,\n520102,2022,7200,dibao,2\n";
    let report = app.import_monitoring_lines(&files.write("lines.csv", text), &FileImport::default()).await.unwrap();
    assert_eq!(report.records_written, 3);
    let line = |region: &str, year| {
        let app = app.clone();
        let region = code(region);
        async move { app.monitoring_line_for(&region, year).await.unwrap().map(|l| l.amount) }
    };
    assert_eq!(line("520103", 2021).await, Some(6000.0));
    assert_eq!(line("520103", 2022).await, Some(6900.0));
    assert_eq!(line("520102", 2022).await, Some(7200.0));
    assert_eq!(line("520102", 2023).await, None);

    // Bad rows are named; nothing is written.
    let bad = "region_code,year,amount,rule,multiple\n520000,2023,-5,,\n520000,2023,7000,dibao,\n";
    let problems = rejected(app.import_monitoring_lines(&files.write("bad.csv", bad), &FileImport::default()).await);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("row 2, column 'amount'") && problems[0].contains("positive"), "{problems:?}");
    assert!(problems[1].contains("column 'rule'") && problems[1].contains("multiple"), "{problems:?}");
    let twice = "region_code,year,amount\n520000,2023,7000\n520000,2023,7100\n";
    let problems = rejected(app.import_monitoring_lines(&files.write("t.csv", twice), &FileImport::default()).await);
    assert_eq!(problems, ["t.csv, row 3, column 'region_code': the line of 520000 for 2023 is already on row 2"]);
    let unknown = "region_code,year,amount\n520000,2023,7000\n529999,2023,7000\n";
    let problems = rejected(app.import_monitoring_lines(&files.write("u.csv", unknown), &FileImport::default()).await);
    assert!(problems[0].contains("row 3") && problems[0].contains("529999"), "{problems:?}");
    assert_eq!(app.test_store().monitoring_lines(Some(2023)).await.unwrap().len(), 0);

    // A county clerk may not set Guizhou's line.
    let nanming: HashSet<RegionCode> = [code("520102")].into();
    let scoped = FileImport { within: Jurisdiction::of_regions(nanming), ..Default::default() };
    let text = "region_code,year,amount\n520000,2024,8000\n";
    let problems = rejected(app.import_monitoring_lines(&files.write("gz.csv", text), &scoped).await);
    assert!(problems[0].contains("outside your jurisdiction"), "{problems:?}");
});

/// A data-entry clerk for 南明区 and an administrator for 贵州省.
async fn clerk_and_admin(app: &App) -> (revita_app::auth::Actor, revita_app::auth::Actor) {
    use revita_methods::access::{Grant, Role};
    let origin = revita_app::auth::Origin::default();
    let password = "correct horse battery";
    let make = |name: &'static str, role: Role, scope: &'static str| {
        let origin = origin.clone();
        async move {
            app.create_user(None, name, password, &[Grant { role, scope: code(scope) }], &origin).await.unwrap();
            app.actor_named(name).await.unwrap()
        }
    };
    (make("nanming_clerk", Role::DataEntry, "520102").await, make("gz_admin", Role::Admin, "520000").await)
}

/// A region import as `actor`, limited as the web server and CLI limit it.
async fn import_as(
    app: &App,
    actor: &revita_app::auth::Actor,
    path: &Path,
) -> Result<revita_app::ImportReport, AppError> {
    let within = app.jurisdiction(actor, revita_methods::access::Action::EditData).await.unwrap();
    let by = revita_app::auth::ChangeBy::new(actor, &revita_app::auth::Origin::default());
    app.import_regions(path, &FileImport { within, by, ..Default::default() }).await
}

both_backends!(a_region_import_cannot_move_what_lies_outside_the_jurisdiction, |store: DynStore| async move {
    // Issue 13: a clerk imported `520103,云岩区,,county,520102` and got 云岩
    // (and its households) under 南明; a province could go under a county.
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let (clerk, admin) = clerk_and_admin(&app).await;
    let header = "code,name_zh,name_en,level,parent_code\n";
    // The issue's own row nests a county in a county: refused whoever imports it.
    let problems = rejected(
        import_as(&app, &clerk, &files.write("r.csv", &format!("{header}520103,云岩区,,county,520102\n"))).await,
    );
    assert!(problems[0].contains("cannot be under 520102 (county)"), "{problems:?}");
    let cases = [
        ("520103,云岩区,,county,520500\n", "row 2, column 'code': region 520103 is outside your jurisdiction"),
        (
            "520102,南明区,,county,520500\n",
            "row 2, column 'code': region 520102 lies under 520100, which is outside your jurisdiction",
        ),
        (
            "520199001,某街道,,township,520103\n",
            "row 2, column 'parent_code': parent 520103 is outside your jurisdiction",
        ),
    ];
    for (row, expected) in cases {
        let problems = rejected(import_as(&app, &clerk, &files.write("r.csv", &format!("{header}{row}"))).await);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains(expected), "{row}: {problems:?}");
    }
    assert_eq!(app.region(&code("520103")).await.unwrap().parent, Some(code("520100")), "nothing moved");
    // A clerk may add a township in its county, but not rename its county.
    import_as(&app, &clerk, &files.write("t.csv", &format!("{header}520102001,遵义路街道,,township,520102\n")))
        .await
        .unwrap();
    // Levels nest, whoever imports: a province never goes under a county.
    let problems = rejected(
        app.import_regions(
            &files.write("p.csv", &format!("{header}530000,云南省,,province,520102\n")),
            &FileImport::default(),
        )
        .await,
    );
    assert!(problems[0].contains("cannot be under 520102 (county)"), "{problems:?}");
    // An administrator moves a region inside its province; the move and the
    // values before and after are audited.
    let moved = format!("{header}520103,云岩区,Yunyan,county,520500\n");
    let problems = rejected(import_as(&app, &clerk, &files.write("m.csv", &moved)).await);
    assert!(problems[0].contains("region 520103 is outside your jurisdiction"), "{problems:?}");
    import_as(&app, &admin, &files.write("m.csv", &moved)).await.unwrap();
    assert_eq!(app.region(&code("520103")).await.unwrap().parent, Some(code("520500")));
    let log = app.test_store().audit_log(&Default::default(), 10).await.unwrap();
    let change = log.iter().find(|e| e.action == "region.update").unwrap();
    assert!(change.before.as_deref().unwrap().contains("\"parent\":\"520100\""), "{change:?}");
    assert!(change.after.as_deref().unwrap().contains("\"parent\":\"520500\""), "{change:?}");
    assert!(log.iter().any(|e| e.action == "import.regions" && e.actor == "gz_admin"));
});

both_backends!(only_an_administrator_renames_a_region, |store: DynStore| async move {
    use revita_methods::access::{Grant, Role};
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let origin = revita_app::auth::Origin::default();
    let grant = Grant { role: Role::DataEntry, scope: code("520100") };
    app.create_user(None, "gy_clerk", "correct horse battery", &[grant], &origin).await.unwrap();
    let clerk = app.actor_named("gy_clerk").await.unwrap();
    let renamed = files.write("n.csv", "code,name_zh,name_en,level,parent_code\n520102,南明区,Nanming,county,520100\n");
    let problems = rejected(import_as(&app, &clerk, &renamed).await);
    assert!(problems[0].contains("only an administrator may rename region 520102"), "{problems:?}");
    // The same row as stored changes nothing, and is not written.
    let same = files.write("s.csv", "code,name_zh,name_en,level,parent_code\n520102,南明区,,county,520100\n");
    let report = import_as(&app, &clerk, &same).await.unwrap();
    assert_eq!(report.records_written, 0);
});
