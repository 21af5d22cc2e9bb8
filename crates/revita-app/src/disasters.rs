//! Post-disaster recovery and reconstruction (issue 21; methods.md §8, §4.4):
//! an event kept by the office of a region, the counties it hit with their
//! severity and people affected, the assessment's lines and the event's
//! unit costs (each import a version), damage, losses and needs by sector
//! group, sector, county and ownership (`revita-methods::disaster`), a
//! central fund allocated over the counties by the factor method, the
//! counterpart provinces (one per severely hit county, 1% of revenue for
//! three years: pairings and rules of the pairing ledger), the
//! reconstruction plan (a plan of kind `reconstruction` with the Wenchuan
//! plan's goals), and the PDNA-style report.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::access::Action;
use revita_methods::disaster::{Assessment, AssetLine, LossLine, NeedsRule, Ownership, assess};
use revita_methods::{Pairing, RegionCode};
use serde::{Deserialize, Serialize};

pub use revita_store::disasters::{AssessmentLine, DisasterEvent, HitCounty, Rebuild, RebuildCount, UnitCost};

use crate::auth::{Actor, Origin, audit_entry};
use crate::ledger::{PairingRule, REVENUE_INDICATOR};
use crate::{App, AppError, AppResult, ImportReport};

/// The kinds of event.
pub const KINDS: [&str; 6] = ["earthquake", "flood", "landslide", "drought", "typhoon", "other"];

/// An event's needs parameters as JSON: each sector's build-back-better
/// uplift (0.3 for 30%), the uplift of the others, the share of losses to
/// restore.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NeedsParameters {
    /// Uplift by sector.
    #[serde(default)]
    pub uplift: BTreeMap<String, f64>,
    /// Uplift of the sectors not listed.
    #[serde(default)]
    pub default_uplift: f64,
    /// Share of losses recovery programmes restore (0 to 1).
    #[serde(default)]
    pub recovery_share: f64,
}

impl NeedsParameters {
    /// From JSON, checked.
    pub fn from_json(text: &str) -> AppResult<NeedsParameters> {
        let p: NeedsParameters =
            serde_json::from_str(text).map_err(|e| AppError::Invalid(format!("needs parameters: {e}")))?;
        assess(&[], &[], &p.rule()).map_err(|e| AppError::Invalid(format!("needs parameters: {e}")))?;
        if let Some(s) = p.uplift.keys().find(|s| revita_methods::disaster::sector_group(s).is_none()) {
            return Err(AppError::Invalid(format!("needs parameters: '{s}' is not a sector")));
        }
        Ok(p)
    }

    /// As the methods take it.
    pub fn rule(&self) -> NeedsRule {
        NeedsRule {
            uplift: self.uplift.clone(),
            default_uplift: self.default_uplift,
            recovery_share: self.recovery_share,
        }
    }
}

/// A new event as a form gives it.
#[derive(Debug, Clone)]
pub struct EventDraft {
    /// Its name.
    pub name: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// The day it struck.
    pub occurred_on: revita_methods::Date,
    /// Its magnitude as reported.
    pub magnitude: Option<String>,
    /// The region whose office keeps it.
    pub region: RegionCode,
    /// The needs parameters.
    pub needs: NeedsParameters,
}

/// An event as a reader sees it.
#[derive(Debug, Clone)]
pub struct DisasterView {
    /// The event.
    pub event: DisasterEvent,
    /// Its needs parameters.
    pub needs: NeedsParameters,
    /// The counties it hit, with their names.
    pub counties: Vec<(HitCounty, String)>,
    /// The unit costs' version and rows.
    pub unit_costs: (i64, Vec<UnitCost>),
    /// The assessment lines.
    pub lines: Vec<AssessmentLine>,
    /// Damage lines with no cost of their own nor in the unit costs.
    pub uncosted: Vec<String>,
    /// Damage, losses and needs every way.
    pub assessment: Assessment,
    /// County names by code.
    pub names: HashMap<String, String>,
    /// Households' rebuilds counted by county and status.
    pub rebuilds: Vec<RebuildCount>,
    /// Whether the reader may change it.
    pub may_decide: bool,
    /// Whether the reader may import its data.
    pub may_enter: bool,
}

