//! Ecosystem-service value (Xie et al. 2015's equivalent factors, methods.md
//! §5.4) over stored land use under a versioned parameter set, GEP line
//! items (§5.5), and the key ecological function zone transfer (§5.3).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::RegionCode;
use revita_methods::access::Action;
use revita_methods::eco::transfer::{TransferGrant, TransferRule, key_zone_transfer};
use revita_methods::eco::{GepGroup, SERVICES, ecosystem_service_value, gep, standard_equivalent};
use revita_store::eco::{GepItem, LandUseArea};
use serde::{Deserialize, Serialize};

use crate::auth::{Actor, Origin, audit_entry};
use crate::{App, AppError, AppResult, ImportReport};

/// The parameters of an ESV run, saved as a versioned spec (kind `esv`):
/// the grain yield and price of the base year that fix one standard
/// equivalent, and regional correction coefficients (biomass, willingness
/// to pay) by region code, defaulting to `default_correction`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EsvParameters {
    /// What the set is, e.g. "全国 1990–2015 均值".
    pub name: String,
    /// The equivalent-factor table (only `xie2015`).
    #[serde(default = "xie2015")]
    pub table: String,
    /// The base year's average grain yield (kg/ha).
    pub grain_yield: f64,
    /// The base year's average grain price (yuan/kg).
    pub grain_price: f64,
    /// The correction where none is given for a region.
    #[serde(default = "one")]
    pub default_correction: f64,
    /// Corrections by region code (a region's nearest listed ancestor's
    /// applies when it has none of its own).
    #[serde(default)]
    pub corrections: BTreeMap<String, f64>,
}

fn xie2015() -> String {
    "xie2015".into()
}

fn one() -> f64 {
    1.0
}

/// The shipped parameter set: the 1990–2015 national mean yield and price
/// of methods.md §5.4's example (1,498.58 yuan/ha a standard equivalent).
pub const XIE_2015_DEFAULT: &str = r#"{
  "name": "谢高地等 2015 当量因子 · 全国 1990–2015 粮食单产与价格均值",
  "table": "xie2015",
  "grain_yield": 4600.89,
  "grain_price": 2.28,
  "default_correction": 1.0,
  "corrections": {}
}"#;

impl EsvParameters {
    /// The parameters from JSON, checked.
    pub fn from_json(text: &str) -> AppResult<EsvParameters> {
        let p: EsvParameters =
            serde_json::from_str(text).map_err(|e| AppError::Invalid(format!("ESV parameters: {e}")))?;
        if p.table != "xie2015" {
            return Err(AppError::Invalid(format!("ESV parameters: table '{}' is not xie2015", p.table)));
        }
        p.standard_equivalent()?;
        let bad = |v: f64| !(v.is_finite() && v >= 0.0);
        if bad(p.default_correction) || p.corrections.values().any(|v| bad(*v)) {
            return Err(AppError::Invalid("ESV parameters: corrections must be numbers of at least 0".into()));
        }
        if let Some(code) = p.corrections.keys().find(|c| RegionCode::parse(c).is_err()) {
            return Err(AppError::Invalid(format!("ESV parameters: '{code}' is not a region code")));
        }
        Ok(p)
    }

    /// One standard equivalent (yuan/ha): 1/7 of the grain value per ha.
    pub fn standard_equivalent(&self) -> AppResult<f64> {
        standard_equivalent(self.grain_yield, self.grain_price).map_err(|e| AppError::Invalid(e.to_string()))
    }

    /// The correction of `region` (its own, else the default).
    pub fn correction(&self, region: &str) -> f64 {
        self.corrections.get(region).copied().unwrap_or(self.default_correction)
    }
}

/// ESV of one region in one year.
#[derive(Debug, Clone)]
pub struct EsvRow {
    /// The region.
    pub region: RegionCode,
    /// Its name (Chinese).
    pub name: String,
    /// The year.
    pub year: i32,
    /// The correction applied.
    pub correction: f64,
    /// Value by service, in [`SERVICES`]' order (yuan/year).
    pub by_service: [f64; 11],
    /// Value by ecosystem type (yuan/year).
    pub by_type: Vec<(String, f64)>,
    /// The total (yuan/year).
    pub total: f64,
    /// The change of the total since the region's previous year with land
    /// use, as (year, change in yuan, change as a share).
    pub change: Option<(i32, f64, Option<f64>)>,
}

/// ESV over the land use a reader may see.
#[derive(Debug, Clone)]
pub struct EsvReport {
    /// The parameters used.
    pub parameters: EsvParameters,
    /// One standard equivalent (yuan/ha).
    pub standard_equivalent: f64,
    /// Rows by region and year.
    pub rows: Vec<EsvRow>,
    /// The services' names, in the rows' order.
    pub services: Vec<&'static str>,
}

