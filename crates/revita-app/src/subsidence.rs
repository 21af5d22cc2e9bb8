//! Coal-mining subsidence areas (issue 20; methods.md §7): a registry of
//! polygons kept by the county's office with their profile (§7.4), who and
//! what lies inside (village and household points joined by
//! `revita-methods::subsidence::ZoneIndex`), houses graded I–IV from their
//! surface deformation and farmland classed light/moderate/severe by the
//! tables of §7.3, remediation progress against plan, and the remediation
//! plan (`plans`) each area links to.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::access::Action;
use revita_methods::geometry::{Bounds, MultiPolygon};
use revita_methods::subsidence::{
    BuildingAssessment, BuildingDeformation, BuildingGrade, FarmlandAssessment, FarmlandClass, FarmlandDeformation,
    ZoneIndex, building_grade, farmland_class,
};
use serde::{Deserialize, Serialize};

pub use revita_ingest::records::PLACE_KINDS;
pub use revita_store::places::{House, Parcel, Place, SubsidenceArea};

use crate::auth::{Actor, Origin, audit_entry};
use crate::import::{commit_import, common_region};
use crate::{App, AppError, AppResult, ImportReport};

/// An area's profile (methods.md §7.4), as the GeoJSON's properties or the
/// progress form give it; every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The mines that caused it.
    #[serde(default, deserialize_with = "one_or_many")]
    pub mines: Vec<String>,
    /// `state_key`, `local` or `closed`.
    pub ownership: Option<String>,
    /// `exists` or `extinct` (责任主体灭失).
    pub responsible_entity: Option<String>,
    /// Total area (km²).
    pub area_km2: Option<f64>,
    /// Subsided area (km²).
    pub subsided_km2: Option<f64>,
    /// Goaf area (km²).
    pub goaf_km2: Option<f64>,
    /// Largest subsidence depth (m).
    pub max_depth_m: Option<f64>,
    /// Mean subsidence depth (m).
    pub mean_depth_m: Option<f64>,
    /// `stable` or `subsiding`.
    pub stability: Option<String>,
    /// Predicted residual subsidence (m).
    pub residual_subsidence_m: Option<f64>,
    /// Waterlogged area (ha).
    pub waterlogged_ha: Option<f64>,
    /// Households to relocate.
    pub households_to_relocate: Option<f64>,
    /// Households relocated.
    pub households_relocated: Option<f64>,
    /// Houses to reinforce.
    pub houses_to_reinforce: Option<f64>,
    /// Houses reinforced.
    pub houses_reinforced: Option<f64>,
    /// Hectares to reclaim.
    pub hectares_to_reclaim: Option<f64>,
    /// Hectares reclaimed.
    pub hectares_reclaimed: Option<f64>,
    /// Funds planned (yuan).
    pub funds_planned: Option<f64>,
    /// Funds disbursed (yuan).
    pub funds_disbursed: Option<f64>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => {
            s.split([';', '；', ',', '，']).map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).collect()
        }
        OneOrMany::Many(v) => v,
    })
}

/// The keywords an enumerated profile field takes.
pub const OWNERSHIPS: [&str; 3] = ["state_key", "local", "closed"];
/// Whether the responsible entity still exists.
pub const ENTITY_STATUSES: [&str; 2] = ["exists", "extinct"];
/// Whether the ground has settled.
pub const STABILITIES: [&str; 2] = ["stable", "subsiding"];

impl Profile {
    /// From JSON properties, checked.
    pub fn from_value(value: serde_json::Value) -> Result<Profile, String> {
        let p: Profile = serde_json::from_value(value).map_err(|e| e.to_string())?;
        p.check()?;
        Ok(p)
    }

