//! The password policy: long enough, not a known common password, not the
//! user name. Hashing (argon2id) is IO-free but belongs with the store of
//! users; this module only judges the text.
//!
//! Source: NIST SP 800-63B §5.1.1.2 (length over composition rules; check
//! against lists of commonly used or compromised values).

/// The minimum length, in characters.
pub const MIN_LENGTH: usize = 12;

/// A short list of the most common passwords (in lowercase), including
/// those common among Chinese users; a full breach list belongs in a file.
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890ab",
    "qwertyuiopas",
    "password1234",
    "passw0rd1234",
    "iloveyou1234",
    "woaini131452",
    "woaini520520",
    "1qaz2wsx3edc",
    "qwertyuiop12",
    "abc123456789",
    "aaaaaaaaaaaa",
    "111111111111",
    "000000000000",
    "123123123123",
    "admin1234567",
    "administrator",
    "letmein12345",
    "welcome12345",
    "zhang1234567",
    "wang123456789",
    "changeme1234",
    "revita123456",
    "password123!",
];

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too short.
    #[error("a password needs at least {MIN_LENGTH} characters")]
    TooShort,
    /// On the common list, or one character repeated.
    #[error("this password is too common; choose another")]
    Common,
    /// Contains the user name.
    #[error("a password must not contain the user name")]
    ContainsUserName,
}

/// Judges a new password for `user_name`.
pub fn check(password: &str, user_name: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    let lower = password.to_lowercase();
    let first = lower.chars().next();
    if COMMON.contains(&lower.as_str()) || lower.chars().all(|c| Some(c) == first) {
        return Err(PasswordError::Common);
    }
    let name = user_name.trim().to_lowercase();
    if name.chars().count() >= 3 && lower.contains(&name) {
        return Err(PasswordError::ContainsUserName);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_judged_by_length_commonness_and_name() {
        assert_eq!(check("short", "li"), Err(PasswordError::TooShort));
        assert_eq!(check("中文密码也要十二个字符吗", "li"), Ok(()), "characters, not bytes, are counted");
        assert_eq!(check("WoAiNi131452", "li"), Err(PasswordError::Common));
        assert_eq!(check("zzzzzzzzzzzzzz", "li"), Err(PasswordError::Common));
        assert_eq!(check("guizhou-planner-2026", "planner"), Err(PasswordError::ContainsUserName));
        assert_eq!(check("correct horse battery", "planner"), Ok(()));
    }
}
