//! Typed records from tabular files: regions, indicator definitions,
//! designation lists, the code history and observations (long and wide).
//!
//! Readers check everything a row can say about itself — codes, numbers,
//! dates, keywords — and collect every problem with its row and column.
//! Whether a region or indicator exists is the import use case's business.

use csv::StringRecord;
use revita_methods::crosswalk::parse_successors;
use revita_methods::observation::parse_value;
use revita_methods::{
    Aggregation, Basis, CodeRecord, CodeStatus, Date, Designation, DesignationCategory, Direction, Indicator,
    IndicatorCode, Observation, ObservationStatus, Period, RegionCode,
};

use crate::error::{FileError, Problems, RowError};
use crate::table::Table;

mod places;
mod relocation;
pub use places::{HouseRecord, PLACE_KINDS, ParcelRecord, PlaceRecord, read_houses, read_parcels, read_places};
pub use relocation::{
    ReliefPaymentRecord, ReliefProjectRecord, ReliefWorkerRecord, RelocationRecord, SiteRecord, read_relief_payments,
    read_relief_projects, read_relief_workers, read_relocation_incomes, read_relocations, read_sites,
};

/// A column a reader looks for: its name, accepted aliases, and whether it
/// must be present.
struct Spec {
    names: &'static [&'static str],
    required: bool,
}

const fn required(names: &'static [&'static str]) -> Spec {
    Spec { names, required: true }
}

const fn optional(names: &'static [&'static str]) -> Spec {
    Spec { names, required: false }
}

/// Columns that label a row for people (names, levels, units) and that
/// readers ignore without comment in wide files.
const LABEL_COLUMNS: [&str; 10] =
    ["name", "name_zh", "name_en", "region_name", "province", "prefecture", "county", "level", "unit", "notes"];

/// Records read from a file, with the columns that were ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// `(row number, record)` in file order.
    pub rows: Vec<(u64, T)>,
    /// Header names no reader used (reported, not an error).
    pub ignored_columns: Vec<String>,
}

/// Resolves `specs` against the header: their indexes, and the columns left.
fn resolve(table: &Table, specs: &[Spec]) -> Result<(Vec<Option<usize>>, Vec<String>), FileError> {
    let mut indexes = Vec::with_capacity(specs.len());
    for spec in specs {
        let index = table.column(spec.names);
        if index.is_none() && spec.required {
            return Err(FileError::new(
                &table.file,
                format!("missing column '{}' (the header has: {})", spec.names[0], table.header.join(", ")),
            ));
        }
        indexes.push(index);
    }
    let ignored =
        (0..table.header.len()).filter(|i| !indexes.contains(&Some(*i))).map(|i| table.header[i].clone()).collect();
    Ok((indexes, ignored))
}

/// A row's cells by spec position.
struct Cells<'a> {
    record: &'a StringRecord,
    indexes: &'a [Option<usize>],
    header: &'a [String],
    /// The specs, for the name of a column the file does not have.
    specs: &'a [Spec],
    file: &'a str,
    row: u64,
}

impl<'a> Cells<'a> {
    fn text(&self, spec: usize) -> &'a str {
        self.indexes[spec].and_then(|i| self.record.get(i)).map_or("", str::trim)
    }

    fn opt_text(&self, spec: usize) -> Option<String> {
        Some(self.text(spec)).filter(|t| !t.is_empty()).map(str::to_string)
    }

    fn column(&self, spec: usize) -> &str {
        // A column the file lacks is named as the reader expects it, so that
        // a cross-column problem (an accepted project without its date)
        // says which column to add.
        self.indexes[spec].map_or(self.specs[spec].names[0], |i| self.header[i].as_str())
    }

    fn error(&self, spec: usize, reason: impl Into<String>) -> RowError {
        RowError::cell(self.file, self.row, self.column(spec), reason)
    }

    fn required(&self, spec: usize) -> Result<&'a str, RowError> {
        let text = self.text(spec);
        if text.is_empty() { Err(self.error(spec, "is empty")) } else { Ok(text) }
    }

    fn region_code(&self, spec: usize) -> Result<RegionCode, RowError> {
        RegionCode::parse(self.required(spec)?).map_err(|e| self.error(spec, e.to_string()))
    }

    fn opt_year(&self, spec: usize) -> Result<Option<i32>, RowError> {
        match self.text(spec) {
            "" => Ok(None),
            t => t.parse().map(Some).map_err(|_| self.error(spec, format!("'{t}' is not a year"))),
        }
    }

    fn opt_date(&self, spec: usize) -> Result<Option<Date>, RowError> {
        match self.text(spec) {
            "" => Ok(None),
            text => Date::parse(text).map(Some).map_err(|e| self.error(spec, e.to_string())),
        }
    }

    fn opt_number(&self, spec: usize) -> Result<Option<f64>, RowError> {
        match self.text(spec) {
            "" => Ok(None),
            text => parse_value(text).map(Some).ok_or_else(|| self.error(spec, format!("'{text}' is not a number"))),
        }
    }
}

/// Reads every row with `parse`, collecting problems.
fn read_all<T>(
    table: &mut Table,
    specs: &[Spec],
    parse: impl FnMut(&Cells) -> Result<T, RowError>,
) -> Result<Parsed<T>, Problems> {
    let (parsed, problems) = read_all_with_problems(table, specs, parse)?;
    if problems.is_empty() { Ok(parsed) } else { Err(problems) }
}

