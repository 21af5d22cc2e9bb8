//! What every page handler shares, so that a handler says only what is its
//! own: the [`Page`] extractor (the request's viewer, language, id and path),
//! [`PageError`] (a use-case error on its way to the error page, through the
//! one status table of [`crate::error`]), rendering a typed view, and the
//! checks every form makes.
//!
//! A handler is `async fn(page: Page, …) -> PageResult`: `?` on any
//! `AppResult` turns a refusal into the right status, and the
//! [`error_pages`] middleware renders it in the reader's language with the
//! request id, as every page's error looks.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use revita_app::auth::Origin;
use revita_app::{App, AppError, AppResult, Jurisdiction};
use serde::Serialize;

use crate::auth::Viewer;
use crate::i18n::Lang;
use crate::request_id::RequestId;
use crate::state::WebState;
use crate::views::{PageContext, html, render};

/// A page request: the server's state, the request id, the viewer (if
/// any), and what the page needs to render (language, path).
pub struct Page {
    /// The server's state.
    pub state: WebState,
    /// The request id, shown on error pages and written to the audit log.
    pub id: RequestId,
    /// Who is reading: a user, an anonymous reader of a published page, or
    /// nobody (the login page).
    pub viewer: Option<Viewer>,
    /// The language and path every template is given.
    pub ctx: PageContext,
    headers: HeaderMap,
}

impl FromRequestParts<WebState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Page, Self::Rejection> {
        let id = parts.extensions.get::<RequestId>().cloned().unwrap_or_else(|| RequestId("-".into()));
        let viewer = parts.extensions.get::<Viewer>().cloned();
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let ctx = PageContext::new(&parts.headers, path).viewer(viewer.as_ref());
        Ok(Page { state: state.clone(), id, viewer, ctx, headers: parts.headers.clone() })
    }
}

impl Page {
    /// The application.
    pub fn app(&self) -> &App {
        &self.state.app
    }

    /// The page's language.
    pub fn lang(&self) -> Lang {
        self.ctx.lang
    }

    /// A message in the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        self.ctx.t(key)
    }

    /// The signed-in viewer; pages behind the login have one (the
    /// authentication middleware sends everyone else to log in).
    pub fn viewer(&self) -> AppResult<&Viewer> {
        self.viewer.as_ref().ok_or_else(|| AppError::Unauthorized("log in to see this page".into()))
    }

    /// The same page shown as `path` (a form's answer is the page the form
    /// was on: the language switch must return there, not to the POST).
    pub fn at(mut self, path: &str) -> Page {
        self.ctx.path = path.to_string();
        self
    }

    /// The session's CSRF token, for the forms a page shows.
    pub fn csrf(&self) -> String {
        self.viewer.as_ref().and_then(|v| v.csrf.clone()).unwrap_or_default()
    }

    /// Where the viewer may read (nowhere without one).
    pub async fn visible(&self) -> AppResult<Jurisdiction> {
        self.state.visible(self.viewer.as_ref()).await
    }

    /// Fails unless the viewer may read the region (403 outside the
    /// jurisdiction, 404 for no such region).
    pub async fn readable(&self, code: &revita_methods::RegionCode) -> AppResult<Jurisdiction> {
        self.state.readable(self.viewer.as_ref(), code).await
    }

    /// Fails unless `submitted` is the session's CSRF token: the check of
    /// every form that changes something.
    pub fn check_csrf(&self, submitted: &str) -> AppResult<()> {
        self.viewer()?.check_csrf(submitted)
    }

    /// Where a change comes from, for the audit log.
    pub fn origin(&self) -> Origin {
        crate::auth::origin(&self.headers, &self.id)
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Renders `template` with a typed view (any `Serialize` value) as a 200.
    pub fn render(&self, template: &str, title: &str, view: impl Serialize) -> PageResult {
        self.render_with(StatusCode::OK, template, title, view)
    }

    /// Renders `template` with a typed view under `status` (a form shown
    /// again with its problems is a 422).
    pub fn render_with(&self, status: StatusCode, template: &str, title: &str, view: impl Serialize) -> PageResult {
        let values = minijinja::Value::from(minijinja::value::Serde(&view));
        render(&self.state.templates, template, &self.ctx, title, values)
            .map(|body| html(status, body))
            .map_err(|e| PageError::App(AppError::Internal(anyhow::anyhow!("template {template}: {e:#}"))))
    }

    /// Receives an upload form: the CSRF token (a field before the file, as
    /// the form sends it) and the file type are checked before the file is
    /// written; the file is streamed to the upload directory, and refused
    /// (413) past the limit, before a byte is read if the request says so.
    pub async fn receive(
        &self,
        multipart: axum::extract::Multipart,
        extensions: &[&str],
        unsupported: impl Fn(&str, &str) -> String,
    ) -> PageResult<crate::staging::Received> {
        use crate::staging::Refusal;
        let viewer = self.viewer()?;
        let uploads = &self.state.uploads;
        let declared = self
            .headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > uploads.settings().max_request_bytes()) {
            return Err(PageError::TooLarge);
        }
        let received = uploads
            .receive(multipart, viewer.actor.user_id, |fields, name, extension| {
                viewer.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
                if extensions.contains(&extension) {
                    Ok(())
                } else {
                    Err(AppError::Invalid(unsupported(name, extension)))
                }
            })
            .await
            .map_err(|refusal| match refusal {
                Refusal::TooLarge => PageError::TooLarge,
                Refusal::Error(e) => PageError::App(e),
            })?;
        // A form without a file still needs its token.
        viewer.check_csrf(received.fields.get("csrf").map_or("", String::as_str))?;
        Ok(received)
    }

    /// After a form: back to `to` (303, so that reloading does not post again).
    pub fn see_other(&self, to: &str) -> PageResult {
        Ok(Redirect::to(to).into_response())
    }
}

