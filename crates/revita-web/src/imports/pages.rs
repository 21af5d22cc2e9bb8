//! The import page: upload a file, see the validation report (a dry run of
//! the same importer the CLI uses) before anything is written, then confirm.
//!
//! Between the two steps the file waits in the server's private upload
//! directory under an unguessable name, for its owner only (`staging.rs`),
//! and is removed once confirmed, once refused, or after an hour. Uploads
//! are streamed to disk and refused with 413 past the configured limit.
//! Forms carry the session's CSRF token, checked before the file is written.

use axum::extract::{Form, Multipart, Query};
use axum::http::StatusCode;
use revita_app::import::{FileImport, ObservationImport};
use revita_app::{AppError, AppResult, ImportReport};
use serde::{Deserialize, Serialize};

use crate::kit::{Page, PageResult, today};

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

/// A file's problem as the report lists it.
#[derive(Serialize)]
struct ProblemRow {
    row: String,
    column: String,
    reason: String,
}

/// The validation report of a file, or what its import wrote.
#[derive(Serialize, Default)]
struct ReportView {
    file: String,
    rows_read: u64,
    records: u64,
    ignored: String,
    remaps: Vec<String>,
    replaced: u64,
    /// The upload waiting for confirmation (empty once imported).
    upload: String,
    done: bool,
    /// Values already stored that the file would replace, when that is its
    /// only problem (the page then offers to replace them).
    replaceable: Option<u64>,
    problems: Vec<ProblemRow>,
    /// Problems found beyond those listed.
    hidden: u64,
}

/// `import.html`.
#[derive(Serialize)]
struct ImportView<'a> {
    csrf: String,
    kinds: [&'static str; 9],
    kind: &'a str,
    report: Option<ReportView>,
}

/// The import page with `kind` chosen and a report, if any.
fn import_page(page: &Page, csrf: String, kind: &str, report: Option<ReportView>, status: StatusCode) -> PageResult {
    let view = ImportView { csrf, kinds: KINDS, kind, report };
    page.render_with(status, "import.html", page.t("import_title"), view)
}

/// The query of the import page: the kind to preselect.
#[derive(Debug, Deserialize)]
pub struct ImportParams {
    kind: Option<String>,
}

/// `GET /import` (`?kind=` preselects a kind of file).
pub async fn import_form(page: Page, Query(params): Query<ImportParams>) -> PageResult {
    let page = page.at("/import");
    let kind = params.kind.as_deref().filter(|k| KINDS.contains(k)).unwrap_or("observations");
    import_page(&page, page.csrf(), kind, None, StatusCode::OK)
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
async fn run_import(page: &Page, run: ImportRun<'_>) -> AppResult<ImportReport> {
    let (state, viewer, origin) = (&page.state, page.viewer()?, &page.origin());
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
        "household_members" => state.app.import_household_members(path, &file, today().year()).await,
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
) -> Option<ReportView> {
    let stored = stored.display().to_string();
    match result {
        Ok(r) => Some(ReportView {
            file: display_name.to_string(),
            rows_read: r.rows_read,
            records: r.records_valid,
            ignored: r.ignored_columns.join(", "),
            remaps: r
                .remapped_codes
                .iter()
                .map(|m| format!("{} → {} ({} rows)", m.from, m.to.join(", "), m.rows))
                .collect(),
            replaced: r.replaces,
            upload: upload.to_string(),
            done,
            ..Default::default()
        }),
        Err(AppError::Rejected { problems, stored: values_stored }) => Some(ReportView {
            file: display_name.to_string(),
            replaceable: (*values_stored > 0 && *values_stored == problems.total).then_some(*values_stored),
            upload: upload.to_string(),
            problems: problems
                .errors
                .iter()
                .map(|e| ProblemRow {
                    row: if e.row > 0 { e.row.to_string() } else { String::new() },
                    column: e.column.clone().unwrap_or_default(),
                    reason: e.reason.replace(&e.file, &e.file.replace(&stored, display_name)),
                })
                .collect(),
            hidden: problems.total.saturating_sub(problems.errors.len() as u64),
            ..Default::default()
        }),
        Err(_) => None,
    }
}

/// `POST /import`: stores the upload and shows the dry-run report; the
/// upload is kept for confirmation only when the check passed.
pub async fn import_check(page: Page, multipart: Multipart) -> PageResult {
    let page = page.at("/import");
    let unsupported = |name: &str, extension: &str| {
        format!("{name}: unsupported file type '.{extension}'; upload .csv, .xlsx, .parquet or .geojson")
    };
    let received = page.receive(multipart, &["csv", "txt", "xlsx", "parquet", "geojson", "json"], unsupported).await?;
    let csrf = received.fields.get("csrf").cloned().unwrap_or_default();
    let kind = received.fields.get("kind").cloned().unwrap_or_else(|| "observations".into());
    if !KINDS.contains(&kind.as_str()) {
        return Err(AppError::Invalid(format!("cannot import '{kind}'")).into());
    }
    let mut staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let run = ImportRun { kind: &kind, path: &staged.path, file_name: &staged.name, dry_run: true, replace: false };
    // A rejected file is reported on the page; any other error is an error
    // page. Either way the upload is removed as `staged` drops.
    let result = match run_import(&page, run).await {
        Err(e) if !matches!(e, AppError::Rejected { .. }) => return Err(e.into()),
        other => other,
    };
    let status = if result.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let report = report_view(&result, &staged.path, &staged.name, &staged.id, false);
    // A file refused only for values already stored is kept: the user may
    // import it replacing them (issue 13).
    let replaceable =
        matches!(&result, Err(AppError::Rejected { problems, stored }) if *stored > 0 && *stored == problems.total);
    if result.is_ok() || replaceable {
        page.state.uploads.record_kind(&mut staged, page.viewer()?.actor.user_id, &kind).await?;
        staged.keep();
    }
    import_page(&page, csrf, &kind, report, status)
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
pub async fn import_confirm(page: Page, Form(form): Form<ConfirmForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let page = page.at("/import");
    // Unknown, expired and other users' uploads all read as expired.
    let staged = page
        .state
        .uploads
        .claim(&form.upload, page.viewer()?.actor.user_id)
        .await
        .ok_or_else(|| AppError::Invalid(page.t("upload_expired").into()))?;
    let kind = staged.kind.clone();
    let replace = form.replace.as_deref().is_some_and(|r| !r.is_empty() && r != "0");
    let run = ImportRun { kind: &kind, path: &staged.path, file_name: &staged.name, dry_run: false, replace };
    // A rejected file is reported on the page; any other error is an error
    // page. Either way the upload is removed as `staged` drops.
    let result = match run_import(&page, run).await {
        Err(e) if !matches!(e, AppError::Rejected { .. }) => return Err(e.into()),
        other => other,
    };
    let report = report_view(&result, &staged.path, &staged.name, "", result.is_ok());
    let status = if result.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    import_page(&page, form.csrf.clone(), &kind, report, status)
}