    /// Checks keywords, numbers and that nothing done exceeds its plan by
    /// a factor a typing error would give.
    pub fn check(&self) -> Result<(), String> {
        let keyword = |field: &str, value: &Option<String>, allowed: &[&str]| match value {
            Some(v) if !allowed.contains(&v.as_str()) => {
                Err(format!("{field}: '{v}' is not one of {}", allowed.join(", ")))
            }
            _ => Ok(()),
        };
        keyword("ownership", &self.ownership, &OWNERSHIPS)?;
        keyword("responsible_entity", &self.responsible_entity, &ENTITY_STATUSES)?;
        keyword("stability", &self.stability, &STABILITIES)?;
        if self.mines.len() > 50
            || self.mines.iter().any(|m| m.chars().count() > 100 || m.chars().any(char::is_control))
        {
            return Err("mines: at most 50 names of up to 100 characters".into());
        }
        for (field, value) in self.numbers() {
            if let Some(v) = value
                && !(v.is_finite() && (0.0..=1e15).contains(&v))
            {
                return Err(format!("{field}: {v} is not a number from 0 to 10¹⁵"));
            }
        }
        Ok(())
    }

    fn numbers(&self) -> [(&'static str, Option<f64>); 15] {
        [
            ("area_km2", self.area_km2),
            ("subsided_km2", self.subsided_km2),
            ("goaf_km2", self.goaf_km2),
            ("max_depth_m", self.max_depth_m),
            ("mean_depth_m", self.mean_depth_m),
            ("residual_subsidence_m", self.residual_subsidence_m),
            ("waterlogged_ha", self.waterlogged_ha),
            ("households_to_relocate", self.households_to_relocate),
            ("households_relocated", self.households_relocated),
            ("houses_to_reinforce", self.houses_to_reinforce),
            ("houses_reinforced", self.houses_reinforced),
            ("hectares_to_reclaim", self.hectares_to_reclaim),
            ("hectares_reclaimed", self.hectares_reclaimed),
            ("funds_planned", self.funds_planned),
            ("funds_disbursed", self.funds_disbursed),
        ]
    }

    /// Progress measures (methods.md §7.4): (key, done, planned, share done).
    pub fn progress(&self) -> Vec<Progress> {
        [
            ("relocation", self.households_relocated, self.households_to_relocate),
            ("reinforcement", self.houses_reinforced, self.houses_to_reinforce),
            ("reclamation", self.hectares_reclaimed, self.hectares_to_reclaim),
            ("funds", self.funds_disbursed, self.funds_planned),
        ]
        .into_iter()
        .filter_map(|(key, done, planned)| {
            let planned = planned?;
            let done = done.unwrap_or(0.0);
            Some(Progress { key, done, planned, share: (planned > 0.0).then(|| done / planned) })
        })
        .collect()
    }
}

/// A progress measure of an area's remediation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// `relocation`, `reinforcement`, `reclamation` or `funds`.
    pub key: &'static str,
    /// Done.
    pub done: f64,
    /// Planned.
    pub planned: f64,
    /// Done over planned (none when nothing is planned).
    pub share: Option<f64>,
}

/// A house with its grade.
#[derive(Debug, Clone)]
pub struct GradedHouse {
    /// The house.
    pub house: House,
    /// Its grade and why, or why it could not be graded.
    pub grade: Result<BuildingAssessment, String>,
}

/// A parcel with its class.
#[derive(Debug, Clone)]
pub struct ClassedParcel {
    /// The parcel.
    pub parcel: Parcel,
    /// Its class and why.
    pub class: Result<FarmlandAssessment, String>,
}

/// Who lies inside an area.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Inside {
    /// Villages inside (their points), by code.
    pub villages: Vec<PlaceSummary>,
    /// Registry households inside, by number.
    pub households: Vec<PlaceSummary>,
    /// People in the villages inside.
    pub village_population: i64,
    /// Households in the villages inside.
    pub village_households: i64,
}

/// A place inside an area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceSummary {
    /// Its code or number.
    pub id: String,
    /// Its name.
    pub name: String,
    /// People.
    pub population: i64,
    /// Households.
    pub households: i64,
}

/// An area as a reader sees it.
#[derive(Debug, Clone)]
pub struct AreaView {
    /// The area.
    pub area: SubsidenceArea,
    /// Its profile.
    pub profile: Profile,
    /// Its outline.
    pub shape: MultiPolygon,
    /// The county's name.
    pub county_name: String,
    /// Who lies inside.
    pub inside: Inside,
    /// Houses graded.
    pub houses: Vec<GradedHouse>,
    /// Houses by grade I–IV (count), and houses that could not be graded.
    pub houses_by_grade: [usize; 4],
    /// Parcels classed.
    pub parcels: Vec<ClassedParcel>,
    /// Hectares by class light, moderate, severe.
    pub hectares_by_class: [f64; 3],
    /// Remediation progress.
    pub progress: Vec<Progress>,
    /// The remediation plan's title.
    pub plan_title: Option<String>,
    /// Whether the reader may import houses and parcels.
    pub may_enter: bool,
    /// Whether the reader may change the profile and plan link.
    pub may_decide: bool,
}

