//! Monitoring cases (methods.md §9.1): a household's identified risk moved
//! through the procedure — verification, consent, appraisal and public
//! notice, county approval, assistance — to "risk eliminated" or continued
//! monitoring. Every move is checked against the rules of
//! `revita_methods::monitoring` (order, the notice before approval, the
//! six-month exit rule against the household's monitoring line), recorded as
//! an event that is never changed, and guarded by the case's version.

use std::collections::HashSet;

use revita_methods::Date;
use revita_methods::monitoring::{
    self, Case, CaseEvent, Category, Channel, IncomeCheck, Measure, Overdue, Step, TimeLimit, check_exit, check_move,
    check_notice_over, exit_conditions,
};
use revita_methods::region::RegionCode;

use revita_store::security::AuditEntry;

use crate::{App, AppError, AppResult};

/// Who acts, where and from where: the actor's name, the regions it may
/// change (`None`: everywhere) and the request (its time, id and client,
/// for the events and the audit log).
#[derive(Debug, Clone)]
pub struct CaseActor<'a> {
    /// The user's name, recorded on every event.
    pub name: &'a str,
    /// Where the user may enter data.
    pub within: &'a crate::Jurisdiction,
    /// The request: `origin.now` stamps events and measures.
    pub origin: &'a crate::auth::Origin,
}

/// A move asked for.
#[derive(Debug, Clone)]
pub struct Move {
    /// The step to move to.
    pub to: Step,
    /// The day it was taken.
    pub on: Date,
    /// The version of the case the user saw.
    pub version: i64,
    /// What it rests on.
    pub evidence: Option<String>,
    /// For an appraisal: the public notice's last day.
    pub notice_end: Option<Date>,
}

fn invalid(reason: impl ToString) -> AppError {
    AppError::Invalid(reason.to_string())
}

