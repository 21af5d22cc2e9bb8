use super::*;

fn poverty_county(region: &str, exit_year: i32) -> Designation {
    Designation {
        region: code(region),
        category: DesignationCategory::PovertyCounty,
        class: None,
        basis: Basis { title: "832个贫困县名单".into(), number: None },
        valid_from: Some(Date::first_of_year(2012)),
        valid_to: Some(Date::last_of_year(exit_year)),
        notes: Some(format!("exited {exit_year}")),
    }
}

fn key_county(region: &str) -> Designation {
    Designation {
        region: code(region),
        category: DesignationCategory::KeyAssistanceCounty,
        class: None,
        basis: Basis { title: "国家乡村振兴重点帮扶县名单".into(), number: None },
        valid_from: Some(Date::parse("2021-08-27").unwrap()),
        valid_to: None,
        notes: None,
    }
}

both_backends!(a_region_holds_several_designations_latest_first, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    store
        .write(audit(), async |tx| {
            tx.upsert_designations(&[poverty_county("520102", 2019), key_county("520102")]).await
        })
        .await
        .unwrap();
    let held = store.designations_of(&code("520102")).await.unwrap();
    assert_eq!(held, vec![key_county("520102"), poverty_county("520102", 2019)]);
});

both_backends!(a_corrected_list_replaces_the_same_designation, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_designations(&[poverty_county("520102", 2019)]).await).await.unwrap();
    store.write(audit(), async |tx| tx.upsert_designations(&[poverty_county("520102", 2020)]).await).await.unwrap();
    assert_eq!(store.designations_of(&code("520102")).await.unwrap(), vec![poverty_county("520102", 2020)]);
    // A later designation of the same category is history, not a correction.
    let mut again = poverty_county("520102", 2024);
    again.valid_from = Some(Date::first_of_year(2022));
    store.write(audit(), async |tx| tx.upsert_designations(&[again]).await).await.unwrap();
    assert_eq!(store.designations_of(&code("520102")).await.unwrap().len(), 2);
});

both_backends!(designations_filter_by_category, |store: DynStore| async move {
    let mut unknown_start = key_county("520103");
    unknown_start.valid_from = None;
    store
        .write(audit(), async |tx| {
            tx.upsert_designations(&[poverty_county("520103", 2018), key_county("520102"), unknown_start.clone()]).await
        })
        .await
        .unwrap();
    // An unknown start is a key too: loading it again replaces it.
    store.write(audit(), async |tx| tx.upsert_designations(&[unknown_start]).await).await.unwrap();
    let key = store.designations(Some(&DesignationCategory::KeyAssistanceCounty), None).await.unwrap();
    let regions: Vec<_> = key.iter().map(|d| d.region.to_string()).collect();
    assert_eq!(regions, ["520102", "520103"]);
    assert_eq!(store.designations(None, None).await.unwrap().len(), 3);
    assert_eq!(store.inventory().await.unwrap().designations, 3);
    // Within a jurisdiction, filtered in SQL by the region tree.
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let nanming = store.designations(None, Some(&[code("520102")])).await.unwrap();
    assert_eq!(nanming.iter().map(|d| d.region.as_str()).collect::<Vec<_>>(), ["520102"]);
    assert_eq!(store.designations(None, Some(&[code("520100")])).await.unwrap().len(), 3);
    assert!(store.designations(None, Some(&[code("520300")])).await.unwrap().is_empty());
});

both_backends!(pairings_are_found_from_either_side, |store: DynStore| async move {
    let pairing = |donor: &str, recipient: &str, start: Option<i32>| revita_methods::Pairing {
        program: "对口援疆 (2010 round)".into(),
        donor: code(donor),
        recipient: code(recipient),
        start_year: start,
        end_year: None,
        notes: Some("two sources".into()),
    };
    store
        .write(audit(), async |tx| {
            tx.upsert_pairings(&[pairing("440000", "653121", Some(2010)), pairing("440000", "653129", None)]).await
        })
        .await
        .unwrap();
    // Loading the same pair again corrects it rather than duplicating it.
    store
        .write(audit(), async |tx| tx.upsert_pairings(&[pairing("440000", "653121", Some(2011))]).await)
        .await
        .unwrap();
    assert_eq!(store.pairings_of(&code("440000")).await.unwrap().len(), 2);
    assert_eq!(store.pairings_of(&code("653121")).await.unwrap(), vec![pairing("440000", "653121", Some(2011))]);
    assert!(store.pairings_of(&code("110000")).await.unwrap().is_empty());
});

