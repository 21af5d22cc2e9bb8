//! Resource-based cities (methods.md §6): the four types of the national
//! plan (国发〔2013〕45号) from its two dimensions, movement between types
//! over time, and the transformation themes.
//!
//! The plan classes its 262 cities by *resource-security capacity* (资源保障
//! 能力) and *sustainable-development capacity* (可持续发展能力). Yu, Li and
//! Zhang (地理学报 73(4), 2018) read the four types as the quadrants of
//! those two dimensions:
//!
//! | security | sustainability | type |
//! |---|---|---|
//! | high | low | growing 成长型 (reserves ahead, development still building) |
//! | high | high | mature 成熟型 |
//! | low | low | declining 衰退型 (near exhaustion, lagging) |
//! | low | high | regenerating 再生型 (free of resource dependence) |
//!
//! Each dimension here is a weighted mean of indicators scaled to [0, 1]
//! across the cities classified (min–max, 1 the better end by the
//! indicator's direction); "high" means at or above the dimension's cut, the
//! median of the scores unless the spec fixes one. Every city's type comes
//! with its two scores, the parts that made them and its margin to the
//! nearest cut, so a reader sees how close it came to another type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The four types of resource-based city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CityType {
    /// 成长型: high security, low sustainability.
    Growing,
    /// 成熟型: high on both.
    Mature,
    /// 衰退型: low on both.
    Declining,
    /// 再生型: low security, high sustainability.
    Regenerating,
}

impl CityType {
    /// Every type, in the plan's order.
    pub const ALL: [CityType; 4] = [CityType::Growing, CityType::Mature, CityType::Declining, CityType::Regenerating];

    /// Its keyword, as designation classes store it.
    pub fn as_str(self) -> &'static str {
        match self {
            CityType::Growing => "growing",
            CityType::Mature => "mature",
            CityType::Declining => "declining",
            CityType::Regenerating => "regenerating",
        }
    }

    /// The type a keyword names.
    pub fn parse(s: &str) -> Option<CityType> {
        CityType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Its Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            CityType::Growing => "成长型",
            CityType::Mature => "成熟型",
            CityType::Declining => "衰退型",
            CityType::Regenerating => "再生型",
        }
    }

    /// The quadrant of (security high?, sustainability high?).
    pub fn of_quadrant(security_high: bool, sustainability_high: bool) -> CityType {
        match (security_high, sustainability_high) {
            (true, false) => CityType::Growing,
            (true, true) => CityType::Mature,
            (false, false) => CityType::Declining,
            (false, true) => CityType::Regenerating,
        }
    }
}

/// An indicator in a dimension, with its weight and direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionIndicator {
    /// The indicator's code.
    pub indicator: String,
    /// Its weight (the dimension's weights are normalised to sum to 1).
    pub weight: f64,
    /// Which end is better for the dimension: for security, more reserves
    /// are better; for sustainability, less resource dependence is.
    pub better: Better,
}

/// Which end of an indicator is better for a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// More is better.
    Higher,
    /// Less is better.
    Lower,
}

/// Where a dimension is cut into high and low.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Cut {
    /// The median of the cities' scores.
    #[default]
    Median,
    /// A fixed score in [0, 1].
    Fixed(f64),
}

/// The classification spec: the indicators of each dimension and the cuts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationSpec {
    /// Resource-security capacity.
    pub security: Vec<DimensionIndicator>,
    /// Sustainable-development capacity.
    pub sustainability: Vec<DimensionIndicator>,
    /// The security cut.
    #[serde(default)]
    pub security_cut: Cut,
    /// The sustainability cut.
    #[serde(default)]
    pub sustainability_cut: Cut,
}

/// Why a classification cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassificationError {
    /// A dimension has no indicator, or a weight is not a positive number.
    #[error("classification spec: {0}")]
    Spec(String),
    /// Fewer than two cities have every value.
    #[error("a classification needs at least two cities with every value")]
    TooFewCities,
}

/// A city's values, by indicator code.
#[derive(Debug, Clone, PartialEq)]
pub struct CityValues {
    /// The city's region code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its values.
    pub values: BTreeMap<String, f64>,
}

/// One indicator's part in a city's dimension score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The indicator.
    pub indicator: String,
    /// The city's value.
    pub value: f64,
    /// Scaled to [0, 1], 1 the better end.
    pub scaled: f64,
    /// The normalised weight.
    pub weight: f64,
}

