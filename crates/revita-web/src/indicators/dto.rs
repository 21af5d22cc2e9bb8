//! The JSON shape of an indicator definition.

use revita_methods::Indicator;
use serde::Serialize;

/// An indicator definition.
#[derive(Debug, Serialize)]
pub struct IndicatorDto {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub unit: String,
    pub direction: &'static str,
    pub aggregation: &'static str,
    pub weight_indicator: Option<String>,
    pub description: Option<String>,
    pub source: Option<String>,
    /// The least value accepted, if bounded below.
    pub valid_min: Option<f64>,
    /// The greatest value accepted, if bounded above.
    pub valid_max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periods: Option<Vec<String>>,
}

impl From<&Indicator> for IndicatorDto {
    fn from(i: &Indicator) -> IndicatorDto {
        IndicatorDto {
            code: i.code.to_string(),
            name_zh: i.name_zh.clone(),
            name_en: i.name_en.clone(),
            unit: i.unit.clone(),
            direction: i.direction.as_str(),
            aggregation: i.aggregation.as_str(),
            weight_indicator: i.aggregation.weight().map(|w| w.to_string()),
            description: i.description.clone(),
            source: i.source.clone(),
            valid_min: i.range.min,
            valid_max: i.range.max,
            periods: None,
        }
    }
}
