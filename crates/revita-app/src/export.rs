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

/// The headings of a children table download, in the reader's language.
pub struct ChildHeadings<'a> {
    /// The code column.
    pub code: &'a str,
    /// The Chinese name column.
    pub name_zh: &'a str,
    /// The English name column.
    pub name_en: &'a str,
    /// An indicator's column, given its period.
    pub column: &'a (dyn Fn(&revita_methods::Indicator, &str) -> String + Sync),
}

/// The children table of a region page as a download: every indicator the
/// children have data for (the page shows the first few), each at its
/// latest period, under the reader's headings.
pub async fn children_table(
    app: &App,
    code: &revita_methods::RegionCode,
    format: ExportFormat,
    headings: &ChildHeadings<'_>,
) -> AppResult<Vec<u8>> {
    app.region(code).await?;
    let indicators = app.store().indicators().await?;
    let (columns, children) = app.children_table(code, &indicators, None).await?;
    let mut header = vec![headings.code.to_string(), headings.name_zh.to_string(), headings.name_en.to_string()];
    header.extend(columns.iter().map(|(i, period)| (headings.column)(i, period)));
    let rows: Vec<Vec<String>> = children
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

/// A small table as CSV bytes (UTF-8 with a byte-order mark, every cell
/// through the formula guard): the API's `.csv` lists.
pub fn csv_table(header: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    export::table_bytes(header, rows, ExportFormat::Csv).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}
