//! Saved specs on the designation and allocation pages (issue 16): the
//! list of saved specs, the one a page runs with its versions, and the
//! save form (`saved_banner.html`, `saved_specs.html`). A spec is opened by
//! its link (`?saved=<id>`), which runs it.

use std::collections::HashMap;

use revita_app::specs::SpecKind;
use revita_app::{AppError, AppResult, SavedSpec};
use serde::{Deserialize, Serialize};

use crate::kit::Page;

/// A saved spec in the list, or a version of one.
#[derive(Debug, Serialize)]
pub struct SavedRow {
    id: i64,
    name: String,
    version: i64,
    saved_by: String,
    saved_at: String,
    note: String,
}

impl From<&SavedSpec> for SavedRow {
    fn from(s: &SavedSpec) -> SavedRow {
        SavedRow {
            id: s.id,
            name: s.name.clone(),
            version: s.version,
            saved_by: s.saved_by.clone(),
            saved_at: s.saved_at.clone(),
            note: s.note.clone().unwrap_or_default(),
        }
    }
}

/// The saved spec a page runs, with every version of its name.
#[derive(Debug, Serialize)]
pub struct SavedView {
    #[serde(flatten)]
    spec: SavedRow,
    versions: Vec<SavedRow>,
}

/// What the saved-spec parts of a page show.
#[derive(Debug, Default, Serialize)]
pub struct SavedPart {
    /// The page's path (`/designate`, `/allocate`): links and the save
    /// form's action are under it.
    pub page_path: &'static str,
    /// Whether the viewer may save.
    pub can_save: bool,
    /// The saved spec being run.
    pub saved: Option<SavedView>,
    /// Every saved spec of the page's kind, at its latest version.
    pub saved_specs: Vec<SavedRow>,
    /// The save form refused: why, and what was typed.
    pub save_problem: Option<String>,
    pub save_name: String,
    pub save_note: String,
}

/// The save form: a name, a note, the spec and the year shown.
#[derive(Debug, Clone, Deserialize)]
pub struct SaveForm {
    pub csrf: String,
    pub name: String,
    pub note: Option<String>,
    pub spec: String,
    pub year: Option<String>,
}

/// The saved spec a query names (`saved=<id>`), if any.
pub async fn requested(page: &Page, fields: &HashMap<String, String>) -> AppResult<Option<SavedSpec>> {
    match fields.get("saved").map(|id| id.parse::<i64>()) {
        Some(Ok(id)) => Ok(Some(page.app().saved_spec(id).await?)),
        Some(Err(_)) => Err(AppError::Invalid("saved: not a spec number".into())),
        None => Ok(None),
    }
}

/// The saved-spec parts of a page of `kind` at `page_path`, running
/// `saved` if given, and showing a refused save.
pub async fn part(
    page: &Page,
    kind: SpecKind,
    page_path: &'static str,
    saved: Option<&SavedSpec>,
    refused: Option<(String, SaveForm)>,
) -> AppResult<SavedPart> {
    let can_save = page
        .viewer
        .as_ref()
        .is_some_and(|v| v.actor.access.may_anywhere(revita_methods::access::Action::EditDecisions));
    let mut part = SavedPart {
        page_path,
        can_save,
        saved_specs: page.app().saved_specs(kind, None, 200).await?.iter().map(SavedRow::from).collect(),
        ..Default::default()
    };
    if let Some(saved) = saved {
        let versions = page.app().spec_versions(saved).await?.iter().map(SavedRow::from).collect();
        part.saved = Some(SavedView { spec: SavedRow::from(saved), versions });
        part.save_name = saved.name.clone();
    }
    if let Some((reason, form)) = refused {
        part.save_problem = Some(reason);
        part.save_name = form.name;
        part.save_note = form.note.unwrap_or_default();
    }
    Ok(part)
}

/// Saves the form's spec (audited); the saved version, or why not (a
/// reason to show on the form, which keeps what was typed).
pub async fn save(page: &Page, kind: SpecKind, form: &SaveForm) -> AppResult<Result<SavedSpec, String>> {
    page.check_csrf(&form.csrf)?;
    let origin = page.origin();
    let actor = &page.viewer()?.actor;
    match page.app().save_spec(actor, kind, &form.name, &form.spec, form.note.as_deref(), &origin).await {
        Ok(saved) => Ok(Ok(saved)),
        Err(AppError::Invalid(reason) | AppError::Forbidden(reason)) => Ok(Err(reason)),
        Err(e) => Err(e),
    }
}

/// Where a saved spec opens: `<page_path>?saved=<id>&year=<year>`.
pub fn link(page_path: &str, saved: &SavedSpec, year: Option<&str>) -> String {
    let year: String = year
        .unwrap_or_default()
        .bytes()
        .map(|b| match b {
            b'0'..=b'9' => (b as char).to_string(),
            _ => String::new(),
        })
        .collect();
    format!("{page_path}?saved={}&year={year}", saved.id)
}
