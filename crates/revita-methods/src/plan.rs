//! Development plans: indicator targets with a path from baseline to
//! target, the status of each target against the latest observation, roll-ups
//! per goal and plan, project execution and late milestones.
//!
//! The rules are revita's, written down here because plans state targets but
//! rarely how progress is judged between the baseline and the target year
//! (the practice of mid-term reviews of five-year plans: compare the latest
//! value with where a straight path would be):
//! - the path runs in a straight line from the baseline (value, year) to the
//!   target (value, year), unless a year's intermediate target is set;
//! - a target is *achieved* once the latest value reaches it (in the
//!   target's direction); otherwise its *progress* is the share of the change
//!   the path expects by the latest value's year that has happened,
//!   (value − baseline)/(path − baseline); it is *on track* at a progress of
//!   at least `on_track` (default 0.95), *at risk* from `at_risk` (default
//!   0.75), *off track* below;
//! - a goal's or plan's status is the worst status among its binding targets
//!   (expected targets are reported but do not set it), with counts of every
//!   status beside it.

use crate::date::Date;

/// A target for an indicator: from a baseline to a target value, with
/// optional intermediate targets for given years.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Baseline year.
    pub baseline_year: i32,
    /// Baseline value.
    pub baseline: f64,
    /// Target year.
    pub target_year: i32,
    /// Target value.
    pub target: f64,
    /// Binding (约束性) targets set the status of their goal; expected
    /// (预期性) ones are reported beside it.
    pub binding: bool,
    /// Intermediate targets set by hand, (year, value), replacing the
    /// straight path in those years.
    pub intermediate: Vec<(i32, f64)>,
}

/// How a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Less than `at_risk` of the expected progress (worst).
    OffTrack,
    /// Between `at_risk` and `on_track` of the expected progress.
    AtRisk,
    /// At least `on_track` of the expected progress.
    OnTrack,
    /// The target value is reached.
    Achieved,
}

impl Status {
    /// The keyword used in files, URLs and styles.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OffTrack => "off_track",
            Status::AtRisk => "at_risk",
            Status::OnTrack => "on_track",
            Status::Achieved => "achieved",
        }
    }
}

/// The progress shares that separate the statuses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// On track from this share of the expected progress.
    pub on_track: f64,
    /// At risk from this share (off track below).
    pub at_risk: f64,
}

impl Default for Tolerances {
    fn default() -> Tolerances {
        Tolerances { on_track: 0.95, at_risk: 0.75 }
    }
}

impl Target {
    /// Whether the target asks for a rise (or a fall) from the baseline.
    pub fn rising(&self) -> bool {
        self.target >= self.baseline
    }

    /// Where the path stands in `year`: the intermediate target if one is
    /// set, else the straight line from baseline to target (the baseline
    /// before the baseline year, the target after the target year).
    pub fn path(&self, year: i32) -> f64 {
        if let Some((_, value)) = self.intermediate.iter().find(|(y, _)| *y == year) {
            return *value;
        }
        if year <= self.baseline_year {
            return self.baseline;
        }
        if year >= self.target_year || self.target_year == self.baseline_year {
            return self.target;
        }
        let share = f64::from(year - self.baseline_year) / f64::from(self.target_year - self.baseline_year);
        self.baseline + share * (self.target - self.baseline)
    }

    /// The share of the expected change by `year` that `value` has made;
    /// `None` when the path expects no change yet (the baseline year).
    pub fn progress(&self, year: i32, value: f64) -> Option<f64> {
        let expected = self.path(year) - self.baseline;
        (expected != 0.0).then(|| (value - self.baseline) / expected)
    }

    /// The target's status given its latest value (observed in `year`).
    pub fn status(&self, year: i32, value: f64, tolerances: Tolerances) -> Status {
        let reached = if self.rising() { value >= self.target } else { value <= self.target };
        if reached {
            return Status::Achieved;
        }
        match self.progress(year, value) {
            // Nothing expected yet: on track unless it moved the wrong way.
            None => {
                let wrong_way = if self.rising() { value < self.baseline } else { value > self.baseline };
                if wrong_way { Status::AtRisk } else { Status::OnTrack }
            }
            Some(p) if p >= tolerances.on_track => Status::OnTrack,
            Some(p) if p >= tolerances.at_risk => Status::AtRisk,
            Some(_) => Status::OffTrack,
        }
    }
}

