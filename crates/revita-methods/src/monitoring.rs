//! Return-to-poverty monitoring (防止返贫动态监测和帮扶, methods.md §9.1):
//! the monitoring line that applies to a household, the case workflow from
//! identification to "risk eliminated", the time limits on its steps, and
//! the exit rule (income stably above the line for, in principle, at least
//! six months; rigid expenditure and the "three guarantees" resolved; no
//! exit for households without labour capacity).
//!
//! Sources: 中农组发〔2021〕7号 and the 工作指南 as summarised in methods.md
//! §9.1 (line by year and province; identification procedure: household
//! verification → consent and authorisation → village appraisal and public
//! notice → county approval; assistance; exit procedure and conditions).
//! Time limits are local rules (e.g. identification within 15 days); they
//! are parameters here, never constants.

use crate::date::Date;
use crate::region::RegionCode;
use crate::screening::Household;

/// How a monitoring line was set (methods.md §9.1: a fixed amount, or a
/// multiple of the old poverty standard or of the local dibao).
#[derive(Debug, Clone, PartialEq)]
pub enum LineRule {
    /// A fixed amount.
    Fixed,
    /// A multiple of the poverty standard of the poverty-fight period (2021:
    /// 1.5 × 4,000 = 6,000 yuan).
    PovertyStandardMultiple(f64),
    /// A multiple of the local rural dibao standard (e.g. Dehua 2024: 2 ×
    /// 815 × 12).
    DibaoMultiple(f64),
}

impl LineRule {
    /// The keyword and the multiple, as files hold them.
    pub fn parts(&self) -> (&'static str, Option<f64>) {
        match self {
            LineRule::Fixed => ("fixed", None),
            LineRule::PovertyStandardMultiple(m) => ("poverty_standard", Some(*m)),
            LineRule::DibaoMultiple(m) => ("dibao", Some(*m)),
        }
    }

    /// The rule from its keyword and multiple.
    pub fn from_parts(keyword: &str, multiple: Option<f64>) -> Result<LineRule, LineError> {
        match (keyword.trim(), multiple) {
            ("" | "fixed", _) => Ok(LineRule::Fixed),
            ("poverty_standard", Some(m)) if m.is_finite() && m > 0.0 => Ok(LineRule::PovertyStandardMultiple(m)),
            ("dibao", Some(m)) if m.is_finite() && m > 0.0 => Ok(LineRule::DibaoMultiple(m)),
            (rule @ ("poverty_standard" | "dibao"), _) => Err(LineError::NoMultiple(rule.to_string())),
            (other, _) => Err(LineError::UnknownRule(other.to_string())),
        }
    }
}

/// A monitoring line: yuan per person per year, for a year, set nationally
/// (the root region) or by a province or county.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringLine {
    /// The region that set it: the country, a province or a county.
    pub region: RegionCode,
    /// The year it applies to.
    pub year: i32,
    /// Yuan per person per year.
    pub amount: f64,
    /// How it was set.
    pub rule: LineRule,
}

impl MonitoringLine {
    /// Checks the amount: a positive number of yuan.
    pub fn validate(&self) -> Result<(), LineError> {
        if self.amount.is_finite() && self.amount > 0.0 { Ok(()) } else { Err(LineError::Amount(self.amount)) }
    }
}

/// Why a monitoring line cannot be set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineError {
    /// A rule keyword other than fixed, poverty_standard or dibao.
    #[error("'{0}' is not fixed, poverty_standard or dibao")]
    UnknownRule(String),
    /// A multiple rule without a positive multiple.
    #[error("rule '{0}' needs a positive multiple")]
    NoMultiple(String),
    /// An amount that is not a positive number of yuan.
    #[error("a monitoring line must be a positive amount, not {0}")]
    Amount(f64),
}

/// The line that applies in a year to a household whose region has the
/// given ancestors (nearest first, the household's own region included):
/// the line of the nearest region that set one for that year. A province's
/// line overrides the national one, a county's its province's.
pub fn applicable_line<'a>(
    lines: &'a [MonitoringLine],
    year: i32,
    nearest_first: &[RegionCode],
) -> Option<&'a MonitoringLine> {
    nearest_first.iter().find_map(|region| lines.iter().find(|l| l.year == year && &l.region == region))
}

