//! Users, logins, sessions, API tokens and the audit log: the use cases of
//! the security layer (issue 4), ready for the web server and CLI to wire.
//!
//! - Passwords: judged by `revita_methods::password`, hashed with argon2id
//!   (a random salt per user; parameters recorded in the PHC string, so they
//!   can be raised later without invalidating stored hashes).
//! - Sessions and API tokens: 256 random bits from the operating system,
//!   handed to the client once; the store keeps only their SHA-256, so a
//!   database leak yields no usable token, and lookup by hash compares no
//!   secret byte by byte.
//! - Throttling: more than [`MAX_FAILURES`] failed logins within a minute,
//!   per account or per address, refuse further attempts — even correct ones.
//! - Every change is appended to the audit log with who, when, what, the
//!   values before and after, the request id and the client address.

use std::collections::{HashMap, HashSet};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use revita_methods::RegionCode;
use revita_methods::access::{self, Access, Action, Grant, Role, Scope};
use revita_methods::password;
use revita_store::security::{ApiToken, AuditEntry, AuditFilter, Session, User};
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult};

/// Failed logins tolerated per account or address within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: i64 = 10;
/// The throttling window, seconds.
pub const THROTTLE_WINDOW: i64 = 60;
/// How long a browser session lasts, seconds.
pub const SESSION_SECONDS: i64 = 8 * 3600;

/// Who is acting, as established by a session or token.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The user's name.
    pub name: String,
    /// What the user may do where.
    pub access: Access,
    /// The user must change the password before anything else.
    pub must_change_password: bool,
}

/// Where a change comes from, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Now, Unix seconds (the one clock read, by the caller).
    pub now: i64,
    /// The request's id.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
}

/// Who asks for a change and from where: names the change in the audit
/// log and decides what it may touch (`actor` `None`: the database owner,
/// as the command line on a local database acts — everywhere).
#[derive(Debug, Clone, Default)]
pub struct ChangeBy {
    /// The user.
    pub actor: Option<Actor>,
    /// Where the change comes from.
    pub origin: Origin,
}

impl ChangeBy {
    /// A change by `actor` from `origin`.
    pub fn new(actor: &Actor, origin: &Origin) -> ChangeBy {
        ChangeBy { actor: Some(actor.clone()), origin: origin.clone() }
    }

    /// The name the audit log records (`system` for the database owner).
    pub fn name(&self) -> &str {
        self.actor.as_ref().map_or("system", |a| a.name.as_str())
    }

    /// The audit entry of a change (see [`audit_entry`]).
    pub fn entry(
        &self,
        action: &str,
        object: (&str, &str),
        region: Option<&RegionCode>,
        change: (Option<String>, Option<String>),
    ) -> AuditEntry {
        audit_entry(self.name(), action, object, region, change, &self.origin)
    }
}

/// A new session: the token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The secret for the session cookie (shown to nobody else).
    pub token: String,
    /// The token forms must carry.
    pub csrf: String,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// 256 random bits, hex.
