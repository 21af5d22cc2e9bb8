//! Post-disaster damage, losses and needs (DaLA / PDNA; methods.md §8.1) and
//! the Wenchuan counterpart rule (§4.4, §8.2): the computation conventions,
//! line by line, with totals by sector group, ownership and county.
//!
//! - Damage of an asset line = units destroyed × replacement cost + units
//!   damaged × repair cost (pre-disaster replacement values).
//! - Loss of a flow line = Σ over the recovery period of (baseline flow −
//!   post-disaster flow) + additional costs.
//! - Reconstruction need = damage × (1 + the sector's build-back-better
//!   uplift); recovery need = the share of the loss programmes are to
//!   restore; total needs = Σ (reconstruction + recovery).
//! - A counterpart province gives at least 1% of its previous year's local
//!   revenue a year for three years (国办发〔2008〕53号).

use std::collections::BTreeMap;

use crate::convergence::{ObligationRule, obligation};

/// The PDNA's sector groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SectorGroup {
    /// Housing, education, health, culture.
    Social,
    /// Agriculture, industry, commerce, tourism.
    Productive,
    /// Transport, energy, water and sanitation, telecommunications.
    Infrastructure,
    /// Environment, disaster risk reduction, governance, gender.
    CrossCutting,
}

impl SectorGroup {
    /// Every group, in the report's order.
    pub const ALL: [SectorGroup; 4] =
        [SectorGroup::Social, SectorGroup::Productive, SectorGroup::Infrastructure, SectorGroup::CrossCutting];

    /// Its keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            SectorGroup::Social => "social",
            SectorGroup::Productive => "productive",
            SectorGroup::Infrastructure => "infrastructure",
            SectorGroup::CrossCutting => "cross_cutting",
        }
    }
}

/// The sectors an assessment sheet names, with their group.
pub const SECTORS: [(&str, SectorGroup); 15] = [
    ("housing", SectorGroup::Social),
    ("education", SectorGroup::Social),
    ("health", SectorGroup::Social),
    ("culture", SectorGroup::Social),
    ("agriculture", SectorGroup::Productive),
    ("industry", SectorGroup::Productive),
    ("commerce", SectorGroup::Productive),
    ("tourism", SectorGroup::Productive),
    ("transport", SectorGroup::Infrastructure),
    ("energy", SectorGroup::Infrastructure),
    ("water_sanitation", SectorGroup::Infrastructure),
    ("telecommunications", SectorGroup::Infrastructure),
    ("environment", SectorGroup::CrossCutting),
    ("disaster_risk_reduction", SectorGroup::CrossCutting),
    ("governance", SectorGroup::CrossCutting),
];

/// The group of a sector, if the sheet's vocabulary names it.
pub fn sector_group(sector: &str) -> Option<SectorGroup> {
    SECTORS.iter().find(|(s, _)| *s == sector).map(|(_, g)| *g)
}

/// Who owns an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ownership {
    /// Government and public institutions.
    Public,
    /// Households and firms.
    Private,
}

/// One line of physical damage: an asset class of a sector in a county.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetLine {
    /// The county (or any unit of the assessment's geography).
    pub county: String,
    /// The sector (one of [`SECTORS`]).
    pub sector: String,
    /// Who owns it.
    pub ownership: Ownership,
    /// Units totally destroyed.
    pub destroyed: f64,
    /// Pre-disaster replacement cost of a unit (yuan).
    pub replacement_cost: f64,
    /// Units partially damaged.
    pub damaged: f64,
    /// Repair cost of a damaged unit (yuan).
    pub repair_cost: f64,
}

impl AssetLine {
    /// Its damage: destroyed × replacement cost + damaged × repair cost.
    pub fn damage(&self) -> f64 {
        self.destroyed * self.replacement_cost + self.damaged * self.repair_cost
    }
}

/// One line of losses: a flow of a sector in a county over the recovery
/// period.
#[derive(Debug, Clone, PartialEq)]
pub struct LossLine {
    /// The county.
    pub county: String,
    /// The sector.
    pub sector: String,
    /// Who bears it.
    pub ownership: Ownership,
    /// The flow without the disaster, period by period (yuan).
    pub baseline: Vec<f64>,
    /// The flow after it, period by period.
    pub actual: Vec<f64>,
    /// Higher costs caused by the disaster over the period (yuan).
    pub additional_costs: f64,
}

impl LossLine {
    /// Its loss: Σ (baseline − actual) + additional costs; periods missing
    /// on one side count as no change.
    pub fn loss(&self) -> f64 {
        let forgone: f64 = self.baseline.iter().zip(&self.actual).map(|(b, a)| b - a).sum();
        forgone + self.additional_costs
    }
}

/// Why an assessment cannot be totalled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssessmentError {
    /// A count, cost or share that is negative or not a number.
    #[error("{0} must be a number of at least 0")]
    Negative(String),
    /// A sector the vocabulary does not name.
    #[error("'{0}' is not a sector of the assessment")]
    UnknownSector(String),
    /// A share above 1.
    #[error("{0} is a share: at most 1")]
    Share(String),
}

