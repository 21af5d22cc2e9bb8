//! Coal-mining subsidence areas (采煤沉陷区, methods.md §7; the resource-based
//! cities around them in §6): damage grading of buildings and farmland from
//! surface deformation (§7.3), checks on the areas' boundary polygons, and
//! the join of villages and households to the areas they lie in, for the
//! per-area counts of §7.4 (affected villages, households, population).
//!
//! - [`damage`]: brick-masonry building grade I–IV and farmland class
//!   light / moderate / severe; the worst measure decides, and says so.
//! - [`validate`]: why a feature's polygon is refused, naming the feature
//!   (counted from 0) and the ring.
//! - [`zones`]: [`ZoneIndex`], which areas strictly contain a point, counts
//!   and weight sums per area over many points, and who lies inside.

pub mod damage;
pub mod validate;
pub mod zones;

pub use damage::{
    BuildingAssessment, BuildingDeformation, BuildingGrade, BuildingMeasure, DamageError, FarmlandAssessment,
    FarmlandClass, FarmlandDeformation, FarmlandMeasure, building_grade, building_grade_of, farmland_class,
    farmland_class_of,
};
pub use validate::{InvalidFeature, PolygonProblem, validate_features, validate_polygon};
pub use zones::{Position, ZoneCounts, ZoneError, ZoneIndex, polygon_position, ring_position};

#[cfg(test)]
mod tests;
