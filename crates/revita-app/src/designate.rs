//! Designation runs over stored data: the app gathers what a spec needs
//! (the universe the viewer may read, each region's multi-year averages, the
//! references) and hands it to the pure engine in
//! [`revita_methods::designate`]; committing a run as an official list is
//! previewed, fingerprinted and audited here.

use std::collections::{BTreeMap, HashMap, HashSet};

use revita_methods::indicator::{Direction, IndicatorCode};
use revita_methods::observation::Period;
use revita_methods::region::RegionCode;
use revita_methods::rules;
use serde::Serialize;

pub use revita_methods::designate::{
    Band, ClassesSpec, Consistency, DesignateError, DesignationRun, DesignationSpec, Excluded, Explanation, Method,
    Missing, NearestChange, NormalisationSpec, ReferenceSpec, RuleSpec, RunComparison, RunRow, ScoreSpec,
    SpecIndicator, Transition, Universe, WeightsSpec,
};

use crate::{App, AppError, AppResult, ObservationQuery};

/// Reading a designation spec from its JSON form (a file, a form field).
pub trait FromJson: Sized {
    /// The spec the text holds, checked; or what is wrong with it.
    fn from_json(text: &str) -> AppResult<Self>;
}

impl FromJson for DesignationSpec {
    fn from_json(text: &str) -> AppResult<DesignationSpec> {
        let spec: DesignationSpec = serde_json::from_str(text).map_err(|e| DesignateError::Spec(e.to_string()))?;
        Ok(spec.checked()?)
    }
}

impl From<DesignateError> for AppError {
    fn from(e: DesignateError) -> AppError {
        AppError::Invalid(e.to_string())
    }
}

impl App {
    /// Runs `spec` for `year` over the regions of its universe that the
    /// viewer may read (`visible`).
    pub async fn designate(
        &self,
        spec: &DesignationSpec,
        year: i32,
        visible: &crate::Jurisdiction,
    ) -> AppResult<DesignationRun> {
        let directions = self.spec_directions(spec).await?;
        let names: BTreeMap<RegionCode, String> = self.universe(&spec.universe, visible).await?.into_iter().collect();
        let years: Vec<i32> = (year + 1 - spec.years as i32..=year).collect();
        let mut values: BTreeMap<RegionCode, Vec<Option<f64>>> =
            names.keys().map(|code| (code.clone(), vec![None; spec.indicators.len()])).collect();
        let mut warnings = Vec::new();
        for (k, indicator) in spec.indicators.iter().enumerate() {
            let averages = self.averages(&indicator.code, &spec.universe.level, &years).await?;
            if averages.is_empty() {
                warnings.push(self.no_data_warning(&indicator.code, &years).await?);
            }
            for (code, row) in values.iter_mut() {
                row[k] = averages.get(code).copied();
            }
        }
        let codes: Vec<&RegionCode> = values.keys().collect();
        let mut references = Vec::new();
        for (k, indicator) in spec.indicators.iter().enumerate() {
            let column: Vec<Option<f64>> = values.values().map(|row| row[k]).collect();
            references.push(self.reference(indicator, &column, &codes, &spec.universe.level, &years).await?);
        }
        let inputs = revita_methods::designate::RunInputs { year, names, values, directions, references };
        let mut run = revita_methods::designate::run(spec, inputs)?;
        run.warnings.splice(0..0, warnings);
        Ok(run)
    }

    /// Why an indicator gave no region a value: the years it has data for,
    /// so that the user picks one (issue 16: a run for a year without data
    /// came back silently empty).
    async fn no_data_warning(&self, code: &str, years: &[i32]) -> AppResult<String> {
        let indicator = IndicatorCode::parse(code).map_err(|e| AppError::Invalid(e.to_string()))?;
        let periods = self.store().periods(&indicator).await?;
        let asked = match years {
            [one] => one.to_string(),
            [first, .., last] => format!("{first}–{last}"),
            [] => String::new(),
        };
        Ok(match periods.last() {
            Some(latest) => format!(
                "{code} has no value at the universe's level for every year of {asked}; it has data for {} (latest {latest})",
                periods.join(", ")
            ),
            None => format!("{code} has no data at all"),
        })
    }

