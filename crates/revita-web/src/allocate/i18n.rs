//! The allocation pages' messages: key, English, Chinese (see
//! [`crate::i18n`]).

/// The messages.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("fund_allocation", "Fund allocation", "资金分配"),
    ("allocation_spec", "Allocation method (JSON spec)", "分配方法（JSON）"),
    ("factors", "Factors (weights); columns show each factor's part", "因素（权重）；各列为各因素分得的数额"),
    ("with_formulas", "with the formulas", "含公式"),
    ("formula_amount", "Formula amount", "公式数额"),
    ("floor", "Floor", "下限"),
    ("cap", "Cap", "上限"),
    ("previous", "Last year", "上年"),
    ("change", "Change", "变化"),
];
