//! Work-relief (以工代赈), methods.md §3: the share of central funds paid as
//! labour remuneration by batch (§3.2), who is hired (§3.3), how they are
//! paid (§3.4), the works (§3.5), and the checks, alerts and dashboard
//! totals over projects.
//!
//! Sources, as methods.md names them: 《国家以工代赈管理办法》 (NDRC Order
//! No. 57, in force 1 Mar 2023; the 2014 measures, arts. 17–21, for paying
//! openly, in full and on time); NDRC's Q&A of 18 Jul 2022 on the key-project
//! work plan (≥ 30% of central funds from 2022); the 2025 extra batch
//! ("加力扩围", ≥ 40% of central investment; 中新社 2025-07-08). Before 2022
//! the share was ≥ 15%. The rules are data ([`RemunerationRule`]), seeded
//! with these and versioned, because provinces and batches add their own.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::date::Date;
use crate::float::clearly_greater;
use crate::keywords::keywords;

keywords!(
    /// Where a project's money comes from.
    FundSource {
        /// Central-budget work-relief funds (中央预算内以工代赈).
        Central => "central" | "中央预算内",
        /// Provincial funds (省级).
        Provincial => "provincial" | "省级",
        /// A government-invested key project applying the method (重点工程).
        KeyProject => "key_project" | "重点工程",
    }
);

keywords!(
    /// The works built (§3.5).
    WorksType {
        /// Rural roads (农村道路).
        Roads => "roads" | "农村道路",
        /// Farmland water conservancy (农田水利).
        FarmlandWater => "farmland_water" | "农田水利",
        /// Drinking water (人饮工程).
        DrinkingWater => "drinking_water" | "人饮工程",
        /// Basic farmland (基本农田).
        BasicFarmland => "basic_farmland" | "基本农田",
        /// Pasture (草场).
        Pasture => "pasture" | "草场建设",
        /// Small-watershed management (小流域治理).
        SmallWatershed => "small_watershed" | "小流域治理",
        /// Anything else.
        Other => "other" | "其他",
    }
);

keywords!(
    /// Who is hired (§3.3).
    WorkerCategory {
        /// Poverty-exited people (脱贫人口).
        PovertyExited => "poverty_exited" | "脱贫人口",
        /// Monitoring objects (防止返贫监测对象).
        MonitoringObject => "monitoring_object" | "监测对象",
        /// Migrant workers back home (返乡农民工).
        ReturningMigrant => "returning_migrant" | "返乡农民工",
        /// Other rural low-income people (其他农村低收入人口).
        OtherLowIncome => "other_low_income" | "其他低收入人口",
    }
);

keywords!(
    /// Where a project stands.
    ProjectStatus {
        /// Approved, not started.
        Planned => "planned" | "计划",
        /// Being built.
        Underway => "underway" | "在建",
        /// Built, awaiting acceptance.
        Completed => "completed" | "完工",
        /// Accepted (竣工验收).
        Accepted => "accepted" | "已验收",
    }
);

/// A remuneration rule: within `from_year..=to_year` (open-ended when
/// `None`), for batches matching `batch_pattern`, labour remuneration is at
/// least `min_share` of central funds. Rules are kept in versions: a rule
/// of the same key (years and pattern) with a higher version replaces it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemunerationRule {
    /// First year it applies to.
    pub from_year: i32,
    /// Last year, if it ends.
    pub to_year: Option<i32>,
    /// `*` for every batch, else alternatives separated by `|`, each
    /// matching a batch that contains it (ignoring case).
    pub batch_pattern: String,
    /// The least share of central funds (0.3 for 30%).
    pub min_share: f64,
    /// Its version within its key.
    pub version: i64,
}

impl RemunerationRule {
    /// Whether it applies to a project of `year` and `batch`.
    pub fn applies(&self, year: i32, batch: &str) -> bool {
        year >= self.from_year && self.to_year.is_none_or(|to| year <= to) && self.matches(batch)
    }

    fn is_wildcard(&self) -> bool {
        self.batch_pattern.trim() == "*"
    }

    fn matches(&self, batch: &str) -> bool {
        if self.is_wildcard() {
            return true;
        }
        let batch = batch.to_lowercase();
        self.batch_pattern.split('|').map(|p| p.trim().to_lowercase()).any(|p| !p.is_empty() && batch.contains(&p))
    }

    fn span(&self) -> i64 {
        self.to_year.map_or(i64::MAX, |to| i64::from(to) - i64::from(self.from_year))
    }
}

/// The rules of §3.2 that the migration seeds: 15% to 2021, 30% from 2022,
/// 40% for the 2025 extra batch (batches named "加力扩围" or "extra").
pub fn default_rules() -> Vec<RemunerationRule> {
    let rule = |from_year, to_year, pattern: &str, min_share| RemunerationRule {
        from_year,
        to_year,
        batch_pattern: pattern.into(),
        min_share,
        version: 1,
    };
    vec![rule(1984, Some(2021), "*", 0.15), rule(2022, None, "*", 0.30), rule(2025, Some(2025), "加力扩围|extra", 0.40)]
}

