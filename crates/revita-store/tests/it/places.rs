//! Places and subsidence areas on both back ends: points found by box
//! within a jurisdiction and paged by kind and id, replaced by key; areas
//! kept by a county and listed within a jurisdiction, rewritten by version,
//! found by code inside a transaction; houses and farmland replaced by key.

use revita_store::places::{House, Parcel, Place, SubsidenceArea};

use super::*;

fn place(kind: &str, id: &str, county: &str, lon: f64, lat: f64) -> Place {
    Place {
        kind: kind.into(),
        id: id.into(),
        name: format!("{kind} {id}"),
        county: code(county),
        lon,
        lat,
        population: 100,
        households: if kind == "household" { 1 } else { 30 },
    }
}

fn area(code_: &str, county: &str) -> SubsidenceArea {
    SubsidenceArea {
        id: 0,
        code: code_.into(),
        name: format!("沉陷区 {code_}"),
        county: code(county),
        geometry: r#"{"type":"Polygon","coordinates":[[[106,26],[107,26],[107,27],[106,26]]]}"#.into(),
        profile: "{}".into(),
        plan_id: None,
        version: 1,
        updated_by: "clerk".into(),
        updated_at: "2026-12-07".into(),
    }
}

both_backends!(places_and_subsidence_areas, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let places = [
        place("village", "520102001001", "520102", 106.7, 26.5),
        place("village", "520103001001", "520103", 106.8, 26.6),
        place("household", "h1", "520102", 106.71, 26.51),
        place("village", "520102001002", "520102", 110.0, 30.0),
    ];
    store.write(audit(), async |tx| tx.put_places(&places).await).await.unwrap();
    let boxed = store.places_in_box(None, (106.0, 26.0, 107.0, 27.0)).await.unwrap();
    assert_eq!(boxed.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["h1", "520102001001", "520103001001"]);
    let within = store.places_in_box(Some(&[code("520102")]), (106.0, 26.0, 107.0, 27.0)).await.unwrap();
    assert_eq!(within.len(), 2);
    // Paged by (kind, id) after a cursor, within a jurisdiction, counted.
    let (page, total) = store.place_page(Some(&[code("520102")]), ("", ""), 2).await.unwrap();
    assert_eq!((page.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), total), (vec!["h1", "520102001001"], 3));
    let (rest, _) = store.place_page(Some(&[code("520102")]), ("village", "520102001001"), 2).await.unwrap();
    assert_eq!(rest.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["520102001002"]);
    // A place stored again is replaced; the stored rows are found inside a transaction.
    let moved = place("village", "520103001001", "520103", 106.9, 26.7);
    let keys = vec![("village".to_string(), "520103001001".to_string()), ("village".to_string(), "nope".to_string())];
    let stored = store
        .write(audit(), async |tx| {
            let stored = tx.stored_places(&keys).await?;
            tx.put_places(std::slice::from_ref(&moved)).await?;
            Ok(stored)
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(store.places_in_box(None, (106.85, 26.65, 107.0, 27.0)).await.unwrap(), vec![moved]);

    let a = store.write(audit(), async |tx| tx.insert_subsidence_area(&area("A1", "520102")).await).await.unwrap();
    let b = store.write(audit(), async |tx| tx.insert_subsidence_area(&area("B1", "520103")).await).await.unwrap();
    let (page, total) = store.subsidence_area_page(Some(&[code("520103")]), 0, 10).await.unwrap();
    assert_eq!((page.iter().map(|x| x.id).collect::<Vec<_>>(), total), (vec![b], 1));
    let (page, total) = store.subsidence_area_page(None, a, 10).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));
    let found = store.write(audit(), async |tx| tx.subsidence_area_coded("A1").await).await.unwrap().unwrap();
    assert_eq!(found.id, a);
    let mut linked = found.clone();
    linked.plan_id = Some(3);
    linked.profile = r#"{"stability":"stable"}"#.into();
    assert!(store.write(audit(), async |tx| tx.update_subsidence_area(&linked, 1).await).await.unwrap());
    assert!(!store.write(audit(), async |tx| tx.update_subsidence_area(&linked, 1).await).await.unwrap());
    let now = store.subsidence_area(a).await.unwrap().unwrap();
    assert_eq!((now.plan_id, now.version, now.profile.as_str()), (Some(3), 2, r#"{"stability":"stable"}"#));

    let house = |id: &str, strain: f64| House {
        house_id: id.into(),
        household_id: Some("h1".into()),
        strain: Some(strain),
        curvature: None,
        tilt: Some(2.0),
    };
    store
        .write(audit(), async |tx| {
            tx.put_subsidence_houses(a, &[house("H1", 1.0), house("H2", 5.0)]).await?;
            tx.put_subsidence_houses(a, &[house("H1", 7.0)]).await
        })
        .await
        .unwrap();
    let houses = store.subsidence_houses(a).await.unwrap();
    assert_eq!(houses.iter().map(|h| h.strain).collect::<Vec<_>>(), [Some(7.0), Some(5.0)]);
    assert!(store.subsidence_houses(b).await.unwrap().is_empty());
    let parcel = Parcel {
        parcel_id: "P1".into(),
        hectares: 12.5,
        deformation: Some(9.0),
        slope: None,
        depth: Some(1.5),
        water_table: None,
        yield_loss: Some(30.0),
    };
    store.write(audit(), async |tx| tx.put_subsidence_farmland(a, std::slice::from_ref(&parcel)).await).await.unwrap();
    assert_eq!(store.subsidence_farmland(a).await.unwrap(), vec![parcel]);
});
