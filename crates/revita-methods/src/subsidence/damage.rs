//! Damage grading from surface deformation (methods.md §7.3): brick-masonry
//! buildings I–IV by the table "砖混结构建筑物损坏等级" of the coal-pillar and
//! under-building mining code (建筑物、水体、铁路及主要井巷煤柱留设与压煤开采规范),
//! and farmland light / moderate / severe by the indicative dry-land cut-offs
//! of TD/T 1031.3 (土地复垦方案编制规程 第3部分：井工煤矿).
//!
//! The rule that applies a table: every measure given is graded on its own
//! column, and the building (or parcel) takes the **worst** of those grades.
//! The result names the measure that decided it; when two measures reach the
//! same worst grade, the first in the table's column order decides.
//!
//! Values exactly at a cut-off belong to the milder grade ("≤ 2.0" is grade
//! I); a value counts as above a cut-off only when it exceeds it by more than
//! float rounding (see `crate::float`).

use crate::float::clearly_greater;

/// Why a deformation cannot be graded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DamageError {
    /// A measure that is NaN or infinite.
    #[error("{0} must be a finite number")]
    NotFinite(&'static str),
    /// No measure given at all.
    #[error("no deformation measure given: nothing to grade")]
    NothingToGrade,
}

/// A brick-masonry building's damage grade (methods.md §7.3, table
/// "砖混结构建筑物损坏等级"), mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuildingGrade {
    /// I: hairline cracks up to cracks < 4 mm; no or simple repair.
    I,
    /// II: cracks < 15 mm, doors and windows slightly skewed; minor repair.
    II,
    /// III: cracks < 30 mm, beams pulled out < 50 mm; medium repair.
    III,
    /// IV: cracks > 30 mm, walls bulging, risk of collapse; major repair or
    /// demolish and rebuild.
    IV,
}

impl BuildingGrade {
    /// Its numeral, `I` to `IV`.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildingGrade::I => "I",
            BuildingGrade::II => "II",
            BuildingGrade::III => "III",
            BuildingGrade::IV => "IV",
        }
    }
}

/// A column of the building table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuildingMeasure {
    /// Horizontal strain ε, mm/m.
    HorizontalStrain,
    /// Curvature K, 10⁻³/m.
    Curvature,
    /// Tilt i, mm/m.
    Tilt,
}

impl BuildingMeasure {
    /// Every column, in the table's order.
    pub const ALL: [BuildingMeasure; 3] =
        [BuildingMeasure::HorizontalStrain, BuildingMeasure::Curvature, BuildingMeasure::Tilt];

    /// Its keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildingMeasure::HorizontalStrain => "horizontal_strain",
            BuildingMeasure::Curvature => "curvature",
            BuildingMeasure::Tilt => "tilt",
        }
    }

    /// The upper limits of grades I, II and III (§7.3 table); above the last
    /// is grade IV.
    pub fn limits(self) -> [f64; 3] {
        match self {
            BuildingMeasure::HorizontalStrain => [2.0, 4.0, 6.0],
            BuildingMeasure::Curvature => [0.2, 0.4, 0.6],
            BuildingMeasure::Tilt => [3.0, 6.0, 10.0],
        }
    }
}

/// The surface deformation at a building; a measure not surveyed is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BuildingDeformation {
    /// Horizontal strain ε, mm/m (sign ignored: extension or compression).
    pub strain: Option<f64>,
    /// Curvature K, 10⁻³/m (sign ignored: hogging or sagging).
    pub curvature: Option<f64>,
    /// Tilt i, mm/m (sign ignored: direction of tilt).
    pub tilt: Option<f64>,
}

/// A building's grade with the grade of every measure given.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildingAssessment {
    /// The worst grade of the measures.
    pub grade: BuildingGrade,
    /// The measure that gave it (the first in table order on a tie).
    pub decided_by: BuildingMeasure,
    /// Each measure given, with its absolute value and its grade, in table
    /// order.
    pub by_measure: Vec<(BuildingMeasure, f64, BuildingGrade)>,
}

