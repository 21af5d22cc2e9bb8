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
    // Issue 19: the Xin'an example settled for 2018 and 2019 (met, 浙江
    // pays 安徽), its 2020 samples running close to 1 (the alert), the
    // Chishui example's failed section making 云南 pay; land use in two
    // years for the six counties, GEP of one.
    assert_eq!(added.agreements, 2);
    let xinan = app.eco_agreement(&admin, 1).await.unwrap();
    assert_eq!(xinan.settlements.len(), 2);
    let (_, s2019) = &xinan.settlements[0];
    assert!(s2019.sections[0].met && (s2019.sections[0].p - 0.88).abs() < 0.02, "{:?}", s2019.sections[0]);
    assert_eq!((s2019.reserves, s2019.void), (4, 4), "one reserve and one void sample per indicator");
    let running = xinan.running.as_ref().unwrap().as_ref().unwrap();
    assert!(running.year == 2020 && running.sections[0].alert, "{running:?}");
    let ledger = app.eco_ledger(&admin, None, 0, 100).await.unwrap();
    let flows: Vec<(&str, &str, &str)> =
        ledger.payments.iter().map(|p| (p.payer.as_str(), p.payee.as_str(), p.status.as_str())).collect();
    assert_eq!(flows[..2], [("浙江省", "安徽省", "paid"), ("浙江省", "安徽省", "due")]);
    assert!(flows[2..].iter().all(|(payer, _, _)| *payer == "云南省"), "{flows:?}");
    let parameters = revita_app::eco::EsvParameters::from_json(revita_app::eco::XIE_2015_DEFAULT).unwrap();
    let esv = app.esv(&admin, parameters).await.unwrap();
    assert_eq!(esv.rows.len(), 12);
    assert!(esv.rows[1].change.unwrap().1 > 0.0, "forest gained from dry land raises ESV");
    assert_eq!(app.gep(&admin).await.unwrap().rows.len(), 1);
    // Issue 18: the ledger of 2022 — every pairing in force has its share of
    // its donor's obligation (0.5% of 2021's revenue for Xinjiang), and
    // deliveries of 80–110% of it; the first donor misses the county norm.
    let ledger = app.pairing_ledger(&admin, 2022, None).await.unwrap();
    assert_eq!(added.deliveries, 2 * 4 * ledger.rows.len());
    assert!(ledger.rows.iter().all(|r| r.obligation.is_some()), "every donor has a rule and 2021 revenue");
    let fulfilment = ledger.fulfilment().unwrap();
    assert!((0.79..1.11).contains(&fulfilment), "{fulfilment}");
    assert_eq!(ledger.rows[0].delivered.meets_norms(), Some(false));
    assert!(ledger.rows.iter().any(|r| r.delivered.meets_norms() == Some(true)));
    // Guangdong's three Xinjiang counties share its obligation equally.
    let guangdong: Vec<f64> = ledger
        .rows
        .iter()
        .filter(|r| r.pairing.donor.as_str() == "440000" && r.pairing.program.starts_with("对口援疆"))
        .map(|r| r.obligation.unwrap())
        .collect();
    assert_eq!(guangdong.len(), 3);
    assert!(guangdong.iter().all(|o| (o - guangdong[0]).abs() < 1e-6));
    // The brief on Xinjiang: gaps to the nation, the assistance received.
    let xinjiang = revita_methods::RegionCode::parse("650000").unwrap();
    let brief = app.brief(&admin, &xinjiang, 2022, &[]).await.unwrap();
    assert!(!brief.indicators.is_empty());
    assert!(brief.assistance.delivered.funds > 0.0 && brief.assistance.due > 0.0);
    let map = brief.map.as_ref().expect("Xinjiang's prefectures mapped by an indicator they report");
    assert!(map.areas.len() >= 10, "{}", map.areas.len());
    let pdf = revita_app::brief_document::brief_pdf(&brief, true);
    assert!(pdf.is_ok_and(|b| b.starts_with(b"%PDF-")));
    // Issue 21: the example earthquake over six counties, assessed every way,
    // with its counterparts in the ledger and its reconstruction plan.
    let quake = app.disaster(&admin, added.disaster.unwrap()).await.unwrap();
    assert_eq!(quake.counties.len(), 6);
    assert!(quake.uncosted.is_empty(), "{:?}", quake.uncosted);
    let total = quake.assessment.total;
    assert!(total.damage > 0.0 && total.losses > 0.0 && total.needs() > total.damage);
    assert_eq!(quake.assessment.by_group.len(), 3, "social, productive and infrastructure lines");
    assert!(quake.event.plan_id.is_some());
    let ledger = app.pairing_ledger(&admin, 2008, Some("灾后恢复重建：示例地震（合成数据）")).await.unwrap();
    assert_eq!(ledger.rows.len(), 6);
    assert!(ledger.rows.iter().all(|r| r.obligation.is_some()), "1% of each donor's 2007 revenue");
    // Issue 20: two example subsidence areas; the first holds two of the
    // example villages and 60 graded houses; the resource-based cities by
    // type, the shipped quadrant spec runs over them, and 大同's dashboard
    // shows its plan's targets.
    assert_eq!(added.subsidence_areas, 2);
    let area = app.subsidence_area(&admin, 1).await.unwrap();
    assert_eq!(area.inside.villages.len(), 2);
    assert_eq!(area.houses_by_grade.iter().sum::<usize>(), 60);
    assert!(area.hectares_by_class.iter().sum::<f64>() > 0.0);
    let register = app.resource_cities(&admin).await.unwrap();
    assert_eq!(register.cities.len(), 24);
    assert_eq!(register.counts[&revita_methods::resource_city::CityType::Declining], 10);
    assert_eq!(register.cities.iter().filter(|c| c.exhausted).count(), 5, "first-batch cities among the 24");
    let spec: revita_methods::designate::DesignationSpec =
        serde_json::from_str(include_str!("../../../../data/specs/resource-city-types.json")).unwrap();
    let run = app.designate(&spec.checked().unwrap(), 2022, &revita_app::Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(run.rows.len(), 24, "{:?}", run.excluded);
    assert!(run.rows.iter().all(|r| r.dimensions.len() == 2));
    let datong =
        app.resource_city_dashboard(&admin, &revita_methods::RegionCode::parse("140200").unwrap()).await.unwrap();
    let targets: usize = datong.themes.iter().flat_map(|(_, s)| s).map(|s| s.targets.len()).sum();
    assert_eq!(targets, 2);
    // Issue 17: four example sites with 120 relocated households, their
    // follow-up KPIs and alerts; the optimiser places every village's
    // households it can; the 29.9% project is flagged under the 30% rule.
    assert_eq!(added.resettlement_sites, 4);
    let follow_up =
        app.relocation_follow_up(&admin, 2024, &revita_methods::relocation::Targets::default()).await.unwrap();
    assert_eq!(follow_up.sites.values().map(|f| f.households).sum::<i64>(), 120);
    assert!(!follow_up.unemployed.is_empty(), "some labour households have nobody employed");
    let county = revita_methods::RegionCode::parse("520502").unwrap();
    let assigned = app.assign_to_sites(&admin, Some(&county), "village", 2, None, false).await.unwrap();
    assert_eq!(assigned.assignment.placed(), 420 + 380 + 500 + 450 - assigned.assignment.unplaced_households());
    assert!(assigned.assignment.placed() >= 1750, "{:?}", assigned.assignment.unplaced);
    let alerts = app
        .relief_alerts(&admin, revita_methods::Date::parse("2026-01-15").unwrap(), &Default::default())
        .await
        .unwrap();
    let water = alerts.iter().find(|a| a.code == "QXG-2024-02").expect("the 29.9% project is flagged");
    assert!(water.alerts.iter().any(|a| matches!(a, revita_methods::work_relief::ReliefAlert::ShareBelowRule(_))));
    // Issue 22: the example spec runs over Guizhou's counties, most with a
    // synthetic direct estimate, the rest estimated out of sample, and
    // stores as three indicators (dry run: nothing written).
    assert!(added.sae_counties > 50, "{}", added.sae_counties);
    let spec = revita_app::sae::FhSpec::from_json(revita_app::sae::EXAMPLE_SPEC).unwrap();
    let run = app.run_fh(&admin, &spec).await.unwrap();
    let in_sample = run.areas.iter().filter(|a| a.in_sample).count();
    assert_eq!(in_sample, added.sae_counties);
    assert!(run.areas.len() > in_sample, "some counties out of sample");
    assert!(run.fit.sigma_u2 > 0.0 && run.fit.beta[1].1 > 0.0, "{:?}", run.fit);
    assert!(run.areas.iter().all(|a| a.mse > 0.0 && a.estimate > 0.0));
    let dry = app.store_fh(&admin, &spec, true, &revita_app::auth::Origin::default()).await.unwrap();
    assert_eq!(dry.observations.len(), 3 * run.areas.len());
    // The Nanming clerk sees the county's six cases and no other.
    let clerk = app.actor_named("nanming_clerk").await.unwrap();
    let within = app.jurisdiction(&clerk, revita_methods::access::Action::Read).await.unwrap();
    let cases = app.test_store().cases(Some(within.roots().unwrap())).await.unwrap();
    assert_eq!(cases.len(), 6);
    // Loading again adds nothing.
    assert_eq!(revita_app::demo::load_examples(&app, today, 2).await.unwrap(), revita_app::demo::Examples::default());
});
