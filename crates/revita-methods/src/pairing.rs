//! Pairing assistance (对口支援, 东西部协作): a donor region paired with a
//! recipient under a programme, e.g. Guangdong → Shufu county under the
//! 2010 round of counterpart support to Xinjiang (methods.md §4).

use crate::region::RegionCode;

/// A donor–recipient pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    /// The programme, e.g. 对口援疆 (2010 round).
    pub program: String,
    /// The donor region (a province or city).
    pub donor: RegionCode,
    /// The recipient region.
    pub recipient: RegionCode,
    /// First year of the pairing, where known.
    pub start_year: Option<i32>,
    /// Last year, if it ended.
    pub end_year: Option<i32>,
    /// Source or verification note.
    pub notes: Option<String>,
}

/// Why a pairing is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairingError {
    /// No programme name.
    #[error("pairing has no programme")]
    NoProgram,
    /// A region paired with itself.
    #[error("region {0} cannot be paired with itself")]
    SelfPaired(String),
    /// Ends before it starts.
    #[error("pairing ends in {end} before it starts in {start}")]
    Inverted {
        /// Start year.
        start: i32,
        /// End year.
        end: i32,
    },
}

impl Pairing {
    /// Checks the programme, the two sides and the years.
    pub fn validate(&self) -> Result<(), PairingError> {
        if self.program.trim().is_empty() {
            return Err(PairingError::NoProgram);
        }
        if self.donor == self.recipient {
            return Err(PairingError::SelfPaired(self.donor.to_string()));
        }
        match (self.start_year, self.end_year) {
            (Some(start), Some(end)) if end < start => Err(PairingError::Inverted { start, end }),
            _ => Ok(()),
        }
    }
}

impl Pairing {
    /// Whether the pairing is in force in `year` (from its start, where
    /// known, to its end, where it ended).
    pub fn active_in(&self, year: i32) -> bool {
        self.start_year.is_none_or(|s| s <= year) && self.end_year.is_none_or(|e| year <= e)
    }
}

/// What a donor delivers to a recipient (methods.md §4: funds by project,
/// cadres and technicians seconded, investment guided, labour placed,
/// consumption-assistance purchases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowKind {
    /// Aid funds (yuan), by project.
    Funds,
    /// Cadres seconded (person-months).
    Cadres,
    /// Technicians and professionals seconded (person-months).
    Technicians,
    /// Enterprise investment guided (yuan).
    Investment,
    /// Rural workers placed in jobs (persons).
    Labour,
    /// Consumption-assistance purchases (yuan).
    Purchases,
}

impl FlowKind {
    /// Every kind.
    pub const ALL: [FlowKind; 6] = [
        FlowKind::Funds,
        FlowKind::Cadres,
        FlowKind::Technicians,
        FlowKind::Investment,
        FlowKind::Labour,
        FlowKind::Purchases,
    ];

    /// Its keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Funds => "funds",
            FlowKind::Cadres => "cadres",
            FlowKind::Technicians => "technicians",
            FlowKind::Investment => "investment",
            FlowKind::Labour => "labour",
            FlowKind::Purchases => "purchases",
        }
    }

    /// From its keyword.
    pub fn parse(text: &str) -> Option<FlowKind> {
        FlowKind::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// The unit its amounts are in.
    pub fn unit(self) -> &'static str {
        match self {
            FlowKind::Funds | FlowKind::Investment | FlowKind::Purchases => "yuan",
            FlowKind::Cadres | FlowKind::Technicians => "person-months",
            FlowKind::Labour => "persons",
        }
    }
}

/// One recorded delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// What it is.
    pub kind: FlowKind,
    /// How much, in the kind's unit.
    pub amount: f64,
    /// Funds spent at county level or below.
    pub county_level: bool,
    /// Funds spent on livelihoods (housing, education, health, jobs).
    pub livelihood: bool,
}

/// The share of aid funds to go to livelihoods (methods.md §4.1: "more
/// than 70% of aid to livelihoods").
pub const LIVELIHOOD_NORM: f64 = 0.7;
/// The share of aid funds to go to county level and below ("more than 80%").
pub const COUNTY_NORM: f64 = 0.8;

/// What was delivered, by kind, with the funds' shares.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Delivered {
    /// Funds (yuan).
    pub funds: f64,
    /// Of which on livelihoods.
    pub livelihood_funds: f64,
    /// Of which at county level or below.
    pub county_funds: f64,
    /// Cadres seconded (person-months).
    pub cadre_months: f64,
    /// Technicians seconded (person-months).
    pub technician_months: f64,
    /// Investment guided (yuan).
    pub investment: f64,
    /// Workers placed (persons).
    pub labour: f64,
    /// Purchases (yuan).
    pub purchases: f64,
}

impl Delivered {
    /// The deliveries of `flows` added up.
    pub fn of(flows: &[Flow]) -> Delivered {
        let mut d = Delivered::default();
        for f in flows {
            match f.kind {
                FlowKind::Funds => {
                    d.funds += f.amount;
                    d.livelihood_funds += if f.livelihood { f.amount } else { 0.0 };
                    d.county_funds += if f.county_level { f.amount } else { 0.0 };
                }
                FlowKind::Cadres => d.cadre_months += f.amount,
                FlowKind::Technicians => d.technician_months += f.amount,
                FlowKind::Investment => d.investment += f.amount,
                FlowKind::Labour => d.labour += f.amount,
                FlowKind::Purchases => d.purchases += f.amount,
            }
        }
        d
    }