/// The grade one measure gives on its own (§7.3 table, absolute value).
pub fn building_grade_of(measure: BuildingMeasure, value: f64) -> Result<BuildingGrade, DamageError> {
    let v = finite(measure.as_str(), value)?.abs();
    let [i, ii, iii] = measure.limits();
    Ok(if !clearly_greater(v, i) {
        BuildingGrade::I
    } else if !clearly_greater(v, ii) {
        BuildingGrade::II
    } else if !clearly_greater(v, iii) {
        BuildingGrade::III
    } else {
        BuildingGrade::IV
    })
}

/// A building's damage grade: the worst grade of the measures given (§7.3).
pub fn building_grade(deformation: &BuildingDeformation) -> Result<BuildingAssessment, DamageError> {
    let given = [deformation.strain, deformation.curvature, deformation.tilt];
    let mut by_measure = Vec::with_capacity(3);
    for (measure, value) in BuildingMeasure::ALL.into_iter().zip(given) {
        if let Some(v) = value {
            by_measure.push((measure, v.abs(), building_grade_of(measure, v)?));
        }
    }
    let (decided_by, _, grade) = worst(&by_measure).ok_or(DamageError::NothingToGrade)?;
    Ok(BuildingAssessment { grade, decided_by, by_measure })
}

/// Farmland damage degree (methods.md §7.3, TD/T 1031.3), mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FarmlandClass {
    /// 轻度.
    Light,
    /// 中度.
    Moderate,
    /// 重度.
    Severe,
}

impl FarmlandClass {
    /// Its keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            FarmlandClass::Light => "light",
            FarmlandClass::Moderate => "moderate",
            FarmlandClass::Severe => "severe",
        }
    }
}

/// A measure of farmland damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FarmlandMeasure {
    /// Horizontal deformation, mm/m (sign ignored).
    HorizontalDeformation,
    /// Additional slope, mm/m (sign ignored).
    AdditionalSlope,
    /// Subsidence depth, m (sign ignored).
    SubsidenceDepth,
    /// Depth of the water table below the surface after subsidence, m
    /// (shallower is worse; negative means standing water).
    WaterTableDepth,
    /// Yield (productivity) loss, percent (a negative loss is a gain: light).
    YieldLoss,
}

impl FarmlandMeasure {
    /// Every measure, in the table's order.
    pub const ALL: [FarmlandMeasure; 5] = [
        FarmlandMeasure::HorizontalDeformation,
        FarmlandMeasure::AdditionalSlope,
        FarmlandMeasure::SubsidenceDepth,
        FarmlandMeasure::WaterTableDepth,
        FarmlandMeasure::YieldLoss,
    ];

    /// Its keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            FarmlandMeasure::HorizontalDeformation => "horizontal_deformation",
            FarmlandMeasure::AdditionalSlope => "additional_slope",
            FarmlandMeasure::SubsidenceDepth => "subsidence_depth",
            FarmlandMeasure::WaterTableDepth => "water_table_depth",
            FarmlandMeasure::YieldLoss => "yield_loss",
        }
    }

    /// The light limit and the severe limit of the indicative dry-land
    /// cut-offs (§7.3) [U — verify against TD/T 1031.3]. For the water table
    /// light is at least the first and severe below the second; for the
    /// others light is at most the first and severe above the second.
    pub fn limits(self) -> (f64, f64) {
        match self {
            FarmlandMeasure::HorizontalDeformation => (8.0, 16.0),
            FarmlandMeasure::AdditionalSlope => (20.0, 40.0),
            FarmlandMeasure::SubsidenceDepth => (2.0, 6.0),
            FarmlandMeasure::WaterTableDepth => (1.5, 0.5),
            FarmlandMeasure::YieldLoss => (20.0, 60.0),
        }
    }
}

/// The deformation of a farmland parcel; a measure not surveyed is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FarmlandDeformation {
    /// Horizontal deformation, mm/m.
    pub horizontal: Option<f64>,
    /// Additional slope, mm/m.
    pub slope: Option<f64>,
    /// Subsidence depth, m.
    pub depth: Option<f64>,
    /// Water-table depth after subsidence, m below the surface.
    pub water_table: Option<f64>,
    /// Yield loss, percent.
    pub yield_loss: Option<f64>,
}

