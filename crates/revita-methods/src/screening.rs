//! Household screening for return-to-poverty monitoring (防止返贫动态监测) and
//! the Alkire–Foster multidimensional poverty index (MPI).
//!
//! Sources: methods.md §9.1 (the monitoring line, the triggers: income below
//! the line, a sharp income drop, rigid expenditure, the "three guarantees"
//! and drinking water) and §9.2 (Alkire & Foster 2011, the global MPI of
//! Alkire & Jahan 2018: ten indicators, weights 1/6 for health and education,
//! 1/18 for living standards, poverty cut-off k = 1/3). The exact rules and
//! the county table are fixed by the benchmark contract `bench/SPEC.md` B1,
//! so that revita's numbers can be checked against DuckDB, Polars and pandas.
//!
//! Scores are kept in eighteenths, so that every MPI sum is an integer and
//! summation order cannot change a count.

/// Per-indicator deprivations of a household: the ten global-MPI indicators
/// and enrolment in basic medical insurance (a "three guarantees" item that is
/// not part of the MPI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deprivation {
    /// Health: any eligible member is undernourished.
    Nutrition,
    /// Health: a child under 18 died in the last five years.
    ChildMortality,
    /// Education: no member has completed six years of schooling.
    Schooling,
    /// Education: a school-aged child is not attending school.
    Attendance,
    /// Living standard: cooks with dung, wood, charcoal or coal.
    Cooking,
    /// Living standard: unimproved or shared sanitation.
    Sanitation,
    /// Living standard: unsafe drinking water or a long walk to it.
    Water,
    /// Living standard: no electricity.
    Electricity,
    /// Living standard: inadequate floor, roof or walls.
    Housing,
    /// Living standard: at most one small asset and no car.
    Assets,
    /// Not enrolled in basic medical insurance (not an MPI indicator).
    HealthInsurance,
}

impl Deprivation {
    /// Every deprivation, in the column order of SPEC B1.
    pub const ALL: [Deprivation; 11] = [
        Deprivation::Nutrition,
        Deprivation::ChildMortality,
        Deprivation::Schooling,
        Deprivation::Attendance,
        Deprivation::Cooking,
        Deprivation::Sanitation,
        Deprivation::Water,
        Deprivation::Electricity,
        Deprivation::Housing,
        Deprivation::Assets,
        Deprivation::HealthInsurance,
    ];

    /// The ten indicators of the global MPI, in the order of methods.md §9.2.
    pub const MPI: [Deprivation; 10] = [
        Deprivation::Nutrition,
        Deprivation::ChildMortality,
        Deprivation::Schooling,
        Deprivation::Attendance,
        Deprivation::Cooking,
        Deprivation::Sanitation,
        Deprivation::Water,
        Deprivation::Electricity,
        Deprivation::Housing,
        Deprivation::Assets,
    ];

    /// The indicator's short name, as used in column names (`d_<name>`,
    /// `ch_<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Deprivation::Nutrition => "nutrition",
            Deprivation::ChildMortality => "child_mortality",
            Deprivation::Schooling => "schooling",
            Deprivation::Attendance => "attendance",
            Deprivation::Cooking => "cooking",
            Deprivation::Sanitation => "sanitation",
            Deprivation::Water => "water",
            Deprivation::Electricity => "electricity",
            Deprivation::Housing => "housing",
            Deprivation::Assets => "assets",
            Deprivation::HealthInsurance => "health_ins",
        }
    }

    /// The global-MPI weight in eighteenths: 3 (= 1/6) for the two health and
    /// two education indicators, 1 (= 1/18) for the six living-standard ones,
    /// 0 for health insurance.
    pub fn mpi_weight(self) -> u32 {
        match self {
            Deprivation::Nutrition | Deprivation::ChildMortality | Deprivation::Schooling | Deprivation::Attendance => {
                3
            }
            Deprivation::HealthInsurance => 0,
            _ => 1,
        }
    }

    /// The bit of this deprivation in [`Household::deprived`].
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// The denominator of MPI scores: weights and scores are in eighteenths.
pub const MPI_SCALE: u32 = 18;

/// The poverty cut-off k = 1/3 of the global MPI, in eighteenths.
pub const MPI_POOR_CUTOFF: u32 = 6;