/// The steps of a monitoring case, in the order the procedure runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Found by self-declaration, a cadre's visit or data screening.
    Identified,
    /// Household verification (入户核实).
    Verified,
    /// The household's commitment and authorisation for data checks.
    Consented,
    /// Village democratic appraisal and public notice (民主评议, 公示).
    Appraised,
    /// County review and approval (县级审核确定).
    Approved,
    /// Assistance measures in place.
    Assisted,
    /// Risk eliminated (标注风险消除).
    RiskEliminated,
    /// Kept under monitoring after assistance (the exit conditions are not
    /// met, or the household has no labour capacity).
    KeptUnderMonitoring,
}

impl Step {
    /// Every step, in procedure order.
    pub const ALL: [Step; 8] = [
        Step::Identified,
        Step::Verified,
        Step::Consented,
        Step::Appraised,
        Step::Approved,
        Step::Assisted,
        Step::RiskEliminated,
        Step::KeptUnderMonitoring,
    ];

    /// The keyword used in files and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Identified => "identified",
            Step::Verified => "verified",
            Step::Consented => "consented",
            Step::Appraised => "appraised",
            Step::Approved => "approved",
            Step::Assisted => "assisted",
            Step::RiskEliminated => "risk_eliminated",
            Step::KeptUnderMonitoring => "kept_under_monitoring",
        }
    }

    /// The step named by a keyword.
    pub fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// The steps that may follow this one: the procedure in order; from
    /// assistance either exit or continued monitoring; from continued
    /// monitoring, another round of assistance or, later, the exit.
    pub fn next(self) -> &'static [Step] {
        match self {
            Step::Identified => &[Step::Verified],
            Step::Verified => &[Step::Consented],
            Step::Consented => &[Step::Appraised],
            Step::Appraised => &[Step::Approved],
            Step::Approved => &[Step::Assisted],
            Step::Assisted => &[Step::RiskEliminated, Step::KeptUnderMonitoring],
            Step::KeptUnderMonitoring => &[Step::Assisted, Step::RiskEliminated],
            Step::RiskEliminated => &[],
        }
    }
}

/// Why a case cannot move to a step.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkflowError {
    /// The step does not follow the current one.
    #[error("a case at '{from}' cannot move to '{to}' (next: {allowed})")]
    OutOfOrder {
        /// The current step.
        from: &'static str,
        /// The step asked for.
        to: &'static str,
        /// The steps that may follow.
        allowed: String,
    },
    /// The public notice has not run its course.
    #[error("the public notice runs until {until}; approval can follow only after it")]
    NoticeRunning {
        /// Its last day.
        until: Date,
    },
    /// The exit conditions are not met.
    #[error("risk cannot be marked eliminated: {0}")]
    NotStable(String),
    /// "Assisted" without a measure recorded.
    #[error("record the assistance measures (kind, amount, dates) before marking the case assisted")]
    NoMeasure,
}

/// Checks a move from `from` to `to` in the procedure.
pub fn check_move(from: Step, to: Step) -> Result<(), WorkflowError> {
    if from.next().contains(&to) {
        return Ok(());
    }
    Err(WorkflowError::OutOfOrder {
        from: from.as_str(),
        to: to.as_str(),
        allowed: from.next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
    })
}

/// Checks that approval may follow the public notice: the notice must have
/// ended before `today`.
pub fn check_notice_over(notice_end: Date, today: Date) -> Result<(), WorkflowError> {
    if notice_end < today { Ok(()) } else { Err(WorkflowError::NoticeRunning { until: notice_end }) }
}

/// One income observation of a household: per-capita net income over the
/// last twelve months, as estimated on a day (a monthly visit, a data check).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncomeCheck {
    /// When.
    pub on: Date,
    /// Per-capita net income over the twelve months to then, yuan.
    pub income_pc: f64,
}

