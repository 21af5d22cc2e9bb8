//! Relocation and work-relief on both back ends: sites kept by a county and
//! listed within a jurisdiction, upserted by code with their version
//! raised; relocations read within their site's county, with incomes and
//! the monitoring objects among them; remuneration rules seeded and added
//! in versions; projects with their rosters and payments.

use revita_methods::work_relief::RemunerationRule;
use revita_store::relocation::{
    ReliefPayment, ReliefProject, ReliefWorker, Relocation, RelocationIncome, ResettlementSite,
};

use super::*;

pub(crate) fn site(code_: &str, county: &str) -> ResettlementSite {
    ResettlementSite {
        id: 0,
        code: code_.into(),
        name: format!("{code_} 安置点"),
        county: code(county),
        township: Some("花溪镇".into()),
        lon: 106.7,
        lat: 26.6,
        setting: "urban".into(),
        category: "concentrated".into(),
        subtype: "town_or_park".into(),
        capacity_people: 800,
        capacity_units: 200,
        floor_area: 16_000.5,
        school: true,
        clinic: false,
        elder_care: true,
        community_centre: true,
        workshops: 3,
        party_branch: true,
        committee: false,
        certificates: 150,
        version: 1,
        updated_by: "clerk".into(),
        updated_at: "2026-12-06".into(),
    }
}

fn household(id: &str, village: i64) -> revita_methods::monitoring::RegisteredHousehold {
    revita_methods::monitoring::RegisteredHousehold {
        id: id.into(),
        household: revita_methods::screening::Household {
            village_code: village,
            size: 4,
            labor: 2,
            income_pc: 7000.0,
            income_pc_prev: 6000.0,
            medical_exp: 0.0,
            education_exp: 0.0,
            disaster_loss: 0.0,
            deprived: 0,
        },
        head_name: None,
        id_number: None,
        phone: None,
        income_sources: None,
        relocation_site: None,
    }
}

fn relocation(household_id: &str, site_code: &str) -> Relocation {
    Relocation {
        household_id: household_id.into(),
        site_code: site_code.into(),
        registered_poor: true,
        same_time_mover: false,
        moved_on: Some("2019-10-01".into()),
        persons: 4,
        labour: 2,
        employed: 1,
        employment_place: Some("in_county".into()),
        housing_area_pc: 27.5,
        self_contribution: 8_000.0,
        demolished: true,
        reclaimed: false,
        override_reason: Some("残疾成员".into()),
        updated_by: "clerk".into(),
        updated_at: "2026-12-06".into(),
    }
}

both_backends!(sites_and_relocations, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    store
        .write(audit(), async |tx| {
            tx.upsert_households(&[household("H1", 520_102_001_001), household("H2", 520_103_001_001)]).await
        })
        .await
        .unwrap();
    let sites = [site("S1", "520102"), site("S2", "520103"), site("S3", "520300")];
    store.write(audit(), async |tx| tx.put_resettlement_sites(&sites).await).await.unwrap();
    let s1 = store.resettlement_site("S1").await.unwrap().unwrap();
    assert_eq!(store.resettlement_site_numbered(s1.id).await.unwrap().map(|s| s.code), Some("S1".to_string()));
    assert!(store.resettlement_site_numbered(9999).await.unwrap().is_none());
    assert_eq!((s1.clone(), s1.version), (ResettlementSite { id: s1.id, ..sites[0].clone() }, 1));
    // Within Guiyang: S1 and S2, not Zunyi's S3.
    let (page, total) = store.resettlement_site_page(Some(&[code("520100")]), 0, 1).await.unwrap();
    assert_eq!((page[0].code.as_str(), total), ("S1", 2));
    let (rest, _) = store.resettlement_site_page(Some(&[code("520100")]), page[0].id, 10).await.unwrap();
    assert_eq!(rest.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(), ["S2"]);
    assert_eq!(store.resettlement_sites(None).await.unwrap().len(), 3);
    assert_eq!(store.resettlement_sites(Some(&[code("520103")])).await.unwrap().len(), 1);
    // An upsert replaces by code and raises the version; the transaction reads what it replaces.
    let mut moved = sites[0].clone();
    moved.name = "新名".into();
    moved.committee = true;
    let stored = store
        .write(audit(), async |tx| {
            let before = tx.resettlement_sites_coded(&["S1", "S9"]).await?;
            tx.put_resettlement_sites(std::slice::from_ref(&moved)).await?;
            Ok(before)
        })
        .await
        .unwrap();
    assert_eq!(stored.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(), ["S1"]);
    let s1 = store.resettlement_site("S1").await.unwrap().unwrap();
    assert_eq!((s1.name.as_str(), s1.committee, s1.version), ("新名", true, 2));

    let mut other = relocation("H2", "S2");
    other.override_reason = None;
    other.employment_place = None;
    store.write(audit(), async |tx| tx.put_relocations(&[relocation("H1", "S1"), other.clone()]).await).await.unwrap();
    assert_eq!(store.relocation("H1").await.unwrap(), Some(relocation("H1", "S1")));
    let within = store.relocations(Some(&[code("520102")])).await.unwrap();
    assert_eq!(within.iter().map(|r| r.household_id.as_str()).collect::<Vec<_>>(), ["H1"]);
    assert_eq!(store.relocations(None).await.unwrap(), vec![relocation("H1", "S1"), other]);
    let incomes = [
        RelocationIncome { household_id: "H1".into(), year: 2023, income: 6_000.0 },
        RelocationIncome { household_id: "H1".into(), year: 2024, income: 6_500.5 },
        RelocationIncome { household_id: "H2".into(), year: 2024, income: 9_000.0 },
    ];
    store.write(audit(), async |tx| tx.put_relocation_incomes(&incomes).await).await.unwrap();
    let corrected = RelocationIncome { household_id: "H1".into(), year: 2024, income: 6_600.0 };
    store.write(audit(), async |tx| tx.put_relocation_incomes(std::slice::from_ref(&corrected)).await).await.unwrap();
    assert_eq!(store.relocation_incomes(Some(&[code("520102")])).await.unwrap(), vec![incomes[0].clone(), corrected]);
    assert_eq!(store.relocation_incomes(None).await.unwrap().len(), 3);
    let found = store.write(audit(), async |tx| tx.relocations_of(&["H2", "H9"]).await).await.unwrap();
    assert_eq!(found.len(), 1);
});