/// Statuses of a goal's or a plan's targets, counted, with the status the
/// binding ones set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rollup {
    /// Targets achieved.
    pub achieved: usize,
    /// On track.
    pub on_track: usize,
    /// At risk.
    pub at_risk: usize,
    /// Off track.
    pub off_track: usize,
    /// Without a value to judge.
    pub no_data: usize,
    /// The worst status among binding targets with a value (none if there
    /// is no such target).
    pub status: Option<Status>,
}

/// Rolls up targets' statuses: `(binding, status or None for no data)`.
pub fn roll_up(statuses: &[(bool, Option<Status>)]) -> Rollup {
    let mut r = Rollup::default();
    for (binding, status) in statuses {
        match status {
            Some(Status::Achieved) => r.achieved += 1,
            Some(Status::OnTrack) => r.on_track += 1,
            Some(Status::AtRisk) => r.at_risk += 1,
            Some(Status::OffTrack) => r.off_track += 1,
            None => r.no_data += 1,
        }
        if *binding && let Some(s) = status {
            r.status = Some(r.status.map_or(*s, |worst| worst.min(*s)));
        }
    }
    r
}

/// A project's execution rate: disbursed / budget (`None` for no budget).
pub fn execution_rate(disbursed: f64, budget: f64) -> Option<f64> {
    (budget > 0.0).then(|| disbursed / budget)
}

/// A milestone past its due day and not done, with the days it is late.
pub fn days_late(due: Date, done: Option<Date>, today: Date) -> Option<i64> {
    let late = match done {
        Some(day) if day <= due => return None,
        Some(day) => day.days_since_epoch() - due.days_since_epoch(),
        None => today.days_since_epoch() - due.days_since_epoch(),
    };
    (late > 0).then_some(late)
}

use crate::keywords::keywords;

keywords!(
    /// What a plan is for.
    PlanKind {
        /// A five-year development plan (e.g. for a former revolutionary base area).
        FiveYear => "five_year" | "五年规划",
        /// A relocation (易地扶贫搬迁) plan.
        Relocation => "relocation" | "易地搬迁规划",
        /// A post-disaster reconstruction plan.
        Reconstruction => "reconstruction" | "灾后恢复重建规划",
        /// A transformation plan for a resource-based or old industrial city.
        Transformation => "transformation" | "转型发展规划",
        /// Any other special plan.
        Special => "special" | "专项规划",
    }
);

keywords!(
    /// Where a plan stands in its life (the approval procedure of plans:
    /// drafted, reviewed, approved, implemented, then assessed).
    PlanStatus {
        /// Being written.
        Draft => "draft" | "编制中",
        /// Submitted for review.
        UnderReview => "under_review" | "审查中",
        /// Approved by the authority.
        Approved => "approved" | "已批准",
        /// Being implemented.
        InImplementation => "in_implementation" | "实施中",
        /// Its period is over.
        Completed => "completed" | "已完成",
        /// Its final evaluation is done.
        Evaluated => "evaluated" | "已评估",
    }
);

impl PlanStatus {
    /// The statuses a plan may move to from this one: forward one step, or
    /// from review back to draft (returned for revision).
    pub fn next(self) -> &'static [PlanStatus] {
        match self {
            PlanStatus::Draft => &[PlanStatus::UnderReview],
            PlanStatus::UnderReview => &[PlanStatus::Approved, PlanStatus::Draft],
            PlanStatus::Approved => &[PlanStatus::InImplementation],
            PlanStatus::InImplementation => &[PlanStatus::Completed],
            PlanStatus::Completed => &[PlanStatus::Evaluated],
            PlanStatus::Evaluated => &[],
        }
    }

    /// Whether the plan's content (goals, targets, projects) may still be
    /// rewritten: only while drafted. Progress (milestones, disbursements,
    /// percent complete) is recorded once approved.
    pub fn content_editable(self) -> bool {
        self == PlanStatus::Draft
    }

    /// Whether projects may be added or replaced: until the plan is
    /// completed (project lists are revised during implementation).
    pub fn projects_editable(self) -> bool {
        !matches!(self, PlanStatus::Completed | PlanStatus::Evaluated)
    }

    /// Whether progress on projects may be recorded.
    pub fn in_progress(self) -> bool {
        matches!(self, PlanStatus::Approved | PlanStatus::InImplementation)
    }
}

