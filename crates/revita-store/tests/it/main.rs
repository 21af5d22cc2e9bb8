//! The store conformance suite: every test runs against SQLite and
//! PostgreSQL through the same `Store` interface (see `revita-testkit`).

use revita_methods::{
    Aggregation, Basis, CodeRecord, CodeStatus, Date, Designation, DesignationCategory, Direction, Indicator,
    IndicatorCode, Observation, ObservationStatus, Period, Region, RegionCode,
};
use revita_store::security::AuditEntry;
use revita_store::{Boundary, DynStore, LoadMode, ObservationKey, ObservationQuery, StoreError};
use revita_testkit::both_backends;

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

fn indicator_code(text: &str) -> IndicatorCode {
    IndicatorCode::parse(text).unwrap()
}

fn region(c: &str, name: &str, level: &str, parent: Option<&str>) -> Region {
    Region {
        code: code(c),
        name_zh: name.into(),
        name_en: None,
        level: level.into(),
        parent: parent.map(code),
        valid_from: None,
        valid_to: None,
    }
}

/// Guizhou, Guiyang and two of its districts, and Zunyi.
fn guizhou() -> Vec<Region> {
    let mut province = region("520000", "贵州省", "province", Some("000000"));
    province.name_en = Some("Guizhou".into());
    let mut yunyan = region("520103", "云岩区", "county", Some("520100"));
    yunyan.valid_from = Some(Date::parse("1985-01-01").unwrap());
    vec![
        region("000000", "全国", "country", None),
        province,
        region("520100", "贵阳市", "prefecture", Some("520000")),
        region("520102", "南明区", "county", Some("520100")),
        yunyan,
        region("520300", "遵义市", "prefecture", Some("520000")),
    ]
}

fn obs(indicator: &str, region: &str, year: i32, value: f64) -> Observation {
    Observation {
        indicator: indicator_code(indicator),
        region: code(region),
        period: Period::Year(year),
        value,
        source: Some("census".into()),
        status: ObservationStatus::Final,
    }
}

async fn load(store: &DynStore, mode: LoadMode, rows: &[Observation]) -> Result<u64, StoreError> {
    let mut load = store.begin_observation_load(mode).await?;
    match load.write(rows.to_vec()).await {
        Ok(()) => load.commit(&[audit()], None).await,
        Err(e) => {
            load.rollback().await?;
            Err(e)
        }
    }
}

/// The audit entry the tests' writes carry.
fn audit() -> AuditEntry {
    AuditEntry {
        at: 1,
        actor: "test".into(),
        action: "test.write".into(),
        object_type: "test".into(),
        ..Default::default()
    }
}

async fn all_observations(store: &DynStore) -> Vec<Observation> {
    store.observations(&ObservationQuery::default(), None, 1_000).await.unwrap()
}

mod designations;
mod disasters;
mod eco;
mod ledger;
mod observations;
mod places;
mod plans;
mod regions;
mod relocation;
mod schema;
mod security;
mod specs;