/// Reads every row, keeping the rows that parse beside the problems of
/// those that do not, so that a caller checking the parsed rows further can
/// report every problem of a file at once. Only a bad header is fatal.
fn read_all_with_problems<T>(
    table: &mut Table,
    specs: &[Spec],
    mut parse: impl FnMut(&Cells) -> Result<T, RowError>,
) -> Result<(Parsed<T>, Problems), Problems> {
    let (indexes, ignored_columns) = resolve(table, specs)?;
    let mut rows = Vec::new();
    let mut problems = Problems::default();
    let mut record = StringRecord::new();
    loop {
        let row = match table.next_record(&mut record) {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let cells = Cells { record: &record, indexes: &indexes, header: &table.header, specs, file: &table.file, row };
        match parse(&cells) {
            Ok(value) => rows.push((row, value)),
            Err(e) => problems.push(e),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(RowError::row(&table.file, 0, "the file has a header but no data rows"));
    }
    Ok((Parsed { rows, ignored_columns }, problems))
}

/// A region row as the file states it; level and parent may be left for the
/// code scheme to infer.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRecord {
    /// The code as written (normalised later by the scheme).
    pub code: RegionCode,
    /// Chinese (primary) name.
    pub name_zh: String,
    /// English or pinyin name.
    pub name_en: Option<String>,
    /// Stated level, if any.
    pub level: Option<String>,
    /// Stated parent, if any.
    pub parent: Option<RegionCode>,
    /// Validity start.
    pub valid_from: Option<Date>,
    /// Validity end.
    pub valid_to: Option<Date>,
}

/// Reads a regions file: `code,name_zh[,name_en,level,parent_code,valid_from,valid_to]`.
/// NBS tables' headers (`code6`/`code9`/`code12`, `name`) are accepted.
pub fn read_regions(table: &mut Table) -> Result<Parsed<RegionRecord>, Problems> {
    let specs = [
        required(&["code", "code12", "code9", "code6", "region_code"]),
        required(&["name_zh", "name"]),
        optional(&["name_en"]),
        optional(&["level"]),
        optional(&["parent_code", "parent"]),
        optional(&["valid_from"]),
        optional(&["valid_to"]),
    ];
    read_all(table, &specs, |c| {
        Ok(RegionRecord {
            code: c.region_code(0)?,
            name_zh: c.required(1)?.to_string(),
            name_en: c.opt_text(2),
            level: c.opt_text(3),
            parent: c.opt_text(4).map(|_| c.region_code(4)).transpose()?,
            valid_from: c.opt_date(5)?,
            valid_to: c.opt_date(6)?,
        })
    })
}

/// Reads indicator definitions:
/// `code,name_zh,name_en,unit,direction,aggregation,weight_indicator,description,source,valid_min,valid_max`.
pub fn read_indicators(table: &mut Table) -> Result<Parsed<Indicator>, Problems> {
    let specs = [
        required(&["code"]),
        required(&["name_zh"]),
        optional(&["name_en"]),
        required(&["unit"]),
        optional(&["direction"]),
        optional(&["aggregation"]),
        optional(&["weight_indicator"]),
        optional(&["description"]),
        optional(&["source"]),
        optional(&["valid_min", "min"]),
        optional(&["valid_max", "max"]),
    ];
    read_all(table, &specs, |c| {
        let indicator = Indicator {
            code: IndicatorCode::parse(c.required(0)?).map_err(|e| c.error(0, e.to_string()))?,
            name_zh: c.required(1)?.to_string(),
            name_en: c.opt_text(2),
            unit: c.text(3).to_string(),
            direction: Direction::parse(c.text(4)).map_err(|e| c.error(4, e.to_string()))?,
            aggregation: Aggregation::parse(c.text(5), Some(c.text(6))).map_err(|e| c.error(5, e.to_string()))?,
            description: c.opt_text(7),
            source: c.opt_text(8),
            range: revita_methods::ValueRange { min: c.opt_number(9)?, max: c.opt_number(10)? },
        };
        indicator.validate().map_err(|e| {
            let spec = if matches!(e, revita_methods::indicator::IndicatorError::BadRange(_)) { 10 } else { 0 };
            c.error(spec, e.to_string())
        })?;
        Ok(indicator)
    })
}

/// Reads a designation list:
/// `region_code,category,class,basis_title,basis_number,valid_from,valid_to,notes`.
pub fn read_designations(table: &mut Table) -> Result<Parsed<Designation>, Problems> {
    let specs = [
        required(&["region_code", "code"]),
        required(&["category"]),
        optional(&["class"]),
        required(&["basis_title", "basis"]),
        optional(&["basis_number"]),
        optional(&["valid_from"]),
        optional(&["valid_to"]),
        optional(&["notes"]),
    ];
    read_all(table, &specs, |c| {
        let designation = Designation {
            region: c.region_code(0)?,
            category: DesignationCategory::parse(c.required(1)?).map_err(|e| c.error(1, e.to_string()))?,
            class: c.opt_text(2),
            basis: Basis { title: c.required(3)?.to_string(), number: c.opt_text(4) },
            valid_from: c.opt_date(5)?,
            valid_to: c.opt_date(6)?,
            notes: c.opt_text(7),
        };
        designation.validate().map_err(|e| c.error(2, e.to_string()))?;
        Ok(designation)
    })
}

/// Reads pairings: `program,donor_code,recipient_code[,start_year,end_year,notes]`
/// (the demo's `recipient_code_2024` and `verification` headers are accepted).
pub fn read_pairings(table: &mut Table) -> Result<Parsed<revita_methods::Pairing>, Problems> {
    let specs = [
        required(&["program"]),
        required(&["donor_code", "donor"]),
        required(&["recipient_code", "recipient_code_2024", "recipient"]),
        optional(&["start_year"]),
        optional(&["end_year"]),
        optional(&["notes", "verification"]),
    ];
    read_all(table, &specs, |c| {
        let pairing = revita_methods::Pairing {
            program: c.required(0)?.to_string(),
            donor: c.region_code(1)?,
            recipient: c.region_code(2)?,
            start_year: c.opt_year(3)?,
            end_year: c.opt_year(4)?,
            notes: c.opt_text(5),
        };
        pairing.validate().map_err(|e| c.error(2, e.to_string()))?;
        Ok(pairing)
    })
}

/// Reads water-quality samples: `section,date,indicator,upstream,downstream[,reserve,lab,valid]`,
/// the two parties' results of one jointly taken sample (mg/L, at least 0),
/// `valid` 1 (the default) or 0 for a sample declared void.
pub fn read_water_samples(table: &mut Table) -> Result<Parsed<revita_methods::eco::WaterSample>, Problems> {
    let (parsed, problems) = read_water_samples_with_problems(table)?;
    if problems.is_empty() { Ok(parsed) } else { Err(problems) }
}

/// Reads water-quality samples as [`read_water_samples`] does, keeping the
/// rows that parse beside the problems of those that do not, so that the
/// caller can check the parsed rows against an agreement and report every
/// problem of the file at once.
pub fn read_water_samples_with_problems(
    table: &mut Table,
) -> Result<(Parsed<revita_methods::eco::WaterSample>, Problems), Problems> {
    let specs = [
        required(&["section"]),
        required(&["date", "sampled_on"]),
        required(&["indicator"]),
        required(&["upstream", "upstream_value"]),
        required(&["downstream", "downstream_value"]),
        optional(&["reserve", "reserve_value"]),
        optional(&["lab", "laboratory"]),
        optional(&["valid"]),
    ];
    read_all_with_problems(table, &specs, |c| {
        let valid = match c.text(7) {
            "" | "1" | "是" | "true" => true,
            "0" | "否" | "false" => false,
            other => return Err(c.error(7, format!("'{other}' is not 1 (counts) or 0 (void)"))),
        };
        let concentration = |spec: usize| -> Result<Option<f64>, RowError> {
            match c.opt_number(spec)? {
                Some(v) if v < 0.0 => Err(c.error(spec, format!("{v} is not a concentration (at least 0)"))),
                value => Ok(value),
            }
        };
        Ok(revita_methods::eco::WaterSample {
            section: c.required(0)?.to_string(),
            date: c.opt_date(1)?.ok_or_else(|| c.error(1, "is empty"))?,
            indicator: c.required(2)?.to_string(),
            upstream: concentration(3)?.ok_or_else(|| c.error(3, "is empty"))?,
            downstream: concentration(4)?.ok_or_else(|| c.error(4, "is empty"))?,
            reserve: concentration(5)?,
            lab: c.opt_text(6),
            valid,
        })
    })
}

/// Reads land-use areas: `region_code[,year],type,hectares`, the type one of
/// Xie et al.'s (2015) ecosystem types ([`revita_methods::eco::XIE_2015`]).
pub fn read_land_use(table: &mut Table) -> Result<Parsed<revita_methods::eco::LandUse>, Problems> {
    let specs = [
        required(&["region_code", "code"]),
        required(&["type", "land_use"]),
        required(&["hectares", "area_ha"]),
        optional(&["year"]),
    ];
    read_all(table, &specs, |c| {
        let kind = c.required(1)?;
        if !revita_methods::eco::XIE_2015.iter().any(|(k, _)| *k == kind) {
            let known: Vec<&str> = revita_methods::eco::XIE_2015.iter().map(|(k, _)| *k).collect();
            return Err(c.error(1, format!("'{kind}' is not one of {}", known.join(", "))));
        }
        let hectares = c.opt_number(2)?.ok_or_else(|| c.error(2, "is empty"))?;
        if hectares < 0.0 {
            return Err(c.error(2, format!("{hectares} is not an area (at least 0)")));
        }
        Ok(revita_methods::eco::LandUse {
            region: c.region_code(0)?,
            year: c.opt_year(3)?,
            kind: kind.to_string(),
            hectares,
        })
    })
}

/// How a GEP line item's price may be found (the 2022 accounting standard's
/// valuation methods).
pub const PRICE_METHODS: [&str; 6] =
    ["market", "replacement_cost", "shadow_project", "avoided_cost", "travel_cost", "contingent_valuation"];

/// Reads GEP line items: `region_code,year,service,quantity,unit,price,price_method`,
/// the service one the accounting standard names
/// ([`revita_methods::eco::GEP_SERVICES`]), quantity and price at least 0.
pub fn read_gep_items(table: &mut Table) -> Result<Parsed<GepRecord>, Problems> {
    let specs = [
        required(&["region_code", "code"]),
        required(&["year"]),
        required(&["service"]),
        required(&["quantity"]),
        required(&["unit"]),
        required(&["price"]),
        required(&["price_method"]),
    ];
    read_all(table, &specs, |c| {
        let service = c.required(2)?;
        if revita_methods::eco::gep_group(service).is_none() {
            let known: Vec<&str> = revita_methods::eco::GEP_SERVICES.iter().map(|(s, _)| *s).collect();
            return Err(c.error(2, format!("'{service}' is not one of {}", known.join(", "))));
        }
        let amount = |spec: usize| -> Result<f64, RowError> {
            match c.opt_number(spec)? {
                None => Err(c.error(spec, "is empty")),
                Some(v) if v < 0.0 => Err(c.error(spec, format!("{v} is below 0"))),
                Some(v) => Ok(v),
            }
        };
        let method = c.required(6)?;
        if !PRICE_METHODS.contains(&method) {
            return Err(c.error(6, format!("'{method}' is not one of {}", PRICE_METHODS.join(", "))));
        }
        Ok(GepRecord {
            region: c.region_code(0)?,
            year: c.opt_year(1)?.ok_or_else(|| c.error(1, "is empty"))?,
            service: service.to_string(),
            quantity: amount(3)?,
            unit: c.required(4)?.to_string(),
            price: amount(5)?,
            price_method: method.to_string(),
        })
    })
}

/// A GEP line item read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct GepRecord {
    /// The region.
    pub region: RegionCode,
    /// The year.
    pub year: i32,
    /// The final product or service.
    pub service: String,
    /// Its physical quantity.
    pub quantity: f64,
    /// The quantity's unit.
    pub unit: String,
    /// The price per unit (yuan).
    pub price: f64,
    /// How the price was found (one of [`PRICE_METHODS`]).
    pub price_method: String,
}