fn list(category: DesignationCategory, effective: &str, members: u64) -> revita_methods::DesignationList {
    revita_methods::DesignationList {
        id: 0,
        category,
        name: "Education-lagging counties v2".into(),
        run_year: 2020,
        classes: vec!["distressed".into(), "at-risk".into()],
        basis: revita_methods::Basis {
            title: "省乡村振兴局关于认定教育薄弱县的通知".into(),
            number: Some("黔乡振〔2021〕1号".into()),
        },
        effective_from: Date::parse(effective).unwrap(),
        transition_until: Some(Date::parse("2022-12-31").unwrap()),
        spec_json: "{\"name\": \"x\"}".into(),
        spec_sha256: "ab".repeat(32),
        input_sha256: "cd".repeat(32),
        members,
        joining: members,
        leaving: 0,
        approved_by: "gz_planner".into(),
        approved_at: 1_700_000_000,
    }
}

both_backends!(a_committed_list_keeps_its_provenance_and_writes_its_designations, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let category = DesignationCategory::parse("custom:education_lag").unwrap();
    let mut designation = key_county("520102");
    designation.category = category.clone();
    let before = store.data_version().await.unwrap();
    let members = [(code("520102"), "distressed".to_string())];
    let id = store
        .write(audit(), async |tx| {
            tx.commit_designation_list(&list(category.clone(), "2021-01-01", 1), &members, &[designation.clone()]).await
        })
        .await
        .unwrap();
    let second = store
        .write(audit(), async |tx| tx.commit_designation_list(&list(category.clone(), "2023-01-01", 0), &[], &[]).await)
        .await
        .unwrap();
    assert_eq!(store.designation_list_members(id).await.unwrap(), members);
    assert!(store.designation_list_members(second).await.unwrap().is_empty());
    assert!(second > id);
    assert!(store.data_version().await.unwrap() > before);
    let lists = store.designation_lists(Some(&category)).await.unwrap();
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0], revita_methods::DesignationList { id, ..list(category.clone(), "2021-01-01", 1) });
    assert_eq!(store.designations_of(&code("520102")).await.unwrap(), vec![designation]);
    assert!(store.designation_lists(Some(&DesignationCategory::PovertyCounty)).await.unwrap().is_empty());
    assert_eq!(store.designation_lists(None).await.unwrap().len(), 2);
});

both_backends!(monitoring_lines_are_kept_by_region_and_year, |store: DynStore| async move {
    use revita_methods::monitoring::{LineRule, MonitoringLine};
    let line = |region: &str, year, amount, rule| MonitoringLine { region: code(region), year, amount, rule };
    let lines = [
        line("000000", 2021, 6000.0, LineRule::PovertyStandardMultiple(1.5)),
        line("520000", 2022, 6900.0, LineRule::Fixed),
        line("350526", 2024, 19_560.0, LineRule::DibaoMultiple(2.0)),
    ];
    assert_eq!(store.write(audit(), async |tx| tx.upsert_monitoring_lines(&lines).await).await.unwrap(), 3);
    // A corrected line replaces the one of the same region and year.
    store
        .write(audit(), async |tx| tx.upsert_monitoring_lines(&[line("520000", 2022, 7000.0, LineRule::Fixed)]).await)
        .await
        .unwrap();
    let all = store.monitoring_lines(None).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], lines[0]);
    assert_eq!(all[1].amount, 7000.0);
    assert_eq!(all[2].rule, LineRule::DibaoMultiple(2.0));
    assert_eq!(store.monitoring_lines(Some(2022)).await.unwrap().len(), 1);
});

fn registered(id: &str, village: i64, income: f64) -> revita_methods::monitoring::RegisteredHousehold {
    revita_methods::monitoring::RegisteredHousehold {
        id: id.into(),
        household: revita_methods::screening::Household {
            village_code: village,
            size: 3,
            labor: 2,
            income_pc: income,
            income_pc_prev: 8000.5,
            medical_exp: 1200.25,
            education_exp: 0.0,
            disaster_loss: 0.0,
            deprived: 0b101_0000_0001,
        },
        head_name: Some("张三".into()),
        id_number: Some("520102199001011234".into()),
        phone: None,
        income_sources: None,
        relocation_site: None,
    }
}