/// An API request: the server's state and the caller (every API route
/// needs one: the authentication middleware answers 401 to anyone else).
pub struct Api {
    /// The server's state.
    pub state: WebState,
    /// The caller.
    pub viewer: Viewer,
    /// Whether the path asks for CSV (a list's `.csv` twin).
    pub csv: bool,
}

impl FromRequestParts<WebState> for Api {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Api, Self::Rejection> {
        let viewer = parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| AppError::Unauthorized("send a session cookie or an API token".into()))?;
        Ok(Api { state: state.clone(), viewer, csv: parts.uri.path().ends_with(".csv") })
    }
}

impl Api {
    /// Receives a multipart upload to the API: files of `extensions`
    /// streamed to the upload directory within the upload limit (the
    /// caller has checked the CSRF header with [`api_write`]).
    pub async fn receive(
        &self,
        multipart: axum::extract::Multipart,
        extensions: &[&str],
    ) -> AppResult<crate::staging::Received> {
        use crate::staging::Refusal;
        let limit = self.state.uploads.settings().max_bytes;
        self.state
            .uploads
            .receive(multipart, self.viewer.actor.user_id, |_, name, extension| {
                if extensions.contains(&extension) {
                    Ok(())
                } else {
                    Err(AppError::Invalid(format!("{name}: send a .{} file", extensions.join(" or ."))))
                }
            })
            .await
            .map_err(|refusal| match refusal {
                Refusal::TooLarge => {
                    AppError::Invalid(format!("a file or field is larger than the upload limit ({} MiB)", limit >> 20))
                }
                Refusal::Error(e) => e,
            })
    }

    /// The application.
    pub fn app(&self) -> &App {
        &self.state.app
    }

    /// Where the caller may read.
    pub async fn visible(&self) -> AppResult<Jurisdiction> {
        self.state.visible(Some(&self.viewer)).await
    }

    /// Fails unless the caller may read the region.
    pub async fn readable(&self, code: &revita_methods::RegionCode) -> AppResult<Jurisdiction> {
        self.state.readable(Some(&self.viewer), code).await
    }

    /// A region code from the request, parsed and normalised; a code the
    /// scheme refuses is a bad request (as the API's description says).
    pub fn region_code(&self, text: &str) -> AppResult<revita_methods::RegionCode> {
        let code = self.state.app.parse_region_code(text)?;
        self.state.app.scheme().normalize(&code).map_err(|e| AppError::Invalid(e.to_string()))
    }