/// GEP of one region in one year.
#[derive(Debug, Clone)]
pub struct GepRow {
    /// The region.
    pub region: RegionCode,
    /// Its name (Chinese).
    pub name: String,
    /// The year.
    pub year: i32,
    /// Material products (yuan).
    pub material: f64,
    /// Regulating services (yuan).
    pub regulating: f64,
    /// Cultural services (yuan).
    pub cultural: f64,
    /// GEP (yuan).
    pub total: f64,
}

/// GEP over the items a reader may see.
#[derive(Debug, Clone)]
pub struct GepReport {
    /// Totals by region and year.
    pub rows: Vec<GepRow>,
    /// The line items, each with its value.
    pub items: Vec<(GepItem, f64)>,
}

/// The key ecological function zone transfer's inputs: the rule, the budget
/// to share (none: pay the formula amounts) and the unit amounts are
/// rounded to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TransferInputs {
    /// The key subsidy's coefficient on the revenue–expenditure gap.
    pub coefficient: f64,
    /// Yuan per km² of prohibited-development zone.
    pub prohibited_rate: f64,
    /// Yuan per ranger a year.
    pub ranger_standard: f64,
    /// Reward per point of quality improvement, as a share of the base.
    #[serde(default)]
    pub reward_rate: f64,
    /// Deduction per point of deterioration, as a share of the base.
    #[serde(default)]
    pub penalty_rate: f64,
    /// The budget to share (yuan).
    #[serde(default)]
    pub budget: Option<f64>,
    /// Amounts are whole multiples of this (yuan).
    #[serde(default)]
    pub unit: Option<f64>,
}

impl TransferInputs {
    fn rule(&self) -> TransferRule {
        TransferRule {
            coefficient: self.coefficient,
            prohibited_rate: self.prohibited_rate,
            ranger_standard: self.ranger_standard,
            reward_rate: self.reward_rate,
            penalty_rate: self.penalty_rate,
        }
    }
}

/// Each county's transfer from a county file (CSV or XLSX) — a computation
/// over the file alone, nothing stored.
pub async fn transfer_file(path: &Path, inputs: &TransferInputs) -> AppResult<Vec<TransferGrant>> {
    let (table, parsed) = crate::import::read_table(path, None, revita_ingest::records::read_transfer_counties).await?;
    let counties: Vec<_> = parsed.rows.into_iter().map(|(_, c)| c).collect();
    if counties.is_empty() {
        return Err(AppError::Invalid(format!("{}: no county rows", table.file)));
    }
    key_zone_transfer(&counties, &inputs.rule(), inputs.budget, inputs.unit)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", table.file)))
}

impl App {
    /// Checks that every region of a file exists and lies within the
    /// actor's data-entry jurisdiction, naming the row of each that does not.
    async fn check_eco_regions(
        &self,
        actor: &Actor,
        file: &str,
        rows: impl Iterator<Item = (u64, &RegionCode)>,
        problems: &mut revita_ingest::Problems,
    ) -> AppResult<()> {
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let mut known: HashMap<RegionCode, bool> = HashMap::new();
        for (row, code) in rows {
            let exists = match known.get(code) {
                Some(e) => *e,
                None => {
                    let e = self.store().region(code).await?.is_some();
                    known.insert(code.clone(), e);
                    e
                }
            };
            if !exists {
                problems.push(RowError::cell(file, row, "region_code", format!("{code} is not a known region")));
            } else if !enter.covers(code) {
                problems.push(RowError::cell(file, row, "region_code", format!("{code} is outside your jurisdiction")));
            }
        }
        Ok(())
    }

