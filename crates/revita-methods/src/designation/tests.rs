use super::*;

fn poverty_county(exit_year: i32) -> Designation {
    Designation {
        region: RegionCode::parse("520402").unwrap(),
        category: DesignationCategory::PovertyCounty,
        class: None,
        basis: Basis { title: "832个贫困县名单".into(), number: None },
        valid_from: Some(Date::first_of_year(2012)),
        valid_to: Some(Date::last_of_year(exit_year)),
        notes: Some(format!("exited {exit_year}")),
    }
}

#[test]
fn categories_round_trip_through_keywords() {
    for category in DesignationCategory::built_in() {
        assert_eq!(DesignationCategory::parse(&category.as_str()).unwrap(), category);
    }
    let custom = DesignationCategory::parse("custom:flood_zone").unwrap();
    assert_eq!((custom.as_str(), custom.name_en()), ("custom:flood_zone".into(), "flood_zone".into()));
    assert!(DesignationCategory::parse("custom:").is_err());
    assert!(DesignationCategory::parse("poor").is_err());
}

#[test]
fn a_designation_holds_until_its_end_date() {
    let d = poverty_county(2019);
    assert!(d.is_active_on(Date::parse("2019-12-31").unwrap()));
    assert!(!d.is_active_on(Date::parse("2020-01-01").unwrap()));
    assert!(!d.is_active_on(Date::parse("2011-12-31").unwrap()));
}

#[test]
fn classes_belong_to_resource_based_cities() {
    let mut d = poverty_county(2019);
    d.class = Some("declining".into());
    assert!(matches!(d.validate(), Err(DesignationError::BadClass { .. })));
    d.category = DesignationCategory::ResourceBasedCity;
    assert!(d.validate().is_ok());
    d.class = Some("dying".into());
    assert!(matches!(d.validate(), Err(DesignationError::BadClass { .. })));
}

#[test]
fn a_designation_needs_a_basis_and_ordered_dates() {
    let mut d = poverty_county(2019);
    d.valid_to = Some(Date::last_of_year(2010));
    assert!(matches!(d.validate(), Err(DesignationError::InvertedValidity { .. })));
    let mut d = poverty_county(2019);
    d.basis.title = " ".into();
    assert_eq!(d.validate(), Err(DesignationError::NoBasis));
}