/// What the exit rule looks at besides income.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitConditions {
    /// The household has members able to work (households without labour
    /// capacity stay under monitoring after social-security measures).
    pub has_labour: bool,
    /// Large rigid expenditures (medical, schooling) are stably resolved.
    pub expenditure_resolved: bool,
    /// The "three guarantees" and drinking water are secured.
    pub guarantees_secured: bool,
}

/// The months of stable income the exit rule asks for "in principle".
pub const STABLE_MONTHS: u32 = 6;

/// The exit rule (标注风险消除, methods.md §9.1): income stably above the
/// line for at least [`STABLE_MONTHS`] months — every check in the window
/// from six months before `today` to `today` above the line, with a check at
/// or before the window's start also above it, so that the stability is
/// observed, not assumed — rigid expenditure resolved, the guarantees
/// secured, and labour capacity in the household.
pub fn check_exit(
    checks: &[IncomeCheck],
    line: f64,
    conditions: ExitConditions,
    today: Date,
) -> Result<(), WorkflowError> {
    let fail = |reason: String| Err(WorkflowError::NotStable(reason));
    if !conditions.has_labour {
        return fail(
            "the household has no labour capacity; keep it under monitoring after social-security measures".into(),
        );
    }
    if !conditions.expenditure_resolved {
        return fail("large rigid expenditure is not stably resolved".into());
    }
    if !conditions.guarantees_secured {
        return fail("the three guarantees and drinking water are not all secured".into());
    }
    let start = months_before(today, STABLE_MONTHS);
    let mut sorted: Vec<&IncomeCheck> = checks.iter().filter(|c| c.on <= today).collect();
    sorted.sort_by_key(|c| c.on);
    let Some(anchor) = sorted.iter().rev().find(|c| c.on <= start) else {
        return fail(format!("no income check on or before {start}: six months of stability cannot be observed yet"));
    };
    if let Some(below) = sorted.iter().filter(|c| c.on >= anchor.on).find(|c| c.income_pc <= line) {
        return fail(format!(
            "income was {} on {}, not above the line {line}, within the six months",
            below.income_pc, below.on
        ));
    }
    Ok(())
}

/// The same day `months` months earlier (clamped to the month's last day).
pub fn months_before(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + i32::from(date.month()) - 1 - months as i32;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let mut day = date.day();
    loop {
        if let Some(d) = Date::new(year, month, day) {
            return d;
        }
        day -= 1;
    }
}

/// A time limit on a step: the step must be reached within `days` of the
/// case entering the step before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimit {
    /// The step that must be reached.
    pub step: Step,
    /// Days allowed after the previous step.
    pub days: i64,
}

/// Days allowed for each step after the one before, where no local rule is
/// given: the common 15-day limit of methods.md §9.1 for verification and
/// approval, a week for the household's consent, and a month from approval
/// to assistance. The web page and `revita case overdue` both use them.
pub const DEFAULT_TIME_LIMITS: [TimeLimit; 4] = [
    TimeLimit { step: Step::Verified, days: 15 },
    TimeLimit { step: Step::Consented, days: 7 },
    TimeLimit { step: Step::Approved, days: 15 },
    TimeLimit { step: Step::Assisted, days: 30 },
];

/// A case whose next step is overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The step waited for.
    pub step: Step,
    /// The day it was due.
    pub due: Date,
    /// Days past due on `today`.
    pub days_late: i64,
}

/// Whether a case is overdue on `today`: its current step (entered on
/// `since`) is followed by a step with a time limit, and that limit has
/// passed. `None` when the next step has no limit or is not yet due.
pub fn overdue(current: Step, since: Date, limits: &[TimeLimit], today: Date) -> Option<Overdue> {
    current.next().iter().find_map(|next| {
        let limit = limits.iter().find(|l| l.step == *next)?;
        let due = Date::from_days_since_epoch(since.days_since_epoch() + limit.days);
        let late = today.days_since_epoch() - due.days_since_epoch();
        (late > 0).then_some(Overdue { step: *next, due, days_late: late })
    })
}