/// Why a rule is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// The share is not within 0–1.
    #[error("the least share of central funds must lie between 0 and 1")]
    Share,
    /// The years run backwards.
    #[error("the last year comes before the first")]
    Years,
    /// An empty pattern.
    #[error("the batch pattern is empty (write * for every batch)")]
    Pattern,
}

/// Checks a rule a planner adds.
pub fn check_rule(rule: &RemunerationRule) -> Result<(), RuleError> {
    if !(0.0..=1.0).contains(&rule.min_share) {
        return Err(RuleError::Share);
    }
    if rule.to_year.is_some_and(|to| to < rule.from_year) {
        return Err(RuleError::Years);
    }
    if rule.batch_pattern.split('|').all(|p| p.trim().is_empty()) {
        return Err(RuleError::Pattern);
    }
    Ok(())
}

/// The rule a project of `year` and `batch` is held to: among the latest
/// version of each key that applies, a named batch beats the wildcard, then
/// the narrowest year range, then the higher version.
pub fn rule_for<'a>(rules: &'a [RemunerationRule], year: i32, batch: &str) -> Option<&'a RemunerationRule> {
    let latest = |r: &RemunerationRule| {
        !rules.iter().any(|o| {
            o.from_year == r.from_year
                && o.to_year == r.to_year
                && o.batch_pattern == r.batch_pattern
                && o.version > r.version
        })
    };
    rules
        .iter()
        .filter(|r| r.applies(year, batch) && latest(r))
        .min_by_key(|r| (r.is_wildcard(), r.span(), std::cmp::Reverse(r.version)))
}

/// A project's money, as the checks read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectMoney {
    /// Central funds (yuan).
    pub central: f64,
    /// Labour remuneration planned.
    pub remuneration_planned: f64,
    /// Labour remuneration paid (from the payments, or as recorded).
    pub remuneration_paid: f64,
}

/// Planned or paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basis {
    /// The plan's remuneration.
    Planned,
    /// The remuneration paid.
    Paid,
}

/// One share of remuneration against the rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareCheck {
    /// Planned or paid.
    pub basis: Basis,
    /// Remuneration over central funds (`None` without central funds).
    pub share: Option<f64>,
    /// The rule's least share.
    pub required: f64,
    /// Whether it meets the rule (a share equal to it up to rounding does).
    pub meets: bool,
}

/// The planned and the paid share of central funds against `rule`. A
/// project without central funds meets any rule (there is nothing to
/// share).
pub fn remuneration_shares(money: &ProjectMoney, rule: &RemunerationRule) -> [ShareCheck; 2] {
    let check = |basis, amount: f64| {
        let share = (money.central > 0.0).then(|| amount / money.central);
        let meets = share.is_none_or(|s| !clearly_greater(rule.min_share, s));
        ShareCheck { basis, share, required: rule.min_share, meets }
    };
    [check(Basis::Planned, money.remuneration_planned), check(Basis::Paid, money.remuneration_paid)]
}

/// A worker on a project's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterWorker {
    /// The worker's identifier on the project.
    pub worker_id: String,
    /// The category hired from.
    pub category: WorkerCategory,
}

/// A wage payment.
#[derive(Debug, Clone, PartialEq)]
pub struct WagePayment {
    /// Who was paid.
    pub worker_id: String,
    /// Yuan.
    pub amount: f64,
    /// When.
    pub paid_on: Date,
}

/// An account reference as stored: `****` and its last four characters,
/// so that the roster proves where money went without holding the account
/// (§3.4, direct bank-card payment).
pub fn mask_account(account: &str) -> String {
    let chars: Vec<char> = account.trim().chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// What the alerts read of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectFacts {
    /// Year and batch pick the rule.
    pub year: i32,
    /// The batch's name.
    pub batch: String,
    /// Its money.
    pub money: ProjectMoney,
    /// Planned end of works.
    pub end: Option<Date>,
    /// Acceptance, if done.
    pub accepted: Option<Date>,
    /// The roster.
    pub roster: Vec<RosterWorker>,
    /// The payments.
    pub payments: Vec<WagePayment>,
}

/// Something wrong with a project (§3.2–§3.4).
#[derive(Debug, Clone, PartialEq)]
pub enum ReliefAlert {
    /// Remuneration below the batch's rule.
    ShareBelowRule(ShareCheck),
    /// No rule applies to the project's year and batch.
    NoRule,
    /// Remuneration planned but not all paid, `days` after the later of
    /// the end of works and the last payment.
    WagesUnpaid {
        /// Planned minus paid (yuan).
        outstanding: f64,
        /// Days since the reference date.
        days: i64,
        /// The end of works or the last payment.
        since: Date,
    },
    /// Roster workers never paid.
    NeverPaid(Vec<String>),
    /// Payments to people not on the roster (their identifiers).
    PaidOffRoster(Vec<String>),
    /// The end of works has passed and the project is not accepted.
    BehindSchedule {
        /// The planned end.
        end: Date,
        /// Days since.
        days: i64,
    },
}

