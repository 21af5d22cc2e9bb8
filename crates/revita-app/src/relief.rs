//! Work-relief (以工代赈; issue 17, methods.md §3) beyond the project
//! register: rosters and wage payments imported all or nothing against the
//! stored projects within the data-entry jurisdiction (members checked in
//! the registry, accounts masked by the reader), relocated households'
//! incomes, the remuneration rules a planner adds in versions, and the
//! dashboard's totals by county and by province.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::RegionCode;
use revita_methods::access::Action;
use revita_methods::work_relief::{
    ProjectMoney, ProjectTotalsInput, ReliefTotals, RemunerationRule, WorkerCategory, check_rule, totals_by,
};

pub use revita_store::relocation::{ReliefPayment, ReliefRule, ReliefWorker, RelocationIncome};

use crate::auth::{Actor, Origin, audit_entry};
use crate::import::{commit_import, common_region};
use crate::relocation::ReliefProject;
use crate::{App, AppError, AppResult, ImportReport};
use revita_store::Tx;

/// A work-relief project on the map.
#[derive(Debug, Clone)]
pub struct ProjectPoint {
    /// The project.
    pub project: ReliefProject,
    /// Where it is drawn (lon, lat).
    pub at: (f64, f64),
    /// Whether that is its village's point (else its county's centre).
    pub at_village: bool,
}

/// The dashboard: totals by county and by province.
#[derive(Debug, Clone, Default)]
pub struct ReliefDashboard {
    /// Totals by county code.
    pub by_county: BTreeMap<String, ReliefTotals>,
    /// Totals by province code.
    pub by_province: BTreeMap<String, ReliefTotals>,
    /// Everything the reader sees.
    pub total: ReliefTotals,
}

/// The projects by code that a file names, each checked to be stored and
/// kept within `enter` (their number by code).
async fn projects_for(
    tx: &mut Tx,
    file: &str,
    codes: &[(u64, String)],
    enter: &crate::Jurisdiction,
    problems: &mut revita_ingest::Problems,
) -> AppResult<HashMap<String, (i64, RegionCode)>> {
    let wanted: Vec<&str> = codes.iter().map(|(_, c)| c.as_str()).collect::<HashSet<_>>().into_iter().collect();
    let stored: HashMap<String, (i64, RegionCode)> =
        tx.relief_projects_coded(&wanted).await?.into_iter().map(|p| (p.code, (p.id, p.county))).collect();
    for (row, code) in codes {
        match stored.get(code) {
            None => problems.push(RowError::cell(file, *row, "project_code", format!("no project {code} is stored"))),
            Some((_, county)) if !enter.covers(county) => problems.push(RowError::cell(
                file,
                *row,
                "project_code",
                format!("project {code} is kept by {county}, outside your jurisdiction"),
            )),
            Some(_) => {}
        }
    }
    Ok(stored)
}

fn finish(mut problems: revita_ingest::Problems) -> AppResult<()> {
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort_by_row();
    Err(problems.into())
}

