//! Relocation (易地扶贫搬迁) with its follow-up support, and work-relief
//! (以工代赈): issue 17, methods.md §2 and §3. Imports of resettlement
//! sites, relocated households and work-relief projects, all or nothing,
//! with dry runs that find everything the write would refuse: every row's
//! county within the user's data-entry jurisdiction, and every stored row
//! an upsert would replace too (read inside the transaction), so that an
//! import cannot take over what lies outside it. Views: the follow-up KPIs
//! per site with their alerts (`revita-methods::relocation`), the projects'
//! alerts (`revita-methods::work_relief`), and the site-assignment
//! optimiser over stored village/household points and sites.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::access::Action;
use revita_methods::assignment::{Assignment, Options, Origin as Source, Site, assign};
use revita_methods::relocation::{
    FollowUp, FollowUpHousehold, FollowUpSite, Kpi, KpiAlert, Mover, MoverFlag, Point, Targets, check_mover,
    follow_up_by, kpi_alerts, nearest_links,
};
use revita_methods::work_relief::{
    AlertOptions, ProjectFacts, ProjectMoney, ReliefAlert, RosterWorker, WagePayment, WorkerCategory, project_alerts,
};
use revita_methods::{Date, RegionCode};

pub use revita_store::relocation::{ReliefProject, Relocation, ResettlementSite};

use crate::auth::{Actor, Origin};
use crate::import::{commit_import, common_region};
use crate::{App, AppError, AppResult, ImportReport};

/// The follow-up view: KPIs per site, county and province, the sites and
/// counties missing a target, the labour households with nobody employed,
/// and the households flagged for review.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpView {
    /// The year income growth is measured to.
    pub year: i32,
    /// Numbers by site code.
    pub sites: BTreeMap<String, FollowUp>,
    /// Numbers by the sites' county.
    pub counties: BTreeMap<RegionCode, FollowUp>,
    /// Numbers by the sites' province (the level below the country).
    pub provinces: BTreeMap<RegionCode, FollowUp>,
    /// Sites below (or above a ceiling) target.
    pub alerts: Vec<KpiAlert<String>>,
    /// Counties below (or above a ceiling) target.
    pub county_alerts: Vec<KpiAlert<RegionCode>>,
    /// Households with labour and nobody employed.
    pub unemployed: Vec<String>,
    /// Households whose record crosses a cap that calls for review
    /// (self-contribution, the housing red line overridden).
    pub flagged: Vec<FlaggedMover>,
}

impl FollowUpView {
    /// The view as JSON, as the API and `revita relocate follow-up` give it:
    /// numbers and KPIs by site, county and province, the site and county
    /// alerts, the labour households with nobody employed, the flagged.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value, json};
        let numbers = |f: &FollowUp| {
            let kpis: Map<String, Value> =
                Kpi::ALL.iter().map(|k| (k.as_str().to_string(), json!(f.value(*k)))).collect();
            json!({"households": f.households, "persons": f.persons, "labour_households": f.labour_households,
                   "labour_households_employed": f.labour_households_employed, "kpis": kpis})
        };
        let by = |groups: Vec<(String, &FollowUp)>| -> Map<String, Value> {
            groups.into_iter().map(|(code, f)| (code, numbers(f))).collect()
        };
        let alert = |key: &str, group: String, a: (Kpi, f64, f64)| json!({key: group, "kpi": a.0.as_str(), "value": a.1, "target": a.2});
        let site_alerts: Vec<Value> =
            self.alerts.iter().map(|a| alert("site", a.group.clone(), (a.kpi, a.value, a.target))).collect();
        let county_alerts: Vec<Value> = self
            .county_alerts
            .iter()
            .map(|a| alert("county", a.group.to_string(), (a.kpi, a.value, a.target)))
            .collect();
        let flagged: Vec<Value> = self
            .flagged
            .iter()
            .map(|f| {
                json!({"household_id": f.household_id, "site": f.site, "flag": f.flag.key(), "value": f.flag.value(),
                       "text": f.flag.to_string()})
            })
            .collect();
        json!({
            "year": self.year,
            "sites": by(self.sites.iter().map(|(c, f)| (c.clone(), f)).collect()),
            "counties": by(self.counties.iter().map(|(c, f)| (c.to_string(), f)).collect()),
            "provinces": by(self.provinces.iter().map(|(c, f)| (c.to_string(), f)).collect()),
            "alerts": site_alerts,
            "county_alerts": county_alerts,
            "unemployed_labour_households": self.unemployed,
            "flagged": flagged,
        })
    }
}

