//! The indicator pages' messages: key, English, Chinese (see
//! [`crate::i18n`]).

/// The messages.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("catalogue", "Indicator catalogue", "指标目录"),
    ("direction", "Direction", "方向"),
    ("aggregation", "Roll-up", "汇总方式"),
    ("weighted_by", "weighted by", "权重"),
    ("coverage_by_year", "Coverage by period", "各时期覆盖情况"),
    ("regions_reporting", "Regions reporting", "有数据地区数"),
    ("distribution", "Distribution", "分布"),
];
