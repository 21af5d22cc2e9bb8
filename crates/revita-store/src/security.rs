//! Users, their grants, sessions, API tokens and login attempts
//! (migration 5), and the rows of the audit log. Secrets are never stored
//! in the clear: these rows carry hashes, which the app layer makes and
//! checks.

use revita_methods::RegionCode;
use revita_methods::access::Grant;

use crate::db::{on_pool, on_tx};
use crate::rows::RowExt;
use crate::{Store, StoreError, StoreResult, Tx};

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Store id.
    pub id: i64,
    /// Login name, unique.
    pub name: String,
    /// argon2id PHC string (algorithm, parameters, salt and hash).
    pub password_hash: String,
    /// A disabled user cannot log in or use tokens.
    pub disabled: bool,
    /// The user must choose a new password at the next login.
    pub must_change_password: bool,
    /// Optimistic-concurrency version: an update must name the version it
    /// read, and bumps it.
    pub version: i64,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// A browser session (its token is known only to the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub user_id: i64,
    /// The session's CSRF token, embedded in its forms.
    pub csrf: String,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// A personal API token (its secret is shown once and stored hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Store id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// The owner's label for it.
    pub name: String,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditEntry {
    /// Store id (0 for a new entry).
    pub id: i64,
    /// When, Unix seconds.
    pub at: i64,
    /// Who (user name, or `system`).
    pub actor: String,
    /// What, e.g. `import.observations`, `user.create`.
    pub action: String,
    /// Kind of object changed, e.g. `user`, `observations`.
    pub object_type: String,
    /// Which object (its code or id).
    pub object_id: String,
    /// The region the change concerns, if one: an administrator reads the
    /// entries of regions in its jurisdiction.
    pub region: Option<String>,
    /// The value before, as JSON, if any.
    pub before: Option<String>,
    /// The value after, as JSON, if any.
    pub after: Option<String>,
    /// The request that made the change.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// The hash of the entry before it in the chain (as stored; `None` for
    /// a new entry or one written before the chain existed).
    pub prev_hash: Option<String>,
    /// This entry's chained hash (as stored).
    pub hash: Option<String>,
}

/// Filters for reading the audit log; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this kind of object.
    pub object_type: Option<String>,
    /// From this time on (Unix seconds).
    pub since: Option<i64>,
    /// Before this time (Unix seconds).
    pub until: Option<i64>,
    /// Only entries older than this one (its id): the next page of a list
    /// read newest first.
    pub before_id: Option<i64>,
    /// Only entries of regions within these subtrees (`None`: all entries,
    /// those of no region included).
    pub within: Option<Vec<RegionCode>>,
}

const USER_COLUMNS: &str = "id, name, password_hash, disabled, must_change_password, version, created_at";
const CREATE_USER: &str = "INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) \
     RETURNING id, name, password_hash, disabled, must_change_password, version, created_at";
/// Updates only if the caller read the current version.
const UPDATE_USER: &str = "UPDATE users SET password_hash = $1, disabled = $2, must_change_password = $3, \
     version = version + 1 WHERE id = $4 AND version = $5";
const DELETE_GRANTS: &str = "DELETE FROM grants WHERE user_id = $1";
const INSERT_GRANT: &str = "INSERT INTO grants (user_id, role, scope_code) VALUES ($1, $2, $3)";
const GRANTS: &str = "SELECT role, scope_code FROM grants WHERE user_id = $1 ORDER BY role, scope_code";
const CREATE_SESSION: &str = "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)";
/// A session and its user in one round trip (every request needs both).
const SESSION_USER: &str = "SELECT s.user_id, s.csrf, s.expires_at, u.id, u.name, u.password_hash, u.disabled, \
     u.must_change_password, u.version, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.token_hash = $1";
