//! Users (within the administrator's jurisdiction) and the audit log, with
//! its CSV export. Every form carries the session's CSRF token; every
//! change goes to the audit log through the use cases.

use axum::extract::{Form, Path, Query};
use axum::http::header;
use axum::response::IntoResponse;
use revita_app::{AppError, AuditFilter};
use revita_methods::access::{Grant, Role};
use serde::{Deserialize, Serialize};

use crate::kit::{Page, PageResult};

/// A user as the list shows it.
#[derive(Serialize)]
struct UserRow {
    name: String,
    grants: String,
    disabled: bool,
    must_change: bool,
    version: i64,
}

/// `users.html`.
#[derive(Serialize)]
struct UsersView {
    users: Vec<UserRow>,
    roles: [&'static str; 5],
    csrf: String,
    message: Option<String>,
    /// `ok` or `error`.
    message_class: &'static str,
}

/// The users page, with the outcome of a form (`ok` or `error`) if any.
async fn users_page(page: &Page, message: Option<(&'static str, String)>) -> PageResult {
    let users = page.app().managed_users(&page.viewer()?.actor).await?;
    let users = users
        .iter()
        .map(|(u, grants)| UserRow {
            name: u.name.clone(),
            grants: grants.iter().map(|g| format!("{} @ {}", g.role, g.scope)).collect::<Vec<_>>().join(", "),
            disabled: u.disabled,
            must_change: u.must_change_password,
            version: u.version,
        })
        .collect();
    let (message_class, message) = message.map_or(("", None), |(class, m)| (class, Some(m)));
    let view = UsersView {
        users,
        roles: ["viewer", "data_entry", "planner", "auditor", "admin"],
        csrf: page.csrf(),
        message,
        message_class,
    };
    page.render("users.html", page.t("users"), view)
}

/// `GET /admin/users`.
pub async fn users_index(page: Page) -> PageResult {
    users_page(&page, None).await
}

#[derive(Deserialize)]
pub struct NewUser {
    csrf: String,
    name: String,
    password: String,
    role: String,
    scope: String,
}

/// `POST /admin/users`: creates a user with one grant.
pub async fn users_create(page: Page, Form(form): Form<NewUser>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let page = page.at("/admin/users");
    let created = async {
        let role =
            Role::parse(&form.role).ok_or_else(|| AppError::Invalid(format!("'{}' is not a role", form.role)))?;
        let grant = Grant { role, scope: page.app().parse_region_code(&form.scope)? };
        let by = &page.viewer()?.actor;
        page.app().create_user(Some(by), &form.name, &form.password, &[grant], &page.origin()).await
    };
    match created.await {
        Ok(user) => users_page(&page, Some(("ok", format!("{} {}", page.t("saved"), user.name)))).await,
        Err(AppError::Invalid(m) | AppError::Conflict(m)) => users_page(&page, Some(("error", m))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct UserAction {
    csrf: String,
    version: i64,
    action: String,
    /// For `grant`: the role and jurisdiction to add.
    role: Option<String>,
    scope: Option<String>,
}

/// `POST /admin/users/{name}`: disable, enable, force a password reset or
/// add a role, against the version the page showed (a stale page gets a
/// conflict).
pub async fn users_update(page: Page, Path(name): Path<String>, Form(form): Form<UserAction>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let page = page.at("/admin/users");
    let by = &page.viewer()?.actor;
    let updated = async {
        let user = page.app().managed_user(by, &name).await?;
        if form.action == "grant" {
            let role =
                form.role.as_deref().and_then(Role::parse).ok_or_else(|| AppError::Invalid("choose a role".into()))?;
            let scope = page.app().parse_region_code(form.scope.as_deref().unwrap_or(""))?;
            page.app().add_grant(by, &name, form.version, Grant { role, scope }, &page.origin()).await?;
            return page.app().managed_user(by, &name).await;
        }
        let (disabled, must_change) = match form.action.as_str() {
            "disable" => (true, user.must_change_password),
            "enable" => (false, user.must_change_password),
            "reset" => (user.disabled, true),
            other => return Err(AppError::Invalid(format!("'{other}' is not disable, enable or reset"))),
        };
        page.app().set_user_flags(by, &name, form.version, disabled, must_change, &page.origin()).await
    };
    match updated.await {
        Ok(user) => users_page(&page, Some(("ok", format!("{} {}", page.t("saved"), user.name)))).await,
        Err(AppError::Conflict(m)) => users_page(&page, Some(("error", m))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    object_type: Option<String>,
}

fn filter(q: &AuditQuery) -> AuditFilter {
    let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    AuditFilter { actor: some(&q.actor), object_type: some(&q.object_type), ..Default::default() }
}

/// An audit entry as the log shows it.
#[derive(Serialize)]
struct AuditRow {
    at: String,
    actor: String,
    action: String,
    object_type: String,
    object_id: String,
    before: String,
    after: String,
    request_id: String,
    client_addr: String,
}

/// `audit.html`.
#[derive(Serialize)]
struct AuditView {
    entries: Vec<AuditRow>,
    actor: String,
    object_type: String,
}

/// `GET /audit`: the newest 500 entries matching the filter.
pub async fn audit_index(page: Page, Query(q): Query<AuditQuery>) -> PageResult {
    let entries = page.app().audit_entries(&page.viewer()?.actor, &filter(&q), 500).await?;
    let entries = entries
        .into_iter()
        .map(|e| AuditRow {
            at: revita_app::auth::utc_timestamp(e.at),
            actor: e.actor,
            action: e.action,
            object_type: e.object_type,
            object_id: e.object_id,
            before: e.before.unwrap_or_default(),
            after: e.after.unwrap_or_default(),
            request_id: e.request_id.unwrap_or_default(),
            client_addr: e.client_addr.unwrap_or_default(),
        })
        .collect();
    let view =
        AuditView { entries, actor: q.actor.unwrap_or_default(), object_type: q.object_type.unwrap_or_default() };
    page.render("audit.html", page.t("audit_log"), view)
}

/// `GET /audit.csv`: the same entries (up to 10,000) as CSV.
pub async fn audit_csv(page: Page, Query(q): Query<AuditQuery>) -> PageResult {
    let csv = page.app().audit_csv(&page.viewer()?.actor, &filter(&q), 10_000).await?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
    ];
    Ok((headers, csv).into_response())
}