/// The needs parameters: each sector's build-back-better uplift (0.2 for
/// 20% above the damage; sectors not listed take `default_uplift`), and the
/// share of losses recovery programmes restore.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NeedsRule {
    /// Uplift by sector.
    pub uplift: BTreeMap<String, f64>,
    /// Uplift of the sectors not listed.
    pub default_uplift: f64,
    /// The share of losses to restore (0 to 1).
    pub recovery_share: f64,
}

/// Damage, losses and needs of one group of lines.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Totals {
    /// Damage (yuan).
    pub damage: f64,
    /// Losses (yuan).
    pub losses: f64,
    /// Reconstruction needs: damage × (1 + uplift).
    pub reconstruction: f64,
    /// Recovery needs: losses × recovery share.
    pub recovery: f64,
}

impl Totals {
    /// Reconstruction plus recovery.
    pub fn needs(&self) -> f64 {
        self.reconstruction + self.recovery
    }

    /// Damage plus losses (the disaster's effects).
    pub fn effects(&self) -> f64 {
        self.damage + self.losses
    }

    fn add(&mut self, other: &Totals) {
        self.damage += other.damage;
        self.losses += other.losses;
        self.reconstruction += other.reconstruction;
        self.recovery += other.recovery;
    }
}

/// An assessment totalled every way the report needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assessment {
    /// By sector.
    pub by_sector: BTreeMap<String, Totals>,
    /// By sector group.
    pub by_group: BTreeMap<SectorGroup, Totals>,
    /// By county.
    pub by_county: BTreeMap<String, Totals>,
    /// By ownership.
    pub by_ownership: BTreeMap<Ownership, Totals>,
    /// Everything.
    pub total: Totals,
}

fn at_least_zero(value: f64, what: impl FnOnce() -> String) -> Result<(), AssessmentError> {
    if value.is_finite() && value >= 0.0 { Ok(()) } else { Err(AssessmentError::Negative(what())) }
}

/// Totals damage, losses and needs of an assessment's lines under `rule`.
pub fn assess(assets: &[AssetLine], losses: &[LossLine], rule: &NeedsRule) -> Result<Assessment, AssessmentError> {
    at_least_zero(rule.default_uplift, || "the default uplift".into())?;
    for (sector, u) in &rule.uplift {
        at_least_zero(*u, || format!("the uplift of {sector}"))?;
    }
    at_least_zero(rule.recovery_share, || "the recovery share".into())?;
    if rule.recovery_share > 1.0 {
        return Err(AssessmentError::Share("the recovery share".into()));
    }
    let mut out = Assessment::default();
    let mut book = |county: &str, sector: &str, ownership: Ownership, t: Totals| -> Result<(), AssessmentError> {
        let group = sector_group(sector).ok_or_else(|| AssessmentError::UnknownSector(sector.to_string()))?;
        out.by_sector.entry(sector.to_string()).or_default().add(&t);
        out.by_group.entry(group).or_default().add(&t);
        out.by_county.entry(county.to_string()).or_default().add(&t);
        out.by_ownership.entry(ownership).or_default().add(&t);
        out.total.add(&t);
        Ok(())
    };
    for a in assets {
        for (v, what) in [
            (a.destroyed, "units destroyed"),
            (a.replacement_cost, "the replacement cost"),
            (a.damaged, "units damaged"),
            (a.repair_cost, "the repair cost"),
        ] {
            at_least_zero(v, || format!("{what} of {} in {}", a.sector, a.county))?;
        }
        let damage = a.damage();
        let uplift = rule.uplift.get(&a.sector).copied().unwrap_or(rule.default_uplift);
        let t = Totals { damage, reconstruction: damage * (1.0 + uplift), ..Default::default() };
        book(&a.county, &a.sector, a.ownership, t)?;
    }
    for l in losses {
        at_least_zero(l.additional_costs, || format!("the additional costs of {} in {}", l.sector, l.county))?;
        if l.baseline.iter().chain(&l.actual).any(|v| !v.is_finite()) {
            return Err(AssessmentError::Negative(format!("the flows of {} in {}", l.sector, l.county)));
        }
        let loss = l.loss();
        let t = Totals { losses: loss, recovery: loss * rule.recovery_share, ..Default::default() };
        book(&l.county, &l.sector, l.ownership, t)?;
    }
    Ok(out)
}

