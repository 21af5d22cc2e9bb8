use super::*;

#[test]
fn codes_are_trimmed_text_and_keep_leading_zeros() {
    assert_eq!(RegionCode::parse(" 01001 ").unwrap().as_str(), "01001");
    assert_eq!(RegionCode::parse(""), Err(RegionError::EmptyCode));
    assert!(matches!(RegionCode::parse("11 0000"), Err(RegionError::BadCharacter(_))));
    assert!(matches!(RegionCode::parse("11,0000"), Err(RegionError::BadCharacter(_))));
}

#[test]
fn a_generic_scheme_loads_us_states_and_counties_by_fips() {
    let fips = GenericScheme::new(vec!["nation", "state", "county"]);
    let autauga = RegionCode::parse("01001").unwrap();
    assert_eq!(fips.normalize(&autauga).unwrap(), autauga);
    assert!(fips.check_level(&autauga, "county").is_ok());
    assert!(matches!(fips.check_level(&autauga, "prefecture"), Err(RegionError::UnknownLevel { .. })));
    assert!(fips.parent_candidates(&autauga).is_empty());
}

#[test]
fn a_region_needs_a_name_and_an_ordered_validity() {
    let mut region = Region {
        code: RegionCode::parse("110103").unwrap(),
        name_zh: "崇文区".into(),
        name_en: None,
        level: "county".into(),
        parent: Some(RegionCode::parse("110000").unwrap()),
        valid_from: Some(Date::first_of_year(1981)),
        valid_to: Some(Date::last_of_year(2009)),
    };
    assert!(region.validate().is_ok());
    region.valid_to = Some(Date::last_of_year(1980));
    assert!(matches!(region.validate(), Err(RegionError::InvertedValidity { .. })));
    region.valid_to = None;
    region.name_zh = " ".into();
    assert_eq!(region.validate(), Err(RegionError::EmptyName("110103".into())));
}

#[test]
fn a_region_change_says_what_it_changes() {
    let stored = Region {
        code: RegionCode::parse("520103").unwrap(),
        name_zh: "云岩区".into(),
        name_en: None,
        level: "county".into(),
        parent: Some(RegionCode::parse("520100").unwrap()),
        valid_from: None,
        valid_to: None,
    };
    assert!(RegionChange::between(None, &stored).created);
    assert!(!RegionChange::between(None, &stored).restructures(), "a new region restructures nothing");
    let same = RegionChange::between(Some(&stored), &stored);
    assert!(!same.is_change());
    // Issue 13: a clerk re-parenting Yunyan under Nanming.
    let moved = Region { parent: Some(RegionCode::parse("520102").unwrap()), ..stored.clone() };
    let change = RegionChange::between(Some(&stored), &moved);
    assert!(change.moved && change.restructures());
    let renamed = Region { name_en: Some("Yunyan".into()), ..stored.clone() };
    assert!(RegionChange::between(Some(&stored), &renamed).restructures());
    let dated = Region { valid_from: Some(crate::Date::parse("1985-01-01").unwrap()), ..stored.clone() };
    let change = RegionChange::between(Some(&stored), &dated);
    assert!(change.is_change() && !change.restructures());
}