/// The weights of the ten MPI indicators (order of [`Deprivation::MPI`]) as
/// whole parts of their sum: w_j = parts_j / Σ parts (methods.md §9.2 step 2
/// lets a department re-weight; the global MPI's 1/6 and 1/18 are
/// [`MpiWeights::GLOBAL`], 3 and 1 parts of 18). Whole parts keep every
/// deprivation score an integer, so tallies merge exactly in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MpiWeights {
    parts: [u32; 10],
}

impl Default for MpiWeights {
    fn default() -> MpiWeights {
        MpiWeights::GLOBAL
    }
}

impl MpiWeights {
    /// The global MPI (Alkire & Jahan 2018): 1/6 for each health and
    /// education indicator, 1/18 for each living-standard one.
    pub const GLOBAL: MpiWeights = MpiWeights { parts: [3, 3, 3, 3, 1, 1, 1, 1, 1, 1] };

    /// The largest part accepted, which keeps Σ size × score far inside `u64`.
    pub const MAX_PART: u32 = 1000;

    /// Weights from whole parts; at least one part must be positive.
    pub fn new(parts: [u32; 10]) -> Result<MpiWeights, ScreeningError> {
        if let Some(p) = parts.iter().find(|p| **p > MpiWeights::MAX_PART) {
            return Err(ScreeningError::WeightAboveLimit(*p));
        }
        if parts.iter().all(|p| *p == 0) {
            return Err(ScreeningError::NoPositiveWeight);
        }
        Ok(MpiWeights { parts })
    }

    /// Weights written as ten whole numbers separated by commas or spaces,
    /// e.g. `3,3,3,3,1,1,1,1,1,1` for the global MPI.
    pub fn parse(text: &str) -> Result<MpiWeights, ScreeningError> {
        let numbers: Vec<&str> = text.split([',', ' ', '，']).filter(|t| !t.is_empty()).collect();
        if numbers.len() != 10 {
            return Err(ScreeningError::WeightCount(numbers.len()));
        }
        let mut parts = [0u32; 10];
        for (part, number) in parts.iter_mut().zip(numbers) {
            *part = number.parse().map_err(|_| ScreeningError::WeightNotWhole(number.to_string()))?;
        }
        MpiWeights::new(parts)
    }

    /// The parts, in [`Deprivation::MPI`] order.
    pub fn parts(&self) -> [u32; 10] {
        self.parts
    }

    /// The weights written as [`MpiWeights::parse`] reads them.
    pub fn to_text(&self) -> String {
        self.parts.map(|p| p.to_string()).join(",")
    }

    /// Σ parts: the denominator of every score under these weights.
    pub fn scale(&self) -> u32 {
        self.parts.iter().sum()
    }

    /// The weight w_j of the `j`-th indicator as a fraction of one.
    pub fn weight(&self, j: usize) -> f64 {
        f64::from(self.parts[j]) / f64::from(self.scale())
    }

    /// The deprivation score c_i in parts: Σ parts_j over the indicators
    /// the household is deprived in.
    #[inline]
    pub fn score(&self, deprived: u16) -> u32 {
        Deprivation::MPI.iter().zip(self.parts).filter(|(d, _)| deprived & d.bit() != 0).map(|(_, p)| p).sum()
    }

    /// The poverty cut-off k (a fraction of one, 0 < k ≤ 1) in parts: the
    /// smallest whole score s with s ≥ k · scale − 0.01. The hundredth of a
    /// part of slack lets a rounded k (0.3333) mean the fraction it stands
    /// for (1/3, six parts of 18).
    pub fn cutoff(&self, k: f64) -> Result<u32, ScreeningError> {
        if !(k > 0.0 && k <= 1.0) {
            return Err(ScreeningError::CutoffOutOfRange(k.to_string()));
        }
        Ok((k * f64::from(self.scale()) - 0.01).ceil().max(1.0) as u32)
    }
}

/// Reads a cut-off k written as a fraction (`1/3`) or a decimal (`0.5`).
pub fn parse_cutoff(text: &str) -> Result<f64, ScreeningError> {
    let text = text.trim();
    let not_a_number = || ScreeningError::CutoffNotANumber(text.to_string());
    let value = match text.split_once('/') {
        Some((num, den)) => {
            let (num, den): (f64, f64) =
                (num.trim().parse().map_err(|_| not_a_number())?, den.trim().parse().map_err(|_| not_a_number())?);
            num / den
        }
        None => text.parse().map_err(|_| not_a_number())?,
    };
    if value > 0.0 && value <= 1.0 { Ok(value) } else { Err(ScreeningError::CutoffOutOfRange(text.to_string())) }
}