impl App {
    /// Opens a case for a registry household in the actor's jurisdiction.
    pub async fn open_case(
        &self,
        actor: &CaseActor<'_>,
        household_id: &str,
        category: Category,
        channel: Channel,
        on: Date,
        evidence: Option<String>,
    ) -> AppResult<i64> {
        let household = self
            .store()
            .household(household_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("household {household_id}")))?;
        let county =
            RegionCode::parse(&format!("{:06}", household.household.county())).map_err(|e| invalid(e.to_string()))?;
        check_within(actor, &county)?;
        let case = Case {
            id: 0,
            household_id: household_id.to_string(),
            county,
            category,
            channel,
            step: Step::Identified,
            step_since: on,
            version: 1,
        };
        let first = CaseEvent {
            step: Step::Identified,
            on,
            actor: actor.name.to_string(),
            evidence,
            notice_end: None,
            at: actor.origin.now,
        };
        let mut tx = self.store().begin().await?;
        let id = tx.open_case(&case, &first).await?;
        tx.audit(case_entry(actor, "case.open", id, &case.county, household_id.to_string()));
        tx.commit().await?;
        Ok(id)
    }

    /// A case in the actor's jurisdiction, with its events.
    pub async fn case_with_events(&self, actor: &CaseActor<'_>, id: i64) -> AppResult<(Case, Vec<CaseEvent>)> {
        let case = self.store().case(id).await?.ok_or_else(|| AppError::NotFound(format!("case {id}")))?;
        check_within(actor, &case.county)?;
        let events = self.store().case_events(id).await?;
        Ok((case, events))
    }

    /// A case's support measures, in the order recorded.
    pub async fn case_measures(&self, actor: &CaseActor<'_>, id: i64) -> AppResult<Vec<Measure>> {
        let case = self.store().case(id).await?.ok_or_else(|| AppError::NotFound(format!("case {id}")))?;
        check_within(actor, &case.county)?;
        Ok(self.store().measures(id).await?)
    }

    /// Moves a case, checking the procedure's rules; returns the case as it
    /// now stands.
    pub async fn move_case(&self, actor: &CaseActor<'_>, id: i64, to: &Move) -> AppResult<Case> {
        let (case, events) = self.case_with_events(actor, id).await?;
        check_move(case.step, to.to).map_err(|e| invalid(e.to_string()))?;
        if to.on < case.step_since {
            return Err(invalid(format!(
                "case {id} reached '{}' on {}; a later step cannot come before it",
                case.step.as_str(),
                case.step_since
            )));
        }
        match to.to {
            Step::Appraised => match to.notice_end {
                Some(end) if end >= to.on => {}
                Some(end) => {
                    return Err(invalid(format!("the public notice cannot end ({end}) before it starts ({})", to.on)));
                }
                None => return Err(invalid("an appraisal needs the public notice's last day")),
            },
            Step::Approved => {
                let notice_end = events
                    .iter()
                    .rev()
                    .find(|e| e.step == Step::Appraised)
                    .and_then(|e| e.notice_end)
                    .ok_or_else(|| invalid("the appraisal recorded no public notice"))?;
                check_notice_over(notice_end, to.on).map_err(|e| invalid(e.to_string()))?;
            }
            Step::RiskEliminated => self.check_exit(&case, to.on).await?,
            Step::Assisted => {
                let measures = self.store().measures(id).await?.len();
                monitoring::check_assisted(measures).map_err(|e| invalid(e.to_string()))?;
            }
            _ => {}
        }
        let event = CaseEvent {
            step: to.to,
            on: to.on,
            actor: actor.name.to_string(),
            evidence: to.evidence.clone(),
            notice_end: to.notice_end,
            at: actor.origin.now,
        };
        let entry = case_entry(actor, "case.move", id, &case.county, to.to.as_str().to_string());
        self.store().write(entry, async |tx| tx.move_case(id, to.version, &event).await).await?;
        Ok(self.store().case(id).await?.expect("the case was just moved"))
    }

    /// The exit rule for a case on `on`: the household's line for the year,
    /// its registry record (labour, expenditure, guarantees) and the case's
    /// income checks.
    async fn check_exit(&self, case: &Case, on: Date) -> AppResult<()> {
        let line = self
            .monitoring_line_for(&case.county, on.year())
            .await?
            .ok_or_else(|| invalid(format!("no monitoring line applies to {} in {}", case.county, on.year())))?;
        let household = self
            .store()
            .household(&case.household_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("household {}", case.household_id)))?;
        let checks = self.store().income_checks(case.id).await?;
        check_exit(&checks, line.amount, exit_conditions(&household.household, line.amount), on)
            .map_err(|e| invalid(e.to_string()))
    }

    /// Records an assistance measure of a case in the actor's jurisdiction,
    /// from county approval on; returns the case.
    pub async fn record_measure(&self, actor: &CaseActor<'_>, id: i64, measure: &Measure) -> AppResult<Case> {
        let (case, _) = self.case_with_events(actor, id).await?;
        if !monitoring::measures_allowed(case.step) {
            return Err(invalid(format!(
                "case {id} is at '{}': measures are recorded once the county has approved it",
                case.step.as_str()
            )));
        }
        measure.check().map_err(invalid)?;
        let measure = Measure { actor: actor.name.to_string(), at: actor.origin.now, ..measure.clone() };
        let what = format!("{} {} {}", measure.kind.as_str(), measure.amount, measure.start);
        let entry = case_entry(actor, "case.measure", id, &case.county, what);
        self.store().write(entry, async |tx| tx.add_measure(id, &measure).await).await?;
        Ok(case)
    }

    /// Records an income check on a case in the actor's jurisdiction.
    pub async fn record_income_check(&self, actor: &CaseActor<'_>, id: i64, check: IncomeCheck) -> AppResult<()> {
        let (case, _) = self.case_with_events(actor, id).await?;
        if !(check.income_pc.is_finite()) {
            return Err(invalid("an income check needs a number"));
        }
        let entry = case_entry(actor, "case.income", id, &case.county, format!("{}: {}", check.on, check.income_pc));
        Ok(self.store().write(entry, async |tx| tx.record_income_check(id, &check).await).await?)
    }

    /// Cases in the actor's jurisdiction whose next step is overdue on
    /// `today`, most overdue first.
    pub async fn overdue_cases(
        &self,
        actor: &CaseActor<'_>,
        today: Date,
        limits: &[TimeLimit],
    ) -> AppResult<Vec<(Case, Overdue)>> {
        let mut late: Vec<(Case, Overdue)> = self
            .store()
            .cases(actor.within.roots())
            .await?
            .into_iter()
            .filter_map(|c| monitoring::overdue(c.step, c.step_since, limits, today).map(|o| (c, o)))
            .collect();
        late.sort_by(|a, b| b.1.days_late.cmp(&a.1.days_late).then(a.0.id.cmp(&b.0.id)));
        Ok(late)
    }
}

fn check_within(actor: &CaseActor<'_>, county: &RegionCode) -> AppResult<()> {
    if actor.within.covers(county) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("county {county} is outside your jurisdiction")))
    }
}

/// A registry household that screening flags and no open case follows yet.
#[derive(Debug, Clone)]
pub struct Unfollowed {
    /// The household (identifiers masked).
    pub household: monitoring::RegisteredHousehold,
    /// Which triggers fired.
    pub flags: revita_methods::screening::Flags,
}

