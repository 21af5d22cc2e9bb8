//! Ecological compensation (methods.md §5): the basin compensation index
//! of the Xin'an River agreement and who pays whom, the joint-sampling rule
//! its monitoring follows, Chishui-style settlement section by section, and
//! ecosystem-service value by Xie et al.'s (2015) equivalent factors.
//!
//! Every function takes the agreement's parameters as values: rounds of an
//! agreement differ in weights, limits, the stability coefficient and the
//! money, and a settlement must be repeatable with the round's own.

use crate::float::clearly_greater;

pub mod transfer;

/// One indicator of a basin agreement's assessment (methods.md §5.1).
#[derive(Debug, Clone, PartialEq)]
pub struct AssessedIndicator {
    /// Its code, e.g. `codmn`, `nh3n`, `tn`, `tp`.
    pub code: String,
    /// Its weight k_i in the index.
    pub weight: f64,
    /// Its basic limit C_i0 (the baseline mean concentration, mg/L).
    pub limit: f64,
}

/// Why an index cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EcoError {
    /// An indicator has no valid sample in the year.
    #[error("indicator {0} has no valid sample in the assessment year")]
    NoSamples(String),
    /// A limit, weight or coefficient that is not a positive number.
    #[error("{0} must be a positive number")]
    NotPositive(String),
    /// The weights do not sum to one.
    #[error("the indicator weights sum to {0}, not 1")]
    Weights(f64),
    /// An area, yield or price that is negative or not a number.
    #[error("{0} must be a number of at least 0")]
    Negative(String),
    /// A land-use type the equivalent-factor table does not name.
    #[error("'{0}' is not an ecosystem type of Xie et al. (2015)")]
    UnknownType(String),
    /// A GEP service the accounting standard does not name.
    #[error("'{0}' is not a GEP service of the 2022 accounting standard")]
    UnknownService(String),
}

/// Which way the money goes under an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The basic standard is met (P ≤ 1): downstream pays upstream.
    DownstreamPays,
    /// It is not (P > 1): upstream pays downstream.
    UpstreamPays,
}

/// The compensation index with every step.
#[derive(Debug, Clone, PartialEq)]
pub struct CompensationIndex {
    /// Each indicator's annual mean concentration C_i.
    pub means: Vec<f64>,
    /// Each indicator's ratio C_i / C_i0.
    pub ratios: Vec<f64>,
    /// Each indicator's weighted ratio k_i × C_i / C_i0.
    pub weighted: Vec<f64>,
    /// The stability coefficient k0.
    pub k0: f64,
    /// P = k0 × Σ k_i × C_i / C_i0.
    pub p: f64,
    /// Who pays whom.
    pub direction: Direction,
}

/// The Xin'an River compensation index (methods.md §5.1):
/// P = k0 × Σ_i k_i × (C_i / C_i0), C_i the mean of the year's valid
/// samples of indicator i, C_i0 its basic limit, k_i its weight; P ≤ 1
/// means the basic standard is met and downstream pays upstream, P > 1 that
/// upstream pays downstream. P equal to 1 up to rounding is met.
/// `samples[i]` are indicator i's valid sample values of the year.
pub fn compensation_index(
    indicators: &[AssessedIndicator],
    samples: &[Vec<f64>],
    k0: f64,
) -> Result<CompensationIndex, EcoError> {
    if !(k0.is_finite() && k0 > 0.0) {
        return Err(EcoError::NotPositive("the stability coefficient k0".into()));
    }
    let total: f64 = indicators.iter().map(|i| i.weight).sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(EcoError::Weights(total));
    }
    let mut means = Vec::with_capacity(indicators.len());
    for (indicator, values) in indicators.iter().zip(samples.iter().chain(std::iter::repeat(&Vec::new()))) {
        if !(indicator.limit.is_finite() && indicator.limit > 0.0) {
            return Err(EcoError::NotPositive(format!("the limit of {}", indicator.code)));
        }
        if !(indicator.weight.is_finite() && indicator.weight >= 0.0) {
            return Err(EcoError::NotPositive(format!("the weight of {}", indicator.code)));
        }
        if values.is_empty() {
            return Err(EcoError::NoSamples(indicator.code.clone()));
        }
        means.push(values.iter().sum::<f64>() / values.len() as f64);
    }
    let ratios: Vec<f64> = means.iter().zip(indicators).map(|(c, i)| c / i.limit).collect();
    let weighted: Vec<f64> = ratios.iter().zip(indicators).map(|(r, i)| r * i.weight).collect();
    let p = k0 * weighted.iter().sum::<f64>();
    let direction = if clearly_greater(p, 1.0) { Direction::UpstreamPays } else { Direction::DownstreamPays };
    Ok(CompensationIndex { means, ratios, weighted, k0, p, direction })
}

