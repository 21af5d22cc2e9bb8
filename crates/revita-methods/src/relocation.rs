//! Poverty-alleviation relocation (易地扶贫搬迁) and its follow-up support
//! (后续扶持), methods.md §2: resettlement sites and their types (§2.4), the
//! housing and cost rules a relocated household is checked against (§2.2),
//! the follow-up KPIs per site, county or province with their alerts (§2.5),
//! and the distances the site-assignment optimiser links origins to sites by.
//!
//! Sources, as methods.md names them: 《全国“十三五”易地扶贫搬迁规划》
//! (NDRC, 2016) for the 25 m² per person red line and the site types; the
//! NDRC white paper 《中国的易地扶贫搬迁政策》 (2018); NDRC and the National
//! Rural Revitalization Administration's 《关于切实做好易地扶贫搬迁后续扶持工作
//! 巩固拓展脱贫攻坚成果的指导意见》 (Apr 2021) for the target that every
//! household with labour capacity has at least one person employed. The
//! self-contribution caps (3,000 yuan per person, 10,000 per household) are
//! marked [U] there: they are flagged for review, never refused.

use std::collections::{BTreeMap, HashSet};

use crate::float::clearly_greater;
use crate::keywords::keywords;

/// The housing red line for registered-poor movers: at most 25 m² per
/// person (§2.2, [V]).
pub const MAX_HOUSING_AREA_PER_PERSON: f64 = 25.0;
/// Self-contribution flagged above this many yuan per person (§2.2, [U]).
pub const MAX_CONTRIBUTION_PER_PERSON: f64 = 3_000.0;
/// Self-contribution flagged above this many yuan per household (§2.2, [U]).
pub const MAX_CONTRIBUTION_PER_HOUSEHOLD: f64 = 10_000.0;
/// The mean Earth radius (IUGG, R₁ = (2a + b)/3 of WGS 84), in metres, that
/// great-circle distances use.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

keywords!(
    /// Where a site lies.
    Setting {
        /// In a town or city (城镇安置).
        Urban => "urban" | "城镇",
        /// In the countryside (农村安置).
        Rural => "rural" | "农村",
    }
);

keywords!(
    /// Concentrated or dispersed resettlement (集中 / 分散安置, §2.4).
    SiteCategory {
        /// A site built for many movers.
        Concentrated => "concentrated" | "集中安置",
        /// Movers placed one by one into existing settlements.
        Dispersed => "dispersed" | "分散安置",
    }
);

keywords!(
    /// The kind of resettlement (§2.4): five concentrated and three
    /// dispersed subtypes.
    SiteSubtype {
        /// Near-by concentration within the administrative village (行政村内就近集中).
        WithinVillage => "within_village" | "行政村内就近集中",
        /// A new migrant village (建设移民新村).
        NewVillage => "new_village" | "移民新村",
        /// In a town or an industrial park (城镇/园区).
        TownOrPark => "town_or_park" | "城镇园区",
        /// Around a major project, a state farm or forest farm (依托项目/农林场).
        ProjectOrFarm => "project_or_farm" | "依托项目农林场",
        /// In a rural tourism area (乡村旅游区).
        Tourism => "tourism" | "乡村旅游区",
        /// Infill into an existing village (插花安置).
        Infill => "infill" | "插花安置",
        /// With relatives or friends (投亲靠友).
        Relatives => "relatives" | "投亲靠友",
        /// A self-arranged move to a town (自主进城).
        SelfUrban => "self_urban" | "自主进城",
    }
);

impl SiteSubtype {
    /// The category the subtype belongs to.
    pub fn category(self) -> SiteCategory {
        match self {
            SiteSubtype::Infill | SiteSubtype::Relatives | SiteSubtype::SelfUrban => SiteCategory::Dispersed,
            _ => SiteCategory::Concentrated,
        }
    }
}