    /// An indicator's reference over the universe's (averaged) values, as
    /// its spec says; NaN when nothing it needs is known.
    async fn reference(
        &self,
        indicator: &SpecIndicator,
        column: &[Option<f64>],
        codes: &[&RegionCode],
        level: &str,
        years: &[i32],
    ) -> AppResult<f64> {
        let mean = |weights: Option<&[f64]>| rules::universe_mean(column, weights).unwrap_or(f64::NAN);
        Ok(match &indicator.reference {
            None => mean(None),
            Some(ReferenceSpec::Fixed(v)) => *v,
            Some(ReferenceSpec::PeerGroup(code)) => {
                let peers: HashSet<RegionCode> = self
                    .store()
                    .descendants(&self.parse_region_code(code)?, Some(level))
                    .await?
                    .into_iter()
                    .map(|r| r.code)
                    .collect();
                let weights: Vec<f64> = codes.iter().map(|c| if peers.contains(*c) { 1.0 } else { 0.0 }).collect();
                mean(Some(&weights))
            }
            Some(ReferenceSpec::WeightedBy(weight)) => {
                let by = self.averages(weight, level, years).await?;
                // A region without the weight counts for nothing.
                let weights: Vec<f64> = codes.iter().map(|c| by.get(*c).copied().unwrap_or(0.0)).collect();
                mean(Some(&weights))
            }
        })
    }

    async fn spec_directions(&self, spec: &DesignationSpec) -> AppResult<Vec<Direction>> {
        let mut directions = Vec::new();
        for i in &spec.indicators {
            let code = IndicatorCode::parse(&i.code).map_err(|e| AppError::Invalid(e.to_string()))?;
            let stored = self.store().indicator(&code).await?.ok_or_else(|| AppError::NotFound(i.code.clone()))?;
            let direction = match &i.direction {
                Some(text) => Direction::parse(text).map_err(|e| AppError::Invalid(e.to_string()))?,
                None => stored.direction,
            };
            directions.push(direction);
        }
        Ok(directions)
    }

    pub(crate) async fn universe(
        &self,
        universe: &Universe,
        visible: &crate::Jurisdiction,
    ) -> AppResult<Vec<(RegionCode, String)>> {
        let regions = match &universe.within {
            Some(code) => self.store().descendants(&self.parse_region_code(code)?, Some(&universe.level)).await?,
            None => self.store().regions_at_level(&universe.level).await?,
        };
        let mut regions = regions;
        if let Some(category) = &universe.designated {
            let category = revita_methods::DesignationCategory::parse(category)
                .map_err(|e| AppError::Invalid(format!("universe.designated: {e}")))?;
            let held: std::collections::HashSet<RegionCode> =
                self.store().designations(Some(&category), None).await?.into_iter().map(|d| d.region).collect();
            regions.retain(|r| held.contains(&r.code));
        }
        if regions.is_empty() {
            return Err(AppError::Invalid(format!("the universe has no regions at level {}", universe.level)));
        }
        Ok(regions.into_iter().filter(|r| visible.covers(&r.code)).map(|r| (r.code, r.name_zh)).collect())
    }

    /// Each region's mean of an indicator over `years` (only regions with a
    /// value in every year: a partial average would compare unlike things).
    pub(crate) async fn averages(&self, code: &str, level: &str, years: &[i32]) -> AppResult<HashMap<RegionCode, f64>> {
        let indicator = IndicatorCode::parse(code).map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut sums: HashMap<RegionCode, (f64, usize)> = HashMap::new();
        for year in years {
            let query = ObservationQuery {
                indicator: Some(indicator.clone()),
                level: Some(level.to_string()),
                period: Some(Period::Year(*year).to_string()),
                ..Default::default()
            };
            // National averages: the jurisdiction limits what is designated,
            // not the figures a rule is computed from.
            for o in self.all_observations(&query, &crate::Jurisdiction::everywhere()).await? {
                let entry = sums.entry(o.region).or_insert((0.0, 0));
                entry.0 += o.value;
                entry.1 += 1;
            }
        }
        Ok(sums.into_iter().filter(|(_, (_, n))| *n == years.len()).map(|(c, (s, n))| (c, s / n as f64)).collect())
    }
}

