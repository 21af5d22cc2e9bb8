//! The account pages' messages: key, English, Chinese (see
//! [`crate::i18n`]).

/// The messages.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("api_tokens", "API tokens", "接口令牌"),
    (
        "token_shown_once",
        "Your new token — copy it now, it will not be shown again:",
        "新令牌如下，请立即复制，之后不再显示：",
    ),
    ("expires", "Expires", "到期"),
    ("revoked", "revoked", "已撤销"),
    ("revoke", "Revoke", "撤销"),
    ("create_token", "Create token", "新建令牌"),
    ("valid_days", "Valid for (days)", "有效天数"),
    ("log_in", "Log in", "登录"),
    (
        "login_form_expired",
        "the login form has expired or did not come from this site; log in again",
        "登录表单已过期或并非来自本站，请重新登录",
    ),
    ("change_password", "Change password", "修改密码"),
    ("must_change_password", "Please choose a new password before you continue.", "请先设置新密码。"),
    ("current_password", "Current password", "当前密码"),
    ("new_password", "New password (at least 12 characters)", "新密码（至少 12 个字符）"),
];
