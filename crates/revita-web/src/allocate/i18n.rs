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
    ("only_where", "only where: ", "仅限："),
    ("unit_yuan", "yuan", "元"),
    ("amounts_in_wan", "Amounts in 万元 (ten thousand yuan)", "金额单位：万元"),
    ("af_build", "Build an allocation with a form", "用表单生成分配方法"),
    ("af_build_run", "Build the allocation and run it", "生成并测算"),
    ("af_name", "Name of the fund", "资金名称"),
    ("af_total", "Fund to allocate (万元)", "待分配资金（万元）"),
    ("af_factor", "Factor", "因素"),
    ("af_factor_name", "Name", "名称"),
    ("af_only_designated", "Only where designated (category)", "仅限认定地区（类别）"),
    ("af_as_of", "Designation as of", "认定截至日期"),
    ("af_minimum", "Every region at least (万元)", "每个地区最低（万元）"),
    ("af_rounding", "Round to multiples of (万元)", "取整单位（万元）"),
    (
        "af_floor_share",
        "Floor: share of last year's amount (0.9 = at most −10%)",
        "下限：上年数额的比例（0.9 即最多减少10%）",
    ),
    ("af_cap_growth", "Cap: growth over last year (0.2 = at most +20%)", "上限：较上年增幅（0.2 即最多增加20%）"),
    ("af_previous", "Last year's amounts (indicator)", "上年数额（指标）"),
    ("af_missing_exclude", "A region without a value is left out", "缺少数值的地区不参与分配"),
    ("af_missing_zero", "A missing value counts as 0", "缺少的数值按 0 计"),
];