/// A classified city.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassifiedCity {
    /// Region code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Resource-security score in [0, 1].
    pub security: f64,
    /// Sustainable-development score in [0, 1].
    pub sustainability: f64,
    /// Its type.
    pub city_type: CityType,
    /// The parts of the security score.
    pub security_parts: Vec<Part>,
    /// The parts of the sustainability score.
    pub sustainability_parts: Vec<Part>,
    /// The distance of the nearer score to its cut: how far the city is
    /// from another type.
    pub margin: f64,
}

/// A classification run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The security cut used.
    pub security_cut: f64,
    /// The sustainability cut used.
    pub sustainability_cut: f64,
    /// The cities, by code.
    pub cities: Vec<ClassifiedCity>,
    /// Cities left out, with the indicators they lack.
    pub excluded: Vec<(String, Vec<String>)>,
}

impl Classification {
    /// How many cities of each type.
    pub fn counts(&self) -> BTreeMap<CityType, usize> {
        let mut counts: BTreeMap<CityType, usize> = CityType::ALL.into_iter().map(|t| (t, 0)).collect();
        for c in &self.cities {
            *counts.entry(c.city_type).or_default() += 1;
        }
        counts
    }
}

/// Classifies the cities by the spec (module docs).
pub fn classify(spec: &ClassificationSpec, cities: &[CityValues]) -> Result<Classification, ClassificationError> {
    check_dimension("security", &spec.security)?;
    check_dimension("sustainability", &spec.sustainability)?;
    let needed: Vec<&str> = spec.security.iter().chain(&spec.sustainability).map(|d| d.indicator.as_str()).collect();
    let (complete, excluded): (Vec<&CityValues>, Vec<&CityValues>) =
        cities.iter().partition(|c| needed.iter().all(|i| c.values.get(*i).is_some_and(|v| v.is_finite())));
    if complete.len() < 2 {
        return Err(ClassificationError::TooFewCities);
    }
    let security = dimension_scores(&spec.security, &complete);
    let sustainability = dimension_scores(&spec.sustainability, &complete);
    let security_cut = cut_value(spec.security_cut, &security);
    let sustainability_cut = cut_value(spec.sustainability_cut, &sustainability);
    let mut classified: Vec<ClassifiedCity> = complete
        .iter()
        .zip(security.into_iter().zip(sustainability))
        .map(|(city, ((sec, sec_parts), (sus, sus_parts)))| ClassifiedCity {
            code: city.code.clone(),
            name: city.name.clone(),
            security: sec,
            sustainability: sus,
            city_type: CityType::of_quadrant(sec >= security_cut, sus >= sustainability_cut),
            security_parts: sec_parts,
            sustainability_parts: sus_parts,
            margin: (sec - security_cut).abs().min((sus - sustainability_cut).abs()),
        })
        .collect();
    classified.sort_by(|a, b| a.code.cmp(&b.code));
    let excluded = excluded
        .into_iter()
        .map(|c| {
            let missing = needed
                .iter()
                .filter(|i| !c.values.get(**i).is_some_and(|v| v.is_finite()))
                .map(|i| i.to_string())
                .collect();
            (c.code.clone(), missing)
        })
        .collect();
    Ok(Classification { security_cut, sustainability_cut, cities: classified, excluded })
}

fn check_dimension(name: &str, indicators: &[DimensionIndicator]) -> Result<(), ClassificationError> {
    if indicators.is_empty() {
        return Err(ClassificationError::Spec(format!("the {name} dimension has no indicator")));
    }
    if let Some(bad) = indicators.iter().find(|d| !(d.weight.is_finite() && d.weight > 0.0)) {
        return Err(ClassificationError::Spec(format!(
            "{name}: the weight of {} must be a positive number",
            bad.indicator
        )));
    }
    Ok(())
}

/// Each city's score on a dimension with its parts, in the cities' order.
fn dimension_scores(indicators: &[DimensionIndicator], cities: &[&CityValues]) -> Vec<(f64, Vec<Part>)> {
    let total_weight: f64 = indicators.iter().map(|d| d.weight).sum();
    let ranges: Vec<(f64, f64)> = indicators
        .iter()
        .map(|d| {
            let values = cities.iter().map(|c| c.values[&d.indicator]);
            values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
        })
        .collect();
    cities
        .iter()
        .map(|city| {
            let parts: Vec<Part> = indicators
                .iter()
                .zip(&ranges)
                .map(|(d, &(lo, hi))| {
                    let value = city.values[&d.indicator];
                    Part {
                        indicator: d.indicator.clone(),
                        value,
                        scaled: scaled(value, lo, hi, d.better),
                        weight: d.weight / total_weight,
                    }
                })
                .collect();
            (parts.iter().map(|p| p.scaled * p.weight).sum(), parts)
        })
        .collect()
}