/// A parcel's damage class with the class of every measure given.
#[derive(Debug, Clone, PartialEq)]
pub struct FarmlandAssessment {
    /// The worst class of the measures.
    pub class: FarmlandClass,
    /// The measure that gave it (the first in table order on a tie).
    pub decided_by: FarmlandMeasure,
    /// Each measure given, with the value graded and its class, in table
    /// order.
    pub by_measure: Vec<(FarmlandMeasure, f64, FarmlandClass)>,
}

/// The class one measure gives on its own: the indicative dry-land cut-offs
/// of §7.3 [U — verify against TD/T 1031.3]; light ≤ 8 mm/m, ≤ 20 mm/m
/// slope, ≤ 2 m, water table ≥ 1.5 m, loss ≤ 20%; severe > 16 mm/m,
/// > 40 mm/m, > 6 m, water table < 0.5 m, loss > 60%; moderate between.
pub fn farmland_class_of(measure: FarmlandMeasure, value: f64) -> Result<FarmlandClass, DamageError> {
    let v = graded_value(measure, finite(measure.as_str(), value)?);
    let (light, severe) = measure.limits();
    Ok(if measure == FarmlandMeasure::WaterTableDepth {
        if clearly_greater(severe, v) {
            FarmlandClass::Severe
        } else if clearly_greater(light, v) {
            FarmlandClass::Moderate
        } else {
            FarmlandClass::Light
        }
    } else if !clearly_greater(v, light) {
        FarmlandClass::Light
    } else if !clearly_greater(v, severe) {
        FarmlandClass::Moderate
    } else {
        FarmlandClass::Severe
    })
}

/// A parcel's damage class: the worst class of the measures given (§7.3)
/// [U — verify against TD/T 1031.3].
pub fn farmland_class(deformation: &FarmlandDeformation) -> Result<FarmlandAssessment, DamageError> {
    let d = deformation;
    let given = [d.horizontal, d.slope, d.depth, d.water_table, d.yield_loss];
    let mut by_measure = Vec::with_capacity(5);
    for (measure, value) in FarmlandMeasure::ALL.into_iter().zip(given) {
        if let Some(v) = value {
            by_measure.push((measure, graded_value(measure, v), farmland_class_of(measure, v)?));
        }
    }
    let (decided_by, _, class) = worst(&by_measure).ok_or(DamageError::NothingToGrade)?;
    Ok(FarmlandAssessment { class, decided_by, by_measure })
}

/// The value a measure is graded on: its size, except for the water table
/// (a depth, shallower is worse) and the yield loss (a gain is no loss).
fn graded_value(measure: FarmlandMeasure, value: f64) -> f64 {
    match measure {
        FarmlandMeasure::WaterTableDepth | FarmlandMeasure::YieldLoss => value,
        _ => value.abs(),
    }
}

fn finite(name: &'static str, value: f64) -> Result<f64, DamageError> {
    if value.is_finite() { Ok(value) } else { Err(DamageError::NotFinite(name)) }
}

/// The worst entry, the first of equals.
fn worst<M: Copy, G: Copy + Ord>(graded: &[(M, f64, G)]) -> Option<(M, f64, G)> {
    graded.iter().copied().fold(None, |acc, e| match acc {
        Some(best) if best.2 >= e.2 => Some(best),
        _ => Some(e),
    })
}

impl BuildingAssessment {
    /// One line saying why, e.g. `grade III decided by tilt
    /// (horizontal_strain 1.5 → I, tilt 8 → III)`.
    pub fn explain(&self) -> String {
        let parts: Vec<String> =
            self.by_measure.iter().map(|(m, v, g)| format!("{} {v} → {}", m.as_str(), g.as_str())).collect();
        format!("grade {} decided by {} ({})", self.grade.as_str(), self.decided_by.as_str(), parts.join(", "))
    }
}

impl FarmlandAssessment {
    /// One line saying why, as [`BuildingAssessment::explain`].
    pub fn explain(&self) -> String {
        let parts: Vec<String> =
            self.by_measure.iter().map(|(m, v, c)| format!("{} {v} → {}", m.as_str(), c.as_str())).collect();
        format!("{} decided by {} ({})", self.class.as_str(), self.decided_by.as_str(), parts.join(", "))
    }
}
