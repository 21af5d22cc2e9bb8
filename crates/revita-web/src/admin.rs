//! The security pages: users (for administrators, within their
//! jurisdiction), personal API tokens, and the audit log (for auditors and
//! administrators, with a CSV export). Every form carries the session's CSRF
//! token; every change goes to the audit log through the use cases.

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Value;
use revita_app::AppError;
use revita_app::AuditFilter;
use revita_methods::access::{Grant, Role};
use serde::Deserialize;

use crate::auth::{Viewer, origin};
use crate::kit::error_page;
use crate::request_id::RequestId;
use crate::state::WebState;
use crate::views::{PageContext, html, render};

fn page(state: &WebState, ctx: &PageContext, template: &str, title: &str, values: Value, id: &RequestId) -> Response {
    match render(&state.templates, template, ctx, title, values) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => error_page(state, ctx, AppError::Internal(anyhow::anyhow!("template {template}: {e}")), id),
    }
}

async fn users_page(
    state: &WebState,
    ctx: &PageContext,
    viewer: &Viewer,
    id: &RequestId,
    message: Option<(&str, String)>,
) -> Response {
    let users = match state.app.managed_users(&viewer.actor).await {
        Ok(users) => users,
        Err(e) => return error_page(state, ctx, e, id),
    };
    let rows: Vec<Value> = users
        .iter()
        .map(|(u, grants)| {
            let grants = grants.iter().map(|g| format!("{} @ {}", g.role, g.scope)).collect::<Vec<_>>().join(", ");
            context! { name => u.name.clone(), grants => grants, disabled => u.disabled, must_change => u.must_change_password, version => u.version }
        })
        .collect();
    let roles = ["viewer", "data_entry", "planner", "auditor", "admin"];
    let (message_class, message) = message.map_or(("", None), |(c, m)| (c, Some(m)));
    let values = context! {
        users => rows, roles => roles, csrf => viewer.csrf.clone().unwrap_or_default(),
        message => message, message_class => message_class,
    };
    page(state, ctx, "users.html", ctx.t("users"), values, id)
}

