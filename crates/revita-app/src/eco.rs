//! Ecological compensation from files (issue 19, first part): a basin
//! agreement (JSON) settled for a year from its jointly sampled
//! water-quality file, and ecosystem-service value from a land-use file —
//! the methods of `revita-methods::eco` with every step kept, so that a
//! settlement statement can show how P came about.

use std::collections::BTreeMap;
use std::path::Path;

use revita_methods::eco::{
    AssessedIndicator, CompensationIndex, Direction, EsvTable, JointSample, compensation_index, joint_sample,
};
use serde::{Deserialize, Serialize};

use crate::import::read_table;
use crate::{AppError, AppResult};

/// A basin agreement's round as a planner writes it (JSON).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasinAgreement {
    /// What it is, e.g. "新安江流域水环境补偿 第一轮".
    pub name: String,
    /// The upstream party (a region code or name).
    pub upstream: String,
    /// The downstream party.
    pub downstream: String,
    /// The assessment section whose samples count (others in the file are
    /// left out), e.g. 街口.
    pub section: String,
    /// The stability coefficient k0.
    pub k0: f64,
    /// What the paying party pays in a year (yuan).
    pub amount: f64,
    /// The most two laboratories' results may differ, as a share of their
    /// mean, for a sample to count without its reserve (default 0.1).
    #[serde(default = "tolerance")]
    pub tolerance: f64,
    /// P at or above this (and not above 1) raises an alert: the standard
    /// is about to be missed (default 0.95).
    #[serde(default = "alert_at")]
    pub alert_at: f64,
    /// The indicators with their weights and basic limits.
    pub indicators: Vec<AgreementIndicator>,
}

fn tolerance() -> f64 {
    0.1
}

fn alert_at() -> f64 {
    0.95
}

/// One indicator of an agreement.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementIndicator {
    /// Its code as the sample file names it.
    pub code: String,
    /// Its weight k_i.
    pub weight: f64,
    /// Its basic limit C_i0 (mg/L).
    pub limit: f64,
}

/// A year settled: the index with its steps, who pays whom how much, and
/// the samples that did not count.
#[derive(Debug, Clone, Serialize)]
pub struct Settlement {
    /// The agreement's name.
    pub agreement: String,
    /// The year.
    pub year: i32,
    /// The indicators, in the agreement's order.
    pub indicators: Vec<String>,
    /// How many samples counted, per indicator.
    pub samples: Vec<usize>,
    /// Each indicator's annual mean C_i (mg/L).
    pub means: Vec<f64>,
    /// C_i / C_i0.
    pub ratios: Vec<f64>,
    /// k_i × C_i / C_i0.
    pub weighted: Vec<f64>,
    /// The stability coefficient.
    pub k0: f64,
    /// The compensation index.
    pub p: f64,
    /// Whether the basic standard was met (P ≤ 1).
    pub met: bool,
    /// Who pays.
    pub payer: String,
    /// Who receives.
    pub payee: String,
    /// How much (yuan).
    pub amount: f64,
    /// P is close to 1 (at or above the agreement's alert level) though met.
    pub alert: bool,
    /// Samples left out: disputed without a reserve (`row: reason`).
    pub disputed: Vec<String>,
}

