//! Readers for where people live and what subsidence does to them
//! (issue 20): village and household points, houses with their surface
//! deformation, farmland parcels with their damage measures.

use super::{Cells, Parsed, amount, optional, read_all, required};
use crate::error::{Problems, RowError};
use crate::table::Table;

/// A village or household point read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRecord {
    /// `village` or `household`.
    pub kind: String,
    /// The village's code or the household's registry number.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The county it lies in.
    pub county: revita_methods::RegionCode,
    /// Longitude (WGS 84).
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// People.
    pub population: i64,
    /// Households.
    pub households: i64,
}

/// The kinds of place.
pub const PLACE_KINDS: [&str; 2] = ["village", "household"];

/// A whole number of at least 0 from a cell; `default` when empty.
fn count(c: &Cells, spec: usize, default: Option<i64>) -> Result<i64, RowError> {
    let value = amount(c, spec, default.map(|d| d as f64))?;
    if value.fract() != 0.0 || value > 1e15 {
        return Err(c.error(spec, format!("{value} is not a whole number")));
    }
    Ok(value as i64)
}

/// A coordinate within `range` from a cell.
fn coordinate(c: &Cells, spec: usize, range: std::ops::RangeInclusive<f64>) -> Result<f64, RowError> {
    let value = c.opt_number(spec)?.ok_or_else(|| c.error(spec, "is empty"))?;
    if !range.contains(&value) {
        return Err(c.error(spec, format!("{value} is outside {}..{} (is it projected?)", range.start(), range.end())));
    }
    Ok(value)
}

/// Reads places: `kind,id,name,county_code,lon,lat,population[,households]`
/// (a household's households default to 1).
pub fn read_places(table: &mut Table) -> Result<Parsed<PlaceRecord>, Problems> {
    let specs = [
        required(&["kind"]),
        required(&["id", "place_id"]),
        optional(&["name"]),
        required(&["county_code", "region_code"]),
        required(&["lon", "longitude"]),
        required(&["lat", "latitude"]),
        optional(&["population", "people"]),
        optional(&["households"]),
    ];
    read_all(table, &specs, |c| {
        let kind = c.required(0)?;
        if !PLACE_KINDS.contains(&kind) {
            return Err(c.error(0, format!("'{kind}' is not village or household")));
        }
        let id = c.required(1)?;
        if id.chars().count() > 64 {
            return Err(c.error(1, "is longer than 64 characters"));
        }
        let households = count(c, 7, Some(if kind == "household" { 1 } else { 0 }))?;
        Ok(PlaceRecord {
            kind: kind.to_string(),
            id: id.to_string(),
            name: c.opt_text(2).unwrap_or_else(|| id.to_string()),
            county: c.region_code(3)?,
            lon: coordinate(c, 4, -180.0..=180.0)?,
            lat: coordinate(c, 5, -90.0..=90.0)?,
            population: count(c, 6, Some(0))?,
            households,
        })
    })
}

/// A house read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseRecord {
    /// Its identifier within the area.
    pub house_id: String,
    /// The registry household in it.
    pub household_id: Option<String>,
    /// Horizontal strain ε (mm/m).
    pub strain: Option<f64>,
    /// Curvature K (10⁻³/m).
    pub curvature: Option<f64>,
    /// Tilt i (mm/m).
    pub tilt: Option<f64>,
}

/// Reads houses: `house_id[,household_id],strain,curvature,tilt` (at least
/// one measure; signs are kept, grading uses magnitudes).
pub fn read_houses(table: &mut Table) -> Result<Parsed<HouseRecord>, Problems> {
    let specs = [
        required(&["house_id"]),
        optional(&["household_id", "hh_id"]),
        optional(&["strain", "horizontal_strain"]),
        optional(&["curvature"]),
        optional(&["tilt"]),
    ];
    read_all(table, &specs, |c| {
        let record = HouseRecord {
            house_id: c.required(0)?.to_string(),
            household_id: c.opt_text(1),
            strain: c.opt_number(2)?,
            curvature: c.opt_number(3)?,
            tilt: c.opt_number(4)?,
        };
        if record.strain.is_none() && record.curvature.is_none() && record.tilt.is_none() {
            return Err(c.error(2, "a house needs its strain, curvature or tilt"));
        }
        Ok(record)
    })
}

/// A farmland parcel read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelRecord {
    /// Its identifier within the area.
    pub parcel_id: String,
    /// Its size (ha).
    pub hectares: f64,
    /// Horizontal deformation (mm/m).
    pub deformation: Option<f64>,
    /// Additional slope (mm/m).
    pub slope: Option<f64>,
    /// Subsidence depth (m).
    pub depth: Option<f64>,
    /// Water-table depth after subsidence (m).
    pub water_table: Option<f64>,
    /// Yield loss (%).
    pub yield_loss: Option<f64>,
}

/// Reads farmland parcels:
/// `parcel_id,hectares[,deformation,slope,depth,water_table,yield_loss]`
/// (at least one measure).
pub fn read_parcels(table: &mut Table) -> Result<Parsed<ParcelRecord>, Problems> {
    let specs = [
        required(&["parcel_id"]),
        required(&["hectares", "ha"]),
        optional(&["deformation", "horizontal_deformation"]),
        optional(&["slope", "additional_slope"]),
        optional(&["depth", "subsidence_depth"]),
        optional(&["water_table", "water_table_depth"]),
        optional(&["yield_loss"]),
    ];
    read_all(table, &specs, |c| {
        let non_negative = |spec: usize| -> Result<Option<f64>, RowError> {
            match c.opt_number(spec)? {
                Some(v) if v < 0.0 => Err(c.error(spec, format!("{v} is below 0"))),
                v => Ok(v),
            }
        };
        let record = ParcelRecord {
            parcel_id: c.required(0)?.to_string(),
            hectares: amount(c, 1, None)?,
            deformation: non_negative(2)?,
            slope: non_negative(3)?,
            depth: non_negative(4)?,
            water_table: non_negative(5)?,
            yield_loss: non_negative(6)?,
        };
        if record.yield_loss.is_some_and(|v| v > 100.0) {
            return Err(c.error(6, "a yield loss is a percentage, at most 100"));
        }
        if [record.deformation, record.slope, record.depth, record.water_table, record.yield_loss]
            .iter()
            .all(Option::is_none)
        {
            return Err(c.error(2, "a parcel needs at least one damage measure"));
        }
        Ok(record)
    })
}