/// Why MPI weights or a cut-off cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScreeningError {
    /// A weight has more parts than [`MpiWeights::MAX_PART`].
    #[error("a weight of {0} parts is above the limit of {max}", max = MpiWeights::MAX_PART)]
    WeightAboveLimit(u32),
    /// Every weight is zero.
    #[error("at least one indicator needs a positive weight")]
    NoPositiveWeight,
    /// Not ten weights.
    #[error("weights need ten whole numbers (one per indicator), not {0}")]
    WeightCount(usize),
    /// A weight is not a whole number.
    #[error("weight '{0}' is not a whole number of parts")]
    WeightNotWhole(String),
    /// A cut-off is neither a number nor a fraction.
    #[error("k '{0}' is not a number or a fraction")]
    CutoffNotANumber(String),
    /// A cut-off outside (0, 1].
    #[error("the cut-off k = {0} is not in (0, 1]")]
    CutoffOutOfRange(String),
}

/// The monitoring line of SPEC B1 (yuan per person per year) when none is given.
pub const DEFAULT_LINE: f64 = 7600.0;

/// Village codes have exactly 12 digits.
const VILLAGE_CODES: std::ops::RangeInclusive<i64> = 100_000_000_000..=999_999_999_999;

/// One household as screened: the columns of SPEC B1 except the id.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Household {
    /// 12-digit village code; the county is its first six digits.
    pub village_code: i64,
    /// Members (at least 1).
    pub size: i32,
    /// Members able to work (0..=size).
    pub labor: i32,
    /// Per-capita net income this year, yuan.
    pub income_pc: f64,
    /// Per-capita net income last year, yuan.
    pub income_pc_prev: f64,
    /// Out-of-pocket medical spending this year, yuan (whole household).
    pub medical_exp: f64,
    /// Education spending this year, yuan (whole household).
    pub education_exp: f64,
    /// Loss from disasters this year, yuan (whole household).
    pub disaster_loss: f64,
    /// One bit per [`Deprivation`] ([`Deprivation::bit`]).
    pub deprived: u16,
}

/// What is wrong with a household record: the column at fault and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{column}: {reason}")]
pub struct HouseholdProblem {
    /// The column's name in SPEC B1.
    pub column: &'static str,
    /// What is wrong, in words a user can act on.
    pub reason: String,
}

impl HouseholdProblem {
    fn new(column: &'static str, reason: impl Into<String>) -> HouseholdProblem {
        HouseholdProblem { column, reason: reason.into() }
    }
}

/// Which monitoring triggers fired for a household (methods.md §9.1, with the
/// exact inequalities of SPEC B1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// Income below the monitoring line.
    pub income: bool,
    /// Income below 1.5 × the line and below 70% of last year's.
    pub drop: bool,
    /// Rigid expenditure above half of the household's income.
    pub expense: bool,
    /// A "three guarantees" or drinking-water gap: a child out of school, no
    /// medical insurance, unsafe housing or unsafe water.
    pub guarantee: bool,
}

impl Flags {
    /// Whether any trigger fired, i.e. the household is flagged for monitoring.
    pub fn any(self) -> bool {
        self.income | self.drop | self.expense | self.guarantee
    }
}

impl Household {
    /// The six-digit county code: `village_code / 1_000_000`.
    pub fn county(&self) -> u32 {
        (self.village_code / 1_000_000) as u32
    }

    /// Whether the household is deprived in `d`.
    pub fn is_deprived(&self, d: Deprivation) -> bool {
        self.deprived & d.bit() != 0
    }

