//! The import pages' messages: key, English, Chinese (see
//! [`crate::i18n`]).

/// The messages.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("import_title", "Import data", "导入数据"),
    (
        "import_help",
        "Upload a file. revita checks every row and shows what it found before anything is written.",
        "上传文件。系统会先逐行校验并显示结果，确认后才写入。",
    ),
    ("file_kind", "What the file holds", "文件内容"),
    ("check_file", "Check file", "校验文件"),
    ("validation_report", "Validation report", "校验报告"),
    (
        "rejected",
        "Nothing was imported. Fix these problems and upload again:",
        "未导入任何数据。请修正以下问题后重新上传：",
    ),
    ("more_problems", "more problems not shown", "个问题未显示"),
    ("ready_to_import", "The file is valid. Nothing has been written yet.", "文件校验通过，尚未写入。"),
    ("confirm_import", "Import now", "确认导入"),
    ("replace_offer_before", "Every problem is a value already stored:", "所有问题均为已存储的数值："),
    (
        "replace_offer_after",
        "values. You may import the file replacing them; the values replaced are kept as revisions and the change is audited.",
        "个。可导入此文件并替换这些数值；被替换的数值将保留为历史版本，操作记入审计日志。",
    ),
    ("confirm_replace", "Import, replacing the stored values", "导入并替换已存储的数值"),
    (
        "values_replaced",
        "stored values were replaced (kept as revisions).",
        "个已存储的数值已被替换（保留为历史版本）。",
    ),
    ("imported", "Imported.", "导入完成。"),
    ("records", "Records", "记录数"),
    ("rows_read", "Rows read", "读取行数"),
    ("remapped_codes", "Retired codes mapped to current regions", "已停用代码映射到现行地区"),
    ("ignored_columns", "Ignored columns", "忽略的列"),
    ("upload_expired", "This upload has expired; please upload the file again.", "上传已过期，请重新上传。"),
];
