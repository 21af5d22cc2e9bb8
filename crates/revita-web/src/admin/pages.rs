//! Users (within the administrator's jurisdiction) and the audit log, with
//! its CSV export. Every form carries the session's CSRF token; every
//! change goes to the audit log through the use cases.

use axum::extract::{Form, Path, Query};
use axum::http::header;
use axum::response::IntoResponse;
use revita_app::{AppError, AuditFilter};
use revita_methods::access::{Grant, Role};
use revita_methods::{Date, UtcOffset};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
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
    /// The create form as refused (the password is never shown again).
    entered: Entered,
}

/// What the create form held when it was refused.
#[derive(Serialize, Default)]
struct Entered {
    name: String,
    role: String,
    scope: String,
}

/// The users page, with the outcome of a form (`ok` or `error`) if any.
async fn users_page(page: &Page, message: Option<(&'static str, String)>) -> PageResult {
    users_page_with(page, message, Entered::default()).await
}

/// The users page; `entered` refills a refused create form, answered 422.
async fn users_page_with(page: &Page, message: Option<(&'static str, String)>, entered: Entered) -> PageResult {
    let users = page.app().managed_users(&page.viewer()?.actor).await?;
    let users = users
        .iter()
        .map(|(u, grants)| UserRow {
            name: u.name.clone(),
            grants: grants
                .iter()
                .map(|g| format!("{} @ {}", page.t(&format!("role_{}", g.role.as_str())), g.scope))
                .collect::<Vec<_>>()
                .join(", "),
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
        entered,
    };
    match message_class {
        "error" => page.render_with(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "users.html", page.t("users"), view),
        _ => page.render("users.html", page.t("users"), view),
    }
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
        Err(AppError::Invalid(m) | AppError::Conflict(m)) => {
            let entered = Entered { name: form.name.clone(), role: form.role.clone(), scope: form.scope.clone() };
            users_page_with(&page, Some(("error", m)), entered).await
        }
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
    /// First day shown (local date, inclusive).
    from: Option<String>,
    /// Last day shown (local date, inclusive).
    to: Option<String>,
    /// Only entries older than this one (the next page).
    before: Option<i64>,
}

/// Entries on one page of the audit log.
const AUDIT_PAGE: i64 = 100;

/// The store's filter for a query, dates taken in the server's time zone.
fn filter(q: &AuditQuery, zone: UtcOffset) -> Result<AuditFilter, AppError> {
    let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let day = |v: &Option<String>| -> Result<Option<Date>, AppError> {
        some(v).map(|t| Date::parse(&t).map_err(|e| AppError::Invalid(e.to_string()))).transpose()
    };
    Ok(AuditFilter {
        actor: some(&q.actor),
        object_type: some(&q.object_type),
        since: day(&q.from)?.map(|d| zone.start_of(d)),
        until: day(&q.to)?.map(|d| zone.start_of(d) + 86_400),
        before_id: q.before,
        ..Default::default()
    })
}

/// One changed value of an entry: the field, before and after.
#[derive(Serialize)]
struct Change {
    field: String,
    before: String,
    after: String,
}

/// An audit entry as the log shows it.
#[derive(Serialize)]
struct AuditRow {
    at: String,
    actor: String,
    /// The action's code and its name in the reader's language.
    action: String,
    action_name: String,
    object_type: String,
    object_id: String,
    /// The fields that changed, where before and after are JSON objects.
    changes: Vec<Change>,
    /// Otherwise the values as recorded.
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
    from: String,
    to: String,
    /// The id to continue from for older entries, when there are more.
    older: Option<i64>,
    /// Whether this page continues an earlier one.
    paged: bool,
    /// The time zone the times are in, e.g. `UTC+08:00`.
    zone: String,
}

/// An action's name: `import.observations` → 导入 · observations.
fn action_name(lang: Lang, action: &str) -> String {
    if let Some(name) = lang.lookup(&format!("action_{}", action.replace('.', "_"))) {
        return name.to_string();
    }
    match action.split_once('.') {
        Some((head, rest)) => match lang.lookup(&format!("action_{head}")) {
            Some(name) => format!("{name} · {rest}"),
            None => action.to_string(),
        },
        None => action.to_string(),
    }
}

/// The fields two recorded JSON objects differ in (every field of the one
/// there is when only one is), each value as compact text.
fn changes(before: Option<&str>, after: Option<&str>) -> Option<Vec<Change>> {
    let object = |text: Option<&str>| -> Option<Option<serde_json::Map<String, serde_json::Value>>> {
        match text {
            None => Some(None),
            Some(t) => match serde_json::from_str::<serde_json::Value>(t) {
                Ok(serde_json::Value::Object(map)) => Some(Some(map)),
                _ => None,
            },
        }
    };
    let (before, after) = (object(before)?, object(after)?);
    if before.is_none() && after.is_none() {
        return None;
    }
    let text = |v: Option<&serde_json::Value>| match v {
        None => "—".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let mut fields: Vec<&String> = before.iter().chain(after.iter()).flat_map(|m| m.keys()).collect();
    fields.sort();
    fields.dedup();
    Some(
        fields
            .into_iter()
            .filter_map(|f| {
                let (b, a) = (before.as_ref().and_then(|m| m.get(f)), after.as_ref().and_then(|m| m.get(f)));
                (b != a || before.is_none() || after.is_none()).then(|| Change {
                    field: f.clone(),
                    before: text(b),
                    after: text(a),
                })
            })
            .collect(),
    )
}

/// `GET /audit`: the newest entries matching the filter, a page at a time,
/// times in the server's time zone.
pub async fn audit_index(page: Page, Query(q): Query<AuditQuery>) -> PageResult {
    let zone = page.state.time_zone;
    let lang = page.lang();
    let mut entries = page.app().audit_entries(&page.viewer()?.actor, &filter(&q, zone)?, AUDIT_PAGE + 1).await?;
    let more = entries.len() as i64 > AUDIT_PAGE;
    entries.truncate(AUDIT_PAGE as usize);
    let older = if more { entries.last().map(|e| e.id) } else { None };
    let entries = entries
        .into_iter()
        .map(|e| {
            let changes = changes(e.before.as_deref(), e.after.as_deref());
            AuditRow {
                at: zone.format(e.at),
                actor: e.actor,
                action_name: action_name(lang, &e.action),
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                before: if changes.is_some() { String::new() } else { e.before.unwrap_or_default() },
                after: if changes.is_some() { String::new() } else { e.after.unwrap_or_default() },
                changes: changes.unwrap_or_default(),
                request_id: e.request_id.unwrap_or_default(),
                client_addr: e.client_addr.unwrap_or_default(),
            }
        })
        .collect();
    let view = AuditView {
        entries,
        actor: q.actor.unwrap_or_default(),
        object_type: q.object_type.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        older,
        paged: q.before.is_some(),
        zone: zone.label(),
    };
    page.render("audit.html", page.t("audit_log"), view)
}

/// `GET /audit.csv`: the same entries (up to 10,000) as CSV.
pub async fn audit_csv(page: Page, Query(q): Query<AuditQuery>) -> PageResult {
    let csv = page.app().audit_csv(&page.viewer()?.actor, &filter(&q, page.state.time_zone)?, 10_000).await?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
    ];
    Ok((headers, csv).into_response())
}