/// A county's share of a fund.
#[derive(Debug, Clone, PartialEq)]
pub struct FundShare {
    /// The county.
    pub county: String,
    /// Its name.
    pub name: String,
    /// The part from needs and the part from people affected (yuan).
    pub parts: [f64; 2],
    /// What it gets (yuan, rounded).
    pub amount: f64,
}

fn check_line(text: &str, what: &str) -> AppResult<()> {
    if text.trim().is_empty() || text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!("{what}: one line of 1 to 200 characters")));
    }
    Ok(())
}

impl App {
    /// Creates an event kept by the office of `draft.region`; its number.
    pub async fn create_disaster(&self, actor: &Actor, draft: &EventDraft, origin: &Origin) -> AppResult<i64> {
        check_line(&draft.name, "name")?;
        if !KINDS.contains(&draft.kind.as_str()) {
            return Err(AppError::Invalid(format!("kind: '{}' is not one of {}", draft.kind, KINDS.join(", "))));
        }
        if let Some(m) = &draft.magnitude {
            check_line(m, "magnitude")?;
        }
        if !self.jurisdiction(actor, Action::EditDecisions).await?.covers(&draft.region) {
            return Err(AppError::Forbidden(format!("{} may not keep events for {}", actor.name, draft.region)));
        }
        if self.store().region(&draft.region).await?.is_none() {
            return Err(AppError::Invalid(format!("region: {} is not a known region", draft.region)));
        }
        let uplift = serde_json::to_string(&draft.needs).map_err(|e| AppError::Internal(e.into()))?;
        let event = DisasterEvent {
            id: 0,
            name: draft.name.trim().to_string(),
            kind: draft.kind.clone(),
            occurred_on: draft.occurred_on.to_string(),
            magnitude: draft.magnitude.clone(),
            region: draft.region.clone(),
            plan_id: None,
            uplift,
            version: 1,
            updated_by: actor.name.clone(),
            updated_at: revita_methods::UtcOffset::UTC.format(origin.now),
        };
        let mut tx = self.store().begin().await?;
        if tx.disaster_event_named(&event.name).await? {
            return Err(AppError::Conflict(format!("an event is already named {}", event.name)));
        }
        let id = tx.insert_disaster_event(&event).await?;
        tx.audit(audit_entry(
            &actor.name,
            "disaster.create",
            ("disaster", &id.to_string()),
            Some(&event.region),
            (None, Some(format!("{} {} {}", event.name, event.kind, event.occurred_on))),
            origin,
        ));
        tx.commit().await?;
        Ok(id)
    }