keywords!(
    /// Where a relocated household's workers work.
    EmploymentPlace {
        /// At or near the site (就近就业).
        Local => "local" | "就近",
        /// Elsewhere in the county (县内).
        InCounty => "in_county" | "县内",
        /// Elsewhere in the province (省内).
        InProvince => "in_province" | "省内",
        /// Outside the province (省外).
        OutOfProvince => "out_of_province" | "省外",
    }
);

/// What the rules of §2.2 need of a relocated household.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// A registered-poor household (建档立卡), to which the red line applies.
    pub registered_poor: bool,
    /// Persons moved.
    pub persons: i64,
    /// Labour-capable persons.
    pub labour: i64,
    /// Of them, employed.
    pub employed: i64,
    /// Housing floor area per person (m²).
    pub housing_area_per_person: f64,
    /// The household's own contribution to its housing (yuan).
    pub self_contribution: f64,
    /// Why a registered-poor household may exceed the red line (recorded).
    pub override_reason: Option<String>,
}

/// Why a relocated household's record is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MoverError {
    /// Fewer than one person.
    #[error("a relocated household has at least one person")]
    NoPersons,
    /// A count below zero, or more workers than persons, or more employed
    /// than workers.
    #[error("labour-capable persons must lie between 0 and persons, employed between 0 and labour-capable persons")]
    Counts,
    /// A negative or non-finite area or amount.
    #[error("{0} must be a number of at least 0")]
    Negative(&'static str),
    /// The 25 m² red line crossed without a reason.
    #[error(
        "a registered-poor household may have at most 25 m² per person ({0} m² given) unless an override reason is recorded"
    )]
    HousingAboveRedLine(f64),
}

/// A rule a household's record crosses that calls for review, not refusal.
#[derive(Debug, Clone, PartialEq)]
pub enum MoverFlag {
    /// More than 3,000 yuan per person contributed.
    ContributionPerPerson {
        /// Yuan per person.
        per_person: f64,
    },
    /// More than 10,000 yuan contributed by the household.
    ContributionPerHousehold {
        /// Yuan.
        total: f64,
    },
    /// Above the red line, with the recorded reason.
    HousingOverride {
        /// m² per person.
        area: f64,
        /// The reason given.
        reason: String,
    },
}

impl MoverFlag {
    /// The flag's key: `contribution_per_person`, `contribution_per_household`
    /// or `housing_override`.
    pub fn key(&self) -> &'static str {
        match self {
            MoverFlag::ContributionPerPerson { .. } => "contribution_per_person",
            MoverFlag::ContributionPerHousehold { .. } => "contribution_per_household",
            MoverFlag::HousingOverride { .. } => "housing_override",
        }
    }

    /// The value flagged: yuan per person, yuan, or m² per person.
    pub fn value(&self) -> f64 {
        match self {
            MoverFlag::ContributionPerPerson { per_person } => *per_person,
            MoverFlag::ContributionPerHousehold { total } => *total,
            MoverFlag::HousingOverride { area, .. } => *area,
        }
    }
}

impl std::fmt::Display for MoverFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MoverFlag::ContributionPerPerson { per_person } => write!(
                f,
                "self-contribution of {per_person:.2} yuan per person is above {MAX_CONTRIBUTION_PER_PERSON:.0}"
            ),
            MoverFlag::ContributionPerHousehold { total } => {
                write!(
                    f,
                    "self-contribution of {total:.0} yuan is above {MAX_CONTRIBUTION_PER_HOUSEHOLD:.0} a household"
                )
            }
            MoverFlag::HousingOverride { area, reason } => {
                write!(f, "{area:.1} m² per person, above the {MAX_HOUSING_AREA_PER_PERSON:.0} m² red line: {reason}")
            }
        }
    }
}