/// A designation result that exports as a table (CSV or XLSX).
pub trait AsTable {
    /// The result as a table in `format`.
    fn table(&self, format: revita_ingest::export::ExportFormat) -> AppResult<Vec<u8>>;
}

/// The run as a table: one line per region, worst first, then the excluded
/// regions with the reason.
impl AsTable for DesignationRun {
    fn table(&self, format: revita_ingest::export::ExportFormat) -> AppResult<Vec<u8>> {
        let composite = !self.weights.is_empty();
        let mut header = vec!["code".to_string(), "name".to_string()];
        header.extend(self.indicators.iter().cloned());
        header.extend(self.indicators.iter().map(|i| format!("{i}_ratio")));
        if composite {
            header.extend(self.indicators.iter().map(|i| format!("{i}_normalised")));
        }
        header.extend(
            ["index", "rank", "percentile", "class", "distance_to_boundary", "nearest_change", "imputed", "reason"]
                .map(String::from),
        );
        let number = |v: f64| if v.is_finite() { format!("{v:.6}") } else { String::new() };
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![row.code.clone(), row.name.clone()];
                cells.extend(row.values.iter().map(|v| number(*v)));
                cells.extend(row.ratios.iter().map(|v| number(*v)));
                cells.extend(row.normalised.iter().map(|v| number(*v)));
                cells.push(row.index.map(number).unwrap_or_default());
                cells.push(row.rank.map(|r| r.to_string()).unwrap_or_default());
                cells.push(row.percentile.map(number).unwrap_or_default());
                cells.push(row.class.clone());
                cells.push(row.explanation.boundary_distance.map(number).unwrap_or_default());
                cells.push(row.explanation.nearest_change.as_ref().map(NearestChange::describe).unwrap_or_default());
                cells.push(row.imputed.join(";"));
                cells.push(String::new());
                cells
            })
            .collect();
        // Excluded regions: `excluded` in the class column, the reason last.
        let class_column = header.len() - 5;
        for e in &self.excluded {
            let mut cells = vec![e.code.clone(), e.name.clone()];
            cells.extend(std::iter::repeat_n(String::new(), class_column - 2));
            cells.extend(["excluded".to_string(), String::new(), String::new(), String::new(), e.reason.clone()]);
            rows.push(cells);
        }
        revita_ingest::export::table_bytes(&header, &rows, format)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}

/// The comparison as a table: one line per region, its class in each run
/// and whether it changed.
impl AsTable for RunComparison {
    fn table(&self, format: revita_ingest::export::ExportFormat) -> AppResult<Vec<u8>> {
        let header: Vec<String> = ["code", "name", "from", "to", "changed"].map(String::from).to_vec();
        let rows: Vec<Vec<String>> = self
            .regions
            .iter()
            .chain(&self.unmatched)
            .map(|t| {
                vec![
                    t.code.clone(),
                    t.name.clone(),
                    t.from.clone().unwrap_or_else(|| "not classified".into()),
                    t.to.clone().unwrap_or_else(|| "not classified".into()),
                    match (self.same_classes || t.from.is_none() || t.to.is_none(), t.changed()) {
                        (false, _) => "",
                        (true, true) => "yes",
                        (true, false) => "no",
                    }
                    .into(),
                ]
            })
            .collect();
        revita_ingest::export::table_bytes(&header, &rows, format)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}

/// A decision to make a run's classes an official designation list.
#[derive(Debug, Clone)]
pub struct ListDecision {
    /// The category designated (e.g. `poverty_county`, `custom:education_lag`).
    pub category: String,
    /// The run's classes whose regions are on the list.
    pub classes: Vec<String>,
    /// The deciding document's title.
    pub basis_title: String,
    /// Its number, e.g. 黔乡振〔2021〕1号.
    pub basis_number: Option<String>,
    /// The day the list takes effect.
    pub effective_from: revita_methods::Date,
    /// The last day regions that leave stay designated (default: the day
    /// before the list takes effect).
    pub transition_until: Option<revita_methods::Date>,
}

/// What committing a list did.
#[derive(Debug, Clone, Serialize)]
pub struct CommittedList {
    /// The list's number.
    pub id: i64,
    /// Regions on the list.
    pub members: usize,
    /// Regions newly designated.
    pub joining: Vec<String>,
    /// Regions designated before that leave (at the end of the transition).
    pub leaving: Vec<String>,
    /// SHA-256 of the spec.
    pub spec_sha256: String,
    /// SHA-256 of the run's inputs.
    pub input_sha256: String,
}

/// What committing a run as a list would change, shown before the commit
/// and confirmed by its fingerprint (issue 13: a commit may change only
/// what the run decided, and nothing unseen).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ListPreview {
    /// Regions on the list.
    pub members: usize,
    /// Regions that join: listed, not designated in the category now.
    pub joining: Vec<String>,
    /// Regions that leave: designated now, classified by the run, not listed.
    pub leaving: Vec<String>,
    /// Regions listed and designated already, which stay.
    pub staying: Vec<String>,
    /// Regions designated in the category that the commit leaves as they
    /// are: outside the run's universe, or excluded from it.
    pub untouched: usize,
    /// SHA-256 of what the commit would write; the commit needs it back.
    pub fingerprint: String,
}