impl BasinAgreement {
    /// The agreement from its JSON text, checked.
    pub fn from_json(text: &str) -> AppResult<BasinAgreement> {
        let agreement: BasinAgreement =
            serde_json::from_str(text).map_err(|e| AppError::Invalid(format!("basin agreement: {e}")))?;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(agreement.k0) || !positive(agreement.amount) || !(0.0..1.0).contains(&agreement.tolerance) {
            return Err(AppError::Invalid(
                "basin agreement: k0 and amount must be positive and the tolerance a share below 1".into(),
            ));
        }
        if agreement.indicators.is_empty() {
            return Err(AppError::Invalid("basin agreement: name at least one indicator".into()));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = agreement.indicators.iter().find(|i| !seen.insert(i.code.as_str())) {
            return Err(AppError::Invalid(format!("basin agreement: indicator {} is named twice", twice.code)));
        }
        Ok(agreement)
    }
}

/// Settles `agreement` for `year` from the sample file at `samples`: each
/// sample of the section and year counts by the joint-sampling rule (the
/// mean of two results that agree within the tolerance, else the reserve),
/// each indicator's annual mean goes into P, and P decides who pays.
pub async fn settle_files(agreement: &BasinAgreement, samples: &Path, year: i32) -> AppResult<Settlement> {
    let (table, parsed) = read_table(samples, None, revita_ingest::records::read_water_samples).await?;
    let codes: Vec<&str> = agreement.indicators.iter().map(|i| i.code.as_str()).collect();
    let mut values: BTreeMap<&str, Vec<f64>> = codes.iter().map(|c| (*c, Vec::new())).collect();
    let mut disputed = Vec::new();
    for (row, sample) in &parsed.rows {
        if sample.section != agreement.section || sample.date.year() != year {
            continue;
        }
        let Some(list) = values.get_mut(sample.indicator.as_str()) else { continue };
        match joint_sample(sample.upstream, sample.downstream, agreement.tolerance, sample.reserve) {
            JointSample::Agreed(v) | JointSample::Reserve(v) => list.push(v),
            JointSample::Disputed => disputed.push(format!(
                "{}, row {row}: {} and {} differ by more than {}% and no reserve was analysed",
                table.file,
                sample.upstream,
                sample.downstream,
                agreement.tolerance * 100.0
            )),
        }
    }
    let indicators: Vec<AssessedIndicator> = agreement
        .indicators
        .iter()
        .map(|i| AssessedIndicator { code: i.code.clone(), weight: i.weight, limit: i.limit })
        .collect();
    let samples: Vec<Vec<f64>> = codes.iter().map(|c| values[c].clone()).collect();
    let index: CompensationIndex = compensation_index(&indicators, &samples, agreement.k0)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", table.file)))?;
    let met = index.direction == Direction::DownstreamPays;
    let (payer, payee) = match index.direction {
        Direction::DownstreamPays => (&agreement.downstream, &agreement.upstream),
        Direction::UpstreamPays => (&agreement.upstream, &agreement.downstream),
    };
    Ok(Settlement {
        agreement: agreement.name.clone(),
        year,
        indicators: codes.iter().map(|c| c.to_string()).collect(),
        samples: samples.iter().map(Vec::len).collect(),
        alert: met && index.p >= agreement.alert_at,
        means: index.means,
        ratios: index.ratios,
        weighted: index.weighted,
        k0: index.k0,
        p: index.p,
        met,
        payer: payer.clone(),
        payee: payee.clone(),
        amount: agreement.amount,
        disputed,
    })
}

/// Ecosystem-service value per region from a land-use file
/// (`region_code,type,hectares`), one standard equivalent from the grain
/// yield (kg/ha) and price (yuan/kg) of the base year, times a regional
/// `correction`.
pub async fn esv_file(
    areas: &Path,
    grain_yield: f64,
    grain_price: f64,
    correction: f64,
) -> AppResult<(f64, BTreeMap<String, EsvTable>)> {
    let vc = revita_methods::eco::standard_equivalent(grain_yield, grain_price)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    if !(correction.is_finite() && correction >= 0.0) {
        return Err(AppError::Invalid("the correction coefficient must be a number of at least 0".into()));
    }
    let (_, parsed) = read_table(areas, None, revita_ingest::records::read_land_use).await?;
    let mut by_region: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for (_, land) in &parsed.rows {
        by_region.entry(land.region.to_string()).or_default().push((land.kind.clone(), land.hectares));
    }
    let mut tables = BTreeMap::new();
    for (region, areas) in by_region {
        let areas: Vec<(&str, f64)> = areas.iter().map(|(k, a)| (k.as_str(), *a)).collect();
        let table = revita_methods::eco::ecosystem_service_value(&areas, vc, correction)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        tables.insert(region, table);
    }
    Ok((vc, tables))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGREEMENT: &str = r#"{
        "name": "新安江 round 1", "upstream": "安徽", "downstream": "浙江", "section": "街口",
        "k0": 0.85, "amount": 100000000,
        "indicators": [
            {"code": "codmn", "weight": 0.25, "limit": 2.0}, {"code": "nh3n", "weight": 0.25, "limit": 0.1},
            {"code": "tn", "weight": 0.25, "limit": 1.0}, {"code": "tp", "weight": 0.25, "limit": 0.02}
        ]
    }"#;

    #[tokio::test]
    async fn a_year_is_settled_from_its_joint_samples() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samples.csv");
        // codmn: 1.5/1.7 disagree by 12.5% → reserve 1.6; 1.6/1.6 → 1.6.
        // nh3n 0.1; tn 1.2; tp 0.02. Another section and another year are
        // left out; a disputed sample without a reserve is listed.
        std::fs::write(
            &path,
            "section,date,indicator,upstream,downstream,reserve\n\
             街口,2020-01-05,codmn,1.5,1.7,1.6\n街口,2020-02-05,codmn,1.6,1.6,\n\
             街口,2020-01-05,nh3n,0.1,0.1,\n街口,2020-01-05,tn,1.2,1.2,\n街口,2020-01-05,tp,0.02,0.02,\n\
             街口,2020-03-05,tp,0.01,0.05,\n鸠坑口,2020-01-05,tp,0.9,0.9,\n街口,2019-01-05,tp,0.9,0.9,\n",
        )
        .unwrap();
        let agreement = BasinAgreement::from_json(AGREEMENT).unwrap();
        let s = settle_files(&agreement, &path, 2020).await.unwrap();
        assert_eq!(s.samples, [2, 1, 1, 1]);
        assert!((s.p - 0.85).abs() < 1e-9, "ratios 0.8, 1, 1.2, 1 average 1; × 0.85: {}", s.p);
        assert!(s.met && !s.alert);
        assert_eq!((s.payer.as_str(), s.payee.as_str(), s.amount), ("浙江", "安徽", 1e8));
        assert_eq!(s.disputed.len(), 1);
        assert!(s.disputed[0].contains("row 7"), "{:?}", s.disputed);
    }

    #[test]
    fn an_agreement_that_cannot_settle_is_refused() {
        assert!(BasinAgreement::from_json(&AGREEMENT.replace("0.85", "0")).is_err());
        assert!(BasinAgreement::from_json(&AGREEMENT.replace("\"k0\"", "\"kk\"")).is_err());
        // Twice the same indicator would count its samples once and its weight twice.
        assert!(BasinAgreement::from_json(&AGREEMENT.replace("\"nh3n\"", "\"codmn\"")).is_err());
    }
}
