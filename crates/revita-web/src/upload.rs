//! The import page: upload a file, see the validation report (a dry run of
//! the same importer the CLI uses) before anything is written, then confirm.
//!
//! Between the two steps the file waits in the server's temporary directory
//! under an unguessable name. Forms carry the session's CSRF token.

use std::path::PathBuf;

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

/// Largest upload accepted (the body limit of the route).
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;

/// An unguessable upload name: 256 random bits.
fn upload_name() -> Result<String, AppError> {
    revita_app::auth::random_token()
}

fn upload_dir() -> PathBuf {
    std::env::temp_dir().join("revita-uploads")
}

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
        Err(e) => crate::pages::error_page(state, ctx, AppError::Internal(anyhow::anyhow!("{e}")), id),
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

/// Runs an import for `viewer`, limited to the regions its role lets it
/// change: data for data entry, decisions (designations, pairings) for
/// planners.
async fn run_import(
    state: &WebState,
    viewer: &crate::auth::Viewer,
    kind: &str,
    path: &std::path::Path,
    dry_run: bool,
    file_name: &str,
    origin: &revita_app::auth::Origin,
) -> AppResult<ImportReport> {
    let action = match kind {
        "designations" | "pairings" => revita_methods::access::Action::EditDecisions,
        _ => revita_methods::access::Action::EditData,
    };
    let within = state.app.scope_set(&viewer.actor, action).await?;
    if within.as_ref().is_some_and(|set| set.is_empty()) {
        return Err(AppError::Forbidden(format!("{} may not import {kind}", viewer.actor.name)));
    }
    let within = within.map(std::sync::Arc::new);
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
            let import = ObservationImport { dry_run, within, by, file_name, ..Default::default() };
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

/// The report as the template shows it; `display_name` replaces the
/// temporary file's path in messages.
fn report_view(result: &AppResult<ImportReport>, display_name: &str, upload: &str, done: bool) -> Option<Value> {
    let stored_name =
        |file: &str| if file.contains("revita-uploads") { display_name.to_string() } else { file.to_string() };
    match result {
        Ok(r) => Some(context! {
            file => display_name,
            rows_read => r.rows_read,
            records => r.records_valid,
            ignored => r.ignored_columns.join(", "),
            remaps => r.remapped_codes.iter().map(|m| format!("{} → {} ({} rows)", m.from, m.to.join(", "), m.rows)).collect::<Vec<_>>(),
            upload => upload,
            done => done,
        }),
        Err(AppError::Rejected { problems, .. }) => Some(context! {
            file => display_name,
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

/// `POST /import`: saves the upload and shows the dry-run report.
pub async fn import_check(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let ctx = PageContext::new(&headers, "/import".into()).viewer(viewer.as_deref());
    let (mut csrf, mut kind, mut name, mut bytes) =
        (String::new(), String::from("observations"), String::new(), Vec::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let field_name = field.name().unwrap_or("").to_string();
                if field_name == "file" {
                    name = field.file_name().unwrap_or("upload").to_string();
                }
                match field.bytes().await {
                    Ok(data) => match field_name.as_str() {
                        "csrf" => csrf = String::from_utf8_lossy(&data).into_owned(),
                        "kind" => kind = String::from_utf8_lossy(&data).into_owned(),
                        "file" => bytes = data.to_vec(),
                        _ => {}
                    },
                    Err(e) => {
                        return crate::pages::error_page(
                            &state,
                            &ctx,
                            AppError::Invalid(format!("upload failed: {e}")),
                            &id,
                        );
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return crate::pages::error_page(&state, &ctx, AppError::Invalid(format!("upload failed: {e}")), &id);
            }
        }
    }
    let Some(Extension(viewer)) = viewer else {
        return crate::pages::error_page(&state, &ctx, AppError::Unauthorized("log in first".into()), &id);
    };
    if let Err(e) = viewer.check_csrf(&csrf) {
        return crate::pages::error_page(&state, &ctx, e, &id);
    }
    if !KINDS.contains(&kind.as_str()) {
        return crate::pages::error_page(&state, &ctx, AppError::Invalid(format!("cannot import '{kind}'")), &id);
    }
    let extension = std::path::Path::new(&name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if !["csv", "txt", "xlsx", "geojson", "json"].contains(&extension.as_str()) {
        let error =
            AppError::Invalid(format!("{name}: unsupported file type '.{extension}'; upload .csv, .xlsx or .geojson"));
        return crate::pages::error_page(&state, &ctx, error, &id);
    }
    let upload = match upload_name() {
        Ok(name) => name,
        Err(e) => return crate::pages::error_page(&state, &ctx, e, &id),
    };
    let dir = upload_dir();
    let path = dir.join(format!("{upload}.{extension}"));
    let saved = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, &bytes))
        .and_then(|()| std::fs::write(dir.join(format!("{upload}.name")), &name));
    if let Err(e) = saved {
        return crate::pages::error_page(
            &state,
            &ctx,
            AppError::Internal(anyhow::anyhow!("cannot store upload: {e}")),
            &id,
        );
    }
    let origin = crate::auth::origin(&headers, &id);
    let result = run_import(&state, &viewer, &kind, &path, true, &name, &origin).await;
    // A rejected file is reported on the page; any other error is an error page.
    let result = match result {
        Err(e) if !matches!(e, AppError::Rejected { .. }) => return crate::pages::error_page(&state, &ctx, e, &id),
        other => other,
    };
    let status = if result.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let report = report_view(&result, &name, &upload, false);
    if result.is_err() {
        let _ = std::fs::remove_file(&path);
    }
    render_page(&state, &ctx, &id, &csrf, &kind, report, status)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    csrf: String,
    upload: String,
    kind: String,
}

/// `POST /import/confirm`: imports the checked upload.
pub async fn import_confirm(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let ctx = PageContext::new(&headers, "/import".into()).viewer(viewer.as_deref());
    let Some(Extension(viewer)) = viewer.clone() else {
        return crate::pages::error_page(&state, &ctx, AppError::Unauthorized("log in first".into()), &id);
    };
    if let Err(e) = viewer.check_csrf(&form.csrf) {
        return crate::pages::error_page(&state, &ctx, e, &id);
    }
    let valid_id = form.upload.len() == 64 && form.upload.bytes().all(|b| b.is_ascii_hexdigit());
    let dir = upload_dir();
    let found = valid_id
        .then(|| std::fs::read_dir(&dir).ok())
        .flatten()
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_stem().and_then(|s| s.to_str()) == Some(form.upload.as_str())
                && p.extension().and_then(|e| e.to_str()) != Some("name")
        });
    let Some(path) = found else {
        return crate::pages::error_page(&state, &ctx, AppError::Invalid(ctx.t("upload_expired").into()), &id);
    };
    let name = std::fs::read_to_string(dir.join(format!("{}.name", form.upload))).unwrap_or_else(|_| "upload".into());
    let origin = crate::auth::origin(&headers, &id);
    let result = run_import(&state, &viewer, &form.kind, &path, false, &name, &origin).await;
    // A rejected file is reported on the page; any other error is an error page.
    let result = match result {
        Err(e) if !matches!(e, AppError::Rejected { .. }) => return crate::pages::error_page(&state, &ctx, e, &id),
        other => other,
    };
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(dir.join(format!("{}.name", form.upload)));
    let report = report_view(&result, &name, "", result.is_ok());
    let status = if result.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_page(&state, &ctx, &id, &form.csrf, &form.kind, report, status).into_response()
}