/// Min–max scaling with 1 at the better end; an indicator equal in every
/// city says nothing and scores ½ everywhere.
fn scaled(value: f64, lo: f64, hi: f64, better: Better) -> f64 {
    if hi - lo <= 0.0 {
        return 0.5;
    }
    let up = (value - lo) / (hi - lo);
    match better {
        Better::Lower => 1.0 - up,
        Better::Higher => up,
    }
}

fn cut_value(cut: Cut, scores: &[(f64, Vec<Part>)]) -> f64 {
    match cut {
        Cut::Fixed(value) => value,
        Cut::Median => {
            let mut sorted: Vec<f64> = scores.iter().map(|(s, _)| *s).collect();
            sorted.sort_by(f64::total_cmp);
            crate::classify::quantile_of_sorted(&sorted, 0.5)
        }
    }
}

/// Movement between types from one list to another: `counts[i][j]` cities
/// of type `ALL[i]` before and `ALL[j]` after; cities on one list only are
/// counted as entering or leaving.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TypeTransitions {
    /// The 4 × 4 matrix, rows before, columns after.
    pub counts: [[usize; 4]; 4],
    /// Cities on the later list only, by type.
    pub entered: [usize; 4],
    /// Cities on the earlier list only, by type.
    pub left: [usize; 4],
    /// The cities whose type changed: (code, before, after).
    pub moved: Vec<(String, CityType, CityType)>,
}

/// The transitions between two classifications given as (code, type).
pub fn transitions(before: &[(String, CityType)], after: &[(String, CityType)]) -> TypeTransitions {
    let index = |t: CityType| CityType::ALL.iter().position(|a| *a == t).unwrap_or(0);
    let before_map: BTreeMap<&str, CityType> = before.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    let after_map: BTreeMap<&str, CityType> = after.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    let mut out = TypeTransitions::default();
    for (code, from) in &before_map {
        match after_map.get(code) {
            Some(to) => {
                out.counts[index(*from)][index(*to)] += 1;
                if from != to {
                    out.moved.push((code.to_string(), *from, *to));
                }
            }
            None => out.left[index(*from)] += 1,
        }
    }
    for (code, to) in &after_map {
        if !before_map.contains_key(code) {
            out.entered[index(*to)] += 1;
        }
    }
    out
}

/// The themes of transformation monitoring (methods.md §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Extraction's share of industry, resource taxes, reserve years.
    ResourceDependence,
    /// Non-resource manufacturing and services, successor industries.
    Diversification,
    /// Unemployment, shanty-town renovation, miners' insurance.
    Livelihood,
    /// Subsidence remediated, mine-land reclamation, tailings use.
    Environment,
    /// Resident population change.
    Demography,
}

impl Theme {
    /// Every theme, in the dashboard's order.
    pub const ALL: [Theme; 5] =
        [Theme::ResourceDependence, Theme::Diversification, Theme::Livelihood, Theme::Environment, Theme::Demography];

    /// Its keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::ResourceDependence => "resource_dependence",
            Theme::Diversification => "diversification",
            Theme::Livelihood => "livelihood",
            Theme::Environment => "environment",
            Theme::Demography => "demography",
        }
    }
}

/// The transformation indicators revita ships, by theme (methods.md §6.3,
/// an analyst's proposal built from the plan's five task areas).
pub const TRANSFORMATION_INDICATORS: [(&str, Theme); 10] = [
    ("extraction_share_industry", Theme::ResourceDependence),
    ("reserve_years", Theme::ResourceDependence),
    ("non_resource_share_gdp", Theme::Diversification),
    ("successor_industry_projects", Theme::Diversification),
    ("urban_unemployment_rate", Theme::Livelihood),
    ("shanty_households_renovated", Theme::Livelihood),
    ("mine_land_reclamation_rate", Theme::Environment),
    ("tailings_use_rate", Theme::Environment),
    ("resident_population", Theme::Demography),
    ("resident_population_change", Theme::Demography),
];