/// Reads the inputs of the key ecological function zone transfer:
/// `county,standard_expenditure,standard_revenue,prohibited_area,rangers,quality_change`
/// (yuan, yuan, km², persons, index points; all but the quality change at least 0).
pub fn read_transfer_counties(
    table: &mut Table,
) -> Result<Parsed<revita_methods::eco::transfer::TransferCounty>, Problems> {
    let specs = [
        required(&["county", "region_code"]),
        required(&["standard_expenditure"]),
        required(&["standard_revenue"]),
        optional(&["prohibited_area", "prohibited_area_km2"]),
        optional(&["rangers"]),
        optional(&["quality_change"]),
    ];
    read_all(table, &specs, |c| {
        let at_least_zero = |spec: usize, required: bool| -> Result<f64, RowError> {
            match c.opt_number(spec)? {
                None if required => Err(c.error(spec, "is empty")),
                None => Ok(0.0),
                Some(v) if v < 0.0 => Err(c.error(spec, format!("{v} is below 0"))),
                Some(v) => Ok(v),
            }
        };
        Ok(revita_methods::eco::transfer::TransferCounty {
            county: c.required(0)?.to_string(),
            standard_expenditure: at_least_zero(1, true)?,
            standard_revenue: at_least_zero(2, true)?,
            prohibited_area: at_least_zero(3, false)?,
            rangers: at_least_zero(4, false)?,
            quality_change: c.opt_number(5)?.unwrap_or(0.0),
        })
    })
}

/// A pairing-assistance flow read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct PairingFlowRecord {
    /// The programme.
    pub program: String,
    /// The donor.
    pub donor: RegionCode,
    /// The recipient.
    pub recipient: RegionCode,
    /// The year.
    pub year: i32,
    /// What it is.
    pub kind: revita_methods::pairing::FlowKind,
    /// The project or batch.
    pub project: String,
    /// How much, in the kind's unit.
    pub amount: f64,
    /// The sector.
    pub sector: Option<String>,
    /// Spent at county level or below.
    pub county_level: bool,
    /// Spent on livelihoods.
    pub livelihood: bool,
}

