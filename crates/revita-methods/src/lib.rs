//! The pure core of revita: the domain types of regional development work
//! (regions and their hierarchy, indicators, observations, designations) and the
//! methods over them (code parsing, hierarchy walks, roll-ups with coverage,
//! the old-to-new code crosswalk).
//!
//! This crate performs no IO, uses no async runtime, no SQL and no clock: every
//! input, including today's date, is a parameter. That keeps every formula
//! testable by hand and reusable from the store, the web server and the CLI.
#![warn(missing_docs)]

pub mod access;
pub mod aggregate;
pub mod allocation;
pub mod assignment;
pub mod china;
pub mod classify;
pub mod composite;
pub mod convergence;
pub mod crosswalk;
pub mod date;
pub mod designate;
pub mod designation;
pub mod disaster;
pub mod eco;
pub mod explain;
mod float;
pub mod geometry;
pub mod hierarchy;
pub mod indicator;
mod keywords;
pub mod monitoring;
pub mod observation;
pub mod pairing;
pub mod password;
pub mod plan;
pub mod region;
pub mod registry;
pub mod relocation;
pub mod resource_city;
pub mod rules;
pub mod sae;
pub mod screening;
pub mod search;
pub mod subsidence;
pub mod work_relief;

pub use aggregate::{Aggregate, ChildValue, aggregate};
pub use crosswalk::{CodeHistory, CodeRecord, CodeStatus, Resolution};
pub use date::{Date, UtcOffset};
pub use designation::{Basis, Designation, DesignationCategory, DesignationList};
pub use hierarchy::Hierarchy;
pub use indicator::{Aggregation, Direction, Indicator, IndicatorCode, ValueRange};
pub use observation::{Observation, ObservationStatus, Period};
pub use pairing::Pairing;
pub use region::{CodeScheme, Level, Region, RegionChange, RegionCode};
