//! Hand-checked cases for relocation (methods.md §2.2, §2.5): the red line
//! and the caps at their edges, KPIs over a small set of households worked
//! out by hand, alerts against targets, and great-circle distances.

use super::*;

fn mover(poor: bool, persons: i64, area: f64, contribution: f64, reason: Option<&str>) -> Mover {
    Mover {
        registered_poor: poor,
        persons,
        labour: 1,
        employed: 1,
        housing_area_per_person: area,
        self_contribution: contribution,
        override_reason: reason.map(str::to_string),
    }
}

#[test]
fn the_red_line_refuses_poor_movers_above_25_m2_without_a_reason() {
    assert_eq!(check_mover(&mover(true, 4, 25.0, 0.0, None)), Ok(vec![]));
    assert_eq!(check_mover(&mover(true, 4, 25.1, 0.0, None)), Err(MoverError::HousingAboveRedLine(25.1)));
    // A blank reason is no reason.
    assert_eq!(check_mover(&mover(true, 4, 25.1, 0.0, Some("  "))), Err(MoverError::HousingAboveRedLine(25.1)));
    assert_eq!(
        check_mover(&mover(true, 4, 30.0, 0.0, Some("disabled member's room"))),
        Ok(vec![MoverFlag::HousingOverride { area: 30.0, reason: "disabled member's room".into() }])
    );
    // Same-time movers who are not registered poor are not held to it.
    assert_eq!(check_mover(&mover(false, 4, 40.0, 0.0, None)), Ok(vec![]));
}

#[test]
fn contributions_above_the_caps_are_flagged_not_refused() {
    // 3 persons × 3,000 = 9,000: at both caps' sides → nothing.
    assert_eq!(check_mover(&mover(true, 3, 20.0, 9_000.0, None)), Ok(vec![]));
    // 2 persons, 6,001 → 3,000.5 per person.
    assert_eq!(
        check_mover(&mover(true, 2, 20.0, 6_001.0, None)),
        Ok(vec![MoverFlag::ContributionPerPerson { per_person: 3_000.5 }])
    );
    // 5 persons, 10,000 → 2,000 per person, 10,000 per household: passes; 10,500 flags the household cap.
    assert_eq!(check_mover(&mover(true, 5, 20.0, 10_000.0, None)), Ok(vec![]));
    assert_eq!(
        check_mover(&mover(true, 5, 20.0, 10_500.0, None)),
        Ok(vec![MoverFlag::ContributionPerHousehold { total: 10_500.0 }])
    );
}

#[test]
fn flags_say_what_crossed_which_cap() {
    let per_person = MoverFlag::ContributionPerPerson { per_person: 3_000.5 };
    assert_eq!((per_person.key(), per_person.value()), ("contribution_per_person", 3_000.5));
    assert_eq!(per_person.to_string(), "self-contribution of 3000.50 yuan per person is above 3000");
    let household = MoverFlag::ContributionPerHousehold { total: 10_500.0 };
    assert_eq!(household.to_string(), "self-contribution of 10500 yuan is above 10000 a household");
    let housing = MoverFlag::HousingOverride { area: 27.25, reason: "disabled member".into() };
    assert_eq!(housing.key(), "housing_override");
    assert_eq!(housing.to_string(), "27.2 m² per person, above the 25 m² red line: disabled member");
}

#[test]
fn impossible_counts_are_refused() {
    assert_eq!(check_mover(&mover(true, 0, 20.0, 0.0, None)), Err(MoverError::NoPersons));
    let mut m = mover(true, 2, 20.0, 0.0, None);
    m.labour = 3;
    assert_eq!(check_mover(&m), Err(MoverError::Counts));
    m.labour = 1;
    m.employed = 2;
    assert_eq!(check_mover(&m), Err(MoverError::Counts));
    m.employed = 0;
    m.self_contribution = -1.0;
    assert_eq!(check_mover(&m), Err(MoverError::Negative("self-contribution")));
    m.self_contribution = 0.0;
    m.housing_area_per_person = f64::NAN;
    assert_eq!(check_mover(&m), Err(MoverError::Negative("housing area per person")));
}