/// Checks a relocated household against §2.2: refuses impossible counts and
/// housing above 25 m² per person for a registered-poor household without
/// an override reason; returns the flags for review (self-contribution
/// above the caps, an override used). Values at a cap pass.
pub fn check_mover(m: &Mover) -> Result<Vec<MoverFlag>, MoverError> {
    if m.persons < 1 {
        return Err(MoverError::NoPersons);
    }
    if m.labour < 0 || m.labour > m.persons || m.employed < 0 || m.employed > m.labour {
        return Err(MoverError::Counts);
    }
    let nonnegative = |v: f64| v.is_finite() && v >= 0.0;
    if !nonnegative(m.housing_area_per_person) {
        return Err(MoverError::Negative("housing area per person"));
    }
    if !nonnegative(m.self_contribution) {
        return Err(MoverError::Negative("self-contribution"));
    }
    let mut flags = Vec::new();
    let reason = m.override_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if m.registered_poor && clearly_greater(m.housing_area_per_person, MAX_HOUSING_AREA_PER_PERSON) {
        let reason = reason.ok_or(MoverError::HousingAboveRedLine(m.housing_area_per_person))?;
        flags.push(MoverFlag::HousingOverride { area: m.housing_area_per_person, reason: reason.to_string() });
    }
    let per_person = m.self_contribution / m.persons as f64;
    if clearly_greater(per_person, MAX_CONTRIBUTION_PER_PERSON) {
        flags.push(MoverFlag::ContributionPerPerson { per_person });
    }
    if clearly_greater(m.self_contribution, MAX_CONTRIBUTION_PER_HOUSEHOLD) {
        flags.push(MoverFlag::ContributionPerHousehold { total: m.self_contribution });
    }
    Ok(flags)
}

/// What the follow-up KPIs read of one relocated household.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpHousehold {
    /// The registry household.
    pub household_id: String,
    /// The site it moved to.
    pub site: String,
    /// Persons moved.
    pub persons: i64,
    /// Labour-capable persons.
    pub labour: i64,
    /// Employed persons.
    pub employed: i64,
    /// Its old house is demolished (拆旧).
    pub demolished: bool,
    /// Its old homestead is reclaimed (复垦).
    pub reclaimed: bool,
    /// It is a monitoring object (防止返贫监测对象, §2.5, §9.1).
    pub monitored: bool,
    /// Net income per person by year.
    pub incomes: Vec<(i32, f64)>,
}

/// What the KPIs read of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpSite {
    /// Its code.
    pub code: String,
    /// Housing units.
    pub units: i64,
    /// Property certificates issued.
    pub certificates: i64,
}

/// The follow-up numbers of a group of sites (§2.5 Impl): counts and the
/// shares made from them (`None` where the denominator is zero).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowUp {
    /// Relocated households.
    pub households: i64,
    /// Persons moved.
    pub persons: i64,
    /// Households with at least one labour-capable person.
    pub labour_households: i64,
    /// Of them, with at least one person employed.
    pub labour_households_employed: i64,
    /// Labour-capable persons.
    pub labour: i64,
    /// Employed persons.
    pub employed: i64,
    /// Households under monitoring.
    pub monitored: i64,
    /// Old houses demolished.
    pub demolished: i64,
    /// Homesteads reclaimed.
    pub reclaimed: i64,
    /// Housing units of the group's sites.
    pub units: i64,
    /// Property certificates issued.
    pub certificates: i64,
    /// Persons of the households with income in both years.
    pub income_persons: i64,
    /// Their total income in the previous year (Σ income per person × persons).
    pub income_previous: f64,
    /// And in the year.
    pub income_latest: f64,
}

keywords!(
    /// The follow-up KPIs (§2.5).
    Kpi {
        /// Share of labour households with at least one person employed.
        EmployedHouseholds => "employed_households" | "有劳动力家庭就业率",
        /// Employed relocated workers over labour-capable persons.
        EmploymentRate => "employment_rate" | "搬迁劳动力就业率",
        /// Per-capita income growth, the year over the one before.
        IncomeGrowth => "income_growth" | "人均收入增长率",
        /// Share of households under monitoring (a ceiling, not a floor).
        MonitoredShare => "monitored_share" | "监测对象占比",
        /// Property certificates over housing units.
        CertificateRate => "certificate_rate" | "不动产权证办证率",
        /// Old houses demolished over households.
        DemolitionRate => "demolition_rate" | "拆旧率",
        /// Homesteads reclaimed over households.
        ReclamationRate => "reclamation_rate" | "复垦率",
    }
);