    /// Imports land-use areas (`region_code,year,type,hectares`), all or
    /// nothing, each region within the actor's jurisdiction; areas stored
    /// under the same region, year and type are replaced.
    pub async fn import_land_use(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) = crate::import::read_table(path, None, revita_ingest::records::read_land_use).await?;
        let mut problems = revita_ingest::Problems::default();
        let mut seen: HashMap<(RegionCode, i32, String), u64> = HashMap::new();
        let mut areas = Vec::new();
        for (row, land) in &parsed.rows {
            let Some(year) = land.year else {
                problems.push(RowError::cell(&table.file, *row, "year", "is empty: give the year of the survey"));
                continue;
            };
            if let Some(first) = seen.insert((land.region.clone(), year, land.kind.clone()), *row) {
                problems.push(RowError::cell(&table.file, *row, "type", format!("already on row {first}")));
            }
            areas.push(LandUseArea {
                region: land.region.clone(),
                year,
                kind: land.kind.clone(),
                hectares: land.hectares,
            });
        }
        self.check_eco_regions(actor, &table.file, parsed.rows.iter().map(|(r, l)| (*r, &l.region)), &mut problems)
            .await?;
        if !problems.is_empty() {
            problems.sort_by_row();
            return Err(problems.into());
        }
        let report = ImportReport::checked(&table, "land_use", dry_run, areas.len(), &parsed.ignored_columns);
        if !dry_run {
            let mut tx = self.store().begin().await?;
            tx.put_land_use(&areas).await?;
            tx.audit(audit_entry(
                &actor.name,
                "eco.land_use.import",
                ("land_use", &table.file),
                None,
                (None, Some(format!("{} areas", areas.len()))),
                origin,
            ));
            tx.commit().await?;
        }
        Ok(report)
    }

    /// Imports GEP line items, all or nothing, each region within the
    /// actor's jurisdiction; items of the same region, year and service are
    /// replaced.
    pub async fn import_gep(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) = crate::import::read_table(path, None, revita_ingest::records::read_gep_items).await?;
        let mut problems = revita_ingest::Problems::default();
        let mut seen: HashMap<(RegionCode, i32, String), u64> = HashMap::new();
        for (row, item) in &parsed.rows {
            if let Some(first) = seen.insert((item.region.clone(), item.year, item.service.clone()), *row) {
                problems.push(RowError::cell(&table.file, *row, "service", format!("already on row {first}")));
            }
        }
        self.check_eco_regions(actor, &table.file, parsed.rows.iter().map(|(r, i)| (*r, &i.region)), &mut problems)
            .await?;
        if !problems.is_empty() {
            problems.sort_by_row();
            return Err(problems.into());
        }
        let items: Vec<GepItem> = parsed
            .rows
            .iter()
            .map(|(_, i)| GepItem {
                region: i.region.clone(),
                year: i.year,
                service: i.service.clone(),
                quantity: i.quantity,
                unit: i.unit.clone(),
                price: i.price,
                price_method: i.price_method.clone(),
            })
            .collect();
        let report = ImportReport::checked(&table, "gep_items", dry_run, items.len(), &parsed.ignored_columns);
        if !dry_run {
            let mut tx = self.store().begin().await?;
            tx.put_gep_items(&items).await?;
            tx.audit(audit_entry(
                &actor.name,
                "eco.gep.import",
                ("gep_items", &table.file),
                None,
                (None, Some(format!("{} items", items.len()))),
                origin,
            ));
            tx.commit().await?;
        }
        Ok(report)
    }

    /// ESV of every region and year with land use the actor may read,
    /// under `parameters`, with each region's change from its previous year.
    pub async fn esv(&self, actor: &Actor, parameters: EsvParameters) -> AppResult<EsvReport> {
        let vc = parameters.standard_equivalent()?;
        let read = self.jurisdiction(actor, Action::Read).await?;
        let areas = self.store().eco_land_use(read.roots()).await?;
        let mut grouped: BTreeMap<(RegionCode, i32), Vec<(String, f64)>> = BTreeMap::new();
        for a in areas {
            grouped.entry((a.region, a.year)).or_default().push((a.kind, a.hectares));
        }
        let names = self.region_names(grouped.keys().map(|(r, _)| r)).await?;
        let mut rows: Vec<EsvRow> = Vec::new();
        for ((region, year), areas) in grouped {
            let correction = self.correction_of(&parameters, &region).await?;
            let list: Vec<(&str, f64)> = areas.iter().map(|(k, a)| (k.as_str(), *a)).collect();
            let table = ecosystem_service_value(&list, vc, correction).map_err(|e| AppError::Invalid(e.to_string()))?;
            let total = table.total();
            // Rows come by region, then year: the previous row is the
            // region's previous year, if it is the same region.
            let change = rows.last().filter(|p| p.region == region).map(|p| {
                let delta = total - p.total;
                (p.year, delta, (p.total != 0.0).then(|| delta / p.total))
            });
            rows.push(EsvRow {
                name: names.get(&region).cloned().unwrap_or_default(),
                region,
                year,
                correction,
                by_service: std::array::from_fn(|s| table.by_service(s)),
                by_type: table.types.iter().enumerate().map(|(i, k)| (k.clone(), table.by_type(i))).collect(),
                total,
                change,
            });
        }
        Ok(EsvReport { parameters, standard_equivalent: vc, rows, services: SERVICES.to_vec() })
    }

    /// A region's correction: its own, else its nearest ancestor's, else the default.
    async fn correction_of(&self, parameters: &EsvParameters, region: &RegionCode) -> AppResult<f64> {
        if parameters.corrections.is_empty() {
            return Ok(parameters.default_correction);
        }
        if let Some(c) = parameters.corrections.get(region.as_str()) {
            return Ok(*c);
        }
        let ancestors = self.store().ancestors(region).await?;
        Ok(ancestors
            .iter()
            .rev()
            .find_map(|a| parameters.corrections.get(a.code.as_str()).copied())
            .unwrap_or(parameters.default_correction))
    }

    /// GEP of every region and year with line items the actor may read.
    pub async fn gep(&self, actor: &Actor) -> AppResult<GepReport> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let items = self.store().eco_gep_items(read.roots()).await?;
        let mut grouped: BTreeMap<(RegionCode, i32), Vec<&GepItem>> = BTreeMap::new();
        for item in &items {
            grouped.entry((item.region.clone(), item.year)).or_default().push(item);
        }
        let names = self.region_names(grouped.keys().map(|(r, _)| r)).await?;
        let mut rows = Vec::new();
        for ((region, year), list) in &grouped {
            let lines: Vec<(&str, f64, f64)> = list.iter().map(|i| (i.service.as_str(), i.quantity, i.price)).collect();
            let (groups, total) = gep(&lines).map_err(|e| AppError::Invalid(e.to_string()))?;
            rows.push(GepRow {
                region: region.clone(),
                name: names.get(region).cloned().unwrap_or_default(),
                year: *year,
                material: groups[GepGroup::Material as usize],
                regulating: groups[GepGroup::Regulating as usize],
                cultural: groups[GepGroup::Cultural as usize],
                total,
            });
        }
        let items = items.into_iter().map(|i| (i.quantity * i.price, i)).map(|(v, i)| (i, v)).collect();
        Ok(GepReport { rows, items })
    }
}