    /// Checks the record against SPEC B1's domain: a 12-digit village code,
    /// at least one member, 0 ≤ labour ≤ size, and finite amounts with
    /// non-negative spending and losses. (Net income may be negative: a
    /// business can lose money.)
    pub fn check(&self) -> Result<(), HouseholdProblem> {
        if !VILLAGE_CODES.contains(&self.village_code) {
            return Err(HouseholdProblem::new(
                "village_code",
                format!("{} is not a 12-digit village code", self.village_code),
            ));
        }
        if self.size < 1 {
            return Err(HouseholdProblem::new(
                "size",
                format!("a household has at least one member, not {}", self.size),
            ));
        }
        if self.labor < 0 || self.labor > self.size {
            return Err(HouseholdProblem::new(
                "labor",
                format!("{} members able to work is outside 0..={} (the household size)", self.labor, self.size),
            ));
        }
        for (column, value) in [("income_pc", self.income_pc), ("income_pc_prev", self.income_pc_prev)] {
            if !value.is_finite() {
                return Err(HouseholdProblem::new(column, format!("{value} is not a finite amount")));
            }
        }
        for (column, value) in [
            ("medical_exp", self.medical_exp),
            ("education_exp", self.education_exp),
            ("disaster_loss", self.disaster_loss),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(HouseholdProblem::new(column, format!("{value} is not a non-negative amount")));
            }
        }
        Ok(())
    }

    /// The monitoring triggers against the line `line` (yuan per person).
    ///
    /// Floating-point order follows SPEC B1 exactly, because amounts have two
    /// decimals and exact ties occur: spending is `(medical + education) +
    /// disaster` and the threshold `(0.5 × income_pc) × size`.
    #[inline]
    pub fn flags(&self, line: f64) -> Flags {
        let income = self.income_pc < line;
        let drop = self.income_pc < 1.5 * line && self.income_pc < 0.7 * self.income_pc_prev;
        let spending = (self.medical_exp + self.education_exp) + self.disaster_loss;
        let expense = spending > (0.5 * self.income_pc) * f64::from(self.size);
        const GUARANTEES: u16 = Deprivation::Attendance.bit()
            | Deprivation::HealthInsurance.bit()
            | Deprivation::Housing.bit()
            | Deprivation::Water.bit();
        let guarantee = self.deprived & GUARANTEES != 0;
        Flags { income, drop, expense, guarantee }
    }

    /// The global-MPI deprivation score c_i in eighteenths (methods.md §9.2
    /// step 2): 3 × (health and education deprivations) + (living-standard
    /// deprivations).
    #[inline]
    pub fn mpi_score(&self) -> u32 {
        const HEAVY: u16 = Deprivation::Nutrition.bit()
            | Deprivation::ChildMortality.bit()
            | Deprivation::Schooling.bit()
            | Deprivation::Attendance.bit();
        const LIGHT: u16 = Deprivation::Cooking.bit()
            | Deprivation::Sanitation.bit()
            | Deprivation::Water.bit()
            | Deprivation::Electricity.bit()
            | Deprivation::Housing.bit()
            | Deprivation::Assets.bit();
        3 * (self.deprived & HEAVY).count_ones() + (self.deprived & LIGHT).count_ones()
    }

    /// Whether the household (and so each of its members) is MPI-poor: c_i ≥ k.
    pub fn is_mpi_poor(&self) -> bool {
        self.mpi_score() >= MPI_POOR_CUTOFF
    }
}

/// Running totals of one group of households (a county, a province, …),
/// from which the SPEC B1 county row follows. Everything is an integer, so
/// tallies of parts merge exactly in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Households.
    pub households: u64,
    /// People (sum of sizes): n in methods.md §9.2.
    pub people: u64,
    /// Households with any trigger.
    pub flagged: u64,
    /// Households below the line.
    pub f_income: u64,
    /// Households with a sharp income drop.
    pub f_drop: u64,
    /// Households with heavy rigid expenditure.
    pub f_expense: u64,
    /// Households with a guarantee or water gap.
    pub f_guarantee: u64,
    /// People in MPI-poor households: q.
    pub mpi_poor_people: u64,
    /// Σ size × c_i over MPI-poor households, in eighteenths: Σ c_i(k).
    pub poor_score: u64,
    /// Per MPI indicator (order of [`Deprivation::MPI`]): people in
    /// households that are MPI-poor and deprived in it.
    pub censored: [u64; 10],
}

impl Tally {
    /// Adds one household screened against `line`, MPI-poor at the global
    /// MPI's cut-off k = 1/3.
    #[inline]
    pub fn add(&mut self, h: &Household, line: f64) {
        self.add_with_cutoff(h, line, MPI_POOR_CUTOFF);
    }

    /// Adds one household, MPI-poor at a score of at least `cutoff`
    /// eighteenths (the k of methods.md §9.2 step 3: 6 for 1/3, 9 for the
    /// "severe" 1/2).
    #[inline]
    pub fn add_with_cutoff(&mut self, h: &Household, line: f64, cutoff: u32) {
        // The global weights' score by bit counts: the file screen's hot path.
        self.add_scored(h, line, h.mpi_score(), cutoff);
    }

    /// Adds one household under `weights`, MPI-poor at a score of at least
    /// `cutoff` parts (see [`MpiWeights::cutoff`]). Read the result with the
    /// `*_under` methods and the same weights.
    #[inline]
    pub fn add_weighted(&mut self, h: &Household, line: f64, weights: &MpiWeights, cutoff: u32) {
        self.add_scored(h, line, weights.score(h.deprived), cutoff);
    }

