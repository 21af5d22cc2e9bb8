//! Ecological compensation on both back ends: agreements kept by an office
//! and listed within a jurisdiction, samples replaced by their key, a year
//! settled with its payments, payments moved by version, land use and GEP
//! items within a jurisdiction.

use revita_store::eco::{GepItem, LandUseArea, StoredSample, StoredSettlement};

use super::*;

fn sample(section: &str, on: &str, indicator: &str, value: f64) -> StoredSample {
    StoredSample {
        section: section.into(),
        sampled_on: on.into(),
        indicator: indicator.into(),
        upstream: value,
        downstream: value,
        reserve: None,
        lab: Some("黄山站".into()),
        valid: true,
    }
}

both_backends!(agreements_samples_settlements_and_payments, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let add = async |name: &str, region: &str| {
        store
            .write(audit(), async |tx| tx.insert_eco_agreement(name, &code(region), "{}", "clerk", "2026-12-06").await)
            .await
            .unwrap()
    };
    let national = add("新安江", "000000").await;
    let local = add("南明河", "520100").await;
    // A jurisdiction sees the agreements its offices keep, paged with a total.
    let (page, total) = store.eco_agreement_page(Some(&[code("520000")]), 0, 10).await.unwrap();
    assert_eq!((page.iter().map(|a| a.id).collect::<Vec<_>>(), total), (vec![local], 1));
    let (page, total) = store.eco_agreement_page(None, national, 10).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));
    // Rewritten by version only.
    let renamed = ("新安江流域", &code("000000"), "{\"x\":1}");
    assert!(
        store.write(audit(), async |tx| tx.update_eco_agreement(national, 1, renamed, "c", "t").await).await.unwrap()
    );
    assert!(
        !store.write(audit(), async |tx| tx.update_eco_agreement(national, 1, renamed, "c", "t").await).await.unwrap()
    );
    let stored = store.eco_agreement(national).await.unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.version, stored.spec.as_str()), ("新安江流域", 2, "{\"x\":1}"));

    // Samples: a second load of the same key replaces it.
    let first = vec![sample("街口", "2020-01-05", "tp", 0.02), sample("街口", "2021-01-05", "tp", 0.03)];
    assert_eq!(store.write(audit(), async |tx| tx.put_eco_samples(national, &first).await).await.unwrap(), 0);
    let mut again = sample("街口", "2020-01-05", "tp", 0.04);
    again.reserve = Some(0.05);
    again.valid = false;
    assert_eq!(store.write(audit(), async |tx| tx.put_eco_samples(national, &[again.clone()]).await).await.unwrap(), 1);
    assert_eq!(store.eco_samples(national, Some(2020)).await.unwrap(), vec![again]);
    assert_eq!(store.eco_samples(national, None).await.unwrap().len(), 2);
    assert_eq!(store.eco_sample_years(national).await.unwrap(), vec![(2021, 1), (2020, 1)]);

    // A settlement with its payments; settled again, the payments are replaced.
    let settled = StoredSettlement {
        agreement_id: national,
        year: 2020,
        result: "{\"p\":0.85}".into(),
        settled_by: "clerk".into(),
        settled_at: "2026-12-06".into(),
    };
    let due = vec![("浙江".to_string(), "安徽".to_string(), 1e8, "P = 0.85".to_string())];
    store.write(audit(), async |tx| tx.put_eco_settlement(&settled, &due).await).await.unwrap();
    store.write(audit(), async |tx| tx.put_eco_settlement(&settled, &due).await).await.unwrap();
    assert_eq!(store.eco_settlements(national).await.unwrap(), vec![settled]);
    let (payments, total) = store.eco_payment_page(None, Some(national), 0, 10).await.unwrap();
    assert_eq!((payments.len(), total), (1, 1));
    let paid = &payments[0];
    assert_eq!((paid.payer.as_str(), paid.amount, paid.status.as_str(), paid.version), ("浙江", 1e8, "due", 1));
    // Outside the jurisdiction, the ledger is empty.
    assert_eq!(store.eco_payment_page(Some(&[code("520000")]), None, 0, 10).await.unwrap().1, 0);
    let mark = async |version| {
        store
            .write(audit(), async |tx| {
                tx.update_eco_payment(paid.id, version, "paid", Some("2021-03-01"), Some("V-1")).await
            })
            .await
            .unwrap()
    };
    assert!(mark(1).await);
    assert!(!mark(1).await, "a stale version changes nothing");
    let stored = store.eco_payment(paid.id).await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.paid_on.as_deref(), stored.version), ("paid", Some("2021-03-01"), 2));
});

both_backends!(land_use_and_gep_items_within_a_jurisdiction, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let area = |region: &str, kind: &str, hectares: f64| LandUseArea {
        region: code(region),
        year: 2020,
        kind: kind.into(),
        hectares,
    };
    store
        .write(audit(), async |tx| {
            tx.put_land_use(&[area("520102", "水田", 10.0), area("520300", "水系", 5.0)]).await?;
            tx.put_land_use(&[area("520102", "水田", 12.0)]).await
        })
        .await
        .unwrap();
    assert_eq!(store.eco_land_use(Some(&[code("520100")])).await.unwrap(), vec![area("520102", "水田", 12.0)]);
    assert_eq!(store.eco_land_use(None).await.unwrap().len(), 2);
    let item = GepItem {
        region: code("520102"),
        year: 2020,
        service: "water_conservation".into(),
        quantity: 1.5e6,
        unit: "m³".into(),
        price: 6.1,
        price_method: "replacement_cost".into(),
    };
    store.write(audit(), async |tx| tx.put_gep_items(std::slice::from_ref(&item)).await).await.unwrap();
    assert_eq!(store.eco_gep_items(Some(&[code("520100")])).await.unwrap(), vec![item]);
    assert!(store.eco_gep_items(Some(&[code("520300")])).await.unwrap().is_empty());
});