/// What a jointly taken sample comes to: the two laboratories' results
/// agree within the tolerance (their mean is the value), or the reserve
/// sample, analysed jointly, decides (methods.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JointSample {
    /// Within tolerance: the mean of the two results.
    Agreed(f64),
    /// Outside it, settled by the reserve sample's value.
    Reserve(f64),
    /// Outside it and no reserve analysed yet: not usable.
    Disputed,
}

/// The joint-sampling rule: two provinces split each sample and analyse
/// their halves; results whose difference is at most `tolerance` (a share
/// of their mean, e.g. 0.1 for 10%) are valid and their mean is taken,
/// otherwise the jointly opened reserve sample decides.
pub fn joint_sample(upstream: f64, downstream: f64, tolerance: f64, reserve: Option<f64>) -> JointSample {
    let mean = (upstream + downstream) / 2.0;
    if !clearly_greater((upstream - downstream).abs(), tolerance * mean.abs()) {
        return JointSample::Agreed(mean);
    }
    match reserve {
        Some(value) => JointSample::Reserve(value),
        None => JointSample::Disputed,
    }
}

/// A section of a segment-by-segment settlement (Chishui, methods.md
/// §5.2): if its assessment fails, `amount` is paid by `payers` (region,
/// share) to `payees` (region, share).
#[derive(Debug, Clone, PartialEq)]
pub struct SectionRule {
    /// The section's name, e.g. 清水铺.
    pub section: String,
    /// What a failure there costs.
    pub amount: f64,
    /// Who bears it, with their shares (summing to 1).
    pub payers: Vec<(String, f64)>,
    /// Who receives it, with their shares (summing to 1).
    pub payees: Vec<(String, f64)>,
}

/// One payment of a settlement.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    /// The section whose failure it settles.
    pub section: String,
    /// Who pays.
    pub from: String,
    /// Who receives.
    pub to: String,
    /// How much.
    pub amount: f64,
}

/// The payments a year's failed sections call for: for each failed
/// section, every payer pays every payee amount × payer's share × payee's
/// share. Sections that passed cost nothing.
pub fn segment_settlement(rules: &[SectionRule], failed: &[&str]) -> Vec<Transfer> {
    let mut transfers = Vec::new();
    for rule in rules.iter().filter(|r| failed.contains(&r.section.as_str())) {
        for (payer, paid) in &rule.payers {
            for (payee, received) in &rule.payees {
                transfers.push(Transfer {
                    section: rule.section.clone(),
                    from: payer.clone(),
                    to: payee.clone(),
                    amount: rule.amount * paid * received,
                });
            }
        }
    }
    transfers
}

/// A water-quality sample taken jointly at an assessment section: split,
/// each party's laboratory analysing its half; a reserve half is opened
/// jointly when the two disagree (methods.md §5.1).
#[derive(Debug, Clone, PartialEq)]
pub struct WaterSample {
    /// The assessment section, e.g. 街口.
    pub section: String,
    /// The day it was taken.
    pub date: crate::Date,
    /// The indicator analysed.
    pub indicator: String,
    /// The upstream party's result (mg/L).
    pub upstream: f64,
    /// The downstream party's result (mg/L).
    pub downstream: f64,
    /// The reserve sample's result, when it was analysed.
    pub reserve: Option<f64>,
    /// The laboratory (or laboratories) that analysed it.
    pub lab: Option<String>,
    /// Whether it counts: a sample declared void (a broken chain of
    /// custody, a failed quality check) is kept but not counted.
    pub valid: bool,
}

