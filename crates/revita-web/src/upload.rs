//! The import page: upload a file, see the validation report (a dry run of
//! the same importer the CLI uses) before anything is written, then confirm.
//!
//! Between the two steps the file waits in the server's private upload
//! directory under an unguessable name, for its owner only (`staging.rs`),
//! and is removed once confirmed, once refused, or after an hour. Uploads
//! are streamed to disk and refused with 413 past the configured limit.
//! Forms carry the session's CSRF token, checked before the file is written.

use axum::Extension;
use axum::extract::{Form, Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use minijinja::value::Value;
use revita_app::import::{FileImport, ObservationImport};
use revita_app::{AppError, AppResult, ImportReport};
use serde::Deserialize;

use crate::request_id::RequestId;
use crate::staging::{Received, Refusal};
use crate::state::WebState;
use crate::views::{PageContext, html, render};

/// What can be imported from the page.
const KINDS: [&str; 9] = [
    "observations",
    "regions",
    "indicators",
    "designations",
    "pairings",
    "boundaries",
    "households",
    "household_members",
    "monitoring_lines",
];

fn render_page(
    state: &WebState,
    ctx: &PageContext,
    id: &RequestId,
    csrf: &str,
    kind: &str,
    report: Option<Value>,
    status: StatusCode,
) -> Response {
    let values = context! { csrf => csrf, kinds => KINDS, kind => kind, report => report };
    match render(&state.templates, "import.html", ctx, ctx.t("import_title"), values) {
        Ok(body) => html(status, body),
        Err(e) => crate::kit::error_page(state, ctx, AppError::Internal(anyhow::anyhow!("{e}")), id),
    }
}

/// The query of the import page: the kind to preselect.
#[derive(Debug, serde::Deserialize)]
pub struct ImportParams {
    kind: Option<String>,
}

/// `GET /import` (`?kind=` preselects a kind of file).
pub async fn import_form(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    axum::extract::Query(params): axum::extract::Query<ImportParams>,
) -> Response {
    let ctx = PageContext::new(&headers, "/import".into()).viewer(viewer.as_deref());
    let csrf = viewer.as_ref().and_then(|v| v.csrf.clone()).unwrap_or_default();
    let kind = params.kind.as_deref().filter(|k| KINDS.contains(k)).unwrap_or("observations");
    render_page(&state, &ctx, &id, &csrf, kind, None, StatusCode::OK)
}

/// An import to run: what the upload is, where it waits, and how.
struct ImportRun<'a> {
    kind: &'a str,
    path: &'a std::path::Path,
    /// The file's name as the user chose it.
    file_name: &'a str,
    dry_run: bool,
    /// Replace stored values (observations).
    replace: bool,
}

/// Runs an import for `viewer`, limited to the regions its role lets it
/// change: data for data entry, decisions (designations, pairings) for
/// planners.
async fn run_import(
    state: &WebState,
    viewer: &crate::auth::Viewer,
    run: ImportRun<'_>,
    origin: &revita_app::auth::Origin,
) -> AppResult<ImportReport> {
    let ImportRun { kind, path, file_name, dry_run, replace } = run;
    let action = match kind {
        "designations" | "pairings" => revita_methods::access::Action::EditDecisions,
        _ => revita_methods::access::Action::EditData,
    };
    let within = state.app.jurisdiction(&viewer.actor, action).await?;
    if within.is_nowhere() {
        return Err(AppError::Forbidden(format!("{} may not import {kind}", viewer.actor.name)));
    }
    let by = revita_app::auth::ChangeBy::new(&viewer.actor, origin);
    let file_name = Some(file_name.to_string());
    let file = FileImport {
        dry_run,
        within: within.clone(),
        by: by.clone(),
        file_name: file_name.clone(),
        ..Default::default()
    };
    match kind {
        "observations" => {
            let import = ObservationImport { dry_run, replace, within, by, file_name, ..Default::default() };
            state.app.import_observations(path, &import, &|_| {}).await
        }
        "regions" => state.app.import_regions(path, &file).await,
        "indicators" => state.app.import_indicators(path, &file).await,
        "designations" => state.app.import_designations(path, &file).await,
        "pairings" => state.app.import_pairings(path, &file).await,
        "boundaries" => state.app.import_boundaries(path, "code", None, &file).await,
        "households" => state.app.import_households(path, &file).await,
        "household_members" => {
            let year = revita_methods::Date::from_days_since_epoch(crate::auth::now().div_euclid(86_400)).year();
            state.app.import_household_members(path, &file, year).await
        }
        "monitoring_lines" => state.app.import_monitoring_lines(path, &file).await,
        other => Err(AppError::Invalid(format!("cannot import '{other}'"))),
    }
}