#[test]
fn subtypes_know_their_category() {
    assert_eq!(SiteSubtype::TownOrPark.category(), SiteCategory::Concentrated);
    assert_eq!(SiteSubtype::Relatives.category(), SiteCategory::Dispersed);
    assert_eq!(SiteSubtype::parse("投亲靠友"), Some(SiteSubtype::Relatives));
    assert_eq!(SiteSubtype::parse("SELF_URBAN"), Some(SiteSubtype::SelfUrban));
    assert_eq!(EmploymentPlace::parse("out_of_province"), Some(EmploymentPlace::OutOfProvince));
}

fn household(
    id: &str,
    site: &str,
    persons: i64,
    labour: i64,
    employed: i64,
    incomes: &[(i32, f64)],
) -> FollowUpHousehold {
    FollowUpHousehold {
        household_id: id.into(),
        site: site.into(),
        persons,
        labour,
        employed,
        demolished: false,
        reclaimed: false,
        monitored: false,
        incomes: incomes.to_vec(),
    }
}

/// Site A (county 1): three households; site B (county 1): one; site C
/// (county 2): none. Worked by hand below.
fn example() -> (Vec<FollowUpHousehold>, Vec<FollowUpSite>) {
    let mut h1 = household("H1", "A", 4, 2, 1, &[(2023, 5_000.0), (2024, 6_000.0)]);
    h1.demolished = true;
    h1.reclaimed = true;
    let mut h2 = household("H2", "A", 2, 1, 0, &[(2023, 8_000.0), (2024, 7_000.0)]);
    h2.monitored = true;
    h2.demolished = true;
    let h3 = household("H3", "A", 3, 0, 0, &[(2024, 9_000.0)]);
    let h4 = household("H4", "B", 5, 3, 3, &[]);
    let stray = household("H5", "Z", 1, 1, 0, &[]);
    let site = |code: &str, units, certificates| FollowUpSite { code: code.into(), units, certificates };
    (vec![h1, h2, h3, h4, stray], vec![site("A", 4, 3), site("B", 2, 2), site("C", 10, 0)])
}

#[test]
fn kpis_per_site_are_worked_by_hand() {
    let (households, sites) = example();
    let by_site = follow_up_by(&households, &sites, 2024, |s| s.code.clone());
    let a = &by_site["A"];
    assert_eq!((a.households, a.persons, a.labour_households, a.labour_households_employed), (3, 9, 2, 1));
    // Employed households: 1 of 2 labour households (H3 has no labour).
    assert_eq!(a.value(Kpi::EmployedHouseholds), Some(0.5));
    // Employment rate: 1 employed of 3 labour-capable.
    assert_eq!(a.value(Kpi::EmploymentRate), Some(1.0 / 3.0));
    // Income: H1 4 × 5,000 + H2 2 × 8,000 = 36,000 → 4 × 6,000 + 2 × 7,000 = 38,000; H3 lacks 2023.
    assert_eq!((a.income_persons, a.income_previous, a.income_latest), (6, 36_000.0, 38_000.0));
    assert!((a.value(Kpi::IncomeGrowth).unwrap() - 2.0 / 36.0).abs() < 1e-12);
    assert_eq!(a.value(Kpi::MonitoredShare), Some(1.0 / 3.0));
    assert_eq!(a.value(Kpi::CertificateRate), Some(0.75));
    assert_eq!(a.value(Kpi::DemolitionRate), Some(2.0 / 3.0));
    assert_eq!(a.value(Kpi::ReclamationRate), Some(1.0 / 3.0));
    // B: no incomes → no growth; C: no households → only the certificate rate.
    assert_eq!(by_site["B"].value(Kpi::IncomeGrowth), None);
    assert_eq!(by_site["C"].value(Kpi::EmploymentRate), None);
    assert_eq!(by_site["C"].value(Kpi::CertificateRate), Some(0.0));
    // The household of an unknown site is left out.
    assert_eq!(by_site.values().map(|f| f.households).sum::<i64>(), 4);
}