both_backends!(monitoring_objects_among_the_relocated, |store: DynStore| async move {
    use revita_methods::monitoring::{Case, CaseEvent, Category, Channel, Step};
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let households =
        [household("H1", 520_102_001_001), household("H2", 520_102_001_002), household("H3", 520_102_001_003)];
    store.write(audit(), async |tx| tx.upsert_households(&households).await).await.unwrap();
    store.write(audit(), async |tx| tx.put_resettlement_sites(&[site("S1", "520102")]).await).await.unwrap();
    let all = [relocation("H1", "S1"), relocation("H2", "S1"), relocation("H3", "S1")];
    store.write(audit(), async |tx| tx.put_relocations(&all).await).await.unwrap();
    let day = |d: &str| Date::parse(d).unwrap();
    // H1 approved (an object), H2 only identified, H3 risk eliminated.
    for (household, step) in [("H1", Step::Approved), ("H2", Step::Identified), ("H3", Step::RiskEliminated)] {
        let case = Case {
            id: 0,
            household_id: household.into(),
            county: code("520102"),
            category: Category::Marginal,
            channel: Channel::DataScreening,
            step,
            step_since: day("2024-03-01"),
            version: 1,
        };
        let event =
            CaseEvent { step, on: day("2024-03-01"), actor: "clerk".into(), evidence: None, notice_end: None, at: 1 };
        store.write(audit(), async |tx| tx.open_case(&case, &event).await).await.unwrap();
    }
    assert_eq!(store.monitored_relocations(None).await.unwrap(), ["H1"]);
    assert!(store.monitored_relocations(Some(&[code("520300")])).await.unwrap().is_empty());
});

both_backends!(remuneration_rules_are_seeded_and_versioned, |store: DynStore| async move {
    let seeded = store.relief_rules().await.unwrap();
    let rules: Vec<RemunerationRule> = seeded.iter().map(|r| r.rule.clone()).collect();
    assert_eq!(rules, revita_methods::work_relief::default_rules());
    let newer = RemunerationRule { min_share: 0.35, ..rules[1].clone() };
    let (_, version) = store
        .write(audit(), async |tx| tx.add_relief_rule(&newer, Some("省定"), "planner", "2026-12-06").await)
        .await
        .unwrap();
    assert_eq!(version, 2);
    let bounded = RemunerationRule { to_year: Some(2030), version: 9, ..newer.clone() };
    let (_, version) = store
        .write(audit(), async |tx| tx.add_relief_rule(&bounded, None, "planner", "2026-12-06").await)
        .await
        .unwrap();
    assert_eq!(version, 1, "another key starts at 1");
    let stored = store.relief_rules().await.unwrap();
    assert_eq!((stored.len(), stored[3].note.as_deref(), stored[3].created_by.as_str()), (5, Some("省定"), "planner"));
    let all: Vec<RemunerationRule> = stored.iter().map(|r| r.rule.clone()).collect();
    assert_eq!(revita_methods::work_relief::rule_for(&all, 2040, "x").map(|r| r.min_share), Some(0.35));
});