    /// A level from the request: one of the code scheme's (an unknown
    /// level is refused rather than answered with nothing).
    pub fn level(&self, text: Option<&str>) -> AppResult<Option<String>> {
        let levels = self.state.app.scheme().levels();
        match text {
            None => Ok(None),
            Some(level) if levels.contains(&level) => Ok(Some(level.to_string())),
            Some(level) => Err(AppError::Invalid(format!("level '{level}' is not one of {}", levels.join(", ")))),
        }
    }
}

/// A write through the API: the caller's CSRF token checked (a session
/// sends it in `X-CSRF-Token`; a bearer token needs none) and where the
/// write comes from, for the audit log.
pub fn api_write(api: &Api, headers: &HeaderMap) -> AppResult<Origin> {
    api.viewer.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or(""))?;
    Ok(crate::auth::origin(headers, &crate::request_id::RequestId(crate::request_id::current())))
}

/// A typed JSON body as the fields of the form that makes the same change,
/// so that both go through one parser: text as itself, numbers as written,
/// `true` as "true" (`false` and null as absent), a list of numbers under
/// `goals` as the form's `goal_<n>` boxes and amounts under `budget` as its
/// `budget_<source>` fields.
pub fn form_fields(body: &impl Serialize) -> AppResult<Fields> {
    let value = serde_json::to_value(body).map_err(|e| AppError::Internal(anyhow::anyhow!("a body: {e}")))?;
    let mut fields = Fields::new();
    for (name, value) in value.as_object().into_iter().flatten() {
        match value {
            serde_json::Value::String(text) => {
                fields.insert(name.clone(), text.clone());
            }
            serde_json::Value::Number(n) => {
                fields.insert(name.clone(), n.to_string());
            }
            serde_json::Value::Bool(true) => {
                fields.insert(name.clone(), "true".into());
            }
            serde_json::Value::Array(items) if name == "goals" => {
                for goal in items {
                    fields.insert(format!("goal_{goal}"), "1".into());
                }
            }
            serde_json::Value::Object(amounts) if name == "budget" => {
                for (source, amount) in amounts {
                    fields.insert(format!("budget_{source}"), amount.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(fields)
}

/// What a page handler returns.
pub type PageResult<T = Response> = Result<T, PageError>;

/// A page that failed, on its way to the error page. Its response carries
/// the error to [`error_pages`], which renders it; its status comes from
/// the one table ([`crate::error::classify`]).
#[derive(Debug)]
pub enum PageError {
    /// A use case refused or failed.
    App(AppError),
    /// An upload over the limit (413, the limit in the reader's language).
    TooLarge,
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> PageError {
        PageError::App(error)
    }
}

/// The error a failed page's response carries to [`error_pages`]
/// (extensions must be `Clone`; the error is taken out once).
#[derive(Clone)]
struct Failure(Arc<Mutex<Option<PageError>>>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = match &self {
            PageError::App(error) => crate::error::classify(error).0,
            PageError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(Failure(Arc::new(Mutex::new(Some(self)))));
        response
    }
}

/// Middleware: renders the error page of a handler that failed with a
/// [`PageError`], in the reader's language and with the request id.
pub async fn error_pages(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    let ctx = PageContext::new(request.headers(), path).viewer(request.extensions().get::<Viewer>());
    let id = request.extensions().get::<RequestId>().cloned().unwrap_or_else(|| RequestId("-".into()));
    let mut response = next.run(request).await;
    let failure = response.extensions_mut().remove::<Failure>();
    match failure.and_then(|f| f.0.lock().ok().and_then(|mut e| e.take())) {
        Some(PageError::App(error)) => error_page(&state, &ctx, error, &id),
        Some(PageError::TooLarge) => too_large_page(&state, &ctx, &id),
        None => response,
    }
}

/// `error.html`.
#[derive(Serialize)]
struct ErrorView<'a> {
    heading: &'a str,
    message: String,
    request_id: &'a str,
}

impl ErrorView<'_> {
    fn value(&self) -> minijinja::Value {
        minijinja::Value::from(minijinja::value::Serde(self))
    }
}

/// The HTML error page: 404, 400, 403 and 409 say what was wrong, 500 says
/// only that something was (the log has the details under the request id).
pub fn error_page(state: &WebState, ctx: &PageContext, error: AppError, id: &RequestId) -> Response {
    let (status, _) = crate::error::classify(&error);
    let (heading, message) = match &error {
        AppError::NotFound(what) => (ctx.t("error_not_found"), what.to_string()),
        AppError::Unauthorized(m) => (ctx.t("error_unauthorized"), m.clone()),
        AppError::Forbidden(m) => (ctx.t("error_forbidden"), m.clone()),
        AppError::Invalid(m) => (ctx.t("error_bad_request"), m.clone()),
        AppError::Conflict(m) => (ctx.t("error_conflict"), m.clone()),
        AppError::Rejected { problems, .. } => (ctx.t("error_bad_request"), problems.to_string()),
        AppError::Busy => (ctx.t("error_busy"), ctx.t("error_busy_message").to_string()),
        AppError::Internal(e) => {
            tracing::error!(request_id = %id.0, error = ?e, "internal error");
            (ctx.t("error_internal"), String::new())
        }
    };
    let view = ErrorView { heading, message, request_id: &id.0 };
    let mut response = match render(&state.templates, "error.html", ctx, heading, view.value()) {
        Ok(body) => html(status, body),
        Err(_) => (status, format!("{heading} ({})", id.0)).into_response(),
    };
    if matches!(error, AppError::Busy) {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECONDS),
        );
    }
    response
}

/// Today (UTC), for the dates a page judges by.
pub fn today() -> revita_methods::Date {
    revita_methods::Date::from_days_since_epoch(crate::auth::now().div_euclid(86_400))
}

/// A page saying the upload is over the limit (413), in the page's language.
fn too_large_page(state: &WebState, ctx: &PageContext, id: &RequestId) -> Response {
    let limit_mb = state.uploads.settings().max_bytes.div_ceil(1024 * 1024);
    let heading = ctx.t("error_too_large");
    let message = format!("{} {limit_mb} MB", ctx.t("upload_too_large"));
    let view = ErrorView { heading, message, request_id: &id.0 };
    match render(&state.templates, "error.html", ctx, heading, view.value()) {
        Ok(body) => html(StatusCode::PAYLOAD_TOO_LARGE, body),
        Err(_) => (StatusCode::PAYLOAD_TOO_LARGE, format!("{heading} ({})", id.0)).into_response(),
    }
}

/// A form the data refused, shown again with its reason and what was typed
/// in it (nothing a user entered is lost): the template names the form
/// (`goal`, `progress-7`, …) and finds it by `form`.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    /// The form, as the template names it.
    pub form: String,
    /// Why it was refused.
    pub reason: String,
    /// What was typed (the CSRF token left out).
    pub entered: Fields,
    /// The item whose form it was (a project, a case), if it was one's.
    pub item: Option<i64>,
}