    /// Adds one household whose deprivation score is `score`.
    #[inline]
    fn add_scored(&mut self, h: &Household, line: f64, score: u32, cutoff: u32) {
        let size = h.size as u64;
        let flags = h.flags(line);
        self.households += 1;
        self.people += size;
        self.flagged += u64::from(flags.any());
        self.f_income += u64::from(flags.income);
        self.f_drop += u64::from(flags.drop);
        self.f_expense += u64::from(flags.expense);
        self.f_guarantee += u64::from(flags.guarantee);
        if score >= cutoff {
            self.mpi_poor_people += size;
            self.poor_score += size * u64::from(score);
            for (i, d) in Deprivation::MPI.iter().enumerate() {
                self.censored[i] += size * u64::from(h.deprived & d.bit() != 0);
            }
        }
    }

    /// Intensity A under `weights` (the tally built with them).
    pub fn intensity_under(&self, weights: &MpiWeights) -> f64 {
        if self.mpi_poor_people == 0 {
            return 0.0;
        }
        self.poor_score as f64 / f64::from(weights.scale()) / self.mpi_poor_people as f64
    }

    /// M0 = H × A under `weights`.
    pub fn m0_under(&self, weights: &MpiWeights) -> f64 {
        self.headcount() * self.intensity_under(weights)
    }

    /// Each indicator's share of M0 under `weights`, w_j · h_j(k) / M0; the
    /// shares sum to 1 (all 0 when M0 is 0).
    pub fn contributions_under(&self, weights: &MpiWeights) -> [f64; 10] {
        let mut shares = [0.0; 10];
        if self.poor_score == 0 {
            return shares;
        }
        for (i, part) in weights.parts().iter().enumerate() {
            shares[i] = (u64::from(*part) * self.censored[i]) as f64 / self.poor_score as f64;
        }
        shares
    }

    /// This group's contribution to the M0 of `whole` (the tally of every
    /// group, built with the same weights): v_g · M0_g / M0 with v_g = n_g / n
    /// (methods.md §9.2 step 8, subgroup decomposition). Since n_g · M0_g is
    /// the group's deprivation score over the weights' scale, the share is
    /// the ratio of the two scores: exact, whatever the weights. 0 when the
    /// whole has no MPI-poor people.
    pub fn share_of_m0(&self, whole: &Tally) -> f64 {
        ratio(self.poor_score, whole.poor_score)
    }

