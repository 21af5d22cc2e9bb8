use super::*;

#[test]
fn indicator_codes_start_with_a_letter() {
    assert!(IndicatorCode::parse("urbanization_rate_pct").is_ok());
    assert!(IndicatorCode::parse("gdp.pc-2020").is_ok());
    for bad in ["", "2020_pop", "pop total", "人口"] {
        assert!(IndicatorCode::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_weighted_mean_needs_its_weight() {
    let w = Aggregation::parse("weighted_mean", Some("pop_total")).unwrap();
    assert_eq!(w.weight().unwrap().as_str(), "pop_total");
    assert!(Aggregation::parse("weighted_mean", None).is_err());
    assert!(Aggregation::parse("sum", Some("pop_total")).is_err());
    assert_eq!(Aggregation::parse("", Some(" ")).unwrap(), Aggregation::None);
    assert_eq!(Aggregation::parse("median", None), Err(IndicatorError::BadAggregation("median".into())));
}

#[test]
fn directions_round_trip_through_their_keywords() {
    for d in [Direction::HigherIsBetter, Direction::LowerIsBetter, Direction::Neutral] {
        assert_eq!(Direction::parse(d.as_str()).unwrap(), d);
    }
    assert!(Direction::parse("up").is_err());
}

#[test]
fn an_indicator_cannot_weight_itself() {
    let code = IndicatorCode::parse("illiteracy_rate").unwrap();
    let indicator = Indicator {
        code: code.clone(),
        name_zh: "文盲率".into(),
        name_en: None,
        unit: "%".into(),
        direction: Direction::LowerIsBetter,
        aggregation: Aggregation::WeightedMean(code),
        description: None,
        source: None,
        range: ValueRange::default(),
    };
    assert_eq!(indicator.validate(), Err(IndicatorError::SelfWeighted("illiteracy_rate".into())));
}

#[test]
fn a_value_range_holds_its_bounds_and_must_rise() {
    let percent = ValueRange { min: Some(0.0), max: Some(100.0) };
    assert!(percent.contains(0.0) && percent.contains(100.0) && percent.contains(37.5));
    assert!(!percent.contains(-0.1) && !percent.contains(100.5));
    assert!(ValueRange { min: Some(0.0), max: None }.contains(1e12));
    assert!(ValueRange::default().contains(-1e12));
    assert_eq!(percent.describe(), "0–100");
    let code = IndicatorCode::parse("share_pct").unwrap();
    let backwards = Indicator {
        code,
        name_zh: "比重".into(),
        name_en: None,
        unit: "%".into(),
        direction: Direction::Neutral,
        aggregation: Aggregation::Mean,
        description: None,
        source: None,
        range: ValueRange { min: Some(100.0), max: Some(0.0) },
    };
    assert_eq!(backwards.validate(), Err(IndicatorError::BadRange("share_pct".into())));
}