impl Refused {
    /// The refusal of `form` for `reason`, keeping `entered`.
    pub fn new(form: String, reason: String, entered: Fields, item: Option<i64>) -> Refused {
        Refused { form, reason, entered: entered.into_iter().filter(|(k, _)| k != "csrf").collect(), item }
    }
}

/// A form's fields by name (forms whose fields vary with what they edit).
pub type Fields = std::collections::HashMap<String, String>;

/// A field, trimmed; `None` when absent or blank.
pub fn field<'a>(form: &'a Fields, name: &str) -> Option<&'a str> {
    form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// A field that must be filled in.
pub fn required<'a>(form: &'a Fields, name: &str) -> AppResult<&'a str> {
    field(form, name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")))
}

/// A field that must be a number (of any type that parses).
pub fn number<T: std::str::FromStr>(form: &Fields, name: &str) -> AppResult<T> {
    let text = required(form, name)?;
    text.parse().map_err(|_| AppError::Invalid(format!("{name}: '{text}' is not a number")))
}

/// A field that must be a date (`YYYY-MM-DD`).
pub fn date(form: &Fields, name: &str) -> AppResult<revita_methods::Date> {
    let text = required(form, name)?;
    revita_methods::Date::parse(text).map_err(|e| AppError::Invalid(format!("{name}: '{text}': {e}")))
}