    /// A page of the events kept within the actor's read jurisdiction.
    pub async fn disasters(&self, actor: &Actor, after: i64, limit: i64) -> AppResult<(Vec<DisasterEvent>, i64)> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().disaster_event_page(read.roots(), after, limit).await?)
    }

    async fn readable_event(&self, actor: &Actor, id: i64) -> AppResult<DisasterEvent> {
        let event = self.store().disaster_event(id).await?.ok_or_else(|| AppError::NotFound(format!("event {id}")))?;
        if !self.jurisdiction(actor, Action::Read).await?.covers(&event.region) {
            return Err(AppError::Forbidden(format!("event {id} is kept outside your jurisdiction")));
        }
        Ok(event)
    }

    /// An event with its counties, lines and assessment.
    pub async fn disaster(&self, actor: &Actor, id: i64) -> AppResult<DisasterView> {
        let event = self.readable_event(actor, id).await?;
        let needs = NeedsParameters::from_json(&event.uplift)?;
        let counties = self.store().disaster_counties(id).await?;
        let unit_costs = self.store().disaster_unit_costs(id).await?;
        let lines = self.store().disaster_lines(id).await?;
        let names: HashMap<String, String> =
            self.store().regions().await?.into_iter().map(|r| (r.code.to_string(), r.name_zh)).collect();
        let costs: HashMap<(&str, &str), &UnitCost> =
            unit_costs.1.iter().map(|c| ((c.sector.as_str(), c.asset.as_str()), c)).collect();
        let (mut assets, mut losses, mut uncosted) = (Vec::new(), Vec::new(), Vec::new());
        for l in &lines {
            let ownership = if l.ownership == "public" { Ownership::Public } else { Ownership::Private };
            if l.kind == "loss" {
                losses.push(LossLine {
                    county: l.county.to_string(),
                    sector: l.sector.clone(),
                    ownership,
                    baseline: vec![l.baseline],
                    actual: vec![l.actual],
                    additional_costs: l.additional_costs,
                });
                continue;
            }
            let table = costs.get(&(l.sector.as_str(), l.asset.as_str()));
            let replacement = l.replacement_cost.or(table.map(|c| c.replacement_cost));
            let repair = l.repair_cost.or(table.map(|c| c.repair_cost));
            if replacement.is_none() && l.destroyed > 0.0 || repair.is_none() && l.damaged > 0.0 {
                uncosted.push(format!("{} {} {}", l.county, l.sector, l.asset));
            }
            assets.push(AssetLine {
                county: l.county.to_string(),
                sector: l.sector.clone(),
                ownership,
                destroyed: l.destroyed,
                replacement_cost: replacement.unwrap_or(0.0),
                damaged: l.damaged,
                repair_cost: repair.unwrap_or(0.0),
            });
        }
        let assessment = assess(&assets, &losses, &needs.rule()).map_err(|e| AppError::Invalid(e.to_string()))?;
        let counties = counties
            .into_iter()
            .map(|c| {
                let name = names.get(c.county.as_str()).cloned().unwrap_or_default();
                (c, name)
            })
            .collect();
        let may_decide = self.jurisdiction(actor, Action::EditDecisions).await?.covers(&event.region);
        let may_enter = self.jurisdiction(actor, Action::EditData).await?.covers(&event.region);
        let rebuilds = self.store().disaster_rebuild_counts(id).await?;
        Ok(DisasterView {
            event,
            needs,
            counties,
            unit_costs,
            lines,
            uncosted,
            assessment,
            names,
            rebuilds,
            may_decide,
            may_enter,
        })
    }

    /// The event an actor may enter data for, and the regions inside its
    /// office's region that the actor's data-entry jurisdiction covers.
    async fn enterable_event(&self, actor: &Actor, id: i64) -> AppResult<(DisasterEvent, HashSet<RegionCode>)> {
        let event = self.readable_event(actor, id).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        if !enter.covers(&event.region) {
            return Err(AppError::Forbidden(format!("{} may not enter data of event {id}", actor.name)));
        }
        let mut inside: HashSet<RegionCode> =
            self.store().descendants(&event.region, None).await?.into_iter().map(|r| r.code).collect();
        inside.insert(event.region.clone());
        Ok((event, inside))
    }

    /// Imports a data file of an event (`counties`, `unit_costs`,
    /// `assessment`, or `rebuilds` of registry households in the counties
    /// it hit), all or nothing: every problem by row and column.
    pub async fn import_disaster_file(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (event, inside) = self.enterable_event(actor, id).await?;
        let outside = |code: &RegionCode| format!("{code} is not a county of {}'s region {}", event.name, event.region);
        // A workbook (the template) holds a sheet per kind.
        let is_workbook = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let sheet = is_workbook.then(|| kind.to_string());
        let (table, n, write): (revita_ingest::Table, usize, Pending) = match kind {
            "counties" => {
                let (table, parsed) =
                    crate::import::read_table(path, sheet.clone(), revita_ingest::records::read_hit_counties).await?;
                let mut problems = revita_ingest::Problems::default();
                let mut seen = HashMap::new();
                for (row, c) in &parsed.rows {
                    if !inside.contains(&c.county) {
                        problems.push(RowError::cell(&table.file, *row, "county_code", outside(&c.county)));
                    }
                    if let Some(first) = seen.insert(c.county.clone(), *row) {
                        problems.push(RowError::cell(
                            &table.file,
                            *row,
                            "county_code",
                            format!("already on row {first}"),
                        ));
                    }
                }
                if !problems.is_empty() {
                    return Err(problems.into());
                }
                let rows: Vec<HitCounty> = parsed
                    .rows
                    .into_iter()
                    .map(|(_, c)| HitCounty {
                        county: c.county,
                        severity: c.severity,
                        affected: c.affected,
                        displaced: c.displaced,
                        shelters: c.shelters,
                    })
                    .collect();
                (table, rows.len(), Pending::Counties(rows))
            }
            "unit_costs" => {
                let (table, parsed) =
                    crate::import::read_table(path, sheet.clone(), revita_ingest::records::read_unit_costs).await?;
                let mut problems = revita_ingest::Problems::default();
                let mut seen = HashMap::new();
                for (row, (sector, asset, _, _)) in &parsed.rows {
                    if let Some(first) = seen.insert((sector.clone(), asset.clone()), *row) {
                        problems.push(RowError::cell(&table.file, *row, "asset", format!("already on row {first}")));
                    }
                }
                if !problems.is_empty() {
                    return Err(problems.into());
                }
                let rows: Vec<UnitCost> = parsed
                    .rows
                    .into_iter()
                    .map(|(_, (sector, asset, replacement_cost, repair_cost))| UnitCost {
                        sector,
                        asset,
                        replacement_cost,
                        repair_cost,
                    })
                    .collect();
                (table, rows.len(), Pending::Costs(rows))
            }
            "assessment" => {
                let (table, (parsed, mut problems)) = crate::import::read_table(
                    path,
                    sheet.clone(),
                    revita_ingest::records::read_assessment_with_problems,
                )
                .await?;
                let mut seen = HashMap::new();
                for (row, l) in &parsed.rows {
                    if !inside.contains(&l.county) {
                        problems.push(RowError::cell(&table.file, *row, "county_code", outside(&l.county)));
                    }
                    let key =
                        (l.county.clone(), l.sector.clone(), l.asset.clone(), l.ownership.clone(), l.kind.clone());
                    if let Some(first) = seen.insert(key, *row) {
                        problems.push(RowError::cell(&table.file, *row, "asset", format!("already on row {first}")));
                    }
                }
                if !problems.is_empty() {
                    problems.sort_by_row();
                    return Err(problems.into());
                }
                let rows: Vec<AssessmentLine> = parsed
                    .rows
                    .into_iter()
                    .map(|(_, l)| AssessmentLine {
                        county: l.county,
                        sector: l.sector,
                        asset: l.asset,
                        ownership: l.ownership,
                        kind: l.kind,
                        destroyed: l.destroyed,
                        damaged: l.damaged,
                        replacement_cost: l.replacement_cost,
                        repair_cost: l.repair_cost,
                        baseline: l.baseline,
                        actual: l.actual,
                        additional_costs: l.additional_costs,
                    })
                    .collect();
                (table, rows.len(), Pending::Lines(rows))
            }
            "rebuilds" => {
                let (table, parsed) =
                    crate::import::read_table(path, sheet.clone(), revita_ingest::records::read_rebuilds).await?;
                let ids: Vec<&str> = parsed.rows.iter().map(|(_, r)| r.household_id.as_str()).collect();
                let counties = self.store().household_counties(&ids).await?;
                let hit: HashSet<String> =
                    self.store().disaster_counties(id).await?.into_iter().map(|c| c.county.to_string()).collect();
                let mut problems = revita_ingest::Problems::default();
                let mut seen = HashMap::new();
                let mut rows = Vec::new();
                for (row, r) in &parsed.rows {
                    let cell = |reason: String| RowError::cell(&table.file, *row, "household_id", reason);
                    match counties.get(&r.household_id) {
                        None => problems.push(cell(format!("{} is not a registry household", r.household_id))),
                        Some(county) if !hit.contains(county) => problems
                            .push(cell(format!("{} lives in {county}, not a county the event hit", r.household_id))),
                        Some(county) => rows.push(Rebuild {
                            household_id: r.household_id.clone(),
                            county: RegionCode::parse(county)
                                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?,
                            grant: r.grant,
                            status: r.status.clone(),
                            completed_on: r.completed_on.map(|d| d.to_string()),
                        }),
                    }
                    if let Some(first) = seen.insert(r.household_id.clone(), *row) {
                        problems.push(RowError::cell(
                            &table.file,
                            *row,
                            "household_id",
                            format!("already on row {first}"),
                        ));
                    }
                }
                if !problems.is_empty() {
                    problems.sort_by_row();
                    return Err(problems.into());
                }
                (table, rows.len(), Pending::Rebuilds(rows))
            }
            other => {
                return Err(AppError::Invalid(format!(
                    "kind: '{other}' is not counties, unit_costs, assessment or rebuilds"
                )));
            }
        };
        let mut report = ImportReport::checked(&table, kind, dry_run, n, &[]);
        if dry_run {
            return Ok(report);
        }
        let mut tx = self.store().begin().await?;
        // The stored event again: it may have moved meanwhile.
        let now = tx.disaster_event(id).await?.ok_or_else(|| AppError::NotFound(format!("event {id}")))?;
        if now.region != event.region {
            return Err(AppError::Conflict(format!("event {id} was moved meanwhile; try again")));
        }
        match &write {
            Pending::Counties(rows) => tx.put_disaster_counties(id, rows).await?,
            Pending::Costs(rows) => {
                let version = tx.add_disaster_unit_costs(id, rows).await?;
                report.notes.push(format!("unit costs version {version}"));
            }
            Pending::Lines(rows) => report.replaces = tx.put_disaster_lines(id, rows).await?,
            Pending::Rebuilds(rows) => tx.put_disaster_rebuilds(id, rows).await?,
        }
        tx.audit(audit_entry(
            &actor.name,
            &format!("disaster.{kind}"),
            ("disaster", &id.to_string()),
            Some(&event.region),
            (None, Some(format!("{}: {n} rows", table.file))),
            origin,
        ));
        tx.commit().await?;
        Ok(report)
    }

    /// A central fund shared over the counties an event hit by the factor
    /// method: `needs_weight` by each county's needs, the rest by people
    /// affected; rounded to `unit` by largest remainder.
    pub async fn disaster_fund(
        &self,
        actor: &Actor,
        id: i64,
        total: f64,
        needs_weight: f64,
        unit: Option<f64>,
    ) -> AppResult<Vec<FundShare>> {
        use revita_methods::allocation::{factor_parts, round_largest_remainder};
        if !(total.is_finite() && total > 0.0 && total <= 1e15 && (0.0..=1.0).contains(&needs_weight)) {
            return Err(AppError::Invalid(
                "the fund must be above 0 (at most 10^15 yuan) and the needs' weight between 0 and 1".into(),
            ));
        }
        if unit.is_some_and(|u| !(u.is_finite() && u > 0.0 && u <= 1e15)) {
            return Err(AppError::Invalid("the rounding unit must be above 0 (at most 10^15 yuan)".into()));
        }
        let view = self.disaster(actor, id).await?;
        if view.counties.is_empty() {
            return Err(AppError::Invalid("the event has no counties to share a fund among".into()));
        }
        let factors: Vec<Vec<f64>> = view
            .counties
            .iter()
            .map(|(c, _)| {
                let needs = view.assessment.by_county.get(c.county.as_str()).map_or(0.0, |t| t.needs());
                vec![needs, c.affected]
            })
            .collect();
        let parts = factor_parts(total, &factors, &[needs_weight, 1.0 - needs_weight])
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let sums: Vec<f64> = parts.iter().map(|p| p.iter().sum()).collect();
        let amounts = match unit {
            Some(u) => round_largest_remainder(&sums, u).map_err(|e| AppError::Invalid(e.to_string()))?,
            None => sums,
        };
        Ok(view
            .counties
            .iter()
            .zip(parts)
            .zip(amounts)
            .map(|(((c, name), p), amount)| FundShare {
                county: c.county.to_string(),
                name: name.clone(),
                parts: [p[0], p.get(1).copied().unwrap_or(0.0)],
                amount,
            })
            .collect())
    }

    /// Assigns counterpart donors to counties of the event (one donor per
    /// county): pairings of the programme `灾后恢复重建：<event>` for three
    /// years from `start_year`, each donor's rule 1% of its previous year's
    /// revenue — the pairing ledger then shows obligations and deliveries.
    pub async fn assign_counterparts(
        &self,
        actor: &Actor,
        id: i64,
        pairs: &[(RegionCode, RegionCode)],
        start_year: i32,
        origin: &Origin,
    ) -> AppResult<String> {
        let event = self.readable_event(actor, id).await?;
        let decide = self.jurisdiction(actor, Action::EditDecisions).await?;
        if !decide.covers(&event.region) {
            return Err(AppError::Forbidden(format!("{} may not assign counterparts of event {id}", actor.name)));
        }
        let hit: HashSet<RegionCode> =
            self.store().disaster_counties(id).await?.into_iter().map(|c| c.county).collect();
        let mut seen = HashSet::new();
        for (donor, county) in pairs {
            if !hit.contains(county) {
                return Err(AppError::Invalid(format!("{county} is not a county the event hit")));
            }
            if !seen.insert(county.clone()) {
                return Err(AppError::Invalid(format!("{county} has two counterparts: one province helps one county")));
            }
            if donor == county || self.store().region(donor).await?.is_none() {
                return Err(AppError::Invalid(format!("{donor} is not a known donor region")));
            }
        }
        if !(1900..=2100).contains(&start_year) {
            return Err(AppError::Invalid("start_year: between 1900 and 2100".into()));
        }
        let program = format!("灾后恢复重建：{}", event.name);
        let pairings: Vec<Pairing> = pairs
            .iter()
            .map(|(donor, county)| Pairing {
                program: program.clone(),
                donor: donor.clone(),
                recipient: county.clone(),
                start_year: Some(start_year),
                end_year: Some(start_year + 2),
                notes: Some("国办发〔2008〕53号: ≥1% of the previous year's local revenue for 3 years".into()),
            })
            .collect();
        let mut tx = self.store().begin().await?;
        tx.upsert_pairings(&pairings).await?;
        for donor in pairs.iter().map(|(d, _)| d).collect::<HashSet<_>>() {
            let rule = PairingRule {
                program: program.clone(),
                donor: donor.clone(),
                kind: "revenue_share".into(),
                share: Some(0.01),
                lag: Some(1),
                base: None,
                growth: None,
                start_year,
                revenue_indicator: REVENUE_INDICATOR.into(),
                note: Some("国办发〔2008〕53号".into()),
            };
            tx.put_pairing_rule(&rule).await?;
        }
        let listed: Vec<String> = pairs.iter().map(|(d, c)| format!("{d}→{c}")).collect();
        tx.audit(audit_entry(
            &actor.name,
            "disaster.counterparts",
            ("disaster", &id.to_string()),
            Some(&event.region),
            (None, Some(format!("{program} from {start_year}: {}", listed.join(", ")))),
            origin,
        ));
        tx.commit().await?;
        Ok(program)
    }

    /// Creates the event's reconstruction plan (kind `reconstruction`, the
    /// hit counties its scope, the Wenchuan plan's four goals) and links it;
    /// the plan's number.
    pub async fn create_reconstruction_plan(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        origin: &Origin,
    ) -> AppResult<i64> {
        let view = self.disaster(actor, id).await?;
        if !view.may_decide {
            return Err(AppError::Forbidden(format!("{} may not plan event {id}", actor.name)));
        }
        if let Some(plan) = view.event.plan_id {
            return Err(AppError::Conflict(format!("event {id} already has plan {plan}")));
        }
        let counties: Vec<RegionCode> = view.counties.iter().map(|(c, _)| c.county.clone()).collect();
        if counties.is_empty() {
            return Err(AppError::Invalid("import the counties the event hit first".into()));
        }
        let year: i32 = view.event.occurred_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
        let draft = crate::plans::PlanDraft {
            title: format!("{}灾后恢复重建规划", view.event.name),
            kind: revita_methods::plan::PlanKind::Reconstruction,
            region: view.event.region.clone(),
            scope: revita_methods::plan::PlanScope::Regions(counties),
            start_year: year,
            end_year: year + 3,
            office: format!("{} recovery office", view.event.name),
        };
        let plan = self.create_plan(actor, &draft, origin).await?;
        // The Wenchuan plan's targets (国发〔2008〕31号), as goals to attach indicators to.
        for goal in [
            "每户有住房 Every household housed",
            "每个有劳动力的家庭至少一人稳定就业 At least one stably employed per household with labour",
            "收入超过灾前水平 Incomes above pre-disaster levels",
            "基本公共服务恢复 Basic public services restored",
        ] {
            self.add_goal(actor, plan, None, goal, origin).await?;
        }
        let mut event = view.event.clone();
        event.plan_id = Some(plan);
        event.updated_by = actor.name.clone();
        event.updated_at = revita_methods::UtcOffset::UTC.format(origin.now);
        let mut tx = self.store().begin().await?;
        if !tx.update_disaster_event(&event, version).await? {
            return Err(AppError::Conflict(format!("event {id} was changed by someone else; reload it")));
        }
        tx.audit(audit_entry(
            &actor.name,
            "disaster.plan",
            ("disaster", &id.to_string()),
            Some(&event.region),
            (None, Some(format!("plan {plan}"))),
            origin,
        ));
        tx.commit().await?;
        Ok(plan)
    }
}

