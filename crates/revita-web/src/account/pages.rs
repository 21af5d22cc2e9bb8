//! Login (with its own CSRF token, see [`crate::auth`]), logout, the
//! password, and personal API tokens.

use axum::extract::{Form, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect};
use revita_app::AppError;
use revita_app::auth::constant_time_eq;
use serde::{Deserialize, Serialize};

use crate::auth::{LOGIN_CSRF_COOKIE, LOGIN_FORM_SECONDS, SESSION_COOKIE, cookie, is_secure};
use crate::kit::{Page, PageResult};

/// Only local paths, so that `next` cannot send a user elsewhere.
fn local(next: Option<String>) -> String {
    crate::redirect::local_or_home(next)
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// The login form's CSRF cookie: `token` for an hour, or expired (`None`).
fn login_csrf_cookie(token: Option<&str>, secure: bool) -> String {
    format!(
        "{LOGIN_CSRF_COOKIE}={}; Path=/login; HttpOnly; SameSite=Strict; Max-Age={}{}",
        token.unwrap_or(""),
        if token.is_some() { LOGIN_FORM_SECONDS } else { 0 },
        if secure { "; Secure" } else { "" }
    )
}

/// `login.html`.
#[derive(Serialize)]
struct LoginView<'a> {
    next: &'a str,
    error: Option<String>,
    csrf: &'a str,
}

/// The login page, with the form's token in the form and in its cookie:
/// the token the browser already holds, else a fresh one. Keeping it matters
/// because a browser may fetch the login page more than once for one form
/// (a favicon request, redirected to log in like any other, sets the cookie
/// again), and a new token each time would refuse the form it shows.
fn login_page(page: &Page, next: &str, error: Option<String>, status: StatusCode) -> PageResult {
    let held = cookie(page.headers(), LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    let token = match held {
        Some(token) => token,
        None => revita_app::auth::random_token()?,
    };
    let body = page.render_with(status, "login.html", page.t("log_in"), LoginView { next, error, csrf: &token })?;
    let cookie = login_csrf_cookie(Some(&token), is_secure(page.headers()));
    Ok(([(header::SET_COOKIE, cookie)], body).into_response())
}

/// `GET /login`.
pub async fn login_form(page: Page, Query(q): Query<NextParam>) -> PageResult {
    // The language switch returns to the bare form: `next` is carried only
    // once checked to be local.
    login_page(&page.at("/login"), &local(q.next), None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
    /// The form's token; optional, so that a form without one is refused
    /// with the login page rather than a bare 422.
    csrf: Option<String>,
}

/// `POST /login`: the form's token must match its cookie (see
/// [`crate::auth`]) before the password is even looked at, so that forged
/// logins neither log anyone in nor count towards the login throttle.
/// SameSite keeps other sites' forms from using the session cookie it sets.
pub async fn login_submit(page: Page, Form(form): Form<LoginForm>) -> PageResult {
    let page = page.at("/login");
    let next = local(form.next.clone());
    let expected = cookie(page.headers(), LOGIN_CSRF_COOKIE).unwrap_or_default();
    let submitted = form.csrf.as_deref().unwrap_or("");
    if expected.is_empty() || !constant_time_eq(&expected, submitted) {
        let message = page.t("login_form_expired").to_string();
        return login_page(&page, &next, Some(message), StatusCode::FORBIDDEN);
    }
    match page.app().login(form.name.trim(), &form.password, &page.origin()).await {
        Ok(session) => {
            let secure = is_secure(page.headers());
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                session.token,
                revita_app::auth::SESSION_SECONDS,
                if secure { "; Secure" } else { "" }
            );
            let cookies =
                AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, login_csrf_cookie(None, secure))]);
            Ok((cookies, Redirect::to(&next)).into_response())
        }
        Err(AppError::Unauthorized(message)) => login_page(&page, &next, Some(message), StatusCode::UNAUTHORIZED),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(page: Page, Form(form): Form<CsrfForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let viewer = page.viewer()?;
    if let Some(token) = &viewer.session {
        // Logging out ends the session whatever else fails.
        let _ = page.app().logout(&viewer.actor, token, &page.origin()).await;
    }
    let expired = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, expired)], Redirect::to("/login")).into_response())
}

/// `password.html`.
#[derive(Serialize)]
struct PasswordView {
    message: Option<String>,
    must_change: bool,
    csrf: String,
    user: String,
}

fn password_page(page: &Page, message: Option<String>, status: StatusCode) -> PageResult {
    let viewer = page.viewer()?;
    let view = PasswordView {
        message,
        must_change: viewer.actor.must_change_password,
        csrf: page.csrf(),
        user: viewer.actor.name.clone(),
    };
    page.render_with(status, "password.html", page.t("change_password"), view)
}

/// `GET /account/password`.
pub async fn password_form(page: Page) -> PageResult {
    password_page(&page, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
}

/// `POST /account/password`: changes the password; other sessions end, so
/// the user logs in again.
pub async fn password_submit(page: Page, Form(form): Form<PasswordForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let page = page.at("/account/password");
    match page.app().change_password(&page.viewer()?.actor, &form.current, &form.new, &page.origin()).await {
        Ok(()) => Ok(Redirect::to("/login").into_response()),
        Err(AppError::Invalid(m) | AppError::Unauthorized(m)) => password_page(&page, Some(m), StatusCode::BAD_REQUEST),
        Err(e) => Err(e.into()),
    }
}

/// One of the user's tokens.
#[derive(Serialize)]
struct TokenRow {
    id: i64,
    name: String,
    expires: String,
    revoked: bool,
}

/// `tokens.html`.
#[derive(Serialize)]
struct TokensView {
    tokens: Vec<TokenRow>,
    /// A new token's secret, shown once.
    secret: Option<String>,
    csrf: String,
}

async fn tokens_page(page: &Page, secret: Option<String>) -> PageResult {
    let tokens = page
        .app()
        .api_tokens(&page.viewer()?.actor)
        .await?
        .iter()
        .map(|k| TokenRow {
            id: k.id,
            name: k.name.clone(),
            expires: page.lang().date(revita_methods::Date::from_days_since_epoch(k.expires_at.div_euclid(86_400))),
            revoked: k.revoked,
        })
        .collect();
    page.render("tokens.html", page.t("api_tokens"), TokensView { tokens, secret, csrf: page.csrf() })
}

/// `GET /account/tokens`.
pub async fn tokens_index(page: Page) -> PageResult {
    tokens_page(&page, None).await
}

#[derive(Deserialize)]
pub struct NewToken {
    csrf: String,
    name: String,
    days: i64,
}

/// `POST /account/tokens`: creates a token and shows its secret once.
pub async fn tokens_create(page: Page, Form(form): Form<NewToken>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let (secret, _) = page.app().create_api_token(&page.viewer()?.actor, &form.name, form.days, &page.origin()).await?;
    tokens_page(&page.at("/account/tokens"), Some(secret)).await
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn tokens_revoke(page: Page, Path(token): Path<i64>, Form(form): Form<CsrfForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    page.app().revoke_api_token(&page.viewer()?.actor, token, &page.origin()).await?;
    page.see_other("/account/tokens")
}