/// A relocated household flagged for review.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedMover {
    /// The registry household.
    pub household_id: String,
    /// Its site.
    pub site: String,
    /// What it crosses.
    pub flag: MoverFlag,
}

/// A project's alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectAlerts {
    /// The project's code.
    pub code: String,
    /// Its alerts.
    pub alerts: Vec<ReliefAlert>,
}

/// The optimiser's result, with names.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteAssignment {
    /// The explained assignment (ids: `village:…`/`household:…` and site codes).
    pub assignment: Assignment<String>,
    /// Names by id.
    pub names: HashMap<String, String>,
}

fn problem(file: &str, row: u64, column: &str, reason: String) -> RowError {
    RowError::cell(file, row, column, reason)
}

fn rejected(mut problems: revita_ingest::Problems) -> AppResult<()> {
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort_by_row();
    Err(problems.into())
}

/// What §2.2 flags in a stored relocation for review.
fn flags_of(r: &Relocation) -> Vec<FlaggedMover> {
    let mover = Mover {
        registered_poor: r.registered_poor,
        persons: r.persons,
        labour: r.labour,
        employed: r.employed,
        housing_area_per_person: r.housing_area_pc,
        self_contribution: r.self_contribution,
        override_reason: r.override_reason.clone(),
    };
    // A stored record passed the check when it was imported; one that no
    // longer does (edited outside revita) has nothing to flag for review.
    let flags = check_mover(&mover).unwrap_or_default();
    flags
        .into_iter()
        .map(|flag| FlaggedMover { household_id: r.household_id.clone(), site: r.site_code.clone(), flag })
        .collect()
}

/// The most flags an import report lists one by one.
const MAX_FLAG_NOTES: usize = 100;

/// The import report's notes on what the rows flag for review (kept, not
/// refused), by row, then how many more.
fn flag_notes(rows: &[(u64, revita_ingest::records::RelocationRecord)]) -> Vec<String> {
    let all: Vec<String> = rows
        .iter()
        .flat_map(|(row, r)| {
            r.flags.iter().map(move |f| format!("row {row}, household {}: {f} (flagged)", r.household_id))
        })
        .collect();
    let more = all.len().saturating_sub(MAX_FLAG_NOTES);
    let mut notes: Vec<String> = all.into_iter().take(MAX_FLAG_NOTES).collect();
    if more > 0 {
        notes.push(format!("… and {more} more flagged"));
    }
    notes
}

