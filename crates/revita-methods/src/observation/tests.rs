use super::*;

#[test]
fn periods_parse_and_print_canonically() {
    for (text, period) in [
        ("2020", Period::Year(2020)),
        ("2020.0", Period::Year(2020)),
        ("2021Q3", Period::Quarter(2021, 3)),
        ("2021-03", Period::Month(2021, 3)),
    ] {
        assert_eq!(Period::parse(text).unwrap(), period, "{text}");
    }
    assert_eq!(Period::parse("2021q3").unwrap().to_string(), "2021Q3");
    assert_eq!(Period::Month(2021, 3).to_string(), "2021-03");
}

#[test]
fn bad_periods_are_rejected() {
    for bad in ["", "20", "2020Q5", "2020-13", "2020-3", "twenty", "2020.5"] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn periods_order_by_year_first() {
    assert!(Period::Year(2019) < Period::Year(2020));
    assert!(Period::Month(2020, 12) < Period::Month(2021, 1));
    assert_eq!(Period::Quarter(2021, 2).year(), 2021);
}

#[test]
fn values_accept_thousands_separators_but_not_nan() {
    assert_eq!(parse_value(" 1,234.5 "), Some(1234.5));
    assert_eq!(parse_value("-0.25"), Some(-0.25));
    assert_eq!(parse_value("1e3"), Some(1000.0));
    for bad in ["", "NaN", "inf", "12a", "—"] {
        assert_eq!(parse_value(bad), None, "{bad}");
    }
}

#[test]
fn statuses_round_trip() {
    for s in [
        ObservationStatus::Final,
        ObservationStatus::Provisional,
        ObservationStatus::Estimated,
        ObservationStatus::Synthetic,
    ] {
        assert_eq!(ObservationStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(ObservationStatus::parse(""), Some(ObservationStatus::Final));
    assert_eq!(ObservationStatus::parse("guess"), None);
}

/// 2,850 counties reported 2020 and 2022; one county's 2024 arrives early:
/// the map stays on 2022. Once 1,500 report 2024 (more than half), 2024.
#[test]
fn the_default_period_is_the_latest_broadly_covered_one() {
    let early = [("2020", 2850), ("2022", 2850), ("2024", 1)];
    assert_eq!(broadly_covered(&early), Some(&"2022"));
    let half = [("2020", 2850), ("2022", 2850), ("2024", 1425)];
    assert_eq!(broadly_covered(&half), Some(&"2024"));
    assert_eq!(broadly_covered(&[("2020", 2), ("2021", 0)]), Some(&"2020"));
    assert_eq!(broadly_covered::<&str>(&[]), None);
}

#[test]
fn observations_are_for_the_past_and_present_only() {
    let p = |t: &str| Period::parse(t).unwrap();
    assert_eq!(p("2026").check_plausible(2026), Ok(()));
    assert_eq!(p("2026-12").check_plausible(2026), Ok(()));
    assert_eq!(p("1900").check_plausible(2026), Ok(()));
    assert_eq!(p("2027").check_plausible(2026), Err(ImplausiblePeriod::Future { period: p("2027"), this_year: 2026 }));
    assert_eq!(p("1020").check_plausible(2026), Err(ImplausiblePeriod::TooEarly(p("1020"))));
    assert!(ImplausiblePeriod::TooEarly(p("1020")).to_string().contains("before 1900"));
}

#[test]
fn a_period_ends_on_its_last_day() {
    let last = |t: &str| Period::parse(t).unwrap().last_day().to_string();
    assert_eq!(last("2020"), "2020-12-31");
    assert_eq!(last("2020Q1"), "2020-03-31");
    assert_eq!(last("2020Q4"), "2020-12-31");
    assert_eq!(last("2024-02"), "2024-02-29");
    assert_eq!(last("2023-02"), "2023-02-28");
    assert_eq!(last("2023-12"), "2023-12-31");
}