/// A commit worked out: its preview and what it would write.
struct ListPlan {
    preview: ListPreview,
    category: revita_methods::DesignationCategory,
    members: Vec<(RegionCode, String)>,
    writes: Vec<revita_methods::Designation>,
    basis: revita_methods::Basis,
}

impl App {
    /// What committing `run` as a list would change: regions that join,
    /// leave and stay, and how many designations of the category it leaves
    /// untouched. Only regions the run classified can leave; every region
    /// that joins or leaves must lie in `within` (the approver's
    /// jurisdiction for decisions).
    pub async fn preview_designation_list(
        &self,
        run: &DesignationRun,
        decision: &ListDecision,
        within: &crate::Jurisdiction,
    ) -> AppResult<ListPreview> {
        Ok(self.plan_designation_list(run, decision, within).await?.preview)
    }

    async fn plan_designation_list(
        &self,
        run: &DesignationRun,
        decision: &ListDecision,
        within: &crate::Jurisdiction,
    ) -> AppResult<ListPlan> {
        let invalid = |reason: String| AppError::Invalid(format!("designation list: {reason}"));
        let category =
            revita_methods::DesignationCategory::parse(&decision.category).map_err(|e| invalid(e.to_string()))?;
        if decision.classes.is_empty() {
            return Err(invalid("name at least one class to designate".into()));
        }
        if let Some(unknown) = decision.classes.iter().find(|c| !run.classes.contains(c)) {
            return Err(invalid(format!("the run has no class '{unknown}' (its classes: {})", run.classes.join(", "))));
        }
        if decision.basis_title.trim().is_empty() {
            return Err(invalid("a list needs its deciding document (basis title)".into()));
        }
        if decision.transition_until.is_some_and(|t| t < decision.effective_from) {
            return Err(invalid("the transition cannot end before the list takes effect".into()));
        }
        revita_methods::designate::check_listable(run)?;
        let listed_rows: Vec<&RunRow> = run.rows.iter().filter(|r| decision.classes.contains(&r.class)).collect();
        let classified: HashSet<&str> = run.rows.iter().map(|r| r.code.as_str()).collect();
        let listed: HashSet<&str> = listed_rows.iter().map(|r| r.code.as_str()).collect();
        let current: Vec<revita_methods::Designation> = self
            .store()
            .designations(Some(&category), None)
            .await?
            .into_iter()
            .filter(|d| d.is_active_on(decision.effective_from))
            .collect();
        let held: HashSet<&str> = current.iter().map(|d| d.region.as_str()).collect();
        let basis =
            revita_methods::Basis { title: decision.basis_title.clone(), number: decision.basis_number.clone() };
        let custom = matches!(category, revita_methods::DesignationCategory::Custom(_));
        let mut writes = Vec::new();
        let (mut joining, mut staying) = (Vec::new(), Vec::new());
        for row in &listed_rows {
            if held.contains(row.code.as_str()) {
                staying.push(row.code.clone());
                continue;
            }
            writes.push(revita_methods::Designation {
                region: RegionCode::parse(&row.code).map_err(|e| invalid(e.to_string()))?,
                category: category.clone(),
                class: custom.then(|| row.class.clone()),
                basis: basis.clone(),
                valid_from: Some(decision.effective_from),
                valid_to: None,
                notes: Some(format!("{} ({}): {}", run.spec, run.year, row.class)),
            });
            joining.push(row.code.clone());
        }
        let last_day = decision.transition_until.unwrap_or_else(|| decision.effective_from.day_before());
        let (mut leaving, mut untouched) = (Vec::new(), 0);
        for d in &current {
            let code = d.region.as_str();
            if listed.contains(code) {
                continue;
            }
            // Only what the run looked at and classified can leave: a
            // region outside its universe, or excluded for missing data,
            // keeps its designation.
            if !classified.contains(code) {
                untouched += 1;
                continue;
            }
            let note = format!("not on {} ({}); designated to {last_day}", run.spec, run.year);
            let notes = Some(d.notes.as_ref().map_or(note.clone(), |n| format!("{n}; {note}")));
            writes.push(revita_methods::Designation { valid_to: Some(last_day), notes, ..d.clone() });
            leaving.push(code.to_string());
        }
        if let Some(outside) = writes.iter().find(|d| !within.covers(&d.region)) {
            return Err(AppError::Forbidden(crate::import::outside(&outside.region)));
        }
        let members: Vec<(RegionCode, String)> = listed_rows
            .iter()
            .map(|r| Ok((RegionCode::parse(&r.code).map_err(|e| invalid(e.to_string()))?, r.class.clone())))
            .collect::<AppResult<_>>()?;
        let fingerprint = {
            let mut text = format!("{}\n{}\n{}\n", category.as_str(), decision.effective_from, last_day);
            for (label, codes) in [("join", &joining), ("leave", &leaving), ("stay", &staying)] {
                text.push_str(&format!("{label}:{}\n", codes.join(",")));
            }
            text.push_str(&format!("untouched:{untouched}\n"));
            text.push_str(&String::from_utf8_lossy(&run_fingerprint(run)));
            crate::auth::sha256_hex(text.as_bytes())
        };
        let preview = ListPreview { members: members.len(), joining, leaving, staying, untouched, fingerprint };
        Ok(ListPlan { preview, category, members, writes, basis })
    }