    /// Adds another tally's totals to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.households += other.households;
        self.people += other.people;
        self.flagged += other.flagged;
        self.f_income += other.f_income;
        self.f_drop += other.f_drop;
        self.f_expense += other.f_expense;
        self.f_guarantee += other.f_guarantee;
        self.mpi_poor_people += other.mpi_poor_people;
        self.poor_score += other.poor_score;
        for (mine, theirs) in self.censored.iter_mut().zip(other.censored) {
            *mine += theirs;
        }
    }

    /// Headcount ratio H = q / n (methods.md §9.2 step 4); 0 for no people.
    pub fn headcount(&self) -> f64 {
        ratio(self.mpi_poor_people, self.people)
    }

    /// Intensity A = Σ c_i(k) / q (step 5) under the global weights; 0 when
    /// nobody is poor.
    pub fn intensity(&self) -> f64 {
        self.intensity_under(&MpiWeights::GLOBAL)
    }

    /// Adjusted headcount ratio M0 = H × A (step 6) under the global weights.
    pub fn m0(&self) -> f64 {
        self.m0_under(&MpiWeights::GLOBAL)
    }

    /// Censored headcount ratios h_j(k) (step 7), in the order of
    /// [`Deprivation::MPI`].
    pub fn censored_headcounts(&self) -> [f64; 10] {
        self.censored.map(|people| ratio(people, self.people))
    }

    /// Each indicator's share of M0, w_j · h_j(k) / M0 (step 7), under the
    /// global weights, in the order of [`Deprivation::MPI`]; the shares sum to
    /// 1 (all 0 when M0 is 0).
    pub fn contributions(&self) -> [f64; 10] {
        self.contributions_under(&MpiWeights::GLOBAL)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// County codes are six digits, so a flat index of a million slots maps a
/// county straight to its tally without hashing.
const COUNTY_SLOTS: usize = 1_000_000;

/// Tallies by county, as one screening worker builds them: a flat index from
/// county code to a dense list of tallies, so adding a household costs one
/// array lookup.
#[derive(Debug, Clone)]
pub struct CountyTallies {
    line: f64,
    cutoff: u32,
    /// 0 = county not seen yet; otherwise its position in `tallies` + 1.
    slot: Vec<u32>,
    counties: Vec<u32>,
    tallies: Vec<Tally>,
}

impl CountyTallies {
    /// Empty tallies for screening against the monitoring line `line`.
    pub fn new(line: f64) -> CountyTallies {
        CountyTallies::with_cutoff(line, MPI_POOR_CUTOFF)
    }

    /// Empty tallies with the MPI cut-off k at `cutoff` eighteenths.
    pub fn with_cutoff(line: f64, cutoff: u32) -> CountyTallies {
        CountyTallies { line, cutoff, slot: vec![0; COUNTY_SLOTS], counties: Vec::new(), tallies: Vec::new() }
    }

    /// The monitoring line households are screened against.
    pub fn line(&self) -> f64 {
        self.line
    }

    /// Adds a checked household (see [`Household::check`]) to its county.
    #[inline]
    pub fn add(&mut self, h: &Household) {
        let (line, cutoff) = (self.line, self.cutoff);
        self.tally_mut(h.county()).add_with_cutoff(h, line, cutoff);
    }

    fn tally_mut(&mut self, county: u32) -> &mut Tally {
        let slot = &mut self.slot[county as usize];
        if *slot == 0 {
            self.counties.push(county);
            self.tallies.push(Tally::default());
            *slot = self.tallies.len() as u32;
        }
        &mut self.tallies[*slot as usize - 1]
    }

    /// Adds another worker's tallies to these.
    pub fn merge(&mut self, other: &CountyTallies) {
        for (county, tally) in other.counties.iter().zip(&other.tallies) {
            self.tally_mut(*county).merge(tally);
        }
    }

    /// Counties and their tallies, sorted by county code.
    pub fn sorted(&self) -> Vec<(u32, Tally)> {
        let mut rows: Vec<(u32, Tally)> = self.counties.iter().copied().zip(self.tallies.iter().copied()).collect();
        rows.sort_unstable_by_key(|(county, _)| *county);
        rows
    }

    /// The tally of all counties together.
    pub fn total(&self) -> Tally {
        let mut total = Tally::default();
        for tally in &self.tallies {
            total.merge(tally);
        }
        total
    }
}

/// The administrative levels a village code can be grouped to, by its
/// leading digits (GB/T 2260 and the NBS 12-digit codes: 2 province, 4
/// prefecture, 6 county, 9 township, 12 village).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupLevel {
    /// 省.
    Province,
    /// 地.
    Prefecture,
    /// 县.
    County,
    /// 乡镇.
    Township,
    /// 村.
    Village,
}

impl GroupLevel {
    /// Every level, top down.
    pub const ALL: [GroupLevel; 5] =
        [GroupLevel::Province, GroupLevel::Prefecture, GroupLevel::County, GroupLevel::Township, GroupLevel::Village];

    /// The level's name (as region levels are named).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupLevel::Province => "province",
            GroupLevel::Prefecture => "prefecture",
            GroupLevel::County => "county",
            GroupLevel::Township => "township",
            GroupLevel::Village => "village",
        }
    }

    /// The level named so.
    pub fn parse(text: &str) -> Option<GroupLevel> {
        GroupLevel::ALL.into_iter().find(|l| l.as_str() == text.trim())
    }

    /// The leading digits of a village code that name the group.
    pub fn digits(self) -> u32 {
        match self {
            GroupLevel::Province => 2,
            GroupLevel::Prefecture => 4,
            GroupLevel::County => 6,
            GroupLevel::Township => 9,
            GroupLevel::Village => 12,
        }
    }

    /// The level below (none below villages).
    pub fn below(self) -> Option<GroupLevel> {
        GroupLevel::ALL.iter().position(|l| *l == self).and_then(|i| GroupLevel::ALL.get(i + 1)).copied()
    }

    /// The group's code for a village code: its leading digits, padded with
    /// zeros to the six of a region code where shorter (province 52 →
    /// 520000).
    pub fn code_of(self, village_code: i64) -> String {
        let digits = self.digits();
        let lead = village_code / 10_i64.pow(12 - digits);
        if digits < 6 { format!("{lead:0<6}") } else { lead.to_string() }
    }
}

#[cfg(test)]
mod tests;
