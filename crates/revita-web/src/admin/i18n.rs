//! The administration pages' messages: key, English, Chinese (see
//! [`crate::i18n`]).

/// The messages.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("users", "Users", "用户"),
    ("grants", "Roles and jurisdictions", "角色与辖区"),
    ("must_change", "must change password", "须修改密码"),
    ("enable", "Enable", "启用"),
    ("disable", "Disable", "停用"),
    ("force_reset", "Force password reset", "强制重设密码"),
    ("create_user", "Create user", "新建用户"),
    ("add_grant", "Add role", "增加角色"),
    ("jurisdiction", "Jurisdiction (region code)", "辖区（地区代码）"),
    ("saved", "Saved.", "已保存。"),
    ("audit_log", "Audit log", "审计日志"),
    ("actor", "Who", "操作人"),
    ("action", "Action", "操作"),
    ("object_type", "Object type", "对象类型"),
    ("before", "Before", "修改前"),
    ("when", "When (UTC)", "时间（UTC）"),
    ("client", "Client", "客户端"),
];