/// The three categories of monitored households (methods.md §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// 脱贫不稳定户: exited poverty, income unstable or below the line.
    UnstableExited,
    /// 边缘易致贫户: never registered, at risk of falling into poverty.
    Marginal,
    /// 突发严重困难户: basic living seriously threatened by a sudden event.
    SuddenDifficulty,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 3] = [Category::UnstableExited, Category::Marginal, Category::SuddenDifficulty];

    /// The keyword used in files and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::UnstableExited => "unstable_exited",
            Category::Marginal => "marginal",
            Category::SuddenDifficulty => "sudden_difficulty",
        }
    }

    /// The category named by a keyword.
    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == text.trim())
    }
}

/// How a household came to notice (methods.md §9.1, discovery channels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// 农户自主申报.
    SelfDeclared,
    /// 基层干部排查.
    CadreVisit,
    /// 部门筛查预警.
    DataScreening,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Channel::SelfDeclared, Channel::CadreVisit, Channel::DataScreening];

    /// The keyword used in files and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::SelfDeclared => "self_declared",
            Channel::CadreVisit => "cadre_visit",
            Channel::DataScreening => "data_screening",
        }
    }

    /// The channel named by a keyword.
    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text.trim())
    }
}

/// A monitoring case: one household's identified risk and where its
/// procedure stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Its number (assigned by the store; 0 before).
    pub id: i64,
    /// The household.
    pub household_id: String,
    /// The household's county (for jurisdiction).
    pub county: RegionCode,
    /// Its category.
    pub category: Category,
    /// How it was found.
    pub channel: Channel,
    /// The step reached.
    pub step: Step,
    /// Since when.
    pub step_since: Date,
    /// Raised on every move (optimistic locking).
    pub version: i64,
}

/// The kinds of assistance a monitored household receives (methods.md §9.1:
/// industry and employment support for households able to work, social
/// security for those who are not, and targeted help for the risk found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeasureKind {
    /// 产业帮扶: support for farming, livestock, small businesses.
    Industry,
    /// 就业帮扶: jobs, public-welfare posts, training.
    Employment,
    /// 教育帮扶: school subsidies and aid.
    Education,
    /// 健康帮扶: medical insurance subsidies, medical assistance.
    Health,
    /// 住房安全保障: house repair and rebuilding.
    Housing,
    /// 饮水安全保障: safe drinking water.
    Water,
    /// 综合保障: dibao, support for the extremely poor, temporary relief.
    SocialSecurity,
    /// 其他.
    Other,
}

impl MeasureKind {
    /// Every kind.
    pub const ALL: [MeasureKind; 8] = [
        MeasureKind::Industry,
        MeasureKind::Employment,
        MeasureKind::Education,
        MeasureKind::Health,
        MeasureKind::Housing,
        MeasureKind::Water,
        MeasureKind::SocialSecurity,
        MeasureKind::Other,
    ];

    /// The keyword used in files, forms and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Industry => "industry",
            MeasureKind::Employment => "employment",
            MeasureKind::Education => "education",
            MeasureKind::Health => "health",
            MeasureKind::Housing => "housing",
            MeasureKind::Water => "water",
            MeasureKind::SocialSecurity => "social_security",
            MeasureKind::Other => "other",
        }
    }

    /// The kind named by a keyword.
    pub fn parse(text: &str) -> Option<MeasureKind> {
        MeasureKind::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

/// An assistance measure given to a case's household.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// What kind of help.
    pub kind: MeasureKind,
    /// What exactly (a post, a subsidy, a loan).
    pub description: String,
    /// Its value in yuan (0 for help in kind).
    pub amount: f64,
    /// From when.
    pub start: Date,
    /// Until when (open-ended if none).
    pub end: Option<Date>,
    /// Who recorded it.
    pub actor: String,
    /// When it was recorded (Unix seconds).
    pub at: i64,
}

impl Measure {
    /// Checks the measure's own numbers: a non-negative amount, an end not
    /// before the start.
    pub fn check(&self) -> Result<(), MeasureError> {
        if !(self.amount.is_finite() && self.amount >= 0.0) {
            return Err(MeasureError::Amount(self.amount));
        }
        if let Some(end) = self.end
            && end < self.start
        {
            return Err(MeasureError::EndsBeforeStart { start: self.start, end });
        }
        Ok(())
    }
}

