//! Runs over observations read straight from files, not the database: a
//! scratch SQLite store in a temporary directory, seeded with the database's
//! reference data (regions, indicators, code history, designations), into
//! which the files are imported by the usual importer (every row checked,
//! all or nothing, problems named by file, row and column). Designation and
//! allocation runs then read it exactly as they read the database.

use std::path::Path;

use revita_store::DatabaseUrl;

use crate::import::ObservationImport;
use crate::{App, AppError, AppResult};

/// An app over a scratch store; the store's files go when it is dropped.
pub struct Scratch {
    /// The app over the scratch store.
    pub app: App,
    _dir: tempfile::TempDir,
}

impl App {
    /// An app whose store holds this one's regions, indicators, code history
    /// and designations, and the observations of `files` (long, wide or
    /// XLSX layouts, as `revita import observations` reads them) instead of
    /// the stored ones.
    pub async fn with_observation_files(&self, files: &[&Path]) -> AppResult<Scratch> {
        let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.into()))?;
        let url = DatabaseUrl::new(dir.path().join("scratch.sqlite").display().to_string());
        let store = revita_store::open(&url).await?;
        let (regions, indicators) = (self.store().regions().await?, self.store().indicators().await?);
        let (history, designations) =
            (self.store().code_history().await?, self.store().designations(None, None).await?);
        // A throwaway copy: its log records only that it was made.
        let entry = crate::auth::audit_entry(
            "system",
            "scratch.copy",
            ("scratch", "observations"),
            None,
            (None, None),
            &crate::auth::Origin::default(),
        );
        store
            .write(entry, async |tx| {
                tx.upsert_regions(&regions).await?;
                tx.upsert_indicators(&indicators).await?;
                tx.replace_code_history(&history).await?;
                tx.upsert_designations(&designations).await
            })
            .await?;
        let app = App { store, scheme: self.scheme.clone(), peers: Default::default() };
        for file in files {
            app.import_observations(file, &ObservationImport::default(), &|_| {}).await?;
        }
        Ok(Scratch { app, _dir: dir })
    }
}