/// Grade a house from its stored measures.
pub fn grade_house(h: &House) -> Result<BuildingAssessment, String> {
    building_grade(&BuildingDeformation { strain: h.strain, curvature: h.curvature, tilt: h.tilt })
        .map_err(|e| e.to_string())
}

/// Class a parcel from its stored measures.
pub fn class_parcel(p: &Parcel) -> Result<FarmlandAssessment, String> {
    farmland_class(&FarmlandDeformation {
        horizontal: p.deformation,
        slope: p.slope,
        depth: p.depth,
        water_table: p.water_table,
        yield_loss: p.yield_loss,
    })
    .map_err(|e| e.to_string())
}

fn grade_index(g: BuildingGrade) -> usize {
    match g {
        BuildingGrade::I => 0,
        BuildingGrade::II => 1,
        BuildingGrade::III => 2,
        BuildingGrade::IV => 3,
    }
}

fn class_index(c: FarmlandClass) -> usize {
    match c {
        FarmlandClass::Light => 0,
        FarmlandClass::Moderate => 1,
        FarmlandClass::Severe => 2,
    }
}

/// The outline of a stored area.
pub fn area_shape(area: &SubsidenceArea) -> AppResult<MultiPolygon> {
    revita_ingest::boundaries::parse_geometry(&area.geometry)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("area {}: stored geometry: {e}", area.code)))
}

/// Who of `places` lies inside `shape` (strictly).
pub fn places_inside(shape: &MultiPolygon, places: &[Place]) -> AppResult<Inside> {
    let zones: Vec<(usize, revita_methods::geometry::Polygon)> = shape.iter().map(|p| (0, p.clone())).collect();
    let index = ZoneIndex::new(zones).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let points: Vec<(f64, f64)> = places.iter().map(|p| (p.lon, p.lat)).collect();
    let mut seen = HashSet::new();
    let mut inside = Inside::default();
    for members in index.members(&points) {
        for i in members {
            if !seen.insert(i) {
                continue;
            }
            let p = &places[i];
            let summary = PlaceSummary {
                id: p.id.clone(),
                name: p.name.clone(),
                population: p.population,
                households: p.households,
            };
            if p.kind == "village" {
                inside.village_population += p.population;
                inside.village_households += p.households;
                inside.villages.push(summary);
            } else {
                inside.households.push(summary);
            }
        }
    }
    inside.villages.sort_by(|a, b| a.id.cmp(&b.id));
    inside.households.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(inside)
}

fn bounds_of(shape: &MultiPolygon) -> Option<(f64, f64, f64, f64)> {
    let b = Bounds::of(revita_methods::geometry::points(shape))?;
    Some((b.min_x, b.min_y, b.max_x, b.max_y))
}

/// What an import of areas would write.
struct AreaWrite {
    area: SubsidenceArea,
    replaces: Option<SubsidenceArea>,
}