/// Reads pairing-assistance flows:
/// `program,donor_code,recipient_code,year,kind,project,amount[,sector,county_level,livelihood]`,
/// the kind one of `funds`, `cadres`, `technicians`, `investment`,
/// `labour`, `purchases`; the flags 1/0 (default 0); the rows that parse
/// beside the problems of those that do not.
pub fn read_pairing_flows_with_problems(table: &mut Table) -> Result<(Parsed<PairingFlowRecord>, Problems), Problems> {
    use revita_methods::pairing::FlowKind;
    let specs = [
        required(&["program"]),
        required(&["donor_code", "donor"]),
        required(&["recipient_code", "recipient"]),
        required(&["year"]),
        required(&["kind"]),
        required(&["project"]),
        required(&["amount"]),
        optional(&["sector"]),
        optional(&["county_level"]),
        optional(&["livelihood"]),
    ];
    read_all_with_problems(table, &specs, |c| {
        let kind = c.required(4)?;
        let kind = FlowKind::parse(kind).ok_or_else(|| {
            let all: Vec<&str> = FlowKind::ALL.iter().map(|k| k.as_str()).collect();
            c.error(4, format!("'{kind}' is not one of {}", all.join(", ")))
        })?;
        let flag = |spec: usize| -> Result<bool, RowError> {
            match c.text(spec) {
                "" | "0" | "否" => Ok(false),
                "1" | "是" => Ok(true),
                other => Err(c.error(spec, format!("'{other}' is not 0 or 1"))),
            }
        };
        let amount = c.opt_number(6)?.ok_or_else(|| c.error(6, "is empty"))?;
        if amount < 0.0 {
            return Err(c.error(6, format!("{amount} is below 0")));
        }
        Ok(PairingFlowRecord {
            program: c.required(0)?.to_string(),
            donor: c.region_code(1)?,
            recipient: c.region_code(2)?,
            year: c.opt_year(3)?.ok_or_else(|| c.error(3, "is empty"))?,
            kind,
            project: c.required(5)?.to_string(),
            amount,
            sector: c.opt_text(7),
            county_level: flag(8)?,
            livelihood: flag(9)?,
        })
    })
}

/// A county a disaster hit, read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct HitCountyRecord {
    /// The county.
    pub county: RegionCode,
    /// `extreme`, `severe`, `moderate` or `light`.
    pub severity: String,
    /// People affected.
    pub affected: f64,
    /// People displaced.
    pub displaced: f64,
    /// People in transitional shelters.
    pub shelters: f64,
}

/// The severity classes of a county a disaster hit (the Wenchuan plan's
/// 极重灾区, 重灾区, 较重灾区, 一般灾区).
pub const SEVERITIES: [&str; 4] = ["extreme", "severe", "moderate", "light"];

/// An assessment line read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRecord {
    /// The county.
    pub county: RegionCode,
    /// The sector (one of [`revita_methods::disaster::SECTORS`]).
    pub sector: String,
    /// The asset class or flow.
    pub asset: String,
    /// `public` or `private`.
    pub ownership: String,
    /// `damage` or `loss`.
    pub kind: String,
    /// Units destroyed.
    pub destroyed: f64,
    /// Units damaged.
    pub damaged: f64,
    /// The line's own replacement cost.
    pub replacement_cost: Option<f64>,
    /// The line's own repair cost.
    pub repair_cost: Option<f64>,
    /// The flow without the disaster over the recovery period.
    pub baseline: f64,
    /// The flow after it.
    pub actual: f64,
    /// Higher costs over the period.
    pub additional_costs: f64,
}

/// A number of at least 0 from a cell; `default` when the cell is empty
/// and one is given.
fn amount(c: &Cells, spec: usize, default: Option<f64>) -> Result<f64, RowError> {
    match (c.opt_number(spec)?, default) {
        (None, Some(d)) => Ok(d),
        (None, None) => Err(c.error(spec, "is empty")),
        (Some(v), _) if v < 0.0 => Err(c.error(spec, format!("{v} is below 0"))),
        (Some(v), _) => Ok(v),
    }
}

/// Reads the counties a disaster hit:
/// `county_code,severity[,affected,displaced,shelters]` (people).
pub fn read_hit_counties(table: &mut Table) -> Result<Parsed<HitCountyRecord>, Problems> {
    let specs = [
        required(&["county_code", "region_code"]),
        required(&["severity"]),
        optional(&["affected"]),
        optional(&["displaced"]),
        optional(&["shelters"]),
    ];
    read_all(table, &specs, |c| {
        let severity = c.required(1)?;
        if !SEVERITIES.contains(&severity) {
            return Err(c.error(1, format!("'{severity}' is not one of {}", SEVERITIES.join(", "))));
        }
        Ok(HitCountyRecord {
            county: c.region_code(0)?,
            severity: severity.to_string(),
            affected: amount(c, 2, Some(0.0))?,
            displaced: amount(c, 3, Some(0.0))?,
            shelters: amount(c, 4, Some(0.0))?,
        })
    })
}

/// Reads unit costs: `sector,asset,replacement_cost,repair_cost` (yuan a unit).
pub fn read_unit_costs(table: &mut Table) -> Result<Parsed<(String, String, f64, f64)>, Problems> {
    let specs =
        [required(&["sector"]), required(&["asset"]), required(&["replacement_cost"]), optional(&["repair_cost"])];
    read_all(table, &specs, |c| {
        let sector = c.required(0)?;
        if revita_methods::disaster::sector_group(sector).is_none() {
            return Err(sector_problem(c, 0, sector));
        }
        Ok((sector.to_string(), c.required(1)?.to_string(), amount(c, 2, None)?, amount(c, 3, Some(0.0))?))
    })
}

fn sector_problem(c: &Cells, spec: usize, sector: &str) -> RowError {
    let known: Vec<&str> = revita_methods::disaster::SECTORS.iter().map(|(s, _)| *s).collect();
    c.error(spec, format!("'{sector}' is not one of {}", known.join(", ")))
}