pub(crate) fn project(code_: &str, county: &str) -> ReliefProject {
    ReliefProject {
        id: 0,
        code: code_.into(),
        name: "村组道路".into(),
        county: code(county),
        village_code: Some("520102001001".into()),
        fund_source: "central".into(),
        batch: "第一批".into(),
        year: 2024,
        works_type: "roads".into(),
        total_investment: 2_000_000.0,
        central_investment: 1_000_000.0,
        remuneration_planned: 300_000.0,
        remuneration_paid: 120_000.5,
        start_on: Some("2024-03-01".into()),
        end_on: Some("2024-10-31".into()),
        accepted_on: None,
        status: "underway".into(),
        training_sessions: 2,
        maintenance_posts: 5,
        version: 1,
        updated_by: "clerk".into(),
        updated_at: "2026-12-06".into(),
    }
}

both_backends!(projects_rosters_and_payments, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    store.write(audit(), async |tx| tx.upsert_households(&[household("H1", 520_102_001_001)]).await).await.unwrap();
    let projects = [project("P1", "520102"), project("P2", "520300")];
    let ids = store.write(audit(), async |tx| tx.put_relief_projects(&projects).await).await.unwrap();
    let p1 = store.relief_project("P1").await.unwrap().unwrap();
    assert_eq!(p1, ReliefProject { id: ids[0], ..projects[0].clone() });
    let (page, total) = store.relief_project_page(Some(&[code("520100")]), 0, 10).await.unwrap();
    assert_eq!((page.len(), total, page[0].code.as_str()), (1, 1, "P1"));
    // Re-importing keeps the number and raises the version.
    let mut accepted = projects[0].clone();
    accepted.accepted_on = Some("2024-11-20".into());
    let again = store
        .write(audit(), async |tx| {
            let before = tx.relief_projects_coded(&["P1"]).await?;
            let ids = tx.put_relief_projects(std::slice::from_ref(&accepted)).await?;
            Ok((before, ids))
        })
        .await
        .unwrap();
    assert_eq!((again.0.len(), again.1.clone()), (1, vec![ids[0]]));
    let p1 = store.relief_project("P1").await.unwrap().unwrap();
    assert_eq!((p1.version, p1.accepted_on.as_deref()), (2, Some("2024-11-20")));
    assert_eq!(store.relief_projects(None).await.unwrap().len(), 2);

    let worker = |project_id, id: &str, household: Option<(&str, i64)>| ReliefWorker {
        project_id,
        worker_id: id.into(),
        name: Some("李四".into()),
        category: "poverty_exited".into(),
        household_id: household.map(|h| h.0.to_string()),
        member_seq: household.map(|h| h.1),
    };
    let roster = [worker(ids[0], "W1", Some(("H1", 1))), worker(ids[0], "W2", None), worker(ids[1], "W1", None)];
    store.write(audit(), async |tx| tx.put_relief_workers(&roster).await).await.unwrap();
    let pay = |project_id, id: &str, on: &str, amount| ReliefPayment {
        project_id,
        worker_id: id.into(),
        paid_on: on.into(),
        amount,
        account_ref: "****1234".into(),
    };
    let payments = [
        pay(ids[0], "W1", "2024-05-31", 3000.0),
        pay(ids[0], "W1", "2024-06-30", 3100.5),
        pay(ids[1], "W1", "2024-05-31", 10.0),
    ];
    store.write(audit(), async |tx| tx.put_relief_payments(&payments).await).await.unwrap();
    store
        .write(audit(), async |tx| tx.put_relief_payments(&[pay(ids[0], "W1", "2024-06-30", 3200.0)]).await)
        .await
        .unwrap();
    let within = Some(&[code("520102")][..]);
    assert_eq!(store.relief_workers(within).await.unwrap(), roster[..2].to_vec());
    assert_eq!(
        store.relief_payments(within).await.unwrap(),
        vec![payments[0].clone(), pay(ids[0], "W1", "2024-06-30", 3200.0)]
    );
    assert_eq!(store.relief_payments(None).await.unwrap().len(), 3);
    let members = store
        .write(audit(), async |tx| tx.existing_members(&[("H1".into(), 1), ("H1".into(), 2)]).await)
        .await
        .unwrap();
    assert!(members.is_empty(), "no members stored yet");
});
