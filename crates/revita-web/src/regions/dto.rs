//! The JSON shapes of regions, designations, pairings and observations,
//! kept apart from the domain types so that the wire format changes only on
//! purpose.

use revita_methods::{Designation, Observation, Region};
use serde::Serialize;

/// A region.
#[derive(Debug, Serialize)]
pub struct RegionDto {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub level: String,
    pub parent: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

impl From<&Region> for RegionDto {
    fn from(r: &Region) -> RegionDto {
        RegionDto {
            code: r.code.to_string(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            level: r.level.clone(),
            parent: r.parent.as_ref().map(|p| p.to_string()),
            valid_from: r.valid_from.map(|d| d.to_string()),
            valid_to: r.valid_to.map(|d| d.to_string()),
        }
    }
}

/// A region with its breadcrumb and designations.
#[derive(Debug, Serialize)]
pub struct RegionDetailDto {
    #[serde(flatten)]
    pub region: RegionDto,
    pub ancestors: Vec<RegionDto>,
    pub children: usize,
    pub has_boundary: bool,
    pub designations: Vec<DesignationDto>,
    pub pairings: Vec<PairingDto>,
}

/// A pairing.
#[derive(Debug, Serialize)]
pub struct PairingDto {
    pub program: String,
    pub donor: String,
    pub recipient: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub notes: Option<String>,
}

impl From<&revita_methods::Pairing> for PairingDto {
    fn from(p: &revita_methods::Pairing) -> PairingDto {
        PairingDto {
            program: p.program.clone(),
            donor: p.donor.to_string(),
            recipient: p.recipient.to_string(),
            start_year: p.start_year,
            end_year: p.end_year,
            notes: p.notes.clone(),
        }
    }
}

/// A designation.
#[derive(Debug, Serialize)]
pub struct DesignationDto {
    pub region: String,
    pub category: String,
    pub category_zh: String,
    pub category_en: String,
    pub class: Option<String>,
    pub basis_title: String,
    pub basis_number: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub notes: Option<String>,
}

impl From<&Designation> for DesignationDto {
    fn from(d: &Designation) -> DesignationDto {
        DesignationDto {
            region: d.region.to_string(),
            category: d.category.as_str(),
            category_zh: d.category.name_zh(),
            category_en: d.category.name_en(),
            class: d.class.clone(),
            basis_title: d.basis.title.clone(),
            basis_number: d.basis.number.clone(),
            valid_from: d.valid_from.map(|x| x.to_string()),
            valid_to: d.valid_to.map(|x| x.to_string()),
            notes: d.notes.clone(),
        }
    }
}

/// An observation.
#[derive(Debug, Serialize)]
pub struct ObservationDto {
    pub region: String,
    pub indicator: String,
    pub period: String,
    pub value: f64,
    pub source: Option<String>,
    pub status: &'static str,
}

impl From<&Observation> for ObservationDto {
    fn from(o: &Observation) -> ObservationDto {
        ObservationDto {
            region: o.region.to_string(),
            indicator: o.indicator.to_string(),
            period: o.period.to_string(),
            value: o.value,
            source: o.source.clone(),
            status: o.status.as_str(),
        }
    }
}

/// A page of observations with the cursor of the next page.
#[derive(Debug, Serialize)]
pub struct ObservationPage {
    pub observations: Vec<ObservationDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
    /// How many observations match, over every page (on the first page
    /// only: counting again for every page would cost a scan each).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}