const SESSION: &str = "SELECT user_id, csrf, expires_at FROM sessions WHERE token_hash = $1";
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
const DELETE_SESSIONS_OF: &str = "DELETE FROM sessions WHERE user_id = $1";
const CREATE_API_TOKEN: &str = "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, user_id, name, created_at, expires_at, revoked";
const API_TOKENS_OF: &str =
    "SELECT id, user_id, name, created_at, expires_at, revoked FROM api_tokens WHERE user_id = $1 ORDER BY id";
const API_TOKEN_BY_HASH: &str =
    "SELECT id, user_id, name, created_at, expires_at, revoked FROM api_tokens WHERE token_hash = $1";
const REVOKE_API_TOKEN: &str = "UPDATE api_tokens SET revoked = 1 WHERE id = $1 AND user_id = $2";
const RECORD_LOGIN_ATTEMPT: &str = "INSERT INTO login_attempts (key, at) VALUES ($1, $2)";
const LOGIN_ATTEMPTS_SINCE: &str = "SELECT COUNT(*) AS n FROM login_attempts WHERE key = $1 AND at >= $2";
const PRUNE_LOGIN_ATTEMPTS: &str = "DELETE FROM login_attempts WHERE at < $1";

fn session_of(r: &impl RowExt) -> StoreResult<Session> {
    Ok(Session { user_id: r.int("user_id")?, csrf: r.text("csrf")?, expires_at: r.int("expires_at")? })
}

impl Store {
    /// A user by login name.
    pub async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::user).transpose()
        })
    }

    /// A user by id.
    pub async fn user(&self, id: i64) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::user).transpose()
        })
    }

    /// Every user, by name.
    pub async fn users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(crate::rows::user).collect()
        })
    }

    /// A user's grants.
    pub async fn grants(&self, user_id: i64) -> StoreResult<Vec<Grant>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(GRANTS).bind(user_id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::grant).collect()
        })
    }

    /// A session and its user by the hash of the session's token.
    pub async fn session_user(&self, token_hash: &str) -> StoreResult<Option<(Session, User)>> {
        on_pool!(self, pool => {
            let row = sqlx::query(SESSION_USER).bind(token_hash).fetch_optional(pool).await?;
            row.map(|r| Ok((session_of(&r)?, crate::rows::user(&r)?))).transpose()
        })
    }

    /// A session by the hash of its token.
    pub async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        on_pool!(self, pool => {
            let row = sqlx::query(SESSION).bind(token_hash).fetch_optional(pool).await?;
            row.map(|r| session_of(&r)).transpose()
        })
    }

    /// Forgets an expired session (housekeeping: no change anyone made).
    pub async fn delete_expired_session(&self, token_hash: &str, now: i64) -> StoreResult<()> {
        const DELETE_EXPIRED: &str = "DELETE FROM sessions WHERE token_hash = $1 AND expires_at <= $2";
        on_pool!(self, pool => {
            sqlx::query(DELETE_EXPIRED).bind(token_hash).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    /// A user's API tokens.
    pub async fn api_tokens(&self, user_id: i64) -> StoreResult<Vec<ApiToken>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(API_TOKENS_OF).bind(user_id).fetch_all(pool).await?;
            rows.iter().map(crate::rows::api_token).collect()
        })
    }

    /// An API token by the hash of its secret.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        on_pool!(self, pool => {
            let row = sqlx::query(API_TOKEN_BY_HASH).bind(token_hash).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::api_token).transpose()
        })
    }

    /// Failed attempts under a key since a time; those older than a day,
    /// which serve no throttle, are pruned.
    pub async fn login_attempts_since(&self, key: &str, since: i64) -> StoreResult<i64> {
        on_pool!(self, pool => {
            sqlx::query(PRUNE_LOGIN_ATTEMPTS).bind(since - 86_400).execute(pool).await?;
            let row = sqlx::query(LOGIN_ATTEMPTS_SINCE).bind(key).bind(since).fetch_one(pool).await?;
            row.int("n")
        })
    }
}