/// How the alerts are raised.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertOptions {
    /// Days wages may stay unpaid after the end of works or the last
    /// payment (default 30: monthly settlement, §3.4).
    pub unpaid_days: i64,
}

impl Default for AlertOptions {
    fn default() -> AlertOptions {
        AlertOptions { unpaid_days: 30 }
    }
}

/// Every alert of a project on `today`, in the order of [`ReliefAlert`].
pub fn project_alerts(
    p: &ProjectFacts,
    rules: &[RemunerationRule],
    today: Date,
    options: &AlertOptions,
) -> Vec<ReliefAlert> {
    let mut alerts = Vec::new();
    match rule_for(rules, p.year, &p.batch) {
        Some(rule) => alerts.extend(
            remuneration_shares(&p.money, rule).into_iter().filter(|c| !c.meets).map(ReliefAlert::ShareBelowRule),
        ),
        None => alerts.push(ReliefAlert::NoRule),
    }
    alerts.extend(unpaid(p, today, options));
    let paid: HashSet<&str> = p.payments.iter().map(|x| x.worker_id.as_str()).collect();
    let on_roster: HashSet<&str> = p.roster.iter().map(|w| w.worker_id.as_str()).collect();
    let never: Vec<String> =
        p.roster.iter().filter(|w| !paid.contains(w.worker_id.as_str())).map(|w| w.worker_id.clone()).collect();
    if !never.is_empty() {
        alerts.push(ReliefAlert::NeverPaid(never));
    }
    let off: BTreeSet<&str> = paid.difference(&on_roster).copied().collect();
    if !off.is_empty() {
        alerts.push(ReliefAlert::PaidOffRoster(off.into_iter().map(str::to_string).collect()));
    }
    if let (Some(end), None) = (p.end, p.accepted)
        && end < today
    {
        alerts.push(ReliefAlert::BehindSchedule { end, days: days_between(end, today) });
    }
    alerts
}

fn days_between(from: Date, to: Date) -> i64 {
    to.days_since_epoch() - from.days_since_epoch()
}

/// Wages outstanding past the allowed days: counted from the later of the
/// end of works and the last payment, so a project paying monthly while
/// it runs raises nothing.
fn unpaid(p: &ProjectFacts, today: Date, options: &AlertOptions) -> Option<ReliefAlert> {
    let outstanding = p.money.remuneration_planned - p.money.remuneration_paid;
    if !clearly_greater(outstanding, 0.0) {
        return None;
    }
    let last_payment = p.payments.iter().map(|x| x.paid_on).max();
    let since = match (p.end, last_payment) {
        (Some(e), Some(l)) => e.max(l),
        (e, l) => e.or(l)?,
    };
    let days = days_between(since, today);
    (days > options.unpaid_days).then_some(ReliefAlert::WagesUnpaid { outstanding, days, since })
}

/// What the dashboard adds up of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectTotalsInput {
    /// Total investment.
    pub total_investment: f64,
    /// Its money.
    pub money: ProjectMoney,
    /// Roster workers by category.
    pub workers: BTreeMap<WorkerCategory, i64>,
}

/// The dashboard's numbers for a group of projects (a county, a province).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReliefTotals {
    /// Projects.
    pub projects: i64,
    /// Total investment (yuan).
    pub total_investment: f64,
    /// Central funds.
    pub central: f64,
    /// Remuneration planned.
    pub remuneration_planned: f64,
    /// Remuneration paid.
    pub remuneration_paid: f64,
    /// Roster workers by category.
    pub workers: BTreeMap<WorkerCategory, i64>,
}

impl ReliefTotals {
    /// Roster workers of every category.
    pub fn worker_count(&self) -> i64 {
        self.workers.values().sum()
    }

    /// Planned remuneration over central funds.
    pub fn planned_share(&self) -> Option<f64> {
        (self.central > 0.0).then(|| self.remuneration_planned / self.central)
    }

    /// Paid remuneration over central funds.
    pub fn paid_share(&self) -> Option<f64> {
        (self.central > 0.0).then(|| self.remuneration_paid / self.central)
    }

    /// Remuneration paid per roster worker.
    pub fn average_pay(&self) -> Option<f64> {
        let n = self.worker_count();
        (n > 0).then(|| self.remuneration_paid / n as f64)
    }
}

/// Adds projects up by group (`group_of` gives each project's county or
/// province).
pub fn totals_by<K: Ord, P>(
    projects: &[P],
    input: impl Fn(&P) -> &ProjectTotalsInput,
    group_of: impl Fn(&P) -> K,
) -> BTreeMap<K, ReliefTotals> {
    let mut groups: BTreeMap<K, ReliefTotals> = BTreeMap::new();
    for p in projects {
        let i = input(p);
        let t = groups.entry(group_of(p)).or_default();
        t.projects += 1;
        t.total_investment += i.total_investment;
        t.central += i.money.central;
        t.remuneration_planned += i.money.remuneration_planned;
        t.remuneration_paid += i.money.remuneration_paid;
        for (category, n) in &i.workers {
            *t.workers.entry(*category).or_default() += n;
        }
    }
    groups
}

#[cfg(test)]
mod tests;