impl App {
    /// Imports a work-relief roster (`project_code,worker_id,name,category,
    /// household_id,member_seq`), all or nothing: each project stored and
    /// kept within the data-entry jurisdiction, each linked member in the
    /// registry.
    pub async fn import_relief_workers(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) =
            crate::import::read_table(path, None, revita_ingest::records::read_relief_workers).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let mut problems = revita_ingest::Problems::default();
        let codes: Vec<(u64, String)> = parsed.rows.iter().map(|(row, w)| (*row, w.project_code.clone())).collect();
        // The projects are read in the transaction that writes, so that the
        // check holds at commit.
        let mut tx = self.store().begin().await?;
        let projects = projects_for(&mut tx, &table.file, &codes, &enter, &mut problems).await?;
        let mut seen = HashMap::new();
        for (row, w) in &parsed.rows {
            if let Some(first) = seen.insert((w.project_code.clone(), w.worker_id.clone()), *row) {
                problems.push(RowError::cell(&table.file, *row, "worker_id", format!("already on row {first}")));
            }
        }
        finish(std::mem::take(&mut problems))?;
        let workers: Vec<ReliefWorker> = parsed
            .rows
            .iter()
            .filter_map(|(_, w)| {
                let (id, _) = projects.get(&w.project_code)?;
                Some(ReliefWorker {
                    project_id: *id,
                    worker_id: w.worker_id.clone(),
                    name: w.name.clone(),
                    category: w.category.as_str().into(),
                    household_id: w.member.as_ref().map(|(h, _)| h.clone()),
                    member_seq: w.member.as_ref().map(|(_, s)| *s),
                })
            })
            .collect();
        let report = ImportReport::checked(&table, "relief_workers", dry_run, workers.len(), &parsed.ignored_columns);
        let members: Vec<(String, i64)> = parsed.rows.iter().filter_map(|(_, w)| w.member.clone()).collect();
        let found: HashSet<(String, i64)> = tx.existing_members(&members).await?.into_iter().collect();
        for (row, w) in &parsed.rows {
            if let Some(m) = &w.member
                && !found.contains(m)
            {
                problems.push(RowError::cell(
                    &table.file,
                    *row,
                    "member_seq",
                    format!("household {} has no member {} in the registry", m.0, m.1),
                ));
            }
        }
        finish(problems)?;
        if dry_run {
            return Ok(report);
        }
        tx.put_relief_workers(&workers).await?;
        let region = common_region(projects.values().map(|(_, county)| county));
        let summary = format!("{}: {} workers", table.file, workers.len());
        commit_import(tx, actor, origin, ("relief_workers", &table.file), region, summary).await?;
        Ok(report)
    }

    /// Imports wage payments (`project_code,worker_id,paid_on,amount,
    /// account`), all or nothing; the account reference is stored masked.
    pub async fn import_relief_payments(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) =
            crate::import::read_table(path, None, revita_ingest::records::read_relief_payments).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let mut problems = revita_ingest::Problems::default();
        let codes: Vec<(u64, String)> = parsed.rows.iter().map(|(row, p)| (*row, p.project_code.clone())).collect();
        let mut tx = self.store().begin().await?;
        let projects = projects_for(&mut tx, &table.file, &codes, &enter, &mut problems).await?;
        let mut seen = HashMap::new();
        for (row, p) in &parsed.rows {
            if let Some(first) = seen.insert((p.project_code.clone(), p.worker_id.clone(), p.paid_on), *row) {
                problems.push(RowError::cell(&table.file, *row, "paid_on", format!("already on row {first}")));
            }
        }
        finish(problems)?;
        let payments: Vec<ReliefPayment> = parsed
            .rows
            .iter()
            .filter_map(|(_, p)| {
                let (id, _) = projects.get(&p.project_code)?;
                Some(ReliefPayment {
                    project_id: *id,
                    worker_id: p.worker_id.clone(),
                    paid_on: p.paid_on.to_string(),
                    amount: p.amount,
                    account_ref: p.account_ref.clone(),
                })
            })
            .collect();
        let report = ImportReport::checked(&table, "relief_payments", dry_run, payments.len(), &parsed.ignored_columns);
        if dry_run {
            return Ok(report);
        }
        tx.put_relief_payments(&payments).await?;
        let region = common_region(projects.values().map(|(_, county)| county));
        let summary = format!("{}: {} payments", table.file, payments.len());
        commit_import(tx, actor, origin, ("relief_payments", &table.file), region, summary).await?;
        Ok(report)
    }

    /// Imports relocated households' per-capita incomes
    /// (`household_id,year,income`), all or nothing: each household
    /// relocated to a site within the data-entry jurisdiction.
    pub async fn import_relocation_incomes(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, parsed) =
            crate::import::read_table(path, None, revita_ingest::records::read_relocation_incomes).await?;
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let sites: HashSet<String> =
            self.store().resettlement_sites(enter.roots()).await?.into_iter().map(|s| s.code).collect();
        let relocated: HashMap<String, String> =
            self.store().relocations(enter.roots()).await?.into_iter().map(|r| (r.household_id, r.site_code)).collect();
        let mut problems = revita_ingest::Problems::default();
        let mut seen = HashMap::new();
        for (row, (household, year, _)) in &parsed.rows {
            if !relocated.get(household).is_some_and(|site| sites.contains(site)) {
                problems.push(RowError::cell(
                    &table.file,
                    *row,
                    "household_id",
                    format!("{household} is not a household relocated to a site within your jurisdiction"),
                ));
            }
            if let Some(first) = seen.insert((household.clone(), *year), *row) {
                problems.push(RowError::cell(&table.file, *row, "year", format!("already on row {first}")));
            }
        }
        finish(problems)?;
        let incomes: Vec<RelocationIncome> = parsed
            .rows
            .into_iter()
            .map(|(_, (household_id, year, income))| RelocationIncome { household_id, year, income })
            .collect();
        let report = ImportReport::checked(&table, "relocation_incomes", dry_run, incomes.len(), &[]);
        if dry_run {
            return Ok(report);
        }
        let mut tx = self.store().begin().await?;
        tx.put_relocation_incomes(&incomes).await?;
        let summary = format!("{}: {} incomes", table.file, incomes.len());
        commit_import(tx, actor, origin, ("relocation_incomes", &table.file), None, summary).await?;
        Ok(report)
    }

    /// Accepts a work-relief project on `day` (the planner's approval of
    /// the works: status `accepted`), if it is still at `version` and kept
    /// within the actor's decision jurisdiction.
    pub async fn accept_relief_project(
        &self,
        actor: &Actor,
        code: &str,
        version: i64,
        day: revita_methods::Date,
        origin: &Origin,
    ) -> AppResult<()> {
        let decide = self.jurisdiction(actor, Action::EditDecisions).await?;
        let mut tx = self.store().begin().await?;
        let stored = tx
            .relief_projects_coded(&[code])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("project {code}")))?;
        if !decide.covers(&stored.county) {
            return Err(AppError::Forbidden(format!("{} may not accept project {code}", actor.name)));
        }
        if stored.version != version {
            return Err(AppError::Conflict(format!(
                "project {code} was changed by someone else (version {}); reload and try again",
                stored.version
            )));
        }
        if stored.start_on.as_deref().is_some_and(|s| s > day.to_string().as_str()) {
            return Err(AppError::Invalid(format!("accepted_on: {day} is before the works started")));
        }
        let before = format!("{} {}", stored.status, stored.accepted_on.clone().unwrap_or_default());
        let accepted = revita_store::relocation::ReliefProject {
            status: "accepted".into(),
            accepted_on: Some(day.to_string()),
            updated_by: actor.name.clone(),
            updated_at: revita_methods::UtcOffset::UTC.format(origin.now),
            ..stored.clone()
        };
        tx.put_relief_projects(std::slice::from_ref(&accepted)).await?;
        tx.audit(audit_entry(
            &actor.name,
            "relief_project.accept",
            ("relief_project", code),
            Some(&stored.county),
            (Some(before), Some(format!("accepted {day}"))),
            origin,
        ));
        tx.commit().await?;
        Ok(())
    }

    /// The remuneration rules, every version.
    pub async fn relief_rules(&self) -> AppResult<Vec<ReliefRule>> {
        Ok(self.store().relief_rules().await?)
    }

    /// Adds a remuneration rule as the next version of its (years, batch)
    /// key: a national decider's act (rules bind every county).
    pub async fn add_relief_rule(
        &self,
        actor: &Actor,
        rule: &RemunerationRule,
        note: Option<&str>,
        origin: &Origin,
    ) -> AppResult<i64> {
        check_rule(rule).map_err(|e| AppError::Invalid(e.to_string()))?;
        if let Some(n) = note
            && (n.chars().count() > 500 || n.chars().any(|c| c.is_control() && c != '\n'))
        {
            return Err(AppError::Invalid("note: at most 500 characters".into()));
        }
        let country = self.parse_region_code("000000")?;
        if !self.jurisdiction(actor, Action::EditDecisions).await?.covers(&country) {
            return Err(AppError::Forbidden(format!("{} may not set national remuneration rules", actor.name)));
        }
        let at = revita_methods::UtcOffset::UTC.format(origin.now);
        let mut tx = self.store().begin().await?;
        let (id, version) = tx.add_relief_rule(rule, note, &actor.name, &at).await?;
        let to = rule.to_year.map_or("…".to_string(), |y| y.to_string());
        tx.audit(audit_entry(
            &actor.name,
            "relief_rule.add",
            ("relief_rule", &id.to_string()),
            None,
            (None, Some(format!("{}–{to} {} ≥ {} (v{version})", rule.from_year, rule.batch_pattern, rule.min_share))),
            origin,
        ));
        tx.commit().await?;
        Ok(version)
    }

    /// Work-relief totals of the projects the actor may read, by county
    /// and by province.
    pub async fn relief_dashboard(&self, actor: &Actor) -> AppResult<ReliefDashboard> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let roots = read.roots();
        let projects = self.store().relief_projects(roots).await?;
        let mut workers: HashMap<i64, BTreeMap<WorkerCategory, i64>> = HashMap::new();
        for w in self.store().relief_workers(roots).await? {
            if let Some(category) = WorkerCategory::parse(&w.category) {
                *workers.entry(w.project_id).or_default().entry(category).or_default() += 1;
            }
        }
        let inputs: Vec<(String, ProjectTotalsInput)> = projects
            .iter()
            .map(|p| {
                let input = ProjectTotalsInput {
                    total_investment: p.total_investment,
                    money: ProjectMoney {
                        central: p.central_investment,
                        remuneration_planned: p.remuneration_planned,
                        remuneration_paid: p.remuneration_paid,
                    },
                    workers: workers.remove(&p.id).unwrap_or_default(),
                };
                (p.county.to_string(), input)
            })
            .collect();
        let counties: Vec<RegionCode> = projects.iter().map(|p| p.county.clone()).collect();
        let province_level = self.scheme().levels().get(1).copied().unwrap_or("province");
        let province_of: HashMap<String, String> = self
            .regions_above(&counties, province_level)
            .await?
            .into_iter()
            .map(|(county, province)| (county.to_string(), province.to_string()))
            .collect();
        let by_county = totals_by(&inputs, |(_, i)| i, |(c, _)| c.clone());
        let by_province =
            totals_by(&inputs, |(_, i)| i, |(c, _)| province_of.get(c).cloned().unwrap_or_else(|| c.clone()));
        let total = totals_by(&inputs, |(_, i)| i, |_| ()).remove(&()).unwrap_or_default();
        Ok(ReliefDashboard { by_county, by_province, total })
    }

    /// Where each work-relief project the actor may read lies, for the
    /// map: its village's stored point (`places`), else its county's
    /// centre (`at_village` false); projects with neither are left out.
    pub async fn relief_project_points(&self, actor: &Actor) -> AppResult<Vec<ProjectPoint>> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let projects = self.store().relief_projects(read.roots()).await?;
        let villages: Vec<(String, String)> = projects
            .iter()
            .filter_map(|p| p.village_code.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .map(|code| ("village".to_string(), code))
            .collect();
        let village_at: HashMap<String, (f64, f64)> = {
            let mut tx = self.store().begin().await?;
            tx.stored_places(&villages).await?.into_iter().map(|v| (v.id, (v.lon, v.lat))).collect()
        };
        let counties: Vec<RegionCode> = projects.iter().map(|p| p.county.clone()).collect();
        let centres = self.region_centres(&counties).await?;
        Ok(projects
            .into_iter()
            .filter_map(|p| {
                let village = p.village_code.as_ref().and_then(|v| village_at.get(v)).copied();
                let at = village.or_else(|| centres.get(&p.county).copied())?;
                Some(ProjectPoint { at, at_village: village.is_some(), project: p })
            })
            .collect())
    }
}