pub fn random_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("the operating system gave no random bytes: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// SHA-256 of a token, hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 of bytes, as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Equality that takes the same time wherever the inputs differ (for
/// comparing a submitted CSRF token with the session's).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Hashes a password with argon2id and a fresh salt.
pub fn hash_password(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot hash the password: {e}")))
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// An audit entry for a change `actor` makes from `origin`: the action, the
/// object (its type and id), the region it concerns (administrators read
/// the entries of their jurisdiction) and the values before and after.
pub fn audit_entry(
    actor: &str,
    action: &str,
    object: (&str, &str),
    region: Option<&RegionCode>,
    change: (Option<String>, Option<String>),
    origin: &Origin,
) -> AuditEntry {
    AuditEntry {
        at: origin.now,
        actor: actor.to_string(),
        action: action.to_string(),
        object_type: object.0.to_string(),
        object_id: object.1.to_string(),
        region: region.map(|r| r.as_str().to_string()),
        before: change.0,
        after: change.1,
        request_id: origin.request_id.clone(),
        client_addr: origin.client_addr.clone(),
        ..Default::default()
    }
}

/// Hashing takes tens of milliseconds by design: off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(anyhow::anyhow!("hashing thread failed: {e}")))
}

fn user_json(user: &User, grants: &[Grant]) -> String {
    let grants: Vec<String> = grants.iter().map(|g| format!("\"{}@{}\"", g.role, g.scope)).collect();
    format!(
        "{{\"name\":\"{}\",\"disabled\":{},\"must_change_password\":{},\"version\":{},\"grants\":[{}]}}",
        user.name.replace('"', "'"),
        user.disabled,
        user.must_change_password,
        user.version,
        grants.join(",")
    )
}

impl App {
    /// The actor an anonymous reader of a published page reads as: a viewer
    /// of every top-level region (what is published is read by anyone).
    pub async fn anonymous_actor(&self) -> AppResult<Actor> {
        let root_level = self.scheme().levels().first().copied().unwrap_or("country");
        let roots = self.store().regions_at_level(root_level).await?;
        let grants = roots.into_iter().map(|r| Grant { role: Role::Viewer, scope: r.code }).collect();
        Ok(Actor { user_id: 0, name: "anonymous".into(), access: Access::new(grants), must_change_password: false })
    }

    /// A region's path from the root (itself last).
    pub async fn region_path(&self, code: &RegionCode) -> AppResult<Vec<RegionCode>> {
        self.region(code).await?;
        let mut path: Vec<RegionCode> = self.store().ancestors(code).await?.into_iter().map(|r| r.code).collect();
        path.push(code.clone());
        Ok(path)
    }

    /// Where `actor` may take `action`: each granted region and its
    /// descendants, or everywhere (a grant over the region above all others
    /// is a grant everywhere).
    pub async fn jurisdiction(&self, actor: &Actor, action: Action) -> AppResult<crate::Jurisdiction> {
        Ok(match self.scope(actor, action).await? {
            Scope::Everywhere => crate::Jurisdiction::everywhere(),
            Scope::Nowhere => crate::Jurisdiction::nowhere(),
            Scope::Within(roots) if self.covers_everything(&roots).await? => crate::Jurisdiction::everywhere(),
            Scope::Within(roots) => {
                let mut members = HashSet::new();
                for root in &roots {
                    members.extend(self.store().descendants(root, None).await?.into_iter().map(|r| r.code));
                    members.insert(root.clone());
                }
                crate::Jurisdiction::within(roots, members)
            }
        })
    }

    /// Whether the roots include the one region above all others (China's
    /// 000000): a jurisdiction over it is a jurisdiction everywhere, and is
    /// treated so rather than as a set of every region.
    async fn covers_everything(&self, roots: &[RegionCode]) -> AppResult<bool> {
        for root in roots {
            let Some(region) = self.store().region(root).await? else { continue };
            if region.parent.is_none() && self.store().regions_at_level(&region.level).await?.len() == 1 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Fails unless `actor` may take `action` on `region`.
    pub async fn require(&self, actor: &Actor, action: Action, region: &RegionCode) -> AppResult<()> {
        let path = self.region_path(region).await?;
        if actor.access.permits(action, &path) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("{} may not do this for region {region}", actor.name)))
        }
    }

    /// Records in the audit log something that changes no stored data (a
    /// view or an export of personal data). Changes are audited in their
    /// own transaction instead (see [`audit_entry`]).
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        object: (&str, &str),
        region: Option<&RegionCode>,
        change: (Option<String>, Option<String>),
        origin: &Origin,
    ) -> AppResult<()> {
        let entry = audit_entry(actor, action, object, region, change, origin);
        Ok(self.store().append_audit(&[entry]).await?)
    }

    /// The region an audit entry about a user belongs to: its first grant's
    /// (so that the administrators of that region read it).
    async fn user_region(&self, user_id: i64) -> AppResult<Option<RegionCode>> {
        Ok(self.store().grants(user_id).await?.into_iter().next().map(|g| g.scope))
    }

    /// Creates a user with grants. `by` must be allowed to manage users in
    /// every jurisdiction granted (`None`: the system, e.g. the demo loader).
    pub async fn create_user(
        &self,
        by: Option<&Actor>,
        name: &str,
        password: &str,
        grants: &[Grant],
        origin: &Origin,
    ) -> AppResult<User> {
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || "_.-".contains(c)) {
            return Err(AppError::Invalid(format!("user name '{name}' must be letters, digits, '_', '.' or '-'")));
        }
        for g in grants {
            self.region(&g.scope).await?;
        }
        if let Some(admin) = by {
            self.require_may_grant(admin, grants).await?;
        }
        password::check(password, name).map_err(|e| AppError::Invalid(e.to_string()))?;
        let owned = password.to_string();
        let hash = blocking(move || hash_password(&owned)).await??;
        let actor = by.map_or("system", |a| a.name.as_str());
        let mut tx = self.store().begin().await?;
        let user = tx.create_user(name, &hash, origin.now).await?;
        tx.set_grants(user.id, grants).await?;
        let region = grants.first().map(|g| &g.scope);
        tx.audit(audit_entry(
            actor,
            "user.create",
            ("user", name),
            region,
            (None, Some(user_json(&user, grants))),
            origin,
        ));
        tx.commit().await?;
        Ok(user)
    }

    /// Where `actor` manages users, a jurisdiction over the whole country
    /// counted as everywhere.
    async fn management_scope(&self, actor: &Actor) -> AppResult<Scope> {
        Ok(match self.scope(actor, Action::ManageUsers).await? {
            Scope::Within(roots) if self.covers_everything(&roots).await? => Scope::Everywhere,
            scope => scope,
        })
    }

    /// Fails unless `admin` may give every one of `grants` (issue 13: a
    /// grant never reaches further than its granter).
    async fn require_may_grant(&self, admin: &Actor, grants: &[Grant]) -> AppResult<()> {
        let manages = self.management_scope(admin).await?;
        for g in grants {
            let path = self.region_path(&g.scope).await?;
            if !access::may_grant(&manages, g, &path) {
                let why = if g.role.reads_everywhere() {
                    format!("only a national administrator may grant the {} role", g.role)
                } else {
                    format!("{} may not grant roles in region {}", admin.name, g.scope)
                };
                return Err(AppError::Forbidden(why));
            }
        }
        Ok(())
    }

    /// Fails unless `admin` may manage a user holding `grants`: only if it
    /// could have given every one of them.
    async fn require_may_manage(&self, admin: &Actor, name: &str, grants: &[Grant]) -> AppResult<()> {
        let manages = self.management_scope(admin).await?;
        let mut with_paths = Vec::with_capacity(grants.len());
        for g in grants {
            with_paths.push((g.clone(), self.region_path(&g.scope).await.unwrap_or_else(|_| vec![g.scope.clone()])));
        }
        if access::may_manage(&manages, &with_paths) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("{} may not manage user {name}", admin.name)))
        }
    }

    /// Where `actor` may take `action`, as roots of subtrees.
    async fn scope(&self, actor: &Actor, action: Action) -> AppResult<Scope> {
        let mut paths: HashMap<RegionCode, Vec<RegionCode>> = HashMap::new();
        for g in actor.access.grants() {
            paths.insert(g.scope.clone(), self.region_path(&g.scope).await.unwrap_or_else(|_| vec![g.scope.clone()]));
        }
        Ok(actor.access.scope(action, |c| paths.get(c).cloned().unwrap_or_else(|| vec![c.clone()])))
    }

    async fn throttled(&self, keys: &[String], now: i64) -> AppResult<bool> {
        for key in keys {
            if self.store().login_attempts_since(key, now - THROTTLE_WINDOW).await? >= MAX_FAILURES {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Logs a user in; the same message for every failure, so that it
    /// reveals nothing about which names exist.
    pub async fn login(&self, name: &str, password: &str, origin: &Origin) -> AppResult<NewSession> {
        let keys = [format!("user:{name}"), format!("addr:{}", origin.client_addr.as_deref().unwrap_or("-"))];
        if self.throttled(&keys, origin.now).await? {
            return Err(AppError::Unauthorized("too many failed logins; wait a minute and try again".into()));
        }
        let user = self.store().user_by_name(name).await?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let owned = password.to_string();
        // Hash even for unknown names, so that timing does not reveal them.
        let ok = blocking(move || match stored {
            Some(hash) => verify_password(&owned, &hash),
            None => {
                let _ = hash_password(&owned);
                false
            }
        })
        .await?;
        let Some(user) = user.filter(|u| ok && !u.disabled) else {
            let mut tx = self.store().begin().await?;
            for key in &keys {
                tx.record_login_attempt(key, origin.now).await?;
            }
            tx.audit(audit_entry(name, "session.login_failed", ("user", name), None, (None, None), origin));
            tx.commit().await?;
            return Err(AppError::Unauthorized("wrong user name or password, or the account is disabled".into()));
        };
        let session =
            NewSession { token: random_token()?, csrf: random_token()?, expires_at: origin.now + SESSION_SECONDS };
        let row = Session { user_id: user.id, csrf: session.csrf.clone(), expires_at: session.expires_at };
        let region = self.user_region(user.id).await?;
        let mut tx = self.store().begin().await?;
        tx.create_session(&token_hash(&session.token), &row).await?;
        tx.audit(audit_entry(&user.name, "session.login", ("user", &user.name), region.as_ref(), (None, None), origin));
        tx.commit().await?;
        Ok(session)
    }

    async fn actor_of(&self, user_id: i64) -> AppResult<Option<Actor>> {
        let Some(user) = self.store().user(user_id).await?.filter(|u| !u.disabled) else { return Ok(None) };
        let access = Access::new(self.store().grants(user.id).await?);
        Ok(Some(Actor { user_id: user.id, name: user.name, access, must_change_password: user.must_change_password }))
    }

    /// The actor of a user by name (for the command line, which acts with
    /// the database owner's rights).
    pub async fn actor_named(&self, name: &str) -> AppResult<Actor> {
        let user = self.store().user_by_name(name).await?.ok_or_else(|| AppError::NotFound(format!("user {name}")))?;
        self.actor_of(user.id).await?.ok_or_else(|| AppError::Forbidden(format!("user {name} is disabled")))
    }

    /// The actor and CSRF token of a live session.
    pub async fn session_actor(&self, token: &str, now: i64) -> AppResult<Option<(Actor, String)>> {
        let Some((session, user)) = self.store().session_user(&token_hash(token)).await? else { return Ok(None) };
        if session.expires_at <= now {
            self.store().delete_expired_session(&token_hash(token), now).await?;
            return Ok(None);
        }
        if user.disabled {
            return Ok(None);
        }
        let access = Access::new(self.store().grants(user.id).await?);
        let actor =
            Actor { user_id: user.id, name: user.name, access, must_change_password: user.must_change_password };
        Ok(Some((actor, session.csrf)))
    }

    /// Ends a session.
    pub async fn logout(&self, actor: &Actor, token: &str, origin: &Origin) -> AppResult<()> {
        let region = actor.access.grants().first().map(|g| &g.scope);
        let entry = audit_entry(&actor.name, "session.logout", ("user", &actor.name), region, (None, None), origin);
        Ok(self.store().write(entry, async |tx| tx.delete_session(&token_hash(token)).await).await?)
    }

    /// The actor of a live, unrevoked API token.
    pub async fn token_actor(&self, token: &str, now: i64) -> AppResult<Option<Actor>> {
        let Some(t) = self.store().api_token_by_hash(&token_hash(token)).await? else { return Ok(None) };
        if t.revoked || t.expires_at <= now {
            return Ok(None);
        }
        self.actor_of(t.user_id).await
    }

    /// Changes the actor's own password; other sessions end.
    pub async fn change_password(&self, actor: &Actor, old: &str, new: &str, origin: &Origin) -> AppResult<()> {
        let user = self.store().user(actor.user_id).await?.ok_or_else(|| AppError::NotFound("user".into()))?;
        let (stored, old_owned) = (user.password_hash.clone(), old.to_string());
        if !blocking(move || verify_password(&old_owned, &stored)).await? {
            return Err(AppError::Unauthorized("the current password is wrong".into()));
        }
        password::check(new, &user.name).map_err(|e| AppError::Invalid(e.to_string()))?;
        let new_owned = new.to_string();
        let hash = blocking(move || hash_password(&new_owned)).await??;
        let before = user_json(&user, actor.access.grants());
        let region = actor.access.grants().first().map(|g| g.scope.clone());
        let mut tx = self.store().begin().await?;
        let saved = tx.update_user(&User { password_hash: hash, must_change_password: false, ..user }).await?;
        tx.delete_sessions_of(saved.id).await?;
        let after = user_json(&saved, actor.access.grants());
        let change = (Some(before), Some(after));
        tx.audit(audit_entry(
            &actor.name,
            "user.change_password",
            ("user", &saved.name),
            region.as_ref(),
            change,
            origin,
        ));
        tx.commit().await?;
        Ok(())
    }

    /// Disables or enables a user, or forces a password reset, if `version`
    /// is still current (optimistic concurrency).
    pub async fn set_user_flags(
        &self,
        by: &Actor,
        name: &str,
        version: i64,
        disabled: bool,
        must_change_password: bool,
        origin: &Origin,
    ) -> AppResult<User> {
        let user = self.store().user_by_name(name).await?.ok_or_else(|| AppError::NotFound(format!("user {name}")))?;
        let grants = self.store().grants(user.id).await?;
        self.require_may_manage(by, name, &grants).await?;
        let before = user_json(&user, &grants);
        let mut tx = self.store().begin().await?;
        let saved = tx.update_user(&User { version, disabled, must_change_password, ..user }).await?;
        if disabled {
            tx.delete_sessions_of(saved.id).await?;
        }
        let change = (Some(before), Some(user_json(&saved, &grants)));
        let region = grants.first().map(|g| &g.scope);
        tx.audit(audit_entry(&by.name, "user.update", ("user", name), region, change, origin));
        tx.commit().await?;
        Ok(saved)
    }

    /// One user `by` manages (not found if there is no such user, forbidden
    /// if `by` may not manage them).
    pub async fn managed_user(&self, by: &Actor, name: &str) -> AppResult<User> {
        let user = self.store().user_by_name(name).await?.ok_or_else(|| AppError::NotFound(format!("user {name}")))?;
        let grants = self.store().grants(user.id).await?;
        self.require_may_manage(by, name, &grants).await?;
        Ok(user)
    }

    /// The actor's own API tokens (revoked ones included).
    pub async fn api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiToken>> {
        Ok(self.store().api_tokens(actor.user_id).await?)
    }

    /// The users an administrator manages: those it could have given every
    /// grant they hold (users without grants only for national admins).
    pub async fn managed_users(&self, by: &Actor) -> AppResult<Vec<(User, Vec<Grant>)>> {
        let manages = self.management_scope(by).await?;
        if manages == Scope::Nowhere {
            return Err(AppError::Forbidden(format!("{} may not manage users", by.name)));
        }
        let mut out = Vec::new();
        for user in self.store().users().await? {
            let grants = self.store().grants(user.id).await?;
            let mut with_paths = Vec::with_capacity(grants.len());
            for g in &grants {
                with_paths
                    .push((g.clone(), self.region_path(&g.scope).await.unwrap_or_else(|_| vec![g.scope.clone()])));
            }
            if access::may_manage(&manages, &with_paths) {
                out.push((user, grants));
            }
        }
        Ok(out)
    }

    /// Gives a user one more role over a jurisdiction; `by` must manage users
    /// there. Checked against the version `by` saw (optimistic concurrency).
    pub async fn add_grant(
        &self,
        by: &Actor,
        name: &str,
        version: i64,
        grant: Grant,
        origin: &Origin,
    ) -> AppResult<()> {
        self.region(&grant.scope).await?;
        self.require_may_grant(by, std::slice::from_ref(&grant)).await?;
        let user = self.store().user_by_name(name).await?.ok_or_else(|| AppError::NotFound(format!("user {name}")))?;
        let mut grants = self.store().grants(user.id).await?;
        self.require_may_manage(by, name, &grants).await?;
        let before = user_json(&user, &grants);
        let region = grant.scope.clone();
        let mut tx = self.store().begin().await?;
        // Bumps the version, so that a concurrent edit of the same user fails.
        let saved = tx.update_user(&User { version, ..user }).await?;
        if !grants.contains(&grant) {
            grants.push(grant);
        }
        tx.set_grants(saved.id, &grants).await?;
        let change = (Some(before), Some(user_json(&saved, &grants)));
        tx.audit(audit_entry(&by.name, "user.grant", ("user", name), Some(&region), change, origin));
        tx.commit().await?;
        Ok(())
    }

    /// Creates a personal API token; returns its secret (shown once) and record.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        days: i64,
        origin: &Origin,
    ) -> AppResult<(String, ApiToken)> {
        if !(1..=366).contains(&days) {
            return Err(AppError::Invalid("a token lasts 1 to 366 days".into()));
        }
        let secret = format!("rvt_{}", random_token()?);
        let region = actor.access.grants().first().map(|g| g.scope.clone());
        let mut tx = self.store().begin().await?;
        let token = tx
            .create_api_token(actor.user_id, name, &token_hash(&secret), origin.now, origin.now + days * 86_400)
            .await?;
        let after = format!("{{\"name\":\"{}\",\"expires_at\":{}}}", name.replace('"', "'"), token.expires_at);
        let object = ("api_token", token.id.to_string());
        tx.audit(audit_entry(
            &actor.name,
            "token.create",
            (object.0, &object.1),
            region.as_ref(),
            (None, Some(after)),
            origin,
        ));
        tx.commit().await?;
        Ok((secret, token))
    }

    /// Revokes one of the actor's tokens.
    pub async fn revoke_api_token(&self, actor: &Actor, id: i64, origin: &Origin) -> AppResult<()> {
        let region = actor.access.grants().first().map(|g| g.scope.clone());
        let mut tx = self.store().begin().await?;
        if !tx.revoke_api_token(actor.user_id, id).await? {
            return Err(AppError::NotFound(format!("token {id}")));
        }
        let object = id.to_string();
        tx.audit(audit_entry(
            &actor.name,
            "token.revoke",
            ("api_token", &object),
            region.as_ref(),
            (None, None),
            origin,
        ));
        tx.commit().await?;
        Ok(())
    }

    /// The audit log, for auditors (all of it) and administrators (the
    /// entries of regions in their jurisdiction).
    pub async fn audit_entries(&self, actor: &Actor, filter: &AuditFilter, limit: i64) -> AppResult<Vec<AuditEntry>> {
        let within = match self.scope(actor, Action::ReadAudit).await? {
            Scope::Nowhere => return Err(AppError::Forbidden(format!("{} may not read the audit log", actor.name))),
            Scope::Everywhere => None,
            Scope::Within(roots) if self.covers_everything(&roots).await? => None,
            Scope::Within(roots) => Some(roots),
        };
        let filter = AuditFilter { within, ..filter.clone() };
        Ok(self.store().audit_log(&filter, limit.clamp(1, 10_000)).await?)
    }

    /// The audit entries `actor` may read (as [`App::audit_entries`]) as a
    /// CSV file for spreadsheets: a byte-order mark, and every cell made
    /// safe from formula injection (a failed login writes whatever name was
    /// typed into the log).
    pub async fn audit_csv(&self, actor: &Actor, filter: &AuditFilter, limit: i64) -> AppResult<Vec<u8>> {
        let entries = self.audit_entries(actor, filter, limit).await?;
        let error = |e: &dyn std::fmt::Display| AppError::Internal(anyhow::anyhow!("cannot write the audit CSV: {e}"));
        let mut writer = revita_ingest::export::SafeCsvWriter::new(Vec::new()).map_err(|e| error(&e))?;
        writer
            .write_record([
                "at",
                "actor",
                "action",
                "object_type",
                "object_id",
                "region",
                "before",
                "after",
                "request_id",
                "client_addr",
            ])
            .map_err(|e| error(&e))?;
        for e in &entries {
            writer
                .write_record([
                    utc_timestamp(e.at).as_str(),
                    &e.actor,
                    &e.action,
                    &e.object_type,
                    &e.object_id,
                    e.region.as_deref().unwrap_or(""),
                    e.before.as_deref().unwrap_or(""),
                    e.after.as_deref().unwrap_or(""),
                    e.request_id.as_deref().unwrap_or(""),
                    e.client_addr.as_deref().unwrap_or(""),
                ])
                .map_err(|e| error(&e))?;
        }
        writer.into_inner().map_err(|e| error(&e))
    }

    /// Recomputes the audit log's hash chain (for `revita audit verify`).
    pub async fn verify_audit_chain(&self) -> AppResult<revita_store::AuditChain> {
        Ok(self.store().verify_audit_chain().await?)
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn utc_timestamp(at: i64) -> String {
    let date = revita_methods::Date::from_days_since_epoch(at.div_euclid(86_400));
    let secs = at.rem_euclid(86_400);
    format!("{date} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_hashes() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn passwords_verify_against_their_argon2id_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "parameters are recorded with the hash: {hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert_ne!(hash, hash_password("correct horse battery").unwrap(), "a fresh salt each time");
    }

    #[test]
    fn constant_time_equality_is_equality() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