    /// Commits a run as an official designation list, if `confirm` is the
    /// fingerprint of its preview (so that what was reviewed is what is
    /// written): regions in the chosen classes are designated from the
    /// effective date; regions the run classified that were designated in
    /// the category but are not on the list stay designated to the end of
    /// the transition period, then leave; others are untouched. The list
    /// keeps the spec, the SHA-256 of the spec and of the run's inputs, and
    /// the approver; list, designations and audit entry commit together.
    pub async fn commit_designation_list(
        &self,
        spec: &DesignationSpec,
        run: &DesignationRun,
        decision: &ListDecision,
        by: &crate::auth::ChangeBy,
        within: &crate::Jurisdiction,
        confirm: &str,
    ) -> AppResult<CommittedList> {
        let plan = self.plan_designation_list(run, decision, within).await?;
        if !crate::auth::constant_time_eq(&plan.preview.fingerprint, confirm.trim()) {
            return Err(AppError::Conflict(
                "the list differs from the preview that was confirmed (the data or the list changed since); review the new preview and confirm it".into(),
            ));
        }
        let ListPlan { preview, category, members, writes, basis } = plan;
        let spec_json = serde_json::to_string(spec).map_err(|e| AppError::Internal(e.into()))?;
        let list = revita_methods::DesignationList {
            id: 0,
            category,
            name: run.spec.clone(),
            run_year: run.year,
            classes: decision.classes.clone(),
            basis,
            effective_from: decision.effective_from,
            transition_until: decision.transition_until,
            spec_sha256: crate::auth::sha256_hex(spec_json.as_bytes()),
            input_sha256: crate::auth::sha256_hex(&run_fingerprint(run)),
            spec_json,
            members: members.len() as u64,
            joining: preview.joining.len() as u64,
            leaving: preview.leaving.len() as u64,
            approved_by: by.name().to_string(),
            approved_at: by.origin.now,
        };
        let codes: Vec<RegionCode> =
            writes.iter().map(|d| d.region.clone()).chain(members.iter().map(|(c, _)| c.clone())).collect();
        let region = self.store().common_ancestor(&crate::import::distinct(codes.iter())).await?;
        let mut tx = self.store().begin().await?;
        let id = tx.commit_designation_list(&list, &members, &writes).await?;
        let committed = CommittedList {
            id,
            members: members.len(),
            joining: preview.joining,
            leaving: preview.leaving,
            spec_sha256: list.spec_sha256,
            input_sha256: list.input_sha256,
        };
        let after = serde_json::to_string(&committed).map_err(|e| AppError::Internal(e.into()))?;
        tx.audit(by.entry(
            "designation.commit",
            ("designation_list", &id.to_string()),
            region.as_ref(),
            (None, Some(after)),
        ));
        tx.commit().await?;
        Ok(committed)
    }
}

