//! Designations: a region's membership of a special-area category, with the
//! document that decided it and the period it holds. A region holds many at
//! once (a former poverty county that is also a key assistance county and a
//! minority-nationality area), and ended designations stay as history.
//!
//! Categories follow `shared/docs/methods.md` §1 and §6–7; resource-based
//! city classes follow 国发〔2013〕45号 (growing, mature, declining,
//! regenerating).

use crate::date::{Date, within};
use crate::region::RegionCode;

/// A special-area category.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DesignationCategory {
    /// 革命老区, former revolutionary base area.
    RevolutionaryBaseArea,
    /// 民族地区, minority-nationality area.
    MinorityArea,
    /// 边境县, border area.
    BorderArea,
    /// 贫困县, poverty county (832 by 2014; all exited by 2020).
    PovertyCounty,
    /// 国家乡村振兴重点帮扶县, key assistance county for rural revitalization.
    KeyAssistanceCounty,
    /// 集中连片特困地区, contiguous destitute area.
    ContiguousDestituteArea,
    /// 资源型城市, resource-based city; its class goes in [`Designation::class`].
    ResourceBasedCity,
    /// 老工业城市, old industrial city.
    OldIndustrialCity,
    /// 生态脆弱区, ecologically fragile area.
    EcologicallyFragileArea,
    /// 采煤沉陷区, coal-mining subsidence area.
    CoalMiningSubsidenceArea,
    /// A category defined by the user, written `custom:<name>`.
    Custom(String),
}

/// A built-in category: its value, keyword, Chinese and English names.
type Entry = (DesignationCategory, &'static str, &'static str, &'static str);

/// The categories revita knows, with their keywords and names.
const BUILT_IN: [Entry; 10] = [
    (
        DesignationCategory::RevolutionaryBaseArea,
        "revolutionary_base_area",
        "革命老区",
        "Former revolutionary base area",
    ),
    (DesignationCategory::MinorityArea, "minority_area", "民族地区", "Minority-nationality area"),
    (DesignationCategory::BorderArea, "border_area", "边境地区", "Border area"),
    (DesignationCategory::PovertyCounty, "poverty_county", "贫困县", "Poverty county"),
    (
        DesignationCategory::KeyAssistanceCounty,
        "key_assistance_county",
        "国家乡村振兴重点帮扶县",
        "Key assistance county for rural revitalization",
    ),
    (
        DesignationCategory::ContiguousDestituteArea,
        "contiguous_destitute_area",
        "集中连片特困地区",
        "Contiguous destitute area",
    ),
    (DesignationCategory::ResourceBasedCity, "resource_based_city", "资源型城市", "Resource-based city"),
    (DesignationCategory::OldIndustrialCity, "old_industrial_city", "老工业城市", "Old industrial city"),
    (
        DesignationCategory::EcologicallyFragileArea,
        "ecologically_fragile_area",
        "生态脆弱区",
        "Ecologically fragile area",
    ),
    (
        DesignationCategory::CoalMiningSubsidenceArea,
        "coal_mining_subsidence_area",
        "采煤沉陷区",
        "Coal-mining subsidence area",
    ),
];

/// The classes of resource-based cities (国发〔2013〕45号).
pub const RESOURCE_CITY_CLASSES: [&str; 4] = ["growing", "mature", "declining", "regenerating"];

/// Why a designation is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesignationError {
    /// Unknown category keyword.
    #[error("category '{0}' is not a known category (e.g. poverty_county) or custom:<name>")]
    UnknownCategory(String),
    /// A class on a category without classes, or an unknown class.
    #[error("class '{class}' is not valid for {category}{hint}")]
    BadClass {
        /// The class given.
        class: String,
        /// The category keyword.
        category: String,
        /// What would be valid.
        hint: String,
    },
    /// Ends before it starts.
    #[error("designation ends {to} before it starts {from}")]
    InvertedValidity {
        /// Start.
        from: Date,
        /// End.
        to: Date,
    },
    /// No basis document title.
    #[error("designation has no basis document title")]
    NoBasis,
}

impl DesignationCategory {
    /// Parses a keyword such as `poverty_county` or `custom:flood_zone`.
    pub fn parse(text: &str) -> Result<DesignationCategory, DesignationError> {
        let text = text.trim();
        if let Some(name) = text.strip_prefix("custom:").filter(|n| !n.trim().is_empty()) {
            return Ok(DesignationCategory::Custom(name.trim().to_string()));
        }
        BUILT_IN
            .iter()
            .find(|(_, keyword, ..)| *keyword == text)
            .map(|(c, ..)| c.clone())
            .ok_or_else(|| DesignationError::UnknownCategory(text.to_string()))
    }