/// What is wrong with an assistance measure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    /// A negative or non-finite amount.
    #[error("the amount {0} is not a non-negative amount of yuan")]
    Amount(f64),
    /// An end before the start.
    #[error("the measure ends ({end}) before it starts ({start})")]
    EndsBeforeStart {
        /// Its start.
        start: Date,
        /// Its end.
        end: Date,
    },
}

/// Measures may be recorded from county approval on: assistance follows
/// the decision to monitor (methods.md §9.1's order).
pub fn measures_allowed(step: Step) -> bool {
    matches!(step, Step::Approved | Step::Assisted | Step::KeptUnderMonitoring)
}

/// A case moves to "assisted" only with at least one measure recorded:
/// the step's content is the help given.
pub fn check_assisted(measures: usize) -> Result<(), WorkflowError> {
    if measures > 0 { Ok(()) } else { Err(WorkflowError::NoMeasure) }
}

/// A step taken in a case: never changed once recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    /// The step.
    pub step: Step,
    /// The day it was taken.
    pub on: Date,
    /// Who recorded it.
    pub actor: String,
    /// What it rests on (a visit report, a notice, a decision).
    pub evidence: Option<String>,
    /// For an appraisal: the public notice's last day.
    pub notice_end: Option<Date>,
    /// When it was recorded (Unix seconds).
    pub at: i64,
}

/// The exit conditions a registry record shows: labour in the household,
/// no heavy rigid expenditure against the line, no guarantee or water gap.
pub fn exit_conditions(household: &Household, line: f64) -> ExitConditions {
    let flags = household.flags(line);
    ExitConditions {
        has_labour: household.labor > 0,
        expenditure_resolved: !flags.expense,
        guarantees_secured: !flags.guarantee,
    }
}

/// A rise in a region's rate between its two latest years with a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rise {
    /// The earlier year and its value.
    pub from: (i32, f64),
    /// The latest year and its value.
    pub to: (i32, f64),
}

/// Whether a yearly series rose by at least `threshold` from its second
/// latest to its latest year (the regions' alert: "the flagged rate or M0
/// rose above a threshold"); `None` with fewer than two years or a smaller
/// rise.
pub fn rise(series: &[(i32, f64)], threshold: f64) -> Option<Rise> {
    let mut years: Vec<(i32, f64)> = series.to_vec();
    years.sort_by_key(|(y, _)| *y);
    let [.., from, to] = years.as_slice() else { return None };
    (to.1 - from.1 >= threshold).then_some(Rise { from: *from, to: *to })
}

/// A household in the monitoring registry: its screening record and the
/// personal identifiers that only some roles may see unmasked.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredHousehold {
    /// The household's number in the registry.
    pub id: String,
    /// What screening reads (village, members, income, spending, deprivations).
    pub household: Household,
    /// The head of household's name.
    pub head_name: Option<String>,
    /// The head's resident identity card number.
    pub id_number: Option<String>,
    /// A contact phone number.
    pub phone: Option<String>,
    /// Net income by source, if recorded.
    pub income_sources: Option<crate::registry::IncomeSources>,
    /// The resettlement site of a relocated household (易地扶贫搬迁安置点).
    pub relocation_site: Option<String>,
}

/// A name with all but its first character hidden: 张三丰 → 张**.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// An identifier with only its first `keep_start` and last `keep_end`
/// characters shown (ID numbers 6 and 4: the area code and the check digits;
/// phones 3 and 4), the rest as `*`.
pub fn mask_middle(text: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_start || i >= chars.len() - keep_end { *c } else { '*' })
        .collect()
}

impl RegisteredHousehold {
    /// The record as a user without the right to see identifiers sees it.
    pub fn masked(&self) -> RegisteredHousehold {
        RegisteredHousehold {
            head_name: self.head_name.as_deref().map(mask_name),
            id_number: self.id_number.as_deref().map(|n| mask_middle(n, 6, 4)),
            phone: self.phone.as_deref().map(|p| mask_middle(p, 3, 4)),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests;