impl App {
    /// Flagged households in `within` without an open case (one not yet at
    /// "risk eliminated"), identifiers masked, by id; at most `limit`, with
    /// the total.
    pub async fn unfollowed(
        &self,
        within: &crate::Jurisdiction,
        line: f64,
        limit: usize,
    ) -> AppResult<(Vec<Unfollowed>, usize)> {
        let followed = self.followed_households().await?;
        let mut found = Vec::new();
        let mut total = 0;
        let mut scope = crate::screen::CountyScope::new(within);
        self.store()
            .for_each_household(within.roots(), &mut |h| {
                let flags = h.household.flags(line);
                if flags.any() && !followed.contains(&h.id) && scope.sees(h.household.county()) {
                    total += 1;
                    if found.len() < limit {
                        found.push(Unfollowed { household: h.masked(), flags });
                    }
                }
            })
            .await?;
        Ok((found, total))
    }
}

/// The monitoring page's registry figures, from one pass over the registry.
#[derive(Debug, Clone)]
pub struct MonitoringOverview {
    /// Tallies by group code, in code order.
    pub groups: Vec<(String, revita_methods::screening::Tally)>,
    /// Flagged households no open case follows (identifiers masked), by id,
    /// at most the limit asked for.
    pub unfollowed: Vec<Unfollowed>,
    /// How many such households there are.
    pub unfollowed_total: usize,
}

/// How the monitoring page groups the registry.
#[derive(Debug, Clone, Copy)]
pub struct Grouping<'a> {
    /// The monitoring line.
    pub line: f64,
    /// MPI weights.
    pub weights: &'a revita_methods::screening::MpiWeights,
    /// The MPI cut-off in parts of the weights' scale ([`MpiWeights::cutoff`]).
    ///
    /// [`MpiWeights::cutoff`]: revita_methods::screening::MpiWeights::cutoff
    pub cutoff: u32,
    /// The level of the groups (province down to village).
    pub level: revita_methods::screening::GroupLevel,
    /// Only the groups under one region (its level and code).
    pub under: Option<(revita_methods::screening::GroupLevel, &'a str)>,
}

impl App {
    /// The households an open case follows (any case not at "risk
    /// eliminated").
    async fn followed_households(&self) -> AppResult<HashSet<String>> {
        Ok(self
            .store()
            .cases(None)
            .await?
            .into_iter()
            .filter(|c| c.step != Step::RiskEliminated)
            .map(|c| c.household_id)
            .collect())
    }

    /// The registry within `within` screened in one pass: tallies grouped
    /// as `grouping` asks, and the flagged households without a case (at
    /// most `limit` listed, all counted).
    pub async fn monitoring_overview(
        &self,
        grouping: &Grouping<'_>,
        within: &crate::Jurisdiction,
        limit: usize,
    ) -> AppResult<MonitoringOverview> {
        let Grouping { line, weights, cutoff, level, under } = *grouping;
        crate::screen::check_line(line, cutoff, weights.scale())?;
        let followed = self.followed_households().await?;
        let mut groups: std::collections::BTreeMap<String, revita_methods::screening::Tally> = Default::default();
        let (mut unfollowed, mut unfollowed_total) = (Vec::new(), 0);
        let mut scope = crate::screen::CountyScope::new(within);
        self.store()
            .for_each_household(within.roots(), &mut |registered| {
                let h = &registered.household;
                if !scope.sees(h.county()) {
                    return;
                }
                if under.is_none_or(|(parent, code)| parent.code_of(h.village_code) == code) {
                    groups.entry(level.code_of(h.village_code)).or_default().add_weighted(h, line, weights, cutoff);
                }
                let flags = h.flags(line);
                if flags.any() && !followed.contains(&registered.id) {
                    unfollowed_total += 1;
                    if unfollowed.len() < limit {
                        unfollowed.push(Unfollowed { household: registered.masked(), flags });
                    }
                }
            })
            .await?;
        Ok(MonitoringOverview { groups: groups.into_iter().collect(), unfollowed, unfollowed_total })
    }
}

/// A region whose stored screening rate rose above a threshold.
#[derive(Debug, Clone)]
pub struct RisingRegion {
    /// The region.
    pub region: RegionCode,
    /// The indicator (`hh_flagged_rate` or `mpi_m0`).
    pub indicator: &'static str,
    /// The rise.
    pub rise: monitoring::Rise,
}