/// The theme of a transformation indicator.
pub fn theme_of(indicator: &str) -> Option<Theme> {
    TRANSFORMATION_INDICATORS.iter().find(|(code, _)| *code == indicator).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(code: &str, reserves: f64, dependence: f64) -> CityValues {
        CityValues {
            code: code.into(),
            name: code.into(),
            values: [("reserve_years".to_string(), reserves), ("extraction_share_industry".to_string(), dependence)]
                .into_iter()
                .collect(),
        }
    }

    fn spec() -> ClassificationSpec {
        ClassificationSpec {
            security: vec![DimensionIndicator {
                indicator: "reserve_years".into(),
                weight: 1.0,
                better: Better::Higher,
            }],
            sustainability: vec![DimensionIndicator {
                indicator: "extraction_share_industry".into(),
                weight: 1.0,
                better: Better::Lower,
            }],
            security_cut: Cut::Median,
            sustainability_cut: Cut::Median,
        }
    }

    #[test]
    fn the_four_quadrants() {
        // Reserves 10, 50, 90, 30 years → scaled 0, 0.5, 1, 0.25; median of
        // {0, .25, .5, 1} = .375. Dependence 60, 20, 80, 10 % (lower is
        // better) → scaled (80−v)/70 = 2/7, 6/7, 0, 1; median of
        // {0, 2/7, 6/7, 1} = 4/7.
        let cities = [city("A", 10.0, 60.0), city("B", 50.0, 20.0), city("C", 90.0, 80.0), city("D", 30.0, 10.0)];
        let run = classify(&spec(), &cities).unwrap();
        assert!((run.security_cut - 0.375).abs() < 1e-12);
        assert!((run.sustainability_cut - 4.0 / 7.0).abs() < 1e-12);
        let types: Vec<(&str, CityType)> = run.cities.iter().map(|c| (c.code.as_str(), c.city_type)).collect();
        assert_eq!(
            types,
            [
                ("A", CityType::Declining),    // 0 < .375, 2/7 < 4/7
                ("B", CityType::Mature),       // .5 ≥ .375, 6/7 ≥ 4/7
                ("C", CityType::Growing),      // 1 ≥ .375, 0 < 4/7
                ("D", CityType::Regenerating), // .25 < .375, 1 ≥ 4/7
            ]
        );
        // B's margin: min(|.5 − .375|, |6/7 − 4/7|) = .125.
        assert!((run.cities[1].margin - 0.125).abs() < 1e-12);
        assert_eq!(run.counts()[&CityType::Mature], 1);
    }

    #[test]
    fn a_fixed_cut_and_a_city_left_out() {
        let mut s = spec();
        s.security_cut = Cut::Fixed(0.9);
        let mut lacking = city("E", 1.0, 1.0);
        lacking.values.remove("reserve_years");
        let cities = [city("A", 10.0, 60.0), city("C", 90.0, 80.0), lacking];
        let run = classify(&s, &cities).unwrap();
        assert_eq!(run.security_cut, 0.9);
        // A scores 0 (< .9) on security and, with C at 80 %, 1 on
        // sustainability; the median of {0, 1} is ½.
        assert_eq!(run.cities[0].city_type, CityType::Regenerating);
        assert_eq!(run.cities[1].city_type, CityType::Growing);
        assert_eq!(run.excluded, vec![("E".to_string(), vec!["reserve_years".to_string()])]);
    }

    #[test]
    fn bad_specs_and_too_few_cities() {
        let mut s = spec();
        s.security[0].weight = 0.0;
        assert!(matches!(classify(&s, &[]), Err(ClassificationError::Spec(_))));
        s.security.clear();
        assert!(matches!(classify(&s, &[]), Err(ClassificationError::Spec(_))));
        assert_eq!(classify(&spec(), &[city("A", 1.0, 1.0)]), Err(ClassificationError::TooFewCities));
    }

    #[test]
    fn movement_between_lists() {
        let before = vec![
            ("A".to_string(), CityType::Mature),
            ("B".to_string(), CityType::Mature),
            ("C".to_string(), CityType::Growing),
        ];
        let after = vec![
            ("A".to_string(), CityType::Declining),
            ("B".to_string(), CityType::Mature),
            ("D".to_string(), CityType::Regenerating),
        ];
        let t = transitions(&before, &after);
        assert_eq!(t.counts[1][2], 1); // mature → declining
        assert_eq!(t.counts[1][1], 1); // mature stays
        assert_eq!(t.left, [1, 0, 0, 0]);
        assert_eq!(t.entered, [0, 0, 0, 1]);
        assert_eq!(t.moved, vec![("A".to_string(), CityType::Mature, CityType::Declining)]);
    }

    #[test]
    fn keywords_round_trip() {
        for t in CityType::ALL {
            assert_eq!(CityType::parse(t.as_str()), Some(t));
        }
        assert_eq!(theme_of("reserve_years"), Some(Theme::ResourceDependence));
        assert_eq!(theme_of("gdp"), None);
    }
}