/// `GET /admin/users`.
pub async fn users_index(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
) -> Response {
    let ctx = PageContext::new(&headers, "/admin/users".into()).viewer(Some(&viewer));
    users_page(&state, &ctx, &viewer, &id, None).await
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
pub async fn users_create(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Form(form): Form<NewUser>,
) -> Response {
    let ctx = PageContext::new(&headers, "/admin/users".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        let role =
            Role::parse(&form.role).ok_or_else(|| AppError::Invalid(format!("'{}' is not a role", form.role)))?;
        let grant = Grant { role, scope: state.app.parse_region_code(&form.scope)? };
        state.app.create_user(Some(&viewer.actor), &form.name, &form.password, &[grant], &origin(&headers, &id)).await
    };
    match result.await {
        Ok(user) => {
            users_page(&state, &ctx, &viewer, &id, Some(("ok", format!("{} {}", ctx.t("saved"), user.name)))).await
        }
        Err(AppError::Invalid(m) | AppError::Conflict(m)) => {
            users_page(&state, &ctx, &viewer, &id, Some(("error", m))).await
        }
        Err(e) => error_page(&state, &ctx, e, &id),
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

/// `POST /admin/users/{name}`: disable, enable or force a password reset,
/// against the version the page showed (a stale page gets a conflict).
pub async fn users_update(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(form): Form<UserAction>,
) -> Response {
    let ctx = PageContext::new(&headers, "/admin/users".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        let user = state.app.managed_user(&viewer.actor, &name).await?;
        if form.action == "grant" {
            let role =
                form.role.as_deref().and_then(Role::parse).ok_or_else(|| AppError::Invalid("choose a role".into()))?;
            let scope = state.app.parse_region_code(form.scope.as_deref().unwrap_or(""))?;
            let origin = origin(&headers, &id);
            state.app.add_grant(&viewer.actor, &name, form.version, Grant { role, scope }, &origin).await?;
            return state.app.managed_user(&viewer.actor, &name).await;
        }
        let (disabled, must_change) = match form.action.as_str() {
            "disable" => (true, user.must_change_password),
            "enable" => (false, user.must_change_password),
            "reset" => (user.disabled, true),
            other => return Err(AppError::Invalid(format!("'{other}' is not disable, enable or reset"))),
        };
        state
            .app
            .set_user_flags(&viewer.actor, &name, form.version, disabled, must_change, &origin(&headers, &id))
            .await
    };
    match result.await {
        Ok(user) => {
            users_page(&state, &ctx, &viewer, &id, Some(("ok", format!("{} {}", ctx.t("saved"), user.name)))).await
        }
        Err(AppError::Conflict(m)) => users_page(&state, &ctx, &viewer, &id, Some(("error", m))).await,
        Err(e) => error_page(&state, &ctx, e, &id),
    }
}

async fn tokens_page(
    state: &WebState,
    ctx: &PageContext,
    viewer: &Viewer,
    id: &RequestId,
    secret: Option<String>,
) -> Response {
    let tokens = match state.app.api_tokens(&viewer.actor).await {
        Ok(tokens) => tokens,
        Err(e) => return error_page(state, ctx, e, id),
    };
    let rows: Vec<Value> = tokens
        .iter()
        .map(|k| {
            let expires = ctx.lang.date(revita_methods::Date::from_days_since_epoch(k.expires_at.div_euclid(86_400)));
            context! { id => k.id, name => k.name.clone(), expires => expires, revoked => k.revoked }
        })
        .collect();
    let values = context! { tokens => rows, secret => secret, csrf => viewer.csrf.clone().unwrap_or_default() };
    page(state, ctx, "tokens.html", ctx.t("api_tokens"), values, id)
}

/// `GET /account/tokens`.
pub async fn tokens_index(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
) -> Response {
    let ctx = PageContext::new(&headers, "/account/tokens".into()).viewer(Some(&viewer));
    tokens_page(&state, &ctx, &viewer, &id, None).await
}

#[derive(Deserialize)]
pub struct NewToken {
    csrf: String,
    name: String,
    days: i64,
}

/// `POST /account/tokens`: creates a token and shows its secret once.
pub async fn tokens_create(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Form(form): Form<NewToken>,
) -> Response {
    let ctx = PageContext::new(&headers, "/account/tokens".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        state.app.create_api_token(&viewer.actor, &form.name, form.days, &origin(&headers, &id)).await
    };
    match result.await {
        Ok((secret, _)) => tokens_page(&state, &ctx, &viewer, &id, Some(secret)).await,
        Err(e) => error_page(&state, &ctx, e, &id),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn tokens_revoke(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(token): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let ctx = PageContext::new(&headers, "/account/tokens".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        state.app.revoke_api_token(&viewer.actor, token, &origin(&headers, &id)).await
    };
    match result.await {
        Ok(()) => Redirect::to("/account/tokens").into_response(),
        Err(e) => error_page(&state, &ctx, e, &id),
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

/// `GET /audit`: the newest 500 entries matching the filter.
pub async fn audit_index(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    let ctx = PageContext::new(&headers, "/audit".into()).viewer(Some(&viewer));
    let entries = match state.app.audit_entries(&viewer.actor, &filter(&q), 500).await {
        Ok(entries) => entries,
        Err(e) => return error_page(&state, &ctx, e, &id),
    };
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| context! {
            at => revita_app::auth::utc_timestamp(e.at), actor => e.actor.clone(), action => e.action.clone(), object_type => e.object_type.clone(),
            object_id => e.object_id.clone(), before => e.before.clone().unwrap_or_default(), after => e.after.clone().unwrap_or_default(),
            request_id => e.request_id.clone().unwrap_or_default(), client_addr => e.client_addr.clone().unwrap_or_default(),
        })
        .collect();
    let values = context! { entries => rows, actor => q.actor.clone().unwrap_or_default(), object_type => q.object_type.clone().unwrap_or_default() };
    page(&state, &ctx, "audit.html", ctx.t("audit_log"), values, &id)
}

/// `GET /audit.csv`: the same entries (up to 10,000) as CSV.
pub async fn audit_csv(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    let ctx = PageContext::new(&headers, "/audit".into()).viewer(Some(&viewer));
    let csv = match state.app.audit_csv(&viewer.actor, &filter(&q), 10_000).await {
        Ok(csv) => csv,
        Err(e) => return error_page(&state, &ctx, e, &id),
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        csv,
    )
        .into_response()
}