/// Reads assessment lines:
/// `county_code,sector,asset,ownership,kind[,destroyed,damaged,replacement_cost,repair_cost,baseline,actual,additional_costs]`,
/// `kind` `damage` (units destroyed and damaged, costs where the line has
/// its own) or `loss` (the flow's baseline and actual over the recovery
/// period, additional costs); the rows that parse beside the problems of
/// those that do not.
pub fn read_assessment_with_problems(table: &mut Table) -> Result<(Parsed<AssessmentRecord>, Problems), Problems> {
    let specs = [
        required(&["county_code", "region_code"]),
        required(&["sector"]),
        required(&["asset"]),
        required(&["ownership"]),
        required(&["kind"]),
        optional(&["destroyed", "units_destroyed"]),
        optional(&["damaged", "units_damaged"]),
        optional(&["replacement_cost"]),
        optional(&["repair_cost"]),
        optional(&["baseline"]),
        optional(&["actual"]),
        optional(&["additional_costs"]),
    ];
    read_all_with_problems(table, &specs, |c| {
        let sector = c.required(1)?;
        if revita_methods::disaster::sector_group(sector).is_none() {
            return Err(sector_problem(c, 1, sector));
        }
        let ownership = c.required(3)?;
        if !["public", "private"].contains(&ownership) {
            return Err(c.error(3, format!("'{ownership}' is not public or private")));
        }
        let kind = c.required(4)?;
        if !["damage", "loss"].contains(&kind) {
            return Err(c.error(4, format!("'{kind}' is not damage or loss")));
        }
        let optional_amount = |spec: usize| -> Result<Option<f64>, RowError> {
            match c.opt_number(spec)? {
                Some(v) if v < 0.0 => Err(c.error(spec, format!("{v} is below 0"))),
                v => Ok(v),
            }
        };
        let record = AssessmentRecord {
            county: c.region_code(0)?,
            sector: sector.to_string(),
            asset: c.required(2)?.to_string(),
            ownership: ownership.to_string(),
            kind: kind.to_string(),
            destroyed: amount(c, 5, Some(0.0))?,
            damaged: amount(c, 6, Some(0.0))?,
            replacement_cost: optional_amount(7)?,
            repair_cost: optional_amount(8)?,
            baseline: amount(c, 9, Some(0.0))?,
            actual: amount(c, 10, Some(0.0))?,
            additional_costs: amount(c, 11, Some(0.0))?,
        };
        if kind == "loss" && record.baseline == 0.0 && record.additional_costs == 0.0 {
            return Err(c.error(9, "a loss needs the flow's baseline or additional costs"));
        }
        Ok(record)
    })
}

/// A household's rebuild read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildRecord {
    /// The registry household.
    pub household_id: String,
    /// `planned`, `under_way` or `completed`.
    pub status: String,
    /// The rebuild grant (yuan).
    pub grant: f64,
    /// The day it was completed (required when completed).
    pub completed_on: Option<Date>,
}

/// The statuses of a household's rebuild.
pub const REBUILD_STATUSES: [&str; 3] = ["planned", "under_way", "completed"];

/// Reads households' rebuilds: `household_id,status[,grant,completed_on]`.
pub fn read_rebuilds(table: &mut Table) -> Result<Parsed<RebuildRecord>, Problems> {
    let specs = [
        required(&["household_id", "hh_id"]),
        required(&["status"]),
        optional(&["grant", "grant_amount"]),
        optional(&["completed_on"]),
    ];
    read_all(table, &specs, |c| {
        let status = c.required(1)?;
        if !REBUILD_STATUSES.contains(&status) {
            return Err(c.error(1, format!("'{status}' is not one of {}", REBUILD_STATUSES.join(", "))));
        }
        let completed_on = c.opt_date(3)?;
        if status == "completed" && completed_on.is_none() {
            return Err(c.error(3, "a completed rebuild needs the day it was completed"));
        }
        Ok(RebuildRecord {
            household_id: c.required(0)?.to_string(),
            status: status.to_string(),
            grant: amount(c, 2, Some(0.0))?,
            completed_on,
        })
    })
}

/// Reads monitoring lines: `region_code,year,amount[,rule,multiple]`, the
/// rule `fixed` (default), `poverty_standard` or `dibao` with its multiple.
pub fn read_monitoring_lines(
    table: &mut Table,
) -> Result<Parsed<revita_methods::monitoring::MonitoringLine>, Problems> {
    let specs = [
        required(&["region_code", "code"]),
        required(&["year"]),
        required(&["amount", "line"]),
        optional(&["rule"]),
        optional(&["multiple"]),
    ];
    read_all(table, &specs, |c| {
        let multiple = match c.text(4).trim() {
            "" => None,
            text => Some(
                revita_methods::observation::parse_value(text)
                    .ok_or_else(|| c.error(4, format!("'{text}' is not a number")))?,
            ),
        };
        let amount = revita_methods::observation::parse_value(c.text(2))
            .ok_or_else(|| c.error(2, format!("'{}' is not a number", c.text(2))))?;
        let line = revita_methods::monitoring::MonitoringLine {
            region: c.region_code(0)?,
            year: c.opt_year(1)?.ok_or_else(|| c.error(1, "is empty"))?,
            amount,
            rule: revita_methods::monitoring::LineRule::from_parts(c.text(3), multiple)
                .map_err(|e| c.error(3, e.to_string()))?,
        };
        line.validate().map_err(|e| c.error(2, e.to_string()))?;
        Ok(line)
    })
}

/// Reads households for the monitoring registry: SPEC B1's columns
/// (`hh_id`, `village_code`, `size`, `labor`, the five amounts, the eleven
/// `d_*` flags) and, optionally, `head_name`, `id_number` and `phone`.
/// Every value is checked as screening checks it ([`Household::check`]).
///
/// [`Household::check`]: revita_methods::screening::Household::check
pub fn read_registered_households(
    table: &mut Table,
) -> Result<Parsed<revita_methods::monitoring::RegisteredHousehold>, Problems> {
    use revita_methods::screening::{Deprivation, Household};

    let mut specs = vec![
        required(&["hh_id", "id"]),
        required(&["village_code"]),
        required(&["size"]),
        required(&["labor"]),
        required(&["income_pc"]),
        required(&["income_pc_prev"]),
        required(&["medical_exp"]),
        required(&["education_exp"]),
        required(&["disaster_loss"]),
    ];
    specs.extend(crate::households::DEPRIVATION_COLUMNS.iter().map(|name| required(std::slice::from_ref(name))));
    specs.extend([optional(&["head_name"]), optional(&["id_number"]), optional(&["phone"])]);
    specs.extend(INCOME_SOURCE_COLUMNS.iter().map(|name| optional(std::slice::from_ref(name))));
    specs.push(optional(&["relocation_site"]));
    read_all(table, &specs, |c| {
        let int = |spec: usize| -> Result<i64, RowError> {
            let t = c.required(spec)?;
            t.parse().map_err(|_| c.error(spec, format!("'{t}' is not a whole number")))
        };
        let small = |spec: usize| -> Result<i32, RowError> {
            i32::try_from(int(spec)?).map_err(|_| c.error(spec, "is out of range"))
        };
        let amount = |spec: usize| -> Result<f64, RowError> {
            let t = c.required(spec)?;
            revita_methods::observation::parse_value(t).ok_or_else(|| c.error(spec, format!("'{t}' is not a number")))
        };
        let mut deprived = 0u16;
        for (k, d) in Deprivation::ALL.iter().enumerate() {
            match c.required(9 + k)? {
                "0" => {}
                "1" => deprived |= d.bit(),
                other => return Err(c.error(9 + k, format!("'{other}' is not 0 or 1"))),
            }
        }
        let household = Household {
            village_code: int(1)?,
            size: small(2)?,
            labor: small(3)?,
            income_pc: amount(4)?,
            income_pc_prev: amount(5)?,
            medical_exp: amount(6)?,
            education_exp: amount(7)?,
            disaster_loss: amount(8)?,
            deprived,
        };
        if let Err(problem) = household.check() {
            let spec = [
                "village_code",
                "size",
                "labor",
                "income_pc",
                "income_pc_prev",
                "medical_exp",
                "education_exp",
                "disaster_loss",
            ]
            .iter()
            .position(|name| *name == problem.column)
            .map_or(0, |i| i + 1);
            return Err(c.error(spec, problem.reason));
        }
        Ok(revita_methods::monitoring::RegisteredHousehold {
            id: c.required(0)?.to_string(),
            household,
            head_name: c.opt_text(20),
            id_number: c.opt_text(21),
            phone: c.opt_text(22),
            income_sources: income_sources(
                |k| match c.opt_text(23 + k) {
                    None => Ok(None),
                    Some(t) => revita_methods::observation::parse_value(&t)
                        .map(Some)
                        .ok_or_else(|| c.error(23 + k, format!("'{t}' is not a number"))),
                },
                |k| c.error(23 + k, "give all four income sources or none"),
            )?,
            relocation_site: c.opt_text(27),
        })
    })
}