/// A region to draw on an ecological map: its name, its shape and a value.
#[derive(Debug, Clone)]
pub struct EcoMapArea {
    /// The region.
    pub code: RegionCode,
    /// Its name (Chinese).
    pub name: String,
    /// Its boundary (lon/lat).
    pub shape: revita_methods::geometry::MultiPolygon,
    /// The value mapped (ESV in yuan), if the area carries one.
    pub value: Option<f64>,
}

fn parse_shape(boundary: &revita_store::Boundary) -> AppResult<revita_methods::geometry::MultiPolygon> {
    revita_ingest::boundaries::parse_geometry(&boundary.geojson)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored boundary of {} is invalid: {e}", boundary.region)))
}

impl App {
    /// The regions of an ESV report's `year` with their boundaries and totals.
    pub async fn esv_map_areas(&self, report: &EsvReport, year: i32) -> AppResult<Vec<EcoMapArea>> {
        let rows: Vec<&EsvRow> = report.rows.iter().filter(|r| r.year == year).collect();
        let codes: Vec<RegionCode> = rows.iter().map(|r| r.region.clone()).collect();
        let boundaries = self.store().boundaries_of(&codes).await?;
        let mut areas = Vec::new();
        for b in &boundaries {
            let Some(row) = rows.iter().find(|r| r.region == b.region) else { continue };
            areas.push(EcoMapArea {
                code: row.region.clone(),
                name: row.name.clone(),
                shape: parse_shape(b)?,
                value: Some(row.total),
            });
        }
        Ok(areas)
    }

    /// The provinces around an agreement's sections (those whose bounds
    /// come within two degrees of one), to draw the sections over.
    pub async fn eco_section_areas(&self, sections: &[super::Section]) -> AppResult<Vec<EcoMapArea>> {
        if sections.is_empty() {
            return Ok(Vec::new());
        }
        let near = |b: &revita_methods::geometry::Bounds| {
            sections.iter().any(|s| {
                s.lon >= b.min_x - 2.0 && s.lon <= b.max_x + 2.0 && s.lat >= b.min_y - 2.0 && s.lat <= b.max_y + 2.0
            })
        };
        let names: HashMap<RegionCode, String> =
            self.store().regions().await?.into_iter().map(|r| (r.code, r.name_zh)).collect();
        let mut areas = Vec::new();
        for b in self.store().boundaries_at_level("province").await? {
            let shape = parse_shape(&b)?;
            let Some(bounds) = revita_methods::geometry::Bounds::of(shape.iter().flatten().flatten()) else {
                continue;
            };
            if near(&bounds) {
                let name = names.get(&b.region).cloned().unwrap_or_default();
                areas.push(EcoMapArea { code: b.region.clone(), name, shape, value: None });
            }
        }
        Ok(areas)
    }
}