/// Whether `role` may move a plan from `from` to `to`: planners submit,
/// start and close plans; approving, returning and evaluating belong to
/// administrators, so that nobody approves a plan they drafted as planner
/// without holding the authority's role.
pub fn may_transition(role: crate::access::Role, from: PlanStatus, to: PlanStatus) -> bool {
    use crate::access::Role;
    if !from.next().contains(&to) {
        return false;
    }
    match (from, to) {
        (PlanStatus::UnderReview, _) | (PlanStatus::Completed, PlanStatus::Evaluated) => role == Role::Admin,
        _ => matches!(role, Role::Admin | Role::Planner),
    }
}

/// What a plan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanScope {
    /// The regions of an official designation list (by its number).
    List(i64),
    /// A set of regions.
    Regions(Vec<crate::RegionCode>),
    /// A region and everything under it.
    Subtree(crate::RegionCode),
}

impl PlanScope {
    /// The scope as stored: `list:12`, `regions:520102,520103`, `subtree:520000`.
    pub fn to_text(&self) -> String {
        match self {
            PlanScope::List(id) => format!("list:{id}"),
            PlanScope::Regions(codes) => {
                format!("regions:{}", codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","))
            }
            PlanScope::Subtree(code) => format!("subtree:{code}"),
        }
    }

    /// Reads [`PlanScope::to_text`]'s form.
    pub fn parse(text: &str) -> Result<PlanScope, PlanError> {
        let (kind, rest) = text.trim().split_once(':').ok_or_else(|| PlanError::ScopeForm(text.to_string()))?;
        let code = |t: &str| crate::RegionCode::parse(t.trim()).map_err(PlanError::ScopeRegion);
        match kind.trim() {
            "list" => rest.trim().parse().map(PlanScope::List).map_err(|_| PlanError::ScopeList(rest.to_string())),
            "regions" => {
                let codes =
                    rest.split([',', ' ']).filter(|t| !t.trim().is_empty()).map(code).collect::<Result<Vec<_>, _>>()?;
                if codes.is_empty() {
                    return Err(PlanError::ScopeEmpty);
                }
                Ok(PlanScope::Regions(codes))
            }
            "subtree" => code(rest).map(PlanScope::Subtree),
            other => Err(PlanError::ScopeKind(other.to_string())),
        }
    }
}

keywords!(
    /// What a project builds or does.
    ProjectCategory {
        /// Roads, water, power, telecoms.
        Infrastructure => "infrastructure" | "基础设施",
        /// Industries and enterprises.
        Industry => "industry" | "产业发展",
        /// Schools, clinics, elderly care.
        PublicServices => "public_services" | "公共服务",
        /// Ecological protection and restoration.
        Ecology => "ecology" | "生态环保",
        /// Housing and resettlement.
        Housing => "housing" | "住房安置",
        /// Jobs and skills.
        Employment => "employment" | "就业培训",
        /// Anything else.
        Other => "other" | "其他",
    }
);

keywords!(
    /// Where a project's money comes from.
    FundingSource {
        /// 中央预算内投资 and central transfers.
        CentralBudget => "central_budget" | "中央预算",
        /// Provincial and local budgets.
        LocalBudget => "local_budget" | "地方预算",
        /// Local government special bonds.
        Bonds => "bonds" | "专项债券",
        /// East–west and counterpart pairing assistance.
        PairingAssistance => "pairing_assistance" | "对口帮扶",
        /// Bank loans.
        Loans => "loans" | "银行贷款",
        /// Enterprises and other social capital.
        SocialCapital => "social_capital" | "社会资本",
    }
);

keywords!(
    /// Where a project stands.
    ProjectStatus {
        /// Planned, not started.
        Planned => "planned" | "计划",
        /// Under construction or being carried out.
        Underway => "underway" | "在建",
        /// Finished.
        Completed => "completed" | "已完工",
        /// Halted.
        Suspended => "suspended" | "暂停",
    }
);