both_backends!(the_registry_keeps_households_and_replaces_by_id, |store: DynStore| async move {
    // 120 households: more than two 50-row statements and a partial one.
    let many: Vec<_> = (0..120)
        .map(|i| registered(&format!("H{i:04}"), 520_102_001_001 + i64::from(i % 3), 6000.0 + f64::from(i)))
        .collect();
    assert_eq!(store.write(audit(), async |tx| tx.upsert_households(&many).await).await.unwrap(), 120);
    let again = registered("H0001", 520_103_002_001, 9999.99);
    store.write(audit(), async |tx| tx.upsert_households(std::slice::from_ref(&again)).await).await.unwrap();
    let all = store.households().await.unwrap();
    assert_eq!(all.len(), 120);
    assert_eq!(all[0], many[0]);
    assert_eq!(store.household("H0001").await.unwrap(), Some(again));
    assert_eq!(store.household("nobody").await.unwrap(), None);
    // Streamed whole, or within a jurisdiction (filtered in SQL): all 120
    // lie in 南明 (520102), but H0001, now in 云岩 (520103).
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let streamed = |within: Option<Vec<RegionCode>>| {
        let store = store.clone();
        async move {
            let mut ids = Vec::new();
            let n = store.for_each_household(within.as_deref(), &mut |h| ids.push(h.id)).await.unwrap();
            assert_eq!(n as usize, ids.len());
            ids
        }
    };
    assert_eq!(streamed(None).await.len(), 120);
    assert_eq!(streamed(Some(vec![code("520102")])).await.len(), 119);
    assert_eq!(streamed(Some(vec![code("520103")])).await, ["H0001"]);
    assert_eq!(streamed(Some(vec![code("520100")])).await.len(), 120, "Guiyang holds both");
    assert!(streamed(Some(vec![code("520300")])).await.is_empty());
});

both_backends!(cases_move_by_version_and_keep_every_event, |store: DynStore| async move {
    use revita_methods::monitoring::{Case, CaseEvent, Category, Channel, IncomeCheck, Step};
    store
        .write(audit(), async |tx| tx.upsert_households(&[registered("H1", 520_102_001_001, 6500.0)]).await)
        .await
        .unwrap();
    let day = |t: &str| Date::parse(t).unwrap();
    let event = |step, on: &str| CaseEvent {
        step,
        on: day(on),
        actor: "nanming_clerk".into(),
        evidence: Some("visit report".into()),
        notice_end: None,
        at: 1_700_000_000,
    };
    let case = Case {
        id: 0,
        household_id: "H1".into(),
        county: code("520102"),
        category: Category::Marginal,
        channel: Channel::DataScreening,
        step: Step::Identified,
        step_since: day("2024-03-01"),
        version: 1,
    };
    let id = store
        .write(audit(), async |tx| tx.open_case(&case, &event(Step::Identified, "2024-03-01")).await)
        .await
        .unwrap();
    store.write(audit(), async |tx| tx.move_case(id, 1, &event(Step::Verified, "2024-03-05")).await).await.unwrap();
    // A move from a stale version is refused and records nothing.
    let stale = store.write(audit(), async |tx| tx.move_case(id, 1, &event(Step::Consented, "2024-03-06")).await).await;
    assert!(matches!(stale, Err(revita_store::StoreError::Conflict(_))), "{stale:?}");
    let now = store.case(id).await.unwrap().unwrap();
    assert_eq!((now.step, now.step_since, now.version), (Step::Verified, day("2024-03-05"), 2));
    let steps: Vec<Step> = store.case_events(id).await.unwrap().iter().map(|e| e.step).collect();
    assert_eq!(steps, [Step::Identified, Step::Verified]);
    assert_eq!(store.cases(None).await.unwrap().len(), 1);
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    assert_eq!(store.cases(Some(&[code("520100")])).await.unwrap().len(), 1, "Guiyang holds Nanming");
    assert!(store.cases(Some(&[code("520103")])).await.unwrap().is_empty(), "Yunyan does not");
    assert_eq!(store.cases_of_household("H1").await.unwrap().len(), 1);
    assert!(store.cases_of_household("H2").await.unwrap().is_empty());
    let measure = revita_methods::monitoring::Measure {
        kind: revita_methods::monitoring::MeasureKind::Employment,
        description: "公益性岗位".into(),
        amount: 6000.5,
        start: day("2024-05-01"),
        end: None,
        actor: "nanming_clerk".into(),
        at: 1_700_000_100,
    };
    store.write(audit(), async |tx| tx.add_measure(id, &measure).await).await.unwrap();
    store
        .write(audit(), async |tx| {
            tx.add_measure(id, &revita_methods::monitoring::Measure { end: Some(day("2024-12-31")), ..measure.clone() })
                .await
        })
        .await
        .unwrap();
    let measures = store.measures(id).await.unwrap();
    assert_eq!(measures.len(), 2);
    assert_eq!(measures[0], measure);
    assert_eq!(measures[1].end, Some(day("2024-12-31")));
    assert!(store.measures(id + 1).await.unwrap().is_empty());
    store
        .write(audit(), async |tx| {
            tx.record_income_check(id, &IncomeCheck { on: day("2024-04-01"), income_pc: 7000.0 }).await
        })
        .await
        .unwrap();
    store
        .write(audit(), async |tx| {
            tx.record_income_check(id, &IncomeCheck { on: day("2024-04-01"), income_pc: 7100.0 }).await
        })
        .await
        .unwrap();
    assert_eq!(store.income_checks(id).await.unwrap(), [IncomeCheck { on: day("2024-04-01"), income_pc: 7100.0 }]);
    assert_eq!(store.case(999).await.unwrap(), None);
});