/// The optional income-by-source columns of the registry (yuan per year,
/// whole household), in [`IncomeSources`] field order.
///
/// [`IncomeSources`]: revita_methods::registry::IncomeSources
pub const INCOME_SOURCE_COLUMNS: [&str; 4] = ["income_wage", "income_business", "income_property", "income_transfer"];

/// The four income sources read by `value(k)`: all four or none; a partial
/// set is the error `missing(k)` of the first absent one.
pub(crate) fn income_sources<E>(
    mut value: impl FnMut(usize) -> Result<Option<f64>, E>,
    missing: impl Fn(usize) -> E,
) -> Result<Option<revita_methods::registry::IncomeSources>, E> {
    let mut values = [None; 4];
    for (k, v) in values.iter_mut().enumerate() {
        *v = value(k)?;
    }
    match values {
        [Some(wage), Some(business), Some(property), Some(transfer)] => {
            Ok(Some(revita_methods::registry::IncomeSources { wage, business, property, transfer }))
        }
        [None, None, None, None] => Ok(None),
        _ => Err(missing(values.iter().position(Option::is_none).unwrap_or(0))),
    }
}

/// Reads household members for the registry: `hh_id`, `seq`, `sex`,
/// `birth_year`, `labour`, `schooling`, the 0/1 flags `disabled`,
/// `chronically_ill` and `insured`, and optionally `name`. Keywords are
/// English or Chinese ([`Sex`], [`Labour`], [`Schooling`]); birth years are
/// checked against `year`, the current year.
///
/// [`Sex`]: revita_methods::registry::Sex
/// [`Labour`]: revita_methods::registry::Labour
/// [`Schooling`]: revita_methods::registry::Schooling
pub fn read_household_members(
    table: &mut Table,
    year: i32,
) -> Result<Parsed<(String, revita_methods::registry::Member)>, Problems> {
    use revita_methods::registry::{Labour, Member, MemberError, Schooling, Sex};
    let specs = [
        required(&["hh_id", "household_id"]),
        required(&["seq", "member_no"]),
        optional(&["name"]),
        required(&["sex"]),
        required(&["birth_year"]),
        required(&["labour", "labor_capacity"]),
        required(&["disabled"]),
        required(&["chronically_ill", "chronic_illness"]),
        required(&["schooling"]),
        required(&["insured", "medical_insurance"]),
    ];
    read_all(table, &specs, |c| {
        let whole = |spec: usize| -> Result<i32, RowError> {
            let t = c.required(spec)?;
            t.parse().map_err(|_| c.error(spec, format!("'{t}' is not a whole number")))
        };
        let flag = |spec: usize| -> Result<bool, RowError> {
            match c.required(spec)? {
                "0" | "否" => Ok(false),
                "1" | "是" => Ok(true),
                other => Err(c.error(spec, format!("'{other}' is not 0 or 1"))),
            }
        };
        let keyword = |spec: usize, all: &[&str]| -> RowError {
            c.error(spec, format!("'{}' is not one of {}", c.text(spec), all.join(", ")))
        };
        let sex = Sex::parse(c.required(3)?)
            .ok_or_else(|| keyword(3, &Sex::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()))?;
        let labour = Labour::parse(c.required(5)?)
            .ok_or_else(|| keyword(5, &Labour::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()))?;
        let schooling = Schooling::parse(c.required(8)?)
            .ok_or_else(|| keyword(8, &Schooling::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()))?;
        let member = Member {
            seq: whole(1)?,
            name: c.opt_text(2),
            sex,
            birth_year: whole(4)?,
            labour,
            disabled: flag(6)?,
            chronically_ill: flag(7)?,
            schooling,
            insured: flag(9)?,
        };
        member.check(year).map_err(|e| {
            let column = match e {
                MemberError::Number(_) => 1,
                MemberError::BirthYear { .. } => 4,
            };
            c.error(column, e.to_string())
        })?;
        Ok((c.required(0)?.to_string(), member))
    })
}

/// The columns of a project file, in template order: the project, then one
/// budget column per funding source (`budget_<source>`, yuan; empty = 0).
pub fn project_columns() -> Vec<String> {
    let mut columns: Vec<String> =
        ["code", "name", "category", "region_code", "lon", "lat", "start", "end", "status", "percent", "goals"]
            .iter()
            .map(|c| c.to_string())
            .collect();
    columns.extend(revita_methods::plan::FundingSource::ALL.iter().map(|s| format!("budget_{}", s.as_str())));
    columns
}

/// Reads a plan's projects (the columns of [`project_columns`]): keywords
/// in English or Chinese, dates as `YYYY-MM-DD` or spreadsheet dates, goals
/// as numbers separated by `;`, budgets as non-negative amounts.
pub fn read_projects(table: &mut Table) -> Result<Parsed<revita_methods::plan::Project>, Problems> {
    let (parsed, problems) = read_projects_with_problems(table)?;
    if problems.is_empty() { Ok(parsed) } else { Err(problems) }
}