/// What is wrong with a plan, its scope, a target or a project.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// A scope not written `kind:value`.
    #[error("scope '{0}' is not kind:value")]
    ScopeForm(String),
    /// A scope kind other than list, regions or subtree.
    #[error("scope kind '{0}' is not list, regions or subtree")]
    ScopeKind(String),
    /// A list scope without a list number.
    #[error("'{0}' is not a list number")]
    ScopeList(String),
    /// A scope of no regions.
    #[error("a scope of regions needs at least one region")]
    ScopeEmpty,
    /// A scope naming an invalid region code.
    #[error(transparent)]
    ScopeRegion(crate::region::RegionError),
    /// A plan without a title.
    #[error("a plan needs a title")]
    NoTitle,
    /// A plan period of other than one to fifteen years.
    #[error("the period {start}–{end} is not one to fifteen years")]
    Period {
        /// First year.
        start: i32,
        /// Last year.
        end: i32,
    },
    /// A baseline or target that is not a number.
    #[error("baseline and target must be numbers")]
    TargetNotNumbers,
    /// A target year not after the baseline year.
    #[error("the target year {target} must come after the baseline year {baseline}")]
    TargetYear {
        /// Baseline year.
        baseline: i32,
        /// Target year.
        target: i32,
    },
    /// An intermediate year outside the target's span.
    #[error("intermediate year {year} is not between {baseline} and {target}")]
    IntermediateOutside {
        /// The year given.
        year: i32,
        /// Baseline year.
        baseline: i32,
        /// Target year.
        target: i32,
    },
    /// An intermediate year given twice.
    #[error("an intermediate year is given twice")]
    IntermediateTwice,
    /// An intermediate target that is not a number.
    #[error("intermediate targets must be numbers")]
    IntermediateNotNumbers,
    /// Intermediate values not written `year=value`.
    #[error("'{0}' is not year=value")]
    IntermediateForm(String),
    /// A project without a code or a name.
    #[error("a project needs a code and a name")]
    ProjectUnnamed,
    /// A project that ends before it starts.
    #[error("it ends ({end}) before it starts ({start})")]
    ProjectEndsBeforeStart {
        /// Planned start.
        start: Date,
        /// Planned end.
        end: Date,
    },
    /// Percent complete outside 0–100.
    #[error("percent complete {0} is not 0–100")]
    Percent(f64),
    /// A negative or non-finite budget.
    #[error("the {} budget {amount} is not a non-negative amount", funding.as_str())]
    Budget {
        /// The funding source.
        funding: FundingSource,
        /// The amount given.
        amount: f64,
    },
    /// A point off the globe.
    #[error("({lon}, {lat}) is not a longitude and latitude")]
    Point {
        /// Longitude.
        lon: f64,
        /// Latitude.
        lat: f64,
    },
}

/// Checks a target's own numbers: the target year after the baseline year,
/// finite values, intermediate years strictly between them and once each.
pub fn check_target(target: &Target) -> Result<(), PlanError> {
    if !(target.baseline.is_finite() && target.target.is_finite()) {
        return Err(PlanError::TargetNotNumbers);
    }
    if target.target_year <= target.baseline_year {
        return Err(PlanError::TargetYear { baseline: target.baseline_year, target: target.target_year });
    }
    let mut years: Vec<i32> = target.intermediate.iter().map(|(y, _)| *y).collect();
    years.sort_unstable();
    if let Some(y) = years.iter().find(|y| **y <= target.baseline_year || **y >= target.target_year) {
        return Err(PlanError::IntermediateOutside {
            year: *y,
            baseline: target.baseline_year,
            target: target.target_year,
        });
    }
    if years.windows(2).any(|w| w[0] == w[1]) {
        return Err(PlanError::IntermediateTwice);
    }
    if target.intermediate.iter().any(|(_, v)| !v.is_finite()) {
        return Err(PlanError::IntermediateNotNumbers);
    }
    Ok(())
}

/// Intermediate targets written `2022=14000; 2023=15500`.
pub fn parse_intermediate(text: &str) -> Result<Vec<(i32, f64)>, PlanError> {
    text.split([';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|pair| {
            let not_a_pair = || PlanError::IntermediateForm(pair.to_string());
            let (year, value) = pair.split_once('=').ok_or_else(not_a_pair)?;
            Ok((year.trim().parse().map_err(|_| not_a_pair())?, value.trim().parse().map_err(|_| not_a_pair())?))
        })
        .collect()
}