/// The area of one land-use type in a region.
#[derive(Debug, Clone, PartialEq)]
pub struct LandUse {
    /// The region.
    pub region: crate::RegionCode,
    /// The year the area was surveyed, when the file says.
    pub year: Option<i32>,
    /// The ecosystem type, named as in [`XIE_2015`].
    pub kind: String,
    /// Its area (hectares).
    pub hectares: f64,
}

/// The eleven ecosystem services of Xie et al. (2015), in the table's order.
pub const SERVICES: [&str; 11] = [
    "food",
    "raw_materials",
    "water_supply",
    "gas_regulation",
    "climate_regulation",
    "environmental_purification",
    "hydrological_regulation",
    "soil_conservation",
    "nutrient_cycling",
    "biodiversity",
    "aesthetic_landscape",
];

/// Xie et al. (2015): equivalent factors per hectare of fourteen ecosystem
/// types for the eleven [`SERVICES`] (methods.md §5.4, transcribed there
/// from the commonly reproduced table).
pub const XIE_2015: [(&str, [f64; 11]); 14] = [
    ("dry_land", [0.85, 0.40, 0.02, 0.67, 0.36, 0.10, 0.27, 1.03, 0.12, 0.13, 0.06]),
    ("paddy", [1.36, 0.09, -2.63, 1.11, 0.57, 0.17, 2.72, 0.01, 0.19, 0.21, 0.09]),
    ("coniferous_forest", [0.22, 0.52, 0.27, 1.70, 5.07, 1.49, 3.34, 2.06, 0.16, 1.88, 0.82]),
    ("mixed_forest", [0.31, 0.71, 0.37, 2.35, 7.03, 1.99, 3.51, 2.86, 0.22, 2.60, 1.14]),
    ("broadleaf_forest", [0.29, 0.66, 0.34, 2.17, 6.50, 1.93, 4.74, 2.65, 0.20, 2.41, 1.06]),
    ("shrub_forest", [0.19, 0.43, 0.22, 1.41, 4.23, 1.28, 3.35, 1.72, 0.13, 1.57, 0.69]),
    ("steppe", [0.10, 0.14, 0.08, 0.51, 1.34, 0.44, 0.98, 0.62, 0.05, 0.56, 0.25]),
    ("shrub_grassland", [0.38, 0.56, 0.31, 1.97, 5.21, 1.72, 3.82, 2.40, 0.18, 2.18, 0.96]),
    ("meadow", [0.22, 0.33, 0.18, 1.14, 3.02, 1.00, 2.21, 1.39, 0.11, 1.27, 0.56]),
    ("wetland", [0.51, 0.50, 2.59, 1.90, 3.60, 3.60, 24.23, 2.31, 0.18, 7.87, 4.73]),
    ("desert", [0.01, 0.03, 0.02, 0.11, 0.10, 0.31, 0.21, 0.13, 0.01, 0.12, 0.05]),
    ("bare_land", [0.00, 0.00, 0.00, 0.02, 0.00, 0.10, 0.03, 0.02, 0.00, 0.02, 0.01]),
    ("water", [0.80, 0.23, 8.29, 0.77, 2.29, 5.55, 102.24, 0.93, 0.07, 2.55, 1.89]),
    ("glacier_snow", [0.00, 0.00, 2.16, 0.18, 0.54, 0.16, 7.13, 0.00, 0.00, 0.01, 0.09]),
];

/// The value of one standard equivalent (yuan per hectare per year): the
/// natural grain output of a hectare of average farmland, 1/7 of the market
/// value of the average grain yield per hectare (Xie et al. 2015;
/// methods.md §5.4). The inputs are kept with every result, as the value
/// depends on the base years chosen.
pub fn standard_equivalent(yield_kg_per_ha: f64, price_yuan_per_kg: f64) -> Result<f64, EcoError> {
    for (name, v) in [("the grain yield", yield_kg_per_ha), ("the grain price", price_yuan_per_kg)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(EcoError::Negative(name.into()));
        }
    }
    Ok(yield_kg_per_ha * price_yuan_per_kg / 7.0)
}