/// A table download: CSV or XLSX bytes as an attachment named `stem.ext`.
pub fn attachment(bytes: Vec<u8>, format: revita_app::export::ExportFormat, stem: &str) -> Response {
    use axum::http::header;
    let (mime, ext) = match format {
        revita_app::export::ExportFormat::Xlsx => {
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
        _ => ("text/csv; charset=utf-8", "csv"),
    };
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    #[tokio::test]
    async fn an_internal_error_shows_the_request_id_and_hides_the_details() {
        let test = revita_testkit::TestStore::sqlite().await;
        let app = revita_app::App::new(test.store.clone(), &revita_app::Profile::China);
        let state = WebState {
            app,
            templates: std::sync::Arc::new(crate::views::environment()),
            maps: Default::default(),
            profiles: Default::default(),
            details: Default::default(),
            scopes: Default::default(),
            alerts: Default::default(),
            monitoring_pages: Default::default(),
            public: Default::default(),
            uploads: Default::default(),
            time_zone: Default::default(),
            map_approval: None,
        };
        let id = RequestId("abc-000042".into());
        for (lang, heading) in [("en", "Something went wrong on our side"), ("zh", "服务器内部错误")] {
            let mut headers = HeaderMap::new();
            headers.insert("cookie", format!("lang={lang}").parse().unwrap());
            let ctx = PageContext::new(&headers, "/".into());
            let error = AppError::Internal(anyhow::anyhow!("password=hunter2 at /srv/db"));
            let response = error_page(&state, &ctx, error, &id);
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
            let body = String::from_utf8(body.to_vec()).unwrap();
            assert!(body.contains(heading) && body.contains("abc-000042"), "{body}");
            assert!(!body.contains("hunter2") && !body.contains("/srv/db"));
        }
        test.finish().await;
    }
}

/// A problem of an uploaded file, as a page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    /// The spreadsheet row.
    pub row: u64,
    /// The column's header.
    pub column: String,
    /// What is wrong.
    pub reason: String,
}

/// What an upload found, as a page shows it above its form
/// (`upload_result.html`): a message, and every problem of a refused file.
#[derive(Debug, Clone, Serialize)]
pub struct UploadResult {
    /// What happened.
    pub message: String,
    /// The refused file's problems, by row.
    pub problems: Vec<FileProblem>,
}

impl UploadResult {
    /// The answer to importing `staged`: `ok`'s message on success; on a
    /// refused file `refused` with every problem, or the reason, naming the
    /// file the user chose rather than where it waited (422). Other errors
    /// pass through.
    pub fn of<T>(
        result: AppResult<T>,
        staged: &crate::staging::Staged,
        refused: &str,
        ok: impl FnOnce(T) -> String,
    ) -> AppResult<(StatusCode, UploadResult)> {
        let stored = staged.path.display().to_string();
        let named = |text: &str| text.replace(&stored, &staged.name);
        match result {
            Ok(value) => Ok((StatusCode::OK, UploadResult { message: ok(value), problems: Vec::new() })),
            Err(AppError::Rejected { problems, .. }) => {
                let problems = problems
                    .errors
                    .iter()
                    .map(|e| FileProblem {
                        row: e.row,
                        column: e.column.clone().unwrap_or_default(),
                        reason: named(&e.reason),
                    })
                    .collect();
                Ok((StatusCode::UNPROCESSABLE_ENTITY, UploadResult { message: refused.to_string(), problems }))
            }
            Err(AppError::Invalid(reason)) => {
                Ok((StatusCode::UNPROCESSABLE_ENTITY, UploadResult { message: named(&reason), problems: Vec::new() }))
            }
            Err(e) => Err(e),
        }
    }
}