/// A project's execution: what it was given and what has been paid out.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Execution {
    /// Σ budget over funding sources.
    pub budget: f64,
    /// Σ disbursements.
    pub disbursed: f64,
}

impl Execution {
    /// Adds another project's (or source's) money.
    pub fn add(&mut self, other: Execution) {
        self.budget += other.budget;
        self.disbursed += other.disbursed;
    }

    /// disbursed / budget ([`execution_rate`]).
    pub fn rate(&self) -> Option<f64> {
        execution_rate(self.disbursed, self.budget)
    }
}

/// A development plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Its number.
    pub id: i64,
    /// Title, e.g. 《左右江革命老区振兴规划（2021—2025年）》.
    pub title: String,
    /// What it is for.
    pub kind: PlanKind,
    /// The region of the responsible office: who may see and change the
    /// plan follows from it.
    pub region: crate::RegionCode,
    /// What it covers.
    pub scope: PlanScope,
    /// First year of the period.
    pub start_year: i32,
    /// Last year of the period.
    pub end_year: i32,
    /// The responsible office.
    pub office: String,
    /// Where it stands.
    pub status: PlanStatus,
    /// Raised by every change (optimistic locking).
    pub version: i64,
}

impl Plan {
    /// Checks what a plan says about itself: a title, a period of one to
    /// fifteen years.
    pub fn check(&self) -> Result<(), PlanError> {
        if self.title.trim().is_empty() {
            return Err(PlanError::NoTitle);
        }
        if self.end_year < self.start_year || self.end_year - self.start_year > 15 {
            return Err(PlanError::Period { start: self.start_year, end: self.end_year });
        }
        Ok(())
    }
}

/// A recorded status change of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The status before.
    pub from: PlanStatus,
    /// The status after.
    pub to: PlanStatus,
    /// Who moved it.
    pub actor: String,
    /// When, Unix seconds.
    pub at: i64,
    /// Why (a review comment, an approval document number).
    pub comment: Option<String>,
}

/// A chapter (no parent) or a goal within a chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// Its number.
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The chapter a goal belongs to; `None` for a chapter.
    pub parent: Option<i64>,
    /// Title.
    pub title: String,
    /// Order among its siblings.
    pub position: i64,
}

/// A target of a goal for one indicator, over the whole scope or one region.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTarget {
    /// Its number.
    pub id: i64,
    /// The goal.
    pub goal_id: i64,
    /// The indicator.
    pub indicator: crate::IndicatorCode,
    /// The region it is set for; `None` for the plan's whole scope.
    pub region: Option<crate::RegionCode>,
    /// Baseline, target and path.
    pub target: Target,
}

/// A project of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Its number.
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The plan's own project code (unique within the plan).
    pub code: String,
    /// Name.
    pub name: String,
    /// What it does.
    pub category: ProjectCategory,
    /// Where it is.
    pub region: crate::RegionCode,
    /// An optional point (longitude, latitude).
    pub point: Option<(f64, f64)>,
    /// Planned start.
    pub start: Date,
    /// Planned end.
    pub end: Date,
    /// Where it stands.
    pub status: ProjectStatus,
    /// Percent complete, 0–100.
    pub percent: f64,
    /// The goals it serves.
    pub goals: Vec<i64>,
    /// Budget by funding source.
    pub budget: Vec<(FundingSource, f64)>,
    /// Raised by every change (optimistic locking).
    pub version: i64,
}

impl Project {
    /// Σ budget over sources.
    pub fn total_budget(&self) -> f64 {
        self.budget.iter().map(|(_, a)| a).sum()
    }

    /// Checks what a project says about itself.
    pub fn check(&self) -> Result<(), PlanError> {
        if self.code.trim().is_empty() || self.name.trim().is_empty() {
            return Err(PlanError::ProjectUnnamed);
        }
        if self.end < self.start {
            return Err(PlanError::ProjectEndsBeforeStart { start: self.start, end: self.end });
        }
        if !(0.0..=100.0).contains(&self.percent) {
            return Err(PlanError::Percent(self.percent));
        }
        if let Some((source, amount)) = self.budget.iter().find(|(_, a)| !(a.is_finite() && *a >= 0.0)) {
            return Err(PlanError::Budget { funding: *source, amount: *amount });
        }
        if let Some((lon, lat)) = self.point
            && !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
        {
            return Err(PlanError::Point { lon, lat });
        }
        Ok(())
    }
}