/// Project rows, with the problems of the rows that do not parse kept
/// beside those that do (see [`read_projects`]).
pub fn read_projects_with_problems(
    table: &mut Table,
) -> Result<(Parsed<revita_methods::plan::Project>, Problems), Problems> {
    use revita_methods::plan::{FundingSource, PlanError, Project, ProjectCategory, ProjectStatus};
    let mut specs = vec![
        required(&["code"]),
        required(&["name"]),
        required(&["category"]),
        required(&["region_code", "region"]),
        optional(&["lon"]),
        optional(&["lat"]),
        required(&["start"]),
        required(&["end"]),
        optional(&["status"]),
        optional(&["percent"]),
        optional(&["goals"]),
    ];
    const BUDGET_NAMES: [&str; 6] = [
        "budget_central_budget",
        "budget_local_budget",
        "budget_bonds",
        "budget_pairing_assistance",
        "budget_loans",
        "budget_social_capital",
    ];
    specs.extend(BUDGET_NAMES.iter().map(|n| optional(std::slice::from_ref(n))));
    read_all_with_problems(table, &specs, |c| {
        let keyword =
            |spec: usize, all: Vec<&str>| c.error(spec, format!("'{}' is not one of {}", c.text(spec), all.join(", ")));
        let amount = |spec: usize| -> Result<Option<f64>, RowError> {
            match c.text(spec) {
                "" => Ok(None),
                t => revita_methods::observation::parse_value(t)
                    .map(Some)
                    .ok_or_else(|| c.error(spec, format!("'{t}' is not a number"))),
            }
        };
        let date = |spec: usize| -> Result<Date, RowError> {
            let t = c.required(spec)?;
            Date::parse(t).map_err(|e| c.error(spec, format!("'{t}' is not a date: {e}")))
        };
        let category = ProjectCategory::parse(c.required(2)?)
            .ok_or_else(|| keyword(2, ProjectCategory::ALL.iter().map(|k| k.as_str()).collect()))?;
        let status = match c.text(8) {
            "" => ProjectStatus::Planned,
            t => ProjectStatus::parse(t)
                .ok_or_else(|| keyword(8, ProjectStatus::ALL.iter().map(|k| k.as_str()).collect()))?,
        };
        let point = match (amount(4)?, amount(5)?) {
            (Some(lon), Some(lat)) => Some((lon, lat)),
            (None, None) => None,
            _ => return Err(c.error(5, "give both lon and lat or neither")),
        };
        let goals = c
            .text(10)
            .split([';', ','])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                t.trim_start_matches(['G', 'g'])
                    .parse::<i64>()
                    .map_err(|_| c.error(10, format!("'{t}' is not a goal number")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut budget = Vec::new();
        for (k, source) in FundingSource::ALL.iter().enumerate() {
            if let Some(value) = amount(11 + k)? {
                budget.push((*source, value));
            }
        }
        let project = Project {
            id: 0,
            plan_id: 0,
            code: c.required(0)?.to_string(),
            name: c.required(1)?.to_string(),
            category,
            region: RegionCode::parse(c.required(3)?).map_err(|e| c.error(3, e.to_string()))?,
            point,
            start: date(6)?,
            end: date(7)?,
            status,
            percent: amount(9)?.unwrap_or(0.0),
            goals,
            budget,
            version: 0,
        };
        project.check().map_err(|e| {
            let spec = match &e {
                PlanError::ProjectUnnamed => 0,
                PlanError::Point { .. } => 4,
                PlanError::Percent(_) => 9,
                PlanError::Budget { funding, .. } => {
                    11 + FundingSource::ALL.iter().position(|f| f == funding).unwrap_or(0)
                }
                _ => 7,
            };
            c.error(spec, e.to_string())
        })?;
        Ok(project)
    })
}

/// Reads the MCA code history:
/// `code,…,name,level,status,first_year,end_year,successor_codes`.
pub fn read_code_history(table: &mut Table) -> Result<Parsed<CodeRecord>, Problems> {
    let specs = [
        required(&["code"]),
        required(&["name"]),
        required(&["level"]),
        required(&["status"]),
        required(&["first_year"]),
        optional(&["end_year"]),
        optional(&["successor_codes", "successors"]),
    ];
    read_all(table, &specs, |c| {
        Ok(CodeRecord {
            code: c.region_code(0)?,
            name: c.required(1)?.to_string(),
            level: c.required(2)?.to_string(),
            status: CodeStatus::parse(c.text(3))
                .ok_or_else(|| c.error(3, format!("'{}' is not in_use, retired or changed", c.text(3))))?,
            first_year: c.opt_year(4)?.ok_or_else(|| c.error(4, "is empty"))?,
            end_year: c.opt_year(5)?,
            successors: parse_successors(c.text(6)).map_err(|e| c.error(6, e.to_string()))?,
        })
    })
}

/// How an observations file lays out its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// `region_code,indicator,period,value[,source][,status]`.
    Long,
    /// `region_code[,period],<indicator>,<indicator>…`: one column per indicator.
    WideByIndicator,
    /// `region_code,indicator,<period>,<period>…`: one column per period.
    WideByPeriod,
}

/// Options for reading observations.
#[derive(Debug, Clone, Default)]
pub struct ObservationOptions {
    /// Source for rows that name none.
    pub source: Option<String>,
    /// Period for wide-by-indicator files without a period column.
    pub period: Option<Period>,
    /// Status for rows that state none.
    pub status: ObservationStatus,
}

/// One observation as read, with its row; the region code is not yet
/// checked against the store or the crosswalk.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationRecord {
    /// Row number.
    pub row: u64,
    /// The observation.
    pub observation: Observation,
}

/// A streaming reader of observations in any [`Layout`].
pub struct ObservationReader {
    table: Table,
    layout: Layout,
    region: usize,
    indicator: Option<usize>,
    period: Option<usize>,
    value: Option<usize>,
    source: Option<usize>,
    status: Option<usize>,
    /// Value columns of wide layouts: index, and the indicator or period it holds.
    wide: Vec<(usize, WideKey)>,
    options: ObservationOptions,
    ignored_columns: Vec<String>,
    record: StringRecord,
    rows_read: u64,
}

#[derive(Debug, Clone)]
enum WideKey {
    Indicator(IndicatorCode),
    Period(Period),
}