/// The rises that alert: the flagged share up by 5 percentage points, M0
/// up by 0.02, between a region's two latest stored screening years.
pub const RISE_THRESHOLDS: [(&str, f64); 2] = [("hh_flagged_rate", 5.0), ("mpi_m0", 0.02)];

impl App {
    /// Regions within `within` whose stored screening results (see `revita
    /// screen --store`) rose by a threshold of [`RISE_THRESHOLDS`].
    pub async fn rising_regions(&self, within: &crate::Jurisdiction) -> AppResult<Vec<RisingRegion>> {
        let mut found = Vec::new();
        for (indicator, threshold) in RISE_THRESHOLDS {
            let code = revita_methods::IndicatorCode::parse(indicator).expect("a valid built-in code");
            if self.store().indicator(&code).await?.is_none() {
                continue;
            }
            let query = crate::ObservationQuery { indicator: Some(code), ..Default::default() };
            let mut series: std::collections::BTreeMap<RegionCode, Vec<(i32, f64)>> = Default::default();
            for o in self.all_observations(&query, within).await? {
                if let revita_methods::Period::Year(year) = o.period {
                    series.entry(o.region).or_default().push((year, o.value));
                }
            }
            for (region, values) in series {
                if let Some(rise) = monitoring::rise(&values, threshold) {
                    found.push(RisingRegion { region, indicator, rise });
                }
            }
        }
        Ok(found)
    }
}

/// A registry household as one user may see it.
#[derive(Debug, Clone)]
pub struct HouseholdView {
    /// The household, identifiers masked unless `unmasked`.
    pub household: monitoring::RegisteredHousehold,
    /// Its county.
    pub county: RegionCode,
    /// Whether the identifiers are shown (the view was audited).
    pub unmasked: bool,
    /// Whether the user may open and move its cases.
    pub may_edit: bool,
    /// Its cases, each with its events and assistance measures, by number.
    pub cases: Vec<(Case, Vec<CaseEvent>, Vec<Measure>)>,
    /// Its members, by number (names masked unless `unmasked`).
    pub members: Vec<revita_methods::registry::Member>,
    /// Where members or income sources disagree with the screening record.
    pub inconsistencies: Vec<revita_methods::registry::Inconsistency>,
    /// The record's version, for an edit form.
    pub version: i64,
}

impl App {
    /// A household for `actor`: refused outside its read jurisdiction;
    /// identifiers unmasked only where it may read personal data, and every
    /// unmasked view written to the audit log.
    pub async fn view_household(
        &self,
        actor: &crate::auth::Actor,
        id: &str,
        origin: &crate::auth::Origin,
    ) -> AppResult<HouseholdView> {
        use revita_methods::access::Action;
        let registered =
            self.store().household(id).await?.ok_or_else(|| AppError::NotFound(format!("household {id}")))?;
        let county =
            RegionCode::parse(&format!("{:06}", registered.household.county())).map_err(|e| invalid(e.to_string()))?;
        let readable = self.jurisdiction(actor, Action::Read).await?;
        let reader = CaseActor { name: &actor.name, within: &readable, origin };
        check_within(&reader, &county)?;
        let unmasked = self.jurisdiction(actor, Action::ReadPersonal).await?.covers(&county);
        if unmasked {
            self.audit(&actor.name, "household.view_personal", ("household", id), Some(&county), (None, None), origin)
                .await?;
        }
        let may_edit = self.jurisdiction(actor, Action::EditData).await?.covers(&county);
        let mut cases = Vec::new();
        for case in self.store().cases_of_household(id).await? {
            let events = self.store().case_events(case.id).await?;
            let measures = self.store().measures(case.id).await?;
            cases.push((case, events, measures));
        }
        let mut members = self.store().members(id).await?;
        let year = Date::from_days_since_epoch(origin.now.div_euclid(86_400)).year();
        let inconsistencies = revita_methods::registry::consistency(
            &registered.household,
            &members,
            registered.income_sources.as_ref(),
            year,
        );
        if !unmasked {
            members.iter_mut().for_each(|m| m.name = m.name.as_deref().map(monitoring::mask_name));
        }
        let version = self.store().household_version(id).await?.unwrap_or(1);
        let household = if unmasked { registered } else { registered.masked() };
        Ok(HouseholdView { household, county, unmasked, may_edit, cases, members, inconsistencies, version })
    }
}

/// The audit entry of a change to a case.
fn case_entry(actor: &CaseActor<'_>, action: &str, id: i64, county: &RegionCode, what: String) -> AuditEntry {
    crate::auth::audit_entry(
        actor.name,
        action,
        ("case", &id.to_string()),
        Some(county),
        (None, Some(what)),
        actor.origin,
    )
}