/// Ecosystem-service value by type and service.
#[derive(Debug, Clone, PartialEq)]
pub struct EsvTable {
    /// The types valued, in the order given.
    pub types: Vec<String>,
    /// `values[t][s]`: the value of service s of type t (yuan per year).
    pub values: Vec<[f64; 11]>,
}

impl EsvTable {
    /// The total value of a type.
    pub fn by_type(&self, t: usize) -> f64 {
        self.values[t].iter().sum()
    }

    /// The total value of a service over every type.
    pub fn by_service(&self, s: usize) -> f64 {
        self.values.iter().map(|v| v[s]).sum()
    }

    /// The total value.
    pub fn total(&self) -> f64 {
        self.values.iter().flatten().sum()
    }
}

/// ESV = Σ_k Σ_f A_k × E_kf × VC × c (methods.md §5.4): `areas` are
/// (type, hectares), the types named as in [`XIE_2015`]; `vc` the value of
/// one standard equivalent; `correction` a regional coefficient (1 for
/// none). A type the table does not name is an error, not a zero.
pub fn ecosystem_service_value(areas: &[(&str, f64)], vc: f64, correction: f64) -> Result<EsvTable, EcoError> {
    let mut table = EsvTable { types: Vec::new(), values: Vec::new() };
    for (kind, hectares) in areas {
        let Some((_, factors)) = XIE_2015.iter().find(|(k, _)| k == kind) else {
            return Err(EcoError::UnknownType(kind.to_string()));
        };
        if !(hectares.is_finite() && *hectares >= 0.0) {
            return Err(EcoError::Negative(format!("the area of {kind}")));
        }
        table.types.push(kind.to_string());
        table.values.push(factors.map(|e| hectares * e * vc * correction));
    }
    Ok(table)
}

/// The three parts of gross ecosystem product (GEP; Ouyang et al. 2013, the
/// NDRC–NBS 《生态产品总值核算规范（试行）》 2022, methods.md §5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GepGroup {
    /// Material products: food, medicinal and raw materials, fresh water,
    /// ecological energy.
    Material,
    /// Regulating services: water and soil conservation, sand fixation,
    /// flood regulation, carbon sequestration, air and water purification,
    /// climate regulation, pest control.
    Regulating,
    /// Cultural services: recreation in natural landscapes.
    Cultural,
}

/// The final products and services GEP accounts for, by group (the
/// standard's line items, in its order).
pub const GEP_SERVICES: [(&str, GepGroup); 15] = [
    ("food", GepGroup::Material),
    ("medicinal_materials", GepGroup::Material),
    ("raw_materials", GepGroup::Material),
    ("fresh_water", GepGroup::Material),
    ("ecological_energy", GepGroup::Material),
    ("water_conservation", GepGroup::Regulating),
    ("soil_conservation", GepGroup::Regulating),
    ("sand_fixation", GepGroup::Regulating),
    ("flood_regulation", GepGroup::Regulating),
    ("carbon_sequestration", GepGroup::Regulating),
    ("air_purification", GepGroup::Regulating),
    ("water_purification", GepGroup::Regulating),
    ("climate_regulation", GepGroup::Regulating),
    ("pest_control", GepGroup::Regulating),
    ("recreation", GepGroup::Cultural),
];

/// The group of a GEP line item's service, if it is one the standard names.
pub fn gep_group(service: &str) -> Option<GepGroup> {
    GEP_SERVICES.iter().find(|(s, _)| *s == service).map(|(_, g)| *g)
}

/// GEP from line items (service, physical quantity, price per unit):
/// Σ quantity × price, by group (material, regulating, cultural) and in
/// all. An item whose service the standard does not name is an error.
pub fn gep(items: &[(&str, f64, f64)]) -> Result<([f64; 3], f64), EcoError> {
    let mut groups = [0.0; 3];
    for (service, quantity, price) in items {
        let group = gep_group(service).ok_or_else(|| EcoError::UnknownService(service.to_string()))?;
        for (value, what) in [(quantity, "quantity"), (price, "price")] {
            if !(value.is_finite() && *value >= 0.0) {
                return Err(EcoError::Negative(format!("the {what} of {service}")));
            }
        }
        groups[group as usize] += quantity * price;
    }
    Ok((groups, groups.iter().sum()))
}

#[cfg(test)]
mod tests;