both_backends!(household_edits_are_versioned_and_members_replaced, |store: DynStore| async move {
    use revita_methods::registry::{IncomeSources, Labour, Member, Schooling, Sex};
    store
        .write(audit(), async |tx| tx.upsert_households(&[registered("H1", 520_102_001_001, 6500.0)]).await)
        .await
        .unwrap();
    assert_eq!(store.household_version("H1").await.unwrap(), Some(1));
    assert_eq!(store.household_version("nobody").await.unwrap(), None);

    let sources = IncomeSources { wage: 20_000.0, business: 4400.0, property: 0.0, transfer: 4000.0 };
    let mut edited = registered("H1", 520_102_001_001, 7100.0);
    edited.household.size = 4;
    edited.income_sources = Some(sources);
    edited.relocation_site = Some("幸福社区".into());
    assert_eq!(store.write(audit(), async |tx| tx.update_household(&edited, 1).await).await.unwrap(), 2);
    assert_eq!(store.household("H1").await.unwrap(), Some(edited.clone()));
    // A second edit from the same stale form is refused, not merged.
    let stale = store.write(audit(), async |tx| tx.update_household(&edited, 1).await).await.unwrap_err();
    assert!(matches!(stale, revita_store::StoreError::Conflict(_)), "{stale}");

    let member = |seq, name: &str| Member {
        seq,
        name: Some(name.into()),
        sex: Sex::Female,
        birth_year: 1980 + seq,
        labour: Labour::Full,
        disabled: seq == 2,
        chronically_ill: false,
        schooling: Schooling::NotInSchool,
        insured: true,
    };
    let first = vec![member(1, "张三"), member(2, "李四")];
    assert_eq!(
        store.write(audit(), async |tx| tx.replace_members(&[("H1".into(), first.clone())]).await).await.unwrap(),
        2
    );
    assert_eq!(store.members("H1").await.unwrap(), first);
    store.write(audit(), async |tx| tx.replace_members(&[("H1".into(), vec![member(1, "王五")])]).await).await.unwrap();
    assert_eq!(store.members("H1").await.unwrap(), vec![member(1, "王五")]);
    assert!(store.members("nobody").await.unwrap().is_empty());
    // One household's members, guarded by its version.
    let version = store.household_version("H1").await.unwrap().unwrap();
    let two = vec![member(1, "王五"), member(2, "赵六")];
    assert_eq!(
        store.write(audit(), async |tx| tx.replace_household_members("H1", &two, version).await).await.unwrap(),
        version + 1
    );
    let stale =
        store.write(audit(), async |tx| tx.replace_household_members("H1", &[], version).await).await.unwrap_err();
    assert!(matches!(stale, revita_store::StoreError::Conflict(_)), "{stale}");
    assert_eq!(store.members("H1").await.unwrap(), two);
    store
        .write(audit(), async |tx| tx.replace_household_members("H1", &[member(1, "王五")], version + 1).await)
        .await
        .unwrap();
    // Replacing members and re-importing both count as changes to the record;
    // an import without income columns keeps the recorded sources.
    assert_eq!(store.household_version("H1").await.unwrap(), Some(6));
    store
        .write(audit(), async |tx| tx.upsert_households(&[registered("H1", 520_102_001_001, 6500.0)]).await)
        .await
        .unwrap();
    assert_eq!(store.household_version("H1").await.unwrap(), Some(7));
    let reimported = store.household("H1").await.unwrap().unwrap();
    assert_eq!((reimported.income_sources, reimported.relocation_site.as_deref()), (Some(sources), Some("幸福社区")));
    // A file that gives details writes them (and replaces the stored ones).
    let detailed = revita_methods::monitoring::RegisteredHousehold {
        income_sources: Some(IncomeSources { wage: 1.0, ..sources }),
        relocation_site: None,
        ..registered("H2", 520_102_001_001, 6500.0)
    };
    store.write(audit(), async |tx| tx.upsert_households(&[detailed.clone(), edited.clone()]).await).await.unwrap();
    assert_eq!(store.household("H2").await.unwrap(), Some(detailed));
    assert_eq!(store.household("H1").await.unwrap().unwrap().income_sources, Some(sources));
});