impl Tx {
    /// Creates a user; a taken name is a conflict.
    pub async fn create_user(&mut self, name: &str, password_hash: &str, now: i64) -> StoreResult<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1");
        let user = on_tx!(self, conn => {
            if sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(&mut *conn).await?.is_some() {
                return Err(StoreError::Conflict(format!("user name '{name}' is taken")));
            }
            let row = sqlx::query(CREATE_USER).bind(name).bind(password_hash).bind(now).fetch_one(&mut *conn).await?;
            crate::rows::user(&row)?
        });
        self.changed(crate::db::Topic::Access);
        Ok(user)
    }

    /// Saves a user's password hash and flags if `user.version` is still the
    /// stored version (else a conflict: someone changed it meanwhile);
    /// returns the user as stored, with its new version.
    pub async fn update_user(&mut self, user: &User) -> StoreResult<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let saved = on_tx!(self, conn => {
            let done = sqlx::query(UPDATE_USER)
                .bind(&user.password_hash)
                .bind(i64::from(user.disabled))
                .bind(i64::from(user.must_change_password))
                .bind(user.id)
                .bind(user.version)
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "user '{}' was changed by someone else since it was read (version {}); reload and try again",
                    user.name, user.version
                )));
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.id).fetch_one(&mut *conn).await?;
            crate::rows::user(&row)?
        });
        self.changed(crate::db::Topic::Access);
        Ok(saved)
    }

    /// Replaces a user's grants.
    pub async fn set_grants(&mut self, user_id: i64, grants: &[Grant]) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(DELETE_GRANTS).bind(user_id).execute(&mut *conn).await?;
            for g in grants {
                sqlx::query(INSERT_GRANT).bind(user_id).bind(g.role.as_str()).bind(g.scope.as_str()).execute(&mut *conn).await?;
            }
        });
        self.changed(crate::db::Topic::Access);
        Ok(())
    }

    /// Records a session under the hash of its token.
    pub async fn create_session(&mut self, token_hash: &str, session: &Session) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(CREATE_SESSION)
                .bind(token_hash)
                .bind(session.user_id)
                .bind(&session.csrf)
                .bind(session.expires_at)
                .execute(&mut *conn)
                .await?;
        });
        self.wrote();
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(DELETE_SESSION).bind(token_hash).execute(&mut *conn).await?;
        });
        self.wrote();
        Ok(())
    }

    /// Ends every session of a user (password change, disabling).
    pub async fn delete_sessions_of(&mut self, user_id: i64) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(DELETE_SESSIONS_OF).bind(user_id).execute(&mut *conn).await?;
        });
        self.wrote();
        Ok(())
    }

    /// Records an API token under the hash of its secret.
    pub async fn create_api_token(
        &mut self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<ApiToken> {
        let token = on_tx!(self, conn => {
            let row = sqlx::query(CREATE_API_TOKEN)
                .bind(user_id)
                .bind(name)
                .bind(token_hash)
                .bind(created_at)
                .bind(expires_at)
                .fetch_one(&mut *conn)
                .await?;
            crate::rows::api_token(&row)?
        });
        self.wrote();
        Ok(token)
    }

    /// Revokes one of a user's live tokens; false if it has no such token.
    pub async fn revoke_api_token(&mut self, user_id: i64, token_id: i64) -> StoreResult<bool> {
        let done = on_tx!(self, conn => {
            sqlx::query(REVOKE_API_TOKEN).bind(token_id).bind(user_id).execute(&mut *conn).await?.rows_affected()
        });
        self.wrote();
        Ok(done > 0)
    }

    /// Records a failed login attempt under a key (an account or an address).
    pub async fn record_login_attempt(&mut self, key: &str, at: i64) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(RECORD_LOGIN_ATTEMPT).bind(key).bind(at).execute(&mut *conn).await?;
        });
        self.wrote();
        Ok(())
    }
}
