//! Database URLs whose passwords never reach a log: `Debug` and `Display`
//! mask the password.

use std::fmt;

/// A database URL: `postgres://user:pass@host/db`, `sqlite:path` or a path.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL or a SQLite file path.
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// A SQLite file at `path`.
    pub fn sqlite_file(path: &std::path::Path) -> DatabaseUrl {
        DatabaseUrl(format!("sqlite:{}", path.display()))
    }

    /// Whether the URL names a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }

    /// The URL with its password, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SQLite file path, for a SQLite URL.
    pub fn sqlite_path(&self) -> Option<&str> {
        if self.is_postgres() {
            return None;
        }
        let path = self.0.strip_prefix("sqlite://").or_else(|| self.0.strip_prefix("sqlite:")).unwrap_or(&self.0);
        Some(path.split('?').next().unwrap_or(path))
    }

    fn masked(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else { return self.0.clone() };
        let Some((credentials, host)) = rest.rsplit_once('@') else { return self.0.clone() };
        match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.masked())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_debug_and_display() {
        let url = DatabaseUrl::new("postgres://revita:s3cret@db.example:5432/revita");
        assert_eq!(url.to_string(), "postgres://revita:***@db.example:5432/revita");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://revita:s3cret@db.example:5432/revita");
    }

    #[test]
    fn urls_without_passwords_are_shown_whole() {
        let url = DatabaseUrl::new("postgres://postgres@127.0.0.1:5432/test");
        assert_eq!(url.to_string(), "postgres://postgres@127.0.0.1:5432/test");
        assert!(url.is_postgres());
    }

    #[test]
    fn sqlite_paths_are_recognised_in_every_spelling() {
        assert_eq!(DatabaseUrl::new("sqlite:revita.sqlite").sqlite_path(), Some("revita.sqlite"));
        assert_eq!(DatabaseUrl::new("sqlite:///tmp/r.db?mode=rwc").sqlite_path(), Some("/tmp/r.db"));
        assert_eq!(DatabaseUrl::new("data/revita.sqlite").sqlite_path(), Some("data/revita.sqlite"));
        assert_eq!(DatabaseUrl::new("postgres://x@y/z").sqlite_path(), None);
    }
}
