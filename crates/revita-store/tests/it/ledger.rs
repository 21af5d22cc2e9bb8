//! The pairing ledger on both back ends: pairings and flows within a
//! jurisdiction (either side), a flow stored once per pairing, year, kind
//! and project, donor rules replaced by programme and donor.

use revita_methods::Pairing;
use revita_methods::pairing::FlowKind;
use revita_store::ledger::{PairingFlow, PairingRule};

use super::*;

fn pairing(donor: &str, recipient: &str) -> Pairing {
    Pairing {
        program: "东西部协作".into(),
        donor: code(donor),
        recipient: code(recipient),
        start_year: Some(2016),
        end_year: None,
        notes: None,
    }
}

fn flow(recipient: &str, project: &str, amount: f64) -> PairingFlow {
    PairingFlow {
        id: 0,
        program: "东西部协作".into(),
        donor: code("520300"),
        recipient: code(recipient),
        year: 2021,
        kind: FlowKind::Funds,
        project: project.into(),
        amount,
        sector: Some("education".into()),
        county_level: true,
        livelihood: true,
        recorded_by: "clerk".into(),
        recorded_at: "2026-12-06".into(),
    }
}

both_backends!(pairings_flows_and_rules_within_a_jurisdiction, |store: DynStore| async move {
    store.write(audit(), async |tx| tx.upsert_regions(&guizhou()).await).await.unwrap();
    let pairs = [pairing("520300", "520102"), pairing("520300", "520103")];
    store.write(audit(), async |tx| tx.upsert_pairings(&pairs).await).await.unwrap();
    // Either side within the roots: 云岩区's user sees its pairing only;
    // 遵义市's (the donor) sees both.
    let within = |root: &str| {
        let store = store.clone();
        let root = code(root);
        async move { store.pairings_within(Some(std::slice::from_ref(&root)), None).await.unwrap().len() }
    };
    assert_eq!((within("520103").await, within("520300").await), (1, 2));
    assert!(store.pairings_within(None, Some("对口援疆")).await.unwrap().is_empty());

    let flows = [flow("520102", "school", 100.0), flow("520103", "clinic", 50.0)];
    assert_eq!(store.write(audit(), async |tx| tx.put_pairing_flows(&flows).await).await.unwrap(), 0);
    // The same project again replaces its flow.
    let again = [flow("520102", "school", 120.0)];
    assert_eq!(store.write(audit(), async |tx| tx.put_pairing_flows(&again).await).await.unwrap(), 1);
    let nanming = [code("520102")];
    let stored = store.pairing_flows(Some(&nanming), 2021, 2021).await.unwrap();
    assert_eq!((stored.len(), stored[0].amount, stored[0].kind), (1, 120.0, FlowKind::Funds));
    assert!(store.pairing_flows(None, 2022, 2030).await.unwrap().is_empty());
    let (page, total) = store.pairing_flow_page(None, 0, 1).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));
    let (rest, _) = store.pairing_flow_page(None, page[0].id, 10).await.unwrap();
    assert_eq!(rest.len(), 1);

    let mut rule = PairingRule {
        program: "东西部协作".into(),
        donor: code("520300"),
        kind: "revenue_share".into(),
        share: Some(0.01),
        lag: Some(1),
        base: None,
        growth: None,
        start_year: 2016,
        revenue_indicator: "fiscal_revenue".into(),
        note: None,
    };
    store.write(audit(), async |tx| tx.put_pairing_rule(&rule).await).await.unwrap();
    rule.share = Some(0.02);
    store.write(audit(), async |tx| tx.put_pairing_rule(&rule).await).await.unwrap();
    assert_eq!(store.pairing_rules().await.unwrap(), vec![rule]);
});