#[test]
fn kpis_roll_up_by_any_grouping() {
    let (households, sites) = example();
    let county = |s: &FollowUpSite| if s.code == "C" { 2 } else { 1 };
    let by_county = follow_up_by(&households, &sites, 2024, county);
    let one = &by_county[&1];
    // Labour households H1, H2, H4; employed H1, H4 → 2/3; labour 2+1+3 = 6, employed 1+0+3 = 4.
    assert_eq!(one.value(Kpi::EmployedHouseholds), Some(2.0 / 3.0));
    assert_eq!(one.value(Kpi::EmploymentRate), Some(4.0 / 6.0));
    assert_eq!((one.units, one.certificates), (6, 5));
}

#[test]
fn alerts_name_every_missed_target_and_spare_the_exact_ones() {
    let (households, sites) = example();
    let by_site = follow_up_by(&households, &sites, 2024, |s| s.code.clone());
    let alerts = kpi_alerts(&by_site, &Targets::default());
    let named: Vec<(&str, Kpi)> = alerts.iter().map(|a| (a.group.as_str(), a.kpi)).collect();
    assert_eq!(
        named,
        vec![
            ("A", Kpi::EmployedHouseholds),
            ("A", Kpi::EmploymentRate),
            ("A", Kpi::CertificateRate),
            ("A", Kpi::DemolitionRate),
            // B: 3 of 3 employed, 2 of 2 certificates; no demolition (0 < 88%).
            ("B", Kpi::DemolitionRate),
            ("C", Kpi::CertificateRate),
        ]
    );
    // A ceiling: monitoring share 1/3 above a 30% ceiling, not above 1/3.
    let mut targets = Targets(BTreeMap::new());
    targets.0.insert(Kpi::MonitoredShare, Some(0.3));
    assert_eq!(kpi_alerts(&by_site, &targets).len(), 1);
    targets.0.insert(Kpi::MonitoredShare, Some(1.0 / 3.0));
    assert!(kpi_alerts(&by_site, &targets).is_empty());
}

#[test]
fn labour_households_with_nobody_employed_are_listed() {
    let (households, _) = example();
    let ids: Vec<&str> = unemployed_labour_households(&households).iter().map(|h| h.household_id.as_str()).collect();
    assert_eq!(ids, vec!["H2", "H5"]);
}

#[test]
fn great_circle_distances_by_hand() {
    // One degree of longitude on the equator: R × π / 180 = 111,195.08 m.
    assert_eq!(haversine_m(0.0, 0.0, 1.0, 0.0), 111_195);
    // Equator to pole: R × π / 2 = 10,007,557.18 m.
    assert_eq!(haversine_m(0.0, 0.0, 0.0, 90.0), 10_007_557);
    // Antipodes: R × π = 20,015,114.35 m.
    assert_eq!(haversine_m(0.0, 0.0, 180.0, 0.0), 20_015_114);
    // At 60°N a degree of longitude is about half: 2R·asin(cos 60° · sin 0.5°) = 55,596.95 m.
    assert_eq!(haversine_m(10.0, 60.0, 11.0, 60.0), 55_597);
    assert_eq!(haversine_m(106.7, 26.6, 106.7, 26.6), 0);
}

#[test]
fn links_go_to_the_k_nearest_sites() {
    let p = |id: &str, lon: f64, lat: f64| Point { id: id.to_string(), lon, lat };
    let origins = [p("V1", 0.0, 0.0), p("V2", 3.0, 0.0), p("bad", f64::NAN, 0.0)];
    let sites = [p("S_far", 10.0, 0.0), p("S1", 1.0, 0.0), p("S2", 2.0, 0.0), p("S1", 5.0, 5.0)];
    let links = nearest_links(&origins, &sites, 2);
    let named: Vec<(&str, &str, i64)> = links.iter().map(|l| (l.origin.as_str(), l.site.as_str(), l.cost)).collect();
    // V2 is 2° from S1 and 1° from S2; a repeated S1 counts once.
    assert_eq!(named, vec![("V1", "S1", 111_195), ("V1", "S2", 222_390), ("V2", "S2", 111_195), ("V2", "S1", 222_390)]);
    assert!(nearest_links(&origins, &sites, 0).is_empty());
}