impl App {
    /// A page of the areas kept within the actor's read jurisdiction.
    pub async fn subsidence_areas(
        &self,
        actor: &Actor,
        after: i64,
        limit: i64,
    ) -> AppResult<(Vec<SubsidenceArea>, i64)> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().subsidence_area_page(read.roots(), after, limit).await?)
    }

    /// A page of the village and household points the actor may read.
    pub async fn places(&self, actor: &Actor, after: (&str, &str), limit: i64) -> AppResult<(Vec<Place>, i64)> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().place_page(read.roots(), after, limit).await?)
    }

    async fn readable_area(&self, actor: &Actor, id: i64) -> AppResult<SubsidenceArea> {
        let area = self
            .store()
            .subsidence_area(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("subsidence area {id}")))?;
        if !self.jurisdiction(actor, Action::Read).await?.covers(&area.county) {
            return Err(AppError::Forbidden(format!("subsidence area {id} is kept outside your jurisdiction")));
        }
        Ok(area)
    }

    /// An area with who lies inside, graded houses, classed farmland and
    /// progress.
    pub async fn subsidence_area(&self, actor: &Actor, id: i64) -> AppResult<AreaView> {
        let area = self.readable_area(actor, id).await?;
        let profile = Profile::from_value(serde_json::from_str(&area.profile).unwrap_or_default())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("area {}: stored profile: {e}", area.code)))?;
        let shape = area_shape(&area)?;
        let read = self.jurisdiction(actor, Action::Read).await?;
        let inside = match bounds_of(&shape) {
            Some(b) => places_inside(&shape, &self.store().places_in_box(read.roots(), b).await?)?,
            None => Inside::default(),
        };
        let houses: Vec<GradedHouse> = self
            .store()
            .subsidence_houses(id)
            .await?
            .into_iter()
            .map(|house| GradedHouse { grade: grade_house(&house), house })
            .collect();
        let mut houses_by_grade = [0; 4];
        for h in &houses {
            if let Ok(a) = &h.grade {
                houses_by_grade[grade_index(a.grade)] += 1;
            }
        }
        let parcels: Vec<ClassedParcel> = self
            .store()
            .subsidence_farmland(id)
            .await?
            .into_iter()
            .map(|parcel| ClassedParcel { class: class_parcel(&parcel), parcel })
            .collect();
        let mut hectares_by_class = [0.0; 3];
        for p in &parcels {
            if let Ok(a) = &p.class {
                hectares_by_class[class_index(a.class)] += p.parcel.hectares;
            }
        }
        let county_name = self.store().region(&area.county).await?.map(|r| r.name_zh).unwrap_or_default();
        let plan_title = match area.plan_id {
            Some(plan) => self.store().plan(plan).await?.map(|p| p.title),
            None => None,
        };
        let may_enter = self.jurisdiction(actor, Action::EditData).await?.covers(&area.county);
        let may_decide = self.jurisdiction(actor, Action::EditDecisions).await?.covers(&area.county);
        Ok(AreaView {
            progress: profile.progress(),
            area,
            profile,
            shape,
            county_name,
            inside,
            houses,
            houses_by_grade,
            parcels,
            hectares_by_class,
            plan_title,
            may_enter,
            may_decide,
        })
    }

    /// Imports subsidence areas from GeoJSON, all or nothing: each
    /// feature's county, and the county of the area it replaces (by code),
    /// must lie in the actor's data-entry jurisdiction.
    pub async fn import_subsidence_areas(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let file = path.display().to_string();
        let bytes = read_bounded(path, revita_ingest::subsidence::MAX_AREAS_BYTES).await?;
        let records = revita_ingest::subsidence::parse_areas(&file, &bytes)?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let mut problems = revita_ingest::Problems::default();
        let mut writes = Vec::new();
        let now = revita_methods::UtcOffset::UTC.format(origin.now);
        for r in records {
            let mut problem =
                |column: &str, reason: String| problems.push(RowError::cell(&file, r.feature, column, reason));
            if !enter.covers(&r.county) {
                problem("county_code", format!("{} is outside your jurisdiction", r.county));
                continue;
            }
            if self.store().region(&r.county).await?.is_none() {
                problem("county_code", format!("{} is not a known region", r.county));
                continue;
            }
            let profile = match Profile::from_value(serde_json::Value::Object(r.properties.clone())) {
                Ok(p) => p,
                Err(reason) => {
                    problem("properties", reason);
                    continue;
                }
            };
            let area = SubsidenceArea {
                id: 0,
                code: r.code.clone(),
                name: r.name.clone(),
                county: r.county.clone(),
                geometry: r.geometry.clone(),
                profile: serde_json::to_string(&profile).map_err(|e| AppError::Internal(e.into()))?,
                plan_id: None,
                version: 1,
                updated_by: actor.name.clone(),
                updated_at: now.clone(),
            };
            writes.push((r.feature, area));
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let table_note = format!("{} areas", writes.len());
        let mut report = ImportReport {
            file: file.clone(),
            kind: "subsidence_areas".into(),
            encoding: "UTF-8".into(),
            rows_read: writes.len() as u64,
            records_valid: writes.len() as u64,
            dry_run,
            ..ImportReport::default()
        };
        // The stored areas these replace: each must lie within the actor's
        // jurisdiction too, or the import would take it over. Read inside
        // the transaction so the check holds at commit.
        let mut tx = self.store().begin().await?;
        let mut pending = Vec::new();
        for (feature, area) in writes {
            let stored = tx.subsidence_area_coded(&area.code).await?;
            if let Some(s) = &stored
                && !enter.covers(&s.county)
            {
                problems.push(RowError::cell(
                    &file,
                    feature,
                    "code",
                    format!("{} is an area kept by {}, outside your jurisdiction", s.code, s.county),
                ));
            }
            pending.push(AreaWrite { area, replaces: stored });
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        report.replaces = pending.iter().filter(|w| w.replaces.is_some()).count() as u64;
        if dry_run {
            return Ok(report);
        }
        for w in &pending {
            match &w.replaces {
                Some(stored) => {
                    let area = SubsidenceArea { id: stored.id, plan_id: stored.plan_id, ..w.area.clone() };
                    if !tx.update_subsidence_area(&area, stored.version).await? {
                        return Err(AppError::Conflict(format!("area {} changed meanwhile; try again", stored.code)));
                    }
                }
                None => {
                    tx.insert_subsidence_area(&w.area).await?;
                }
            }
        }
        let region = common_region(pending.iter().map(|w| &w.area.county));
        tx.audit(audit_entry(
            &actor.name,
            "subsidence.areas",
            ("subsidence", &file),
            region.as_ref(),
            (None, Some(format!("{file}: {table_note}"))),
            origin,
        ));
        tx.commit().await?;
        report.records_written = report.records_valid;
        Ok(report)
    }

    /// Imports village and household points, all or nothing: each place's
    /// county, and the county of the stored place it replaces, must lie in
    /// the actor's data-entry jurisdiction; a household must be in the
    /// registry, in the county given.
    pub async fn import_places(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) = crate::import::read_table(path, None, revita_ingest::records::read_places).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let ids: Vec<&str> =
            parsed.rows.iter().filter(|(_, p)| p.kind == "household").map(|(_, p)| p.id.as_str()).collect();
        let registry = self.store().household_counties(&ids).await?;
        let known: HashSet<String> = self.store().regions().await?.into_iter().map(|r| r.code.to_string()).collect();
        let mut problems = revita_ingest::Problems::default();
        let mut seen = HashMap::new();
        for (row, p) in &parsed.rows {
            let cell = |column: &str, reason: String| RowError::cell(&table.file, *row, column, reason);
            if !known.contains(p.county.as_str()) {
                problems.push(cell("county_code", format!("{} is not a known region", p.county)));
            } else if !enter.covers(&p.county) {
                problems.push(cell("county_code", format!("{} is outside your jurisdiction", p.county)));
            }
            if p.kind == "household" {
                match registry.get(&p.id) {
                    None => problems.push(cell("id", format!("{} is not a registry household", p.id))),
                    Some(c) if c != p.county.as_str() => {
                        problems.push(cell("county_code", format!("the registry has {} in {c}", p.id)))
                    }
                    Some(_) => {}
                }
            }
            if let Some(first) = seen.insert((p.kind.clone(), p.id.clone()), *row) {
                problems.push(cell("id", format!("already on row {first}")));
            }
        }
        if !problems.is_empty() {
            problems.sort_by_row();
            return Err(problems.into());
        }
        let places: Vec<Place> = parsed
            .rows
            .iter()
            .map(|(_, p)| Place {
                kind: p.kind.clone(),
                id: p.id.clone(),
                name: p.name.clone(),
                county: p.county.clone(),
                lon: p.lon,
                lat: p.lat,
                population: p.population,
                households: p.households,
            })
            .collect();
        let mut report = ImportReport::checked(&table, "places", dry_run, places.len(), &parsed.ignored_columns);
        let mut tx = self.store().begin().await?;
        let keys: Vec<(String, String)> = places.iter().map(|p| (p.kind.clone(), p.id.clone())).collect();
        let stored = tx.stored_places(&keys).await?;
        let rows: HashMap<(String, String), u64> =
            parsed.rows.iter().map(|(row, p)| ((p.kind.clone(), p.id.clone()), *row)).collect();
        for s in &stored {
            if !enter.covers(&s.county) {
                let row = rows.get(&(s.kind.clone(), s.id.clone())).copied().unwrap_or(0);
                problems.push(RowError::cell(
                    &table.file,
                    row,
                    "id",
                    format!("{} {} is stored in {}, outside your jurisdiction", s.kind, s.id, s.county),
                ));
            }
        }
        if !problems.is_empty() {
            problems.sort_by_row();
            return Err(problems.into());
        }
        report.replaces = stored.len() as u64;
        if dry_run {
            return Ok(report);
        }
        tx.put_places(&places).await?;
        let region = common_region(places.iter().map(|p| &p.county));
        let summary = format!("{}: {} places", table.file, places.len());
        commit_import(tx, actor, origin, ("places", &table.file), region, summary).await?;
        Ok(report)
    }

    /// Imports an area's `houses` or `farmland`, all or nothing.
    pub async fn import_subsidence_file(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let area = self.readable_area(actor, id).await?;
        if !self.jurisdiction(actor, Action::EditData).await?.covers(&area.county) {
            return Err(AppError::Forbidden(format!("{} may not enter data of area {}", actor.name, area.code)));
        }
        let (table, n, pending) = match kind {
            "houses" => {
                let (table, parsed) =
                    crate::import::read_table(path, None, revita_ingest::records::read_houses).await?;
                let ids: Vec<&str> = parsed.rows.iter().filter_map(|(_, h)| h.household_id.as_deref()).collect();
                let registry = self.store().household_counties(&ids).await?;
                let mut problems = revita_ingest::Problems::default();
                let mut seen = HashMap::new();
                for (row, h) in &parsed.rows {
                    let cell = |column: &str, reason: String| RowError::cell(&table.file, *row, column, reason);
                    if let Some(hh) = &h.household_id
                        && !registry.contains_key(hh)
                    {
                        problems.push(cell("household_id", format!("{hh} is not a registry household")));
                    }
                    let house = House {
                        house_id: h.house_id.clone(),
                        household_id: None,
                        strain: h.strain,
                        curvature: h.curvature,
                        tilt: h.tilt,
                    };
                    if let Err(reason) = grade_house(&house) {
                        problems.push(cell("strain", reason));
                    }
                    if let Some(first) = seen.insert(h.house_id.clone(), *row) {
                        problems.push(cell("house_id", format!("already on row {first}")));
                    }
                }
                if !problems.is_empty() {
                    problems.sort_by_row();
                    return Err(problems.into());
                }
                let rows: Vec<House> = parsed
                    .rows
                    .into_iter()
                    .map(|(_, h)| House {
                        house_id: h.house_id,
                        household_id: h.household_id,
                        strain: h.strain,
                        curvature: h.curvature,
                        tilt: h.tilt,
                    })
                    .collect();
                (table, rows.len(), Pending::Houses(rows))
            }
            "farmland" => {
                let (table, parsed) =
                    crate::import::read_table(path, None, revita_ingest::records::read_parcels).await?;
                let mut problems = revita_ingest::Problems::default();
                let mut seen = HashMap::new();
                let mut rows = Vec::new();
                for (row, p) in parsed.rows {
                    let parcel = Parcel {
                        parcel_id: p.parcel_id,
                        hectares: p.hectares,
                        deformation: p.deformation,
                        slope: p.slope,
                        depth: p.depth,
                        water_table: p.water_table,
                        yield_loss: p.yield_loss,
                    };
                    if let Err(reason) = class_parcel(&parcel) {
                        problems.push(RowError::cell(&table.file, row, "deformation", reason));
                    }
                    if let Some(first) = seen.insert(parcel.parcel_id.clone(), row) {
                        problems.push(RowError::cell(&table.file, row, "parcel_id", format!("already on row {first}")));
                    }
                    rows.push(parcel);
                }
                if !problems.is_empty() {
                    problems.sort_by_row();
                    return Err(problems.into());
                }
                (table, rows.len(), Pending::Farmland(rows))
            }
            other => return Err(AppError::Invalid(format!("kind: '{other}' is not houses or farmland"))),
        };
        let report = ImportReport::checked(&table, kind, dry_run, n, &[]);
        if dry_run {
            return Ok(report);
        }
        let mut tx = self.store().begin().await?;
        let now = tx.subsidence_area(id).await?.ok_or_else(|| AppError::NotFound(format!("subsidence area {id}")))?;
        if now.county != area.county {
            return Err(AppError::Conflict(format!("area {} was moved meanwhile; try again", area.code)));
        }
        match &pending {
            Pending::Houses(rows) => tx.put_subsidence_houses(id, rows).await?,
            Pending::Farmland(rows) => tx.put_subsidence_farmland(id, rows).await?,
        }
        tx.audit(audit_entry(
            &actor.name,
            &format!("subsidence.{kind}"),
            ("subsidence", &id.to_string()),
            Some(&area.county),
            (None, Some(format!("{}: {n} rows", table.file))),
            origin,
        ));
        tx.commit().await?;
        Ok(report)
    }

    /// Records an area's remediation progress and its plan link, if the
    /// area is still at `version`.
    pub async fn update_subsidence_progress(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        profile: &Profile,
        plan_id: Option<i64>,
        origin: &Origin,
    ) -> AppResult<()> {
        profile.check().map_err(AppError::Invalid)?;
        let decide = self.jurisdiction(actor, Action::EditDecisions).await?;
        if let Some(plan) = plan_id {
            let plan =
                self.store().plan(plan).await?.ok_or_else(|| AppError::Invalid(format!("plan {plan} not found")))?;
            if !self.jurisdiction(actor, Action::Read).await?.covers(&plan.region) {
                return Err(AppError::Forbidden(format!("plan {} is outside your jurisdiction", plan.id)));
            }
        }
        let mut tx = self.store().begin().await?;
        let stored =
            tx.subsidence_area(id).await?.ok_or_else(|| AppError::NotFound(format!("subsidence area {id}")))?;
        if !decide.covers(&stored.county) {
            return Err(AppError::Forbidden(format!("{} may not change area {}", actor.name, stored.code)));
        }
        let before = stored.profile.clone();
        let area = SubsidenceArea {
            profile: serde_json::to_string(profile).map_err(|e| AppError::Internal(e.into()))?,
            plan_id,
            updated_by: actor.name.clone(),
            updated_at: revita_methods::UtcOffset::UTC.format(origin.now),
            ..stored.clone()
        };
        if !tx.update_subsidence_area(&area, version).await? {
            return Err(AppError::Conflict(format!(
                "area {} was changed by someone else (version {}); reload and try again",
                stored.code, stored.version
            )));
        }
        tx.audit(audit_entry(
            &actor.name,
            "subsidence.progress",
            ("subsidence", &id.to_string()),
            Some(&stored.county),
            (Some(before), Some(area.profile.clone())),
            origin,
        ));
        tx.commit().await?;
        Ok(())
    }

    /// The village points the actor may read within a box (the map's
    /// village layer).
    pub async fn villages_in_box(&self, actor: &Actor, b: (f64, f64, f64, f64)) -> AppResult<Vec<Place>> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let mut places = self.store().places_in_box(read.roots(), b).await?;
        places.retain(|p| p.kind == "village");
        Ok(places)
    }

    /// Every readable area with its outline (for the registry's map).
    pub async fn subsidence_map_areas(&self, actor: &Actor) -> AppResult<Vec<(SubsidenceArea, MultiPolygon)>> {
        let (areas, _) = self.subsidence_areas(actor, 0, 10_000).await?;
        areas.into_iter().map(|a| area_shape(&a).map(|s| (a, s))).collect()
    }
}

enum Pending {
    Houses(Vec<House>),
    Farmland(Vec<Parcel>),
}

/// The one region every code shares, when they are all the same (else the
/// audit row carries none: a file may span many counties).
/// A file's bytes, refused beyond `limit` (checked before reading).
async fn read_bounded(path: &Path, limit: usize) -> AppResult<Vec<u8>> {
    let file = path.display().to_string();
    let refuse = |reason: String| -> AppError {
        revita_ingest::Problems::from(revita_ingest::FileError::new(&file, reason)).into()
    };
    let meta = tokio::fs::metadata(path).await.map_err(|e| refuse(format!("cannot open: {e}")))?;
    if meta.len() > limit as u64 {
        return Err(refuse(format!("larger than {} MiB", limit >> 20)));
    }
    tokio::fs::read(path).await.map_err(|e| refuse(format!("cannot read: {e}")))
}