impl App {
    /// Imports resettlement sites (upserted by code), all or nothing.
    pub async fn import_resettlement_sites(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) = crate::import::read_table(path, None, revita_ingest::records::read_sites).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let known: HashSet<String> = self.store().regions().await?.into_iter().map(|r| r.code.to_string()).collect();
        let mut problems = revita_ingest::Problems::default();
        let mut seen = HashMap::new();
        for (row, s) in &parsed.rows {
            if !known.contains(s.county.as_str()) {
                problems.push(problem(&table.file, *row, "county_code", format!("{} is not a known region", s.county)));
            } else if !enter.covers(&s.county) {
                problems.push(problem(
                    &table.file,
                    *row,
                    "county_code",
                    format!("{} is outside your jurisdiction", s.county),
                ));
            }
            if let Some(first) = seen.insert(s.code.clone(), *row) {
                problems.push(problem(&table.file, *row, "code", format!("already on row {first}")));
            }
        }
        rejected(std::mem::take(&mut problems))?;
        let now = crate::clock::today().to_string();
        let sites: Vec<ResettlementSite> = parsed
            .rows
            .iter()
            .map(|(_, s)| ResettlementSite {
                id: 0,
                code: s.code.clone(),
                name: s.name.clone(),
                county: s.county.clone(),
                township: s.township.clone(),
                lon: s.lon,
                lat: s.lat,
                setting: s.setting.as_str().into(),
                category: s.subtype.category().as_str().into(),
                subtype: s.subtype.as_str().into(),
                capacity_people: s.capacity_people,
                capacity_units: s.capacity_units,
                floor_area: s.floor_area,
                school: s.services[0],
                clinic: s.services[1],
                elder_care: s.services[2],
                community_centre: s.services[3],
                workshops: s.workshops,
                party_branch: s.governance[0],
                committee: s.governance[1],
                certificates: s.certificates,
                version: 1,
                updated_by: actor.name.clone(),
                updated_at: now.clone(),
            })
            .collect();
        let mut report =
            ImportReport::checked(&table, "resettlement_sites", dry_run, sites.len(), &parsed.ignored_columns);
        let mut tx = self.store().begin().await?;
        let codes: Vec<&str> = sites.iter().map(|s| s.code.as_str()).collect();
        let stored = tx.resettlement_sites_coded(&codes).await?;
        for s in stored.iter().filter(|s| !enter.covers(&s.county)) {
            let row = seen.get(&s.code).copied().unwrap_or(0);
            problems.push(problem(
                &table.file,
                row,
                "code",
                format!("site {} is kept by {}, outside your jurisdiction", s.code, s.county),
            ));
        }
        rejected(problems)?;
        report.replaces = stored.len() as u64;
        if dry_run {
            return Ok(report);
        }
        tx.put_resettlement_sites(&sites).await?;
        let region = common_region(sites.iter().map(|s| &s.county));
        let summary = format!("{}: {} sites", table.file, sites.len());
        commit_import(tx, actor, origin, ("resettlement_sites", &table.file), region, summary).await?;
        Ok(report)
    }

    /// Imports relocated households (upserted by household), all or
    /// nothing: each household must be in the registry in a county within
    /// the jurisdiction, its site stored within it, and a stored
    /// relocation it replaces must have been to a site within it.
    pub async fn import_relocations(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) = crate::import::read_table(path, None, revita_ingest::records::read_relocations).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let now = crate::clock::today().to_string();
        let relocations: Vec<Relocation> = parsed
            .rows
            .iter()
            .map(|(_, r)| Relocation {
                household_id: r.household_id.clone(),
                site_code: r.site_code.clone(),
                registered_poor: r.registered_poor,
                same_time_mover: r.same_time_mover,
                moved_on: r.moved_on.map(|d| d.to_string()),
                persons: r.mover.persons,
                labour: r.mover.labour,
                employed: r.mover.employed,
                employment_place: r.employment_place.map(|p| p.as_str().to_string()),
                housing_area_pc: r.mover.housing_area_per_person,
                self_contribution: r.mover.self_contribution,
                demolished: r.demolished,
                reclaimed: r.reclaimed,
                override_reason: r.mover.override_reason.clone(),
                updated_by: actor.name.clone(),
                updated_at: now.clone(),
            })
            .collect();
        let mut report =
            ImportReport::checked(&table, "relocations", dry_run, relocations.len(), &parsed.ignored_columns);
        let mut tx = self.store().begin().await?;
        let ids: Vec<&str> = relocations.iter().map(|r| r.household_id.as_str()).collect();
        let registry = tx.household_counties(&ids).await?;
        let mut codes: Vec<&str> = relocations.iter().map(|r| r.site_code.as_str()).collect();
        let stored = tx.relocations_of(&ids).await?;
        codes.extend(stored.iter().map(|r| r.site_code.as_str()));
        let sites: HashMap<String, RegionCode> =
            tx.resettlement_sites_coded(&codes).await?.into_iter().map(|s| (s.code, s.county)).collect();
        let mut problems = revita_ingest::Problems::default();
        let mut seen = HashMap::new();
        for ((row, _), r) in parsed.rows.iter().zip(&relocations) {
            let cell = |column: &str, reason: String| problem(&table.file, *row, column, reason);
            match registry.get(&r.household_id).map(|c| RegionCode::parse(c)) {
                None => problems.push(cell("household_id", format!("{} is not a registry household", r.household_id))),
                Some(Ok(county)) if enter.covers(&county) => {}
                Some(_) => problems
                    .push(cell("household_id", format!("{} is registered outside your jurisdiction", r.household_id))),
            }
            match sites.get(&r.site_code) {
                None => problems.push(cell("site_code", format!("{} is not a stored site", r.site_code))),
                Some(county) if !enter.covers(county) => problems.push(cell(
                    "site_code",
                    format!("site {} lies in {county}, outside your jurisdiction", r.site_code),
                )),
                Some(_) => {}
            }
            if let Some(first) = seen.insert(r.household_id.clone(), *row) {
                problems.push(cell("household_id", format!("already on row {first}")));
            }
        }
        for s in &stored {
            if sites.get(&s.site_code).is_some_and(|county| !enter.covers(county)) {
                let row = seen.get(&s.household_id).copied().unwrap_or(0);
                problems.push(problem(
                    &table.file,
                    row,
                    "household_id",
                    format!("{} is stored as moved to site {}, outside your jurisdiction", s.household_id, s.site_code),
                ));
            }
        }
        rejected(problems)?;
        report.replaces = stored.len() as u64;
        report.flagged = parsed.rows.iter().filter(|(_, r)| !r.flags.is_empty()).count() as u64;
        report.notes = flag_notes(&parsed.rows);
        if dry_run {
            return Ok(report);
        }
        tx.put_relocations(&relocations).await?;
        let region = common_region(relocations.iter().filter_map(|r| sites.get(&r.site_code)));
        let summary = format!("{}: {} households", table.file, relocations.len());
        commit_import(tx, actor, origin, ("relocations", &table.file), region, summary).await?;
        Ok(report)
    }

    /// Imports work-relief projects (upserted by code), all or nothing,
    /// with the same checks as sites.
    pub async fn import_relief_projects(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) =
            crate::import::read_table(path, None, revita_ingest::records::read_relief_projects).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let mut problems = revita_ingest::Problems::default();
        let mut seen = HashMap::new();
        for (row, p) in &parsed.rows {
            if !enter.covers(&p.county) {
                problems.push(problem(
                    &table.file,
                    *row,
                    "county_code",
                    format!("{} is outside your jurisdiction", p.county),
                ));
            }
            if let Some(first) = seen.insert(p.code.clone(), *row) {
                problems.push(problem(&table.file, *row, "code", format!("already on row {first}")));
            }
        }
        rejected(std::mem::take(&mut problems))?;
        let now = crate::clock::today().to_string();
        let date = |d: Option<Date>| d.map(|d| d.to_string());
        let projects: Vec<ReliefProject> = parsed
            .rows
            .iter()
            .map(|(_, p)| ReliefProject {
                id: 0,
                code: p.code.clone(),
                name: p.name.clone(),
                county: p.county.clone(),
                village_code: p.village_code.clone(),
                fund_source: p.fund_source.as_str().into(),
                batch: p.batch.clone(),
                year: p.year,
                works_type: p.works_type.as_str().into(),
                total_investment: p.total_investment,
                central_investment: p.central_investment,
                remuneration_planned: p.remuneration_planned,
                remuneration_paid: p.remuneration_paid,
                start_on: date(p.start_on),
                end_on: date(p.end_on),
                accepted_on: date(p.accepted_on),
                status: p.status.as_str().into(),
                training_sessions: p.training_sessions,
                maintenance_posts: p.maintenance_posts,
                version: 1,
                updated_by: actor.name.clone(),
                updated_at: now.clone(),
            })
            .collect();
        let mut report =
            ImportReport::checked(&table, "relief_projects", dry_run, projects.len(), &parsed.ignored_columns);
        let mut tx = self.store().begin().await?;
        let codes: Vec<&str> = projects.iter().map(|p| p.code.as_str()).collect();
        let stored = tx.relief_projects_coded(&codes).await?;
        for p in stored.iter().filter(|p| !enter.covers(&p.county)) {
            let row = seen.get(&p.code).copied().unwrap_or(0);
            problems.push(problem(
                &table.file,
                row,
                "code",
                format!("project {} is kept by {}, outside your jurisdiction", p.code, p.county),
            ));
        }
        rejected(problems)?;
        report.replaces = stored.len() as u64;
        if dry_run {
            return Ok(report);
        }
        tx.put_relief_projects(&projects).await?;
        let region = common_region(projects.iter().map(|p| &p.county));
        let summary = format!("{}: {} projects", table.file, projects.len());
        commit_import(tx, actor, origin, ("relief_projects", &table.file), region, summary).await?;
        Ok(report)
    }

    /// The follow-up KPIs of the sites the actor may read — per site, and
    /// rolled up by the sites' county and province — income growth to
    /// `year`, against `targets`.
    pub async fn relocation_follow_up(&self, actor: &Actor, year: i32, targets: &Targets) -> AppResult<FollowUpView> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let roots = read.roots();
        let sites = self.store().resettlement_sites(roots).await?;
        let relocations = self.store().relocations(roots).await?;
        let monitored: HashSet<String> = self.store().monitored_relocations(roots).await?.into_iter().collect();
        let mut incomes: HashMap<String, Vec<(i32, f64)>> = HashMap::new();
        for i in self.store().relocation_incomes(roots).await? {
            incomes.entry(i.household_id).or_default().push((i.year, i.income));
        }
        let households: Vec<FollowUpHousehold> = relocations
            .iter()
            .map(|r| FollowUpHousehold {
                household_id: r.household_id.clone(),
                site: r.site_code.clone(),
                persons: r.persons,
                labour: r.labour,
                employed: r.employed,
                demolished: r.demolished,
                reclaimed: r.reclaimed,
                monitored: monitored.contains(&r.household_id),
                incomes: incomes.remove(&r.household_id).unwrap_or_default(),
            })
            .collect();
        let county_of: HashMap<&str, &RegionCode> = sites.iter().map(|s| (s.code.as_str(), &s.county)).collect();
        let counties: Vec<RegionCode> = county_of.values().map(|c| (*c).clone()).collect();
        let province_level = self.scheme().levels().get(1).copied().unwrap_or("province");
        let province_of = self.regions_above(&counties, province_level).await?;
        let follow_up_sites: Vec<FollowUpSite> = sites
            .iter()
            .map(|s| FollowUpSite { code: s.code.clone(), units: s.capacity_units, certificates: s.certificates })
            .collect();
        let by_site = follow_up_by(&households, &follow_up_sites, year, |s| s.code.clone());
        let by_county = follow_up_by(&households, &follow_up_sites, year, |s| county_of[s.code.as_str()].clone());
        let by_province = follow_up_by(&households, &follow_up_sites, year, |s| {
            let county = county_of[s.code.as_str()];
            province_of.get(county).unwrap_or(county).clone()
        });
        let unemployed = revita_methods::relocation::unemployed_labour_households(&households)
            .into_iter()
            .map(|h| h.household_id.clone())
            .collect();
        Ok(FollowUpView {
            year,
            alerts: kpi_alerts(&by_site, targets),
            county_alerts: kpi_alerts(&by_county, targets),
            sites: by_site,
            counties: by_county,
            provinces: by_province,
            unemployed,
            flagged: relocations.iter().flat_map(flags_of).collect(),
        })
    }

    /// The alerts of every work-relief project the actor may read, on
    /// `today`.
    pub async fn relief_alerts(
        &self,
        actor: &Actor,
        today: Date,
        options: &AlertOptions,
    ) -> AppResult<Vec<ProjectAlerts>> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let roots = read.roots();
        let rules: Vec<_> = self.store().relief_rules().await?.into_iter().map(|r| r.rule).collect();
        let mut roster: HashMap<i64, Vec<RosterWorker>> = HashMap::new();
        for w in self.store().relief_workers(roots).await? {
            let category = WorkerCategory::parse(&w.category)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored worker category '{}'", w.category)))?;
            roster.entry(w.project_id).or_default().push(RosterWorker { worker_id: w.worker_id, category });
        }
        let mut payments: HashMap<i64, Vec<WagePayment>> = HashMap::new();
        for y in self.store().relief_payments(roots).await? {
            let paid_on = Date::parse(&y.paid_on).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
            payments.entry(y.project_id).or_default().push(WagePayment {
                worker_id: y.worker_id,
                amount: y.amount,
                paid_on,
            });
        }
        let date = |d: &Option<String>| {
            d.as_deref().map(Date::parse).transpose().map_err(|e| AppError::Internal(anyhow::Error::new(e)))
        };
        let mut out = Vec::new();
        for p in self.store().relief_projects(roots).await? {
            let facts = ProjectFacts {
                year: p.year,
                batch: p.batch.clone(),
                money: ProjectMoney {
                    central: p.central_investment,
                    remuneration_planned: p.remuneration_planned,
                    remuneration_paid: p.remuneration_paid,
                },
                end: date(&p.end_on)?,
                accepted: date(&p.accepted_on)?,
                roster: roster.remove(&p.id).unwrap_or_default(),
                payments: payments.remove(&p.id).unwrap_or_default(),
            };
            let alerts = project_alerts(&facts, &rules, today, options);
            if !alerts.is_empty() {
                out.push(ProjectAlerts { code: p.code, alerts });
            }
        }
        Ok(out)
    }

    /// A site with its relocated households and its follow-up numbers for
    /// `year`, if the actor may read it.
    pub async fn resettlement_site(
        &self,
        actor: &Actor,
        id: i64,
        year: i32,
    ) -> AppResult<(ResettlementSite, Vec<Relocation>, FollowUp)> {
        let site = self
            .store()
            .resettlement_site_numbered(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("site {id}")))?;
        let code = site.code.as_str();
        if !self.jurisdiction(actor, Action::Read).await?.covers(&site.county) {
            return Err(AppError::Forbidden(format!("site {code} is kept outside your jurisdiction")));
        }
        let view = self.relocation_follow_up(actor, year, &Targets::default()).await?;
        let numbers = view.sites.get(code).cloned().unwrap_or_default();
        let roots = [site.county.clone()];
        let households: Vec<Relocation> =
            self.store().relocations(Some(&roots)).await?.into_iter().filter(|r| r.site_code == code).collect();
        Ok((site, households, numbers))
    }

    /// The resettlement sites the actor may read.
    pub async fn resettlement_sites(&self, actor: &Actor) -> AppResult<Vec<ResettlementSite>> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().resettlement_sites(read.roots()).await?)
    }

    /// A page of the sites the actor may read, by number after `after`.
    pub async fn resettlement_site_page(
        &self,
        actor: &Actor,
        after: i64,
        limit: i64,
    ) -> AppResult<(Vec<ResettlementSite>, i64)> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().resettlement_site_page(read.roots(), after, limit).await?)
    }

    /// A page of the work-relief projects the actor may read.
    pub async fn relief_project_page(
        &self,
        actor: &Actor,
        after: i64,
        limit: i64,
    ) -> AppResult<(Vec<ReliefProject>, i64)> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().relief_project_page(read.roots(), after, limit).await?)
    }

    /// Where each place and site the actor may read lies, by the ids the
    /// optimiser uses (`village:…`, `household:…`, site codes).
    pub async fn assignment_points(&self, actor: &Actor) -> AppResult<HashMap<String, (f64, f64)>> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let places = self.store().places_in_box(read.roots(), (-180.0, -90.0, 180.0, 90.0)).await?;
        let mut at: HashMap<String, (f64, f64)> =
            places.iter().map(|p| (format!("{}:{}", p.kind, p.id), (p.lon, p.lat))).collect();
        at.extend(
            self.store().resettlement_sites(read.roots()).await?.iter().map(|s| (s.code.clone(), (s.lon, s.lat))),
        );
        Ok(at)
    }

    /// Assigns the households of the stored villages (or, with `kind`
    /// `household`, the registry households' points: never both, which
    /// would count a village's households twice)
    /// in `county` (or everywhere the actor may read) to the stored sites
    /// there with room (capacity in units, as households), each origin
    /// linked to its `k` nearest sites by great-circle distance in metres,
    /// links beyond `max_metres` dropped and reported.
    pub async fn assign_to_sites(
        &self,
        actor: &Actor,
        county: Option<&RegionCode>,
        kind: &str,
        k: usize,
        max_metres: Option<i64>,
        keep_together: bool,
    ) -> AppResult<SiteAssignment> {
        if !revita_ingest::records::PLACE_KINDS.contains(&kind) {
            return Err(AppError::Invalid(format!("origins: '{kind}' is not village or household")));
        }
        if !(1..=100).contains(&k) {
            return Err(AppError::Invalid(format!("k: {k} is not 1 to 100")));
        }
        let read = self.jurisdiction(actor, Action::Read).await?;
        if let Some(c) = county
            && self.store().region(c).await?.is_none()
        {
            return Err(AppError::NotFound(format!("region {c}")));
        }
        if let Some(c) = county
            && !read.covers(c)
        {
            return Err(AppError::Forbidden(format!("{c} is outside your jurisdiction")));
        }
        let single = county.map(|c| vec![c.clone()]);
        let roots = single.as_deref().or(read.roots());
        let mut places = self.store().places_in_box(roots, (-180.0, -90.0, 180.0, 90.0)).await?;
        places.retain(|p| p.kind == kind);
        let sites = self.store().resettlement_sites(roots).await?;
        let mut names = HashMap::new();
        let origins: Vec<Point<String>> = places
            .iter()
            .filter(|p| p.households > 0)
            .map(|p| {
                let id = format!("{}:{}", p.kind, p.id);
                names.insert(id.clone(), p.name.clone());
                Point { id, lon: p.lon, lat: p.lat }
            })
            .collect();
        let targets: Vec<Point<String>> = sites
            .iter()
            .map(|s| {
                names.insert(s.code.clone(), s.name.clone());
                Point { id: s.code.clone(), lon: s.lon, lat: s.lat }
            })
            .collect();
        let links = nearest_links(&origins, &targets, k);
        let sources: Vec<Source<String>> = places
            .iter()
            .filter(|p| p.households > 0)
            .map(|p| Source { id: format!("{}:{}", p.kind, p.id), households: p.households })
            .collect();
        let rooms: Vec<Site<String>> =
            sites.iter().map(|s| Site { id: s.code.clone(), capacity: s.capacity_units }).collect();
        let assignment = assign(&sources, &rooms, &links, &Options { max_cost: max_metres, keep_together })
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(SiteAssignment { assignment, names })
    }
}
