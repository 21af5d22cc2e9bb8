//! Resource-based cities (issue 20; methods.md §6): the designated cities
//! by type (国发〔2013〕45号) with the resource-exhausted batches, movement
//! between the official types and a committed classification run (the
//! designation method `quadrant`), and a city's transformation dashboard —
//! its indicators by theme (methods.md §6.3), year by year, against the
//! targets of the plans that cover it.

use std::collections::{BTreeMap, HashMap, HashSet};

use revita_methods::access::Action;
use revita_methods::resource_city::{CityType, Theme, TypeTransitions, theme_of, transitions};
use revita_methods::{DesignationCategory, IndicatorCode, Period, RegionCode};
use serde::Serialize;

use crate::auth::Actor;
use crate::{App, AppError, AppResult, ObservationQuery};

/// The category of resource-exhausted cities (a custom category: they are
/// designated in batches, 2008, 2009 and 2012).
pub const EXHAUSTED: &str = "custom:resource_exhausted_city";

/// A designated resource-based city.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct City {
    /// Region code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its type.
    pub city_type: Option<CityType>,
    /// The deciding document.
    pub basis: String,
    /// Whether it is also a resource-exhausted city.
    pub exhausted: bool,
}

/// The register of resource-based cities the reader may see.
#[derive(Debug, Clone, Serialize)]
pub struct Register {
    /// The cities, by code.
    pub cities: Vec<City>,
    /// How many of each type.
    pub counts: BTreeMap<CityType, usize>,
    /// The latest committed classification list of the category, and the
    /// movement from the official types to it.
    pub latest_run: Option<(String, TypeTransitions)>,
}

/// One indicator's series on a city's dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// Indicator code.
    pub indicator: String,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Whether higher is better (`None` when neutral).
    pub higher_is_better: Option<bool>,
    /// (year, value), by year.
    pub values: Vec<(i32, f64)>,
    /// The plans' targets: (plan number, plan title, target year, target,
    /// baseline year, baseline, share of the way from baseline to target
    /// covered by the latest value).
    pub targets: Vec<TargetProgress>,
}

/// A plan's target on a city's indicator, with how far the city has come.
#[derive(Debug, Clone, Serialize)]
pub struct TargetProgress {
    /// The plan.
    pub plan_id: i64,
    /// Its title.
    pub plan_title: String,
    /// Target year.
    pub target_year: i32,
    /// Target value.
    pub target: f64,
    /// Baseline year.
    pub baseline_year: i32,
    /// Baseline value.
    pub baseline: f64,
    /// (latest − baseline)/(target − baseline): 1 when met.
    pub progress: Option<f64>,
}

/// A city's transformation dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The city.
    pub city: City,
    /// Its series by theme, in the themes' order.
    pub themes: Vec<(Theme, Vec<Series>)>,
}