    /// The keyword.
    pub fn as_str(&self) -> String {
        match self {
            DesignationCategory::Custom(name) => format!("custom:{name}"),
            _ => self.label(|(_, keyword, _, _)| keyword),
        }
    }

    /// Chinese name.
    pub fn name_zh(&self) -> String {
        self.label(|(_, _, zh, _)| zh)
    }

    /// English name.
    pub fn name_en(&self) -> String {
        self.label(|(_, _, _, en)| en)
    }

    /// A built-in category's label picked from its table entry; a custom
    /// category's name in any language.
    fn label(&self, pick: fn(&'static Entry) -> &'static str) -> String {
        match self {
            DesignationCategory::Custom(name) => name.clone(),
            built_in => {
                let entry =
                    BUILT_IN.iter().find(|(c, ..)| c == built_in).expect("every built-in category is in BUILT_IN");
                pick(entry).to_string()
            }
        }
    }

    /// Every built-in category.
    pub fn built_in() -> impl Iterator<Item = DesignationCategory> {
        BUILT_IN.iter().map(|(c, ..)| c.clone())
    }
}

/// The document a designation rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// Title, e.g. 国家乡村振兴重点帮扶县名单.
    pub title: String,
    /// Document number, e.g. 国发〔2013〕45号, where there is one.
    pub number: Option<String>,
}

/// A region's designation.
#[derive(Debug, Clone, PartialEq)]
pub struct Designation {
    /// The region designated.
    pub region: RegionCode,
    /// The category.
    pub category: DesignationCategory,
    /// A class within the category (resource-based cities), if any.
    pub class: Option<String>,
    /// The deciding document.
    pub basis: Basis,
    /// First day in force, where known.
    pub valid_from: Option<Date>,
    /// Last day in force (e.g. the exit from poverty-county status).
    pub valid_to: Option<Date>,
    /// Free text, e.g. "exited 2019".
    pub notes: Option<String>,
}

/// An official designation list committed from a designation run: the
/// decision, the method and inputs it rests on, and who approved it.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignationList {
    /// Its number (assigned by the store; 0 before).
    pub id: i64,
    /// The category its members are designated in.
    pub category: DesignationCategory,
    /// The run's spec name and version.
    pub name: String,
    /// The run's year.
    pub run_year: i32,
    /// The run's classes whose regions are designated.
    pub classes: Vec<String>,
    /// The deciding document.
    pub basis: Basis,
    /// The day the list takes effect.
    pub effective_from: Date,
    /// The last day regions that leave stay designated (none: they leave the
    /// day before the list takes effect).
    pub transition_until: Option<Date>,
    /// The method spec, as JSON.
    pub spec_json: String,
    /// SHA-256 of the spec JSON.
    pub spec_sha256: String,
    /// SHA-256 of the run's input values (a snapshot's fingerprint).
    pub input_sha256: String,
    /// Regions on the list.
    pub members: u64,
    /// Of them, those not designated before.
    pub joining: u64,
    /// Regions designated before that are not on the list.
    pub leaving: u64,
    /// Who approved it.
    pub approved_by: String,
    /// When (Unix seconds).
    pub approved_at: i64,
}

impl Designation {
    /// Checks the class against the category, the basis and the dates.
    pub fn validate(&self) -> Result<(), DesignationError> {
        if self.basis.title.trim().is_empty() {
            return Err(DesignationError::NoBasis);
        }
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to)
            && to < from
        {
            return Err(DesignationError::InvertedValidity { from, to });
        }
        match (&self.category, self.class.as_deref()) {
            (_, None) | (DesignationCategory::Custom(_), Some(_)) => Ok(()),
            (DesignationCategory::ResourceBasedCity, Some(c)) if RESOURCE_CITY_CLASSES.contains(&c) => Ok(()),
            (category, Some(c)) => Err(DesignationError::BadClass {
                class: c.to_string(),
                category: category.as_str(),
                hint: if *category == DesignationCategory::ResourceBasedCity {
                    format!(" (use one of {})", RESOURCE_CITY_CLASSES.join(", "))
                } else {
                    " (this category has no classes)".to_string()
                },
            }),
        }
    }

    /// Whether the designation is in force on `date`.
    pub fn is_active_on(&self, date: Date) -> bool {
        within(date, self.valid_from, self.valid_to)
    }
}

#[cfg(test)]
mod tests;