impl FollowUp {
    fn share(part: i64, whole: i64) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }

    /// A KPI's value, if its denominator is not zero.
    pub fn value(&self, kpi: Kpi) -> Option<f64> {
        match kpi {
            Kpi::EmployedHouseholds => Self::share(self.labour_households_employed, self.labour_households),
            Kpi::EmploymentRate => Self::share(self.employed, self.labour),
            Kpi::IncomeGrowth => (self.income_previous > 0.0).then(|| self.income_latest / self.income_previous - 1.0),
            Kpi::MonitoredShare => Self::share(self.monitored, self.households),
            Kpi::CertificateRate => Self::share(self.certificates, self.units),
            Kpi::DemolitionRate => Self::share(self.demolished, self.households),
            Kpi::ReclamationRate => Self::share(self.reclaimed, self.households),
        }
    }

    fn add_household(&mut self, h: &FollowUpHousehold, year: i32) {
        self.households += 1;
        self.persons += h.persons;
        self.labour += h.labour;
        self.employed += h.employed;
        if h.labour >= 1 {
            self.labour_households += 1;
            self.labour_households_employed += i64::from(h.employed >= 1);
        }
        self.monitored += i64::from(h.monitored);
        self.demolished += i64::from(h.demolished);
        self.reclaimed += i64::from(h.reclaimed);
        let income = |y: i32| h.incomes.iter().find(|(iy, _)| *iy == y).map(|(_, v)| *v);
        // Only households with both years count, so that a household
        // recorded for the first time does not pass for growth.
        if let (Some(previous), Some(latest)) = (income(year - 1), income(year)) {
            self.income_persons += h.persons;
            self.income_previous += previous * h.persons as f64;
            self.income_latest += latest * h.persons as f64;
        }
    }
}

/// The follow-up numbers of each group of sites: `group_of` names a site's
/// group (its own code, its county, its province); households whose site is
/// not among `sites` are left out. Income growth compares `year` with
/// `year − 1`, per capita (persons-weighted), over households with both.
pub fn follow_up_by<K: Ord + Clone>(
    households: &[FollowUpHousehold],
    sites: &[FollowUpSite],
    year: i32,
    group_of: impl Fn(&FollowUpSite) -> K,
) -> BTreeMap<K, FollowUp> {
    let mut groups: BTreeMap<K, FollowUp> = BTreeMap::new();
    let mut site_group = std::collections::HashMap::new();
    for s in sites {
        let key = group_of(s);
        let g = groups.entry(key.clone()).or_default();
        g.units += s.units;
        g.certificates += s.certificates;
        site_group.insert(s.code.as_str(), key);
    }
    for h in households {
        if let Some(key) = site_group.get(h.site.as_str()) {
            groups.entry(key.clone()).or_default().add_household(h, year);
        }
    }
    groups
}

/// Whether a KPI's target is a floor (at least) or a ceiling (at most).
pub fn is_ceiling(kpi: Kpi) -> bool {
    kpi == Kpi::MonitoredShare
}

/// The targets sites are held to; `None` holds none.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets(pub BTreeMap<Kpi, Option<f64>>);

impl Default for Targets {
    /// The defaults (§2.5): every labour household with someone employed
    /// (100%, [V]); the employment rate of relocated labour at the 2021
    /// national figure (92%, [V] as a result, used as a floor [Impl]);
    /// income not falling (growth ≥ 0, [Impl]); property certificates for
    /// every unit ("as fully as possible", 100%); old houses demolished at
    /// the March 2020 national rate (88%, [Impl]); no default for the
    /// monitoring share or reclamation.
    fn default() -> Targets {
        Targets(BTreeMap::from([
            (Kpi::EmployedHouseholds, Some(1.0)),
            (Kpi::EmploymentRate, Some(0.92)),
            (Kpi::IncomeGrowth, Some(0.0)),
            (Kpi::MonitoredShare, None),
            (Kpi::CertificateRate, Some(1.0)),
            (Kpi::DemolitionRate, Some(0.88)),
            (Kpi::ReclamationRate, None),
        ]))
    }
}