/// The bytes a run's inputs are fingerprinted by: the year, the references
/// and every classified region's code and values, in a fixed order, so the
/// same inputs always give the same SHA-256.
fn run_fingerprint(run: &DesignationRun) -> Vec<u8> {
    let mut text = format!("{}\n{}\n", run.year, run.indicators.join(","));
    let number = |v: &f64| format!("{:e}", v);
    text.push_str(&run.references.iter().map(number).collect::<Vec<_>>().join(","));
    let mut rows: Vec<&RunRow> = run.rows.iter().collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    for row in rows {
        text.push_str(&format!("\n{},{}", row.code, row.values.iter().map(number).collect::<Vec<_>>().join(",")));
    }
    text.into_bytes()
}

impl App {
    /// Committed designation lists (of a category), oldest first.
    pub async fn designation_lists(&self, category: Option<&str>) -> AppResult<Vec<revita_methods::DesignationList>> {
        let category = category
            .map(revita_methods::DesignationCategory::parse)
            .transpose()
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        Ok(self.store().designation_lists(category.as_ref()).await?)
    }

    /// A committed list as a table (CSV or XLSX): one line per member with
    /// its name and class, and the list's decision on every line (category,
    /// basis, effective date, transition, spec, hashes, approver).
    pub async fn designation_list_table(
        &self,
        id: i64,
        format: revita_ingest::export::ExportFormat,
    ) -> AppResult<Vec<u8>> {
        let lists = self.store().designation_lists(None).await?;
        let list =
            lists.iter().find(|l| l.id == id).ok_or_else(|| AppError::NotFound(format!("designation list {id}")))?;
        let members = self.store().designation_list_members(id).await?;
        let header: Vec<String> = [
            "list",
            "category",
            "code",
            "name",
            "class",
            "basis",
            "basis_number",
            "effective_from",
            "transition_until",
            "method",
            "run_year",
            "spec_sha256",
            "input_sha256",
            "approved_by",
        ]
        .map(String::from)
        .to_vec();
        let mut rows = Vec::new();
        for (code, class) in members {
            let name = self.store().region(&code).await?.map(|r| r.name_zh).unwrap_or_default();
            rows.push(vec![
                list.id.to_string(),
                list.category.as_str(),
                code.to_string(),
                name,
                class,
                list.basis.title.clone(),
                list.basis.number.clone().unwrap_or_default(),
                list.effective_from.to_string(),
                list.transition_until.map(|d| d.to_string()).unwrap_or_default(),
                list.name.clone(),
                list.run_year.to_string(),
                list.spec_sha256.clone(),
                list.input_sha256.clone(),
                list.approved_by.clone(),
            ]);
        }
        revita_ingest::export::table_bytes(&header, &rows, format)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}
