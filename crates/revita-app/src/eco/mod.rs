//! Ecological compensation (issue 19): basin agreements with their rounds,
//! settled year by year from jointly sampled water quality — a pair of
//! parties by the Xin'an index P, or three or more section by section as on
//! the Chishui — with every step kept, so that a settlement statement shows
//! how the money came about; the payments ledger; ecosystem-service value
//! and GEP; the transfer payment for key ecological function zones.
//!
//! `agreement` holds the agreement's JSON form and the settlement (pure
//! over samples); `stored` the use cases over the store (jurisdiction and
//! audit); `esv` ecosystem-service value, GEP and the transfer payment;
//! `statement` the settlement statement as a workbook and a PDF.

mod agreement;
mod esv;
mod statement;
mod stored;

use std::collections::BTreeMap;
use std::path::Path;

pub use agreement::{
    AgreementIndicator, BasinAgreement, CHISHUI_EXAMPLE, Round, Section, SectionResult, SegmentRule, SettleError,
    Settlement, TransferLine, XINAN_EXAMPLE, settle,
};
pub use esv::{
    EcoMapArea, EsvParameters, EsvReport, EsvRow, GepReport, GepRow, TransferInputs, XIE_2015_DEFAULT, transfer_file,
};
pub use revita_methods::eco::transfer::TransferGrant;
pub use revita_store::eco::{GepItem, Payment, StoredAgreement};
pub use statement::{statement_pdf, statement_sheets, statement_workbook};
pub use stored::{AgreementView, Ledger, PAYMENT_STATUSES, SampleImport};

use revita_store::eco::StoredSample;

use crate::import::read_table;
use crate::{AppError, AppResult};

/// Settles `agreement` for `year` from the sample file at `samples` (the
/// CLI's path, no database): the file's rows as samples, then [`settle`].
pub async fn settle_files(agreement: &BasinAgreement, samples: &Path, year: i32) -> AppResult<Settlement> {
    let (table, parsed) = read_table(samples, None, revita_ingest::records::read_water_samples).await?;
    let rows: Vec<(String, StoredSample)> =
        parsed.rows.iter().map(|(row, s)| (format!("{}, row {row}", table.file), stored_sample(s))).collect();
    settle(agreement, year, &rows).map_err(|e| AppError::Invalid(format!("{}: {e}", table.file)))
}

/// A sample as the store keeps it.
pub(crate) fn stored_sample(s: &revita_methods::eco::WaterSample) -> StoredSample {
    StoredSample {
        section: s.section.clone(),
        sampled_on: s.date.to_string(),
        indicator: s.indicator.clone(),
        upstream: s.upstream,
        downstream: s.downstream,
        reserve: s.reserve,
        lab: s.lab.clone(),
        valid: s.valid,
    }
}

/// Ecosystem-service value per region from a land-use file
/// (`region_code,type,hectares`) under `parameters` (the CLI's path).
pub async fn esv_file(
    areas: &Path,
    parameters: &EsvParameters,
) -> AppResult<BTreeMap<String, revita_methods::eco::EsvTable>> {
    let vc = parameters.standard_equivalent()?;
    let (_, parsed) = read_table(areas, None, revita_ingest::records::read_land_use).await?;
    let mut by_region: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for (_, land) in &parsed.rows {
        by_region.entry(land.region.to_string()).or_default().push((land.kind.clone(), land.hectares));
    }
    let mut tables = BTreeMap::new();
    for (region, areas) in by_region {
        let areas: Vec<(&str, f64)> = areas.iter().map(|(k, a)| (k.as_str(), *a)).collect();
        let correction = parameters.correction(&region);
        let table = revita_methods::eco::ecosystem_service_value(&areas, vc, correction)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        tables.insert(region, table);
    }
    Ok(tables)
}

#[cfg(test)]
mod tests;
