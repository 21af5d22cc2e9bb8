//! Saved specs (issue 16): a designation or allocation spec saved under a
//! name, every version kept and never changed, so that a planner shares a
//! method by its link and a run can be repeated with the method as it was.
//! Anyone who may read may open a saved spec (a method holds no data);
//! saving needs a role that decides designations or allocations somewhere.

use revita_methods::access::Action;
use revita_store::SavedSpec;

use crate::auth::{Actor, Origin};
use crate::{App, AppError, AppResult};

/// What a saved spec specifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// A designation run (`/designate`).
    Designation,
    /// A fund allocation (`/allocate`).
    Allocation,
    /// The parameters of ecosystem-service value (`/eco/esv`).
    Esv,
}

impl SpecKind {
    /// Its name in the store and in links.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecKind::Designation => "designation",
            SpecKind::Allocation => "allocation",
            SpecKind::Esv => "esv",
        }
    }

    /// From its name.
    pub fn parse(text: &str) -> Option<SpecKind> {
        [SpecKind::Designation, SpecKind::Allocation, SpecKind::Esv].into_iter().find(|k| k.as_str() == text)
    }
}

/// The longest name a spec is saved under, in characters.
const MAX_NAME: usize = 200;
/// The largest spec saved, in bytes (an AHP matrix of a few dozen
/// indicators is a few kilobytes).
const MAX_SPEC_BYTES: usize = 256 * 1024;

impl App {
    /// Saves `spec` (checked as a spec of its kind first) as the next
    /// version under `name`, audited.
    pub async fn save_spec(
        &self,
        actor: &Actor,
        kind: SpecKind,
        name: &str,
        spec: &str,
        note: Option<&str>,
        origin: &Origin,
    ) -> AppResult<SavedSpec> {
        if !actor.access.may_anywhere(Action::EditDecisions) {
            return Err(AppError::Forbidden(format!("{} may not save designation or allocation specs", actor.name)));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(AppError::Invalid(format!("name: give one line of 1 to {MAX_NAME} characters")));
        }
        if spec.len() > MAX_SPEC_BYTES {
            return Err(AppError::Invalid(format!("spec: more than {} KiB", MAX_SPEC_BYTES / 1024)));
        }
        match kind {
            SpecKind::Designation => {
                <crate::designate::DesignationSpec as crate::designate::FromJson>::from_json(spec)?;
            }
            SpecKind::Allocation => {
                crate::allocate::AllocationSpec::from_json(spec)?;
            }
            SpecKind::Esv => {
                crate::eco::EsvParameters::from_json(spec)?;
            }
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let at = revita_methods::UtcOffset::UTC.format(origin.now);
        let mut tx = self.store().begin().await?;
        let (id, version) = tx.save_spec(kind.as_str(), name, spec, note, &actor.name, &at).await?;
        tx.audit(crate::auth::audit_entry(
            &actor.name,
            "spec.save",
            ("spec", &id.to_string()),
            None,
            (None, Some(format!("{} {name} v{version}", kind.as_str()))),
            origin,
        ));
        tx.commit().await?;
        self.saved_spec(id).await
    }

    /// One saved version.
    pub async fn saved_spec(&self, id: i64) -> AppResult<SavedSpec> {
        self.store().saved_spec(id).await?.ok_or_else(|| AppError::NotFound(format!("saved spec {id}")))
    }

    /// A page of the names specs of a kind are saved under (each at its
    /// latest version), after the name `after`.
    pub async fn saved_specs(&self, kind: SpecKind, after: Option<&str>, limit: i64) -> AppResult<Vec<SavedSpec>> {
        Ok(self.store().saved_spec_page(kind.as_str(), after, limit).await?)
    }

    /// How many names specs of a kind are saved under.
    pub async fn count_saved_specs(&self, kind: SpecKind) -> AppResult<i64> {
        Ok(self.store().count_saved_specs(kind.as_str()).await?)
    }

    /// Every version of a saved spec's name, the newest first.
    pub async fn spec_versions(&self, spec: &SavedSpec) -> AppResult<Vec<SavedSpec>> {
        Ok(self.store().spec_versions(&spec.kind, &spec.name).await?)
    }
}