/// What an import writes once checked.
enum Pending {
    Counties(Vec<HitCounty>),
    Costs(Vec<UnitCost>),
    Lines(Vec<AssessmentLine>),
    Rebuilds(Vec<Rebuild>),
}

/// The import template: a workbook with a sheet per kind of file, each
/// with its columns and an example row.
pub fn template_workbook() -> AppResult<Vec<u8>> {
    use revita_ingest::export::{Cell, Sheet};
    let text = |t: &str| Cell::Text(t.to_string());
    let columns = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let sheets = [
        Sheet {
            name: "counties".into(),
            header: columns(&["county_code", "severity", "affected", "displaced", "shelters"]),
            rows: vec![vec![
                text("513221"),
                text("extreme"),
                Cell::Number(100_000.0),
                Cell::Number(20_000.0),
                Cell::Number(15_000.0),
            ]],
        },
        Sheet {
            name: "unit_costs".into(),
            header: columns(&["sector", "asset", "replacement_cost", "repair_cost"]),
            rows: vec![vec![text("housing"), text("brick_house"), Cell::Number(200_000.0), Cell::Number(30_000.0)]],
        },
        Sheet {
            name: "assessment".into(),
            header: columns(&[
                "county_code",
                "sector",
                "asset",
                "ownership",
                "kind",
                "destroyed",
                "damaged",
                "replacement_cost",
                "repair_cost",
                "baseline",
                "actual",
                "additional_costs",
            ]),
            rows: vec![
                vec![
                    text("513221"),
                    text("housing"),
                    text("brick_house"),
                    text("private"),
                    text("damage"),
                    Cell::Number(100.0),
                    Cell::Number(300.0),
                ],
                vec![
                    text("513221"),
                    text("tourism"),
                    text("visitor_spending"),
                    text("private"),
                    text("loss"),
                    text(""),
                    text(""),
                    text(""),
                    text(""),
                    Cell::Number(30_000_000.0),
                    Cell::Number(15_000_000.0),
                    Cell::Number(1_000_000.0),
                ],
            ],
        },
    ];
    revita_ingest::export::workbook_bytes(&sheets).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}