impl ObservationReader {
    /// Detects the layout from the header and checks it.
    pub fn new(table: Table, options: ObservationOptions) -> Result<ObservationReader, FileError> {
        let file = table.file.clone();
        let region = table.column(&["region_code", "code", "region"]).ok_or_else(|| {
            FileError::new(&file, format!("missing column 'region_code' (the header has: {})", table.header.join(", ")))
        })?;
        let indicator = table.column(&["indicator", "indicator_code"]);
        let period = table.column(&["period", "year"]);
        let value = table.column(&["value"]);
        let source = table.column(&["source"]);
        let status = table.column(&["status"]);
        let layout = match (value, indicator) {
            (Some(_), _) => Layout::Long,
            (None, Some(_)) => Layout::WideByPeriod,
            (None, None) => Layout::WideByIndicator,
        };
        let used = [Some(region), indicator, period, value, source, status];
        let mut wide = Vec::new();
        let mut ignored_columns = Vec::new();
        for (i, name) in table.header.iter().enumerate() {
            if used.contains(&Some(i)) {
                continue;
            }
            if layout == Layout::Long || LABEL_COLUMNS.contains(&name.as_str()) {
                ignored_columns.push(name.clone());
                continue;
            }
            let key = match layout {
                Layout::WideByPeriod => Period::parse(name).map(WideKey::Period).map_err(|_| {
                    format!("column '{name}' is not a period; a file with an 'indicator' column and no 'value' column needs one column per period (e.g. 2019, 2020)")
                }),
                _ => IndicatorCode::parse(name).map(WideKey::Indicator).map_err(|e| format!("column '{name}': {e}")),
            };
            wide.push((i, key.map_err(|reason| FileError::new(&file, reason))?));
        }
        match layout {
            Layout::Long => {
                for (col, name) in [(indicator, "indicator"), (period, "period")] {
                    if col.is_none() {
                        return Err(FileError::new(
                            &file,
                            format!(
                                "missing column '{name}' (long format: region_code,indicator,period,value[,source])"
                            ),
                        ));
                    }
                }
            }
            Layout::WideByIndicator if period.is_none() && options.period.is_none() => {
                return Err(FileError::new(
                    &file,
                    "a wide file needs a 'period' column or a period given with the import (--period)",
                ));
            }
            _ if wide.is_empty() => return Err(FileError::new(&file, "the file has no value columns")),
            _ => {}
        }
        Ok(ObservationReader {
            table,
            layout,
            region,
            indicator,
            period,
            value,
            source,
            status,
            wide,
            options,
            ignored_columns,
            record: StringRecord::new(),
            rows_read: 0,
        })
    }

    /// The detected layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The file's display name.
    pub fn file(&self) -> &str {
        &self.table.file
    }

    /// The table being read (encoding, bytes read).
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The header of the region column.
    pub fn region_column(&self) -> &str {
        &self.table.header[self.region]
    }

    /// The header of the indicator column, if the layout has one.
    pub fn indicator_column(&self) -> Option<&str> {
        self.indicator.map(|i| self.table.header[i].as_str())
    }

    /// The column an observation's value was read from: `value` in the
    /// long layout, the indicator's or the period's column in a wide one.
    pub fn value_column(&self, observation: &Observation) -> String {
        match self.layout {
            Layout::Long => self.value.map_or("value".into(), |i| self.table.header[i].clone()),
            Layout::WideByIndicator => observation.indicator.to_string(),
            Layout::WideByPeriod => observation.period.to_string(),
        }
    }

    /// The column an observation's period was read from (`period` when the
    /// import gave it).
    pub fn period_column(&self, observation: &Observation) -> String {
        match (&self.layout, self.period) {
            (Layout::WideByPeriod, _) => observation.period.to_string(),
            (_, Some(i)) => self.table.header[i].clone(),
            (_, None) => "period".into(),
        }
    }

    /// Columns ignored.
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored_columns
    }

    /// Data rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// The indicators a wide-by-indicator file holds, or none.
    pub fn wide_indicators(&self) -> Vec<IndicatorCode> {
        self.wide
            .iter()
            .filter_map(|(_, k)| match k {
                WideKey::Indicator(i) => Some(i.clone()),
                WideKey::Period(_) => None,
            })
            .collect()
    }

    /// Reads up to `max_rows` rows into `out`, problems into `problems`;
    /// returns `false` at the end of the file.
    pub fn next_batch(&mut self, max_rows: usize, out: &mut Vec<ObservationRecord>, problems: &mut Problems) -> bool {
        for _ in 0..max_rows {
            let row = match self.table.next_record(&mut self.record) {
                Ok(Some(row)) => row,
                Ok(None) => return false,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            self.rows_read += 1;
            if let Err(e) = self.parse_row(row, out) {
                problems.push(e);
            }
        }
        true
    }

    fn cell(&self, index: usize) -> &str {
        self.record.get(index).map_or("", str::trim)
    }

    fn error(&self, row: u64, index: usize, reason: impl Into<String>) -> RowError {
        RowError::cell(&self.table.file, row, &self.table.header[index], reason)
    }

    fn parse_row(&self, row: u64, out: &mut Vec<ObservationRecord>) -> Result<(), RowError> {
        let region_text = self.cell(self.region);
        if region_text.is_empty() {
            return Err(self.error(row, self.region, "is empty"));
        }
        let region = RegionCode::parse(region_text).map_err(|e| self.error(row, self.region, e.to_string()))?;
        let source = self
            .source
            .map(|i| self.cell(i))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| self.options.source.clone());
        let status = match self.status.map(|i| (i, self.cell(i))) {
            Some((i, text)) if !text.is_empty() => ObservationStatus::parse(text).ok_or_else(|| {
                self.error(row, i, format!("'{text}' is not final, provisional, estimated or synthetic"))
            })?,
            _ => self.options.status,
        };
        let period_at = |i: usize| {
            let text = self.cell(i);
            Period::parse(text)
                .map_err(|e| self.error(row, i, if text.is_empty() { "is empty".to_string() } else { e.to_string() }))
        };
        let indicator_at = |i: usize| {
            IndicatorCode::parse(self.cell(i)).map_err(|e| {
                self.error(row, i, if self.cell(i).is_empty() { "is empty".to_string() } else { e.to_string() })
            })
        };
        let value_at = |i: usize| -> Result<Option<f64>, RowError> {
            match self.cell(i) {
                "" => Ok(None),
                text => {
                    parse_value(text).map(Some).ok_or_else(|| self.error(row, i, format!("'{text}' is not a number")))
                }
            }
        };
        let mut push = |indicator: IndicatorCode, period: Period, value: f64| {
            out.push(ObservationRecord {
                row,
                observation: Observation {
                    indicator,
                    region: region.clone(),
                    period,
                    value,
                    source: source.clone(),
                    status,
                },
            });
        };
        match self.layout {
            Layout::Long => {
                let value_index = self.value.expect("long layouts have a value column");
                let indicator = indicator_at(self.indicator.expect("long layouts have an indicator column"))?;
                let period = period_at(self.period.expect("long layouts have a period column"))?;
                let value = value_at(value_index)?.ok_or_else(|| self.error(row, value_index, "is empty"))?;
                push(indicator, period, value);
            }
            Layout::WideByIndicator => {
                let period = match self.period {
                    Some(i) => period_at(i)?,
                    None => self.options.period.expect("checked in new: a wide file has a period"),
                };
                for (i, key) in &self.wide {
                    if let (Some(value), WideKey::Indicator(indicator)) = (value_at(*i)?, key) {
                        push(indicator.clone(), period, value);
                    }
                }
            }
            Layout::WideByPeriod => {
                let indicator = indicator_at(self.indicator.expect("wide-by-period layouts have an indicator column"))?;
                for (i, key) in &self.wide {
                    if let (Some(value), WideKey::Period(period)) = (value_at(*i)?, key) {
                        push(indicator.clone(), *period, value);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