/// The report as the template shows it; `display_name` replaces the stored
/// file's path in messages.
fn report_view(
    result: &AppResult<ImportReport>,
    stored: &std::path::Path,
    display_name: &str,
    upload: &str,
    done: bool,
) -> Option<Value> {
    let stored = stored.display().to_string();
    let stored_name = |file: &str| file.replace(&stored, display_name);
    match result {
        Ok(r) => Some(context! {
            file => display_name,
            rows_read => r.rows_read,
            records => r.records_valid,
            ignored => r.ignored_columns.join(", "),
            remaps => r.remapped_codes.iter().map(|m| format!("{} → {} ({} rows)", m.from, m.to.join(", "), m.rows)).collect::<Vec<_>>(),
            replaced => r.replaces,
            upload => upload,
            done => done,
        }),
        Err(AppError::Rejected { problems, stored }) => Some(context! {
            file => display_name,
            replaceable => (*stored > 0 && *stored == problems.total).then_some(*stored),
            upload => upload,
            problems => problems.errors.iter().map(|e| context! {
                row => if e.row > 0 { e.row.to_string() } else { String::new() },
                column => e.column.clone().unwrap_or_default(),
                reason => e.reason.replace(&e.file, &stored_name(&e.file)),
            }).collect::<Vec<_>>(),
            hidden => problems.total.saturating_sub(problems.errors.len() as u64),
        }),
        Err(_) => None,
    }
}

/// A page saying the upload is over the limit (413), in the page's language.
pub fn too_large_page(state: &WebState, ctx: &PageContext, id: &RequestId) -> Response {
    let limit_mb = state.uploads.settings().max_bytes.div_ceil(1024 * 1024);
    let heading = ctx.t("error_too_large");
    let message = format!("{} {limit_mb} MB", ctx.t("upload_too_large"));
    let values = context! { heading => heading, message => message, request_id => id.0.clone() };
    match render(&state.templates, "error.html", ctx, heading, values) {
        Ok(body) => html(StatusCode::PAYLOAD_TOO_LARGE, body),
        Err(_) => (StatusCode::PAYLOAD_TOO_LARGE, format!("{heading} ({})", id.0)).into_response(),
    }
}

/// Whether the request says up front that its body is over the limit of an
/// upload route: answered before a byte of it is read.
pub fn declared_too_large(state: &WebState, headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|length| length > state.uploads.settings().max_request_bytes())
}

/// Receives an upload form for `viewer`: the CSRF token (a field before the
/// file, as the form sends it) and the file type are checked before the file
/// is written; the file is streamed to the upload directory.
pub async fn receive(
    state: &WebState,
    viewer: &crate::auth::Viewer,
    headers: &HeaderMap,
    multipart: Multipart,
    extensions: &[&str],
    unsupported: impl Fn(&str, &str) -> String,
) -> Result<Received, Refusal> {
    if declared_too_large(state, headers) {
        return Err(Refusal::TooLarge);
    }
    let received = state
        .uploads
        .receive(multipart, viewer.actor.user_id, |fields, name, extension| {
            viewer.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
            if extensions.contains(&extension) { Ok(()) } else { Err(AppError::Invalid(unsupported(name, extension))) }
        })
        .await?;
    // A form without a file still needs its token.
    viewer.check_csrf(received.fields.get("csrf").map_or("", String::as_str))?;
    Ok(received)
}