/// A dated step of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// Its number.
    pub id: i64,
    /// The project.
    pub project_id: i64,
    /// What is due.
    pub name: String,
    /// When.
    pub due: Date,
    /// When it was done, if it was.
    pub done: Option<Date>,
}

/// Money paid out to a project.
#[derive(Debug, Clone, PartialEq)]
pub struct Disbursement {
    /// Its number.
    pub id: i64,
    /// The project.
    pub project_id: i64,
    /// The day.
    pub on: Date,
    /// The amount (yuan).
    pub amount: f64,
    /// Which budget it came from.
    pub source: FundingSource,
    /// Who recorded it.
    pub actor: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rural per-capita income from 12,000 (2020) to 18,000 (2025): the path
    /// adds 1,200 a year, so 2023 expects 15,600 — 3,600 above the baseline.
    fn income() -> Target {
        Target {
            baseline_year: 2020,
            baseline: 12_000.0,
            target_year: 2025,
            target: 18_000.0,
            binding: true,
            intermediate: Vec::new(),
        }
    }

    #[test]
    fn the_path_is_straight_unless_a_year_is_set() {
        let t = income();
        assert_eq!(t.path(2019), 12_000.0);
        assert_eq!(t.path(2023), 15_600.0);
        assert_eq!(t.path(2026), 18_000.0);
        let slow_start = Target { intermediate: vec![(2021, 12_500.0)], ..income() };
        assert_eq!(slow_start.path(2021), 12_500.0);
        assert_eq!(slow_start.path(2022), 14_400.0);
    }

    /// 2023 expects +3,600. 15,500 made 3,500: 97.2% ≥ 95%, on track;
    /// 14,900 made 2,900: 80.6%, at risk; 14,000 made 2,000: 55.6%, off
    /// track; 18,100 reaches the target: achieved.
    #[test]
    fn status_by_the_share_of_expected_progress() {
        let (t, tol) = (income(), Tolerances::default());
        assert!((t.progress(2023, 15_500.0).unwrap() - 3_500.0 / 3_600.0).abs() < 1e-12);
        assert_eq!(t.status(2023, 15_500.0, tol), Status::OnTrack);
        assert_eq!(t.status(2023, 14_900.0, tol), Status::AtRisk);
        assert_eq!(t.status(2023, 14_000.0, tol), Status::OffTrack);
        assert_eq!(t.status(2023, 18_100.0, tol), Status::Achieved);
        // In the baseline year nothing is expected yet; a fall is a risk.
        assert_eq!(t.status(2020, 12_000.0, tol), Status::OnTrack);
        assert_eq!(t.status(2020, 11_900.0, tol), Status::AtRisk);
    }

    /// A falling target: the poverty incidence from 6.0% (2020) to 3.0%
    /// (2025) expects −1.2 points by 2022 (4.8%). 5.0% made −1.0: 83.3%, at
    /// risk; 2.9% is below the target: achieved.
    #[test]
    fn falling_targets_are_judged_the_other_way() {
        let t = Target { baseline: 6.0, target: 3.0, ..income() };
        assert!(!t.rising());
        assert!((t.path(2022) - 4.8).abs() < 1e-12);
        assert_eq!(t.status(2022, 5.0, Tolerances::default()), Status::AtRisk);
        assert_eq!(t.status(2022, 2.9, Tolerances::default()), Status::Achieved);
    }

    #[test]
    fn a_goal_takes_the_worst_binding_status() {
        let r = roll_up(&[
            (true, Some(Status::OnTrack)),
            (true, Some(Status::AtRisk)),
            (false, Some(Status::OffTrack)),
            (true, None),
            (true, Some(Status::Achieved)),
        ]);
        assert_eq!((r.achieved, r.on_track, r.at_risk, r.off_track, r.no_data), (1, 1, 1, 1, 1));
        assert_eq!(r.status, Some(Status::AtRisk), "the expected target off track does not set it");
        assert_eq!(roll_up(&[(false, Some(Status::OffTrack))]).status, None);
    }

