//! The region pages' messages: key, English, Chinese (see
//! [`crate::i18n`]).

/// The messages.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("all_alerts", "All alerts, and flagged households without a case", "全部预警及未纳入监测的预警户"),
    ("no_results", "No region matches.", "没有匹配的地区。"),
    ("results_for", "Results for", "搜索结果："),
    ("map_settings", "Map settings", "地图设置"),
    ("area", "Area", "范围"),
    ("all_china", "All of China", "全国"),
    ("method", "Method", "分级方法"),
    ("natural_breaks", "Natural breaks (Jenks)", "自然断点法（Jenks）"),
    ("update_map", "Update map", "更新地图"),
    ("key_figures", "Key figures", "主要数据"),
    ("children", "Subdivisions", "下辖地区"),
    ("no_designations", "No designations recorded.", "暂无认定记录。"),
    ("valid", "In force", "有效期"),
    ("ended", "ended", "已结束"),
    ("indicators_over_time", "Indicators", "指标"),
    (
        "standing_line",
        "Rank {rank} of {of} {level} regions nationwide · better than {pct}% of them",
        "在全国 {of} 个{level}地区中排名第 {rank} · 优于 {pct}% 的地区",
    ),
    (
        "standing_line_neutral",
        "Rank {rank} of {of} {level} regions nationwide by value · higher than {pct}% of them",
        "在全国 {of} 个{level}地区中按数值排第 {rank} · 高于 {pct}% 的地区",
    ),
    ("reference_lines", "Dashed lines: national and provincial values.", "虚线为全国及所在省份数值。"),
    ("map_of_children", "Map of subdivisions", "下辖地区地图"),
    ("synthetic_warning", "Synthetic data: not real figures.", "模拟数据：并非真实统计。"),
    ("provinces", "Provinces", "省级行政区"),
    ("program", "Programme", "项目"),
    ("partner", "Partner", "结对方"),
    ("since", "Since", "起始年份"),
    ("gives_assistance", "gives assistance", "支援方"),
    ("receives_assistance", "receives assistance", "受援方"),
];
