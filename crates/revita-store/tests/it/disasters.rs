//! Disasters on both back ends: events kept by an office and listed within
//! a jurisdiction, rewritten by version; the counties hit; unit costs in
//! versions; assessment lines replaced by their key.

use revita_store::disasters::{AssessmentLine, DisasterEvent, HitCounty, Rebuild, UnitCost};

use super::*;

fn event(name: &str, region: &str) -> DisasterEvent {
    DisasterEvent {
        id: 0,
        name: name.into(),
        kind: "earthquake".into(),
        occurred_on: "2008-05-12".into(),
        magnitude: Some("Ms 8.0".into()),
        region: code(region),
        plan_id: None,
        uplift: "{}".into(),
        version: 1,
        updated_by: "clerk".into(),
        updated_at: "2026-12-06".into(),
    }
}

fn line(county: &str, destroyed: f64) -> AssessmentLine {
    AssessmentLine {
        county: code(county),
        sector: "housing".into(),
        asset: "brick_house".into(),
        ownership: "private".into(),
        kind: "damage".into(),
        destroyed,
        damaged: 3.0,
        replacement_cost: None,
        repair_cost: None,
        baseline: 0.0,
        actual: 0.0,
        additional_costs: 0.0,
    }
}

both_backends!(events_counties_costs_and_lines, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let national =
        store.write(audit(), async |tx| tx.insert_disaster_event(&event("汶川", "000000")).await).await.unwrap();
    let local =
        store.write(audit(), async |tx| tx.insert_disaster_event(&event("南明洪涝", "520100")).await).await.unwrap();
    let (page, total) = store.disaster_event_page(Some(&[code("520000")]), 0, 10).await.unwrap();
    assert_eq!((page.iter().map(|e| e.id).collect::<Vec<_>>(), total), (vec![local], 1));
    assert_eq!(store.disaster_event_page(None, 0, 1).await.unwrap().1, 2);
    let mut renamed = store.disaster_event(national).await.unwrap().unwrap();
    renamed.plan_id = Some(7);
    assert!(store.write(audit(), async |tx| tx.update_disaster_event(&renamed, 1).await).await.unwrap());
    assert!(!store.write(audit(), async |tx| tx.update_disaster_event(&renamed, 1).await).await.unwrap());
    assert_eq!(store.disaster_event(national).await.unwrap().unwrap().plan_id, Some(7));

    let hit = |county: &str, severity: &str| HitCounty {
        county: code(county),
        severity: severity.into(),
        affected: 1000.0,
        displaced: 100.0,
        shelters: 50.0,
    };
    store
        .write(audit(), async |tx| {
            tx.put_disaster_counties(local, &[hit("520102", "severe"), hit("520103", "light")]).await?;
            tx.put_disaster_counties(local, &[hit("520103", "moderate")]).await
        })
        .await
        .unwrap();
    let counties = store.disaster_counties(local).await.unwrap();
    assert_eq!(counties.iter().map(|c| c.severity.as_str()).collect::<Vec<_>>(), ["severe", "moderate"]);

    let cost = |replacement| UnitCost {
        sector: "housing".into(),
        asset: "brick_house".into(),
        replacement_cost: replacement,
        repair_cost: 20_000.0,
    };
    assert_eq!(store.disaster_unit_costs(local).await.unwrap().0, 0);
    store.write(audit(), async |tx| tx.add_disaster_unit_costs(local, &[cost(100_000.0)]).await).await.unwrap();
    let v2 =
        store.write(audit(), async |tx| tx.add_disaster_unit_costs(local, &[cost(120_000.0)]).await).await.unwrap();
    assert_eq!(v2, 2);
    assert_eq!(store.disaster_unit_costs(local).await.unwrap(), (2, vec![cost(120_000.0)]));

    let lines = [line("520102", 10.0), line("520103", 5.0)];
    assert_eq!(store.write(audit(), async |tx| tx.put_disaster_lines(local, &lines).await).await.unwrap(), 0);
    let again = [line("520102", 12.0)];
    assert_eq!(store.write(audit(), async |tx| tx.put_disaster_lines(local, &again).await).await.unwrap(), 1);
    let stored = store.disaster_lines(local).await.unwrap();
    assert_eq!(stored.iter().map(|l| l.destroyed).collect::<Vec<_>>(), [12.0, 5.0]);
    assert!(store.disaster_lines(national).await.unwrap().is_empty());

    // Rebuilds counted by county and status; a household's second record replaces its first.
    let rebuild = |id: &str, county: &str, status: &str| Rebuild {
        household_id: id.into(),
        county: code(county),
        grant: 20_000.0,
        status: status.into(),
        completed_on: (status == "completed").then(|| "2021-06-30".to_string()),
    };
    store
        .write(audit(), async |tx| {
            tx.put_disaster_rebuilds(
                local,
                &[rebuild("h1", "520102", "planned"), rebuild("h2", "520102", "completed")],
            )
            .await?;
            tx.put_disaster_rebuilds(local, &[rebuild("h1", "520102", "completed")]).await
        })
        .await
        .unwrap();
    let counts = store.disaster_rebuild_counts(local).await.unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!((counts[0].status.as_str(), counts[0].households, counts[0].grants), ("completed", 2, 40_000.0));
});
