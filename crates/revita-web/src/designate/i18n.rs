//! The designation pages' messages: key, English, Chinese (see
//! [`crate::i18n`]).

/// The messages.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("list_committed", "Official list committed:", "已发布认定名单："),
    ("effective", "Effective from", "生效日期"),
    ("joining", "Joining", "新纳入"),
    ("leaving", "Leaving", "退出"),
    ("commit_list", "Commit as an official designation list", "发布为正式认定名单"),
    ("list_preview", "Review what the list changes before committing it", "发布前请核对名单的变化"),
    ("staying", "Staying", "保留"),
    (
        "untouched_designations",
        "Designations left as they are (outside the run, or excluded from it)",
        "不受影响的认定（不在本次测算范围内或被排除）",
    ),
    ("confirm_commit", "Confirm and commit", "确认发布"),
    ("preview_commit", "Preview the list", "预览名单"),
    ("classes_listed", "Classes on the list (comma-separated)", "列入名单的类别（逗号分隔）"),
    ("basis_number", "Document number", "文号"),
    ("transition_until", "Leaving regions stay designated until", "退出地区过渡期至"),
    ("commit", "Commit", "发布"),
    ("compare_with", "Compare with another run", "与另一次测算比较"),
    ("same_if_empty", "empty: the same", "留空则相同"),
    ("class_changes", "Class changes between the runs", "两次测算间的类别变化"),
    ("not_classified", "not classified", "未分类"),
    ("designation_runs", "Designation runs", "认定测算"),
    ("method_spec", "Method (JSON spec)", "认定方法（JSON）"),
    ("warning", "Warning", "警告"),
    ("index", "Index", "指数"),
    ("class", "Class", "类别"),
    ("boundary_distance", "Distance to class boundary", "距类别边界"),
    ("nearest_change", "Smallest change to another class", "改变类别的最小变动"),
    ("imputed", "Imputed", "插补"),
];