/// A severely hit county's counterpart obligation in each of the three
/// years from `start`: 1% of the donor's local revenue of the year before
/// (国办发〔2008〕53号); `None` for a year whose revenue is not known.
pub fn counterpart_obligations(start: i32, revenue: impl Fn(i32) -> Option<f64>) -> [(i32, Option<f64>); 3] {
    let rule = ObligationRule::RevenueShare { share: 0.01, lag: 1 };
    std::array::from_fn(|k| {
        let year = start + k as i32;
        (year, obligation(rule, start, year, &revenue))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(
        county: &str,
        sector: &str,
        ownership: Ownership,
        destroyed: f64,
        cost: f64,
        damaged: f64,
        repair: f64,
    ) -> AssetLine {
        AssetLine {
            county: county.into(),
            sector: sector.into(),
            ownership,
            destroyed,
            replacement_cost: cost,
            damaged,
            repair_cost: repair,
        }
    }

    /// A small worked example: two counties.
    ///
    /// Housing, private, county A: 100 houses destroyed at 200,000 yuan and
    /// 300 damaged at 30,000 → 20 m + 9 m = 29 m. A school, public, county
    /// A: 2 destroyed at 5 m → 10 m. A road, public, county B: 40 km
    /// destroyed at 1.5 m/km → 60 m. Damage 99 m.
    ///
    /// Losses: county B's tourism, private: baseline 10, 10, 10 m a quarter,
    /// actual 2, 5, 8 m → 15 m forgone + 1 m additional = 16 m.
    ///
    /// Needs: housing uplift 25% → 29 × 1.25 = 36.25 m; education 20% →
    /// 12 m; transport (default 10%) → 66 m; reconstruction 114.25 m;
    /// recovery 50% of 16 m = 8 m; needs 122.25 m.
    #[test]
    fn damage_losses_and_needs_of_a_worked_example() {
        let assets = [
            asset("A", "housing", Ownership::Private, 100.0, 200_000.0, 300.0, 30_000.0),
            asset("A", "education", Ownership::Public, 2.0, 5e6, 0.0, 0.0),
            asset("B", "transport", Ownership::Public, 40.0, 1.5e6, 0.0, 0.0),
        ];
        let losses = [LossLine {
            county: "B".into(),
            sector: "tourism".into(),
            ownership: Ownership::Private,
            baseline: vec![10e6, 10e6, 10e6],
            actual: vec![2e6, 5e6, 8e6],
            additional_costs: 1e6,
        }];
        let rule = NeedsRule {
            uplift: BTreeMap::from([("housing".into(), 0.25), ("education".into(), 0.2)]),
            default_uplift: 0.1,
            recovery_share: 0.5,
        };
        let a = assess(&assets, &losses, &rule).unwrap();
        assert_eq!(a.by_sector["housing"].damage, 29e6);
        assert_eq!(a.total.damage, 99e6);
        assert_eq!(a.total.losses, 16e6);
        assert!((a.by_sector["housing"].reconstruction - 36.25e6).abs() < 1e-6);
        assert!((a.total.reconstruction - 114.25e6).abs() < 1e-6);
        assert_eq!(a.total.recovery, 8e6);
        assert!((a.total.needs() - 122.25e6).abs() < 1e-6);
        assert_eq!(a.total.effects(), 115e6);
        // By group, county and ownership, adding up to the total.
        assert_eq!(a.by_group[&SectorGroup::Social].damage, 39e6);
        assert_eq!(a.by_group[&SectorGroup::Infrastructure].damage, 60e6);
        assert_eq!(a.by_group[&SectorGroup::Productive].losses, 16e6);
        assert_eq!((a.by_county["A"].damage, a.by_county["B"].effects()), (39e6, 76e6));
        assert_eq!(a.by_ownership[&Ownership::Public].damage, 70e6);
        assert_eq!(a.by_ownership[&Ownership::Private].effects(), 45e6);
    }

    #[test]
    fn what_cannot_be_totalled_is_refused() {
        let bad = [asset("A", "housing", Ownership::Private, -1.0, 1.0, 0.0, 0.0)];
        assert!(matches!(assess(&bad, &[], &NeedsRule::default()), Err(AssessmentError::Negative(_))));
        let unknown = [asset("A", "palaces", Ownership::Public, 1.0, 1.0, 0.0, 0.0)];
        assert_eq!(assess(&unknown, &[], &NeedsRule::default()), Err(AssessmentError::UnknownSector("palaces".into())));
        let rule = NeedsRule { recovery_share: 1.5, ..Default::default() };
        assert_eq!(assess(&[], &[], &rule), Err(AssessmentError::Share("the recovery share".into())));
    }

    #[test]
    fn a_counterpart_gives_one_percent_of_last_years_revenue_for_three_years() {
        // methods.md §4.4: Guangdong's 2007 local revenue 278.5 bn → 2.785 bn
        // for 2008; 2008 and 2009 revenue (made up here) give 2009 and 2010.
        let revenue = |y: i32| match y {
            2007 => Some(278.5e9),
            2008 => Some(310.0e9),
            2009 => Some(350.0e9),
            _ => None,
        };
        let years = counterpart_obligations(2008, revenue);
        assert_eq!(years.map(|(y, _)| y), [2008, 2009, 2010]);
        assert!((years[0].1.unwrap() - 2.785e9).abs() < 1.0);
        assert!((years[1].1.unwrap() - 3.1e9).abs() < 1.0 && (years[2].1.unwrap() - 3.5e9).abs() < 1.0);
        // Jiangxi's 38.96 bn → 0.3896 bn; a year without revenue is unknown.
        let jiangxi = counterpart_obligations(2008, |y| (y == 2007).then_some(38.96e9));
        assert!((jiangxi[0].1.unwrap() - 0.3896e9).abs() < 1.0);
        assert_eq!(jiangxi[1].1, None);
    }
}