impl App {
    /// The designated resource-based cities within the actor's read
    /// jurisdiction, and movement to the latest committed run.
    pub async fn resource_cities(&self, actor: &Actor) -> AppResult<Register> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let category = DesignationCategory::ResourceBasedCity;
        let exhausted_category = DesignationCategory::parse(EXHAUSTED).map_err(|e| AppError::Invalid(e.to_string()))?;
        let exhausted: HashSet<RegionCode> = self
            .store()
            .designations(Some(&exhausted_category), read.roots())
            .await?
            .into_iter()
            .map(|d| d.region)
            .collect();
        let names: HashMap<RegionCode, String> =
            self.store().regions().await?.into_iter().map(|r| (r.code, r.name_zh)).collect();
        let mut cities: BTreeMap<String, City> = BTreeMap::new();
        for d in self.store().designations(Some(&category), read.roots()).await? {
            // The latest designation of a city decides its type.
            cities.insert(
                d.region.to_string(),
                City {
                    code: d.region.to_string(),
                    name: names.get(&d.region).cloned().unwrap_or_default(),
                    city_type: d.class.as_deref().and_then(CityType::parse),
                    basis: d.basis.number.clone().unwrap_or(d.basis.title.clone()),
                    exhausted: exhausted.contains(&d.region),
                },
            );
        }
        let cities: Vec<City> = cities.into_values().collect();
        let mut counts: BTreeMap<CityType, usize> = CityType::ALL.into_iter().map(|t| (t, 0)).collect();
        for c in &cities {
            if let Some(t) = c.city_type {
                *counts.entry(t).or_default() += 1;
            }
        }
        let latest_run = self.latest_run_transitions(&cities).await?;
        Ok(Register { cities, counts, latest_run })
    }

    /// The movement from the official types to the latest committed list of
    /// the category (a quadrant run), over the cities the reader sees.
    async fn latest_run_transitions(&self, cities: &[City]) -> AppResult<Option<(String, TypeTransitions)>> {
        let lists = self.store().designation_lists(Some(&DesignationCategory::ResourceBasedCity)).await?;
        let Some(list) = lists.into_iter().max_by_key(|l| (l.effective_from, l.id)) else { return Ok(None) };
        let seen: HashSet<&str> = cities.iter().map(|c| c.code.as_str()).collect();
        let official: Vec<(String, CityType)> =
            cities.iter().filter_map(|c| Some((c.code.clone(), c.city_type?))).collect();
        let run: Vec<(String, CityType)> = self
            .store()
            .designation_list_members(list.id)
            .await?
            .into_iter()
            .filter(|(code, _)| seen.contains(code.as_str()))
            .filter_map(|(code, class)| Some((code.to_string(), CityType::parse(&class)?)))
            .collect();
        Ok(Some((format!("{} ({})", list.name, list.effective_from), transitions(&official, &run))))
    }

    /// A city's transformation dashboard.
    pub async fn resource_city_dashboard(&self, actor: &Actor, code: &RegionCode) -> AppResult<Dashboard> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        if !read.covers(code) {
            return Err(AppError::Forbidden(format!("{code} is outside your jurisdiction")));
        }
        let register = self.resource_cities(actor).await?;
        // A region not (or no longer) designated may still be monitored:
        // its dashboard shows it without a type.
        let city = match register.cities.into_iter().find(|c| c.code == code.as_str()) {
            Some(city) => city,
            None => {
                let region =
                    self.store().region(code).await?.ok_or_else(|| AppError::NotFound(format!("region {code}")))?;
                City {
                    code: code.to_string(),
                    name: region.name_zh,
                    city_type: None,
                    basis: String::new(),
                    exhausted: false,
                }
            }
        };
        let targets = self.targets_for(actor, code).await?;
        let mut themes: Vec<(Theme, Vec<Series>)> = Theme::ALL.into_iter().map(|t| (t, Vec::new())).collect();
        for (indicator_code, _) in revita_methods::resource_city::TRANSFORMATION_INDICATORS {
            let indicator = IndicatorCode::parse(indicator_code).map_err(|e| AppError::Invalid(e.to_string()))?;
            let Some(definition) = self.store().indicator(&indicator).await? else { continue };
            let query =
                ObservationQuery { indicator: Some(indicator), region: Some(code.clone()), ..Default::default() };
            let mut values: Vec<(i32, f64)> = self
                .all_observations(&query, &read)
                .await?
                .into_iter()
                .filter_map(|o| match o.period {
                    Period::Year(y) => Some((y, o.value)),
                    _ => None,
                })
                .collect();
            values.sort_by_key(|(y, _)| *y);
            if values.is_empty() {
                continue;
            }
            let latest = values.last().map(|(_, v)| *v);
            let series_targets = targets
                .iter()
                .filter(|(_, _, t)| t.indicator.as_str() == indicator_code)
                .map(|(plan_id, title, t)| TargetProgress {
                    plan_id: *plan_id,
                    plan_title: title.clone(),
                    target_year: t.target.target_year,
                    target: t.target.target,
                    baseline_year: t.target.baseline_year,
                    baseline: t.target.baseline,
                    progress: latest.and_then(|v| {
                        let span = t.target.target - t.target.baseline;
                        (span != 0.0).then(|| (v - t.target.baseline) / span)
                    }),
                })
                .collect();
            let higher_is_better = match definition.direction {
                revita_methods::Direction::HigherIsBetter => Some(true),
                revita_methods::Direction::LowerIsBetter => Some(false),
                revita_methods::Direction::Neutral => None,
            };
            let slot = themes.iter_mut().find(|(t, _)| Some(*t) == theme_of(indicator_code)).map(|(_, s)| s);
            if let Some(slot) = slot {
                slot.push(Series {
                    indicator: indicator_code.to_string(),
                    name: definition.name_zh.clone(),
                    unit: definition.unit.clone(),
                    higher_is_better,
                    values,
                    targets: series_targets,
                });
            }
        }
        Ok(Dashboard { city, themes })
    }

    /// The targets on `code` of the plans the actor may read.
    async fn targets_for(
        &self,
        actor: &Actor,
        code: &RegionCode,
    ) -> AppResult<Vec<(i64, String, revita_methods::plan::PlanTarget)>> {
        let mut found = Vec::new();
        for plan in self.plans_for(actor).await? {
            for t in self.store().targets(plan.id).await? {
                if t.region.as_ref() == Some(code) {
                    found.push((plan.id, plan.title.clone(), t));
                }
            }
        }
        Ok(found)
    }
}
