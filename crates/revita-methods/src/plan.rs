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
}