    /// Adds another's deliveries to these (a donor's or recipient's total).
    pub fn add(&mut self, other: &Delivered) {
        self.funds += other.funds;
        self.livelihood_funds += other.livelihood_funds;
        self.county_funds += other.county_funds;
        self.cadre_months += other.cadre_months;
        self.technician_months += other.technician_months;
        self.investment += other.investment;
        self.labour += other.labour;
        self.purchases += other.purchases;
    }

    /// The share of funds spent on livelihoods (`None` without funds).
    pub fn livelihood_share(&self) -> Option<f64> {
        (self.funds > 0.0).then(|| self.livelihood_funds / self.funds)
    }

    /// The share of funds spent at county level or below.
    pub fn county_share(&self) -> Option<f64> {
        (self.funds > 0.0).then(|| self.county_funds / self.funds)
    }

    /// Whether the funds meet both norms (more than 70% to livelihoods,
    /// more than 80% to county level and below); `None` without funds.
    pub fn meets_norms(&self) -> Option<bool> {
        Some(self.livelihood_share()? > LIVELIHOOD_NORM && self.county_share()? > COUNTY_NORM)
    }
}

/// A donor's obligation split among the recipients it is paired with in
/// a year, in proportion to `weights` (all equal when they sum to 0).
pub fn split_obligation(total: f64, weights: &[f64]) -> Vec<f64> {
    let sum: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
    if sum <= 0.0 {
        let n = weights.len().max(1) as f64;
        return weights.iter().map(|_| total / n).collect();
    }
    weights.iter().map(|w| if w.is_finite() && *w > 0.0 { total * w / sum } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing() -> Pairing {
        Pairing {
            program: "对口援疆 (2010 round)".into(),
            donor: RegionCode::parse("440000").unwrap(),
            recipient: RegionCode::parse("653121").unwrap(),
            start_year: Some(2010),
            end_year: None,
            notes: None,
        }
    }

    #[test]
    fn a_pairing_needs_two_sides_a_programme_and_ordered_years() {
        assert!(pairing().validate().is_ok());
        let mut p = pairing();
        p.recipient = p.donor.clone();
        assert_eq!(p.validate(), Err(PairingError::SelfPaired("440000".into())));
        let mut p = pairing();
        p.end_year = Some(2009);
        assert_eq!(p.validate(), Err(PairingError::Inverted { start: 2010, end: 2009 }));
        let mut p = pairing();
        p.program = " ".into();
        assert_eq!(p.validate(), Err(PairingError::NoProgram));
    }

    #[test]
    fn a_pairing_is_in_force_between_its_years() {
        // Fujian–Nyingchi to 2015, then Fujian–Qamdo from 2016 (methods.md §4.2).
        let mut nyingchi = pairing();
        nyingchi.end_year = Some(2015);
        assert!(nyingchi.active_in(2015) && !nyingchi.active_in(2016) && !nyingchi.active_in(2009));
        let mut open = pairing();
        open.start_year = None;
        assert!(open.active_in(1994));
    }

    #[test]
    fn deliveries_add_up_by_kind_with_the_funds_shares() {
        // 100 to a county-level livelihood project, 50 to a prefecture road:
        // livelihoods 100/150 = 66.7% (below the 70% norm), county level
        // 66.7% (below 80%); 12 person-months of cadres.
        let flow = |kind, amount, county_level, livelihood| Flow { kind, amount, county_level, livelihood };
        let d = Delivered::of(&[
            flow(FlowKind::Funds, 100.0, true, true),
            flow(FlowKind::Funds, 50.0, false, false),
            flow(FlowKind::Cadres, 12.0, false, false),
        ]);
        assert_eq!((d.funds, d.cadre_months), (150.0, 12.0));
        assert!((d.livelihood_share().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(d.meets_norms(), Some(false));
        let good = Delivered::of(&[flow(FlowKind::Funds, 90.0, true, true), flow(FlowKind::Funds, 10.0, true, false)]);
        assert_eq!(
            (good.livelihood_share(), good.county_share(), good.meets_norms()),
            (Some(0.9), Some(1.0), Some(true))
        );
        assert_eq!(Delivered::default().meets_norms(), None);
        assert_eq!(FlowKind::parse("labour").map(FlowKind::unit), Some("persons"));
    }

    #[test]
    fn a_donors_obligation_is_split_among_its_recipients() {
        // Guangdong's 2.785 bn (1% of 278.5 bn) among three counties, equally.
        let parts = split_obligation(2.785e9, &[1.0, 1.0, 1.0]);
        assert!(parts.iter().all(|p| (p - 2.785e9 / 3.0).abs() < 1e-3));
        assert_eq!(split_obligation(90.0, &[2.0, 1.0]), [60.0, 30.0]);
        assert_eq!(split_obligation(90.0, &[0.0, 0.0]), [45.0, 45.0]);
    }
}