/// A group below (or, for a ceiling, above) its target on a KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiAlert<K> {
    /// The group (a site's code, a county).
    pub group: K,
    /// The KPI.
    pub kpi: Kpi,
    /// Its value.
    pub value: f64,
    /// The target it misses.
    pub target: f64,
}

/// Every KPI of every group that misses its target, by group then KPI; a
/// value equal to the target up to rounding meets it, and a KPI without a
/// value (no denominator) raises no alert.
pub fn kpi_alerts<K: Ord + Clone>(groups: &BTreeMap<K, FollowUp>, targets: &Targets) -> Vec<KpiAlert<K>> {
    let mut alerts = Vec::new();
    for (group, numbers) in groups {
        for &kpi in Kpi::ALL {
            let (Some(Some(target)), Some(value)) = (targets.0.get(&kpi), numbers.value(kpi)) else {
                continue;
            };
            let misses =
                if is_ceiling(kpi) { clearly_greater(value, *target) } else { clearly_greater(*target, value) };
            if misses {
                alerts.push(KpiAlert { group: group.clone(), kpi, value, target: *target });
            }
        }
    }
    alerts
}

/// The labour households with nobody employed (the follow-up target's
/// failures, §2.5), in the order given.
pub fn unemployed_labour_households(households: &[FollowUpHousehold]) -> Vec<&FollowUpHousehold> {
    households.iter().filter(|h| h.labour >= 1 && h.employed == 0).collect()
}

/// The great-circle distance between two points (degrees of longitude and
/// latitude) on a sphere of radius [`EARTH_RADIUS_M`], by the haversine
/// formula, rounded to whole metres. Within 0.5% of the ellipsoidal
/// distance, ample for choosing among resettlement sites.
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> i64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = (lat2 - lat1).to_radians();
    let d_lambda = (lon2 - lon1).to_radians();
    let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    // min(1): rounding can push `a` a hair above 1 for antipodes.
    let c = 2.0 * a.sqrt().min(1.0).asin();
    (EARTH_RADIUS_M * c).round() as i64
}

/// A point with an identifier: an origin or a site.
#[derive(Debug, Clone, PartialEq)]
pub struct Point<I> {
    /// Its identifier.
    pub id: I,
    /// Longitude (degrees).
    pub lon: f64,
    /// Latitude (degrees).
    pub lat: f64,
}

/// Links from every origin to its `k` nearest sites by great-circle
/// distance in metres (ties by the sites' order), for
/// [`assign`](crate::assignment::assign). A maximum distance is left to
/// [`Options::max_cost`](crate::assignment::Options::max_cost), so that an
/// origin with nothing in reach is reported as such rather than silently
/// unlinked. Points with a non-finite coordinate are skipped; a repeated
/// site identifier is linked once.
pub fn nearest_links<I: Clone + Eq + std::hash::Hash>(
    origins: &[Point<I>],
    sites: &[Point<I>],
    k: usize,
) -> Vec<crate::assignment::Link<I>> {
    let finite = |p: &&Point<I>| p.lon.is_finite() && p.lat.is_finite();
    let mut seen = HashSet::new();
    let sites: Vec<&Point<I>> = sites.iter().filter(finite).filter(|s| seen.insert(s.id.clone())).collect();
    let mut links = Vec::new();
    for o in origins.iter().filter(finite) {
        let mut near: Vec<(i64, usize)> =
            sites.iter().enumerate().map(|(i, s)| (haversine_m(o.lon, o.lat, s.lon, s.lat), i)).collect();
        near.sort_unstable();
        links.extend(near.into_iter().take(k).map(|(cost, i)| crate::assignment::Link {
            origin: o.id.clone(),
            site: sites[i].id.clone(),
            cost,
        }));
    }
    links
}

#[cfg(test)]
mod tests;