    #[test]
    fn execution_and_late_milestones() {
        assert_eq!(execution_rate(300.0, 1200.0), Some(0.25));
        assert_eq!(execution_rate(5.0, 0.0), None);
        let (due, today) = (Date::parse("2024-06-30").unwrap(), Date::parse("2024-07-10").unwrap());
        assert_eq!(days_late(due, None, today), Some(10));
        assert_eq!(days_late(due, Some(Date::parse("2024-06-29").unwrap()), today), None);
        assert_eq!(days_late(due, Some(Date::parse("2024-07-03").unwrap()), today), Some(3));
        assert_eq!(days_late(due, None, Date::parse("2024-06-30").unwrap()), None);
    }

    #[test]
    fn plans_move_forward_and_only_administrators_approve() {
        use crate::access::Role;
        use PlanStatus::*;
        assert!(may_transition(Role::Planner, Draft, UnderReview));
        assert!(!may_transition(Role::Planner, UnderReview, Approved), "a planner does not approve");
        assert!(may_transition(Role::Admin, UnderReview, Approved));
        assert!(may_transition(Role::Admin, UnderReview, Draft), "returned for revision");
        assert!(!may_transition(Role::Admin, Draft, Approved), "no skipping review");
        assert!(!may_transition(Role::DataEntry, Draft, UnderReview));
        assert!(may_transition(Role::Planner, Approved, InImplementation));
        assert!(!may_transition(Role::Planner, Completed, Evaluated));
        assert!(Evaluated.next().is_empty());
        assert!(Draft.content_editable() && !Approved.content_editable());
        assert!(InImplementation.in_progress() && !Draft.in_progress());
        assert_eq!(PlanStatus::parse("实施中"), Some(InImplementation));
    }

    #[test]
    fn scopes_round_trip_through_text() {
        let code = |c: &str| crate::RegionCode::parse(c).unwrap();
        for scope in [
            PlanScope::List(3),
            PlanScope::Regions(vec![code("520102"), code("520103")]),
            PlanScope::Subtree(code("520000")),
        ] {
            assert_eq!(PlanScope::parse(&scope.to_text()), Ok(scope));
        }
        assert!(PlanScope::parse("regions:").is_err());
        assert_eq!(PlanScope::parse("county:520102"), Err(PlanError::ScopeKind("county".into())));
        assert!(PlanScope::parse("520102").is_err());
    }

    #[test]
    fn targets_are_checked_and_intermediate_years_parsed() {
        assert_eq!(check_target(&income()), Ok(()));
        let backwards = Target { target_year: 2019, ..income() };
        assert!(check_target(&backwards).unwrap_err().to_string().contains("after the baseline year"));
        let outside = Target { intermediate: vec![(2026, 1.0)], ..income() };
        assert!(matches!(check_target(&outside), Err(PlanError::IntermediateOutside { year: 2026, .. })));
        let twice = Target { intermediate: vec![(2022, 1.0), (2022, 2.0)], ..income() };
        assert!(check_target(&twice).is_err());
        assert_eq!(parse_intermediate("2022=14000; 2023=15500"), Ok(vec![(2022, 14_000.0), (2023, 15_500.0)]));
        assert_eq!(parse_intermediate(""), Ok(vec![]));
        assert!(parse_intermediate("2022:14000").is_err());
    }

    /// Two projects: 1,000 budget with 250 paid and 3,000 with 1,500 paid:
    /// 4,000 and 1,750, an execution rate of 43.75%.
    #[test]
    fn execution_adds_up_across_projects() {
        let mut total = Execution::default();
        total.add(Execution { budget: 1000.0, disbursed: 250.0 });
        total.add(Execution { budget: 3000.0, disbursed: 1500.0 });
        assert_eq!(total.rate(), Some(0.4375));
        assert_eq!(Execution::default().rate(), None);
        assert_eq!(ProjectCategory::parse("公共服务"), Some(ProjectCategory::PublicServices));
        assert_eq!(FundingSource::parse("bonds"), Some(FundingSource::Bonds));
    }
}
