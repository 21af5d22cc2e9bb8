//! Exporting observations page by page, so that an export of millions of
//! rows streams from the store to the file without holding them all.

use std::path::Path;

use revita_ingest::export;
pub use revita_ingest::export::ExportFormat;
use revita_store::{ObservationKey, ObservationQuery};

use crate::{App, AppError, AppResult};

/// Rows fetched from the store per page.
const PAGE_ROWS: i64 = 50_000;

impl App {
    /// Writes the observations matching `query` to `path`, leaving out
    /// regions outside `visible` (`None`: everywhere); returns the number of
    /// rows written.
    pub async fn export_observations(
        &self,
        query: &ObservationQuery,
        path: &Path,
        format: ExportFormat,
        visible: &crate::Jurisdiction,
    ) -> AppResult<u64> {
        let fail = |e: export::ExportError| AppError::Invalid(e.to_string());
        let mut writer = export::create(path, format).map_err(fail)?;
        let mut after: Option<ObservationKey> = None;
        loop {
            let page = self.observations(query, after.as_ref(), PAGE_ROWS, visible).await?;
            let Some(last) = page.last() else { break };
            after = Some(ObservationKey {
                indicator: last.indicator.to_string(),
                region: last.region.to_string(),
                period: last.period.to_string(),
            });
            writer.write(&page).map_err(fail)?;
        }
        writer.finish().map_err(fail)
    }
}

/// The children table of a region page as a download.
pub async fn children_table(app: &App, code: &revita_methods::RegionCode, format: ExportFormat) -> AppResult<Vec<u8>> {
    let profile = app.region_profile(code, &crate::Jurisdiction::everywhere()).await?;
    let mut header = vec!["code".to_string(), "name_zh".to_string(), "name_en".to_string()];
    header.extend(profile.child_columns.iter().map(|(i, period)| format!("{} ({period})", i.code)));
    let rows: Vec<Vec<String>> = profile
        .children
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.region.code.to_string(),
                row.region.name_zh.clone(),
                row.region.name_en.clone().unwrap_or_default(),
            ];
            cells.extend(row.values.iter().map(|v| v.map(|v| v.to_string()).unwrap_or_default()));
            cells
        })
        .collect();
    export::table_bytes(&header, &rows, format).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}