/// `POST /import`: stores the upload and shows the dry-run report; the
/// upload is kept for confirmation only when the check passed.
pub async fn import_check(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let ctx = PageContext::new(&headers, "/import".into()).viewer(viewer.as_deref());
    let Some(Extension(viewer)) = viewer else {
        return crate::kit::error_page(&state, &ctx, AppError::Unauthorized("log in first".into()), &id);
    };
    let unsupported = |name: &str, extension: &str| {
        format!("{name}: unsupported file type '.{extension}'; upload .csv, .xlsx or .geojson")
    };
    let received =
        match receive(&state, &viewer, &headers, multipart, &["csv", "txt", "xlsx", "geojson", "json"], unsupported)
            .await
        {
            Ok(received) => received,
            Err(Refusal::TooLarge) => return too_large_page(&state, &ctx, &id),
            Err(Refusal::Error(e)) => return crate::kit::error_page(&state, &ctx, e, &id),
        };
    let csrf = received.fields.get("csrf").cloned().unwrap_or_default();
    let kind = received.fields.get("kind").cloned().unwrap_or_else(|| "observations".into());
    if !KINDS.contains(&kind.as_str()) {
        return crate::kit::error_page(&state, &ctx, AppError::Invalid(format!("cannot import '{kind}'")), &id);
    }
    let Some(mut staged) = received.file else {
        return crate::kit::error_page(&state, &ctx, AppError::Invalid("choose a file to upload".into()), &id);
    };
    let origin = crate::auth::origin(&headers, &id);
    let run = ImportRun { kind: &kind, path: &staged.path, file_name: &staged.name, dry_run: true, replace: false };
    let result = run_import(&state, &viewer, run, &origin).await;
    // A rejected file is reported on the page; any other error is an error
    // page. Either way the upload is removed as `staged` drops.
    let result = match result {
        Err(e) if !matches!(e, AppError::Rejected { .. }) => return crate::kit::error_page(&state, &ctx, e, &id),
        other => other,
    };
    let status = if result.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let report = report_view(&result, &staged.path, &staged.name, &staged.id, false);
    // A file refused only for values already stored is kept: the user may
    // import it replacing them (issue 13).
    let replaceable =
        matches!(&result, Err(AppError::Rejected { problems, stored }) if *stored > 0 && *stored == problems.total);
    if result.is_ok() || replaceable {
        if let Err(e) = state.uploads.record_kind(&mut staged, viewer.actor.user_id, &kind).await {
            return crate::kit::error_page(&state, &ctx, e, &id);
        }
        staged.keep();
    }
    render_page(&state, &ctx, &id, &csrf, &kind, report, status)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    csrf: String,
    upload: String,
    /// Replace stored values with the file's (kept as revisions).
    replace: Option<String>,
}

/// `POST /import/confirm`: imports the checked upload, as what it was
/// checked as; only its owner may, within the upload's time to live.
pub async fn import_confirm(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let ctx = PageContext::new(&headers, "/import".into()).viewer(viewer.as_deref());
    let Some(Extension(viewer)) = viewer.clone() else {
        return crate::kit::error_page(&state, &ctx, AppError::Unauthorized("log in first".into()), &id);
    };
    if let Err(e) = viewer.check_csrf(&form.csrf) {
        return crate::kit::error_page(&state, &ctx, e, &id);
    }
    // Unknown, expired and other users' uploads all read as expired.
    let Some(staged) = state.uploads.claim(&form.upload, viewer.actor.user_id).await else {
        return crate::kit::error_page(&state, &ctx, AppError::Invalid(ctx.t("upload_expired").into()), &id);
    };
    let kind = staged.kind.clone();
    let origin = crate::auth::origin(&headers, &id);
    let replace = form.replace.as_deref().is_some_and(|r| !r.is_empty() && r != "0");
    let run = ImportRun { kind: &kind, path: &staged.path, file_name: &staged.name, dry_run: false, replace };
    let result = run_import(&state, &viewer, run, &origin).await;
    // A rejected file is reported on the page; any other error is an error
    // page. Either way the upload is removed as `staged` drops.
    let result = match result {
        Err(e) if !matches!(e, AppError::Rejected { .. }) => return crate::kit::error_page(&state, &ctx, e, &id),
        other => other,
    };
    let report = report_view(&result, &staged.path, &staged.name, "", result.is_ok());
    let status = if result.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_page(&state, &ctx, &id, &form.csrf, &kind, report, status)
}
